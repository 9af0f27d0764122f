//! The `local-exec` provisioner: runs a command on the machine running plinth (through
//! `interpreter`, by default `/bin/sh -c`, in `working_dir` with extra `environment`), streaming
//! its standard output and error line by line.

use std::process::Stdio;

use plinth_sdk::{Attribute, Context, Diagnostic, Schema, Type, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

use super::output::Output;

/// The arguments of `local-exec`.
pub fn schema() -> Schema {
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

/// Streams one pipe's lines to the output, keeping them for the error message.
async fn stream(pipe: impl AsyncRead + Unpin, output: &Output) -> Vec<String> {
    let mut lines = BufReader::new(pipe).lines();
    let mut kept = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        output.line(&line);
        kept.push(line);
    }
    kept
}

/// Runs one `local-exec` provisioner with its evaluated (unmarked) arguments.
pub async fn run(ctx: &Context, arguments: &Value, output: &Output) -> Result<(), Diagnostic> {
    let get = |name: &str| arguments.get(name).filter(|v| !v.is_null());
    let command = get("command").and_then(Value::as_str).unwrap_or_default();
    let interpreter: Vec<String> = match get("interpreter").and_then(Value::as_list) {
        Some(items) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
        _ => vec!["/bin/sh".into(), "-c".into()],
    };
    let shown = if output.suppressed() {
        "(sensitive value)".to_string()
    } else {
        output.redact(command)
    };
    if output.suppressed() {
        output.announce_suppression();
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
    };
    let mut child = process.spawn().map_err(|e| failed(e.to_string()))?;
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let run = async {
        let (out, err) = tokio::join!(
            async {
                match stdout {
                    Some(pipe) => stream(pipe, output).await,
                    None => Vec::new(),
                }
            },
            async {
                match stderr {
                    Some(pipe) => stream(pipe, output).await,
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
    let text = output.redact(&[out, err].concat().join("\n"));
    Err(failed(format!("{code}. Output: {text}")))
}
