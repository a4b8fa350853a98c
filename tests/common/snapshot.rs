//! Snapshot files (`tests/snapshots/`, written and diffed by insta), compared byte for byte.
//!
//! insta compares a text with its snapshot after trimming trailing whitespace and turning `\r\n`
//! into `\n`, and lets a changed text pass when `INSTA_UPDATE` (`always`, `force`, `unseen`) or
//! `INSTA_FORCE_PASS` says so. Here a snapshotted text must end in exactly one newline, after no
//! other whitespace, and hold no `\r`, so that its snapshot determines it byte for byte; the
//! comparison ignores nothing; and a text that is not the stored snapshot fails the test whatever
//! insta's settings, even when insta has just written it (review the file, then run again).

use std::path::{Path, PathBuf};

use insta::internals::SnapshotContents;
use insta::{Comparator, Settings, Snapshot};

/// Assert that the string `$value` is the snapshot `tests/snapshots/TEST__$name.snap`, where
/// `TEST` is the test file's name.
macro_rules! assert_exact_snapshot {
    ($name:expr, $value:expr $(,)?) => {{
        let check = $crate::common::snapshot::Check::new(module_path!(), $name, &$value);
        check
            .settings()
            .bind(|| insta::assert_snapshot!(check.name(), check.value()));
        check.finish();
    }};
}
pub(crate) use assert_exact_snapshot;

/// One snapshot assertion: the text, and the snapshot stored before insta ran.
pub struct Check {
    name: String,
    value: String,
    path: PathBuf,
    stored: Option<String>,
}

impl Check {
    /// Panics unless `value` ends in exactly one newline, after no other whitespace, with no `\r`.
    pub fn new(module: &str, name: &str, value: &str) -> Check {
        let body = value.strip_suffix('\n');
        assert!(
            body.is_some_and(|body| body.trim_end() == body && !body.contains('\r')),
            "a snapshotted text ends in exactly one newline, after no other whitespace, and \
             holds no \\r (assert the other texts inline): {value:?}"
        );
        let name = format!("{}__{name}", module.replace("::", "__"));
        let path = directory().join(format!("{name}.snap"));
        let stored = Snapshot::from_file(&path)
            .ok()
            .and_then(|snapshot| snapshot.contents().as_text().map(ToString::to_string));
        Check {
            name,
            value: value.to_owned(),
            path,
            stored,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    /// insta's settings for this assertion: the file name as given, the exact comparison.
    pub fn settings(&self) -> Settings {
        let mut settings = Settings::clone_current();
        settings.set_snapshot_path(directory());
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_comparator(Box::new(Exact));
        settings
    }

    /// Panics unless the snapshot stored before the assertion holds the text.
    pub fn finish(&self) {
        let body = &self.value[..self.value.len() - 1];
        assert!(
            self.stored.as_deref() == Some(body),
            "{}: the text is not the stored snapshot (or there was none), and insta's settings \
             (INSTA_UPDATE, INSTA_FORCE_PASS) let it pass: review the snapshot, then run the test \
             again",
            self.path.display()
        );
    }
}

fn directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Text snapshots match when their texts do, with none of insta's legacy leniency.
struct Exact;

impl Comparator for Exact {
    fn matches(&self, reference: &Snapshot, test: &Snapshot) -> bool {
        match (reference.contents(), test.contents()) {
            (SnapshotContents::Text(reference), SnapshotContents::Text(test)) => {
                reference.matches_latest(test)
            }
            _ => false,
        }
    }

    fn dyn_clone(&self) -> Box<dyn Comparator> {
        Box::new(Exact)
    }
}
