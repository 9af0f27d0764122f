//! The provider instances of one run: made from factories, configured once per provider
//! configuration key (`docker`, `aws.west`), with their schemas, and the run's cancellation
//! token every provider operation's context carries (cancelled on interrupt).
//!
//! Resource schemas that declare timeouts gain Terraform's `timeouts {}` block here, so the
//! configuration may set them (see `engine::timeouts`).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use plinth_sdk::{
    CancellationToken, ConfigureRequest, Context, Diagnostic, Diagnostics, Provider,
    ProviderFactory, ProviderSchema, Schema, Value,
};

use plinth_plugin::adapter::PluginFactory;

use crate::config::Mode;
use crate::engine::timeouts;
use crate::eval::EvalError;

/// The providers available to a run.
pub struct Providers {
    factories: BTreeMap<String, Arc<dyn ProviderFactory>>,
    schemas: HashMap<String, Arc<ProviderSchema>>,
    cancel: CancellationToken,
    configured: Mutex<HashMap<String, Arc<dyn Provider>>>,
    /// Wakes those waiting for a configuration ([`Providers::wait`]).
    changed: Notify,
    /// Set once no more configurations will be made.
    closed: AtomicBool,
    /// Plugin providers offering functions, by provider name.
    functions: BTreeMap<String, Arc<PluginFactory>>,
}

impl Providers {
    /// Makes the registry from factories.
    pub fn new(factories: Vec<Arc<dyn ProviderFactory>>) -> Providers {
        let mut by_name = BTreeMap::new();
        let mut schemas = HashMap::new();
        for factory in factories {
            let mut schema = factory.make().schema();
            for resource in schema.resources.values_mut() {
                timeouts::add_block(resource);
            }
            schemas.insert(factory.name().to_string(), Arc::new(schema));
            by_name.insert(factory.name().to_string(), factory);
        }
        Providers {
            factories: by_name,
            schemas,
            cancel: CancellationToken::new(),
            configured: Mutex::new(HashMap::new()),
            changed: Notify::new(),
            closed: AtomicBool::new(false),
            functions: BTreeMap::new(),
        }
    }

    /// Makes `factory`'s functions callable as `provider::NAME::FUNCTION(...)`.
    pub fn add_functions(&mut self, factory: Arc<PluginFactory>) {
        if !factory.schemas().functions.is_empty() {
            self.functions.insert(factory.name().to_string(), factory);
        }
    }

    /// Calls the provider-defined function `provider::PROVIDER::FUNCTION` with fully known
    /// arguments (blocking this thread on the process's runtime); None when there is none.
    pub fn call_function(
        &self,
        provider: &str,
        function: &str,
        args: &[Value],
    ) -> Option<Result<Value, EvalError>> {
        let factory = self.functions.get(provider)?;
        if !factory.schemas().functions.contains_key(function) {
            return None;
        }
        let handle = tokio::runtime::Handle::try_current().ok()?;
        let answer =
            tokio::task::block_in_place(|| handle.block_on(factory.call_function(function, args)));
        let name = format!("provider::{provider}::{function}");
        Some(match answer {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(EvalError::new(
                "Error in function call",
                format!("Call to function \"{name}\" failed: {e}."),
            )),
            Err(e) => Err(EvalError::new(
                "Error in function call",
                format!("Call to function \"{name}\" failed: {e}"),
            )),
        })
    }

    /// The provider name of a configuration key (`aws.west` → `aws`).
    pub fn name_of(key: &str) -> &str {
        key.split('.').next().unwrap_or(key)
    }

    /// Whether a provider of that name exists.
    pub fn has(&self, name: &str) -> bool {
        self.factories.contains_key(name)
    }

    /// Every provider name.
    pub fn names(&self) -> Vec<&str> {
        self.factories.keys().map(String::as_str).collect()
    }

    /// A context for one provider operation: the run's cancellation, no deadline.
    pub fn context(&self) -> Context {
        Context::new(self.cancel.clone())
    }

    /// Cancels every provider operation's context (waits and retries stop).
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// The whole schema of a provider by name.
    pub fn provider_schema(&self, name: &str) -> Option<Arc<ProviderSchema>> {
        self.schemas.get(name).cloned()
    }

    /// The schema of a resource type or data source of the provider behind `key`.
    pub fn resource_schema(&self, key: &str, mode: Mode, type_name: &str) -> Option<Schema> {
        let schema = self.schemas.get(Self::name_of(key))?;
        match mode {
            Mode::Managed => schema.resources.get(type_name).cloned(),
            Mode::Data => schema.data_sources.get(type_name).cloned(),
        }
    }

    /// A lookup of managed resource schemas by type name, for rendering.
    pub fn schema_by_type(&self, type_name: &str) -> Option<Schema> {
        self.schemas
            .values()
            .find_map(|s| s.resources.get(type_name).cloned())
    }

    /// Configures the instance for `key` (once; later calls are no-ops). Returns the
    /// provider's warnings.
    pub async fn configure(&self, key: &str, config: Value) -> Result<Diagnostics, Diagnostics> {
        if self.get(key).is_some() {
            return Ok(Diagnostics::new());
        }
        let name = Self::name_of(key);
        let factory = self.factories.get(name).ok_or_else(|| {
            Diagnostics::from(
                Diagnostic::error(format!("Provider \"{name}\" is not available")).with_detail(
                    format!(
                        "plinth has these providers built in: {}.",
                        self.names().join(", ")
                    ),
                ),
            )
        })?;
        let mut instance = factory.make();
        let response = instance
            .configure(&self.context(), ConfigureRequest { config })
            .await;
        if response.diagnostics.has_errors() {
            return Err(response.diagnostics);
        }
        let instance: Arc<dyn Provider> = Arc::from(instance);
        self.configured
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_string(), instance);
        self.changed.notify_waiters();
        Ok(response.diagnostics)
    }

    /// The configured instance for `key`, waiting until it is configured; None once
    /// [`Providers::close`] says it never will be.
    pub async fn wait(&self, key: &str) -> Option<Arc<dyn Provider>> {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(provider) = self.get(key) {
                return Some(provider);
            }
            if self.closed.load(Ordering::Acquire) {
                return None;
            }
            notified.await;
        }
    }

    /// Says no more provider configurations will be made (the walk that makes them ended),
    /// releasing everyone still waiting.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.changed.notify_waiters();
    }

    /// The configured instance for `key`.
    pub fn get(&self, key: &str) -> Option<Arc<dyn Provider>> {
        self.configured
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }
}
