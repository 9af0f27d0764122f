//! The engine end to end through its library API (config → graph → plan → apply → state) with
//! the built-in `terraform_data`, no cloud and no CLI.

use std::collections::BTreeMap;
use std::path::Path;

use plinth::apply::journal::JournalWriter;
use plinth::apply::progress::Printer;
use plinth::apply::{self, ApplyInput};
use plinth::config;
use plinth::engine::providers::Providers;
use plinth::graph;
use plinth::plan::planner::{self, PlanInput, PlanOptions};
use plinth::plan::{Action, Plan, PlanMode};
use plinth_sdk::Value;
use plinth_state::{State, StateBackend};

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(main_tf: &str) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), main_tf).unwrap();
        Fixture { dir }
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn backend(&self) -> StateBackend {
        StateBackend::local(self.dir.path().join("plinth.tfstate")).unwrap()
    }

    fn plan(&self, mode: PlanMode, vars: &[(&str, Value)]) -> (Plan, State) {
        let config = config::load(self.dir.path()).unwrap_or_else(|d| panic!("{d}"));
        let graph = graph::build(&config).unwrap_or_else(|d| panic!("{d}"));
        let order = graph::check::order(&graph, &config).unwrap_or_else(|d| panic!("{d}"));
        let state = self.backend().load().unwrap();
        let providers = Providers::new(vec![plinth::builtin::terraform_data::factory()]);
        let variables: BTreeMap<String, Value> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let options = PlanOptions {
            mode,
            refresh: true,
            workspace: "default".into(),
            ..PlanOptions::default()
        };
        let input = PlanInput {
            config: &config,
            graph: &graph,
            order: &order,
            state: &state,
            providers: &providers,
            variables: &variables,
            options: &options,
        };
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (plan, _) = rt
            .block_on(planner::make(&input))
            .unwrap_or_else(|d| panic!("{d}"));
        (plan, state)
    }

    fn apply(&self, mode: PlanMode, vars: &[(&str, Value)]) -> (Plan, State) {
        let (plan, state) = self.plan(mode, vars);
        let config = config::load(self.dir.path()).unwrap();
        let graph = graph::build(&config).unwrap();
        let order = graph::check::order(&graph, &config).unwrap();
        let providers = Providers::new(vec![plinth::builtin::terraform_data::factory()]);
        let backend = self.backend();
        let journal = backend.journal(&state).unwrap();
        let for_writer = journal.clone();
        let writer = JournalWriter::start(Box::new(move |entries| {
            for_writer.append(entries).map_err(|e| e.to_string())
        }));
        let input = ApplyInput {
            config: &config,
            graph: &graph,
            order: &order,
            providers: &providers,
            plan: &plan,
            workspace: "default",
            parallelism: 4,
            printer: Printer { quiet: true },
            interrupt: &plinth::apply::Interrupt::default(),
        };
        let rt = tokio::runtime::Runtime::new().unwrap();
        let applied = rt.block_on(apply::run(&input, state, &writer));
        drop(writer);
        assert!(!applied.diagnostics.has_errors(), "{}", applied.diagnostics);
        let mut new_state = applied.state;
        new_state.serial += 1;
        journal.finish(&new_state, "apply").unwrap();
        (plan, backend.load().unwrap())
    }
}

fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.effective_changes()
        .map(|c| (c.address.clone(), c.action))
        .collect()
}

#[test]
fn unknown_ids_are_known_after_apply_and_the_second_plan_is_empty() {
    let f = Fixture::new(
        r#"
resource "terraform_data" "a" {
  input = "alpha"
}
resource "terraform_data" "b" {
  input = "from-${terraform_data.a.id}"
}
output "b" {
  value = terraform_data.b.output
}
"#,
    );
    let (plan, _) = f.plan(PlanMode::Normal, &[]);
    let b = plan
        .changes
        .iter()
        .find(|c| c.address == "terraform_data.b")
        .unwrap();
    assert_eq!(b.action, Action::Create);
    assert_eq!(
        b.after.as_ref().unwrap().get("input"),
        Some(&Value::Unknown)
    );
    let (_, state) = f.apply(PlanMode::Normal, &[]);
    let a_id = state.instances["terraform_data.a"].attributes["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        state.instances["terraform_data.b"].attributes["input"],
        serde_json::json!(format!("from-{a_id}"))
    );
    assert_eq!(
        state.outputs["b"].value,
        serde_json::json!(format!("from-{a_id}"))
    );
    assert_eq!(
        state.instances["terraform_data.b"].dependencies,
        vec!["terraform_data.a".to_string()]
    );
    let (again, _) = f.plan(PlanMode::Normal, &[]);
    assert!(!again.has_changes(), "second plan: {:?}", actions(&again));
}

