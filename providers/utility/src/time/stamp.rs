//! Timestamps shared by the time resources: parsing and formatting RFC 3339, Go's `AddDate`
//! normalisation, and the computed `year` … `unix` attributes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, SecondsFormat, Timelike, Utc};
use plinth_sdk::{Attribute, Diagnostics, Schema, Type, Value};

use crate::common::invalid;
use crate::generated::Object;

/// The computed parts of a timestamp.
const PARTS: &[(&str, &str)] = &[
    ("year", "The year."),
    ("month", "The month (1-12)."),
    ("day", "The day of the month."),
    ("hour", "The hour (0-23)."),
    ("minute", "The minute."),
    ("second", "The second."),
    ("unix", "Seconds since the Unix epoch."),
];

/// Adds the computed `year` … `unix` attributes to a schema.
pub fn part_attributes(schema: Schema) -> Schema {
    PARTS.iter().fold(schema, |schema, (name, text)| {
        schema.attr(name, Attribute::computed(Type::Number).describe(*text))
    })
}

/// Sets `year` … `unix` from `at` (or makes them unknown).
pub fn set_parts(object: &mut Object, at: Option<DateTime<Utc>>) {
    for (name, _) in PARTS {
        let value = match at {
            Some(t) => Value::int(match *name {
                "year" => i64::from(t.year()),
                "month" => i64::from(t.month()),
                "day" => i64::from(t.day()),
                "hour" => i64::from(t.hour()),
                "minute" => i64::from(t.minute()),
                "second" => i64::from(t.second()),
                _ => t.timestamp(),
            }),
            None => Value::Unknown,
        };
        object.insert((*name).into(), value);
    }
}

/// Parses an RFC 3339 timestamp attribute.
pub fn parse(attribute: &str, text: &str) -> Result<DateTime<Utc>, Diagnostics> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            invalid(
                attribute,
                format!(
                    "\"{text}\" is not an RFC 3339 timestamp such as \"2024-01-02T15:04:05Z\": {e}"
                ),
            )
        })
}

/// A timestamp as RFC 3339 in UTC, to the second (Go's `time.RFC3339`).
pub fn format(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Now, to the second.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now - Duration::nanoseconds(i64::from(now.nanosecond()))
}

/// `at` moved by whole years, months and days, normalising overflowing days into the next
/// months as Go's `AddDate` does.
pub fn add_date(at: DateTime<Utc>, years: i64, months: i64, days: i64) -> Option<DateTime<Utc>> {
    let total_months = i64::from(at.year()) * 12 + i64::from(at.month0()) + years * 12 + months;
    let year = i32::try_from(total_months.div_euclid(12)).ok()?;
    let month = u32::try_from(total_months.rem_euclid(12)).ok()? + 1;
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let date = first.checked_add_signed(Duration::days(i64::from(at.day()) - 1 + days))?;
    Some(date.and_time(at.time()).and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_a_month_to_january_31_overflows_like_go() {
        let at = parse("t", "2023-01-31T10:00:00Z").expect("parse");
        assert_eq!(
            format(add_date(at, 0, 1, 0).expect("add")),
            "2023-03-03T10:00:00Z"
        );
        assert_eq!(
            format(add_date(at, 1, -1, 1).expect("add")),
            "2024-01-01T10:00:00Z"
        );
    }
}
