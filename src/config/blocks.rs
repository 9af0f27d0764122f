//! Decoding the other top-level blocks: `variable`, `output`, `locals`, `provider`,
//! `terraform` and `module` (the call only; the loader loads the child module).

use std::collections::BTreeMap;

use hcl::{Expression, ObjectKey};
use plinth_sdk::{Diagnostic, Diagnostics};

use super::checks::{
    bool_setting, check_labels, invalid_value, missing_argument, provider_ref_of, reference_list,
    string_setting, unsupported_argument, unsupported_block,
};
use super::conditions::decode_condition;
use super::constant::{constant_value, object_key};
use super::model::{
    Backend, Block, Local, Module, ModuleCall, Output, ProviderConfig, ProviderRef,
    RequiredProvider, TerraformSettings, Variable,
};
use super::resource::extract_dynamic;
use super::types::parse_type;

const VARIABLE_ARGUMENTS: &[&str] = &[
    "type",
    "default",
    "description",
    "sensitive",
    "nullable",
    "ephemeral",
];
const OUTPUT_ARGUMENTS: &[&str] = &[
    "value",
    "description",
    "sensitive",
    "depends_on",
    "ephemeral",
];
const TERRAFORM_ARGUMENTS: &[&str] = &["required_version"];
const TERRAFORM_BLOCKS: &[&str] = &["required_providers", "backend", "encryption"];

/// Decodes a `variable` block, checking its type constraint and default.
pub fn decode_variable(block: Block, diags: &mut Diagnostics) -> Option<Variable> {
    if !check_labels(&block, &["name"], diags) {
        return None;
    }
    let name = block.labels.first()?.clone();
    let mut variable = Variable {
        name,
        ty: None,
        default: None,
        description: None,
        sensitive: false,
        nullable: true,
        ephemeral: false,
        validations: Vec::new(),
        span: block.span.clone(),
    };
    for attr in block.body.attributes {
        match attr.name.as_str() {
            "type" => match parse_type(&attr.expr.expr) {
                Ok(ty) => variable.ty = Some(ty),
                Err(e) => diags.push(
                    Diagnostic::error("Invalid type specification")
                        .with_detail(e)
                        .with_span(attr.expr.span.clone()),
                ),
            },
            "default" => variable.default = Some(attr.expr),
            "description" => variable.description = string_setting(&attr, diags),
            "sensitive" => variable.sensitive = bool_setting(&attr, diags),
            "nullable" => variable.nullable = bool_setting(&attr, diags),
            "ephemeral" => variable.ephemeral = bool_setting(&attr, diags),
            _ => diags.push(unsupported_argument(
                &attr,
                VARIABLE_ARGUMENTS,
                "a variable block",
            )),
        }
    }
    if let Some(default) = &variable.default {
        let checked = constant_value(&default.expr).and_then(|value| match &variable.ty {
            Some(ty) => plinth_sdk::convert(value, ty),
            None => Ok(value),
        });
        if let Err(e) = checked {
            diags.push(
                Diagnostic::error("Invalid default value for variable")
                    .with_detail(format!(
                        "This default value is not compatible with the variable's type constraint: {e}."
                    ))
                    .with_span(default.span.clone()),
            );
        }
    }
    for nested in block.body.blocks {
        if nested.kind != "validation" {
            diags.push(unsupported_block(
                &nested,
                &["validation"],
                "a variable block",
            ));
            continue;
        }
        if let Some(validation) = decode_condition(nested, diags) {
            variable.validations.push(validation);
        }
    }
    Some(variable)
}

