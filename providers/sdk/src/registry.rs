//! Writing a provider as a list of resource types: each type implements [`Resource`] (its schema
//! and operations, given the configured client), each data source [`DataSource`], and a
//! [`Registry`] joins them with the provider's configuration into a [`Provider`]. No operation
//! matches type names: the registry finds the type once.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::provider::*;
use crate::{Context, Diagnostic, Diagnostics, ProviderSchema, Schema, Value};

/// Makes the client every resource of a provider uses, from the provider block.
#[async_trait]
pub trait Configure<C: Send + Sync>: Send + Sync {
    /// The provider block's schema.
    fn schema(&self) -> Schema;
    /// The client for this configuration (a `provider` block's value, without sensitive marks).
    async fn configure(&self, ctx: &Context, config: Value) -> Result<C, Diagnostics>;
}

/// One resource type of a provider whose configured client is `C`.
#[async_trait]
pub trait Resource<C: Send + Sync>: Send + Sync {
    /// The type's name (`docker_container`).
    fn type_name(&self) -> &str;

    /// Its schema.
    fn schema(&self) -> Schema;

    /// Refines the engine's plan. The default keeps the proposal.
    async fn plan(&self, client: &C, ctx: &Context, request: PlanRequest) -> PlanResponse {
        let _ = (client, ctx);
        PlanResponse::keep(request.proposed)
    }

    /// Creates an object, putting `request.intent.token` on it where the API allows.
    async fn create(&self, client: &C, ctx: &Context, request: CreateRequest) -> ObjectResponse;

    /// Reads many objects, one result per object in order (a few list calls, not one each).
    async fn read_many(&self, client: &C, ctx: &Context, objects: Vec<Value>) -> ReadManyResponse;

    /// Updates an object in place.
    async fn update(&self, client: &C, ctx: &Context, request: UpdateRequest) -> ObjectResponse;

    /// Deletes an object; one already gone, or already being deleted, is fine.
    async fn delete(&self, client: &C, ctx: &Context, request: DeleteRequest) -> DeleteResponse;

    /// Reads an object by its import id. The default refuses.
    async fn import(&self, client: &C, ctx: &Context, id: &str) -> ObjectResponse {
        let _ = (client, ctx, id);
        ObjectResponse::failed(Diagnostic::error(format!(
            "{} does not support import",
            self.type_name()
        )))
    }

    /// Finds the object an interrupted create made. The default finds nothing (the schema's
    /// crash safety should then say `NotCrashSafe`).
    async fn adopt(&self, client: &C, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let _ = (client, ctx, request);
        AdoptResponse::default()
    }

    /// Every object of the type the client can see, as `import` would return each. The default
    /// says the type cannot be listed.
    async fn list(&self, client: &C, ctx: &Context) -> ListResponse {
        let _ = (client, ctx);
        ListResponse::default()
    }

    /// Brings an object stored by an older schema version up to date. The default keeps it.
    async fn upgrade(&self, version: u64, stored: Value) -> UpgradeResponse {
        let _ = version;
        UpgradeResponse {
            upgraded: Some(stored),
            diagnostics: Diagnostics::new(),
        }
    }
}

/// One data source of a provider whose configured client is `C`.
#[async_trait]
pub trait DataSource<C: Send + Sync>: Send + Sync {
    /// The data source's name (`docker_image`).
    fn type_name(&self) -> &str;
    /// Its schema.
    fn schema(&self) -> Schema;
    /// Reads it.
    async fn read(&self, client: &C, ctx: &Context, config: Value) -> ReadDataResponse;
}

/// A provider made of resource types and data sources.
pub struct Registry<C: Send + Sync> {
    name: String,
    configure: Arc<dyn Configure<C>>,
    resources: BTreeMap<String, Arc<dyn Resource<C>>>,
    data_sources: BTreeMap<String, Arc<dyn DataSource<C>>>,
    client: Option<C>,
}

impl<C: Send + Sync + 'static> Registry<C> {
    /// A provider named `name`, configured by `configure`, with no types yet.
    pub fn new(name: impl Into<String>, configure: impl Configure<C> + 'static) -> Registry<C> {
        Registry {
            name: name.into(),
            configure: Arc::new(configure),
            resources: BTreeMap::new(),
            data_sources: BTreeMap::new(),
            client: None,
        }
    }

    /// Adds a resource type.
    pub fn resource(mut self, resource: impl Resource<C> + 'static) -> Registry<C> {
        self.resources
            .insert(resource.type_name().to_string(), Arc::new(resource));
        self
    }

    /// Adds a data source.
    pub fn data_source(mut self, data_source: impl DataSource<C> + 'static) -> Registry<C> {
        self.data_sources
            .insert(data_source.type_name().to_string(), Arc::new(data_source));
        self
    }

    fn client(&self) -> Result<&C, Diagnostics> {
        self.client.as_ref().ok_or_else(|| {
            Diagnostic::error(format!(
                "the {} provider was used before it was configured",
                self.name
            ))
            .into()
        })
    }

    fn resource_type(&self, type_name: &str) -> Result<(&C, &dyn Resource<C>), Diagnostics> {
        let resource = self.resources.get(type_name).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(format!(
                "the {} provider has no resource type \"{type_name}\"",
                self.name
            )))
        })?;
        Ok((self.client()?, resource.as_ref()))
    }
}

