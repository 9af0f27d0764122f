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
