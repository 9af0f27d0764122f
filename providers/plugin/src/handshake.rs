//! The go-plugin handshake: what plinth tells a provider through its environment, and the line
//! the provider answers with on stdout, `CORE|PROTOCOL|NETWORK|ADDRESS|grpc|CERT`.
//!
//! The protocol version is the one the line announces, whatever was offered (providers answer
//! 6 even when asked for 5 only). The address must be a unix socket or a loopback TCP address:
//! plinth talks to its own child process and nothing else. `CERT` is the provider's TLS
//! certificate (DER, base64 without padding); empty means the provider serves plaintext.

use std::net::SocketAddr;
use std::path::PathBuf;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

/// The magic cookie's variable: go-plugin servers refuse to start without it.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The magic cookie's value for Terraform providers.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The protocol versions plinth speaks, offered in `PLUGIN_PROTOCOL_VERSIONS`.
pub const PROTOCOL_VERSIONS: [u32; 2] = [5, 6];
/// The port range offered for TCP listeners (go-plugin's defaults).
pub const PORT_RANGE: (u16, u16) = (10000, 25000);

/// The environment a provider is started with. `client_cert_pem` is plinth's certificate for
/// AutoMTLS (`PLUGIN_CLIENT_CERT`); the provider answers with its own in the handshake line.
pub fn environment(client_cert_pem: Option<&str>) -> Vec<(&'static str, String)> {
    let versions = PROTOCOL_VERSIONS.map(|v| v.to_string()).join(",");
    let mut env = vec![
        (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE.to_string()),
        ("PLUGIN_PROTOCOL_VERSIONS", versions),
        ("PLUGIN_MIN_PORT", PORT_RANGE.0.to_string()),
        ("PLUGIN_MAX_PORT", PORT_RANGE.1.to_string()),
    ];
    if let Some(pem) = client_cert_pem {
        env.push(("PLUGIN_CLIENT_CERT", pem.to_string()));
    }
    env
}

/// Where the provider listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    /// A unix socket path.
    Unix(PathBuf),
    /// A loopback TCP address.
    Tcp(SocketAddr),
}

/// A parsed handshake line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handshake {
    /// The plugin protocol's major version the provider serves (5 or 6).
    pub protocol_version: u32,
    /// Where it listens.
    pub address: Address,
    /// Its TLS certificate (DER), absent when it serves plaintext.
    pub server_cert: Option<Vec<u8>>,
}

/// Parses the handshake line (without its line ending).
pub fn parse(line: &str) -> Result<Handshake, String> {
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    if parts.len() < 4 {
        return Err(format!(
            "expected CORE|PROTOCOL|NETWORK|ADDRESS|grpc|CERT, got {line:?}"
        ));
    }
    if parts[0] != "1" {
        return Err(format!(
            "go-plugin core version {:?} is not supported (1 is)",
            parts[0]
        ));
    }
    let protocol_version: u32 = parts[1]
        .parse()
        .map_err(|_| format!("protocol version {:?} is not a number", parts[1]))?;
    if !PROTOCOL_VERSIONS.contains(&protocol_version) {
        return Err(format!(
            "the provider speaks plugin protocol {protocol_version}; plinth speaks 5 and 6"
        ));
    }
    let address = match parts[2] {
        "unix" => Address::Unix(PathBuf::from(parts[3])),
        "tcp" => {
            let addr: SocketAddr = parts[3]
                .parse()
                .map_err(|_| format!("bad TCP address {:?}", parts[3]))?;
            if !addr.ip().is_loopback() {
                return Err(format!("refusing non-loopback provider address {addr}"));
            }
            Address::Tcp(addr)
        }
        other => return Err(format!("unsupported network {other:?}")),
    };
    match parts.get(4) {
        Some(&"grpc") => {}
        Some(other) => return Err(format!("RPC protocol {other:?} is not supported (grpc is)")),
        None => return Err("the provider does not say it serves grpc".into()),
    }
    let server_cert = match parts.get(5).map(|c| c.trim()) {
        None | Some("") => None,
        Some(text) => {
            let engine = GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                GeneralPurposeConfig::new()
                    .with_decode_padding_mode(DecodePaddingMode::Indifferent),
            );
            Some(
                engine
                    .decode(text)
                    .map_err(|e| format!("the server certificate is not base64: {e}"))?,
            )
        }
    };
    Ok(Handshake {
        protocol_version,
        address,
        server_cert,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_provider_lines_parse() {
        let h = parse("1|6|unix|/tmp/plugin123|grpc|AAEC\n").unwrap();
        assert_eq!(h.protocol_version, 6);
        assert_eq!(h.address, Address::Unix("/tmp/plugin123".into()));
        assert_eq!(h.server_cert, Some(vec![0, 1, 2]));
        let padded = parse("1|5|tcp|127.0.0.1:10001|grpc|AAE=").unwrap();
        assert_eq!(padded.server_cert, Some(vec![0, 1]));
        assert_eq!(
            padded.address,
            Address::Tcp("127.0.0.1:10001".parse().unwrap())
        );
        assert_eq!(parse("1|6|unix|/s|grpc|").unwrap().server_cert, None);
    }

    #[test]
    fn bad_lines_are_refused_with_reason() {
        for (line, says) in [
            ("hello", "expected CORE"),
            ("2|6|unix|/s|grpc|", "core version"),
            ("1|4|unix|/s|grpc|", "protocol 4"),
            ("1|6|tcp|10.0.0.1:1|grpc|", "non-loopback"),
            ("1|6|udp|x|grpc|", "network"),
            ("1|6|unix|/s|netrpc|", "netrpc"),
            ("1|6|unix|/s|grpc|!!", "base64"),
        ] {
            let err = parse(line).unwrap_err();
            assert!(err.contains(says), "{line}: {err}");
        }
    }

    #[test]
    fn environment_offers_both_versions_and_the_cookie() {
        let env = environment(Some("PEM"));
        assert!(env.contains(&(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE.to_string())));
        assert!(env.contains(&("PLUGIN_PROTOCOL_VERSIONS", "5,6".to_string())));
        assert!(env.contains(&("PLUGIN_CLIENT_CERT", "PEM".to_string())));
    }
}
