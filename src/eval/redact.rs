//! Keeping sensitive values out of messages: the texts inside a value's sensitive parts, and
//! messages (a function's error, a provider's diagnostics) with each of them replaced by
//! `(sensitive value)`.

use plinth_sdk::{Diagnostics, Value};

/// What a sensitive text is replaced with.
const REDACTED: &str = "(sensitive value)";

/// The texts of the primitive values inside the sensitive parts of `value`.
pub fn sensitive_texts(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(value, false, &mut out);
    out
}

/// `inside`: whether an enclosing value is sensitive.
fn collect(value: &Value, inside: bool, out: &mut Vec<String>) {
    match value {
        Value::Sensitive(inner) => collect(inner, true, out),
        Value::List(items) | Value::Set(items) => {
            for item in items {
                collect(item, inside, out);
            }
        }
        Value::Map(map) => {
            for item in map.values() {
                collect(item, inside, out);
            }
        }
        Value::String(text) if inside && !text.is_empty() => out.push(text.clone()),
        Value::Number(n) if inside => out.push(n.to_string()),
        _ => {}
    }
}

/// `message` with every sensitive text replaced by `(sensitive value)`: quoted as messages
/// quote it (in double quotes or, as Go's regexp errors, in backticks), ending a message as a
/// regexp error's ` in PATTERN.` does, and bare when long enough not to be mistaken for
/// ordinary words.
pub fn redact(mut message: String, secrets: &[String]) -> String {
    for secret in secrets {
        for quoted in [
            format!("{secret:?}"),
            format!("\"{secret}\""),
            format!("`{secret}`"),
        ] {
            message = message.replace(&quoted, REDACTED);
        }
        let ending = format!(" in {secret}.");
        if let Some(start) = message.strip_suffix(&ending).map(str::len) {
            message.replace_range(start.., &format!(" in {REDACTED}."));
        }
        if secret.chars().count() >= 4 {
            message = message.replace(secret.as_str(), REDACTED);
        }
    }
    message
}

/// Diagnostics (a provider's answer about an object) with the sensitive texts of `value`
/// replaced in their summaries and details.
pub fn redact_diagnostics(diagnostics: Diagnostics, value: &Value) -> Diagnostics {
    let secrets = sensitive_texts(value);
    if secrets.is_empty() {
        return diagnostics;
    }
    Diagnostics(
        diagnostics
            .0
            .into_iter()
            .map(|mut d| {
                d.summary = redact(d.summary, &secrets);
                d.detail = d.detail.map(|detail| redact(detail, &secrets));
                d
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexp_errors_never_quote_a_short_sensitive_pattern() {
        let secrets = ["(".to_string()];
        assert_eq!(
            redact(
                "error parsing regexp: missing closing ): `(`.".into(),
                &secrets
            ),
            "error parsing regexp: missing closing ): (sensitive value)."
        );
        assert_eq!(
            redact(
                "invalid regexp pattern: missing closing ) in (.".into(),
                &secrets
            ),
            "invalid regexp pattern: missing closing ) in (sensitive value)."
        );
    }

    #[test]
    fn provider_diagnostics_never_quote_a_sensitive_value() {
        let value = Value::object([
            (
                "name".to_string(),
                Value::from("bad name!").mark_sensitive(),
            ),
            ("image".to_string(), Value::from("busybox")),
        ]);
        let diags: Diagnostics =
            plinth_sdk::Diagnostic::error("Invalid container name (bad name!)")
                .with_detail("only [a-zA-Z0-9] for \"bad name!\"; image busybox")
                .into();
        let out = redact_diagnostics(diags, &value);
        assert_eq!(
            out.0[0].summary,
            "Invalid container name ((sensitive value))"
        );
        assert_eq!(
            out.0[0].detail.as_deref(),
            Some("only [a-zA-Z0-9] for (sensitive value); image busybox")
        );
    }
}
