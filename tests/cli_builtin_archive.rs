//! The built-in `archive` provider end to end: `archive_file` data sources zipping a directory
//! (with excludes) and one file, `archive_file` resources zipping `source` blocks and
//! `source_content`; the zips' contents checked with Python's zipfile, their output_* checksums
//! recomputed from the files as Terraform computes them; the same inputs give the same bytes,
//! so a second plan has no changes; a content change replaces the resource.

mod support;

use std::process::Command;

use base64::Engine;
use md5::Digest;
use support::Workspace;

const ARCHIVES: &str = r#"
variable "greeting" {
  type    = string
  default = "hello"
}

data "archive_file" "dir" {
  type             = "zip"
  source_dir       = "${path.module}/src"
  excludes         = ["secret.txt", "build", "*.log"]
  output_path      = "${path.module}/out/dir.zip"
  output_file_mode = "0644"
}

data "archive_file" "single" {
  type        = "zip"
  source_file = "${path.module}/src/app.py"
  output_path = "${path.module}/out/single.zip"
}

resource "archive_file" "blocks" {
  type        = "zip"
  output_path = "${path.module}/out/blocks.zip"
  source {
    content  = var.greeting
    filename = "greeting.txt"
  }
  source {
    content  = "static"
    filename = "nested/static.txt"
  }
}

resource "archive_file" "content" {
  type                    = "zip"
  source_content          = var.greeting
  source_content_filename = "content.txt"
  output_path             = "${path.module}/out/content.zip"
}

resource "null_resource" "deploy" {
  triggers = {
    code = data.archive_file.dir.output_base64sha256
  }
}
"#;

/// The names in a zip, as Python's zipfile lists them.
fn names(ws: &Workspace, zip: &str) -> Vec<String> {
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))",
            zip,
        ])
        .current_dir(ws.path())
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(String::from)
        .collect()
}

/// One file's content in a zip.
fn member(ws: &Workspace, zip: &str, name: &str) -> String {
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())",
            zip,
            name,
        ])
        .current_dir(ws.path())
        .output()
        .expect("python3");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn archives_are_zipped_hashed_stable_and_replaced_on_change() {
    let ws = Workspace::with_main(ARCHIVES);
    ws.write("src/app.py", "print('app')\n");
    ws.write("src/lib/util.py", "X = 1\n");
    ws.write("src/secret.txt", "do not ship\n");
    ws.write("src/build/app.o", "object\n");
    ws.write("src/debug.log", "log\n");
    ws.apply();
    let state = ws.state();

    assert_eq!(
        names(&ws, "out/dir.zip"),
        ["app.py", "lib/util.py"],
        "excluded by name, by directory and by pattern"
    );
    assert_eq!(names(&ws, "out/single.zip"), ["app.py"]);
    assert_eq!(
        names(&ws, "out/blocks.zip"),
        ["greeting.txt", "nested/static.txt"]
    );
    assert_eq!(member(&ws, "out/blocks.zip", "greeting.txt"), "hello");
    assert_eq!(member(&ws, "out/content.zip", "content.txt"), "hello");

    for (address, file) in [
        ("data.archive_file.dir", "out/dir.zip"),
        ("data.archive_file.single", "out/single.zip"),
        ("archive_file.blocks", "out/blocks.zip"),
        ("archive_file.content", "out/content.zip"),
    ] {
        let bytes = ws.read_bytes(file);
        let archive = state.instance(address);
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let sha1 = hex(&sha1::Sha1::digest(&bytes));
        assert_eq!(
            archive.attr("output_size"),
            Some(&serde_json::json!(bytes.len())),
            "{address}"
        );
        assert_eq!(
            archive.string("output_md5"),
            Some(hex(&md5::Md5::digest(&bytes)).as_str())
        );
        assert_eq!(archive.string("output_sha"), Some(sha1.as_str()));
        assert_eq!(archive.string("id"), Some(sha1.as_str()));
        let sha256 = sha2::Sha256::digest(&bytes);
        assert_eq!(archive.string("output_sha256"), Some(hex(&sha256).as_str()));
        assert_eq!(
            archive.string("output_base64sha256"),
            Some(b64(&sha256).as_str())
        );
        let sha512 = sha2::Sha512::digest(&bytes);
        assert_eq!(archive.string("output_sha512"), Some(hex(&sha512).as_str()));
        assert_eq!(
            archive.string("output_base64sha512"),
            Some(b64(&sha512).as_str())
        );
    }

    ws.plan(&[]).expect_code(0);
    ws.plan(&["-var", "greeting=bonjour"])
        .expect_code(2)
        .expect_stdout("# archive_file.blocks must be replaced")
        .expect_stdout("# archive_file.content must be replaced")
        .expect_stdout("Plan: 2 to add, 0 to change, 2 to destroy.");
    ws.write("src/lib/util.py", "X = 2\n");
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# null_resource.deploy must be replaced");
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert!(ws.state_list().is_empty());
}

#[test]
fn an_archive_needs_exactly_one_kind_of_source() {
    let ws = Workspace::with_main(
        r#"
data "archive_file" "both" {
  type                    = "zip"
  source_file             = "${path.module}/a.txt"
  source_content          = "x"
  source_content_filename = "x.txt"
  output_path             = "${path.module}/both.zip"
}
"#,
    );
    ws.write("a.txt", "a");
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Exactly one of source, source_content_filename")
        .expect_stderr("data.archive_file.both");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
