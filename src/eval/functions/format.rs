//! `format` and `formatlist`: printf-style formatting with Terraform's verbs (%s %d %f %e %g %x
//! %X %o %b %q %v %#v %t %%), flags (+ - # 0 space), widths, precisions and `%[n]` indexes.

use plinth_sdk::{Number, Value};

use super::args::{to_number, to_string, Args};

/// `format(spec, args...)`.
pub fn format(args: &Args) -> Result<Value, String> {
    let spec = args.string(0)?;
    // As in Terraform, a null argument (used or not) makes the result unknown.
    if args.rest(1).iter().any(Value::is_null) {
        return Ok(Value::Unknown);
    }
    render(&spec, args.rest(1))
        .map(Value::String)
        .map_err(|message| {
            // An unused argument is the fault of the arguments, as in Terraform.
            if message.starts_with(TOO_MANY) {
                args.invalid(1, message)
            } else {
                args.failed(message)
            }
        })
}

/// `formatlist(spec, args...)`: one formatted string per element of the list arguments; other
/// arguments repeat on every line.
pub fn formatlist(args: &Args) -> Result<Value, String> {
    let spec = args.string(0)?;
    let values = args.rest(1);
    let mut length: Option<(usize, usize)> = None;
    for (index, value) in values.iter().enumerate() {
        if let Value::List(items) | Value::Set(items) = value {
            match length {
                None => length = Some((index, items.len())),
                Some((first, len)) if len != items.len() => {
                    return Err(args.invalid(1, format!(
                        "argument {} has length {}, which is inconsistent with argument {} of length {len}",
                        index + 1,
                        items.len(),
                        first + 1
                    )))
                }
                Some(_) => {}
            }
        }
    }
    let count = length.map_or(1, |(_, len)| len);
    let mut lines = Vec::with_capacity(count);
    for row in 0..count {
        let row_values: Vec<Value> = values
            .iter()
            .map(|value| match value {
                Value::List(items) | Value::Set(items) => {
                    items.get(row).cloned().unwrap_or_default()
                }
                other => other.clone(),
            })
            .collect();
        let line = render(&spec, &row_values).map_err(|message| {
            args.failed(format!("error on format iteration {row}: {message}"))
        })?;
        lines.push(Value::String(line));
    }
    Ok(Value::List(lines))
}

#[derive(Default)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
}

/// How the error about unused arguments begins.
const TOO_MANY: &str = "too many arguments";

/// The verbs `format` knows.
const VERBS: &str = "vsqtdboxXeEfFgG";

/// Formats `values` according to `spec`.
fn render(spec: &str, values: &[Value]) -> Result<String, String> {
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut next = 0usize;
    let mut used = 0usize;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let mut flags = Flags::default();
        while let Some(c) = chars.get(i) {
            match c {
                '+' => flags.plus = true,
                '-' => flags.minus = true,
                '#' => flags.sharp = true,
                ' ' => flags.space = true,
                '0' => flags.zero = true,
                _ => break,
            }
            i += 1;
        }
        if let Some(index) = argument_index(&chars, &mut i)? {
            next = index;
        }
        let width = digits(&chars, &mut i);
        let precision = if chars.get(i) == Some(&'.') {
            i += 1;
            Some(digits(&chars, &mut i).unwrap_or(0))
        } else {
            None
        };
        if let Some(index) = argument_index(&chars, &mut i)? {
            next = index;
        }
        let verb = *chars
            .get(i)
            .ok_or_else(|| format!("invalid format string starting at offset {i}"))?;
        i += 1;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let text: String = chars[start..i].iter().collect();
        if !VERBS.contains(verb) {
            return Err(format!(
                "unsupported format verb '{verb}' in {text:?} at offset {start}"
            ));
        }
        let value = values.get(next).ok_or_else(|| {
            format!(
                "not enough arguments for {text:?} at {start}: need index {} but have {} total",
                next + 1,
                values.len()
            )
        })?;
        next += 1;
        used = used.max(next);
        let formatted = format_verb(verb, &flags, precision, value)
            .map_err(|reason| format!("unsupported value for {text:?} at {start}: {reason}"))?;
        out.push_str(&pad(formatted, width, &flags, verb));
    }
    if used < values.len() {
        return Err(format!("{TOO_MANY}; only {used} used by format string"));
    }
    Ok(out)
}

