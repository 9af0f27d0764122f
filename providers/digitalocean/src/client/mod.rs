//! The DigitalOcean API v2 client every resource uses: JSON over reqwest (rustls), Bearer
//! authentication, retries through the SDK's [`retry`] (429s after `Retry-After` /
//! `ratelimit-reset`, 5xx and broken connections with backoff), pagination ([`pages`]) and
//! waiters for actions and status transitions ([`waiting`]).
//!
//! Which failures are retried: a 429 always (DigitalOcean did not process the request); a 5xx or
//! a broken connection for requests that can safely run twice (GET, PUT, PATCH, DELETE, and the
//! POSTs of actions and tags). A POST that creates an object is retried only through
//! [`Client::create`], which first looks for the object the failed attempt may have made (by
//! its intent tag or identifying fields), so a retry never makes a second one. Every request
//! stops when the operation is cancelled or its deadline passes.

mod error;
pub(crate) mod pages;
pub(crate) mod waiting;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use plinth_sdk::retry::{self, Backoff, Failure, Stopped};
use plinth_sdk::Context;
use reqwest::{Method, StatusCode};
use serde_json::Value as Json;

pub use error::{ApiError, Error};

/// DigitalOcean's API, where `api_endpoint` and `DIGITALOCEAN_API_URL` are not set.
pub const DEFAULT_ENDPOINT: &str = "https://api.digitalocean.com";
/// The longest a single HTTP exchange may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How often waiters poll: `first` after the first look, doubling up to `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Polling {
    /// The first wait between polls.
    pub first: Duration,
    /// The longest wait between polls.
    pub max: Duration,
}

impl Default for Polling {
    /// 250 ms doubling to 5 s: a Droplet ready in a second is seen at once, one that takes a
    /// minute costs about fifteen requests.
    fn default() -> Polling {
        Polling {
            first: Duration::from_millis(250),
            max: Duration::from_secs(5),
        }
    }
}

/// The API token; never printed.
#[derive(Clone)]
struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(redacted)")
    }
}

/// A configured client of one DigitalOcean API endpoint with one token.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Token,
    backoff: Backoff,
    polling: Polling,
}

impl Client {
    /// A client of `endpoint` (`https://api.digitalocean.com`) authenticating with `token`.
    pub fn new(
        endpoint: &str,
        token: &str,
        backoff: Backoff,
        polling: Polling,
    ) -> Result<Client, String> {
        let base = endpoint.trim().trim_end_matches('/').to_string();
        let url = reqwest::Url::parse(&base).map_err(|e| format!("{base:?} is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!("{base:?} is not an http(s) URL"));
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("plinth/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Client {
            http,
            base,
            token: Token(token.to_string()),
            backoff,
            polling,
        })
    }

    /// The API's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// How waiters poll.
    pub fn polling(&self) -> Polling {
        self.polling
    }

    /// `GET path`, the object or list DigitalOcean answers.
    pub async fn get(&self, ctx: &Context, path: &str) -> Result<Json, Error> {
        self.call(ctx, Method::GET, path, &[], None, true).await
    }

    /// `GET path?query`.
    pub async fn get_query(
        &self,
        ctx: &Context,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Json, Error> {
        self.call(ctx, Method::GET, path, query, None, true).await
    }

    /// `POST path` of an action or a tag change (retried after 5xx too).
    pub async fn post(&self, ctx: &Context, path: &str, body: &Json) -> Result<Json, Error> {
        self.call(ctx, Method::POST, path, &[], Some(body), true)
            .await
    }

    /// `PUT path`.
    pub async fn put(&self, ctx: &Context, path: &str, body: &Json) -> Result<Json, Error> {
        self.call(ctx, Method::PUT, path, &[], Some(body), true)
            .await
    }

    /// `DELETE path`; a 404 counts as done (the object is gone either way).
    pub async fn delete(&self, ctx: &Context, path: &str) -> Result<(), Error> {
        self.delete_with(ctx, path, None).await
    }

    /// `DELETE path` with a JSON body (removing Droplets or tags from an object); a 404 counts
    /// as done.
    pub async fn delete_with(
        &self,
        ctx: &Context,
        path: &str,
        body: Option<&Json>,
    ) -> Result<(), Error> {
        match self.call(ctx, Method::DELETE, path, &[], body, true).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `POST path` creating an object, answered as `{key: object}`; returns the object. After a
    /// 5xx or a broken connection it calls `find` before trying again, and returns what `find`
    /// finds: the failed attempt may have made the object, and a retry must not make another.
    pub async fn create<F, Fut>(
        &self,
        ctx: &Context,
        path: &str,
        key: &str,
        body: &Json,
        find: F,
    ) -> Result<Json, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Option<Json>, Error>>,
    {
        let what = format!("POST {path}");
        let tried = AtomicBool::new(false);
        let url = self.url(path, &[]);
        let answer = retry::retry(ctx, &self.backoff, &what, || async {
            if tried.swap(true, Ordering::SeqCst) {
                match find().await {
                    Ok(Some(found)) => return Ok(Found::Existing(found)),
                    Ok(None) => {}
                    Err(e) => return Err(classify(e, true)),
                }
            }
            self.send(ctx, &Method::POST, &url, path, Some(body))
                .await
                .map(Found::Answer)
                .map_err(|e| classify(e, true))
        })
        .await
        .map_err(|stopped| stopped_error(stopped, &what))?;
        match answer {
            Found::Existing(object) => Ok(object),
            Found::Answer(body) => take(body, key, "POST", path),
        }
    }

    /// `POST path` creating an object that cannot be found again if the answer is lost: only
    /// 429s are retried, never a 5xx or a broken connection.
    pub async fn create_once(
        &self,
        ctx: &Context,
        path: &str,
        key: &str,
        body: &Json,
    ) -> Result<Json, Error> {
        let answer = self
            .call(ctx, Method::POST, path, &[], Some(body), false)
            .await?;
        take(answer, key, "POST", path)
    }

    /// One request with retries.
    async fn call(
        &self,
        ctx: &Context,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Json>,
        repeatable: bool,
    ) -> Result<Json, Error> {
        let url = self.url(path, query);
        self.call_url(ctx, method, &url, path, body, repeatable)
            .await
    }

    /// One request to an absolute URL (a pagination link) with retries.
    async fn call_url(
        &self,
        ctx: &Context,
        method: Method,
        url: &str,
        path: &str,
        body: Option<&Json>,
        repeatable: bool,
    ) -> Result<Json, Error> {
        let what = format!("{method} {path}");
        retry::retry(ctx, &self.backoff, &what, || async {
            self.send(ctx, &method, url, path, body)
                .await
                .map_err(|e| classify(e, repeatable))
        })
        .await
        .map_err(|stopped| stopped_error(stopped, &what))
    }

    /// The URL of `path` with `query`.
    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}{path}", self.base);
        for (i, (key, value)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&encode(key));
            url.push('=');
            url.push_str(&encode(value));
        }
        url
    }

