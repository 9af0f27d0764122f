//! String functions (lengths and offsets in user-perceived characters): chomp, indent, join, lower, upper, replace, split, strrev, substr, title,
//! trim*, regex, regexall, startswith, endswith, strcontains (format and formatlist live in `format`).

use std::collections::BTreeMap;

use plinth_sdk::Value;
use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

use super::args::{to_string, Args, Function};

/// The string functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new("chomp", &["str"], chomp),
    Function::new("format", &["format"], super::format::format).variadic("args"),
    Function::new("formatlist", &["format"], super::format::formatlist).variadic("args"),
    Function::new("indent", &["spaces", "str"], indent),
    Function::new("join", &["separator"], join).variadic("lists"),
    Function::new("lower", &["str"], |a| {
        Ok(Value::String(lower(&a.string(0)?)))
    }),
    Function::new("upper", &["str"], |a| {
        Ok(Value::String(upper(&a.string(0)?)))
    }),
    Function::new("replace", &["str", "substr", "replace"], replace),
    Function::new("split", &["separator", "str"], split),
    Function::new("strrev", &["str"], |a| {
        Ok(Value::String(a.string(0)?.graphemes(true).rev().collect()))
    }),
    Function::new("substr", &["str", "offset", "length"], substr),
    Function::new("title", &["str"], |a| {
        Ok(Value::String(title(&a.string(0)?)))
    }),
    Function::new("trim", &["str", "cutset"], trim),
    Function::new("trimprefix", &["str", "prefix"], trimprefix),
    Function::new("trimsuffix", &["str", "suffix"], trimsuffix),
    Function::new("trimspace", &["str"], |a| {
        Ok(Value::String(a.string(0)?.trim().to_string()))
    }),
    Function::new("regex", &["pattern", "string"], regex),
    Function::new("regexall", &["pattern", "string"], regexall),
    Function::new("startswith", &["string", "prefix"], |a| {
        Ok(Value::Bool(a.string(0)?.starts_with(&a.string(1)?)))
    }),
    Function::new("strcontains", &["str", "substr"], |a| {
        Ok(Value::Bool(a.string(0)?.contains(&a.string(1)?)))
    }),
    Function::new("endswith", &["string", "suffix"], |a| {
        Ok(Value::Bool(a.string(0)?.ends_with(&a.string(1)?)))
    }),
];

fn chomp(args: &Args) -> Result<Value, String> {
    let text = args.string(0)?;
    Ok(Value::String(
        text.trim_end_matches(['\r', '\n']).to_string(),
    ))
}

fn indent(args: &Args) -> Result<Value, String> {
    let spaces = args.integer(0)?;
    if !(0..=1024).contains(&spaces) {
        return Err(args.invalid(0, "must be between 0 and 1024"));
    }
    let pad = " ".repeat(spaces as usize);
    Ok(Value::String(
        args.string(1)?.replace('\n', &format!("\n{pad}")),
    ))
}

fn join(args: &Args) -> Result<Value, String> {
    let separator = args.string(0)?;
    if args.len() < 2 {
        return Err(args.failed("at least one list is required"));
    }
    let mut parts = Vec::new();
    for index in 1..args.len() {
        let items = match args.non_null(index)? {
            Value::List(items) | Value::Set(items) => items,
            _ => return Err(args.invalid(index, "list of string required")),
        };
        for (i, item) in items.iter().enumerate() {
            let part = match item {
                Value::Null => Err(format!(
                    "element {i} is null; cannot concatenate null values"
                )),
                other => to_string(other).ok_or_else(|| format!("element {i}: string required")),
            };
            parts.push(part.map_err(|why| args.invalid(index, why))?);
        }
    }
    Ok(Value::String(parts.join(&separator)))
}

fn replace(args: &Args) -> Result<Value, String> {
    let text = args.string(0)?;
    let search = args.string(1)?;
    let replacement = args.string(2)?;
    if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
        let pattern = compile_for_replace(args, &search[1..search.len() - 1])?;
        return Ok(Value::String(
            pattern
                .replace_all(&text, replacement.as_str())
                .into_owned(),
        ));
    }
    Ok(Value::String(text.replace(&search, &replacement)))
}

fn split(args: &Args) -> Result<Value, String> {
    let separator = args.string(0)?;
    let text = args.string(1)?;
    let parts: Vec<Value> = if separator.is_empty() {
        text.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        text.split(separator.as_str()).map(Value::from).collect()
    };
    Ok(Value::List(parts))
}

