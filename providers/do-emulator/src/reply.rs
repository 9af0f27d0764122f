//! Building successful responses and reading requests the way DigitalOcean does: JSON bodies
//! whose syntax errors are 400s and whose wrong fields are 422s, path ids that are 404s when
//! malformed, and the absolute base URL that pagination and action links are built from.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::errors::ApiError;

/// A JSON response with the given status.
pub(crate) fn json(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// `200 OK` with a JSON body.
pub(crate) fn ok(body: Value) -> Response {
    json(StatusCode::OK, body)
}

/// `204 No Content`.
pub(crate) fn no_content() -> Response {
    empty(StatusCode::NO_CONTENT)
}

/// A status without a body.
pub(crate) fn empty(status: StatusCode) -> Response {
    status.into_response()
}

/// A request body decoded from JSON into `T`.
pub(crate) struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("could not read the request body: {e}")))?;
        decode(&bytes).map(Body)
    }
}

/// Decodes a JSON request body: malformed JSON is a 400, a field of the wrong type or a missing
/// required field a 422, as DigitalOcean answers.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    let value: Value = serde_json::from_slice(text)
        .map_err(|e| ApiError::bad_request(format!("unable to parse the request body: {e}")))?;
    serde_json::from_value(value).map_err(|e| ApiError::unprocessable(e.to_string()))
}

/// The query string's parameters (the last value wins when one is repeated).
pub(crate) struct Query(pub BTreeMap<String, String>);

impl Query {
    /// The parameter's value, if present and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// Where the request came in: the absolute base URL (`http://host:port`) and path, so links in
/// answers point back at this emulator the way DigitalOcean's point at api.digitalocean.com.
pub(crate) struct RequestUrl {
    pub base: String,
    pub path: String,
    pub query: Query,
}

impl<S: Send + Sync> FromRequestParts<S> for RequestUrl {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1")
            .to_string();
        let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|e| ApiError::bad_request(format!("invalid query string: {e}")))?
            .0
            .into_iter()
            .collect();
        Ok(RequestUrl {
            base: format!("http://{host}"),
            path: parts.uri.path().to_string(),
            query: Query(pairs),
        })
    }
}

/// Parses a numeric id from the path: anything else names no object (404).
pub(crate) fn int_id(text: &str) -> Result<u64, ApiError> {
    text.parse().map_err(|_| ApiError::not_found())
}
