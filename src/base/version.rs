//! Version numbers and requirement specifiers (`>=4.15`, `>=3.11,<4`, `==4.*`).
//!
//! Used for the `requires` of a rule and the `versions` of a project. Only release segments are
//! compared; pre-release and local suffixes (`4.15.0rc1`, `+local`) are ignored.

use std::cmp::Ordering;
use std::fmt;

/// A release version such as `4.15` or `3.11.7`; missing segments are zero (`4.15` == `4.15.0`).
#[derive(Debug, Clone)]
pub struct Version(Vec<u64>);

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim().trim_start_matches('v');
        let release = text
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()
            .unwrap_or_default();
        let parts: Option<Vec<u64>> = release
            .split('.')
            .filter(|p| !p.is_empty())
            .map(|p| p.parse().ok())
            .collect();
        parts.filter(|p| !p.is_empty()).map(Version)
    }

    fn segment(&self, index: usize) -> u64 {
        self.0.get(index).copied().unwrap_or(0)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.0.len().max(other.0.len());
        (0..len)
            .map(|i| self.segment(i).cmp(&other.segment(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
    Ne,
    Compatible,
}

/// A comma-separated list of comparisons, all of which must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSpec {
    text: String,
    clauses: Vec<(Op, Version, bool)>,
}

impl VersionSpec {
    pub fn parse(text: &str) -> Result<VersionSpec, String> {
        let mut clauses = Vec::new();
        for clause in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let (op, rest) = [
                (">=", Op::Ge),
                ("<=", Op::Le),
                ("==", Op::Eq),
                ("!=", Op::Ne),
                ("~=", Op::Compatible),
                (">", Op::Gt),
                ("<", Op::Lt),
            ]
            .iter()
            .find_map(|(prefix, op)| clause.strip_prefix(prefix).map(|rest| (*op, rest.trim())))
            .ok_or_else(|| {
                format!("`{clause}` is not a version comparison: write e.g. `>=4.15` or `<4.14`")
            })?;
            let wildcard = rest.ends_with(".*");
            let version = Version::parse(rest.trim_end_matches(".*"))
                .ok_or_else(|| format!("`{rest}` is not a version number"))?;
            clauses.push((op, version, wildcard));
        }
        if clauses.is_empty() {
            return Err("empty version requirement".to_owned());
        }
        Ok(VersionSpec {
            text: text.trim().to_owned(),
            clauses,
        })
    }

    pub fn contains(&self, version: &Version) -> bool {
        self.clauses.iter().all(|(op, bound, wildcard)| {
            let prefix_eq = || {
                bound
                    .0
                    .iter()
                    .enumerate()
                    .all(|(i, s)| version.segment(i) == *s)
            };
            match op {
                Op::Ge => version >= bound,
                Op::Gt => version > bound,
                Op::Le => version <= bound,
                Op::Lt => version < bound,
                Op::Eq if *wildcard => prefix_eq(),
                Op::Eq => version == bound,
                Op::Ne if *wildcard => !prefix_eq(),
                Op::Ne => version != bound,
                Op::Compatible => {
                    let keep = bound.0.len().saturating_sub(1).max(1);
                    version >= bound && (0..keep).all(|i| version.segment(i) == bound.segment(i))
                }
            }
        })
    }

    /// Whether the spec allows versions newer than any released one (it has no upper bound).
    pub fn contains_newest(&self) -> bool {
        self.clauses
            .iter()
            .all(|(op, _, _)| matches!(op, Op::Ge | Op::Gt | Op::Ne))
    }

    /// The smallest version the spec's lower bounds allow, if it has one (`>=3.11` → 3.11).
    pub fn lower_bound(&self) -> Option<Version> {
        self.clauses
            .iter()
            .filter(|(op, _, _)| matches!(op, Op::Ge | Op::Gt | Op::Eq | Op::Compatible))
            .map(|(_, v, _)| v.clone())
            .max()
    }
}

impl fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_satisfies_lower_bounds_only() {
        let spec = |text: &str| VersionSpec::parse(text).unwrap();
        assert!(spec(">=4.15").contains_newest());
        assert!(spec(">4, !=4.3").contains_newest());
        assert!(!spec("<4.14").contains_newest());
        assert!(!spec(">=4, <5").contains_newest());
        assert!(!spec("~=4.2").contains_newest());
        assert!(!spec("==4.*").contains_newest());
    }

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn compares_release_segments() {
        assert!(v("4.15") > v("4.14.9"));
        assert_eq!(v("4.15"), v("4.15.0"));
        assert_eq!(v("4.16.0rc1"), v("4.16.0"));
    }

    #[test]
    fn specs_hold_for_all_clauses() {
        let spec = VersionSpec::parse(">=4.14, <5").unwrap();
        assert!(spec.contains(&v("4.14")));
        assert!(spec.contains(&v("4.16.0")));
        assert!(!spec.contains(&v("4.13")));
        assert!(!spec.contains(&v("5.0")));
        assert!(VersionSpec::parse("==4.*").unwrap().contains(&v("4.2")));
        assert!(VersionSpec::parse("~=4.11").unwrap().contains(&v("4.16")));
        assert!(!VersionSpec::parse("~=4.11").unwrap().contains(&v("5.0")));
        assert_eq!(
            VersionSpec::parse(">=3.10,<4").unwrap().lower_bound(),
            Some(v("3.10"))
        );
        assert!(VersionSpec::parse("4.15").is_err());
    }
}
