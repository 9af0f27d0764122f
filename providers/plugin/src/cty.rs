//! `CtyType`: the type system the protocol speaks (Terraform's cty), its JSON encoding both
//! ways, and the mapping to and from plinth's [`Type`].
//!
//! Types travel as JSON: `"string"`, `"number"`, `"bool"`, `"dynamic"`, `["list", T]`,
//! `["set", T]`, `["map", T]`, `["tuple", [T...]]`, `["object", {name: T}]` and
//! `["object", {name: T}, ["optional", ...]]` for objects with optional attributes. plinth's
//! [`Value`](plinth_sdk::Value) carries no type, so every value crossing the wire is encoded and
//! decoded against one of these.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use plinth_sdk::{ObjectAttr, Type};
use serde_json::{json, Value as Json};

/// A cty type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CtyType {
    /// `bool`.
    Bool,
    /// `number`: arbitrary precision on the wire, `f64` in plinth.
    Number,
    /// `string`.
    String,
    /// `dynamic` (DynamicPseudoType): any type, decided by the value.
    Dynamic,
    /// `list(T)`.
    List(Box<CtyType>),
    /// `set(T)`.
    Set(Box<CtyType>),
    /// `map(T)`.
    Map(Box<CtyType>),
    /// An object: named attributes, some of them optional (type constraints only).
    Object {
        /// Attribute types by name.
        attributes: BTreeMap<String, CtyType>,
        /// Names of the attributes that may be omitted.
        optional: BTreeSet<String>,
    },
    /// `tuple([T...])`.
    Tuple(Vec<CtyType>),
}

/// A type JSON document that is not a cty type.
#[derive(Debug, thiserror::Error)]
#[error("invalid type {json}: {reason}")]
pub struct TypeError {
    /// The JSON as received (shortened).
    pub json: String,
    /// What is wrong with it.
    pub reason: String,
}

impl CtyType {
    /// `list(T)`.
    pub fn list(t: CtyType) -> CtyType {
        CtyType::List(Box::new(t))
    }

    /// `set(T)`.
    pub fn set(t: CtyType) -> CtyType {
        CtyType::Set(Box::new(t))
    }

    /// `map(T)`.
    pub fn map(t: CtyType) -> CtyType {
        CtyType::Map(Box::new(t))
    }

    /// An object type without optional attributes.
    pub fn object<K: Into<String>>(attributes: impl IntoIterator<Item = (K, CtyType)>) -> CtyType {
        CtyType::Object {
            attributes: attributes.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: BTreeSet::new(),
        }
    }

    /// Parses type JSON as the protocol carries it (schema attribute and function types).
    pub fn from_json_bytes(bytes: &[u8]) -> Result<CtyType, TypeError> {
        let json: Json = serde_json::from_slice(bytes).map_err(|e| TypeError {
            json: shorten(&String::from_utf8_lossy(bytes)),
            reason: e.to_string(),
        })?;
        CtyType::from_json(&json)
    }

    /// Parses an already decoded type JSON value.
    pub fn from_json(json: &Json) -> Result<CtyType, TypeError> {
        let bad = |reason: &str| TypeError {
            json: shorten(&json.to_string()),
            reason: reason.to_string(),
        };
        match json {
            Json::String(name) => match name.as_str() {
                "bool" => Ok(CtyType::Bool),
                "number" => Ok(CtyType::Number),
                "string" => Ok(CtyType::String),
                "dynamic" => Ok(CtyType::Dynamic),
                _ => Err(bad("unknown primitive type")),
            },
            Json::Array(parts) => {
                let kind = parts
                    .first()
                    .and_then(Json::as_str)
                    .ok_or_else(|| bad("a type array starts with its kind"))?;
                let arg = parts.get(1).ok_or_else(|| bad("missing element type"))?;
                match (kind, parts.len()) {
                    ("list", 2) => Ok(CtyType::list(CtyType::from_json(arg)?)),
                    ("set", 2) => Ok(CtyType::set(CtyType::from_json(arg)?)),
                    ("map", 2) => Ok(CtyType::map(CtyType::from_json(arg)?)),
                    ("tuple", 2) => {
                        let elems = arg.as_array().ok_or_else(|| bad("tuple takes a list"))?;
                        Ok(CtyType::Tuple(
                            elems
                                .iter()
                                .map(CtyType::from_json)
                                .collect::<Result<_, _>>()?,
                        ))
                    }
                    ("object", 2 | 3) => {
                        let attrs = arg.as_object().ok_or_else(|| bad("object takes a map"))?;
                        let attributes = attrs
                            .iter()
                            .map(|(k, v)| Ok((k.clone(), CtyType::from_json(v)?)))
                            .collect::<Result<BTreeMap<_, _>, TypeError>>()?;
                        let mut optional = BTreeSet::new();
                        if let Some(names) = parts.get(2) {
                            for name in names.as_array().ok_or_else(|| bad("optional list"))? {
                                let name = name.as_str().ok_or_else(|| bad("optional name"))?;
                                if !attributes.contains_key(name) {
                                    return Err(bad("optional attribute not in the object"));
                                }
                                optional.insert(name.to_string());
                            }
                        }
                        Ok(CtyType::Object {
                            attributes,
                            optional,
                        })
                    }
                    _ => Err(bad("unknown type kind")),
                }
            }
            _ => Err(bad("a type is a string or an array")),
        }
    }

