//! What the provider's tests share: a moto server of their own (one per test: isolated), a
//! provider configured against it with its API calls counted, and small helpers to plan,
//! create and read objects as the engine would.
#![allow(dead_code)]

#[path = "../../../../tests/support/moto.rs"]
pub mod moto;

use plinth_provider_aws::{provider_counting, CallCounter, Client};
use plinth_sdk::{
    ConfigureRequest, Context, CreateRequest, DeleteRequest, Intent, PlanRequest, Provider,
    ReadManyRequest, ReadResult, Registry, Value,
};

pub use moto::Moto;

/// A provider configured against `moto`, and its call counter.
pub async fn configured(moto: &Moto) -> (Registry<Client>, CallCounter) {
    configured_with(moto, []).await
}

/// A provider configured against `moto` with more provider block attributes.
pub async fn configured_with<const N: usize>(
    moto: &Moto,
    extra: [(&str, Value); N],
) -> (Registry<Client>, CallCounter) {
    let calls = CallCounter::default();
    let mut provider = provider_counting(calls.clone());
    let mut config = vec![
        ("region", Value::from("us-east-1")),
        ("access_key", Value::from("testing")),
        ("secret_key", Value::from("testing")),
        (
            "endpoints",
            Value::List(vec![Value::object(
                ["cloudwatch", "ec2", "ecs", "rds", "route53", "sns", "sts"]
                    .map(|service| (service, Value::from(moto.endpoint.as_str()))),
            )]),
        ),
    ];
    config.extend(extra);
    let response = provider
        .configure(
            &Context::default(),
            ConfigureRequest {
                config: Value::object(config),
            },
        )
        .await;
    assert!(
        !response.diagnostics.has_errors(),
        "configure: {}",
        response.diagnostics
    );
    (provider, calls)
}

/// An object value.
pub fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::object(pairs)
}

/// A set of strings.
pub fn strings(items: &[&str]) -> Value {
    Value::set(items.iter().map(|s| Value::from(*s)).collect())
}

/// Plans and creates one object, panicking on errors; returns its state.
pub async fn create(provider: &dyn Provider, type_name: &str, config: Value) -> Value {
    create_as(provider, type_name, config, &format!("{type_name}.test")).await
}

/// Plans and creates one object at `address`.
pub async fn create_as(
    provider: &dyn Provider,
    type_name: &str,
    config: Value,
    address: &str,
) -> Value {
    let ctx = Context::default();
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
    assert!(!plan.diagnostics.has_errors(), "plan: {}", plan.diagnostics);
    let created = provider
        .create(
            &ctx,
            CreateRequest {
                type_name: type_name.into(),
                planned: unknown_to_null(plan.planned),
                intent: Intent::new(address, "default"),
                private: plan.private,
            },
        )
        .await;
    assert!(
        !created.diagnostics.has_errors(),
        "create {type_name}: {}",
        created.diagnostics
    );
    created.new_state.expect("an object")
}

fn unknown_to_null(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| (k, unknown_to_null(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Reads objects of one type.
pub async fn read(
    provider: &dyn Provider,
    type_name: &str,
    objects: Vec<Value>,
) -> Vec<ReadResult> {
    let response = provider
        .read_many(
            &Context::default(),
            ReadManyRequest {
                type_name: type_name.into(),
                objects,
                privates: Vec::new(),
            },
        )
        .await;
    assert!(
        !response.diagnostics.has_errors(),
        "read_many: {}",
        response.diagnostics
    );
    response.results
}

/// Deletes one object, panicking on errors.
pub async fn delete(provider: &dyn Provider, type_name: &str, prior: Value) {
    let deleted = provider
        .delete(
            &Context::default(),
            DeleteRequest {
                type_name: type_name.into(),
                prior,
                private: Vec::new(),
            },
        )
        .await;
    assert!(
        !deleted.diagnostics.has_errors(),
        "delete {type_name}: {}",
        deleted.diagnostics
    );
}

/// An attribute of an object as a string.
pub fn s<'a>(object: &'a Value, name: &str) -> &'a str {
    object
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{name} is not a string in {object:?}"))
}
