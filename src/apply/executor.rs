//! `apply::run`: executes a plan's action graph exactly as planned. Every action starts once the
//! actions it waits for have finished, at most `-parallelism` provider operations at once; a
//! failed action is reported with its address and the actions after it do not start.
//!
//! Deletes run here. Creates, updates and reads need their configuration evaluated with the
//! values learned so far, so the configuration is walked alongside (the same evaluation walk as
//! plan's, see `engine::walker`): when the action graph lets such an action start, it opens a
//! [`Gate`] and the walk's handler for that instance (`apply::evaluation`) runs the operation
//! and reports back. The walk decides nothing about order; the action graph decides it all.
//!
//! Crash safety: each finished operation is journalled and synced before any action after it
//! starts (see `apply::operations`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use crate::engine::output_type::output_type;
use petgraph::graph::{DiGraph, NodeIndex};
use plinth_sdk::{Diagnostic, Diagnostics};
use plinth_state::{JournalEntry, Mode as StateMode, OutputValue, State};
use tokio::sync::oneshot;

use crate::apply::evaluation::{Applying, Ends};
use crate::apply::interrupt::Interrupt;
use crate::apply::journal::JournalWriter;
use crate::apply::operations::{Counts, Operations};
use crate::apply::progress::Printer;
use crate::apply::provision;
use crate::apply::refactor;
use crate::config::{Config, When};
use crate::engine::check_blocks;
use crate::engine::providers::Providers;
use crate::engine::walker::{Phase, Walk};
use crate::graph::walk::walk_reporting_skips;
use crate::graph::{Graph, NodeKind};
use crate::plan::{Plan, PlanMode, PlannedAction, ResourceChange, Step};

/// Everything an apply needs.
pub struct ApplyInput<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// Its graph.
    pub graph: &'a Graph,
    /// Its topological order.
    pub order: &'a [NodeIndex],
    /// The providers.
    pub providers: &'a Providers,
    /// The plan to execute.
    pub plan: &'a Plan,
    /// `terraform.workspace`.
    pub workspace: &'a str,
    /// How many provider operations may run at once.
    pub parallelism: usize,
    /// Where progress goes.
    pub printer: Printer,
    /// Set when the user asks apply to stop.
    pub interrupt: &'a Interrupt,
}

/// The outcome of an apply.
pub struct Applied {
    /// The new state (every finished operation in it).
    pub state: State,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
    /// What was done.
    pub counts: Counts,
}

/// The executor's side of an action run by the walk's handler: opening it lets the action start;
/// dropping it unopened cancels the action.
pub struct Gate {
    go: Option<oneshot::Sender<()>>,
    done: Option<oneshot::Receiver<bool>>,
}

impl Gate {
    /// Lets the action start and waits for its outcome (false when it failed or never ran).
    async fn open(&mut self) -> bool {
        let (Some(go), Some(done)) = (self.go.take(), self.done.take()) else {
            return false;
        };
        if go.send(()).is_err() {
            return false;
        }
        done.await.unwrap_or(false)
    }

    /// Cancels the action: its handler returns without running it.
    fn cancel(&mut self) {
        self.go.take();
    }
}

