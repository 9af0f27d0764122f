//! `import` blocks end to end through the slow provider (its "real infrastructure" is a
//! directory): planned and shown like any change, applied with one state write, with for_each,
//! `plan -generate-config-out`, and the state of a running estate rebuilt after it was lost
//! with `drift -unmanaged -generate-config-out`; and Terraform's errors for bad import blocks.
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
"#;

/// A workspace whose slow objects live in `objects` (another workspace's directory).
fn sharing(objects: &std::path::Path, config: &str) -> Workspace {
    Workspace::with_main(&format!(
        "provider \"slow\" {{\n  dir = {:?}\n}}\n{config}",
        objects.display().to_string()
    ))
}

/// Applies ESTATE in a workspace of its own and returns it with the ids of web and db.
fn running_estate() -> (Workspace, String, String) {
    let ws = Workspace::with_main(ESTATE);
    ws.apply();
    let state = ws.state();
    let id = |a: &str| state.instance(a).string("id").expect("id").to_string();
    let (web, db) = (id("slow_object.web"), id("slow_object.db"));
    (ws, web, db)
}

/// How many creates wrote the object `id` (1 unless something created it again).
fn creates(estate: &Workspace, id: &str) -> u64 {
    let text = std::fs::read_to_string(estate.objects_dir().join(format!("{id}.json")))
        .expect("object file");
    let stored: serde_json::Value = serde_json::from_str(&text).expect("object json");
    stored["creates"].as_u64().expect("creates")
}

#[test]
fn an_import_block_is_planned_and_applied_without_creating_anything() {
    let (estate, web, _) = running_estate();
    let ws = sharing(
        estate.objects_dir(),
        &format!("{ESTATE}\nimport {{\n  to = slow_object.web\n  id = \"{web}\"\n}}\n"),
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# slow_object.web will be imported")
        .expect_stdout("Plan: 1 to import, 1 to add, 0 to change, 0 to destroy.");
    let json = ws.run(&["plan", "-json"]).expect_ok().stdout_json();
    let web_change = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "slow_object.web")
        .expect("web in resource_changes")
        .clone();
    assert_eq!(web_change["change"]["importing"]["id"], web.as_str());
    assert_eq!(
        web_change["change"]["actions"],
        serde_json::json!(["no-op"])
    );
    ws.apply()
        .expect_stdout("slow_object.web: Importing from ID")
        .expect_stdout("1 imported, 1 added, 0 changed, 0 destroyed");
    assert_eq!(
        ws.state().instance("slow_object.web").string("id"),
        Some(web.as_str())
    );
    assert_eq!(
        creates(&estate, &web),
        1,
        "the imported object was created again"
    );
    // The import block stays in the configuration and is a no-op from now on.
    ws.run(&["plan", "-detailed-exitcode"])
        .expect_code(0)
        .expect_stdout("No changes.");
}

#[test]
fn an_import_that_differs_from_its_configuration_is_imported_and_updated() {
    let (estate, web, _) = running_estate();
    let ws = sharing(
        estate.objects_dir(),
        &format!("resource \"slow_object\" \"web\" {{\n  input = \"web-v1\"\n  replace_key = \"k\"\n}}\nimport {{\n  to = slow_object.web\n  id = \"{web}\"\n}}\n"),
    );
    let plan = ws.plan(&[]).expect_code(2).all();
    assert!(plan.contains("# (imported from \""), "{plan}");
    assert!(plan.contains("1 to import"), "{plan}");
}

