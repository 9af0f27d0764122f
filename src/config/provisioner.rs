//! Decoding `provisioner "kind" { ... }` blocks of a resource: the meta-arguments `when`
//! (`create` or `destroy`) and `on_failure` (`fail` or `continue`) are taken out of the body;
//! the rest are the provisioner's own arguments, checked against its schema when it runs.

use plinth_sdk::{Diagnostic, Diagnostics};

use super::checks::{check_labels, invalid_value, reference_parts};
use super::model::{Attribute, Block, Body, OnFailure, Provisioner, When};

/// The provisioners plinth runs.
pub const SUPPORTED: &[&str] = &["local-exec"];

/// The keyword a meta-argument is set to (`destroy` in `when = destroy`).
fn keyword(attr: &Attribute) -> Option<String> {
    reference_parts(&attr.expr.expr)
        .filter(|parts| parts.len() == 1)
        .and_then(|parts| parts.into_iter().next())
}

/// Decodes a `provisioner` block; None (with diagnostics) when it cannot run.
pub fn decode_provisioner(block: Block, diags: &mut Diagnostics) -> Option<Provisioner> {
    if !check_labels(&block, &["type"], diags) {
        return None;
    }
    let kind = block.labels[0].clone();
    if !SUPPORTED.contains(&kind.as_str()) {
        let detail = match kind.as_str() {
            "file" | "remote-exec" => format!(
                "plinth does not support the \"{kind}\" provisioner yet; it runs \"local-exec\" provisioners."
            ),
            _ => format!("There is no provisioner named \"{kind}\"; plinth runs \"local-exec\" provisioners."),
        };
        diags.push(
            Diagnostic::error("Unsupported provisioner")
                .with_detail(detail)
                .with_span(block.span.clone()),
        );
        return None;
    }
    let mut provisioner = Provisioner {
        kind,
        when: When::Create,
        on_failure: OnFailure::Fail,
        body: Body::default(),
        span: block.span.clone(),
    };
    for attr in block.body.attributes {
        match attr.name.as_str() {
            "when" => match keyword(&attr).as_deref() {
                Some("create") => provisioner.when = When::Create,
                Some("destroy") => provisioner.when = When::Destroy,
                _ => diags.push(invalid_value(&attr, "must be create or destroy")),
            },
            "on_failure" => match keyword(&attr).as_deref() {
                Some("fail") => provisioner.on_failure = OnFailure::Fail,
                Some("continue") => provisioner.on_failure = OnFailure::Continue,
                _ => diags.push(invalid_value(&attr, "must be fail or continue")),
            },
            _ => provisioner.body.attributes.push(attr),
        }
    }
    for nested in block.body.blocks {
        diags.push(unsupported_connection(&nested));
    }
    provisioner.body.dynamic_blocks = block.body.dynamic_blocks;
    Some(provisioner)
}

/// A `connection` block (or any other block in a provisioner): only the file and remote-exec
/// provisioners use them.
pub fn unsupported_connection(block: &Block) -> Diagnostic {
    Diagnostic::error("Unsupported block type")
        .with_detail(format!(
            "plinth does not support \"{}\" blocks yet: they serve the file and remote-exec provisioners.",
            block.kind
        ))
        .with_span(block.span.clone())
}
