//! `for` expressions (`[for k, v in xs : v if cond]`, `{for k, v in m : k => v...}`) and the
//! iteration over a collection they share with template `for` directives and dynamic blocks.

use std::collections::BTreeMap;

use hcl::expr::ForExpr;
use plinth_sdk::Value;

use super::expr::{to_bool, Evaluator};
use super::traversal::mark;
use super::EvalError;

/// The (key, value) pairs of a collection: list elements keyed by index, set elements by
/// themselves, map entries by key. None when the value is not a collection.
pub(super) fn collection_pairs(collection: Value) -> Option<Vec<(Value, Value)>> {
    match collection {
        Value::List(items) => Some(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::from(i as i64), v))
                .collect(),
        ),
        Value::Set(items) => Some(items.into_iter().map(|v| (v.clone(), v)).collect()),
        Value::Map(map) => Some(
            map.into_iter()
                .map(|(k, v)| (Value::String(k), v))
                .collect(),
        ),
        _ => None,
    }
}

/// The result of a `for` under construction.
enum Collected {
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Grouped(BTreeMap<String, Vec<Value>>),
}

impl Evaluator<'_> {
    /// Evaluates a `for` expression.
    pub(super) fn eval_for(&mut self, for_expr: &ForExpr) -> Result<Value, EvalError> {
        let collection = self.eval(&for_expr.collection_expr)?;
        let (collection, marked) = match collection {
            Value::Sensitive(inner) => (*inner, true),
            other => (other, false),
        };
        let pairs = match collection {
            Value::Unknown => return Ok(mark(Value::Unknown, marked)),
            Value::Null => {
                return Err(EvalError::new(
                    "Iteration over null value",
                    "A null value cannot be used as the collection in a 'for' expression.",
                ))
            }
            other => {
                let type_name = other.type_name();
                collection_pairs(other).ok_or_else(|| {
                    EvalError::new(
                        "Iteration over non-iterable value",
                        format!("A value of type {type_name} cannot be used as the collection in a 'for' expression."),
                    )
                })?
            }
        };
        let mut names = Vec::with_capacity(2);
        if let Some(key_var) = &for_expr.key_var {
            names.push(key_var.as_str());
        }
        names.push(for_expr.value_var.as_str());
        let depth = self.bind(&names);
        let result = self.collect_for(for_expr, pairs, depth);
        self.unbind(depth);
        Ok(mark(result?, marked))
    }

    fn collect_for(
        &mut self,
        for_expr: &ForExpr,
        pairs: Vec<(Value, Value)>,
        depth: usize,
    ) -> Result<Value, EvalError> {
        let has_key_var = for_expr.key_var.is_some();
        let mut collected = match (&for_expr.key_expr, for_expr.grouping) {
            (None, _) => Collected::List(Vec::with_capacity(pairs.len())),
            (Some(_), false) => Collected::Map(BTreeMap::new()),
            (Some(_), true) => Collected::Grouped(BTreeMap::new()),
        };
        let mut marked = false;
        for (key, value) in pairs {
            if has_key_var {
                self.set_local(depth, key);
                self.set_local(depth + 1, value);
            } else {
                self.set_local(depth, value);
            }
            if let Some(cond_expr) = &for_expr.cond_expr {
                let (condition, cond_marked) = self.eval(cond_expr)?.unmark_deep();
                marked |= cond_marked;
                match condition {
                    Value::Unknown => return Ok(mark(Value::Unknown, marked)),
                    Value::Null => {
                        return Err(EvalError::new(
                            "Condition is null",
                            "The value of the 'if' clause must not be null.",
                        ))
                    }
                    other => match to_bool(&other) {
                        Some(true) => {}
                        Some(false) => continue,
                        None => {
                            let why = if matches!(other, Value::String(_)) {
                                "a bool is required"
                            } else {
                                "bool required"
                            };
                            return Err(EvalError::new(
                                "Invalid 'for' condition",
                                format!("The 'if' clause value is invalid: {why}."),
                            ));
                        }
                    },
                }
            }
            let key =
                match &for_expr.key_expr {
                    Some(key_expr) => {
                        let (key, key_marked) = self.eval(key_expr)?.unmark_deep();
                        marked |= key_marked;
                        match key {
                            Value::String(s) => Some(s),
                            Value::Number(n) => Some(n.to_string()),
                            Value::Bool(b) => Some(b.to_string()),
                            Value::Unknown => return Ok(mark(Value::Unknown, marked)),
                            Value::Null => return Err(EvalError::new(
                                "Invalid object key",
                                "Key expression in 'for' expression must not produce a null value.",
                            )),
                            _ => return Err(EvalError::new(
                                "Invalid object key",
                                "The key expression produced an invalid result: string required.",
                            )),
                        }
                    }
                    None => None,
                };
            let value = self.eval(&for_expr.value_expr)?;
            match (&mut collected, key) {
                (Collected::List(items), _) => items.push(value),
                (Collected::Grouped(groups), Some(key)) => {
                    groups.entry(key).or_default().push(value)
                }
                (Collected::Map(map), Some(key)) => {
                    if map.contains_key(&key) {
                        return Err(EvalError::new(
                            "Duplicate object key",
                            format!(
                                "Two different items produced the key \"{key}\" in this 'for' expression. If duplicates \
                                 are expected, use the ellipsis (...) after the value expression to enable grouping by key."
                            ),
                        ));
                    }
                    map.insert(key, value);
                }
                (Collected::Map(_) | Collected::Grouped(_), None) => {}
            }
        }
        let result = match collected {
            Collected::List(items) => Value::List(items),
            Collected::Map(map) => Value::Map(map),
            Collected::Grouped(groups) => Value::Map(
                groups
                    .into_iter()
                    .map(|(k, v)| (k, Value::List(v)))
                    .collect(),
            ),
        };
        Ok(mark(result, marked))
    }
}
