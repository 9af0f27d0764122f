//! The YAML emitter behind `yamlencode`, in Terraform's style: block style, every string and key
//! double-quoted (multi-line strings as literal blocks), sequences inside mappings not indented.

use plinth_sdk::Value;

use super::encoding::json_number;

/// Where a value starts: at the top of the document, after `key:`, or after `- `.
#[derive(Clone, Copy, PartialEq)]
enum Position {
    Top,
    AfterKey,
    AfterDash,
}

/// Encodes `value` as a YAML document (always ending in a newline).
pub fn encode(value: &Value) -> Result<String, String> {
    let mut out = String::new();
    emit(value, 0, Position::Top, &mut out)?;
    // A document that is one plain scalar ends with an explicit end marker, as Terraform
    // writes it.
    if matches!(value, Value::Null | Value::Bool(_) | Value::Number(_)) {
        out.push_str("...\n");
    }
    Ok(out)
}

/// Writes a value whose line has already been started (except at the top); `indent` is the
/// column of the key or dash that introduced it.
fn emit(value: &Value, indent: usize, position: Position, out: &mut String) -> Result<(), String> {
    match value {
        Value::Map(map) if !map.is_empty() => {
            let (column, first_inline) = match position {
                Position::Top => (0, true),
                Position::AfterKey => {
                    out.push('\n');
                    (indent + 2, false)
                }
                Position::AfterDash => {
                    out.push(' ');
                    (indent + 2, true)
                }
            };
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 || !first_inline {
                    out.push_str(&" ".repeat(column));
                }
                out.push_str(&double_quoted(key));
                out.push(':');
                emit(item, column, Position::AfterKey, out)?;
            }
        }
        Value::List(items) | Value::Set(items) if !items.is_empty() => {
            let (column, first_inline) = match position {
                Position::Top => (0, true),
                Position::AfterKey => {
                    out.push('\n');
                    (indent, false)
                }
                Position::AfterDash => {
                    out.push(' ');
                    (indent + 2, true)
                }
            };
            for (i, item) in items.iter().enumerate() {
                if i > 0 || !first_inline {
                    out.push_str(&" ".repeat(column));
                }
                out.push('-');
                emit(item, column, Position::AfterDash, out)?;
            }
        }
        scalar => {
            if position != Position::Top {
                out.push(' ');
            }
            let content_indent = if position == Position::Top {
                2
            } else {
                indent + 2
            };
            out.push_str(&scalar_text(scalar, content_indent)?);
            out.push('\n');
        }
    }
    Ok(())
}

fn scalar_text(value: &Value, content_indent: usize) -> Result<String, String> {
    Ok(match value {
        Value::Null | Value::Unknown => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) if n.is_infinite() => {
            if n.is_negative() { "-.inf" } else { ".inf" }.to_string()
        }
        Value::Number(n) => json_number(n)?,
        Value::String(text) if literal_allowed(text) => literal_block(text, content_indent),
        Value::String(text) => double_quoted(text),
        Value::List(_) | Value::Set(_) => "[]".to_string(),
        Value::Map(_) => "{}".to_string(),
        Value::Sensitive(inner) => scalar_text(inner, content_indent)?,
    })
}

/// Multi-line strings use a literal block unless a line ends in a space or the text holds
/// characters that must be escaped.
fn literal_allowed(text: &str) -> bool {
    text.contains('\n')
        && !text.ends_with(' ')
        && !text.contains(" \n")
        && !text.chars().any(|c| c != '\n' && needs_escape(c))
}

fn literal_block(text: &str, indent: usize) -> String {
    let mut header = String::from("|");
    if text.starts_with([' ', '\n']) {
        header.push('2');
    }
    let body = text.trim_end_matches('\n');
    match text.len() - body.len() {
        0 => header.push('-'),
        1 => {}
        _ => header.push('+'),
    }
    let pad = " ".repeat(indent);
    let mut out = header;
    for line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

/// Characters a double-quoted YAML scalar writes as escapes.
fn needs_escape(c: char) -> bool {
    let code = c as u32;
    matches!(
        c,
        '"' | '\\' | '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
    ) || code < 0x20
        || (0x7f..=0x9f).contains(&code)
        || code == 0xfffe
        || code == 0xffff
}

fn double_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        let escape = match c {
            '\0' => "\\0".to_string(),
            '\u{7}' => "\\a".to_string(),
            '\u{8}' => "\\b".to_string(),
            '\t' => "\\t".to_string(),
            '\n' => "\\n".to_string(),
            '\u{b}' => "\\v".to_string(),
            '\u{c}' => "\\f".to_string(),
            '\r' => "\\r".to_string(),
            '\u{1b}' => "\\e".to_string(),
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            '\u{85}' => "\\N".to_string(),
            '\u{2028}' => "\\L".to_string(),
            '\u{2029}' => "\\P".to_string(),
            c if (c as u32) <= 0xff => format!("\\x{:02X}", c as u32),
            c => format!("\\u{:04X}", c as u32),
        };
        out.push_str(&escape);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use plinth_sdk::Value;

    fn yaml(value: Value) -> String {
        match ok("yamlencode", vec![value]) {
            Value::String(text) => text,
            other => panic!("not a string: {other}"),
        }
    }

    #[test]
    fn yamlencode_documented_examples() {
        assert_eq!(
            yaml(map(&[("a", s("b")), ("c", s("d"))])),
            "\"a\": \"b\"\n\"c\": \"d\"\n"
        );
        assert_eq!(
            yaml(map(&[
                ("foo", list(vec![n(1.0), n(2.0), n(3.0)])),
                ("bar", s("baz"))
            ])),
            "\"bar\": \"baz\"\n\"foo\":\n- 1\n- 2\n- 3\n"
        );
        assert_eq!(
            yaml(map(&[
                (
                    "foo",
                    list(vec![n(1.0), map(&[("a", s("b")), ("c", s("d"))]), n(3.0)])
                ),
                ("bar", s("baz"))
            ])),
            "\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n"
        );
    }

    #[test]
    fn yamlencode_nesting_scalars_and_blocks() {
        assert_eq!(yaml(s("a")), "\"a\"\n");
        // A plain scalar document ends with an end marker, as Terraform writes it.
        assert_eq!(yaml(Value::Null), "null\n...\n");
        assert_eq!(yaml(list(vec![])), "[]\n");
        assert_eq!(
            yaml(map(&[("e", map(&[])), ("x", map(&[("y", n(1.5))]))])),
            "\"e\": {}\n\"x\":\n  \"y\": 1.5\n"
        );
        assert_eq!(
            yaml(list(vec![list(vec![n(1.0), n(2.0)]), Value::Bool(true)])),
            "- - 1\n  - 2\n- true\n"
        );
        assert_eq!(yaml(map(&[("t", s("a\nb"))])), "\"t\": |-\n  a\n  b\n");
        assert_eq!(yaml(map(&[("t", s("a\n\nb\n"))])), "\"t\": |\n  a\n\n  b\n");
        assert_eq!(yaml(s("tab\there \"q\"")), "\"tab\\there \\\"q\\\"\"\n");
        assert_eq!(yaml(s("trailing \nspace")), "\"trailing \\nspace\"\n");
    }
}
