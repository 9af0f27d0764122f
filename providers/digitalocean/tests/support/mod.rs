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
use plinth_sdk::{
    ConfigureRequest, Context, CreateRequest, Intent, PlanRequest, Provider, ReadManyRequest,
    ReadResult, Registry, Value,
};

/// The token the emulator accepts.
pub const TOKEN: &str = "plinth-test-token";
/// An SSH public key the emulator accepts.
pub const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0Y2VudHJhbC1wbGludGgtdGVzdC1rZXktMDAwMDAx plinth@test";

/// An emulator whose asynchronous work takes `action_delay_ms`, recording every exchange.
pub async fn emulator(action_delay_ms: u64) -> Emulator {
    emulator_with(Knobs {
        action_delay_ms,
        record: true,
        ..Knobs::default()
    })
    .await
}

/// An emulator started with `knobs`.
pub async fn emulator_with(knobs: Knobs) -> Emulator {
    Emulator::start(Config {
        tokens: vec![TOKEN.into()],
        knobs,
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
    Value::from(n as f64)
}

/// A string attribute of an object.
pub fn text<'a>(object: &'a Value, name: &str) -> &'a str {
    object
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{name} is not a string in {object}"))
}

/// Creates an object through the provider (as the engine would: plan, then create with a new
/// intent) and returns its state; panics with the diagnostics when it fails.
pub async fn make(provider: &dyn Provider, type_name: &str, config: Value) -> Value {
    let ctx = within(60);
    let plan = provider
        .plan(
            &ctx,
            PlanRequest {
                type_name: type_name.into(),
                prior: None,
                proposed: config,
                prior_private: Vec::new(),
            },
        )
        .await;
    assert!(
        !plan.diagnostics.has_errors(),
        "plan of {type_name}: {}",
        plan.diagnostics
    );
    let created = provider
        .create(
            &ctx,
            CreateRequest {
                type_name: type_name.into(),
                planned: unknowns_to_null(plan.planned),
                intent: Intent::new(format!("{type_name}.test"), "default"),
                private: Vec::new(),
            },
        )
        .await;
    assert!(
        !created.diagnostics.has_errors(),
        "create of {type_name}: {}",
        created.diagnostics
    );
    created.new_state.expect("a created object")
}

/// What the engine sends a create: computed values still unknown become null.
pub fn unknowns_to_null(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| (k, unknowns_to_null(v)))
                .collect(),
        ),
        Value::List(items) => Value::List(items.into_iter().map(unknowns_to_null).collect()),
        other => other,
    }
}

/// Reads objects of one type through the provider.
pub async fn read(
    provider: &dyn Provider,
    type_name: &str,
    objects: Vec<Value>,
) -> Vec<ReadResult> {
    let response = provider
        .read_many(
            &within(60),
            ReadManyRequest {
                type_name: type_name.into(),
                objects,
                privates: Vec::new(),
            },
        )
        .await;
    assert!(
        !response.diagnostics.has_errors(),
        "read of {type_name}: {}",
        response.diagnostics
    );
    response.results
}

/// How many objects of a kind (a key of the emulator's state) exist.
pub fn count(emulator: &Emulator, kind: &str) -> usize {
    emulator.state()[kind].as_array().map_or(0, Vec::len)
}

/// Checks every exchange the emulator recorded against DigitalOcean's OpenAPI description
/// (skipped, saying why, when the description is not found outside CI).
pub fn check_exchanges(emulator: &Emulator) {
    let Some(spec) = openapi::load_or_skip() else {
        return;
    };
    let exchanges = emulator.exchanges();
    assert!(
        !exchanges.is_empty(),
        "nothing was recorded: turn the record knob on"
    );
    let mut problems = Vec::new();
    for exchange in &exchanges {
        let (operation, found) = openapi::check_exchange(&spec, exchange);
        for problem in found {
            problems.push(format!(
                "{} {} ({}) -> {}: {problem}",
                exchange.method,
                exchange.path,
                operation.as_deref().unwrap_or("no operation"),
                exchange.status
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "exchanges that break DigitalOcean's description:\n{}",
        problems.join("\n")
    );
}
