//! The built-in `tls` provider's certificates end to end: a self-signed CA, a certificate
//! request and a certificate the CA signs, checked with OpenSSL (chain, names, usages); the
//! `tls_public_key` data source from PEM and OpenSSH keys; private keys never printed; a no-op
//! plan after; `early_renewal_hours` updated in place until the renewal time has come, then a
//! replacement; a subject change replacing the CA and what it signed.

mod support;

use std::process::Command;

use support::Workspace;

const CERTS: &str = r#"
variable "organization" {
  type    = string
  default = "Plinth Test"
}

variable "renew_hours" {
  type    = number
  default = 0
}

resource "tls_private_key" "ca" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_self_signed_cert" "ca" {
  private_key_pem = tls_private_key.ca.private_key_pem
  subject {
    common_name  = "plinth utility CA"
    organization = var.organization
  }
  validity_period_hours = 24
  early_renewal_hours   = var.renew_hours
  is_ca_certificate     = true
  set_subject_key_id    = true
  allowed_uses          = ["cert_signing", "crl_signing", "digital_signature"]
}

resource "tls_private_key" "server" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

resource "tls_cert_request" "server" {
  private_key_pem = tls_private_key.server.private_key_pem
  subject {
    common_name = "server.test"
  }
  dns_names    = ["server.test", "localhost"]
  ip_addresses = ["127.0.0.1"]
  uris         = ["spiffe://plinth/server"]
}

resource "tls_locally_signed_cert" "server" {
  cert_request_pem      = tls_cert_request.server.cert_request_pem
  ca_private_key_pem    = tls_private_key.ca.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.ca.cert_pem
  validity_period_hours = 12
  allowed_uses          = ["key_encipherment", "digital_signature", "server_auth"]
}

resource "tls_private_key" "edge" {
  algorithm = "ED25519"
}

resource "tls_self_signed_cert" "edge" {
  private_key_pem = tls_private_key.edge.private_key_pem
  subject {
    common_name = "edge"
  }
  validity_period_hours = 1
  allowed_uses          = ["server_auth", "client_auth"]
}

data "tls_public_key" "from_pem" {
  private_key_pem = tls_private_key.server.private_key_pem
}

data "tls_public_key" "from_openssh" {
  private_key_openssh = tls_private_key.edge.private_key_openssh
}
"#;

