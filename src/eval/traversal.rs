//! Applying traversal steps (`.attr`, `[index]`, `.0`, `.*`, `[*]`) to a value, by reference,
//! cloning only what the traversal selects.

use plinth_sdk::Value;

use super::EvalError;

/// One traversal step with its index already evaluated.
#[derive(Debug)]
pub(super) enum Step<'e> {
    /// `.name`
    Attr(&'e str),
    /// `[key]` or the legacy `.0`.
    Index(Value),
    /// `.*`: the following attribute steps apply to each element.
    AttrSplat,
    /// `[*]`: every following step applies to each element.
    FullSplat,
}

/// Applies `steps` to `value`. Unknown anywhere on the way gives Unknown; passing through a
/// sensitive value marks the result.
pub(super) fn navigate(value: &Value, steps: &[Step]) -> Result<Value, EvalError> {
    let mut current = value;
    let mut marked = false;
    let mut index = 0;
    while index < steps.len() {
        if let Value::Sensitive(inner) = current {
            marked = true;
            current = inner;
            continue;
        }
        if matches!(current, Value::Unknown) {
            return Ok(mark(Value::Unknown, marked));
        }
        match &steps[index] {
            Step::Attr(name) => current = get_attr(current, name)?,
            Step::Index(key) => {
                let (key, key_marked) = match key {
                    Value::Sensitive(inner) => (inner.unmarked(), true),
                    other => (other, false),
                };
                if matches!(key, Value::Unknown) {
                    return Ok(mark(Value::Unknown, marked || key_marked));
                }
                marked |= key_marked;
                current = get_index(current, key)?;
            }
            Step::AttrSplat | Step::FullSplat => {
                let per_element_end = match steps[index] {
                    Step::AttrSplat => {
                        let attrs = steps[index + 1..]
                            .iter()
                            .take_while(|s| matches!(s, Step::Attr(_)))
                            .count();
                        index + 1 + attrs
                    }
                    _ => steps.len(),
                };
                let per_element = &steps[index + 1..per_element_end];
                let splatted = splat(current, per_element)?;
                let rest = navigate(&splatted, &steps[per_element_end..])?;
                return Ok(mark(rest, marked));
            }
        }
        index += 1;
    }
    Ok(mark(current.clone(), marked))
}

fn splat(value: &Value, per_element: &[Step]) -> Result<Value, EvalError> {
    match value {
        Value::Null => Ok(Value::List(Vec::new())),
        Value::List(items) | Value::Set(items) => items
            .iter()
            .map(|item| navigate(item, per_element))
            .collect::<Result<_, _>>()
            .map(Value::List),
        single => Ok(Value::List(vec![navigate(single, per_element)?])),
    }
}

/// Marks `value` sensitive when `marked`.
pub(super) fn mark(value: Value, marked: bool) -> Value {
    if marked {
        value.mark_sensitive()
    } else {
        value
    }
}

fn get_attr<'v>(value: &'v Value, name: &str) -> Result<&'v Value, EvalError> {
    match value {
        Value::Map(map) => map.get(name).ok_or_else(|| {
            EvalError::new("Unsupported attribute", format!("This object does not have an attribute named \"{name}\"."))
        }),
        Value::Null => Err(EvalError::new(
            "Attempt to get attribute from null value",
            "This value is null, so it does not have any attributes.",
        )),
        Value::List(_) | Value::Set(_) => Err(EvalError::new(
            "Unsupported attribute",
            format!(
                "Can't access attributes on a {} of objects. Did you mean to access attribute \"{name}\" for a \
                 specific element of the {0}, or across all elements of the {0}?",
                value.type_name()
            ),
        )),
        other => Err(EvalError::new(
            "Unsupported attribute",
            format!("Can't access attributes on a primitive-typed value ({}).", other.type_name()),
        )),
    }
}

fn get_index<'v>(value: &'v Value, key: &Value) -> Result<&'v Value, EvalError> {
    let missing = || {
        EvalError::new(
            "Invalid index",
            "The given key does not identify an element in this collection value.",
        )
    };
    match value {
        Value::List(items) => {
            let position = match key {
                Value::Number(n) => Some(n.clone()),
                Value::String(s) => plinth_sdk::Number::parse(s),
                _ => None,
            };
            let Some(position) = position else {
                return Err(EvalError::new("Invalid index", "The given key does not identify an element in this collection value: a number is required."));
            };
            if !position.is_integer() {
                return Err(EvalError::new(
                    "Invalid index",
                    "The given key does not identify an element in this collection value: indexing a sequence requires a whole number, but the given index has a fractional part.",
                ));
            }
            if position.is_negative() {
                return Err(EvalError::new(
                    "Invalid index",
                    "The given key does not identify an element in this collection value: a negative number is not a valid index for a sequence.",
                ));
            }
            if items.is_empty() {
                return Err(EvalError::new(
                    "Invalid index",
                    "The given key does not identify an element in this collection value: the collection has no elements.",
                ));
            }
            let position = position.as_i64().and_then(|p| usize::try_from(p).ok());
            position.and_then(|p| items.get(p)).ok_or_else(|| {
                EvalError::new(
                    "Invalid index",
                    "The given key does not identify an element in this collection value: the given index is greater \
                     than or equal to the length of the collection.",
                )
            })
        }
        Value::Map(map) => {
            let name = match key {
                Value::String(s) => s.clone(),
                Value::Number(n) => {
                    return map.get(&n.to_string()).ok_or_else(|| {
                        EvalError::new(
                            "Invalid index",
                            "The given key does not identify an element in this collection value. An object only supports looking up attributes by name, not by numeric index.",
                        )
                    })
                }
                Value::Bool(b) => b.to_string(),
                _ => return Err(EvalError::new("Invalid index", "The given key does not identify an element in this collection value: a string is required.")),
            };
            map.get(&name).ok_or_else(missing)
        }
        Value::Set(_) => Err(EvalError::new(
            "Invalid index",
            "Elements of a set are identified only by their value and don't have any separate index or key to \
             select with, so it's only possible to perform operations across all elements of the set.",
        )),
        Value::Null => Err(EvalError::new("Attempt to index null value", "This value is null, so it does not have any indices.")),
        _ => Err(EvalError::new("Invalid index", "This value does not have any indices.")),
    }
}
