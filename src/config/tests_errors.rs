//! Tests of the loader's errors: each is reported once, with its span's line checked, and all
//! errors of a configuration are collected in one run.

use plinth_sdk::{Diagnostic, Severity};

use super::load;
use super::tests_load::write_files;

fn errors(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let dir = write_files(files);
    match load(dir.path()) {
        Ok(_) => panic!("expected errors"),
        Err(diags) => diags.0,
    }
}

/// The one diagnostic whose summary contains `summary` and detail `detail`, checking its line.
fn expect(diags: &[Diagnostic], summary: &str, line: usize, detail: &str) {
    let found: Vec<_> = diags
        .iter()
        .filter(|d| {
            d.summary.contains(summary) && d.detail.as_deref().unwrap_or("").contains(detail)
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {summary:?} with {detail:?} in {diags:#?}"
    );
    let d = found[0];
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.span.as_ref().map(|s| s.line), Some(line), "line of {d}");
}

#[test]
fn syntax_errors_give_file_line_and_column() {
    let diags = errors(&[
        ("a.tf", "resource \"t\" \"n\" {\n  x = \n}\n"),
        ("b.tf", "locals {\n  ok = 1\n}\n"),
    ]);
    assert_eq!(diags.len(), 1);
    let detail = diags[0].detail.clone().unwrap_or_default();
    assert!(detail.contains("a.tf:2:"), "{detail}");
    assert_eq!(diags[0].span.as_ref().map(|s| s.line), Some(2));
}

#[test]
fn json_syntax_errors_give_file_line_and_column() {
    let diags = errors(&[(
        "main.tf.json",
        "{\n  \"locals\": {\n    \"a\": 1,\n  }\n}\n",
    )]);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].summary, "Invalid JSON syntax");
    assert!(
        diags[0]
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("main.tf.json:4:"),
        "{}",
        diags[0]
    );
}

#[test]
fn json_garbage_and_truncations_never_panic() {
    let text = r#"{"resource": {"a": {"b": {"count": "${var.n}", "lifecycle": [{"ignore_changes": ["x"]}], "dynamic": {"d": {"for_each": "${x}", "content": {}}}}}}, "variable": {"v": {"type": "map(string)"}}, "locals": [{"x": [1, {"y": null}]}], "module": {"m": {"source": 5}}}"#;
    for end in 0..=text.len() {
        let dir = write_files(&[("main.tf.json", &text[..end])]);
        let _ = load(dir.path());
    }
    for odd in [
        "[]",
        "1",
        "\"s\"",
        "{\"resource\": 1}",
        "{\"resource\": {\"a\": [1]}}",
        "{\"variable\": {\"v\": {\"type\": \"list(\"}}}",
        "{\"data\": {\"a\": {\"b\": {\"provider\": \"1 +\"}}}}",
    ] {
        let dir = write_files(&[("main.tf.json", odd)]);
        assert!(load(dir.path()).is_err(), "{odd} should be rejected");
    }
}

#[test]
fn unknown_top_level_blocks_suggest_a_name() {
    let diags = errors(&[("main.tf", "locals {}\n\nresorce \"aws_vpc\" \"main\" {}\n")]);
    expect(
        &diags,
        "Unsupported block type",
        3,
        "Did you mean \"resource\"?",
    );
}

#[test]
fn top_level_arguments_are_rejected() {
    let diags = errors(&[("main.tf", "\nregion = \"x\"\n")]);
    expect(
        &diags,
        "Unsupported argument",
        2,
        "\"region\" is not expected here",
    );
}

#[test]
fn missing_and_extra_labels() {
    let diags = errors(&[(
        "main.tf",
        "resource \"aws_vpc\" {}\nvariable \"a\" \"b\" {}\nlocals \"x\" {}\noutput {\n  value = 1\n}\n",
    )]);
    expect(&diags, "Missing name for resource", 1, "needs 2 label(s)");
    let extra: Vec<_> = diags
        .iter()
        .filter(|d| d.summary == "Extra label on block")
        .collect();
    assert_eq!(
        extra
            .iter()
            .map(|d| d.span.as_ref().map(|s| s.line))
            .collect::<Vec<_>>(),
        [Some(2), Some(3)]
    );
    expect(&diags, "Missing name for output", 4, "needs 1 label(s)");
}

#[test]
fn unknown_arguments_suggest_names() {
    let diags = errors(&[(
        "main.tf",
        "variable \"a\" {\n  descripton = \"x\"\n}\n\
         output \"o\" {\n  value = 1\n  sensitve = true\n}\n\
         terraform {\n  required_versions = \"1\"\n  backnd \"s3\" {}\n}\n\
         resource \"t\" \"n\" {\n  provider = aws.west.x\n  lifecycle {\n    prevent_destroi = true\n  }\n}\n",
    )]);
    let details: Vec<(usize, String)> = diags
        .iter()
        .map(|d| {
            (
                d.span.as_ref().map_or(0, |s| s.line),
                d.detail.clone().unwrap_or_default(),
            )
        })
        .collect();
    let has = |line: usize, text: &str| details.iter().any(|(l, d)| *l == line && d.contains(text));
    assert!(has(2, "Did you mean \"description\"?"), "{details:#?}");
    assert!(has(6, "Did you mean \"sensitive\"?"), "{details:#?}");
    assert!(has(9, "Did you mean \"required_version\"?"), "{details:#?}");
    assert!(has(10, "Did you mean \"backend\"?"), "{details:#?}");
    assert!(has(13, "provider reference"), "{details:#?}");
    assert!(has(15, "Did you mean \"prevent_destroy\"?"), "{details:#?}");
    assert_eq!(diags.len(), 6, "{details:#?}");
}

