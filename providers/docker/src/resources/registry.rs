//! `docker_tag` and `docker_registry_image` on the SDK's registry, with the
//! `docker_registry_image`, `docker_logs` and `docker_plugin` data sources.

use std::time::Duration;

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Context, CrashSafety, CreateRequest, DataSource, DeleteRequest,
    DeleteResponse, ObjectResponse, ReadDataResponse, ReadManyResponse, Resource, Schema, Timeouts,
    UpdateRequest, Value,
};

use super::{adopted, answer, data, deleted, docker, keep_computed, read};
use crate::client::Engine;
use crate::{attrs, logs, plugin, registry_image, schema, tag};

/// `docker_tag`.
pub struct Tag;

#[async_trait]
impl Resource<Engine> for Tag {
    fn type_name(&self) -> &str {
        "docker_tag"
    }

    fn schema(&self) -> Schema {
        schema::tag()
            .crash_safety(CrashSafety::FoundByIdentity)
            .typical_create(Duration::from_secs(1))
    }

    async fn create(&self, engine: &Engine, _: &Context, request: CreateRequest) -> ObjectResponse {
        answer(with_docker!(engine, |docker| {
            tag::create(docker, attrs::unknowns_to_null(request.planned)).await
        }))
    }

    async fn read_many(
        &self,
        engine: &Engine,
        _: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        read(with_docker!(engine, |docker| {
            tag::read_many(docker, objects).await
        }))
    }

    /// Everything configurable replaces: an update only changes what lives in state.
    async fn update(&self, _: &Engine, _: &Context, request: UpdateRequest) -> ObjectResponse {
        ObjectResponse::ok(keep_computed(&request.prior, request.planned))
    }

    async fn delete(&self, engine: &Engine, _: &Context, request: DeleteRequest) -> DeleteResponse {
        deleted(with_docker!(engine, |docker| {
            tag::delete(docker, request.prior).await
        }))
    }

    async fn adopt(&self, engine: &Engine, _: &Context, request: AdoptRequest) -> AdoptResponse {
        adopted(with_docker!(engine, |docker| {
            tag::find(docker, attrs::unknowns_to_null(request.planned)).await
        }))
    }
}

/// `docker_registry_image`.
pub struct RegistryImage;

#[async_trait]
impl Resource<Engine> for RegistryImage {
    fn type_name(&self) -> &str {
        "docker_registry_image"
    }

    fn schema(&self) -> Schema {
        schema::registry_image()
            .crash_safety(CrashSafety::FoundByIdentity)
            .typical_create(Duration::from_secs(10))
            .timeouts(Timeouts {
                create: Some(Duration::from_secs(20 * 60)),
                update: Some(Duration::from_secs(20 * 60)),
                delete: Some(Duration::from_secs(20 * 60)),
                read: None,
            })
    }

    async fn create(&self, engine: &Engine, _: &Context, request: CreateRequest) -> ObjectResponse {
        answer(with_docker!(engine, |docker| {
            let planned = attrs::unknowns_to_null(request.planned);
            registry_image::create(docker, engine.auths(), planned).await
        }))
    }

    /// One registry request per image: registries have no listing of digests by tag.
    async fn read_many(
        &self,
        engine: &Engine,
        _: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        ReadManyResponse {
            results: registry_image::read_many(engine.auths(), objects).await,
            ..ReadManyResponse::default()
        }
    }

    /// `keep_remotely`, `insecure_skip_verify` and `auth_config` only steer later calls.
    async fn update(&self, _: &Engine, _: &Context, request: UpdateRequest) -> ObjectResponse {
        ObjectResponse::ok(keep_computed(&request.prior, request.planned))
    }

    async fn delete(&self, engine: &Engine, _: &Context, request: DeleteRequest) -> DeleteResponse {
        deleted(registry_image::delete(engine.auths(), request.prior).await)
    }

    async fn adopt(&self, engine: &Engine, _: &Context, request: AdoptRequest) -> AdoptResponse {
        let planned = attrs::unknowns_to_null(request.planned);
        adopted(registry_image::find(engine.auths(), planned).await)
    }
}

/// The `docker_registry_image` data source.
pub struct RegistryImageData;

#[async_trait]
impl DataSource<Engine> for RegistryImageData {
    fn type_name(&self) -> &str {
        "docker_registry_image"
    }

    fn schema(&self) -> Schema {
        schema::registry_image_data_source()
    }

    async fn read(&self, engine: &Engine, _: &Context, config: Value) -> ReadDataResponse {
        data(registry_image::read_data(engine.auths(), config).await)
    }
}

/// The `docker_logs` data source.
pub struct LogsData;

#[async_trait]
impl DataSource<Engine> for LogsData {
    fn type_name(&self) -> &str {
        "docker_logs"
    }

    fn schema(&self) -> Schema {
        schema::logs_data_source()
    }

    async fn read(&self, engine: &Engine, _: &Context, config: Value) -> ReadDataResponse {
        data(logs::read_data(engine, config).await)
    }
}

/// The `docker_plugin` data source.
pub struct PluginData;

#[async_trait]
impl DataSource<Engine> for PluginData {
    fn type_name(&self) -> &str {
        "docker_plugin"
    }

    fn schema(&self) -> Schema {
        schema::plugin_data_source()
    }

    async fn read(&self, engine: &Engine, _: &Context, config: Value) -> ReadDataResponse {
        data(plugin::read_data(engine, config).await)
    }
}
