//! The `Provider` contract (version 2): how the engine plans, creates, reads, updates, deletes,
//! imports and adopts real objects. `docs/provider-guide.md` explains it for provider authors.
//!
//! Every operation takes a request and a [`Context`] and answers a response that carries
//! diagnostics (warnings included), so a success can warn and a failure can say what now exists.
//! A provider knows no graph and no state file: it receives whole object values (maps of
//! attributes, nested blocks as lists of maps) and returns them. Guarantees both sides rely on:
//! - no request to create, update or delete holds an unknown value;
//! - a create, update or delete that fails half way says in its response what now exists
//!   (`new_state`), and the engine journals it: nothing created is ever forgotten;
//! - before a create the engine journals an [`Intent`]; the provider puts its token on the
//!   object where the API allows (label, tag, client token), and `adopt` finds objects by it, so
//!   a create interrupted by a kill is adopted by the next run instead of repeated;
//! - `read_many` answers exactly one [`ReadResult`] per requested object, in order; the engine
//!   treats a missing answer as an error, never as "gone";
//! - deleting an object that is already gone succeeds, and so does deleting one already being
//!   deleted (the delete waits for it).
//!
//! Built-in providers implement this through the SDK's [`crate::Registry`] (a list of resource
//! types); the plugin client implements it over Terraform's protocol.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::{AttrPath, Context, Diagnostic, Diagnostics, ProviderSchema, Value};

/// The token of one create: journalled before the create starts and put on the object, so an
/// interrupted create can be found again.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Intent {
    /// A unique token (lowercase hexadecimal): what the provider puts on the object.
    pub token: String,
    /// The resource instance address (`docker_container.api[0]`).
    pub address: String,
    /// The workspace (`default`).
    pub workspace: String,
}

impl Intent {
    /// A new intent with a fresh random token.
    pub fn new(address: impl Into<String>, workspace: impl Into<String>) -> Intent {
        let random: u128 = (u128::from(fastrand::u64(..)) << 64) | u128::from(fastrand::u64(..));
        Intent {
            token: format!("{random:032x}"),
            address: address.into(),
            workspace: workspace.into(),
        }
    }
}

/// Configures a provider from its `provider` block.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigureRequest {
    /// The block's value (an object; empty when there is none), without sensitive marks.
    pub config: Value,
}

/// The answer to [`Provider::configure`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigureResponse {
    /// Errors stop the run; warnings are shown.
    pub diagnostics: Diagnostics,
}

/// Asks the provider to refine the engine's generic plan of one object.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanRequest {
    /// The resource type.
    pub type_name: String,
    /// The object as it is now (None: a create).
    pub prior: Option<Value>,
    /// The configuration merged with the prior computed attributes (unknown on create).
    pub proposed: Value,
    /// The private bytes kept with the prior object (empty on create, or when none were kept).
    pub prior_private: Vec<u8>,
}

/// The answer to [`Provider::plan`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanResponse {
    /// The planned new value (unknown where the provider will compute it).
    pub planned: Value,
    /// Attributes whose change requires replacing the object, besides those the schema marks
    /// `force_new`.
    pub requires_replace: Vec<AttrPath>,
    /// Bytes the provider wants back at apply time with this plan (plugins' planned private).
    pub private: Vec<u8>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

impl PlanResponse {
    /// A plan that keeps the proposal as it is.
    pub fn keep(proposed: Value) -> PlanResponse {
        PlanResponse {
            planned: proposed,
            ..PlanResponse::default()
        }
    }
}

/// Creates one object.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateRequest {
    /// The resource type.
    pub type_name: String,
    /// The planned value, fully known.
    pub planned: Value,
    /// What the provider puts on the object so it can be found again.
    pub intent: Intent,
    /// The plan's private bytes for this object.
    pub private: Vec<u8>,
}

/// The answer to a create, update or import: the object as it now is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObjectResponse {
    /// The object now. After an error: what exists now (a half-made object, recorded tainted),
    /// or None when nothing was made (create) or nothing changed (update).
    pub new_state: Option<Value>,
    /// Private bytes to keep with the object.
    pub private: Vec<u8>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

impl ObjectResponse {
    /// A success.
    pub fn ok(new_state: Value) -> ObjectResponse {
        ObjectResponse {
            new_state: Some(new_state),
            ..ObjectResponse::default()
        }
    }

