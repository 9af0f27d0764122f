//! Outputs and sensitive values: `output` and `output -json` print outputs, sensitive ones are
//! hidden in every human rendering (plan, apply, output, show) yet kept in state and in
//! `output -json`; a secret never appears in plan output.

mod support;

use support::Workspace;

const SECRET: &str = "hunter2-s3cret-value";
const NEW_SECRET: &str = "correct-horse-battery";

fn config() -> String {
    format!(
        r#"
variable "password" {{
  type      = string
  sensitive = true
  default   = "{SECRET}"
}}

resource "terraform_data" "visible" {{
  input = "visible-value"
}}

resource "terraform_data" "login" {{
  input = {{
    user     = "admin"
    password = var.password
  }}
}}

output "greeting" {{
  value       = terraform_data.visible.output
  description = "A plain output."
}}

output "secret" {{
  value     = var.password
  sensitive = true
}}

output "three" {{
  value = 3
}}
"#
    )
}

#[test]
fn plan_and_apply_hide_secrets() {
    let ws = Workspace::with_main(&config());
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("(sensitive value)")
        .expect_nowhere(SECRET);
    ws.apply()
        .expect_stdout("visible-value")
        .expect_nowhere(SECRET);

    ws.plan(&["-var", &format!("password={NEW_SECRET}")])
        .expect_code(2)
        .expect_stdout("terraform_data.login")
        .expect_nowhere(SECRET)
        .expect_nowhere(NEW_SECRET);
}

#[test]
fn state_and_output_json_keep_the_secret() {
    let ws = Workspace::with_main(&config());
    ws.apply();

    let state = ws.state();
    assert_eq!(state.output("secret"), Some(&serde_json::json!(SECRET)));
    let login = state.instance("terraform_data.login");
    assert_eq!(
        login.attr("input").map(|input| &input["password"]),
        Some(&serde_json::json!(SECRET))
    );

    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    assert_eq!(outputs["secret"]["value"], SECRET);
    assert_eq!(outputs["secret"]["sensitive"], true);
    assert_eq!(outputs["greeting"]["value"], "visible-value");
    assert_eq!(outputs["greeting"]["sensitive"], false);
    assert_eq!(outputs["three"]["value"], 3);
}

#[test]
fn human_output_and_show_hide_the_secret() {
    let ws = Workspace::with_main(&config());
    ws.apply();
    ws.run(&["output"])
        .expect_ok()
        .expect_stdout("greeting")
        .expect_stdout("visible-value")
        .expect_stdout("secret")
        .expect_nowhere(SECRET);
    ws.run(&["show"])
        .expect_ok()
        .expect_stdout("terraform_data.login")
        .expect_nowhere(SECRET);
    ws.run(&["state", "show", "terraform_data.login"])
        .expect_ok()
        .expect_nowhere(SECRET);
}

#[test]
fn output_by_name_prints_that_value_and_an_unknown_name_is_an_error() {
    let ws = Workspace::with_main(&config());
    ws.apply();
    let greeting = ws.run(&["output", "greeting"]);
    greeting
        .expect_ok()
        .expect_stdout("visible-value")
        .expect_nowhere("three");
    let single = ws
        .run(&["output", "-json", "greeting"])
        .expect_ok()
        .stdout_json();
    assert_eq!(single, "visible-value");
    ws.run(&["output", "no_such_output"])
        .expect_code(1)
        .expect_stderr("no_such_output");
}

#[test]
fn sensitive_value_in_an_unmarked_output_is_refused() {
    let ws = Workspace::with_main(&format!(
        "{}\noutput \"leak\" {{\n  value = var.password\n}}\n",
        config()
    ));
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("leak")
        .expect_nowhere(SECRET);
}

#[test]
fn set_valued_outputs_plan_no_change_after_apply() {
    let ws = Workspace::with_main(&format!(
        "{}\noutput \"tags\" {{\n  value = toset([\"b\", \"a\"])\n}}\n\
         output \"secret_set\" {{\n  value     = toset([var.password])\n  sensitive = true\n}}\n",
        config()
    ));
    ws.apply();
    ws.plan(&[])
        .expect_code(0)
        .expect_nowhere("Changes to Outputs");
}