fn substr(args: &Args) -> Result<Value, String> {
    let text = args.string(0)?;
    let chars: Vec<&str> = text.graphemes(true).collect();
    let mut offset = whole_number(args, 1)?;
    let length = whole_number(args, 2)?;
    let total = chars.len() as i64;
    if offset < 0 {
        offset = (offset + total).max(0);
    }
    if offset >= total {
        return Ok(Value::from(""));
    }
    let end = if length < 0 {
        total
    } else {
        offset.saturating_add(length).min(total)
    };
    Ok(Value::String(chars[offset as usize..end as usize].concat()))
}

/// A whole-number argument; anything else fails the call with Terraform's (go-cty's) words.
fn whole_number(args: &Args, index: usize) -> Result<i64, String> {
    args.number(index)?.as_i64().ok_or_else(|| {
        args.failed(
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
        )
    })
}

/// Upper-cases the first letter of every word, words being separated as Go's `strings.Title`
/// separates them.
fn title(text: &str) -> String {
    let is_separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphanumeric() {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut previous = ' ';
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_separator(previous) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        previous = c;
    }
    out
}

fn trim(args: &Args) -> Result<Value, String> {
    let text = args.string(0)?;
    let cutset = args.string(1)?;
    Ok(Value::String(
        text.trim_matches(|c| cutset.contains(c)).to_string(),
    ))
}

fn trimprefix(args: &Args) -> Result<Value, String> {
    let text = args.string(0)?;
    let prefix = args.string(1)?;
    Ok(Value::String(
        text.strip_prefix(prefix.as_str())
            .unwrap_or(&text)
            .to_string(),
    ))
}

fn trimsuffix(args: &Args) -> Result<Value, String> {
    let text = args.string(0)?;
    let suffix = args.string(1)?;
    Ok(Value::String(
        text.strip_suffix(suffix.as_str())
            .unwrap_or(&text)
            .to_string(),
    ))
}

/// Compiles the pattern of `regex` and `regexall` (argument `index`); a malformed one is an
/// invalid argument, worded as go-cty words Go's syntax errors.
fn compile(args: &Args, index: usize, pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| {
        let reason = match go_syntax_error(pattern, &e) {
            Some((code, expr)) => format!("{code} in {expr}"),
            None => last_line(&e),
        };
        args.invalid(index, format!("invalid regexp pattern: {reason}"))
    })
}

/// Compiles the pattern of `replace`; a malformed one fails the call with Go's own message.
fn compile_for_replace(args: &Args, pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| {
        args.failed(match go_syntax_error(pattern, &e) {
            Some((code, expr)) => format!("error parsing regexp: {code}: `{expr}`"),
            None => format!("error parsing regexp: {}", last_line(&e)),
        })
    })
}

/// Go's error code and offending expression for the syntax errors both engines see alike
/// (the whole pattern is the expression of these).
fn go_syntax_error<'a>(pattern: &'a str, error: &regex::Error) -> Option<(&'static str, &'a str)> {
    match last_line(error).trim_start_matches("error: ") {
        "unclosed group" => Some(("missing closing )", pattern)),
        "unopened group" => Some(("unexpected )", pattern)),
        _ => None,
    }
}

/// The last line of a regex error: what is wrong, without the excerpt.
fn last_line(error: &regex::Error) -> String {
    error
        .to_string()
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A compiled pattern with the shape of its results: a string (no groups), a list (unnamed
/// groups) or a map (named groups).
fn compile_for_match(args: &Args) -> Result<Regex, String> {
    let pattern = compile(args, 0, &args.string(0)?)?;
    let names: Vec<bool> = pattern
        .capture_names()
        .skip(1)
        .map(|n| n.is_some())
        .collect();
    if names.contains(&true) && names.contains(&false) {
        return Err(args.invalid(
            0,
            "invalid regexp pattern: cannot mix both named and unnamed capture groups",
        ));
    }
    Ok(pattern)
}

fn match_value(pattern: &Regex, captures: &regex::Captures) -> Value {
    let group = |m: Option<regex::Match>| m.map_or(Value::Null, |m| Value::from(m.as_str()));
    if pattern.captures_len() == 1 {
        return group(captures.get(0));
    }
    let named: Vec<&str> = pattern.capture_names().flatten().collect();
    if named.is_empty() {
        return Value::List(
            (1..pattern.captures_len())
                .map(|i| group(captures.get(i)))
                .collect(),
        );
    }
    let map: BTreeMap<String, Value> = named
        .into_iter()
        .map(|name| (name.to_string(), group(captures.name(name))))
        .collect();
    Value::Map(map)
}

fn regex(args: &Args) -> Result<Value, String> {
    let pattern = compile_for_match(args)?;
    let text = args.string(1)?;
    let captures = pattern
        .captures(&text)
        .ok_or_else(|| args.failed("pattern did not match any part of the given string"))?;
    Ok(match_value(&pattern, &captures))
}

fn regexall(args: &Args) -> Result<Value, String> {
    let pattern = compile_for_match(args)?;
    let text = args.string(1)?;
    Ok(Value::List(
        pattern
            .captures_iter(&text)
            .map(|c| match_value(&pattern, &c))
            .collect(),
    ))
}

/// Upper case letter by letter with single-letter mappings only, as Terraform maps case: a
/// letter whose upper case is several letters (`ß`, the ligature `ﬁ`) stays as it is.
fn upper(text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut mapped = c.to_uppercase();
            match (mapped.next(), mapped.next()) {
                (Some(one), None) => one,
                _ => c,
            }
        })
        .collect()
}

