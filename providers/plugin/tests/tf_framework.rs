//! Runs a provider built with PyPI's `tf` framework (someone else's implementation of the
//! protocol: protocol 6 over a unix socket, TLS with an RSA-1024 certificate) through the
//! whole lifecycle, found through a filesystem mirror and a CLI configuration file.

mod common;

use std::time::{Duration, Instant};

use plinth_plugin::codec::{AttributePath, PathStep};
use plinth_plugin::discovery::{Constraints, Discovery, LockFile, LOCK_FILE_NAME};
use plinth_plugin::{
    ApplyRequest, PlanRequest, PluginError, ProviderClient, RawState, ReadRequest,
};
use plinth_sdk::{Severity, Value};

const SOURCE: &str = "example.com/plinth/demo";

/// A started and configured demo provider, its store directory and mirror.
async fn started() -> Option<(ProviderClient, tempfile::TempDir, common::MirroredProvider)> {
    let script = common::plugin_script("tf_demo.py").display().to_string();
    let mirrored = common::mirrored("tf", &[script], SOURCE)?;
    let client = ProviderClient::start(common::launch(SOURCE, &mirrored.package.executable))
        .await
        .unwrap();
    let store = tempfile::tempdir().unwrap();
    let diags = client
        .configure_provider(&Value::object([(
            "store",
            Value::string(store.path().to_str().unwrap()),
        )]))
        .await
        .unwrap();
    assert!(diags.is_empty(), "{diags:?}");
    Some((client, store, mirrored))
}

fn item(name: &str, content: &str) -> Value {
    Value::object([
        ("name", Value::from(name)),
        ("content", Value::from(content)),
    ])
}

async fn plan(
    client: &ProviderClient,
    prior: &Value,
    config: &Value,
) -> plinth_plugin::PlanResponse {
    let response = client
        .plan_resource_change(&PlanRequest {
            type_name: "demo_item".into(),
            prior_state: prior.clone(),
            proposed_new_state: config.clone(),
            config: config.clone(),
            prior_private: Vec::new(),
            provider_meta: None,
        })
        .await
        .unwrap();
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
    response
}

async fn apply(
    client: &ProviderClient,
    prior: &Value,
    planned: &plinth_plugin::PlanResponse,
    config: &Value,
) -> Value {
    let response = client
        .apply_resource_change(&ApplyRequest {
            type_name: "demo_item".into(),
            prior_state: prior.clone(),
            planned_state: planned.planned_state.clone(),
            config: config.clone(),
            planned_private: planned.planned_private.clone(),
            provider_meta: None,
        })
        .await
        .unwrap();
    assert!(
        response.diagnostics.is_empty(),
        "{:?}",
        response.diagnostics
    );
    response.new_state
}

#[tokio::test]
async fn handshake_schema_and_lock_file() {
    let Some((client, _store, mirrored)) = started().await else {
        return;
    };
    assert_eq!(
        client.protocol_version(),
        6,
        "taken from the handshake line"
    );
    let (schemas, diags) = client.get_provider_schema().await.unwrap();
    assert!(diags.is_empty(), "{diags:?}");
    let item = &schemas.resources["demo_item"];
    assert_eq!(item.version, 1);
    let plinth = schemas.to_plinth();
    let s = &plinth.resources["demo_item"];
    assert!(s.attributes["name"].required);
    assert!(s.attributes["id"].computed);
    assert!(s.attributes["secret"].sensitive);
    assert_eq!(s.attributes["tags"].ty.to_string(), "map(string)");
    assert!(plinth.data_sources.contains_key("demo_lookup"));
    assert!(schemas.functions.contains_key("shout"));
    assert!(plinth.provider.attributes["store"].required);

    // The lock file plinth writes for it reads back and pins the package's hash.
    let lock_path = mirrored.work.path().join(LOCK_FILE_NAME);
    let constraints = Constraints::parse("~> 1.0").unwrap();
    let mut lock = LockFile::default();
    let entry = Discovery::lock_entry(&mirrored.package, &constraints, None).unwrap();
    lock.providers
        .insert(mirrored.package.address.clone(), entry);
    lock.write(&lock_path).unwrap();
    let back = LockFile::read(&lock_path).unwrap();
    assert_eq!(back, lock);
    let locked = &back.providers[&mirrored.package.address];
    assert!(locked.hashes[0].starts_with("h1:"));
}

