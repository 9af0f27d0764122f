//! Constant expressions: converts literal expressions (numbers, strings, bools, null, lists,
//! objects, negative numbers, templates without interpolation) to values without an evaluator.
//! Used for variable defaults, tfvars values and settings that must be known while loading.

use std::collections::BTreeMap;

use hcl::expr::{Operation, TemplateExpr, UnaryOperator};
use hcl::template::{Element, Template};
use hcl::{Expression, ObjectKey};
use plinth_sdk::Value;

/// What a constant conversion reports when the expression is not a literal.
pub const NOT_CONSTANT: &str =
    "must be a literal value: references, function calls and operators are not allowed here";

/// Converts a literal expression straight from hcl-edit's parse tree: arrays, objects and
/// plain literals without building hcl-rs's tree first, whose objects find each key by a scan
/// of the keys before it (quadratic for the large maps of variables files); anything else is
/// converted and handed to [`constant_value`].
pub fn constant_value_of_parsed(expr: &hcl_edit::expr::Expression) -> Result<Value, String> {
    use hcl_edit::expr::{Expression as Parsed, ObjectKey as ParsedKey};
    match expr {
        Parsed::Null(_) => Ok(Value::Null),
        Parsed::Bool(b) => Ok(Value::Bool(*b.value())),
        Parsed::String(s) => Ok(Value::String(
            crate::eval::literal_text(s.value()).into_owned(),
        )),
        Parsed::Array(items) => items
            .iter()
            .map(constant_value_of_parsed)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List),
        Parsed::Object(object) => {
            let mut map = BTreeMap::new();
            for (key, value) in object.iter() {
                let key = match key {
                    ParsedKey::Ident(ident) => ident.as_str().to_string(),
                    ParsedKey::Expression(Parsed::String(s)) => s.value().clone(),
                    ParsedKey::Expression(other) => {
                        object_key(&ObjectKey::Expression(Expression::from(other.clone())))?
                    }
                };
                map.insert(key, constant_value_of_parsed(value.expr())?);
            }
            Ok(Value::Map(map))
        }
        other => constant_value(&Expression::from(other.clone())),
    }
}

/// Converts a literal expression to a value, or says why it is not one.
pub fn constant_value(expr: &Expression) -> Result<Value, String> {
    match expr {
        Expression::Null => Ok(Value::Null),
        Expression::Bool(b) => Ok(Value::Bool(*b)),
        Expression::Number(n) => number(n),
        Expression::String(s) => Ok(Value::String(crate::eval::literal_text(s).into_owned())),
        Expression::Array(items) => items
            .iter()
            .map(constant_value)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List),
        Expression::Object(object) => {
            let mut map = BTreeMap::new();
            for (key, value) in object {
                map.insert(object_key(key)?, constant_value(value)?);
            }
            Ok(Value::Map(map))
        }
        Expression::TemplateExpr(template) => literal_template(template).map(Value::String),
        Expression::FuncCall(call) => super::literals::exact_number(call)
            .map(Value::Number)
            .ok_or_else(|| NOT_CONSTANT.to_string()),
        Expression::Parenthesis(inner) => constant_value(inner),
        Expression::Operation(op) => match op.as_ref() {
            Operation::Unary(unary) => match (unary.operator, constant_value(&unary.expr)?) {
                (UnaryOperator::Neg, Value::Number(n)) => Ok(Value::Number(n.neg())),
                (UnaryOperator::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
                _ => Err(NOT_CONSTANT.to_string()),
            },
            Operation::Binary(_) => Err(NOT_CONSTANT.to_string()),
        },
        _ => Err(NOT_CONSTANT.to_string()),
    }
}

/// The string of a constant expression that must be a string (a literal or a template without
/// interpolations).
pub fn constant_string(expr: &Expression) -> Result<String, String> {
    match constant_value(expr)? {
        Value::String(s) => Ok(s),
        other => Err(format!(
            "a string is required, but got {}",
            other.type_name()
        )),
    }
}

/// The value of a constant expression that must be a bool.
pub fn constant_bool(expr: &Expression) -> Result<bool, String> {
    match constant_value(expr)? {
        Value::Bool(b) => Ok(b),
        Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
        other => Err(format!("a bool is required, but got {}", other.type_name())),
    }
}

/// The key of an object constructor as a string (`name`, `"name"`, `1`).
pub fn object_key(key: &ObjectKey) -> Result<String, String> {
    match key {
        ObjectKey::Identifier(ident) => Ok(ident.to_string()),
        ObjectKey::Expression(Expression::Variable(var)) => Ok(var.to_string()),
        ObjectKey::Expression(expr) => match constant_value(expr)? {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(format!(
                "an object key must be a string, but got {}",
                other.type_name()
            )),
        },
        _ => Err(NOT_CONSTANT.to_string()),
    }
}

fn number(n: &hcl::Number) -> Result<Value, String> {
    Ok(Value::Number(crate::eval::number_literal(n)))
}

fn literal_template(template: &TemplateExpr) -> Result<String, String> {
    let parsed = Template::from_expr(template).map_err(|e| e.to_string())?;
    let mut out = String::new();
    for element in parsed.elements() {
        match element {
            Element::Literal(text) => out.push_str(&crate::eval::literal_text(text)),
            _ => return Err(NOT_CONSTANT.to_string()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(src: &str) -> Result<Value, String> {
        let expr: Expression = src.parse().map_err(|e: hcl::Error| e.to_string())?;
        constant_value(&expr)
    }

    #[test]
    fn literals_lists_and_objects_convert() {
        assert_eq!(value_of("-3.5"), Ok(Value::from(-3.5)));
        assert_eq!(value_of("-(2)"), Ok(Value::from(-2i64)));
        assert_eq!(value_of("null"), Ok(Value::Null));
        assert_eq!(
            value_of(r#"{ a = [1, "x", true], "b c" = {} }"#),
            Ok(Value::object([
                (
                    "a",
                    Value::List(vec![Value::from(1i64), Value::from("x"), Value::Bool(true)])
                ),
                ("b c", Value::Map(BTreeMap::new())),
            ]))
        );
    }

    #[test]
    fn templates_without_interpolation_are_strings() {
        assert_eq!(value_of(r#""a\nb $${x}""#), Ok(Value::from("a\nb ${x}")));
        assert_eq!(value_of("<<EOT\nhello\nEOT"), Ok(Value::from("hello\n")));
    }

    #[test]
    fn references_calls_and_operators_are_rejected() {
        for src in [
            "var.x",
            "\"a${var.x}\"",
            "max(1, 2)",
            "1 + 2",
            "[for x in y : x]",
        ] {
            assert_eq!(value_of(src), Err(NOT_CONSTANT.to_string()), "{src}");
        }
    }
}
