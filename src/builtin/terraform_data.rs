//! The built-in `terraform` provider and its `terraform_data` resource: stores `input`, mirrors
//! it into `output`, and is replaced when `triggers_replace` changes. It needs no cloud, and
//! nothing outside state exists, so its creates need no crash safety. The provider also serves
//! the `terraform_remote_state` data source (`super::remote_state`).

use std::sync::Arc;

use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Configure, Context, CrashSafety, CreateRequest, DeleteRequest, DeleteResponse,
    Diagnostics, FnFactory, ObjectResponse, PlanRequest, PlanResponse, Provider, ProviderFactory,
    ReadManyResponse, ReadResult, Registry, Resource, Schema, Type, UpdateRequest, Value,
};

/// The `terraform` provider has no configuration and no client.
struct NoConfiguration;

#[async_trait]
impl Configure<()> for NoConfiguration {
    fn schema(&self) -> Schema {
        Schema::new()
    }

    async fn configure(&self, _: &Context, _: Value) -> Result<(), Diagnostics> {
        Ok(())
    }
}

/// `terraform_data`.
struct TerraformData;

fn make() -> Box<dyn Provider> {
    Box::new(
        Registry::new("terraform", NoConfiguration)
            .resource(TerraformData)
            .data_source(super::remote_state::RemoteState),
    )
}

/// The factory of the built-in `terraform` provider.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new("terraform", make))
}

/// `value` with `output` set to its `input`.
fn mirrored(value: Value) -> Value {
    let Value::Map(mut map) = value else {
        return value;
    };
    let input = map.get("input").cloned().unwrap_or(Value::Null);
    map.insert("output".into(), input);
    Value::Map(map)
}

#[async_trait]
impl Resource<()> for TerraformData {
    fn type_name(&self) -> &str {
        "terraform_data"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("A unique id, set on create."),
            )
            .attr(
                "input",
                Attribute::optional(Type::Any).describe("Any value, stored in state."),
            )
            .attr(
                "output",
                Attribute::computed(Type::Any).describe("The value of input after apply."),
            )
            .attr(
                "triggers_replace",
                Attribute::optional(Type::Any)
                    .force_new()
                    .describe("Changing it replaces the resource."),
            )
            .crash_safety(CrashSafety::NoRemoteObject)
    }

    async fn plan(&self, _: &(), _: &Context, request: PlanRequest) -> PlanResponse {
        let Value::Map(mut planned) = request.proposed else {
            return PlanResponse::keep(request.proposed);
        };
        let input = planned.get("input").cloned().unwrap_or(Value::Null);
        let output = match &request.prior {
            Some(p)
                if p.get("input").map(|i| i.clone().unmark_deep().0)
                    == Some(input.clone().unmark_deep().0) =>
            {
                p.get("output").cloned().unwrap_or(Value::Null)
            }
            _ if input.contains_sensitive() => Value::Unknown.mark_sensitive(),
            _ => Value::Unknown,
        };
        planned.insert("output".into(), output);
        if request.prior.is_none() {
            planned.insert("id".into(), Value::Unknown);
        }
        PlanResponse::keep(Value::Map(planned))
    }

    async fn create(&self, _: &(), _: &Context, request: CreateRequest) -> ObjectResponse {
        let Value::Map(mut value) = mirrored(request.planned) else {
            return ObjectResponse::ok(Value::Null);
        };
        value.insert("id".into(), Value::String(uuid::Uuid::new_v4().to_string()));
        ObjectResponse::ok(Value::Map(value))
    }

    async fn read_many(&self, _: &(), _: &Context, objects: Vec<Value>) -> ReadManyResponse {
        ReadManyResponse {
            results: objects.into_iter().map(ReadResult::Found).collect(),
            diagnostics: Diagnostics::new(),
        }
    }

    async fn update(&self, _: &(), _: &Context, request: UpdateRequest) -> ObjectResponse {
        let Value::Map(mut value) = mirrored(request.planned) else {
            return ObjectResponse::ok(Value::Null);
        };
        if let Some(id) = request.prior.get("id") {
            value.insert("id".into(), id.clone());
        }
        ObjectResponse::ok(Value::Map(value))
    }

    async fn delete(&self, _: &(), _: &Context, _: DeleteRequest) -> DeleteResponse {
        DeleteResponse::default()
    }

    async fn import(&self, _: &(), _: &Context, id: &str) -> ObjectResponse {
        ObjectResponse::ok(Value::object([
            ("id", Value::from(id)),
            ("input", Value::Null),
            ("output", Value::Null),
            ("triggers_replace", Value::Null),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_sdk::Intent;

    #[tokio::test]
    async fn output_mirrors_input_and_is_unknown_until_apply_when_input_changes() {
        let mut p = make();
        let ctx = Context::default();
        let config = plinth_sdk::ConfigureRequest {
            config: Value::Null,
        };
        assert!(!p.configure(&ctx, config).await.diagnostics.has_errors());
        let proposed = Value::object([
            ("input", Value::from("a")),
            ("id", Value::Unknown),
            ("output", Value::Unknown),
            ("triggers_replace", Value::Null),
        ]);
        let plan = |prior: Option<Value>, proposed: Value| PlanRequest {
            type_name: "terraform_data".into(),
            prior,
            proposed,
            prior_private: Vec::new(),
        };
        let planned = p.plan(&ctx, plan(None, proposed)).await.planned;
        assert_eq!(planned.get("output"), Some(&Value::Unknown));
        let created = p
            .create(
                &ctx,
                CreateRequest {
                    type_name: "terraform_data".into(),
                    planned,
                    intent: Intent::new("terraform_data.x", "default"),
                    private: Vec::new(),
                },
            )
            .await
            .new_state
            .expect("created");
        assert_eq!(created.get("output"), Some(&Value::from("a")));
        assert!(created
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.len() == 36));
        let same = p
            .plan(&ctx, plan(Some(created.clone()), created.clone()))
            .await
            .planned;
        assert_eq!(same.get("output"), Some(&Value::from("a")));
    }
}
