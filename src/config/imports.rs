//! Decoding `import { to = …, id = … }` blocks: the target address is read from the `to`
//! reference (type, name and an optional key expression); the id and for_each stay expressions.

use hcl::{Expression, TraversalOperator};
use plinth_sdk::{Diagnostic, Diagnostics};

use super::checks::{
    invalid_value, missing_argument, provider_ref, unsupported_argument, unsupported_block,
};
use super::model::{Block, Expr, Import};

const ARGUMENTS: &[&str] = &["to", "id", "for_each", "provider"];

/// Decodes an `import` block; None (with diagnostics) when it cannot be used.
pub fn decode_import(block: Block, diags: &mut Diagnostics) -> Option<Import> {
    if !block.labels.is_empty() {
        diags.push(
            Diagnostic::error("Extraneous label for import")
                .with_detail("No labels are expected for import blocks.")
                .with_span(block.span.clone()),
        );
    }
    for nested in &block.body.blocks {
        diags.push(unsupported_block(nested, &[], "an import block"));
    }
    let (mut to, mut id, mut for_each, mut provider) = (None, None, None, None);
    for attr in block.body.attributes {
        match attr.name.as_str() {
            "to" => match target(&attr.expr) {
                Some(t) => to = Some(t),
                None => diags.push(invalid_value(
                    &attr,
                    "must be the address of a managed resource, such as docker_network.app or docker_network.app[\"a\"]",
                )),
            },
            "id" => id = Some(attr.expr),
            "for_each" => for_each = Some(attr.expr),
            "provider" => provider = provider_ref(&attr, diags),
            _ => diags.push(unsupported_argument(&attr, ARGUMENTS, "an import block")),
        }
    }
    if to.is_none() && !diags.has_errors() {
        diags.push(missing_argument(&block.span, "to", "an import block"));
    }
    if id.is_none() {
        diags.push(missing_argument(&block.span, "id", "an import block"));
    }
    let ((type_name, name, key), id) = (to?, id?);
    Some(Import {
        type_name,
        name,
        key,
        id,
        for_each,
        provider,
        span: block.span,
    })
}

/// The error for an import block inside a child module: Terraform allows them only at the root.
pub fn imports_only_in_root(import: &Import, call: &str) -> Diagnostic {
    Diagnostic::error("Invalid import configuration")
        .with_detail(format!(
            "An import block was found in module.{call}. Import blocks are only allowed in the root module; write `to = module.{call}.{}.{}` there instead.",
            import.type_name, import.name
        ))
        .with_span(import.span.clone())
}

/// Reads `TYPE.NAME` or `TYPE.NAME[KEY]` from a `to` expression.
fn target(expr: &Expr) -> Option<(String, String, Option<Expr>)> {
    let Expression::Traversal(traversal) = &expr.expr else {
        return None;
    };
    let Expression::Variable(type_name) = &traversal.expr else {
        return None;
    };
    let type_name = type_name.to_string();
    if matches!(type_name.as_str(), "data" | "module" | "var" | "local") {
        return None;
    }
    match traversal.operators.as_slice() {
        [TraversalOperator::GetAttr(name)] => Some((type_name, name.to_string(), None)),
        [TraversalOperator::GetAttr(name), TraversalOperator::Index(key)] => Some((
            type_name,
            name.to_string(),
            Some(Expr {
                expr: key.clone(),
                span: expr.span.clone(),
            }),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn load(text: &str) -> Result<crate::config::Config, plinth_sdk::Diagnostics> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), text).unwrap();
        crate::config::load(Path::new(dir.path()))
    }

    #[test]
    fn an_import_block_names_its_target_and_key() {
        let config = load(
            "import {\n  for_each = toset([\"a\"])\n  to = docker_network.app[each.key]\n  id = \"net-${each.key}\"\n}\n",
        )
        .unwrap();
        let import = &config.root.imports[0];
        assert_eq!(
            (import.type_name.as_str(), import.name.as_str()),
            ("docker_network", "app")
        );
        assert!(import.key.is_some() && import.for_each.is_some());
    }

    #[test]
    fn an_import_of_a_data_source_is_refused_at_its_line() {
        let errors =
            load("\n\nimport {\n  to = data.docker_network.app\n  id = \"x\"\n}\n").unwrap_err();
        let error = errors
            .0
            .iter()
            .find(|d| d.severity == plinth_sdk::Severity::Error)
            .unwrap();
        assert!(
            error.summary.contains("Invalid value for \"to\""),
            "{error:?}"
        );
        assert_eq!(error.span.as_ref().unwrap().line, 4);
    }

    #[test]
    fn an_import_without_id_is_refused() {
        let errors = load("import {\n  to = docker_network.app\n}\n").unwrap_err();
        assert!(
            errors.0.iter().any(|e| e
                .detail
                .as_deref()
                .unwrap_or_default()
                .contains("\"id\" is required")),
            "{errors:?}"
        );
    }
}