/// Lower case letter by letter (no final-sigma rule), the first letter of a longer mapping
/// (`İ` → `i`), as Terraform maps case.
fn lower(text: &str) -> String {
    text.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use plinth_sdk::Value;

    #[test]
    fn chomp_removes_trailing_newlines() {
        assert_eq!(ok("chomp", vec![s("hello\n")]), s("hello"));
        assert_eq!(ok("chomp", vec![s("hello\r\n")]), s("hello"));
        assert_eq!(ok("chomp", vec![s("hello\n\n")]), s("hello"));
        assert_eq!(ok("chomp", vec![s("a\nb")]), s("a\nb"));
    }

    #[test]
    fn indent_skips_the_first_line() {
        assert_eq!(
            ok("indent", vec![n(2.0), s("[\n  foo,\n  bar,\n]\n")]),
            s("[\n    foo,\n    bar,\n  ]\n  ")
        );
        assert!(err("indent", vec![n(-1.0), s("x")]).contains("\"spaces\""));
    }

    #[test]
    fn join_concatenates_lists() {
        assert_eq!(
            ok("join", vec![s("-"), strings(&["foo", "bar", "baz"])]),
            s("foo-bar-baz")
        );
        assert_eq!(ok("join", vec![s(", "), strings(&["foo"])]), s("foo"));
        assert_eq!(
            ok("join", vec![s(","), strings(&["a"]), list(vec![n(1.0)])]),
            s("a,1")
        );
        assert!(err("join", vec![s(","), list(vec![Value::Null])]).contains("element 0 is null"));
    }

    #[test]
    fn lower_and_upper() {
        assert_eq!(ok("lower", vec![s("HELLO")]), s("hello"));
        assert_eq!(ok("lower", vec![s("АЛЛО!")]), s("алло!"));
        assert_eq!(ok("upper", vec![s("hello")]), s("HELLO"));
        assert_eq!(ok("upper", vec![s("алло!")]), s("АЛЛО!"));
        // Ligatures and ß are not expanded, as in Terraform.
        assert_eq!(ok("upper", vec![s("ﬁß")]), s("ﬁß"));
    }

    #[test]
    fn replace_plain_and_regex() {
        assert_eq!(
            ok("replace", vec![s("1 + 2 + 3"), s("+"), s("-")]),
            s("1 - 2 - 3")
        );
        assert_eq!(
            ok(
                "replace",
                vec![s("hello world"), s("/w.*d/"), s("everybody")]
            ),
            s("hello everybody")
        );
        assert_eq!(
            ok("replace", vec![s("a1b22"), s("/([a-z])(\\d+)/"), s("$2$1")]),
            s("1a22b")
        );
        assert!(
            err("replace", vec![s("x"), s("/(/"), s("y")])
                == "Call to function \"replace\" failed: error parsing regexp: missing closing ): `(`."
        );
    }

    #[test]
    fn split_on_separator() {
        assert_eq!(ok("split", vec![s(","), s("foo")]), strings(&["foo"]));
        assert_eq!(
            ok("split", vec![s(","), s("foo,bar,baz")]),
            strings(&["foo", "bar", "baz"])
        );
        assert_eq!(ok("split", vec![s(","), s("")]), strings(&[""]));
        assert_eq!(ok("split", vec![s(""), s("ab")]), strings(&["a", "b"]));
    }

    #[test]
    fn strrev_reverses_characters() {
        assert_eq!(ok("strrev", vec![s("hello")]), s("olleh"));
        assert_eq!(ok("strrev", vec![s("a ☃")]), s("☃ a"));
        assert_eq!(ok("strrev", vec![s("e\u{301}x")]), s("xe\u{301}"));
    }

    #[test]
    fn substr_counts_characters() {
        assert_eq!(
            ok("substr", vec![s("hello world"), n(1.0), n(4.0)]),
            s("ello")
        );
        assert_eq!(ok("substr", vec![s("🤔🤷"), n(0.0), n(1.0)]), s("🤔"));
        assert_eq!(
            ok("substr", vec![s("hello world"), n(-5.0), n(-1.0)]),
            s("world")
        );
        assert_eq!(
            ok("substr", vec![s("hello world"), n(6.0), n(10.0)]),
            s("world")
        );
        assert_eq!(ok("substr", vec![s("hello"), n(10.0), n(2.0)]), s(""));
        assert_eq!(ok("substr", vec![s("hello"), n(-10.0), n(2.0)]), s("he"));
        assert_eq!(ok("substr", vec![s("hello"), n(1.0), n(0.0)]), s(""));
        assert_eq!(
            err("substr", vec![s("hello"), n(1.5), n(1.0)]),
            "Call to function \"substr\" failed: value must be a whole number, between -9223372036854775808 and 9223372036854775807."
        );
    }

    #[test]
    fn title_capitalises_words() {
        assert_eq!(ok("title", vec![s("hello world")]), s("Hello World"));
        // Like Terraform, an apostrophe separates words.
        assert_eq!(
            ok("title", vec![s("foo-bar_baz don't")]),
            s("Foo-Bar_baz Don'T")
        );
    }

    #[test]
    fn trims() {
        assert_eq!(ok("trim", vec![s("?!hello?!"), s("!?")]), s("hello"));
        assert_eq!(ok("trim", vec![s("foobar"), s("far")]), s("oob"));
        assert_eq!(
            ok("trim", vec![s("   hello! world.!  "), s("! ")]),
            s("hello! world.")
        );
        assert_eq!(
            ok("trimprefix", vec![s("helloworld"), s("hello")]),
            s("world")
        );
        assert_eq!(
            ok("trimprefix", vec![s("helloworld"), s("cat")]),
            s("helloworld")
        );
        assert_eq!(
            ok("trimsuffix", vec![s("helloworld"), s("world")]),
            s("hello")
        );
        assert_eq!(ok("trimspace", vec![s("  hello\n\n")]), s("hello"));
    }

    #[test]
    fn regex_shapes_its_result() {
        assert_eq!(
            ok(
                "regex",
                vec![s("[a-z]+"), s("53453453.345345aaabbbccc23454")]
            ),
            s("aaabbbccc")
        );
        assert_eq!(
            ok(
                "regex",
                vec![s("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)"), s("2019-02-01")]
            ),
            strings(&["2019", "02", "01"])
        );
        assert_eq!(
            ok(
                "regex",
                vec![
                    s("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?"),
                    s("https://terraform.io/docs/")
                ]
            ),
            map(&[("authority", s("terraform.io")), ("scheme", s("https"))])
        );
        assert_eq!(
            ok("regex", vec![s("a(x)?"), s("a")]),
            list(vec![Value::Null])
        );
        assert!(err("regex", vec![s("[a-z]+"), s("123")]).contains("did not match"));
        assert!(err("regex", vec![s("(?P<a>x)(y)"), s("xy")]).contains("cannot mix"));
        assert!(err("regex", vec![s("("), s("x")])
            .contains("\"pattern\" parameter: invalid regexp pattern: missing closing ) in ("));
    }

    #[test]
    fn regexall_returns_every_match() {
        assert_eq!(
            ok("regexall", vec![s("[a-z]+"), s("1234abcd5678efgh9")]),
            strings(&["abcd", "efgh"])
        );
        assert_eq!(ok("regexall", vec![s("[a-z]+"), s("123")]), list(vec![]));
        assert_eq!(
            ok("regexall", vec![s("(\\d)(\\w)"), s("1a2b")]),
            list(vec![strings(&["1", "a"]), strings(&["2", "b"])])
        );
    }

    #[test]
    fn startswith_and_endswith() {
        assert_eq!(
            ok("startswith", vec![s("hello world"), s("hello")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("startswith", vec![s("hello world"), s("world")]),
            Value::Bool(false)
        );
        assert_eq!(
            ok("endswith", vec![s("hello world"), s("world")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("endswith", vec![s("hello world"), s("hello")]),
            Value::Bool(false)
        );
    }
}
