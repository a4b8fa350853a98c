//! Fix levels that mean it: a built-in fix is safe only where the rewrite behaves as the original
//! for every input on every supported Python; where it cannot be right (a shielded task, a task
//! passed to `gather`, a function that is already what anyio wants) there is no fix or no finding.
//! And each problem is reported once: no span by two rules, no name reported inside the call a
//! rule already reports, and the fixable count of the summary is what `--diff` applies.

mod common;

use common::{project, run, stderr, stdout};

/// `check --output-format json` on `source` as `t.py`, under `[versions]` `versions` and the
/// extra arguments: each finding as (line, code, applicability of its fix or `none`).
fn findings(source: &str, versions: &str, extra: &[&str]) -> Vec<(u64, String, String)> {
    let config = format!("[versions]\n{versions}\n");
    let dir = project(&[
        ("t.py", source.as_bytes()),
        ("anyio-lint.toml", config.as_bytes()),
    ]);
    let mut args = vec!["check", "--output-format", "json"];
    args.extend_from_slice(extra);
    args.push("t.py");
    let output = run(dir.path(), &args);
    let items: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&output), stderr(&output)));
    items
        .iter()
        .map(|f| {
            let level = f["fix"]["applicability"].as_str().unwrap_or("none");
            (
                f["location"]["row"].as_u64().unwrap(),
                f["code"].as_str().unwrap().to_owned(),
                level.to_owned(),
            )
        })
        .collect()
}

/// The findings on line `line`, as `CODE level`.
fn on_line(found: &[(u64, String, String)], line: u64) -> Vec<String> {
    found
        .iter()
        .filter(|(row, _, _)| *row == line)
        .map(|(_, code, level)| format!("{code} {level}"))
        .collect()
}

/// A module holding `body` as the body of `async def main(task, loop, tg)`, after imports of
/// asyncio, anyio, functools and pytest.
fn module(body: &str) -> String {
    let body: String = body.lines().map(|l| format!("    {l}\n")).collect();
    format!(
        "import asyncio\nimport functools\n\nimport anyio\nimport pytest\n\n\nasync def main(task, loop, tg):\n{body}"
    )
}

/// The first line of the body in [`module`].
const BODY: u64 = 9;

#[test]
fn rewrites_that_change_behaviour_are_unsafe() {
    let cases = [
        ("f = asyncio.iscoroutinefunction(task)", "AIO108"),
        (
            "async with asyncio.TaskGroup() as group:\n    pass",
            "AIO214",
        ),
        ("value = await asyncio.wait_for(task(), 1)", "AIO301"),
        ("await asyncio.wait_for(task(), 1)", "AIO302"),
        ("async with asyncio.timeout(1):\n    pass", "AIO305"),
        ("x = await asyncio.shield(task())", "AIO308"),
        ("asyncio.run(task(1))", "AIO201"),
        ("asyncio.run(task(1, key=2))", "AIO202"),
        (
            "try:\n    pass\nexcept asyncio.CancelledError:\n    raise",
            "AIO113",
        ),
        ("anyio.run(task(1))", "ANY101"),
        ("tg.start_soon(task(1))", "ANY102"),
        ("anyio.from_thread.run(task(1))", "ANY104"),
        ("return asyncio.get_event_loop().time()", "AIO116"),
    ];
    for (body, code) in cases {
        let found = findings(&module(body), "", &[]);
        let line = if code == "AIO113" { BODY + 2 } else { BODY };
        assert_eq!(
            on_line(&found, line),
            [format!("{code} unsafe")],
            "{body}: {found:?}"
        );
    }
    // The pytest markers and fixtures move a test to another plugin.
    let tests = "import pytest\nimport pytest_asyncio\n\n@pytest.mark.asyncio\nasync def test_a():\n    pass\n\n@pytest_asyncio.fixture\nasync def client():\n    yield 1\n";
    let found = findings(tests, "", &[]);
    assert_eq!(on_line(&found, 4), ["PTA101 unsafe"], "{found:?}");
    assert_eq!(on_line(&found, 8), ["PTA201 unsafe"], "{found:?}");
}