    /// A failure that left nothing (create) or changed nothing (update).
    pub fn failed(diagnostics: impl Into<Diagnostics>) -> ObjectResponse {
        ObjectResponse {
            diagnostics: diagnostics.into(),
            ..ObjectResponse::default()
        }
    }

    /// A failure after which `partial` exists.
    pub fn partial(partial: Value, diagnostics: impl Into<Diagnostics>) -> ObjectResponse {
        ObjectResponse {
            new_state: Some(partial),
            diagnostics: diagnostics.into(),
            ..ObjectResponse::default()
        }
    }

    /// Adds a warning.
    pub fn warn(mut self, warning: Diagnostic) -> ObjectResponse {
        self.diagnostics.push(warning);
        self
    }
}

impl From<Diagnostics> for ObjectResponse {
    fn from(diagnostics: Diagnostics) -> ObjectResponse {
        ObjectResponse::failed(diagnostics)
    }
}

/// Reads many objects of one type.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadManyRequest {
    /// The resource type.
    pub type_name: String,
    /// The objects as state has them.
    pub objects: Vec<Value>,
    /// The private bytes state keeps with each object, in the same order (empty altogether
    /// when there are none).
    pub privates: Vec<Vec<u8>>,
}

/// What became of one object asked about in [`ReadManyRequest`].
#[derive(Clone, Debug, PartialEq)]
pub enum ReadResult {
    /// It exists; this is its current value.
    Found(Value),
    /// It no longer exists.
    Gone,
    /// It could not be read; these say why (only this object fails).
    Failed(Diagnostics),
}

/// The answer to [`Provider::read_many`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadManyResponse {
    /// One result per requested object, in the same order.
    pub results: Vec<ReadResult>,
    /// Errors that concern the whole read, and warnings.
    pub diagnostics: Diagnostics,
}

/// Updates one object in place.
#[derive(Clone, Debug, PartialEq)]
pub struct UpdateRequest {
    /// The resource type.
    pub type_name: String,
    /// The object as it is now.
    pub prior: Value,
    /// The planned value, fully known.
    pub planned: Value,
    /// The plan's private bytes for this object.
    pub private: Vec<u8>,
}

/// Deletes one object.
#[derive(Clone, Debug, PartialEq)]
pub struct DeleteRequest {
    /// The resource type.
    pub type_name: String,
    /// The object as it is now.
    pub prior: Value,
    /// The private bytes kept with it.
    pub private: Vec<u8>,
}

/// The answer to [`Provider::delete`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeleteResponse {
    /// After an error: what still exists, when it changed (None: the object is as it was).
    pub remaining: Option<Value>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

impl From<Diagnostics> for DeleteResponse {
    fn from(diagnostics: Diagnostics) -> DeleteResponse {
        DeleteResponse {
            remaining: None,
            diagnostics,
        }
    }
}

/// Reads an existing object by its import id.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRequest {
    /// The resource type.
    pub type_name: String,
    /// The id in the resource type's import format.
    pub id: String,
}

/// Finds the object an interrupted create made.
#[derive(Clone, Debug, PartialEq)]
pub struct AdoptRequest {
    /// The resource type.
    pub type_name: String,
    /// The intent journalled before the create.
    pub intent: Intent,
    /// The value the create was given.
    pub planned: Value,
}

/// The answer to [`Provider::adopt`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AdoptResponse {
    /// The object the create made, if it exists.
    pub found: Option<Value>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// Lists every object of a type the provider can see, to find objects no state manages.
#[derive(Clone, Debug, PartialEq)]
pub struct ListRequest {
    /// The resource type.
    pub type_name: String,
}

/// The answer to [`Provider::list`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListResponse {
    /// Whether the type can be listed at all (false: nothing was looked at).
    pub supported: bool,
    /// Every object of the type, each as `import` would return it (at least its `id`).
    pub objects: Vec<Value>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// Reads a data source.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadDataRequest {
    /// The data source type.
    pub type_name: String,
    /// Its configuration, fully known.
    pub config: Value,
}

/// The answer to [`Provider::read_data`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadDataResponse {
    /// The value read.
    pub state: Option<Value>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

