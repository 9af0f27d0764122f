//! JSON syntax (`.tf.json`): reads Terraform's JSON configuration format into the model's
//! [`Body`]. Strings are templates (`"${var.x}"`); a string that is exactly one interpolation
//! stands for the expression itself. Where Terraform expects bare references (`depends_on`,
//! `provider`, `type`, `ignore_changes`, ...) strings are parsed as expressions.
//!
//! JSON carries no schema, so inside resource and provider bodies every property except the
//! meta blocks (`lifecycle`, `dynamic`, ...) is an attribute; a nested block written in JSON
//! (`"ingress": [{...}]`) arrives as an attribute whose value is an object or a list of objects.

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::template::Element;
use hcl_edit::Span as _;
use plinth_sdk::{Diagnostic, Diagnostics};

use super::model::{Attribute, Block, Body, Expr};
use super::parse::{redefined, syntax_error};
use super::spans::SourceFile;

/// How one JSON object is read as a body.
struct BodySpec {
    /// Properties that are nested blocks: name, number of labels, the spec of their bodies.
    blocks: &'static [(&'static str, usize, &'static BodySpec)],
    /// Properties whose strings are bare expressions (references, keywords, types).
    expressions: &'static [&'static str],
}

static PLAIN: BodySpec = BodySpec {
    blocks: &[],
    expressions: &[],
};
static CONTENT: BodySpec = BodySpec {
    blocks: &[("dynamic", 1, &DYNAMIC)],
    expressions: &[],
};
static DYNAMIC: BodySpec = BodySpec {
    blocks: &[("content", 0, &CONTENT)],
    expressions: &["iterator"],
};
static LIFECYCLE: BodySpec = BodySpec {
    blocks: &[("precondition", 0, &PLAIN), ("postcondition", 0, &PLAIN)],
    expressions: &["ignore_changes", "replace_triggered_by"],
};
static RESOURCE: BodySpec = BodySpec {
    blocks: &[
        ("lifecycle", 0, &LIFECYCLE),
        ("dynamic", 1, &DYNAMIC),
        ("provisioner", 1, &PROVISIONER),
        ("connection", 0, &PLAIN),
    ],
    expressions: &["depends_on", "provider"],
};
static PROVISIONER: BodySpec = BodySpec {
    blocks: &[("connection", 0, &PLAIN)],
    expressions: &["when", "on_failure"],
};
static VARIABLE: BodySpec = BodySpec {
    blocks: &[("validation", 0, &PLAIN)],
    expressions: &["type"],
};
static OUTPUT: BodySpec = BodySpec {
    blocks: &[("precondition", 0, &PLAIN)],
    expressions: &["depends_on"],
};
static CHECK: BodySpec = BodySpec {
    blocks: &[("data", 2, &RESOURCE), ("assert", 0, &PLAIN)],
    expressions: &[],
};
static MOVED: BodySpec = BodySpec {
    blocks: &[],
    expressions: &["from", "to"],
};
static REMOVED: BodySpec = BodySpec {
    blocks: &[("lifecycle", 0, &PLAIN)],
    expressions: &["from"],
};
static MODULE: BodySpec = BodySpec {
    blocks: &[],
    expressions: &["depends_on", "providers"],
};
static PROVIDER: BodySpec = BodySpec {
    blocks: &[("dynamic", 1, &DYNAMIC)],
    expressions: &[],
};
static TERRAFORM: BodySpec = BodySpec {
    blocks: &[("required_providers", 0, &PLAIN), ("backend", 1, &PLAIN)],
    expressions: &[],
};
static TOP: BodySpec = BodySpec {
    blocks: &[
        ("resource", 2, &RESOURCE),
        ("data", 2, &RESOURCE),
        ("variable", 1, &VARIABLE),
        ("output", 1, &OUTPUT),
        ("module", 1, &MODULE),
        ("provider", 1, &PROVIDER),
        ("locals", 0, &PLAIN),
        ("terraform", 0, &TERRAFORM),
        ("moved", 0, &MOVED),
        ("check", 1, &CHECK),
        ("removed", 0, &REMOVED),
    ],
    expressions: &[],
};

/// Parses one `.tf.json` file into a body of attributes and blocks.
pub fn parse_json(file: &SourceFile) -> Result<Body, Diagnostics> {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&file.text) {
        return Err(json_syntax_error(file, &e));
    }
    // JSON is a subset of HCL's expression syntax, so hcl-edit reads it with byte spans.
    let (text, escaped) = super::json_strings::blank_escaped_strings(file.text.trim_end());
    let mut parsed = hcl_edit::parser::parse_expr(&text).map_err(|e| syntax_error(file, &e))?;
    escaped.restore(&mut parsed);
    super::literals::keep_exact_numbers(&mut parsed);
    let mut reader = Reader {
        file,
        diags: Diagnostics::new(),
    };
    let body = match &parsed {
        Expression::Object(_) => reader.body(&parsed, &TOP, true),
        other => {
            reader.error(
                "Invalid JSON configuration",
                "The root of a .tf.json file must be an object.",
                other,
            );
            Body::default()
        }
    };
    if reader.diags.has_errors() {
        Err(reader.diags)
    } else {
        Ok(body)
    }
}

