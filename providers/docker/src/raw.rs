//! JSON requests to Engine API endpoints bollard does not cover (swarm configs) or where plinth
//! wants the Engine's own JSON (secrets, services, tasks): one HTTP/1.0 exchange per request
//! over the engine's socket, TCP, TLS or ssh tunnel, with the negotiated API version.

use std::sync::Arc;
use std::time::Duration;

use plinth_sdk::{Diagnostic, Diagnostics};
use serde_json::Value as Json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};

use crate::client::{Endpoint, Engine};
use crate::transport::Tls;

/// The longest one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// An Engine API answer that was not a success: its status and Docker's message.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status (0 when no answer came).
    pub status: u16,
    /// Docker's message, or what went wrong on the way.
    pub message: String,
}

impl ApiError {
    /// Whether the object does not exist (404).
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// A diagnostic `summary` with Docker's message as detail.
    pub fn diagnostic(&self, summary: impl Into<String>) -> Diagnostic {
        Diagnostic::error(summary).with_detail(format!("Docker: {}", self.message))
    }

    fn transport(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 0,
            message: message.into(),
        }
    }
}

/// One request: `method` on `path` (below the version prefix, with its query), an optional JSON
/// body and extra headers; the JSON answer (null for an empty body).
pub async fn request(
    engine: &Engine,
    method: &str,
    path: &str,
    body: Option<&Json>,
    headers: &[(&str, String)],
) -> Result<Json, ApiError> {
    let docker = engine
        .docker()
        .await
        .map_err(|d| ApiError::transport(d.to_string()))?;
    let version = docker.client_version();
    let body = body.map(Json::to_string).unwrap_or_default();
    let mut head = format!(
        "{method} /v{}.{}{path} HTTP/1.0\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        version.major_version,
        version.minor_version,
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut message = head.into_bytes();
    message.extend_from_slice(body.as_bytes());
    let exchange = async {
        match engine.endpoint() {
            Endpoint::Unix(path) => {
                let stream = UnixStream::connect(&path)
                    .await
                    .map_err(|e| ApiError::transport(format!("{}: {e}", path.display())))?;
                exchange(stream, &message).await
            }
            Endpoint::Tcp(address) => {
                let stream = TcpStream::connect(&address)
                    .await
                    .map_err(|e| ApiError::transport(format!("{address}: {e}")))?;
                exchange(stream, &message).await
            }
            Endpoint::Tls(address, tls) => {
                let stream = tls_stream(&address, tls).await?;
                exchange(stream, &message).await
            }
        }
    };
    let answer = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
        .await
        .map_err(|_| ApiError::transport("the Docker Engine did not answer in time"))??;
    parse(&answer)
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    message: &[u8],
) -> Result<Vec<u8>, ApiError> {
    stream
        .write_all(message)
        .await
        .map_err(|e| ApiError::transport(e.to_string()))?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .map_err(|e| ApiError::transport(e.to_string()))?;
    Ok(answer)
}

/// A TLS connection with the client certificate of `tls`.
async fn tls_stream(
    address: &str,
    tls: &Tls,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ApiError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
    let pem = |what: &str, e: &dyn std::fmt::Display| {
        ApiError::transport(format!("reading the TLS {what} failed: {e}"))
    };
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(tls.ca()).map_err(|e| pem("CA", &e))? {
        roots
            .add(ca.map_err(|e| pem("CA", &e))?)
            .map_err(|e| pem("CA", &e))?;
    }
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(tls.cert())
        .map_err(|e| pem("certificate", &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| pem("certificate", &e))?;
    let key = PrivateKeyDer::from_pem_file(tls.key()).map_err(|e| pem("key", &e))?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_client_auth_cert(certs, key)
        .map_err(|e| pem("certificate", &e))?;
    let host = address.rsplit_once(':').map_or(address, |(h, _)| h);
    let name = ServerName::try_from(host.trim_matches(['[', ']']).to_string())
        .map_err(|e| ApiError::transport(format!("{host}: {e}")))?;
    let tcp = TcpStream::connect(address)
        .await
        .map_err(|e| ApiError::transport(format!("{address}: {e}")))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| ApiError::transport(format!("TLS with {address}: {e}")))
}

/// The JSON of an HTTP/1.0 answer, or the error it carries.
fn parse(answer: &[u8]) -> Result<Json, ApiError> {
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| ApiError::transport("the Docker Engine's answer was cut short"))?;
    let head = String::from_utf8_lossy(&answer[..split]);
    let body = &answer[split + 4..];
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ApiError::transport("the Docker Engine's answer has no status"))?;
    let json = if body.iter().all(u8::is_ascii_whitespace) {
        Json::Null
    } else {
        serde_json::from_slice(body)
            .unwrap_or_else(|_| Json::String(String::from_utf8_lossy(body).trim().to_string()))
    };
    if (200..300).contains(&status) {
        return Ok(json);
    }
    let message = match &json {
        Json::Object(map) => map
            .get("message")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        Json::String(s) => s.clone(),
        _ => String::new(),
    };
    Err(ApiError { status, message })
}

/// `?filters=...` for a list call: the Engine's JSON filter map, percent-encoded.
pub fn filters(pairs: &[(&str, &str)]) -> String {
    let mut map = serde_json::Map::new();
    for (key, value) in pairs {
        let entry = map
            .entry(key.to_string())
            .or_insert_with(|| Json::Array(Vec::new()));
        if let Json::Array(values) = entry {
            values.push(Json::String(value.to_string()));
        }
    }
    format!("?filters={}", encode(&Json::Object(map).to_string()))
}

/// Percent-encodes everything but unreserved characters.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An error for a failed call, as diagnostics.
pub fn failed(summary: impl Into<String>, error: &ApiError) -> Diagnostics {
    error.diagnostic(summary).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed_and_errors_keep_dockers_message() {
        let ok = parse(
            b"HTTP/1.0 201 Created\r\nContent-Type: application/json\r\n\r\n{\"ID\":\"x\"}\n",
        )
        .expect("ok");
        assert_eq!(ok["ID"], "x");
        let empty = parse(b"HTTP/1.0 204 No Content\r\n\r\n").expect("empty");
        assert_eq!(empty, Json::Null);
        let err = parse(b"HTTP/1.0 404 Not Found\r\n\r\n{\"message\":\"config x not found\"}")
            .expect_err("error");
        assert!(err.is_not_found());
        assert_eq!(err.message, "config x not found");
    }

    #[test]
    fn filters_are_json_and_percent_encoded() {
        assert_eq!(
            filters(&[("label", "plinth.intent=a b")]),
            "?filters=%7B%22label%22%3A%5B%22plinth.intent%3Da%20b%22%5D%7D"
        );
    }
}
