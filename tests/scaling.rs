//! Checking a file and testing a pack take time in proportion to their input: the number of
//! functions with findings, of imports, of suppression comments, of findings on one line, of
//! rules.
//!
//! Each test times the same work on an input of size N and of size 4N, fastest of three runs each
//! (runs of both sizes alternate, and the tests take turns, so a busy machine slows both sizes
//! alike), and requires the larger to take less than 6 times as long: linear work takes 4 times
//! as long, work quadratic in N 16 times (each N is large enough for the quadratic part to
//! dominate). Growth of 6 times or more is measured again, up to three times in all, unless it
//! is 18 times or more, which no busy machine makes of linear work. Run them in release mode:
//! `cargo test --release --test scaling`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyio_lint::Version;
use anyio_lint::check;
use anyio_lint::test_packs;
use anyio_lint::{RuleSet, Selection};

/// How much longer the input 4 times as large may take.
const MAX_GROWTH: f64 = 6.0;

/// Growth that only work quadratic in N shows: measuring stops there.
const CLEARLY_QUADRATIC: f64 = 3.0 * MAX_GROWTH;

/// How many times a growth between the two is measured.
const ATTEMPTS: usize = 3;

/// One test times at a time: they would otherwise share the machine's cores unevenly.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The fastest of three runs of `work` on each of `inputs` (of size N and 4N), alternating;
/// fewer once the growth is [`CLEARLY_QUADRATIC`].
fn fastest<T>(inputs: &[T; 2], work: &impl Fn(&T)) -> (Duration, Duration) {
    let mut fastest = [Duration::MAX; 2];
    for _ in 0..3 {
        for (input, best) in inputs.iter().zip(&mut fastest) {
            let start = Instant::now();
            work(input);
            *best = (*best).min(start.elapsed());
        }
        if fastest[1].as_secs_f64() >= CLEARLY_QUADRATIC * fastest[0].as_secs_f64() {
            break;
        }
    }
    (fastest[0], fastest[1])
}

/// Assert that `work` on an input of size `4 * small` takes less than [`MAX_GROWTH`] times as
/// long as on one of size `small`.
fn assert_linear<T>(what: &str, small: usize, make: impl Fn(usize) -> T, work: impl Fn(&T)) {
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let inputs = [make(small), make(4 * small)];
    for attempt in 1..=ATTEMPTS {
        let (one, four) = fastest(&inputs, &work);
        let growth = four.as_secs_f64() / one.as_secs_f64();
        println!(
            "{what}: {small}: {one:?}, {}: {four:?}, {growth:.1}x",
            4 * small
        );
        if growth < MAX_GROWTH {
            return;
        }
        assert!(
            growth < CLEARLY_QUADRATIC && attempt < ATTEMPTS,
            "{what}: 4 times the input took {growth:.1} times as long ({one:?} for {small}, \
             {four:?} for {})",
            4 * small
        );
    }
}

fn builtin_rules(versions: &[(&str, &str)]) -> RuleSet {
    let packs = anyio_lint::load_packs(true, &[]).expect("the built-in packs load");
    let versions: BTreeMap<String, Version> = versions
        .iter()
        .map(|(name, version)| ((*name).to_owned(), Version::parse(version).expect("valid")))
        .collect();
    RuleSet::new(Arc::new(packs), &Selection::default(), &versions)
}

/// Check `source`, requiring `findings` findings.
fn check_finding(rules: &RuleSet, source: &str, findings: usize) {
    let checked = check(rules, source, &[]);
    assert_eq!(checked.diagnostics.len(), findings);
    assert!(checked.diagnostics.iter().all(|d| d.fix.is_some()));
}

#[test]
fn checking_functions_with_findings_is_linear() {
    let rules = builtin_rules(&[]);
    let functions = |n: usize| {
        let mut source = String::from("import asyncio\n");
        for i in 0..n {
            source.push_str(&format!("async def f{i}(): await asyncio.sleep(1)\n"));
        }
        (n, source)
    };
    assert_linear(
        "functions with a finding",
        15_000,
        functions,
        |(n, source)| check_finding(&rules, source, *n),
    );
}

