//! Direct GET requests to the Engine API for what bollard does not offer (plugins) or offers
//! without every option (container logs with `details`), over the same unix socket, ssh tunnel,
//! plain TCP or TLS connection the provider uses.

use bytes::Bytes;
use plinth_sdk::{Diagnostic, Diagnostics};
use reqwest::{Client, StatusCode};

use crate::client::{Endpoint, Engine};

/// Seconds one direct request may take.
const TIMEOUT_SECS: u64 = 120;

/// The status and body of `GET path_and_query` (such as `/plugins/x/json`).
pub async fn get(
    engine: &Engine,
    path_and_query: &str,
) -> Result<(StatusCode, Bytes), Diagnostics> {
    let failed = |summary: &str, e: &dyn std::fmt::Display| {
        Diagnostics::from(Diagnostic::error(summary.to_string()).with_detail(e.to_string()))
    };
    let builder = Client::builder().timeout(std::time::Duration::from_secs(TIMEOUT_SECS));
    let (builder, base) = match engine.endpoint() {
        Endpoint::Unix(path) => (builder.unix_socket(path), "http://docker".to_string()),
        Endpoint::Tcp(address) => (builder, format!("http://{address}")),
        Endpoint::Tls(address, tls) => {
            let (url, dir) = (format!("https://{address}"), tls.dir.clone());
            let read = |file: &str| {
                std::fs::read(dir.join(file))
                    .map_err(|e| failed(&format!("reading {}/{file} failed", dir.display()), &e))
            };
            let mut pem = read("cert.pem")?;
            pem.extend(read("key.pem")?);
            let identity = reqwest::Identity::from_pem(&pem)
                .map_err(|e| failed("the TLS client certificate is not usable", &e))?;
            let ca = reqwest::Certificate::from_pem(&read("ca.pem")?)
                .map_err(|e| failed("the TLS certificate authority is not usable", &e))?;
            (
                builder
                    .identity(identity)
                    .add_root_certificate(ca)
                    .tls_built_in_root_certs(false),
                url,
            )
        }
    };
    let client = builder
        .build()
        .map_err(|e| failed("preparing the Engine API client failed", &e))?;
    let url = format!("{}{path_and_query}", base.trim_end_matches('/'));
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| failed("Docker Engine unreachable", &e))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| failed("reading the Engine API answer failed", &e))?;
    Ok((status, body))
}

/// The engine's error message in a JSON error body (`{"message": "..."}`), else the body.
pub fn message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string())
}
