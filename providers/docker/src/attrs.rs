//! Reading attributes out of plinth `Value` objects and writing computed ones back.
//!
//! Every reader ignores sensitive marks and treats unknown like null, so a value that reached the
//! provider with either still reads sensibly; writers keep the rest of the object (and its marks).

use std::collections::{BTreeMap, HashMap};

use plinth_sdk::{Diagnostic, Diagnostics, Intent, Value};

/// The label every object plinth creates carries.
pub const MANAGED_LABEL: &str = "plinth.managed";
/// The label holding the object's configured name.
pub const NAME_LABEL: &str = "plinth.name";
/// The label holding the resource instance address the object was created for.
pub const ADDRESS_LABEL: &str = "plinth.address";
/// The label holding the workspace the object was created in.
pub const WORKSPACE_LABEL: &str = "plinth.workspace";
/// The label carrying the token of the create that made an object, so an interrupted create is
/// found again (`adopt`).
pub const INTENT_LABEL: &str = "plinth.intent";

fn known<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object.get(name).filter(|v| !v.is_null() && !v.is_unknown())
}

/// A string attribute, None when null or unknown.
pub fn string<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    known(object, name).and_then(Value::as_str)
}

/// A non-empty string attribute.
pub fn non_empty<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    string(object, name).filter(|s| !s.is_empty())
}

/// A required string attribute, or an error naming it.
pub fn required<'a>(object: &'a Value, name: &str) -> Result<&'a str, Diagnostics> {
    non_empty(object, name)
        .ok_or_else(|| Diagnostic::error(format!("attribute \"{name}\" is required")).into())
}

/// A bool attribute, `default` when null.
pub fn boolean(object: &Value, name: &str, default: bool) -> bool {
    known(object, name)
        .and_then(Value::as_bool)
        .unwrap_or(default)
}

/// A whole-number attribute, None when null.
pub fn integer(object: &Value, name: &str) -> Option<i64> {
    known(object, name)
        .and_then(Value::as_f64)
        .map(|n| n as i64)
}

/// A list (or set) of strings, None when null.
pub fn strings(object: &Value, name: &str) -> Option<Vec<String>> {
    let items = known(object, name)?.as_list()?;
    Some(
        items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    )
}

/// A map of strings (empty when null).
pub fn string_map(object: &Value, name: &str) -> HashMap<String, String> {
    known(object, name)
        .and_then(Value::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The objects of a nested block: a list or set of objects, or one object (single nesting).
pub fn blocks<'a>(object: &'a Value, name: &str) -> Vec<&'a Value> {
    match known(object, name).map(Value::unmarked) {
        Some(Value::List(items)) | Some(Value::Set(items)) => {
            items.iter().filter(|v| v.as_map().is_some()).collect()
        }
        Some(single @ Value::Map(_)) => vec![single],
        _ => Vec::new(),
    }
}

/// The labels plinth puts on an object: the `labels { label value }` blocks, plus
/// `plinth.managed=true`, `plinth.name=<name>`, the address and workspace it belongs to, and the
/// token of the create that makes it.
pub fn labels(object: &Value, name: Option<&str>, intent: &Intent) -> HashMap<String, String> {
    let mut labels: HashMap<String, String> = blocks(object, "labels")
        .into_iter()
        .filter_map(|b| {
            Some((
                string(b, "label")?.to_string(),
                string(b, "value")?.to_string(),
            ))
        })
        .collect();
    labels.insert(MANAGED_LABEL.to_string(), "true".to_string());
    if let Some(name) = name {
        labels.insert(NAME_LABEL.to_string(), name.to_string());
    }
    if !intent.address.is_empty() {
        labels.insert(ADDRESS_LABEL.to_string(), intent.address.clone());
    }
    if !intent.workspace.is_empty() {
        labels.insert(WORKSPACE_LABEL.to_string(), intent.workspace.clone());
    }
    if !intent.token.is_empty() {
        labels.insert(INTENT_LABEL.to_string(), intent.token.clone());
    }
    labels
}

/// The object with the given attributes set (replacing what was there).
pub fn with(object: Value, pairs: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    let mut map: BTreeMap<String, Value> = match object.unmark_top() {
        Value::Map(map) => map,
        _ => BTreeMap::new(),
    };
    for (k, v) in pairs {
        map.insert(k.to_string(), v);
    }
    Value::Map(map)
}

/// The object with every unknown attribute (top level) turned into null.
pub fn unknowns_to_null(object: Value) -> Value {
    match object.unmark_top() {
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| {
                    if v.is_unknown() {
                        (k, Value::Null)
                    } else {
                        (k, v)
                    }
                })
                .collect(),
        ),
        other => other,
    }
}

/// A string value, null when empty.
pub fn string_or_null(s: Option<&str>) -> Value {
    match s {
        Some(s) if !s.is_empty() => Value::string(s),
        _ => Value::Null,
    }
}

trait UnmarkTop {
    fn unmark_top(self) -> Value;
}

impl UnmarkTop for Value {
    fn unmark_top(self) -> Value {
        match self {
            Value::Sensitive(inner) => inner.unmark_top(),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_ignore_marks_and_unknowns() {
        let v = Value::object([
            ("a", Value::from("x").mark_sensitive()),
            ("b", Value::Unknown),
            ("n", Value::from(3i64)),
            (
                "l",
                Value::set(vec![Value::from("p"), Value::from("q").mark_sensitive()]),
            ),
        ]);
        assert_eq!(string(&v, "a"), Some("x"));
        assert_eq!(string(&v, "b"), None);
        assert_eq!(integer(&v, "n"), Some(3));
        assert_eq!(
            strings(&v, "l"),
            Some(vec!["p".to_string(), "q".to_string()])
        );
        assert!(required(&v, "b").is_err());
    }

    #[test]
    fn labels_merge_user_blocks_with_plinth_labels() {
        let v = Value::object([(
            "labels",
            Value::set(vec![Value::object([
                ("label", Value::from("team")),
                ("value", Value::from("chat")),
            ])]),
        )]);
        let intent = Intent::new("docker_container.api[0]", "default");
        let labels = labels(&v, Some("api"), &intent);
        assert_eq!(
            labels.get(INTENT_LABEL).map(String::as_str),
            Some(intent.token.as_str())
        );
        assert_eq!(
            labels.get(ADDRESS_LABEL).map(String::as_str),
            Some("docker_container.api[0]")
        );
        assert_eq!(
            labels.get(WORKSPACE_LABEL).map(String::as_str),
            Some("default")
        );
        assert_eq!(labels.get("team").map(String::as_str), Some("chat"));
        assert_eq!(labels.get(MANAGED_LABEL).map(String::as_str), Some("true"));
        assert_eq!(labels.get(NAME_LABEL).map(String::as_str), Some("api"));
    }

    #[test]
    fn single_blocks_read_as_one_object() {
        let v = Value::object([(
            "healthcheck",
            Value::object([("retries", Value::from(2i64))]),
        )]);
        assert_eq!(blocks(&v, "healthcheck").len(), 1);
        assert!(blocks(&v, "missing").is_empty());
    }
}
