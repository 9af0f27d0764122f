//! Expression evaluation over plinth's `Value` (with unknowns and sensitive marks), the
//! function library, and the evaluation of whole bodies against a schema.
//!
//! `eval` knows nothing of graphs or state: every reference is answered by a [`Scope`].
//! Unknown values propagate through every construct; sensitive marks are stripped from operands,
//! the result computed, and re-marked when any operand was marked.

mod body;
mod calls;
mod expr;
mod for_expr;
pub mod functions;
mod ops;
mod redact;
mod references;
pub mod static_type;
mod template;
mod template_calls;
mod traversal;

#[cfg(test)]
mod test_scope;
#[cfg(test)]
mod tests_body;
#[cfg(test)]
mod tests_expr;
#[cfg(test)]
mod tests_references;
#[cfg(test)]
mod tests_template;

use std::collections::BTreeMap;
use std::fmt;

use plinth_sdk::Value;

pub use body::{body_references, eval_body};
pub use calls::unknown_function;
pub use redact::redact_diagnostics;
pub use references::{references, unknown_functions};

/// The number an HCL literal stands for, at the 512 bits of precision Terraform reads
/// literals with. The parser hands over integers exactly and other literals as the nearest
/// float64, whose shortest decimal form is the literal's own digits for every literal of up to
/// 15 significant digits.
pub fn number_literal(n: &hcl::Number) -> plinth_sdk::Number {
    if let Some(i) = n.as_i64() {
        return plinth_sdk::Number::with_prec(i, plinth_sdk::TEXT_PRECISION);
    }
    if let Some(u) = n.as_u64() {
        return plinth_sdk::Number::parse(&u.to_string())
            .unwrap_or_else(|| plinth_sdk::Number::from_i64(i64::MAX));
    }
    let float = n.as_f64().unwrap_or_default();
    plinth_sdk::Number::parse(&format!("{float}"))
        .or_else(|| plinth_sdk::Number::from_f64(float))
        .unwrap_or_else(|| plinth_sdk::Number::from_i64(0))
}

/// A string literal as Terraform reads it: normalised to Unicode NFC (`"e\u0301"` is `"é"`).
/// Only literal text is normalised, never values computed from it.
pub fn literal_text(text: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.nfc().collect())
    }
}

/// Answers references while evaluating an expression.
pub trait Scope {
    /// Resolves the leading names of a reference: for `var.region` it gets `["var", "region"]`,
    /// for `aws_subnet.public[0].id` it gets `["aws_subnet", "public", "id"]` (the consecutive
    /// attribute names from the start; index steps end the list). It returns the value and how
    /// many of the names it consumed (`var.region` → 2; `aws_subnet.public` → 2, the value being
    /// the whole resource: a list for count, a map for for_each, an object otherwise); the
    /// evaluator applies the remaining steps itself. An unknown reference is an `Err` with a
    /// message such as `Reference to undeclared resource "aws_subnet" "public"`; a message of
    /// several lines becomes an error whose summary is the first line and detail the rest.
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String>;

    /// Resolves like [`Scope::resolve`] but lends the value instead of returning a copy, so the
    /// evaluator clones only the part a traversal selects (`aws_subnet.public[0].id` then copies
    /// one string, not every subnet). Scopes that keep their values in memory should implement
    /// it; the default returns None and the evaluator calls [`Scope::resolve`].
    fn resolve_ref(&self, _names: &[&str]) -> Option<Result<(&Value, usize), String>> {
        None
    }

    /// Whether the expression is evaluated for a plan: impure functions (`uuid`, `timestamp`,
    /// `bcrypt`) then return an unknown value, known only after apply.
    fn planning(&self) -> bool {
        false
    }

    /// Calls the provider-defined function `provider::PROVIDER::FUNCTION` with fully known
    /// arguments; None when the scope knows no such function (the call is then an error).
    fn provider_function(
        &self,
        _provider: &str,
        _function: &str,
        _args: &[Value],
    ) -> Option<Result<Value, EvalError>> {
        None
    }
}

/// An evaluation error: a summary and an optional detail.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    /// One line saying what is wrong.
    pub summary: String,
    /// More explanation.
    pub detail: Option<String>,
}

impl EvalError {
    /// An error with a summary and a detail.
    pub fn new(summary: impl Into<String>, detail: impl Into<String>) -> EvalError {
        EvalError {
            summary: summary.into(),
            detail: Some(detail.into()),
        }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "{}: {detail}", self.summary),
            None => write!(f, "{}", self.summary),
        }
    }
}

impl std::error::Error for EvalError {}

/// Evaluates an expression. References are answered by `scope`; names bound by `for`
/// expressions and template `for` directives shadow it.
pub fn evaluate(expr: &hcl::Expression, scope: &dyn Scope) -> Result<Value, EvalError> {
    expr::Evaluator::new(scope).eval(expr)
}

/// Evaluates the text of a template file (as `templatefile` does): the only names it can refer
/// to are the keys of `vars`. Backslashes are literal; `$${` and `%%{` escape.
pub fn evaluate_template_str(
    text: &str,
    vars: &BTreeMap<String, Value>,
) -> Result<Value, EvalError> {
    let template = template::parse_template_text(text)?;
    let scope = VarsScope { vars };
    expr::Evaluator::new(&scope).eval_template(&template)
}

/// The scope of a template file: only the variables passed to it.
struct VarsScope<'v> {
    vars: &'v BTreeMap<String, Value>,
}

impl Scope for VarsScope<'_> {
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        self.lookup(names)
            .map(|(value, consumed)| (value.clone(), consumed))
    }

    fn resolve_ref(&self, names: &[&str]) -> Option<Result<(&Value, usize), String>> {
        Some(self.lookup(names))
    }
}

impl VarsScope<'_> {
    fn lookup(&self, names: &[&str]) -> Result<(&Value, usize), String> {
        let name = names.first().copied().unwrap_or_default();
        match self.vars.get(name) {
            Some(value) => Ok((value, 1)),
            None => Err(format!(
                "Invalid reference\nThe vars map does not contain key \"{name}\"."
            )),
        }
    }
}
