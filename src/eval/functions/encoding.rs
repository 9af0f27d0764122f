//! Encoding functions: base64encode, base64decode, base64gzip, jsonencode, jsondecode,
//! yamlencode, yamldecode, urlencode, csvdecode.

use base64::Engine;
use plinth_sdk::Value;

use super::args::{Args, Function};

/// The encoding functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new("base64encode", &["str"], |a| {
        Ok(Value::String(
            base64::engine::general_purpose::STANDARD.encode(a.string(0)?),
        ))
    }),
    Function::new("base64decode", &["str"], base64decode),
    Function::new("base64gzip", &["str"], |a| {
        Ok(Value::String(
            base64::engine::general_purpose::STANDARD.encode(gzip(a.string(0)?.as_bytes())),
        ))
    }),
    Function::new("jsonencode", &["val"], |a| {
        let mut out = String::new();
        write_json(a.value(0), &mut out).map_err(|message| a.failed(message))?;
        Ok(Value::String(out))
    }),
    Function::new("jsondecode", &["str"], jsondecode),
    Function::new("yamlencode", &["value"], |a| {
        super::yaml::encode(a.value(0))
            .map(Value::String)
            .map_err(|message| a.invalid(0, message))
    }),
    Function::new("yamldecode", &["src"], yamldecode),
    Function::new("urlencode", &["str"], |a| {
        Ok(Value::String(query_escape(&a.string(0)?)))
    }),
    Function::new("csvdecode", &["str"], csvdecode),
];

fn base64decode(args: &Args) -> Result<Value, String> {
    let text = args.string(0)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&text)
        .map_err(|_| args.failed(format!("failed to decode base64 data {text:?}")))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| args.failed("the result of decoding the provided string is not valid UTF-8"))
}

/// `bytes` in a gzip stream laid out as Go's gzip writer lays it out after Terraform's
/// `Write`, `Flush`, `Close`: a header without name or time (OS "unknown"), the data as
/// deflate blocks ended by a sync flush, an empty final stored block, the CRC and the size.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut deflate = Compress::new(Compression::default(), false);
    let mut blocks = Vec::with_capacity(bytes.len() + 64);
    let mut input = bytes;
    loop {
        blocks.reserve(input.len() + 64);
        let before = deflate.total_in();
        // Writing into spare capacity cannot fail; a stalled stream ends the loop below.
        let _ = deflate.compress_vec(input, &mut blocks, FlushCompress::Sync);
        input = &input[(deflate.total_in() - before) as usize..];
        if input.is_empty() && blocks.len() < blocks.capacity() {
            break;
        }
    }
    out.extend_from_slice(&blocks);
    out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out
}

/// Writes `value` as compact JSON the way Terraform does: keys sorted, integral numbers without
/// a fraction, `<`, `>` and `&` escaped.
fn write_json(value: &Value, out: &mut String) -> Result<(), String> {
    match value {
        Value::Null | Value::Unknown => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&json_number(n)?),
        Value::String(text) => write_json_string(text, out),
        Value::List(items) | Value::Set(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out)?;
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(key, out);
                out.push(':');
                write_json(item, out)?;
            }
            out.push('}');
        }
        Value::Sensitive(inner) => write_json(inner, out)?,
    }
    Ok(())
}

/// A number in plain decimal notation, as JSON and YAML output need it.
pub fn json_number(n: &plinth_sdk::Number) -> Result<String, String> {
    if n.is_infinite() {
        return Err("cannot serialize infinity as JSON".to_string());
    }
    Ok(n.to_string())
}

fn write_json_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn jsondecode(args: &Args) -> Result<Value, String> {
    let json: serde_json::Value = serde_json::from_str(&args.string(0)?).map_err(|e| {
        // Terraform's wording for the two common failures.
        if e.is_eof() {
            args.failed("EOF")
        } else if e.to_string().starts_with("trailing characters") {
            args.failed("extraneous data after JSON object")
        } else {
            args.failed(format!("invalid JSON: {e}"))
        }
    })?;
    Ok(Value::from_json(&json))
}

fn yamldecode(args: &Args) -> Result<Value, String> {
    super::yaml_decode::decode(&args.string(0)?).map_err(|message| args.failed(message))
}

/// Escapes text for a URL query as Go's `url.QueryEscape` does (spaces become `+`).
fn query_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

