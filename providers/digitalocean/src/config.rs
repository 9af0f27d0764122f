//! The `provider "digitalocean"` block: the token (`token`, else `DIGITALOCEAN_TOKEN` or
//! `DIGITALOCEAN_ACCESS_TOKEN`), the API's base URL (`api_endpoint`, else
//! `DIGITALOCEAN_API_URL`, else DigitalOcean's) and the retry settings, as the Terraform
//! provider names them. Configuring makes the [`Client`] every resource uses; it sends no
//! request (a wrong token shows at the first call, with the address that made it).

use std::time::Duration;

use async_trait::async_trait;
use plinth_sdk::retry::Backoff;
use plinth_sdk::{
    AttrPath, Attribute, Configure, Context, Diagnostic, Diagnostics, Schema, Type, Value,
};

use crate::attrs;
use crate::client::{Client, Polling, DEFAULT_ENDPOINT};

/// The environment variables the token is read from, in order.
pub const TOKEN_VARIABLES: &[&str] = &["DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"];
/// The environment variable the base URL is read from.
pub const ENDPOINT_VARIABLE: &str = "DIGITALOCEAN_API_URL";

/// Makes the client from the provider block.
pub struct ProviderConfig;

/// The provider block's schema.
pub fn schema() -> Schema {
    Schema::new()
        .attr(
            "token",
            Attribute::optional(Type::String).sensitive().describe(
                "The API token; DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCESS_TOKEN when unset.",
            ),
        )
        .attr(
            "api_endpoint",
            Attribute::optional(Type::String).describe(
                "The API's base URL; DIGITALOCEAN_API_URL, else https://api.digitalocean.com.",
            ),
        )
        .attr(
            "http_retry_max",
            Attribute::optional(Type::Number)
                .describe("How many times a throttled or failed request is retried (default 7)."),
        )
        .attr(
            "http_retry_wait_min",
            Attribute::optional(Type::Number)
                .describe("The first wait before a retry, in seconds (default 0.5)."),
        )
        .attr(
            "http_retry_wait_max",
            Attribute::optional(Type::Number)
                .describe("The longest wait between retries, in seconds (default 20)."),
        )
        .describe("DigitalOcean through its API v2.")
}

#[async_trait]
impl Configure<Client> for ProviderConfig {
    fn schema(&self) -> Schema {
        schema()
    }

    async fn configure(&self, _ctx: &Context, config: Value) -> Result<Client, Diagnostics> {
        configure(&config, |name| std::env::var(name).ok())
    }
}

/// The client for a provider block, reading the environment through `env`.
pub fn configure(
    config: &Value,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Client, Diagnostics> {
    let token = attrs::string(config, "token")
        .map(str::to_string)
        .or_else(|| {
            TOKEN_VARIABLES
                .iter()
                .find_map(|name| env(name).filter(|t| !t.trim().is_empty()))
        })
        .ok_or_else(|| {
            Diagnostic::error("the DigitalOcean provider has no API token")
                .with_detail(
                    "Set `token` in the provider \"digitalocean\" block, or the DIGITALOCEAN_TOKEN environment variable.",
                )
                .with_attribute(AttrPath::attr("token"))
        })?;
    let endpoint = attrs::string(config, "api_endpoint")
        .map(str::to_string)
        .or_else(|| env(ENDPOINT_VARIABLE).filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
    let backoff = backoff(config)?;
    Client::new(endpoint.trim(), token.trim(), backoff, Polling::default()).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error(format!("the DigitalOcean API endpoint is not usable: {e}"))
                .with_attribute(AttrPath::attr("api_endpoint")),
        )
    })
}

/// The retry settings of the provider block.
fn backoff(config: &Value) -> Result<Backoff, Diagnostics> {
    let mut backoff = Backoff {
        initial: Duration::from_millis(500),
        max: Duration::from_secs(20),
        attempts: 8,
    };
    let seconds = |name: &str| -> Result<Option<Duration>, Diagnostics> {
        match config.get(name).and_then(Value::as_f64) {
            None => Ok(None),
            Some(s) if s.is_finite() && s >= 0.0 => Ok(Some(Duration::from_secs_f64(s))),
            Some(s) => Err(Diagnostic::error(format!(
                "{name} must be a number of seconds of 0 or more, not {s}"
            ))
            .with_attribute(AttrPath::attr(name))
            .into()),
        }
    };
    if let Some(retries) = config.get("http_retry_max").and_then(Value::as_f64) {
        if !(0.0..=100.0).contains(&retries) || retries.fract() != 0.0 {
            return Err(Diagnostic::error(format!(
                "http_retry_max must be a whole number from 0 to 100, not {retries}"
            ))
            .with_attribute(AttrPath::attr("http_retry_max"))
            .into());
        }
        backoff.attempts = retries as u32 + 1;
    }
    if let Some(first) = seconds("http_retry_wait_min")? {
        backoff.initial = first;
    }
    if let Some(longest) = seconds("http_retry_wait_max")? {
        backoff.max = longest;
    }
    Ok(backoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_comes_from_the_block_then_the_environment() {
        let none = |_: &str| None;
        let missing = configure(&Value::object::<&str>([]), none).unwrap_err();
        assert!(
            missing.to_string().contains("DIGITALOCEAN_TOKEN"),
            "{missing}"
        );
        assert_eq!(missing.0[0].attribute, Some(AttrPath::attr("token")));
        let env = |name: &str| match name {
            "DIGITALOCEAN_ACCESS_TOKEN" => Some("from-env".to_string()),
            "DIGITALOCEAN_API_URL" => Some("http://127.0.0.1:9".to_string()),
            _ => None,
        };
        let client = configure(&Value::object::<&str>([]), env).unwrap();
        assert_eq!(client.base(), "http://127.0.0.1:9");
        let block = Value::object([
            ("token", Value::from("t")),
            ("api_endpoint", Value::from("http://127.0.0.1:7/")),
        ]);
        assert_eq!(configure(&block, env).unwrap().base(), "http://127.0.0.1:7");
    }

    #[test]
    fn a_bad_endpoint_or_retry_setting_names_its_attribute() {
        let block = Value::object([
            ("token", Value::from("t")),
            ("api_endpoint", Value::from("ftp://example")),
        ]);
        let error = configure(&block, |_| None).unwrap_err();
        assert_eq!(error.0[0].attribute, Some(AttrPath::attr("api_endpoint")));
        let block = Value::object([
            ("token", Value::from("t")),
            ("http_retry_max", Value::from(-1i64)),
        ]);
        let error = configure(&block, |_| None).unwrap_err();
        assert_eq!(error.0[0].attribute, Some(AttrPath::attr("http_retry_max")));
        let block = Value::object([
            ("token", Value::from("t")),
            ("http_retry_max", Value::from(2i64)),
            ("http_retry_wait_min", Value::from(0.01)),
        ]);
        assert!(configure(&block, |_| None).is_ok());
    }
}
