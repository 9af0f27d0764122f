//! Runs a provider built with PyPI's `tf` framework (someone else's implementation of the
//! protocol: TLS with an RSA-1024 certificate, protocol 6 over a unix socket) through the whole
//! lifecycle.

mod common;

use plinth_plugin::{ApplyRequest, PlanRequest, ProviderClient};
use plinth_sdk::Value;

#[tokio::test]
async fn tf_provider_handshake_and_schema() {
    let Some(python) = common::python("tf") else {
        return;
    };
    let mirror = tempfile::tempdir().unwrap();
    let exe = common::install(
        mirror.path(),
        "example.com/plinth/demo",
        "1.0.0",
        &python,
        &common::plugin_script("tf_demo.py"),
    );
    let client = ProviderClient::start(common::launch("example.com/plinth/demo", &exe))
        .await
        .unwrap();
    assert_eq!(client.protocol_version(), 6);
    let (schemas, diags) = client.get_provider_schema().await.unwrap();
    assert!(diags.is_empty(), "{diags:?}");
    assert!(
        schemas.resources.contains_key("demo_item"),
        "{:?}",
        schemas.resources.keys()
    );
    let store = tempfile::tempdir().unwrap();
    let d = client
        .configure_provider(&Value::object([(
            "store",
            Value::string(store.path().to_str().unwrap()),
        )]))
        .await
        .unwrap();
    assert!(d.is_empty(), "{d:?}");
    let config = Value::object([
        ("name", Value::from("a")),
        ("content", Value::from("hello")),
    ]);
    let plan = client
        .plan_resource_change(&PlanRequest {
            type_name: "demo_item".into(),
            prior_state: Value::Null,
            proposed_new_state: config.clone(),
            config: config.clone(),
            prior_private: vec![],
            provider_meta: None,
        })
        .await
        .unwrap();
    eprintln!("{plan:?}");
    let applied = client
        .apply_resource_change(&ApplyRequest {
            type_name: "demo_item".into(),
            prior_state: Value::Null,
            planned_state: plan.planned_state.clone(),
            config,
            planned_private: plan.planned_private,
            provider_meta: None,
        })
        .await
        .unwrap();
    eprintln!("{applied:?}");
}
