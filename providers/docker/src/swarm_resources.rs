//! The swarm resource types on the SDK's registry: `docker_secret`, `docker_config` and
//! `docker_service`, delegating to [`crate::swarm_data`] and [`crate::service`].

use std::time::Duration;

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse, Resource, Schema,
    Timeouts, UpdateRequest, Value,
};

use crate::client::Engine;
use crate::resources::{adopted, answer, deleted, keep_computed, read};
use crate::swarm_data::{self, Kind};
use crate::{attrs, schema, service};

/// `docker_secret` or `docker_config`: everything configurable replaces them, so an update only
/// changes state; a secret's data cannot be read back, so its import leaves it null.
pub struct SwarmData(pub Kind);

#[async_trait]
impl Resource<Engine> for SwarmData {
    fn type_name(&self) -> &str {
        match self.0 {
            Kind::Secret => "docker_secret",
            Kind::Config => "docker_config",
        }
    }

    fn schema(&self) -> Schema {
        let schema = match self.0 {
            Kind::Secret => schema::secret(),
            Kind::Config => schema::config(),
        };
        schema
            .crash_safety(CrashSafety::Tagged)
            .typical_create(Duration::from_secs(1))
    }

    async fn create(&self, engine: &Engine, _: &Context, request: CreateRequest) -> ObjectResponse {
        let planned = attrs::unknowns_to_null(request.planned);
        answer(swarm_data::create(engine, self.0, planned, &request.intent).await)
    }

    async fn read_many(
        &self,
        engine: &Engine,
        _: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        read(swarm_data::read_many(engine, self.0, objects).await)
    }

    async fn update(&self, _: &Engine, _: &Context, request: UpdateRequest) -> ObjectResponse {
        ObjectResponse::ok(keep_computed(&request.prior, request.planned))
    }

    async fn delete(&self, engine: &Engine, _: &Context, request: DeleteRequest) -> DeleteResponse {
        deleted(swarm_data::delete(engine, self.0, request.prior).await)
    }

    /// By id or name.
    async fn import(&self, engine: &Engine, _: &Context, id: &str) -> ObjectResponse {
        answer(swarm_data::import(engine, self.0, id).await)
    }

    async fn adopt(&self, engine: &Engine, _: &Context, request: AdoptRequest) -> AdoptResponse {
        let planned = attrs::unknowns_to_null(request.planned);
        adopted(swarm_data::find_by_intent(engine, self.0, planned, &request.intent.token).await)
    }
}

/// `docker_service`.
pub struct Service;

#[async_trait]
impl Resource<Engine> for Service {
    fn type_name(&self) -> &str {
        "docker_service"
    }

    fn schema(&self) -> Schema {
        schema::service()
            .crash_safety(CrashSafety::Tagged)
            .typical_create(Duration::from_secs(10))
            .timeouts(Timeouts {
                create: Some(Duration::from_secs(20 * 60)),
                update: Some(Duration::from_secs(20 * 60)),
                delete: Some(Duration::from_secs(20 * 60)),
                read: None,
            })
    }

    async fn plan(&self, _: &Engine, _: &Context, request: PlanRequest) -> PlanResponse {
        service::plan(request.prior.as_ref(), request.proposed)
    }

    async fn create(
        &self,
        engine: &Engine,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = attrs::unknowns_to_null(request.planned);
        answer(service::create(engine, ctx, planned, &request.intent).await)
    }

    async fn read_many(
        &self,
        engine: &Engine,
        _: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        read(service::read_many(engine, objects).await)
    }

    async fn update(
        &self,
        engine: &Engine,
        ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let planned = attrs::unknowns_to_null(request.planned);
        answer(service::update(engine, ctx, request.prior, planned).await)
    }

    async fn delete(
        &self,
        engine: &Engine,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        deleted(service::delete(engine, ctx, request.prior).await)
    }

    async fn import(&self, engine: &Engine, _: &Context, id: &str) -> ObjectResponse {
        answer(service::import(engine, id).await)
    }

    async fn adopt(&self, engine: &Engine, _: &Context, request: AdoptRequest) -> AdoptResponse {
        let planned = attrs::unknowns_to_null(request.planned);
        adopted(service::find_by_intent(engine, planned, &request.intent.token).await)
    }
}
