//! Upgrading objects stored by an older schema version: attributes added since (nested blocks
//! included) take their documented defaults, so an object stored before an upgrade of plinth
//! plans as a no-op rather than as a change to every new attribute.

use plinth_sdk::{Schema, Value};

/// `stored` with every absent or null attribute that has a default set to it.
pub fn fill(schema: &Schema, stored: Value) -> Value {
    let Value::Map(mut map) = stored else {
        return stored;
    };
    for (name, attribute) in &schema.attributes {
        let missing = map.get(name).is_none_or(Value::is_null);
        if let (true, Some(default)) = (missing, &attribute.default) {
            map.insert(name.clone(), default.clone());
        }
    }
    for (name, block) in &schema.blocks {
        let Some(value) = map.remove(name) else {
            continue;
        };
        let filled = match value {
            Value::List(items) => Value::List(fill_all(&block.schema, items)),
            Value::Set(items) => Value::set(fill_all(&block.schema, items)),
            single @ Value::Map(_) => fill(&block.schema, single),
            other => other,
        };
        map.insert(name.clone(), filled);
    }
    Value::Map(map)
}

fn fill_all(schema: &Schema, items: Vec<Value>) -> Vec<Value> {
    items.into_iter().map(|i| fill(schema, i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_sdk::{Attribute, NestedBlock, Type};

    #[test]
    fn new_attributes_take_their_defaults_and_set_values_stay() {
        let schema = Schema::new()
            .attr("start", Attribute::optional(Type::Bool).default(true))
            .attr("restart", Attribute::optional(Type::String).default("no"))
            .attr("memory", Attribute::optional(Type::Number))
            .block(
                "healthcheck",
                NestedBlock::single(Schema::new().attr(
                    "start_interval",
                    Attribute::optional(Type::String).default("0s"),
                )),
            );
        let stored = Value::object([
            ("restart", Value::from("always")),
            ("healthcheck", Value::object([("test", Value::from("x"))])),
        ]);
        let upgraded = fill(&schema, stored);
        assert_eq!(upgraded.get("start"), Some(&Value::Bool(true)));
        assert_eq!(upgraded.get("restart"), Some(&Value::from("always")));
        assert_eq!(upgraded.get("memory"), None);
        assert_eq!(
            upgraded
                .get("healthcheck")
                .and_then(|h| h.get("start_interval")),
            Some(&Value::from("0s"))
        );
    }
}