/// Executes `input.plan` on `state`, journalling through `journal`.
pub async fn run(input: &ApplyInput<'_>, state: State, journal: &JournalWriter) -> Applied {
    let plan = input.plan;
    let state = match refactor::record(plan, state, journal).await {
        Ok(state) => state,
        Err((state, diagnostics)) => {
            return Applied {
                state,
                diagnostics,
                counts: Counts::default(),
            }
        }
    };
    let ops = Operations::new(
        state,
        journal,
        input.parallelism,
        input.printer,
        input.workspace,
        input.interrupt,
    );
    if plan.mode == PlanMode::Normal {
        ops.absorb_drift(&plan.drift);
    }
    let mut adopted = ops.adopt(&plan.adopted, &plan.changes).await;
    adopted.extend(ops.record_imported(&plan.imported, &plan.changes).await);
    let current: HashMap<&str, &ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.deposed.is_none())
        .map(|c| (c.address.as_str(), c))
        .collect();
    let (gates, ends) = gates(&plan.actions);
    let applying = Applying::new(current.clone(), ends, &ops, input.providers);
    let walk = Walk {
        config: input.config,
        graph: input.graph,
        order: input.order,
        providers: input.providers,
        variables: &plan.variables,
        workspace: input.workspace,
        phase: Phase::Apply,
    };
    let only = (plan.mode == PlanMode::Destroy).then(|| provider_ancestors(input.graph));
    let evaluate = async {
        let mut walked = walk.run_only(&applying, only.as_ref()).await;
        applying.release_unvisited();
        if plan.mode == PlanMode::Normal && !walked.failed {
            let warnings = check_blocks::run(&walk, &walked.results).await;
            walked.diagnostics.extend(warnings);
        }
        input.providers.close();
        walked
    };
    let execute = execute_actions(input, &walk, &ops, &current, gates);
    let (walked, diagnostics) = futures_util::join!(evaluate, execute);
    adopted.extend(diagnostics);
    let mut diagnostics = adopted;
    diagnostics.extend(walked.diagnostics);
    if input.interrupt.requested() {
        diagnostics.extend(interrupted(ops.not_started()));
    }
    let finished = !walked.failed && !diagnostics.has_errors();
    if finished && plan.mode != PlanMode::Destroy {
        let mut outputs = BTreeMap::new();
        for o in &input.config.root.outputs {
            if let Some(v) = walked.results.output("", &o.name) {
                outputs.insert(
                    o.name.clone(),
                    OutputValue {
                        value: v.to_json(),
                        sensitive: o.sensitive || v.contains_sensitive(),
                        ty: Some(output_type(&input.config.root, o, &v, input.providers)),
                    },
                );
            }
        }
        if let Err(d) = ops
            .record("outputs", vec![JournalEntry::Outputs { outputs }])
            .await
        {
            diagnostics.extend(d);
        }
    } else if finished {
        ops.state()
            .instances
            .retain(|_, i| i.mode != StateMode::Data);
        if let Err(d) = ops
            .record(
                "outputs",
                vec![JournalEntry::Outputs {
                    outputs: BTreeMap::new(),
                }],
            )
            .await
        {
            diagnostics.extend(d);
        }
    }
    let (mut state, counts, warnings) = ops.finish();
    diagnostics.extend(warnings);
    if !diagnostics.has_errors() {
        // Data sources no longer configured are simply forgotten.
        state.instances.retain(|address, i| {
            i.mode != StateMode::Data || current.contains_key(address.as_str())
        });
    }
    Applied {
        state,
        diagnostics,
        counts,
    }
}

/// A gate per create, update and read (by action id), and the handler ends by address.
fn gates(actions: &[PlannedAction]) -> (HashMap<usize, Gate>, HashMap<String, Ends>) {
    let mut gates = HashMap::new();
    let mut ends = HashMap::new();
    for action in actions.iter().filter(|a| a.step != Step::Delete) {
        let (go_tx, go_rx) = oneshot::channel();
        let (done_tx, done_rx) = oneshot::channel();
        gates.insert(
            action.id,
            Gate {
                go: Some(go_tx),
                done: Some(done_rx),
            },
        );
        ends.insert(
            action.address.clone(),
            Ends {
                step: action.step,
                depose: action.deposed.clone(),
                go: go_rx,
                done: done_tx,
            },
        );
    }
    (gates, ends)
}

/// Runs the destroy-time provisioners of the object a delete is about to destroy, when its
/// resource block is still in the configuration (as Terraform does).
async fn destroy_provisioners(
    input: &ApplyInput<'_>,
    ops: &Operations<'_>,
    change: &ResourceChange,
    deposed: Option<&plinth_state::DeposedKey>,
) -> Diagnostics {
    let Some(resource) = provision::configured(&input.config.root, &change.address)
        .filter(|r| provision::has(r, When::Destroy))
    else {
        return Diagnostics::new();
    };
    let Some(object) = ops.doomed(change, deposed) else {
        return Diagnostics::new();
    };
    let shown = change.object_address();
    provision::run(
        &ops.context(&shown, None),
        resource,
        When::Destroy,
        &change.address,
        &object,
        None,
        ops.printer(),
    )
    .await
}

