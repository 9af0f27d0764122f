//! The registry's v2 HTTP API, for what the engine cannot tell: a manifest's digest (`HEAD
//! /v2/<name>/manifests/<tag>` with the manifest media types accepted) and deleting a manifest.
//!
//! Credentials go as basic auth; a registry answering 401 with a `Bearer` challenge gets the
//! token flow (the challenge's realm is asked for a token with the credentials, the request is
//! sent again with it). Without a scheme in the `registry_auth` address, HTTPS is spoken, and a
//! loopback registry that does not speak TLS is asked again over plain HTTP, as the Docker
//! Engine treats 127.0.0.0/8 registries as insecure.

use reqwest::header::{HeaderMap, ACCEPT, WWW_AUTHENTICATE};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use sha2::Digest as _;

use super::{Credential, Entry, Reference};
use plinth_sdk::{Diagnostic, Diagnostics};

/// The manifest media types a digest is asked for (Docker schema 2, lists and OCI).
const MANIFEST_TYPES: [&str; 4] = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
];

/// Seconds one registry request may take.
const TIMEOUT_SECS: u64 = 60;

/// A registry's HTTP API for one repository, with the credential to use.
pub struct Registry<'a> {
    client: Client,
    bases: Vec<String>,
    reference: &'a Reference,
    credential: Option<&'a Credential>,
}

