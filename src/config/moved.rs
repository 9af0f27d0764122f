//! Decoding `moved` blocks and the addresses they (and `removed` blocks) name: `from` and `to`
//! are bare references such as `aws_instance.a[0]` or `module.net["a"].aws_vpc.main`.

use hcl::Expression;
use plinth_sdk::{Diagnostic, Diagnostics};

use super::checks::{check_labels, missing_argument, reference_parts, unsupported_argument};
use super::model::{Attribute, Block, Endpoint, Moved};

/// Decodes a `moved { from = ..., to = ... }` block.
pub fn decode_moved(block: Block, diags: &mut Diagnostics) -> Option<Moved> {
    check_labels(&block, &[], diags);
    let (mut from, mut to) = (None, None);
    for attr in &block.body.attributes {
        match attr.name.as_str() {
            "from" => from = endpoint(attr, diags),
            "to" => to = endpoint(attr, diags),
            _ => diags.push(unsupported_argument(attr, &["from", "to"], "a moved block")),
        }
    }
    for nested in &block.body.blocks {
        diags.push(super::checks::unsupported_block(
            nested,
            &[],
            "a moved block",
        ));
    }
    let has = |name: &str| block.body.attributes.iter().any(|a| a.name == name);
    for name in ["from", "to"] {
        if !has(name) {
            diags.push(missing_argument(&block.span, name, "a moved block"));
        }
    }
    let (from, to) = (from?, to?);
    let mismatch = match (&from.resource, &to.resource) {
        (Some(_), None) | (None, Some(_)) => Some(
            "The \"from\" and \"to\" addresses must either both refer to resources or both refer to modules.".to_string(),
        ),
        (Some((from_type, ..)), Some((to_type, ..))) if from_type != to_type => Some(format!(
            "This statement declares a move from {from} to other resource type {to}. Objects can move only between addresses of the same resource type."
        )),
        _ => None,
    };
    if let Some(detail) = mismatch {
        let summary = if from.resource.is_some() && to.resource.is_some() {
            "Resource type mismatch"
        } else {
            "Invalid \"moved\" addresses"
        };
        diags.push(
            Diagnostic::error(summary)
                .with_detail(detail)
                .with_span(block.span.clone()),
        );
        return None;
    }
    if from.modules == to.modules && from.resource == to.resource {
        diags.push(
            Diagnostic::error("Redundant move statement")
                .with_detail(format!("This statement declares a move from {from} to the same address, which is the same as not declaring this move at all."))
                .with_span(block.span.clone()),
        );
        return None;
    }
    Some(Moved {
        from,
        to,
        span: block.span,
    })
}

/// The address an attribute names, or None with an "Invalid address" error.
pub fn endpoint(attr: &Attribute, diags: &mut Diagnostics) -> Option<Endpoint> {
    let parsed = reference_parts(&attr.expr.expr)
        .ok_or_else(|| {
            "must be a reference such as aws_instance.a, aws_instance.a[0] or module.network"
                .to_string()
        })
        .and_then(|parts| endpoint_of(&parts));
    match parsed {
        Ok((modules, resource)) => Some(Endpoint {
            modules,
            resource,
            span: attr.expr.span.clone(),
        }),
        Err(why) => {
            let data = matches!(&attr.expr.expr, Expression::Traversal(t)
                if matches!(&t.expr, Expression::Variable(v) if v.as_str() == "data"));
            let why = if data {
                "may not refer to a data source: data sources have no objects to move or forget"
                    .to_string()
            } else {
                why
            };
            diags.push(
                Diagnostic::error("Invalid address")
                    .with_detail(format!("The value of \"{}\" {why}.", attr.name))
                    .with_span(attr.expr.span.clone()),
            );
            None
        }
    }
}

type Parts = (
    Vec<(String, Option<String>)>,
    Option<(String, String, Option<String>)>,
);

/// `["module", "a", "[0]", "aws_instance", "b"]` → modules `[("a", "[0]")]`, resource
/// `("aws_instance", "b", None)`.
fn endpoint_of(parts: &[String]) -> Result<Parts, String> {
    let is_key = |p: &String| p.starts_with('[');
    let mut modules = Vec::new();
    let mut i = 0;
    while parts.get(i).map(String::as_str) == Some("module") {
        let name = parts
            .get(i + 1)
            .filter(|n| !is_key(n))
            .ok_or("names a module without its name")?;
        let key = parts.get(i + 2).filter(|p| is_key(p)).cloned();
        i += if key.is_some() { 3 } else { 2 };
        modules.push((name.clone(), key));
    }
    let rest = &parts[i..];
    match rest {
        [] if !modules.is_empty() => Ok((modules, None)),
        [kind, ..] if kind == "data" => Err(String::new()),
        [type_name, name] if !is_key(type_name) && !is_key(name) => {
            Ok((modules, Some((type_name.clone(), name.clone(), None))))
        }
        [type_name, name, key] if !is_key(type_name) && !is_key(name) && is_key(key) => Ok((
            modules,
            Some((type_name.clone(), name.clone(), Some(key.clone()))),
        )),
        _ => Err("must be the address of a resource, a resource instance, a module call or a module instance".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::endpoint_of;

    fn parts(text: &[&str]) -> Vec<String> {
        text.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn endpoints_name_modules_resources_and_instances() {
        let (modules, resource) = endpoint_of(&parts(&[
            "module",
            "a",
            "[\"x\"]",
            "null_resource",
            "b",
            "[0]",
        ]))
        .unwrap();
        assert_eq!(
            modules,
            vec![("a".to_string(), Some("[\"x\"]".to_string()))]
        );
        assert_eq!(
            resource,
            Some(("null_resource".into(), "b".into(), Some("[0]".into())))
        );
        assert_eq!(endpoint_of(&parts(&["module", "a"])).unwrap().1, None);
        assert!(endpoint_of(&parts(&["null_resource"])).is_err());
        assert!(endpoint_of(&parts(&["null_resource", "a", "id"])).is_err());
    }
}
