//! `check` blocks, evaluated once the walk of a plan or an apply is done: their scoped data
//! sources are read (errors become warnings), then each `assert` is evaluated where its module
//! instance's values are known. A failed assertion is a warning, never an error: checks never
//! fail a plan or an apply. An assertion still unknown while planning is checked by the apply.

use std::collections::BTreeMap;

use plinth_sdk::{Diagnostic, Diagnostics, ReadDataRequest, Severity, Value};

use crate::config::{Check, Mode, Module, Resource};
use crate::engine::expand::Binding;
use crate::engine::results::{InstanceScope, Results};
use crate::engine::walker::{Phase, Walk};
use crate::eval::{self, EvalError, Scope};
use crate::graph::default_provider;

/// Every check block's warnings, for the walk that produced `results`.
pub async fn run(walk: &Walk<'_>, results: &Results) -> Diagnostics {
    let mut warnings = Diagnostics::new();
    let mut modules = Vec::new();
    collect(&walk.config.root, Vec::new(), &mut modules);
    for (path, module) in modules {
        for mi in results.module_instances(&path) {
            let scope = InstanceScope {
                results,
                module: &mi,
                config: module,
                binding: &Binding::None,
                module_dir: &module.dir,
                workspace: walk.workspace,
                planning: walk.phase == Phase::Plan,
                providers: walk.providers,
            };
            for check in &module.checks {
                let address = if mi.is_empty() {
                    format!("check.{}", check.name)
                } else {
                    format!("{mi}.check.{}", check.name)
                };
                warnings.extend(run_one(walk, check, &scope, &address).await);
            }
        }
    }
    warnings
}

fn collect<'c>(module: &'c Module, path: Vec<String>, out: &mut Vec<(Vec<String>, &'c Module)>) {
    if !module.checks.is_empty() {
        out.push((path.clone(), module));
    }
    for call in &module.module_calls {
        let mut child = path.clone();
        child.push(call.name.clone());
        collect(&call.module, child, out);
    }
}

async fn run_one(walk: &Walk<'_>, check: &Check, scope: &dyn Scope, address: &str) -> Diagnostics {
    let mut warnings = Diagnostics::new();
    let mut data = BTreeMap::new();
    for resource in &check.data {
        match read(walk, resource, scope).await {
            Ok(value) => {
                data.insert((resource.type_name.clone(), resource.name.clone()), value);
            }
            Err(errors) => {
                for e in errors.0 {
                    warnings.push(as_warning(e, address));
                }
                // Assertions about a data source that could not be read are not evaluated.
                return warnings;
            }
        }
    }
    let scoped = Scoped { data, inner: scope };
    for assert in &check.asserts {
        let failed = |detail: String| {
            Diagnostic::warning("Check block assertion failed")
                .with_detail(detail)
                .with_span(assert.condition.span.clone())
                .with_address(address)
        };
        match eval::evaluate(&assert.condition.expr, &scoped) {
            Ok(v) => match v.unmarked() {
                Value::Bool(true) | Value::Unknown => {}
                Value::Bool(false) => {
                    let message = match eval::evaluate(&assert.error_message.expr, &scoped) {
                        Ok(Value::String(s)) => s,
                        Ok(Value::Sensitive(_)) => "The error message included a sensitive value, so it will not be displayed.".into(),
                        Ok(_) => "(the error message is not known yet)".into(),
                        Err(e) => e.to_string(),
                    };
                    warnings.push(failed(message));
                }
                other => warnings.push(failed(format!(
                    "Invalid condition result value: a bool is required, not {}.",
                    other.type_name()
                ))),
            },
            Err(e) => warnings.push(failed(e.to_string())),
        }
    }
    warnings
}

/// Reads one scoped data source; unknown when its configuration is not known yet.
async fn read(
    walk: &Walk<'_>,
    resource: &Resource,
    scope: &dyn Scope,
) -> Result<Value, Diagnostics> {
    let key = match &resource.provider {
        Some(p) => match &p.alias {
            Some(alias) => format!("{}.{alias}", p.name),
            None => p.name.clone(),
        },
        None => default_provider(&resource.type_name).to_string(),
    };
    let Some(schema) = walk
        .providers
        .resource_schema(&key, Mode::Data, &resource.type_name)
    else {
        return Err(Diagnostic::error("Invalid data source")
            .with_detail(format!(
                "The provider \"{key}\" does not support data source \"{}\".",
                resource.type_name
            ))
            .with_span(resource.span.clone())
            .into());
    };
    let config = eval::eval_body(&resource.body, &schema, scope, &resource.span)?;
    if config.contains_unknown() {
        return Ok(Value::Unknown);
    }
    walk.ensure_provider(&key).await?;
    let provider = walk.providers.get(&key).ok_or_else(|| {
        Diagnostics::from(Diagnostic::error(format!(
            "provider {key} is not configured"
        )))
    })?;
    let response = provider
        .read_data(
            &walk.providers.context(),
            ReadDataRequest {
                type_name: resource.type_name.clone(),
                config: config.unmark_deep().0,
            },
        )
        .await;
    if response.diagnostics.has_errors() {
        return Err(response.diagnostics);
    }
    Ok(response.state.unwrap_or(Value::Null))
}

/// An error of a check's data source, reported as a warning.
fn as_warning(mut e: Diagnostic, address: &str) -> Diagnostic {
    e.severity = Severity::Warning;
    e.address.get_or_insert_with(|| address.to_string());
    e
}

/// The check's scope: its data sources by type and name first, then the module instance's.
struct Scoped<'a> {
    data: BTreeMap<(String, String), Value>,
    inner: &'a dyn Scope,
}

impl Scope for Scoped<'_> {
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        if let ["data", type_name, name, ..] = names {
            if let Some(v) = self.data.get(&(type_name.to_string(), name.to_string())) {
                return Ok((v.clone(), 3));
            }
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
