//! Type conversion: turns a value into one of a given [`Type`], as Terraform's automatic
//! conversions do (number ↔ string, bool ↔ string, tuple → list/set, object → map, optional
//! object attributes filled with their defaults or null).

use std::collections::BTreeMap;

use crate::{Type, Value};

/// Converts `value` to type `ty`. Unknown and null pass through; sensitive marks are kept.
/// The error says what was expected and what was found, with the path inside the value.
pub fn convert(value: Value, ty: &Type) -> Result<Value, String> {
    convert_at(value, ty, "")
}

fn convert_at(value: Value, ty: &Type, path: &str) -> Result<Value, String> {
    if let Value::Sensitive(inner) = value {
        return Ok(convert_at(*inner, ty, path)?.mark_sensitive());
    }
    if matches!(value, Value::Unknown | Value::Null) || *ty == Type::Any {
        return Ok(value);
    }
    let mismatch = |want: &str, got: &Value| {
        let at = if path.is_empty() {
            String::new()
        } else {
            format!(" at {path}")
        };
        format!("{want} required{at}, but got {}", got.type_name())
    };
    match ty {
        Type::Any => Ok(value),
        Type::String => match value {
            Value::String(_) => Ok(value),
            Value::Number(n) => Ok(Value::String(n.to_string())),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            other => Err(mismatch("string", &other)),
        },
        Type::Number => match &value {
            Value::Number(_) => Ok(value),
            Value::String(s) => crate::Number::parse(s)
                .map(Value::Number)
                .ok_or_else(|| format!("a number is required, but {:?} is not a number", s)),
            other => Err(mismatch("number", other)),
        },
        Type::Bool => match &value {
            Value::Bool(_) => Ok(value),
            Value::String(s) if s == "true" => Ok(Value::Bool(true)),
            Value::String(s) if s == "false" => Ok(Value::Bool(false)),
            other => Err(mismatch("bool", other)),
        },
        Type::List(elem) | Type::Set(elem) => {
            let items = match value {
                Value::List(items) | Value::Set(items) => items,
                other => {
                    return Err(mismatch(
                        if matches!(ty, Type::Set(_)) {
                            "set"
                        } else {
                            "list"
                        },
                        &other,
                    ))
                }
            };
            let items = items
                .into_iter()
                .enumerate()
                .map(|(i, v)| convert_at(v, elem, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::set(items)
            } else {
                Value::List(items)
            })
        }
        Type::Tuple(elems) => {
            let items = match value {
                Value::List(items) | Value::Set(items) => items,
                other => return Err(mismatch("tuple", &other)),
            };
            if items.len() != elems.len() {
                return Err(format!(
                    "tuple of {} elements required, but got {}",
                    elems.len(),
                    items.len()
                ));
            }
            let items = items
                .into_iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (v, t))| convert_at(v, t, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::List(items))
        }
        Type::Map(elem) => {
            let map = match value {
                Value::Map(map) => map,
                other => return Err(mismatch("map", &other)),
            };
            let map = map
                .into_iter()
                .map(|(k, v)| {
                    let p = format!("{path}[{k:?}]");
                    convert_at(v, elem, &p).map(|v| (k, v))
                })
                .collect::<Result<BTreeMap<_, _>, _>>()?;
            Ok(Value::Map(map))
        }
        Type::Object(attrs) => {
            let mut map = match value {
                Value::Map(map) => map,
                other => return Err(mismatch("object", &other)),
            };
            let mut out = BTreeMap::new();
            for (name, attr) in attrs {
                let p = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                match map.remove(name) {
                    Some(v) if !(v.is_null() && attr.optional) => {
                        out.insert(name.clone(), convert_at(v, &attr.ty, &p)?);
                    }
                    Some(_) | None if attr.optional => {
                        let default = attr.default.clone().unwrap_or(Value::Null);
                        out.insert(name.clone(), convert_at(default, &attr.ty, &p)?);
                    }
                    _ => return Err(format!("attribute {p:?} is required")),
                }
            }
            Ok(Value::Map(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings_convert_both_ways() {
        assert_eq!(
            convert(Value::from(5i64), &Type::String),
            Ok(Value::from("5"))
        );
        assert_eq!(
            convert(Value::from("2.5"), &Type::Number),
            Ok(Value::from(2.5))
        );
        assert!(convert(Value::from("x"), &Type::Number).is_err());
        // Terraform reads "inf" as an infinite number.
        assert!(convert(Value::from("inf"), &Type::Number).is_ok());
        assert!(convert(Value::from(" 5"), &Type::Number).is_err());
        assert!(convert(Value::from("NaN"), &Type::Number).is_err());
    }

    #[test]
    fn optional_object_attributes_get_defaults() {
        let ty = Type::Object(BTreeMap::from([
            ("a".to_string(), ObjectAttrHelper::req(Type::String)),
            (
                "b".to_string(),
                ObjectAttrHelper::opt(Type::Number, Some(Value::from(3i64))),
            ),
        ]));
        let v = convert(Value::object([("a", Value::from("x"))]), &ty).unwrap();
        assert_eq!(
            v,
            Value::object([("a", Value::from("x")), ("b", Value::from(3i64))])
        );
        assert!(convert(Value::object([("b", Value::from(1i64))]), &ty).is_err());
    }

    struct ObjectAttrHelper;
    impl ObjectAttrHelper {
        fn req(ty: Type) -> crate::ObjectAttr {
            crate::ObjectAttr {
                ty,
                optional: false,
                default: None,
            }
        }
        fn opt(ty: Type, default: Option<Value>) -> crate::ObjectAttr {
            crate::ObjectAttr {
                ty,
                optional: true,
                default,
            }
        }
    }
}
