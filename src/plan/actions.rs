//! The action graph: every instance change becomes one or two steps (a replacement is a create
//! and a delete), ordered by Terraform's rules, which apply then executes as it is.
//!
//! The rules, for an object `x` that depends on `y` (by its new configuration, or as recorded in
//! state for the object that exists now):
//! - creates, updates and reads of `x` wait for those of `y`;
//! - the delete of `y` waits for the delete of `x`: dependents are destroyed first;
//! - a replacement deletes first and then creates, unless it is create_before_destroy, which
//!   creates the new object first, deposes the old one and deletes it last;
//! - the delete of an object removed from the configuration, of a deposed object, or of the old
//!   object of a create_before_destroy replacement waits for the create or update of every
//!   object that referred to it, so nothing is deleted while something still uses it;
//! - create_before_destroy is inherited by the dependencies of a resource that has it.
//!
//! A cycle is an error at plan time naming the steps in it; there is no fallback order.

use std::collections::BTreeSet;

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use plinth_sdk::{Diagnostic, Diagnostics, Span};
use plinth_state::addr::without_keys;
use plinth_state::{DeposedKey, InstanceAddr, State};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::plan::{Action, PlannedAction, ResourceChange, Step};

/// Marks every replacement whose resource is a dependency (directly or not) of a resource with
/// create_before_destroy as create_before_destroy too.
pub fn inherit_create_before_destroy(changes: &mut [ResourceChange], state: &State) {
    let mut dependencies: HashMap<String, BTreeSet<String>> = HashMap::default();
    for change in changes.iter() {
        let deps = dependencies
            .entry(without_keys(&change.address))
            .or_default();
        deps.extend(change.dependencies.iter().map(|d| without_keys(d)));
        deps.extend(state_dependencies(change, state).map(without_keys));
    }
    let mut forced: HashSet<String> = HashSet::default();
    let mut stack: Vec<String> = changes
        .iter()
        .filter(|c| c.create_before_destroy)
        .map(|c| without_keys(&c.address))
        .collect();
    while let Some(resource) = stack.pop() {
        for dep in dependencies.get(&resource).into_iter().flatten() {
            if forced.insert(dep.clone()) {
                stack.push(dep.clone());
            }
        }
    }
    for change in changes.iter_mut() {
        if forced.contains(&without_keys(&change.address)) {
            change.create_before_destroy = true;
        }
    }
}

/// The dependencies recorded in state for the object a change starts from.
fn state_dependencies<'s>(
    change: &ResourceChange,
    state: &'s State,
) -> impl Iterator<Item = &'s str> {
    let object = match &change.deposed {
        Some(key) => state
            .deposed
            .get(&change.address)
            .and_then(|objects| objects.get(key)),
        None => state.instances.get(&change.address),
    };
    object
        .into_iter()
        .flat_map(|o| o.dependencies.iter().map(String::as_str))
}

/// Builds the action graph of `changes`. `span_of` finds the configuration of an address for
/// the error a cycle gives.
pub fn build(
    changes: &[ResourceChange],
    state: &State,
    span_of: &dyn Fn(&str) -> Option<Span>,
) -> Result<Vec<PlannedAction>, Diagnostics> {
    let mut builder = Builder::default();
    for (index, change) in changes.iter().enumerate() {
        builder.add_change(index, change);
    }
    builder.connect(changes, state);
    builder.finish(span_of)
}

/// The steps of one change.
#[derive(Clone, Copy, Default)]
struct Steps {
    /// Its create, update or read.
    creator: Option<usize>,
    /// Its delete.
    destroyer: Option<usize>,
}

#[derive(Default)]
struct Builder {
    actions: Vec<PlannedAction>,
    steps: Vec<Steps>,
    /// Change indexes by configuration address.
    by_resource: HashMap<String, Vec<usize>>,
    /// Each change's module instance path (`module.a[0]`) and module configuration path
    /// (`module.a`).
    modules: Vec<(String, String)>,
    edges: HashSet<(usize, usize)>,
}

impl Builder {
    fn step(&mut self, step: Step, change: &ResourceChange, deposed: Option<DeposedKey>) -> usize {
        let id = self.actions.len();
        self.actions.push(PlannedAction {
            id,
            step,
            address: change.address.clone(),
            deposed,
            after: Vec::new(),
        });
        id
    }

