//! `plinth drift` end to end through the slow provider, whose "real infrastructure" is a
//! directory the tests change behind plinth's back: changed, deleted and unmanaged objects are
//! reported apart from configuration changes not applied yet, with exit codes 0/1/2/3, human,
//! JSON and JUnit output, ignore rules, and repair by apply.
#![cfg(feature = "test-provider")]

mod support;

use support::Workspace;

const ESTATE: &str = r#"
resource "slow_object" "web" {
  input = "web-v1"
}

resource "slow_object" "db" {
  input = "db-v1"
}

resource "slow_object" "cache" {
  input = "cache-v1"
}
"#;

/// An applied estate.
fn applied() -> Workspace {
    let ws = Workspace::with_main(ESTATE);
    ws.apply();
    ws
}

/// The object file of the slow object at `address` in state.
fn object_file(ws: &Workspace, address: &str) -> std::path::PathBuf {
    let state = ws.state();
    let id = state
        .instance(address)
        .string("id")
        .expect("object id")
        .to_string();
    ws.objects_dir().join(format!("{id}.json"))
}

/// Changes the `input` of an object behind plinth's back.
fn tamper(ws: &Workspace, address: &str, input: &str) {
    let path = object_file(ws, address);
    let mut stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read object")).expect("json");
    stored["value"]["input"] = serde_json::json!(input);
    std::fs::write(&path, stored.to_string()).expect("write object");
}

#[test]
fn drift_is_clean_right_after_apply() {
    let ws = applied();
    ws.run(&["drift"])
        .expect_code(0)
        .expect_stdout("Drift check of 3 managed object(s).")
        .expect_stdout("No drift");
}