#[tokio::test]
async fn create_read_update_replace_delete() {
    let Some((client, store, _mirror)) = started().await else {
        return;
    };

    // Validation: a read-only attribute set in configuration is refused, with its path.
    let diags = client
        .validate_resource_config(
            "demo_item",
            &Value::object([("name", Value::from("a")), ("id", Value::from("x"))]),
        )
        .await
        .unwrap();
    assert!(
        diags.iter().any(|d| d.severity == Severity::Error),
        "{diags:?}"
    );

    // Create: computed attributes are unknown in the plan, known after apply.
    let config = item("a", "hello");
    let planned = plan(&client, &Value::Null, &config).await;
    assert!(planned.planned_state.get("id").unwrap().is_unknown());
    let created = apply(&client, &Value::Null, &planned, &config).await;
    let id = created.get("id").unwrap().as_str().unwrap().to_string();
    assert_eq!(created.get("size"), Some(&Value::from(5i64)));

    // Read sees changes made behind the provider's back (drift).
    let file = store.path().join(format!("{id}.json"));
    let mut stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    stored["content"] = "changed outside".into();
    std::fs::write(&file, stored.to_string()).unwrap();
    let read = client
        .read_resource(&ReadRequest {
            type_name: "demo_item".into(),
            current_state: created.clone(),
            private: Vec::new(),
            provider_meta: None,
        })
        .await
        .unwrap();
    assert_eq!(
        read.new_state.get("content"),
        Some(&Value::from("changed outside"))
    );

    // Update in place: no replacement.
    let config = item("a", "hello again");
    let planned = plan(&client, &read.new_state, &config).await;
    assert!(
        planned.requires_replace.is_empty(),
        "{:?}",
        planned.requires_replace
    );
    let updated = apply(&client, &read.new_state, &planned, &config).await;
    assert_eq!(updated.get("id").unwrap().as_str(), Some(id.as_str()));
    assert_eq!(updated.get("size"), Some(&Value::from(11i64)));

    // A new name forces replacement (requires_replace from the provider).
    let config = item("b", "hello again");
    let planned = plan(&client, &updated, &config).await;
    assert_eq!(
        planned.requires_replace,
        vec![AttributePath(vec![PathStep::Attribute("name".into())])]
    );

    // Replace = delete (planned null) then create.
    let deleted = client
        .apply_resource_change(&ApplyRequest {
            type_name: "demo_item".into(),
            prior_state: updated.clone(),
            planned_state: Value::Null,
            config: Value::Null,
            planned_private: Vec::new(),
            provider_meta: None,
        })
        .await
        .unwrap();
    assert_eq!(deleted.new_state, Value::Null);
    assert!(!file.exists());
    let planned = plan(&client, &Value::Null, &config).await;
    let replacement = apply(&client, &Value::Null, &planned, &config).await;
    assert_ne!(replacement.get("id"), updated.get("id"));

    // Reading a deleted object answers null: it is gone.
    let gone = client
        .read_resource(&ReadRequest {
            type_name: "demo_item".into(),
            current_state: updated,
            private: Vec::new(),
            provider_meta: None,
        })
        .await
        .unwrap();
    assert_eq!(gone.new_state, Value::Null);
}

