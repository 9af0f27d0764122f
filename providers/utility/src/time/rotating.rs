//! `time_rotating`: a timestamp (now at create, unless `rfc3339` is set) that expires at
//! `rotation_rfc3339` (set, or the timestamp plus the `rotation_*` amounts). Once expired, reads
//! find it gone and the next plan creates it again. Changing a rotation amount updates it in
//! place. Imported from `BASE_RFC3339,YEARS,MONTHS,DAYS,HOURS,MINUTES` or
//! `BASE_RFC3339,ROTATION_RFC3339`.

use chrono::{DateTime, Duration, Utc};
use plinth_sdk::{Attribute, CrashSafety, Diagnostics, Schema, Type, Value};

use super::stamp;
use crate::common::{self, int, invalid, string};
use crate::generated::{Generated, Object};

pub struct TimeRotating;

const ROTATIONS: &[&str] = &[
    "rotation_years",
    "rotation_months",
    "rotation_days",
    "rotation_hours",
    "rotation_minutes",
];

/// When the timestamp `at` expires: the configured rotation amounts after it.
fn rotation(at: DateTime<Utc>, object: &Object) -> Result<Option<DateTime<Utc>>, Diagnostics> {
    if ROTATIONS.iter().all(|name| int(object, name).is_none()) {
        return Ok(None);
    }
    let get = |name: &str| int(object, name).unwrap_or(0);
    stamp::add_date(
        at,
        get("rotation_years"),
        get("rotation_months"),
        get("rotation_days"),
    )
    .and_then(|t| {
        t.checked_add_signed(
            Duration::try_hours(get("rotation_hours"))?
                + Duration::try_minutes(get("rotation_minutes"))?,
        )
    })
    .map(Some)
    .ok_or_else(|| invalid("rotation_years", "the rotation timestamp is out of range."))
}

/// Sets the timestamp, its parts and `rotation_rfc3339` (from the amounts when any is set).
fn compute(object: &mut Object, at: DateTime<Utc>) -> Result<(), Diagnostics> {
    let text = stamp::format(at);
    object.insert("rfc3339".into(), Value::String(text.clone()));
    object.insert("id".into(), Value::String(text));
    stamp::set_parts(object, Some(at));
    match rotation(at, object)? {
        Some(rotates) => {
            object.insert(
                "rotation_rfc3339".into(),
                Value::String(stamp::format(rotates)),
            );
        }
        None => match string(object, "rotation_rfc3339") {
            Some(text) => {
                stamp::parse("rotation_rfc3339", &text)?;
            }
            None => {
                return Err(invalid(
                    "rotation_rfc3339",
                    "set one of rotation_days, rotation_hours, rotation_minutes, rotation_months, rotation_years or rotation_rfc3339.",
                ))
            }
        },
    }
    Ok(())
}

impl Generated for TimeRotating {
    fn type_name(&self) -> &'static str {
        "time_rotating"
    }

    fn schema(&self) -> Schema {
        let amount = |text: &str| Attribute::optional(Type::Number).describe(text);
        stamp::part_attributes(
            Schema::new()
                .attr(
                    "rfc3339",
                    Attribute::optional_computed(Type::String)
                        .force_new()
                        .describe("The base timestamp (now at create, unless set)."),
                )
                .attr("rotation_years", amount("Years until rotation."))
                .attr("rotation_months", amount("Months until rotation."))
                .attr("rotation_days", amount("Days until rotation."))
                .attr("rotation_hours", amount("Hours until rotation."))
                .attr("rotation_minutes", amount("Minutes until rotation."))
                .attr(
                    "rotation_rfc3339",
                    Attribute::optional_computed(Type::String)
                        .describe("When it rotates (computed from the amounts when they are set)."),
                )
                .attr(
                    "triggers",
                    common::keepers("Arbitrary strings; a change takes a new timestamp."),
                )
                .attr(
                    "id",
                    Attribute::computed(Type::String).describe("The base timestamp."),
                )
                .crash_safety(CrashSafety::NoRemoteObject),
        )
    }

    fn plan(&self, prior: Option<&Object>, proposed: &mut Object) {
        if common::any_unknown(proposed, ROTATIONS) {
            proposed.insert("rotation_rfc3339".into(), Value::Unknown);
            return;
        }
        let rfc3339 = string(proposed, "rfc3339");
        match rfc3339.map(|t| stamp::parse("rfc3339", &t)) {
            Some(Ok(at)) => {
                let _ = compute(proposed, at);
            }
            _ if prior.is_none() && ROTATIONS.iter().any(|name| int(proposed, name).is_some()) => {
                proposed.insert("rotation_rfc3339".into(), Value::Unknown);
            }
            _ => {}
        }
    }

    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics> {
        let at = match string(object, "rfc3339") {
            Some(text) => stamp::parse("rfc3339", &text)?,
            None => stamp::now(),
        };
        compute(object, at)
    }

    fn update(&self, _: &Object, planned: &mut Object) -> Result<(), Diagnostics> {
        self.generate(planned)
    }

    fn expired(&self, object: &Value) -> bool {
        object
            .get("rotation_rfc3339")
            .and_then(Value::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .is_some_and(|rotates| Utc::now() >= rotates)
    }

    fn import(&self, id: &str) -> Result<Object, Diagnostics> {
        let parts: Vec<&str> = id.split(',').collect();
        let mut object = Object::new();
        object.insert("rfc3339".into(), Value::from(parts[0]));
        object.insert("triggers".into(), Value::Null);
        for name in ROTATIONS {
            object.insert((*name).into(), Value::Null);
        }
        match parts.len() {
            2 => {
                object.insert("rotation_rfc3339".into(), Value::from(parts[1]));
            }
            6 => {
                for (name, text) in ROTATIONS.iter().zip(&parts[1..]) {
                    let n = text.trim();
                    if !n.is_empty() {
                        let number = n.parse().map_err(|_| {
                            invalid("id", format!("\"{n}\" is not a whole number."))
                        })?;
                        object.insert((*name).into(), Value::int(number));
                    }
                }
            }
            _ => {
                return Err(invalid(
                    "id",
                    "the import id is BASE_RFC3339,YEARS,MONTHS,DAYS,HOURS,MINUTES or BASE_RFC3339,ROTATION_RFC3339.",
                ))
            }
        }
        self.generate(&mut object)?;
        Ok(object)
    }
}
