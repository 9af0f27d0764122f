//! `random_integer`: a whole number within `min..=max`, repeatable for the same `seed`.
//! Imported from `RESULT,MIN,MAX` or `RESULT,MIN,MAX,SEED`.

use plinth_sdk::{Attribute, CrashSafety, Diagnostics, Schema, Type, Value};
use rand::Rng;

use crate::common::{self, int, invalid, string};
use crate::generated::{Generated, Object};

pub struct RandomInteger;

impl Generated for RandomInteger {
    fn type_name(&self) -> &'static str {
        "random_integer"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "min",
                Attribute::required(Type::Number)
                    .force_new()
                    .describe("The smallest possible result."),
            )
            .attr(
                "max",
                Attribute::required(Type::Number)
                    .force_new()
                    .describe("The largest possible result."),
            )
            .attr(
                "seed",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("Makes the result repeatable."),
            )
            .attr(
                "keepers",
                common::keepers("Arbitrary strings; a change generates a new result."),
            )
            .attr(
                "result",
                Attribute::computed(Type::Number).describe("The random integer."),
            )
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The result as a string."),
            )
            .crash_safety(CrashSafety::NoRemoteObject)
    }

    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics> {
        let (Some(min), Some(max)) = (int(object, "min"), int(object, "max")) else {
            return Err(invalid("min", "min and max must be whole numbers."));
        };
        if max < min {
            return Err(invalid(
                "max",
                "minimum value needs to be smaller than or equal to maximum value.",
            ));
        }
        let result = match string(object, "seed") {
            Some(seed) => super::seeded(&seed).random_range(min..=max),
            None => rand::rng().random_range(min..=max),
        };
        object.insert("result".into(), Value::int(result));
        object.insert("id".into(), Value::String(result.to_string()));
        Ok(())
    }

    fn import(&self, id: &str) -> Result<Object, Diagnostics> {
        let parts: Vec<&str> = id.split(',').collect();
        let number = |text: &str| {
            text.trim().parse::<i64>().map_err(|_| {
                invalid("id", format!("\"{text}\" is not a whole number; the import id is RESULT,MIN,MAX or RESULT,MIN,MAX,SEED."))
            })
        };
        if !(3..=4).contains(&parts.len()) {
            return Err(invalid(
                "id",
                "the import id is RESULT,MIN,MAX or RESULT,MIN,MAX,SEED.",
            ));
        }
        let (result, min, max) = (number(parts[0])?, number(parts[1])?, number(parts[2])?);
        let mut object = Object::new();
        object.insert("result".into(), Value::int(result));
        object.insert("id".into(), Value::String(result.to_string()));
        object.insert("min".into(), Value::int(min));
        object.insert("max".into(), Value::int(max));
        object.insert(
            "seed".into(),
            parts.get(3).map_or(Value::Null, |s| Value::from(*s)),
        );
        object.insert("keepers".into(), Value::Null);
        Ok(object)
    }
}
