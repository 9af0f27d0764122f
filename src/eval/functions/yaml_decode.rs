//! `yamldecode` as Terraform's YAML library (go-cty-yaml) reads YAML: YAML 1.1 plain scalars
//! (`yes`, `on` and `off` are booleans, `2001-12-14` a timestamp), decimal numbers read as
//! decimals (`017` is 17), `0x`/`0o`/`0b` integers, quoted scalars always strings, the core tags,
//! anchors and merge keys, one document only, and errors located as it locates them.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime};
use plinth_sdk::{Number, Value};
use regex::Regex;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

/// Decodes a YAML document into a value; the error is Terraform's message.
pub fn decode(text: &str) -> Result<Value, String> {
    let mut reader = Reader {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
    };
    reader.document()
}

struct Reader<'a> {
    parser: Parser<std::str::Chars<'a>>,
    anchors: HashMap<usize, Value>,
}

impl Reader<'_> {
    fn next(&mut self) -> Result<(Event, Marker), String> {
        self.parser.next_token().map_err(|e| scan_error(&e))
    }

    /// The one document of the stream.
    fn document(&mut self) -> Result<Value, String> {
        let (mut event, mut mark) = self.next()?;
        if event == Event::StreamStart {
            (event, mark) = self.next()?;
        }
        if event != Event::DocumentStart {
            return Err(located(&mark, "missing start of document"));
        }
        let start = mark;
        let (event, mark) = self.next()?;
        let value = self.node(event, mark)?;
        let (event, _) = self.next()?;
        if event == Event::DocumentEnd {
            let (event, _) = self.next()?;
            if event == Event::StreamEnd {
                return Ok(value);
            }
        }
        Err(located(&start, "unexpected extra content after value"))
    }

    /// The node that begins with `event`.
    fn node(&mut self, event: Event, mark: Marker) -> Result<Value, String> {
        let (value, anchor) = match event {
            Event::Alias(id) => {
                return self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| located(&mark, "unknown anchor referenced"))
            }
            Event::Scalar(text, style, anchor, tag) => (scalar(text, style, tag.as_ref())?, anchor),
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if event == Event::SequenceEnd {
                        break;
                    }
                    items.push(self.node(event, mark)?);
                }
                (Value::List(items), anchor)
            }
            Event::MappingStart(anchor, _) => (self.mapping()?, anchor),
            _ => return Err(located(&mark, "did not find expected node content")),
        };
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
        Ok(value)
    }

    /// The entries of a mapping up to its end; `<<` merges the entries of another mapping (or
    /// of a list of mappings) that the mapping does not set itself.
    fn mapping(&mut self) -> Result<Value, String> {
        let mut map = BTreeMap::new();
        let mut merged = Vec::new();
        loop {
            let (event, mark) = self.next()?;
            if event == Event::MappingEnd {
                break;
            }
            let merge =
                matches!(&event, Event::Scalar(text, TScalarStyle::Plain, _, None) if text == "<<");
            let key = self.node(event, mark)?;
            let (event, mark) = self.next()?;
            let value = self.node(event, mark)?;
            if merge {
                merged.push(value);
                continue;
            }
            let key = match key {
                Value::String(text) => text,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => "null".to_string(),
                _ => return Err("only strings are allowed as mapping keys".to_string()),
            };
            map.insert(key, value);
        }
        for source in merged {
            let sources = match source {
                Value::List(items) => items,
                other => vec![other],
            };
            for source in sources {
                let Value::Map(entries) = source else {
                    return Err("map merge requires map or sequence of maps as the value".into());
                };
                for (key, value) in entries {
                    map.entry(key).or_insert(value);
                }
            }
        }
        Ok(Value::Map(map))
    }
}

/// A scanner or parser error in go-cty-yaml's words: the problem without libyaml's "while
/// parsing ..." context, on the line go-yaml names (the zero-based line of a parser error's
/// mark, which libyaml moves to a new line at the end of the input; one-based for a scanner
/// error).
fn scan_error(error: &ScanError) -> String {
    let info = error.info();
    let problem = match info.strip_prefix("while ") {
        Some(rest) => rest.split_once(", ").map_or(info, |(_, problem)| problem),
        None => info,
    };
    let mark = error.marker();
    let line = if info.starts_with("while scanning") {
        mark.line()
    } else {
        mark.line().saturating_sub(1)
    };
    at(line, mark.col(), problem)
}

/// An error of go-cty-yaml's own at the event at `mark`.
fn located(mark: &Marker, problem: &str) -> String {
    at(mark.line(), mark.col(), problem)
}

/// `on line L, column C: problem`; line 0 (no line known) reads as the start of the input.
fn at(line: usize, column: usize, problem: &str) -> String {
    let (line, column) = if line == 0 {
        (1, 1)
    } else {
        (line, column + 1)
    };
    format!("on line {line}, column {column}: {problem}")
}

