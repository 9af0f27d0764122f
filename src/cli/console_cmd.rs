//! `plinth console`: evaluates expressions against the configuration's variables and locals and
//! the root module's objects in state, one expression per line, from a terminal or from
//! standard input when it is not one. Sensitive values print as `(sensitive value)`.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use plinth_sdk::{Diagnostic, Diagnostics, Value};
use plinth_state::{InstanceAddr, InstanceKey, Mode as StateMode, State};

use crate::cli::args::VarArgs;
use crate::cli::{diagnostics, setup, Failure, Outcome};
use crate::config::Mode;
use crate::engine::expand::Binding;
use crate::engine::results::{InstanceScope, Results};
use crate::eval::{self, EvalError};

/// `plinth console [-var ...]`.
pub fn console(vars: &VarArgs, color: bool) -> Outcome {
    let loaded = setup::load_configuration()?;
    let sources = loaded.config.sources.clone();
    let backend = setup::backend(&loaded.config).map_err(|d| Failure {
        diagnostics: d,
        sources: sources.clone(),
    })?;
    let state = setup::load_state(&backend, &None)?;
    let (variables, _) = setup::variables(&loaded.config, vars).map_err(|d| Failure {
        diagnostics: d,
        sources: sources.clone(),
    })?;
    let results = Results::default();
    for (name, value) in variables {
        results.set_variable("", &name, value);
    }
    record_state(&results, &state);
    let module_dir = PathBuf::from(".");
    let workspace = setup::workspace();
    let providers = setup::providers();
    let scope = InstanceScope {
        results: &results,
        module: "",
        config: &loaded.config.root,
        binding: &Binding::None,
        module_dir: &module_dir,
        workspace: &workspace,
        planning: false,
        providers: &providers,
    };
    record_locals(&results, &loaded.config.root, &scope);
    let interactive = std::io::stdin().is_terminal();
    let mut failed = false;
    let mut line = String::new();
    let stdin = std::io::stdin();
    loop {
        if interactive {
            crate::out!("> ");
        }
        line.clear();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        if interactive && (text == "exit" || text == "quit") {
            break;
        }
        match evaluate_line(text, &scope) {
            Ok(value) => crate::outln!("{}", show(&value)),
            Err(error) => {
                failed = true;
                let diag = Diagnostic::error(error.summary).with_detail(
                    error
                        .detail
                        .unwrap_or_else(|| format!("in the expression {text:?}")),
                );
                crate::err!(
                    "{}",
                    diagnostics::render(&Diagnostics::from(diag), &BTreeMap::new(), color)
                );
            }
        }
    }
    Ok(if failed && !interactive { 1 } else { 0 })
}

/// Parses one line as an expression and evaluates it.
fn evaluate_line(text: &str, scope: &InstanceScope<'_>) -> Result<Value, EvalError> {
    let body: hcl::Body = hcl::parse(&format!("value = {text}\n")).map_err(|e| {
        EvalError::new(
            "Invalid expression",
            format!("{text:?} is not an expression: {e}"),
        )
    })?;
    let Some(attribute) = body.attributes().next() else {
        return Err(EvalError::new(
            "Invalid expression",
            format!("{text:?} is not an expression"),
        ));
    };
    eval::evaluate(&attribute.expr, scope)
}

/// A value as the console prints it: sensitive parts hidden, unknowns named.
fn show(value: &Value) -> String {
    if value.contains_sensitive() {
        "(sensitive value)".to_string()
    } else if value.contains_unknown() {
        "(known after apply)".to_string()
    } else {
        value.to_string()
    }
}

/// Records the root module's objects in state as the values of their resources: an object, a
/// list (count) or a map (for_each); sensitive attributes marked as state recorded them.
fn record_state(results: &Results, state: &State) {
    type Instances = BTreeMap<Option<InstanceKey>, Value>;
    let mut resources: BTreeMap<(Mode, String, String), Instances> = BTreeMap::new();
    for (address, instance) in &state.instances {
        let Ok(addr) = address.parse::<InstanceAddr>() else {
            continue;
        };
        if !addr.module.is_empty() {
            continue;
        }
        let mode = match addr.mode {
            StateMode::Managed => Mode::Managed,
            StateMode::Data => Mode::Data,
        };
        let value = crate::plan::diff::mark_sensitive_opt(
            None,
            Value::from_json(&instance.attributes),
            &instance.sensitive_attributes,
        );
        resources
            .entry((mode, addr.type_name, addr.name))
            .or_default()
            .insert(addr.key, value);
    }
    for ((mode, type_name, name), instances) in resources {
        let value = match instances.keys().next() {
            Some(Some(InstanceKey::Int(_))) => Value::List(instances.into_values().collect()),
            Some(Some(InstanceKey::Str(_))) => Value::Map(
                instances
                    .into_iter()
                    .filter_map(|(key, v)| match key {
                        Some(InstanceKey::Str(k)) => Some((k, v)),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => instances.into_values().next().unwrap_or(Value::Null),
        };
        results.set_resource("", mode, &type_name, &name, value);
    }
}

/// Evaluates the root module's locals, each once the locals it uses are known (a local that
/// cannot be evaluated is left out, so referring to it says why).
fn record_locals(results: &Results, module: &crate::config::Module, scope: &InstanceScope<'_>) {
    let mut pending: Vec<_> = module.locals.iter().collect();
    loop {
        let before = pending.len();
        pending.retain(|local| match eval::evaluate(&local.expr.expr, scope) {
            Ok(value) => {
                results.set_local("", &local.name, value);
                false
            }
            Err(_) => true,
        });
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
}
