//! Secrets: sensitive values of prior objects stay hidden in every rendering of a deletion
//! (human and JSON), diagnostics built from a sensitive value never quote it, and `plan -out`
//! writes a new private file.

use crate::support::{mode_of, Workspace};

/// The planted secret: no output or error of these tests may contain it.
pub const SECRET: &str = "planted-s3cret-7f3a9";

fn secret_config(with_resource: bool) -> String {
    let resource = if with_resource {
        r#"
resource "terraform_data" "login" {
  input = {
    user     = "admin"
    password = var.password
  }
}

resource "slow_object" "token" {
  input = var.password
}
"#
    } else {
        ""
    };
    format!(
        r#"
variable "password" {{
  type      = string
  sensitive = true
  default   = "{SECRET}"
}}
{resource}"#
    )
}

/// A workspace where the secret is in state, in two resources.
fn applied() -> Workspace {
    let ws = Workspace::with_main(&secret_config(true));
    ws.apply().expect_nowhere(SECRET);
    assert!(ws.read(crate::support::STATE_FILE).contains(SECRET));
    ws
}

#[test]
fn plan_destroy_showed_sensitive_values_of_prior_objects() {
    let ws = applied();
    ws.plan(&["-destroy"])
        .expect_code(2)
        .expect_stdout("terraform_data.login will be destroyed")
        .expect_stdout("(sensitive value)")
        .expect_nowhere(SECRET);
    ws.run(&["plan", "-destroy", "-json"])
        .expect_ok()
        .expect_nowhere(SECRET);
}

#[test]
fn destroy_prompt_showed_sensitive_values_of_prior_objects() {
    let ws = applied();
    // Standard input is closed: the prompt reads no "yes" and the destroy is cancelled.
    ws.run(&["destroy"])
        .expect_stdout("Do you really want to destroy")
        .expect_stdout("(sensitive value)")
        .expect_nowhere(SECRET);
    ws.run(&["destroy", "-auto-approve"])
        .expect_ok()
        .expect_nowhere(SECRET);
}

#[test]
fn resource_removed_from_configuration_showed_its_sensitive_values() {
    let ws = applied();
    ws.write("main.tf", &secret_config(false));
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("because terraform_data.login is not in configuration")
        .expect_nowhere(SECRET);
    ws.run(&["plan", "-json"])
        .expect_ok()
        .expect_nowhere(SECRET);
    ws.apply().expect_nowhere(SECRET);
}

#[test]
fn drift_note_has_been_deleted_showed_sensitive_values() {
    let ws = applied();
    for entry in std::fs::read_dir(ws.objects_dir()).expect("list objects") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::remove_file(path).expect("delete the object behind plinth's back");
        }
    }
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("slow_object.token has been deleted")
        .expect_nowhere(SECRET);
    ws.run(&["plan", "-json"])
        .expect_ok()
        .expect_nowhere(SECRET);
    ws.run(&["plan", "-refresh-only"])
        .expect_stdout("has been deleted")
        .expect_nowhere(SECRET);
}

/// Every function that quotes its argument in an error hides a sensitive one.
#[test]
fn function_errors_quoted_sensitive_arguments() {
    let calls = [
        "tonumber(var.s)",
        "tobool(var.s)",
        "parseint(var.s, 10)",
        "file(var.s)",
        "templatefile(var.s, {})",
        "cidrsubnet(var.s, 8, 1)",
        "lookup({}, var.s)",
        "timeadd(var.s, \"1h\")",
        "timeadd(\"2024-01-01T00:00:00Z\", var.s)",
        "formatdate(var.s, \"2024-01-01T00:00:00Z\")",
        "formatdate(\"YYYY\", var.s)",
        "{}[var.s]",
        "jsondecode(var.s)",
        "base64decode(var.s)",
        "regex(var.s, \"x\")",
        "element([], var.s)",
        "cidrhost(var.s, 1)",
        "tolist(var.s)",
    ];
    for call in calls {
        let ws = Workspace::with_main(&format!(
            "variable \"s\" {{\n  type      = string\n  sensitive = true\n  default   = \"{SECRET}\"\n}}\n\n\
             output \"o\" {{\n  value     = {call}\n  sensitive = true\n}}\n"
        ));
        let outcome = ws.run(&["validate"]);
        outcome.expect_nowhere(SECRET);
        let outcome = ws.run(&["plan"]);
        outcome.expect_nowhere(SECRET);
        assert_eq!(outcome.code, 1, "{call} should fail\n{outcome}");
    }
}

/// A short secret is hidden too: the redaction does not depend on its length. (`parseint`
/// quotes its argument; `tonumber` of a sensitive string names no part of it, as Terraform.)
#[test]
fn function_errors_quoted_short_sensitive_arguments() {
    let ws = Workspace::with_main(
        "variable \"s\" {\n  type      = string\n  sensitive = true\n  default   = \"q!\"\n}\n\n\
         output \"o\" {\n  value     = parseint(var.s, 10)\n  sensitive = true\n}\n",
    );
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("(sensitive value)")
        .expect_nowhere("\"q!\"");
    let ws = Workspace::with_main(
        "variable \"s\" {\n  type      = string\n  sensitive = true\n  default   = \"q!\"\n}\n\n\
         output \"o\" {\n  value     = tonumber(var.s)\n  sensitive = true\n}\n",
    );
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("cannot convert this sensitive string to number")
        .expect_nowhere("\"q!\"");
}

#[cfg(unix)]
#[test]
fn plan_out_kept_an_old_0644_mode_and_wrote_through_a_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::with_main(&secret_config(true));
    ws.write("old.plan", "old");
    std::fs::set_permissions(ws.file("old.plan"), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    ws.run(&["plan", "-out=old.plan"]).expect_ok();
    assert_eq!(mode_of(&ws.file("old.plan")), 0o600);

    let elsewhere = tempfile::tempdir().expect("temporary directory");
    let victim = elsewhere.path().join("victim");
    std::fs::write(&victim, "untouched").expect("write");
    std::os::unix::fs::symlink(&victim, ws.file("link.plan")).expect("symlink");
    ws.run(&["plan", "-out=link.plan"]).expect_ok();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    let meta = std::fs::symlink_metadata(ws.file("link.plan")).unwrap();
    assert!(meta.file_type().is_file(), "the symlink is replaced");
    assert_eq!(mode_of(&ws.file("link.plan")), 0o600);
    ws.run(&["apply", "link.plan"])
        .expect_ok()
        .expect_nowhere(SECRET);
}
