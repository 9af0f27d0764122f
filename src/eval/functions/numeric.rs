//! Numeric functions: abs, ceil, floor, log, max, min, parseint, pow, signum.

use std::cmp::Ordering;

use plinth_sdk::{Number, Value};

use super::args::{Args, Function};

/// The numeric functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new("abs", &["num"], |a| Ok(Value::Number(a.number(0)?.abs()))),
    Function::new("ceil", &["num"], |a| Ok(Value::Number(a.number(0)?.ceil()))),
    Function::new("floor", &["num"], |a| {
        Ok(Value::Number(a.number(0)?.floor()))
    }),
    Function::new("signum", &["num"], signum),
    Function::new("max", &[], |a| extreme(a, Ordering::Greater)).variadic("numbers"),
    Function::new("min", &[], |a| extreme(a, Ordering::Less)).variadic("numbers"),
    Function::new("pow", &["num", "power"], pow),
    Function::new("log", &["num", "base"], log),
    Function::new("parseint", &["number", "base"], parseint),
];

fn signum(args: &Args) -> Result<Value, String> {
    let n = args.number(0)?;
    if n.as_i64().is_none() {
        return Err(args.failed(
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
        ));
    }
    Ok(Value::from(if n.is_zero() {
        0
    } else if n.is_negative() {
        -1
    } else {
        1
    }))
}

/// The argument that compares `wanted` against every other (the first of equals).
fn extreme(args: &Args, wanted: Ordering) -> Result<Value, String> {
    if args.len() == 0 {
        return Err(args.failed("must pass at least one number"));
    }
    let mut best = args.number(0)?;
    for index in 1..args.len() {
        let candidate = args.number(index)?;
        if candidate.cmp(&best) == wanted {
            best = candidate;
        }
    }
    Ok(Value::Number(best))
}

fn pow(args: &Args) -> Result<Value, String> {
    let result = args.number_f64(0)?.powf(args.number_f64(1)?);
    if result.is_nan() {
        return Err(args.failed("the result is not a real number"));
    }
    Ok(Value::from(result))
}

fn log(args: &Args) -> Result<Value, String> {
    let result = args.number_f64(0)?.log(args.number_f64(1)?);
    if result.is_nan() {
        return Err(args.failed("the result is not a real number"));
    }
    Ok(Value::from(result))
}

fn parseint(args: &Args) -> Result<Value, String> {
    let text = args.string(0)?;
    let base = args.integer(1)?;
    if !(2..=62).contains(&base) {
        return Err(args.invalid(1, "base must be a whole number between 2 and 62 inclusive"));
    }
    let cannot = || args.invalid(0, format!("cannot parse {text:?} as a base {base} integer"));
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    if digits.is_empty() {
        return Err(cannot());
    }
    let values = digits
        .chars()
        .map(|c| digit_value(c, base).map(|d| d as u8))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(cannot)?;
    let number = Number::from_digits(negative, &values, base as u32).ok_or_else(cannot)?;
    Ok(Value::Number(number))
}

/// The value of one digit in `base`: 0-9, then a-z, then A-Z (letters are case-insensitive up to
/// base 36).
fn digit_value(c: char, base: i64) -> Option<i64> {
    let value = match c {
        '0'..='9' => c as i64 - '0' as i64,
        'a'..='z' => c as i64 - 'a' as i64 + 10,
        'A'..='Z' if base <= 36 => c as i64 - 'A' as i64 + 10,
        'A'..='Z' => c as i64 - 'A' as i64 + 36,
        _ => return None,
    };
    (value < base).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn abs_ceil_floor_signum() {
        assert_eq!(ok("abs", vec![n(23.0)]), n(23.0));
        assert_eq!(ok("abs", vec![n(-12.4)]), n(12.4));
        assert_eq!(ok("ceil", vec![n(5.0)]), n(5.0));
        assert_eq!(ok("ceil", vec![n(5.1)]), n(6.0));
        assert_eq!(ok("floor", vec![n(4.9)]), n(4.0));
        assert_eq!(ok("floor", vec![s("-4.1")]), n(-5.0));
        assert_eq!(ok("signum", vec![n(-13.0)]), n(-1.0));
        assert_eq!(ok("signum", vec![n(0.0)]), n(0.0));
        assert_eq!(ok("signum", vec![n(344.0)]), n(1.0));
        assert!(err("abs", vec![s("x")]).contains("\"num\" parameter: a number is required"));
    }

    #[test]
    fn max_and_min() {
        assert_eq!(ok("max", vec![n(12.0), n(54.0), n(3.0)]), n(54.0));
        assert_eq!(ok("min", vec![n(12.0), n(54.0), n(3.0)]), n(3.0));
        assert_eq!(ok("max", vec![n(-1.0)]), n(-1.0));
        assert!(err("min", vec![n(1.0), list(vec![])]).contains("number required"));
    }

    #[test]
    fn pow_raises() {
        assert_eq!(ok("pow", vec![n(3.0), n(2.0)]), n(9.0));
        assert_eq!(ok("pow", vec![n(4.0), n(0.0)]), n(1.0));
        assert!(err("pow", vec![n(-1.0), n(0.5)]).contains("not a real number"));
    }

    #[test]
    fn log_takes_any_base() {
        assert_eq!(
            ok("log", vec![n(50.0), n(10.0)])
                .as_f64()
                .map(|x| (x * 1e6).round()),
            Some(1698970.0)
        );
        assert_eq!(ok("log", vec![n(16.0), n(2.0)]), n(4.0));
        assert_eq!(ok("log", vec![n(1.0), n(10.0)]), n(0.0));
        assert!(err("log", vec![n(-1.0), n(10.0)]).contains("not a real number"));
    }

    #[test]
    fn parseint_handles_bases_and_signs() {
        assert_eq!(ok("parseint", vec![s("100"), n(10.0)]), n(100.0));
        assert_eq!(ok("parseint", vec![s("FF"), n(16.0)]), n(255.0));
        assert_eq!(ok("parseint", vec![s("-10"), n(16.0)]), n(-16.0));
        assert_eq!(
            ok("parseint", vec![s("1011111011101111"), n(2.0)]),
            n(48879.0)
        );
        assert_eq!(ok("parseint", vec![s("aA"), n(62.0)]), n(656.0));
        assert_eq!(
            err("parseint", vec![s("12"), n(2.0)]),
            "Invalid value for \"number\" parameter: cannot parse \"12\" as a base 2 integer."
        );
        assert!(err("parseint", vec![s("1"), n(1.0)]).contains("between 2 and 62"));
        assert!(err("parseint", vec![s("-"), n(10.0)]).contains("cannot parse"));
        assert_eq!(ok("parseint", vec![n(10.0), n(10.0)]), n(10.0));
        assert!(err("parseint", vec![list(vec![]), n(10.0)]).contains("string required"));
    }
}
