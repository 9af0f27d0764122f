//! `random_shuffle`: the `input` strings in a random order (repeatable for the same `seed`),
//! `result_count` of them when set, repeating the input when more are asked for than it holds.

use plinth_sdk::{Attribute, CrashSafety, Diagnostics, Schema, Type, Validator, Value};
use rand::seq::SliceRandom;
use rand::RngCore;

use crate::common::{self, int, string};
use crate::generated::{Generated, Object};

pub struct RandomShuffle;

impl Generated for RandomShuffle {
    fn type_name(&self) -> &'static str {
        "random_shuffle"
    }

    fn schema(&self) -> Schema {
        let strings = || Type::List(Box::new(Type::String));
        Schema::new()
            .attr(
                "input",
                Attribute::required(strings())
                    .force_new()
                    .describe("The strings to shuffle."),
            )
            .attr(
                "result_count",
                Attribute::optional(Type::Number)
                    .force_new()
                    .validate(Validator::Between {
                        min: 0.0,
                        max: f64::from(u32::MAX),
                    })
                    .describe("How many results (the input's length unless set)."),
            )
            .attr(
                "seed",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("Makes the order repeatable."),
            )
            .attr(
                "keepers",
                common::keepers("Arbitrary strings; a change shuffles again."),
            )
            .attr(
                "result",
                Attribute::computed(strings()).describe("The shuffled strings."),
            )
            .attr("id", Attribute::computed(Type::String))
            .crash_safety(CrashSafety::NoRemoteObject)
    }

    fn generate(&self, object: &mut Object) -> Result<(), Diagnostics> {
        let input: Vec<Value> = object
            .get("input")
            .and_then(Value::as_list)
            .map(<[Value]>::to_vec)
            .unwrap_or_default();
        let count = int(object, "result_count")
            .map(|n| n.max(0) as usize)
            .unwrap_or(input.len());
        let mut rng: Box<dyn RngCore> = match string(object, "seed") {
            Some(seed) => Box::new(super::seeded(&seed)),
            None => Box::new(rand::rng()),
        };
        let mut result = Vec::with_capacity(count);
        while !input.is_empty() && result.len() < count {
            let mut round = input.clone();
            round.shuffle(&mut rng);
            result.extend(round.into_iter().take(count - result.len()));
        }
        object.insert("result".into(), Value::List(result));
        object.insert("id".into(), Value::from("-"));
        Ok(())
    }
}