#[async_trait]
impl<C: Send + Sync + 'static> Provider for Registry<C> {
    fn name(&self) -> &str {
        &self.name
    }

    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: self.configure.schema(),
            resources: self
                .resources
                .iter()
                .map(|(name, r)| (name.clone(), r.schema()))
                .collect(),
            data_sources: self
                .data_sources
                .iter()
                .map(|(name, d)| (name.clone(), d.schema()))
                .collect(),
        }
    }

    async fn configure(&mut self, ctx: &Context, request: ConfigureRequest) -> ConfigureResponse {
        match self.configure.configure(ctx, request.config).await {
            Ok(client) => {
                self.client = Some(client);
                ConfigureResponse::default()
            }
            Err(diagnostics) => ConfigureResponse { diagnostics },
        }
    }

    async fn plan(&self, ctx: &Context, request: PlanRequest) -> PlanResponse {
        match self.resource_type(&request.type_name) {
            Ok((client, resource)) => resource.plan(client, ctx, request).await,
            Err(diagnostics) => PlanResponse {
                diagnostics,
                ..PlanResponse::default()
            },
        }
    }

    async fn create(&self, ctx: &Context, request: CreateRequest) -> ObjectResponse {
        match self.resource_type(&request.type_name) {
            Ok((client, resource)) => resource.create(client, ctx, request).await,
            Err(diagnostics) => ObjectResponse::failed(diagnostics),
        }
    }

    async fn read_many(&self, ctx: &Context, request: ReadManyRequest) -> ReadManyResponse {
        if request.objects.is_empty() {
            return ReadManyResponse::default();
        }
        match self.resource_type(&request.type_name) {
            Ok((client, resource)) => resource.read_many(client, ctx, request.objects).await,
            Err(diagnostics) => ReadManyResponse {
                diagnostics,
                ..ReadManyResponse::default()
            },
        }
    }

    async fn update(&self, ctx: &Context, request: UpdateRequest) -> ObjectResponse {
        match self.resource_type(&request.type_name) {
            Ok((client, resource)) => resource.update(client, ctx, request).await,
            Err(diagnostics) => ObjectResponse::failed(diagnostics),
        }
    }

    async fn delete(&self, ctx: &Context, request: DeleteRequest) -> DeleteResponse {
        match self.resource_type(&request.type_name) {
            Ok((client, resource)) => resource.delete(client, ctx, request).await,
            Err(diagnostics) => DeleteResponse {
                diagnostics,
                ..DeleteResponse::default()
            },
        }
    }

    async fn import(&self, ctx: &Context, request: ImportRequest) -> ObjectResponse {
        match self.resource_type(&request.type_name) {
            Ok((client, resource)) => resource.import(client, ctx, &request.id).await,
            Err(diagnostics) => ObjectResponse::failed(diagnostics),
        }
    }

    async fn adopt(&self, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        match self.resource_type(&request.type_name) {
            Ok((client, resource)) => resource.adopt(client, ctx, request).await,
            Err(diagnostics) => AdoptResponse {
                diagnostics,
                ..AdoptResponse::default()
            },
        }
    }

    async fn list(&self, ctx: &Context, request: ListRequest) -> ListResponse {
        match self.resource_type(&request.type_name) {
            Ok((client, resource)) => resource.list(client, ctx).await,
            Err(diagnostics) => ListResponse {
                diagnostics,
                ..ListResponse::default()
            },
        }
    }

    async fn read_data(&self, ctx: &Context, request: ReadDataRequest) -> ReadDataResponse {
        let Some(data_source) = self.data_sources.get(&request.type_name) else {
            return ReadDataResponse {
                diagnostics: Diagnostic::error(format!(
                    "the {} provider has no data source \"{}\"",
                    self.name, request.type_name
                ))
                .into(),
                ..ReadDataResponse::default()
            };
        };
        match self.client() {
            Ok(client) => data_source.read(client, ctx, request.config).await,
            Err(diagnostics) => ReadDataResponse {
                diagnostics,
                ..ReadDataResponse::default()
            },
        }
    }

    async fn upgrade(&self, _ctx: &Context, request: UpgradeRequest) -> UpgradeResponse {
        match self.resources.get(&request.type_name) {
            Some(resource) => resource.upgrade(request.version, request.stored).await,
            None => UpgradeResponse {
                diagnostics: Diagnostic::error(format!(
                    "the {} provider has no resource type \"{}\"",
                    self.name, request.type_name
                ))
                .into(),
                ..UpgradeResponse::default()
            },
        }
    }
}