/// Resolves a scalar as go-cty-yaml does.
fn scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let core_tag = match tag {
        None => None,
        Some(Tag { handle, suffix }) if handle == "tag:yaml.org,2002:" || handle == "!!" => {
            Some(suffix.as_str())
        }
        Some(Tag { handle, suffix }) => {
            return Err(format!("unsupported tag \"{handle}{suffix}\""))
        }
    };
    if let Some(tag) = core_tag {
        if !["str", "binary", "bool", "null", "int", "float", "timestamp"].contains(&tag) {
            return Err(format!("unsupported tag \"!!{tag}\""));
        }
    }
    if matches!(core_tag, Some("str" | "binary")) || style != TScalarStyle::Plain {
        return Ok(Value::String(text));
    }
    if let Some(value) = keyword(&text) {
        return Ok(value);
    }
    if core_tag.is_none() && [".nan", ".NaN", ".NAN"].contains(&text.as_str()) {
        return Err("floating point NaN is not supported".to_string());
    }
    let starts_numeric = text.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c));
    if starts_numeric {
        if matches!(core_tag, None | Some("timestamp")) {
            if let Some(timestamp) = timestamp(&text) {
                return Ok(Value::String(timestamp));
            }
        }
        if let Some(number) = number(&text) {
            return Ok(Value::Number(number));
        }
    }
    Ok(Value::String(text))
}

/// The YAML 1.1 booleans, nulls and infinities.
fn keyword(text: &str) -> Option<Value> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Value::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            Value::Number(Number::from_f64(f64::INFINITY)?)
        }
        "-.inf" | "-.Inf" | "-.INF" => Value::Number(Number::from_f64(f64::NEG_INFINITY)?),
        _ => return None,
    })
}

fn patterns() -> &'static (Regex, Regex, Regex) {
    static PATTERNS: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let compile = |pattern: &str| Regex::new(pattern).expect("a valid built-in pattern");
        (
            compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"),
            compile(r"^(-?)0([xob])([0-9a-fA-F]+)$"),
            compile(
                r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:([Tt])|[ ])([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$",
            ),
        )
    })
}

/// A decimal number, or an integer written in hexadecimal (`0x`), octal (`0o`) or binary (`0b`).
fn number(text: &str) -> Option<Number> {
    let (decimal, prefixed, _) = patterns();
    if decimal.is_match(text) {
        return Number::parse(text.trim_start_matches('+'));
    }
    let captures = prefixed.captures(text)?;
    let radix = match &captures[2] {
        "x" => 16,
        "o" => 8,
        _ => 2,
    };
    let magnitude = i64::from_str_radix(&captures[3], radix).ok()?;
    let value = if &captures[1] == "-" {
        -magnitude
    } else {
        magnitude
    };
    Some(Number::from_i64(value))
}

/// A YAML timestamp (`2001-12-14`, `2001-12-14t21:59:43.10-05:00`, `2001-12-14 21:59:43.10`) as
/// an RFC 3339 string, as Go formats the time it parses.
fn timestamp(text: &str) -> Option<String> {
    let (_, _, pattern) = patterns();
    let captures = pattern.captures(text)?;
    let field = |index: usize| {
        captures
            .get(index)
            .map_or(Some(0), |m| m.as_str().parse::<u32>().ok())
    };
    let date = NaiveDate::from_ymd_opt(field(1)? as i32, field(2)?, field(3)?)?;
    let has_time = captures.get(5).is_some();
    let zone = captures.get(8).map(|m| m.as_str());
    // The `T` form needs a zone, the space form has none.
    if has_time && captures.get(4).is_some() != zone.is_some() {
        return None;
    }
    let time: NaiveDateTime = date.and_hms_opt(field(5)?, field(6)?, field(7)?)?;
    let zone = match zone {
        None | Some("Z") => "Z".to_string(),
        Some(offset) => offset.to_string(),
    };
    Some(format!("{}{zone}", time.format("%Y-%m-%dT%H:%M:%S")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_scalars_resolve_as_terraform_resolves_them() {
        assert_eq!(decode("off"), Ok(Value::Bool(false)));
        assert_eq!(decode("'yes'"), Ok(Value::from("yes")));
        assert_eq!(decode("0b101"), Ok(Value::from(5i64)));
        assert_eq!(decode("-0x10"), Ok(Value::from(-16i64)));
        assert_eq!(
            decode("+1.5"),
            Ok(Value::Number(Number::parse("1.5").expect("number")))
        );
        assert_eq!(decode("1_000"), Ok(Value::from("1_000")));
        assert_eq!(
            decode("2001-12-14t21:59:43.10-05:00"),
            Ok(Value::from("2001-12-14T21:59:43-05:00"))
        );
        assert_eq!(
            decode("2001-12-14 21:59:43.10"),
            Ok(Value::from("2001-12-14T21:59:43Z"))
        );
        assert_eq!(decode("'2001-12-14'"), Ok(Value::from("2001-12-14")));
        assert_eq!(
            decode("!!timestamp 2001-13-14"),
            Ok(Value::from("2001-13-14"))
        );
    }

    #[test]
    fn merge_keys_fill_in_what_a_mapping_does_not_set() {
        let value = decode("base: &b {a: 1, b: 2}\nderived:\n  <<: *b\n  b: 3\n").expect("valid");
        let Value::Map(map) = value else {
            panic!("a map")
        };
        let Some(Value::Map(derived)) = map.get("derived") else {
            panic!("a derived map")
        };
        assert_eq!(derived.get("a"), Some(&Value::from(1i64)));
        assert_eq!(derived.get("b"), Some(&Value::from(3i64)));
    }

    #[test]
    fn errors_name_the_line_go_yaml_names() {
        assert_eq!(
            decode("a: 1\nb: [\n"),
            Err("on line 2, column 1: did not find expected node content".to_string())
        );
        assert_eq!(
            decode("!foo x"),
            Err("unsupported tag \"!foo\"".to_string())
        );
    }
}
