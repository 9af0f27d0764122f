//! Reading attributes out of plinth object values (configuration, plans, state) and building
//! state values. Readers ignore sensitive marks and treat unknown like null; [`State`] starts
//! from the prior object so attributes AWS does not return (`user_data`, a `timeouts` block)
//! survive a refresh.

use std::collections::BTreeMap;

use plinth_sdk::Value;

fn known<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object
        .get(name)
        .map(Value::unmarked)
        .filter(|v| !v.is_null() && !v.is_unknown())
}

/// A string attribute, None when null, unknown or empty.
pub fn string<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    known(object, name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A whole-number attribute.
pub fn integer(object: &Value, name: &str) -> Option<i64> {
    known(object, name).and_then(|v| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    })
}

/// A bool attribute, None when null or unknown.
pub fn boolean(object: &Value, name: &str) -> Option<bool> {
    known(object, name).and_then(Value::as_bool)
}

/// The strings of a list or set attribute; empty when null.
pub fn strings(object: &Value, name: &str) -> Vec<String> {
    known(object, name)
        .and_then(Value::as_list)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.unmarked().as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A map of strings (tags); empty when null.
pub fn string_map(object: &Value, name: &str) -> BTreeMap<String, String> {
    known(object, name)
        .and_then(Value::as_map)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| v.unmarked().as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The objects of a nested block (a list of objects, or one object for a single block).
pub fn blocks<'a>(object: &'a Value, name: &str) -> Vec<&'a Value> {
    match known(object, name) {
        Some(Value::List(items)) | Some(Value::Set(items)) => items.iter().collect(),
        Some(single @ Value::Map(_)) => vec![single],
        _ => Vec::new(),
    }
}

/// Whether the attribute differs between two objects.
pub fn changed(prior: &Value, planned: &Value, name: &str) -> bool {
    prior.get(name).map(Value::unmarked) != planned.get(name).map(Value::unmarked)
}

/// An optional string as a value (null when absent or empty).
pub fn opt(s: Option<&str>) -> Value {
    s.filter(|s| !s.is_empty()).map_or(Value::Null, Value::from)
}

/// A set of strings.
pub fn string_set<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value {
    Value::set(items.into_iter().map(|s| Value::String(s.into())).collect())
}

/// A map of strings.
pub fn map_value(map: &BTreeMap<String, String>) -> Value {
    Value::Map(
        map.iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}

/// A state value being built: the prior object's attributes, overwritten with what AWS says.
pub struct State(BTreeMap<String, Value>);

impl State {
    /// Starts from `prior` (the plan or the object as state has it).
    pub fn from(prior: &Value) -> State {
        State(prior.as_map().cloned().unwrap_or_default())
    }

    /// Sets an attribute.
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> &mut State {
        self.0.insert(name.to_string(), value.into());
        self
    }

    /// Every unknown left becomes null: state never holds unknowns.
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
    fn state_keeps_prior_attributes_and_drops_unknowns() {
        let prior = Value::object([
            ("user_data", Value::from("abc")),
            ("id", Value::Unknown),
            ("tags", Value::object([("Name", Value::from("web"))])),
        ]);
        let mut state = State::from(&prior);
        state.set("arn", "arn:aws:ec2:x");
        let built = state.build();
        assert_eq!(built.get("user_data"), Some(&Value::from("abc")));
        assert_eq!(built.get("id"), Some(&Value::Null));
        assert_eq!(string_map(&built, "tags")["Name"], "web");
        assert_eq!(string(&built, "arn"), Some("arn:aws:ec2:x"));
    }
}
