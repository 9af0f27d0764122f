//! Time functions: timestamp, formatdate and timeadd, over RFC 3339 timestamps.

use chrono::{DateTime, Datelike, FixedOffset, SecondsFormat, Timelike, Utc};
use plinth_sdk::Value;

use super::args::{Args, Function};
use super::rfc3339::parse_duration;

/// The time functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new("timestamp", &[], |_| {
        Ok(Value::String(
            Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        ))
    }),
    Function::new("formatdate", &["format", "time"], formatdate),
    Function::new("timeadd", &["timestamp", "duration"], timeadd),
    Function::new("timecmp", &["timestamp_a", "timestamp_b"], timecmp),
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The timestamp argument at `index`; a malformed one is an invalid argument.
fn parse_timestamp(args: &Args, index: usize) -> Result<DateTime<FixedOffset>, String> {
    super::rfc3339::parse_timestamp(&args.string(index)?).map_err(|why| args.invalid(index, why))
}

/// `timecmp(a, b)`: -1, 0 or 1 as the instant `a` is before, at or after `b`.
fn timecmp(args: &Args) -> Result<Value, String> {
    let a = parse_timestamp(args, 0)?;
    let b = parse_timestamp(args, 1)?;
    Ok(Value::from(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1i64,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}

fn formatdate(args: &Args) -> Result<Value, String> {
    let spec = args.string(0)?;
    let time = parse_timestamp(args, 1)?;
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i = quoted_literal(args, &chars, i, &mut out)?;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut end = i;
        while chars.get(end) == Some(&c) {
            end += 1;
        }
        let token: String = chars[i..end].iter().collect();
        out.push_str(&format_token(&time, c, end - i).ok_or_else(|| {
            let hint = verb_hint(c)
                .map(|hint| format!(": {hint}"))
                .unwrap_or_default();
            args.invalid(0, format!("invalid date format verb {token:?}{hint}"))
        })?);
        i = end;
    }
    Ok(Value::String(out))
}

/// Copies the quoted literal starting at `start` (`''` stands for one quote) and returns the
/// index after it.
fn quoted_literal(
    args: &Args,
    chars: &[char],
    start: usize,
    out: &mut String,
) -> Result<usize, String> {
    if chars.get(start + 1) == Some(&'\'') {
        out.push('\'');
        return Ok(start + 2);
    }
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(args.invalid(0, "unterminated literal '")),
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                out.push('\'');
                i += 2;
            }
            Some('\'') => return Ok(i + 1),
            Some(c) => {
                out.push(*c);
                i += 1;
            }
        }
    }
}

/// What Terraform says the runs of a known verb letter may be.
fn verb_hint(letter: char) -> Option<&'static str> {
    Some(match letter {
        'Y' => "year must either be \"YY\" or \"YYYY\"",
        'M' => "month must either be \"M\", \"MM\", \"MMM\", or \"MMMM\"",
        'D' => "day of month must either be \"D\" or \"DD\"",
        'E' => "day of week must either be \"EEE\" or \"EEEE\"",
        'h' => "24-hour must either be \"h\" or \"hh\"",
        'H' => "12-hour must either be \"H\" or \"HH\"",
        'A' => "must be \"AA\"",
        'a' => "must be \"aa\"",
        'm' => "minute must either be \"m\" or \"mm\"",
        's' => "second must either be \"s\" or \"ss\"",
        'Z' => "timezone must be Z, ZZZZ, or ZZZZZ",
        _ => return None,
    })
}

/// One run of a spec letter (`YYYY`, `MMM`, `hh`, ...); None when the run is not a known verb.
fn format_token(time: &DateTime<FixedOffset>, letter: char, count: usize) -> Option<String> {
    let hour12 = match time.hour() % 12 {
        0 => 12,
        h => h,
    };
    let offset = time.offset().local_minus_utc();
    let (sign, minutes) = (
        if offset < 0 { '-' } else { '+' },
        offset.unsigned_abs() / 60,
    );
    let numeric_offset =
        |colon: &str| format!("{sign}{:02}{colon}{:02}", minutes / 60, minutes % 60);
    let month = time.month0() as usize;
    let weekday = time.weekday().num_days_from_monday() as usize;
    Some(match (letter, count) {
        ('Y', 4) => format!("{:04}", time.year()),
        ('Y', 2) => format!("{:02}", time.year().rem_euclid(100)),
        ('M', 4) => MONTHS[month].to_string(),
        ('M', 3) => MONTHS[month][..3].to_string(),
        ('M', 2) => format!("{:02}", month + 1),
        ('M', 1) => (month + 1).to_string(),
        ('D', 2) => format!("{:02}", time.day()),
        ('D', 1) => time.day().to_string(),
        ('E', 4) => WEEKDAYS[weekday].to_string(),
        ('E', 3) => WEEKDAYS[weekday][..3].to_string(),
        ('h', 2) => format!("{:02}", time.hour()),
        ('h', 1) => time.hour().to_string(),
        ('H', 2) => format!("{hour12:02}"),
        ('H', 1) => hour12.to_string(),
        ('m', 2) => format!("{:02}", time.minute()),
        ('m', 1) => time.minute().to_string(),
        ('s', 2) => format!("{:02}", time.second()),
        ('s', 1) => time.second().to_string(),
        ('A', 2) => if time.hour() < 12 { "AM" } else { "PM" }.to_string(),
        ('a', 2) => if time.hour() < 12 { "am" } else { "pm" }.to_string(),
        ('Z', 5) => numeric_offset(":"),
        ('Z', 4) => numeric_offset(""),
        ('Z', 3) if offset == 0 => "UTC".to_string(),
        ('Z', 3) => numeric_offset(""),
        ('Z', 1) if offset == 0 => "Z".to_string(),
        ('Z', 1) => numeric_offset(":"),
        _ => return None,
    })
}

