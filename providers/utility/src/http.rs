//! The `http` provider: the `http` data source makes one request (`url`, `method`,
//! `request_headers`, `request_body`) and returns the status code, headers and body, as
//! Terraform's does: any status is a result, except that throttling and server errors (429, 5xx
//! but 501) and connection errors are retried per the `retry` block and are an error once the
//! attempts run out. TLS: `ca_cert_pem`, a client certificate, or `insecure`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use plinth_sdk::retry::{retry, server_wait, Backoff, Failure, Stopped};
use plinth_sdk::{
    Attribute, Context, DataSource, Diagnostic, Diagnostics, FnFactory, NestedBlock, Provider,
    ProviderFactory, ReadDataResponse, Registry, Schema, Type, Validator, Value,
};

use crate::common::{
    entries, first_block, flag, int, invalid, string, string_map, NoConfiguration,
};

struct Http;

fn make() -> Box<dyn Provider> {
    Box::new(Registry::new("http", NoConfiguration).data_source(Http))
}

/// The factory of the built-in `http` provider.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new("http", make))
}

/// A response as the data source records it.
struct Response {
    status: u16,
    headers: BTreeMap<String, Value>,
    body: Vec<u8>,
}

/// The client for the configured TLS settings and timeout.
fn client(object: &BTreeMap<String, Value>) -> Result<reqwest::Client, Diagnostics> {
    let mut builder = reqwest::Client::builder()
        .danger_accept_invalid_certs(flag(object, "insecure", false))
        .redirect(reqwest::redirect::Policy::limited(10));
    if let Some(ms) = int(object, "request_timeout_ms").filter(|ms| *ms > 0) {
        builder = builder.timeout(Duration::from_millis(ms as u64));
    }
    if let Some(pem) = string(object, "ca_cert_pem") {
        let certificate = reqwest::Certificate::from_pem(pem.as_bytes())
            .map_err(|e| invalid("ca_cert_pem", e.to_string()))?;
        builder = builder.add_root_certificate(certificate);
    }
    match (
        string(object, "client_cert_pem"),
        string(object, "client_key_pem"),
    ) {
        (Some(cert), Some(key)) => {
            let identity = reqwest::Identity::from_pem(format!("{cert}\n{key}").as_bytes())
                .map_err(|e| invalid("client_cert_pem", e.to_string()))?;
            builder = builder.identity(identity);
        }
        (None, None) => {}
        _ => {
            return Err(invalid(
                "client_cert_pem",
                "client_cert_pem and client_key_pem must be set together.",
            ))
        }
    }
    builder.build().map_err(|e| {
        Diagnostic::error("Error configuring the HTTP client")
            .with_detail(e.to_string())
            .into()
    })
}

/// One attempt: a response, or why it failed and whether to try again.
async fn attempt(
    client: &reqwest::Client,
    object: &BTreeMap<String, Value>,
    method: &reqwest::Method,
    url: &str,
) -> Result<Response, Failure<String>> {
    let mut request = client.request(method.clone(), url);
    for (name, value) in string_map(object, "request_headers") {
        request = request.header(name, value);
    }
    if let Some(body) = string(object, "request_body") {
        request = request.body(body);
    }
    let response = request.send().await.map_err(|e| Failure::Retry {
        error: format!("{method} {url}: {}", error_chain(&e)),
        after: None,
    })?;
    let status = response.status().as_u16();
    if status == 429 || (status >= 500 && status != 501) {
        let after = server_wait(|name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        });
        return Err(Failure::Retry {
            error: format!("{method} {url}: {}", response.status()),
            after,
        });
    }
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in response.headers() {
        headers
            .entry(canonical(name.as_str()))
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| Failure::Fatal(error_chain(&e)))?;
    Ok(Response {
        status,
        headers: headers
            .into_iter()
            .map(|(name, values)| (name, Value::String(values.join(", "))))
            .collect(),
        body: body.to_vec(),
    })
}

