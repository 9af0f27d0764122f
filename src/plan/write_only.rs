//! Write-only attributes (Terraform 1.11+): sent to the provider on plan and apply, never kept.
//! Plans (and so plan files and their rendering) and state hold null in their place; apply
//! takes their values again from the configuration it evaluates.

use plinth_sdk::{Schema, Value};

/// `value` (an object of `schema`) with every write-only attribute null, those of nested
/// blocks included.
pub fn forget(schema: &Schema, value: Value) -> Value {
    if !has_write_only(schema) {
        return value;
    }
    match value {
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(name, v)| {
                    let v = if schema.attributes.get(&name).is_some_and(|a| a.write_only) {
                        Value::Null
                    } else if let Some(block) = schema.blocks.get(&name) {
                        forget_blocks(&block.schema, v)
                    } else {
                        v
                    };
                    (name, v)
                })
                .collect(),
        ),
        Value::Sensitive(inner) => forget(schema, *inner).mark_sensitive(),
        other => other,
    }
}

/// A value as state stores it: JSON, write-only attributes null.
pub fn stored_json(schema: &Schema, value: &Value) -> serde_json::Value {
    if has_write_only(schema) {
        forget(schema, value.clone()).to_json()
    } else {
        value.to_json()
    }
}

/// `planned` (an object of `schema`) with the write-only attributes configured in `config` put
/// back: what apply sends the provider (top-level attributes; a provider may have nulled them in
/// its plan, as Terraform's protocol asks).
pub fn restore(schema: &Schema, planned: Value, config: &Value) -> Value {
    match planned {
        Value::Map(mut map) => {
            for (name, _) in schema.attributes.iter().filter(|(_, a)| a.write_only) {
                if let Some(value) = config.get(name) {
                    map.insert(name.clone(), value.clone());
                }
            }
            Value::Map(map)
        }
        other => other,
    }
}

/// Each block of a nested block value (a list or set of objects, or one object).
fn forget_blocks(schema: &Schema, value: Value) -> Value {
    match value {
        Value::List(items) => Value::List(items.into_iter().map(|i| forget(schema, i)).collect()),
        Value::Set(items) => Value::set(items.into_iter().map(|i| forget(schema, i)).collect()),
        other => forget(schema, other),
    }
}

/// Whether the schema or one of its nested blocks has a write-only attribute.
pub fn has_write_only(schema: &Schema) -> bool {
    schema.attributes.values().any(|a| a.write_only)
        || schema.blocks.values().any(|b| has_write_only(&b.schema))
}