#[tokio::test]
async fn sensitive_marks_stay_on_plinths_side() {
    let Some((client, store, _mirror)) = started().await else {
        return;
    };
    let config = Value::object([
        ("name", Value::from("s")),
        ("secret", Value::from("hunter2").mark_sensitive()),
    ]);
    let planned = plan(&client, &Value::Null, &config).await;
    assert!(planned.planned_state.get("secret").unwrap().is_sensitive());
    let created = apply(&client, &Value::Null, &planned, &config).await;
    assert_eq!(
        created.get("secret"),
        Some(&Value::from("hunter2").mark_sensitive())
    );
    // The provider got the plain value (marks are plinth's, not the wire's).
    let id = created.get("id").unwrap().as_str().unwrap();
    let stored = std::fs::read_to_string(store.path().join(format!("{id}.json"))).unwrap();
    assert!(stored.contains("\"secret\": \"hunter2\""), "{stored}");
}

#[tokio::test]
async fn import_upgrade_data_source_and_functions() {
    let Some((client, _store, _mirror)) = started().await else {
        return;
    };
    let config = item("imp", "data");
    let planned = plan(&client, &Value::Null, &config).await;
    let created = apply(&client, &Value::Null, &planned, &config).await;
    let id = created.get("id").unwrap().as_str().unwrap();

    let imported = client.import_resource_state("demo_item", id).await.unwrap();
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    assert_eq!(imported.imported.len(), 1);
    assert_eq!(imported.imported[0].type_name, "demo_item");
    assert_eq!(
        imported.imported[0].state.get("content"),
        Some(&Value::from("data"))
    );
    let missing = client
        .import_resource_state("demo_item", "nope")
        .await
        .unwrap();
    assert!(missing.imported.is_empty());
    assert!(
        missing
            .diagnostics
            .iter()
            .any(|d| d.summary.contains("nope")),
        "{:?}",
        missing.diagnostics
    );

    // Version 0 state called the content "text".
    let old = br#"{"id":"old1","name":"o","text":"from v0","size":7,"secret":null,"tags":null}"#;
    let upgraded = client
        .upgrade_resource_state("demo_item", 0, &RawState::Json(old.to_vec()))
        .await
        .unwrap();
    assert_eq!(
        upgraded.upgraded_state.get("content"),
        Some(&Value::from("from v0"))
    );

    let data = client
        .read_data_source(
            "demo_lookup",
            &Value::object([("name", Value::from("imp"))]),
            &None,
        )
        .await
        .unwrap();
    assert!(data.diagnostics.is_empty(), "{:?}", data.diagnostics);
    assert_eq!(data.state.get("content"), Some(&Value::from("data")));
    assert_eq!(data.state.get("count"), Some(&Value::from(1i64)));

    // provider::demo::shout("hi", "!", "?") with a variadic parameter.
    let result = client
        .call_function(
            "shout",
            &[Value::from("hi"), Value::from("!"), Value::from("?")],
        )
        .await
        .unwrap();
    assert_eq!(result, Ok(Value::from("HI!?")));
    let secret = client
        .call_function("shout", &[Value::from("psst").mark_sensitive()])
        .await
        .unwrap();
    assert_eq!(secret, Ok(Value::from("PSST").mark_sensitive()));
    let failed = client
        .call_function("shout", &[Value::from("")])
        .await
        .unwrap();
    assert!(failed.is_err(), "{failed:?}");
}

/// A provider that dies mid-apply is reported with its exit and stderr; the next start is a
/// fresh process that works.
#[tokio::test]
async fn crash_mid_apply_is_reported_and_a_fresh_process_works() {
    let Some((client, store, mirrored)) = started().await else {
        return;
    };
    let config = item("c", "crash");
    let planned = plan(&client, &Value::Null, &config).await;
    let err = client
        .apply_resource_change(&ApplyRequest {
            type_name: "demo_item".into(),
            prior_state: Value::Null,
            planned_state: planned.planned_state,
            config,
            planned_private: Vec::new(),
            provider_meta: None,
        })
        .await
        .unwrap_err();
    let PluginError::Crashed {
        rpc,
        status,
        stderr_tail,
        ..
    } = &err
    else {
        panic!("expected a crash report, got {err}");
    };
    assert_eq!(*rpc, "ApplyResourceChange");
    assert!(status.contains('3'), "{status}");
    assert!(stderr_tail.contains("crashing on purpose"), "{stderr_tail}");
    assert!(err.to_string().contains("crashing on purpose"));

    let again = ProviderClient::start(common::launch(SOURCE, &mirrored.package.executable))
        .await
        .unwrap();
    assert_ne!(again.pid(), client.pid());
    let diags = again
        .configure_provider(&Value::object([(
            "store",
            Value::string(store.path().to_str().unwrap()),
        )]))
        .await
        .unwrap();
    assert!(diags.is_empty());
    let config = item("c", "fine");
    let planned = plan(&again, &Value::Null, &config).await;
    apply(&again, &Value::Null, &planned, &config).await;
}

