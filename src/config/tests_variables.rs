//! Tests of root variable values: precedence, parsing by type, conversion errors naming the
//! source, null checks, sensitive marks, undeclared values, prompts and validation.

use std::collections::BTreeMap;
use std::path::Path;

use plinth_sdk::{Diagnostics, Severity, Value};

use super::{resolve, CliVariable, VarOptions};
use crate::config::load;
use crate::config::model::Variable;
use crate::config::tests_load::write_files;

const VARIABLES_TF: &str = r#"variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "count_of" {
  type    = number
  default = 1
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "anything" {
  default = null
}

variable "secret" {
  type      = string
  default   = "x"
  sensitive = true
}
"#;

fn run(
    dir: &Path,
    opts: &VarOptions,
    env: &[(&str, &str)],
    answers: &[&str],
) -> Result<(BTreeMap<String, Value>, Diagnostics), Diagnostics> {
    let config = load(dir)
        .map_err(|d| panic!("load failed: {d}"))
        .unwrap_or_default();
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = move |name: &str| env.get(name).cloned();
    let mut answers = answers.iter().map(|a| a.to_string());
    let mut prompt = |_: &Variable| answers.next();
    resolve(&config.root, dir, opts, &lookup, &mut prompt)
}

fn values(dir: &Path, opts: &VarOptions, env: &[(&str, &str)]) -> BTreeMap<String, Value> {
    match run(dir, opts, env, &[]) {
        Ok((values, _)) => values,
        Err(diags) => panic!("unexpected errors: {diags}"),
    }
}

fn opts(var_files: &[&Path], vars: &[&str]) -> VarOptions {
    VarOptions {
        cli: var_files
            .iter()
            .map(|p| CliVariable::File(p.to_path_buf()))
            .chain(vars.iter().map(|v| CliVariable::Var(v.to_string())))
            .collect(),
        interactive: false,
    }
}

#[test]
fn defaults_apply_and_sensitive_values_are_marked() {
    let dir = write_files(&[("main.tf", VARIABLES_TF)]);
    let v = values(dir.path(), &VarOptions::default(), &[]);
    assert_eq!(v["region"], Value::from("eu-west-1"));
    assert_eq!(v["count_of"], Value::from(1i64));
    assert_eq!(v["anything"], Value::Null);
    assert_eq!(v["secret"], Value::from("x").mark_sensitive());
}

#[test]
fn precedence_follows_terraform() {
    let dir = write_files(&[
        ("main.tf", VARIABLES_TF),
        (
            "terraform.tfvars",
            "region = \"from-tfvars\"\ncount_of = 2\ntags = { a = \"tfvars\" }\n",
        ),
        (
            "terraform.tfvars.json",
            r#"{"count_of": 3, "tags": {"a": "json"}}"#,
        ),
        (
            "a.auto.tfvars",
            "tags = { a = \"auto-a\" }\nanything = \"auto-a\"\n",
        ),
        ("b.auto.tfvars.json", r#"{"tags": {"a": "auto-b"}}"#),
        ("extra.tfvars", "anything = [1, 2]\n"),
    ]);
    let env = [
        ("TF_VAR_region", "from-env"),
        ("TF_VAR_secret", "env-secret"),
    ];
    let v = values(dir.path(), &VarOptions::default(), &env);
    assert_eq!(
        v["region"],
        Value::from("from-tfvars"),
        "tfvars beats the environment"
    );
    assert_eq!(
        v["secret"],
        Value::from("env-secret").mark_sensitive(),
        "the environment beats defaults"
    );
    assert_eq!(v["count_of"], Value::from(3i64), "tfvars.json beats tfvars");
    assert_eq!(
        v["tags"],
        Value::object([("a", Value::from("auto-b"))]),
        "auto files in lexical order"
    );
    assert_eq!(v["anything"], Value::from("auto-a"));

    let extra = dir.path().join("extra.tfvars");
    let v = values(
        dir.path(),
        &opts(&[&extra], &["region=cli", "count_of=4"]),
        &env,
    );
    assert_eq!(
        v["anything"],
        Value::List(vec![Value::from(1i64), Value::from(2i64)]),
        "-var-file"
    );
    assert_eq!(v["region"], Value::from("cli"));
    assert_eq!(v["count_of"], Value::from(4i64));
    let v = values(
        dir.path(),
        &opts(&[], &["region=first", "region=second"]),
        &[],
    );
    assert_eq!(v["region"], Value::from("second"), "the last -var wins");
}

#[test]
fn command_line_values_are_raw_strings_for_strings_and_expressions_otherwise() {
    let dir = write_files(&[("main.tf", VARIABLES_TF)]);
    let v = values(
        dir.path(),
        &opts(
            &[],
            &[
                "region=[1]",
                "tags={ a = \"b\" }",
                "anything=hello world",
                "count_of=-2",
            ],
        ),
        &[("TF_VAR_anything", "[true]")],
    );
    assert_eq!(v["region"], Value::from("[1]"));
    assert_eq!(v["tags"], Value::object([("a", Value::from("b"))]));
    assert_eq!(v["anything"], Value::from("hello world"));
    assert_eq!(v["count_of"], Value::from(-2i64));
    let v = values(
        dir.path(),
        &VarOptions::default(),
        &[("TF_VAR_anything", "[true]")],
    );
    assert_eq!(v["anything"], Value::List(vec![Value::Bool(true)]));
}

#[test]
fn conversion_errors_name_the_variable_and_the_source() {
    let dir = write_files(&[
        ("main.tf", VARIABLES_TF),
        ("terraform.tfvars", "\n\ncount_of = \"many\"\n"),
    ]);
    let diags = run(dir.path(), &VarOptions::default(), &[], &[]).unwrap_err();
    assert_eq!(diags.0.len(), 1);
    let detail = diags.0[0].detail.clone().unwrap_or_default();
    assert!(
        detail.contains("var.count_of") && detail.contains("terraform.tfvars:3"),
        "{detail}"
    );
    assert_eq!(diags.0[0].span.as_ref().map(|s| s.line), Some(3));

    let dir = write_files(&[("main.tf", VARIABLES_TF)]);
    let diags = run(dir.path(), &opts(&[], &["tags=[1, 2]"]), &[], &[]).unwrap_err();
    let detail = diags.0[0].detail.clone().unwrap_or_default();
    assert!(
        detail.contains("var.tags") && detail.contains("from -var"),
        "{detail}"
    );
}

#[test]
fn undeclared_values_warn_in_files_and_fail_on_the_command_line() {
    let dir = write_files(&[
        ("main.tf", VARIABLES_TF),
        ("terraform.tfvars", "regoin = \"x\"\n"),
    ]);
    let (_, warnings) = run(dir.path(), &VarOptions::default(), &[], &[]).expect("only a warning");
    assert_eq!(warnings.0.len(), 1);
    assert_eq!(warnings.0[0].severity, Severity::Warning);
    assert_eq!(warnings.0[0].summary, "Value for undeclared variable");
    let diags = run(dir.path(), &opts(&[], &["nope=1", "novalue"]), &[], &[]).unwrap_err();
    let summaries: Vec<_> = diags
        .0
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.summary.as_str())
        .collect();
    assert_eq!(
        summaries,
        ["Value for undeclared variable", "Invalid -var option"]
    );
}

