//! The configuration language end to end: variable types (object with optional attributes, set,
//! nullable), locals, for expressions, conditionals, splat, heredoc templates with directives,
//! path.* and terraform.workspace, `.tf.json` files, modules with for_each and outputs,
//! depends_on, the four lifecycle settings, dynamic blocks, provider aliases, for_each over unknown
//! values, validate type checks, and the functions the unit tests leave out.

mod support;

use serde_json::json;
use support::Workspace;

/// The `value` of every output after an apply, by name.
fn outputs(ws: &Workspace) -> serde_json::Value {
    let all = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    let mut values = serde_json::Map::new();
    for (name, output) in all.as_object().cloned().unwrap_or_default() {
        values.insert(name, output["value"].clone());
    }
    serde_json::Value::Object(values)
}

/// The index of the first line of `text` containing `needle`.
#[track_caller]
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("no line contains {needle:?} in\n{text}"))
}

#[test]
fn object_optional_attributes_and_sets_convert_and_the_next_plan_is_a_no_op() {
    let ws = Workspace::with_main(
        r#"
variable "server" {
  type = object({
    name = string
    port = optional(number, 8080)
    tags = optional(map(string), {})
  })
  default = { name = "web" }
}

variable "zones" {
  type    = set(string)
  default = ["b", "a", "b"]
}

resource "terraform_data" "server" {
  input = var.server
}

output "server" { value = var.server }
output "zones" { value = var.zones }
"#,
    );
    ws.apply();
    let values = outputs(&ws);
    assert_eq!(
        values["server"],
        json!({"name": "web", "port": 8080, "tags": {}})
    );
    assert_eq!(values["zones"], json!(["a", "b"]));
    assert_eq!(
        ws.state().instance("terraform_data.server").attr("input"),
        Some(&json!({"name": "web", "port": 8080, "tags": {}}))
    );
    // A set-typed output stored in state must not look changed on the next plan.
    ws.plan(&[]).expect_code(0).expect_nowhere("zones");
}

#[test]
fn locals_for_expressions_conditionals_and_splat_evaluate_like_terraform() {
    let ws = Workspace::with_main(
        r#"
variable "size" {
  type    = number
  default = 3
}

variable "maybe" {
  type    = string
  default = null
}

locals {
  names   = [for z in ["b", "a"] : upper(z)]
  by_name = { for i, n in sort(local.names) : n => i }
  evens   = [for n in range(var.size * 2) : n if n % 2 == 0]
  label   = var.maybe == null ? "none" : var.maybe
  size    = var.size > 2 ? "big" : "small"
}

resource "terraform_data" "each" {
  for_each = local.by_name
  input    = "${each.key}=${each.value}"
}

resource "terraform_data" "counted" {
  count = 2
  input = "c${count.index}"
}

output "evens" { value = local.evens }
output "label" { value = local.label }
output "size" { value = local.size }
output "names" { value = local.names }
output "each_splat" { value = values(terraform_data.each)[*].output }
output "count_splat" { value = terraform_data.counted[*].output }
"#,
    );
    ws.apply();
    let values = outputs(&ws);
    assert_eq!(values["evens"], json!([0, 2, 4]));
    assert_eq!(values["label"], "none");
    assert_eq!(values["size"], "big");
    assert_eq!(values["names"], json!(["B", "A"]));
    assert_eq!(values["each_splat"], json!(["A=0", "B=1"]));
    assert_eq!(values["count_splat"], json!(["c0", "c1"]));
    ws.run(&[
        "apply",
        "-auto-approve",
        "-var",
        "size=1",
        "-var",
        "maybe=set",
    ])
    .expect_ok();
    let values = outputs(&ws);
    assert_eq!(values["evens"], json!([0]));
    assert_eq!(values["label"], "set");
    assert_eq!(values["size"], "small");
}

#[test]
fn indented_heredoc_with_for_and_if_directives_strips_every_line() {
    let ws = Workspace::with_main(
        r#"
variable "names" {
  default = ["a", "b"]
}

locals {
  banner = <<-EOT
    %{ for n in var.names ~}
    zone ${n}
    %{ endfor ~}
    %{ if length(var.names) > 1 }many%{ else }one%{ endif }
      indented
  EOT
}

output "banner" { value = local.banner }
output "inline" { value = "[%{ for n in var.names }${upper(n)};%{ endfor }]" }
"#,
    );
    ws.apply();
    let values = outputs(&ws);
    assert_eq!(values["banner"], "zone a\nzone b\nmany\n  indented\n");
    assert_eq!(values["inline"], "[A;B;]");
    ws.plan(&[]).expect_code(0);
}

