//! Repetition: `count` and `for_each` instances with their addresses, orphaned instances deleted
//! when the count shrinks or a key goes away, and modules repeated with `count` / `for_each`.

mod support;

use support::Workspace;

const COUNTED: &str = r#"
variable "n" {
  type = number
}

resource "terraform_data" "c" {
  count = var.n
  input = "item-${count.index}"
}
"#;

#[test]
fn shrinking_count_deletes_the_orphaned_instances() {
    let ws = Workspace::with_main(COUNTED);
    ws.run(&["apply", "-auto-approve", "-var", "n=3"])
        .expect_ok();
    assert_eq!(
        ws.state_list(),
        [
            "terraform_data.c[0]",
            "terraform_data.c[1]",
            "terraform_data.c[2]"
        ]
    );
    assert_eq!(
        ws.state().instance("terraform_data.c[2]").string("input"),
        Some("item-2")
    );

    ws.plan(&["-var", "n=1"])
        .expect_code(2)
        .expect_stdout("# terraform_data.c[1] will be destroyed")
        .expect_stdout("# terraform_data.c[2] will be destroyed")
        .expect_stdout("Plan: 0 to add, 0 to change, 2 to destroy.");
    ws.run(&["apply", "-auto-approve", "-var", "n=1"])
        .expect_ok()
        .expect_stdout("Resources: 0 added, 0 changed, 2 destroyed.");
    assert_eq!(ws.state_list(), ["terraform_data.c[0]"]);
    ws.plan(&["-var", "n=1"]).expect_code(0);
}

#[test]
fn for_each_removed_key_is_deleted_and_the_others_kept() {
    let ws = Workspace::with_main(
        r#"
variable "names" {
  type = set(string)
}

resource "terraform_data" "f" {
  for_each = var.names
  input    = "hello-${each.key}"
}
"#,
    );
    ws.run(&["apply", "-auto-approve", "-var", r#"names=["a","b","c"]"#])
        .expect_ok();
    assert_eq!(
        ws.state_list(),
        [
            r#"terraform_data.f["a"]"#,
            r#"terraform_data.f["b"]"#,
            r#"terraform_data.f["c"]"#
        ]
    );
    let id_of_a = ws
        .state()
        .instance(r#"terraform_data.f["a"]"#)
        .string("id")
        .map(String::from);

    ws.plan(&["-var", r#"names=["a","c"]"#])
        .expect_code(2)
        .expect_stdout(r#"# terraform_data.f["b"] will be destroyed"#)
        .expect_stdout("Plan: 0 to add, 0 to change, 1 to destroy.");
    ws.run(&["apply", "-auto-approve", "-var", r#"names=["a","c"]"#])
        .expect_ok();
    assert_eq!(
        ws.state_list(),
        [r#"terraform_data.f["a"]"#, r#"terraform_data.f["c"]"#]
    );
    let state = ws.state();
    assert_eq!(
        state
            .instance(r#"terraform_data.f["a"]"#)
            .string("id")
            .map(String::from),
        id_of_a
    );
    assert_eq!(
        state.instance(r#"terraform_data.f["c"]"#).string("output"),
        Some("hello-c")
    );
}

#[test]
fn for_each_over_a_map_exposes_each_value() {
    let ws = Workspace::with_main(
        r#"
resource "terraform_data" "m" {
  for_each = { web = 80, db = 5432 }
  input    = "${each.key}:${each.value}"
}
"#,
    );
    ws.apply();
    let state = ws.state();
    assert_eq!(
        state.instance(r#"terraform_data.m["web"]"#).string("input"),
        Some("web:80")
    );
    assert_eq!(
        state.instance(r#"terraform_data.m["db"]"#).string("input"),
        Some("db:5432")
    );
}

#[test]
fn modules_with_count_and_for_each_get_indexed_addresses() {
    let ws = Workspace::with_main(
        r#"
module "m" {
  source = "./modules/echo"
  count  = 2
  label  = "m${count.index}"
}

module "n" {
  source   = "./modules/echo"
  for_each = toset(["blue"])
  label    = each.key
}

output "values" {
  value = module.m[*].value
}

output "blue" {
  value = module.n["blue"].value
}
"#,
    );
    ws.write(
        "modules/echo/main.tf",
        r#"
variable "label" {
  type = string
}

resource "terraform_data" "x" {
  input = "${var.label}-x"
}

output "value" {
  value = terraform_data.x.output
}
"#,
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# module.m[0].terraform_data.x will be created")
        .expect_stdout("# module.m[1].terraform_data.x will be created")
        .expect_stdout(r#"# module.n["blue"].terraform_data.x will be created"#);
    ws.apply();
    let expected = [
        "module.m[0].terraform_data.x",
        "module.m[1].terraform_data.x",
        r#"module.n["blue"].terraform_data.x"#,
    ];
    assert_eq!(ws.state_list(), expected);
    assert_eq!(ws.state().addresses(), expected);

    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    assert_eq!(
        outputs["values"]["value"],
        serde_json::json!(["m0-x", "m1-x"])
    );
    assert_eq!(outputs["blue"]["value"], "blue-x");
    ws.plan(&[]).expect_code(0);
}

#[test]
fn count_over_an_unknown_value_is_a_clear_error() {
    let ws = Workspace::with_main(
        r#"
resource "terraform_data" "seed" {
  input = 2
}

resource "terraform_data" "many" {
  count = terraform_data.seed.id == "" ? 0 : 2
  input = count.index
}
"#,
    );
    let outcome = ws.run(&["plan"]);
    outcome
        .expect_code(1)
        .expect_stderr("Error: ")
        .expect_stderr("count");
    assert!(outcome.stderr.contains("main.tf:7"), "{outcome}");
}
