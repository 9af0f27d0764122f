//! Where ephemeral values may go (`ephemeral = true` on variables and child module outputs):
//! into locals, provider configurations, provisioners, write-only resource arguments and other
//! ephemeral variables and outputs, never into other resource arguments or ordinary outputs,
//! which plan files and state keep. Root module outputs cannot be ephemeral. Checked on the
//! references written, through locals; resource arguments once their schemas are known
//! ([`check_resources`]).

use std::collections::HashSet;

use plinth_sdk::{Diagnostic, Diagnostics, Schema};

use super::model::{Body, Expr, Module, Resource};
use crate::eval;

/// Reports every output and module input an ephemeral value would be kept in.
pub fn check(root: &Module, diags: &mut Diagnostics) {
    for output in root.outputs.iter().filter(|o| o.ephemeral) {
        diags.push(
            Diagnostic::error("Ephemeral output not allowed")
                .with_detail("Ephemeral outputs are not allowed in context of a root module: root module outputs are stored in state.")
                .with_span(output.span.clone()),
        );
    }
    check_module(root, diags);
}

fn check_module(module: &Module, diags: &mut Diagnostics) {
    let ephemeral = ephemeral_names(module);
    if !ephemeral.is_empty() {
        let uses = |expr: &Expr| refers_to_ephemeral(expr, &ephemeral);
        for output in module
            .outputs
            .iter()
            .filter(|o| !o.ephemeral && uses(&o.value))
        {
            diags.push(
                Diagnostic::error("Ephemeral value not allowed")
                    .with_detail("This output value is not declared as returning an ephemeral value, so it cannot be set to a result derived from an ephemeral value.")
                    .with_span(output.value.span.clone()),
            );
        }
        for call in &module.module_calls {
            for (name, expr) in &call.inputs {
                let accepts = call
                    .module
                    .variables
                    .iter()
                    .any(|v| &v.name == name && v.ephemeral);
                if !accepts && uses(expr) {
                    diags.push(
                        Diagnostic::error("Ephemeral value not allowed")
                            .with_detail(format!("The input variable \"{name}\" of module \"{}\" is not declared as accepting ephemeral values.", call.name))
                            .with_span(expr.span.clone()),
                    );
                }
            }
        }
    }
    for call in &module.module_calls {
        check_module(&call.module, diags);
    }
}

/// Reports every resource argument an ephemeral value would be kept in: any but the write-only
/// arguments of the resource's schema (`schema_of`; without one, every argument).
pub fn check_resources(
    module: &Module,
    schema_of: &dyn Fn(&Resource) -> Option<Schema>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let ephemeral = ephemeral_names(module);
    if !ephemeral.is_empty() {
        let uses = |expr: &Expr| refers_to_ephemeral(expr, &ephemeral);
        for resource in &module.resources {
            let mut found = Vec::new();
            let schema = schema_of(resource);
            body_uses(&resource.body, schema.as_ref(), &uses, &mut found);
            for span in found {
                diags.push(
                    Diagnostic::error("Invalid use of ephemeral value")
                        .with_detail("Ephemeral values are not valid in resource arguments, because resource instances must persist between plan and apply. Only write-only arguments accept them.")
                        .with_span(span),
                );
            }
        }
    }
    for call in &module.module_calls {
        diags.extend(check_resources(&call.module, schema_of));
    }
    diags
}

/// `var.x`, `local.y` and `module.m.out` that hold ephemeral values in `module`.
fn ephemeral_names(module: &Module) -> HashSet<String> {
    let mut names: HashSet<String> = module
        .variables
        .iter()
        .filter(|v| v.ephemeral)
        .map(|v| format!("var.{}", v.name))
        .collect();
    for call in &module.module_calls {
        for output in call.module.outputs.iter().filter(|o| o.ephemeral) {
            names.insert(format!("module.{}.{}", call.name, output.name));
        }
    }
    if names.is_empty() {
        return names;
    }
    let locals: Vec<(String, Vec<Vec<String>>)> = module
        .locals
        .iter()
        .map(|l| (format!("local.{}", l.name), eval::references(&l.expr.expr)))
        .collect();
    loop {
        let before = names.len();
        for (name, references) in &locals {
            if !names.contains(name) && references.iter().any(|r| is_ephemeral(r, &names)) {
                names.insert(name.clone());
            }
        }
        if names.len() == before {
            return names;
        }
    }
}

fn is_ephemeral(reference: &[String], names: &HashSet<String>) -> bool {
    match reference {
        [kind, name, ..] if kind == "var" || kind == "local" => {
            names.contains(&format!("{kind}.{name}"))
        }
        [kind, call, output, ..] if kind == "module" => {
            names.contains(&format!("module.{call}.{output}"))
        }
        _ => false,
    }
}

/// The spans of the expressions in `body` (of `schema`) that would keep ephemeral values.
/// Whether `expr` refers to any of the `ephemeral` names.
fn refers_to_ephemeral(expr: &Expr, ephemeral: &HashSet<String>) -> bool {
    eval::references(&expr.expr)
        .iter()
        .any(|names| is_ephemeral(names, ephemeral))
}

fn body_uses(
    body: &Body,
    schema: Option<&Schema>,
    uses: &dyn Fn(&Expr) -> bool,
    found: &mut Vec<plinth_sdk::Span>,
) {
    let write_only = |name: &str| {
        schema
            .and_then(|s| s.attributes.get(name))
            .is_some_and(|a| a.write_only)
    };
    let nested = |kind: &str| schema.and_then(|s| s.blocks.get(kind)).map(|b| &b.schema);
    for attr in body
        .attributes
        .iter()
        .filter(|a| !write_only(&a.name) && uses(&a.expr))
    {
        found.push(attr.expr.span.clone());
    }
    for block in &body.blocks {
        body_uses(&block.body, nested(&block.kind), uses, found);
    }
    for dynamic in &body.dynamic_blocks {
        if uses(&dynamic.for_each) {
            found.push(dynamic.for_each.span.clone());
        }
        body_uses(&dynamic.content, nested(&dynamic.kind), uses, found);
    }
}