/// Reads a run of decimal digits (None when there is none; absurd widths are capped).
fn digits(chars: &[char], i: &mut usize) -> Option<usize> {
    let start = *i;
    while chars.get(*i).is_some_and(char::is_ascii_digit) {
        *i += 1;
    }
    let text: String = chars[start..*i].iter().collect();
    (!text.is_empty()).then(|| text.parse::<usize>().unwrap_or(usize::MAX).min(4096))
}

/// Reads an explicit argument index `[n]` (1-based in the spec, 0-based here).
fn argument_index(chars: &[char], i: &mut usize) -> Result<Option<usize>, String> {
    if chars.get(*i) != Some(&'[') {
        return Ok(None);
    }
    let at = *i;
    *i += 1;
    let index = digits(chars, i);
    match (index, chars.get(*i)) {
        (Some(n), Some(']')) if n >= 1 => {
            *i += 1;
            Ok(Some(n - 1))
        }
        _ => Err(format!("invalid argument index at {at}")),
    }
}

fn pad(text: String, width: Option<usize>, flags: &Flags, verb: char) -> String {
    let Some(width) = width else { return text };
    let len = text.chars().count();
    if len >= width {
        return text;
    }
    let fill = width - len;
    if flags.minus {
        return format!("{text}{}", " ".repeat(fill));
    }
    let numeric = matches!(
        verb,
        'd' | 'b' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G'
    );
    if flags.zero && numeric {
        let sign_len = usize::from(text.starts_with(['-', '+', ' ']));
        let (sign, digits) = text.split_at(sign_len);
        return format!("{sign}{}{digits}", "0".repeat(fill));
    }
    let filler = if flags.zero { "0" } else { " " };
    format!("{}{text}", filler.repeat(fill))
}

fn format_verb(
    verb: char,
    flags: &Flags,
    precision: Option<usize>,
    value: &Value,
) -> Result<String, String> {
    if value.is_null() && verb != 'v' {
        return Err("null value cannot be formatted".into());
    }
    match verb {
        'v' if flags.sharp => Ok(value.to_json().to_string()),
        'v' => Ok(match value {
            Value::Null => "null".to_string(),
            other => to_string(other).unwrap_or_else(|| other.to_json().to_string()),
        }),
        's' => {
            let text = to_string(value).ok_or("string required")?;
            Ok(match precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            })
        }
        'q' => {
            let text = to_string(value).ok_or("string required")?;
            Ok(quote(&match precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            }))
        }
        't' => match value {
            Value::Bool(b) => Ok(b.to_string()),
            Value::String(s) if s == "true" || s == "false" => Ok(s.clone()),
            _ => Err("bool required".into()),
        },
        'd' | 'b' | 'o' | 'x' | 'X' => {
            if let (Value::String(text), 'x' | 'X') = (value, verb) {
                if to_number(value).is_none() {
                    let hex: String = text.bytes().map(|b| format!("{b:02x}")).collect();
                    return Ok(if verb == 'X' { hex.to_uppercase() } else { hex });
                }
            }
            let number = to_number(value).ok_or_else(|| number_required(value))?;
            format_integer(&number, verb, flags)
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            let number = to_number(value).ok_or_else(|| number_required(value))?;
            let body = match verb {
                'e' | 'E' => exponent_form(number.as_f64(), precision.unwrap_or(6)),
                'f' | 'F' => number.abs().to_fixed(precision.unwrap_or(6)),
                _ => general_form(number.as_f64(), precision, flags.sharp),
            };
            let body = if verb.is_ascii_uppercase() {
                body.to_uppercase()
            } else {
                body
            };
            Ok(format!("{}{body}", sign(negative(&number), flags)))
        }
        other => Err(format!("unrecognized format character {other:?}")),
    }
}