/// Runs OpenSSL with `args`; returns its standard output and error together.
fn openssl(ws: &Workspace, args: &[&str]) -> String {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(ws.path())
        .output()
        .expect("running openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "openssl {args:?} failed: {text}");
    text
}

#[test]
fn certificates_are_signed_verified_renewed_and_replaced() {
    let ws = Workspace::with_main(CERTS);
    let applied = ws.apply();
    let state = ws.state();

    let ca = state.instance("tls_self_signed_cert.ca");
    let ca_pem = ca.string("cert_pem").expect("cert_pem");
    ws.write("ca.pem", ca_pem);
    let ca_text = openssl(&ws, &["x509", "-in", "ca.pem", "-noout", "-text"]);
    assert!(ca_text.contains("CA:TRUE"), "{ca_text}");
    assert!(ca_text.contains("CN = plinth utility CA"), "{ca_text}");
    assert!(ca_text.contains("O = Plinth Test"), "{ca_text}");
    assert!(ca_text.contains("Certificate Sign"), "{ca_text}");
    assert!(ca_text.contains("Subject Key Identifier"), "{ca_text}");
    assert_eq!(ca.string("key_algorithm"), Some("ECDSA"));
    assert_eq!(
        ca.attr("ready_for_renewal"),
        Some(&serde_json::json!(false))
    );
    let serial = openssl(&ws, &["x509", "-in", "ca.pem", "-noout", "-serial"]);
    let serial = serial.trim().trim_start_matches("serial=");
    let id = ca.string("id").expect("id");
    assert_eq!(
        num_from_hex(serial),
        id,
        "the id is the serial number in decimal"
    );
    let start = ca.string("validity_start_time").expect("start");
    let end = ca.string("validity_end_time").expect("end");
    assert!(start.ends_with('Z') && end > start, "{start} .. {end}");

    let request = state.instance("tls_cert_request.server");
    ws.write(
        "server.csr",
        request.string("cert_request_pem").expect("request"),
    );
    openssl(&ws, &["req", "-in", "server.csr", "-noout", "-verify"]);
    assert_eq!(request.string("key_algorithm"), Some("RSA"));

    let server = state.instance("tls_locally_signed_cert.server");
    ws.write("server.pem", server.string("cert_pem").expect("cert_pem"));
    let verified = openssl(&ws, &["verify", "-CAfile", "ca.pem", "server.pem"]);
    assert!(verified.contains("server.pem: OK"), "{verified}");
    let server_text = openssl(&ws, &["x509", "-in", "server.pem", "-noout", "-text"]);
    for expected in [
        "CN = server.test",
        "DNS:server.test",
        "DNS:localhost",
        "IP Address:127.0.0.1",
        "URI:spiffe://plinth/server",
        "TLS Web Server Authentication",
        "Key Encipherment",
        "CA:FALSE",
        "Issuer: O = Plinth Test, CN = plinth utility CA",
    ] {
        assert!(
            server_text.contains(expected),
            "{expected} in {server_text}"
        );
    }
    assert_eq!(server.string("ca_key_algorithm"), Some("ECDSA"));

    let edge = state.instance("tls_self_signed_cert.edge");
    ws.write("edge.pem", edge.string("cert_pem").expect("cert_pem"));
    let edge_text = openssl(&ws, &["x509", "-in", "edge.pem", "-noout", "-text"]);
    assert!(edge_text.contains("ED25519"), "{edge_text}");
    assert!(
        !edge_text.contains("Subject Key Identifier"),
        "set_subject_key_id defaults to false: {edge_text}"
    );

    let from_pem = state.instance("data.tls_public_key.from_pem");
    let server_key = state.instance("tls_private_key.server");
    assert_eq!(from_pem.string("algorithm"), Some("RSA"));
    for attribute in [
        "public_key_pem",
        "public_key_openssh",
        "public_key_fingerprint_md5",
        "public_key_fingerprint_sha256",
        "id",
    ] {
        assert_eq!(
            from_pem.string(attribute),
            server_key.string(attribute),
            "{attribute}"
        );
    }
    let from_openssh = state.instance("data.tls_public_key.from_openssh");
    let edge_key = state.instance("tls_private_key.edge");
    assert_eq!(from_openssh.string("algorithm"), Some("ED25519"));
    assert_eq!(
        from_openssh.string("public_key_openssh"),
        edge_key.string("public_key_openssh")
    );
    assert_eq!(
        from_openssh.string("public_key_pem"),
        edge_key.string("public_key_pem")
    );

    for key in ["tls_private_key.ca", "tls_private_key.server"] {
        let private = state.instance(key);
        let private = private.string("private_key_pem").expect("private key");
        applied.expect_nowhere(private.lines().nth(1).expect("a base64 line"));
    }

    let unchanged = ws.plan(&[]);
    unchanged.expect_code(0);
    ws.plan(&["-var", "renew_hours=1"])
        .expect_code(2)
        .expect_stdout("# tls_self_signed_cert.ca will be updated in-place")
        .expect_stdout("Plan: 0 to add, 1 to change, 0 to destroy.");
    ws.plan(&["-var", "renew_hours=48"])
        .expect_code(2)
        .expect_stdout("# tls_self_signed_cert.ca must be replaced")
        .expect_stdout("ready_for_renewal");
    ws.run(&["apply", "-auto-approve", "-var", "renew_hours=1"])
        .expect_ok();
    assert_eq!(
        ws.state()
            .instance("tls_self_signed_cert.ca")
            .string("cert_pem"),
        Some(ca_pem),
        "an early_renewal_hours change keeps the certificate"
    );
    ws.plan(&["-var", "renew_hours=1", "-var", "organization=Other"])
        .expect_code(2)
        .expect_stdout("# tls_self_signed_cert.ca must be replaced")
        .expect_stdout("# tls_locally_signed_cert.server must be replaced");
    ws.run(&["destroy", "-auto-approve", "-var", "renew_hours=1"])
        .expect_ok();
    assert!(ws.state_list().is_empty());
}

#[test]
fn a_public_key_needs_exactly_one_private_key() {
    let ws = Workspace::with_main(
        r#"
data "tls_public_key" "none" {}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Exactly one of private_key_pem and private_key_openssh");
}

/// The decimal form of a hexadecimal number (OpenSSL prints serials in hex).
fn num_from_hex(hex: &str) -> String {
    let mut digits: Vec<u32> = vec![0];
    for c in hex.chars() {
        let mut carry = c.to_digit(16).expect("hex digit");
        for d in digits.iter_mut() {
            let v = *d * 16 + carry;
            *d = v % 10;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push(carry % 10);
            carry /= 10;
        }
    }
    digits.iter().rev().map(|d| d.to_string()).collect()
}
