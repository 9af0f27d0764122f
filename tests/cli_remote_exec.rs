//! `file` and `remote-exec` provisioners end to end against a real OpenSSH server on loopback
//! (Debian's openssh-server, started by each test with its own host key and authorized keys):
//! uploads of content, files and directory trees; inline commands and scripts with their output
//! streamed under the address and secrets redacted; login with a private key or through an
//! ssh-agent; host key checking; a jump through a bastion; a timeout naming the address;
//! `on_failure`, tainting and `when = destroy`.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use support::sshd::{self, Agent, Sshd};
use support::{mode_of, Workspace};

/// A workspace with a client key pair (`id_client`) and a server that authorizes it.
struct Lab {
    ws: Workspace,
    server: Sshd,
    remote: PathBuf,
}

impl Lab {
    /// None (skipping) when sshd is not installed outside CI.
    fn new() -> Option<Lab> {
        if !sshd::available() {
            return None;
        }
        let ws = Workspace::new();
        sshd::generate_key(&ws.file("id_client"));
        let server = Sshd::start(&[ws.read("id_client.pub")]);
        let remote = ws.file("remote");
        std::fs::create_dir(&remote).expect("mkdir remote");
        Some(Lab { ws, server, remote })
    }

    /// Writes main.tf with `@PORT@`, `@USER@`, `@HOST_KEY@`, `@KEY@` (the client private key's
    /// path) and `@REMOTE@` (a directory the "remote" machine writes to) filled in.
    fn write_main(&self, template: &str) {
        let text = template
            .replace("@PORT@", &self.server.port.to_string())
            .replace("@USER@", &sshd::user())
            .replace("@HOST_KEY@", &self.server.host_key())
            .replace("@KEY@", &self.ws.file("id_client").to_string_lossy())
            .replace("@REMOTE@", &self.remote.to_string_lossy());
        self.ws.write("main.tf", &text);
    }

