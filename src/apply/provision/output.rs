//! Where a provisioner's output goes: one line at a time under `ADDRESS (KIND):`, with every
//! secret (the object's sensitive values, the connection's passwords and keys) replaced by
//! "(sensitive value)", and nothing at all when the provisioner's own arguments are sensitive.

use plinth_sdk::Value;

use crate::apply::progress::Printer;

/// What replaces a secret in everything shown.
const REDACTED: &str = "(sensitive value)";

/// Every sensitive string inside `value`, found with `inside` telling whether an enclosing
/// value was already sensitive.
pub fn sensitive_strings(value: &Value, inside: bool, out: &mut Vec<String>) {
    match value {
        Value::Sensitive(inner) => sensitive_strings(inner, true, out),
        Value::String(s) if inside && !s.is_empty() => out.push(s.clone()),
        Value::List(items) | Value::Set(items) => {
            items.iter().for_each(|v| sensitive_strings(v, inside, out));
        }
        Value::Map(map) => map.values().for_each(|v| sensitive_strings(v, inside, out)),
        _ => {}
    }
}

/// Replaces every secret in `text` (longest first, so overlapping secrets redact whole).
pub fn redact(text: &str, secrets: &[String]) -> String {
    secrets.iter().fold(text.to_string(), |text, secret| {
        text.replace(secret.as_str(), REDACTED)
    })
}

/// The output of one provisioner run.
pub struct Output {
    printer: Printer,
    prefix: String,
    secrets: Vec<String>,
    suppressed: bool,
}

impl Output {
    /// Output under `ADDRESS (KIND):` redacting the sensitive values of `object`; `suppressed`
    /// when the provisioner's arguments are themselves sensitive.
    pub fn new(
        printer: Printer,
        address: &str,
        kind: &str,
        object: &Value,
        suppressed: bool,
    ) -> Self {
        let mut output = Output {
            printer,
            prefix: format!("{address} ({kind}):"),
            secrets: Vec::new(),
            suppressed,
        };
        let mut found = Vec::new();
        sensitive_strings(object, false, &mut found);
        output.add_secrets(found);
        output
    }

    /// Adds more strings never to show (a connection's password or private key lines).
    pub fn add_secrets(&mut self, more: impl IntoIterator<Item = String>) {
        self.secrets
            .extend(more.into_iter().filter(|s| !s.is_empty()));
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        self.secrets.dedup();
    }

    /// Whether the provisioner's arguments are sensitive, so nothing of its output is shown.
    pub fn suppressed(&self) -> bool {
        self.suppressed
    }

    /// Says once that the output is suppressed, when it is.
    pub fn announce_suppression(&self) {
        if self.suppressed {
            self.printer.line(&format!(
                "{} (output suppressed due to sensitive value in config)",
                self.prefix
            ));
        }
    }

    /// Shows one line (redacted), unless suppressed.
    pub fn line(&self, text: &str) {
        if !self.suppressed {
            self.printer
                .line(&format!("{} {}", self.prefix, self.redact(text)));
        }
    }

    /// `text` with every secret replaced, or a placeholder for all of it when suppressed.
    pub fn redact(&self, text: &str) -> String {
        if self.suppressed {
            "(output suppressed due to sensitive value in config)".to_string()
        } else {
            redact(text, &self.secrets)
        }
    }
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
        let output = Output::new(Printer { quiet: true }, "x.y", "local-exec", &object, false);
        assert_eq!(output.secrets, ["hunter2-long", "hunter2"]);
        assert_eq!(
            output.redact("pw=hunter2-long and hunter2, visible"),
            "pw=(sensitive value) and (sensitive value), visible"
        );
    }

    #[test]
    fn connection_secrets_join_the_redacted_strings() {
        let mut output = Output::new(
            Printer { quiet: true },
            "x.y",
            "remote-exec",
            &Value::Null,
            false,
        );
        output.add_secrets(["s3cret".to_string(), String::new()]);
        assert_eq!(
            output.redact("password s3cret"),
            "password (sensitive value)"
        );
    }
}
