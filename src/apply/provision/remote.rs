//! The `file` and `remote-exec` provisioners, as Terraform runs them, over any
//! [`Communicator`]. `file` copies `source` (a file, or a directory like `scp -r`) or `content`
//! to `destination`. `remote-exec` uploads its `inline` commands (as one script), its `script`
//! or each of its `scripts` to the connection's `script_path`, makes it executable and runs it;
//! a non-zero exit status is a failure.

use std::path::Path;

use plinth_sdk::{Attribute, Diagnostic, Schema, Type, Value};

use super::communicator::{self, Communicator};
use super::connection::Settings;
use super::output::Output;

/// Permissions of uploaded `content` and scripts before their `chmod`.
const FILE_MODE: u32 = 0o644;

/// The arguments of `file`.
pub fn file_schema() -> Schema {
    Schema::new()
        .attr("source", Attribute::optional(Type::String))
        .attr("content", Attribute::optional(Type::String))
        .attr("destination", Attribute::required(Type::String))
}

/// The arguments of `remote-exec`.
pub fn remote_exec_schema() -> Schema {
    let strings = || Type::List(Box::new(Type::String));
    Schema::new()
        .attr("inline", Attribute::optional(strings()))
        .attr("script", Attribute::optional(Type::String))
        .attr("scripts", Attribute::optional(strings()))
}

/// What a `file` provisioner copies.
enum Upload {
    Content(String),
    File(String),
    Directory(String),
}

/// Runs `file` or `remote-exec` (`kind`) with its evaluated (unmarked) arguments.
pub async fn run(
    kind: &str,
    arguments: &Value,
    settings: &Settings,
    output: &Output,
) -> Result<(), Diagnostic> {
    let failed = |why: String| {
        Diagnostic::error(format!("{kind} provisioner error")).with_detail(output.redact(&why))
    };
    let get = |name: &str| arguments.get(name).filter(|v| !v.is_null());
    let say = |line: &str| output.line(line);
    output.announce_suppression();
    if kind == "file" {
        let upload = file_upload(get("source"), get("content")).map_err(failed)?;
        let destination = get("destination")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut remote = communicator::connect(settings, &say)
            .await
            .map_err(failed)?;
        let done = match &upload {
            Upload::Content(text) => remote.upload(destination, text.as_bytes(), FILE_MODE).await,
            Upload::File(path) => match std::fs::read(path) {
                Ok(bytes) => remote.upload(destination, &bytes, FILE_MODE).await,
                Err(e) => Err(format!("reading {path}: {e}")),
            },
            Upload::Directory(path) => remote.upload_dir(Path::new(path), destination).await,
        };
        return done.map_err(|e| failed(format!("uploading to {destination}: {e}")));
    }
    let scripts = scripts(get("inline"), get("script"), get("scripts")).map_err(failed)?;
    let mut remote = communicator::connect(settings, &say)
        .await
        .map_err(failed)?;
    for script in scripts {
        run_script(remote.as_mut(), &settings.script_path, &script, &say)
            .await
            .map_err(failed)?;
    }
    Ok(())
}

/// Checks `source` and `content` (exactly one) and tells a directory from a file.
fn file_upload(source: Option<&Value>, content: Option<&Value>) -> Result<Upload, String> {
    match (
        source.and_then(Value::as_str),
        content.and_then(Value::as_str),
    ) {
        (Some(_), Some(_)) => Err("Cannot provide both \"source\" and \"content\".".into()),
        (None, None) => Err("Must provide one of \"source\" or \"content\".".into()),
        (None, Some(text)) => Ok(Upload::Content(text.to_string())),
        (Some(path), None) => match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Ok(Upload::Directory(path.to_string())),
            Ok(_) => Ok(Upload::File(path.to_string())),
            Err(e) => Err(format!("source {path}: {e}")),
        },
    }
}

/// The scripts to run: the `inline` commands joined into one, or the local files' contents.
fn scripts(
    inline: Option<&Value>,
    script: Option<&Value>,
    scripts: Option<&Value>,
) -> Result<Vec<String>, String> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_list()
            .unwrap_or_default()
            .iter()
            .map(|s| s.as_str().unwrap_or_default().to_string())
            .collect()
    };
    let read = |path: &str| {
        std::fs::read_to_string(path).map_err(|e| format!("reading script {path}: {e}"))
    };
    match (inline, script, scripts) {
        (Some(lines), None, None) => {
            let mut lines = strings(lines);
            if lines.iter().any(String::is_empty) {
                return Err("invalid empty string in \"inline\"".into());
            }
            lines.push(String::new());
            Ok(vec![lines.join("\n")])
        }
        (None, Some(path), None) => Ok(vec![read(path.as_str().unwrap_or_default())?]),
        (None, None, Some(paths)) => strings(paths).iter().map(|p| read(p)).collect(),
        _ => Err("Exactly one of \"inline\", \"script\" or \"scripts\" must be set.".into()),
    }
}

/// Uploads one script to `script_path`, makes it executable and runs it.
async fn run_script(
    remote: &mut dyn Communicator,
    script_path: &str,
    script: &str,
    say: &dyn Fn(&str),
) -> Result<(), String> {
    let path = script_path.replace("%RAND%", &random_number().to_string());
    let script = if script.starts_with("#!") {
        script.to_string()
    } else {
        format!("#!/bin/sh\n{script}")
    };
    remote
        .upload(&path, script.as_bytes(), FILE_MODE)
        .await
        .map_err(|e| format!("uploading the script to {path}: {e}"))?;
    let chmod = format!("chmod 0777 {}", shell_quote(&path));
    let ignore = |_: &str| {};
    match remote.run(&chmod, &ignore).await? {
        0 => {}
        code => {
            return Err(format!(
                "error executing {chmod:?}: Process exited with status {code}"
            ))
        }
    }
    match remote.run(&shell_quote(&path), say).await? {
        0 => Ok(()),
        code => Err(format!(
            "error executing {path:?}: Process exited with status {code}"
        )),
    }
}

/// A random non-negative 31-bit number, like Go's `rand.Int31` Terraform uses for `%RAND%`.
fn random_number() -> u32 {
    (uuid::Uuid::new_v4().as_u128() & 0x7fff_ffff) as u32
}

/// `text` quoted for a POSIX shell.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_commands_become_one_script_as_in_terraform() {
        let inline = Value::List(vec![Value::from("echo one"), Value::from("echo two")]);
        assert_eq!(
            scripts(Some(&inline), None, None).expect("script"),
            ["echo one\necho two\n"]
        );
        let both = scripts(Some(&inline), Some(&Value::from("x.sh")), None).unwrap_err();
        assert!(both.contains("Exactly one"), "{both}");
        let empty = Value::List(vec![Value::from("")]);
        assert!(scripts(Some(&empty), None, None).is_err());
    }

    #[test]
    fn file_needs_exactly_one_of_source_and_content() {
        let text = Value::from("x");
        assert!(file_upload(Some(&text), Some(&text)).is_err());
        assert!(file_upload(None, None).is_err());
        assert!(matches!(
            file_upload(None, Some(&text)),
            Ok(Upload::Content(c)) if c == "x"
        ));
    }

    #[test]
    fn shell_quoting_survives_quotes() {
        assert_eq!(shell_quote("/tmp/it's.sh"), "'/tmp/it'\\''s.sh'");
    }
}