#[test]
fn import_blocks_with_for_each_import_one_instance_per_element() {
    let (estate, web, db) = running_estate();
    let ws = sharing(
        estate.objects_dir(),
        &format!(
            r#"
locals {{
  ids = {{ web = "{web}", db = "{db}" }}
}}

resource "slow_object" "app" {{
  for_each = local.ids
  input    = "${{each.key}}-v1"
}}

import {{
  for_each = local.ids
  to       = slow_object.app[each.key]
  id       = each.value
}}
"#
        ),
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# slow_object.app[\"db\"] will be imported")
        .expect_stdout("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.");
    ws.apply().expect_stdout("2 imported, 0 added");
    assert_eq!(
        ws.state().instance("slow_object.app[\"web\"]").string("id"),
        Some(web.as_str())
    );
    assert_eq!((creates(&estate, &web), creates(&estate, &db)), (1, 1));
}

#[test]
fn generate_config_out_writes_only_configurable_arguments_and_applies_cleanly() {
    let (estate, web, db) = running_estate();
    let ws = sharing(
        estate.objects_dir(),
        &format!("import {{\n  to = slow_object.web\n  id = \"{web}\"\n}}\nimport {{\n  to = slow_object.db\n  id = \"{db}\"\n}}\n"),
    );
    ws.plan(&["-generate-config-out=generated.tf"])
        .expect_code(2)
        .expect_stdout("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.");
    let generated = ws.read("generated.tf");
    assert!(
        generated.contains("resource \"slow_object\" \"web\""),
        "{generated}"
    );
    assert!(generated.contains("input = \"web-v1\""), "{generated}");
    let arguments: Vec<&str> = generated
        .lines()
        .map(str::trim_start)
        .filter(|l| !l.starts_with('#'))
        .collect();
    for computed in ["output", "id"] {
        assert!(
            !arguments
                .iter()
                .any(|l| l.starts_with(&format!("{computed} "))),
            "computed `{computed}` generated:\n{generated}"
        );
    }
    ws.apply()
        .expect_stdout("2 imported, 0 added, 0 changed, 0 destroyed");
    ws.run(&["plan", "-detailed-exitcode"]).expect_code(0);
    // Generated configuration goes to a new file only.
    ws.write(
        "more.tf",
        "import {\n  to = slow_object.other\n  id = \"x\"\n}\n",
    );
    ws.plan(&["-generate-config-out=generated.tf"])
        .expect_code(1)
        .expect_stderr("Target generated file already exists");
}

#[test]
fn lost_state_is_rebuilt_from_drift_unmanaged_without_recreating_anything() {
    let (estate, web, db) = running_estate();
    // The same configuration in a directory without state: everything looks unmanaged.
    let ws = sharing(estate.objects_dir(), ESTATE);
    ws.run(&["drift", "-unmanaged", "-generate-config-out=imports.tf"])
        .expect_code(2)
        .expect_stderr("Wrote import blocks for 2 unmanaged object(s)");
    let imports = ws.read("imports.tf");
    assert!(
        imports.contains(&format!("to = slow_object.web\n  id = \"{web}\"")),
        "{imports}"
    );
    assert!(
        imports.contains(&format!("to = slow_object.db\n  id = \"{db}\"")),
        "{imports}"
    );
    assert!(
        !imports.contains("resource \""),
        "configured objects got new blocks:\n{imports}"
    );
    ws.apply()
        .expect_stdout("2 imported, 0 added, 0 changed, 0 destroyed");
    assert_eq!((creates(&estate, &web), creates(&estate, &db)), (1, 1));
    ws.run(&["drift"]).expect_code(0);
}

#[test]
fn unmanaged_objects_without_configuration_get_resource_blocks_that_apply_cleanly() {
    let (estate, web, _) = running_estate();
    let ws = sharing(estate.objects_dir(), "");
    ws.write("main.tf", &format!("provider \"slow\" {{\n  dir = {:?}\n}}\nresource \"slow_object\" \"db\" {{\n  input = \"db-v1\"\n}}\n", estate.objects_dir().display().to_string()));
    ws.run(&["drift", "-unmanaged", "-generate-config-out=adopted.tf"])
        .expect_code(2);
    let adopted = ws.read("adopted.tf");
    assert!(adopted.contains("to = slow_object.db"), "{adopted}");
    assert!(adopted.contains(&format!("id = \"{web}\"")), "{adopted}");
    assert!(adopted.contains("resource \"slow_object\""), "{adopted}");
    ws.apply().expect_stdout("2 imported, 0 added");
    ws.run(&["plan", "-detailed-exitcode"]).expect_code(0);
}

#[test]
fn an_import_target_without_configuration_is_an_error_naming_the_flag() {
    let ws = Workspace::with_main("\nimport {\n  to = slow_object.web\n  id = \"x\"\n}\n");
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Configuration for import target does not exist")
        .expect_stderr("-generate-config-out")
        .expect_stderr("main.tf:2:1");
}

#[test]
fn an_import_id_unknown_at_plan_time_is_refused() {
    let ws = Workspace::with_main(
        "resource \"slow_object\" \"a\" {\n  input = \"a\"\n}\nresource \"slow_object\" \"b\" {\n  input = \"b\"\n}\nimport {\n  to = slow_object.b\n  id = slow_object.a.id\n}\n",
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Invalid import id argument")
        .expect_stderr("cannot be unknown");
}

#[test]
fn importing_an_id_that_does_not_exist_names_the_address() {
    let ws = Workspace::with_main(
        "resource \"slow_object\" \"a\" {\n  input = \"a\"\n}\nimport {\n  to = slow_object.a\n  id = \"missing\"\n}\n",
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("slow_object.a")
        .expect_stderr("no slow_object has this id");
    assert!(!ws.exists("plinth.tfstate"), "a failed plan wrote state");
}

#[test]
fn an_import_key_the_resource_does_not_have_is_refused() {
    let ws = Workspace::with_main(
        "resource \"slow_object\" \"a\" {\n  count = 1\n  input = \"a\"\n}\nimport {\n  to = slow_object.a[3]\n  id = \"x\"\n}\n",
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Configuration for import target does not exist")
        .expect_stderr("slow_object.a[3]");
}

#[test]
fn two_import_blocks_for_one_instance_are_refused() {
    let ws = Workspace::with_main(
        "resource \"slow_object\" \"a\" {\n  input = \"a\"\n}\nimport {\n  to = slow_object.a\n  id = \"x\"\n}\nimport {\n  to = slow_object.a\n  id = \"y\"\n}\n",
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Duplicate import configuration");
}

#[test]
fn an_import_block_in_a_child_module_is_refused() {
    let ws = Workspace::with_main("module \"m\" {\n  source = \"./m\"\n}\n");
    ws.write(
        "m/main.tf",
        "import {\n  to = slow_object.a\n  id = \"x\"\n}\n",
    );
    ws.run(&["validate"])
        .expect_code(1)
        .expect_stderr("Import blocks are only allowed in the root module");
}

/// A module `app` holding `slow_object.web`, and a module `counted` (count = 1) holding
/// `slow_object.db`: ESTATE's objects, each inside a module instance.
const IN_MODULES: &str = r#"
module "app" {
  source = "./app"
}

module "counted" {
  source = "./db"
  count  = 1
}
"#;

fn in_modules(objects: &std::path::Path, imports: &str) -> Workspace {
    let ws = sharing(objects, &format!("{IN_MODULES}{imports}"));
    ws.write(
        "app/main.tf",
        "resource \"slow_object\" \"web\" {\n  input = \"web-v1\"\n}\n",
    );
    ws.write(
        "db/main.tf",
        "resource \"slow_object\" \"db\" {\n  input = \"db-v1\"\n}\n",
    );
    ws
}

/// Regression: `to = module.app.slow_object.web` was refused ("Invalid value for \"to\"": only
/// root-module resources could be import targets), so the objects of a configuration laid out
/// in modules could not be brought under management, nor a lost state rebuilt.
#[test]
fn an_import_block_imports_into_a_resource_inside_a_module_and_a_counted_module() {
    let (estate, web, db) = running_estate();
    let ws = in_modules(
        estate.objects_dir(),
        &format!("\nimport {{\n  to = module.app.slow_object.web\n  id = \"{web}\"\n}}\n\nimport {{\n  to = module.counted[0].slow_object.db\n  id = \"{db}\"\n}}\n"),
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# module.app.slow_object.web will be imported")
        .expect_stdout("# module.counted[0].slow_object.db will be imported")
        .expect_stdout("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.");
    ws.apply()
        .expect_stdout("2 imported, 0 added, 0 changed, 0 destroyed");
    let state = ws.state();
    assert_eq!(
        state.instance("module.app.slow_object.web").string("id"),
        Some(web.as_str())
    );
    assert_eq!(
        state
            .instance("module.counted[0].slow_object.db")
            .string("id"),
        Some(db.as_str())
    );
    assert_eq!((creates(&estate, &web), creates(&estate, &db)), (1, 1));
    ws.run(&["plan", "-detailed-exitcode"])
        .expect_code(0)
        .expect_stdout("No changes.");
}

/// Regression: an import block with for_each could not name a module instance by its key
/// (`to = module.fleet[each.key].slow_object.this`).
#[test]
fn import_blocks_with_for_each_import_into_each_instance_of_a_module_with_for_each() {
    let (estate, web, db) = running_estate();
    let ws = sharing(
        estate.objects_dir(),
        &format!(
            r#"
locals {{
  ids = {{ web = "{web}", db = "{db}" }}
}}

module "fleet" {{
  source   = "./node"
  for_each = local.ids
  input    = "${{each.key}}-v1"
}}

import {{
  for_each = local.ids
  to       = module.fleet[each.key].slow_object.this
  id       = each.value
}}
"#
        ),
    );
    ws.write(
        "node/main.tf",
        "variable \"input\" {}\n\nresource \"slow_object\" \"this\" {\n  input = var.input\n}\n",
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# module.fleet[\"db\"].slow_object.this will be imported")
        .expect_stdout("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.");
    ws.apply()
        .expect_stdout("2 imported, 0 added, 0 changed, 0 destroyed");
    assert_eq!(
        ws.state()
            .instance("module.fleet[\"web\"].slow_object.this")
            .string("id"),
        Some(web.as_str())
    );
    assert_eq!((creates(&estate, &web), creates(&estate, &db)), (1, 1));
    ws.run(&["plan", "-detailed-exitcode"]).expect_code(0);
}

/// Plans the modules' configuration with one import block to `to` (at main.tf line 14), which
/// must be refused naming `to` and the block's line. Returns the workspace and the plan's outcome.
fn plan_refusing_import_to(to: &str, args: &[&str]) -> (Workspace, support::Outcome) {
    let ws = in_modules(
        Workspace::new().objects_dir(),
        &format!("\nimport {{\n  to = {to}\n  id = \"x\"\n}}\n"),
    );
    let outcome = ws.plan(args);
    outcome
        .expect_code(1)
        .expect_stderr(to)
        .expect_stderr("main.tf:14:1");
    (ws, outcome)
}

#[test]
fn an_import_into_a_module_that_is_not_declared_names_the_module_and_the_line() {
    plan_refusing_import_to("module.nope.slow_object.web", &[])
        .1
        .expect_stderr("Configuration for import target does not exist");
}

#[test]
fn an_import_into_a_module_without_that_resource_names_the_address() {
    plan_refusing_import_to("module.app.slow_object.nope", &[])
        .1
        .expect_stderr("Configuration for import target does not exist");
}

#[test]
fn generate_config_out_refuses_a_missing_target_inside_a_module_and_writes_nothing() {
    let args = ["-generate-config-out=generated.tf"];
    let (ws, outcome) = plan_refusing_import_to("module.app.slow_object.nope", &args);
    outcome.expect_stderr("root-module targets only");
    assert!(!ws.exists("generated.tf"), "configuration was generated");
}

#[test]
fn an_import_into_a_module_instance_key_that_does_not_exist_is_refused() {
    let (estate, _, db) = running_estate();
    let ws = in_modules(
        estate.objects_dir(),
        &format!("\nimport {{\n  to = module.counted[3].slow_object.db\n  id = \"{db}\"\n}}\n"),
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Configuration for import target does not exist")
        .expect_stderr("module.counted[3].slow_object.db");
}

/// Regression: an import block into a module instance that `count = 0` leaves out (or a
/// resource without instances) was never evaluated, so the plan said "No changes" and exited 0
/// with the import silently dropped.
#[test]
fn an_import_into_a_module_instance_that_count_leaves_out_is_refused() {
    let (estate, _, db) = running_estate();
    let ws = sharing(
        estate.objects_dir(),
        &format!("module \"counted\" {{\n  source = \"./db\"\n  count  = 0\n}}\n\nimport {{\n  to = module.counted[0].slow_object.db\n  id = \"{db}\"\n}}\n"),
    );
    ws.write(
        "db/main.tf",
        "resource \"slow_object\" \"db\" {\n  input = \"db-v1\"\n}\n",
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Configuration for import target does not exist")
        .expect_stderr("module.counted[0].slow_object.db")
        .expect_stderr("main.tf:9:1");
}

/// The lost-state drill for objects inside modules: `drift -unmanaged` writes `to =
/// module.app.slow_object.web`, and the apply imports into the module instances.
#[test]
fn lost_state_of_objects_in_modules_is_rebuilt_from_drift_unmanaged() {
    let (estate, web, db) = running_estate();
    let ws = in_modules(estate.objects_dir(), "");
    ws.run(&["drift", "-unmanaged", "-generate-config-out=imports.tf"])
        .expect_code(2)
        .expect_stderr("Wrote import blocks for 2 unmanaged object(s)");
    let imports = ws.read("imports.tf");
    assert!(
        imports.contains(&format!(
            "to = module.app.slow_object.web\n  id = \"{web}\""
        )),
        "{imports}"
    );
    assert!(
        imports.contains(&format!(
            "to = module.counted[0].slow_object.db\n  id = \"{db}\""
        )),
        "{imports}"
    );
    ws.apply()
        .expect_stdout("2 imported, 0 added, 0 changed, 0 destroyed");
    assert_eq!((creates(&estate, &web), creates(&estate, &db)), (1, 1));
    ws.run(&["drift"]).expect_code(0);
}

#[test]
fn a_bulk_import_of_a_thousand_objects_takes_one_state_write() {
    let estate = Workspace::with_main(
        "resource \"slow_object\" \"n\" {\n  count = 1000\n  input = \"n-${count.index}\"\n}\n",
    );
    estate.apply();
    let state = estate.state();
    let ids: Vec<String> = (0..1000)
        .map(|i| {
            state
                .instance(&format!("slow_object.n[{i}]"))
                .string("id")
                .expect("id")
                .to_string()
        })
        .collect();
    let map: String = ids
        .iter()
        .enumerate()
        .map(|(i, id)| format!("    \"{i}\" = \"{id}\"\n"))
        .collect();
    let ws = sharing(
        estate.objects_dir(),
        &format!(
            "locals {{\n  ids = {{\n{map}  }}\n}}\nresource \"slow_object\" \"n\" {{\n  count = 1000\n  input = \"n-${{count.index}}\"\n}}\nimport {{\n  for_each = local.ids\n  to = slow_object.n[tonumber(each.key)]\n  id = each.value\n}}\n"
        ),
    );
    ws.apply()
        .expect_stdout("1000 imported, 0 added, 0 changed, 0 destroyed");
    let history = ws
        .run(&["state", "history", "-json"])
        .expect_ok()
        .stdout_json();
    let versions = history
        .as_array()
        .map(Vec::len)
        .or_else(|| history["versions"].as_array().map(Vec::len));
    assert_eq!(versions, Some(1), "one state write expected: {history}");
    assert_eq!(ws.state().addresses().len(), 1000);
}