/// A provider that never answers is stopped after the timeout and reported as hung.
#[tokio::test]
async fn a_hung_call_times_out_and_kills_the_provider() {
    let Some((mut client, _store, _mirror)) = started().await else {
        return;
    };
    let mut timeouts = client.timeouts();
    timeouts.apply = Duration::from_secs(2);
    client.set_timeouts(timeouts);
    let config = item("h", "hang");
    let planned = plan(&client, &Value::Null, &config).await;
    let started = Instant::now();
    let err = client
        .apply_resource_change(&ApplyRequest {
            type_name: "demo_item".into(),
            prior_state: Value::Null,
            planned_state: planned.planned_state,
            config,
            planned_private: Vec::new(),
            provider_meta: None,
        })
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        matches!(
            err,
            PluginError::Timeout {
                rpc: "ApplyResourceChange",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("hanging on purpose"), "{err}");
    // The process is gone: the next call fails at once instead of hanging.
    let next = client.get_metadata().await;
    assert!(next.is_err());
}

/// An interrupt sends StopProvider. This framework ends its process on StopProvider (rather
/// than cancelling running calls), so its exit is what shows the call arrived.
#[tokio::test]
async fn an_interrupt_sends_stop_provider() {
    let Some((client, _store, _mirror)) = started().await else {
        return;
    };
    let guard = client.stop_on_interrupt();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let status = std::process::Command::new("kill")
        .args(["-INT", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = client.exit_status(Duration::from_secs(10)).await;
    assert!(exit.is_some(), "the provider did not get StopProvider");
    drop(guard);
}

#[tokio::test]
async fn shutdown_ends_the_process() {
    let Some((client, _store, _mirror)) = started().await else {
        return;
    };
    let pid = client.pid().unwrap();
    let started = Instant::now();
    client.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "process {pid} still there"
    );
}

/// Per-call overhead for the plugin benchmark: process start to connected client, the schema,
/// and PlanResourceChange round trips (the provider's own work there is a dict copy).
#[tokio::test]
async fn per_call_overhead() {
    let script = common::plugin_script("tf_demo.py").display().to_string();
    let Some(mirrored) = common::mirrored("tf", &[script], SOURCE) else {
        return;
    };
    let started = Instant::now();
    let client = ProviderClient::start(common::launch(SOURCE, &mirrored.package.executable))
        .await
        .unwrap();
    let start = started.elapsed();
    let started = Instant::now();
    client.get_provider_schema().await.unwrap();
    let schema = started.elapsed();
    let store = tempfile::tempdir().unwrap();
    client
        .configure_provider(&Value::object([(
            "store",
            Value::string(store.path().to_str().unwrap()),
        )]))
        .await
        .unwrap();
    const CALLS: u32 = 200;
    let config = item("bench", "x");
    let started = Instant::now();
    for _ in 0..CALLS {
        plan(&client, &Value::Null, &config).await;
    }
    let per_plan = started.elapsed() / CALLS;
    eprintln!(
        "tf framework provider: start+handshake+connect {start:?}, GetProviderSchema {schema:?}, \
         PlanResourceChange {per_plan:?} per call (mean of {CALLS})"
    );
    assert!(
        per_plan < Duration::from_millis(250),
        "{per_plan:?} per plan"
    );
}
