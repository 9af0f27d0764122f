//! Native syntax: parses a `.tf` file with hcl-edit (which keeps byte spans) into the model's
//! [`Body`], converting every expression to hcl-rs's tree for the evaluator.

use hcl_edit::structure::{self, BlockLabel, Structure};
use hcl_edit::Span as _;
use plinth_sdk::{Diagnostic, Diagnostics, Span};

use super::model::{Attribute, Block, Body, Expr};
use super::spans::SourceFile;

/// Parses one native-syntax file into a body of attributes and blocks (dynamic blocks are still
/// plain blocks here). A syntax error (an attribute set twice among them) is one diagnostic whose
/// detail starts with `file:line:col`.
pub fn parse_native(file: &SourceFile) -> Result<Body, Diagnostics> {
    let mut parsed =
        hcl_edit::parser::parse_body(&file.text).map_err(|e| syntax_error(file, &e))?;
    super::literals::keep_exact_numbers_in_body(&mut parsed);
    super::heredoc::flush_indented_heredocs(&mut parsed, &file.text);
    Ok(convert_body(parsed, file))
}

/// The diagnostic for an hcl-edit parse error, positioned where the parser stopped.
pub fn syntax_error(file: &SourceFile, error: &hcl_edit::parser::Error) -> Diagnostics {
    let offset = error.location().offset();
    let span = file.span(offset..offset + 1);
    Diagnostic::error("Invalid HCL syntax")
        .with_detail(format!("{span}: {}", error.message()))
        .with_span(span)
        .into()
}

/// Converts an hcl-edit body, consuming it so each part's memory is freed once converted
/// (the parse tree of a large file is the peak of a plan's memory otherwise).
fn convert_body(body: structure::Body, file: &SourceFile) -> Body {
    let mut out = Body::default();
    for item in body {
        match item {
            Structure::Attribute(attr) => out.attributes.push(convert_attribute(attr, file)),
            Structure::Block(block) => out.blocks.push(convert_block(block, file)),
        }
    }
    out
}

/// The "argument set twice" error, naming the first place.
pub fn redefined(attr: &Attribute, first: &Span) -> Diagnostic {
    Diagnostic::error("Attribute redefined")
        .with_detail(format!(
            "The argument \"{}\" was already set at {first}. Each argument may be set only once.",
            attr.name
        ))
        .with_span(attr.name_span.clone())
}

/// Hands every quoted-string template of an expression, already parsed by hcl-edit, to the
/// evaluator's template cache (the converted expression keeps only the template's text).
struct TemplateSeeder;

impl hcl_edit::visit::Visit for TemplateSeeder {
    fn visit_string_template(&mut self, node: &hcl_edit::template::StringTemplate) {
        let template = hcl_edit::template::Template::from(node.clone());
        super::templates::remember(&template.to_string(), hcl::Template::from(template));
        hcl_edit::visit::visit_string_template(self, node);
    }
}

fn convert_attribute(attr: structure::Attribute, file: &SourceFile) -> Attribute {
    hcl_edit::visit::Visit::visit_expr(&mut TemplateSeeder, &attr.value);
    let name_span = file.span_or_start(attr.key.span().or_else(|| attr.span()));
    let span = file.span_or_start(attr.value.span().or_else(|| attr.span()));
    Attribute {
        name: attr.key.as_str().to_string(),
        expr: Expr {
            expr: attr.value.into(),
            span,
        },
        name_span,
    }
}

fn convert_block(block: structure::Block, file: &SourceFile) -> Block {
    let start = block
        .ident
        .span()
        .or_else(|| block.span())
        .map_or(0, |r| r.start);
    let end = block
        .labels
        .iter()
        .filter_map(label_span)
        .map(|r| r.end)
        .chain(block.ident.span().map(|r| r.end))
        .max()
        .unwrap_or(start);
    Block {
        kind: block.ident.as_str().to_string(),
        labels: block
            .labels
            .iter()
            .map(|l| l.as_str().to_string())
            .collect(),
        span: file.span(start..end),
        body: convert_body(block.body, file),
    }
}

