//! Function calls: arguments are evaluated (a final `xs...` expands), unknown arguments give an
//! unknown result, marks are stripped and put back on the result. `can`, `try`, `sensitive`,
//! `nonsensitive` are handled here, `templatefile`, `templatestring` and `convert` in
//! `template_calls`; every other function is `functions::call`.

use hcl::expr::FuncCall;
use hcl::Expression;
use plinth_sdk::Value;

use super::expr::Evaluator;

/// Functions whose result differs on every call: unknown during a plan (as in Terraform), so a
/// saved plan never shows a value apply would not use.
const IMPURE: [&str; 3] = ["uuid", "timestamp", "bcrypt"];
use super::redact::{redact, sensitive_texts};
use super::traversal::mark;
use super::{functions, EvalError};

impl Evaluator<'_> {
    /// Evaluates a function call.
    pub(super) fn eval_call(&mut self, call: &FuncCall) -> Result<Value, EvalError> {
        if let Some(number) = crate::config::literals::exact_number(call) {
            return Ok(Value::Number(number));
        }
        let name = call.name.name.as_str();
        if !call.name.is_namespaced() && !call.expand_final {
            match name {
                "can" => return self.eval_can(&call.args),
                "try" => return self.eval_try(&call.args),
                "templatestring" => return self.eval_templatestring(&call.args),
                "convert" => return self.eval_convert(&call.args),
                _ => {}
            }
        }
        let full_name = if call.name.is_namespaced() {
            let namespace: Vec<&str> = call.name.namespace.iter().map(|ns| ns.as_str()).collect();
            // `core::NAME` is the built-in function NAME, as in Terraform.
            if namespace == ["core"] {
                if !functions::exists(name) && !CORE_SPECIALS.contains(&name) {
                    return Err(EvalError::new(
                        "Unknown provider function",
                        "The function namespace \"core\" is not valid. Provider function calls must use the \"provider::\" namespace prefix.",
                    ));
                }
                name.to_string()
            } else {
                let mut parts = namespace;
                parts.push(name);
                parts.join("::")
            }
        } else {
            name.to_string()
        };
        let args = match self.eval_args(call)? {
            Some(args) => args,
            None => return Ok(Value::Unknown),
        };
        if self.scope.planning() && IMPURE.contains(&full_name.as_str()) {
            return Ok(Value::Unknown);
        }
        match full_name.as_str() {
            "sensitive" => {
                let [value] = expect_args::<1>(&full_name, args)?;
                Ok(value.mark_sensitive())
            }
            "nonsensitive" => {
                let [value] = expect_args::<1>(&full_name, args)?;
                Ok(match value {
                    Value::Sensitive(inner) => *inner,
                    other => other,
                })
            }
            "issensitive" => {
                let [value] = expect_args::<1>(&full_name, args)?;
                Ok(Value::Bool(value.is_sensitive()))
            }
            // plinth has no ephemeral values yet, so every value passes through unchanged.
            "ephemeralasnull" => {
                let [value] = expect_args::<1>(&full_name, args)?;
                Ok(value)
            }
            _ => {
                let provider_function = full_name
                    .strip_prefix("provider::")
                    .and_then(|rest| rest.split_once("::"));
                if let Some((provider, function)) = provider_function {
                    if args.iter().any(Value::contains_unknown) {
                        let marked = args.iter().any(Value::contains_sensitive);
                        return Ok(mark(Value::Unknown, marked));
                    }
                    if let Some(result) = self.scope.provider_function(provider, function, &args) {
                        return result;
                    }
                }
                call_library(&full_name, args)
            }
        }
    }

    /// Evaluates the arguments, expanding a final `xs...`; None when the expanded argument is
    /// unknown (so is the result).
    fn eval_args(&mut self, call: &FuncCall) -> Result<Option<Vec<Value>>, EvalError> {
        let mut args = Vec::with_capacity(call.args.len());
        for arg in &call.args {
            args.push(self.eval(arg)?);
        }
        if call.expand_final {
            let Some(last) = args.pop() else {
                return Err(EvalError::new(
                    "Invalid expanding argument value",
                    "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                ));
            };
            let (last, marked) = match last {
                Value::Sensitive(inner) => (*inner, true),
                other => (other, false),
            };
            match last {
                Value::Unknown => return Ok(None),
                Value::List(items) | Value::Set(items) => {
                    args.extend(items.into_iter().map(|item| mark(item, marked)));
                }
                _ => {
                    return Err(EvalError::new(
                        "Invalid expanding argument value",
                        "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                    ))
                }
            }
        }
        Ok(Some(args))
    }

    /// `can(expr)`: whether `expr` evaluates without error (unknown while its value is unknown).
    fn eval_can(&mut self, args: &[Expression]) -> Result<Value, EvalError> {
        let [expr] = args else {
            return Err(argument_count("can", 1, args.len()));
        };
        Ok(match self.eval(expr) {
            Ok(value) if value.contains_unknown() => Value::Unknown,
            Ok(_) => Value::Bool(true),
            Err(error) if is_static(&error) => return Err(error),
            Err(_) => Value::Bool(false),
        })
    }

    /// `try(a, b, ...)`: the first argument that evaluates without error. An argument whose
    /// value is still unknown gives unknown, since it might fail once known.
    fn eval_try(&mut self, args: &[Expression]) -> Result<Value, EvalError> {
        if args.is_empty() {
            return Err(EvalError::new(
                "Error in function call",
                "Call to function \"try\" failed: at least one argument is required.",
            ));
        }
        let mut failures = Vec::new();
        for arg in args {
            match self.eval(arg) {
                Ok(value) if value.contains_unknown() => return Ok(Value::Unknown),
                Ok(value) => return Ok(value),
                Err(error) if is_static(&error) => return Err(error),
                Err(error) => failures.push(format!("- {error}")),
            }
        }
        Err(EvalError::new(
            "Error in function call",
            format!(
                "Call to function \"try\" failed: no expression succeeded:\n{}",
                failures.join("\n")
            ),
        ))
    }
}

/// Whether an error is one Terraform finds before evaluating (a reference to a resource type
/// without a resource name), which `try` and `can` do not catch.
fn is_static(error: &EvalError) -> bool {
    error.summary == "Invalid reference"
}

/// Functions handled here rather than in the library, which `core::` also names.
const CORE_SPECIALS: &[&str] = &[
    "can",
    "try",
    "sensitive",
    "nonsensitive",
    "issensitive",
    "ephemeralasnull",
    "templatefile",
    "templatestring",
    "convert",
];

/// Whether `name` (not namespaced) is a function the evaluator can call.
pub(super) fn is_function(name: &str) -> bool {
    functions::exists(name) || CORE_SPECIALS.contains(&name)
}

/// The diagnostic for a call of a function that does not exist (with a "Did you mean").
pub fn unknown_function(name: &str) -> EvalError {
    let mut known = functions::names();
    known.extend(CORE_SPECIALS);
    let hint = crate::config::checks::suggestion(name, &known);
    EvalError::new(
        "Call to unknown function",
        format!("There is no function named \"{name}\".{hint}"),
    )
}

/// Calls a library function with fully known arguments, stripping and restoring marks.
fn call_library(name: &str, args: Vec<Value>) -> Result<Value, EvalError> {
    if name != "templatefile" && !functions::exists(name) {
        if let Some(provider) = name.strip_prefix("provider::") {
            let (provider, function) = provider.split_once("::").unwrap_or((provider, ""));
            return Err(EvalError::new(
                "Unknown provider function",
                format!("There is no function named \"{name}\". Ensure that provider name \"{provider}\" is declared in this module's required_providers block, and that this provider offers a function named \"{function}\"."),
            ));
        }
        return Err(unknown_function(name));
    }
    if name != "templatefile" {
        functions::check_arity(name, args.len())
            .map_err(|(summary, detail)| EvalError::new(summary, detail))?;
    }
    if args.iter().any(Value::contains_unknown) {
        let marked = args.iter().any(Value::contains_sensitive);
        return Ok(mark(Value::Unknown, marked));
    }
    let secrets: Vec<String> = args.iter().flat_map(sensitive_texts).collect();
    let sensitive_string = matches!(args.first(), Some(Value::Sensitive(inner)) if matches!(**inner, Value::String(_)));
    let mut marked = false;
    let args: Vec<Value> = args
        .into_iter()
        .map(|arg| {
            let (arg, arg_marked) = arg.unmark_deep();
            marked |= arg_marked;
            arg
        })
        .collect();
    let result = if name == "templatefile" {
        super::template_calls::templatefile(args)
    } else {
        functions::call(name, args)
    };
    match result {
        Ok(value) => Ok(mark(value, marked)),
        // Terraform says which conversion failed without any part of the secret.
        Err(_) if sensitive_string && matches!(name, "tonumber" | "tobool") => Err(function_error(
            name,
            format!(
                "Invalid value for \"v\" parameter: cannot convert this sensitive string to {}.",
                &name[2..]
            ),
        )),
        Err(message) => Err(function_error(name, redact(message, &secrets))),
    }
}

/// Terraform's diagnostic for a failed call: an argument's fault (`Invalid value for "x"
/// parameter: ...`) is an invalid argument, anything else an error in the call.
fn function_error(name: &str, message: String) -> EvalError {
    if message.starts_with("Invalid value for ") {
        EvalError::new("Invalid function argument", message)
    } else if message.starts_with("Call to function ") {
        EvalError::new("Error in function call", message)
    } else {
        let message = message.trim_end_matches('.');
        EvalError::new(
            "Error in function call",
            format!("Call to function \"{name}\" failed: {message}."),
        )
    }
}

fn expect_args<const N: usize>(name: &str, args: Vec<Value>) -> Result<[Value; N], EvalError> {
    let given = args.len();
    <[Value; N]>::try_from(args).map_err(|_| argument_count(name, N, given))
}

fn argument_count(name: &str, expected: usize, given: usize) -> EvalError {
    let plural = if expected == 1 { "" } else { "s" };
    EvalError::new(
        "Invalid function argument",
        format!("Function \"{name}\" expects {expected} argument{plural}, but {given} were given."),
    )
}