#[test]
fn path_values_and_workspace_name_match_terraform() {
    let ws = Workspace::with_main(
        r#"
module "child" {
  source = "./modules/child"
}

output "root" { value = [path.module, path.root, terraform.workspace] }
output "cwd" { value = path.cwd }
output "child" { value = module.child.paths }
"#,
    );
    ws.write(
        "modules/child/main.tf",
        r#"
output "paths" { value = [path.module, path.root, "${path.module}/file.txt"] }
"#,
    );
    ws.apply();
    let values = outputs(&ws);
    assert_eq!(values["root"], json!([".", ".", "default"]));
    assert_eq!(
        values["child"],
        json!(["modules/child", ".", "modules/child/file.txt"])
    );
    let cwd = values["cwd"].as_str().unwrap_or_default();
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p).ok();
    assert_eq!(
        canonical(std::path::Path::new(cwd)),
        canonical(ws.path()),
        "path.cwd is {cwd:?}"
    );
}

#[test]
fn nullable_false_input_given_null_takes_the_default_and_nullable_true_stays_null() {
    let ws = Workspace::with_main(
        r#"
module "child" {
  source    = "./child"
  strict    = null
  lenient   = null
}

output "strict" { value = module.child.strict }
output "lenient_is_null" { value = module.child.lenient == null }
"#,
    );
    ws.write(
        "child/main.tf",
        r#"
variable "strict" {
  type     = string
  default  = "fallback"
  nullable = false
}

variable "lenient" {
  type    = string
  default = "unused"
}

output "strict" { value = var.strict }
output "lenient" { value = var.lenient }
"#,
    );
    ws.apply();
    let values = outputs(&ws);
    assert_eq!(values["strict"], "fallback");
    assert_eq!(values["lenient_is_null"], true);
}

#[test]
fn tf_json_configuration_with_module_for_each_depends_on_and_escaped_quotes() {
    let ws = Workspace::new();
    ws.write(
        "main.tf.json",
        r#"{
  "variable": { "greeting": { "type": "string", "default": "hi" } },
  "locals": { "who": "world" },
  "module": {
    "kids": {
      "source": "./modules/child",
      "for_each": { "a": 1, "b": 2 },
      "name": "${var.greeting}-${each.key}"
    }
  },
  "resource": {
    "terraform_data": {
      "after": {
        "input": "${local.who}",
        "depends_on": ["module.kids"]
      }
    }
  },
  "output": {
    "names": { "value": "${{ for k, m in module.kids : k => m.name }}" },
    "first": { "value": "${module.kids[\"a\"].name}" },
    "quoted": { "value": "say \"${local.who}\"" }
  }
}
"#,
    );
    ws.write(
        "modules/child/main.tf",
        r#"
variable "name" { type = string }
resource "terraform_data" "r" { input = var.name }
output "name" { value = terraform_data.r.output }
"#,
    );
    let applied = ws.apply();
    assert_eq!(
        ws.state_list(),
        [
            "module.kids[\"a\"].terraform_data.r",
            "module.kids[\"b\"].terraform_data.r",
            "terraform_data.after"
        ]
    );
    // depends_on on the whole module: both of its instances finish before `after` starts.
    let after = line_of(&applied.stdout, "terraform_data.after: Creating...");
    for key in ["a", "b"] {
        let done = format!("module.kids[\"{key}\"].terraform_data.r: Creation complete");
        assert!(line_of(&applied.stdout, &done) < after, "{applied}");
    }
    let values = outputs(&ws);
    assert_eq!(values["names"], json!({"a": "hi-a", "b": "hi-b"}));
    assert_eq!(values["first"], "hi-a");
    assert_eq!(values["quoted"], "say \"world\"");
    ws.plan(&[]).expect_code(0);
}

const LIFECYCLE: &str = r#"
variable "v" {
  default = "one"
}

resource "terraform_data" "cbd" {
  triggers_replace = var.v
  input            = "cbd"
  lifecycle {
    create_before_destroy = true
  }
}

resource "terraform_data" "ignored" {
  input = "ignored-${var.v}"
  lifecycle {
    ignore_changes = [input]
  }
}

resource "terraform_data" "source" {
  input = var.v
}

resource "terraform_data" "follower" {
  input = "follower"
  lifecycle {
    replace_triggered_by = [terraform_data.source]
  }
}
"#;

