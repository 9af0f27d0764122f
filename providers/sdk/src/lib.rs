//! plinth-sdk: the contract between the plinth engine and its providers.
//!
//! A provider depends on this crate and nothing else of plinth's: [`Value`] (with unknown and
//! sensitive marks), [`Type`], [`Schema`] (attributes and nested blocks with required, computed,
//! `force_new`, sensitive and validators; versions, timeouts and crash safety), the async
//! [`Provider`] contract with its request and response types, [`Diagnostic`]s with attribute
//! paths, and the helpers every cloud provider needs: [`Registry`] (a provider as a list of
//! resource types), [`retry`] with backoff and [`wait`]ers, all observing the operation's
//! [`Context`] (cancellation, deadline, progress). `docs/provider-guide.md` is the contract for
//! provider authors.

mod bigfloat;
mod context;
mod convert;
mod diagnostic;
mod number;
mod path;
mod provider;
mod registry;
pub mod retry;
mod schema;
#[cfg(feature = "testkit")]
pub mod testkit;
mod types;
mod unify;
mod value;
mod value_serde;
pub mod wait;

pub use context::{CancellationToken, Context, Progress, Slept};
pub use convert::convert;
pub use diagnostic::{Diagnostic, Diagnostics, Severity, Span};
pub use number::{Number, NumberError, F64_PRECISION, INT_PRECISION, TEXT_PRECISION};
pub use path::{AttrPath, PathStep};
pub use provider::{
    AdoptRequest, AdoptResponse, ConfigureRequest, ConfigureResponse, CreateRequest, DeleteRequest,
    DeleteResponse, FnFactory, ImportRequest, Intent, ListRequest, ListResponse, ObjectResponse,
    PlanRequest, PlanResponse, Provider, ProviderFactory, ReadDataRequest, ReadDataResponse,
    ReadManyRequest, ReadManyResponse, ReadResult, UpdateRequest, UpgradeRequest, UpgradeResponse,
};
pub use registry::{Configure, DataSource, Registry, Resource};
pub use schema::{
    Attribute, CrashSafety, NestedBlock, Nesting, ProviderSchema, Schema, Timeouts, Validator,
};
pub use types::{ObjectAttr, Type};
pub use unify::{describe_mismatch, friendly_name, type_of, unify};
pub use value::{format_number, Value};
