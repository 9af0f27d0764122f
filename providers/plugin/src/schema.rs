//! Provider schemas as the protocol states them (both major versions), the value type each
//! implies, and their conversion into plinth's [`Schema`].
//!
//! The protocol's schema says more than plinth's does today; the conversion keeps what plinth's
//! [`Schema`] can say and the full form stays here for the adapter:
//! - nested attribute types (protocol 6) become object, list, set or map of object types;
//! - block nesting `single` and `group` become [`Nesting::Single`](plinth_sdk::Nesting::Single) (a `group` block is never
//!   null: its `min_items` is 1), `list` and `set` keep their limits, and `map` blocks, which
//!   plinth's [`Schema`] has no nesting for, become an optional `map(object)` attribute;
//! - `write_only` attributes (never stored) are converted as `sensitive` and write-only (the
//!   engine keeps them out of plans and state), and flagged on [`AttributeDef::write_only`]; `deprecated` and descriptions stay on these types
//!   (plinth's attribute descriptions are static strings).

use std::collections::{BTreeMap, BTreeSet};

use plinth_sdk::{Attribute, NestedBlock, ProviderSchema, Schema};

use crate::proto::{tfplugin5 as v5, tfplugin6 as v6};
use crate::{CtyType, TypeError};

/// A schema the provider sent that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("schema of {at}: {source}")]
pub struct SchemaError {
    /// Where: `aws_vpc.cidr_block`, `function::parse_arn`, ...
    pub at: String,
    /// The bad type.
    #[source]
    pub source: TypeError,
}

/// Everything `GetProviderSchema` answers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProviderSchemas {
    /// The provider block's schema.
    pub provider: SchemaDef,
    /// The `provider_meta` block's schema, when the provider has one.
    pub provider_meta: Option<SchemaDef>,
    /// Managed resource types.
    pub resources: BTreeMap<String, SchemaDef>,
    /// Data sources.
    pub data_sources: BTreeMap<String, SchemaDef>,
    /// Ephemeral resource types (listed; plinth does not open them yet).
    pub ephemeral_resources: BTreeMap<String, SchemaDef>,
    /// Provider-defined functions (`provider::NAME::FUNC`).
    pub functions: BTreeMap<String, FunctionDef>,
    /// Optional protocol features the provider announces.
    pub capabilities: ServerCapabilities,
}

impl ProviderSchemas {
    /// plinth's form of the provider, resource and data source schemas.
    pub fn to_plinth(&self) -> ProviderSchema {
        ProviderSchema {
            provider: self.provider.block.to_plinth(),
            resources: self
                .resources
                .iter()
                .map(|(k, s)| (k.clone(), s.block.to_plinth()))
                .collect(),
            data_sources: self
                .data_sources
                .iter()
                .map(|(k, s)| (k.clone(), s.block.to_plinth()))
                .collect(),
        }
    }
}

/// Optional protocol features a provider announces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerCapabilities {
    /// Wants `PlanResourceChange` for destroys too.
    pub plan_destroy: bool,
    /// Works without `GetProviderSchema` being called first.
    pub get_provider_schema_optional: bool,
    /// Supports `MoveResourceState`.
    pub move_resource_state: bool,
}

/// A versioned schema (resource types upgrade stored state across versions).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SchemaDef {
    /// The schema version, stored with each object.
    pub version: i64,
    /// The top-level block.
    pub block: BlockDef,
}

/// A block: attributes and nested block types.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BlockDef {
    /// Attributes by name.
    pub attributes: BTreeMap<String, AttributeDef>,
    /// Nested block types by name.
    pub block_types: BTreeMap<String, BlockTypeDef>,
    /// Documentation.
    pub description: Description,
    /// Deprecated: using it warns.
    pub deprecated: bool,
}

/// Documentation text and its format.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Description {
    /// The text.
    pub text: String,
    /// Markdown rather than plain text.
    pub markdown: bool,
}