/// `content-type` as Go writes header names: `Content-Type`.
fn canonical(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// An error with its causes, which say what actually went wrong (connection refused, ...).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Whether a `Content-Type` is text, so the body is readable as a string.
fn is_text(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    media.starts_with("text/")
        || [
            "application/json",
            "application/xml",
            "application/javascript",
            "application/x-www-form-urlencoded",
        ]
        .contains(&media)
        || media.ends_with("+json")
        || media.ends_with("+xml")
}

#[async_trait]
impl DataSource<()> for Http {
    fn type_name(&self) -> &str {
        "http"
    }

    fn schema(&self) -> Schema {
        let text = |what: &str| Attribute::optional(Type::String).describe(what);
        let number = |what: &str| Attribute::optional(Type::Number).describe(what);
        let headers = || Type::Map(Box::new(Type::String));
        let mut retry = NestedBlock::single(
            Schema::new()
                .attr(
                    "attempts",
                    number("How many times to retry after the first attempt (default 0)."),
                )
                .attr(
                    "min_delay_ms",
                    number("The shortest wait between attempts."),
                )
                .attr("max_delay_ms", number("The longest wait between attempts.")),
        );
        retry.max_items = 1;
        Schema::new()
            .attr(
                "url",
                Attribute::required(Type::String).describe("The URL (http or https)."),
            )
            .attr(
                "method",
                text("GET (default), HEAD or POST.").validate(Validator::OneOf(vec![
                    "GET".into(),
                    "HEAD".into(),
                    "POST".into(),
                ])),
            )
            .attr(
                "request_headers",
                Attribute::optional(headers()).describe("Headers sent with the request."),
            )
            .attr("request_body", text("The body sent with the request."))
            .attr(
                "request_timeout_ms",
                number("How long one attempt may take, in milliseconds."),
            )
            .attr(
                "insecure",
                Attribute::optional(Type::Bool)
                    .describe("Skip verifying the server's certificate."),
            )
            .attr(
                "ca_cert_pem",
                text("Certificates of the CAs to trust, in PEM."),
            )
            .attr("client_cert_pem", text("A client certificate, in PEM."))
            .attr(
                "client_key_pem",
                text("The client certificate's key, in PEM.").sensitive(),
            )
            .block("retry", retry)
            .attr(
                "response_body",
                Attribute::computed(Type::String).describe("The body, as text."),
            )
            .attr(
                "body",
                Attribute::computed(Type::String)
                    .describe("The body, as text.")
                    .deprecate("response_body"),
            )
            .attr(
                "response_body_base64",
                Attribute::computed(Type::String).describe("The body, base64-encoded."),
            )
            .attr(
                "response_headers",
                Attribute::computed(headers())
                    .describe("The response headers (repeated ones joined with \", \")."),
            )
            .attr(
                "status_code",
                Attribute::computed(Type::Number).describe("The HTTP status code."),
            )
            .attr("id", Attribute::computed(Type::String).describe("The URL."))
            .describe("Makes an HTTP request and returns the response.")
    }

    async fn read(&self, _: &(), ctx: &Context, config: Value) -> ReadDataResponse {
        let mut object = entries(config);
        let url = string(&object, "url").unwrap_or_default();
        let method = string(&object, "method").unwrap_or_else(|| "GET".into());
        let Ok(method) = reqwest::Method::from_bytes(method.as_bytes()) else {
            return invalid("method", "must be GET, HEAD or POST.").into();
        };
        let client = match client(&object) {
            Ok(client) => client,
            Err(diagnostics) => return diagnostics.into(),
        };
        let settings = first_block(&object, "retry").unwrap_or_default();
        let millis = |name: &str, default: u64| {
            Duration::from_millis(int(&settings, name).map_or(default, |n| n.max(0) as u64))
        };
        let backoff = Backoff {
            initial: millis("min_delay_ms", 1000),
            max: millis("max_delay_ms", 30_000),
            attempts: int(&settings, "attempts").unwrap_or(0).max(0) as u32 + 1,
        };
        let tries = backoff.attempts;
        let outcome = retry(ctx, &backoff, &format!("{method} {url}"), || {
            attempt(&client, &object, &method, &url)
        })
        .await;
        let response = match outcome {
            Ok(response) => response,
            Err(stopped) => {
                let detail = match stopped {
                    Stopped::Exhausted(e) => format!("{e}: giving up after {tries} attempt(s)"),
                    Stopped::Fatal(e) | Stopped::Cancelled(Some(e)) => e,
                    Stopped::Cancelled(None) => "cancelled".into(),
                };
                return Diagnostics::from(
                    Diagnostic::error("Error making request")
                        .with_detail(format!("Error making request: {detail}")),
                )
                .into();
            }
        };
        let mut diagnostics = Diagnostics::new();
        let content_type = response
            .headers
            .get("Content-Type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if !is_text(&content_type) {
            diagnostics.push(
                Diagnostic::warning(format!(
                    "Content-Type is not recognized as a text type, got {content_type:?}"
                ))
                .with_detail(
                    "If the content is binary data, plinth may not properly handle the contents \
                     of the response; use response_body_base64.",
                ),
            );
        }
        let text = String::from_utf8_lossy(&response.body).into_owned();
        object.insert("response_body".into(), Value::String(text.clone()));
        object.insert("body".into(), Value::String(text));
        object.insert(
            "response_body_base64".into(),
            Value::String(base64::engine::general_purpose::STANDARD.encode(&response.body)),
        );
        object.insert("response_headers".into(), Value::Map(response.headers));
        object.insert("status_code".into(), Value::int(i64::from(response.status)));
        object.insert("id".into(), Value::String(url));
        ReadDataResponse {
            state: Some(Value::Map(object)),
            diagnostics,
        }
    }
}
