//! The planted secret appears in no output and no error of any command a user runs against a
//! configuration holding it, success and failure paths alike, nor in any file plinth writes
//! beside the state. Only the places that hold secrets by design keep it: the state (its file,
//! backup, history and journal), saved plan files (all 0600), and, as in Terraform, an output asked for by name
//! (`output NAME`, `output -json`) and `state pull`.

use crate::secrets::SECRET;
use crate::support::{Outcome, Workspace};

fn config(extra: &str) -> String {
    format!(
        r#"
variable "password" {{
  type      = string
  sensitive = true
  default   = "{SECRET}"
}}

resource "terraform_data" "login" {{
  input = {{
    user     = "admin"
    password = var.password
  }}
}}

resource "slow_object" "token" {{
  input = "token-${{var.password}}"
}}

output "secret" {{
  value     = var.password
  sensitive = true
}}

output "login" {{
  value     = terraform_data.login.output
  sensitive = true
}}
{extra}"#
    )
}

/// Files under `dir` (recursively) that may not hold the secret: everything but the
/// configuration, the state's own files and saved plans.
fn leaking_files(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list directory") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("plinth.tfstate") || name.ends_with(".plan") || name.ends_with(".tf") {
            continue;
        }
        if path.is_dir() {
            out.extend(leaking_files(&path));
        } else if std::fs::read(&path)
            .map(|bytes| String::from_utf8_lossy(&bytes).contains(SECRET))
            .unwrap_or(false)
        {
            out.push(path.display().to_string());
        }
    }
    out
}

#[test]
fn planted_secret_is_in_no_output_error_or_stray_file() {
    let ws = Workspace::with_main(&config(""));
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut run = |ws: &Workspace, args: &[&str]| outcomes.push(ws.run(args));
    run(&ws, &["validate"]);
    run(&ws, &["validate", "-json"]);
    run(&ws, &["plan"]);
    run(&ws, &["plan", "-json"]);
    run(&ws, &["plan", "-out=first.plan"]);
    run(&ws, &["show", "first.plan"]);
    run(&ws, &["show", "-json", "first.plan"]);
    run(&ws, &["apply", "first.plan"]);
    run(&ws, &["output"]);
    run(&ws, &["show"]);
    run(&ws, &["show", "-json"]);
    run(&ws, &["state", "list"]);
    run(&ws, &["state", "show", "terraform_data.login"]);
    run(&ws, &["state", "show", "slow_object.token"]);
    run(&ws, &["graph"]);
    run(&ws, &["plan", "-refresh-only"]);
    run(&ws, &["plan", "-var", "password=another-one"]);
    run(
        &ws,
        &["apply", "-auto-approve", "-replace=slow_object.token"],
    );
    run(&ws, &["plan", "-destroy"]);
    run(&ws, &["plan", "-destroy", "-json"]);
    // Failure paths: function errors, type errors, a taken lock, bad flags.
    for extra in [
        "output \"n\" {\n  value     = tonumber(var.password)\n  sensitive = true\n}\n",
        "output \"n\" {\n  value     = cidrsubnet(var.password, 8, 1)\n  sensitive = true\n}\n",
        "output \"n\" {\n  value     = var.password\n}\n",
        "resource \"terraform_data\" \"typo\" {\n  inptu = var.password\n}\n",
        "resource \"slow_object\" \"broken\" {\n  input       = var.password\n  fail_create = true\n}\n",
    ] {
        ws.write("main.tf", &config(extra));
        run(&ws, &["validate"]);
        run(&ws, &["plan"]);
        run(&ws, &["apply", "-auto-approve"]);
    }
    ws.write("main.tf", &config(""));
    run(&ws, &["plan", "-var", "password"]);
    run(&ws, &["plan", "-lock-timeout=never"]);
    run(&ws, &["destroy"]);
    run(&ws, &["destroy", "-auto-approve"]);
    let mut seen_errors = 0;
    for outcome in &outcomes {
        outcome.expect_nowhere(SECRET);
        if outcome.code == 1 {
            seen_errors += 1;
        }
    }
    assert!(seen_errors >= 10, "the failure paths were exercised");
    let stray = leaking_files(ws.path());
    assert!(stray.is_empty(), "files holding the secret: {stray:?}");
}