/// Why `value` cannot be formatted as a number, in go-cty's words.
fn number_required(value: &Value) -> String {
    if matches!(value, Value::String(_)) {
        "a number is required".to_string()
    } else {
        "number required".to_string()
    }
}

/// Whether a number prints with a minus sign.
fn negative(number: &Number) -> bool {
    number.is_negative() && !number.is_zero()
}

fn sign(negative: bool, flags: &Flags) -> &'static str {
    if negative {
        "-"
    } else if flags.plus {
        "+"
    } else if flags.space {
        " "
    } else {
        ""
    }
}

fn format_integer(number: &Number, verb: char, flags: &Flags) -> Result<String, String> {
    let radix = |r: u32| {
        number
            .to_radix_string(r)
            .ok_or_else(|| "an integer is required".to_string())
    };
    let (prefix, digits) = match verb {
        'b' => ("0b", radix(2)?),
        'o' => ("0", radix(8)?),
        'x' => ("0x", radix(16)?),
        'X' => ("0X", radix(16)?.to_uppercase()),
        _ => ("", radix(10)?),
    };
    let prefix = if flags.sharp && verb != 'd' {
        prefix
    } else {
        ""
    };
    Ok(format!("{}{prefix}{digits}", sign(negative(number), flags)))
}

/// `d.dddddde±XX` of the absolute value, as Go prints it (at least two exponent digits).
fn exponent_form(number: f64, precision: usize) -> String {
    let rust = format!("{:.*e}", precision, number.abs());
    go_exponent(&rust)
}

/// Rewrites Rust's `1.5e3` exponent into Go's `1.5e+03`.
fn go_exponent(rust: &str) -> String {
    match rust.split_once('e') {
        Some((mantissa, exponent)) => {
            let exponent: i32 = exponent.parse().unwrap_or(0);
            let sign = if exponent < 0 { '-' } else { '+' };
            format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
        }
        None => rust.to_string(),
    }
}

/// `%g`: the shortest of exponent and plain form, as Go chooses it.
fn general_form(number: f64, precision: Option<usize>, keep_zeros: bool) -> String {
    let number = number.abs();
    if !number.is_finite() {
        return format!("{number}");
    }
    let scientific = match precision {
        None => format!("{number:e}"),
        Some(p) => format!("{:.*e}", p.max(1) - 1, number),
    };
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !keep_zeros && digits.len() > 1 {
        let trimmed = digits.trim_end_matches('0');
        digits = if trimmed.is_empty() {
            "0".into()
        } else {
            trimmed.into()
        };
    }
    let count = digits.len() as i64;
    let point = exponent + 1;
    let limit = match precision {
        None => 6,
        Some(p) => {
            let p = p.max(1) as i64;
            if p > count && count >= point {
                count
            } else {
                p
            }
        }
    };
    if exponent < -4 || exponent >= limit {
        let mantissa = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits.clone()
        };
        return go_exponent(&format!("{mantissa}e{exponent}"));
    }
    format!("{:.*}", (count - point).max(0) as usize, number)
}

