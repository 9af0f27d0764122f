//! Where values of different types meet: the type Terraform sees for a value, and the one type
//! several types unify to (a conditional's two results, the elements of `tolist`/`toset`/
//! `tomap`, a `lookup` default), as Terraform's unsafe unification decides it.
//!
//! `Value` does not record whether a sequence is a list or a tuple, nor whether a mapping is a
//! map or an object, so [`type_of`] reads them structurally (tuple, object), as Terraform types
//! literals; sets keep their kind. Nulls and unknowns are of any type.

use std::collections::{BTreeMap, BTreeSet};

use crate::{ObjectAttr, Type, Value};

/// The type of a value: primitives as they are, sequences as tuples, mappings as objects,
/// sets as sets of their unified element type; null and unknown as `any`.
pub fn type_of(value: &Value) -> Type {
    match value {
        Value::Null | Value::Unknown => Type::Any,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::Tuple(items.iter().map(type_of).collect()),
        Value::Set(items) => {
            let types: Vec<Type> = items.iter().map(type_of).collect();
            Type::set(unify(&types).unwrap_or(Type::Any))
        }
        Value::Map(map) => Type::Object(
            map.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        ObjectAttr {
                            ty: type_of(v),
                            optional: false,
                            default: None,
                        },
                    )
                })
                .collect(),
        ),
        Value::Sensitive(inner) => type_of(inner),
    }
}

/// The one type all `types` convert to, as Terraform unifies them (allowing conversions that
/// may fail for some values, such as string to number); None when there is none.
pub fn unify(types: &[Type]) -> Option<Type> {
    let Some(first) = types.first() else {
        return Some(Type::Any);
    };
    if types.iter().all(|t| t == first) {
        return Some(first.clone());
    }
    let count = |pred: fn(&Type) -> bool| types.iter().filter(|t| pred(t)).count();
    let dynamic = count(|t| *t == Type::Any);
    let maps = count(|t| matches!(t, Type::Map(_)));
    let lists = count(|t| matches!(t, Type::List(_)));
    let sets = count(|t| matches!(t, Type::Set(_)));
    let objects = count(|t| matches!(t, Type::Object(_)));
    let tuples = count(|t| matches!(t, Type::Tuple(_)));
    let all = types.len();
    let concrete: Vec<&Type> = types.iter().filter(|t| **t != Type::Any).collect();
    if maps + objects > 0 && maps + objects + dynamic == all {
        if maps > 0 || !same_attribute_names(&concrete) {
            return unify_elements(&concrete).map(Type::map);
        }
        return unify_objects(&concrete);
    }
    if lists + tuples > 0 && lists + tuples + dynamic == all {
        if lists > 0 || !same_lengths(&concrete) {
            return unify_elements(&concrete).map(Type::list);
        }
        return unify_tuples(&concrete);
    }
    if sets > 0 && sets + dynamic == all {
        return unify_elements(&concrete).map(Type::set);
    }
    if objects > 0 && tuples > 0 {
        return None;
    }
    // Otherwise the first type, in order of preference, that every other converts to.
    let mut candidates: Vec<&Type> = concrete.clone();
    candidates.sort_by_key(|t| preference(t));
    candidates
        .into_iter()
        .find(|want| concrete.iter().all(|t| converts(t, want)))
        .cloned()
}

/// Why two conditional results cannot be unified, in Terraform's words.
pub fn describe_mismatch(true_type: &Type, false_type: &Type) -> String {
    match (true_type, false_type) {
        (Type::Object(t), Type::Object(f)) => {
            if let Some(name) = t.keys().find(|k| !f.contains_key(*k)) {
                return format!("The 'true' value includes object attribute {name:?}, which is absent in the 'false' value.");
            }
            if let Some(name) = f.keys().find(|k| !t.contains_key(*k)) {
                return format!("The 'false' value includes object attribute {name:?}, which is absent in the 'true' value.");
            }
            for (name, attr) in t {
                let other = &f[name].ty;
                if unify(&[attr.ty.clone(), other.clone()]).is_none() {
                    return format!(
                        "Type mismatch for object attribute {name:?}: {}",
                        describe_mismatch(&attr.ty, other)
                    );
                }
            }
            default_mismatch(true_type, false_type)
        }
        (Type::Tuple(t), Type::Tuple(f)) => {
            if t.len() != f.len() {
                return format!(
                    "The 'true' tuple has length {}, but the 'false' tuple has length {}.",
                    t.len(),
                    f.len()
                );
            }
            for (i, (a, b)) in t.iter().zip(f).enumerate() {
                if unify(&[a.clone(), b.clone()]).is_none() {
                    return format!(
                        "Type mismatch for tuple element {i}: {}",
                        describe_mismatch(a, b)
                    );
                }
            }
            default_mismatch(true_type, false_type)
        }
        _ => default_mismatch(true_type, false_type),
    }
}

fn default_mismatch(true_type: &Type, false_type: &Type) -> String {
    format!(
        "The 'true' value is {}, but the 'false' value is {}.",
        friendly_name(true_type),
        friendly_name(false_type)
    )
}

/// A type's name in messages: `string`, `list of number`, `tuple`, `object`.
pub fn friendly_name(ty: &Type) -> String {
    match ty {
        Type::Any => "dynamic".to_string(),
        Type::Bool => "bool".to_string(),
        Type::Number => "number".to_string(),
        Type::String => "string".to_string(),
        Type::List(e) => format!("list of {}", friendly_name(e)),
        Type::Set(e) => format!("set of {}", friendly_name(e)),
        Type::Map(e) => format!("map of {}", friendly_name(e)),
        Type::Object(_) => "object".to_string(),
        Type::Tuple(_) => "tuple".to_string(),
    }
}

