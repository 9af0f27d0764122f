//! Checks of a configuration that need no state and no provider: for `plinth validate`.
//! Resource bodies against their schemas (unknown arguments and blocks with "did you mean",
//! read-only attributes set, required arguments missing, values of the wrong type, unknown
//! resource types), the schema's validators on values known without variables (literals), and
//! every expression evaluated with all references unknown (unknown functions, wrong arity,
//! invalid operations on literals).

use plinth_sdk::{Diagnostic, Diagnostics, Schema, Span, Value};

use crate::config::{Body, Config, Expr, Mode, Module, Resource};
use crate::engine::locate::locate;
use crate::engine::providers::Providers;
use crate::engine::validators;
use crate::eval::{self, Scope};
use crate::graph::default_provider;

/// Checks every resource and data block of the configuration.
pub fn check(config: &Config, providers: &Providers) -> Diagnostics {
    let mut diags = Diagnostics::new();
    check_module(&config.root, "", providers, &mut diags);
    check_expressions(&config.root, "", &mut diags);
    diags
}

/// A scope in which every reference is unknown.
struct AllUnknown;

impl Scope for AllUnknown {
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        Ok((Value::Unknown, names.len()))
    }

    /// Provider functions are checked when a plan calls them.
    fn provider_function(
        &self,
        _provider: &str,
        _function: &str,
        _args: &[Value],
    ) -> Option<Result<Value, eval::EvalError>> {
        Some(Ok(Value::Unknown))
    }
}

fn check_expr(expr: &Expr, address: &str, diags: &mut Diagnostics) {
    if let Err(e) = eval::evaluate(&expr.expr, &AllUnknown) {
        diags.push(crate::engine::walker::eval_error(e, &expr.span, address));
    }
}

fn check_body_expressions(body: &Body, address: &str, diags: &mut Diagnostics) {
    for a in &body.attributes {
        check_expr(&a.expr, address, diags);
    }
    for b in &body.blocks {
        check_body_expressions(&b.body, address, diags);
    }
    for d in &body.dynamic_blocks {
        check_expr(&d.for_each, address, diags);
        check_body_expressions(&d.content, address, diags);
    }
}

fn check_expressions(module: &Module, prefix: &str, diags: &mut Diagnostics) {
    for block in &module.providers {
        check_body_expressions(
            &block.body,
            &format!("{prefix}provider.{}", block.name),
            diags,
        );
    }
    for r in &module.resources {
        let data = if r.mode == Mode::Data { "data." } else { "" };
        let address = format!("{prefix}{data}{}.{}", r.type_name, r.name);
        for e in r.count.iter().chain(&r.for_each) {
            check_expr(e, &address, diags);
        }
        check_body_expressions(&r.body, &address, diags);
    }
    for l in &module.locals {
        check_expr(&l.expr, &format!("{prefix}local.{}", l.name), diags);
    }
    for o in &module.outputs {
        check_expr(&o.value, &format!("{prefix}output.{}", o.name), diags);
    }
    for call in &module.module_calls {
        let address = format!("{prefix}module.{}", call.name);
        for e in call
            .inputs
            .values()
            .chain(&call.count)
            .chain(&call.for_each)
        {
            check_expr(e, &address, diags);
        }
        check_expressions(&call.module, &format!("{address}."), diags);
    }
}

fn check_module(module: &Module, prefix: &str, providers: &Providers, diags: &mut Diagnostics) {
    for block in &module.providers {
        let address = match &block.alias {
            Some(alias) => format!("{prefix}provider.{}.{alias}", block.name),
            None => format!("{prefix}provider.{}", block.name),
        };
        // A provider nothing here knows is reported where a resource uses it.
        if let Some(schema) = providers.provider_schema(&block.name) {
            check_body(&block.body, &schema.provider, &block.span, &address, diags);
        }
    }
    for r in &module.resources {
        let provider = r
            .provider
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_else(|| default_provider(&r.type_name).to_string());
        let data = if r.mode == Mode::Data { "data." } else { "" };
        let address = format!("{prefix}{data}{}.{}", r.type_name, r.name);
        if !providers.has(&provider) {
            diags.push(
                Diagnostic::error(format!("Provider \"{provider}\" is not available"))
                    .with_detail(format!("No provider named \"{provider}\" is built into plinth; the providers are: {}.", providers.names().join(", ")))
                    .with_span(r.span.clone())
                    .with_address(&address),
            );
            continue;
        }
        match providers.resource_schema(&provider, r.mode, &r.type_name) {
            Some(schema) => {
                check_body(&r.body, &schema, &r.span, &address, diags);
                diags.extend(check_validators(r, &schema, &address));
            }
            None => {
                let kind = if r.mode == Mode::Data {
                    "data source"
                } else {
                    "resource type"
                };
                let known: Vec<String> = providers
                    .provider_schema(crate::engine::providers::Providers::name_of(&provider))
                    .map(|p| match r.mode {
                        Mode::Data => p.data_sources.keys().cloned().collect(),
                        Mode::Managed => p.resources.keys().cloned().collect(),
                    })
                    .unwrap_or_default();
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                diags.push(
                    Diagnostic::error(format!("Invalid {kind}"))
                        .with_detail(format!(
                            "The provider \"{provider}\" does not support {kind} \"{}\".{}",
                            r.type_name,
                            crate::config::checks::suggestion(&r.type_name, &known)
                        ))
                        .with_span(r.span.clone())
                        .with_address(&address),
                );
            }
        }
    }
    for call in &module.module_calls {
        check_module(
            &call.module,
            &format!("{prefix}module.{}.", call.name),
            providers,
            diags,
        );
    }
}

