//! Decoding `import { to = …, id = … }` blocks: the target address is read from the `to`
//! reference (module calls with optional key expressions, then type, name and an optional key
//! expression); the id and for_each stay expressions.

use hcl::{Expression, TraversalOperator};
use plinth_sdk::{Diagnostic, Diagnostics};

use super::checks::{
    invalid_value, missing_argument, provider_ref, unsupported_argument, unsupported_block,
};
use super::model::{Block, Expr, Import, ImportStep};

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
                    "must be the address of a managed resource, such as docker_network.app, docker_network.app[\"a\"] or module.web[\"a\"].docker_network.app",
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
    let ((module, type_name, name, key), id) = (to?, id?);
    Some(Import {
        module,
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

/// Reads `[module.CALL[KEY].]…TYPE.NAME[KEY]` from a `to` expression, keys optional.
fn target(expr: &Expr) -> Option<Target> {
    let Expression::Traversal(traversal) = &expr.expr else {
        return None;
    };
    let Expression::Variable(first) = &traversal.expr else {
        return None;
    };
    let key_of = |key: &Expression| Expr {
        expr: key.clone(),
        span: expr.span.clone(),
    };
    let mut parts = std::iter::once(Part::Name(first.to_string()))
        .chain(traversal.operators.iter().map(|op| match op {
            TraversalOperator::GetAttr(name) => Part::Name(name.to_string()),
            TraversalOperator::Index(key) => Part::Key(key_of(key)),
            _ => Part::Other,
        }))
        .peekable();
    let mut module = Vec::new();
    let mut type_name = Part::name(parts.next())?;
    while type_name == "module" {
        let name = Part::name(parts.next())?;
        let key = parts.next_if(Part::is_key).and_then(Part::key);
        module.push(ImportStep { name, key });
        type_name = Part::name(parts.next())?;
    }
    if matches!(type_name.as_str(), "data" | "var" | "local") {
        return None;
    }
    let name = Part::name(parts.next())?;
    let key = parts.next_if(Part::is_key).and_then(Part::key);
    if parts.next().is_some() {
        return None;
    }
    Some((module, type_name, name, key))
}

/// The module steps, type, name and instance key of an import target.
type Target = (Vec<ImportStep>, String, String, Option<Expr>);

/// One step of a `to` traversal.
enum Part {
    Name(String),
    Key(Expr),
    Other,
}

impl Part {
    fn name(part: Option<Part>) -> Option<String> {
        match part {
            Some(Part::Name(name)) => Some(name),
            _ => None,
        }
    }

    fn is_key(&self) -> bool {
        matches!(self, Part::Key(_))
    }

    fn key(self) -> Option<Expr> {
        match self {
            Part::Key(key) => Some(key),
            _ => None,
        }
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
    fn an_import_block_names_the_module_instances_of_its_target() {
        let config = load(
            "import {\n  for_each = toset([\"a\"])\n  to = module.web[each.key].module.db.docker_network.app[0]\n  id = \"net-${each.key}\"\n}\n",
        )
        .unwrap();
        let import = &config.root.imports[0];
        assert_eq!(import.module_path(), ["web", "db"]);
        assert!(import.module[0].key.is_some() && import.module[1].key.is_none());
        assert_eq!(
            import.config_address(),
            "module.web.module.db.docker_network.app"
        );
        assert!(import.key.is_some());
    }

    #[test]
    fn an_import_of_a_module_call_is_refused() {
        let errors = load("import {\n  to = module.web\n  id = \"x\"\n}\n").unwrap_err();
        assert!(
            errors
                .0
                .iter()
                .any(|e| e.summary.contains("Invalid value for \"to\"")),
            "{errors:?}"
        );
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
