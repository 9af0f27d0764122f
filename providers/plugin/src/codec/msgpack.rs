//! msgpack encoding and decoding of values against a cty type, byte-compatible with cty's own.

use std::collections::BTreeMap;

use plinth_sdk::{Number, Value};
use rmpv::Value as Mp;

use super::{infer_type, AttributePath, PathStep, ValueError};
use crate::CtyType;

/// msgpack extension type of an unknown value.
const UNKNOWN_EXT: i8 = 0;
/// msgpack extension type of an unknown value with refinements (prefix, range, not-null).
const REFINED_UNKNOWN_EXT: i8 = 12;

pub(super) fn encode(value: &Value, ty: &CtyType) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::with_capacity(64);
    write(&mut out, value, ty, &AttributePath::root())?;
    Ok(out)
}

fn io(path: &AttributePath, e: impl std::fmt::Display) -> ValueError {
    ValueError::new(path, format!("msgpack write failed: {e}"))
}

fn write(
    out: &mut Vec<u8>,
    value: &Value,
    ty: &CtyType,
    path: &AttributePath,
) -> Result<(), ValueError> {
    let value = value.unmarked();
    if *ty == CtyType::Dynamic && !matches!(value, Value::Null | Value::Unknown) {
        // A typed value in a dynamic slot travels with its type: [type JSON, value].
        let actual = infer_type(value, path)?;
        rmp::encode::write_array_len(out, 2).map_err(|e| io(path, e))?;
        let type_json = actual.to_json().to_string();
        rmp::encode::write_bin(out, type_json.as_bytes()).map_err(|e| io(path, e))?;
        return write(out, value, &actual, path);
    }
    match value {
        Value::Unknown => {
            // fixext1 with a zero byte: the most compact form, as cty writes it.
            rmp::encode::write_ext_meta(out, 1, UNKNOWN_EXT).map_err(|e| io(path, e))?;
            out.push(0);
            return Ok(());
        }
        Value::Null => {
            rmp::encode::write_nil(out).map_err(|e| io(path, e))?;
            return Ok(());
        }
        _ => {}
    }
    let mismatch = || {
        ValueError::new(
            path,
            format!("{ty} required, but got {}", value.type_name()),
        )
    };
    match ty {
        CtyType::Bool => {
            let b = value.as_bool().ok_or_else(mismatch)?;
            rmp::encode::write_bool(out, b).map_err(|e| io(path, e))?;
        }
        CtyType::Number => {
            let Value::Number(n) = value.unmarked() else {
                return Err(mismatch());
            };
            // Integers as integers, floats that are exact as float64, and everything else as
            // its decimal text, as Terraform encodes numbers.
            if let Some(i) = n.as_i64() {
                rmp::encode::write_sint(out, i).map_err(|e| io(path, e))?;
            } else if Number::from_f64(n.as_f64()).is_some_and(|back| back == *n) {
                rmp::encode::write_f64(out, n.as_f64()).map_err(|e| io(path, e))?;
            } else {
                rmp::encode::write_str(out, &n.to_string()).map_err(|e| io(path, e))?;
            }
        }
        CtyType::String => {
            let s = value.as_str().ok_or_else(mismatch)?;
            rmp::encode::write_str(out, s).map_err(|e| io(path, e))?;
        }
        CtyType::List(elem) | CtyType::Set(elem) => {
            let items = value.as_list().ok_or_else(mismatch)?;
            rmp::encode::write_array_len(out, items.len() as u32).map_err(|e| io(path, e))?;
            for (i, item) in items.iter().enumerate() {
                write(out, item, elem, &path.join(PathStep::Index(i as i64)))?;
            }
        }
        CtyType::Tuple(elems) => {
            let items = value.as_list().ok_or_else(mismatch)?;
            if items.len() != elems.len() {
                return Err(ValueError::new(
                    path,
                    format!("{ty} required, but got {} elements", items.len()),
                ));
            }
            rmp::encode::write_array_len(out, items.len() as u32).map_err(|e| io(path, e))?;
            for (i, (item, t)) in items.iter().zip(elems).enumerate() {
                write(out, item, t, &path.join(PathStep::Index(i as i64)))?;
            }
        }
        CtyType::Map(elem) => {
            let map = value.as_map().ok_or_else(mismatch)?;
            rmp::encode::write_map_len(out, map.len() as u32).map_err(|e| io(path, e))?;
            for (k, v) in map {
                rmp::encode::write_str(out, k).map_err(|e| io(path, e))?;
                write(out, v, elem, &path.join(PathStep::Key(k.clone())))?;
            }
        }
        CtyType::Object { attributes, .. } => {
            let map = value.as_map().ok_or_else(mismatch)?;
            if let Some(extra) = map.keys().find(|k| !attributes.contains_key(*k)) {
                return Err(ValueError::new(
                    path,
                    format!("unsupported attribute {extra:?}"),
                ));
            }
            rmp::encode::write_map_len(out, attributes.len() as u32).map_err(|e| io(path, e))?;
            for (name, t) in attributes {
                rmp::encode::write_str(out, name).map_err(|e| io(path, e))?;
                let v = map.get(name).unwrap_or(&Value::Null);
                write(out, v, t, &path.join(PathStep::Attribute(name.clone())))?;
            }
        }
        CtyType::Dynamic => unreachable!("dynamic values were wrapped above"),
    }
    Ok(())
}