/// One attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct AttributeDef {
    /// Its type.
    pub kind: AttributeKind,
    /// Documentation.
    pub description: Description,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// Set by the provider (when optional too: unless configured).
    pub computed: bool,
    /// Never shown.
    pub sensitive: bool,
    /// Deprecated: using it warns.
    pub deprecated: bool,
    /// Accepted in configuration but never stored in state or plans.
    pub write_only: bool,
}

/// An attribute's type: a cty type, or (protocol 6) nested attributes.
#[derive(Clone, Debug, PartialEq)]
pub enum AttributeKind {
    /// A plain type.
    Typed(CtyType),
    /// Nested attributes, repeated by `nesting`.
    Nested {
        /// How the nested object repeats.
        nesting: ObjectNesting,
        /// The nested attributes.
        attributes: BTreeMap<String, AttributeDef>,
    },
}

/// How a nested-attribute object repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectNesting {
    /// One object (or null).
    Single,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects.
    Map,
}

/// A nested block type.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockTypeDef {
    /// How the block repeats.
    pub nesting: BlockNesting,
    /// Its content.
    pub block: BlockDef,
    /// Fewest blocks allowed.
    pub min_items: u64,
    /// Most blocks allowed (0: no limit).
    pub max_items: u64,
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockNesting {
    /// At most one; absent is null.
    Single,
    /// At most one; absent is an object of nulls, never null.
    Group,
    /// Ordered list.
    List,
    /// Unordered set.
    Set,
    /// Map keyed by the block's label.
    Map,
}

/// A provider-defined function.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDef {
    /// Positional parameters.
    pub parameters: Vec<ParameterDef>,
    /// A final parameter taking any number of arguments.
    pub variadic_parameter: Option<ParameterDef>,
    /// The result's type.
    pub return_type: CtyType,
    /// One-line summary.
    pub summary: String,
    /// Documentation.
    pub description: Description,
    /// Set when the function is deprecated.
    pub deprecation_message: String,
}

/// A function parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterDef {
    /// Display name.
    pub name: String,
    /// Type constraint.
    pub ty: CtyType,
    /// Null arguments are passed (otherwise they are an error before the call).
    pub allow_null_value: bool,
    /// Unknown arguments are passed (otherwise the result is unknown without a call).
    pub allow_unknown_values: bool,
    /// Documentation.
    pub description: Description,
}

impl BlockDef {
    /// The object type of this block's values.
    pub fn implied_type(&self) -> CtyType {
        let attributes = self
            .attributes
            .iter()
            .map(|(k, a)| (k.clone(), a.implied_type()))
            .chain(
                self.block_types
                    .iter()
                    .map(|(k, b)| (k.clone(), b.implied_type())),
            )
            .collect();
        CtyType::Object {
            attributes,
            optional: BTreeSet::new(),
        }
    }

    /// plinth's schema for this block.
    pub fn to_plinth(&self) -> Schema {
        let mut schema = Schema::new();
        for (name, attr) in &self.attributes {
            schema = schema.attr(name, attr.to_plinth());
        }
        for (name, block) in &self.block_types {
            schema = match block.nesting {
                BlockNesting::Map => {
                    schema.attr(name, Attribute::optional(block.implied_type().to_plinth()))
                }
                _ => schema.block(name, block.to_plinth()),
            };
        }
        schema
    }
}

impl AttributeDef {
    /// The type of this attribute's values.
    pub fn implied_type(&self) -> CtyType {
        match &self.kind {
            AttributeKind::Typed(ty) => ty.clone(),
            AttributeKind::Nested {
                nesting,
                attributes,
            } => {
                let object = CtyType::Object {
                    attributes: attributes
                        .iter()
                        .map(|(k, a)| (k.clone(), a.implied_type()))
                        .collect(),
                    optional: attributes
                        .iter()
                        .filter(|(_, a)| a.optional)
                        .map(|(k, _)| k.clone())
                        .collect(),
                };
                match nesting {
                    ObjectNesting::Single => object,
                    ObjectNesting::List => CtyType::list(object),
                    ObjectNesting::Set => CtyType::set(object),
                    ObjectNesting::Map => CtyType::map(object),
                }
            }
        }
    }

