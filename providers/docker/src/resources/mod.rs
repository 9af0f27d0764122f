//! The Docker provider's resource types and data sources on the SDK's registry: each type's
//! schema (with its crash safety and timeouts) and operations, delegating to the modules that
//! talk to the Engine API. The registry types and the log and plugin data sources are in
//! [`registry`].

/// `$body` with the engine's negotiated client bound to `$docker`, or the diagnostics of why the
/// engine cannot be reached (every operation's first step).
macro_rules! with_docker {
    ($engine:expr, |$docker:ident| $body:expr) => {
        match docker($engine).await {
            Ok($docker) => $body,
            Err(d) => Err(d),
        }
    };
}

mod registry;

pub use registry::{LogsData, PluginData, RegistryImage, RegistryImageData, Tag};

use std::time::Duration;

use async_trait::async_trait;
use bollard::Docker;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Configure, Context, CrashSafety, CreateRequest, DataSource,
    DeleteRequest, DeleteResponse, Diagnostics, ListResponse, ObjectResponse, PlanRequest,
    PlanResponse, ReadDataResponse, ReadManyResponse, ReadResult, Resource, Schema, Timeouts,
    UpdateRequest, UpgradeResponse, Value,
};

use crate::client::Engine;
use crate::{attrs, container, defaults, image, network, schema, volume};

/// The schema version of the container, image and network types: 1 added the rest of
/// kreuzwerker/docker v3's arguments, whose defaults objects stored by version 0 take.
const SCHEMA_VERSION: u64 = 1;

/// An object of an older version with the defaults of the attributes added since.
fn upgraded(schema: &Schema, stored: Value) -> UpgradeResponse {
    UpgradeResponse {
        upgraded: Some(defaults::fill(schema, stored)),
        diagnostics: Diagnostics::new(),
    }
}

/// Turns a provider block into an engine client (no network call until first use).
pub struct Connect;

#[async_trait]
impl Configure<Engine> for Connect {
    fn schema(&self) -> Schema {
        schema::provider_block()
    }

    async fn configure(&self, _ctx: &Context, config: Value) -> Result<Engine, Diagnostics> {
        Engine::connect(&config)
    }
}

/// An object answer from a result.
pub(crate) fn answer(result: Result<Value, Diagnostics>) -> ObjectResponse {
    match result {
        Ok(value) => ObjectResponse::ok(value),
        Err(diagnostics) => ObjectResponse::failed(diagnostics),
    }
}

/// A delete answer from a result.
pub(crate) fn deleted(result: Result<(), Diagnostics>) -> DeleteResponse {
    result.err().map(DeleteResponse::from).unwrap_or_default()
}

/// A read answer from the modules' `Vec<Option<Value>>` form (one entry per object).
pub(crate) fn read(result: Result<Vec<Option<Value>>, Diagnostics>) -> ReadManyResponse {
    match result {
        Ok(values) => ReadManyResponse {
            results: values
                .into_iter()
                .map(|v| v.map_or(ReadResult::Gone, ReadResult::Found))
                .collect(),
            diagnostics: Diagnostics::new(),
        },
        Err(diagnostics) => ReadManyResponse {
            diagnostics,
            ..ReadManyResponse::default()
        },
    }
}

/// A list answer from a listing.
fn listed(result: Result<Vec<Value>, Diagnostics>) -> ListResponse {
    match result {
        Ok(objects) => ListResponse {
            supported: true,
            objects,
            diagnostics: Diagnostics::new(),
        },
        Err(diagnostics) => ListResponse {
            supported: true,
            diagnostics,
            ..ListResponse::default()
        },
    }
}

/// An adopt answer from a lookup.
pub(crate) fn adopted(result: Result<Option<Value>, Diagnostics>) -> AdoptResponse {
    match result {
        Ok(found) => AdoptResponse {
            found,
            diagnostics: Diagnostics::new(),
        },
        Err(diagnostics) => AdoptResponse {
            diagnostics,
            ..AdoptResponse::default()
        },
    }
}

