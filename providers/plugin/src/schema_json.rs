//! Schemas in Terraform's JSON format (`terraform providers schema -json`), for plugin
//! providers as they state them and for plinth's built-in providers through the same form.

use serde_json::{json, Map, Value as Json};

use plinth_sdk::{Nesting, ProviderSchema, Schema};

use crate::{
    AttributeDef, AttributeKind, BlockDef, BlockNesting, BlockTypeDef, CtyType, Description,
    FunctionDef, ObjectNesting, ParameterDef, ProviderSchemas, SchemaDef,
};

impl ProviderSchemas {
    /// The provider's entry of `provider_schemas` in Terraform's JSON format.
    pub fn to_terraform_json(&self) -> Json {
        let mut out = Map::new();
        out.insert("provider".into(), schema_json(&self.provider));
        let section = |defs: &std::collections::BTreeMap<String, SchemaDef>| -> Json {
            Json::Object(
                defs.iter()
                    .map(|(k, s)| (k.clone(), schema_json(s)))
                    .collect(),
            )
        };
        if !self.resources.is_empty() {
            out.insert("resource_schemas".into(), section(&self.resources));
        }
        if !self.data_sources.is_empty() {
            out.insert("data_source_schemas".into(), section(&self.data_sources));
        }
        if !self.functions.is_empty() {
            let functions = self
                .functions
                .iter()
                .map(|(k, f)| (k.clone(), function_json(f)))
                .collect();
            out.insert("functions".into(), Json::Object(functions));
        }
        Json::Object(out)
    }

    /// A built-in provider's schemas in the protocol's form (no functions, version 0 blocks).
    pub fn from_plinth(schema: &ProviderSchema) -> ProviderSchemas {
        let def = |s: &Schema| SchemaDef {
            version: i64::try_from(s.version).unwrap_or(0),
            block: block_from_plinth(s),
        };
        ProviderSchemas {
            provider: def(&schema.provider),
            resources: schema
                .resources
                .iter()
                .map(|(k, s)| (k.clone(), def(s)))
                .collect(),
            data_sources: schema
                .data_sources
                .iter()
                .map(|(k, s)| (k.clone(), def(s)))
                .collect(),
            ..ProviderSchemas::default()
        }
    }
}

fn block_from_plinth(schema: &Schema) -> BlockDef {
    BlockDef {
        attributes: schema
            .attributes
            .iter()
            .map(|(k, a)| {
                let def = AttributeDef {
                    kind: AttributeKind::Typed(CtyType::from_plinth(&a.ty)),
                    description: Description {
                        text: a.description.clone(),
                        markdown: false,
                    },
                    required: a.required,
                    optional: a.optional,
                    computed: a.computed,
                    sensitive: a.sensitive,
                    deprecated: a.deprecated.is_some(),
                    write_only: a.write_only,
                };
                (k.clone(), def)
            })
            .collect(),
        block_types: schema
            .blocks
            .iter()
            .map(|(k, b)| {
                let def = BlockTypeDef {
                    nesting: match b.nesting {
                        Nesting::Single => BlockNesting::Single,
                        Nesting::List => BlockNesting::List,
                        Nesting::Set => BlockNesting::Set,
                    },
                    block: block_from_plinth(&b.schema),
                    min_items: b.min_items as u64,
                    max_items: b.max_items as u64,
                };
                (k.clone(), def)
            })
            .collect(),
        description: Description {
            text: schema.description.clone(),
            markdown: false,
        },
        deprecated: false,
    }
}

fn schema_json(def: &SchemaDef) -> Json {
    json!({ "version": def.version, "block": block_json(&def.block) })
}

fn describe(out: &mut Map<String, Json>, description: &Description) {
    if !description.text.is_empty() {
        out.insert("description".into(), json!(description.text));
    }
    let kind = if description.markdown {
        "markdown"
    } else {
        "plain"
    };
    out.insert("description_kind".into(), json!(kind));
}

