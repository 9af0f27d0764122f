//! Shared checks of the decoders: "did you mean" suggestions, unsupported arguments and blocks,
//! label counts, constant settings and reference expressions, each reported as a diagnostic.

use hcl::expr::TraversalOperator;
use hcl::Expression;
use plinth_sdk::{Diagnostic, Diagnostics, Span};

use super::constant::{constant_bool, constant_string, constant_value};
use super::model::{Attribute, Block, Expr, ProviderRef};
use plinth_sdk::Value;

/// The closest of `candidates` to `name`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(name, c), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// ` Did you mean "x"?` or nothing.
pub fn suggestion(name: &str, candidates: &[&str]) -> String {
    did_you_mean(name, candidates)
        .map(|c| format!(" Did you mean \"{c}\"?"))
        .unwrap_or_default()
}

/// An argument that is not expected in `context` (e.g. `a variable block`).
pub fn unsupported_argument(attr: &Attribute, allowed: &[&str], context: &str) -> Diagnostic {
    Diagnostic::error("Unsupported argument")
        .with_detail(format!(
            "An argument named \"{}\" is not expected in {context}.{}",
            attr.name,
            suggestion(&attr.name, allowed)
        ))
        .with_span(attr.name_span.clone())
}

/// A nested block that is not expected in `context`.
pub fn unsupported_block(block: &Block, allowed: &[&str], context: &str) -> Diagnostic {
    Diagnostic::error("Unsupported block type")
        .with_detail(format!(
            "Blocks of type \"{}\" are not expected in {context}.{}",
            block.kind,
            suggestion(&block.kind, allowed)
        ))
        .with_span(block.span.clone())
}

/// Checks that `block` has exactly the labels named in `names`; reports and returns false if not.
pub fn check_labels(block: &Block, names: &[&str], diags: &mut Diagnostics) -> bool {
    let want = names.len();
    let got = block.labels.len();
    if got == want {
        return true;
    }
    let listed = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let (summary, detail) = if got < want {
        let missing = names.get(got).copied().unwrap_or("label");
        (
            format!("Missing {missing} for {}", block.kind),
            format!(
                "A \"{}\" block needs {want} label(s): {listed}.",
                block.kind
            ),
        )
    } else if want == 0 {
        (
            "Extra label on block".to_string(),
            format!("A \"{}\" block takes no labels.", block.kind),
        )
    } else {
        (
            "Extra label on block".to_string(),
            format!(
                "A \"{}\" block takes only {want} label(s): {listed}.",
                block.kind
            ),
        )
    };
    diags.push(
        Diagnostic::error(summary)
            .with_detail(detail)
            .with_span(block.span.clone()),
    );
    false
}

/// A required argument that is missing from a block.
pub fn missing_argument(block_span: &Span, name: &str, context: &str) -> Diagnostic {
    Diagnostic::error("Missing required argument")
        .with_detail(format!(
            "The argument \"{name}\" is required in {context}, but was not set."
        ))
        .with_span(block_span.clone())
}

/// An expression that had to be a constant of some kind and is not.
pub fn invalid_value(attr: &Attribute, why: &str) -> Diagnostic {
    Diagnostic::error(format!("Invalid value for \"{}\"", attr.name))
        .with_detail(format!("The value of \"{}\" {why}.", attr.name))
        .with_span(attr.expr.span.clone())
}

/// A constant bool setting, or false with a reported error.
pub fn bool_setting(attr: &Attribute, diags: &mut Diagnostics) -> bool {
    constant_bool(&attr.expr.expr).unwrap_or_else(|e| {
        diags.push(invalid_value(attr, &format!("must be true or false: {e}")));
        false
    })
}

/// A constant string setting, or None with a reported error.
pub fn string_setting(attr: &Attribute, diags: &mut Diagnostics) -> Option<String> {
    constant_string(&attr.expr.expr)
        .map_err(|e| diags.push(invalid_value(attr, &format!("must be a string: {e}"))))
        .ok()
}

