//! Runs a provider built with PyPI's `pyvider` framework (its own protocol 6 server, TLS only
//! when a client certificate is offered) found through a filesystem mirror. The test package
//! `tests/plugins/pyvider_demo` is installed into the framework's venv by `scripts/test.sh`.

mod common;

use plinth_plugin::{ApplyRequest, PlanRequest, ProviderClient, ReadRequest};
use plinth_sdk::Value;

const SOURCE: &str = "example.com/plinth/pyvider";

async fn start(auto_mtls: bool) -> Option<(ProviderClient, common::MirroredProvider)> {
    let args = [common::plugin_script("pyvider_launch.py")
        .display()
        .to_string()];
    let mirrored = common::mirrored("pyvider", &args, SOURCE)?;
    let mut options = common::launch(SOURCE, &mirrored.package.executable);
    options.auto_mtls = auto_mtls;
    let client = ProviderClient::start(options).await.unwrap();
    Some((client, mirrored))
}

/// Plans and applies `config` over `prior`, proposing as Terraform does: the configuration
/// with the prior computed values, unknown on create.
async fn plan_apply(client: &ProviderClient, prior: &Value, config: &Value) -> Value {
    let mut proposed = config.as_map().unwrap().clone();
    for computed in ["id", "length"] {
        let value = prior.get(computed).cloned().unwrap_or(Value::Unknown);
        proposed.insert(computed.to_string(), value);
    }
    let planned = client
        .plan_resource_change(&PlanRequest {
            type_name: "pyvider_note".into(),
            prior_state: prior.clone(),
            proposed_new_state: Value::Map(proposed),
            config: config.clone(),
            prior_private: Vec::new(),
            provider_meta: None,
        })
        .await
        .unwrap();
    assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
    let applied = client
        .apply_resource_change(&ApplyRequest {
            type_name: "pyvider_note".into(),
            prior_state: prior.clone(),
            planned_state: planned.planned_state,
            config: config.clone(),
            planned_private: planned.planned_private,
            provider_meta: None,
        })
        .await
        .unwrap();
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    applied.new_state
}

#[tokio::test]
async fn pyvider_provider_with_automtls_runs_the_lifecycle() {
    let Some((client, _mirror)) = start(true).await else {
        return;
    };
    assert!(
        client.uses_tls(),
        "a client certificate was offered: pyvider serves TLS"
    );
    assert_eq!(client.protocol_version(), 6);
    let (schemas, diags) = client.get_provider_schema().await.unwrap();
    assert!(!plinth_plugin::has_errors(&diags), "{diags:?}");
    let plinth = schemas.to_plinth();
    let note = &plinth.resources["pyvider_note"];
    assert!(note.attributes["name"].required);
    assert!(note.attributes["length"].computed);
    let diags = client
        .configure_provider(&Value::object([("pyvider_testmode", Value::Null)]))
        .await
        .unwrap();
    assert!(!plinth_plugin::has_errors(&diags), "{diags:?}");

    let config = Value::object([("name", Value::from("n")), ("text", Value::from("hello"))]);
    let created = plan_apply(&client, &Value::Null, &config).await;
    assert_eq!(created.get("length"), Some(&Value::from(5i64)));
    let id = created.get("id").unwrap().as_str().unwrap().to_string();

    let config = Value::object([
        ("name", Value::from("n")),
        ("text", Value::from("hello, world")),
    ]);
    let updated = plan_apply(&client, &created, &config).await;
    assert_eq!(updated.get("id").unwrap().as_str(), Some(id.as_str()));
    assert_eq!(updated.get("length"), Some(&Value::from(12i64)));

    let read = client
        .read_resource(&ReadRequest {
            type_name: "pyvider_note".into(),
            current_state: updated.clone(),
            private: Vec::new(),
            provider_meta: None,
        })
        .await
        .unwrap();
    assert_eq!(
        read.new_state.get("text"),
        Some(&Value::from("hello, world"))
    );
    client.shutdown().await;
}

#[tokio::test]
async fn pyvider_without_a_client_certificate_serves_plaintext() {
    let Some((client, _mirror)) = start(false).await else {
        return;
    };
    assert!(!client.uses_tls());
    let (schemas, _) = client.get_provider_schema().await.unwrap();
    assert!(schemas.resources.contains_key("pyvider_note"));
    client.shutdown().await;
}
