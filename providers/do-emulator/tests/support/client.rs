//! A small HTTP client for driving the emulator in tests: Bearer auth, JSON in and out, and a
//! waiter for actions.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

/// One answer: status, headers (lower-case names) and the JSON body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Value,
}

/// A client of one emulator with one token.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    pub base: String,
    token: Option<String>,
}

impl Api {
    pub fn new(base: &str, token: &str) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: base.trim_end_matches('/').to_string(),
            token: Some(token.to_string()),
        }
    }

    /// The same emulator with another token, or none.
    pub fn with_token(&self, token: Option<&str>) -> Api {
        Api {
            token: token.map(str::to_string),
            ..self.clone()
        }
    }

    /// Sends a request; `target` is a path (with query) or an absolute URL.
    pub async fn call(&self, method: &str, target: &str, body: Option<Value>) -> Reply {
        let url = if target.starts_with("http") {
            target.to_string()
        } else {
            format!("{}{target}", self.base)
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, &url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the emulator answers");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let bytes = response.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("a JSON body")
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Sends a request and asserts the status; returns the body.
    pub async fn expect(
        &self,
        status: u16,
        method: &str,
        target: &str,
        body: Option<Value>,
    ) -> Value {
        let reply = self.call(method, target, body).await;
        assert_eq!(
            reply.status, status,
            "{method} {target} answered {} with {}",
            reply.status, reply.body
        );
        reply.body
    }

    /// Polls `/v2/actions/{id}` until the action completes (5 s at most).
    pub async fn wait_action(&self, id: &Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let body = self
                .expect(200, "GET", &format!("/v2/actions/{id}"), None)
                .await;
            if body["action"]["status"] == "completed" {
                return body["action"].clone();
            }
            assert!(Instant::now() < deadline, "action {id} did not complete");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Polls a GET until `done` holds for its body (5 s at most).
    pub async fn wait_until(&self, target: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let body = self.expect(200, "GET", target, None).await;
            if done(&body) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "{target} did not reach the state"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