#[test]
fn create_before_destroy_creates_the_replacement_before_destroying_the_old_object() {
    let ws = Workspace::with_main(LIFECYCLE);
    ws.apply();
    let old_id = ws
        .state()
        .instance("terraform_data.cbd")
        .string("id")
        .map(String::from);
    ws.plan(&["-var", "v=two"])
        .expect_code(2)
        .expect_stdout("+/- resource \"terraform_data\" \"cbd\"")
        .expect_stdout("# forces replacement");
    let applied = ws.run(&["apply", "-auto-approve", "-var", "v=two"]);
    applied.expect_ok();
    let created = line_of(&applied.stdout, "terraform_data.cbd: Creation complete");
    let destroyed = line_of(&applied.stdout, "terraform_data.cbd (deposed");
    assert!(created < destroyed, "{applied}");
    let new_id = ws
        .state()
        .instance("terraform_data.cbd")
        .string("id")
        .map(String::from);
    assert_ne!(old_id, new_id);
    assert_eq!(ws.state().instances().len(), 4, "no deposed object left");
}

#[test]
fn ignore_changes_keeps_the_stored_value_when_the_configuration_changes() {
    let ws = Workspace::with_main(LIFECYCLE);
    ws.apply();
    ws.run(&["apply", "-auto-approve", "-var", "v=two"])
        .expect_ok();
    assert_eq!(
        ws.state()
            .instance("terraform_data.ignored")
            .string("input"),
        Some("ignored-one")
    );
    ws.plan(&["-var", "v=two"]).expect_code(0);
}

