//! Fixes keep a file tidy. An import a fix adds goes where an import sorter puts it: every file
//! below is sorted as Ruff's isort rules (`ruff check --select I`, default settings, Ruff from
//! PyPI in a virtual environment under Cargo's target directory) want it before
//! `check --fix --unsafe-fixes`, and still is after. A multi-line call a fix rewrites stays
//! multi-line. Every fixed file parses, and a second `--fix` changes nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{must_succeed, project, run, stderr, stdout, venv};

/// Ruff, the version `scripts/corpus-check` pins.
const RUFF: &[&str] = &["ruff==0.17.6"];

fn ruff() -> &'static Path {
    static RUFF_BIN: OnceLock<PathBuf> = OnceLock::new();
    RUFF_BIN.get_or_init(|| venv("isort-venv", RUFF).join("bin").join("ruff"))
}

/// What `ruff check --select I` finds in `dir` (run there, so that the project's own packages are
/// first-party), one `path:row:col: CODE message` a line; syntax errors are always reported.
fn isort_findings(dir: &Path) -> String {
    let output = Command::new(ruff())
        .current_dir(dir)
        .args([
            "check",
            "--isolated",
            "--no-cache",
            "--select",
            "I",
            "--output-format",
            "concise",
            "--exit-zero",
            ".",
        ])
        .output()
        .expect("ruff runs");
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
        .lines()
        .filter(|line| line.contains(": "))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Fix `dir` with every built-in pack and `extra` arguments; the files as they are after, and a
/// second run must change nothing.
fn fix(dir: &Path, extra: &[&str]) {
    let mut args = vec!["check", "--isolated", "--fix", "--unsafe-fixes", "--quiet"];
    args.extend_from_slice(extra);
    args.push(".");
    let files = |dir: &Path| -> Vec<(PathBuf, String)> {
        let mut found = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else {
                found.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
            }
        }
        found.sort();
        found
    };
    let first = run(dir, &args);
    assert!(
        matches!(first.status.code(), Some(0 | 1)),
        "{}",
        stderr(&first)
    );
    assert!(
        !stderr(&first).contains("rolled back"),
        "{}",
        stderr(&first)
    );
    let fixed = files(dir);
    let second = run(dir, &args);
    assert!(matches!(second.status.code(), Some(0 | 1)));
    assert_eq!(files(dir), fixed, "a second --fix changed files");
}

