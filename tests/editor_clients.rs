//! Editors' clients against `anyio-lint server`, the built binary:
//!
//! - pytest-lsp (pinned, from PyPI, in a virtual environment under Cargo's target directory)
//!   runs `tests/editors/`: diagnostics on open and on change, the configuration of the file on
//!   disk and its changes, broken configurations, quick fixes, `# noqa`, fix-all, hover, UTF-16
//!   and UTF-8 positions, pulled diagnostics;
//! - Neovim's built-in client runs `tests/editors/neovim/fix_and_save.lua` headless: a quick
//!   fix, then fix-all, then `:write`, and again with docs/editors.md's fix-on-save
//!   configuration; the file it saves must be what `check --fix` writes. The
//!   system's `nvim` is used when it is 0.7 or later; otherwise Debian's `neovim` package and the
//!   libraries it needs that the system lacks are downloaded with `apt-get download` and unpacked
//!   under Cargo's target directory (no root needed), once.

mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::must_succeed;

/// What the virtual environment that runs `tests/editors/` holds; a change here rebuilds it.
const EDITORS_REQUIREMENTS: &[&str] = &[
    "pytest-lsp==1.0.1",
    "pygls==2.1.1",
    "lsprotocol==2025.0.0",
    "pytest==9.2.0",
    "pytest-asyncio==1.5.0",
];

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_tmp() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