pub(super) fn decode(bytes: &[u8], ty: &CtyType) -> Result<Value, ValueError> {
    let root = AttributePath::root();
    let mut reader = bytes;
    let mp = rmpv::decode::read_value(&mut reader)
        .map_err(|e| ValueError::new(&root, format!("invalid msgpack: {e}")))?;
    if !reader.is_empty() {
        return Err(ValueError::new(
            &root,
            format!("{} bytes after the value", reader.len()),
        ));
    }
    read(mp, ty, &root)
}

fn read(mp: Mp, ty: &CtyType, path: &AttributePath) -> Result<Value, ValueError> {
    match mp {
        Mp::Nil => return Ok(Value::Null),
        Mp::Ext(UNKNOWN_EXT | REFINED_UNKNOWN_EXT, _) => return Ok(Value::Unknown),
        Mp::Ext(code, _) => {
            return Err(ValueError::new(
                path,
                format!("unexpected msgpack extension {code}"),
            ))
        }
        _ => {}
    }
    let mismatch = |got: &Mp| {
        ValueError::new(
            path,
            format!("{ty} expected, but the provider sent {}", kind(got)),
        )
    };
    match ty {
        CtyType::Bool => match mp {
            Mp::Boolean(b) => Ok(Value::Bool(b)),
            other => Err(mismatch(&other)),
        },
        CtyType::Number => match mp {
            Mp::Integer(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Ok(Value::Number(Number::from_i64(i))),
                (None, Some(u)) => Number::parse(&u.to_string())
                    .map(Value::Number)
                    .ok_or_else(|| ValueError::new(path, format!("{u} is not a number"))),
                (None, None) => Err(ValueError::new(path, "an integer out of range")),
            },
            Mp::F32(f) => Number::from_f64(f64::from(f))
                .map(Value::Number)
                .ok_or_else(|| ValueError::new(path, "not a number (NaN)")),
            Mp::F64(f) => Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| ValueError::new(path, "not a number (NaN)")),
            // Numbers beyond int64 and float64 travel as their decimal text.
            Mp::String(s) => {
                let text = s.as_str().unwrap_or_default();
                Number::parse(text)
                    .map(Value::Number)
                    .ok_or_else(|| ValueError::new(path, format!("{text:?} is not a number")))
            }
            other => Err(mismatch(&other)),
        },
        CtyType::String => match mp {
            Mp::String(s) => s
                .into_str()
                .map(Value::String)
                .ok_or_else(|| ValueError::new(path, "string is not UTF-8")),
            other => Err(mismatch(&other)),
        },
        CtyType::List(elem) | CtyType::Set(elem) => match mp {
            Mp::Array(items) => {
                let items = items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| read(v, elem, &path.join(PathStep::Index(i as i64))))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if matches!(ty, CtyType::Set(_)) {
                    Value::set(items)
                } else {
                    Value::List(items)
                })
            }
            other => Err(mismatch(&other)),
        },
        CtyType::Tuple(elems) => match mp {
            Mp::Array(items) if items.len() == elems.len() => Ok(Value::List(
                items
                    .into_iter()
                    .zip(elems)
                    .enumerate()
                    .map(|(i, (v, t))| read(v, t, &path.join(PathStep::Index(i as i64))))
                    .collect::<Result<_, _>>()?,
            )),
            other => Err(mismatch(&other)),
        },
        CtyType::Map(elem) => match mp {
            Mp::Map(entries) => {
                let mut map = BTreeMap::new();
                for (k, v) in entries {
                    let key = key_string(k, path)?;
                    let v = read(v, elem, &path.join(PathStep::Key(key.clone())))?;
                    map.insert(key, v);
                }
                Ok(Value::Map(map))
            }
            other => Err(mismatch(&other)),
        },
        CtyType::Object { attributes, .. } => match mp {
            Mp::Map(entries) => {
                let mut map = BTreeMap::new();
                for (k, v) in entries {
                    let name = key_string(k, path)?;
                    let Some(t) = attributes.get(&name) else {
                        return Err(ValueError::new(
                            path,
                            format!("unsupported attribute {name:?}"),
                        ));
                    };
                    let v = read(v, t, &path.join(PathStep::Attribute(name.clone())))?;
                    map.insert(name, v);
                }
                for name in attributes.keys() {
                    map.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Map(map))
            }
            other => Err(mismatch(&other)),
        },
        CtyType::Dynamic => match mp {
            Mp::Array(mut parts) if parts.len() == 2 => {
                let value = parts.pop().expect("two parts");
                let type_json = match parts.pop().expect("two parts") {
                    Mp::Binary(b) => b,
                    Mp::String(s) => s.into_bytes(),
                    other => {
                        return Err(ValueError::new(
                            path,
                            format!("dynamic value's type is {}", kind(&other)),
                        ))
                    }
                };
                let actual = CtyType::from_json_bytes(&type_json)
                    .map_err(|e| ValueError::new(path, e.to_string()))?;
                read(value, &actual, path)
            }
            other => Err(ValueError::new(
                path,
                format!(
                    "dynamic value expected as [type, value], but the provider sent {}",
                    kind(&other)
                ),
            )),
        },
    }
}