    /// Sends one request, once; the answer's JSON (`null` when empty), or why it failed.
    async fn send(
        &self,
        ctx: &Context,
        method: &Method,
        url: &str,
        path: &str,
        body: Option<&Json>,
    ) -> Result<Json, Error> {
        let what = format!("{method} {path}");
        let timeout = match ctx.remaining() {
            Some(left) if left.is_zero() => {
                return Err(Error::TimedOut {
                    what,
                    waited: Duration::ZERO,
                    last_status: "the operation's deadline passed".into(),
                })
            }
            Some(left) => left.min(REQUEST_TIMEOUT),
            None => REQUEST_TIMEOUT,
        };
        let mut request = self
            .http
            .request(method.clone(), url)
            .bearer_auth(&self.token.0)
            .timeout(timeout);
        if let Some(body) = body {
            request = request.json(body);
        }
        let transport = |e: reqwest::Error| Error::Transport {
            method: method.to_string(),
            path: path.to_string(),
            detail: without_url(&e),
        };
        let response = tokio::select! {
            _ = ctx.cancel.cancelled() => return Err(Error::Cancelled { what }),
            response = request.send() => response.map_err(transport)?,
        };
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = tokio::select! {
            _ = ctx.cancel.cancelled() => return Err(Error::Cancelled { what }),
            bytes = response.bytes() => bytes.map_err(transport)?,
        };
        if status.is_success() {
            if bytes.is_empty() || status == StatusCode::NO_CONTENT {
                return Ok(Json::Null);
            }
            return serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
                method: method.to_string(),
                path: path.to_string(),
                detail: e.to_string(),
            });
        }
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let parsed: Option<Json> = serde_json::from_slice(&bytes).ok();
        let field = |name: &str| {
            parsed
                .as_ref()
                .and_then(|j| j.get(name))
                .and_then(Json::as_str)
                .map(str::to_string)
        };
        let message = field("message").unwrap_or_else(|| {
            let text = String::from_utf8_lossy(&bytes);
            let text: String = text.chars().take(200).collect();
            if text.trim().is_empty() {
                status
                    .canonical_reason()
                    .unwrap_or("no message")
                    .to_string()
            } else {
                text.trim().to_string()
            }
        });
        let retry_after = retry_wait(status, &header);
        Err(Error::Api(Box::new(ApiError {
            status: status.as_u16(),
            id: field("id").unwrap_or_else(|| status.as_u16().to_string()),
            message,
            request_id: field("request_id").or_else(|| header("x-request-id")),
            method: method.to_string(),
            path: path.to_string(),
            retry_after,
        })))
    }
}

/// How long DigitalOcean asks to wait before trying again: a 429 says it through `Retry-After`,
/// else the rate limit's reset; a 5xx only through `Retry-After` (the `ratelimit-reset` every
/// answer carries is the end of the hourly window, not advice).
fn retry_wait(status: StatusCode, header: &impl Fn(&str) -> Option<String>) -> Option<Duration> {
    if status == StatusCode::TOO_MANY_REQUESTS {
        retry::server_wait(header)
    } else if status.is_server_error() {
        retry::server_wait(|name| (name == "retry-after").then(|| header(name)).flatten())
    } else {
        None
    }
}

