//! Values on the wire: plinth [`Value`]s encoded as the protocol's `DynamicValue` (msgpack, or
//! JSON in some answers) against a [`CtyType`], and sensitive marks kept on plinth's side.
//!
//! plinth's values carry no type, so encoding needs the schema's type: objects get every
//! attribute of their type (null when absent), sets and lists become arrays, and a value in a
//! `dynamic` slot is sent as `[type JSON, value]` with its type inferred from its shape (lists
//! as tuples, maps as objects). Unknown is msgpack extension 0; refined unknowns (extension 12)
//! from newer providers decode as plain unknown. Numbers are `f64` in plinth: integers go out as
//! msgpack integers, others as float64; big numbers a provider sends as decimal strings are
//! parsed (losing digits beyond `f64`).

mod json;
mod marks;
mod msgpack;
mod path;

use plinth_sdk::Value;

pub use marks::{apply_marks, strip_marks};
pub use path::{AttributePath, PathStep};

use crate::CtyType;

/// A value that does not fit its type, or bytes that are not a value of it.
#[derive(Debug, thiserror::Error)]
#[error("{reason} at {path}")]
pub struct ValueError {
    /// Where in the value.
    pub path: AttributePath,
    /// What is wrong.
    pub reason: String,
}

impl ValueError {
    fn new(path: &AttributePath, reason: impl Into<String>) -> ValueError {
        ValueError {
            path: path.clone(),
            reason: reason.into(),
        }
    }
}

/// Encodes a value of type `ty` as msgpack. Sensitive marks are ignored (strip them first with
/// [`strip_marks`] to know where they were).
pub fn encode_msgpack(value: &Value, ty: &CtyType) -> Result<Vec<u8>, ValueError> {
    msgpack::encode(value, ty)
}

/// Decodes msgpack bytes holding a value of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &CtyType) -> Result<Value, ValueError> {
    msgpack::decode(bytes, ty)
}

/// Decodes JSON bytes holding a value of type `ty` (JSON cannot carry unknowns).
pub fn decode_json(bytes: &[u8], ty: &CtyType) -> Result<Value, ValueError> {
    json::decode(bytes, ty)
}

/// Decodes a `DynamicValue`: msgpack when present, else JSON; both empty is null (a provider
/// that leaves the field unset says "no value").
pub fn decode_dynamic(msgpack: &[u8], json: &[u8], ty: &CtyType) -> Result<Value, ValueError> {
    if !msgpack.is_empty() {
        decode_msgpack(msgpack, ty)
    } else if !json.is_empty() {
        decode_json(json, ty)
    } else {
        Ok(Value::Null)
    }
}

/// The cty type plinth infers for a value sent in a `dynamic` slot.
pub fn infer_type(value: &Value, path: &AttributePath) -> Result<CtyType, ValueError> {
    Ok(match value {
        Value::Null | Value::Unknown => CtyType::Dynamic,
        Value::Bool(_) => CtyType::Bool,
        Value::Number(_) => CtyType::Number,
        Value::String(_) => CtyType::String,
        Value::Sensitive(inner) => infer_type(inner, path)?,
        Value::List(items) => CtyType::Tuple(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| infer_type(v, &path.join(PathStep::Index(i as i64))))
                .collect::<Result<_, _>>()?,
        ),
        Value::Set(items) => {
            let mut elem = CtyType::Dynamic;
            for (i, item) in items.iter().enumerate() {
                let t = infer_type(item, &path.join(PathStep::Index(i as i64)))?;
                if elem == CtyType::Dynamic {
                    elem = t;
                } else if t != CtyType::Dynamic && t != elem {
                    return Err(ValueError::new(
                        path,
                        format!("set elements of different types ({elem} and {t})"),
                    ));
                }
            }
            CtyType::set(elem)
        }
        Value::Map(map) => CtyType::object(
            map.iter()
                .map(|(k, v)| {
                    Ok((
                        k.clone(),
                        infer_type(v, &path.join(PathStep::Attribute(k.clone())))?,
                    ))
                })
                .collect::<Result<Vec<_>, ValueError>>()?,
        ),
    })
}