/// The names of a static reference (`aws_vpc.main` → `["aws_vpc", "main"]`); index steps with
/// constant keys become `[0]`/`["key"]` parts.
pub fn reference_parts(expr: &Expression) -> Option<Vec<String>> {
    match expr {
        Expression::Variable(var) => Some(vec![var.to_string()]),
        Expression::Traversal(traversal) => {
            let mut parts = reference_parts(&traversal.expr)?;
            for op in &traversal.operators {
                match op {
                    TraversalOperator::GetAttr(name) => parts.push(name.to_string()),
                    TraversalOperator::Index(index) => match constant_value(index).ok()? {
                        Value::Number(n) => parts.push(format!("[{n}]")),
                        Value::String(s) => parts.push(format!("[{s:?}]")),
                        _ => return None,
                    },
                    TraversalOperator::LegacyIndex(n) => parts.push(format!("[{n}]")),
                    _ => return None,
                }
            }
            Some(parts)
        }
        _ => None,
    }
}

/// The elements of a list of references (`depends_on = [aws_vpc.main, module.x]`). A quoted
/// reference (`"aws_vpc.main"`, required before Terraform 0.12) is accepted with a deprecation
/// warning, as Terraform does.
pub fn reference_list(attr: &Attribute, diags: &mut Diagnostics) -> Vec<Expr> {
    let Expression::Array(items) = &attr.expr.expr else {
        diags.push(invalid_value(attr, "must be a list of references"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let item = match unquoted_reference(item) {
            Some(reference) => {
                diags.push(quoted_reference(attr));
                reference
            }
            None => item.clone(),
        };
        if reference_parts(&item).is_none() {
            diags.push(invalid_value(
                attr,
                "must contain only references to resources, data sources or modules",
            ));
            return Vec::new();
        }
        out.push(Expr {
            expr: item,
            span: attr.expr.span.clone(),
        });
    }
    out
}

/// The reference a quoted string holds (`"aws_vpc.main"`), if it holds one.
fn unquoted_reference(expr: &Expression) -> Option<Expression> {
    let Expression::String(text) = expr else {
        return None;
    };
    let parsed: Expression = text.parse().ok()?;
    reference_parts(&parsed).map(|_| parsed)
}

/// The deprecation warning for a reference written in quotes.
fn quoted_reference(attr: &Attribute) -> Diagnostic {
    Diagnostic::warning("Quoted references are deprecated")
        .with_detail(
            "References are written without quotes here. The quoted form dates from \
             Terraform 0.11 and earlier; it still works but is deprecated: remove the quotes \
             around this reference to silence this warning.",
        )
        .with_span(attr.expr.span.clone())
}

/// A provider reference `aws` or `aws.west`; the quoted form (`"aws.west"`) is accepted with a
/// deprecation warning.
pub fn provider_ref(attr: &Attribute, diags: &mut Diagnostics) -> Option<ProviderRef> {
    let reference = provider_ref_of(&attr.expr.expr);
    match (&reference, &attr.expr.expr) {
        (Some(_), Expression::String(_)) => diags.push(quoted_reference(attr)),
        (Some(_), _) => {}
        (None, _) => diags.push(invalid_value(
            attr,
            "must be a provider reference such as aws or aws.west",
        )),
    }
    reference
}

/// Reads `aws` / `aws.west` from an expression.
pub fn provider_ref_of(expr: &Expression) -> Option<ProviderRef> {
    let parts = match expr {
        Expression::String(s) => s.split('.').map(str::to_string).collect(),
        other => reference_parts(other)?,
    };
    match parts.as_slice() {
        [name] => Some(ProviderRef {
            name: name.clone(),
            alias: None,
        }),
        [name, alias] if !alias.starts_with('[') => Some(ProviderRef {
            name: name.clone(),
            alias: Some(alias.clone()),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_close_names_only() {
        assert_eq!(
            did_you_mean("resorce", &["resource", "data", "variable"]),
            Some("resource")
        );
        assert_eq!(
            did_you_mean("descripton", &["description", "default"]),
            Some("description")
        );
        assert_eq!(did_you_mean("zzz", &["resource", "data"]), None);
    }

    #[test]
    fn references_are_split_into_names() {
        let expr: Expression = "aws_subnet.public[0].id".parse().unwrap();
        assert_eq!(
            reference_parts(&expr),
            Some(vec![
                "aws_subnet".into(),
                "public".into(),
                "[0]".into(),
                "id".into()
            ])
        );
        let call: Expression = "max(1)".parse().unwrap();
        assert_eq!(reference_parts(&call), None);
        let alias: Expression = "aws.west".parse().unwrap();
        assert_eq!(
            provider_ref_of(&alias),
            Some(ProviderRef {
                name: "aws".into(),
                alias: Some("west".into())
            })
        );
    }
}
