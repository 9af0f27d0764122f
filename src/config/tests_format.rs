//! Before/after tests of `plinth fmt`, each also checking idempotence.

use super::format_source;

fn check(before: &str, after: &str) {
    let formatted = format_source(before).unwrap_or_else(|d| panic!("format failed: {d}"));
    assert_eq!(
        formatted, after,
        "\n--- got ---\n{formatted}\n--- want ---\n{after}"
    );
    let again = format_source(&formatted).unwrap_or_else(|d| panic!("second format failed: {d}"));
    assert_eq!(again, formatted, "formatting is not idempotent");
}

#[test]
fn indentation_and_alignment() {
    check(
        "resource \"aws_instance\" \"web\" {\nami=\"ami-1\"\n      instance_type = \"t3.micro\"\n  tags = {\n Name = \"web\"\n        Environment=\"prod\"\n}\n}\n",
        "resource \"aws_instance\" \"web\" {\n  ami           = \"ami-1\"\n  instance_type = \"t3.micro\"\n  tags = {\n    Name        = \"web\"\n    Environment = \"prod\"\n  }\n}\n",
    );
}

#[test]
fn comments_are_kept_and_blank_lines_collapse() {
    check(
        "# The network.\n\n\n\nvariable \"cidr\" {\n    # Where.\n  default = \"10.0.0.0/16\" # inline\n   /* block\n  comment */\n}\n\n\n\n// Next.\nlocals {\n  a = 1\n\n\n  bb = 2\n}\n\n",
        "# The network.\n\nvariable \"cidr\" {\n  # Where.\n  default = \"10.0.0.0/16\" # inline\n  /* block\n  comment */\n}\n\n// Next.\nlocals {\n  a = 1\n\n  bb = 2\n}\n",
    );
}

#[test]
fn blank_lines_and_comments_break_alignment_groups() {
    check(
        "locals {\n  a = 1\n  long_name = 2\n\n  b = 3\n  # c\n  cc = 4\n}\n",
        "locals {\n  a         = 1\n  long_name = 2\n\n  b = 3\n  # c\n  cc = 4\n}\n",
    );
}

#[test]
fn multi_line_values_and_nested_constructors() {
    check(
        "variable \"x\" {\ntype = object({\nname = string\nport = optional(number, 80)\n})\ndefault = [\n{ name = \"a\" },\n{\nname = \"b\"\n},\n]\n}\n",
        "variable \"x\" {\n  type = object({\n    name = string\n    port = optional(number, 80)\n  })\n  default = [\n    { name = \"a\" },\n    {\n      name = \"b\"\n    },\n  ]\n}\n",
    );
}

#[test]
fn heredocs_and_strings_are_untouched() {
    check(
        "locals {\n  script = <<-EOT\n      echo \"a = b\"\n    {\n  EOT\n  s = \"x = { [\"\n  t = \"${lookup(m, \"k\", \"}\")}\"\n}\n",
        "locals {\n  script = <<-EOT\n      echo \"a = b\"\n    {\n  EOT\n  s = \"x = { [\"\n  t = \"${lookup(m, \"k\", \"}\")}\"\n}\n",
    );
}

#[test]
fn lines_around_heredocs_are_formatted() {
    check(
        "locals {\nscript = <<EOT\n  x = 1\nEOT\n    b=2\n    cc=3\n}\n",
        "locals {\n  script = <<EOT\n  x = 1\nEOT\n  b  = 2\n  cc = 3\n}\n",
    );
}

#[test]
fn comparison_operators_are_not_assignments() {
    check(
        "locals {\n  ok = var.a == 1 && var.b >= 2\n  f = { for k, v in var.m : k => v if v != \"\" }\n}\n",
        "locals {\n  ok = var.a == 1 && var.b >= 2\n  f  = { for k, v in var.m : k => v if v != \"\" }\n}\n",
    );
}

#[test]
fn syntax_errors_are_reported_not_formatted() {
    let err = format_source("locals {\n  a = \n}\n").unwrap_err();
    assert!(
        err.0[0]
            .detail
            .as_deref()
            .unwrap_or("")
            .starts_with("<input>:2:"),
        "{err}"
    );
}

#[test]
fn formatting_keeps_the_meaning_of_every_test_configuration() {
    for text in [crate::config::tests_load::MAIN_TF, "a = 1\n"] {
        let formatted = format_source(text).expect("valid");
        let before = hcl_edit::parser::parse_body(text).expect("parse");
        let after = hcl_edit::parser::parse_body(&formatted).expect("parse formatted");
        assert_eq!(hcl::Body::from(before), hcl::Body::from(after));
        assert_eq!(format_source(&formatted).expect("valid"), formatted);
    }
}
