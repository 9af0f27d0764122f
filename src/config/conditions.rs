//! Decoding `condition` + `error_message` blocks: a variable's `validation`, and the
//! `precondition` and `postcondition` blocks of resources, data sources and outputs.

use plinth_sdk::Diagnostics;

use super::checks::{check_labels, missing_argument, unsupported_argument, unsupported_block};
use super::model::{Block, Validation};

/// Decodes a `validation`, `precondition` or `postcondition` block.
pub fn decode_condition(block: Block, diags: &mut Diagnostics) -> Option<Validation> {
    check_labels(&block, &[], diags);
    let context = format!("a {} block", block.kind);
    let (mut condition, mut error_message) = (None, None);
    for attr in block.body.attributes {
        match attr.name.as_str() {
            "condition" => condition = Some(attr.expr),
            "error_message" => error_message = Some(attr.expr),
            _ => diags.push(unsupported_argument(
                &attr,
                &["condition", "error_message"],
                &context,
            )),
        }
    }
    for nested in &block.body.blocks {
        diags.push(unsupported_block(nested, &[], &context));
    }
    match (condition, error_message) {
        (Some(condition), Some(error_message)) => Some(Validation {
            condition,
            error_message,
        }),
        (None, _) => {
            diags.push(missing_argument(&block.span, "condition", &context));
            None
        }
        (_, None) => {
            diags.push(missing_argument(&block.span, "error_message", &context));
            None
        }
    }
}
