//! What a run knows of the project's other modules: a coroutine function defined (or re-exported)
//! in one module of the run and called in another is found by the pitfalls rules that ask
//! whether a callee is a coroutine function or a value a coroutine, through `from .m import f`,
//! `from pkg import f` re-exported by a package's `__init__.py`, `import pkg.m` and `src/`
//! layouts. Only the files of the run are read: a file checked alone, or from standard input,
//! knows only what it defines itself.

mod common;

use common::{project, run, run_stdin, stderr, stdout};

/// The findings of the `ANY` rules in a run over `paths` of `dir`, as `path:line CODE`, sorted.
fn flagged(dir: &std::path::Path, paths: &[&str]) -> Vec<String> {
    let mut args = vec![
        "check",
        "--isolated",
        "--select",
        "ANY",
        "--output-format",
        "json",
    ];
    args.extend_from_slice(paths);
    let output = run(dir, &args);
    findings_of(&output)
}

fn findings_of(output: &std::process::Output) -> Vec<String> {
    let items: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(output), stderr(output)));
    let mut found: Vec<String> = items
        .iter()
        .map(|f| {
            let path = f["filename"].as_str().unwrap().replace('\\', "/");
            let file = path.rsplit("/app/").next().unwrap_or(&path).to_owned();
            let line = f["location"]["row"].as_u64().unwrap();
            format!("{file}:{line} {}", f["code"].as_str().unwrap())
        })
        .collect();
    found.sort();
    found
}

/// A package `app` whose `main` module defines the coroutine functions and whose `cli` module
/// calls them in every way the rules find.
const MAIN: &str = "\
async def main(config, debug=False):
    pass

async def fetch(url):
    pass

def sync_helper(value):
    pass
";

const CLI: &str = "\
import anyio
from .main import main, fetch, sync_helper

anyio.run(main(config))
anyio.run(main(config, debug=True))
coro = main(config)
anyio.run(coro)

async def serve(tg, url):
    fetch(url)
    sync_helper(url)
    tg.start_soon(fetch(url=url))
    job = fetch(url)
    tg.start_soon(job)
    await fetch(url)
";

fn app() -> tempfile::TempDir {
    project(&[
        ("app/__init__.py", b""),
        ("app/main.py", MAIN.as_bytes()),
        ("app/cli.py", CLI.as_bytes()),
    ])
}

#[test]
fn coroutine_functions_of_other_modules_are_known() {
    let dir = app();
    assert_eq!(
        flagged(dir.path(), &["app"]),
        [
            "cli.py:10 ANY406",
            "cli.py:12 ANY110",
            "cli.py:14 ANY111",
            "cli.py:4 ANY101",
            "cli.py:5 ANY109",
            "cli.py:7 ANY111",
        ]
    );
}

#[test]
fn a_file_checked_alone_knows_only_itself() {
    let dir = app();
    // What `cli` imports is not read when the run does not check it.
    let alone = ["cli.py:12 ANY110", "cli.py:4 ANY101", "cli.py:5 ANY109"];
    assert_eq!(flagged(dir.path(), &["app/cli.py"]), alone);
    let output = run_stdin(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--select",
            "ANY",
            "--output-format",
            "json",
            "--stdin-filename",
            "app/cli.py",
            "-",
        ],
        CLI.as_bytes(),
    );
    let from_stdin: Vec<String> = findings_of(&output)
        .into_iter()
        .map(|f| f.replacen("app/cli.py", "cli.py", 1))
        .collect();
    assert_eq!(from_stdin, alone);
}

#[test]
fn re_exports_and_src_layouts_are_followed() {
    let dir = project(&[
        ("src/lib/__init__.py", b"from .client import *\nfrom .impl import fetch as get\n"),
        ("src/lib/client.py", b"from lib.impl import fetch\n__all__ = ['fetch']\n"),
        ("src/lib/impl.py", b"import anyio\n\nasync def fetch(url):\n    await anyio.sleep(0)\n"),
        (
            "tests/test_client.py",
            b"import anyio\nimport lib\nimport lib.impl\nfrom lib import fetch, get\n\nasync def test_fetch():\n    fetch('u')\n    get('u')\n    lib.impl.fetch('u')\n    lib.fetch('u')\n",
        ),
    ]);
    let found: Vec<String> = flagged(dir.path(), &["."])
        .into_iter()
        .map(|f| f.rsplit('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        found,
        [
            "test_client.py:10 ANY406",
            "test_client.py:7 ANY406",
            "test_client.py:8 ANY406",
            "test_client.py:9 ANY406",
        ]
    );
}

#[test]
fn what_may_not_be_a_coroutine_function_is_not_reported() {
    let dir = project(&[
        ("pkg/__init__.py", b""),
        (
            "pkg/defs.py",
            b"import functools\n\n@functools.cache\nasync def cached():\n    pass\n\nasync def rebound():\n    pass\nrebound = wrap(rebound)\n\nif FAST:\n    async def either():\n        pass\nelse:\n    def either():\n        pass\n\nDOC = '''\nasync def quoted():\n    pass\n'''\n\nfrom .loop import cycle\n",
        ),
        ("pkg/loop.py", b"from .defs import cycle\n"),
        (
            "pkg/use.py",
            b"import anyio\nfrom .defs import cached, rebound, either, quoted, cycle\nfrom .missing import absent\n\nasync def main():\n    cached()\n    rebound()\n    either()\n    quoted()\n    cycle()\n    absent()\n",
        ),
    ]);
    assert_eq!(flagged(dir.path(), &["pkg"]), Vec::<String>::new());
}

#[test]
fn fixes_reach_across_modules() {
    let dir = app();
    let output = run(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--select",
            "ANY",
            "--fix",
            "--unsafe-fixes",
            "app",
        ],
    );
    assert!(output.status.code().is_some(), "{}", stderr(&output));
    let fixed = std::fs::read_to_string(dir.path().join("app/cli.py")).unwrap();
    assert_eq!(
        fixed,
        "\
import anyio
from .main import main, fetch, sync_helper
import functools

anyio.run(main, config)
anyio.run(functools.partial(main, config, debug=True))
coro = main(config)
anyio.run(coro)

async def serve(tg, url):
    await fetch(url)
    sync_helper(url)
    tg.start_soon(functools.partial(fetch, url=url))
    job = fetch(url)
    tg.start_soon(job)
    await fetch(url)
"
    );
}