fn label_span(label: &BlockLabel) -> Option<std::ops::Range<usize>> {
    match label {
        BlockLabel::Ident(ident) => ident.span(),
        BlockLabel::String(string) => string.span(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Body, Diagnostics> {
        parse_native(&SourceFile::new("main.tf", text))
    }

    #[test]
    fn blocks_attributes_and_spans() {
        let body =
            parse("# vpc\nresource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n")
                .unwrap();
        let block = &body.blocks[0];
        assert_eq!(
            (block.kind.as_str(), block.labels.clone()),
            ("resource", vec!["aws_vpc".to_string(), "main".to_string()])
        );
        assert_eq!(block.span.to_string(), "main.tf:2:1");
        assert_eq!(
            &"# vpc\nresource \"aws_vpc\" \"main\" {"[block.span.start..block.span.end],
            "resource \"aws_vpc\" \"main\""
        );
        let attr = &block.body.attributes[0];
        assert_eq!(attr.name, "cidr_block");
        assert_eq!(attr.name_span.to_string(), "main.tf:3:3");
        assert_eq!(attr.expr.span.to_string(), "main.tf:3:16");
        assert_eq!(
            attr.expr.expr,
            hcl::Expression::String("10.0.0.0/16".into())
        );
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let err = parse("locals {\n  a = 1\n  b = \n}\n").unwrap_err();
        assert_eq!(err.0.len(), 1);
        let detail = err.0[0].detail.clone().unwrap();
        assert!(detail.starts_with("main.tf:3:"), "{detail}");
        assert_eq!(err.0[0].span.as_ref().map(|s| s.line), Some(3));
    }

    #[test]
    fn attributes_set_twice_are_syntax_errors() {
        let err = parse("locals {\n  a = 1\n  a = 2\n}\n").unwrap_err();
        let detail = err.0[0].detail.as_deref().unwrap_or("");
        assert!(
            detail.starts_with("main.tf:3:3: ") && detail.contains("redefined"),
            "{detail}"
        );
    }

    /// A tiny deterministic generator so the garbage is the same on every run.
    fn garbage(seed: &mut u64, len: usize) -> String {
        const PIECES: &[&str] = &[
            "resource", "\"", "{", "}", "[", "]", "(", ")", "=", "${", "%{", "<<EOT\n", "EOT",
            "\n", " ", "#", "/*", "*/", "x", "1.5e", "-", "é", "\\", ".", "*", ",", ":", "?",
            "for", "in", "=>", "...", "\t", "\0", "\u{feff}", "~",
        ];
        let mut out = String::new();
        for _ in 0..len {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            out.push_str(PIECES[(*seed % PIECES.len() as u64) as usize]);
        }
        out
    }

    #[test]
    fn random_garbage_never_panics() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for round in 0..3000 {
            let text = garbage(&mut seed, 1 + round % 40);
            if let Err(diags) = parse(&text) {
                assert!(diags.has_errors());
                for d in &diags.0 {
                    assert!(d.span.is_some(), "{text:?} gave {d}");
                }
            }
        }
    }

    #[test]
    fn every_truncation_of_a_valid_file_is_handled() {
        let text = "variable \"x\" {\n  type = map(object({ a = optional(string, \"é\") }))\n}\n\
                    resource \"a_b\" \"c\" {\n  count = var.n > 1 ? 2 : 0\n  tags = { for k, v in var.t : k => \"${v}-%{if v}y%{endif}\" }\n  d = <<-EOT\n    hi\n  EOT\n}\n";
        for end in 0..=text.len() {
            if text.is_char_boundary(end) {
                let _ = parse(&text[..end]);
            }
        }
        assert!(parse(text).is_ok());
    }
}
