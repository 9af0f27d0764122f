//! The `state` subcommands: list, show, mv, rm, pull and push (with its lineage and serial
//! checks), each checked by what the next plan sees.

mod support;

use support::{Workspace, STATE_FILE};

const CONFIG: &str = r#"
resource "terraform_data" "a" {
  input = "a"
}

resource "terraform_data" "b" {
  input = "b"
}

resource "terraform_data" "c" {
  input = "c"
}
"#;

fn applied() -> Workspace {
    let ws = Workspace::with_main(CONFIG);
    ws.apply();
    ws
}

#[test]
fn state_show_prints_the_attributes_of_one_instance() {
    let ws = applied();
    let id = ws
        .state()
        .instance("terraform_data.b")
        .string("id")
        .map(String::from)
        .unwrap_or_default();
    ws.run(&["state", "show", "terraform_data.b"])
        .expect_ok()
        .expect_stdout("# terraform_data.b:")
        .expect_stdout("input")
        .expect_stdout(&id);
    ws.run(&["state", "show", "terraform_data.zz"])
        .expect_code(1)
        .expect_stderr("terraform_data.zz");
}

#[test]
fn state_mv_renames_and_the_renamed_config_plans_no_changes() {
    let ws = applied();
    let id = ws
        .state()
        .instance("terraform_data.a")
        .string("id")
        .map(String::from);
    ws.run(&["state", "mv", "terraform_data.a", "terraform_data.renamed"])
        .expect_ok();
    assert_eq!(
        ws.state_list(),
        [
            "terraform_data.b",
            "terraform_data.c",
            "terraform_data.renamed"
        ]
    );
    assert_eq!(
        ws.state()
            .instance("terraform_data.renamed")
            .string("id")
            .map(String::from),
        id
    );

    ws.write(
        "main.tf",
        &CONFIG.replace("\"terraform_data\" \"a\"", "\"terraform_data\" \"renamed\""),
    );
    ws.plan(&[]).expect_code(0);
}

#[test]
fn state_mv_of_a_missing_source_or_onto_an_existing_address_is_refused() {
    let ws = applied();
    let before = ws.read_bytes(STATE_FILE);
    ws.run(&["state", "mv", "terraform_data.zz", "terraform_data.yy"])
        .expect_code(1)
        .expect_stderr("terraform_data.zz");
    ws.run(&["state", "mv", "terraform_data.a", "terraform_data.b"])
        .expect_code(1)
        .expect_stderr("terraform_data.b");
    assert_eq!(ws.read_bytes(STATE_FILE), before);
}

#[test]
fn state_rm_forgets_the_instance_so_the_plan_creates_it_again() {
    let ws = applied();
    ws.run(&["state", "rm", "terraform_data.c"]).expect_ok();
    assert_eq!(ws.state_list(), ["terraform_data.a", "terraform_data.b"]);
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# terraform_data.c will be created")
        .expect_stdout("Plan: 1 to add, 0 to change, 0 to destroy.");
    ws.run(&["state", "rm", "terraform_data.c"]).expect_code(1);
}

#[test]
fn state_pull_prints_the_current_state() {
    let ws = applied();
    let pulled = ws.run(&["state", "pull"]).expect_ok().stdout_json();
    let file = ws.state();
    assert_eq!(pulled["lineage"], file.json["lineage"]);
    assert_eq!(pulled["serial"], file.json["serial"]);
    assert_eq!(
        support::State { json: pulled }.addresses(),
        file.addresses()
    );
}

#[test]
fn state_push_replaces_the_state_with_a_newer_serial() {
    let ws = applied();
    let mut pushed = ws.run(&["state", "pull"]).expect_ok().stdout_json();
    let serial = pushed["serial"].as_u64().unwrap_or_default();
    pushed["serial"] = serde_json::json!(serial + 1);
    if let Some(resources) = pushed["resources"].as_array_mut() {
        resources.retain(|r| r["name"] != "b");
    }
    ws.write(
        "pushed.json",
        &serde_json::to_string_pretty(&pushed).expect("serialise"),
    );
    ws.run(&["state", "push", "pushed.json"]).expect_ok();
    assert_eq!(ws.state_list(), ["terraform_data.a", "terraform_data.c"]);
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# terraform_data.b will be created");
}

#[test]
fn state_push_of_another_lineage_is_refused() {
    let ws = applied();
    let before = ws.read_bytes(STATE_FILE);
    let mut foreign = ws.run(&["state", "pull"]).expect_ok().stdout_json();
    foreign["lineage"] = serde_json::json!("11111111-2222-3333-4444-555555555555");
    foreign["serial"] = serde_json::json!(foreign["serial"].as_u64().unwrap_or_default() + 5);
    ws.write(
        "foreign.json",
        &serde_json::to_string(&foreign).expect("serialise"),
    );
    let outcome = ws.run(&["state", "push", "foreign.json"]);
    outcome.expect_code(1).expect_stderr("Error: ");
    assert!(
        outcome.stderr.to_lowercase().contains("lineage"),
        "{outcome}"
    );
    assert_eq!(ws.read_bytes(STATE_FILE), before);
}

#[test]
fn state_push_of_an_older_serial_is_refused() {
    let ws = applied();
    ws.write("main.tf", &CONFIG.replace("\"c\"", "\"c2\""));
    let old = ws.run(&["state", "pull"]).expect_ok().stdout.clone();
    ws.apply();
    let before = ws.read_bytes(STATE_FILE);
    ws.write("old.json", &old);
    ws.run(&["state", "push", "old.json"])
        .expect_code(1)
        .expect_stderr("serial");
    assert_eq!(ws.read_bytes(STATE_FILE), before);
}

#[test]
fn state_push_of_a_corrupt_file_is_refused() {
    let ws = applied();
    let before = ws.read_bytes(STATE_FILE);
    ws.write("broken.json", "{\"lineage\": ");
    ws.run(&["state", "push", "broken.json"])
        .expect_code(1)
        .expect_stderr("broken.json");
    assert_eq!(ws.read_bytes(STATE_FILE), before);
}
