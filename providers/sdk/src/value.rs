//! `Value`: the dynamic value every expression, attribute and state entry is made of.
//!
//! Besides the JSON-like kinds it has `Unknown` ("known after apply") and `Sensitive`, a mark
//! wrapped around any value that must be redacted in every human and JSON output. Unknowns and
//! marks propagate through operators and functions (the evaluator strips marks from arguments and
//! re-marks the result). Maps and objects share one kind, ordered by key as Terraform orders them;
//! sets are lists kept sorted and free of duplicates.

use std::collections::BTreeMap;
use std::fmt;

/// A dynamic value.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// The absence of a value.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// Every number is a 64-bit float; integers print without a fraction.
    Number(f64),
    /// A UTF-8 string.
    String(String),
    /// A list or tuple.
    List(Vec<Value>),
    /// A set: sorted, no duplicates (see [`Value::set`]).
    Set(Vec<Value>),
    /// A map or object, ordered by key.
    Map(BTreeMap<String, Value>),
    /// A value that is only known after apply.
    Unknown,
    /// A sensitive value: redacted in every output.
    Sensitive(Box<Value>),
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A set made from arbitrary elements: sorted and deduplicated.
    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort_by_cached_key(Value::sort_key);
        items.dedup();
        Value::Set(items)
    }

    /// An object from `(key, value)` pairs.
    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Marks this value sensitive (idempotent).
    pub fn mark_sensitive(self) -> Value {
        match self {
            Value::Sensitive(_) => self,
            other => Value::Sensitive(Box::new(other)),
        }
    }

    /// Whether the value itself (not a nested element) carries the sensitive mark.
    pub fn is_sensitive(&self) -> bool {
        matches!(self, Value::Sensitive(_))
    }

    /// Whether the value or anything nested in it is sensitive.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(items) | Value::Set(items) => items.iter().any(Value::contains_sensitive),
            Value::Map(map) => map.values().any(Value::contains_sensitive),
            _ => false,
        }
    }

    /// The value without its top-level sensitive mark.
    pub fn unmarked(&self) -> &Value {
        match self {
            Value::Sensitive(inner) => inner.unmarked(),
            other => other,
        }
    }

    /// Removes every sensitive mark, deeply. Returns the value and whether any mark was found.
    pub fn unmark_deep(self) -> (Value, bool) {
        match self {
            Value::Sensitive(inner) => (inner.unmark_deep().0, true),
            Value::List(items) => {
                let (items, marked) = unmark_all(items);
                (Value::List(items), marked)
            }
            Value::Set(items) => {
                let (items, marked) = unmark_all(items);
                (Value::Set(items), marked)
            }
            Value::Map(map) => {
                let mut marked = false;
                let map = map
                    .into_iter()
                    .map(|(k, v)| {
                        let (v, m) = v.unmark_deep();
                        marked |= m;
                        (k, v)
                    })
                    .collect();
                (Value::Map(map), marked)
            }
            other => (other, false),
        }
    }

    /// Whether this value (ignoring marks) is `Unknown`.
    pub fn is_unknown(&self) -> bool {
        matches!(self.unmarked(), Value::Unknown)
    }

    /// Whether the value or anything nested in it is unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::Sensitive(inner) => inner.contains_unknown(),
            Value::List(items) | Value::Set(items) => items.iter().any(Value::contains_unknown),
            Value::Map(map) => map.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    /// Whether this value (ignoring marks) is `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self.unmarked(), Value::Null)
    }

    /// The string inside, ignoring marks.
    pub fn as_str(&self) -> Option<&str> {
        match self.unmarked() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number inside, ignoring marks.
    pub fn as_f64(&self) -> Option<f64> {
        match self.unmarked() {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The bool inside, ignoring marks.
    pub fn as_bool(&self) -> Option<bool> {
        match self.unmarked() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements of a list or set, ignoring marks.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self.unmarked() {
            Value::List(items) | Value::Set(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of a map or object, ignoring marks.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unmarked() {
            Value::Map(map) => Some(map),
            _ => None,
        }
    }

    /// Attribute `name` of an object (None when absent or not an object).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(name))
    }

    /// A short name of the value's kind, for error messages ("string", "list", ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "object",
            Value::Unknown => "unknown",
            Value::Sensitive(inner) => inner.type_name(),
        }
    }

    /// A key giving sets and `sort` a total order: by kind, then by content.
    pub fn sort_key(&self) -> String {
        match self.unmarked() {
            Value::String(s) => format!("s{s}"),
            Value::Number(n) => format!("n{:030.10}", n),
            Value::Bool(b) => format!("b{b}"),
            other => format!("j{}", other.to_json()),
        }
    }

    /// Converts to plain JSON. Marks are dropped; `Unknown` becomes null (callers that must never
    /// see one check [`Value::contains_unknown`] first). Sets become arrays.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null | Value::Unknown => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) | Value::Set(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Map(map) => serde_json::Value::Object(
                map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
            ),
            Value::Sensitive(inner) => inner.to_json(),
        }
    }

    /// Converts from plain JSON (objects become maps, arrays lists).
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => {
                Value::List(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Converts to a JSON form that keeps unknowns and sensitive marks, for plan files:
    /// `{"$unknown": true}`, `{"$sensitive": v}`, `{"$set": [...]}`.
    pub fn to_wire(&self) -> serde_json::Value {
        match self {
            Value::Unknown => serde_json::json!({ "$unknown": true }),
            Value::Sensitive(inner) => serde_json::json!({ "$sensitive": inner.to_wire() }),
            Value::Set(items) => {
                serde_json::json!({ "$set": items.iter().map(Value::to_wire).collect::<Vec<_>>() })
            }
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_wire).collect())
            }
            Value::Map(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    out.insert(k.clone(), v.to_wire());
                }
                if map.len() == 1 && map.keys().next().is_some_and(|k| k.starts_with('$')) {
                    return serde_json::json!({ "$map": out });
                }
                serde_json::Value::Object(out)
            }
            other => other.to_json(),
        }
    }

    /// Reverses [`Value::to_wire`].
    pub fn from_wire(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Array(items) => {
                Value::List(items.iter().map(Value::from_wire).collect())
            }
            serde_json::Value::Object(map) if map.len() == 1 => {
                let (key, inner) = map.iter().next().expect("one entry");
                match key.as_str() {
                    "$unknown" => Value::Unknown,
                    "$sensitive" => Value::Sensitive(Box::new(Value::from_wire(inner))),
                    "$set" => Value::Set(
                        inner
                            .as_array()
                            .map(|a| a.iter().map(Value::from_wire).collect())
                            .unwrap_or_default(),
                    ),
                    "$map" => Value::Map(
                        inner
                            .as_object()
                            .map(|m| {
                                m.iter()
                                    .map(|(k, v)| (k.clone(), Value::from_wire(v)))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    ),
                    _ => Value::Map(
                        map.iter()
                            .map(|(k, v)| (k.clone(), Value::from_wire(v)))
                            .collect(),
                    ),
                }
            }
            serde_json::Value::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_wire(v)))
                    .collect(),
            ),
            other => Value::from_json(other),
        }
    }
}

