//! The `null` provider: `null_resource`, which holds nothing but `triggers` (replaced when they
//! change, usually to run provisioners again), and the `null_data_source` data source, which
//! echoes its `inputs` as `outputs`.

use std::sync::Arc;

use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Context, CrashSafety, CreateRequest, DataSource, DeleteRequest, DeleteResponse,
    FnFactory, ObjectResponse, Provider, ProviderFactory, ReadDataResponse, ReadManyResponse,
    Registry, Resource, Schema, Type, UpdateRequest, Value,
};

use crate::common::{self, entries, NoConfiguration};

struct NullResource;
struct NullDataSource;

fn make() -> Box<dyn Provider> {
    Box::new(
        Registry::new("null", NoConfiguration)
            .resource(NullResource)
            .data_source(NullDataSource),
    )
}

/// The factory of the built-in `null` provider.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new("null", make))
}

/// A random non-negative number as a decimal string, like the Go provider's ids.
fn random_id() -> String {
    (rand::random::<u64>() >> 1).to_string()
}

#[async_trait]
impl Resource<()> for NullResource {
    fn type_name(&self) -> &str {
        "null_resource"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("A random number, set on create."),
            )
            .attr(
                "triggers",
                common::keepers("Any strings; a change replaces the resource."),
            )
            .crash_safety(CrashSafety::NoRemoteObject)
            .describe("A resource that does nothing, replaced when its triggers change.")
    }

    async fn create(&self, _: &(), _: &Context, request: CreateRequest) -> ObjectResponse {
        let mut object = entries(request.planned);
        object.insert("id".into(), Value::String(random_id()));
        ObjectResponse::ok(Value::Map(object))
    }

    async fn read_many(&self, _: &(), _: &Context, objects: Vec<Value>) -> ReadManyResponse {
        common::all_found(objects)
    }

    async fn update(&self, _: &(), _: &Context, request: UpdateRequest) -> ObjectResponse {
        ObjectResponse::ok(request.planned)
    }

    async fn delete(&self, _: &(), _: &Context, _: DeleteRequest) -> DeleteResponse {
        DeleteResponse::default()
    }
}

#[async_trait]
impl DataSource<()> for NullDataSource {
    fn type_name(&self) -> &str {
        "null_data_source"
    }

    fn schema(&self) -> Schema {
        let strings = || Type::Map(Box::new(Type::String));
        Schema::new()
            .attr(
                "inputs",
                Attribute::optional(strings()).describe("Strings echoed in outputs."),
            )
            .attr(
                "outputs",
                Attribute::computed(strings()).describe("The inputs, unchanged."),
            )
            .attr(
                "has_computed_default",
                Attribute::optional_computed(Type::String).describe("\"default\" unless set."),
            )
            .attr(
                "random",
                Attribute::computed(Type::String).describe("A random number, new on each read."),
            )
            .attr("id", Attribute::computed(Type::String))
            .describe("Echoes its inputs; locals do the same job today.")
    }

    async fn read(&self, _: &(), _: &Context, config: Value) -> ReadDataResponse {
        let mut object = entries(config);
        let inputs = object.get("inputs").cloned().unwrap_or(Value::Null);
        object.insert(
            "outputs".into(),
            if inputs.is_null() {
                Value::Map(Default::default())
            } else {
                inputs
            },
        );
        if object
            .get("has_computed_default")
            .is_none_or(Value::is_null)
        {
            object.insert("has_computed_default".into(), Value::from("default"));
        }
        object.insert("random".into(), Value::String(random_id()));
        object.insert("id".into(), Value::from("static"));
        ReadDataResponse {
            state: Some(Value::Map(object)),
            ..ReadDataResponse::default()
        }
    }
}