    fn add_change(&mut self, index: usize, change: &ResourceChange) {
        let mut steps = Steps::default();
        match change.action {
            Action::NoOp => {}
            Action::Create => steps.creator = Some(self.step(Step::Create, change, None)),
            Action::Update => steps.creator = Some(self.step(Step::Update, change, None)),
            Action::Read => steps.creator = Some(self.step(Step::Read, change, None)),
            Action::Delete => {
                steps.destroyer = Some(self.step(Step::Delete, change, change.deposed.clone()))
            }
            Action::Replace if change.create_before_destroy => {
                let key = DeposedKey::generate();
                steps.creator = Some(self.step(Step::Create, change, Some(key.clone())));
                steps.destroyer = Some(self.step(Step::Delete, change, Some(key)));
            }
            Action::Replace => {
                steps.destroyer = Some(self.step(Step::Delete, change, None));
                steps.creator = Some(self.step(Step::Create, change, None));
            }
        }
        debug_assert_eq!(index, self.steps.len());
        self.steps.push(steps);
        let parsed = change.address.parse::<InstanceAddr>().ok();
        let module = parsed
            .as_ref()
            .map(|a| (a.module_path(), without_keys(&a.module_path())))
            .unwrap_or_default();
        self.modules.push(module);
        self.by_resource
            .entry(without_keys(&change.address))
            .or_default()
            .push(index);
    }

    /// `later` waits for `first`.
    fn edge(&mut self, first: usize, later: usize) {
        if first != later && self.edges.insert((first, later)) {
            self.actions[later].after.push(first);
        }
    }

    /// The changes a dependency on `resource` of change `index` means: every instance of the
    /// resource, except that within the same module, only those of the same module instance.
    fn dependency_changes(&self, index: usize, resource: &str) -> Vec<usize> {
        let (module_instance, module_config) = &self.modules[index];
        self.by_resource
            .get(&without_keys(resource))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&other| {
                other != index
                    && (&self.modules[other].1 != module_config
                        || &self.modules[other].0 == module_instance)
            })
            .collect()
    }

    fn connect(&mut self, changes: &[ResourceChange], state: &State) {
        for (x, change) in changes.iter().enumerate() {
            let Steps { creator, destroyer } = self.steps[x];
            match (creator, destroyer) {
                (Some(c), Some(d)) if change.create_before_destroy => self.edge(c, d),
                (Some(c), Some(d)) => self.edge(d, c),
                _ => {}
            }
            if let Some(c) = creator {
                for dep in &change.dependencies {
                    for y in self.dependency_changes(x, dep) {
                        if let Some(yc) = self.steps[y].creator {
                            self.edge(yc, c);
                        }
                    }
                }
            }
            let recorded: Vec<&str> = state_dependencies(change, state).collect();
            for dep in recorded {
                for y in self.dependency_changes(x, dep) {
                    let Some(yd) = self.steps[y].destroyer else {
                        continue;
                    };
                    if let Some(xd) = destroyer {
                        self.edge(xd, yd);
                    }
                    let other = &changes[y];
                    let frees_later = other.action == Action::Delete
                        || other.create_before_destroy
                        || other.deposed.is_some();
                    if let (Some(c), true) = (creator, frees_later) {
                        self.edge(c, yd);
                    }
                }
            }
        }
    }

    fn finish(
        self,
        span_of: &dyn Fn(&str) -> Option<Span>,
    ) -> Result<Vec<PlannedAction>, Diagnostics> {
        let mut graph: DiGraph<usize, ()> = DiGraph::new();
        let nodes: Vec<NodeIndex> = self.actions.iter().map(|a| graph.add_node(a.id)).collect();
        for &(first, later) in &self.edges {
            graph.add_edge(nodes[first], nodes[later], ());
        }
        if toposort(&graph, None).is_ok() {
            let mut actions = self.actions;
            for action in &mut actions {
                action.after.sort_unstable();
            }
            return Ok(actions);
        }
        let mut diags = Diagnostics::new();
        for component in tarjan_scc(&graph) {
            if component.len() < 2 {
                continue;
            }
            let mut members: Vec<&PlannedAction> =
                component.iter().map(|n| &self.actions[graph[*n]]).collect();
            members.sort_by_key(|a| a.id);
            let names: Vec<String> = members.iter().map(|a| describe(a)).collect();
            let mut d = Diagnostic::error(format!("Cycle: {}", names.join(", "))).with_detail(
                "These steps wait for one another, so none can start. A create_before_destroy \
                 replacement whose dependency must be destroyed first causes this: set \
                 create_before_destroy on the dependency too, or remove the reference.",
            );
            if let Some(span) = members.iter().find_map(|a| span_of(&a.address)) {
                d = d.with_span(span);
            }
            diags.push(d.with_address(members[0].address.clone()));
        }
        Err(diags)
    }
}

