//! Apply executes the plan's action graph in Terraform's order: dependents are destroyed before
//! what they depend on, create_before_destroy creates the new object first and deletes the old
//! one last, an object removed from the configuration is destroyed only after what referenced it
//! was updated, and a failed create_before_destroy leaves the old object deposed for the next
//! apply to delete. The slow provider logs `begin|end OP INPUT` lines, so the order of the real
//! operations is asserted, not the order of printed lines alone.
#![cfg(feature = "test-provider")]

mod support;

use support::Workspace;

/// The lines of the slow provider's call log.
fn calls(ws: &Workspace) -> Vec<String> {
    std::fs::read_to_string(ws.objects_dir().join("calls.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Forgets the calls logged so far.
fn clear_calls(ws: &Workspace) {
    let _ = std::fs::remove_file(ws.objects_dir().join("calls.log"));
}

/// Panics unless `first` was logged, `second` was logged, and `first` came before `second`.
#[track_caller]
fn expect_before(calls: &[String], first: &str, second: &str) {
    let at = |line: &str| {
        calls
            .iter()
            .position(|c| c == line)
            .unwrap_or_else(|| panic!("{line:?} was never logged: {calls:#?}"))
    };
    assert!(
        at(first) < at(second),
        "{first:?} should come before {second:?}: {calls:#?}"
    );
}

/// Regression: a replacement of `a` and of `b`, which references `a`, deleted `a` while `b`
/// still existed (`a: Destroying` → `a: Creating` → `b: Destroying`).
#[test]
fn replace_destroys_dependents_before_their_dependencies() {
    let config = |key: &str| {
        format!(
            r#"
resource "slow_object" "a" {{
  input       = "a"
  replace_key = "{key}"
}}

resource "slow_object" "b" {{
  input       = "b"
  replace_key = slow_object.a.id
}}
"#
        )
    };
    let ws = Workspace::with_main(&config("one"));
    ws.apply();
    clear_calls(&ws);
    ws.write("main.tf", &config("two"));
    ws.apply();
    let calls = calls(&ws);
    expect_before(&calls, "end delete b", "begin delete a");
    expect_before(&calls, "end delete a", "begin create a");
    expect_before(&calls, "end create a", "begin create b");
    assert_eq!(ws.slow_objects().len(), 2, "{calls:#?}");
}

/// The same defect as the user saw it with `terraform_data`: the progress lines of a
/// replacement of both show `b` destroyed before `a`.
#[test]
fn replace_of_terraform_data_prints_dependent_destroyed_first() {
    let config = |trigger: &str| {
        format!(
            r#"
resource "terraform_data" "a" {{
  triggers_replace = "{trigger}"
}}

resource "terraform_data" "b" {{
  triggers_replace = terraform_data.a.id
}}
"#
        )
    };
    let ws = Workspace::with_main(&config("one"));
    ws.apply();
    ws.write("main.tf", &config("two"));
    let outcome = ws.apply();
    let lines = outcome.stdout_lines();
    let at = |prefix: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starting {prefix:?}:\n{outcome}"))
    };
    assert!(
        at("terraform_data.b: Destruction complete") < at("terraform_data.a: Destroying"),
        "{outcome}"
    );
    assert!(
        at("terraform_data.a: Creation complete") < at("terraform_data.b: Creating"),
        "{outcome}"
    );
}

/// With create_before_destroy on `a`, the new `a` comes first, `b` is replaced onto it, and the
/// old `a` is deleted last.
#[test]
fn create_before_destroy_deletes_the_old_object_last() {
    let config = |key: &str| {
        format!(
            r#"
resource "slow_object" "a" {{
  input       = "a-{key}"
  replace_key = "{key}"
  lifecycle {{
    create_before_destroy = true
  }}
}}

resource "slow_object" "b" {{
  input       = "b"
  replace_key = slow_object.a.id
}}
"#
        )
    };
    let ws = Workspace::with_main(&config("one"));
    ws.apply();
    clear_calls(&ws);
    ws.write("main.tf", &config("two"));
    ws.apply();
    let calls = calls(&ws);
    expect_before(&calls, "end create a-two", "begin create b");
    expect_before(&calls, "end delete b", "begin create b");
    expect_before(&calls, "end create b", "begin delete a-one");
    expect_before(&calls, "end delete b", "begin delete a-one");
    assert!(
        ws.run(&["state", "list"])
            .expect_ok()
            .stdout
            .lines()
            .all(|l| !l.contains("deposed")),
        "a deposed object is left in state"
    );
    assert_eq!(ws.slow_objects().len(), 2, "{calls:#?}");
}

/// Create_before_destroy is inherited by the dependencies of a resource that has it (as in
/// Terraform): `b` (CBD) depends on `a`, both replaced: new `a`, new `b`, old `b`, old `a`.
#[test]
fn create_before_destroy_is_inherited_by_dependencies() {
    let config = |key: &str| {
        format!(
            r#"
resource "slow_object" "a" {{
  input       = "a-{key}"
  replace_key = "{key}"
}}

resource "slow_object" "b" {{
  input       = "b-{key}"
  replace_key = slow_object.a.id
  lifecycle {{
    create_before_destroy = true
  }}
}}
"#
        )
    };
    let ws = Workspace::with_main(&config("one"));
    ws.apply();
    clear_calls(&ws);
    ws.write("main.tf", &config("two"));
    ws.apply();
    let calls = calls(&ws);
    expect_before(&calls, "end create a-two", "begin create b-two");
    expect_before(&calls, "end create b-two", "begin delete b-one");
    expect_before(&calls, "end delete b-one", "begin delete a-one");
    assert_eq!(ws.slow_objects().len(), 2, "{calls:#?}");
}

/// Regression: an object removed from the configuration was deleted before the resource that
/// stopped referencing it was updated (`net: Destroying` before `app: Modifying`).
#[test]
fn removed_dependency_is_destroyed_after_its_dependent_is_updated() {
    let ws = Workspace::with_main(
        r#"
resource "slow_object" "net" {
  input = "net"
}

resource "slow_object" "app" {
  input = "app-on-${slow_object.net.id}"
}
"#,
    );
    ws.apply();
    clear_calls(&ws);
    ws.write(
        "main.tf",
        r#"
resource "slow_object" "app" {
  input = "app-alone"
}
"#,
    );
    ws.apply();
    let calls = calls(&ws);
    expect_before(&calls, "end update app-alone", "begin delete net");
}

/// `destroy` deletes a chain from the end: c, then b, then a.
#[test]
fn destroy_deletes_dependents_first() {
    let ws = Workspace::with_main(
        r#"
resource "slow_object" "a" {
  input = "a"
}

resource "slow_object" "b" {
  input = "b-${slow_object.a.id}"
}

resource "slow_object" "c" {
  input = "c-${slow_object.b.id}"
}
"#,
    );
    ws.apply();
    let state = ws.state();
    let input = |name: &str| {
        state
            .instances()
            .into_iter()
            .find(|i| i.address == format!("slow_object.{name}"))
            .and_then(|i| i.string("input").map(str::to_string))
            .unwrap_or_else(|| panic!("slow_object.{name} not in state"))
    };
    let (b, c) = (input("b"), input("c"));
    clear_calls(&ws);
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    let calls = calls(&ws);
    expect_before(
        &calls,
        &format!("end delete {c}"),
        &format!("begin delete {b}"),
    );
    expect_before(&calls, &format!("end delete {b}"), "begin delete a");
    assert!(ws.slow_objects().is_empty());
}

/// Regression: a create_before_destroy replacement whose create failed stored the old object
/// under a key the state's own address parser rejected, so every later command failed. Now the
/// old object stays in state as a deposed object, `state list` shows it, and the next apply
/// deletes it.
#[test]
fn failed_create_before_destroy_keeps_the_old_object_deposed() {
    let config = |key: &str, fail: bool| {
        format!(
            r#"
resource "slow_object" "a" {{
  input       = "a-{key}"
  replace_key = "{key}"
  fail_create = {fail}
  lifecycle {{
    create_before_destroy = true
  }}
}}
"#
        )
    };
    let ws = Workspace::with_main(&config("one", false));
    ws.apply();
    ws.write("main.tf", &config("two", true));
    let failed = ws.run(&["apply", "-auto-approve"]);
    failed.expect_code(1).expect_stderr("fail_create");
    let listed = ws.state_list();
    assert!(
        listed
            .iter()
            .any(|l| l.starts_with("slow_object.a (deposed object ")),
        "{listed:?}"
    );
    ws.run(&["show"]).expect_ok().expect_stdout("deposed");
    ws.plan(&[]).expect_code(2).expect_stdout("deposed object");
    ws.write("main.tf", &config("two", false));
    ws.apply();
    assert_eq!(ws.state_list(), vec!["slow_object.a".to_string()]);
    let objects = ws.slow_objects();
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_eq!(
        objects.values().next().unwrap()["value"]["input"],
        serde_json::json!("a-two")
    );
    ws.plan(&[]).expect_code(0);
}

/// Regression: `input = uuid()` showed one value in `plan -out` and stored another at apply.
/// Impure functions are unknown during plan, so the plan shows "(known after apply)".
#[test]
fn saved_plan_shows_impure_functions_as_known_after_apply() {
    let ws = Workspace::with_main(
        r#"
resource "terraform_data" "id" {
  input = uuid()
}

resource "terraform_data" "when" {
  input = timestamp()
}
"#,
    );
    let planned = ws.run(&["plan", "-out", "p"]);
    planned.expect_ok();
    let uuid_like = regex_lite_uuid(&planned.stdout);
    assert!(!uuid_like, "the plan shows a uuid:\n{planned}");
    assert_eq!(
        planned
            .stdout
            .matches("input  = (known after apply)")
            .count(),
        2,
        "{planned}"
    );
    ws.run(&["apply", "p"]).expect_ok();
    let state = ws.state();
    let stored = state
        .instances()
        .into_iter()
        .find(|i| i.address == "terraform_data.id")
        .and_then(|i| i.string("input").map(str::to_string))
        .expect("the uuid is stored");
    assert_eq!(stored.len(), 36, "{stored}");
    ws.plan(&[]).expect_code(2);
}

/// Whether `text` contains something shaped like a UUID (8-4-4-4-12 hex digits).
fn regex_lite_uuid(text: &str) -> bool {
    let shape = [8, 4, 4, 4, 12];
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .any(|word| {
            let parts: Vec<&str> = word.split('-').collect();
            parts.len() == 5 && parts.iter().zip(shape).all(|(p, n)| p.len() == n)
        })
}

/// What a plan shows as known is exactly what apply sends: a value read from a file that
/// changes between `plan -out` and `apply` stops the apply with Terraform's error naming the
/// address and the attribute.
#[test]
fn apply_refuses_a_final_plan_inconsistent_with_the_saved_plan() {
    let ws = Workspace::with_main(
        r#"
resource "slow_object" "a" {
  input = file("${path.module}/value.txt")
}
"#,
    );
    ws.write("value.txt", "planned");
    ws.run(&["plan", "-out", "p"]).expect_ok();
    ws.write("value.txt", "changed");
    ws.run(&["apply", "p"])
        .expect_code(1)
        .expect_stderr("Provider produced inconsistent final plan")
        .expect_stderr("slow_object.a")
        .expect_stderr(".input");
    assert!(ws.slow_objects().is_empty(), "the inconsistent create ran");
}

/// `plinth show -json PLANFILE` prints the plan's action graph: every action with the actions
/// it waits for.
#[test]
fn saved_plan_holds_the_action_graph() {
    let ws = Workspace::with_main(
        r#"
resource "slow_object" "a" {
  input = "a"
}

resource "slow_object" "b" {
  input = "b-${slow_object.a.id}"
}
"#,
    );
    ws.run(&["plan", "-out", "p"]).expect_ok();
    let shown = ws.run(&["show", "-json", "p"]);
    let json = shown.expect_ok().stdout_json();
    let actions = json["action_graph"]
        .as_array()
        .unwrap_or_else(|| panic!("no action_graph: {json:#}"));
    let find = |address: &str| {
        actions
            .iter()
            .find(|a| a["address"] == address)
            .unwrap_or_else(|| panic!("no action for {address}: {json:#}"))
    };
    let (a, b) = (find("slow_object.a"), find("slow_object.b"));
    assert_eq!(a["action"], "create");
    assert_eq!(b["action"], "create");
    assert_eq!(b["after"], serde_json::json!([a["id"].clone()]));
}

/// A state instance whose provider configuration was removed (an alias) is an error naming the
/// provider, never planned as deleted outside plinth and created again.
#[test]
fn instance_of_a_removed_provider_alias_is_an_error_not_a_recreate() {
    let ws = Workspace::with_main(
        r#"
provider "slow" {
  alias = "other"
}

resource "slow_object" "a" {
  provider = slow.other
  input    = "a"
}
"#,
    );
    ws.apply();
    ws.write(
        "main.tf",
        r#"
resource "slow_object" "a" {
  input = "a"
}
"#,
    );
    let planned = ws.plan(&[]);
    planned
        .expect_code(1)
        .expect_stderr("slow.other")
        .expect_nowhere("has been deleted")
        .expect_nowhere("will be created");
}

/// Regression (seen in the kill test): an update that finished in the real world but was not
/// journalled before a kill left the old value in state forever: the next apply saw the change
/// only as drift with nothing to do, and did not record it. Apply takes refreshed values into
/// state, as Terraform does.
#[test]
fn apply_records_refreshed_values_of_objects_changed_outside() {
    let config =
        |input: &str| format!("resource \"slow_object\" \"a\" {{\n  input = \"{input}\"\n}}\n");
    let ws = Workspace::with_main(&config("one"));
    ws.apply();
    let (id, mut object) = ws.slow_objects().into_iter().next().expect("one object");
    object["value"]["input"] = serde_json::json!("two");
    object["value"]["output"] = serde_json::json!("two");
    std::fs::write(
        ws.objects_dir().join(format!("{id}.json")),
        object.to_string(),
    )
    .expect("change the object outside plinth");
    ws.write("main.tf", &config("two"));
    ws.apply();
    let state = ws.state();
    let stored = state
        .instances()
        .into_iter()
        .find(|i| i.address == "slow_object.a")
        .and_then(|i| i.string("input").map(str::to_string));
    assert_eq!(stored.as_deref(), Some("two"));
    ws.plan(&[]).expect_code(0).expect_nowhere("has changed");
}