#[test]
fn replace_triggered_by_replaces_the_follower_when_its_trigger_changes() {
    let ws = Workspace::with_main(LIFECYCLE);
    ws.apply();
    let old_id = ws
        .state()
        .instance("terraform_data.follower")
        .string("id")
        .map(String::from);
    ws.plan(&["-var", "v=two"]).expect_code(2).expect_stdout(
        "# terraform_data.follower will be replaced due to changes in replace_triggered_by",
    );
    let json = ws
        .run(&["plan", "-json", "-var", "v=two"])
        .expect_ok()
        .stdout_json();
    let follower = json["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["address"] == "terraform_data.follower")
        .cloned()
        .unwrap_or_else(|| panic!("no change for the follower in {json:#}"));
    assert_eq!(follower["change"]["actions"], json!(["delete", "create"]));
    assert_eq!(follower["action_reason"], "replace_by_triggers");
    ws.run(&["apply", "-auto-approve", "-var", "v=two"])
        .expect_ok();
    let new_id = ws
        .state()
        .instance("terraform_data.follower")
        .string("id")
        .map(String::from);
    assert_ne!(old_id, new_id);
    ws.plan(&["-var", "v=two"]).expect_code(0);
}

#[test]
fn prevent_destroy_refuses_destroy_and_replacement_naming_the_resource() {
    let ws = Workspace::with_main(
        r#"
variable "v" {
  default = "one"
}

resource "terraform_data" "keep" {
  triggers_replace = var.v
  lifecycle {
    prevent_destroy = true
  }
}

resource "terraform_data" "other" {
  input = "other"
}
"#,
    );
    ws.apply();
    for args in [
        vec!["destroy", "-auto-approve"],
        vec!["apply", "-auto-approve", "-var", "v=two"],
    ] {
        ws.run(&args)
            .expect_code(1)
            .expect_stderr("Instance cannot be destroyed")
            .expect_stderr("terraform_data.keep")
            .expect_stderr("main.tf:6");
        assert_eq!(
            ws.state_list(),
            ["terraform_data.keep", "terraform_data.other"]
        );
    }
}

#[test]
fn resources_use_an_aliased_provider_configuration() {
    let ws = Workspace::with_main(
        r#"
provider "terraform" {
  alias = "second"
}

resource "terraform_data" "aliased" {
  provider = terraform.second
  input    = "via-alias"
}
"#,
    );
    ws.apply();
    assert_eq!(
        ws.state()
            .instance("terraform_data.aliased")
            .string("output"),
        Some("via-alias")
    );
    let provider = ws.read(support::STATE_FILE);
    assert!(provider.contains("terraform.second"), "{provider}");
    ws.plan(&[]).expect_code(0);
}

#[test]
fn for_each_over_an_unknown_value_is_an_error_naming_the_expression() {
    let ws = Workspace::with_main(
        r#"
resource "terraform_data" "seed" {
  input = "x"
}

resource "terraform_data" "many" {
  for_each = toset([terraform_data.seed.id])
  input    = each.key
}
"#,
    );
    let outcome = ws.run(&["plan"]);
    outcome
        .expect_code(1)
        .expect_stderr("Invalid for_each argument")
        .expect_stderr("main.tf:7")
        .expect_stderr("toset([terraform_data.seed.id])")
        .expect_stderr("terraform_data.many");
}

#[cfg(feature = "test-provider")]
#[test]
fn dynamic_blocks_expand_beside_static_blocks_and_follow_their_collection() {
    let ws = Workspace::with_main(
        r#"
variable "tags" {
  default = { env = "prod", team = "core" }
}

resource "slow_object" "o" {
  input = "dynamic"
  dynamic "tag" {
    for_each = var.tags
    content {
      key   = tag.key
      value = upper(tag.value)
    }
  }
  tag {
    key = "static"
  }
}
"#,
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("+ tag {")
        .expect_stdout("+ value = \"PROD\"");
    ws.apply();
    assert_eq!(
        ws.state().instance("slow_object.o").attr("tag"),
        Some(&json!([
            {"key": "env", "value": "PROD"},
            {"key": "team", "value": "CORE"},
            {"key": "static", "value": null}
        ]))
    );
    ws.plan(&[]).expect_code(0);
    ws.run(&["apply", "-auto-approve", "-var", "tags={ env = \"dev\" }"])
        .expect_ok()
        .expect_stdout("Resources: 0 added, 1 changed, 0 destroyed.");
    assert_eq!(
        ws.state().instance("slow_object.o").attr("tag"),
        Some(&json!([
            {"key": "env", "value": "DEV"},
            {"key": "static", "value": null}
        ]))
    );
}

#[cfg(feature = "test-provider")]
#[test]
fn validate_reports_a_value_of_the_wrong_type_with_its_location() {
    let ws = Workspace::with_main(
        r#"
resource "slow_object" "o" {
  input    = "x"
  delay_ms = "soon"
}
"#,
    );
    for command in ["validate", "plan"] {
        let outcome = ws.run(&[command]);
        outcome
            .expect_code(1)
            .expect_stderr("Incorrect attribute value type")
            .expect_stderr("main.tf:4")
            .expect_stderr("slow_object.o");
        assert_eq!(
            outcome
                .stderr
                .matches("Incorrect attribute value type")
                .count(),
            1,
            "{outcome}"
        );
    }
}

#[test]
fn functions_without_unit_tests_give_terraforms_documented_results() {
    let ws = Workspace::with_main(
        r#"
output "r" {
  value = {
    lower     = lower("HELLO")
    strrev    = strrev("hello")
    trimspace = trimspace("  hello\n\n")
    starts    = startswith("hello world", "hello")
    ends      = endswith("hello world", "world")
    alltrue1  = alltrue(["true", true])
    alltrue2  = alltrue([true, false])
    anytrue1  = anytrue([])
    anytrue2  = anytrue(["true"])
    reverse   = reverse([1, 2, 3])
    b64       = base64encode("Hello World")
    json      = jsonencode({ "hello" = "world" })
    yaml      = yamlencode({ "a" = "b", "c" = "d" })
    url1      = urlencode("Hello World!")
    url2      = urlencode("☃")
    url3      = urlencode("foo:bar@localhost?foo=bar&bar=baz")
    md5       = md5("hello world")
    sha1      = sha1("hello world")
    sha256    = sha256("hello world")
    sha512    = sha512("hello world")
    uuid      = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", uuid()))
    tolist    = tolist(toset(["c", "a", "b", "a"]))
    timestamp = can(regex("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$", timestamp()))
  }
}
"#,
    );
    ws.apply();
    assert_eq!(
        outputs(&ws)["r"],
        json!({
            "lower": "hello",
            "strrev": "olleh",
            "trimspace": "hello",
            "starts": true,
            "ends": true,
            "alltrue1": true,
            "alltrue2": false,
            "anytrue1": false,
            "anytrue2": true,
            "reverse": [3, 2, 1],
            "b64": "SGVsbG8gV29ybGQ=",
            "json": "{\"hello\":\"world\"}",
            "yaml": "\"a\": \"b\"\n\"c\": \"d\"\n",
            "url1": "Hello+World%21",
            "url2": "%E2%98%83",
            "url3": "foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz",
            "md5": "5eb63bbbe01eeed093cb22bb8f5acdc3",
            "sha1": "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed",
            "sha256": "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
            "sha512": "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f",
            "uuid": true,
            "tolist": ["a", "b", "c"],
            "timestamp": true
        })
    );
}