#[test]
fn duplicate_names_name_both_places() {
    let diags = errors(&[
        (
            "a.tf",
            "resource \"t\" \"n\" {}\nvariable \"v\" {}\noutput \"o\" {\n  value = 1\n}\nlocals {\n  l = 1\n}\nmodule \"m\" {\n  source = \"./m\"\n}\n",
        ),
        (
            "b.tf",
            "\nresource \"t\" \"n\" {}\nvariable \"v\" {}\noutput \"o\" {\n  value = 1\n}\nlocals {\n  l = 2\n}\nmodule \"m\" {\n  source = \"./m\"\n}\ndata \"t\" \"n\" {}\n",
        ),
        ("m/main.tf", ""),
    ]);
    expect(&diags, "Duplicate resource \"t\" \"n\"", 2, "a.tf:1:1");
    expect(&diags, "Duplicate variable \"v\"", 3, "a.tf:2:1");
    expect(&diags, "Duplicate output \"o\"", 4, "a.tf:3:1");
    expect(&diags, "Duplicate local value \"l\"", 8, "a.tf:7:7");
    expect(&diags, "Duplicate module \"m\"", 10, "a.tf:9:1");
    assert_eq!(
        diags.len(),
        5,
        "a data source may share a managed resource's name: {diags:#?}"
    );
}

#[test]
fn count_and_for_each_together() {
    let diags = errors(&[(
        "main.tf",
        "resource \"t\" \"n\" {\n  count    = 1\n  for_each = {}\n}\n",
    )]);
    expect(
        &diags,
        "Invalid combination of \"count\" and \"for_each\"",
        3,
        "mutually-exclusive",
    );
}

#[test]
fn remote_module_sources_are_unsupported() {
    let diags = errors(&[(
        "main.tf",
        "module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n",
    )]);
    expect(&diags, "Unsupported module source", 2, "local path");
}

#[test]
fn module_inputs_are_checked_against_the_child() {
    let diags = errors(&[
        (
            "main.tf",
            "module \"net\" {\n  source = \"./net\"\n  cidr_blok = \"x\"\n}\n",
        ),
        (
            "net/variables.tf",
            "variable \"cidr_block\" {}\nvariable \"name\" {\n  default = null\n}\n",
        ),
    ]);
    expect(
        &diags,
        "Unsupported argument",
        3,
        "Did you mean \"cidr_block\"?",
    );
    expect(
        &diags,
        "Missing required argument",
        1,
        "\"cidr_block\" is required by module \"net\"",
    );
}

#[test]
fn child_module_errors_carry_the_child_file() {
    let diags = errors(&[
        ("main.tf", "module \"net\" {\n  source = \"./net\"\n}\n"),
        ("net/main.tf", "\n\nresource \"t\" {}\n"),
    ]);
    assert_eq!(diags.len(), 1);
    let span = diags[0].span.clone().expect("span");
    assert!(
        span.file.ends_with("net/main.tf") && span.line == 3,
        "{span}"
    );
}

#[test]
fn missing_module_directories_and_cycles() {
    let diags = errors(&[(
        "main.tf",
        "module \"gone\" {\n  source = \"./nowhere\"\n}\n",
    )]);
    expect(&diags, "Module not found", 1, "does not exist");
    let diags = errors(&[
        ("main.tf", "module \"a\" {\n  source = \"./a\"\n}\n"),
        ("a/main.tf", "module \"back\" {\n  source = \"../a\"\n}\n"),
    ]);
    expect(&diags, "Module cycle", 1, "already being loaded");
}

#[test]
fn invalid_type_constraints_and_defaults() {
    let diags = errors(&[(
        "main.tf",
        "variable \"a\" {\n  type = strng\n}\nvariable \"b\" {\n  type    = number\n  default = \"x\"\n}\nvariable \"c\" {\n  default = var.a\n}\n",
    )]);
    expect(
        &diags,
        "Invalid type specification",
        2,
        "\"strng\" is not a valid type",
    );
    let defaults: Vec<_> = diags
        .iter()
        .filter(|d| d.summary == "Invalid default value for variable")
        .collect();
    assert_eq!(
        defaults
            .iter()
            .map(|d| d.span.as_ref().map(|s| s.line))
            .collect::<Vec<_>>(),
        [Some(6), Some(9)]
    );
}

#[test]
fn dynamic_and_output_requirements() {
    let diags = errors(&[(
        "main.tf",
        "resource \"t\" \"n\" {\n  dynamic \"d\" {\n    content {}\n  }\n  dynamic \"e\" {\n    for_each = []\n  }\n}\noutput \"o\" {}\n",
    )]);
    expect(
        &diags,
        "Missing required argument",
        2,
        "\"for_each\" is required",
    );
    expect(&diags, "Missing content block", 5, "needs a content block");
    expect(
        &diags,
        "Missing required argument",
        9,
        "\"value\" is required in an output block",
    );
}