/// The schema's validators on the values known without variables or state (literals): what
/// plan would refuse anyway, located at the argument, a sensitive value never quoted.
fn check_validators(r: &Resource, schema: &Schema, address: &str) -> Diagnostics {
    // An argument that does not evaluate is reported by `check_expressions`.
    let Ok(config) = eval::eval_body(&r.body, schema, &AllUnknown, &r.span) else {
        return Diagnostics::new();
    };
    let invalid = validators::check(schema, &config).with_address(address);
    locate(invalid, &r.body, &r.span)
}

fn suggestion(name: &str, schema: &Schema) -> String {
    crate::config::checks::suggestion(name, &schema.names().collect::<Vec<_>>())
}

fn check_body(body: &Body, schema: &Schema, span: &Span, address: &str, diags: &mut Diagnostics) {
    for a in &body.attributes {
        match schema.attributes.get(&a.name) {
            None => diags.push(
                Diagnostic::error("Unsupported argument")
                    .with_detail(format!(
                        "An argument named \"{}\" is not expected here.{}",
                        a.name,
                        suggestion(&a.name, schema)
                    ))
                    .with_span(a.name_span.clone())
                    .with_address(address),
            ),
            Some(attr) if attr.computed && !attr.optional && !attr.required => diags.push(
                Diagnostic::error("Invalid or unknown key")
                    .with_detail(format!(
                        "\"{}\" is set by the provider and cannot be configured.",
                        a.name
                    ))
                    .with_span(a.name_span.clone())
                    .with_address(address),
            ),
            Some(attr) => {
                // Evaluation errors are reported by `check_expressions`; here only the type.
                let value = eval::evaluate(&a.expr.expr, &AllUnknown);
                if let Some(Err(message)) = value.ok().map(|v| plinth_sdk::convert(v, &attr.ty)) {
                    diags.push(
                        Diagnostic::error("Incorrect attribute value type")
                            .with_detail(format!(
                                "Inappropriate value for attribute \"{}\": {message}.",
                                a.name
                            ))
                            .with_span(a.expr.span.clone())
                            .with_address(address),
                    );
                }
            }
        }
    }
    for (name, attr) in &schema.attributes {
        if attr.required && !body.attributes.iter().any(|a| &a.name == name) {
            diags.push(
                Diagnostic::error("Missing required argument")
                    .with_detail(format!(
                        "The argument \"{name}\" is required, but no definition was found."
                    ))
                    .with_span(span.clone())
                    .with_address(address),
            );
        }
    }
    for b in &body.blocks {
        match schema.blocks.get(&b.kind) {
            Some(nested) => check_body(&b.body, &nested.schema, &b.span, address, diags),
            None => diags.push(
                Diagnostic::error("Unsupported block type")
                    .with_detail(format!(
                        "Blocks of type \"{}\" are not expected here.{}",
                        b.kind,
                        suggestion(&b.kind, schema)
                    ))
                    .with_span(b.span.clone())
                    .with_address(address),
            ),
        }
    }
    for d in &body.dynamic_blocks {
        match schema.blocks.get(&d.kind) {
            Some(nested) => check_body(&d.content, &nested.schema, &d.span, address, diags),
            None => diags.push(
                Diagnostic::error("Unsupported block type")
                    .with_detail(format!(
                        "Blocks of type \"{}\" are not expected here.{}",
                        d.kind,
                        suggestion(&d.kind, schema)
                    ))
                    .with_span(d.span.clone())
                    .with_address(address),
            ),
        }
    }
}
