//! CLI behaviour end to end: `plan -json`, colors on a terminal and NO_COLOR, multi-line string
//! diffs, the approval prompt, the variable prompt, `init` with an unknown provider or a local
//! backend, DOT graphs of modules and the parallel walk bounded by `-parallelism`.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;
use support::{wait_until, Workspace, STATE_FILE};

/// What a command run on a terminal printed (terminal output, carriage returns removed) and its
/// exit code.
struct TerminalRun {
    code: i32,
    output: String,
}

/// Runs `plinth ARGS` on a pseudo-terminal made by util-linux `script`, typing `input`; `None`
/// (with the reason printed) when `script` is not installed.
fn run_on_terminal(ws: &Workspace, args: &str, input: &str, no_color: bool) -> Option<TerminalRun> {
    let command_line = format!("'{}' {args}", env!("CARGO_BIN_EXE_plinth"));
    let mut command = Command::new("script");
    command
        .args(["-qec", &command_line, "/dev/null"])
        .current_dir(ws.path())
        .env("PLINTH_SLOW_DIR", ws.objects_dir())
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars() {
        if name.starts_with("TF_VAR_") || name.starts_with("TF_CLI_ARGS") {
            command.env_remove(&name);
        }
    }
    if no_color {
        command.env("NO_COLOR", "1");
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("skipping: `script` (util-linux) is not usable: {e}");
            return None;
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("type the input");
    }
    let finished = wait_until(Duration::from_secs(120), || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    if !finished {
        let _ = child.kill();
    }
    let result = child
        .wait_with_output()
        .expect("collect the terminal output");
    assert!(finished, "`plinth {args}` on a terminal did not finish");
    let output = String::from_utf8_lossy(&result.stdout).replace('\r', "");
    assert!(!output.contains("panicked"), "plinth panicked\n{output}");
    Some(TerminalRun {
        code: result.status.code().unwrap_or(-1),
        output,
    })
}

/// Runs `plinth ARGS` with `input` on a pipe as standard input.
fn run_with_stdin(ws: &Workspace, args: &[&str], input: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(args)
        .current_dir(ws.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start plinth");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("write the answer");
    }
    let result = child.wait_with_output().expect("wait for plinth");
    let all = format!(
        "{}\n{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    (result.status.code().unwrap_or(-1), all)
}

const TWO: &str = r#"
variable "suffix" {
  default = "one"
}

resource "terraform_data" "a" {
  input = "a-${var.suffix}"
}

resource "terraform_data" "b" {
  input = terraform_data.a.output
}
"#;

#[test]
fn plan_json_lists_each_change_with_its_actions_and_unknowns() {
    let ws = Workspace::with_main(TWO);
    let json = ws.run(&["plan", "-json"]).expect_ok().stdout_json();
    let changes = json["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let addresses: Vec<_> = changes.iter().map(|c| c["address"].clone()).collect();
    assert_eq!(
        addresses,
        [json!("terraform_data.a"), json!("terraform_data.b")]
    );
    for change in &changes {
        assert_eq!(change["change"]["actions"], json!(["create"]));
        assert_eq!(change["change"]["after_unknown"]["id"], true);
    }
    assert_eq!(changes[0]["change"]["after"]["input"], "a-one");
    assert_eq!(changes[1]["change"]["after_unknown"]["input"], true);
    assert!(!ws.exists(STATE_FILE), "plan -json must not write state");

    ws.apply();
    let json = ws
        .run(&["plan", "-json", "-var", "suffix=two"])
        .expect_ok()
        .stdout_json();
    let changes = json["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let a = changes
        .iter()
        .find(|c| c["address"] == "terraform_data.a")
        .unwrap_or_else(|| panic!("no change for terraform_data.a in {json:#}"));
    assert_eq!(a["change"]["actions"], json!(["update"]));
    assert_eq!(a["change"]["before"]["input"], "a-one");
    assert_eq!(a["change"]["after"]["input"], "a-two");
}

#[test]
fn plan_is_colored_on_a_terminal_and_plain_with_no_color() {
    let ws = Workspace::with_main(TWO);
    let Some(colored) = run_on_terminal(&ws, "plan", "", false) else {
        return;
    };
    assert_eq!(colored.code, 0, "{}", colored.output);
    assert!(colored.output.contains("\u{1b}[32m+"), "{}", colored.output);
    assert!(
        colored.output.contains("terraform_data.a"),
        "{}",
        colored.output
    );

    let Some(plain) = run_on_terminal(&ws, "plan", "", true) else {
        return;
    };
    assert_eq!(plain.code, 0, "{}", plain.output);
    assert!(plain.output.contains("# terraform_data.a will be created"));
    assert!(!plain.output.contains('\u{1b}'), "{}", plain.output);
    // Piped output is never colored.
    ws.run_with_env(&["plan"], &[("NO_COLOR", "")])
        .expect_ok()
        .expect_nowhere("\u{1b}[");
}

#[test]
fn multi_line_string_change_is_diffed_line_by_line() {
    let ws = Workspace::with_main(
        r#"
variable "text" {
  default = "line one\nline two\nline three\n"
}

resource "terraform_data" "doc" {
  input = var.text
}
"#,
    );
    ws.apply();
    let plan = ws.plan(&["-var", "text=line one\nline 2\nline three\n"]);
    plan.expect_code(2)
        .expect_stdout("~ input  = <<-EOT")
        .expect_stdout("- line two")
        .expect_stdout("+ line 2")
        .expect_stdout("EOT");
    let lines = plan.stdout_lines();
    assert!(lines.contains(&"line one".to_string()), "{plan}");
    assert!(lines.contains(&"line three".to_string()), "{plan}");
}

#[test]
fn approval_prompt_applies_only_on_yes() {
    let ws = Workspace::with_main(TWO);
    for answer in ["no\n", "y\n", ""] {
        let (code, output) = run_with_stdin(&ws, &["apply"], answer);
        assert_eq!(code, 1, "answer {answer:?}\n{output}");
        assert!(output.contains("Only 'yes' will be accepted"), "{output}");
        assert!(output.contains("Apply cancelled."), "{output}");
        assert!(
            !ws.exists(STATE_FILE),
            "answer {answer:?} must change nothing"
        );
    }
    let (code, output) = run_with_stdin(&ws, &["apply"], "yes\n");
    assert_eq!(code, 0, "{output}");
    assert_eq!(ws.state_list(), ["terraform_data.a", "terraform_data.b"]);

    let (code, output) = run_with_stdin(&ws, &["destroy"], "no\n");
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("Destroy cancelled."), "{output}");
    assert_eq!(ws.state_list().len(), 2);
}

#[test]
fn variable_without_value_is_prompted_for_on_a_terminal() {
    let ws = Workspace::with_main(
        r#"
variable "name" {
  type        = string
  description = "The name to use"
}

resource "terraform_data" "a" {
  input = var.name
}
"#,
    );
    let Some(run) = run_on_terminal(&ws, "apply -auto-approve", "typed-name\n", true) else {
        return;
    };
    assert_eq!(run.code, 0, "{}", run.output);
    assert!(run.output.contains("var.name"), "{}", run.output);
    assert!(run.output.contains("The name to use"), "{}", run.output);
    assert_eq!(
        ws.state().instance("terraform_data.a").string("input"),
        Some("typed-name")
    );
}

#[test]
fn init_refuses_an_unknown_required_provider_and_accepts_a_local_backend() {
    let ws = Workspace::with_main(
        r#"
terraform {
  required_providers {
    nosuch = {
      source = "example/nosuch"
    }
  }
}
"#,
    );
    ws.run(&["init"])
        .expect_code(1)
        .expect_stderr("Provider \"nosuch\" is not available")
        .expect_stderr("example/nosuch");

    let ws = Workspace::with_main(
        r#"
terraform {
  required_providers {
    terraform = {
      source = "terraform.io/builtin/terraform"
    }
  }
  backend "local" {
    path = "elsewhere.tfstate"
  }
}

resource "terraform_data" "a" {
  input = 1
}
"#,
    );
    ws.run(&["init"]).expect_ok();
    ws.apply();
    assert!(ws.exists("elsewhere.tfstate"));
    assert!(!ws.exists(STATE_FILE));
    assert_eq!(ws.state_list(), ["terraform_data.a"]);
}

#[test]
fn graph_names_module_objects_by_their_full_address() {
    let ws = Workspace::with_main(
        r#"
module "net" {
  source = "./net"
  name   = "n"
}

resource "terraform_data" "app" {
  input = module.net.id
}
"#,
    );
    ws.write(
        "net/main.tf",
        r#"
variable "name" {}

resource "terraform_data" "subnet" {
  input = var.name
}

output "id" { value = terraform_data.subnet.id }
"#,
    );
    let graph = ws.run(&["graph"]);
    graph.expect_ok();
    let dot = &graph.stdout;
    assert!(dot.trim_start().starts_with("digraph"), "{graph}");
    assert!(
        dot.contains("\"module.net.terraform_data.subnet\""),
        "{graph}"
    );
    assert!(dot.contains("\"module.net.output.id\""), "{graph}");
    assert!(
        dot.contains("\"terraform_data.app\" -> \"module.net.output.id\""),
        "{graph}"
    );
    assert!(
        dot.contains("\"module.net.output.id\" -> \"module.net.terraform_data.subnet\""),
        "{graph}"
    );
}

#[cfg(feature = "test-provider")]
/// The lines of `text` naming `slow_object.o[..]` and `phase`, in order.
fn positions(text: &str, phase: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.starts_with("slow_object.o[") && line.contains(phase))
        .map(|(index, _)| index)
        .collect()
}

#[cfg(feature = "test-provider")]
#[test]
fn parallelism_bounds_how_many_operations_run_at_once() {
    let ws = Workspace::with_main(
        r#"
resource "slow_object" "o" {
  count    = 4
  input    = "object-${count.index}"
  delay_ms = 400
}
"#,
    );
    let parallel = ws.run(&["apply", "-auto-approve", "-parallelism=4"]);
    parallel.expect_ok();
    let starts = positions(&parallel.stdout, "Creating...");
    let ends = positions(&parallel.stdout, "Creation complete");
    assert_eq!((starts.len(), ends.len()), (4, 4), "{parallel}");
    assert!(
        starts.iter().max() < ends.iter().min(),
        "all four should start before any finishes\n{parallel}"
    );

    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    let serial = ws.run(&["apply", "-auto-approve", "-parallelism=1"]);
    serial.expect_ok();
    let starts = positions(&serial.stdout, "Creating...");
    let ends = positions(&serial.stdout, "Creation complete");
    assert_eq!((starts.len(), ends.len()), (4, 4), "{serial}");
    for pair in 0..3 {
        assert!(
            ends[pair] < starts[pair + 1],
            "one operation at a time\n{serial}"
        );
    }
    assert_eq!(ws.state_list().len(), 4);
}