#[test]
fn rewrites_that_keep_behaviour_stay_safe() {
    let cases = [
        ("await asyncio.sleep(1)", "AIO101"),
        ("await asyncio.sleep(-1)", "AIO117"),
        ("return asyncio.get_running_loop().time()", "AIO110"),
        ("return asyncio.subprocess.PIPE", "AIO109"),
        ("anyio.run(task, 1, key=2)", "ANY105"),
        (
            "with anyio.create_task_group() as group:\n    pass",
            "ANY303",
        ),
    ];
    for (body, code) in cases {
        let found = findings(&module(body), "", &[]);
        assert_eq!(
            on_line(&found, BODY),
            [format!("{code} safe")],
            "{body}: {found:?}"
        );
    }
}

#[test]
fn version_dependent_rewrites_are_safe_only_where_the_python_makes_them_exact() {
    let cases = [
        ("return asyncio.iscoroutine(task)", "AIO114", "AIO115"),
        ("return asyncio.TimeoutError", "AIO106", "AIO107"),
    ];
    for (body, newer, older) in cases {
        let found = findings(&module(body), "python = \"3.12\"", &[]);
        assert_eq!(on_line(&found, BODY), [format!("{newer} safe")], "{body}");
        let found = findings(&module(body), "python = \"3.10\"", &[]);
        assert_eq!(on_line(&found, BODY), [format!("{older} unsafe")], "{body}");
    }
}

#[test]
fn a_shielded_task_or_future_has_no_fix() {
    for argument in [
        "task",
        "self.flush_task",
        "asyncio.create_task(task())",
        "asyncio.ensure_future(task())",
        "loop.run_in_executor(None, task)",
        "loop.create_future()",
    ] {
        for body in [
            format!("await asyncio.shield({argument})"),
            format!("x = await asyncio.shield({argument})"),
        ] {
            let found = findings(&module(&body), "", &["--select", "AIO3"]);
            assert_eq!(on_line(&found, BODY), ["AIO311 none"], "{body}: {found:?}");
        }
    }
    let found = findings(
        &module("await asyncio.shield(task())"),
        "",
        &["--select", "AIO3"],
    );
    assert_eq!(on_line(&found, BODY), ["AIO309 unsafe"], "{found:?}");
}

#[test]
fn gather_of_tasks_keeps_no_fix() {
    let body = "await asyncio.gather(*[asyncio.create_task(task(n)) for n in range(3)])";
    let found = findings(&module(body), "", &["--select", "AIO4"]);
    assert!(
        found
            .iter()
            .all(|(_, code, level)| code != "AIO401" && level == "none"),
        "{found:?}"
    );
    let statement = "await asyncio.gather(asyncio.create_task(task()), task())";
    let found = findings(
        &module(statement),
        "anyio = \"4.12\"",
        &["--select", "AIO4"],
    );
    assert!(
        found.iter().all(|(_, code, _)| code != "AIO402"),
        "{found:?}"
    );
}

#[test]
fn an_asyncio_task_group_keeps_create_task_until_the_group_is_anyios() {
    let source = "import asyncio\n\n\nasync def main():\n    async with asyncio.TaskGroup() as tg:\n        tg.create_task(work(1))\n";
    let dir = project(&[
        ("t.py", source.as_bytes()),
        ("anyio-lint.toml", b"[versions]\nanyio = \"4.12\"\n"),
    ]);
    // Safe fixes alone would leave an asyncio task group calling `start_soon`.
    run(dir.path(), &["check", "--fix", "t.py"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("t.py")).unwrap(),
        source
    );
    run(dir.path(), &["check", "--fix", "--unsafe-fixes", "t.py"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("t.py")).unwrap(),
        "import anyio\n\n\nasync def main():\n    async with anyio.create_task_group() as tg:\n        tg.start_soon(work, 1)\n"
    );
}