/// Quotes a string as Go's `%q` does.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use plinth_sdk::Value;

    fn fmt(spec: &str, args: Vec<Value>) -> Value {
        let mut all = vec![s(spec)];
        all.extend(args);
        ok("format", all)
    }

    #[test]
    fn format_documented_examples() {
        assert_eq!(fmt("Hello, %s!", vec![s("Ander")]), s("Hello, Ander!"));
        assert_eq!(
            fmt("There are %d lights", vec![n(4.0)]),
            s("There are 4 lights")
        );
        assert_eq!(fmt("%s", vec![n(12.0)]), s("12"));
        assert_eq!(fmt("%t", vec![Value::Bool(true)]), s("true"));
    }

    #[test]
    fn format_verbs_flags_and_widths() {
        assert_eq!(fmt("%.2f", vec![n(1.23456)]), s("1.23"));
        assert_eq!(fmt("%f", vec![n(1.5)]), s("1.500000"));
        assert_eq!(
            fmt("%5d|%-5d|%05d", vec![n(42.0), n(42.0), n(-42.0)]),
            s("   42|42   |-0042")
        );
        assert_eq!(fmt("%-5s|%5s", vec![s("ab"), s("cd")]), s("ab   |   cd"));
        assert_eq!(
            fmt(
                "%+d %x %X %o %b",
                vec![n(5.0), n(255.0), n(255.0), n(8.0), n(5.0)]
            ),
            s("+5 ff FF 10 101")
        );
        assert_eq!(fmt("%#x", vec![n(255.0)]), s("0xff"));
        assert_eq!(fmt("%q", vec![s("a\"b\n")]), s("\"a\\\"b\\n\""));
        assert_eq!(
            fmt("%v %v %v", vec![s("x"), n(1.5), Value::Bool(false)]),
            s("x 1.5 false")
        );
        assert_eq!(fmt("%v", vec![strings(&["a"])]), s("[\"a\"]"));
        assert_eq!(fmt("%#v", vec![s("a")]), s("\"a\""));
        assert_eq!(fmt("100%%", vec![]), s("100%"));
        assert_eq!(fmt("%e", vec![n(1234.5678)]), s("1.234568e+03"));
        assert_eq!(fmt("%E", vec![n(0.000123)]), s("1.230000E-04"));
        assert_eq!(
            fmt("%g %g %g", vec![n(1234.5), n(1e6), n(0.00001)]),
            s("1234.5 1e+06 1e-05")
        );
        assert_eq!(fmt("%.3g", vec![n(1.23456)]), s("1.23"));
        assert_eq!(fmt("%[2]s %[1]s", vec![s("a"), s("b")]), s("b a"));
        assert_eq!(fmt("%.2s", vec![s("hello")]), s("he"));
    }

    #[test]
    fn format_errors() {
        assert!(err("format", vec![s("%d"), s("x")]).contains("a number is required"));
        assert!(err("format", vec![s("%d"), list(vec![])]).contains(": number required"));
        assert!(err("format", vec![s("%d"), n(1.5)]).contains("an integer is required"));
        assert!(err("format", vec![s("%d %d"), n(1.0)]).contains("not enough arguments"));
        assert!(err("format", vec![s("%d"), n(1.0), n(2.0)]).contains("too many arguments"));
        assert!(err("format", vec![s("%z"), n(1.0)]).contains("unsupported format verb 'z'"));
        assert!(err("format", vec![s("%"), n(1.0)]).contains("starting at offset 1"));
        assert!(err("format", vec![s("%[0]d"), n(1.0)]).contains("invalid argument index"));
        assert!(err("format", vec![s("%s"), list(vec![])]).contains("string required"));
        // A null argument makes the result unknown, as in Terraform.
        assert_eq!(ok("format", vec![s("%d"), Value::Null]), Value::Unknown);
    }

    #[test]
    fn formatlist_repeats_over_lists() {
        assert_eq!(
            ok(
                "formatlist",
                vec![
                    s("Hello, %s!"),
                    strings(&["Valentina", "Ander", "Olivia", "Sam"])
                ]
            ),
            strings(&[
                "Hello, Valentina!",
                "Hello, Ander!",
                "Hello, Olivia!",
                "Hello, Sam!"
            ])
        );
        assert_eq!(
            ok(
                "formatlist",
                vec![
                    s("%s, %s!"),
                    s("Salutations"),
                    strings(&["Valentina", "Ander"])
                ]
            ),
            strings(&["Salutations, Valentina!", "Salutations, Ander!"])
        );
        assert_eq!(ok("formatlist", vec![s("%s"), s("x")]), strings(&["x"]));
        assert!(err(
            "formatlist",
            vec![s("%s%s"), strings(&["a"]), strings(&["a", "b"])]
        )
        .contains("inconsistent"));
    }
}
