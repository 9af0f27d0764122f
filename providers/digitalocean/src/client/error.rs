//! What can go wrong talking to DigitalOcean, and how it reaches the user: DigitalOcean's own
//! error (`id`, `message`, `request_id`, the status and the request that failed), a transport
//! failure, an answer that is not the expected JSON, or a wait that timed out or was cancelled.
//! [`Error::diagnostic`] turns each into a plinth diagnostic; no variant ever holds the token or
//! a response body beyond DigitalOcean's error message.

use std::fmt;
use std::time::Duration;

use plinth_sdk::{AttrPath, Diagnostic};

/// An error answer from the DigitalOcean API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// DigitalOcean's error id (`unprocessable_entity`, `not_found`, ...).
    pub id: String,
    /// DigitalOcean's message.
    pub message: String,
    /// DigitalOcean's request id, when it gave one.
    pub request_id: Option<String>,
    /// The request's method.
    pub method: String,
    /// The request's path (without the query string).
    pub path: String,
    /// How long DigitalOcean asked to wait before trying again (`Retry-After`,
    /// `ratelimit-reset`), for 429s and 5xx.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {}", self.message, self.status, self.id)?;
        if let Some(request_id) = &self.request_id {
            write!(f, ", request {request_id}")?;
        }
        write!(f, ", {} {})", self.method, self.path)
    }
}

/// Why a call to DigitalOcean failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    /// DigitalOcean answered with an error.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// DigitalOcean could not be reached, or the connection failed mid-request.
    #[error("could not reach DigitalOcean ({method} {path}): {detail}")]
    Transport {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// What the HTTP client said.
        detail: String,
    },
    /// DigitalOcean answered, but not with the JSON expected.
    #[error("DigitalOcean's answer to {method} {path} is not what the API describes: {detail}")]
    Decode {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// What was wrong with it.
        detail: String,
    },
    /// A wait ran past the operation's deadline.
    #[error("{what}: timed out after {}s (last status: {last_status})", waited.as_secs())]
    TimedOut {
        /// What was being waited for.
        what: String,
        /// How long it waited.
        waited: Duration,
        /// The last status seen.
        last_status: String,
    },
    /// The operation was cancelled (an interrupt).
    #[error("{what}: cancelled")]
    Cancelled {
        /// What was under way.
        what: String,
    },
    /// An asynchronous action finished in the `errored` state.
    #[error("{what}: DigitalOcean reports that action {action_id} errored")]
    ActionErrored {
        /// What the action was for.
        what: String,
        /// The action's id.
        action_id: u64,
    },
}

impl Error {
    /// The HTTP status, for API errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            _ => None,
        }
    }

    /// Whether DigitalOcean answered 404 (the object does not exist).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// The error as a diagnostic: `doing` says what failed ("creating the Droplet \"web\""), the
    /// summary carries DigitalOcean's message, the detail its status, id and request id.
    pub fn diagnostic(&self, doing: &str) -> Diagnostic {
        match self {
            Error::Api(api) => {
                let mut detail = format!(
                    "DigitalOcean answered {} {} with {} {}",
                    api.method, api.path, api.status, api.id
                );
                if let Some(request_id) = &api.request_id {
                    detail.push_str(&format!(" (request id {request_id})"));
                }
                detail.push('.');
                match api.status {
                    401 => detail.push_str(
                        " The token was refused: check the provider's `token` or DIGITALOCEAN_TOKEN.",
                    ),
                    403 => detail.push_str(" The token lacks the scope this request needs, or DigitalOcean refuses it in the object's current state."),
                    429 => detail.push_str(
                        " DigitalOcean kept refusing with rate limiting after every retry plinth made.",
                    ),
                    500..=599 => detail.push_str(
                        " DigitalOcean kept failing after every retry plinth made; try again later.",
                    ),
                    _ => {}
                }
                Diagnostic::error(format!("{doing} failed: {}", api.message)).with_detail(detail)
            }
            other => Diagnostic::error(format!("{doing} failed: {other}")),
        }
    }

    /// [`Error::diagnostic`], pointing at the first of `attributes` DigitalOcean's message
    /// names when it refused the request's content (422), so the engine can show that line.
    pub fn diagnostic_for(&self, doing: &str, attributes: &[&str]) -> Diagnostic {
        let diagnostic = self.diagnostic(doing);
        match self {
            Error::Api(api) if api.status == 422 => match named_attribute(&api.message, attributes)
            {
                Some(name) => diagnostic.with_attribute(AttrPath::attr(name)),
                None => diagnostic,
            },
            _ => diagnostic,
        }
    }
}

/// The first attribute whose name (with `_` read as a space) appears as a word in `message`.
fn named_attribute<'a>(message: &str, attributes: &[&'a str]) -> Option<&'a str> {
    let words: Vec<String> = message
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let text = format!(" {} ", words.join(" "));
    attributes.iter().copied().find(|name| {
        text.contains(&format!(" {name} "))
            || text.contains(&format!(" {} ", name.replace('_', " ")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, message: &str) -> Error {
        Error::Api(Box::new(ApiError {
            status,
            id: "unprocessable_entity".into(),
            message: message.into(),
            request_id: Some("r-1".into()),
            method: "POST".into(),
            path: "/v2/droplets".into(),
            retry_after: None,
        }))
    }

    #[test]
    fn diagnostics_carry_the_message_status_and_request_id() {
        let d = api(422, "You specified an invalid size for Droplet creation.")
            .diagnostic_for("creating the Droplet \"web\"", &["name", "size", "region"]);
        assert_eq!(
            d.summary,
            "creating the Droplet \"web\" failed: You specified an invalid size for Droplet creation."
        );
        let detail = d.detail.clone().unwrap();
        assert!(detail.contains("422 unprocessable_entity"), "{detail}");
        assert!(detail.contains("request id r-1"), "{detail}");
        assert!(detail.contains("POST /v2/droplets"), "{detail}");
        assert_eq!(d.attribute, Some(AttrPath::attr("size")));
    }

    #[test]
    fn attribute_hints_need_a_whole_word() {
        assert_eq!(named_attribute("invalid sizes", &["size"]), None);
        assert_eq!(
            named_attribute("user data may be at most 64 KiB", &["name", "user_data"]),
            Some("user_data")
        );
        assert_eq!(named_attribute("bad", &["name"]), None);
    }

    #[test]
    fn a_refused_token_says_where_the_token_comes_from() {
        let d = api(401, "Unable to authenticate you").diagnostic("reading Droplets");
        assert!(d.detail.unwrap().contains("DIGITALOCEAN_TOKEN"));
    }
}
