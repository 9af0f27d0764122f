//! Decoding `removed` blocks: `from` names a resource or module call that left the
//! configuration; `lifecycle { destroy = false }` forgets its objects instead of destroying them.

use plinth_sdk::{Diagnostic, Diagnostics};

use super::checks::{
    bool_setting, check_labels, missing_argument, unsupported_argument, unsupported_block,
};
use super::model::{Block, Removed};
use super::moved::endpoint;

/// Decodes a `removed { from = ... lifecycle { destroy = ... } }` block.
pub fn decode_removed(block: Block, diags: &mut Diagnostics) -> Option<Removed> {
    check_labels(&block, &[], diags);
    let mut from = None;
    for attr in &block.body.attributes {
        match attr.name.as_str() {
            "from" => from = endpoint(attr, diags),
            _ => diags.push(unsupported_argument(attr, &["from"], "a removed block")),
        }
    }
    // Terraform 1.7 and later destroy by default.
    let mut destroy = true;
    for nested in &block.body.blocks {
        if nested.kind != "lifecycle" {
            diags.push(unsupported_block(nested, &["lifecycle"], "a removed block"));
            continue;
        }
        check_labels(nested, &[], diags);
        for attr in &nested.body.attributes {
            match attr.name.as_str() {
                "destroy" => destroy = bool_setting(attr, diags),
                _ => diags.push(unsupported_argument(
                    attr,
                    &["destroy"],
                    "the lifecycle block of a removed block",
                )),
            }
        }
    }
    if !block.body.attributes.iter().any(|a| a.name == "from") {
        diags.push(missing_argument(&block.span, "from", "a removed block"));
    }
    let from = from?;
    if from.has_key() {
        diags.push(
            Diagnostic::error("Resource instance keys not allowed")
                .with_detail(format!(
                    "The \"from\" address {from} names one instance: a removed block applies to a whole resource or module call, so its address must not have an instance key."
                ))
                .with_span(from.span.clone()),
        );
        return None;
    }
    Some(Removed {
        from,
        destroy,
        span: block.span,
    })
}