/// `n` functions, each importing `asyncio` and calling `asyncio.sleep`.
fn functions_that_import(n: usize) -> String {
    let mut source = String::new();
    for i in 0..n {
        source.push_str(&format!(
            "\nasync def f{i}():\n    import asyncio\n    await asyncio.sleep(1)\n"
        ));
    }
    source
}

#[test]
fn checking_functions_that_import_is_linear() {
    let rules = builtin_rules(&[]);
    assert_linear(
        "functions importing what they use",
        6_000,
        |n| (n, functions_that_import(n)),
        |(n, source)| check_finding(&rules, source, *n),
    );
}

#[test]
fn fixing_functions_that_import_is_linear() {
    // Each function's `import asyncio` goes unused once its call is fixed, and is removed.
    let rules = builtin_rules(&[]);
    assert_linear(
        "fixing functions that import what they use",
        5_000,
        functions_that_import,
        |source| {
            let outcome = anyio_lint::fix(&rules, source, false);
            assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
            assert!(!outcome.text.contains("asyncio"));
        },
    );
}

#[test]
fn checking_lines_with_suppressions_is_linear() {
    let rules = builtin_rules(&[]);
    let statements = |n: usize| {
        let mut source = String::from("import asyncio\n");
        for _ in 0..n {
            source.push_str("\"\"\"A string\nover lines.\"\"\"\nasyncio.sleep(1)  # noqa: E501\n");
        }
        (n, source)
    };
    assert_linear(
        "findings on lines with suppressions",
        10_000,
        statements,
        |(n, source)| check_finding(&rules, source, *n),
    );
}

#[test]
fn checking_findings_on_one_line_is_linear() {
    let rules = builtin_rules(&[]);
    let line = |n: usize| {
        let calls = vec!["asyncio.sleep(1)"; n].join(", ");
        (n, format!("import asyncio\nwaits = [{calls}]\n"))
    };
    assert_linear("findings on one line", 8_000, line, |(n, source)| {
        check_finding(&rules, source, *n)
    });
}

#[test]
fn checking_fixes_with_fresh_names_is_linear() {
    let rules = builtin_rules(&[("anyio", "4.0")]);
    let functions = |n: usize| {
        let mut source = String::from("import asyncio\n");
        for i in 0..n {
            source.push_str(&format!(
                "\nasync def f{i}():\n    await asyncio.gather(a({i}), b({i}))\n"
            ));
        }
        (n, source)
    };
    assert_linear(
        "fixes naming a task group",
        8_000,
        functions,
        |(n, source)| check_finding(&rules, source, *n),
    );
}

/// A pack of `rules` rules, each with a flagged example (with its fix) and a clean one.
fn pack_of(rules: usize) -> String {
    let mut text = String::from(
        "[pack]\nname = \"many\"\nversion = \"0\"\ndescription = \"many rules\"\nprefix = \"M\"\n\
         modules = [\"lib\"]\n",
    );
    for i in 0..rules {
        text.push_str(&format!(
            r#"
[[rule]]
code = "M{i:05}"
name = "old-call-{i}"
message = "`lib.old{i}($X)` is renamed `lib.new{i}`"
explain = "Renamed."
match.pattern = "lib.old{i}($X)"
fix.template = "lib.new{i}($X)"
fix.applicability = "safe"

[[rule.example]]
flagged = "import lib\nlib.old{i}(1)\n"
fixed = "import lib\nlib.new{i}(1)\n"

[[rule.example]]
clean = "import lib\nlib.new{i}(1)\n"
"#
        ));
    }
    text
}

#[test]
fn testing_a_pack_is_linear_in_its_rules() {
    assert_linear(
        "examples of a pack's rules",
        500,
        |rules| (rules, pack_of(rules)),
        |(rules, text)| {
            let pack = anyio_lint::load_pack("many.toml", text)
                .unwrap_or_else(|e| panic!("{}", e.render(false)));
            let outcomes = test_packs(vec![pack]);
            assert_eq!(outcomes.len(), 2 * rules);
            assert!(outcomes.iter().all(|o| o.failure.is_none()));
        },
    );
}
