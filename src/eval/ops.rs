//! Unary and binary operators with Terraform's semantics: arithmetic and comparison on numbers
//! (numeric strings convert), `==`/`!=` on any values (values whose types the expressions show
//! to differ, a list and a tuple, are unequal), `&&`/`||` on both sides, unknowns giving
//! unknown unless the other side settles the result, and sensitive marks carried to the result.

use hcl::expr::{BinaryOperator, Operation, TraversalOperator, UnaryOperator};
use plinth_sdk::{Number, NumberError, Type, Value};

use super::expr::{to_bool, Evaluator};
use super::static_type::{static_type, TypeScope};
use super::traversal::mark;
use super::EvalError;

/// Which side of a binary operator an operand is on, for messages.
#[derive(Clone, Copy)]
enum Side {
    Left,
    Right,
    Only,
}

impl Side {
    fn describe(self) -> &'static str {
        match self {
            Side::Left => "left operand",
            Side::Right => "right operand",
            Side::Only => "unary operand",
        }
    }
}

impl Evaluator<'_> {
    /// Evaluates a unary or binary operation.
    pub(super) fn eval_operation(&mut self, operation: &Operation) -> Result<Value, EvalError> {
        match operation {
            Operation::Unary(op) => {
                let (operand, marked) = self.eval(&op.expr)?.unmark_deep();
                if matches!(operand, Value::Unknown) {
                    return Ok(mark(Value::Unknown, marked));
                }
                let result = match op.operator {
                    UnaryOperator::Neg => Value::Number(number(&operand, Side::Only)?.neg()),
                    UnaryOperator::Not => Value::Bool(!boolean(&operand, Side::Only)?),
                };
                Ok(mark(result, marked))
            }
            Operation::Binary(op) => match op.operator {
                BinaryOperator::And | BinaryOperator::Or => self.eval_logical(
                    op.operator == BinaryOperator::And,
                    &op.lhs_expr,
                    &op.rhs_expr,
                ),
                operator => {
                    let (lhs, lhs_marked) = self.eval(&op.lhs_expr)?.unmark_deep();
                    let (rhs, rhs_marked) = self.eval(&op.rhs_expr)?.unmark_deep();
                    let mut result = binary(operator, &lhs, &rhs)?;
                    // Equal collections (or ones with unknown elements) may still be of different
                    // types (a list and a tuple), which are never equal.
                    let unequal = Value::Bool(operator == BinaryOperator::NotEq);
                    if matches!(operator, BinaryOperator::Eq | BinaryOperator::NotEq)
                        && result != unequal
                        && matches!(lhs, Value::List(_) | Value::Map(_))
                        && types_differ(&op.lhs_expr, &op.rhs_expr)
                    {
                        result = unequal;
                    }
                    Ok(mark(result, lhs_marked || rhs_marked))
                }
            },
        }
    }

    /// `&&` and `||` as Terraform evaluates them: both operands always (an error or a null on
    /// either side fails the operation, whatever the other side), an unknown operand settled by
    /// a known `false` (`&&`) or `true` (`||`) on the other side.
    fn eval_logical(
        &mut self,
        is_and: bool,
        lhs: &hcl::Expression,
        rhs: &hcl::Expression,
    ) -> Result<Value, EvalError> {
        let settling = !is_and;
        let (lhs, lhs_marked) = self.eval(lhs)?.unmark_deep();
        let (rhs, rhs_marked) = self.eval(rhs)?.unmark_deep();
        let operand = |value: Value, side: Side| match value {
            Value::Unknown => Ok(None),
            other => boolean(&other, side).map(Some),
        };
        let (lhs, rhs) = (operand(lhs, Side::Left)?, operand(rhs, Side::Right)?);
        let result = match (lhs, rhs) {
            (Some(l), Some(r)) => Value::Bool(if is_and { l && r } else { l || r }),
            (Some(known), None) | (None, Some(known)) if known == settling => Value::Bool(settling),
            _ => Value::Unknown,
        };
        Ok(mark(result, lhs_marked || rhs_marked))
    }
}

