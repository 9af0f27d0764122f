//! Where variable values come from and which wins: default < TF_VAR_name < terraform.tfvars <
//! *.auto.tfvars < -var-file / -var (the later one on the command line wins), as in Terraform.

mod support;

use support::Workspace;

const LEVELS: [&str; 7] = [
    "v_default",
    "v_env",
    "v_tfvars",
    "v_auto",
    "v_file",
    "v_cli",
    "v_order",
];

/// One variable per precedence level, each echoed by an output of the same name.
fn precedence_config() -> String {
    let mut config = String::new();
    for name in LEVELS {
        config.push_str(&format!(
            "variable \"{name}\" {{\n  type    = string\n  default = \"default\"\n}}\n\noutput \"{name}\" {{\n  value = var.{name}\n}}\n\n"
        ));
    }
    config.push_str("resource \"terraform_data\" \"echo\" {\n  input = var.v_cli\n}\n");
    config
}

/// `name = "value"` lines for each name.
fn tfvars(names: &[&str], value: &str) -> String {
    names
        .iter()
        .map(|n| format!("{n} = \"{value}\"\n"))
        .collect()
}

#[test]
fn each_source_overrides_the_ones_before_it() {
    let mut ws = Workspace::with_main(&precedence_config());
    for name in &LEVELS[1..] {
        ws.set_env(&format!("TF_VAR_{name}"), "env");
    }
    ws.write("terraform.tfvars", &tfvars(&LEVELS[2..], "tfvars"));
    ws.write("zz.auto.tfvars", &tfvars(&LEVELS[3..], "auto"));
    ws.write("extra.tfvars", &tfvars(&LEVELS[4..], "file"));
    ws.write("late.tfvars", &tfvars(&["v_order"], "late-file"));

    ws.run(&[
        "apply",
        "-auto-approve",
        "-var-file=extra.tfvars",
        "-var",
        "v_cli=cli",
        "-var",
        "v_order=early-cli",
        "-var-file=late.tfvars",
    ])
    .expect_ok();

    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    let expected = [
        ("v_default", "default"),
        ("v_env", "env"),
        ("v_tfvars", "tfvars"),
        ("v_auto", "auto"),
        ("v_file", "file"),
        ("v_cli", "cli"),
        ("v_order", "late-file"),
    ];
    for (name, value) in expected {
        assert_eq!(
            outputs[name]["value"], value,
            "output {name} in {outputs:#}"
        );
    }
    assert_eq!(
        ws.state().instance("terraform_data.echo").string("input"),
        Some("cli")
    );
}

#[test]
fn auto_tfvars_files_apply_in_lexical_order() {
    let ws = Workspace::with_main("variable \"x\" {}\n\noutput \"x\" {\n  value = var.x\n}\n");
    ws.write("b.auto.tfvars", "x = \"from-b\"\n");
    ws.write("a.auto.tfvars", "x = \"from-a\"\n");
    ws.apply();
    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    assert_eq!(outputs["x"]["value"], "from-b");
}

#[test]
fn complex_values_parse_from_the_command_line_and_the_environment() {
    let mut ws = Workspace::with_main(
        r#"variable "tags" {
  type = map(string)
}

variable "sizes" {
  type = list(number)
}

output "env" {
  value = var.tags["env"]
}

output "total" {
  value = sum(var.sizes)
}
"#,
    );
    ws.set_env("TF_VAR_sizes", "[1, 2, 3.5]");
    ws.run(&[
        "apply",
        "-auto-approve",
        "-var",
        "tags={env = \"prod\", team = \"core\"}",
    ])
    .expect_ok();
    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    assert_eq!(outputs["env"]["value"], "prod");
    assert_eq!(outputs["total"]["value"], 6.5);
}

#[test]
fn a_missing_var_file_is_an_error() {
    let ws = Workspace::with_main("variable \"x\" {\n  default = 1\n}\n");
    ws.run(&["plan", "-var-file=nowhere.tfvars"])
        .expect_code(1)
        .expect_stderr("nowhere.tfvars");
}

#[test]
fn validation_rules_reject_bad_values_with_their_message() {
    let ws = Workspace::with_main(
        r#"variable "port" {
  type = number
  validation {
    condition     = var.port > 1024
    error_message = "The port must be above 1024."
  }
}

output "port" {
  value = var.port
}
"#,
    );
    ws.run(&["plan", "-var", "port=80"])
        .expect_code(1)
        .expect_stderr("The port must be above 1024.");
    ws.run(&["plan", "-var", "port=8080"]).expect_ok();
}
