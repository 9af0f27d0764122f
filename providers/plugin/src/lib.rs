//! plinth-plugin: the client of Terraform's provider plugin protocol.
pub mod codec;
mod cty;
pub mod proto;

pub use cty::{CtyType, TypeError};
mod schema;
pub use schema::{
    AttributeDef, AttributeKind, BlockDef, BlockNesting, BlockTypeDef, Description, FunctionDef,
    ObjectNesting, ParameterDef, ProviderSchemas, SchemaDef, SchemaError, ServerCapabilities,
};
