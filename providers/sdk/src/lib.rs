//! plinth-sdk: the contract between the plinth engine and its providers.
//!
//! A provider depends on this crate and nothing else of plinth's: [`Value`] (with unknown and
//! sensitive marks), [`Type`], [`Schema`] (attributes and nested blocks with required, computed,
//! `force_new` and sensitive flags), the async [`Provider`] trait and [`Diagnostic`]s.

mod bigfloat;
mod convert;
mod diagnostic;
mod number;
mod provider;
mod schema;
mod types;
mod unify;
mod value;

pub use convert::convert;
pub use diagnostic::{Diagnostic, Diagnostics, Severity, Span};
pub use number::{Number, NumberError, F64_PRECISION, INT_PRECISION, TEXT_PRECISION};
pub use provider::{CreateError, Origin, PlanResponse, Provider, ProviderFactory};
pub use schema::{Attribute, NestedBlock, Nesting, ProviderSchema, Schema};
pub use types::{ObjectAttr, Type};
pub use unify::{describe_mismatch, friendly_name, type_of, unify};
pub use value::{format_number, Value};
