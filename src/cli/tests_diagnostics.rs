//! Golden tests of the human diagnostic rendering (color off).

use std::collections::BTreeMap;

use plinth_sdk::{Diagnostic, Diagnostics, Span};

use super::{describe_address, render};

const MAIN_TF: &str =
    "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n  tags = 5\n}\n";

fn span(file: &str, line: usize, column: usize, start: usize, end: usize) -> Span {
    Span {
        file: file.to_string(),
        line,
        column,
        start,
        end,
    }
}

fn sources() -> BTreeMap<String, String> {
    BTreeMap::from([("main.tf".to_string(), MAIN_TF.to_string())])
}

fn show(diags: Vec<Diagnostic>) -> String {
    render(&Diagnostics(diags), &sources(), false)
}

#[test]
fn error_with_source_line_detail_and_resource() {
    let start = MAIN_TF.find("tags = 5").unwrap() + 7;
    let text = show(vec![Diagnostic::error("Incorrect attribute value type")
        .with_detail("Inappropriate value for attribute \"tags\": map of string required.")
        .with_span(span("main.tf", 3, 10, start, start + 1))
        .with_address("aws_vpc.main")]);
    GOLDEN_ERROR.assert_eq(&text);
}

#[test]
fn warning_without_address() {
    let text = show(vec![Diagnostic::warning("Value for undeclared variable")
        .with_detail("A value was found in terraform.tfvars.")
        .with_span(span("main.tf", 1, 1, 0, 8))]);
    GOLDEN_WARNING.assert_eq(&text);
}

#[test]
fn spans_in_unknown_files_still_show_their_position() {
    let text = show(vec![Diagnostic::error("Invalid value for input variable")
        .with_detail("The value for var.port from terraform.tfvars:3 is not suitable.")
        .with_span(span("terraform.tfvars", 3, 8, 20, 24))]);
    GOLDEN_UNKNOWN_FILE.assert_eq(&text);
}

#[test]
fn several_diagnostics_without_spans() {
    let text = show(vec![
        Diagnostic::error("Provider failed").with_address("module.net.aws_subnet.a[0]"),
        Diagnostic::warning("Deprecated"),
    ]);
    GOLDEN_NO_SPANS.assert_eq(&text);
}

#[test]
fn out_of_range_spans_do_not_break_rendering() {
    let text = show(vec![
        Diagnostic::error("Odd").with_span(span("main.tf", 99, 1, 5000, 6000))
    ]);
    assert!(text.starts_with("Error: Odd"), "{text}");
}

#[test]
fn colors_are_added_only_when_asked() {
    let diags = Diagnostics(vec![
        Diagnostic::error("Boom").with_span(span("main.tf", 1, 1, 0, 8))
    ]);
    assert!(render(&diags, &sources(), true).contains('\u{1b}'));
    assert!(!render(&diags, &sources(), false).contains('\u{1b}'));
}

#[test]
fn addresses_read_like_the_configuration() {
    assert_eq!(
        describe_address("aws_vpc.main"),
        "resource \"aws_vpc\" \"main\""
    );
    assert_eq!(describe_address("data.aws_ami.x"), "data \"aws_ami\" \"x\"");
    assert_eq!(describe_address("var.port"), "variable \"port\"");
    assert_eq!(
        describe_address("module.net.aws_subnet.a[\"x\"]"),
        "resource \"aws_subnet\" \"a\" (module.net.aws_subnet.a[\"x\"])"
    );
    assert_eq!(describe_address("weird"), "weird");
}

#[test]
fn load_errors_render_with_their_source_line() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(
        dir.path().join("main.tf"),
        "locals {}\n\nresorce \"aws_vpc\" \"main\" {}\n",
    )
    .expect("write");
    let (result, sources) = crate::config::load_with_sources(dir.path());
    let diags = result.expect_err("an unknown block type");
    let text = render(&diags, &sources, false);
    let file = sources.keys().next().expect("the file was read");
    assert!(
        text.starts_with("Error: Unsupported block type\n"),
        "{text}"
    );
    assert!(text.contains(&format!("┌─ {file}:3:1")), "{text}");
    assert!(
        text.contains("3 │ resorce \"aws_vpc\" \"main\" {}\n  │ ^^^^^^^^^^^^^^^^^^^^^^^^"),
        "{text}"
    );
    assert!(text.contains("Did you mean \"resource\"?"), "{text}");
}

/// Expected text compared line by line with a readable failure.
struct Golden(&'static str);

impl Golden {
    fn assert_eq(&self, actual: &str) {
        assert_eq!(
            actual, self.0,
            "\n--- actual ---\n{actual}\n--- expected ---\n{}",
            self.0
        );
    }
}

const GOLDEN_ERROR: Golden = Golden(
    r#"Error: Incorrect attribute value type
  ┌─ main.tf:3:10
  │
3 │   tags = 5
  │          ^
  │
  = with aws_vpc.main, on main.tf line 3, in resource "aws_vpc" "main"
  = Inappropriate value for attribute "tags": map of string required.

"#,
);
const GOLDEN_WARNING: Golden = Golden(
    r#"Warning: Value for undeclared variable
  ┌─ main.tf:1:1
  │
1 │ resource "aws_vpc" "main" {
  │ ^^^^^^^^
  │
  = A value was found in terraform.tfvars.

"#,
);
const GOLDEN_UNKNOWN_FILE: Golden = Golden(
    r#"Error: Invalid value for input variable
 = at terraform.tfvars:3:8
 = The value for var.port from terraform.tfvars:3 is not suitable.

"#,
);
const GOLDEN_NO_SPANS: Golden = Golden(
    r#"Error: Provider failed
 = with module.net.aws_subnet.a[0]

Warning: Deprecated

"#,
);
