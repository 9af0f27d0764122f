//! `moved` blocks end to end: a rename plans no destroy and keeps the same object (the same
//! `terraform_data` id), moves into and out of modules, to and from count and for_each
//! instances, chains, and Terraform's errors (cycles, other resource types, a source still
//! declared) and its warning when the destination already holds an object.

mod support;

use support::Workspace;

/// The `id` of the `terraform_data` object at `address` in state.
#[track_caller]
fn id_of(ws: &Workspace, address: &str) -> String {
    ws.state()
        .instance(address)
        .string("id")
        .unwrap_or_else(|| panic!("{address} has no id"))
        .to_string()
}

#[test]
fn a_moved_rename_plans_no_destroy_and_apply_keeps_the_same_object() {
    let ws = Workspace::with_main(r#"resource "terraform_data" "a" { input = "x" }"#);
    ws.apply();
    let id = id_of(&ws, "terraform_data.a");
    ws.write(
        "main.tf",
        r#"
resource "terraform_data" "b" { input = "x" }

moved {
  from = terraform_data.a
  to   = terraform_data.b
}
"#,
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# terraform_data.a has moved to terraform_data.b")
        .expect_stdout("Plan: 0 to add, 0 to change, 0 to destroy.")
        .expect_nowhere("will be destroyed")
        .expect_nowhere("will be created");
    ws.apply()
        .expect_stdout("Resources: 0 added, 0 changed, 0 destroyed.");
    assert_eq!(ws.state_list(), vec!["terraform_data.b".to_string()]);
    assert_eq!(id_of(&ws, "terraform_data.b"), id);
    // The statement stays in the configuration: once made, it has nothing left to move.
    ws.plan(&[]).expect_code(0).expect_stdout("No changes.");
}

#[test]
fn a_moved_object_with_changes_shows_where_it_moved_from() {
    let ws = Workspace::with_main(r#"resource "terraform_data" "a" { input = "x" }"#);
    ws.apply();
    let id = id_of(&ws, "terraform_data.a");
    ws.write(
        "main.tf",
        r#"
resource "terraform_data" "b" { input = "y" }

moved {
  from = terraform_data.a
  to   = terraform_data.b
}
"#,
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# (moved from terraform_data.a)")
        .expect_nowhere("terraform_data.a has moved");
    ws.apply();
    assert_eq!(id_of(&ws, "terraform_data.b"), id);
}

#[test]
fn moves_reach_modules_count_and_for_each_instances_and_follow_chains() {
    let ws = Workspace::with_main(
        r#"
resource "terraform_data" "one" { input = "1" }
resource "terraform_data" "two" { input = "2" }
resource "terraform_data" "three" { input = "3" }
"#,
    );
    ws.apply();
    let ids: Vec<String> = ["one", "two", "three"]
        .iter()
        .map(|n| id_of(&ws, &format!("terraform_data.{n}")))
        .collect();
    ws.write(
        "m/main.tf",
        r#"resource "terraform_data" "one" { input = "1" }"#,
    );
    ws.write(
        "main.tf",
        r#"
module "m" {
  source = "./m"
}

resource "terraform_data" "counted" {
  count = 1
  input = "2"
}

resource "terraform_data" "keyed" {
  for_each = toset(["x"])
  input    = "3"
}

moved {
  from = terraform_data.one
  to   = module.m.terraform_data.one
}

moved {
  from = terraform_data.two
  to   = terraform_data.counted[0]
}

# A chain: three -> middle -> keyed["x"], written out of order.
moved {
  from = terraform_data.middle
  to   = terraform_data.keyed["x"]
}

moved {
  from = terraform_data.three
  to   = terraform_data.middle
}
"#,
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# terraform_data.one has moved to module.m.terraform_data.one")
        .expect_stdout("# terraform_data.two has moved to terraform_data.counted[0]")
        .expect_stdout("# terraform_data.three has moved to terraform_data.keyed[\"x\"]")
        .expect_stdout("Plan: 0 to add, 0 to change, 0 to destroy.");
    ws.apply()
        .expect_stdout("Resources: 0 added, 0 changed, 0 destroyed.");
    assert_eq!(id_of(&ws, "module.m.terraform_data.one"), ids[0]);
    assert_eq!(id_of(&ws, "terraform_data.counted[0]"), ids[1]);
    assert_eq!(id_of(&ws, "terraform_data.keyed[\"x\"]"), ids[2]);

    // And back out of the module and out of count.
    ws.write(
        "main.tf",
        r#"
resource "terraform_data" "one" { input = "1" }
resource "terraform_data" "two" { input = "2" }

resource "terraform_data" "keyed" {
  for_each = toset(["x"])
  input    = "3"
}

moved {
  from = module.m.terraform_data.one
  to   = terraform_data.one
}

moved {
  from = terraform_data.counted[0]
  to   = terraform_data.two
}
"#,
    );
    ws.apply()
        .expect_stdout("Resources: 0 added, 0 changed, 0 destroyed.");
    assert_eq!(id_of(&ws, "terraform_data.one"), ids[0]);
    assert_eq!(id_of(&ws, "terraform_data.two"), ids[1]);
}

#[test]
fn a_whole_module_call_moves_with_its_instances() {
    let ws = Workspace::new();
    ws.write(
        "m/main.tf",
        r#"resource "terraform_data" "r" { input = "1" }"#,
    );
    ws.write(
        "main.tf",
        r#"
module "old" {
  source = "./m"
  count  = 2
}
"#,
    );
    ws.apply();
    let id = id_of(&ws, "module.old[1].terraform_data.r");
    ws.write(
        "main.tf",
        r#"
module "new" {
  source = "./m"
  count  = 2
}

moved {
  from = module.old
  to   = module.new
}
"#,
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout(
            "# module.old[1].terraform_data.r has moved to module.new[1].terraform_data.r",
        )
        .expect_nowhere("will be");
    ws.apply();
    assert_eq!(id_of(&ws, "module.new[1].terraform_data.r"), id);
}

#[test]
fn moving_to_an_address_that_holds_an_object_is_not_made_and_says_so() {
    let ws = Workspace::with_main(
        r#"
resource "terraform_data" "a" { input = "a" }
resource "terraform_data" "b" { input = "b" }
"#,
    );
    ws.apply();
    let b = id_of(&ws, "terraform_data.b");
    ws.write(
        "main.tf",
        r#"
resource "terraform_data" "b" { input = "b" }

moved {
  from = terraform_data.a
  to   = terraform_data.b
}
"#,
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stderr("Unresolved resource instance address changes")
        .expect_stderr("terraform_data.a could not move to terraform_data.b")
        .expect_stdout("terraform_data.a will be destroyed");
    ws.apply();
    assert_eq!(ws.state_list(), vec!["terraform_data.b".to_string()]);
    assert_eq!(id_of(&ws, "terraform_data.b"), b);
}

#[test]
fn invalid_move_statements_are_refused_with_terraforms_errors() {
    let ws = Workspace::with_main(r#"resource "terraform_data" "a" { input = "a" }"#);
    ws.apply();
    let cases = [
        (
            r#"
resource "terraform_data" "c" {}
moved {
  from = terraform_data.a
  to   = terraform_data.b
}
moved {
  from = terraform_data.b
  to   = terraform_data.a
}
"#,
            "Cyclic dependency in move statements",
        ),
        (
            r#"
resource "null_resource" "a" {}
moved {
  from = terraform_data.a
  to   = null_resource.a
}
"#,
            "Resource type mismatch",
        ),
        (
            r#"
resource "terraform_data" "a" {}
resource "terraform_data" "b" {}
moved {
  from = terraform_data.a
  to   = terraform_data.b
}
"#,
            "Moved object still exists",
        ),
        (
            r#"
resource "terraform_data" "b" {}
moved {
  from = terraform_data.a
  to   = terraform_data.b
}
moved {
  from = terraform_data.a
  to   = terraform_data.c
}
"#,
            "Ambiguous move statements",
        ),
        (
            r#"
moved {
  from = terraform_data.a
  to   = module.x
}
"#,
            "Invalid \"moved\" addresses",
        ),
    ];
    for (config, error) in cases {
        ws.write("main.tf", config);
        ws.plan(&[]).expect_code(1).expect_stderr(error);
    }
    // Nothing was moved or lost by the refused plans.
    ws.write("main.tf", "resource \"terraform_data\" \"a\" {}\n");
    assert_eq!(ws.state_list(), vec!["terraform_data.a".to_string()]);
}

/// `plan -json` marks moved objects as Terraform does: `previous_address` on the change at the
/// new address (a no-op when nothing else changes), no list of plinth's own.
#[test]
fn plan_json_listed_moves_apart_instead_of_terraforms_previous_address() {
    let ws = Workspace::with_main(
        r#"
resource "terraform_data" "a" { input = "x" }
resource "terraform_data" "c" { input = "x" }
"#,
    );
    ws.apply();
    ws.write(
        "main.tf",
        r#"
resource "terraform_data" "b" { input = "x" }
resource "terraform_data" "d" { input = "changed" }

moved {
  from = terraform_data.a
  to   = terraform_data.b
}

moved {
  from = terraform_data.c
  to   = terraform_data.d
}
"#,
    );
    let json = ws.run(&["plan", "-json"]).expect_ok().stdout_json();
    assert!(json.get("moved").is_none(), "{json}");
    let changes = json["resource_changes"].as_array().unwrap();
    let change = |address: &str| {
        changes
            .iter()
            .find(|c| c["address"] == address)
            .unwrap_or_else(|| panic!("no change for {address}: {json}"))
    };
    assert_eq!(
        change("terraform_data.b")["previous_address"],
        "terraform_data.a"
    );
    assert_eq!(
        change("terraform_data.b")["change"]["actions"],
        serde_json::json!(["no-op"])
    );
    assert_eq!(
        change("terraform_data.d")["previous_address"],
        "terraform_data.c"
    );
    assert_eq!(
        change("terraform_data.d")["change"]["actions"],
        serde_json::json!(["update"])
    );
    assert!(
        !changes.iter().any(|c| c["address"] == "terraform_data.a"),
        "the old address is no change of its own: {json}"
    );
}
