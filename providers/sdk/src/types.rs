//! `Type`: type constraints of variables and schema attributes (Terraform's type system).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Value;

/// A type constraint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Type {
    /// `any`: accepts every value unchanged.
    Any,
    /// `bool`.
    Bool,
    /// `number`.
    Number,
    /// `string`.
    String,
    /// `list(T)`.
    List(Box<Type>),
    /// `set(T)`.
    Set(Box<Type>),
    /// `map(T)`.
    Map(Box<Type>),
    /// `object({ name = T, other = optional(T, default) })`.
    Object(BTreeMap<String, ObjectAttr>),
    /// `tuple([T, U])`.
    Tuple(Vec<Type>),
}

/// One attribute of an object type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectAttr {
    /// The attribute's type.
    pub ty: Type,
    /// Declared with `optional(...)`: may be omitted.
    pub optional: bool,
    /// The default given as `optional(T, default)`.
    pub default: Option<Value>,
}

impl Type {
    /// `list(T)`.
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    /// `set(T)`.
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }

    /// `map(T)`.
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// The type in cty's JSON form, as Terraform writes it in state and in `output -json`:
    /// `"string"`, `["list","string"]`, `["tuple",[...]]`, `["object",{...}]`, with `any` as
    /// `"dynamic"` and an object's optional attributes listed third.
    pub fn to_cty_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::Any => json!("dynamic"),
            Type::Bool => json!("bool"),
            Type::Number => json!("number"),
            Type::String => json!("string"),
            Type::List(t) => json!(["list", t.to_cty_json()]),
            Type::Set(t) => json!(["set", t.to_cty_json()]),
            Type::Map(t) => json!(["map", t.to_cty_json()]),
            Type::Tuple(ts) => json!([
                "tuple",
                ts.iter().map(Type::to_cty_json).collect::<Vec<_>>()
            ]),
            Type::Object(attrs) => {
                let types: serde_json::Map<String, serde_json::Value> = attrs
                    .iter()
                    .map(|(name, attr)| (name.clone(), attr.ty.to_cty_json()))
                    .collect();
                let optional: Vec<&String> = attrs
                    .iter()
                    .filter(|(_, a)| a.optional)
                    .map(|(n, _)| n)
                    .collect();
                if optional.is_empty() {
                    json!(["object", types])
                } else {
                    json!(["object", types, optional])
                }
            }
        }
    }
}

impl fmt::Display for Type {
    /// Renders the type in Terraform's syntax (`list(string)`, `object({...})`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Any => write!(f, "any"),
            Type::Bool => write!(f, "bool"),
            Type::Number => write!(f, "number"),
            Type::String => write!(f, "string"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Tuple(ts) => {
                write!(f, "tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{t}")?;
                }
                write!(f, "])")
            }
            Type::Object(attrs) => {
                write!(f, "object({{")?;
                for (i, (name, attr)) in attrs.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    if attr.optional {
                        write!(f, "{name} = optional({})", attr.ty)?;
                    } else {
                        write!(f, "{name} = {}", attr.ty)?;
                    }
                }
                write!(f, "}})")
            }
        }
    }
}