impl<'a> Registry<'a> {
    /// The API of `reference`'s registry, reached as `entry` says (scheme, credential).
    pub fn new(
        reference: &'a Reference,
        entry: Option<&'a Entry>,
        insecure_skip_verify: bool,
    ) -> Result<Registry<'a>, Diagnostics> {
        let client = Client::builder()
            .danger_accept_invalid_certs(insecure_skip_verify)
            .timeout(std::time::Duration::from_secs(TIMEOUT_SECS))
            .build()
            .map_err(|e| {
                Diagnostics::from(
                    Diagnostic::error("preparing the registry client failed")
                        .with_detail(e.to_string()),
                )
            })?;
        let host = &reference.registry;
        let bases = match entry.and_then(|e| e.scheme.as_deref()) {
            Some(scheme) => vec![format!("{scheme}://{host}")],
            None if is_loopback(host) => vec![format!("https://{host}"), format!("http://{host}")],
            None => vec![format!("https://{host}")],
        };
        Ok(Registry {
            client,
            bases,
            reference,
            credential: entry.and_then(|e| e.credential.as_ref()),
        })
    }

    /// The digest of the manifest the reference's tag names; None when the registry has none.
    pub async fn digest(&self) -> Result<Option<String>, Diagnostics> {
        let path = format!(
            "/v2/{}/manifests/{}",
            self.reference.path, self.reference.tag
        );
        let head = self.send(Method::HEAD, &path).await?;
        match head.status() {
            StatusCode::NOT_FOUND => return Ok(None),
            status if !status.is_success() => return Err(self.refused(status, "reading")),
            _ => {}
        }
        if let Some(digest) = content_digest(head.headers()) {
            return Ok(Some(digest));
        }
        // No digest header: the digest of the manifest itself.
        let get = self.send(Method::GET, &path).await?;
        if !get.status().is_success() {
            return Err(self.refused(get.status(), "reading"));
        }
        let body = get.bytes().await.map_err(|e| self.unreachable(&e))?;
        Ok(Some(format!("sha256:{:x}", sha2::Sha256::digest(&body))))
    }

    /// Deletes the manifest `digest` (and with it every tag naming it); one already gone is fine.
    pub async fn delete(&self, digest: &str) -> Result<(), Diagnostics> {
        let path = format!("/v2/{}/manifests/{digest}", self.reference.path);
        let response = self.send(Method::DELETE, &path).await?;
        match response.status() {
            StatusCode::NOT_FOUND => Ok(()),
            status if status.is_success() => Ok(()),
            StatusCode::METHOD_NOT_ALLOWED => Err(Diagnostic::error(format!(
                "registry {} does not allow deleting manifests",
                self.reference.registry
            ))
            .with_detail(
                "Enable deletes in the registry (storage: delete: enabled: true), or set keep_remotely = true.",
            )
            .into()),
            status => Err(self.refused(status, "deleting")),
        }
    }

    /// Sends a request with the credential (basic auth, or a token when the registry asks for
    /// one), trying the next base URL when one cannot be reached.
    async fn send(&self, method: Method, path: &str) -> Result<Response, Diagnostics> {
        let mut last_error = None;
        for base in &self.bases {
            let url = format!("{base}{path}");
            let request = self.client.request(method.clone(), &url);
            let request = match self.credential {
                Some(c) => request.basic_auth(&c.username, Some(&c.password)),
                None => request,
            };
            let response = match accept_manifests(request).send().await {
                Ok(response) => response,
                Err(e) => {
                    last_error = Some(e);
                    continue;
                }
            };
            if response.status() != StatusCode::UNAUTHORIZED {
                return Ok(response);
            }
            let challenge = response
                .headers()
                .get(WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            if !challenge.to_ascii_lowercase().starts_with("bearer") {
                return Ok(response);
            }
            let token = self.token(&challenge, &method).await?;
            let retried = self.client.request(method.clone(), &url).bearer_auth(token);
            return accept_manifests(retried)
                .send()
                .await
                .map_err(|e| self.unreachable(&e));
        }
        Err(match last_error {
            Some(e) => self.unreachable(&e),
            None => Diagnostic::error("no registry address to try").into(),
        })
    }

    /// A token from the `Bearer realm=... service=... scope=...` challenge's realm.
    async fn token(&self, challenge: &str, method: &Method) -> Result<String, Diagnostics> {
        let params = challenge_params(challenge);
        let realm = params
            .iter()
            .find(|(k, _)| k == "realm")
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(format!(
                    "registry {} asked for a token without saying where to get one",
                    self.reference.registry
                )))
            })?;
        let actions = if *method == Method::DELETE {
            "*"
        } else {
            "pull"
        };
        let fallback_scope = format!("repository:{}:{actions}", self.reference.path);
        let mut query: Vec<(String, String)> = params
            .into_iter()
            .filter(|(k, _)| k == "service" || k == "scope")
            .collect();
        if !query.iter().any(|(k, _)| k == "scope") {
            query.push(("scope".into(), fallback_scope));
        }
        let request = self.client.get(&realm).query(&query);
        let request = match self.credential {
            Some(c) => request.basic_auth(&c.username, Some(&c.password)),
            None => request,
        };
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        if !response.status().is_success() {
            return Err(self.refused(response.status(), "getting a token from"));
        }
        let body: serde_json::Value = response.json().await.map_err(|e| {
            Diagnostics::from(
                Diagnostic::error(format!(
                    "registry {} answered the token request with something else than JSON",
                    self.reference.registry
                ))
                .with_detail(e.to_string()),
            )
        })?;
        ["token", "access_token"]
            .iter()
            .find_map(|k| body.get(k).and_then(|t| t.as_str()).map(str::to_string))
            .ok_or_else(|| {
                Diagnostic::error(format!(
                    "registry {}'s token answer holds no token",
                    self.reference.registry
                ))
                .into()
            })
    }

    /// A registry that answered with an error status: for 401 and 403, whose credentials were
    /// refused (the user name, never the password).
    fn refused(&self, status: StatusCode, doing: &str) -> Diagnostics {
        let host = &self.reference.registry;
        let what = format!("{}:{}", self.reference.path, self.reference.tag);
        let diagnostic = match (status, self.credential) {
            (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, Some(c)) => Diagnostic::error(
                format!("registry {host} refused the credentials of user \"{}\"", c.username),
            )
            .with_detail(format!(
                "{doing} {what} answered {status}: check the password of registry_auth (or auth_config) for {host}."
            )),
            (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, None) => {
                Diagnostic::error(format!("registry {host} needs credentials")).with_detail(
                    format!(
                        "{doing} {what} answered {status}: add a registry_auth block for {host} to the provider."
                    ),
                )
            }
            _ => Diagnostic::error(format!("registry {host} answered {status}"))
                .with_detail(format!("{doing} {what}")),
        };
        diagnostic.into()
    }

    /// A registry that could not be reached (the URL holds no credentials).
    fn unreachable(&self, error: &reqwest::Error) -> Diagnostics {
        use std::error::Error;
        let mut text = error.to_string();
        let mut cause = error.source();
        while let Some(inner) = cause {
            text = format!("{text}: {inner}");
            cause = inner.source();
        }
        Diagnostic::error(format!(
            "registry {} is unreachable",
            self.reference.registry
        ))
        .with_detail(text)
        .into()
    }
}

