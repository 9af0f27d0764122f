//! No panic, no abort: huge names, counts and flag values are refused with located errors,
//! and a closed standard output or standard error never aborts a run.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::support::Workspace;

#[test]
fn output_name_of_65536_characters_panicked() {
    let name = "o".repeat(70_000);
    let ws = Workspace::with_main(&format!("output \"{name}\" {{\n  value = 1\n}}\n"));
    let outcome = ws.run(&["validate"]);
    assert!(outcome.code == 0 || outcome.code == 1, "{outcome}");
    let outcome = ws.run(&["plan"]);
    assert!(outcome.code == 0 || outcome.code == 1, "{outcome}");
}

#[test]
fn map_key_of_65536_characters_panicked() {
    let key = "k".repeat(70_000);
    let ws = Workspace::with_main(&format!(
        "output \"o\" {{\n  value = length({{ {key} = 1, \"{key}x\" = 2 }})\n}}\n"
    ));
    let outcome = ws.run(&["plan"]);
    assert!(outcome.code == 0 || outcome.code == 1, "{outcome}");
}

#[test]
fn count_of_1e9_aborted_with_an_80_gb_allocation() {
    let ws = Workspace::with_main("resource \"terraform_data\" \"x\" {\n  count = 1e9\n}\n");
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("Invalid count argument")
        .expect_stderr("main.tf:2")
        .expect_stderr("100000");
}

#[test]
fn count_of_1e20_overflowed_capacity() {
    let ws = Workspace::with_main("resource \"terraform_data\" \"x\" {\n  count = 1e20\n}\n");
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("Invalid count argument")
        .expect_stderr("main.tf:2");
}

#[test]
fn module_count_of_1e9_is_refused_too() {
    let ws = Workspace::with_main("module \"m\" {\n  source = \"./m\"\n  count  = 1e9\n}\n");
    ws.write("m/main.tf", "output \"o\" {\n  value = 1\n}\n");
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("Invalid count argument")
        .expect_stderr("main.tf:3");
}

#[test]
fn for_each_larger_than_the_maximum_is_refused() {
    let ws = Workspace::with_main(
        "resource \"terraform_data\" \"x\" {\n  for_each = toset([for p in setproduct(range(320), range(320)) : \"${p[0]}-${p[1]}\"])\n}\n",
    );
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("Invalid for_each argument")
        .expect_stderr("main.tf:2")
        .expect_stderr("100000");
}

#[test]
fn lock_timeout_of_1e19_seconds_panicked() {
    let ws = Workspace::with_main("locals {\n  a = 1\n}\n");
    ws.run(&["plan", "-lock-timeout=10000000000000000000s"])
        .expect_code(1)
        .expect_stderr("-lock-timeout");
}

#[test]
fn parallelism_of_2_pow_61_panicked() {
    let ws = Workspace::with_main("resource \"terraform_data\" \"x\" {\n}\n");
    ws.run(&["apply", "-auto-approve", "-parallelism=2305843009213693952"])
        .expect_code(1)
        .expect_stderr("parallelism");
    ws.run(&["apply", "-auto-approve", "-parallelism=0"])
        .expect_code(1)
        .expect_stderr("parallelism");
    assert!(!ws.exists(crate::support::STATE_FILE));
}

#[test]
fn serial_at_its_maximum_would_wrap() {
    let ws = Workspace::with_main("resource \"terraform_data\" \"x\" {\n  input = 1\n}\n");
    ws.apply();
    let text = ws.read(crate::support::STATE_FILE);
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["serial"] = serde_json::json!(u64::MAX);
    ws.write(crate::support::STATE_FILE, &json.to_string());
    ws.write(
        "main.tf",
        "resource \"terraform_data\" \"x\" {\n  input = 2\n}\n",
    );
    let outcome = ws.run(&["apply", "-auto-approve"]);
    outcome.expect_code(1).expect_stderr("serial");
    let after: serde_json::Value =
        serde_json::from_str(&ws.read(crate::support::STATE_FILE)).unwrap();
    assert_eq!(after["serial"], serde_json::json!(u64::MAX), "{outcome}");
}

