//! `Value`: the dynamic value every expression, attribute and state entry is made of.
//!
//! Besides the JSON-like kinds it has `Unknown` ("known after apply") and `Sensitive`, a mark
//! wrapped around any value that must be redacted in every human and JSON output. Unknowns and
//! marks propagate through operators and functions (the evaluator strips marks from arguments and
//! re-marks the result). Maps and objects share one kind, ordered by key as Terraform orders them;
//! sets are lists kept sorted and free of duplicates.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use crate::Number;

/// A dynamic value.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// The absence of a value.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number of arbitrary precision (see [`Number`]).
    Number(Number),
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

    /// A number from an integer.
    pub fn int(n: i64) -> Value {
        Value::Number(Number::from_i64(n))
    }

    /// A number from a float64; NaN, which no number can be, gives null.
    pub fn float(n: f64) -> Value {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }

    /// A set made from arbitrary elements: sorted and deduplicated.
    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort_by(Value::set_order);
        items.dedup();
        Value::Set(items)
    }

    /// The order of set elements and `sort`: by kind (bools, numbers, strings, then the rest),
    /// numbers by value, strings by bytes, other values by their JSON text.
    pub fn set_order(a: &Value, b: &Value) -> Ordering {
        let rank = |v: &Value| match v {
            Value::Bool(_) => 0,
            Value::Number(_) => 1,
            Value::String(_) => 2,
            _ => 3,
        };
        let (a, b) = (a.unmarked(), b.unmarked());
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.cmp(y),
            (Value::String(x), Value::String(y)) => x.cmp(y),
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            _ => rank(a)
                .cmp(&rank(b))
                .then_with(|| a.to_json().to_string().cmp(&b.to_json().to_string())),
        }
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

    /// The number inside, ignoring marks, as the nearest float64.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().map(Number::as_f64)
    }

    /// The number inside, ignoring marks, when it is a whole number that fits an i64.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number inside, ignoring marks.
    pub fn as_number(&self) -> Option<&Number> {
        match self.unmarked() {
            Value::Number(n) => Some(n),
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

    /// Converts to plain JSON. Marks are dropped; `Unknown` becomes null (callers that must never
    /// see one check [`Value::contains_unknown`] first). Sets become arrays.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null | Value::Unknown => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(n),
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
            serde_json::Value::Number(n) => number_from_json(n),
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

/// JSON for a number, every digit kept (as Terraform writes numbers in state); infinities,
/// which JSON cannot hold, become null.
fn number_to_json(n: &Number) -> serde_json::Value {
    if let Some(i) = n.as_i64() {
        return serde_json::Value::from(i);
    }
    if n.is_infinite() {
        return serde_json::Value::Null;
    }
    n.to_string()
        .parse::<serde_json::Number>()
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

/// A JSON number read at full precision (512 bits, as Terraform reads numbers from JSON).
fn number_from_json(n: &serde_json::Number) -> Value {
    let parsed = match n.as_i64() {
        Some(i) => Some(Number::with_prec(i, crate::number::TEXT_PRECISION)),
        None => Number::parse(&n.to_string()),
    };
    parsed.map_or(Value::Null, Value::Number)
}

/// Formats a number the way Terraform prints it (see [`Number`]'s `Display`).
pub fn format_number(n: &Number) -> String {
    n.to_string()
}

impl fmt::Display for Value {
    /// Renders as HCL-ish literal text; sensitive values print `(sensitive value)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
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
    /// A number (null for NaN, which no number can be).
    fn from(n: f64) -> Value {
        Value::float(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::int(n)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
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

    /// A 60-digit integer lost its last digits in a JSON round trip (state, plan files) when
    /// numbers were float64.
    #[test]
    fn big_integers_survive_a_json_round_trip() {
        let digits = "123456789012345678901234567890123456789012345678901234567890";
        let big = Value::Number(Number::parse(digits).unwrap());
        let text = serde_json::to_string(&big.to_json()).unwrap();
        assert_eq!(text, digits);
        let back = Value::from_json(&serde_json::from_str(&text).unwrap());
        assert_eq!(back, big);
        assert_eq!(back.to_string(), digits);
        let fraction = Value::Number(Number::parse("0.1").unwrap());
        assert_eq!(Value::from_json(&fraction.to_json()), fraction);
    }

    #[test]
    fn number_accessors_are_exact() {
        assert_eq!(Value::from(7i64).as_i64(), Some(7));
        assert_eq!(Value::from(7.5).as_i64(), None);
        assert_eq!(Value::from(7.5).as_f64(), Some(7.5));
        assert_eq!(Value::from(f64::NAN), Value::Null);
    }

    #[test]
    fn sets_order_numbers_by_value() {
        let s = Value::set(vec![
            Value::from(10i64),
            Value::from(-2i64),
            Value::from(3i64),
        ]);
        assert_eq!(
            s,
            Value::Set(vec![
                Value::from(-2i64),
                Value::from(3i64),
                Value::from(10i64)
            ])
        );
    }

    #[test]
    fn unmark_deep_reports_marks() {
        let v = Value::List(vec![Value::from("a").mark_sensitive()]);
        let (plain, marked) = v.unmark_deep();
        assert!(marked);
        assert_eq!(plain, Value::List(vec![Value::from("a")]));
    }
}