#[test]
fn pytest_lsp_drives_the_server_as_an_editor_does() {
    let venv = common::venv("editors-venv", EDITORS_REQUIREMENTS);
    let tests = repository().join("tests").join("editors");
    let output = Command::new(venv.join("bin").join("python"))
        .args(["-m", "pytest", "-c", "pytest.ini", "--rootdir", "."])
        .args(["-p", "no:cacheprovider", "-q", "-rfE", "--basetemp"])
        .arg(target_tmp().join("editors-pytest"))
        .arg(".")
        .current_dir(&tests)
        .env("ANYIO_LINT_BIN", env!("CARGO_BIN_EXE_anyio-lint"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("pytest runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "tests/editors failed ({}):\n{stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    // Every test ran: none skipped, none deselected.
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.contains(" passed")
            && !summary.contains("skipped")
            && !summary.contains("deselected"),
        "{stdout}"
    );
}

/// The file the Neovim test opens: findings with safe fixes (one after non-ASCII text, whose
/// UTF-16 columns differ from its byte columns) and findings whose fixes are unsafe.
const NEOVIM_ORIGINAL: &str = "\
import asyncio


async def main():
    greeting = \"héllo 😀\"; await asyncio.sleep(1)
    try:
        await asyncio.wait_for(asyncio.sleep(3), 1)
    except asyncio.TimeoutError:
        print(greeting)


asyncio.run(main())
";

/// What a run of `fix_and_save.lua` left: what the client saw (its JSON), the file it saved,
/// and what `check --fix` writes for the same original file.
struct NeovimRun {
    seen: serde_json::Value,
    saved: String,
    check_fix: String,
}

impl NeovimRun {
    fn strings(&self, key: &str) -> Vec<String> {
        self.seen[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} in {}", self.seen))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

/// Run `tests/editors/neovim/fix_and_save.lua` on a project holding [`NEOVIM_ORIGINAL`] as
/// `app.py`, with `on_save` (Lua) setting up fix-all on save when given.
fn run_neovim(on_save: Option<&str>) -> NeovimRun {
    let neovim = neovim();
    let edited = common::project(&[("app.py", NEOVIM_ORIGINAL.as_bytes())]);
    std::fs::create_dir(edited.path().join(".git")).expect(".git made");
    let file = edited.path().join("app.py");
    let result = edited.path().join("result.json");
    let script = repository().join("tests/editors/neovim/fix_and_save.lua");

    let mut command = Command::new(&neovim.program);
    command
        .args(["--headless", "--clean", "-u", "NONE", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(edited.path())
        .envs(neovim.env.iter().map(|(k, v)| (k, v)))
        .env("ANYIO_LINT_BIN", env!("CARGO_BIN_EXE_anyio-lint"))
        .env("ANYIO_LINT_FILE", &file)
        .env("ANYIO_LINT_RESULT", &result)
        .env("XDG_CONFIG_HOME", edited.path().join("config"))
        .env("XDG_DATA_HOME", edited.path().join("data"))
        .env("XDG_STATE_HOME", edited.path().join("state"))
        .env("XDG_CACHE_HOME", edited.path().join("cache"));
    if let Some(lua) = on_save {
        let path = edited.path().join("on_save.lua");
        std::fs::write(&path, lua).expect("on-save script written");
        command.env("ANYIO_LINT_ON_SAVE", path);
    }
    must_succeed(
        &mut command,
        "Neovim running tests/editors/neovim/fix_and_save.lua",
    );

    let seen =
        serde_json::from_str(&std::fs::read_to_string(&result).expect("the result")).expect("JSON");
    let saved = std::fs::read_to_string(&file).expect("saved file");

    // What `check --fix` writes for the same file, in a project of its own.
    let fixed = common::project(&[("app.py", NEOVIM_ORIGINAL.as_bytes())]);
    std::fs::create_dir(fixed.path().join(".git")).expect(".git made");
    let run = common::run(fixed.path(), &["check", "--fix", "app.py"]);
    assert_eq!(run.status.code(), Some(1), "{}", common::stderr(&run));
    let check_fix = std::fs::read_to_string(fixed.path().join("app.py")).expect("fixed file");
    assert_ne!(check_fix, NEOVIM_ORIGINAL);
    NeovimRun {
        seen,
        saved,
        check_fix,
    }
}

#[test]
fn neovim_applies_a_quick_fix_then_fix_all_and_saves_what_check_fix_writes() {
    let run = run_neovim(None);
    assert_eq!(
        run.strings("codes"),
        ["AIO101", "AIO302", "AIO101", "AIO107", "AIO201"]
    );
    assert_eq!(
        run.strings("quick_fix_titles"),
        [
            "AIO101: Replace with `anyio.sleep(1)`",
            "AIO101: suppress with `# noqa: AIO101`"
        ]
    );
    // The quick fix landed where the finding is, after the non-ASCII text.
    let after_quick_fix = NEOVIM_ORIGINAL
        .replace("import asyncio\n", "import asyncio\n\nimport anyio\n")
        .replace("await asyncio.sleep(1)", "await anyio.sleep(1)");
    assert_eq!(
        run.seen["after_quick_fix"].as_str(),
        Some(after_quick_fix.trim_end())
    );
    assert_eq!(
        run.seen["fix_all_title"].as_str(),
        Some("anyio-lint: apply all safe fixes")
    );
    assert_eq!(run.strings("remaining"), ["AIO302", "AIO107", "AIO201"]);
    assert_eq!(
        run.seen["exit_code"], 0,
        "the server exits with 0 when stopped"
    );
    assert!(run.seen.get("message").is_none(), "{}", run.seen);
    assert_eq!(run.saved, run.check_fix);
}

/// The Lua block that follows `heading` in docs/editors.md.
fn lua_block_after(heading: &str) -> String {
    let page = std::fs::read_to_string(repository().join("docs/editors.md")).expect("the page");
    let after = page
        .split_once(heading)
        .unwrap_or_else(|| panic!("docs/editors.md has no {heading:?}"))
        .1;
    let block = after
        .split_once("```lua\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .unwrap_or_else(|| panic!("no Lua block after {heading:?} in docs/editors.md"));
    block.0.to_owned()
}

#[test]
fn neovim_fix_all_on_save_as_docs_editors_md_sets_it_up_saves_what_check_fix_writes() {
    let run = run_neovim(Some(&lua_block_after(
        "### Quick fixes and fix-all on save",
    )));
    assert_eq!(
        run.strings("codes"),
        ["AIO101", "AIO302", "AIO101", "AIO107", "AIO201"]
    );
    assert_eq!(run.strings("remaining"), ["AIO302", "AIO107", "AIO201"]);
    assert_eq!(run.seen["exit_code"], 0);
    assert_eq!(run.saved, run.check_fix);
}

/// A Neovim to run, with the environment it needs.
struct Neovim {
    program: PathBuf,
    env: Vec<(String, OsString)>,
}

/// The oldest Neovim whose client the script is written for.
const NEOVIM_AT_LEAST: (u32, u32) = (0, 7);

/// The system's `nvim` when it is recent enough, else Debian's, unpacked under Cargo's target
/// directory on first use (once for the tests of this file, which run in parallel).
fn neovim() -> &'static Neovim {
    static NEOVIM: OnceLock<Neovim> = OnceLock::new();
    NEOVIM.get_or_init(find_neovim)
}

fn find_neovim() -> Neovim {
    let system = Neovim {
        program: PathBuf::from("nvim"),
        env: Vec::new(),
    };
    if version_of(&system).is_some_and(|v| v >= NEOVIM_AT_LEAST) {
        return system;
    }
    let debian = debian_neovim();
    let version = version_of(&debian);
    assert!(
        version.is_some_and(|v| v >= NEOVIM_AT_LEAST),
        "Debian's neovim unpacked in {} is {version:?}, older than {NEOVIM_AT_LEAST:?}",
        debian.program.display()
    );
    debian
}

/// The (major, minor) version `nvim --version` prints, if it runs.
fn version_of(neovim: &Neovim) -> Option<(u32, u32)> {
    let output = Command::new(&neovim.program)
        .arg("--version")
        .envs(neovim.env.iter().map(|(k, v)| (k, v)))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text.lines().next()?.strip_prefix("NVIM v")?;
    let mut parts = version.split(['.', '-']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Debian's `neovim` and the packages it needs that are not installed, unpacked (not
/// installed: `dpkg-deb -x`) into one directory under Cargo's target directory, run from there.
fn debian_neovim() -> Neovim {
    let dir = target_tmp().join("debian-neovim");
    let unpacked = dir.join("root");
    let ready = dir.join("ready");
    if !ready.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let downloads = dir.join("downloads");
        std::fs::create_dir_all(&downloads).expect("directory made");
        let apt = Apt::new(&dir);
        let packages = apt.packages_to_unpack("neovim");
        let mut download = apt.command("apt-get");
        download
            .arg("download")
            .args(&packages)
            .current_dir(&downloads);
        must_succeed(
            &mut download,
            "apt-get download of neovim and its libraries",
        );
        for entry in std::fs::read_dir(&downloads).expect("downloads listed") {
            let deb = entry.expect("entry").path();
            must_succeed(
                Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&unpacked),
                &format!("dpkg-deb -x {}", deb.display()),
            );
        }
        std::fs::write(&ready, packages.join("\n")).expect("marker written");
    }
    let libraries: Vec<PathBuf> = ["usr/lib/x86_64-linux-gnu", "usr/lib", "lib"]
        .iter()
        .map(|dir| unpacked.join(dir))
        .chain(
            std::env::var_os("LD_LIBRARY_PATH")
                .iter()
                .flat_map(std::env::split_paths),
        )
        .collect();
    Neovim {
        program: unpacked.join("usr/bin/nvim"),
        env: vec![
            (
                "LD_LIBRARY_PATH".into(),
                std::env::join_paths(libraries).expect("paths joined"),
            ),
            (
                "VIMRUNTIME".into(),
                unpacked.join("usr/share/nvim/runtime").into_os_string(),
            ),
        ],
    }
}

/// apt, with the system's package lists when they know the package, else with lists of its own
/// (fetched with `apt-get update` into `dir`, which needs no root).
struct Apt {
    options: Vec<String>,
}

impl Apt {
    fn new(dir: &Path) -> Apt {
        let system = Apt {
            options: Vec::new(),
        };
        if system
            .command("apt-cache")
            .args(["show", "neovim"])
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return system;
        }
        let lists = dir.join("lists");
        let cache = dir.join("cache");
        for made in [lists.join("partial"), cache.join("archives/partial")] {
            std::fs::create_dir_all(made).expect("directory made");
        }
        let own = Apt {
            options: vec![
                format!("Dir::State::Lists={}", lists.display()),
                format!("Dir::Cache={}", cache.display()),
                "Debug::NoLocking=1".to_owned(),
            ],
        };
        must_succeed(
            own.command("apt-get").args(["-q", "update"]),
            "apt-get update into a directory of the tests' own (Debian's package lists)",
        );
        own
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        for option in &self.options {
            command.args(["-o", option]);
        }
        command
    }

    /// `package` and every package it depends on, transitively, that is not installed (of
    /// alternatives, the first that is a real package, unless one is installed).
    fn packages_to_unpack(&self, package: &str) -> Vec<String> {
        let output = must_succeed(
            self.command("apt-cache").args([
                "depends",
                "--recurse",
                "--no-recommends",
                "--no-suggests",
                "--no-conflicts",
                "--no-breaks",
                "--no-replaces",
                "--no-enhances",
                package,
            ]),
            &format!("apt-cache depends {package}"),
        );
        let graph = dependency_groups(&String::from_utf8_lossy(&output.stdout));
        let mut wanted = vec![package.to_owned()];
        let mut next = 0;
        while let Some(name) = wanted.get(next).cloned() {
            next += 1;
            for group in graph.get(&name).into_iter().flatten() {
                if group.iter().any(|p| installed(p) || wanted.contains(p)) {
                    continue;
                }
                let real = |p: &&String| !p.starts_with('<') && graph.contains_key(*p);
                if let Some(first) = group.iter().find(real) {
                    wanted.push(first.clone());
                }
            }
        }
        wanted
    }
}

/// Each package's dependencies, as groups of alternatives, from `apt-cache depends` output
/// (a line starting with `|` has the next line as an alternative; `<name>` is virtual).
fn dependency_groups(text: &str) -> std::collections::BTreeMap<String, Vec<Vec<String>>> {
    let mut graph: std::collections::BTreeMap<String, Vec<Vec<String>>> = Default::default();
    let mut current = None;
    let mut continues = false;
    for line in text.lines() {
        if !line.starts_with(' ') {
            current = Some(line.trim().to_owned());
            graph.entry(line.trim().to_owned()).or_default();
            continues = false;
            continue;
        }
        let trimmed = line.trim_start();
        let alternative = trimmed.starts_with('|');
        let Some((kind, name)) = trimmed.trim_start_matches('|').split_once(':') else {
            continue;
        };
        if !matches!(kind, "Depends" | "PreDepends") {
            continue;
        }
        let (Some(current), name) = (&current, name.trim().to_owned()) else {
            continue;
        };
        let groups = graph.entry(current.clone()).or_default();
        match groups.last_mut() {
            Some(group) if continues => group.push(name),
            _ => groups.push(vec![name]),
        }
        continues = alternative;
    }
    graph
}

/// Whether dpkg says `package` is installed.
fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Abbrev}", package])
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"ii"))
}

#[test]
fn dependency_groups_keep_alternatives_together() {
    let text = "\
neovim
  Depends: neovim-runtime
 |Depends: libluajit-5.1-2
  Depends: libluajit2-5.1-2
  Depends: <lua5.1-virtual>
  Recommends: xclip
neovim-runtime
libluajit-5.1-2
  PreDepends: libc6
";
    let graph = dependency_groups(text);
    assert_eq!(
        graph["neovim"],
        [
            vec!["neovim-runtime".to_owned()],
            vec!["libluajit-5.1-2".to_owned(), "libluajit2-5.1-2".to_owned()],
            vec!["<lua5.1-virtual>".to_owned()],
        ]
    );
    assert_eq!(graph["libluajit-5.1-2"], [vec!["libc6".to_owned()]]);
    assert!(graph["neovim-runtime"].is_empty());
}
