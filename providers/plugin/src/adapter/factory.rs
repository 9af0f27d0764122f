//! `PluginFactory`: makes [`PluginProvider`] instances of one discovered provider, with the
//! schemas fetched once when the factory is loaded.

use std::sync::{Arc, Mutex};

use plinth_sdk::{Provider, ProviderFactory, ProviderSchema, Value};
use tokio::sync::OnceCell;

use super::PluginProvider;
use crate::{
    FunctionError, LaunchOptions, PluginDiagnostic, PluginError, ProviderClient, ProviderSchemas,
};

/// A process started to fetch the schemas, kept for the first instance that configures.
pub(super) type Warm = Arc<Mutex<Option<ProviderClient>>>;

/// Makes instances of one plugin provider.
pub struct PluginFactory {
    name: String,
    launch: LaunchOptions,
    schemas: Arc<ProviderSchemas>,
    plinth: Arc<ProviderSchema>,
    warm: Warm,
    /// The process provider functions are called on (unconfigured, as Terraform calls them),
    /// started on the first call.
    functions: OnceCell<ProviderClient>,
}

impl PluginFactory {
    /// Starts the provider once and fetches its schemas. `name` is the local name resource
    /// types start with (`demo` for `demo_item`). Errors in the schema answer fail the load.
    pub async fn load(
        name: impl Into<String>,
        launch: LaunchOptions,
    ) -> Result<(PluginFactory, Vec<PluginDiagnostic>), PluginError> {
        let client = ProviderClient::start(launch.clone()).await?;
        let (schemas, diagnostics) = client.get_provider_schema().await?;
        if crate::has_errors(&diagnostics) {
            let text = diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.summary, d.detail))
                .collect::<Vec<_>>()
                .join("; ");
            let stderr_tail = client.stderr_tail();
            client.shutdown().await;
            return Err(PluginError::Handshake {
                provider: launch.name.clone(),
                reason: format!("its schema has errors: {text}"),
                stderr_tail,
            });
        }
        let plinth = Arc::new(plinth_schema(&schemas));
        Ok((
            PluginFactory {
                name: name.into(),
                launch,
                schemas,
                plinth,
                warm: Arc::new(Mutex::new(Some(client))),
                functions: OnceCell::new(),
            },
            diagnostics,
        ))
    }

    /// The schemas as the provider states them.
    pub fn schemas(&self) -> &Arc<ProviderSchemas> {
        &self.schemas
    }

    /// Calls the provider-defined function `name`. The outer error is a failure to call; the
    /// inner one the function's own.
    pub async fn call_function(
        &self,
        name: &str,
        arguments: &[Value],
    ) -> Result<Result<Value, FunctionError>, PluginError> {
        let client = self
            .functions
            .get_or_try_init(|| ProviderClient::start(self.launch.clone()))
            .await?;
        client.call_function(name, arguments).await
    }

    /// How the provider is started.
    pub fn launch_options(&self) -> &LaunchOptions {
        &self.launch
    }
}

/// plinth's form of a plugin's schemas, with each resource type's schema version.
fn plinth_schema(schemas: &ProviderSchemas) -> ProviderSchema {
    let mut plinth = schemas.to_plinth();
    for (name, schema) in plinth.resources.iter_mut() {
        if let Some(def) = schemas.resources.get(name) {
            schema.version = u64::try_from(def.version).unwrap_or(0);
        }
    }
    plinth
}

impl ProviderFactory for PluginFactory {
    fn name(&self) -> &str {
        &self.name
    }

    fn make(&self) -> Box<dyn Provider> {
        Box::new(PluginProvider::new(
            self.name.clone(),
            self.launch.clone(),
            self.schemas.clone(),
            self.plinth.clone(),
            self.warm.clone(),
        ))
    }
}