/// `plinth ARGS | head -c 1`: the pipe's reader goes away after one byte.
fn run_into_closed_pipe(ws: &Workspace, args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(args)
        .current_dir(ws.path())
        .env("NO_COLOR", "1")
        .env("PLINTH_SLOW_DIR", ws.objects_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start plinth");
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    stdout.read_exact(&mut byte).expect("one byte of output");
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().expect("wait");
    (status.code().unwrap_or(-1), stderr)
}

#[test]
fn apply_piped_into_head_panicked_with_broken_pipe() {
    let mut config = String::new();
    for i in 0..40 {
        config.push_str(&format!(
            "resource \"slow_object\" \"o{i}\" {{\n  input    = \"object-{i}\"\n  delay_ms = 20\n}}\n\n"
        ));
    }
    config.push_str("output \"last\" {\n  value = slow_object.o39.output\n}\n");
    let ws = Workspace::with_main(&config);
    let (code, stderr) = run_into_closed_pipe(&ws, &["apply", "-auto-approve"]);
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(ws.state_list().len(), 40, "the apply finished");
    assert_eq!(ws.slow_objects().len(), 40);
    let (code, stderr) = run_into_closed_pipe(&ws, &["show"]);
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert!(code == 0 || code == 141, "stderr: {stderr}");
    let (code, stderr) = run_into_closed_pipe(&ws, &["plan", "-destroy"]);
    assert!(
        !stderr.contains("panicked") && code == 0,
        "stderr: {stderr}"
    );
}

/// Runs `plinth ARGS` with standard error a pipe whose reader is already gone (`2>&1 | head`
/// after head exited); returns (exit code, standard output).
fn run_with_closed_stderr(ws: &Workspace, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(args)
        .current_dir(ws.path())
        .env("NO_COLOR", "1")
        .env("PLINTH_SLOW_DIR", ws.objects_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start plinth");
    drop(child.stderr.take());
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    (child.wait().expect("wait").code(), stdout)
}

/// Before the fix an error printed to a closed standard error panicked ("failed printing to
/// stderr"), exiting 101 instead of 1; `2>&-` must not panic either.
#[test]
fn closed_stderr_panicked_instead_of_exiting_with_the_error() {
    let ws =
        Workspace::with_main("resource \"terraform_data\" \"x\" {\n  input = var.missing\n}\n");
    let (code, stdout) = run_with_closed_stderr(&ws, &["plan"]);
    assert_eq!(
        code,
        Some(1),
        "a plain error exit, no panic or signal: {stdout}"
    );
    assert!(!stdout.contains("panicked"), "{stdout}");

    // A run that succeeds still succeeds, and so does one whose only words on stderr are a
    // warning ("No outputs found").
    let ok = Workspace::with_main("resource \"terraform_data\" \"x\" {\n  input = 1\n}\n");
    let (code, stdout) = run_with_closed_stderr(&ok, &["apply", "-auto-approve"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(ok.state_list(), ["terraform_data.x"]);
    let (code, stdout) = run_with_closed_stderr(&ok, &["output"]);
    assert_eq!(code, Some(0), "{stdout}");

    // `plinth plan 2>&-`: the descriptor itself is closed.
    let output = Command::new("sh")
        .args(["-c", "exec \"$0\" plan 2>&-", env!("CARGO_BIN_EXE_plinth")])
        .current_dir(ws.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run sh");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(!stdout.contains("panicked"), "{stdout}");
}

#[test]
fn directory_without_configuration_planned_to_destroy_everything() {
    let ws = Workspace::with_main("resource \"terraform_data\" \"x\" {\n  input = 1\n}\n");
    ws.apply();
    std::fs::remove_file(ws.file("main.tf")).unwrap();
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("No configuration files");
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("No configuration files");
    assert_eq!(ws.state_list(), vec!["terraform_data.x".to_string()]);
    ws.plan(&["-destroy"])
        .expect_code(2)
        .expect_stdout("terraform_data.x will be destroyed");
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert!(ws.state_list().is_empty());
    let empty = Workspace::new();
    empty
        .run(&["plan"])
        .expect_code(1)
        .expect_stderr("No configuration files");
}