fn json_syntax_error(file: &SourceFile, error: &serde_json::Error) -> Diagnostics {
    let line_start: usize = file
        .text
        .split_inclusive('\n')
        .take(error.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let column_offset: usize = file.text[line_start..]
        .chars()
        .take(error.column().saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    let span = file.span(line_start + column_offset..line_start + column_offset + 1);
    Diagnostic::error("Invalid JSON syntax")
        .with_detail(format!("{span}: {error}"))
        .with_span(span)
        .into()
}

struct Reader<'a> {
    file: &'a SourceFile,
    diags: Diagnostics,
}

impl Reader<'_> {
    fn error(&mut self, summary: &str, detail: &str, at: &Expression) {
        let span = self.file.span_or_start(at.span());
        self.diags.push(
            Diagnostic::error(summary)
                .with_detail(detail)
                .with_span(span),
        );
    }

    /// Reads an object as a body. At the top level, unknown properties are blocks (so the
    /// loader reports them as unknown block types); elsewhere they are attributes.
    fn body(&mut self, object: &Expression, spec: &BodySpec, top: bool) -> Body {
        let mut body = Body::default();
        let Expression::Object(object) = object else {
            self.error(
                "Invalid JSON configuration",
                "A block body must be a JSON object.",
                object,
            );
            return body;
        };
        for (key, value) in object.iter() {
            let Some((name, key_range)) = key_name(key) else {
                self.error(
                    "Invalid JSON configuration",
                    "Property names must be strings.",
                    value.expr(),
                );
                continue;
            };
            if name == "//" {
                continue;
            }
            let value = value.expr();
            let block = spec.blocks.iter().find(|(kind, _, _)| *kind == name);
            match block {
                Some((kind, labels, inner)) => self.blocks(
                    kind,
                    *labels,
                    inner,
                    value,
                    key_range,
                    Vec::new(),
                    &mut body,
                ),
                None if top => {
                    self.blocks(&name, 0, &PLAIN, value, key_range, Vec::new(), &mut body)
                }
                None => {
                    let expr = if spec.expressions.contains(&name.as_str()) {
                        self.bare_expression(value)
                    } else {
                        unwrap_interpolation(value.clone())
                    };
                    let attr = Attribute {
                        name: name.clone(),
                        expr: Expr {
                            expr: expr.into(),
                            span: self.file.span_or_start(value.span()),
                        },
                        name_span: self.file.span(key_range.clone()),
                    };
                    if let Some(first) = body.attributes.iter().find(|a| a.name == name) {
                        let first = first.name_span.clone();
                        self.diags.push(redefined(&attr, &first));
                    } else {
                        body.attributes.push(attr);
                    }
                }
            }
        }
        body
    }

    /// Reads the value of a block property: `labels` levels of objects keyed by label, then the
    /// body object; at every level an array stands for several entries.
    #[allow(clippy::too_many_arguments)]
    fn blocks(
        &mut self,
        kind: &str,
        labels: usize,
        spec: &BodySpec,
        value: &Expression,
        header: std::ops::Range<usize>,
        found: Vec<String>,
        out: &mut Body,
    ) {
        if let Expression::Array(items) = value {
            for item in items.iter() {
                self.blocks(kind, labels, spec, item, header.clone(), found.clone(), out);
            }
            return;
        }
        if found.len() == labels {
            let body = self.body(value, spec, false);
            out.blocks.push(Block {
                kind: kind.to_string(),
                labels: found,
                body,
                span: self.file.span(header),
            });
            return;
        }
        let Expression::Object(object) = value else {
            let detail =
                format!("A \"{kind}\" block needs {labels} label(s): an object keyed by label.");
            self.error("Invalid JSON configuration", &detail, value);
            return;
        };
        for (key, inner) in object.iter() {
            let Some((label, range)) = key_name(key) else {
                continue;
            };
            if label == "//" {
                continue;
            }
            let mut labels_so_far = found.clone();
            labels_so_far.push(label);
            self.blocks(kind, labels, spec, inner.expr(), range, labels_so_far, out);
        }
    }

    /// A string read as an expression (`"aws_vpc.main"` → a reference); arrays and objects are
    /// read element by element.
    fn bare_expression(&mut self, value: &Expression) -> Expression {
        match value {
            Expression::String(text) => match hcl_edit::parser::parse_expr(text.value()) {
                Ok(expr) => expr,
                Err(e) => {
                    let detail = format!(
                        "{:?} is not a valid expression: {}",
                        text.value(),
                        e.message()
                    );
                    self.error("Invalid expression", &detail, value);
                    value.clone()
                }
            },
            Expression::Array(items) => Expression::Array(
                items
                    .iter()
                    .map(|item| self.bare_expression(item))
                    .collect(),
            ),
            Expression::Object(object) => {
                let mut object = object.clone();
                for (_, item) in object.iter_mut() {
                    let parsed = self.bare_expression(item.expr());
                    *item.expr_mut() = parsed;
                }
                Expression::Object(object)
            }
            other => unwrap_interpolation(other.clone()),
        }
    }
}

fn key_name(key: &ObjectKey) -> Option<(String, std::ops::Range<usize>)> {
    match key {
        ObjectKey::Expression(Expression::String(s)) => {
            Some((s.value().clone(), s.span().unwrap_or(0..0)))
        }
        ObjectKey::Ident(ident) => Some((ident.as_str().to_string(), ident.span().unwrap_or(0..0))),
        _ => None,
    }
}

/// `"${expr}"` alone stands for `expr` itself (not its string form), inside lists and objects too.
fn unwrap_interpolation(expr: Expression) -> Expression {
    match expr {
        Expression::StringTemplate(template) => match template.as_single_element() {
            Some(Element::Interpolation(interpolation)) => interpolation.expr.clone(),
            _ => Expression::StringTemplate(template),
        },
        Expression::Array(items) => {
            Expression::Array(items.into_iter().map(unwrap_interpolation).collect())
        }
        Expression::Object(mut object) => {
            for (_, value) in object.iter_mut() {
                let inner = unwrap_interpolation(value.expr().clone());
                *value.expr_mut() = inner;
            }
            Expression::Object(object)
        }
        other => other,
    }
}
