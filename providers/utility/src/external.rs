//! The `external` provider: the `external` data source runs `program` (in `working_dir`), writes
//! `query` to its standard input as a JSON object of strings and reads a JSON object of strings
//! from its standard output into `result`, as Terraform's does. A failing program's error
//! shows its standard error.

use std::process::Stdio;
use std::sync::Arc;

use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Context, DataSource, Diagnostic, Diagnostics, FnFactory, Provider, ProviderFactory,
    ReadDataResponse, Registry, Schema, Type, Value,
};
use tokio::io::AsyncWriteExt;

use crate::common::{entries, string, string_map, strings, NoConfiguration};

struct External;

fn make() -> Box<dyn Provider> {
    Box::new(Registry::new("external", NoConfiguration).data_source(External))
}

/// The factory of the built-in `external` provider.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new("external", make))
}

fn failed(summary: &str, detail: String) -> Diagnostics {
    Diagnostic::error(summary).with_detail(detail).into()
}

/// Runs the program with the query; returns its result object.
async fn run(
    program: &[String],
    working_dir: Option<String>,
    query: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, Diagnostics> {
    let Some((name, args)) = program.split_first() else {
        return Err(failed(
            "External Program Missing",
            "The data source was configured without a program to execute. Verify the \
             configuration contains at least one non-empty value."
                .into(),
        ));
    };
    let mut command = tokio::process::Command::new(name);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(dir) = working_dir.filter(|d| !d.is_empty()) {
        command.current_dir(dir);
    }
    let mut child = command.spawn().map_err(|e| {
        failed(
            "External Program Lookup Failed",
            format!(
                "The data source received an unexpected error while attempting to find the \
                 program.\n\nProgram: {name}\nError: {e}"
            ),
        )
    })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A program that does not read its input may close it early: that is not an error.
        let _ = stdin.write_all(query.as_bytes()).await;
    }
    let output = child.wait_with_output().await.map_err(|e| {
        failed(
            "External Program Execution Failed",
            format!("Program: {name}\nError: {e}"),
        )
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let message = if stderr.trim().is_empty() {
            output.status.to_string()
        } else {
            stderr.trim_end().to_string()
        };
        return Err(failed(
            "External Program Execution Failed",
            format!(
                "The data source received an unexpected error while attempting to execute the \
                 program.\n\nProgram: {name}\nError Message: {message}\nState: {}",
                output.status
            ),
        ));
    }
    let unexpected = |detail: String| {
        failed(
            "Unexpected External Program Results",
            format!(
                "The data source received unexpected results after executing the program.\n\n\
                 Program output must be a JSON encoded map of string keys and string values.\n\n\
                 If the error is unclear, the output can be viewed by enabling Terraform's \
                 logging at TRACE level.\n\nProgram: {name}\nResult Error: {detail}"
            ),
        )
    };
    match serde_json::from_slice::<serde_json::Value>(&output.stdout) {
        Ok(serde_json::Value::Object(result)) => Ok(result),
        Ok(other) => Err(unexpected(format!(
            "a JSON {} is not an object",
            kind(&other)
        ))),
        Err(e) => Err(unexpected(e.to_string())),
    }
}

fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

#[async_trait]
impl DataSource<()> for External {
    fn type_name(&self) -> &str {
        "external"
    }

    fn schema(&self) -> Schema {
        let strings = || Type::Map(Box::new(Type::String));
        Schema::new()
            .attr(
                "program",
                Attribute::required(Type::list(Type::String))
                    .describe("The program and its arguments."),
            )
            .attr(
                "working_dir",
                Attribute::optional(Type::String)
                    .describe("Where the program runs (default: the current directory)."),
            )
            .attr(
                "query",
                Attribute::optional(strings())
                    .describe("Strings passed to the program as a JSON object on its input."),
            )
            .attr(
                "result",
                Attribute::computed(strings())
                    .describe("The JSON object of strings the program printed."),
            )
            .attr("id", Attribute::computed(Type::String))
            .describe("Runs a program that speaks JSON.")
    }

    async fn read(&self, _: &(), _: &Context, config: Value) -> ReadDataResponse {
        let mut object = entries(config);
        let program = strings(&object, "program");
        let query = serde_json::to_string(&string_map(&object, "query")).unwrap_or_default();
        let result = match run(&program, string(&object, "working_dir"), &query).await {
            Ok(result) => result,
            Err(diagnostics) => return diagnostics.into(),
        };
        let mut values = std::collections::BTreeMap::new();
        for (key, value) in result {
            let serde_json::Value::String(text) = value else {
                return failed(
                    "Unexpected External Program Results",
                    format!(
                        "Program output must be a JSON encoded map of string keys and string \
                         values: {key:?} is a {}.\n\nProgram: {}",
                        kind(&value),
                        program.first().map(String::as_str).unwrap_or_default()
                    ),
                )
                .into();
            };
            values.insert(key, Value::String(text));
        }
        object.insert("result".into(), Value::Map(values));
        object.insert("id".into(), Value::from("-"));
        ReadDataResponse {
            state: Some(Value::Map(object)),
            ..ReadDataResponse::default()
        }
    }
}
