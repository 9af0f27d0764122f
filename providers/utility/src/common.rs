//! What the utility providers share: an empty provider block, reading typed attributes from an
//! object value, and answers for types whose objects live in state only.

use std::collections::BTreeMap;

use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Configure, Context, Diagnostic, Diagnostics, ReadManyResponse, ReadResult, Schema,
    Type, Value,
};

/// A provider block with nothing to configure.
pub struct NoConfiguration;

#[async_trait]
impl Configure<()> for NoConfiguration {
    fn schema(&self) -> Schema {
        Schema::new()
    }

    async fn configure(&self, _: &Context, _: Value) -> Result<(), Diagnostics> {
        Ok(())
    }
}

/// The entries of an object value (empty when it is not one).
pub fn entries(value: Value) -> BTreeMap<String, Value> {
    match value {
        Value::Map(map) => map,
        Value::Sensitive(inner) => entries(*inner),
        _ => BTreeMap::new(),
    }
}

/// A string attribute, when set.
pub fn string(object: &BTreeMap<String, Value>, name: &str) -> Option<String> {
    object.get(name).and_then(Value::as_str).map(String::from)
}

/// A whole-number attribute, when set.
pub fn int(object: &BTreeMap<String, Value>, name: &str) -> Option<i64> {
    object.get(name).and_then(Value::as_i64)
}

/// A bool attribute, or `default` when unset.
pub fn flag(object: &BTreeMap<String, Value>, name: &str, default: bool) -> bool {
    object.get(name).and_then(Value::as_bool).unwrap_or(default)
}

/// Whether any attribute among `names` is still unknown.
pub fn any_unknown(object: &BTreeMap<String, Value>, names: &[&str]) -> bool {
    names
        .iter()
        .any(|n| object.get(*n).is_some_and(Value::contains_unknown))
}

/// Every object found as stored: for types that exist in state only.
pub fn all_found(objects: Vec<Value>) -> ReadManyResponse {
    ReadManyResponse {
        results: objects.into_iter().map(ReadResult::Found).collect(),
        diagnostics: Diagnostics::new(),
    }
}

/// The `keepers` attribute of the random types (and `triggers` of others): arbitrary strings
/// whose change replaces the object.
pub fn keepers(description: &str) -> Attribute {
    Attribute::optional(Type::Map(Box::new(Type::String)))
        .force_new()
        .describe(description)
}

/// An error about one attribute's value.
pub fn invalid(attribute: &str, detail: impl Into<String>) -> Diagnostics {
    Diagnostic::error(format!("Invalid value for \"{attribute}\""))
        .with_detail(detail)
        .with_attribute(plinth_sdk::AttrPath::attr(attribute))
        .into()
}

/// A list-of-strings attribute (empty when unset).
pub fn strings(object: &BTreeMap<String, Value>, name: &str) -> Vec<String> {
    object
        .get(name)
        .and_then(Value::as_list)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// A map-of-strings attribute (empty when unset).
pub fn string_map(object: &BTreeMap<String, Value>, name: &str) -> BTreeMap<String, String> {
    object
        .get(name)
        .and_then(Value::as_map)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The first object of a nested block (a list of objects, or one object), when present.
pub fn first_block(
    object: &BTreeMap<String, Value>,
    name: &str,
) -> Option<BTreeMap<String, Value>> {
    match object.get(name).map(Value::unmarked) {
        Some(Value::List(items)) | Some(Value::Set(items)) => items.first().cloned().map(entries),
        Some(Value::Map(map)) => Some(map.clone()),
        _ => None,
    }
}