    fn to_plinth(&self) -> Attribute {
        let ty = self.implied_type().to_plinth();
        let mut attr = match (self.required, self.optional, self.computed) {
            (true, _, _) => Attribute::required(ty),
            (false, true, true) => Attribute::optional_computed(ty),
            (false, true, false) => Attribute::optional(ty),
            _ => Attribute::computed(ty),
        };
        if self.sensitive || self.write_only {
            attr = attr.sensitive();
        }
        if self.write_only {
            attr = attr.write_only();
        }
        attr
    }
}

impl BlockTypeDef {
    /// The type of this block type's values: an object, or a collection of objects. A list or
    /// map of blocks containing `dynamic` attributes is itself `dynamic` (its elements may
    /// differ in type), as Terraform has it.
    pub fn implied_type(&self) -> CtyType {
        let object = self.block.implied_type();
        match self.nesting {
            BlockNesting::Single | BlockNesting::Group => object,
            BlockNesting::List if object.has_dynamic() => CtyType::Dynamic,
            BlockNesting::List => CtyType::list(object),
            BlockNesting::Set => CtyType::set(object),
            BlockNesting::Map if object.has_dynamic() => CtyType::Dynamic,
            BlockNesting::Map => CtyType::map(object),
        }
    }

    fn to_plinth(&self) -> NestedBlock {
        let schema = self.block.to_plinth();
        let mut block = match self.nesting {
            BlockNesting::Single | BlockNesting::Group => NestedBlock::single(schema),
            BlockNesting::Set => NestedBlock::set(schema),
            BlockNesting::List | BlockNesting::Map => NestedBlock::list(schema),
        };
        match self.nesting {
            BlockNesting::Group => block.min_items = 1,
            BlockNesting::List | BlockNesting::Set => {
                block.min_items = self.min_items as usize;
                block.max_items = self.max_items as usize;
            }
            _ => {}
        }
        block
    }
}

fn parse_type(bytes: &[u8], at: impl FnOnce() -> String) -> Result<CtyType, SchemaError> {
    CtyType::from_json_bytes(bytes).map_err(|source| SchemaError { at: at(), source })
}

