//! Commands a Terraform user types: `version` (and `-json`), `help`, `console` (reading
//! standard input when it is not a terminal), and `--help` written with single dashes.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::secrets::SECRET;
use crate::support::Workspace;

/// Runs `plinth ARGS` in `ws` with `input` on standard input; returns (code, stdout, stderr).
pub fn run_with_input(ws: &Workspace, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(args)
        .current_dir(ws.path())
        .env("NO_COLOR", "1")
        .env("PLINTH_SLOW_DIR", ws.objects_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start plinth");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).expect("write stdin");
    drop(stdin);
    let output = child.wait_with_output().expect("wait");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

#[test]
fn version_command_was_missing() {
    let ws = Workspace::new();
    ws.run(&["version"])
        .expect_ok()
        .expect_stdout(&format!("plinth v{}", env!("CARGO_PKG_VERSION")))
        .expect_stdout("on linux_");
    let json = ws.run(&["version", "-json"]).expect_ok().stdout_json();
    assert_eq!(json["plinth_version"], env!("CARGO_PKG_VERSION"));
    assert!(json["platform"].as_str().unwrap().contains('_'));
    assert!(json["provider_selections"]["docker"].is_string());
}

#[test]
fn help_command_was_missing() {
    let ws = Workspace::new();
    ws.run(&["help"])
        .expect_ok()
        .expect_stdout("plan")
        .expect_stdout("console");
    ws.run(&["help", "apply"])
        .expect_ok()
        .expect_stdout("-auto-approve")
        .expect_nowhere("--auto-approve");
    ws.run(&["help", "nosuch"]).expect_code(1);
}

#[test]
fn double_dash_help_showed_flags_unlike_the_readme() {
    let ws = Workspace::new();
    let outcome = ws.run(&["plan", "-help"]);
    outcome
        .expect_ok()
        .expect_stdout("-detailed-exitcode")
        .expect_stdout("-refresh")
        .expect_nowhere("--detailed-exitcode")
        .expect_nowhere("--var");
}

#[test]
fn console_command_was_missing() {
    let ws = Workspace::with_main(&format!(
        r#"
variable "name" {{
  default = "web"
}}

variable "password" {{
  default   = "{SECRET}"
  sensitive = true
}}

locals {{
  greeting = "hello-${{var.name}}"
  shout    = upper(local.greeting)
}}

resource "terraform_data" "db" {{
  count = 2
  input = "db-${{count.index}}"
}}
"#
    ));
    ws.apply();
    let (code, stdout, stderr) = run_with_input(
        &ws,
        &["console"],
        "1 + 2\nlocal.shout\nterraform_data.db[1].output\nlength(terraform_data.db)\nvar.password\nupper(var.password)\n",
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        vec![
            "3",
            "\"HELLO-WEB\"",
            "\"db-1\"",
            "2",
            "(sensitive value)",
            "(sensitive value)"
        ],
        "{stderr}"
    );
    let (code, stdout, stderr) =
        run_with_input(&ws, &["console"], "var.nope\ntonumber(var.password)\n");
    assert_eq!(code, 1);
    assert!(stderr.contains("nope"), "{stderr}");
    assert!(
        !stdout.contains(SECRET) && !stderr.contains(SECRET),
        "{stdout}{stderr}"
    );
}
