//! Direct requests to Engine API endpoints bollard does not cover (swarm configs, plugins) or
//! covers without every option (container logs with `details`), or where plinth wants the
//! Engine's own JSON (secrets, services, tasks): reqwest over the same unix socket, ssh tunnel,
//! plain TCP or TLS connection the provider uses, with the negotiated API version.

use bytes::Bytes;
use plinth_sdk::{Diagnostic, Diagnostics};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value as Json;

use crate::client::{Endpoint, Engine};

/// Seconds one direct request may take.
const TIMEOUT_SECS: u64 = 120;

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

/// An error for a failed call, as diagnostics.
pub fn failed(summary: impl Into<String>, error: &ApiError) -> Diagnostics {
    error.diagnostic(summary).into()
}

/// A client for the engine's connection and the base URL its paths go below.
fn client(engine: &Engine) -> Result<(Client, String), ApiError> {
    let builder = Client::builder().timeout(std::time::Duration::from_secs(TIMEOUT_SECS));
    let (builder, base) = match engine.endpoint() {
        Endpoint::Unix(path) => (builder.unix_socket(path), "http://docker".to_string()),
        Endpoint::Tcp(address) => (builder, format!("http://{address}")),
        Endpoint::Tls(address, tls) => {
            let read = |file: &std::path::Path| {
                std::fs::read(file).map_err(|e| {
                    ApiError::transport(format!("reading {} failed: {e}", file.display()))
                })
            };
            let mut pem = read(&tls.cert())?;
            pem.extend(read(&tls.key())?);
            let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
                ApiError::transport(format!("the TLS client certificate is not usable: {e}"))
            })?;
            let ca = reqwest::Certificate::from_pem(&read(&tls.ca())?).map_err(|e| {
                ApiError::transport(format!("the TLS certificate authority is not usable: {e}"))
            })?;
            let builder = builder
                .identity(identity)
                .add_root_certificate(ca)
                .tls_built_in_root_certs(false);
            (builder, format!("https://{address}"))
        }
    };
    let client = builder
        .build()
        .map_err(|e| ApiError::transport(format!("preparing the Engine API client failed: {e}")))?;
    Ok((client, base))
}

/// Sends `method path_and_query` with an optional JSON body and extra headers; the status and
/// the body of the answer.
async fn send(
    engine: &Engine,
    method: Method,
    path_and_query: &str,
    body: Option<&Json>,
    headers: &[(&str, String)],
) -> Result<(StatusCode, Bytes), ApiError> {
    let (client, base) = client(engine)?;
    let mut request = client.request(method, format!("{base}{path_and_query}"));
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request
        .send()
        .await
        .map_err(|e| ApiError::transport(format!("Docker Engine unreachable: {e}")))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| ApiError::transport(format!("reading the Engine API answer failed: {e}")))?;
    Ok((status, body))
}

/// The status and body of `GET path_and_query` (such as `/plugins/x/json`), unversioned.
pub async fn get(
    engine: &Engine,
    path_and_query: &str,
) -> Result<(StatusCode, Bytes), Diagnostics> {
    send(engine, Method::GET, path_and_query, None, &[])
        .await
        .map_err(|e| {
            Diagnostic::error("Engine API request failed")
                .with_detail(e.message)
                .into()
        })
}

/// One JSON request: `method` on `path` (below the negotiated version prefix, with its query),
/// an optional JSON body and extra headers; the JSON answer (null for an empty body).
pub async fn request(
    engine: &Engine,
    method: &str,
    path: &str,
    body: Option<&Json>,
    headers: &[(&str, String)],
) -> Result<Json, ApiError> {
    let version = engine
        .docker()
        .await
        .map_err(|d| ApiError::transport(d.to_string()))?
        .client_version();
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|e| ApiError::transport(format!("{method}: {e}")))?;
    let versioned = format!(
        "/v{}.{}{path}",
        version.major_version, version.minor_version
    );
    let (status, body) = send(engine, method, &versioned, body, headers).await?;
    answer(status, &body)
}

/// The JSON of an answer, or the error it carries.
fn answer(status: StatusCode, body: &[u8]) -> Result<Json, ApiError> {
    let json = if body.iter().all(u8::is_ascii_whitespace) {
        Json::Null
    } else {
        serde_json::from_slice(body)
            .unwrap_or_else(|_| Json::String(String::from_utf8_lossy(body).trim().to_string()))
    };
    if status.is_success() {
        return Ok(json);
    }
    Err(ApiError {
        status: status.as_u16(),
        message: message(body),
    })
}

/// The engine's error message in a JSON error body (`{"message": "..."}`), else the body.
pub fn message(body: &[u8]) -> String {
    serde_json::from_slice::<Json>(body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed_and_errors_keep_dockers_message() {
        let ok = answer(StatusCode::CREATED, b"{\"ID\":\"x\"}\n").expect("ok");
        assert_eq!(ok["ID"], "x");
        let empty = answer(StatusCode::NO_CONTENT, b"").expect("empty");
        assert_eq!(empty, Json::Null);
        let err = answer(
            StatusCode::NOT_FOUND,
            b"{\"message\":\"config x not found\"}",
        )
        .expect_err("error");
        assert!(err.is_not_found());
        assert_eq!(err.message, "config x not found");
        let plain = answer(StatusCode::INTERNAL_SERVER_ERROR, b"boom\n").expect_err("error");
        assert_eq!(plain.message, "boom");
    }

    #[test]
    fn filters_are_json_and_percent_encoded() {
        assert_eq!(
            filters(&[("label", "plinth.intent=a b")]),
            "?filters=%7B%22label%22%3A%5B%22plinth.intent%3Da%20b%22%5D%7D"
        );
    }
}
