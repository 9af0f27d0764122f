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
    let each = |item: &Value| rebuild(&def.block, item, attr);
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

/// The configuration behind an engine proposal: attributes only the provider sets are null.
/// (An optional and computed attribute left unset keeps the proposal's value: unknown on
/// create, the prior value on update; providers treat both as "not asking for a change".)
pub fn config_of(block: &BlockDef, proposed: &Value) -> Value {
    rebuild(block, proposed, &|def, v| {
        if computed_only(def) {
            Value::Null
        } else {
            v
        }
    })
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
        let config = config_of(&block(), &proposed);
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
