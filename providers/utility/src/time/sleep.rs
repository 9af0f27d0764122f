//! `time_sleep`: waits `create_duration` when created and `destroy_duration` when destroyed
//! (Go duration syntax), so something slow to settle is given time before its dependents start.
//! A wait stops early when plinth is interrupted, leaving nothing behind (the object exists only
//! in state). Changing a duration updates it in place without waiting; `triggers` replace it.
//! Imported from `CREATE_DURATION,DESTROY_DURATION` (either may be empty).

use std::collections::BTreeMap;

use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Context, CrashSafety, CreateRequest, DeleteRequest, DeleteResponse, Diagnostic,
    Diagnostics, ObjectResponse, ReadManyResponse, Resource, Schema, Slept, Type, UpdateRequest,
    Validator, Value,
};

use super::stamp;
use crate::common::{self, entries, invalid, string};
use crate::duration;

pub struct TimeSleep;

/// Sleeps the duration in attribute `name` of `object`, if set.
async fn sleep(
    ctx: &Context,
    object: &BTreeMap<String, Value>,
    name: &str,
) -> Result<(), Diagnostics> {
    let Some(text) = string(object, name) else {
        return Ok(());
    };
    let wait = duration::parse(&text).map_err(|e| invalid(name, e))?;
    ctx.report(&format!("sleeping for {text}"));
    match ctx.sleep(wait).await {
        Slept::Done => Ok(()),
        Slept::Cancelled => Err(Diagnostic::error("Interrupted")
            .with_detail(format!("the {text} sleep was interrupted before it ended"))
            .into()),
        Slept::DeadlinePassed => Err(Diagnostic::error("Timed out")
            .with_detail(format!(
                "the {text} sleep outlasted the operation's time limit"
            ))
            .into()),
    }
}

#[async_trait]
impl Resource<()> for TimeSleep {
    fn type_name(&self) -> &str {
        "time_sleep"
    }

    fn schema(&self) -> Schema {
        let duration = |text: &str| {
            Attribute::optional(Type::String)
                .validate(Validator::Matches {
                    pattern: r"^(0|\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$".into(),
                    message: "must be a duration such as \"30s\", \"1m30s\" or \"250ms\"".into(),
                })
                .describe(text)
        };
        Schema::new()
            .attr("create_duration", duration("How long to wait on create."))
            .attr("destroy_duration", duration("How long to wait on destroy."))
            .attr(
                "triggers",
                common::keepers("Arbitrary strings; a change replaces it (and waits again)."),
            )
            .attr(
                "id",
                Attribute::computed(Type::String).describe("When the create finished."),
            )
            .crash_safety(CrashSafety::NoRemoteObject)
    }

    async fn create(&self, _: &(), ctx: &Context, request: CreateRequest) -> ObjectResponse {
        let mut object = entries(request.planned);
        if let Err(diagnostics) = sleep(ctx, &object, "create_duration").await {
            return ObjectResponse::failed(diagnostics);
        }
        object.insert("id".into(), Value::String(stamp::format(stamp::now())));
        ObjectResponse::ok(Value::Map(object))
    }

    async fn read_many(&self, _: &(), _: &Context, objects: Vec<Value>) -> ReadManyResponse {
        common::all_found(objects)
    }

    async fn update(&self, _: &(), _: &Context, request: UpdateRequest) -> ObjectResponse {
        ObjectResponse::ok(request.planned)
    }

    async fn delete(&self, _: &(), ctx: &Context, request: DeleteRequest) -> DeleteResponse {
        match sleep(ctx, &entries(request.prior), "destroy_duration").await {
            Ok(()) => DeleteResponse::default(),
            Err(diagnostics) => diagnostics.into(),
        }
    }

    async fn import(&self, _: &(), _: &Context, id: &str) -> ObjectResponse {
        let Some((create, destroy)) = id.split_once(',') else {
            return ObjectResponse::failed(invalid(
                "id",
                "the import id is CREATE_DURATION,DESTROY_DURATION (either may be empty).",
            ));
        };
        let mut object = BTreeMap::new();
        for (name, text) in [("create_duration", create), ("destroy_duration", destroy)] {
            if !text.is_empty() {
                if let Err(e) = duration::parse(text) {
                    return ObjectResponse::failed(invalid(name, e));
                }
            }
            let value = if text.is_empty() {
                Value::Null
            } else {
                Value::from(text)
            };
            object.insert(name.to_string(), value);
        }
        object.insert("triggers".into(), Value::Null);
        object.insert("id".into(), Value::String(stamp::format(stamp::now())));
        ObjectResponse::ok(Value::Map(object))
    }
}
