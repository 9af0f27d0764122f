//! Expression evaluation over plinth's `Value` (with unknowns and sensitive marks), the
//! function library, and the evaluation of whole bodies against a schema.
//!
//! `eval` knows nothing of graphs or state: every reference is answered by a [`Scope`].

pub mod functions;

use plinth_sdk::Value;

/// Answers references while evaluating an expression.
pub trait Scope {
    /// Resolves the leading names of a reference: for `var.region` it gets `["var", "region"]`,
    /// for `aws_subnet.public[0].id` it gets `["aws_subnet", "public", "id"]` (the consecutive
    /// attribute names from the start; index steps end the list). It returns the value and how
    /// many of the names it consumed (`var.region` → 2; `aws_subnet.public` → 2, the value being
    /// the whole resource: a list for count, a map for for_each, an object otherwise); the
    /// evaluator applies the remaining steps itself. An unknown reference is an `Err` with a
    /// message such as `Reference to undeclared resource "aws_subnet" "public"`.
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String>;
}

/// An evaluation error: a summary and an optional detail.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    /// One line saying what is wrong.
    pub summary: String,
    /// More explanation.
    pub detail: Option<String>,
}

// TEMPORARY: replaced by the evaluator branch.
/// Evaluates an expression.
pub fn evaluate(_expr: &hcl::Expression, _scope: &dyn Scope) -> Result<Value, EvalError> {
    Err(EvalError { summary: "unimplemented".into(), detail: None })
}
/// References of an expression.
pub fn references(_expr: &hcl::Expression) -> Vec<Vec<String>> {
    Vec::new()
}
/// Evaluates a body.
pub fn eval_body(
    _body: &crate::config::Body,
    _schema: &plinth_sdk::Schema,
    _scope: &dyn Scope,
    _span: &plinth_sdk::Span,
) -> Result<Value, plinth_sdk::Diagnostics> {
    Ok(Value::Null)
}