fn key_string(key: Mp, path: &AttributePath) -> Result<String, ValueError> {
    match key {
        Mp::String(s) => s
            .into_str()
            .ok_or_else(|| ValueError::new(path, "map key is not UTF-8")),
        other => Err(ValueError::new(
            path,
            format!("map key is {}", kind(&other)),
        )),
    }
}

fn kind(mp: &Mp) -> &'static str {
    match mp {
        Mp::Nil => "nil",
        Mp::Boolean(_) => "a bool",
        Mp::Integer(_) | Mp::F32(_) | Mp::F64(_) => "a number",
        Mp::String(_) => "a string",
        Mp::Binary(_) => "bytes",
        Mp::Array(_) => "an array",
        Mp::Map(_) => "a map",
        Mp::Ext(..) => "an extension",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: Value, ty: &CtyType) -> Value {
        decode(&encode(&value, ty).unwrap(), ty).unwrap()
    }

    #[test]
    fn unknown_is_cty_fixext1_zero() {
        assert_eq!(
            encode(&Value::Unknown, &CtyType::String).unwrap(),
            vec![0xd4, 0, 0]
        );
        assert_eq!(
            decode(&[0xd4, 0, 0], &CtyType::String).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn refined_unknowns_decode_as_unknown() {
        // ext 12 (ext8, 3 bytes) holding the refinement map {1: true}: "known not null"
        let refined = [&[0xc7u8, 3, 12][..], &[0x81, 0x01, 0xc3]].concat();
        assert_eq!(decode(&refined, &CtyType::String).unwrap(), Value::Unknown);
    }

    #[test]
    fn numbers_go_out_as_integers_or_floats_and_big_ones_come_back_from_text() {
        assert_eq!(
            encode(&Value::from(5i64), &CtyType::Number).unwrap(),
            vec![0x05]
        );
        assert_eq!(
            encode(&Value::from(-1i64), &CtyType::Number).unwrap(),
            vec![0xff]
        );
        let half = encode(&Value::from(0.5), &CtyType::Number).unwrap();
        assert_eq!(half[0], 0xcb, "float64");
        let mut big = Vec::new();
        rmp::encode::write_str(&mut big, "18446744073709551616").unwrap();
        assert_eq!(
            decode(&big, &CtyType::Number).unwrap().to_string(),
            "18446744073709551616"
        );
        let mut u = Vec::new();
        rmp::encode::write_u64(&mut u, u64::MAX).unwrap();
        assert_eq!(
            decode(&u, &CtyType::Number).unwrap().to_string(),
            u64::MAX.to_string()
        );
    }

    #[test]
    fn objects_get_every_attribute_and_refuse_strangers() {
        let ty = CtyType::object([
            ("a", CtyType::String),
            ("b", CtyType::list(CtyType::Number)),
        ]);
        let v = Value::object([("a", Value::from("x"))]);
        assert_eq!(
            round_trip(v, &ty),
            Value::object([("a", Value::from("x")), ("b", Value::Null)])
        );
        let err = encode(&Value::object([("z", Value::Null)]), &ty).unwrap_err();
        assert!(err.to_string().contains("\"z\""), "{err}");
        let err = encode(
            &Value::object([("b", Value::List(vec![Value::from("q")]))]),
            &ty,
        )
        .unwrap_err();
        assert_eq!(err.path.to_string(), "b[0]");
    }

    #[test]
    fn collections_round_trip() {
        let ty = CtyType::object([
            ("s", CtyType::set(CtyType::String)),
            ("m", CtyType::map(CtyType::Bool)),
            ("t", CtyType::Tuple(vec![CtyType::String, CtyType::Number])),
        ]);
        let v = Value::object([
            ("s", Value::set(vec![Value::from("b"), Value::from("a")])),
            (
                "m",
                Value::object([("k", Value::from(true)), ("u", Value::Unknown)]),
            ),
            ("t", Value::List(vec![Value::from("x"), Value::from(2i64)])),
        ]);
        assert_eq!(round_trip(v.clone(), &ty), v);
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let v = Value::object([
            ("n", Value::from(1i64)),
            ("l", Value::List(vec![Value::from("a")])),
        ]);
        let bytes = encode(&v, &CtyType::Dynamic).unwrap();
        let mut reader = &bytes[..];
        let Mp::Array(parts) = rmpv::decode::read_value(&mut reader).unwrap() else {
            panic!("array expected");
        };
        let Mp::Binary(type_json) = &parts[0] else {
            panic!("type as bytes expected");
        };
        assert_eq!(
            std::str::from_utf8(type_json).unwrap(),
            r#"["object",{"l":["tuple",["string"]],"n":"number"}]"#
        );
        assert_eq!(decode(&bytes, &CtyType::Dynamic).unwrap(), v);
        // null and unknown in a dynamic slot are sent bare, as cty does
        assert_eq!(encode(&Value::Null, &CtyType::Dynamic).unwrap(), vec![0xc0]);
        assert_eq!(
            encode(&Value::Unknown, &CtyType::Dynamic).unwrap(),
            vec![0xd4, 0, 0]
        );
    }

    #[test]
    fn sensitive_values_encode_as_their_content() {
        let v = Value::from("secret").mark_sensitive();
        assert_eq!(
            decode(&encode(&v, &CtyType::String).unwrap(), &CtyType::String).unwrap(),
            Value::from("secret")
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(
            decode(&[0xa5, b'x'], &CtyType::String).is_err(),
            "truncated"
        );
        assert!(decode(&[0x05, 0x05], &CtyType::Number).is_err());
        assert!(decode(&[0xa1, b'x'], &CtyType::Number).is_err());
        assert!(decode(&[0x92, 0xc0, 0xc0], &CtyType::Dynamic).is_err());
    }
}
