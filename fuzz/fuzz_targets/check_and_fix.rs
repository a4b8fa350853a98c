//! Arbitrary bytes (and mutations of real files, when the corpus directory is seeded with them)
//! through everything a file meets: decoding, check with every built-in rule (the opt-in ones too,
//! so control-flow conditions meet every shape of function), and the fix loop with
//! unsafe fixes, and the report of its findings in every output format. Nothing may panic, a file
//! that parsed must still parse after fixing, and a text that decodes must encode back to its bytes.
#![no_main]

use std::sync::{Arc, LazyLock};

use anyio_lint::{FileReport, Format};
use anyio_lint::{RuleSet, Selection};
use anyio_lint::SourceText;
use libfuzzer_sys::fuzz_target;

static RULES: LazyLock<RuleSet> = LazyLock::new(|| {
    let packs = anyio_lint::load_packs(true, &[]).expect("the built-in packs load");
    // Every rule by its code: opt-in rules run only when named.
    let selection = Selection {
        select: packs
            .iter()
            .flat_map(|pack| pack.rules.iter().map(|rule| rule.code.clone()))
            .collect(),
        ..Selection::default()
    };
    RuleSet::new(Arc::new(packs), &selection, &Default::default())
});

fuzz_target!(|bytes: &[u8]| {
    let Ok(source) = SourceText::decode(bytes.to_vec()) else {
        return;
    };
    assert_eq!(source.encode(&source.text), bytes, "decoding and encoding lost bytes");
    let parsed_before = anyio_lint::parse(&source.text).errors().is_empty();
    let found = anyio_lint::check(&RULES, &source.text, &[]);
    let report = FileReport {
        path: "fuzzed.py".to_owned(),
        absolute: "/fuzzed.py".to_owned(),
        source: Some(source.text.clone()),
        diagnostics: found.diagnostics,
        fixed: Default::default(),
        problems: Vec::new(),
        notes: found.notes,
    };
    for format in Format::all() {
        let _ = anyio_lint::render(*format, std::slice::from_ref(&report), true, false);
    }
    let outcome = anyio_lint::fix(&RULES, &source.text, true);
    let _ = source.encode(&outcome.text);
    if parsed_before {
        let after = anyio_lint::parse(&outcome.text);
        assert!(
            after.errors().is_empty(),
            "the fix broke a file that parsed:\n--- before\n{}\n--- after\n{}",
            source.text,
            outcome.text
        );
    }
});