/// Files sorted as isort wants them, each with what `--fix --unsafe-fixes` makes of it.
const SORTED: &[(&str, &str, &str)] = &[
    (
        "stdlib_only.py",
        "import asyncio\nimport os\n\n\nasync def main():\n    await asyncio.sleep(1)\n    print(os.sep)\n",
        "import os\n\nimport anyio\n\n\nasync def main():\n    await anyio.sleep(1)\n    print(os.sep)\n",
    ),
    (
        "third_party.py",
        "import asyncio\nimport os\n\nimport httpx\nimport yarl\n\n\nasync def main():\n    await asyncio.sleep(1)\n    print(os.sep, httpx, yarl)\n",
        "import os\n\nimport anyio\nimport httpx\nimport yarl\n\n\nasync def main():\n    await anyio.sleep(1)\n    print(os.sep, httpx, yarl)\n",
    ),
    (
        "future.py",
        "from __future__ import annotations\n\nimport asyncio\n\n\nasync def main() -> None:\n    await asyncio.sleep(1)\n",
        "from __future__ import annotations\n\nimport anyio\n\n\nasync def main() -> None:\n    await anyio.sleep(1)\n",
    ),
    (
        "docstring.py",
        "\"\"\"A module.\"\"\"\n\nimport asyncio\nimport sys\n\nimport attrs\n\n\nasync def main():\n    await asyncio.sleep(1)\n    print(sys.argv, attrs)\n",
        "\"\"\"A module.\"\"\"\n\nimport sys\n\nimport anyio\nimport attrs\n\n\nasync def main():\n    await anyio.sleep(1)\n    print(sys.argv, attrs)\n",
    ),
    (
        "try_block.py",
        "import asyncio\n\ntry:\n    import uvloop\nexcept ImportError:\n    uvloop = None\n\n\nasync def main():\n    await asyncio.sleep(1)\n    print(uvloop)\n",
        "import anyio\n\ntry:\n    import uvloop\nexcept ImportError:\n    uvloop = None\n\n\nasync def main():\n    await anyio.sleep(1)\n    print(uvloop)\n",
    ),
    (
        "type_checking.py",
        "import asyncio\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import httpx\n\n\nasync def main(client: httpx.AsyncClient):\n    await asyncio.sleep(1)\n",
        "from typing import TYPE_CHECKING\n\nimport anyio\n\nif TYPE_CHECKING:\n    import httpx\n\n\nasync def main(client: httpx.AsyncClient):\n    await anyio.sleep(1)\n",
    ),
    (
        "existing_import.py",
        "import asyncio\n\nimport anyio\n\n\nasync def main():\n    await asyncio.sleep(1)\n    await anyio.sleep(2)\n",
        "import anyio\n\n\nasync def main():\n    await anyio.sleep(1)\n    await anyio.sleep(2)\n",
    ),
    (
        "existing_from.py",
        "import asyncio\n\nimport httpx\nfrom anyio import Event\n\n\nasync def main():\n    await asyncio.sleep(1)\n    print(Event(), httpx)\n",
        "import anyio\nimport httpx\nfrom anyio import Event\n\n\nasync def main():\n    await anyio.sleep(1)\n    print(Event(), httpx)\n",
    ),
    (
        "first_party.py",
        "import asyncio\n\nfrom mypkg import helper\n\n\nasync def main():\n    await asyncio.sleep(1)\n    helper()\n",
        "import anyio\n\nfrom mypkg import helper\n\n\nasync def main():\n    await anyio.sleep(1)\n    helper()\n",
    ),
    (
        "mypkg/relative.py",
        "import asyncio\n\nfrom . import helper\n\n\nasync def main():\n    await asyncio.sleep(1)\n    helper()\n",
        "import anyio\n\nfrom . import helper\n\n\nasync def main():\n    await anyio.sleep(1)\n    helper()\n",
    ),
    (
        "from_asyncio.py",
        "import os\nfrom asyncio import sleep\n\nimport httpx\n\n\nasync def main():\n    await sleep(1)\n    print(os.sep, httpx)\n",
        "import os\n\nimport anyio\nimport httpx\n\n\nasync def main():\n    await anyio.sleep(1)\n    print(os.sep, httpx)\n",
    ),
    // A name left in a parenthesized import: its list stays as isort writes it.
    (
        "from_asyncio_partly.py",
        "from asyncio import (\n    AbstractEventLoop,\n    sleep,\n)\n\n\nasync def main(loop: AbstractEventLoop):\n    await sleep(1)\n",
        "from asyncio import (\n    AbstractEventLoop,\n)\n\nimport anyio\n\n\nasync def main(loop: AbstractEventLoop):\n    await anyio.sleep(1)\n",
    ),
    // Two fixes each adding a module of the standard library, and both needing anyio.
    (
        "three_modules.py",
        "import asyncio\nimport os\n\n\nasync def main(blocking, path):\n    if asyncio.iscoroutinefunction(blocking):\n        return\n    await asyncio.to_thread(blocking, path, mode=\"rb\")\n    print(os.sep)\n",
        "import functools\nimport inspect\nimport os\n\nimport anyio\n\n\nasync def main(blocking, path):\n    if inspect.iscoroutinefunction(blocking):\n        return\n    await anyio.to_thread.run_sync(functools.partial(blocking, path, mode=\"rb\"))\n    print(os.sep)\n",
    ),
    // A module of the standard library where there is none yet: a section before the others.
    (
        "stdlib_section_added.py",
        "import anyio\n\n\nasync def main(blocking, path):\n    await anyio.to_thread.run_sync(blocking, path, mode=\"rb\")\n",
        "import functools\n\nimport anyio\n\n\nasync def main(blocking, path):\n    await anyio.to_thread.run_sync(functools.partial(blocking, path, mode=\"rb\"))\n",
    ),
    // No import block at the top: a new one after the docstring, the blank lines isort wants.
    (
        "no_block.py",
        "\"\"\"A module.\"\"\"\n\n\nasync def main():\n    import asyncio\n\n    await asyncio.sleep(1)\n",
        "\"\"\"A module.\"\"\"\n\nimport anyio\n\n\nasync def main():\n    await anyio.sleep(1)\n",
    ),
];

#[test]
fn an_added_import_goes_where_isort_puts_it() {
    let mut files: Vec<(&str, &[u8])> = SORTED
        .iter()
        .map(|(name, before, _)| (*name, before.as_bytes()))
        .collect();
    files.push(("mypkg/__init__.py", b""));
    files.push(("mypkg/helper.py", b"def helper():\n    pass\n"));
    let dir = project(&files);
    assert_eq!(
        isort_findings(dir.path()),
        "",
        "the files must start sorted"
    );
    fix(dir.path(), &[]);
    for (name, _, after) in SORTED {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert_eq!(&text, after, "{name}");
    }
    assert_eq!(isort_findings(dir.path()), "");
}