fn same_attribute_names(types: &[&Type]) -> bool {
    let names = |t: &Type| match t {
        Type::Object(attrs) => Some(attrs.keys().cloned().collect::<BTreeSet<_>>()),
        _ => None,
    };
    let first = types.first().and_then(|t| names(t));
    types.iter().all(|t| names(t) == first)
}

fn same_lengths(types: &[&Type]) -> bool {
    let len = |t: &Type| match t {
        Type::Tuple(items) => Some(items.len()),
        _ => None,
    };
    let first = types.first().and_then(|t| len(t));
    types.iter().all(|t| len(t) == first)
}

/// Unifies every element type of collections and every attribute or element of structural
/// types into one.
fn unify_elements(types: &[&Type]) -> Option<Type> {
    let mut elements = Vec::new();
    for ty in types {
        match ty {
            Type::List(e) | Type::Set(e) | Type::Map(e) => elements.push((**e).clone()),
            Type::Tuple(items) => elements.extend(items.iter().cloned()),
            Type::Object(attrs) => elements.extend(attrs.values().map(|a| a.ty.clone())),
            _ => return None,
        }
    }
    unify(&elements)
}

fn unify_objects(types: &[&Type]) -> Option<Type> {
    let Some(Type::Object(first)) = types.first() else {
        return None;
    };
    let mut attrs = BTreeMap::new();
    for name in first.keys() {
        let attr_types: Vec<Type> = types
            .iter()
            .filter_map(|t| match t {
                Type::Object(a) => a.get(name).map(|a| a.ty.clone()),
                _ => None,
            })
            .collect();
        let ty = unify(&attr_types)?;
        attrs.insert(
            name.clone(),
            ObjectAttr {
                ty,
                optional: false,
                default: None,
            },
        );
    }
    Some(Type::Object(attrs))
}

fn unify_tuples(types: &[&Type]) -> Option<Type> {
    let Some(Type::Tuple(first)) = types.first() else {
        return None;
    };
    let mut elements = Vec::with_capacity(first.len());
    for i in 0..first.len() {
        let at: Vec<Type> = types
            .iter()
            .filter_map(|t| match t {
                Type::Tuple(items) => items.get(i).cloned(),
                _ => None,
            })
            .collect();
        elements.push(unify(&at)?);
    }
    Some(Type::Tuple(elements))
}

/// Lower is preferred as a unification target: strings (everything primitive converts to
/// them), then the other primitives, then collections and structures.
fn preference(ty: &Type) -> u8 {
    match ty {
        Type::String => 0,
        Type::Number => 1,
        Type::Bool => 2,
        Type::List(_) | Type::Set(_) | Type::Map(_) => 3,
        Type::Tuple(_) | Type::Object(_) => 4,
        Type::Any => 5,
    }
}

/// Whether a value of type `from` may convert to `to` (some values may still fail).
fn converts(from: &Type, to: &Type) -> bool {
    if from == to || *from == Type::Any || *to == Type::Any {
        return true;
    }
    match (from, to) {
        (Type::Number | Type::Bool, Type::String) => true,
        (Type::String, Type::Number | Type::Bool) => true,
        (Type::List(a) | Type::Set(a), Type::List(b) | Type::Set(b)) => converts(a, b),
        (Type::Tuple(items), Type::List(b) | Type::Set(b)) => items.iter().all(|i| converts(i, b)),
        (Type::Map(a), Type::Map(b)) => converts(a, b),
        (Type::Object(attrs), Type::Map(b)) => attrs.values().all(|a| converts(&a.ty, b)),
        (Type::Tuple(a), Type::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| converts(x, y))
        }
        (Type::Object(a), Type::Object(b)) => b
            .iter()
            .all(|(name, want)| a.get(name).is_some_and(|have| converts(&have.ty, &want.ty))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_unify_to_string() {
        assert_eq!(unify(&[Type::Number, Type::String]), Some(Type::String));
        assert_eq!(unify(&[Type::Bool, Type::String]), Some(Type::String));
        assert_eq!(unify(&[Type::Bool, Type::Number]), None);
        assert_eq!(unify(&[Type::Any, Type::Number]), Some(Type::Number));
    }

    #[test]
    fn structures_unify_element_by_element_or_as_collections() {
        let tuple = |ts: Vec<Type>| Type::Tuple(ts);
        assert_eq!(
            unify(&[
                tuple(vec![Type::Number]),
                tuple(vec![Type::String, Type::String])
            ]),
            Some(Type::list(Type::String))
        );
        assert_eq!(
            unify(&[
                type_of(&Value::object([("a", Value::from(1i64))])),
                type_of(&Value::object([("b", Value::from("x"))]))
            ]),
            Some(Type::map(Type::String))
        );
        assert_eq!(unify(&[Type::String, tuple(vec![Type::Number])]), None);
    }

    #[test]
    fn mismatches_are_described_like_terraform() {
        let a = type_of(&Value::object([("a", Value::from(1i64))]));
        let b = type_of(&Value::object([("b", Value::List(vec![]))]));
        assert_eq!(
            describe_mismatch(&a, &b),
            "The 'true' value includes object attribute \"a\", which is absent in the 'false' value."
        );
        assert_eq!(
            describe_mismatch(&Type::String, &Type::Tuple(vec![])),
            "The 'true' value is string, but the 'false' value is tuple."
        );
    }
}
