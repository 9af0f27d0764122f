//! Type constraints: parses a variable's `type = ...` expression (`string`, `list(number)`,
//! `object({ a = string, b = optional(number, 1) })`, the legacy `"string"` forms) into a [`Type`].

use std::collections::BTreeMap;

use hcl::expr::FuncCall;
use hcl::Expression;
use plinth_sdk::{ObjectAttr, Type};

use super::constant::{constant_value, object_key};

/// Parses a type constraint expression.
pub fn parse_type(expr: &Expression) -> Result<Type, String> {
    match expr {
        Expression::Variable(name) => keyword(name.as_str()),
        Expression::String(legacy) => legacy_string(legacy),
        Expression::Parenthesis(inner) => parse_type(inner),
        Expression::FuncCall(call) => constructor(call),
        _ => Err(
            "A type specification is either a primitive type keyword (bool, number, \
                  string), a collection type constructor (list, set, map, tuple, object) or any."
                .to_string(),
        ),
    }
}

fn keyword(name: &str) -> Result<Type, String> {
    match name {
        "string" => Ok(Type::String),
        "number" => Ok(Type::Number),
        "bool" => Ok(Type::Bool),
        "any" => Ok(Type::Any),
        "list" => Ok(Type::list(Type::Any)),
        "set" => Ok(Type::set(Type::Any)),
        "map" => Ok(Type::map(Type::Any)),
        "object" | "tuple" => Err(format!(
            "The {name} type constructor requires one argument specifying the element types."
        )),
        other => Err(format!(
            "The keyword \"{other}\" is not a valid type specification."
        )),
    }
}

fn legacy_string(text: &str) -> Result<Type, String> {
    match text {
        "string" | "list" | "map" => keyword(text),
        other => Err(format!("Invalid legacy type specification \"{other}\".")),
    }
}

fn constructor(call: &FuncCall) -> Result<Type, String> {
    let name = call.name.name.as_str();
    if !call.name.namespace.is_empty() || call.expand_final {
        return Err(format!("\"{name}\" is not a valid type constructor."));
    }
    let single_argument = || match call.args.as_slice() {
        [arg] => Ok(arg),
        _ => Err(format!(
            "The {name} type constructor requires exactly one argument."
        )),
    };
    match name {
        "list" => Ok(Type::list(parse_type(single_argument()?)?)),
        "set" => Ok(Type::set(parse_type(single_argument()?)?)),
        "map" => Ok(Type::map(parse_type(single_argument()?)?)),
        "tuple" => match single_argument()? {
            Expression::Array(items) => items
                .iter()
                .map(parse_type)
                .collect::<Result<Vec<_>, _>>()
                .map(Type::Tuple),
            _ => Err("The tuple type constructor requires a list of element types.".to_string()),
        },
        "object" => match single_argument()? {
            Expression::Object(attrs) => {
                let mut out = BTreeMap::new();
                for (key, value) in attrs {
                    let key = object_key(key)?;
                    out.insert(key, object_attribute(value)?);
                }
                Ok(Type::Object(out))
            }
            _ => Err(
                "The object type constructor requires an object of attribute types.".to_string(),
            ),
        },
        "optional" => {
            Err("Keyword \"optional\" is valid only as an object attribute's type.".to_string())
        }
        other => Err(format!(
            "Keyword \"{other}\" is not a valid type constructor."
        )),
    }
}

fn object_attribute(expr: &Expression) -> Result<ObjectAttr, String> {
    let Expression::FuncCall(call) = expr else {
        return Ok(ObjectAttr {
            ty: parse_type(expr)?,
            optional: false,
            default: None,
        });
    };
    if call.name.name.as_str() != "optional" || !call.name.namespace.is_empty() {
        return Ok(ObjectAttr {
            ty: parse_type(expr)?,
            optional: false,
            default: None,
        });
    }
    match call.args.as_slice() {
        [ty] => Ok(ObjectAttr {
            ty: parse_type(ty)?,
            optional: true,
            default: None,
        }),
        [ty, default] => {
            let ty = parse_type(ty)?;
            let default = constant_value(default)
                .and_then(|value| plinth_sdk::convert(value, &ty))
                .map_err(|e| format!("Invalid default value for optional attribute: {e}."))?;
            Ok(ObjectAttr {
                ty,
                optional: true,
                default: Some(default),
            })
        }
        _ => {
            Err("The optional modifier requires a type and an optional default value.".to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_sdk::Value;

    fn parse(src: &str) -> Result<Type, String> {
        let expr: Expression = src.parse().map_err(|e: hcl::Error| e.to_string())?;
        parse_type(&expr)
    }

    #[test]
    fn primitive_keywords() {
        assert_eq!(parse("string"), Ok(Type::String));
        assert_eq!(parse("number"), Ok(Type::Number));
        assert_eq!(parse("bool"), Ok(Type::Bool));
        assert_eq!(parse("any"), Ok(Type::Any));
    }

    #[test]
    fn collections_nest() {
        assert_eq!(parse("list(string)"), Ok(Type::list(Type::String)));
        assert_eq!(parse("set(number)"), Ok(Type::set(Type::Number)));
        assert_eq!(
            parse("map(list(bool))"),
            Ok(Type::map(Type::list(Type::Bool)))
        );
        assert_eq!(
            parse("tuple([string, number])"),
            Ok(Type::Tuple(vec![Type::String, Type::Number]))
        );
    }

    #[test]
    fn objects_with_optional_attributes_and_defaults() {
        let ty = parse(r#"object({ name = string, port = optional(number, 80), tags = optional(map(string)) })"#)
            .unwrap();
        let Type::Object(attrs) = ty else {
            panic!("not an object: {ty:?}")
        };
        assert_eq!(
            attrs["name"],
            ObjectAttr {
                ty: Type::String,
                optional: false,
                default: None
            }
        );
        assert_eq!(
            attrs["port"],
            ObjectAttr {
                ty: Type::Number,
                optional: true,
                default: Some(Value::from(80i64))
            }
        );
        assert_eq!(attrs["tags"].ty, Type::map(Type::String));
        assert!(attrs["tags"].optional);
    }

    #[test]
    fn legacy_forms() {
        assert_eq!(parse(r#""string""#), Ok(Type::String));
        assert_eq!(parse(r#""list""#), Ok(Type::list(Type::Any)));
        assert_eq!(parse(r#""map""#), Ok(Type::map(Type::Any)));
        assert_eq!(parse("list"), Ok(Type::list(Type::Any)));
    }

    #[test]
    fn invalid_specifications_are_explained() {
        assert!(parse("strin")
            .unwrap_err()
            .contains("\"strin\" is not a valid type"));
        assert!(parse("list(string, number)")
            .unwrap_err()
            .contains("exactly one argument"));
        assert!(parse("optional(string)").unwrap_err().contains("optional"));
        assert!(parse("lst(string)")
            .unwrap_err()
            .contains("not a valid type constructor"));
        assert!(parse("1").is_err());
        assert!(parse(r#""bogus""#).is_err());
        assert!(parse(r#"object({ a = optional(number, "x") })"#).is_err());
    }
}