fn csvdecode(args: &Args) -> Result<Value, String> {
    let text = args.string(0)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(e)) => return Err(args.failed(format!("CSV decoding: {e}"))),
        None => return Err(args.failed("missing header line")),
    };
    let names: Vec<String> = header.iter().map(str::to_string).collect();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(args.failed(format!("duplicate column name {name:?}")));
        }
    }
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| args.failed(format!("CSV decoding: {e}")))?;
        if record.len() != names.len() {
            let line = record.position().map_or(0, |p| p.line());
            return Err(args.failed(format!(
                "CSV parse error on line {line}: wrong number of fields"
            )));
        }
        let row = names
            .iter()
            .cloned()
            .zip(record.iter().map(Value::from))
            .collect();
        rows.push(Value::Map(row));
    }
    Ok(Value::List(rows))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use plinth_sdk::Value;

    #[test]
    fn base64_round_trip() {
        assert_eq!(
            ok("base64encode", vec![s("Hello World")]),
            s("SGVsbG8gV29ybGQ=")
        );
        assert_eq!(
            ok("base64decode", vec![s("SGVsbG8gV29ybGQ=")]),
            s("Hello World")
        );
        assert!(
            err("base64decode", vec![s("not base64!")]).contains("failed to decode base64 data")
        );
        assert!(err("base64decode", vec![s("/w==")]).contains("not valid UTF-8"));
    }

    #[test]
    fn base64gzip_of_a_long_text_decompresses_to_it() {
        use base64::Engine;
        use std::io::Read;
        let text = "plinth ".repeat(10_000);
        let encoded = ok("base64gzip", vec![s(&text)]);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().expect("a string"))
            .expect("base64");
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut decoded)
            .expect("gzip");
        assert_eq!(decoded, text);
    }

    #[test]
    fn jsonencode_sorts_keys_and_prints_integers() {
        assert_eq!(
            ok("jsonencode", vec![map(&[("hello", s("world"))])]),
            s("{\"hello\":\"world\"}")
        );
        assert_eq!(
            ok(
                "jsonencode",
                vec![map(&[
                    ("b", n(2.0)),
                    ("a", list(vec![n(1.5), Value::Bool(true), Value::Null]))
                ])]
            ),
            s("{\"a\":[1.5,true,null],\"b\":2}")
        );
        assert_eq!(ok("jsonencode", vec![n(1e21)]), s("1000000000000000000000"));
        assert_eq!(
            ok("jsonencode", vec![s("<a & b>\n")]),
            s("\"\\u003ca \\u0026 b\\u003e\\n\"")
        );
        assert!(err("jsonencode", vec![n(f64::INFINITY)]).contains("cannot serialize infinity"));
    }

    #[test]
    fn jsondecode_builds_values() {
        assert_eq!(
            ok("jsondecode", vec![s("{\"hello\": \"world\"}")]),
            map(&[("hello", s("world"))])
        );
        assert_eq!(ok("jsondecode", vec![s("true")]), Value::Bool(true));
        assert_eq!(
            ok("jsondecode", vec![s("[1, \"a\", null]")]),
            list(vec![n(1.0), s("a"), Value::Null])
        );
        assert!(err("jsondecode", vec![s("{")]).contains("EOF"));
    }

    #[test]
    fn yamldecode_builds_values() {
        assert_eq!(
            ok("yamldecode", vec![s("hello: world")]),
            map(&[("hello", s("world"))])
        );
        assert_eq!(ok("yamldecode", vec![s("true")]), Value::Bool(true));
        assert_eq!(
            ok("yamldecode", vec![s("{a: &foo [1, 2, 3], b: *foo}")]),
            map(&[
                ("a", list(vec![n(1.0), n(2.0), n(3.0)])),
                ("b", list(vec![n(1.0), n(2.0), n(3.0)]))
            ])
        );
        assert_eq!(
            ok("yamldecode", vec![s("- a\n- 1: x\n")]),
            list(vec![s("a"), map(&[("1", s("x"))])])
        );
        assert!(err("yamldecode", vec![s("a: [")]).contains("did not find expected node content"));
        assert!(err("yamldecode", vec![s("a: 1\n---\nb: 2\n")])
            .contains("unexpected extra content after value"));
    }

    #[test]
    fn urlencode_escapes_like_a_query() {
        assert_eq!(
            ok("urlencode", vec![s("Hello World!")]),
            s("Hello+World%21")
        );
        assert_eq!(ok("urlencode", vec![s("☃")]), s("%E2%98%83"));
        assert_eq!(
            ok("urlencode", vec![s("foo=bar&bar=baz")]),
            s("foo%3Dbar%26bar%3Dbaz")
        );
    }

    #[test]
    fn csvdecode_returns_rows_as_maps() {
        assert_eq!(
            ok("csvdecode", vec![s("a,b,c\n1,2,3\n4,5,6")]),
            list(vec![
                map(&[("a", s("1")), ("b", s("2")), ("c", s("3"))]),
                map(&[("a", s("4")), ("b", s("5")), ("c", s("6"))]),
            ])
        );
        assert_eq!(
            ok("csvdecode", vec![s("a,b\n\"x,y\",2\n")]),
            list(vec![map(&[("a", s("x,y")), ("b", s("2"))])])
        );
        assert!(err("csvdecode", vec![s("")]).contains("missing header"));
        assert!(err("csvdecode", vec![s("a,b\n1,2,3")]).contains("wrong number of fields"));
        assert!(err("csvdecode", vec![s("a,a\n1,2")]).contains("duplicate column"));
    }
}