/// Walks the action graph: deletes run here, the other actions open their gates.
async fn execute_actions(
    input: &ApplyInput<'_>,
    walk: &Walk<'_>,
    ops: &Operations<'_>,
    current: &HashMap<&str, &ResourceChange>,
    gates: HashMap<usize, Gate>,
) -> Diagnostics {
    let plan = input.plan;
    let deposed_changes: HashMap<(&str, &plinth_state::DeposedKey), &ResourceChange> = plan
        .changes
        .iter()
        .filter_map(|c| c.deposed.as_ref().map(|k| ((c.address.as_str(), k), c)))
        .collect();
    let diags = Mutex::new(Diagnostics::new());
    let push = |d: Diagnostics| diags.lock().unwrap_or_else(|p| p.into_inner()).extend(d);
    // Providers that only objects being deleted still use have no node in the walk.
    let in_walk: HashSet<&str> = input
        .graph
        .graph
        .node_weights()
        .filter_map(|n| match &n.kind {
            NodeKind::Provider(key) => Some(key.as_str()),
            _ => None,
        })
        .collect();
    let mut keys: Vec<&str> = plan
        .changes
        .iter()
        .filter(|c| !in_walk.contains(c.provider.as_str()))
        .map(|c| c.provider.as_str())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        if let Err(d) = walk.ensure_provider(key).await {
            push(d);
        }
    }
    let mut graph: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = plan.actions.iter().map(|a| graph.add_node(a.id)).collect();
    for action in &plan.actions {
        for &first in &action.after {
            if let Some(&from) = nodes.get(first) {
                graph.add_edge(from, nodes[action.id], ());
            }
        }
    }
    let Ok(order) = petgraph::algo::toposort(&graph, None) else {
        push(
            Diagnostic::error("The plan's action graph has a cycle")
                .with_detail("The saved plan cannot be executed; create a new plan.")
                .into(),
        );
        return diags.into_inner().unwrap_or_else(|p| p.into_inner());
    };
    let gates = Mutex::new(gates);
    let take_gate = |id: usize| gates.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    walk_reporting_skips(
        &graph,
        &order,
        |ix| {
            let action = &plan.actions[graph[ix]];
            let (take_gate, push, deposed_changes) = (&take_gate, &push, &deposed_changes);
            async move {
                let gate = take_gate(action.id);
                if action.step != Step::Delete {
                    return match gate {
                        Some(mut gate) => gate.open().await,
                        None => false,
                    };
                }
                let change = match &action.deposed {
                    Some(key) => deposed_changes
                        .get(&(action.address.as_str(), key))
                        .or_else(|| current.get(action.address.as_str())),
                    None => current.get(action.address.as_str()),
                };
                let Some(change) = change else {
                    push(missing_change(action));
                    return false;
                };
                let Some(provider) = input.providers.wait(&change.provider).await else {
                    push(
                        Diagnostic::error(format!(
                            "Provider \"{}\" is not configured",
                            change.provider
                        ))
                        .with_address(&action.address)
                        .into(),
                    );
                    return false;
                };
                let provisioned =
                    destroy_provisioners(input, ops, change, action.deposed.as_ref()).await;
                if provisioned.has_errors() {
                    push(provisioned);
                    return false;
                }
                ops.warn(provisioned);
                match ops
                    .delete(provider.as_ref(), change, action.deposed.as_ref())
                    .await
                {
                    Ok(()) => true,
                    Err(d) => {
                        let before = change.before.as_ref().unwrap_or(&plinth_sdk::Value::Null);
                        push(crate::eval::redact_diagnostics(d, before));
                        false
                    }
                }
            }
        },
        |ix| {
            if let Some(mut gate) = take_gate(graph[ix]) {
                gate.cancel();
            }
        },
    )
    .await;
    diags.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// The error an interrupted apply ends with.
fn interrupted(not_started: usize) -> Diagnostics {
    Diagnostic::error("Interrupt received")
        .with_detail(format!(
            "The apply was stopped: every operation already started finished and is recorded in the state; {not_started} planned operation(s) did not start. Run apply again to finish."
        ))
        .into()
}

fn missing_change(action: &PlannedAction) -> Diagnostics {
    Diagnostic::error("The plan has no change for an action")
        .with_detail("The saved plan is inconsistent; create a new plan.")
        .with_address(&action.address)
        .into()
}

/// Provider nodes and everything they depend on: what a destroy evaluates.
fn provider_ancestors(graph: &Graph) -> HashSet<NodeIndex> {
    let mut set = HashSet::new();
    let mut stack: Vec<NodeIndex> = graph
        .graph
        .node_indices()
        .filter(|ix| matches!(graph.node(*ix).kind, NodeKind::Provider(_)))
        .collect();
    while let Some(ix) = stack.pop() {
        if set.insert(ix) {
            stack.extend(
                graph
                    .graph
                    .neighbors_directed(ix, petgraph::Direction::Incoming),
            );
        }
    }
    set
}
