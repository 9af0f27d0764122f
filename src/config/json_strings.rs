//! JSON string escapes in `.tf.json` files: a string value is decoded as JSON first and only
//! then read as a template, as Terraform does, so `"${lookup(var.m, \"k\")}"` works.
//!
//! The file is parsed by hcl-edit as one HCL expression (for byte spans); HCL reads `\"` inside
//! an interpolation as an error. So every string value holding a backslash escape is swapped for
//! a blank string of the same byte length before parsing (keeping every span), and its decoded
//! template is put back into the parsed tree afterwards.

use std::collections::HashMap;

use hcl_edit::expr::Expression;
use hcl_edit::template::{StringTemplate, Template};
use hcl_edit::visit_mut::{visit_expr_mut, VisitMut};
use hcl_edit::Span as _;

/// The decoded string values that were blanked out, by the byte offset of their opening quote.
pub struct Escaped(HashMap<usize, String>);

/// Blanks out every string value of `text` (a valid JSON document) that contains a backslash
/// escape; returns the text to parse and what was blanked.
pub fn blank_escaped_strings(text: &str) -> (String, Escaped) {
    let bytes = text.as_bytes();
    let mut out = text.to_string().into_bytes();
    let mut escaped = HashMap::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'"' {
            at += 1;
            continue;
        }
        let start = at;
        let mut has_escape = false;
        at += 1;
        while at < bytes.len() && bytes[at] != b'"' {
            if bytes[at] == b'\\' {
                has_escape = true;
                at += 1;
            }
            at += 1;
        }
        let end = (at + 1).min(bytes.len());
        at = end;
        let is_key = bytes[end..]
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b':');
        if !has_escape || is_key {
            continue;
        }
        let Ok(decoded) = serde_json::from_str::<String>(&text[start..end]) else {
            continue;
        };
        escaped.insert(start, decoded);
        for byte in &mut out[start + 1..end - 1] {
            *byte = b' ';
        }
    }
    // Only ASCII bytes inside strings were replaced by ASCII spaces, and whole strings at that.
    let out = String::from_utf8(out).unwrap_or_else(|_| text.to_string());
    (out, Escaped(escaped))
}

impl Escaped {
    /// Puts the decoded strings back into `expr` parsed from the blanked text: a string with a
    /// template sequence as a template, any other as a plain string.
    pub fn restore(self, expr: &mut Expression) {
        if !self.0.is_empty() {
            Restore(self.0).visit_expr_mut(expr);
        }
    }
}

/// The visitor doing the work of [`Escaped::restore`].
struct Restore(HashMap<usize, String>);

impl VisitMut for Restore {
    fn visit_expr_mut(&mut self, node: &mut Expression) {
        let Expression::String(blank) = node else {
            return visit_expr_mut(self, node);
        };
        let Some(decoded) = blank.span().and_then(|range| self.0.remove(&range.start)) else {
            return;
        };
        let replacement = if decoded.contains("${") || decoded.contains("%{") {
            match decoded.parse::<Template>() {
                Ok(template) => Expression::StringTemplate(StringTemplate::from(template)),
                Err(_) => Expression::from(decoded),
            }
        } else {
            Expression::from(decoded)
        };
        *node = replacement;
    }
}

#[cfg(test)]
mod tests {
    use super::blank_escaped_strings;

    #[test]
    fn escaped_values_are_blanked_and_keys_kept() {
        let text = r#"{"a\"b": "x\"y", "c": "plain"}"#;
        let (blanked, escaped) = blank_escaped_strings(text);
        assert_eq!(blanked, r#"{"a\"b": "    ", "c": "plain"}"#);
        assert_eq!(escaped.0.get(&9).map(String::as_str), Some("x\"y"));
    }
}