/// `aws_instance.a (destroy)`, `aws_instance.a (destroy deposed 1a2b3c4d)`.
fn describe(action: &PlannedAction) -> String {
    let step = match (action.step, &action.deposed) {
        (Step::Create, _) => "create".to_string(),
        (Step::Update, _) => "update".to_string(),
        (Step::Read, _) => "read".to_string(),
        (Step::Delete, None) => "destroy".to_string(),
        (Step::Delete, Some(key)) => format!("destroy deposed {key}"),
    };
    format!("{} ({step})", action.address)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_state::{Instance, Mode, Status};

    fn change(address: &str, action: Action, deps: &[&str]) -> ResourceChange {
        ResourceChange {
            address: address.into(),
            deposed: None,
            data: false,
            type_name: "slow_object".into(),
            provider: "slow".into(),
            action,
            reason: None,
            before: None,
            after: None,
            replace_paths: vec![],
            create_before_destroy: false,
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            timeouts: Default::default(),
            private: Vec::new(),
        }
    }

    fn state_with(objects: &[(&str, &[&str])]) -> State {
        let mut state = State::new();
        for (address, deps) in objects {
            state.instances.insert(
                address.to_string(),
                Instance {
                    mode: Mode::Managed,
                    type_name: "slow_object".into(),
                    provider: "slow".into(),
                    status: Status::Ready,
                    attributes: serde_json::json!({}),
                    sensitive_attributes: vec![],
                    dependencies: deps.iter().map(|d| d.to_string()).collect(),
                    create_before_destroy: false,
                    schema_version: 0,
                    private: None,
                },
            );
        }
        state
    }

    /// (address, step) pairs each action waits for.
    fn waits(actions: &[PlannedAction]) -> Vec<(String, Vec<String>)> {
        actions
            .iter()
            .map(|a| {
                (
                    describe(a),
                    a.after.iter().map(|i| describe(&actions[*i])).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn counted_instances_wait_only_for_their_own_module_instance() {
        let changes = vec![
            change("module.m[0].slow_object.a", Action::Create, &[]),
            change(
                "module.m[0].slow_object.b",
                Action::Create,
                &["module.m.slow_object.a"],
            ),
            change("module.m[1].slow_object.a", Action::Create, &[]),
        ];
        let actions = build(&changes, &State::new(), &|_| None).expect("no cycle");
        assert_eq!(actions[1].after, vec![0]);
        assert!(actions[2].after.is_empty());
    }

    #[test]
    fn a_cycle_names_its_steps_and_is_an_error() {
        // Two creates that wait for each other: the graph builder refuses configuration
        // cycles earlier, so this one is made by hand to prove any cycle is reported.
        let a = change("slow_object.a", Action::Create, &["slow_object.b"]);
        let b = change("slow_object.b", Action::Create, &["slow_object.a"]);
        let err = build(&[a, b], &State::new(), &|_| None).expect_err("cycle");
        let summary = &err.0[0].summary;
        assert!(summary.starts_with("Cycle: "), "{summary}");
        assert!(summary.contains("slow_object.a (create)"), "{summary}");
        assert!(summary.contains("slow_object.b (create)"), "{summary}");
    }

    #[test]
    fn removed_object_waits_for_the_update_of_its_former_dependent() {
        let state = state_with(&[
            ("slow_object.net", &[]),
            ("slow_object.app", &["slow_object.net"]),
        ]);
        let changes = vec![
            change("slow_object.app", Action::Update, &[]),
            change("slow_object.net", Action::Delete, &[]),
        ];
        let actions = build(&changes, &state, &|_| None).expect("no cycle");
        assert_eq!(
            waits(&actions),
            vec![
                ("slow_object.app (update)".to_string(), vec![]),
                (
                    "slow_object.net (destroy)".to_string(),
                    vec!["slow_object.app (update)".to_string()]
                ),
            ]
        );
    }

    #[test]
    fn create_before_destroy_reaches_dependencies_transitively() {
        let state = state_with(&[
            ("slow_object.a", &[]),
            ("slow_object.b", &["slow_object.a"]),
            ("slow_object.c", &["slow_object.b"]),
        ]);
        let mut changes = vec![
            change("slow_object.a", Action::Replace, &[]),
            change("slow_object.b", Action::NoOp, &["slow_object.a"]),
            change("slow_object.c", Action::Replace, &["slow_object.b"]),
        ];
        changes[2].create_before_destroy = true;
        inherit_create_before_destroy(&mut changes, &state);
        assert!(changes[0].create_before_destroy);
        assert!(changes[1].create_before_destroy);
    }
}
