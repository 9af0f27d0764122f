//! plinth's Docker provider: containers, images, tags, registry images, networks, volumes and
//! swarm objects through the Docker Engine API (and the registries' HTTP API).
//!
//! Resource and attribute names follow the kreuzwerker/docker v3 Terraform provider, so existing
//! configurations work unchanged. Every container, network, volume, built image, swarm service,
//! secret and config plinth creates carries the labels `plinth.managed=true`,
//! `plinth.name=<name>`, its address and workspace, and the token of the create that made it
//! (`plinth.intent`), so an interrupted create is found again; refresh lists each type in one
//! call. The provider is a list of resource types on the SDK's registry.

mod attrs;
mod client;
mod container;
mod defaults;
mod engine_api;
mod image;
mod logs;
mod network;
mod plugin;
mod registry;
mod registry_image;
mod resources;
mod schema;
mod service;
mod swarm_data;
mod swarm_resources;
mod tag;
mod transport;
mod volume;

use std::sync::Arc;

use plinth_sdk::{FnFactory, Provider, ProviderFactory, Registry};

pub use attrs::{INTENT_LABEL, MANAGED_LABEL, NAME_LABEL};
pub use client::{Engine, DEFAULT_HOST};

/// The Docker provider: its resource types and data sources on the SDK's registry.
pub fn provider() -> Registry<Engine> {
    Registry::new("docker", resources::Connect)
        .resource(resources::Container)
        .resource(resources::Image)
        .resource(resources::Network)
        .resource(resources::Volume)
        .resource(swarm_resources::SwarmData(swarm_data::Kind::Secret))
        .resource(swarm_resources::SwarmData(swarm_data::Kind::Config))
        .resource(swarm_resources::Service)
        .resource(resources::Tag)
        .resource(resources::RegistryImage)
        .data_source(resources::NetworkData)
        .data_source(resources::ImageData)
        .data_source(resources::RegistryImageData)
        .data_source(resources::LogsData)
        .data_source(resources::PluginData)
}

fn make() -> Box<dyn Provider> {
    Box::new(provider())
}

/// The factory the engine makes Docker provider instances with.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new("docker", make))
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_sdk::{ConfigureRequest, Context, CreateRequest, DeleteRequest, Intent, Value};

    #[tokio::test]
    async fn calls_before_configure_are_diagnosed() {
        let provider = provider();
        let request = DeleteRequest {
            type_name: "docker_volume".into(),
            prior: Value::object([("id", Value::from("v"))]),
            private: Vec::new(),
        };
        let answer = provider.delete(&Context::default(), request).await;
        let err = answer.diagnostics.to_string();
        assert!(err.contains("before it was configured"), "{err}");
    }

    #[tokio::test]
    async fn unknown_types_are_diagnosed_by_name() {
        let mut provider = provider();
        let config = Value::object([("host", Value::from("tcp://127.0.0.1:1"))]);
        let configured = provider
            .configure(&Context::default(), ConfigureRequest { config })
            .await;
        assert!(!configured.diagnostics.has_errors());
        let request = plinth_sdk::ReadDataRequest {
            type_name: "docker_swarm".into(),
            config: Value::Null,
        };
        let err = provider
            .read_data(&Context::default(), request)
            .await
            .diagnostics
            .to_string();
        assert!(err.contains("no data source \"docker_swarm\""), "{err}");
    }

    #[tokio::test]
    async fn an_unreachable_engine_is_named_in_the_error() {
        let mut provider = provider();
        let config = Value::object([("host", Value::from("tcp://127.0.0.1:1"))]);
        provider
            .configure(&Context::default(), ConfigureRequest { config })
            .await;
        let request = CreateRequest {
            type_name: "docker_volume".into(),
            planned: Value::object([("name", Value::from("v"))]),
            intent: Intent::new("docker_volume.v", "default"),
            private: Vec::new(),
        };
        let err = provider
            .create(&Context::default(), request)
            .await
            .diagnostics
            .to_string();
        assert!(
            err.contains("Docker Engine unreachable at tcp://127.0.0.1:1"),
            "{err}"
        );
    }

    #[test]
    fn the_provider_is_named_docker_and_offers_the_kreuzwerker_types() {
        let provider = factory().make();
        assert_eq!(provider.name(), "docker");
        let schema = provider.schema();
        let resources: Vec<&str> = schema.resources.keys().map(String::as_str).collect();
        assert_eq!(
            resources,
            [
                "docker_config",
                "docker_container",
                "docker_image",
                "docker_network",
                "docker_registry_image",
                "docker_secret",
                "docker_service",
                "docker_tag",
                "docker_volume"
            ]
        );
        let data: Vec<&str> = schema.data_sources.keys().map(String::as_str).collect();
        assert_eq!(
            data,
            [
                "docker_image",
                "docker_logs",
                "docker_network",
                "docker_plugin",
                "docker_registry_image"
            ]
        );
    }
}
