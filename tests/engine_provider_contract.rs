//! The engine's side of the provider contract v2, end to end through the binary with the slow
//! test provider (and the Docker provider where the engine's own Docker is needed): a refresh
//! answer missing an object is an error, never "deleted"; provider warnings are shown with their
//! address; `timeouts {}` blocks set each operation's deadline; an interrupted create is found
//! again by its intent token and recorded instead of repeated; a provider diagnostic about an
//! attribute points at the line that set it.
#![cfg(feature = "test-provider")]

mod support;

use support::Workspace;

/// Regression: a `read_many` answer shorter than the question was zipped with the objects asked
/// about, so the objects missing from it were planned as creates (duplicates on a cloud).
#[test]
fn a_refresh_answer_missing_an_object_is_an_error_not_a_create() {
    let ws = Workspace::with_main(
        r#"
resource "slow_object" "a" {
  input = "a"
}

resource "slow_object" "b" {
  input = "b"
}
"#,
    );
    ws.apply();
    let mut config = ws.read("main.tf");
    config.push_str("\nprovider \"slow\" {\n  short_reads = true\n}\n");
    ws.write("main.tf", &config);
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("answered a refresh incompletely")
        .expect_nowhere("will be created");
    assert_eq!(ws.slow_objects().len(), 2);
}

#[test]
fn provider_warnings_are_shown_with_their_address() {
    let ws = Workspace::with_main(
        r#"
resource "slow_object" "a" {
  input = "a"
  warn  = "this object is deprecated upstream"
}
"#,
    );
    ws.apply()
        .expect_stderr("Warning: this object is deprecated upstream")
        .expect_stderr("slow_object.a");
}

#[test]
fn a_timeouts_block_sets_the_deadline_of_each_operation() {
    let ws = Workspace::with_main(
        r#"
resource "slow_object" "a" {
  input    = "a"
  delay_ms = 3000
  timeouts {
    create = "200ms"
  }
}
"#,
    );
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("create timed out (timeouts.create)")
        .expect_stderr("slow_object.a");
    assert!(ws.slow_objects().is_empty());
    ws.write(
        "main.tf",
        r#"
resource "slow_object" "a" {
  input = "a"
  timeouts {
    create = "soon"
  }
}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Invalid timeout")
        .expect_stderr("main.tf:5");
}

/// A run killed after the provider made an object but before plinth recorded it leaves only the
/// create's intent in state: the next plan finds the object by its token, apply records it,
/// and no second create happens.
#[test]
fn an_interrupted_create_is_adopted_not_repeated() {
    let config = r#"
resource "slow_object" "a" {
  input = "a"
}
"#;
    let ws = Workspace::with_main(config);
    ws.apply();
    let (id, object) = ws.slow_objects().into_iter().next().expect("the object");
    let token = object["intent"]
        .as_str()
        .expect("the object keeps its token")
        .to_string();
    // Make the state look like the kill happened: the object is not recorded, its intent is.
    let mut state: serde_json::Value =
        serde_json::from_str(&ws.run(&["state", "pull"]).expect_ok().stdout).expect("state");
    state["resources"] = serde_json::json!([]);
    state["serial"] = serde_json::json!(state["serial"].as_u64().unwrap_or(0) + 1);
    state["pending_creates"] = serde_json::json!([{
        "address": "slow_object.a",
        "token": token,
        "workspace": "default",
        "type": "slow_object",
        "provider": "slow",
        "planned": object["value"],
    }]);
    ws.write("pushed.json", &state.to_string());
    ws.run(&["state", "push", "pushed.json"]).expect_ok();
    let _ = std::fs::remove_file(ws.objects_dir().join("calls.log"));
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("Objects made by an interrupted apply were found")
        .expect_nowhere("will be created");
    ws.apply();
    let calls = std::fs::read_to_string(ws.objects_dir().join("calls.log")).unwrap_or_default();
    assert!(
        !calls.contains("create"),
        "the create was repeated: {calls}"
    );
    let state = ws.state();
    let recorded = state
        .instances()
        .into_iter()
        .find(|i| i.address == "slow_object.a")
        .and_then(|i| i.string("id").map(str::to_string));
    assert_eq!(recorded, Some(id));
    assert!(
        state.json.get("pending_creates").is_none(),
        "{:#}",
        state.json
    );
    ws.plan(&[]).expect_code(0);
}

/// Regression: an adopted object whose plan was a no-op (found just as configured) was recorded
/// with no dependencies, as they were taken from its planned change and a no-op records none; a
/// later destroy then deleted what it depends on at the same time as it (a Docker network or
/// volume "in use" by the adopted container).
#[test]
fn an_adopted_object_keeps_its_dependencies() {
    let config = r#"
resource "slow_object" "base" {
  input = "base"
}

resource "slow_object" "user" {
  input = "user-of-${slow_object.base.id}"
}
"#;
    let ws = Workspace::with_main(config);
    ws.apply();
    let (_, object) = ws
        .slow_objects()
        .into_iter()
        .find(|(_, o)| {
            o["value"]["input"]
                .as_str()
                .is_some_and(|i| i.starts_with("user-of-"))
        })
        .expect("the user object");
    let token = object["intent"].as_str().expect("its token").to_string();
    let mut state: serde_json::Value =
        serde_json::from_str(&ws.run(&["state", "pull"]).expect_ok().stdout).expect("state");
    let resources = state["resources"].as_array().cloned().unwrap_or_default();
    state["resources"] = serde_json::Value::Array(
        resources
            .into_iter()
            .filter(|r| r["name"] != "user")
            .collect(),
    );
    state["serial"] = serde_json::json!(state["serial"].as_u64().unwrap_or(0) + 1);
    state["pending_creates"] = serde_json::json!([{
        "address": "slow_object.user",
        "token": token,
        "workspace": "default",
        "type": "slow_object",
        "provider": "slow",
        "planned": object["value"],
    }]);
    ws.write("pushed.json", &state.to_string());
    ws.run(&["state", "push", "pushed.json"]).expect_ok();
    ws.apply();
    let state = ws.state();
    let user = state
        .json
        .get("resources")
        .and_then(|r| r.as_array())
        .and_then(|r| r.iter().find(|r| r["name"] == "user"))
        .cloned()
        .expect("the adopted object is recorded");
    assert_eq!(
        user["instances"][0]["dependencies"],
        serde_json::json!(["slow_object.base"]),
        "{user:#}"
    );
}

/// A provider's diagnostic about one attribute is shown at the configuration line that set it.
#[test]
fn a_provider_error_about_an_attribute_points_at_its_line() {
    if !support::docker_available() {
        return;
    }
    let ws = Workspace::with_main(
        r#"
resource "docker_container" "web" {
  name    = "plinth-contract-restart"
  image   = "plinth-never-pulled:none"
  restart = "sometimes"
}
"#,
    );
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("invalid restart policy")
        .expect_stderr("main.tf:5");
}