#[test]
fn shrinking_count_deletes_the_orphaned_indexes_and_edits_update_in_place() {
    let f = Fixture::new(
        r#"
variable "n" {
  type = number
}
resource "terraform_data" "x" {
  count = var.n
  input = "x-${count.index}"
}
"#,
    );
    f.apply(PlanMode::Normal, &[("n", Value::from(3i64))]);
    let (plan, state) = f.apply(PlanMode::Normal, &[("n", Value::from(1i64))]);
    assert_eq!(
        actions(&plan),
        vec![
            ("terraform_data.x[1]".to_string(), Action::Delete),
            ("terraform_data.x[2]".to_string(), Action::Delete)
        ]
    );
    assert_eq!(
        state.instances.keys().cloned().collect::<Vec<_>>(),
        vec!["terraform_data.x[0]".to_string()]
    );
}

#[test]
fn triggers_replace_forces_replacement_and_destroy_empties_state() {
    let f = Fixture::new(
        r#"
variable "v" {
  type = string
}
resource "terraform_data" "r" {
  input            = "same"
  triggers_replace = var.v
}
"#,
    );
    let (_, first) = f.apply(PlanMode::Normal, &[("v", Value::from("1"))]);
    let (plan, second) = f.apply(PlanMode::Normal, &[("v", Value::from("2"))]);
    let change = plan
        .changes
        .iter()
        .find(|c| c.address == "terraform_data.r")
        .unwrap();
    assert_eq!(change.action, Action::Replace);
    assert_eq!(change.replace_paths, vec!["triggers_replace".to_string()]);
    assert_ne!(
        first.instances["terraform_data.r"].attributes["id"],
        second.instances["terraform_data.r"].attributes["id"]
    );
    let (_, gone) = f.apply(PlanMode::Destroy, &[("v", Value::from("2"))]);
    assert!(gone.instances.is_empty());
}

#[test]
fn modules_with_count_and_for_each_expand_into_addresses() {
    let f = Fixture::new(
        r#"
module "m" {
  source = "./mod"
  count  = 2
  name   = "n${count.index}"
}
resource "terraform_data" "each" {
  for_each = toset(["a", "b"])
  input    = "${each.key}-${module.m[0].out}"
}
"#,
    );
    f.write(
        "mod/main.tf",
        r#"
variable "name" {
  type = string
}
resource "terraform_data" "inner" {
  input = var.name
}
output "out" {
  value = terraform_data.inner.input
}
"#,
    );
    let (_, state) = f.apply(PlanMode::Normal, &[]);
    let keys: Vec<String> = state.instances.keys().cloned().collect();
    assert_eq!(
        keys,
        vec![
            "module.m[0].terraform_data.inner".to_string(),
            "module.m[1].terraform_data.inner".to_string(),
            "terraform_data.each[\"a\"]".to_string(),
            "terraform_data.each[\"b\"]".to_string(),
        ]
    );
    assert_eq!(
        state.instances["terraform_data.each[\"b\"]"].attributes["input"],
        serde_json::json!("b-n0")
    );
    assert!(Path::new(&f.dir.path().join("plinth.tfstate.backup")).exists() || state.serial == 1);
}

/// Quoted templates reach the evaluator already parsed by the configuration parser; escapes,
/// `$${` and `%%{` must mean what they mean in a fresh parse.
#[test]
fn templates_with_escapes_evaluate_as_written() {
    let f = Fixture::new(
        r#"
variable "who" {
  default = "world"
}
resource "terraform_data" "t" {
  input = "say \"hi\" to ${var.who}\t$${literal} %%{ not a directive }\n"
}
"#,
    );
    let (_, state) = f.apply(PlanMode::Normal, &[("who", Value::from("world"))]);
    assert_eq!(
        state.instances["terraform_data.t"].attributes["input"],
        serde_json::json!("say \"hi\" to world\t${literal} %{ not a directive }\n")
    );
}
