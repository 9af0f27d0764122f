//! `precondition` and `postcondition` blocks, checked by the walk of plan and apply alike:
//! a resource's or data source's preconditions before its instance is planned, applied or read,
//! its postconditions on the result (`self`), an output's preconditions before its value. A
//! condition still unknown while planning is checked again during apply.

use plinth_sdk::{Diagnostic, Diagnostics, Value};

use crate::config::{Expr, Validation};
use crate::engine::walker::eval_error;
use crate::eval::{self, EvalError, Scope};

/// Which conditions are checked: it names the failure as Terraform does.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A resource's or data source's `precondition`.
    ResourcePrecondition,
    /// A resource's or data source's `postcondition`.
    ResourcePostcondition,
    /// An output's `precondition`.
    OutputPrecondition,
}

impl Kind {
    fn failed(self) -> &'static str {
        match self {
            Kind::ResourcePrecondition => "Resource precondition failed",
            Kind::ResourcePostcondition => "Resource postcondition failed",
            Kind::OutputPrecondition => "Module output value precondition failed",
        }
    }
}

/// Checks `conditions` in `scope`: an error per condition that is false, naming `address` and
/// carrying the condition's span and its error message.
pub fn check(
    conditions: &[Validation],
    kind: Kind,
    scope: &dyn Scope,
    address: &str,
) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::new();
    for c in conditions {
        let span = &c.condition.span;
        let result = match eval::evaluate(&c.condition.expr, scope) {
            Ok(v) => v,
            Err(e) => {
                diags.push(eval_error(e, span, address));
                continue;
            }
        };
        let invalid = |why: &str| {
            Diagnostic::error("Invalid condition result")
                .with_detail(why.to_string())
                .with_span(span.clone())
                .with_address(address)
        };
        match result.unmarked() {
            Value::Unknown | Value::Bool(true) => {}
            Value::Bool(false) => {
                let message = error_message(c, scope, address)?;
                diags.push(
                    Diagnostic::error(kind.failed())
                        .with_detail(message)
                        .with_span(span.clone())
                        .with_address(address),
                );
            }
            Value::Null => diags.push(invalid(
                "Invalid condition result value: the condition value is null. Conditions must either be true or false.",
            )),
            other => diags.push(invalid(&format!(
                "Invalid condition result value: a bool is required, not {}.",
                other.type_name()
            ))),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(())
    }
}

/// The error message of a failed condition (hidden when it holds a sensitive value).
fn error_message(c: &Validation, scope: &dyn Scope, address: &str) -> Result<String, Diagnostics> {
    let value = eval::evaluate(&c.error_message.expr, scope)
        .map_err(|e| Diagnostics::from(eval_error(e, &c.error_message.span, address)))?;
    Ok(match &value {
        Value::Sensitive(_) => {
            "The error message included a sensitive value, so it will not be displayed.".into()
        }
        Value::String(s) => s.clone(),
        Value::Unknown => "(the error message is known only after apply)".into(),
        other => format!("{other:?}"),
    })
}

/// A scope where `self` is the object a postcondition checks; every other name comes from
/// the instance's own scope.
pub struct WithSelf<'a> {
    /// The planned, applied or read object.
    pub object: &'a Value,
    /// The instance's scope.
    pub inner: &'a dyn Scope,
}

impl Scope for WithSelf<'_> {
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        if names[0] == "self" {
            return Ok((self.object.clone(), 1));
        }
        self.inner.resolve(names)
    }

    fn planning(&self) -> bool {
        self.inner.planning()
    }

    fn provider_function(
        &self,
        provider: &str,
        function: &str,
        args: &[Value],
    ) -> Option<Result<Value, EvalError>> {
        self.inner.provider_function(provider, function, args)
    }
}

/// The value of `lifecycle { enabled = ... }` (OpenTofu): true when absent; it must be known
/// while planning.
pub fn enabled(expr: Option<&Expr>, scope: &dyn Scope, address: &str) -> Result<bool, Diagnostics> {
    let Some(expr) = expr else {
        return Ok(true);
    };
    let value = eval::evaluate(&expr.expr, scope)
        .map_err(|e| Diagnostics::from(eval_error(e, &expr.span, address)))?;
    let why = match value.unmarked() {
        Value::Bool(on) => return Ok(*on),
        Value::Unknown => "The \"enabled\" value depends on values known only after apply: it must be known while planning.".to_string(),
        Value::Null => "The \"enabled\" value must be true or false, not null.".to_string(),
        other => format!("The \"enabled\" value must be a bool, not {}.", other.type_name()),
    };
    Err(Diagnostic::error("Invalid enabled value")
        .with_detail(why)
        .with_span(expr.span.clone())
        .with_address(address)
        .into())
}