/// Whether the two expressions' types, as far as they tell without references, are known and
/// different (`tolist([1])` and `[1]`: a list and a tuple, which Terraform never finds equal).
fn types_differ(lhs: &hcl::Expression, rhs: &hcl::Expression) -> bool {
    let (lhs, rhs) = (
        static_type(lhs, &NoReferences),
        static_type(rhs, &NoReferences),
    );
    !mentions_any(&lhs) && !mentions_any(&rhs) && lhs != rhs
}

/// Knows no reference's type.
struct NoReferences;

impl TypeScope for NoReferences {
    fn reference_type(&self, _: &str, _: &[TraversalOperator]) -> Option<(Type, usize)> {
        None
    }
}

fn mentions_any(ty: &Type) -> bool {
    match ty {
        Type::Any => true,
        Type::List(t) | Type::Set(t) | Type::Map(t) => mentions_any(t),
        Type::Tuple(ts) => ts.iter().any(mentions_any),
        Type::Object(attrs) => attrs.values().any(|a| mentions_any(&a.ty)),
        _ => false,
    }
}

/// Applies a binary operator (other than `&&`/`||`) to unmarked operands.
fn binary(operator: BinaryOperator, lhs: &Value, rhs: &Value) -> Result<Value, EvalError> {
    if matches!(operator, BinaryOperator::Eq | BinaryOperator::NotEq) {
        if lhs.contains_unknown() || rhs.contains_unknown() {
            return Ok(Value::Unknown);
        }
        let equal = lhs == rhs;
        return Ok(Value::Bool(if operator == BinaryOperator::Eq {
            equal
        } else {
            !equal
        }));
    }
    if matches!(lhs, Value::Unknown) || matches!(rhs, Value::Unknown) {
        return Ok(Value::Unknown);
    }
    let left = number(lhs, Side::Left)?;
    let right = number(rhs, Side::Right)?;
    let arithmetic = |result: Result<Number, NumberError>| {
        result.map(Value::Number).map_err(|_| {
            EvalError::new(
                "Operation failed",
                "Error during operation: can't divide zero by zero or infinity by infinity.",
            )
        })
    };
    let result = match operator {
        BinaryOperator::Plus => arithmetic(left.add(&right))?,
        BinaryOperator::Minus => arithmetic(left.sub(&right))?,
        BinaryOperator::Mul => arithmetic(left.mul(&right))?,
        BinaryOperator::Div => arithmetic(left.div(&right))?,
        BinaryOperator::Mod => arithmetic(left.rem(&right))?,
        BinaryOperator::Less => Value::Bool(left < right),
        BinaryOperator::LessEq => Value::Bool(left <= right),
        BinaryOperator::Greater => Value::Bool(left > right),
        BinaryOperator::GreaterEq => Value::Bool(left >= right),
        BinaryOperator::Eq | BinaryOperator::NotEq | BinaryOperator::And | BinaryOperator::Or => {
            return Err(EvalError::new(
                "Unsupported operator",
                format!("The operator {} is not supported here.", operator.as_str()),
            ))
        }
    };
    Ok(result)
}

fn number(value: &Value, side: Side) -> Result<Number, EvalError> {
    let converted = match value {
        Value::Number(n) => Some(n.clone()),
        Value::String(s) => Number::parse(s),
        _ => None,
    };
    converted.ok_or_else(|| unsuitable(value, side, "number"))
}

/// Terraform's error for an operand of the wrong kind: a null operand fails the operation, a
/// string that does not convert needs "a number"/"a bool", anything else "number"/"bool".
fn unsuitable(value: &Value, side: Side, kind: &str) -> EvalError {
    if value.is_null() {
        return EvalError::new(
            "Operation failed",
            "Error during operation: argument must not be null.",
        );
    }
    let why = if matches!(value, Value::String(_)) {
        format!("a {kind} is required")
    } else {
        format!("{kind} required")
    };
    EvalError::new(
        "Invalid operand",
        format!("Unsuitable value for {}: {why}.", side.describe()),
    )
}

fn boolean(value: &Value, side: Side) -> Result<bool, EvalError> {
    to_bool(value).ok_or_else(|| unsuitable(value, side, "bool"))
}