/// Decodes an `output` block.
pub fn decode_output(block: Block, diags: &mut Diagnostics) -> Option<Output> {
    if !check_labels(&block, &["name"], diags) {
        return None;
    }
    let name = block.labels.first()?.clone();
    let (mut value, mut description, mut sensitive, mut depends_on) =
        (None, None, false, Vec::new());
    let mut ephemeral = false;
    for attr in block.body.attributes {
        match attr.name.as_str() {
            "value" => value = Some(attr.expr),
            "description" => description = string_setting(&attr, diags),
            "sensitive" => sensitive = bool_setting(&attr, diags),
            "depends_on" => depends_on = reference_list(&attr, diags),
            "ephemeral" => ephemeral = bool_setting(&attr, diags),
            _ => diags.push(unsupported_argument(
                &attr,
                OUTPUT_ARGUMENTS,
                "an output block",
            )),
        }
    }
    let mut preconditions = Vec::new();
    for nested in block.body.blocks {
        if nested.kind == "precondition" {
            preconditions.extend(decode_condition(nested, diags));
        } else {
            diags.push(unsupported_block(
                &nested,
                &["precondition"],
                "an output block",
            ));
        }
    }
    let Some(value) = value else {
        diags.push(missing_argument(&block.span, "value", "an output block"));
        return None;
    };
    Some(Output {
        name,
        value,
        description,
        sensitive,
        depends_on,
        preconditions,
        ephemeral,
        span: block.span,
    })
}

/// Decodes a `locals` block into its entries.
pub fn decode_locals(block: Block, diags: &mut Diagnostics) -> Vec<Local> {
    check_labels(&block, &[], diags);
    for nested in &block.body.blocks {
        diags.push(unsupported_block(nested, &[], "a locals block"));
    }
    block
        .body
        .attributes
        .into_iter()
        .map(|attr| Local {
            name: attr.name,
            expr: attr.expr,
        })
        .collect()
}

/// Decodes a `provider` block: `alias` is taken out of the body.
pub fn decode_provider(block: Block, diags: &mut Diagnostics) -> Option<ProviderConfig> {
    if !check_labels(&block, &["name"], diags) {
        return None;
    }
    let name = block.labels.first()?.clone();
    let mut body = block.body;
    let mut alias = None;
    body.attributes.retain(|attr| match attr.name.as_str() {
        "alias" => {
            alias = string_setting(attr, diags);
            false
        }
        "version" => {
            diags.push(
                Diagnostic::warning("Version constraints inside provider configuration blocks are deprecated")
                    .with_detail("Set the version in the required_providers block of the terraform block instead.")
                    .with_span(attr.name_span.clone()),
            );
            false
        }
        _ => true,
    });
    let body = extract_dynamic(body, diags);
    Some(ProviderConfig {
        name,
        alias,
        body,
        span: block.span,
    })
}

/// Merges one `terraform` block into the module's settings.
pub fn decode_terraform(block: Block, settings: &mut TerraformSettings, diags: &mut Diagnostics) {
    check_labels(&block, &[], diags);
    for attr in &block.body.attributes {
        match attr.name.as_str() {
            "required_version" => {
                settings.required_version = string_setting(attr, diags);
                settings.required_version_span = Some(attr.expr.span.clone());
            }
            _ => diags.push(unsupported_argument(
                attr,
                TERRAFORM_ARGUMENTS,
                "a terraform block",
            )),
        }
    }
    for nested in block.body.blocks {
        match nested.kind.as_str() {
            "required_providers" => required_providers(&nested, settings, diags),
            "backend" => {
                if !check_labels(&nested, &["type"], diags) {
                    continue;
                }
                if let Some(first) = &settings.backend {
                    diags.push(
                        Diagnostic::error("Duplicate backend configuration")
                            .with_detail(format!(
                                "A backend was already configured at {}.",
                                first.span
                            ))
                            .with_span(nested.span.clone()),
                    );
                    continue;
                }
                let kind = nested.labels.first().cloned().unwrap_or_default();
                settings.backend = Some(Backend {
                    kind,
                    body: nested.body,
                    span: nested.span,
                });
            }
            "encryption" => {
                if check_labels(&nested, &[], diags) {
                    settings.encryption = Some(nested);
                }
            }
            _ => diags.push(unsupported_block(
                &nested,
                TERRAFORM_BLOCKS,
                "a terraform block",
            )),
        }
    }
}

