//! Values between plinth's engine and a plugin: the configuration a proposal implies, the
//! proposal in Terraform's shape, unknowns put back where the engine's final plan nulled them,
//! and attribute paths in plinth's form.

use std::collections::BTreeMap;

use plinth_sdk::{AttrPath, PathStep as SdkStep, Value};

use crate::codec::{AttributePath, PathStep};
use crate::{AttributeDef, BlockDef, BlockNesting, BlockTypeDef};

/// Whether only the provider sets this attribute.
fn computed_only(attr: &AttributeDef) -> bool {
    attr.computed && !attr.optional && !attr.required
}

/// Rebuilds an object of `block`'s shape, each attribute through `attr` and each nested block
/// through the same rebuild. Keys the schema does not know are dropped.
fn rebuild(block: &BlockDef, value: &Value, attr: &dyn Fn(&AttributeDef, Value) -> Value) -> Value {
    let Some(map) = value.unmarked().as_map() else {
        return value.clone();
    };
    let mut out = BTreeMap::new();
    for (name, def) in &block.attributes {
        let v = map.get(name).cloned().unwrap_or(Value::Null);
        out.insert(name.clone(), attr(def, v));
    }
    for (name, def) in &block.block_types {
        let v = map.get(name).cloned().unwrap_or(Value::Null);
        out.insert(name.clone(), rebuild_blocks(def, &v, attr));
    }
    let rebuilt = Value::Map(out);
    if value.is_sensitive() {
        rebuilt.mark_sensitive()
    } else {
        rebuilt
    }
}

fn rebuild_blocks(
    def: &BlockTypeDef,
    value: &Value,
    attr: &dyn Fn(&AttributeDef, Value) -> Value,
) -> Value {
    each_block(def, value, &|item| rebuild(&def.block, item, attr))
}

/// A nested block value with `each` applied to every block in it.
fn each_block(def: &BlockTypeDef, value: &Value, each: &dyn Fn(&Value) -> Value) -> Value {
    match (def.nesting, value.unmarked()) {
        (BlockNesting::Single | BlockNesting::Group, Value::Map(_)) => each(value),
        (BlockNesting::Map, Value::Map(items)) => {
            Value::Map(items.iter().map(|(k, v)| (k.clone(), each(v))).collect())
        }
        (_, Value::List(items)) => Value::List(items.iter().map(each).collect()),
        (_, Value::Set(items)) => Value::set(items.iter().map(each).collect()),
        _ => value.clone(),
    }
}

/// The configuration behind an engine proposal (the contract hands providers the proposal,
/// not the configuration). An attribute only the provider sets is null. An optional and
/// computed one is taken as not configured when the proposal only carries what the engine
/// filled in: unknown on create, the prior value on update. (A configured value equal to the
/// prior one, or still unknown on create, is therefore sent as null: the provider keeps or
/// computes it, and apply's final plan sees the known value.)
pub fn config_of(block: &BlockDef, proposed: &Value, prior: Option<&Value>) -> Value {
    let Some(map) = proposed.unmarked().as_map() else {
        return proposed.clone();
    };
    let prior_map = prior.and_then(|p| p.unmarked().as_map());
    let mut out = BTreeMap::new();
    for (name, def) in &block.attributes {
        let v = map.get(name).cloned().unwrap_or(Value::Null);
        let filled_in = def.computed
            && (computed_only(def)
                || match prior_map {
                    None => v.is_unknown(),
                    Some(p) => p.get(name).map(Value::unmarked) == Some(v.unmarked()),
                });
        out.insert(name.clone(), if filled_in { Value::Null } else { v });
    }
    for (name, def) in &block.block_types {
        let v = map.get(name).cloned().unwrap_or(Value::Null);
        let nested = |item: &Value| config_of(&def.block, item, None);
        out.insert(name.clone(), each_block(def, &v, &nested));
    }
    Value::Map(out)
}

