//! DigitalOcean's error responses: a JSON body `{"id", "message"}` with the status DigitalOcean
//! uses for each kind of failure. The traffic layer adds `request_id` to every error body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an API client, shaped like DigitalOcean's.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub id: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, id: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            id,
            message: message.into(),
        }
    }

    /// 404: the object named in the path does not exist.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "The resource you were accessing could not be found.",
        )
    }

    /// 422: the request is well formed but names something invalid or impossible.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unprocessable_entity",
            message,
        )
    }

    /// 400: the request cannot be read (bad JSON, bad query parameter).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 401: no token, or a token the emulator does not accept.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unable to authenticate you",
        )
    }

    /// 403: the operation is refused in the object's current state.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 409: the operation conflicts with another object.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// 429: refused by the rate limiter (an injected burst).
    pub fn too_many_requests() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "API Rate limit exceeded.",
        )
    }

    /// 500 (or another injected status): an injected server fault.
    pub fn injected(status: StatusCode) -> Self {
        let id = if status == StatusCode::SERVICE_UNAVAILABLE {
            "service_unavailable"
        } else {
            "server_error"
        };
        Self::new(
            status,
            id,
            "Server was unable to give you a response (injected by the emulator).",
        )
    }

    /// 405: the path exists but not with this method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "The method is not allowed for the requested URL.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "id": self.id, "message": self.message });
        (self.status, axum::Json(body)).into_response()
    }
}

/// What every API handler returns.
pub(crate) type ApiResult = Result<Response, ApiError>;