#[test]
fn an_unsorted_block_keeps_the_import_beside_the_one_it_replaces() {
    let dir = project(&[(
        "app.py",
        b"import sys\nimport asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n    print(sys.argv)\n",
    )]);
    assert!(
        isort_findings(dir.path()).contains("app.py:1:1: I001"),
        "{}",
        isort_findings(dir.path())
    );
    fix(dir.path(), &[]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.py")).unwrap(),
        "import sys\nimport anyio\n\n\nasync def main():\n    await anyio.sleep(1)\n    print(sys.argv)\n"
    );
}

/// Multi-line calls, each with what `--fix --unsafe-fixes` makes of it.
const MULTI_LINE: &[(&str, &str)] = &[
    // A list pasted whole: as it was, its comments and trailing comma included.
    (
        "    results = await asyncio.gather(\n        fetch(\n            url,\n        ),\n        other(),  # the slow one\n    )\n",
        "    results = await anyio.gather(\n        fetch(\n            url,\n        ),\n        other(),  # the slow one\n    )\n",
    ),
    // The call becomes a block: the awaited call keeps its lines.
    (
        "    data = await asyncio.wait_for(\n        fetch(\n            url,\n        ),\n        timeout=5,\n    )\n",
        "    with anyio.fail_after(5):\n        data = await fetch(\n            url,\n        )\n",
    ),
    // Items dropped: one a line, at the source's indentation.
    (
        "    loop = asyncio.get_running_loop()\n    await loop.run_in_executor(\n        None,\n        blocking,\n        url,  # where\n    )\n",
        "    await anyio.to_thread.run_sync(\n        blocking,\n        url,  # where\n    )\n",
    ),
    // Items moved into a new list, keywords the rewrite adds on lines of their own.
    (
        "    process = await asyncio.create_subprocess_exec(\n        \"git\",\n        \"status\",\n        stdout=subprocess.PIPE,\n    )\n",
        "    process = await anyio.open_process(\n        [\"git\", \"status\"],\n        stdout=subprocess.PIPE,\n        stdin=None,\n        stderr=None,\n    )\n",
    ),
    // Items wrapped in a call the rewrite adds.
    (
        "    await asyncio.to_thread(\n        blocking,\n        url,\n        mode=\"rb\",\n    )\n",
        "    await anyio.to_thread.run_sync(functools.partial(\n        blocking,\n        url,\n        mode=\"rb\",\n    ))\n",
    ),
];

#[test]
fn a_multi_line_call_keeps_its_line_breaks() {
    let header = "import asyncio\nimport functools\nimport subprocess\n\n\nasync def main(blocking, fetch, other, url):\n";
    let files: Vec<(String, String)> = MULTI_LINE
        .iter()
        .enumerate()
        .map(|(index, (before, _))| (format!("call_{index}.py"), format!("{header}{before}")))
        .collect();
    let inputs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_bytes()))
        .collect();
    let dir = project(&inputs);
    fix(dir.path(), &[]);
    let fixed_header = "import functools\nimport subprocess\n\nimport anyio\n\n\nasync def main(blocking, fetch, other, url):\n";
    for (index, (_, after)) in MULTI_LINE.iter().enumerate() {
        let text = std::fs::read_to_string(dir.path().join(format!("call_{index}.py"))).unwrap();
        assert_eq!(text, format!("{fixed_header}{after}"), "call_{index}.py");
    }
    // Every file parses (Ruff reports syntax errors whatever it selects) and is sorted.
    assert_eq!(isort_findings(dir.path()), "");
}

#[test]
fn a_multi_line_gather_becomes_a_task_group_of_multi_line_calls() {
    let dir = project(&[(
        "app.py",
        b"import asyncio\n\n\nasync def main():\n    if ready:\n        await asyncio.gather(\n            fetch(\n                url,\n                3,\n            ),\n            other(),\n        )\n",
    )]);
    // Before anyio 4.15 (no `anyio.gather`), the calls start in a task group.
    fix(dir.path(), &["--version-of", "anyio=4.10"]);
    let fixed = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert_eq!(
        fixed,
        "import anyio\n\n\nasync def main():\n    if ready:\n        async with anyio.create_task_group() as tg:\n            tg.start_soon(\n                fetch,\n                url,\n                3,\n            )\n            tg.start_soon(other)\n",
        "{fixed}"
    );
    let python = PathBuf::from(ruff()).with_file_name("python");
    must_succeed(
        Command::new(python)
            .args(["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())"])
            .arg(dir.path().join("app.py")),
        "parsing the fixed file",
    );
}
