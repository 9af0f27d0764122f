//! Decoding `check "name" { data ... assert { condition, error_message } }` blocks: scoped
//! data sources and assertions whose failures are warnings, never errors.

use plinth_sdk::{Diagnostic, Diagnostics};

use super::checks::{check_labels, unsupported_argument, unsupported_block};
use super::conditions::decode_condition;
use super::model::{Block, Check, Mode};
use super::resource::decode_resource;

/// Decodes a `check` block.
pub fn decode_check(block: Block, diags: &mut Diagnostics) -> Option<Check> {
    if !check_labels(&block, &["name"], diags) {
        return None;
    }
    let name = block.labels.first()?.clone();
    let mut check = Check {
        name,
        data: Vec::new(),
        asserts: Vec::new(),
        span: block.span.clone(),
    };
    for attr in &block.body.attributes {
        diags.push(unsupported_argument(attr, &[], "a check block"));
    }
    for nested in block.body.blocks {
        match nested.kind.as_str() {
            "data" => {
                if let Some(data) = decode_resource(nested, Mode::Data, diags) {
                    if data.count.is_some() || data.for_each.is_some() {
                        diags.push(
                            Diagnostic::error("Invalid scoped data block")
                                .with_detail("A data block inside a check block cannot use count or for_each.")
                                .with_span(data.span.clone()),
                        );
                    }
                    check.data.push(data);
                }
            }
            "assert" => check.asserts.extend(decode_condition(nested, diags)),
            _ => diags.push(unsupported_block(
                &nested,
                &["data", "assert"],
                "a check block",
            )),
        }
    }
    if check.asserts.is_empty() {
        diags.push(
            Diagnostic::error("Missing assert block")
                .with_detail(format!(
                    "The check block \"{}\" must contain at least one assert block.",
                    check.name
                ))
                .with_span(check.span.clone()),
        );
    }
    Some(check)
}