impl From<Diagnostics> for ReadDataResponse {
    fn from(diagnostics: Diagnostics) -> ReadDataResponse {
        ReadDataResponse {
            state: None,
            diagnostics,
        }
    }
}

/// Brings an object stored by an older schema version up to the current one.
#[derive(Clone, Debug, PartialEq)]
pub struct UpgradeRequest {
    /// The resource type.
    pub type_name: String,
    /// The schema version the object was stored with.
    pub version: u64,
    /// The stored object.
    pub stored: Value,
}

/// The answer to [`Provider::upgrade`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpgradeResponse {
    /// The object in the current schema's shape.
    pub upgraded: Option<Value>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// Makes provider instances: one per `provider` block or alias. A factory may carry its own
/// configuration (an external plugin's path and arguments).
pub trait ProviderFactory: Send + Sync {
    /// The provider's name (`docker`), as resource type prefixes and `required_providers` use it.
    fn name(&self) -> &str;
    /// A fresh, unconfigured instance.
    fn make(&self) -> Box<dyn Provider>;
}

/// A factory that is a plain function, for providers that need nothing to be made.
pub struct FnFactory {
    name: &'static str,
    make: fn() -> Box<dyn Provider>,
}

impl FnFactory {
    /// A factory named `name` calling `make`.
    pub const fn new(name: &'static str, make: fn() -> Box<dyn Provider>) -> FnFactory {
        FnFactory { name, make }
    }
}

impl ProviderFactory for FnFactory {
    fn name(&self) -> &str {
        self.name
    }

    fn make(&self) -> Box<dyn Provider> {
        (self.make)()
    }
}

fn unsupported(what: &str, type_name: &str) -> Diagnostics {
    Diagnostic::error(format!("{type_name} does not support {what}")).into()
}

/// A provider. `configure` is called once, before any other async method.
#[async_trait]
pub trait Provider: Send + Sync {
    /// The provider's name (`docker`).
    fn name(&self) -> &str;

    /// The schemas of the provider block, resources and data sources.
    fn schema(&self) -> ProviderSchema;

    /// Configures the instance from its `provider` block.
    async fn configure(&mut self, ctx: &Context, request: ConfigureRequest) -> ConfigureResponse;

    /// Refines the engine's generic plan of a create (`prior` None) or update.
    async fn plan(&self, ctx: &Context, request: PlanRequest) -> PlanResponse;

    /// Creates an object.
    async fn create(&self, ctx: &Context, request: CreateRequest) -> ObjectResponse;

    /// Reads the current state of many objects of one type.
    async fn read_many(&self, ctx: &Context, request: ReadManyRequest) -> ReadManyResponse;

    /// Updates an object in place.
    async fn update(&self, ctx: &Context, request: UpdateRequest) -> ObjectResponse;

    /// Deletes an object.
    async fn delete(&self, ctx: &Context, request: DeleteRequest) -> DeleteResponse;

    /// Reads an existing object by its import id so it can be brought under management.
    async fn import(&self, ctx: &Context, request: ImportRequest) -> ObjectResponse {
        let _ = ctx;
        ObjectResponse::failed(unsupported("import", &request.type_name))
    }

    /// Finds the object an interrupted create made, by its intent token (or identifying fields).
    async fn adopt(&self, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let _ = ctx;
        let _ = request;
        AdoptResponse::default()
    }

    /// Lists every object of a type the provider can see (in the configured account, region,
    /// engine), for drift checks that look for objects no state manages. The default lists
    /// nothing and says the type cannot be listed.
    async fn list(&self, ctx: &Context, request: ListRequest) -> ListResponse {
        let _ = (ctx, request);
        ListResponse::default()
    }

    /// Reads a data source.
    async fn read_data(&self, ctx: &Context, request: ReadDataRequest) -> ReadDataResponse;

    /// Brings an object stored by an older schema version up to date. The default keeps it.
    async fn upgrade(&self, ctx: &Context, request: UpgradeRequest) -> UpgradeResponse {
        let _ = ctx;
        UpgradeResponse {
            upgraded: Some(request.stored),
            diagnostics: Diagnostics::new(),
        }
    }

    /// Asks operations under way to stop soon (an interrupt). The default does nothing: built-in
    /// providers observe the context's cancellation instead.
    async fn stop(&self) {}
}