/// What a create's attempt came back with.
enum Found {
    /// The answer of the POST (`{key: object}`).
    Answer(Json),
    /// The object an earlier attempt made, found before trying again.
    Existing(Json),
}

/// Whether an error is worth another attempt: 429 always; 5xx and transport failures when the
/// request may run twice.
fn classify(error: Error, repeatable: bool) -> Failure<Error> {
    let retry = match &error {
        Error::Api(api) if api.status == 429 => true,
        Error::Api(api) if api.status >= 500 => repeatable,
        Error::Transport { .. } => repeatable,
        _ => false,
    };
    if retry {
        let after = match &error {
            Error::Api(api) => api.retry_after,
            _ => None,
        };
        Failure::Retry { error, after }
    } else {
        Failure::Fatal(error)
    }
}

/// The error a stopped retry leaves.
fn stopped_error(stopped: Stopped<Error>, what: &str) -> Error {
    match stopped {
        Stopped::Fatal(e) | Stopped::Exhausted(e) => e,
        Stopped::Cancelled(_) => Error::Cancelled {
            what: what.to_string(),
        },
    }
}

/// `answer[key]`, or a decode error.
pub(crate) fn take(mut answer: Json, key: &str, method: &str, path: &str) -> Result<Json, Error> {
    match answer.get_mut(key) {
        Some(object) if object.is_object() => Ok(object.take()),
        _ => Err(Error::Decode {
            method: method.to_string(),
            path: path.to_string(),
            detail: format!("the answer has no \"{key}\" object"),
        }),
    }
}

/// The HTTP client's error with its causes, the URL shortened to the API's base (the method
/// and path are said beside it).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(&format!(" for url ({url})"), "");
    }
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Percent-encodes a query component.
pub(crate) fn encode(text: &str) -> String {
    escape(text, b"-_.~")
}

/// Percent-encodes a path segment (a tag name, a domain, an id); `:` and `@` stay as they are,
/// as paths allow them, so a tag `a:b` is sent as DigitalOcean's description writes it.
pub(crate) fn segment(text: &str) -> String {
    escape(text, b"-_.~:@")
}

fn escape(text: &str, unreserved: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || unreserved.contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_components_are_encoded() {
        assert_eq!(encode("plinth-intent:ab12"), "plinth-intent%3Aab12");
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
        assert_eq!(segment("plinth-intent:ab12"), "plinth-intent:ab12");
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn only_http_endpoints_are_accepted_and_the_token_never_prints() {
        let client = Client::new(
            "http://127.0.0.1:9/",
            "secret-token",
            Backoff::default(),
            Polling::default(),
        )
        .expect("valid");
        assert_eq!(client.base(), "http://127.0.0.1:9");
        assert!(!format!("{client:?}").contains("secret-token"));
        assert!(Client::new("ftp://x", "t", Backoff::default(), Polling::default()).is_err());
        assert!(Client::new("not a url", "t", Backoff::default(), Polling::default()).is_err());
    }

    #[test]
    fn a_server_errors_hourly_rate_limit_reset_is_not_a_wait() {
        // What broke: a 500 carrying `ratelimit-reset` (the end of the hourly window) was
        // retried only after that hour, so the first 500 of a create ended it.
        let in_an_hour = (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3600)
            .to_string();
        let reset_only = |name: &str| (name == "ratelimit-reset").then(|| in_an_hour.clone());
        assert_eq!(
            retry_wait(StatusCode::INTERNAL_SERVER_ERROR, &reset_only),
            None
        );
        assert!(retry_wait(StatusCode::TOO_MANY_REQUESTS, &reset_only)
            .is_some_and(|d| d > Duration::from_secs(3500)));
        let retry_after = |name: &str| (name == "retry-after").then(|| "2".to_string());
        assert_eq!(
            retry_wait(StatusCode::SERVICE_UNAVAILABLE, &retry_after),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_wait(StatusCode::UNPROCESSABLE_ENTITY, &retry_after),
            None
        );
    }

    #[test]
    fn throttling_is_always_retried_and_server_errors_only_when_repeatable() {
        let api = |status| {
            Error::Api(Box::new(ApiError {
                status,
                id: "x".into(),
                message: "m".into(),
                request_id: None,
                method: "POST".into(),
                path: "/v2/droplets".into(),
                retry_after: Some(Duration::from_secs(2)),
            }))
        };
        assert!(matches!(
            classify(api(429), false),
            Failure::Retry { after: Some(d), .. } if d == Duration::from_secs(2)
        ));
        assert!(matches!(classify(api(500), true), Failure::Retry { .. }));
        assert!(matches!(classify(api(500), false), Failure::Fatal(_)));
        assert!(matches!(classify(api(422), true), Failure::Fatal(_)));
    }
}