    fn remote(&self, relative: &str) -> String {
        let path = self.remote.join(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

/// The connection block most tests use: private key and host key checking.
const CONNECTION: &str = r#"
  connection {
    type        = "ssh"
    host        = "127.0.0.1"
    port        = @PORT@
    user        = "@USER@"
    private_key = file("@KEY@")
    host_key    = "@HOST_KEY@"
    timeout     = "30s"
  }
"#;

#[test]
fn file_and_remote_exec_run_over_ssh_with_a_private_key() {
    let Some(lab) = Lab::new() else { return };
    lab.ws.write("tree/top.txt", "top\n");
    lab.ws.write("tree/sub/deep.txt", "deep\n");
    lab.ws.write("tree/run.sh", "#!/bin/sh\n");
    std::fs::set_permissions(
        lab.ws.file("tree/run.sh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    lab.ws
        .write("script.sh", "#!/bin/sh\necho \"from script $0\"\n");
    lab.ws
        .write("first.sh", "#!/bin/sh\necho first of the scripts\n");
    lab.ws
        .write("second.sh", "#!/bin/sh\necho second of the scripts\n");
    // As with Terraform's ssh communicator, directory uploads need an existing destination.
    std::fs::create_dir(lab.remote.join("copied")).expect("mkdir");
    std::fs::create_dir(lab.remote.join("flat")).expect("mkdir");
    lab.write_main(&format!(
        r#"
resource "null_resource" "box" {{
  triggers = {{ name = "box-one" }}
{CONNECTION}
  provisioner "file" {{
    content     = "hello from ${{self.triggers.name}}\n"
    destination = "@REMOTE@/content.txt"
  }}

  provisioner "file" {{
    source      = "${{path.module}}/tree"
    destination = "@REMOTE@/copied"
  }}

  provisioner "file" {{
    source      = "${{path.module}}/tree/"
    destination = "@REMOTE@/flat"
  }}

  provisioner "file" {{
    source      = "${{path.module}}/tree/top.txt"
    destination = "@REMOTE@/single.txt"
  }}

  provisioner "remote-exec" {{
    inline = [
      "echo hello ${{self.triggers.name}}",
      "cat @REMOTE@/content.txt",
      "echo to-stderr >&2",
    ]
  }}

  provisioner "remote-exec" {{
    script = "${{path.module}}/script.sh"
  }}

  provisioner "remote-exec" {{
    scripts = ["${{path.module}}/first.sh", "${{path.module}}/second.sh"]
  }}
}}
"#
    ));
    let applied = lab.ws.apply();
    applied
        .expect_stdout("null_resource.box: Provisioning with 'file'...")
        .expect_stdout("null_resource.box (file): Connecting to remote host via SSH...")
        .expect_stdout("null_resource.box (file):   Checking Host Key: true")
        .expect_stdout("null_resource.box (remote-exec): Connected!")
        .expect_stdout("null_resource.box (remote-exec): hello box-one")
        .expect_stdout("null_resource.box (remote-exec): hello from box-one")
        .expect_stdout("null_resource.box (remote-exec): to-stderr")
        .expect_stdout("null_resource.box (remote-exec): from script /tmp/terraform_")
        .expect_stdout("null_resource.box (remote-exec): first of the scripts")
        .expect_stdout("null_resource.box (remote-exec): second of the scripts");
    assert_eq!(lab.remote("content.txt"), "hello from box-one\n");
    assert_eq!(lab.remote("single.txt"), "top\n");
    // Without a trailing slash the directory itself goes into an existing destination...
    assert_eq!(lab.remote("copied/tree/top.txt"), "top\n");
    assert_eq!(lab.remote("copied/tree/sub/deep.txt"), "deep\n");
    assert_eq!(mode_of(&lab.remote.join("copied/tree/run.sh")), 0o755);
    // ...with one, only its contents.
    assert_eq!(lab.remote("flat/top.txt"), "top\n");
    assert_eq!(lab.remote("flat/sub/deep.txt"), "deep\n");
    // Provisioners run on create only.
    std::fs::remove_file(lab.remote.join("content.txt")).expect("rm");
    lab.ws.plan(&[]).expect_code(0);
    lab.ws.apply();
    assert!(!lab.remote.join("content.txt").exists());
}

#[test]
fn remote_output_never_shows_secrets() {
    let Some(lab) = Lab::new() else { return };
    lab.write_main(&format!(
        r#"
resource "random_password" "pw" {{
  length  = 24
  special = false
}}

resource "local_sensitive_file" "secret" {{
  filename = "${{path.module}}/secret.txt"
  content  = random_password.pw.result
{CONNECTION}
  provisioner "remote-exec" {{
    inline = ["echo secret is $(cat ${{abspath(self.filename)}})"]
  }}
}}

resource "null_resource" "shares" {{
{CONNECTION}
  provisioner "file" {{
    content     = random_password.pw.result
    destination = "@REMOTE@/pw.txt"
  }}

  provisioner "remote-exec" {{
    inline = ["echo '${{random_password.pw.result}}'"]
  }}
}}
"#
    ));
    let applied = lab.ws.apply();
    let password = lab
        .ws
        .state()
        .instance("random_password.pw")
        .string("result")
        .expect("password")
        .to_string();
    let key = lab.ws.read("id_client");
    let key_line = key.lines().nth(1).expect("key body");
    applied
        .expect_stdout("local_sensitive_file.secret (remote-exec): secret is (sensitive value)")
        .expect_stdout(
            "null_resource.shares (remote-exec): (output suppressed due to sensitive value in config)",
        )
        .expect_nowhere(&password)
        .expect_nowhere(key_line);
    assert_eq!(lab.remote("pw.txt"), password);
}

#[test]
fn the_ssh_agent_logs_in_when_there_is_no_private_key() {
    let Some(lab) = Lab::new() else { return };
    let agent = Agent::with_key(&lab.ws.file("id_client"));
    lab.write_main(
        r#"
variable "agent" {
  type    = bool
  default = true
}

resource "null_resource" "box" {
  connection {
    host     = "127.0.0.1"
    port     = @PORT@
    user     = "@USER@"
    agent    = var.agent
    host_key = "@HOST_KEY@"
    timeout  = "30s"
  }

  provisioner "remote-exec" {
    inline = ["echo logged in by the agent > @REMOTE@/agent.txt"]
  }
}
"#,
    );
    let socket = agent.socket.to_string_lossy().into_owned();
    let env = [("SSH_AUTH_SOCK", socket.as_str())];
    let refused = lab
        .ws
        .run_with_env(&["apply", "-auto-approve", "-var", "agent=false"], &env);
    refused
        .expect_code(1)
        .expect_stderr("no way to log in to 127.0.0.1:")
        .expect_stderr("null_resource.box");
    lab.ws
        .run_with_env(&["apply", "-auto-approve"], &env)
        .expect_ok()
        .expect_stdout("null_resource.box (remote-exec):   SSH Agent: true")
        .expect_stdout("null_resource.box (remote-exec): Connected!");
    assert_eq!(lab.remote("agent.txt"), "logged in by the agent\n");
}

#[test]
fn a_wrong_host_key_is_refused_at_once() {
    let Some(lab) = Lab::new() else { return };
    sshd::generate_key(&lab.ws.file("other"));
    let other = lab.ws.read("other.pub");
    lab.write_main(&CONNECTION_RESOURCE.replace("@HOST_KEY@", other.trim()));
    let started = Instant::now();
    let failed = lab.ws.run(&["apply", "-auto-approve"]);
    failed
        .expect_code(1)
        .expect_stderr("remote-exec provisioner error")
        .expect_stderr(&format!(
            "the host key of 127.0.0.1:{} does not match",
            lab.server.port
        ))
        .expect_stderr("main.tf")
        .expect_stderr("null_resource.box");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "a mismatched host key was retried until the 5m timeout"
    );
    assert!(lab.ws.state().instance("null_resource.box").is_tainted());
    assert!(!lab.remote.join("ran.txt").exists());
}

/// A resource whose remote-exec writes `ran.txt`, with a 5 minute connection timeout.
const CONNECTION_RESOURCE: &str = r#"
resource "null_resource" "box" {
  connection {
    host        = "127.0.0.1"
    port        = @PORT@
    user        = "@USER@"
    private_key = file("@KEY@")
    host_key    = "@HOST_KEY@"
    agent       = false
  }

  provisioner "remote-exec" {
    inline = ["touch @REMOTE@/ran.txt"]
  }
}
"#;

#[test]
fn a_bastion_host_carries_the_connection() {
    let Some(lab) = Lab::new() else { return };
    let bastion = Sshd::start(&[lab.ws.read("id_client.pub")]);
    lab.write_main(&format!(
        r#"
resource "null_resource" "box" {{
  connection {{
    host             = "127.0.0.1"
    port             = @PORT@
    user             = "@USER@"
    private_key      = file("@KEY@")
    host_key         = "@HOST_KEY@"
    agent            = false
    timeout          = "30s"
    bastion_host     = "127.0.0.1"
    bastion_port     = {port}
    bastion_host_key = "{key}"
  }}

  provisioner "remote-exec" {{
    inline = ["echo through the bastion > @REMOTE@/hop.txt"]
  }}
}}
"#,
        port = bastion.port,
        key = bastion.host_key(),
    ));
    lab.ws
        .apply()
        .expect_stdout("null_resource.box (remote-exec): Using configured bastion host...")
        .expect_stdout(&format!(
            "null_resource.box (remote-exec):   Port: {}",
            bastion.port
        ));
    assert_eq!(lab.remote("hop.txt"), "through the bastion\n");
    let log = bastion.log();
    assert!(
        log.contains(&format!("target 127.0.0.1 port {}", lab.server.port)),
        "the bastion did not forward to the target:\n{log}"
    );
}

#[test]
fn connecting_to_a_closed_port_times_out_naming_the_address() {
    let Some(lab) = Lab::new() else { return };
    let closed = support::free_port();
    lab.write_main(
        &CONNECTION_RESOURCE
            .replace("@PORT@", &closed.to_string())
            .replace(
                "agent       = false",
                "agent       = false\n    timeout     = \"2s\"",
            ),
    );
    let started = Instant::now();
    let failed = lab.ws.run(&["apply", "-auto-approve"]);
    failed
        .expect_code(1)
        .expect_stderr(&format!(
            "timeout - last error: connecting to 127.0.0.1:{closed}"
        ))
        .expect_stderr("main.tf")
        .expect_stderr("null_resource.box");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(1) && elapsed < Duration::from_secs(60),
        "the 2s timeout took {elapsed:?}"
    );
    assert!(lab.ws.state().instance("null_resource.box").is_tainted());
}

#[test]
fn a_failed_remote_command_taints_unless_told_to_continue() {
    let Some(lab) = Lab::new() else { return };
    lab.write_main(&format!(
        r#"
variable "fail" {{
  type    = bool
  default = true
}}

resource "null_resource" "strict" {{
{CONNECTION}
  provisioner "remote-exec" {{
    inline = ["echo failing", "exit ${{var.fail ? 3 : 0}}"]
  }}
}}

resource "null_resource" "lenient" {{
{CONNECTION}
  provisioner "remote-exec" {{
    inline     = ["exit 4"]
    on_failure = continue
  }}
}}
"#
    ));
    let failed = lab.ws.run(&["apply", "-auto-approve"]);
    failed
        .expect_code(1)
        .expect_stdout("null_resource.strict (remote-exec): failing")
        .expect_stderr("remote-exec provisioner error")
        .expect_stderr("Process exited with status 3")
        .expect_stderr("null_resource.strict");
    assert!(
        failed.all().contains("Process exited with status 4"),
        "the failure kept going is reported\n{failed}"
    );
    let state = lab.ws.state();
    assert!(state.instance("null_resource.strict").is_tainted());
    assert!(!state.instance("null_resource.lenient").is_tainted());
    lab.ws
        .plan(&["-var", "fail=false"])
        .expect_code(2)
        .expect_stdout("# null_resource.strict is tainted, so must be replaced");
    lab.ws
        .run(&["apply", "-auto-approve", "-var", "fail=false"])
        .expect_ok();
    assert!(!lab.ws.state().instance("null_resource.strict").is_tainted());
}

#[test]
fn destroy_time_remote_exec_runs_before_the_object_goes() {
    let Some(lab) = Lab::new() else { return };
    lab.write_main(&format!(
        r#"
resource "null_resource" "node" {{
  count    = 2
  triggers = {{ name = "node-${{count.index}}" }}
{CONNECTION}
  provisioner "remote-exec" {{
    when   = destroy
    inline = ["echo bye ${{self.triggers.name}} ${{count.index}} >> @REMOTE@/farewell.txt"]
  }}
}}
"#
    ));
    lab.ws.apply();
    assert!(!lab.remote.join("farewell.txt").exists());
    lab.ws.run(&["destroy", "-auto-approve"]).expect_ok();
    let mut lines: Vec<String> = lab
        .remote("farewell.txt")
        .lines()
        .map(String::from)
        .collect();
    lines.sort();
    assert_eq!(lines, ["bye node-0 0", "bye node-1 1"]);
    assert!(lab.ws.state_list().is_empty());
}

#[test]
fn remote_provisioners_without_a_connection_are_refused_by_validate() {
    let ws = Workspace::with_main(
        r#"
resource "null_resource" "box" {
  provisioner "remote-exec" {
    inline = ["uptime"]
  }

  provisioner "chef" {}
}
"#,
    );
    ws.run(&["validate"])
        .expect_code(1)
        .expect_stderr("Missing connection configuration for provisioner")
        .expect_stderr("Unsupported provisioner")
        .expect_stderr("main.tf:3");
}

#[test]
fn a_password_logs_in_and_is_never_shown() {
    if !sshd::available() {
        return;
    }
    let password = "correct-horse-9-battery";
    let Some(server) = Sshd::with_root_password(&[], password) else {
        return;
    };
    let ws = Workspace::new();
    let remote = ws.file("remote");
    std::fs::create_dir(&remote).expect("mkdir remote");
    let config = r#"
variable "password" {
  type      = string
  sensitive = true
}

resource "null_resource" "box" {
  connection {
    host     = "127.0.0.1"
    port     = @PORT@
    user     = "root"
    password = var.password
    host_key = "@HOST_KEY@"
    agent    = false
    timeout  = "10s"
  }

  provisioner "remote-exec" {
    inline = ["echo logged in with a password > @REMOTE@/password.txt"]
  }
}
"#
    .replace("@PORT@", &server.port.to_string())
    .replace("@HOST_KEY@", &server.host_key())
    .replace("@REMOTE@", &remote.to_string_lossy());
    ws.write("main.tf", &config);
    let wrong = ws.run(&["apply", "-auto-approve", "-var", "password=not-it"]);
    wrong
        .expect_code(1)
        .expect_stderr("null_resource.box")
        .expect_nowhere("not-it");
    let applied = ws.run(&[
        "apply",
        "-auto-approve",
        "-var",
        &format!("password={password}"),
    ]);
    applied
        .expect_ok()
        .expect_stdout("null_resource.box (remote-exec):   Password: true")
        .expect_stdout("null_resource.box (remote-exec): Connected!")
        .expect_nowhere(password);
    assert_eq!(
        std::fs::read_to_string(remote.join("password.txt")).expect("written"),
        "logged in with a password\n"
    );
}