fn unmark_all(items: Vec<Value>) -> (Vec<Value>, bool) {
    let mut marked = false;
    let items = items
        .into_iter()
        .map(|v| {
            let (v, m) = v.unmark_deep();
            marked |= m;
            v
        })
        .collect();
    (items, marked)
}

/// JSON for a number: integral values as integers, others as floats.
pub(crate) fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Formats a number the way Terraform prints it: integers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl fmt::Display for Value {
    /// Renders as HCL-ish literal text; sensitive values print `(sensitive value)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{}", format_number(*n)),
            Value::String(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
            Value::List(items) | Value::Set(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                write!(f, "]")
            }
            Value::Map(map) => {
                write!(f, "{{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                write!(f, "}}")
            }
            Value::Unknown => write!(f, "(known after apply)"),
            Value::Sensitive(_) => write!(f, "(sensitive value)"),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_round_trip_keeps_unknown_sensitive_and_sets() {
        let v = Value::object([
            ("a", Value::Unknown),
            ("b", Value::string("x").mark_sensitive()),
            (
                "c",
                Value::set(vec![Value::from("z"), Value::from("y"), Value::from("z")]),
            ),
            ("d", Value::object([("$weird", Value::from(1i64))])),
        ]);
        assert_eq!(Value::from_wire(&v.to_wire()), v);
    }

    #[test]
    fn sets_are_sorted_and_deduplicated() {
        let s = Value::set(vec![Value::from("b"), Value::from("a"), Value::from("b")]);
        assert_eq!(s, Value::Set(vec![Value::from("a"), Value::from("b")]));
    }

    #[test]
    fn numbers_print_like_terraform() {
        assert_eq!(Value::from(3i64).to_string(), "3");
        assert_eq!(Value::from(1.5).to_string(), "1.5");
    }

    #[test]
    fn unmark_deep_reports_marks() {
        let v = Value::List(vec![Value::from("a").mark_sensitive()]);
        let (plain, marked) = v.unmark_deep();
        assert!(marked);
        assert_eq!(plain, Value::List(vec![Value::from("a")]));
    }
}
