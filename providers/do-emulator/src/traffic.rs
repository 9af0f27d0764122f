//! The layer every API request passes through before its handler: it numbers and counts the
//! request, applies the injected faults (latency, 429 bursts, failure rules, random 500s), checks
//! the bearer token, and on the way out adds `x-request-id`, the rate-limit headers and the
//! error bodies' `request_id`, and records the exchange when recording is on. Requests under
//! `/_emulator` (the admin API) skip all of it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::Value;

use crate::errors::ApiError;
use crate::state::{App, Exchange};

/// Requests allowed per hour, as DigitalOcean reports it.
pub const RATE_LIMIT: u64 = 5000;
/// The admin API's path prefix.
pub const ADMIN_PREFIX: &str = "/_emulator";
/// Bodies larger than this are refused.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// What the layer keeps of a request until its response goes out.
struct Incoming {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    request_id: String,
    body: Option<Value>,
    record: bool,
}

/// The middleware: see the module documentation.
pub(crate) async fn layer(State(app): State<App>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with(ADMIN_PREFIX) {
        return next.run(request).await;
    }
    let knobs = app.knobs();
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let (request_id, rate) = count(&app, &method, &path);
    let mut incoming = Incoming {
        query: axum::extract::Query::<Vec<(String, String)>>::try_from_uri(request.uri())
            .map(|q| q.0)
            .unwrap_or_default(),
        method,
        path,
        request_id,
        body: None,
        record: knobs.record,
    };

    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let response = ApiError::bad_request(format!("could not read the request body: {e}"))
                .into_response();
            return finish(&app, response, rate, incoming).await;
        }
    };
    incoming.body = (!bytes.is_empty()).then(|| {
        serde_json::from_slice::<Value>(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    });

    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }

    let refused = refusal(
        &app,
        &knobs,
        &incoming.method,
        &incoming.path,
        &parts.headers,
        rate,
    );
    let (response, rate) = match refused {
        Some((error, rate)) => (error.into_response(), rate),
        None => {
            let request = Request::from_parts(parts, Body::from(bytes));
            (next.run(request).await, rate)
        }
    };
    finish(&app, response, rate, incoming).await
}

/// Counts the request and numbers it; returns its id and its rate-limit headers.
fn count(app: &App, method: &str, path: &str) -> (String, RateHeaders) {
    let mut traffic = app.traffic();
    traffic.requests += 1;
    *traffic
        .counts
        .entry(format!("{method} {path}"))
        .or_default() += 1;
    if traffic.window_start.elapsed() >= Duration::from_secs(3600) {
        traffic.window_start = Instant::now();
        traffic.window_epoch = chrono::Utc::now().timestamp();
        traffic.window_count = 0;
    }
    traffic.window_count += 1;
    let n = traffic.requests;
    (
        format!("{n:08x}-e1a0-4b0c-9d1e-{n:012x}"),
        RateHeaders {
            remaining: RATE_LIMIT.saturating_sub(traffic.window_count),
            reset: traffic.window_epoch + 3600,
            retry_after: None,
        },
    )
}

/// The rate-limit headers one response carries.
#[derive(Clone, Copy)]
struct RateHeaders {
    remaining: u64,
    reset: i64,
    retry_after: Option<u64>,
}

/// Decides whether the request is refused before its handler runs: a 429 burst, a failure
/// rule, a random 500, or a missing or wrong token, in that order.
fn refusal(
    app: &App,
    knobs: &crate::Knobs,
    method: &str,
    path: &str,
    headers: &HeaderMap,
    mut rate: RateHeaders,
) -> Option<(ApiError, RateHeaders)> {
    if let Some(throttle) = &knobs.throttle {
        let mut traffic = app.traffic();
        let elapsed = traffic.throttle_started.elapsed();
        let duration = Duration::from_millis(throttle.duration_ms);
        if elapsed < duration {
            traffic.throttle_seen += 1;
            if traffic
                .throttle_seen
                .is_multiple_of(u64::from(throttle.every))
            {
                let left = duration - elapsed;
                let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
                rate.remaining = 0;
                rate.reset = chrono::Utc::now().timestamp() + secs as i64;
                rate.retry_after = Some(secs.max(1));
                return Some((ApiError::too_many_requests(), rate));
            }
        }
    }
    if let Some(status) = app.take_fail_rule(method, path) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Some((ApiError::injected(status), rate));
    }
    if knobs.fail_rate > 0.0 && app.traffic().rng.random::<f64>() < knobs.fail_rate {
        return Some((ApiError::injected(StatusCode::INTERNAL_SERVER_ERROR), rate));
    }
    if !authorized(app, headers) {
        return Some((ApiError::unauthorized(), rate));
    }
    None
}

/// Whether the request carries an accepted bearer token.
fn authorized(app: &App, headers: &HeaderMap) -> bool {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or("");
    if token.is_empty() {
        return false;
    }
    app.tokens.is_empty() || app.tokens.iter().any(|t| t == token)
}

/// Adds the headers and the error body's `request_id`, and records the exchange.
async fn finish(app: &App, response: Response, rate: RateHeaders, incoming: Incoming) -> Response {
    let request_id = incoming.request_id.as_str();
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    let mut response_body: Option<Value> = serde_json::from_slice(&bytes).ok();
    let bytes = match response_body.as_mut() {
        Some(Value::Object(map))
            if parts.status.as_u16() >= 400
                && map.contains_key("id")
                && map.contains_key("message") =>
        {
            map.insert("request_id".into(), Value::String(request_id.to_string()));
            serde_json::to_vec(&map).unwrap_or_default().into()
        }
        _ => bytes,
    };
    let headers = &mut parts.headers;
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    set("x-request-id", request_id.to_string());
    set("ratelimit-limit", RATE_LIMIT.to_string());
    set("ratelimit-remaining", rate.remaining.to_string());
    set("ratelimit-reset", rate.reset.to_string());
    if let Some(secs) = rate.retry_after {
        set("retry-after", secs.to_string());
    }
    // DigitalOcean sets it on empty answers too (the description documents it on 204s).
    set(
        "content-type",
        "application/json; charset=utf-8".to_string(),
    );
    if incoming.record {
        let response_headers: BTreeMap<String, String> = parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        app.traffic().exchanges.push(Exchange {
            method: incoming.method,
            path: incoming.path,
            query: incoming.query,
            request_body: incoming.body,
            status: parts.status.as_u16(),
            response_headers,
            response_body,
        });
    }
    Response::from_parts(parts, Body::from(bytes))
}
