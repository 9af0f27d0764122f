//! Provisioners: a resource's `local-exec` provisioners run after its object is created (or,
//! with `when = destroy`, before it is destroyed). Arguments may refer to the object as `self`;
//! destroy-time ones may refer to nothing else but `count.index` and `each.key`. Output is
//! streamed line by line under `ADDRESS (local-exec):`, with the object's sensitive values
//! redacted, and suppressed entirely when the provisioner's own arguments are sensitive.
//! A failure with `on_failure = fail` fails the operation (a created object is then tainted by
//! the caller); with `continue` it is reported as a warning.

use std::process::Stdio;

use plinth_sdk::{Attribute, Context, Diagnostic, Diagnostics, Schema, Type, Value};
use plinth_state::addr::{InstanceAddr, InstanceKey};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

use crate::apply::progress::Printer;
use crate::config::{Module, OnFailure, Provisioner, Resource, When};
use crate::eval::{self, Scope};

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

/// The arguments of `local-exec`.
fn local_exec_schema() -> Schema {
    Schema::new()
        .attr("command", Attribute::required(Type::String))
        .attr(
            "interpreter",
            Attribute::optional(Type::List(Box::new(Type::String))),
        )
        .attr("working_dir", Attribute::optional(Type::String))
        .attr(
            "environment",
            Attribute::optional(Type::Map(Box::new(Type::String))),
        )
        .attr("quiet", Attribute::optional(Type::Bool))
}

/// Every sensitive string inside `value`, longest first (so overlapping secrets redact whole).
fn secrets(value: &Value, inside: bool, out: &mut Vec<String>) {
    match value {
        Value::Sensitive(inner) => secrets(inner, true, out),
        Value::String(s) if inside && !s.is_empty() => out.push(s.clone()),
        Value::List(items) | Value::Set(items) => {
            items.iter().for_each(|v| secrets(v, inside, out));
        }
        Value::Map(map) => map.values().for_each(|v| secrets(v, inside, out)),
        _ => {}
    }
}

/// Replaces every secret in `line`.
fn redact(line: &str, secrets: &[String]) -> String {
    secrets.iter().fold(line.to_string(), |line, secret| {
        line.replace(secret.as_str(), "(sensitive value)")
    })
}

/// Where a provisioner's output goes.
struct Output<'a> {
    printer: Printer,
    prefix: String,
    secrets: &'a [String],
    suppressed: bool,
}

impl Output<'_> {
    fn line(&self, text: &str) {
        if !self.suppressed {
            self.printer
                .line(&format!("{} {}", self.prefix, redact(text, self.secrets)));
        }
    }
}

/// Streams one pipe's lines to the output, keeping them for the error message.
async fn stream(pipe: impl AsyncRead + Unpin, output: &Output<'_>) -> Vec<String> {
    let mut lines = BufReader::new(pipe).lines();
    let mut kept = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        output.line(&line);
        kept.push(line);
    }
    kept
}

/// Runs one `local-exec` provisioner with its evaluated arguments.
async fn local_exec(
    ctx: &Context,
    address: &str,
    arguments: &Value,
    object: &Value,
    printer: Printer,
) -> Result<(), Diagnostic> {
    let mut secret_list = Vec::new();
    secrets(object, false, &mut secret_list);
    secret_list.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let sensitive_config = arguments.contains_sensitive();
    let (arguments, _) = arguments.clone().unmark_deep();
    let get = |name: &str| arguments.get(name).filter(|v| !v.is_null());
    let command = get("command").and_then(Value::as_str).unwrap_or_default();
    let interpreter: Vec<String> = match get("interpreter").and_then(Value::as_list) {
        Some(items) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
        _ => vec!["/bin/sh".into(), "-c".into()],
    };
    let output = Output {
        printer,
        prefix: format!("{address} (local-exec):"),
        secrets: &secret_list,
        suppressed: sensitive_config,
    };
    let shown = if sensitive_config {
        "(sensitive value)".to_string()
    } else {
        redact(command, &secret_list)
    };
    if sensitive_config {
        printer.line(&format!(
            "{} (output suppressed due to sensitive value in config)",
            output.prefix
        ));
    } else if get("quiet").and_then(Value::as_bool) == Some(true) {
        output.line("(command suppressed: quiet = true)");
    } else {
        let mut words: Vec<String> = interpreter.iter().map(|w| format!("{w:?}")).collect();
        words.push(format!("{shown:?}"));
        output.line(&format!("Executing: [{}]", words.join(" ")));
    }
    let mut process = tokio::process::Command::new(&interpreter[0]);
    process
        .args(&interpreter[1..])
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(dir) = get("working_dir").and_then(Value::as_str) {
        process.current_dir(dir);
    }
    if let Some(environment) = get("environment").and_then(Value::as_map) {
        for (name, value) in environment {
            process.env(name, value.as_str().unwrap_or_default());
        }
    }
    let failed = |why: String| {
        Diagnostic::error("local-exec provisioner error")
            .with_detail(format!("Error running command '{shown}': {why}"))
            .with_address(address)
    };
    let mut child = process.spawn().map_err(|e| failed(e.to_string()))?;
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let run = async {
        let (out, err) = tokio::join!(
            async {
                match stdout {
                    Some(pipe) => stream(pipe, &output).await,
                    None => Vec::new(),
                }
            },
            async {
                match stderr {
                    Some(pipe) => stream(pipe, &output).await,
                    None => Vec::new(),
                }
            }
        );
        (child.wait().await, out, err)
    };
    let (status, out, err) = tokio::select! {
        finished = run => finished,
        _ = ctx.cancel.cancelled() => return Err(failed("interrupted".into())),
    };
    let status = status.map_err(|e| failed(e.to_string()))?;
    if status.success() {
        return Ok(());
    }
    let code = status.code().map_or_else(
        || "killed by a signal".to_string(),
        |c| format!("exit status {c}"),
    );
    let text = if sensitive_config {
        "(output suppressed due to sensitive value in config)".to_string()
    } else {
        redact(&[out, err].concat().join("\n"), &secret_list)
    };
    Err(failed(format!("{code}. Output: {text}")))
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
        let result = match arguments(provisioner, &scope, address) {
            Ok(arguments) => local_exec(ctx, address, &arguments, object, printer)
                .await
                .map_err(Diagnostics::from),
            Err(d) => Err(d),
        };
        let Err(errors) = result else { continue };
        if provisioner.on_failure == OnFailure::Continue {
            for d in errors.0 {
                diagnostics.push(Diagnostic {
                    severity: plinth_sdk::Severity::Warning,
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

fn arguments(
    provisioner: &Provisioner,
    scope: &dyn Scope,
    address: &str,
) -> Result<Value, Diagnostics> {
    eval::eval_body(
        &provisioner.body,
        &local_exec_schema(),
        scope,
        &provisioner.span,
    )
    .map_err(|d| d.with_address(address))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_longest_first() {
        let object = Value::object([
            ("result", Value::from("hunter2-long").mark_sensitive()),
            (
                "nested",
                Value::object([("short", Value::from("hunter2"))]).mark_sensitive(),
            ),
            ("plain", Value::from("visible")),
        ]);
        let mut found = Vec::new();
        secrets(&object, false, &mut found);
        found.sort_by_key(|s| std::cmp::Reverse(s.len()));
        assert_eq!(found, ["hunter2-long", "hunter2"]);
        assert_eq!(
            redact("pw=hunter2-long and hunter2, visible", &found),
            "pw=(sensitive value) and (sensitive value), visible"
        );
    }
}
