//! Root variable values ready for a walk: the values `config::root_variables` resolved, checked
//! against each variable's `validation` rules (expressions, so evaluated here and not by the
//! configuration loader).

use std::collections::BTreeMap;
use std::path::Path;

use plinth_sdk::{Diagnostic, Diagnostics, Value};

use crate::config::{self, Module, VarOptions};
use crate::eval::{evaluate, Scope};

/// The value of every root variable, validated, with the warnings of resolving them.
pub fn root_variables(
    root: &Module,
    dir: &Path,
    opts: &VarOptions,
) -> Result<(BTreeMap<String, Value>, Diagnostics), Diagnostics> {
    let (values, mut diags) = config::root_variables(root, dir, opts)?;
    validate(root, &values, &mut diags);
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok((values, diags))
    }
}

/// Answers `var.<name>` from the resolved values while validating.
struct VariableScope<'a>(&'a BTreeMap<String, Value>);

impl Scope for VariableScope<'_> {
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        match names {
            ["var", name, ..] => self
                .0
                .get(*name)
                .map(|value| (value.clone(), 2))
                .ok_or_else(|| format!("Reference to undeclared input variable \"{name}\"")),
            _ => Err(format!(
                "A validation condition can refer only to input variables, not to \"{}\"",
                names.join(".")
            )),
        }
    }
}

fn validate(root: &Module, values: &BTreeMap<String, Value>, diags: &mut Diagnostics) {
    let scope = VariableScope(values);
    for variable in &root.variables {
        for rule in &variable.validations {
            let span = rule.condition.span.clone();
            let failed = match evaluate(&rule.condition.expr, &scope).map(|v| v.unmark_deep().0) {
                Ok(Value::Bool(true)) | Ok(Value::Unknown) => continue,
                Ok(Value::Bool(false)) => None,
                Ok(other) => Some(format!(
                    "The condition must be true or false, but it is {}.",
                    other.type_name()
                )),
                Err(e) => Some(match e.detail {
                    Some(detail) => format!("{}: {detail}", e.summary),
                    None => e.summary,
                }),
            };
            let detail = match failed {
                Some(problem) => format!(
                    "Invalid validation condition for var.{}: {problem}",
                    variable.name
                ),
                None => {
                    let message = match evaluate(&rule.error_message.expr, &scope)
                        .map(|v| v.unmark_deep().0)
                    {
                        Ok(Value::String(message)) => message,
                        _ => "The value is not valid.".to_string(),
                    };
                    format!("{message}\n\nThis was checked by the validation rule at {span}.")
                }
            };
            diags.push(
                Diagnostic::error("Invalid value for variable")
                    .with_detail(detail)
                    .with_span(span)
                    .with_address(format!("var.{}", variable.name)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_rules_report_their_error_message() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("main.tf"),
            "variable \"port\" {\n  type = number\n  validation {\n    condition     = var.port > 1024\n    error_message = \"The port must be above 1024.\"\n  }\n}\n",
        )
        .expect("write");
        let config = config::load(dir.path()).unwrap_or_else(|d| panic!("{d}"));
        let opts = |value: &str| VarOptions {
            cli: vec![config::CliVariable::Var(format!("port={value}"))],
            interactive: false,
        };
        let diags = root_variables(&config.root, dir.path(), &opts("80")).unwrap_err();
        assert_eq!(diags.0.len(), 1, "{diags}");
        assert_eq!(diags.0[0].summary, "Invalid value for variable");
        assert!(diags.0[0]
            .detail
            .as_deref()
            .unwrap_or("")
            .starts_with("The port must be above 1024."));
        assert_eq!(diags.0[0].span.as_ref().map(|s| s.line), Some(4));
        assert!(root_variables(&config.root, dir.path(), &opts("8080")).is_ok());
    }
}