/// Conversions from one protocol version's generated messages; both versions share these
/// shapes, apart from protocol 6's nested attribute types.
macro_rules! from_protocol {
    ($v:ident, $nested:expr) => {
        /// Reads a `GetProviderSchema` answer (its diagnostics are the caller's).
        impl TryFrom<$v::get_provider_schema::Response> for ProviderSchemas {
            type Error = SchemaError;

            fn try_from(
                response: $v::get_provider_schema::Response,
            ) -> Result<ProviderSchemas, SchemaError> {
                let read_map = |map: std::collections::HashMap<String, $v::Schema>| {
                    map.into_iter()
                        .map(|(name, s)| Ok((name.clone(), SchemaDef::$v(s, &name)?)))
                        .collect::<Result<BTreeMap<_, _>, SchemaError>>()
                };
                let caps = response.server_capabilities.unwrap_or_default();
                Ok(ProviderSchemas {
                    provider: match response.provider {
                        Some(s) => SchemaDef::$v(s, "provider")?,
                        None => SchemaDef::default(),
                    },
                    provider_meta: response
                        .provider_meta
                        .filter(|s| s.block.is_some())
                        .map(|s| SchemaDef::$v(s, "provider_meta"))
                        .transpose()?,
                    resources: read_map(response.resource_schemas)?,
                    data_sources: read_map(response.data_source_schemas)?,
                    ephemeral_resources: read_map(response.ephemeral_resource_schemas)?,
                    functions: response
                        .functions
                        .into_iter()
                        .map(|(name, f)| Ok((name.clone(), FunctionDef::$v(f, &name)?)))
                        .collect::<Result<_, SchemaError>>()?,
                    capabilities: ServerCapabilities {
                        plan_destroy: caps.plan_destroy,
                        get_provider_schema_optional: caps.get_provider_schema_optional,
                        move_resource_state: caps.move_resource_state,
                    },
                })
            }
        }

        impl SchemaDef {
            fn $v(schema: $v::Schema, at: &str) -> Result<SchemaDef, SchemaError> {
                Ok(SchemaDef {
                    version: schema.version,
                    block: BlockDef::$v(schema.block.unwrap_or_default(), at)?,
                })
            }
        }

        impl BlockDef {
            fn $v(block: $v::schema::Block, at: &str) -> Result<BlockDef, SchemaError> {
                let mut attributes = BTreeMap::new();
                for a in block.attributes {
                    let here = format!("{at}.{}", a.name);
                    attributes.insert(a.name.clone(), AttributeDef::$v(a, &here)?);
                }
                let mut block_types = BTreeMap::new();
                for b in block.block_types {
                    let here = format!("{at}.{}", b.type_name);
                    let nesting = match $v::schema::nested_block::NestingMode::try_from(b.nesting) {
                        Ok($v::schema::nested_block::NestingMode::Group) => BlockNesting::Group,
                        Ok($v::schema::nested_block::NestingMode::List) => BlockNesting::List,
                        Ok($v::schema::nested_block::NestingMode::Set) => BlockNesting::Set,
                        Ok($v::schema::nested_block::NestingMode::Map) => BlockNesting::Map,
                        _ => BlockNesting::Single,
                    };
                    let def = BlockTypeDef {
                        nesting,
                        block: BlockDef::$v(b.block.unwrap_or_default(), &here)?,
                        min_items: b.min_items.max(0) as u64,
                        max_items: b.max_items.max(0) as u64,
                    };
                    block_types.insert(b.type_name, def);
                }
                Ok(BlockDef {
                    attributes,
                    block_types,
                    description: Description {
                        text: block.description,
                        markdown: block.description_kind == $v::StringKind::Markdown as i32,
                    },
                    deprecated: block.deprecated,
                })
            }
        }

        impl AttributeDef {
            fn $v(a: $v::schema::Attribute, at: &str) -> Result<AttributeDef, SchemaError> {
                #[allow(clippy::redundant_closure_call)]
                let kind = match ($nested)(&a, at)? {
                    Some(nested) => nested,
                    None => AttributeKind::Typed(parse_type(&a.r#type, || at.to_string())?),
                };
                Ok(AttributeDef {
                    kind,
                    description: Description {
                        text: a.description,
                        markdown: a.description_kind == $v::StringKind::Markdown as i32,
                    },
                    required: a.required,
                    optional: a.optional,
                    computed: a.computed,
                    sensitive: a.sensitive,
                    deprecated: a.deprecated,
                    write_only: a.write_only,
                })
            }
        }

        impl FunctionDef {
            fn $v(f: $v::Function, name: &str) -> Result<FunctionDef, SchemaError> {
                let param = |p: $v::function::Parameter| -> Result<ParameterDef, SchemaError> {
                    Ok(ParameterDef {
                        ty: parse_type(&p.r#type, || format!("function::{name}({})", p.name))?,
                        name: p.name,
                        allow_null_value: p.allow_null_value,
                        allow_unknown_values: p.allow_unknown_values,
                        description: Description {
                            text: p.description,
                            markdown: p.description_kind == $v::StringKind::Markdown as i32,
                        },
                    })
                };
                Ok(FunctionDef {
                    parameters: f
                        .parameters
                        .into_iter()
                        .map(param)
                        .collect::<Result<_, _>>()?,
                    variadic_parameter: f.variadic_parameter.map(param).transpose()?,
                    return_type: parse_type(&f.r#return.unwrap_or_default().r#type, || {
                        format!("function::{name}(return)")
                    })?,
                    summary: f.summary,
                    description: Description {
                        text: f.description,
                        markdown: f.description_kind == $v::StringKind::Markdown as i32,
                    },
                    deprecation_message: f.deprecation_message,
                })
            }
        }
    };
}

from_protocol!(v5, |_: &v5::schema::Attribute,
                    _: &str|
 -> Result<Option<AttributeKind>, SchemaError> {
    Ok(None)
});
from_protocol!(v6, nested_v6);

/// Protocol 6's nested attribute types.
fn nested_v6(a: &v6::schema::Attribute, at: &str) -> Result<Option<AttributeKind>, SchemaError> {
    let Some(object) = &a.nested_type else {
        return Ok(None);
    };
    let nesting = match v6::schema::object::NestingMode::try_from(object.nesting) {
        Ok(v6::schema::object::NestingMode::List) => ObjectNesting::List,
        Ok(v6::schema::object::NestingMode::Set) => ObjectNesting::Set,
        Ok(v6::schema::object::NestingMode::Map) => ObjectNesting::Map,
        _ => ObjectNesting::Single,
    };
    let mut attributes = BTreeMap::new();
    for inner in &object.attributes {
        let here = format!("{at}.{}", inner.name);
        attributes.insert(inner.name.clone(), AttributeDef::v6(inner.clone(), &here)?);
    }
    Ok(Some(AttributeKind::Nested {
        nesting,
        attributes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_sdk::{Nesting, Type};

    fn attr(name: &str, ty: &str) -> v6::schema::Attribute {
        v6::schema::Attribute {
            name: name.into(),
            r#type: ty.as_bytes().to_vec(),
            ..Default::default()
        }
    }

    fn sample() -> v6::get_provider_schema::Response {
        let nested = v6::schema::Attribute {
            name: "rules".into(),
            nested_type: Some(v6::schema::Object {
                attributes: vec![
                    v6::schema::Attribute {
                        required: true,
                        ..attr("port", "\"number\"")
                    },
                    v6::schema::Attribute {
                        optional: true,
                        ..attr("note", "\"string\"")
                    },
                ],
                nesting: v6::schema::object::NestingMode::Set as i32,
                ..Default::default()
            }),
            optional: true,
            ..Default::default()
        };
        let block = v6::schema::Block {
            attributes: vec![
                v6::schema::Attribute {
                    required: true,
                    ..attr("name", "\"string\"")
                },
                v6::schema::Attribute {
                    computed: true,
                    ..attr("id", "\"string\"")
                },
                v6::schema::Attribute {
                    optional: true,
                    computed: true,
                    sensitive: true,
                    deprecated: true,
                    ..attr("token", "\"string\"")
                },
                v6::schema::Attribute {
                    optional: true,
                    write_only: true,
                    ..attr("password", "\"string\"")
                },
                v6::schema::Attribute {
                    optional: true,
                    ..attr("tags", "[\"map\",\"string\"]")
                },
                nested,
            ],
            block_types: vec![
                v6::schema::NestedBlock {
                    type_name: "timeouts".into(),
                    block: Some(v6::schema::Block {
                        attributes: vec![v6::schema::Attribute {
                            optional: true,
                            ..attr("create", "\"string\"")
                        }],
                        ..Default::default()
                    }),
                    nesting: v6::schema::nested_block::NestingMode::Single as i32,
                    ..Default::default()
                },
                v6::schema::NestedBlock {
                    type_name: "ingress".into(),
                    block: Some(v6::schema::Block::default()),
                    nesting: v6::schema::nested_block::NestingMode::List as i32,
                    min_items: 1,
                    max_items: 3,
                },
                v6::schema::NestedBlock {
                    type_name: "setting".into(),
                    block: Some(v6::schema::Block {
                        attributes: vec![v6::schema::Attribute {
                            optional: true,
                            ..attr("value", "\"string\"")
                        }],
                        ..Default::default()
                    }),
                    nesting: v6::schema::nested_block::NestingMode::Map as i32,
                    ..Default::default()
                },
            ],
            description: "A thing.".into(),
            description_kind: v6::StringKind::Markdown as i32,
            ..Default::default()
        };
        v6::get_provider_schema::Response {
            resource_schemas: [(
                "demo_thing".to_string(),
                v6::Schema {
                    version: 2,
                    block: Some(block),
                },
            )]
            .into(),
            functions: [(
                "double".to_string(),
                v6::Function {
                    parameters: vec![v6::function::Parameter {
                        name: "n".into(),
                        r#type: b"\"number\"".to_vec(),
                        ..Default::default()
                    }],
                    r#return: Some(v6::function::Return {
                        r#type: b"\"number\"".to_vec(),
                    }),
                    ..Default::default()
                },
            )]
            .into(),
            ..Default::default()
        }
    }

    #[test]
    fn protocol_schemas_convert_to_plinth_schemas() {
        let schemas = ProviderSchemas::try_from(sample()).unwrap();
        let thing = &schemas.resources["demo_thing"];
        assert_eq!(thing.version, 2);
        assert!(thing.block.description.markdown);
        let plinth = schemas.to_plinth();
        let s = &plinth.resources["demo_thing"];
        assert!(s.attributes["name"].required);
        assert!(s.attributes["id"].computed && !s.attributes["id"].optional);
        let token = &s.attributes["token"];
        assert!(token.optional && token.computed && token.sensitive);
        assert!(thing.block.attributes["token"].deprecated);
        assert!(
            s.attributes["password"].sensitive,
            "write-only is never shown"
        );
        assert!(thing.block.attributes["password"].write_only);
        assert_eq!(s.attributes["tags"].ty, Type::map(Type::String));
        assert_eq!(
            s.attributes["rules"].ty.to_string(),
            "set(object({note = optional(string), port = number}))"
        );
        assert_eq!(s.blocks["timeouts"].nesting, Nesting::Single);
        let ingress = &s.blocks["ingress"];
        assert_eq!(
            (ingress.nesting, ingress.min_items, ingress.max_items),
            (Nesting::List, 1, 3)
        );
        assert_eq!(
            s.attributes["setting"].ty.to_string(),
            "map(object({value = string}))",
            "map blocks become a map attribute"
        );
        assert_eq!(schemas.functions["double"].return_type, CtyType::Number);
    }

    #[test]
    fn implied_types_follow_nesting() {
        let schemas = ProviderSchemas::try_from(sample()).unwrap();
        let ty = schemas.resources["demo_thing"].block.implied_type();
        let CtyType::Object { attributes, .. } = ty else {
            panic!("object expected");
        };
        assert!(matches!(attributes["ingress"], CtyType::List(_)));
        assert!(matches!(attributes["setting"], CtyType::Map(_)));
        assert!(matches!(attributes["timeouts"], CtyType::Object { .. }));
        let dynamic_list = BlockTypeDef {
            nesting: BlockNesting::List,
            block: BlockDef {
                attributes: [(
                    "v".to_string(),
                    AttributeDef {
                        kind: AttributeKind::Typed(CtyType::Dynamic),
                        ..AttributeDef::v6(attr("v", "\"dynamic\""), "t").unwrap()
                    },
                )]
                .into(),
                ..Default::default()
            },
            min_items: 0,
            max_items: 0,
        };
        assert_eq!(dynamic_list.implied_type(), CtyType::Dynamic);
    }

    #[test]
    fn a_bad_attribute_type_names_the_attribute() {
        let mut response = sample();
        let schema = response.resource_schemas.get_mut("demo_thing").unwrap();
        schema.block.as_mut().unwrap().attributes[0].r#type = b"\"strnig\"".to_vec();
        let err = ProviderSchemas::try_from(response).unwrap_err();
        assert!(err.to_string().contains("demo_thing.name"), "{err}");
    }
}
