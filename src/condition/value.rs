//! TOML values of the rule language, each with the byte range it was written at.
//!
//! Conditions nest (`match.ARGS.not.has = { kind = "Keyword" }`), and a mistake deep inside one
//! must point at its own line. [`Value`] reads any TOML value and keeps the span of every leaf,
//! array and inline or headed table; a table made only by dotted keys (`match.ARGS.kind = …`)
//! has no span of its own, and [`Value::span`] then gives its first spanned descendant's.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A TOML value and where it was written.
#[derive(Debug, Clone)]
pub struct Value {
    span: Option<Range<usize>>,
    pub kind: Kind,
}

/// What a [`Value`] holds.
#[derive(Debug, Clone)]
pub enum Kind {
    String(String),
    Bool(bool),
    Integer(i64),
    Float,
    Array(Vec<Value>),
    /// A table, its keys in the order written.
    Table(Vec<(String, Value)>),
}

impl Value {
    /// Where the value was written: its own span, else (a table made by dotted keys) the span of
    /// its first descendant that has one.
    pub fn span(&self) -> Option<Range<usize>> {
        if let Some(span) = &self.span {
            return Some(span.clone());
        }
        match &self.kind {
            Kind::Array(items) => items.iter().find_map(Value::span),
            Kind::Table(entries) => entries.iter().find_map(|(_, value)| value.span()),
            _ => None,
        }
    }

    /// What kind of value this is, in words, for errors.
    pub fn describe(&self) -> &'static str {
        match self.kind {
            Kind::String(_) => "a string",
            Kind::Bool(_) => "a boolean",
            Kind::Integer(_) => "an integer",
            Kind::Float => "a float",
            Kind::Array(_) => "an array",
            Kind::Table(_) => "a table",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            Kind::Bool(value) => Some(value),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_table(&self) -> Option<&[(String, Value)]> {
        match &self.kind {
            Kind::Table(entries) => Some(entries),
            _ => None,
        }
    }
}

// The `toml` crate hands a value's span to a type that asks for it by the private struct name
// its `Spanned` wrapper uses; it answers with a map of three fields. A table made by dotted keys
// has no span, and the crate then hands over the plain table instead, which the visitor tells
// apart by its first key.
const SPANNED: &str = "$__serde_spanned_private_Spanned";
const START: &str = "$__serde_spanned_private_start";
const END: &str = "$__serde_spanned_private_end";
const VALUE: &str = "$__serde_spanned_private_value";

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_struct(SPANNED, &[START, END, VALUE], SpannedVisitor)
    }
}

struct SpannedVisitor;

impl<'de> Visitor<'de> for SpannedVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a TOML value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Ok(Value {
                span: None,
                kind: Kind::Table(Vec::new()),
            });
        };
        if first == START {
            let start: usize = map.next_value()?;
            let mut end = start;
            let mut kind = None;
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    END => end = map.next_value()?,
                    _ => kind = Some(map.next_value::<KindOf>()?.0),
                }
            }
            let kind = kind.ok_or_else(|| de::Error::missing_field("value"))?;
            return Ok(Value {
                span: Some(start..end),
                kind,
            });
        }
        let mut entries = vec![(first, map.next_value::<Value>()?)];
        while let Some(key) = map.next_key::<String>()? {
            entries.push((key, map.next_value::<Value>()?));
        }
        Ok(Value {
            span: None,
            kind: Kind::Table(entries),
        })
    }
}

/// The value inside the span.
struct KindOf(Kind);

impl<'de> Deserialize<'de> for KindOf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<KindOf, D::Error> {
        deserializer.deserialize_any(KindVisitor).map(KindOf)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a TOML value")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Kind, E> {
        Ok(Kind::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Kind, E> {
        Ok(Kind::String(value))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Kind, E> {
        Ok(Kind::Integer(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Kind, E> {
        i64::try_from(value)
            .map(Kind::Integer)
            .map_err(|_| E::custom("integer out of range"))
    }

    fn visit_f64<E: de::Error>(self, _value: f64) -> Result<Kind, E> {
        Ok(Kind::Float)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Kind::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            entries.push((key, map.next_value::<Value>()?));
        }
        Ok(Kind::Table(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Holder {
        rule: Vec<Entry>,
    }

    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(rename = "match")]
        condition: Value,
    }

    #[test]
    fn leaves_and_tables_keep_their_spans_dotted_tables_borrow_one() {
        let text = "[[rule]]\nmatch.pattern = \"x\"\nmatch.D.not.has = { kind = 'K' }\n\
                    [[rule]]\n[rule.match]\npattern = ['a', 'b']\n";
        let holder: Holder = toml::from_str(text).expect("valid");
        let first = &holder.rule[0].condition;
        let entries = first.as_table().expect("a table");
        assert_eq!(entries[0].0, "pattern");
        assert_eq!(&text[entries[0].1.span().unwrap()], "\"x\"");
        // `D` and `D.not` are made by dotted keys: they borrow the inline table's span.
        assert_eq!(&text[entries[1].1.span().unwrap()], "{ kind = 'K' }");
        let second = holder.rule[1].condition.as_table().expect("a table");
        let Kind::Array(items) = &second[0].1.kind else {
            panic!("an array")
        };
        assert_eq!(&text[items[1].span().unwrap()], "'b'");
    }
}