#[test]
fn a_partial_is_what_anyio_wants() {
    let body = "anyio.run(functools.partial(task, 1))\ntg.start_soon(functools.partial(task, 1))\nawait anyio.to_thread.run_sync(functools.partial(task, 1))\nanyio.from_thread.run(functools.partial(task, 1))\n";
    let found = findings(&module(body), "", &["--select", "ANY1"]);
    assert!(found.is_empty(), "{found:?}");
    // Inside an async function, `anyio.run` is still reported, once.
    let found = findings(&module("anyio.run(task())"), "", &["--select", "ANY"]);
    assert_eq!(on_line(&found, BODY), ["ANY101 unsafe"], "{found:?}");
    let found = findings(
        &module("anyio.run(functools.partial(task))"),
        "",
        &["--select", "ANY"],
    );
    assert_eq!(on_line(&found, BODY), ["ANY405 none"], "{found:?}");
}

#[test]
fn keywords_from_a_mapping_may_be_anyios_own() {
    // `opts` may hold `backend`, `name`, `limiter` or `token`: the call may be right.
    let body = "anyio.run(task, **opts)\ntg.start_soon(task, **opts)\nawait anyio.to_thread.run_sync(task, **opts)\nanyio.from_thread.run(task, **opts)\n";
    let found = findings(&module(body), "", &["--select", "ANY1"]);
    assert!(found.is_empty(), "{found:?}");
    // A named keyword that is not anyio's fails whenever the call runs.
    let found = findings(
        &module("tg.start_soon(task, 1, retries=2, **opts)"),
        "",
        &["--select", "ANY1"],
    );
    assert_eq!(on_line(&found, BODY), ["ANY106 safe"], "{found:?}");
}

#[test]
fn each_problem_is_reported_once() {
    let cases = [
        ("x = [await asyncio.wait_for(task(), 1)]", "AIO304 none"),
        ("x = [await asyncio.shield(task())]", "AIO310 none"),
        ("x = asyncio.gather(task(), task())", "AIO404 none"),
        (
            "with pytest.raises(asyncio.TimeoutError):\n    pass",
            "AIO106 safe",
        ),
    ];
    for (body, only) in cases {
        let found = findings(&module(body), "python = \"3.12\"", &[]);
        assert_eq!(on_line(&found, BODY), [only], "{body}: {found:?}");
    }
    // With only the pytest pack, its own rule reports the expected exception.
    let raises = module("with pytest.raises(asyncio.TimeoutError):\n    pass");
    let found = findings(&raises, "python = \"3.12\"", &["--select", "PTA"]);
    assert_eq!(on_line(&found, BODY), ["PTA301 safe"], "{found:?}");
    let found = findings(&raises, "python = \"3.10\"", &[]);
    assert_eq!(on_line(&found, BODY), ["AIO107 unsafe"], "{found:?}");
    let found = findings(&raises, "python = \"3.10\"", &["--select", "PTA"]);
    assert_eq!(on_line(&found, BODY), ["PTA303 unsafe"], "{found:?}");
    // With only the pitfalls pack, the call is reported, not its name inside it.
    let found = findings(
        &module("x = [await asyncio.wait_for(task(), 1)]"),
        "",
        &["--select", "ANY"],
    );
    assert_eq!(on_line(&found, BODY), ["ANY501 none"], "{found:?}");
    // A name that is not called is still reported.
    let found = findings(&module("f = asyncio.gather"), "", &[]);
    assert_eq!(on_line(&found, BODY), ["AIO901 none"], "{found:?}");
}

#[test]
fn the_fixable_count_is_what_the_diff_applies() {
    // No fix here makes code another rule then fixes (`anyio.sleep(0)` would become a checkpoint).
    let source = module(
        "await asyncio.sleep(1)\nwith pytest.raises(asyncio.TimeoutError):\n    await asyncio.sleep(2)\nx = [await asyncio.wait_for(task(), 1)]\nreturn asyncio.get_running_loop().time()",
    );
    let dir = project(&[("t.py", source.as_bytes())]);
    for extra in [&[][..], &["--unsafe-fixes"][..]] {
        let mut args = vec!["check", "--isolated"];
        args.extend_from_slice(extra);
        let summary = stdout(&run(dir.path(), &[&args[..], &["t.py"][..]].concat()));
        let diff = stderr(&run(
            dir.path(),
            &[&args[..], &["--diff", "t.py"][..]].concat(),
        ));
        let fixable = summary
            .split("[*] ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("{summary}"));
        assert!(
            diff.contains(&format!("Would fix {fixable} ")),
            "{extra:?}: {summary}\n{diff}"
        );
    }
}
