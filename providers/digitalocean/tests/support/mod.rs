//! What the provider's tests share: an in-process DigitalOcean emulator and a provider
//! configured against it, plus the values the test kit plans.
#![allow(dead_code)]

/// The emulator's own checker of exchanges against DigitalOcean's OpenAPI description, so the
/// provider's requests are held to the same description as the emulator's answers.
#[path = "../../../do-emulator/tests/support/openapi.rs"]
pub mod openapi;

use std::time::Duration;

use plinth_do_emulator::{Config, Emulator, Knobs};
use plinth_provider_digitalocean::provider;
use plinth_sdk::{ConfigureRequest, Context, Provider, Registry, Value};

/// The token the emulator accepts.
pub const TOKEN: &str = "plinth-test-token";
/// An SSH public key the emulator accepts.
pub const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0Y2VudHJhbC1wbGludGgtdGVzdC1rZXktMDAwMDAx plinth@test";

/// An emulator whose asynchronous work takes `action_delay_ms`.
pub async fn emulator(action_delay_ms: u64) -> Emulator {
    Emulator::start(Config {
        tokens: vec![TOKEN.into()],
        knobs: Knobs {
            action_delay_ms,
            ..Knobs::default()
        },
        ..Config::default()
    })
    .await
    .expect("the emulator starts")
}

/// A provider configured against `emulator` with `token`, retrying quickly.
pub async fn configured_with(
    emulator: &Emulator,
    token: &str,
) -> Registry<plinth_provider_digitalocean::Client> {
    let mut provider = provider();
    let response = provider
        .configure(
            &Context::default(),
            ConfigureRequest {
                config: Value::object([
                    ("token", Value::from(token)),
                    ("api_endpoint", Value::from(emulator.url())),
                    ("http_retry_wait_min", Value::from(0.05)),
                    ("http_retry_wait_max", Value::from(0.5)),
                ]),
            },
        )
        .await;
    assert!(
        !response.diagnostics.has_errors(),
        "configure: {}",
        response.diagnostics
    );
    provider
}

/// A provider configured against `emulator`.
pub async fn configured(emulator: &Emulator) -> Registry<plinth_provider_digitalocean::Client> {
    configured_with(emulator, TOKEN).await
}

/// A context that gives up after `seconds`.
pub fn within(seconds: u64) -> Context {
    Context::default().with_timeout(Some(Duration::from_secs(seconds)))
}

/// An object value from pairs.
pub fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::object(pairs)
}

/// A set of strings.
pub fn strings(items: &[&str]) -> Value {
    Value::set(items.iter().map(|s| Value::from(*s)).collect())
}

/// A number value.
pub fn num(n: u64) -> Value {
    Value::Number(n as f64)
}

/// A string attribute of an object.
pub fn text<'a>(object: &'a Value, name: &str) -> &'a str {
    object
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{name} is not a string in {object}"))
}