/// The engine's proposal in Terraform's shape: an attribute only the provider sets is null
/// rather than unknown when nothing is known of it yet (the provider decides what is unknown).
pub fn proposed_for_plugin(block: &BlockDef, proposed: &Value) -> Value {
    rebuild(block, proposed, &|def, v| {
        if computed_only(def) && v.is_unknown() {
            Value::Null
        } else {
            v
        }
    })
}

/// A planned value for `ApplyResourceChange`: the engine turns what its plan left unknown into
/// null before apply; a computed attribute that is null goes back to unknown, so the provider
/// may set it.
pub fn planned_for_plugin(block: &BlockDef, planned: &Value) -> Value {
    rebuild(block, planned, &|def, v| {
        if def.computed && v.is_null() {
            Value::Unknown
        } else {
            v
        }
    })
}

/// A protocol attribute path in plinth's form.
pub fn to_attr_path(path: &AttributePath) -> AttrPath {
    AttrPath(
        path.0
            .iter()
            .map(|step| match step {
                PathStep::Attribute(name) => SdkStep::Attr(name.clone()),
                PathStep::Key(key) => SdkStep::Key(key.clone()),
                PathStep::Index(i) => SdkStep::Index((*i).max(0) as u64),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AttributeKind, CtyType, Description};

    fn attr(required: bool, optional: bool, computed: bool) -> AttributeDef {
        AttributeDef {
            kind: AttributeKind::Typed(CtyType::String),
            description: Description::default(),
            required,
            optional,
            computed,
            sensitive: false,
            deprecated: false,
            write_only: false,
        }
    }

    fn block() -> BlockDef {
        let mut b = BlockDef::default();
        b.attributes.insert("id".into(), attr(false, false, true));
        b.attributes.insert("name".into(), attr(true, false, false));
        b.attributes.insert("zone".into(), attr(false, true, true));
        b
    }

    #[test]
    fn computed_only_attributes_are_null_in_the_configuration() {
        let proposed = Value::object([
            ("id", Value::Unknown),
            ("name", Value::from("a")),
            ("zone", Value::from("z")),
            ("stray", Value::from("dropped")),
        ]);
        let config = config_of(&block(), &proposed, None);
        assert_eq!(
            config,
            Value::object([
                ("id", Value::Null),
                ("name", Value::from("a")),
                ("zone", Value::from("z")),
            ])
        );
        assert_eq!(proposed_for_plugin(&block(), &proposed), config);
    }

    #[test]
    fn optional_computed_attributes_the_engine_filled_in_are_not_configuration() {
        let create = Value::object([
            ("id", Value::Unknown),
            ("name", Value::from("a")),
            ("zone", Value::Unknown),
        ]);
        assert_eq!(
            config_of(&block(), &create, None).get("zone"),
            Some(&Value::Null)
        );
        let prior = Value::object([
            ("id", Value::from("i-1")),
            ("name", Value::from("a")),
            ("zone", Value::from("z1")),
        ]);
        let kept = Value::object([
            ("id", Value::from("i-1")),
            ("name", Value::from("b")),
            ("zone", Value::from("z1")),
        ]);
        let config = config_of(&block(), &kept, Some(&prior));
        assert_eq!(config.get("zone"), Some(&Value::Null));
        assert_eq!(config.get("name"), Some(&Value::from("b")));
        let moved = Value::object([("name", Value::from("a")), ("zone", Value::from("z2"))]);
        assert_eq!(
            config_of(&block(), &moved, Some(&prior)).get("zone"),
            Some(&Value::from("z2"))
        );
    }

    #[test]
    fn nulled_computed_attributes_are_unknown_again_for_apply() {
        let planned = Value::object([
            ("id", Value::Null),
            ("name", Value::from("a")),
            ("zone", Value::Null),
        ]);
        assert_eq!(
            planned_for_plugin(&block(), &planned),
            Value::object([
                ("id", Value::Unknown),
                ("name", Value::from("a")),
                ("zone", Value::Unknown),
            ])
        );
    }
}
