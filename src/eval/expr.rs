//! The evaluator: walks hcl-rs's expression tree and produces a `Value`, resolving references
//! through the `Scope` and names bound by `for` expressions through its own local bindings.

use std::collections::BTreeMap;

use hcl::expr::{Conditional, ObjectKey, Traversal, TraversalOperator};
use hcl::Expression;
use plinth_sdk::{convert, describe_mismatch, type_of, unify, Value};

use super::traversal::{mark, navigate, Step};
use super::{EvalError, Scope};

/// How many leading names of a reference are gathered without a heap allocation.
const SHORT_REFERENCE: usize = 8;

/// Evaluates expressions against a scope plus a stack of local names (innermost last).
pub(super) struct Evaluator<'s> {
    pub(super) scope: &'s dyn Scope,
    locals: Vec<(String, Value)>,
}

impl<'s> Evaluator<'s> {
    /// An evaluator with no local names bound.
    pub(super) fn new(scope: &'s dyn Scope) -> Evaluator<'s> {
        Evaluator {
            scope,
            locals: Vec::new(),
        }
    }

    /// Evaluates one expression.
    pub(super) fn eval(&mut self, expr: &Expression) -> Result<Value, EvalError> {
        match expr {
            Expression::Null => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b)),
            Expression::Number(n) => Ok(Value::Number(super::number_literal(n))),
            Expression::String(s) => Ok(Value::String(super::literal_text(s).into_owned())),
            Expression::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.eval(item)?);
                }
                Ok(Value::List(values))
            }
            Expression::Object(entries) => self.eval_object(entries),
            Expression::TemplateExpr(template) => self.eval_template_expr(template),
            Expression::Variable(variable) => self.eval_reference(variable.as_str(), &[]),
            Expression::Traversal(traversal) => self.eval_traversal(traversal),
            Expression::FuncCall(call) => self.eval_call(call),
            Expression::Parenthesis(inner) => self.eval(inner),
            Expression::Conditional(conditional) => self.eval_conditional(conditional),
            Expression::Operation(operation) => self.eval_operation(operation),
            Expression::ForExpr(for_expr) => self.eval_for(for_expr),
            other => Err(EvalError::new(
                "Unsupported expression",
                format!("plinth cannot evaluate {other}."),
            )),
        }
    }

    fn eval_object(
        &mut self,
        entries: &hcl::expr::Object<ObjectKey, Expression>,
    ) -> Result<Value, EvalError> {
        let mut map = BTreeMap::new();
        let mut marked = false;
        let mut unknown_key = false;
        for (key, value_expr) in entries {
            let key = match key {
                ObjectKey::Identifier(ident) => ident.as_str().to_string(),
                ObjectKey::Expression(Expression::Variable(variable)) => {
                    variable.as_str().to_string()
                }
                ObjectKey::Expression(expr) => {
                    let (key, key_marked) = self.eval(expr)?.unmark_deep();
                    marked |= key_marked;
                    match key {
                        Value::String(s) => s,
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Unknown => {
                            unknown_key = true;
                            continue;
                        }
                        Value::Null => {
                            return Err(EvalError::new(
                                "Null value as key",
                                "Can't use a null value as a key.",
                            ))
                        }
                        _ => {
                            return Err(EvalError::new(
                                "Incorrect key type",
                                "Can't use this value as a key: string required.",
                            ))
                        }
                    }
                }
                _ => {
                    return Err(EvalError::new(
                        "Unsupported object key",
                        "plinth cannot evaluate this kind of object key.",
                    ))
                }
            };
            let value = self.eval(value_expr)?;
            map.insert(key, value);
        }
        if unknown_key {
            return Ok(mark(Value::Unknown, marked));
        }
        Ok(mark(Value::Map(map), marked))
    }

    /// A conditional: both results are evaluated, as Terraform does, so that their types can be
    /// unified (a failing result that is not chosen is ignored); the chosen one is converted to
    /// the unified type, or the two types are refused.
    fn eval_conditional(&mut self, conditional: &Conditional) -> Result<Value, EvalError> {
        let (condition, marked) = self.eval(&conditional.cond_expr)?.unmark_deep();
        let chosen_true = match condition {
            Value::Unknown => return Ok(mark(Value::Unknown, marked)),
            Value::Null => {
                return Err(EvalError::new(
                    "Null condition",
                    "The condition value is null. Conditions must either be true or false.",
                ))
            }
            other => match to_bool(&other) {
                Some(chosen) => chosen,
                None => {
                    return Err(EvalError::new(
                        "Incorrect condition type",
                        "The condition expression must be of type bool.",
                    ))
                }
            },
        };
        let (chosen, other) = if chosen_true {
            (&conditional.true_expr, &conditional.false_expr)
        } else {
            (&conditional.false_expr, &conditional.true_expr)
        };
        let value = self.eval(chosen)?;
        let Ok(other) = self.eval(other) else {
            return Ok(mark(value, marked));
        };
        let (chosen_type, other_type) = (type_of(&value), type_of(&other));
        let (true_type, false_type) = if chosen_true {
            (&chosen_type, &other_type)
        } else {
            (&other_type, &chosen_type)
        };
        let Some(unified) = unify(&[true_type.clone(), false_type.clone()]) else {
            return Err(EvalError::new(
                "Inconsistent conditional result types",
                format!(
                    "The true and false result expressions must have consistent types. {}",
                    describe_mismatch(true_type, false_type)
                ),
            ));
        };
        let value = if unified == chosen_type {
            value
        } else {
            convert(value, &unified).map_err(|why| {
                EvalError::new(
                    "Inconsistent conditional result types",
                    format!(
                        "The true and false result expressions must have consistent types. {why}."
                    ),
                )
            })?
        };
        Ok(mark(value, marked))
    }

    fn eval_traversal(&mut self, traversal: &Traversal) -> Result<Value, EvalError> {
        let mut steps = Vec::with_capacity(traversal.operators.len());
        for operator in &traversal.operators {
            steps.push(match operator {
                TraversalOperator::GetAttr(name) => Step::Attr(name.as_str()),
                TraversalOperator::Index(key) => Step::Index(self.eval(key)?),
                TraversalOperator::LegacyIndex(position) => {
                    Step::Index(Value::from(*position as i64))
                }
                TraversalOperator::AttrSplat => Step::AttrSplat,
                TraversalOperator::FullSplat => Step::FullSplat,
            });
        }
        match &traversal.expr {
            Expression::Variable(variable) => self.eval_reference(variable.as_str(), &steps),
            root => {
                let value = self.eval(root)?;
                navigate(&value, &steps)
            }
        }
    }

    /// Evaluates the reference `root` followed by `steps`: a local name first, else the scope.
    fn eval_reference(&mut self, root: &str, steps: &[Step]) -> Result<Value, EvalError> {
        if let Some((_, value)) = self.locals.iter().rev().find(|(name, _)| name == root) {
            return navigate(value, steps);
        }
        // The leading names, on the stack for the usual short references.
        let attrs = steps.iter().map_while(|step| match step {
            Step::Attr(name) => Some(*name),
            _ => None,
        });
        let mut short = [""; SHORT_REFERENCE];
        let long: Vec<&str>;
        let count = 1 + attrs.clone().count();
        let names: &[&str] = if count <= SHORT_REFERENCE {
            short[0] = root;
            for (slot, name) in short[1..].iter_mut().zip(attrs) {
                *slot = name;
            }
            &short[..count]
        } else {
            long = std::iter::once(root).chain(attrs).collect();
            &long
        };
        let scope = self.scope;
        if let Some(resolved) = scope.resolve_ref(names) {
            let (value, consumed) = resolved.map_err(scope_error)?;
            return navigate(value, &steps[consumed.clamp(1, names.len()) - 1..]);
        }
        let (value, consumed) = scope.resolve(names).map_err(scope_error)?;
        let rest = &steps[consumed.clamp(1, names.len()) - 1..];
        if rest.is_empty() {
            Ok(value)
        } else {
            navigate(&value, rest)
        }
    }

    /// Binds local names (from a `for`) on top of the stack, returning the stack depth to
    /// restore with [`Evaluator::unbind`].
    pub(super) fn bind(&mut self, names: &[&str]) -> usize {
        let depth = self.locals.len();
        self.locals
            .extend(names.iter().map(|name| (name.to_string(), Value::Null)));
        depth
    }

    /// Sets the value of the local bound at stack position `slot`.
    pub(super) fn set_local(&mut self, slot: usize, value: Value) {
        if let Some(local) = self.locals.get_mut(slot) {
            local.1 = value;
        }
    }

    /// Removes the locals bound since `depth`.
    pub(super) fn unbind(&mut self, depth: usize) {
        self.locals.truncate(depth);
    }
}

/// A bool from a bool or the strings "true"/"false" (Terraform's conversion).
pub(super) fn to_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// Turns a scope's message into an error: the first line is the summary, the rest the detail.
fn scope_error(message: String) -> EvalError {
    match message.split_once('\n') {
        Some((summary, detail)) => EvalError::new(summary, detail),
        None => EvalError {
            summary: message,
            detail: None,
        },
    }
}