    /// The type's JSON encoding.
    pub fn to_json(&self) -> Json {
        match self {
            CtyType::Bool => json!("bool"),
            CtyType::Number => json!("number"),
            CtyType::String => json!("string"),
            CtyType::Dynamic => json!("dynamic"),
            CtyType::List(t) => json!(["list", t.to_json()]),
            CtyType::Set(t) => json!(["set", t.to_json()]),
            CtyType::Map(t) => json!(["map", t.to_json()]),
            CtyType::Tuple(ts) => {
                json!(["tuple", ts.iter().map(CtyType::to_json).collect::<Vec<_>>()])
            }
            CtyType::Object {
                attributes,
                optional,
            } => {
                let attrs: serde_json::Map<String, Json> = attributes
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                if optional.is_empty() {
                    json!(["object", attrs])
                } else {
                    json!(["object", attrs, optional.iter().collect::<Vec<_>>()])
                }
            }
        }
    }

    /// Whether the type is or contains `dynamic`.
    pub fn has_dynamic(&self) -> bool {
        match self {
            CtyType::Dynamic => true,
            CtyType::Bool | CtyType::Number | CtyType::String => false,
            CtyType::List(t) | CtyType::Set(t) | CtyType::Map(t) => t.has_dynamic(),
            CtyType::Tuple(ts) => ts.iter().any(CtyType::has_dynamic),
            CtyType::Object { attributes, .. } => attributes.values().any(CtyType::has_dynamic),
        }
    }

    /// plinth's type for values of this type (`dynamic` is `any`).
    pub fn to_plinth(&self) -> Type {
        match self {
            CtyType::Bool => Type::Bool,
            CtyType::Number => Type::Number,
            CtyType::String => Type::String,
            CtyType::Dynamic => Type::Any,
            CtyType::List(t) => Type::list(t.to_plinth()),
            CtyType::Set(t) => Type::set(t.to_plinth()),
            CtyType::Map(t) => Type::map(t.to_plinth()),
            CtyType::Tuple(ts) => Type::Tuple(ts.iter().map(CtyType::to_plinth).collect()),
            CtyType::Object {
                attributes,
                optional,
            } => Type::Object(
                attributes
                    .iter()
                    .map(|(name, t)| {
                        let attr = ObjectAttr {
                            ty: t.to_plinth(),
                            optional: optional.contains(name),
                            default: None,
                        };
                        (name.clone(), attr)
                    })
                    .collect(),
            ),
        }
    }

    /// The cty type of a plinth type constraint (`any` is `dynamic`; object defaults are
    /// plinth's business and are not sent).
    pub fn from_plinth(ty: &Type) -> CtyType {
        match ty {
            Type::Any => CtyType::Dynamic,
            Type::Bool => CtyType::Bool,
            Type::Number => CtyType::Number,
            Type::String => CtyType::String,
            Type::List(t) => CtyType::list(CtyType::from_plinth(t)),
            Type::Set(t) => CtyType::set(CtyType::from_plinth(t)),
            Type::Map(t) => CtyType::map(CtyType::from_plinth(t)),
            Type::Tuple(ts) => CtyType::Tuple(ts.iter().map(CtyType::from_plinth).collect()),
            Type::Object(attrs) => CtyType::Object {
                attributes: attrs
                    .iter()
                    .map(|(k, a)| (k.clone(), CtyType::from_plinth(&a.ty)))
                    .collect(),
                optional: attrs
                    .iter()
                    .filter(|(_, a)| a.optional)
                    .map(|(k, _)| k.clone())
                    .collect(),
            },
        }
    }
}

impl fmt::Display for CtyType {
    /// Terraform's type syntax (`list(string)`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_plinth())
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_json_round_trips_every_kind() {
        let text = r#"["object",{"a":"string","b":["list","number"],"c":["set","bool"],
            "d":["map","dynamic"],"e":["tuple",["string",["object",{}]]]},["b"]]"#;
        let ty = CtyType::from_json_bytes(text.as_bytes()).unwrap();
        let back = CtyType::from_json(&ty.to_json()).unwrap();
        assert_eq!(ty, back);
        let CtyType::Object { optional, .. } = &ty else {
            panic!("object expected");
        };
        assert!(optional.contains("b"));
        assert_eq!(
            ty.to_json(),
            serde_json::from_str::<Json>(text).unwrap(),
            "encoding matches cty's"
        );
    }

    #[test]
    fn bad_type_json_is_refused_with_the_text() {
        let err = CtyType::from_json_bytes(br#"["frob","string"]"#).unwrap_err();
        assert!(err.to_string().contains("frob"), "{err}");
        assert!(CtyType::from_json_bytes(b"\"strin\"").is_err());
        assert!(CtyType::from_json_bytes(br#"["object",{"a":"string"},["z"]]"#).is_err());
    }

    #[test]
    fn plinth_types_map_both_ways() {
        let ty = CtyType::Object {
            attributes: BTreeMap::from([
                ("a".to_string(), CtyType::Dynamic),
                ("b".to_string(), CtyType::set(CtyType::Number)),
            ]),
            optional: BTreeSet::from(["b".to_string()]),
        };
        let plinth = ty.to_plinth();
        assert_eq!(
            plinth.to_string(),
            "object({a = any, b = optional(set(number))})"
        );
        assert_eq!(CtyType::from_plinth(&plinth), ty);
    }
}
