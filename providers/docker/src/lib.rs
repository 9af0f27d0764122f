//! plinth's Docker provider: images, networks, volumes and containers through the Docker Engine API.
//!
//! Resource and attribute names follow the kreuzwerker/docker v3 Terraform provider, so existing
//! configurations work unchanged. Every container, network and volume plinth creates carries the
//! labels `plinth.managed=true` and `plinth.name=<name>`; refresh lists each type in one call.

mod attrs;
mod client;
mod container;
mod image;
mod network;
mod schema;
mod volume;

use async_trait::async_trait;
use bollard::Docker;
use plinth_sdk::{
    CreateError, Diagnostic, Diagnostics, Origin, PlanResponse, Provider, ProviderSchema, Value,
};

pub use attrs::{MANAGED_LABEL, NAME_LABEL};
pub use client::DEFAULT_HOST;

/// The Docker provider. Configure it (from its `provider "docker"` block) before any other call.
#[derive(Default)]
pub struct DockerProvider {
    engine: Option<client::Engine>,
}

/// Makes an unconfigured Docker provider (the engine's `ProviderFactory`).
pub fn factory() -> Box<dyn Provider> {
    Box::new(DockerProvider::default())
}

impl DockerProvider {
    async fn docker(&self) -> Result<&Docker, Diagnostics> {
        match &self.engine {
            Some(engine) => engine.docker().await,
            None => Err(
                Diagnostic::error("the docker provider was used before it was configured").into(),
            ),
        }
    }
}

fn unknown_type(kind: &str, type_name: &str) -> Diagnostics {
    Diagnostic::error(format!("the docker provider has no {kind} \"{type_name}\"")).into()
}

#[async_trait]
impl Provider for DockerProvider {
    fn name(&self) -> &'static str {
        "docker"
    }

    fn schema(&self) -> ProviderSchema {
        schema::provider_schema()
    }

    async fn configure(&mut self, config: Value) -> Result<(), Diagnostics> {
        let host = client::resolve_host(attrs::string(&config, "host"));
        self.engine = Some(client::Engine::new(&host)?);
        Ok(())
    }

    async fn plan(
        &self,
        type_name: &str,
        prior: Option<&Value>,
        proposed: Value,
    ) -> Result<PlanResponse, Diagnostics> {
        let requires_replace = if type_name == "docker_container" {
            container::requires_replace(prior, &proposed)
        } else {
            Vec::new()
        };
        Ok(PlanResponse {
            planned: proposed,
            requires_replace,
        })
    }

    async fn create(
        &self,
        type_name: &str,
        planned: Value,
        origin: &Origin,
    ) -> Result<Value, CreateError> {
        let planned = attrs::unknowns_to_null(planned);
        match type_name {
            "docker_container" => container::create(self.docker().await?, planned, origin).await,
            "docker_image" => Ok(image::create(self.docker().await?, planned).await?),
            "docker_network" => Ok(network::create(self.docker().await?, planned, origin).await?),
            "docker_volume" => Ok(volume::create(self.docker().await?, planned, origin).await?),
            other => Err(unknown_type("resource type", other).into()),
        }
    }

    async fn read_many(
        &self,
        type_name: &str,
        priors: Vec<Value>,
    ) -> Result<Vec<Option<Value>>, Diagnostics> {
        if priors.is_empty() {
            return Ok(Vec::new());
        }
        match type_name {
            "docker_container" => container::read_many(self.docker().await?, priors).await,
            "docker_image" => image::read_many(self.docker().await?, priors).await,
            "docker_network" => network::read_many(self.docker().await?, priors).await,
            "docker_volume" => volume::read_many(self.docker().await?, priors).await,
            other => Err(unknown_type("resource type", other)),
        }
    }

    async fn update(
        &self,
        type_name: &str,
        prior: Value,
        planned: Value,
    ) -> Result<Value, Diagnostics> {
        match type_name {
            "docker_container" => {
                container::update(
                    self.docker().await?,
                    prior,
                    attrs::unknowns_to_null(planned),
                )
                .await
            }
            // Everything configurable on these replaces; what is left (keep_locally, computed
            // attributes) only lives in state.
            "docker_image" | "docker_network" | "docker_volume" => {
                Ok(keep_computed(&prior, planned))
            }
            other => Err(unknown_type("resource type", other)),
        }
    }

    async fn delete(&self, type_name: &str, prior: Value) -> Result<(), Diagnostics> {
        match type_name {
            "docker_container" => container::delete(self.docker().await?, prior).await,
            "docker_image" => image::delete(self.docker().await?, prior).await,
            "docker_network" => network::delete(self.docker().await?, prior).await,
            "docker_volume" => volume::delete(self.docker().await?, prior).await,
            other => Err(unknown_type("resource type", other)),
        }
    }

    async fn read_data(&self, type_name: &str, config: Value) -> Result<Value, Diagnostics> {
        match type_name {
            "docker_network" => network::read_data(self.docker().await?, config).await,
            "docker_image" => image::read_data(self.docker().await?, config).await,
            other => Err(unknown_type("data source", other)),
        }
    }
}

/// `planned` with each unknown attribute taken from `prior`.
fn keep_computed(prior: &Value, planned: Value) -> Value {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_before_configure_are_diagnosed() {
        let provider = DockerProvider::default();
        let err = provider
            .delete("docker_volume", Value::object([("id", Value::from("v"))]))
            .await
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        assert!(err.contains("before it was configured"), "{err}");
    }

    #[tokio::test]
    async fn unknown_types_are_diagnosed_by_name() {
        let mut provider = DockerProvider::default();
        provider
            .configure(Value::object([("host", Value::from("tcp://127.0.0.1:1"))]))
            .await
            .expect("configure");
        let err = provider
            .read_data("docker_plugin", Value::Null)
            .await
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        assert!(err.contains("no data source \"docker_plugin\""), "{err}");
    }

    #[tokio::test]
    async fn an_unreachable_engine_is_named_in_the_error() {
        let mut provider = DockerProvider::default();
        provider
            .configure(Value::object([("host", Value::from("tcp://127.0.0.1:1"))]))
            .await
            .expect("configure");
        let planned = Value::object([("name", Value::from("v"))]);
        let err = provider
            .create("docker_volume", planned, &plinth_sdk::Origin::default())
            .await
            .err()
            .map(|e| e.diagnostics.to_string());
        let err = err.unwrap_or_default();
        assert!(
            err.contains("Docker Engine unreachable at tcp://127.0.0.1:1"),
            "{err}"
        );
    }

    #[test]
    fn the_provider_is_named_docker_and_offers_the_kreuzwerker_types() {
        let provider = factory();
        assert_eq!(provider.name(), "docker");
        let schema = provider.schema();
        let resources: Vec<&str> = schema.resources.keys().map(String::as_str).collect();
        assert_eq!(
            resources,
            [
                "docker_container",
                "docker_image",
                "docker_network",
                "docker_volume"
            ]
        );
        let data: Vec<&str> = schema.data_sources.keys().map(String::as_str).collect();
        assert_eq!(data, ["docker_image", "docker_network"]);
    }

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