fn flag(out: &mut Map<String, Json>, name: &str, set: bool) {
    if set {
        out.insert(name.into(), json!(true));
    }
}

fn block_json(block: &BlockDef) -> Json {
    let mut out = Map::new();
    if !block.attributes.is_empty() {
        let attributes = block
            .attributes
            .iter()
            .map(|(k, a)| (k.clone(), attribute_json(a)))
            .collect();
        out.insert("attributes".into(), Json::Object(attributes));
    }
    if !block.block_types.is_empty() {
        let types = block
            .block_types
            .iter()
            .map(|(k, b)| (k.clone(), block_type_json(b)))
            .collect();
        out.insert("block_types".into(), Json::Object(types));
    }
    describe(&mut out, &block.description);
    flag(&mut out, "deprecated", block.deprecated);
    Json::Object(out)
}

fn attribute_json(attr: &AttributeDef) -> Json {
    let mut out = Map::new();
    match &attr.kind {
        AttributeKind::Typed(ty) => {
            out.insert("type".into(), ty.to_json());
        }
        AttributeKind::Nested {
            nesting,
            attributes,
        } => {
            let mode = match nesting {
                ObjectNesting::Single => "single",
                ObjectNesting::List => "list",
                ObjectNesting::Set => "set",
                ObjectNesting::Map => "map",
            };
            let attributes: Map<String, Json> = attributes
                .iter()
                .map(|(k, a)| (k.clone(), attribute_json(a)))
                .collect();
            out.insert(
                "nested_type".into(),
                json!({ "attributes": attributes, "nesting_mode": mode }),
            );
        }
    }
    describe(&mut out, &attr.description);
    flag(&mut out, "required", attr.required);
    flag(&mut out, "optional", attr.optional);
    flag(&mut out, "computed", attr.computed);
    flag(&mut out, "sensitive", attr.sensitive);
    flag(&mut out, "deprecated", attr.deprecated);
    flag(&mut out, "write_only", attr.write_only);
    Json::Object(out)
}

fn block_type_json(def: &BlockTypeDef) -> Json {
    let mode = match def.nesting {
        BlockNesting::Single => "single",
        BlockNesting::Group => "group",
        BlockNesting::List => "list",
        BlockNesting::Set => "set",
        BlockNesting::Map => "map",
    };
    let mut out = Map::new();
    out.insert("nesting_mode".into(), json!(mode));
    out.insert("block".into(), block_json(&def.block));
    if def.min_items > 0 {
        out.insert("min_items".into(), json!(def.min_items));
    }
    if def.max_items > 0 {
        out.insert("max_items".into(), json!(def.max_items));
    }
    Json::Object(out)
}

fn parameter_json(p: &ParameterDef) -> Json {
    let mut out = Map::new();
    out.insert("name".into(), json!(p.name));
    out.insert("type".into(), p.ty.to_json());
    if !p.description.text.is_empty() {
        out.insert("description".into(), json!(p.description.text));
    }
    flag(&mut out, "is_nullable", p.allow_null_value);
    Json::Object(out)
}

fn function_json(f: &FunctionDef) -> Json {
    let mut out = Map::new();
    if !f.description.text.is_empty() {
        out.insert("description".into(), json!(f.description.text));
    }
    if !f.summary.is_empty() {
        out.insert("summary".into(), json!(f.summary));
    }
    out.insert("return_type".into(), f.return_type.to_json());
    if !f.parameters.is_empty() {
        out.insert(
            "parameters".into(),
            Json::Array(f.parameters.iter().map(parameter_json).collect()),
        );
    }
    if let Some(v) = &f.variadic_parameter {
        out.insert("variadic_parameter".into(), parameter_json(v));
    }
    if !f.deprecation_message.is_empty() {
        out.insert("deprecation_message".into(), json!(f.deprecation_message));
    }
    Json::Object(out)
}
