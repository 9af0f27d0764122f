//! The built-in `null` and `local` providers end to end: null_resource replaced when its
//! triggers change; local_file written with its permissions and hashes, replaced when its content
//! changes, written again when deleted or edited outside plinth, removed on destroy; sensitive
//! file content never printed; the data sources read what they should.

mod support;

use support::{mode_of, Workspace};

#[test]
fn null_resource_is_replaced_when_its_triggers_change() {
    let ws = Workspace::with_main(
        r#"
variable "release" {
  type    = string
  default = "v1"
}

resource "null_resource" "deploy" {
  triggers = { release = var.release }
}

data "null_data_source" "echo" {
  inputs = { release = var.release }
}

output "echoed" {
  value = data.null_data_source.echo.outputs.release
}
"#,
    );
    ws.apply();
    let first = ws.state().instance("null_resource.deploy");
    let id = first.string("id").expect("id").to_string();
    assert!(id.parse::<u64>().is_ok(), "a decimal id, got {id}");
    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    assert_eq!(outputs["echoed"]["value"], "v1");
    ws.plan(&[]).expect_code(0);
    ws.plan(&["-var", "release=v2"])
        .expect_code(2)
        .expect_stdout("# null_resource.deploy must be replaced")
        .expect_stdout("# forces replacement");
    ws.run(&["apply", "-auto-approve", "-var", "release=v2"])
        .expect_ok();
    let second = ws.state().instance("null_resource.deploy");
    assert_ne!(second.string("id"), Some(id.as_str()));
    ws.run(&["destroy", "-auto-approve", "-var", "release=v2"])
        .expect_ok();
    assert!(ws.state_list().is_empty());
}

const FILES: &str = r#"
variable "greeting" {
  type    = string
  default = "hello"
}

resource "local_file" "config" {
  filename             = "${path.module}/out/app/config.txt"
  content              = "${var.greeting}, world\n"
  file_permission      = "0640"
  directory_permission = "0750"
}

resource "local_file" "binary" {
  filename       = "${path.module}/out/blob.bin"
  content_base64 = "AAEC/w=="
}

resource "local_file" "copy" {
  filename = "${path.module}/out/copy.txt"
  source   = local_file.config.filename
}

resource "local_sensitive_file" "key" {
  filename = "${path.module}/out/key.txt"
  content  = "top-secret-key-material"
}

data "local_file" "read_back" {
  filename = local_file.config.filename
}

output "read_back" {
  value = data.local_file.read_back.content
}
"#;

#[test]
fn local_files_are_written_kept_rewritten_and_removed() {
    let ws = Workspace::with_main(FILES);
    let applied = ws.apply();
    applied.expect_nowhere("top-secret-key-material");
    assert_eq!(ws.read("out/app/config.txt"), "hello, world\n");
    assert_eq!(ws.read_bytes("out/blob.bin"), [0u8, 1, 2, 255]);
    assert_eq!(ws.read("out/copy.txt"), "hello, world\n");
    assert_eq!(ws.read("out/key.txt"), "top-secret-key-material");
    // The umask may only remove bits.
    assert_eq!(mode_of(&ws.file("out/app/config.txt")) & !0o640, 0);
    assert_eq!(mode_of(&ws.file("out/app")) & !0o750, 0);
    assert_eq!(mode_of(&ws.file("out/key.txt")) & !0o700, 0);

    let config = ws.state().instance("local_file.config");
    // sha1("hello, world\n") and its other hashes, as Terraform computes them.
    assert_eq!(
        config.string("id"),
        Some("cd50d19784897085a8d0e3e413f8612b097c03f1")
    );
    assert_eq!(config.string("content_sha1"), config.string("id"));
    assert_eq!(
        config.string("content_md5"),
        Some("22c3683b094136c3398391ae71b20f04")
    );
    assert_eq!(
        config.string("content_base64sha256"),
        Some("hT/5N2Kgbdv3IsTr6d3WbY9j3a6pf1IcPswg2nyXYCA=")
    );
    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    assert_eq!(outputs["read_back"]["value"], "hello, world\n");

    ws.plan(&[])
        .expect_code(0)
        .expect_nowhere("top-secret-key-material");

    // Deleted outside plinth: the next plan writes it again.
    std::fs::remove_file(ws.file("out/blob.bin")).expect("remove");
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# local_file.binary will be created");
    // Edited outside plinth: the same.
    ws.write("out/key.txt", "tampered");
    ws.apply();
    assert_eq!(ws.read_bytes("out/blob.bin"), [0u8, 1, 2, 255]);
    assert_eq!(ws.read("out/key.txt"), "top-secret-key-material");

    ws.plan(&["-var", "greeting=bye"])
        .expect_code(2)
        .expect_stdout("# local_file.config must be replaced");
    ws.run(&["apply", "-auto-approve", "-var", "greeting=bye"])
        .expect_ok();
    assert_eq!(ws.read("out/app/config.txt"), "bye, world\n");

    ws.run(&["destroy", "-auto-approve", "-var", "greeting=bye"])
        .expect_ok()
        .expect_nowhere("top-secret-key-material");
    for file in [
        "out/app/config.txt",
        "out/blob.bin",
        "out/copy.txt",
        "out/key.txt",
    ] {
        assert!(!ws.exists(file), "{file} is still there");
    }
}

#[test]
fn a_local_file_needs_exactly_one_content_argument() {
    let ws = Workspace::with_main(
        r#"
resource "local_file" "nothing" {
  filename = "x.txt"
}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("exactly one of content, sensitive_content, content_base64 or source");
}
