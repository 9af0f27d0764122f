//! A scope for the evaluator's tests: values stored under dotted names (`var.x`,
//! `aws_subnet.public`), resolved by the longest matching prefix of a reference.

use std::collections::BTreeMap;

use plinth_sdk::Value;

use super::{evaluate, EvalError, Scope};

/// Values by dotted name.
#[derive(Default)]
pub(super) struct TestScope {
    values: BTreeMap<String, Value>,
    /// Answer only through `resolve`, never lending values.
    copies_only: bool,
}

impl TestScope {
    /// A scope holding `pairs`.
    pub(super) fn with<'a>(pairs: impl IntoIterator<Item = (&'a str, Value)>) -> TestScope {
        TestScope {
            values: pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            copies_only: false,
        }
    }

    /// Parses and evaluates `source` in this scope.
    pub(super) fn eval(&self, source: &str) -> Result<Value, EvalError> {
        evaluate(&parse(source), self)
    }

    /// Evaluates `source`, failing the test on an error.
    pub(super) fn ok(&self, source: &str) -> Value {
        self.eval(source)
            .unwrap_or_else(|e| panic!("{source}: {e}"))
    }

    /// Evaluates `source`, failing the test unless it is an error.
    pub(super) fn err(&self, source: &str) -> EvalError {
        match self.eval(source) {
            Ok(value) => panic!("{source}: expected an error, got {value}"),
            Err(error) => error,
        }
    }
}

impl Scope for TestScope {
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        self.lookup(names)
            .map(|(value, consumed)| (value.clone(), consumed))
    }

    fn resolve_ref(&self, names: &[&str]) -> Option<Result<(&Value, usize), String>> {
        if self.copies_only {
            return None;
        }
        Some(self.lookup(names))
    }
}

impl TestScope {
    fn lookup(&self, names: &[&str]) -> Result<(&Value, usize), String> {
        for count in (1..=names.len()).rev() {
            if let Some(value) = self.values.get(&names[..count].join(".")) {
                return Ok((value, count));
            }
        }
        Err(format!(
            "Reference to undeclared name\nThere is nothing named \"{}\".",
            names.join(".")
        ))
    }

    /// The same scope answering only through [`Scope::resolve`] (as a scope that does not
    /// implement [`Scope::resolve_ref`]).
    pub(super) fn copies_only(mut self) -> TestScope {
        self.copies_only = true;
        self
    }
}

/// Parses an expression written in a test (as the value of an attribute, so heredocs work).
pub(super) fn parse(source: &str) -> hcl::Expression {
    let mut body = hcl_edit::parser::parse_body(&format!("x = {source}\n"))
        .unwrap_or_else(|e| panic!("{source}: {e}"));
    crate::config::literals::keep_exact_numbers_in_body(&mut body);
    match hcl::Body::from(body).into_attributes().next() {
        Some(attribute) => attribute.expr,
        None => panic!("{source}: no expression"),
    }
}

/// A list value.
pub(super) fn list(items: impl IntoIterator<Item = Value>) -> Value {
    Value::List(items.into_iter().collect())
}

/// A string value.
pub(super) fn s(text: &str) -> Value {
    Value::from(text)
}

/// A number value.
pub(super) fn n(number: f64) -> Value {
    Value::from(number)
}