/// `timeadd`: its malformed arguments fail the call, as in Terraform.
fn timeadd(args: &Args) -> Result<Value, String> {
    let time = super::rfc3339::parse_timestamp(&args.string(0)?).map_err(|why| args.failed(why))?;
    let duration = parse_duration(&args.string(1)?).map_err(|why| args.failed(why))?;
    let result = time
        .checked_add_signed(duration)
        .ok_or_else(|| args.failed("the resulting time is out of range"))?;
    Ok(Value::String(
        result.to_rfc3339_opts(SecondsFormat::Secs, true),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn timestamp_is_rfc3339_utc() {
        let now = ok("timestamp", vec![]);
        let text = now.as_str().expect("a string");
        assert!(chrono::DateTime::parse_from_rfc3339(text).is_ok());
        assert!(text.ends_with('Z'));
    }

    #[test]
    fn formatdate_documented_examples() {
        let cases = [
            (
                "DD MMM YYYY hh:mm ZZZ",
                "2018-01-02T23:12:01Z",
                "02 Jan 2018 23:12 UTC",
            ),
            (
                "EEEE, DD-MMM-YY hh:mm:ss ZZZ",
                "2018-01-02T23:12:01Z",
                "Tuesday, 02-Jan-18 23:12:01 UTC",
            ),
            (
                "EEE, DD MMM YYYY hh:mm:ss ZZZ",
                "2018-01-02T23:12:01-08:00",
                "Tue, 02 Jan 2018 23:12:01 -0800",
            ),
            ("MMM DD, YYYY", "2018-01-02T23:12:01Z", "Jan 02, 2018"),
            ("HH:mmaa", "2018-01-02T23:12:01Z", "11:12pm"),
            (
                "h:m:s H AA M/D MMMM",
                "2018-03-04T05:06:07+05:30",
                "5:6:7 5 AM 3/4 March",
            ),
            (
                "ZZZZZ ZZZZ Z",
                "2018-03-04T05:06:07+05:30",
                "+05:30 +0530 +05:30",
            ),
            ("Z", "2018-03-04T05:06:07Z", "Z"),
            (
                "'Day' D 'o''clock' ''",
                "2018-03-04T05:06:07Z",
                "Day 4 o'clock '",
            ),
        ];
        for (spec, time, expected) in cases {
            assert_eq!(
                ok("formatdate", vec![s(spec), s(time)]),
                s(expected),
                "{spec}"
            );
        }
        assert!(err("formatdate", vec![s("YYY"), s("2018-01-02T23:12:01Z")])
            .contains("invalid date format verb \"YYY\""));
        assert!(
            err("formatdate", vec![s("'abc"), s("2018-01-02T23:12:01Z")]).contains("unterminated")
        );
        assert!(err("formatdate", vec![s("YYYY"), s("2018-01-02")])
            .contains("not a valid RFC3339 timestamp"));
    }

    #[test]
    fn timeadd_parses_go_durations() {
        assert_eq!(
            ok("timeadd", vec![s("2017-11-22T00:00:00Z"), s("10m")]),
            s("2017-11-22T00:10:00Z")
        );
        assert_eq!(
            ok("timeadd", vec![s("2017-11-22T00:00:00Z"), s("-10m")]),
            s("2017-11-21T23:50:00Z")
        );
        assert_eq!(
            ok("timeadd", vec![s("2017-11-22T00:00:00Z"), s("1h30m")]),
            s("2017-11-22T01:30:00Z")
        );
        assert_eq!(
            ok("timeadd", vec![s("2017-11-22T00:00:00Z"), s("1.5h")]),
            s("2017-11-22T01:30:00Z")
        );
        assert_eq!(
            ok("timeadd", vec![s("2017-11-22T00:00:00+02:00"), s("24h")]),
            s("2017-11-23T00:00:00+02:00")
        );
        assert_eq!(
            ok("timeadd", vec![s("2017-11-22T00:00:00Z"), s("0")]),
            s("2017-11-22T00:00:00Z")
        );
        assert!(err("timeadd", vec![s("2017-11-22T00:00:00Z"), s("10x")])
            .contains("unknown unit \"x\""));
        assert!(err("timeadd", vec![s("2017-11-22T00:00:00Z"), s("")]).contains("invalid duration"));
        assert!(err(
            "timeadd",
            vec![s("2017-11-22T00:00:00Z"), s("99999999999999h")]
        )
        .contains("duration"));
        assert!(err("timeadd", vec![s("nope"), s("1h")]).contains("cannot use \"nope\" as year"));
    }
}