/// `planned` with each unknown attribute taken from `prior`: for types whose configurable
/// attributes all replace, an update only changes what lives in state.
pub(crate) fn keep_computed(prior: &Value, planned: Value) -> Value {
    match planned {
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if v.is_unknown() {
                        prior.get(&k).cloned().unwrap_or(Value::Null)
                    } else {
                        v
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// The engine's client, connected.
async fn docker(engine: &Engine) -> Result<&Docker, Diagnostics> {
    engine.docker().await
}

/// `docker_container`.
pub struct Container;

#[async_trait]
impl Resource<Engine> for Container {
    fn type_name(&self) -> &str {
        "docker_container"
    }

    fn schema(&self) -> Schema {
        schema::container()
            .version(SCHEMA_VERSION)
            .crash_safety(CrashSafety::Tagged)
            .typical_create(Duration::from_secs(5))
            .timeouts(Timeouts {
                create: Some(Duration::from_secs(20 * 60)),
                update: Some(Duration::from_secs(20 * 60)),
                delete: Some(Duration::from_secs(20 * 60)),
                read: None,
            })
    }

    async fn plan(&self, _: &Engine, _: &Context, request: PlanRequest) -> PlanResponse {
        let requires_replace =
            container::requires_replace(request.prior.as_ref(), &request.proposed)
                .into_iter()
                .map(plinth_sdk::AttrPath::attr)
                .collect();
        PlanResponse {
            requires_replace,
            ..PlanResponse::keep(container::plan(request.prior.as_ref(), request.proposed))
        }
    }

    async fn create(&self, engine: &Engine, _: &Context, request: CreateRequest) -> ObjectResponse {
        let docker = match docker(engine).await {
            Ok(docker) => docker,
            Err(d) => return ObjectResponse::failed(d),
        };
        let planned = attrs::unknowns_to_null(request.planned);
        match container::create(docker, planned, &request.intent).await {
            Ok(value) => ObjectResponse::ok(value),
            Err(error) => error.into(),
        }
    }

    async fn read_many(
        &self,
        engine: &Engine,
        _: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        read(with_docker!(engine, |docker| {
            container::read_many(docker, objects).await
        }))
    }

    async fn update(&self, engine: &Engine, _: &Context, request: UpdateRequest) -> ObjectResponse {
        answer(with_docker!(engine, |docker| {
            let planned = attrs::unknowns_to_null(request.planned);
            container::update(docker, request.prior, planned).await
        }))
    }

    async fn delete(&self, engine: &Engine, _: &Context, request: DeleteRequest) -> DeleteResponse {
        deleted(with_docker!(engine, |docker| {
            container::delete(docker, request.prior).await
        }))
    }

    async fn import(&self, engine: &Engine, _: &Context, id: &str) -> ObjectResponse {
        answer(with_docker!(engine, |docker| container::import(docker, id).await))
    }

    async fn list(&self, engine: &Engine, _: &Context) -> ListResponse {
        listed(with_docker!(engine, |docker| container::list_all(docker).await))
    }

    async fn upgrade(&self, _version: u64, stored: Value) -> UpgradeResponse {
        upgraded(&self.schema(), stored)
    }

    async fn adopt(&self, engine: &Engine, _: &Context, request: AdoptRequest) -> AdoptResponse {
        adopted(with_docker!(engine, |docker| {
            container::find_by_intent(docker, request.planned, &request.intent.token).await
        }))
    }
}

/// `docker_image`.
pub struct Image;

#[async_trait]
impl Resource<Engine> for Image {
    fn type_name(&self) -> &str {
        "docker_image"
    }

    fn schema(&self) -> Schema {
        schema::image()
            .version(SCHEMA_VERSION)
            .crash_safety(CrashSafety::Tagged)
            .typical_create(Duration::from_secs(60))
    }

    async fn upgrade(&self, _version: u64, stored: Value) -> UpgradeResponse {
        upgraded(&self.schema(), stored)
    }

    /// Fills `context_digest` from the build context as it is now: a changed context replaces
    /// the image (objects recorded without a digest keep none until they are rebuilt).
    async fn plan(&self, _: &Engine, _: &Context, request: PlanRequest) -> PlanResponse {
        image::plan(request.prior.as_ref(), request.proposed)
    }

    async fn create(&self, engine: &Engine, _: &Context, request: CreateRequest) -> ObjectResponse {
        answer(with_docker!(engine, |docker| {
            let planned = attrs::unknowns_to_null(request.planned);
            image::create(docker, engine.auths(), planned, &request.intent).await
        }))
    }

    async fn read_many(
        &self,
        engine: &Engine,
        _: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        read(with_docker!(engine, |docker| {
            image::read_many(docker, objects).await
        }))
    }

    /// Everything configurable replaces; what is left (keep_locally, computed attributes) only
    /// lives in state.
    async fn update(&self, _: &Engine, _: &Context, request: UpdateRequest) -> ObjectResponse {
        ObjectResponse::ok(keep_computed(&request.prior, request.planned))
    }

    async fn delete(&self, engine: &Engine, _: &Context, request: DeleteRequest) -> DeleteResponse {
        deleted(with_docker!(engine, |docker| {
            image::delete(docker, request.prior).await
        }))
    }

    async fn import(&self, engine: &Engine, _: &Context, id: &str) -> ObjectResponse {
        answer(with_docker!(engine, |docker| image::import(docker, id).await))
    }

    async fn list(&self, engine: &Engine, _: &Context) -> ListResponse {
        listed(with_docker!(engine, |docker| image::list_all(docker).await))
    }

    async fn adopt(&self, engine: &Engine, _: &Context, request: AdoptRequest) -> AdoptResponse {
        adopted(with_docker!(engine, |docker| {
            let planned = attrs::unknowns_to_null(request.planned);
            image::find_by_intent(docker, planned, &request.intent).await
        }))
    }
}

/// `docker_network`.
pub struct Network;

#[async_trait]
impl Resource<Engine> for Network {
    fn type_name(&self) -> &str {
        "docker_network"
    }

    fn schema(&self) -> Schema {
        schema::network()
            .version(SCHEMA_VERSION)
            .crash_safety(CrashSafety::Tagged)
            .typical_create(Duration::from_secs(1))
    }

    async fn upgrade(&self, _version: u64, stored: Value) -> UpgradeResponse {
        upgraded(&self.schema(), stored)
    }

    async fn plan(&self, _: &Engine, _: &Context, request: PlanRequest) -> PlanResponse {
        network::plan(request.prior.as_ref(), request.proposed)
    }

    async fn create(&self, engine: &Engine, _: &Context, request: CreateRequest) -> ObjectResponse {
        answer(with_docker!(engine, |docker| {
            let planned = attrs::unknowns_to_null(request.planned);
            network::create(docker, planned, &request.intent).await
        }))
    }

    async fn read_many(
        &self,
        engine: &Engine,
        _: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        read(with_docker!(engine, |docker| {
            network::read_many(docker, objects).await
        }))
    }

    async fn update(&self, _: &Engine, _: &Context, request: UpdateRequest) -> ObjectResponse {
        ObjectResponse::ok(keep_computed(&request.prior, request.planned))
    }

    async fn delete(&self, engine: &Engine, _: &Context, request: DeleteRequest) -> DeleteResponse {
        deleted(with_docker!(engine, |docker| {
            network::delete(docker, request.prior).await
        }))
    }

    async fn import(&self, engine: &Engine, _: &Context, id: &str) -> ObjectResponse {
        answer(with_docker!(engine, |docker| network::import(docker, id).await))
    }

    async fn list(&self, engine: &Engine, _: &Context) -> ListResponse {
        listed(with_docker!(engine, |docker| network::list_all(docker).await))
    }

    async fn adopt(&self, engine: &Engine, _: &Context, request: AdoptRequest) -> AdoptResponse {
        adopted(with_docker!(engine, |docker| {
            let planned = attrs::unknowns_to_null(request.planned);
            network::find_by_intent(docker, planned, &request.intent.token).await
        }))
    }
}

/// `docker_volume`.
pub struct Volume;

#[async_trait]
impl Resource<Engine> for Volume {
    fn type_name(&self) -> &str {
        "docker_volume"
    }

    fn schema(&self) -> Schema {
        schema::volume()
            .crash_safety(CrashSafety::Tagged)
            .typical_create(Duration::from_secs(1))
    }

    async fn create(&self, engine: &Engine, _: &Context, request: CreateRequest) -> ObjectResponse {
        answer(with_docker!(engine, |docker| {
            let planned = attrs::unknowns_to_null(request.planned);
            volume::create(docker, planned, &request.intent).await
        }))
    }

    async fn read_many(
        &self,
        engine: &Engine,
        _: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        read(with_docker!(engine, |docker| {
            volume::read_many(docker, objects).await
        }))
    }

    async fn update(&self, _: &Engine, _: &Context, request: UpdateRequest) -> ObjectResponse {
        ObjectResponse::ok(keep_computed(&request.prior, request.planned))
    }

    async fn delete(&self, engine: &Engine, _: &Context, request: DeleteRequest) -> DeleteResponse {
        deleted(with_docker!(engine, |docker| {
            volume::delete(docker, request.prior).await
        }))
    }

    async fn import(&self, engine: &Engine, _: &Context, id: &str) -> ObjectResponse {
        answer(with_docker!(engine, |docker| volume::import(docker, id).await))
    }

    async fn list(&self, engine: &Engine, _: &Context) -> ListResponse {
        listed(with_docker!(engine, |docker| volume::list_all(docker).await))
    }

    async fn adopt(&self, engine: &Engine, _: &Context, request: AdoptRequest) -> AdoptResponse {
        adopted(with_docker!(engine, |docker| {
            let planned = attrs::unknowns_to_null(request.planned);
            volume::find_by_intent(docker, planned, &request.intent.token).await
        }))
    }
}

/// The `docker_network` data source.
pub struct NetworkData;

#[async_trait]
impl DataSource<Engine> for NetworkData {
    fn type_name(&self) -> &str {
        "docker_network"
    }

    fn schema(&self) -> Schema {
        schema::network_data_source()
    }

    async fn read(&self, engine: &Engine, _: &Context, config: Value) -> ReadDataResponse {
        data(with_docker!(engine, |docker| {
            network::read_data(docker, config).await
        }))
    }
}

/// The `docker_image` data source.
pub struct ImageData;

#[async_trait]
impl DataSource<Engine> for ImageData {
    fn type_name(&self) -> &str {
        "docker_image"
    }

    fn schema(&self) -> Schema {
        schema::image_data_source()
    }

    async fn read(&self, engine: &Engine, _: &Context, config: Value) -> ReadDataResponse {
        data(with_docker!(engine, |docker| {
            image::read_data(docker, config).await
        }))
    }
}

/// A data source answer from a result.
fn data(result: Result<Value, Diagnostics>) -> ReadDataResponse {
    match result {
        Ok(state) => ReadDataResponse {
            state: Some(state),
            diagnostics: Diagnostics::new(),
        },
        Err(diagnostics) => diagnostics.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_place_updates_keep_prior_computed_attributes() {
        let prior = Value::object([
            ("id", Value::from("abc")),
            ("keep_locally", Value::Bool(false)),
        ]);
        let planned = Value::object([("id", Value::Unknown), ("keep_locally", Value::Bool(true))]);
        let kept = keep_computed(&prior, planned);
        assert_eq!(kept.get("id"), Some(&Value::from("abc")));
        assert_eq!(kept.get("keep_locally"), Some(&Value::Bool(true)));
    }
}
