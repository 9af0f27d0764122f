//! Reading RFC 3339 timestamps and Go durations the way Terraform's time functions do, with
//! Terraform's error messages (which name the part of the timestamp at fault).

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};

/// One part of the layout `2006-01-02T15:04:05Z07:00`: a literal, or a number of 2 or 4 digits
/// within a range.
enum Part {
    Literal(&'static str),
    Number {
        name: &'static str,
        digits: usize,
        min: u32,
        max: u32,
    },
}

const LAYOUT: [Part; 11] = [
    Part::Number {
        name: "year",
        digits: 4,
        min: 0,
        max: 9999,
    },
    Part::Literal("-"),
    Part::Number {
        name: "month",
        digits: 2,
        min: 1,
        max: 12,
    },
    Part::Literal("-"),
    Part::Number {
        name: "day of month",
        digits: 2,
        min: 0,
        max: 99,
    },
    Part::Literal("T"),
    Part::Number {
        name: "hour",
        digits: 2,
        min: 0,
        max: 23,
    },
    Part::Literal(":"),
    Part::Number {
        name: "minute",
        digits: 2,
        min: 0,
        max: 59,
    },
    Part::Literal(":"),
    Part::Number {
        name: "second",
        digits: 2,
        min: 0,
        max: 59,
    },
];

/// Parses an RFC 3339 timestamp as Go's `time.Parse(time.RFC3339, ...)`; the error is the
/// message Terraform gives (`not a valid RFC3339 timestamp: cannot use "x" as year`).
pub fn parse_timestamp(text: &str) -> Result<DateTime<FixedOffset>, String> {
    let invalid = |why: String| format!("not a valid RFC3339 timestamp: {why}");
    let mut rest = text;
    let mut numbers = Vec::with_capacity(6);
    for part in &LAYOUT {
        match part {
            Part::Literal(literal) => {
                if let Some(after) = rest.strip_prefix(literal) {
                    rest = after;
                } else if *literal == "T" {
                    return Err(invalid("missing required time introducer 'T'".to_string()));
                } else if rest.is_empty() {
                    return Err(invalid(format!(
                        "end of string where {literal:?} is expected"
                    )));
                } else {
                    return Err(invalid(format!(
                        "found {rest:?} where {literal:?} is expected"
                    )));
                }
            }
            Part::Number {
                name,
                digits,
                min,
                max,
            } => {
                let (value, after) = leading_number(rest, *digits, *name == "hour")
                    .ok_or_else(|| cannot_use(rest, name))?;
                // Out of range: Go reports the text after the number (the day is checked
                // against the month once the date is complete).
                if value < *min || value > *max {
                    return Err(cannot_use(after, name));
                }
                numbers.push(value);
                rest = after;
            }
        }
    }
    let mut nanos = 0u32;
    if rest.len() >= 2 && rest.starts_with(['.', ',']) && rest.as_bytes()[1].is_ascii_digit() {
        let digits = rest[1..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - 1);
        let fraction = &rest[1..1 + digits];
        let padded: String = fraction
            .chars()
            .chain("000000000".chars())
            .take(9)
            .collect();
        nanos = padded.parse().unwrap_or(0);
        rest = &rest[1 + digits..];
    }
    let (offset, rest) = utc_offset(rest).ok_or_else(|| cannot_use(rest, "UTC offset"))?;
    if !rest.is_empty() {
        return Err(cannot_use(rest, "timestamp segment"));
    }
    let date = NaiveDate::from_ymd_opt(numbers[0] as i32, numbers[1], numbers[2])
        .ok_or_else(|| invalid("day out of range".to_string()))?;
    let time = date
        .and_hms_nano_opt(numbers[3], numbers[4], numbers[5], nanos)
        .ok_or_else(|| invalid("second out of range".to_string()))?;
    let zone = FixedOffset::east_opt(offset).ok_or_else(|| cannot_use(text, "UTC offset"))?;
    time.and_local_timezone(zone)
        .single()
        .ok_or_else(|| invalid("time out of range".to_string()))
}

fn cannot_use(value: &str, what: &str) -> String {
    if value.is_empty() {
        format!("not a valid RFC3339 timestamp: end of string before {what}")
    } else {
        format!("not a valid RFC3339 timestamp: cannot use {value:?} as {what}")
    }
}

/// A number of exactly `digits` digits at the start of `text` (the hour may have one digit).
fn leading_number(text: &str, digits: usize, one_digit_allowed: bool) -> Option<(u32, &str)> {
    let available = text
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count()
        .min(digits);
    let taken = if available == digits || (one_digit_allowed && available == 1) {
        available
    } else {
        return None;
    };
    Some((text[..taken].parse().ok()?, &text[taken..]))
}

/// `Z` or `±hh:mm` at the start of `text`: the offset in seconds and what follows.
fn utc_offset(text: &str) -> Option<(i32, &str)> {
    if let Some(rest) = text.strip_prefix('Z') {
        return Some((0, rest));
    }
    let bytes = text.as_bytes();
    if bytes.len() < 6 || bytes[3] != b':' {
        return None;
    }
    let sign = match bytes[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, _) = leading_number(&text[1..3], 2, false)?;
    let (minutes, _) = leading_number(&text[4..6], 2, false)?;
    Some((sign * (hours * 3600 + minutes * 60) as i32, &text[6..]))
}

/// Parses a Go duration such as `1h30m`, `-10m`, `1.5h` or `300ms`; the error is Go's
/// (`time: unknown unit "d" in duration "1d"`).
pub fn parse_duration(text: &str) -> Result<TimeDelta, String> {
    let invalid = || format!("time: invalid duration {text:?}");
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(TimeDelta::zero());
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut nanos: f64 = 0.0;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_end];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        let scale = match unit {
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(format!("time: unknown unit {unit:?} in duration {text:?}")),
        };
        rest = &rest[unit_end..];
        nanos += value * scale;
    }
    if !nanos.is_finite() || nanos.abs() > i64::MAX as f64 {
        return Err(invalid());
    }
    let nanos = nanos.round() as i64;
    Ok(TimeDelta::nanoseconds(if negative {
        -nanos
    } else {
        nanos
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_with_fractions_and_offsets() {
        let time = parse_timestamp("2018-01-02T03:04:05.5+01:30").expect("valid");
        assert_eq!(time.to_rfc3339(), "2018-01-02T03:04:05.500+01:30");
        assert!(parse_timestamp("2018-01-02T03:04:05Z").is_ok());
    }

    #[test]
    fn timestamp_errors_name_the_part_at_fault() {
        let error = |text: &str| parse_timestamp(text).expect_err(text);
        assert_eq!(
            error("x"),
            "not a valid RFC3339 timestamp: cannot use \"x\" as year"
        );
        assert_eq!(
            error("2018-01-02"),
            "not a valid RFC3339 timestamp: missing required time introducer 'T'"
        );
        assert_eq!(
            error("2018"),
            "not a valid RFC3339 timestamp: end of string where \"-\" is expected"
        );
        assert_eq!(
            error("2018-01-02T03:04:05"),
            "not a valid RFC3339 timestamp: end of string before UTC offset"
        );
        assert_eq!(
            error("2018-02-30T03:04:05Z"),
            "not a valid RFC3339 timestamp: day out of range"
        );
        assert_eq!(
            error("2018-01-02T03:04:05Zjunk"),
            "not a valid RFC3339 timestamp: cannot use \"junk\" as timestamp segment"
        );
    }

    #[test]
    fn duration_errors_are_go_errors() {
        assert_eq!(
            parse_duration("1d").expect_err("1d"),
            "time: unknown unit \"d\" in duration \"1d\""
        );
        assert_eq!(
            parse_duration("10").expect_err("10"),
            "time: missing unit in duration \"10\""
        );
        assert_eq!(
            parse_duration("").expect_err("empty"),
            "time: invalid duration \"\""
        );
        assert_eq!(
            parse_duration("1h30m").expect("valid"),
            TimeDelta::minutes(90)
        );
    }
}
