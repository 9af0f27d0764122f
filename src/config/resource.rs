//! Decoding `resource` and `data` blocks: the meta-arguments (count, for_each, provider,
//! depends_on, lifecycle) are taken out of the body, `dynamic` blocks become [`DynamicBlock`]s.

use hcl::Expression;
use plinth_sdk::{Diagnostic, Diagnostics};

use super::checks::{
    bool_setting, check_labels, invalid_value, missing_argument, provider_ref, reference_list,
    reference_parts, unsupported_argument, unsupported_block,
};
use super::conditions::decode_condition;
use super::model::{Block, Body, DynamicBlock, Expr, IgnoreChanges, Lifecycle, Mode, Resource};
use super::provisioner::{decode_provisioner, set_connection, share_connection};

const LIFECYCLE_ARGUMENTS: &[&str] = &[
    "create_before_destroy",
    "prevent_destroy",
    "ignore_changes",
    "replace_triggered_by",
    "enabled",
];

/// Decodes a `resource` or `data` block; None (with diagnostics) when its header is unusable.
pub fn decode_resource(block: Block, mode: Mode, diags: &mut Diagnostics) -> Option<Resource> {
    if !check_labels(&block, &["type", "name"], diags) {
        return None;
    }
    let [type_name, name] = <[String; 2]>::try_from(block.labels).ok()?;
    let mut resource = Resource {
        mode,
        type_name,
        name,
        provider: None,
        count: None,
        for_each: None,
        depends_on: Vec::new(),
        lifecycle: Lifecycle::default(),
        provisioners: Vec::new(),
        body: Body::default(),
        span: block.span.clone(),
    };
    for attr in block.body.attributes {
        match attr.name.as_str() {
            "count" => resource.count = Some(attr.expr),
            "for_each" => resource.for_each = Some(attr.expr),
            "provider" => resource.provider = provider_ref(&attr, diags),
            "depends_on" => resource.depends_on = reference_list(&attr, diags),
            _ => resource.body.attributes.push(attr),
        }
    }
    if let (Some(_), Some(for_each)) = (&resource.count, &resource.for_each) {
        diags.push(
            Diagnostic::error("Invalid combination of \"count\" and \"for_each\"")
                .with_detail(
                    "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one \
                     should be used to be explicit about the number of resources to be created.",
                )
                .with_span(for_each.span.clone()),
        );
    }
    let mut lifecycle_seen = None;
    let mut rest = Vec::new();
    let mut connection = None;
    for nested in block.body.blocks {
        match nested.kind.as_str() {
            "lifecycle" => {
                if let Some(first) = &lifecycle_seen {
                    diags.push(
                        Diagnostic::error("Duplicate lifecycle block")
                            .with_detail(format!(
                                "A lifecycle block was already declared at {first}."
                            ))
                            .with_span(nested.span.clone()),
                    );
                    continue;
                }
                lifecycle_seen = Some(nested.span.clone());
                resource.lifecycle = decode_lifecycle(nested, diags);
            }
            "provisioner" if mode == Mode::Managed => {
                if let Some(p) = decode_provisioner(nested, diags) {
                    resource.provisioners.push(p);
                }
            }
            "connection" if mode == Mode::Managed => set_connection(&mut connection, nested, diags),
            _ => rest.push(nested),
        }
    }
    share_connection(&mut resource.provisioners, connection.as_ref(), diags);
    resource.body.blocks = rest;
    resource.body = extract_dynamic(resource.body, diags);
    Some(resource)
}

fn decode_lifecycle(block: Block, diags: &mut Diagnostics) -> Lifecycle {
    check_labels(&block, &[], diags);
    let mut lifecycle = Lifecycle::default();
    for attr in &block.body.attributes {
        match attr.name.as_str() {
            "create_before_destroy" => lifecycle.create_before_destroy = bool_setting(attr, diags),
            "prevent_destroy" => lifecycle.prevent_destroy = bool_setting(attr, diags),
            "ignore_changes" => {
                lifecycle.ignore_changes = ignore_changes(&attr.expr.expr).unwrap_or_else(|| {
                    diags.push(invalid_value(
                        attr,
                        "must be \"all\" or a list of attribute names, such as [tags, ami]",
                    ));
                    IgnoreChanges::None
                })
            }
            "replace_triggered_by" => {
                lifecycle.replace_triggered_by = match &attr.expr.expr {
                    Expression::Array(items) => items
                        .iter()
                        .map(|item| Expr {
                            expr: item.clone(),
                            span: attr.expr.span.clone(),
                        })
                        .collect(),
                    _ => {
                        diags.push(invalid_value(attr, "must be a list of references"));
                        Vec::new()
                    }
                }
            }
            "enabled" => lifecycle.enabled = Some(attr.expr.clone()),
            _ => diags.push(unsupported_argument(
                attr,
                LIFECYCLE_ARGUMENTS,
                "a lifecycle block",
            )),
        }
    }
    for nested in block.body.blocks {
        match nested.kind.as_str() {
            "precondition" => lifecycle
                .preconditions
                .extend(decode_condition(nested, diags)),
            "postcondition" => lifecycle
                .postconditions
                .extend(decode_condition(nested, diags)),
            _ => diags.push(unsupported_block(
                &nested,
                &["precondition", "postcondition"],
                "a lifecycle block",
            )),
        }
    }
    lifecycle
}