/// The request accepting every manifest media type.
fn accept_manifests(request: RequestBuilder) -> RequestBuilder {
    MANIFEST_TYPES
        .iter()
        .fold(request, |request, t| request.header(ACCEPT, *t))
}

/// The `Docker-Content-Digest` header, if any.
fn content_digest(headers: &HeaderMap) -> Option<String> {
    headers
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The `key="value"` pairs of a `WWW-Authenticate` challenge.
fn challenge_params(challenge: &str) -> Vec<(String, String)> {
    let rest = challenge
        .split_once(' ')
        .map(|(_, rest)| rest)
        .unwrap_or("");
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let value: String = if chars.peek() == Some(&'"') {
            chars.next();
            chars.by_ref().take_while(|c| *c != '"').collect()
        } else {
            chars.by_ref().take_while(|c| *c != ',').collect()
        };
        params.push((key.trim().to_string(), value.trim().to_string()));
    }
    params
}

/// Whether a registry host is on the loopback interface.
fn is_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_are_split_into_their_parameters() {
        let params = challenge_params(
            r#"Bearer realm="http://127.0.0.1:9/token",service="registry",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(
            params,
            [
                ("realm".to_string(), "http://127.0.0.1:9/token".to_string()),
                ("service".to_string(), "registry".to_string()),
                ("scope".to_string(), "repository:a/b:pull,push".to_string()),
            ]
        );
    }

    /// Answers one request per connection like a registry with token auth: 401 with a Bearer
    /// challenge without the token, the token for basic auth at `/token`, the digest with it.
    async fn token_registry(listener: tokio::net::TcpListener, port: u16) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
            let response = if text.starts_with("get /token?")
                && text.contains("authorization: basic ")
            {
                let body = r#"{"token": "tok-123"}"#;
                format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
            } else if text.contains("authorization: bearer tok-123") {
                "HTTP/1.1 200 OK\r\nDocker-Content-Digest: sha256:feed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
            } else {
                format!("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"test\",scope=\"repository:team/app:pull\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            };
            let _ = stream.write_all(response.as_bytes()).await;
        }
    }

    #[tokio::test]
    async fn a_bearer_challenge_is_answered_with_a_token_got_with_the_credentials() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        let server = tokio::spawn(token_registry(listener, port));
        let reference = Reference::parse(&format!("127.0.0.1:{port}/team/app:1"));
        let entry = Entry {
            scheme: Some("http".into()),
            credential: Some(Credential {
                username: "ci".into(),
                password: "pw".into(),
            }),
        };
        let registry = Registry::new(&reference, Some(&entry), false).expect("client");
        let digest = registry.digest().await.expect("digest");
        assert_eq!(digest.as_deref(), Some("sha256:feed"));
        // Without credentials the token endpoint refuses, and the error says so.
        let anonymous = Entry {
            scheme: Some("http".into()),
            credential: None,
        };
        let registry = Registry::new(&reference, Some(&anonymous), false).expect("client");
        let err = registry.digest().await.expect_err("refused").to_string();
        assert!(err.contains("needs credentials"), "{err}");
        server.abort();
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost:5000"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("registry.example:5000"));
    }
}