#[test]
fn drift_names_changed_and_deleted_objects_and_apply_repairs_them() {
    let ws = applied();
    tamper(&ws, "slow_object.web", "web-tampered");
    std::fs::remove_file(object_file(&ws, "slow_object.db")).expect("delete db");
    let human = ws.run(&["drift"]);
    human
        .expect_code(2)
        .expect_stdout("Changed outside plinth (1)")
        .expect_stdout("input: \"web-v1\" -> \"web-tampered\"")
        .expect_stdout("Deleted outside plinth (1)")
        .expect_stdout("- slow_object.db");
    assert!(
        !human.stdout.contains("slow_object.cache"),
        "an untouched object is not reported\n{human}"
    );
    let json = ws.run(&["drift", "-json"]);
    json.expect_code(2);
    let report = json.stdout_json();
    assert_eq!(report["format_version"], "1.0");
    assert_eq!(report["verdict"], "drift");
    assert_eq!(report["exit_code"], 2);
    assert_eq!(report["checked"], 3);
    assert_eq!(report["changed"][0]["address"], "slow_object.web");
    let attributes = report["changed"][0]["attributes"]
        .as_array()
        .expect("attributes");
    let input = attributes
        .iter()
        .find(|a| a["path"] == "input")
        .expect("input changed");
    assert_eq!(input["before"], "web-v1");
    assert_eq!(input["after"], "web-tampered");
    assert_eq!(report["deleted"][0]["address"], "slow_object.db");
    assert!(report["pending"].as_array().expect("pending").is_empty());

    ws.run(&["drift", "-junit", "drift.xml"]).expect_code(2);
    let junit = ws.read("drift.xml");
    assert!(junit.contains(r#"tests="3""#), "{junit}");
    assert!(junit.contains(r#"failures="2""#), "{junit}");
    assert!(
        junit.contains(r#"<testcase name="slow_object.web">"#)
            && junit.contains("input: &quot;web-v1&quot; -&gt; &quot;web-tampered&quot;"),
        "{junit}"
    );
    assert!(
        junit.contains(r#"<testcase name="slow_object.cache">"#),
        "{junit}"
    );
    assert_eq!(junit.matches("<failure").count(), 2, "{junit}");

    ws.apply();
    ws.run(&["drift"]).expect_code(0);
    assert_eq!(
        ws.slow_objects().len(),
        3,
        "apply recreated the deleted object"
    );
}

#[test]
fn pending_configuration_changes_exit_3_and_are_not_drift() {
    let ws = applied();
    ws.write("main.tf", &ESTATE.replace("web-v1", "web-v2"));
    let outcome = ws.run(&["drift"]);
    outcome
        .expect_code(3)
        .expect_stdout("Configuration changes not applied yet (1)")
        .expect_stdout("~ slow_object.web");
    assert!(
        !outcome.stdout.contains("Changed outside plinth"),
        "{outcome}"
    );
    let report = ws.run(&["drift", "-json"]).stdout_json();
    assert_eq!(report["verdict"], "pending");
    assert_eq!(report["pending"][0]["address"], "slow_object.web");
    assert_eq!(report["pending"][0]["action"], "update");
}

#[test]
fn output_only_changes_are_never_drift() {
    let ws = applied();
    ws.write(
        "outputs.tf",
        "output \"web_id\" {\n  value = slow_object.web.id\n}\n",
    );
    ws.run(&["drift"]).expect_code(0);
}

#[test]
fn ignore_rules_and_ignore_changes_silence_known_noise() {
    let ws = applied();
    tamper(&ws, "slow_object.web", "web-tampered");
    ws.run(&[
        "drift",
        "-ignore",
        "slow_object.web.input",
        "-ignore",
        "slow_object.web.output",
    ])
    .expect_code(0)
    .expect_stdout("Ignored by ignore rules");
    ws.run(&["drift", "-ignore", "slow_object.web"])
        .expect_code(0);
    ws.write(
        "plinth-drift.ignore",
        "# rotated by hand\nslow_object.web\n",
    );
    ws.run(&["drift"]).expect_code(0);
    ws.write("plinth-drift.ignore", "slow_object.web\nnot an address\n");
    ws.run(&["drift"])
        .expect_code(1)
        .expect_stderr("Invalid ignore rule \"not an address\"")
        .expect_stderr("plinth-drift.ignore, line 2");
    std::fs::remove_file(ws.file("plinth-drift.ignore")).expect("remove the ignore file");
    ws.write(
        "main.tf",
        &ESTATE.replace(
            "input = \"web-v1\"",
            "input = \"web-v1\"\n  lifecycle {\n    ignore_changes = [input, output]\n  }",
        ),
    );
    ws.run(&["drift"]).expect_code(0);
}

#[test]
fn refresh_only_apply_accepts_drift_into_state() {
    let ws = applied();
    tamper(&ws, "slow_object.web", "web-tampered");
    ws.run(&["apply", "-refresh-only", "-auto-approve"])
        .expect_ok();
    // State now holds the tampered object: nothing changed outside plinth any more, but the
    // configuration still asks for web-v1.
    ws.run(&["drift"])
        .expect_code(3)
        .expect_stdout("~ slow_object.web");
}

#[test]
fn unmanaged_objects_are_listed_with_coverage() {
    let ws = applied();
    let web = std::fs::read_to_string(object_file(&ws, "slow_object.web")).expect("read web");
    let mut stray: serde_json::Value = serde_json::from_str(&web).expect("json");
    stray["value"]["id"] = serde_json::json!("stray-object");
    stray["value"]["input"] = serde_json::json!("made by hand");
    std::fs::write(
        ws.objects_dir().join("stray-object.json"),
        stray.to_string(),
    )
    .expect("write a stray object");
    ws.run(&["drift"]).expect_code(0);
    let outcome = ws.run(&["drift", "-unmanaged"]);
    outcome
        .expect_code(2)
        .expect_stdout("Not managed by plinth (1)")
        .expect_stdout("slow_object (id stray-object)")
        .expect_stdout("Coverage: 75.0%");
    let report = ws.run(&["drift", "-unmanaged", "-json"]).stdout_json();
    assert_eq!(report["unmanaged"][0]["id"], "stray-object");
    assert_eq!(report["unmanaged"][0]["type"], "slow_object");
    assert_eq!(report["coverage"], 0.75);
}

#[test]
fn drift_targets_only_what_is_asked() {
    let ws = applied();
    tamper(&ws, "slow_object.web", "web-tampered");
    ws.run(&["drift", "-target", "slow_object.db"])
        .expect_code(0);
    ws.run(&["drift", "-exclude", "slow_object.web"])
        .expect_code(0);
    ws.run(&["drift", "-target", "slow_object.web"])
        .expect_code(2);
}

#[test]
fn drift_writes_nothing_to_state() {
    let ws = applied();
    tamper(&ws, "slow_object.web", "web-tampered");
    let before = ws.read(support::STATE_FILE);
    ws.run(&["drift"]).expect_code(2);
    assert_eq!(ws.read(support::STATE_FILE), before);
}
