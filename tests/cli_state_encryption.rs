//! Encryption at rest through the command line: saved plan files are sealed with the `plan`
//! target's key (a wrong key applies nothing and writes nothing), and keys rotate with a
//! fallback (old state is read with the fallback key and rewritten with the new one).
#![cfg(feature = "test-provider")]

mod support;

use support::Workspace;

const SECRET: &str = "hunter2-plan-secret";

const RESOURCES: &str = r#"
variable "token" {
  default   = "hunter2-plan-secret"
  sensitive = true
}

resource "terraform_data" "app" {
  input = var.token
}
"#;

/// An encryption block whose `state` and `plan` targets use a passphrase from `passphrase_env`
/// (primary) and, with `fallback_env`, a fallback key.
fn encryption(passphrase_env: &str, fallback_env: Option<&str>) -> String {
    let (fallback_provider, fallback_method, fallback) = match fallback_env {
        None => (String::new(), String::new(), String::new()),
        Some(env) => (
            format!("    key_provider \"pbkdf2\" \"{env}\" {{\n      passphrase_env = \"{env}\"\n      iterations     = 200000\n    }}\n"),
            format!("    method \"aes_gcm\" \"{env}\" {{\n      keys = key_provider.pbkdf2.{env}\n    }}\n"),
            format!("      fallback {{\n        method = method.aes_gcm.{env}\n      }}\n"),
        ),
    };
    format!(
        r#"
terraform {{
  encryption {{
    key_provider "pbkdf2" "{passphrase_env}" {{
      passphrase_env = "{passphrase_env}"
      iterations     = 200000
    }}
{fallback_provider}    method "aes_gcm" "{passphrase_env}" {{
      keys = key_provider.pbkdf2.{passphrase_env}
    }}
{fallback_method}    state {{
      method = method.aes_gcm.{passphrase_env}
{fallback}    }}
    plan {{
      method = method.aes_gcm.{passphrase_env}
{fallback}    }}
  }}
}}
"#
    )
}

/// Regression: saved plan files were written as plain JSON even with a `plan` target in the
/// `encryption` block, so `plan -out` put variable values (secrets included) on disk in the
/// clear.
#[test]
fn saved_plan_files_are_encrypted_and_a_wrong_key_applies_nothing() {
    let mut ws = Workspace::with_main(&format!("{}{RESOURCES}", encryption("PLAN_KEY", None)));
    ws.set_env("PLAN_KEY", "correct horse battery staple");
    ws.run(&["plan", "-out", "tfplan"]).expect_ok();
    let sealed = ws.read_bytes("tfplan");
    assert!(
        !String::from_utf8_lossy(&sealed).contains(SECRET),
        "the plan file shows the secret"
    );
    assert!(
        serde_json::from_slice::<serde_json::Value>(&sealed)
            .is_ok_and(|json| json.get("plinth_encrypted").is_some()),
        "the plan file is not sealed"
    );
    ws.run(&["show", "tfplan"])
        .expect_ok()
        .expect_stdout("terraform_data.app");

    let wrong = ws.run_with_env(
        &["apply", "tfplan"],
        &[("PLAN_KEY", "zebra-quartz-unrelated-phrase")],
    );
    wrong
        .expect_code(1)
        .expect_stderr("tfplan")
        .expect_stderr("could not decrypt")
        .expect_nowhere("zebra-quartz");
    assert!(
        !ws.exists("plinth.tfstate"),
        "a plan that could not be read wrote state"
    );
    assert!(
        !ws.exists("plinth.tfstate.lock.info"),
        "a plan that could not be read left a lock"
    );
    let missing = ws.run_with_env(&["apply", "tfplan"], &[("PLAN_KEY", "")]);
    missing.expect_code(1).expect_stderr("PLAN_KEY");
    assert!(!ws.exists("plinth.tfstate"));

    ws.run(&["apply", "tfplan"])
        .expect_ok()
        .expect_stdout("1 added");
    assert!(!String::from_utf8_lossy(&ws.read_bytes("plinth.tfstate")).contains(SECRET));
}

/// An unencrypted plan file is refused when the plan target is enforced.
#[test]
fn plain_plan_file_is_refused_when_plan_encryption_is_enforced() {
    let mut plain = Workspace::with_main(RESOURCES);
    plain.run(&["plan", "-out", "tfplan"]).expect_ok();
    let enforced = encryption("PLAN_KEY", None).replace(
        "    plan {\n      method = method.aes_gcm.PLAN_KEY\n",
        "    plan {\n      method = method.aes_gcm.PLAN_KEY\n      enforced = true\n",
    );
    assert!(enforced.contains("enforced = true"));
    plain.write("main.tf", &format!("{enforced}{RESOURCES}"));
    plain.set_env("PLAN_KEY", "correct horse battery staple");
    plain
        .run(&["apply", "tfplan"])
        .expect_code(1)
        .expect_stderr("not encrypted, but encryption is enforced");
    assert!(!plain.exists("plinth.tfstate"));
}

/// Rotation: state sealed with the old key is read through the fallback and rewritten with the
/// new key by the next write; without the fallback the old state cannot be read and nothing is
/// written.
#[test]
fn keys_rotate_with_a_fallback_and_the_next_write_uses_the_new_key() {
    let mut ws = Workspace::with_main(&format!("{}{RESOURCES}", encryption("OLD_KEY", None)));
    ws.set_env("OLD_KEY", "the old passphrase of this state");
    ws.set_env("NEW_KEY", "the new passphrase of this state");
    ws.apply();
    let sealed_with = |ws: &Workspace| -> String {
        let json: serde_json::Value =
            serde_json::from_slice(&ws.read_bytes("plinth.tfstate")).expect("an envelope");
        json["key"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(sealed_with(&ws), "pbkdf2.OLD_KEY");

    ws.write(
        "main.tf",
        &format!("{}{RESOURCES}", encryption("NEW_KEY", None)),
    );
    let before = ws.read_bytes("plinth.tfstate");
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("could not decrypt");
    assert_eq!(ws.read_bytes("plinth.tfstate"), before, "state changed");

    ws.write(
        "main.tf",
        &format!(
            "{}{RESOURCES}\nresource \"terraform_data\" \"two\" {{\n  input = 2\n}}\n",
            encryption("NEW_KEY", Some("OLD_KEY"))
        ),
    );
    ws.run(&["apply", "-auto-approve"])
        .expect_ok()
        .expect_stdout("1 added");
    assert_eq!(sealed_with(&ws), "pbkdf2.NEW_KEY");

    ws.write(
        "main.tf",
        &format!(
            "{}{RESOURCES}\nresource \"terraform_data\" \"two\" {{\n  input = 2\n}}\n",
            encryption("NEW_KEY", None)
        ),
    );
    ws.plan(&[]).expect_code(0);
}
