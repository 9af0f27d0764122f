//! Provisioners: a resource's `local-exec`, `file` and `remote-exec` provisioners run after its
//! object is created (or, with `when = destroy`, before it is destroyed). Arguments and
//! `connection` blocks may refer to the object as `self`; destroy-time ones may refer to nothing
//! else but `count.index` and `each.key`. Output is streamed line by line under
//! `ADDRESS (KIND):` with secrets redacted (see [`output`]). A failure with `on_failure = fail`
//! fails the operation (a created object is then tainted by the caller); with `continue` it is
//! reported as a warning. This module knows no transport: `remote` works through a
//! [`communicator::Communicator`], of which `ssh` is the one plinth has.

mod communicator;
mod connection;
mod local_exec;
mod output;
mod remote;
mod ssh;

use plinth_sdk::{Context, Diagnostic, Diagnostics, Schema, Severity, Span, Value};
use plinth_state::addr::{InstanceAddr, InstanceKey};

use crate::apply::progress::Printer;
use crate::config::{Body, Module, OnFailure, Provisioner, Resource, When};
use crate::eval::{self, Scope};
use output::Output;

/// What a destroy-time provisioner may refer to.
const DESTROY_REFERENCES: &str = "Destroy-time provisioners may only reference attributes of the related resource, via 'self', 'count.index', or 'each.key'.";

/// A scope where `self` is the object; other names come from `inner` (creation-time) or, for
/// destroy-time provisioners, only `count.index` and `each.key` from the instance key.
pub struct SelfScope<'a> {
    object: &'a Value,
    inner: Option<&'a dyn Scope>,
    key: Option<InstanceKey>,
}

impl Scope for SelfScope<'_> {
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        if names[0] == "self" {
            return Ok((self.object.clone(), 1));
        }
        if let Some(inner) = self.inner {
            return inner.resolve(names);
        }
        match (names[0], names.get(1).copied(), &self.key) {
            ("count", Some("index"), Some(InstanceKey::Int(i))) => Ok((Value::int(*i), 2)),
            ("each", Some("key"), Some(InstanceKey::Str(k))) => Ok((Value::from(k.as_str()), 2)),
            _ => Err(DESTROY_REFERENCES.into()),
        }
    }
}

/// Runs the provisioners of `resource` that run `when`, in order, for the object `object` at
/// `address`. `inner` answers references besides `self` (None for destroy-time). Failures with
/// `on_failure = continue` come back as warnings; the first with `fail` stops and is an error.
pub async fn run(
    ctx: &Context,
    resource: &Resource,
    when: When,
    address: &str,
    object: &Value,
    inner: Option<&dyn Scope>,
    printer: Printer,
) -> Diagnostics {
    let key = address.parse::<InstanceAddr>().ok().and_then(|a| a.key);
    let scope = SelfScope { object, inner, key };
    let mut diagnostics = Diagnostics::new();
    for provisioner in resource.provisioners.iter().filter(|p| p.when == when) {
        printer.line(&format!(
            "{address}: Provisioning with '{}'...",
            provisioner.kind
        ));
        let Err(errors) = provision(ctx, provisioner, &scope, address, object, printer).await
        else {
            continue;
        };
        if provisioner.on_failure == OnFailure::Continue {
            for d in errors.0 {
                diagnostics.push(Diagnostic {
                    severity: Severity::Warning,
                    ..d
                });
            }
            continue;
        }
        diagnostics.extend(errors);
        break;
    }
    diagnostics
}

/// Runs one provisioner: evaluates its arguments (and connection), then does its work. Errors
/// name the address and point at the provisioner block.
async fn provision(
    ctx: &Context,
    provisioner: &Provisioner,
    scope: &dyn Scope,
    address: &str,
    object: &Value,
    printer: Printer,
) -> Result<(), Diagnostics> {
    let kind = provisioner.kind.as_str();
    let schema = match kind {
        "local-exec" => local_exec::schema(),
        "file" => remote::file_schema(),
        _ => remote::remote_exec_schema(),
    };
    let arguments = evaluate(
        &provisioner.body,
        &schema,
        scope,
        &provisioner.span,
        address,
    )?;
    let mut output = Output::new(
        printer,
        address,
        kind,
        object,
        arguments.contains_sensitive(),
    );
    let (arguments, _) = arguments.unmark_deep();
    let located = |d: Diagnostic| {
        let span = d.span.clone().unwrap_or_else(|| provisioner.span.clone());
        Diagnostics::from(d.with_span(span).with_address(address))
    };
    if kind == "local-exec" {
        return local_exec::run(ctx, &arguments, &output)
            .await
            .map_err(located);
    }
    let Some(block) = &provisioner.connection else {
        return Err(located(Diagnostic::error(
            "Missing connection configuration for provisioner",
        )));
    };
    let value = evaluate(
        &block.body,
        &connection::schema(),
        scope,
        &block.span,
        address,
    )?;
    let settings = connection::Settings::from_value(value).map_err(|why| {
        located(
            Diagnostic::error("Invalid connection")
                .with_detail(why)
                .with_span(block.span.clone()),
        )
    })?;
    output.add_secrets(settings.secrets());
    let work = remote::run(kind, &arguments, &settings, &output);
    tokio::select! {
        done = work => done.map_err(located),
        _ = ctx.cancel.cancelled() => Err(located(
            Diagnostic::error(format!("{kind} provisioner error")).with_detail("interrupted"),
        )),
    }
}

/// Evaluates a provisioner's body or connection block against its schema.
fn evaluate(
    body: &Body,
    schema: &Schema,
    scope: &dyn Scope,
    span: &Span,
    address: &str,
) -> Result<Value, Diagnostics> {
    eval::eval_body(body, schema, scope, span).map_err(|d| d.with_address(address))
}

/// The resource block of an instance address, when the configuration still has it.
pub fn configured<'c>(root: &'c Module, address: &str) -> Option<&'c Resource> {
    let addr: InstanceAddr = address.parse().ok()?;
    let mut module = root;
    for step in &addr.module {
        module = &module
            .module_calls
            .iter()
            .find(|c| c.name == step.name)?
            .module;
    }
    module.resources.iter().find(|r| {
        r.type_name == addr.type_name
            && r.name == addr.name
            && (r.mode == crate::config::Mode::Data) == (addr.mode == plinth_state::Mode::Data)
    })
}

/// Whether a resource has provisioners that run `when`.
pub fn has(resource: &Resource, when: When) -> bool {
    resource.provisioners.iter().any(|p| p.when == when)
}
