//! `local-exec` provisioners end to end: run after create with `self`, the environment,
//! interpreter and working directory; output streamed under the address with secrets redacted;
//! a failure taints the object (replaced by the next plan) unless `on_failure = continue`;
//! `when = destroy` runs before the object is destroyed. (`file` and `remote-exec`:
//! cli_remote_exec.rs.)

mod support;

use support::Workspace;

#[test]
fn local_exec_runs_after_create_with_self_and_streams_its_output() {
    let ws = Workspace::with_main(
        r#"
resource "random_pet" "name" {}

resource "null_resource" "hello" {
  triggers = { name = random_pet.name.id }

  provisioner "local-exec" {
    command     = "echo \"hello $NAME from $(pwd)\" > hello.txt; echo line-one; echo line-two >&2"
    working_dir = "${path.module}/work"
    environment = {
      NAME = self.triggers.name
    }
  }

  provisioner "local-exec" {
    interpreter = ["/bin/sh", "-c"]
    command     = "echo id=${self.id} > id.txt"
    quiet       = true
  }
}
"#,
    );
    std::fs::create_dir(ws.file("work")).expect("mkdir");
    let applied = ws.apply();
    applied
        .expect_stdout("null_resource.hello: Provisioning with 'local-exec'...")
        .expect_stdout("null_resource.hello (local-exec): line-one")
        .expect_stdout("null_resource.hello (local-exec): line-two")
        .expect_stdout("null_resource.hello (local-exec): Executing: [\"/bin/sh\" \"-c\"")
        .expect_nowhere("echo id=");
    let state = ws.state();
    let name = state.instance("random_pet.name");
    let name = name.string("id").expect("pet");
    let hello = ws.read("work/hello.txt");
    assert!(hello.starts_with(&format!("hello {name} from ")), "{hello}");
    assert!(hello.trim_end().ends_with("/work"), "{hello}");
    let id = state.instance("null_resource.hello");
    assert_eq!(
        ws.read("id.txt").trim(),
        format!("id={}", id.string("id").expect("id"))
    );
    // Provisioners run on create only.
    std::fs::remove_file(ws.file("id.txt")).expect("rm");
    ws.apply();
    assert!(!ws.exists("id.txt"));
}

#[test]
fn secrets_never_appear_in_provisioner_output() {
    let ws = Workspace::with_main(
        r#"
resource "local_sensitive_file" "key" {
  filename = "${path.module}/key.txt"
  content  = "sensitive-file-body"

  provisioner "local-exec" {
    command = "cat ${self.filename}; echo; echo done"
  }
}

resource "random_password" "pw" {
  length = 20
}

resource "null_resource" "uses_password" {
  provisioner "local-exec" {
    command = "echo '${random_password.pw.result}'"
  }
}
"#,
    );
    let applied = ws.apply();
    let password = ws
        .state()
        .instance("random_password.pw")
        .string("result")
        .expect("password")
        .to_string();
    applied
        .expect_stdout("local_sensitive_file.key (local-exec): (sensitive value)")
        .expect_stdout("local_sensitive_file.key (local-exec): done")
        .expect_stdout(
            "null_resource.uses_password (local-exec): (output suppressed due to sensitive value in config)",
        )
        .expect_nowhere("sensitive-file-body")
        .expect_nowhere(&password);
}

#[test]
fn a_failed_provisioner_taints_the_object_unless_told_to_continue() {
    let ws = Workspace::with_main(
        r#"
variable "fail" {
  type    = bool
  default = true
}

resource "null_resource" "strict" {
  provisioner "local-exec" {
    command = var.fail ? "echo broken; exit 3" : "true"
  }
}

resource "null_resource" "lenient" {
  provisioner "local-exec" {
    command    = "exit 4"
    on_failure = continue
  }
}
"#,
    );
    let failed = ws.run(&["apply", "-auto-approve"]);
    failed
        .expect_code(1)
        .expect_stderr("local-exec provisioner error")
        .expect_stderr("exit status 3")
        .expect_stderr("broken")
        .expect_stderr("null_resource.strict");
    assert!(
        failed.all().contains("exit status 4"),
        "the failure kept going is reported\n{failed}"
    );
    let state = ws.state();
    assert!(state.instance("null_resource.strict").is_tainted());
    assert!(!state.instance("null_resource.lenient").is_tainted());
    ws.plan(&["-var", "fail=false"])
        .expect_code(2)
        .expect_stdout("# null_resource.strict is tainted, so must be replaced")
        .expect_stdout("Plan: 1 to add, 0 to change, 1 to destroy.");
    ws.run(&["apply", "-auto-approve", "-var", "fail=false"])
        .expect_ok()
        .expect_nowhere("null_resource.lenient: Creating");
    assert!(!ws.state().instance("null_resource.strict").is_tainted());
    ws.plan(&["-var", "fail=false"]).expect_code(0);
}

#[test]
fn destroy_time_provisioners_run_before_the_object_goes() {
    let ws = Workspace::with_main(
        r#"
resource "null_resource" "node" {
  count    = 2
  triggers = { name = "node-${count.index}" }

  provisioner "local-exec" {
    when    = destroy
    command = "echo bye ${self.triggers.name} ${count.index} >> farewell.txt"
  }
}
"#,
    );
    ws.apply();
    assert!(
        !ws.exists("farewell.txt"),
        "destroy-time provisioners ran on create"
    );
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    let mut lines: Vec<String> = ws.read("farewell.txt").lines().map(String::from).collect();
    lines.sort();
    assert_eq!(lines, ["bye node-0 0", "bye node-1 1"]);
    assert!(ws.state_list().is_empty());
}