fn ignore_changes(expr: &Expression) -> Option<IgnoreChanges> {
    match expr {
        Expression::Variable(var) if var.as_str() == "all" => Some(IgnoreChanges::All),
        Expression::String(s) if s == "all" => Some(IgnoreChanges::All),
        Expression::Array(items) => items
            .iter()
            .map(|item| match item {
                Expression::String(s) => Some(s.clone()),
                other => reference_parts(other).map(|parts| join_path(&parts)),
            })
            .collect::<Option<Vec<_>>>()
            .map(IgnoreChanges::Attributes),
        _ => None,
    }
}

/// `["tags", "Name"]` → `tags.Name`, `["list", "[0]"]` → `list[0]`.
fn join_path(parts: &[String]) -> String {
    let mut out = String::new();
    for part in parts {
        if !out.is_empty() && !part.starts_with('[') {
            out.push('.');
        }
        out.push_str(part);
    }
    out
}

/// Moves the `dynamic` blocks of a body (and of its nested blocks) into `dynamic_blocks`.
pub fn extract_dynamic(body: Body, diags: &mut Diagnostics) -> Body {
    let mut out = Body {
        attributes: body.attributes,
        blocks: Vec::new(),
        dynamic_blocks: body.dynamic_blocks,
    };
    for mut block in body.blocks {
        if block.kind == "dynamic" {
            if let Some(dynamic) = decode_dynamic(block, diags) {
                out.dynamic_blocks.push(dynamic);
            }
        } else {
            block.body = extract_dynamic(block.body, diags);
            out.blocks.push(block);
        }
    }
    out
}

fn decode_dynamic(block: Block, diags: &mut Diagnostics) -> Option<DynamicBlock> {
    if !check_labels(&block, &["block type"], diags) {
        return None;
    }
    let kind = block.labels.first()?.clone();
    let context = format!("a dynamic \"{kind}\" block");
    let mut for_each = None;
    let mut iterator = kind.clone();
    let mut labels = Vec::new();
    for attr in block.body.attributes {
        match attr.name.as_str() {
            "for_each" => for_each = Some(attr.expr),
            "iterator" => match &attr.expr.expr {
                Expression::Variable(name) => iterator = name.to_string(),
                Expression::String(name) => iterator = name.clone(),
                _ => diags.push(invalid_value(&attr, "must be a single name, such as rule")),
            },
            "labels" => match &attr.expr.expr {
                Expression::Array(items) => {
                    labels = items
                        .iter()
                        .map(|item| Expr {
                            expr: item.clone(),
                            span: attr.expr.span.clone(),
                        })
                        .collect()
                }
                _ => diags.push(invalid_value(&attr, "must be a list of label expressions")),
            },
            _ => diags.push(unsupported_argument(
                &attr,
                &["for_each", "iterator", "labels"],
                &context,
            )),
        }
    }
    let mut content = None;
    for nested in block.body.blocks {
        if nested.kind != "content" {
            diags.push(unsupported_block(&nested, &["content"], &context));
        } else if content.is_some() {
            diags.push(
                Diagnostic::error("Duplicate content block")
                    .with_detail(format!("Only one content block is allowed in {context}."))
                    .with_span(nested.span.clone()),
            );
        } else {
            check_labels(&nested, &[], diags);
            content = Some(extract_dynamic(nested.body, diags));
        }
    }
    let Some(for_each) = for_each else {
        diags.push(missing_argument(&block.span, "for_each", &context));
        return None;
    };
    let Some(content) = content else {
        diags.push(
            Diagnostic::error("Missing content block")
                .with_detail(format!("A dynamic \"{kind}\" block needs a content block."))
                .with_span(block.span.clone()),
        );
        return None;
    };
    Some(DynamicBlock {
        kind,
        for_each,
        iterator,
        labels,
        content,
        span: block.span,
    })
}
