//! Reading attributes out of plinth object values (configuration, plans, state) and building
//! state values out of DigitalOcean's JSON. Readers ignore sensitive marks and treat unknown like
//! null; [`State`] starts from the prior object so attributes DigitalOcean does not return
//! (`user_data`, `resize_disk`, a `timeouts` block) survive a refresh.

use std::collections::BTreeMap;

use plinth_sdk::Value;
use serde_json::Value as Json;

fn known<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object.get(name).filter(|v| !v.is_null() && !v.is_unknown())
}

/// A string attribute, None when null, unknown or empty.
pub fn string<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    known(object, name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A whole-number attribute (a number, or a string of digits as ids are written).
pub fn integer(object: &Value, name: &str) -> Option<u64> {
    known(object, name).and_then(as_integer)
}

/// A value read as a whole number: a number, or a string of digits.
pub fn as_integer(value: &Value) -> Option<u64> {
    match (value.as_f64(), value.as_str()) {
        (Some(n), _) if n >= 0.0 && n.fract() == 0.0 => Some(n as u64),
        (_, Some(s)) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A scalar as text (numbers without a fraction when whole), None for other kinds.
pub fn as_text(value: &Value) -> Option<String> {
    if let Some(s) = value.as_str() {
        return Some(s.to_string());
    }
    if let Some(b) = value.as_bool() {
        return Some(b.to_string());
    }
    value.as_f64().map(|n| {
        if n.fract() == 0.0 && n.abs() < 9.0e15 {
            format!("{}", n as i64)
        } else {
            n.to_string()
        }
    })
}

/// A bool attribute, `default` when null or unknown.
pub fn boolean(object: &Value, name: &str, default: bool) -> bool {
    known(object, name)
        .and_then(Value::as_bool)
        .unwrap_or(default)
}

/// The strings of a list or set attribute (numbers written as strings); empty when null.
pub fn strings(object: &Value, name: &str) -> Vec<String> {
    known(object, name)
        .and_then(Value::as_list)
        .map(|items| {
            items
                .iter()
                .filter(|v| v.as_bool().is_none())
                .filter_map(as_text)
                .collect()
        })
        .unwrap_or_default()
}

/// The whole numbers of a list or set attribute; empty when null.
pub fn integers(object: &Value, name: &str) -> Vec<u64> {
    known(object, name)
        .and_then(Value::as_list)
        .map(|items| items.iter().filter_map(as_integer).collect())
        .unwrap_or_default()
}

/// The objects of a nested block (a list of objects, or one object for a single block).
pub fn blocks<'a>(object: &'a Value, name: &str) -> Vec<&'a Value> {
    match known(object, name).map(Value::unmarked) {
        Some(Value::List(items)) | Some(Value::Set(items)) => items.iter().collect(),
        Some(single @ Value::Map(_)) => vec![single],
        _ => Vec::new(),
    }
}

/// Whether the attribute differs between two objects (both read as they are).
pub fn changed(prior: &Value, planned: &Value, name: &str) -> bool {
    prior.get(name).map(Value::unmarked) != planned.get(name).map(Value::unmarked)
}

/// A JSON string field as a value (null when absent).
pub fn json_string(json: &Json, name: &str) -> Value {
    match json.get(name) {
        Some(Json::String(s)) => Value::from(s.as_str()),
        Some(Json::Number(n)) => Value::from(n.to_string()),
        _ => Value::Null,
    }
}

/// A JSON number field as a value (null when absent).
pub fn json_number(json: &Json, name: &str) -> Value {
    // Read from the number's text, as state reads it back: through an f64, 0.01786 would become
    // its binary neighbour and differ from the stored value on every refresh.
    json.get(name)
        .filter(|v| v.is_number())
        .map_or(Value::Null, Value::from_json)
}

/// A JSON bool field as a value (`false` when absent).
pub fn json_bool(json: &Json, name: &str) -> Value {
    Value::Bool(json.get(name).and_then(Json::as_bool).unwrap_or(false))
}

/// A JSON array of strings as a set value (empty when absent).
pub fn json_string_set(json: &Json, name: &str) -> Value {
    Value::set(
        json.get(name)
            .and_then(Json::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Json::as_str)
                    .map(Value::from)
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// A JSON array of numbers as a set value (empty when absent).
pub fn json_number_set(json: &Json, name: &str) -> Value {
    Value::set(
        json.get(name)
            .and_then(Json::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter(|v| v.is_number())
                    .map(Value::from_json)
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// A set of whole numbers.
pub fn number_set(items: impl IntoIterator<Item = u64>) -> Value {
    Value::set(items.into_iter().map(|n| Value::from(n as f64)).collect())
}

/// A set of strings.
pub fn string_set(items: impl IntoIterator<Item = String>) -> Value {
    Value::set(items.into_iter().map(Value::String).collect())
}

/// The id DigitalOcean gave an object (`id` as a number or string), as plinth's string id.
pub fn json_id(json: &Json) -> Option<String> {
    match json.get("id")? {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A state value being built: the prior object's attributes, overwritten with what
/// DigitalOcean says.
pub struct State(BTreeMap<String, Value>);

impl State {
    /// Starts from `prior` (the configuration or the object as state has it).
    pub fn from(prior: &Value) -> State {
        State(prior.as_map().cloned().unwrap_or_default())
    }

    /// Sets an attribute.
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> &mut State {
        self.0.insert(name.to_string(), value.into());
        self
    }

    /// Sets an optional collection; an empty one stays null when it was null (left out of the
    /// configuration), so leaving it out and DigitalOcean answering `[]` agree.
    pub fn set_collection(&mut self, name: &str, value: Value) -> &mut State {
        let empty = value.as_list().is_some_and(<[Value]>::is_empty);
        let was_null = self.0.get(name).is_none_or(Value::is_null);
        if !(empty && was_null) {
            self.0.insert(name.to_string(), value);
        }
        self
    }

    /// Sets an attribute only when it is null or unknown now (a computed default).
    pub fn fill(&mut self, name: &str, value: impl Into<Value>) -> &mut State {
        let current = self.0.get(name);
        if current.is_none_or(|v| v.is_null() || v.is_unknown()) {
            self.0.insert(name.to_string(), value.into());
        }
        self
    }

    /// Every unknown left (a computed attribute DigitalOcean did not fill) becomes null: state
    /// never holds unknowns.
    pub fn build(self) -> Value {
        Value::Map(
            self.0
                .into_iter()
                .map(|(k, v)| (k, without_unknowns(v)))
                .collect(),
        )
    }
}

fn without_unknowns(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::List(items) => Value::List(items.into_iter().map(without_unknowns).collect()),
        Value::Set(items) => Value::Set(items.into_iter().map(without_unknowns).collect()),
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| (k, without_unknowns(v)))
                .collect(),
        ),
        Value::Sensitive(inner) => without_unknowns(*inner).mark_sensitive(),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_prices_read_back_equal_to_what_state_stores() {
        let answer: Json = serde_json::from_str(r#"{"price_hourly": 0.01786}"#).unwrap();
        let read = json_number(&answer, "price_hourly");
        let stored =
            Value::from_json(&serde_json::from_str::<Json>(&read.to_json().to_string()).unwrap());
        assert_eq!(
            read, stored,
            "a refresh sees no drift in an unchanged price"
        );
    }

    #[test]
    fn ids_read_as_numbers_or_strings() {
        let v = Value::object([
            ("a", Value::from("300000001")),
            ("b", Value::from(7i64)),
            ("c", Value::Unknown),
            (
                "list",
                Value::List(vec![Value::from("1"), Value::from(2i64)]),
            ),
        ]);
        assert_eq!(integer(&v, "a"), Some(300_000_001));
        assert_eq!(integer(&v, "b"), Some(7));
        assert_eq!(integer(&v, "c"), None);
        assert_eq!(integers(&v, "list"), vec![1, 2]);
        assert_eq!(strings(&v, "list"), vec!["1", "2"]);
    }

    #[test]
    fn state_keeps_prior_attributes_and_drops_unknowns() {
        let prior = Value::object([
            ("user_data", Value::from("#!/bin/sh")),
            ("id", Value::Unknown),
            ("size", Value::from("s-1vcpu-1gb")),
        ]);
        let mut state = State::from(&prior);
        state.set("size", "s-2vcpu-2gb").fill("user_data", "other");
        let built = state.build();
        assert_eq!(built.get("user_data"), Some(&Value::from("#!/bin/sh")));
        assert_eq!(built.get("size"), Some(&Value::from("s-2vcpu-2gb")));
        assert_eq!(built.get("id"), Some(&Value::Null));
    }
}
