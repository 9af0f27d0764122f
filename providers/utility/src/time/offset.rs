//! `time_offset`: `base_rfc3339` (now at create, unless set) moved by the `offset_*` amounts,
//! as `rfc3339` with its parts. Changing an offset updates it in place. Imported from
//! `BASE_RFC3339,YEARS,MONTHS,DAYS,HOURS,MINUTES,SECONDS`.

use chrono::{DateTime, Duration, Utc};
use plinth_sdk::{Attribute, CrashSafety, Diagnostics, Schema, Type, Value};

use super::stamp;
use crate::common::{self, int, invalid, string};
use crate::generated::{Generated, Object};

pub struct TimeOffset;

const OFFSETS: &[&str] = &[
    "offset_years",
    "offset_months",
    "offset_days",
    "offset_hours",
    "offset_minutes",
    "offset_seconds",
];

/// The base moved by the configured offsets.
fn offset(base: DateTime<Utc>, object: &Object) -> Result<DateTime<Utc>, Diagnostics> {
    let get = |name: &str| int(object, name).unwrap_or(0);
    stamp::add_date(
        base,
        get("offset_years"),
        get("offset_months"),
        get("offset_days"),
    )
    .and_then(|t| {
        t.checked_add_signed(
            Duration::try_hours(get("offset_hours"))?
                + Duration::try_minutes(get("offset_minutes"))?
                + Duration::try_seconds(get("offset_seconds"))?,
        )
    })
    .ok_or_else(|| invalid("offset_years", "the offset timestamp is out of range."))
}

/// Sets `rfc3339`, `id` and the parts from the base and offsets.
fn compute(object: &mut Object, base: DateTime<Utc>) -> Result<(), Diagnostics> {
    let at = offset(base, object)?;
    object.insert("base_rfc3339".into(), Value::String(stamp::format(base)));
    object.insert("id".into(), Value::String(stamp::format(base)));
    object.insert("rfc3339".into(), Value::String(stamp::format(at)));
    stamp::set_parts(object, Some(at));
    Ok(())
}

fn base(object: &Object) -> Option<Result<DateTime<Utc>, Diagnostics>> {
    string(object, "base_rfc3339").map(|t| stamp::parse("base_rfc3339", &t))
}

impl Generated for TimeOffset {
    fn type_name(&self) -> &'static str {
        "time_offset"
    }

    fn schema(&self) -> Schema {
        let amount = |text: &str| Attribute::optional(Type::Number).describe(text);
        stamp::part_attributes(
            Schema::new()
                .attr(
                    "base_rfc3339",
                    Attribute::optional_computed(Type::String)
                        .force_new()
                        .describe("The base timestamp (now at create, unless set)."),
                )
                .attr("offset_years", amount("Years to add."))
                .attr("offset_months", amount("Months to add."))
                .attr("offset_days", amount("Days to add."))
                .attr("offset_hours", amount("Hours to add."))
                .attr("offset_minutes", amount("Minutes to add."))
                .attr("offset_seconds", amount("Seconds to add."))
                .attr(
                    "triggers",
                    common::keepers("Arbitrary strings; a change takes a new base timestamp."),
                )
                .attr(
                    "rfc3339",
                    Attribute::computed(Type::String).describe("The base plus the offsets."),
                )
                .attr(
                    "id",
                    Attribute::computed(Type::String).describe("The base timestamp."),
                )
                .crash_safety(CrashSafety::NoRemoteObject),
        )
    }

    fn plan(&self, _: Option<&Object>, proposed: &mut Object) {
        if common::any_unknown(proposed, OFFSETS) {
            proposed.insert("rfc3339".into(), Value::Unknown);
            stamp::set_parts(proposed, None);
        } else if let Some(Ok(base)) = base(proposed) {
            // Errors surface at apply, where the provider can report them.
            let _ = compute(proposed, base);
        }
    }

    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics> {
        let base = base(object).unwrap_or_else(|| Ok(stamp::now()))?;
        compute(object, base)
    }

    fn update(&self, _: &Object, planned: &mut Object) -> Result<(), Diagnostics> {
        self.generate(planned)
    }

    fn import(&self, id: &str) -> Result<Object, Diagnostics> {
        let parts: Vec<&str> = id.split(',').collect();
        if parts.len() != 7 {
            return Err(invalid(
                "id",
                "the import id is BASE_RFC3339,YEARS,MONTHS,DAYS,HOURS,MINUTES,SECONDS (empty for none).",
            ));
        }
        let mut object = Object::new();
        object.insert("base_rfc3339".into(), Value::from(parts[0]));
        object.insert("triggers".into(), Value::Null);
        for (name, text) in OFFSETS.iter().zip(&parts[1..]) {
            let value = match text.trim() {
                "" => Value::Null,
                n => Value::int(n.parse().map_err(|_| {
                    invalid(
                        "id",
                        format!("\"{n}\" is not a whole number of {}.", &name[7..]),
                    )
                })?),
            };
            object.insert((*name).into(), value);
        }
        self.generate(&mut object)?;
        Ok(object)
    }
}
