//! JSON decoding of values against a cty type (some providers answer in JSON; it has no
//! unknowns, and a value in a `dynamic` slot is `{"value": ..., "type": ...}`).

use std::collections::BTreeMap;

use plinth_sdk::{Number, Value};
use serde_json::Value as Json;

use super::{AttributePath, PathStep, ValueError};
use crate::CtyType;

pub(super) fn decode(bytes: &[u8], ty: &CtyType) -> Result<Value, ValueError> {
    let root = AttributePath::root();
    let json: Json = serde_json::from_slice(bytes)
        .map_err(|e| ValueError::new(&root, format!("invalid JSON: {e}")))?;
    read(&json, ty, &root)
}

fn read(json: &Json, ty: &CtyType, path: &AttributePath) -> Result<Value, ValueError> {
    if json.is_null() {
        return Ok(Value::Null);
    }
    let mismatch = || ValueError::new(path, format!("{ty} expected, but the provider sent {json}"));
    match ty {
        CtyType::Bool => json.as_bool().map(Value::Bool).ok_or_else(mismatch),
        CtyType::Number => match json {
            Json::Number(n) => Number::parse(&n.to_string())
                .map(Value::Number)
                .ok_or_else(mismatch),
            Json::String(s) => Number::parse(s).map(Value::Number).ok_or_else(mismatch),
            _ => Err(mismatch()),
        },
        CtyType::String => json.as_str().map(Value::string).ok_or_else(mismatch),
        CtyType::List(elem) | CtyType::Set(elem) => {
            let items = json
                .as_array()
                .ok_or_else(mismatch)?
                .iter()
                .enumerate()
                .map(|(i, v)| read(v, elem, &path.join(PathStep::Index(i as i64))))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, CtyType::Set(_)) {
                Value::set(items)
            } else {
                Value::List(items)
            })
        }
        CtyType::Tuple(elems) => match json.as_array() {
            Some(items) if items.len() == elems.len() => Ok(Value::List(
                items
                    .iter()
                    .zip(elems)
                    .enumerate()
                    .map(|(i, (v, t))| read(v, t, &path.join(PathStep::Index(i as i64))))
                    .collect::<Result<_, _>>()?,
            )),
            _ => Err(mismatch()),
        },
        CtyType::Map(elem) => {
            let mut map = BTreeMap::new();
            for (k, v) in json.as_object().ok_or_else(mismatch)? {
                map.insert(
                    k.clone(),
                    read(v, elem, &path.join(PathStep::Key(k.clone())))?,
                );
            }
            Ok(Value::Map(map))
        }
        CtyType::Object { attributes, .. } => {
            let entries = json.as_object().ok_or_else(mismatch)?;
            let mut map = BTreeMap::new();
            for (k, v) in entries {
                let t = attributes
                    .get(k)
                    .ok_or_else(|| ValueError::new(path, format!("unsupported attribute {k:?}")))?;
                map.insert(
                    k.clone(),
                    read(v, t, &path.join(PathStep::Attribute(k.clone())))?,
                );
            }
            for name in attributes.keys() {
                map.entry(name.clone()).or_insert(Value::Null);
            }
            Ok(Value::Map(map))
        }
        CtyType::Dynamic => {
            let (Some(value), Some(type_json)) = (json.get("value"), json.get("type")) else {
                return Err(ValueError::new(
                    path,
                    "dynamic value expected as {\"value\", \"type\"}",
                ));
            };
            let actual =
                CtyType::from_json(type_json).map_err(|e| ValueError::new(path, e.to_string()))?;
            read(value, &actual, path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_answers_decode_against_the_type() {
        let ty = CtyType::object([
            ("id", CtyType::String),
            ("n", CtyType::Number),
            ("s", CtyType::set(CtyType::String)),
            ("d", CtyType::Dynamic),
            ("missing", CtyType::Bool),
        ]);
        let text = br#"{"id":"x","n":"12.5","s":["b","a"],"d":{"value":[1,"q"],"type":["tuple",["number","string"]]}}"#;
        let v = decode(text, &ty).unwrap();
        assert_eq!(
            v,
            Value::object([
                ("id", Value::from("x")),
                ("n", Value::from(12.5)),
                ("s", Value::set(vec![Value::from("a"), Value::from("b")])),
                ("d", Value::List(vec![Value::from(1i64), Value::from("q")])),
                ("missing", Value::Null),
            ])
        );
        let err = decode(br#"{"n":true}"#, &ty).unwrap_err();
        assert_eq!(err.path.to_string(), "n");
    }
}
