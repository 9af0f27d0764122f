//! Decoding `provisioner "kind" { ... }` blocks of a resource: the meta-arguments `when`
//! (`create` or `destroy`) and `on_failure` (`fail` or `continue`) are taken out of the body;
//! the rest are the provisioner's own arguments, checked against its schema when it runs. A
//! `connection` block inside a provisioner is its own; one in the resource serves every
//! provisioner without one, and `file` and `remote-exec` need one or the other.

use plinth_sdk::{Diagnostic, Diagnostics};

use super::checks::{check_labels, invalid_value, reference_parts, unsupported_block};
use super::model::{Attribute, Block, Body, OnFailure, Provisioner, When};

/// The provisioners plinth runs.
pub const SUPPORTED: &[&str] = &["local-exec", "file", "remote-exec"];

/// The provisioners that work on the remote machine through a `connection`.
const REMOTE: &[&str] = &["file", "remote-exec"];

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
        diags.push(
            Diagnostic::error("Unsupported provisioner")
                .with_detail(format!(
                    "There is no provisioner named \"{kind}\"; plinth runs \"local-exec\", \"file\" and \"remote-exec\" provisioners."
                ))
                .with_span(block.span.clone()),
        );
        return None;
    }
    let mut provisioner = Provisioner {
        kind,
        when: When::Create,
        on_failure: OnFailure::Fail,
        body: Body::default(),
        connection: None,
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
        if nested.kind == "connection" {
            set_connection(&mut provisioner.connection, nested, diags);
        } else {
            diags.push(unsupported_block(
                &nested,
                &["connection"],
                "a provisioner block",
            ));
        }
    }
    provisioner.body.dynamic_blocks = block.body.dynamic_blocks;
    Some(provisioner)
}

/// Keeps a `connection` block in `slot`, refusing a second one.
pub fn set_connection(slot: &mut Option<Block>, block: Block, diags: &mut Diagnostics) {
    if !check_labels(&block, &[], diags) {
        return;
    }
    if let Some(first) = slot {
        diags.push(
            Diagnostic::error("Duplicate connection block")
                .with_detail(format!(
                    "A connection block was already declared at {}.",
                    first.span
                ))
                .with_span(block.span.clone()),
        );
        return;
    }
    *slot = Some(block);
}

/// Gives the resource's `connection` block to every provisioner without its own, and reports
/// a `file` or `remote-exec` provisioner left without any.
pub fn share_connection(
    provisioners: &mut [Provisioner],
    connection: Option<&Block>,
    diags: &mut Diagnostics,
) {
    for provisioner in provisioners {
        if provisioner.connection.is_none() {
            provisioner.connection = connection.cloned();
        }
        if provisioner.connection.is_none() && REMOTE.contains(&provisioner.kind.as_str()) {
            diags.push(
                Diagnostic::error("Missing connection configuration for provisioner")
                    .with_detail(format!(
                        "The \"{}\" provisioner works on a remote machine: give the resource or the provisioner a connection block (type, host, user, and a password, private_key or agent).",
                        provisioner.kind
                    ))
                    .with_span(provisioner.span.clone()),
            );
        }
    }
}
