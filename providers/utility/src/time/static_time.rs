//! `time_static`: a timestamp taken at create (or the configured `rfc3339`), with its parts.
//! Imported from the RFC 3339 timestamp.

use plinth_sdk::{Attribute, CrashSafety, Diagnostics, Schema, Type, Value};

use super::stamp;
use crate::common::{self, string};
use crate::generated::{Generated, Object};

pub struct TimeStatic;

impl Generated for TimeStatic {
    fn type_name(&self) -> &'static str {
        "time_static"
    }

    fn schema(&self) -> Schema {
        stamp::part_attributes(
            Schema::new()
                .attr(
                    "rfc3339",
                    Attribute::optional_computed(Type::String)
                        .force_new()
                        .describe("The timestamp (now at create, unless set)."),
                )
                .attr(
                    "triggers",
                    common::keepers("Arbitrary strings; a change takes a new timestamp."),
                )
                .attr(
                    "id",
                    Attribute::computed(Type::String).describe("The timestamp."),
                )
                .crash_safety(CrashSafety::NoRemoteObject),
        )
    }

    fn plan(&self, prior: Option<&Object>, proposed: &mut Object) {
        if prior.is_none() {
            if let Some(at) =
                string(proposed, "rfc3339").and_then(|t| stamp::parse("rfc3339", &t).ok())
            {
                proposed.insert("id".into(), Value::String(stamp::format(at)));
                stamp::set_parts(proposed, Some(at));
            }
        }
    }

    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics> {
        let at = match string(object, "rfc3339") {
            Some(text) => stamp::parse("rfc3339", &text)?,
            None => stamp::now(),
        };
        let text = string(object, "rfc3339").unwrap_or_else(|| stamp::format(at));
        object.insert("rfc3339".into(), Value::String(text.clone()));
        object.insert("id".into(), Value::String(text));
        stamp::set_parts(object, Some(at));
        Ok(())
    }

    fn import(&self, id: &str) -> Result<Object, Diagnostics> {
        let mut object = Object::new();
        object.insert("rfc3339".into(), Value::from(id));
        object.insert("triggers".into(), Value::Null);
        self.generate(&mut object)?;
        Ok(object)
    }
}