#[test]
fn required_variables_are_prompted_for_or_reported() {
    let dir = write_files(&[("main.tf", "\nvariable \"name\" {\n  description = \"Who\"\n}\nvariable \"size\" {\n  type = number\n}\n")]);
    let diags = run(dir.path(), &VarOptions::default(), &[], &[]).unwrap_err();
    let lines: Vec<_> = diags
        .0
        .iter()
        .map(|d| (d.summary.as_str(), d.span.as_ref().map(|s| s.line)))
        .collect();
    assert_eq!(
        lines,
        [
            ("No value for required variable", Some(2)),
            ("No value for required variable", Some(5))
        ]
    );
    let (v, _) = run(dir.path(), &VarOptions::default(), &[], &["alice", "3"]).expect("prompted");
    assert_eq!(
        (v["name"].clone(), v["size"].clone()),
        (Value::from("alice"), Value::from(3i64))
    );
}

#[test]
fn non_nullable_variables_reject_null_or_use_their_default() {
    let dir = write_files(&[(
        "main.tf",
        "variable \"a\" {\n  nullable = false\n  default  = \"fallback\"\n}\nvariable \"b\" {\n  nullable = false\n}\n",
    )]);
    let diags = run(dir.path(), &opts(&[], &["a=null", "b=null"]), &[], &[]).unwrap_err();
    assert_eq!(diags.0.len(), 1);
    assert!(diags.0[0].detail.as_deref().unwrap_or("").contains("var.b"));
    let (v, _) = run(dir.path(), &opts(&[], &["a=null", "b=1"]), &[], &[]).expect("valid");
    assert_eq!(v["a"], Value::from("fallback"));
}

#[test]
fn invalid_tfvars_files_are_reported_with_their_position() {
    let dir = write_files(&[
        ("main.tf", VARIABLES_TF),
        (
            "terraform.tfvars",
            "region = \"a\"\ncount_of = var.x\nbad {\n}\n",
        ),
    ]);
    let diags = run(dir.path(), &VarOptions::default(), &[], &[]).unwrap_err();
    let lines: Vec<_> = diags
        .0
        .iter()
        .map(|d| d.span.as_ref().map(|s| s.line))
        .collect();
    assert_eq!(lines, [Some(2), Some(3)]);
    let missing = dir.path().join("missing.tfvars");
    let diags = run(dir.path(), &opts(&[&missing], &[]), &[], &[]).unwrap_err();
    assert!(
        diags
            .0
            .iter()
            .any(|d| d.summary == "Failed to read variables file"),
        "{diags}"
    );
}

/// A variables file with one large map took quadratic time: each object key was compared with
/// every key before it while parsing and again while converting (40,000 keys took 4.7 s in a
/// release build, a million did not finish in five minutes).
#[test]
fn a_large_map_in_a_variables_file_loads_in_linear_time() {
    let keys = 50_000;
    let mut tfvars = String::from("tags = {\n");
    for i in 0..keys {
        tfvars.push_str(&format!("  k{i} = \"v{i}\"\n"));
    }
    tfvars.push_str("  k7 = \"again\"\n}\n");
    let dir = write_files(&[("main.tf", VARIABLES_TF), ("terraform.tfvars", &tfvars)]);
    let v = values(dir.path(), &opts(&[], &[]), &[]);
    let tags = v["tags"].as_map().expect("a map");
    assert_eq!(tags.len(), keys);
    assert_eq!(tags["k49999"], Value::from("v49999"));
    // A key given twice keeps its later value, as in Terraform.
    assert_eq!(tags["k7"], Value::from("again"));
}
