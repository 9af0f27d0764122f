//! The `Provider` trait: how the engine creates, reads, updates and deletes real objects.
//!
//! A provider knows no graph and no state file: it receives whole object values (maps of
//! attributes, nested blocks as lists of maps) and returns them. Guarantees the engine relies on:
//! - no call ever receives an unknown value in `create`, `update` or `delete`;
//! - `create` that fails after something was made returns that partial object in
//!   [`CreateError::partial`], so state records it (tainted) and nothing is forgotten;
//! - `read_many` answers many objects of one type at once (a few list calls, not one per object),
//!   returning `None` for each object that no longer exists.
//!
//! Every object value carries an `id` string attribute once created.

use async_trait::async_trait;

use crate::{Diagnostics, ProviderSchema, Value};

/// The result of [`Provider::plan`]: the planned value and which attributes force replacement.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanResponse {
    /// The planned new value (unknown where the provider will compute it).
    pub planned: Value,
    /// Attribute names (top-level) whose change requires replacing the object, in addition to
    /// those the schema marks `force_new`.
    pub requires_replace: Vec<String>,
}

/// A failed create.
#[derive(Debug)]
pub struct CreateError {
    /// What was created before the failure, if anything: recorded in state as tainted.
    pub partial: Option<Value>,
    /// What went wrong.
    pub diagnostics: Diagnostics,
}

impl From<Diagnostics> for CreateError {
    fn from(diagnostics: Diagnostics) -> CreateError {
        CreateError {
            partial: None,
            diagnostics,
        }
    }
}

/// Where a new object belongs in plinth's terms, so providers that can label what they create
/// (Docker labels, cloud tags) let drift checks and cleanup find it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Origin {
    /// The resource instance address (`docker_container.api[0]`).
    pub address: String,
    /// The workspace (`default`).
    pub workspace: String,
}

/// Makes a fresh, unconfigured provider instance (one per `provider` block or alias).
pub type ProviderFactory = fn() -> Box<dyn Provider>;

/// A provider plugin.
#[async_trait]
pub trait Provider: Send + Sync {
    /// The provider's name as used in resource type prefixes and `required_providers` (`docker`).
    fn name(&self) -> &'static str;

    /// The schemas of the provider block, resources and data sources.
    fn schema(&self) -> ProviderSchema;

    /// Configures the instance from its `provider` block (an object; empty when there is none).
    /// Called once, before any other async method.
    async fn configure(&mut self, config: Value) -> Result<(), Diagnostics>;

    /// Refines the engine's generic plan of a create (`prior` None) or update. `proposed` is the
    /// configuration merged with the prior computed attributes (unknown on create). The default
    /// keeps the proposal and adds no replacement reason.
    async fn plan(
        &self,
        type_name: &str,
        prior: Option<&Value>,
        proposed: Value,
    ) -> Result<PlanResponse, Diagnostics> {
        let _ = (type_name, prior);
        Ok(PlanResponse {
            planned: proposed,
            requires_replace: Vec::new(),
        })
    }

    /// Creates an object from its planned value (fully known) and returns its new state.
    /// `origin` says which address and workspace it is created for.
    async fn create(
        &self,
        type_name: &str,
        planned: Value,
        origin: &Origin,
    ) -> Result<Value, CreateError>;

    /// Reads the current state of many objects of one type. Returns one entry per prior, in the
    /// same order: `Some(current)` or `None` when the object is gone.
    async fn read_many(
        &self,
        type_name: &str,
        priors: Vec<Value>,
    ) -> Result<Vec<Option<Value>>, Diagnostics>;

    /// Updates an object in place from `prior` to `planned` and returns its new state.
    async fn update(
        &self,
        type_name: &str,
        prior: Value,
        planned: Value,
    ) -> Result<Value, Diagnostics>;

    /// Deletes an object. Deleting one that is already gone succeeds.
    async fn delete(&self, type_name: &str, prior: Value) -> Result<(), Diagnostics>;

    /// Reads an existing object by its id so it can be brought under management.
    async fn import(&self, type_name: &str, id: &str) -> Result<Value, Diagnostics> {
        let _ = id;
        Err(crate::Diagnostic::error(format!("{type_name} does not support import")).into())
    }

    /// Reads a data source from its configuration.
    async fn read_data(&self, type_name: &str, config: Value) -> Result<Value, Diagnostics>;
}
