//! The built-in `tls` provider end to end: tls_private_key for each algorithm, its encodings
//! checked with OpenSSL and OpenSSH's own tools, private parts never printed, a no-op plan
//! after, replacement when the algorithm changes.

mod support;

use std::process::Command;

use support::Workspace;

const KEYS: &str = r#"
variable "algorithm" {
  type    = string
  default = "ED25519"
}

resource "tls_private_key" "rsa" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

resource "tls_private_key" "ecdsa" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_private_key" "chosen" {
  algorithm = var.algorithm
}
"#;

/// Runs a tool on a file holding `input`; returns its standard output.
fn tool(ws: &Workspace, input: &str, program: &str, args: &[&str]) -> String {
    ws.write("input.pem", input);
    let output = Command::new(program)
        .args(args)
        .arg(ws.file("input.pem"))
        .output()
        .unwrap_or_else(|e| panic!("running {program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn private_keys_are_generated_in_every_encoding_and_kept_secret() {
    let ws = Workspace::with_main(KEYS);
    let applied = ws.apply();
    let state = ws.state();
    for (address, pem_header, ssh_prefix) in [
        (
            "tls_private_key.rsa",
            "-----BEGIN RSA PRIVATE KEY-----",
            "ssh-rsa ",
        ),
        (
            "tls_private_key.ecdsa",
            "-----BEGIN EC PRIVATE KEY-----",
            "ecdsa-sha2-nistp256 ",
        ),
        (
            "tls_private_key.chosen",
            "-----BEGIN PRIVATE KEY-----",
            "ssh-ed25519 ",
        ),
    ] {
        let key = state.instance(address);
        let private = key.string("private_key_pem").expect("private_key_pem");
        assert!(private.starts_with(pem_header), "{address}: {private}");
        applied.expect_nowhere(private.lines().nth(1).expect("a base64 line"));
        // OpenSSL derives the same public key from the private one.
        let derived = tool(&ws, private, "openssl", &["pkey", "-pubout", "-in"]);
        assert_eq!(
            Some(derived.as_str()),
            key.string("public_key_pem"),
            "{address}"
        );
        let pkcs8 = key.string("private_key_pem_pkcs8").expect("pkcs8");
        assert!(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----"));
        // OpenSSH reads the private key and agrees on the public key and its fingerprint.
        let openssh = key.string("private_key_openssh").expect("openssh");
        assert!(openssh.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
        ws.write("id", openssh);
        std::fs::set_permissions(
            ws.file("id"),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .expect("chmod");
        let from_private = Command::new("ssh-keygen")
            .args(["-y", "-f"])
            .arg(ws.file("id"))
            .output()
            .expect("ssh-keygen -y");
        let authorized = key
            .string("public_key_openssh")
            .expect("public_key_openssh");
        assert!(authorized.starts_with(ssh_prefix), "{authorized}");
        assert_eq!(
            String::from_utf8_lossy(&from_private.stdout).trim(),
            authorized.trim(),
            "{address}"
        );
        let fingerprint = tool(&ws, authorized, "ssh-keygen", &["-l", "-f"]);
        let sha256 = key.string("public_key_fingerprint_sha256").expect("sha256");
        assert!(fingerprint.contains(sha256), "{fingerprint} lacks {sha256}");
        let md5 = tool(&ws, authorized, "ssh-keygen", &["-l", "-E", "md5", "-f"]);
        let ours = key.string("public_key_fingerprint_md5").expect("md5");
        assert!(md5.contains(&format!("MD5:{ours}")), "{md5} lacks {ours}");
    }
    ws.plan(&[]).expect_code(0);
    ws.plan(&["-var", "algorithm=RSA"])
        .expect_code(2)
        .expect_stdout("# tls_private_key.chosen must be replaced");
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
}