fn required_providers(block: &Block, settings: &mut TerraformSettings, diags: &mut Diagnostics) {
    check_labels(block, &[], diags);
    for attr in &block.body.attributes {
        let entry = match constant_value(&attr.expr.expr) {
            Ok(plinth_sdk::Value::String(version)) => RequiredProvider {
                source: None,
                version: Some(version),
                span: attr.expr.span.clone(),
            },
            Ok(plinth_sdk::Value::Map(map)) => {
                let text = |key: &str| map.get(key).and_then(|v| v.as_str()).map(str::to_string);
                for key in map.keys() {
                    if !["source", "version", "configuration_aliases"].contains(&key.as_str()) {
                        diags.push(invalid_value(
                            attr,
                            &format!(
                                "has an unexpected key \"{key}\"; expected source and version"
                            ),
                        ));
                    }
                }
                RequiredProvider {
                    source: text("source"),
                    version: text("version"),
                    span: attr.expr.span.clone(),
                }
            }
            _ => {
                diags.push(invalid_value(attr, "must be an object such as { source = \"hashicorp/aws\", version = \"~> 5.0\" }"));
                continue;
            }
        };
        settings.required_providers.insert(attr.name.clone(), entry);
    }
    for nested in &block.body.blocks {
        diags.push(unsupported_block(nested, &[], "a required_providers block"));
    }
}

/// Decodes a `module` block; the child module is left empty for the loader to fill.
pub fn decode_module_call(block: Block, diags: &mut Diagnostics) -> Option<ModuleCall> {
    if !check_labels(&block, &["name"], diags) {
        return None;
    }
    let name = block.labels.first()?.clone();
    let mut call = ModuleCall {
        name,
        source: String::new(),
        count: None,
        for_each: None,
        depends_on: Vec::new(),
        providers: BTreeMap::new(),
        inputs: BTreeMap::new(),
        module: Box::new(Module::default()),
        span: block.span.clone(),
    };
    let mut source_seen = false;
    for attr in block.body.attributes {
        match attr.name.as_str() {
            "source" => {
                source_seen = true;
                call.source = string_setting(&attr, diags)?;
                if !(call.source.starts_with("./") || call.source.starts_with("../")) {
                    diags.push(
                        Diagnostic::error("Unsupported module source")
                            .with_detail(format!(
                                "The module source \"{}\" is not a local path. plinth loads modules only \
                                 from local directories: use a path starting with \"./\" or \"../\".",
                                call.source
                            ))
                            .with_span(attr.expr.span.clone()),
                    );
                    return None;
                }
            }
            "version" => diags.push(
                Diagnostic::error("Invalid version constraint")
                    .with_detail(
                        "A version constraint cannot be applied to a module with a local path.",
                    )
                    .with_span(attr.name_span.clone()),
            ),
            "count" => call.count = Some(attr.expr),
            "for_each" => call.for_each = Some(attr.expr),
            "depends_on" => call.depends_on = reference_list(&attr, diags),
            "providers" => call.providers = module_providers(&attr, diags),
            _ => {
                call.inputs.insert(attr.name.clone(), attr.expr);
            }
        }
    }
    for nested in &block.body.blocks {
        diags.push(unsupported_block(nested, &[], "a module block"));
    }
    if let (Some(_), Some(for_each)) = (&call.count, &call.for_each) {
        diags.push(
            Diagnostic::error("Invalid combination of \"count\" and \"for_each\"")
                .with_detail(
                    "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive.",
                )
                .with_span(for_each.span.clone()),
        );
    }
    if !source_seen {
        diags.push(missing_argument(&block.span, "source", "a module block"));
        return None;
    }
    Some(call)
}

fn module_providers(
    attr: &super::model::Attribute,
    diags: &mut Diagnostics,
) -> BTreeMap<String, ProviderRef> {
    let mut out = BTreeMap::new();
    let Expression::Object(object) = &attr.expr.expr else {
        diags.push(invalid_value(
            attr,
            "must be a map such as { aws = aws.west }",
        ));
        return out;
    };
    for (key, value) in object {
        let key = match key {
            ObjectKey::Expression(expr) => provider_ref_of(expr),
            other => object_key(other)
                .ok()
                .and_then(|k| provider_ref_of(&Expression::String(k))),
        };
        match (key, provider_ref_of(value)) {
            (Some(child), Some(parent)) => {
                let child = match child.alias {
                    Some(alias) => format!("{}.{alias}", child.name),
                    None => child.name,
                };
                out.insert(child, parent);
            }
            _ => diags.push(invalid_value(
                attr,
                "must map provider names to provider references",
            )),
        }
    }
    out
}
