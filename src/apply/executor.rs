//! `apply::run`: executes a plan. Deletions of objects no longer configured go first (dependents
//! before what they depend on); then the configuration is walked again with the applying
//! handler, which re-evaluates each instance with real values and performs its planned action.
//! Every finished operation is journalled (and synced) before anything depending on it starts;
//! a failed operation is reported with its address and its dependents are skipped.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use petgraph::graph::{DiGraph, NodeIndex};
use plinth_sdk::{Diagnostic, Diagnostics, Origin, Provider, Value};
use plinth_state::{Instance, JournalEntry, Mode as StateMode, OutputValue, State, Status};
use tokio::sync::Semaphore;

use crate::apply::journal::JournalWriter;
use crate::apply::progress::{Printer, Verb};
use crate::config::{Config, Mode};
use crate::engine::providers::Providers;
use crate::engine::walker::{InstanceHandler, InstanceRequest, Walk};
use crate::graph::{walk::walk, Graph, NodeKind};
use crate::plan::diff;
use crate::plan::planner::apply_ignore_changes;
use crate::plan::{Action, Plan, PlanMode, ResourceChange};

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
}

/// How many objects were added, changed and destroyed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Created (replacements count here too).
    pub added: usize,
    /// Updated in place.
    pub changed: usize,
    /// Destroyed (replacements count here too).
    pub destroyed: usize,
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

/// Executes `input.plan` on `state`, journalling through `journal`.
pub async fn run(input: &ApplyInput<'_>, state: State, journal: &JournalWriter) -> Applied {
    let changes: HashMap<&str, &ResourceChange> = input
        .plan
        .changes
        .iter()
        .map(|c| (c.address.as_str(), c))
        .collect();
    let applier = Applier {
        changes,
        providers: input.providers,
        state: Mutex::new(state),
        journal,
        permits: Semaphore::new(input.parallelism.max(1)),
        printer: input.printer,
        workspace: input.workspace,
        counts: Mutex::new(Counts::default()),
    };
    let walk = Walk {
        config: input.config,
        graph: input.graph,
        order: input.order,
        providers: input.providers,
        variables: &input.plan.variables,
        workspace: input.workspace,
    };
    let mut diagnostics = Diagnostics::new();
    // Providers (and what their configuration needs) first, so deletions can run.
    let providers_only = provider_ancestors(input.graph);
    let configured = walk.run_only(&applier, Some(&providers_only)).await;
    diagnostics.extend(configured.diagnostics);
    if !configured.failed {
        let mut keys: Vec<&str> = input
            .plan
            .changes
            .iter()
            .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
            .map(|c| c.provider.as_str())
            .collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            if let Err(d) = walk.ensure_provider(key).await {
                diagnostics.extend(d);
            }
        }
        diagnostics.extend(applier.delete_phase(input.plan).await);
    }
    if input.plan.mode != PlanMode::Destroy && !configured.failed {
        let walked = walk.run(&applier).await;
        diagnostics.extend(walked.diagnostics);
        if !walked.failed {
            let mut outputs = BTreeMap::new();
            for o in &input.config.root.outputs {
                if let Some(v) = walked.results.output("", &o.name) {
                    outputs.insert(
                        o.name.clone(),
                        OutputValue {
                            value: v.to_json(),
                            sensitive: o.sensitive || v.contains_sensitive(),
                        },
                    );
                }
            }
            applier.lock_state().outputs = outputs.clone();
            if let Err(e) = journal
                .append(vec![JournalEntry::Outputs { outputs }])
                .await
            {
                diagnostics
                    .push(Diagnostic::error("Failed to write the state journal").with_detail(e));
            }
        }
    } else if input.plan.mode == PlanMode::Destroy && !diagnostics.has_errors() {
        {
            let mut state = applier.lock_state();
            state.outputs.clear();
            state.instances.retain(|_, i| i.mode != StateMode::Data);
        }
        if let Err(e) = journal
            .append(vec![JournalEntry::Outputs {
                outputs: BTreeMap::new(),
            }])
            .await
        {
            diagnostics.push(Diagnostic::error("Failed to write the state journal").with_detail(e));
        }
    }
    let counts = *applier.counts.lock().unwrap_or_else(|p| p.into_inner());
    let mut state = applier
        .state
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    if !diagnostics.has_errors() {
        // Data sources no longer configured are simply forgotten.
        state.instances.retain(|address, i| {
            i.mode != StateMode::Data || applier.changes.contains_key(address.as_str())
        });
    }
    Applied {
        state,
        diagnostics,
        counts,
    }
}

/// Provider nodes and everything they depend on.
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

struct Applier<'a> {
    changes: HashMap<&'a str, &'a ResourceChange>,
    providers: &'a Providers,
    state: Mutex<State>,
    journal: &'a JournalWriter,
    permits: Semaphore,
    printer: Printer,
    workspace: &'a str,
    counts: Mutex<Counts>,
}

/// A provider's result normalised to the schema, with sensitive marks put back: the schema's,
/// and those of the attributes named (sensitive in the planned value).
fn remark(request: &InstanceRequest<'_>, value: Value, sensitive: &[String]) -> Value {
    diff::mark_sensitive_opt(
        Some(request.schema),
        diff::normalise(request.schema, value),
        sensitive,
    )
}

fn id_of(v: &Value) -> Option<String> {
    v.get("id").and_then(Value::as_str).map(str::to_string)
}

impl Applier<'_> {
    fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn count(&self, f: impl FnOnce(&mut Counts)) {
        f(&mut self.counts.lock().unwrap_or_else(|p| p.into_inner()));
    }

    fn provider(&self, key: &str, address: &str) -> Result<Arc<dyn Provider>, Diagnostics> {
        self.providers.get(key).ok_or_else(|| {
            Diagnostic::error(format!("Provider \"{key}\" is not configured"))
                .with_address(address)
                .into()
        })
    }

    /// Records an object in state, durably.
    async fn put(&self, address: &str, instance: Instance) -> Result<(), Diagnostics> {
        self.lock_state()
            .instances
            .insert(address.to_string(), instance.clone());
        self.journal_write(
            address,
            JournalEntry::Put {
                address: address.to_string(),
                instance,
            },
        )
        .await
    }

    async fn journal_write(&self, address: &str, entry: JournalEntry) -> Result<(), Diagnostics> {
        self.journal.append(vec![entry]).await.map_err(|e| {
            Diagnostic::error("Failed to write the state journal")
                .with_detail(e)
                .with_address(address)
                .into()
        })
    }

    /// Removes an object from state, durably.
    async fn remove(&self, address: &str) -> Result<(), Diagnostics> {
        self.lock_state().instances.remove(address);
        self.journal_write(
            address,
            JournalEntry::Remove {
                address: address.to_string(),
            },
        )
        .await
    }

    /// Runs every planned deletion, dependents first.
    async fn delete_phase(&self, plan: &Plan) -> Diagnostics {
        let deletes: Vec<&ResourceChange> = plan
            .changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .collect();
        let mut graph: DiGraph<&ResourceChange, ()> = DiGraph::new();
        let index: HashMap<&str, NodeIndex> = deletes
            .iter()
            .map(|c| (c.address.as_str(), graph.add_node(*c)))
            .collect();
        for c in &deletes {
            for dependent in &c.dependencies {
                if let Some(from) = index.get(dependent.as_str()) {
                    graph.add_edge(*from, index[c.address.as_str()], ());
                }
            }
        }
        let order = petgraph::algo::toposort(&graph, None)
            .unwrap_or_else(|_| graph.node_indices().collect());
        let diags = Mutex::new(Diagnostics::new());
        walk(&graph, &order, |ix| {
            let change = graph[ix];
            let diags = &diags;
            async move {
                match self.delete(change).await {
                    Ok(()) => true,
                    Err(e) => {
                        diags
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .extend(e.with_address(&change.address));
                        false
                    }
                }
            }
        })
        .await;
        diags.into_inner().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs one provider operation within the parallelism bound, with its progress lines. The
    /// permit is released before the result is journalled, so syncing never holds a slot.
    async fn operate<T, E: From<Diagnostics>>(
        &self,
        address: &str,
        verb: Verb,
        id: Option<&str>,
        id_of: impl Fn(&T) -> Option<String>,
        op: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| E::from(Diagnostic::error("apply was cancelled").into()))?;
        self.printer.track(address, verb, id, id_of, op).await
    }

    async fn delete(&self, change: &ResourceChange) -> Result<(), Diagnostics> {
        let provider = self.provider(&change.provider, &change.address)?;
        let prior = change.before.clone().unwrap_or(Value::Null).unmark_deep().0;
        let result = self
            .operate(
                &change.address,
                Verb::Destroy,
                id_of(&prior).as_deref(),
                |_| None,
                provider.delete(&change.type_name, prior.clone()),
            )
            .await;
        result?;
        self.remove(&change.address).await?;
        self.count(|c| c.destroyed += 1);
        Ok(())
    }

    fn instance_record(
        &self,
        request: &InstanceRequest<'_>,
        value: &Value,
        status: Status,
    ) -> Instance {
        Instance {
            mode: if request.resource.mode == Mode::Data {
                StateMode::Data
            } else {
                StateMode::Managed
            },
            type_name: request.resource.type_name.clone(),
            provider: request.provider.to_string(),
            status,
            attributes: value.to_json(),
            sensitive_attributes: diff::sensitive_names(request.schema, value),
            dependencies: request.depends_on.to_vec(),
            create_before_destroy: request.resource.lifecycle.create_before_destroy,
        }
    }

    /// The final value to send: configuration now fully known, computed values from the provider.
    async fn final_value(
        &self,
        provider: &dyn Provider,
        request: &InstanceRequest<'_>,
        prior: Option<&Value>,
    ) -> Result<(Value, Vec<String>), Diagnostics> {
        if request.config.contains_unknown() {
            return Err(Diagnostic::error(
                "Configuration contains values that are still unknown during apply",
            )
            .with_detail("A value this resource depends on was not produced by its provider.")
            .with_address(&request.address)
            .into());
        }
        let mut proposed = diff::proposed(request.schema, &request.config, prior);
        if let Some(p) = prior {
            apply_ignore_changes(&request.resource.lifecycle.ignore_changes, p, &mut proposed);
        }
        let planned = provider
            .plan(&request.resource.type_name, prior, proposed)
            .await?
            .planned;
        let sensitive = diff::sensitive_names(request.schema, &planned);
        Ok((diff::unknown_to_null(planned.unmark_deep().0), sensitive))
    }

    async fn create(
        &self,
        provider: &dyn Provider,
        request: &InstanceRequest<'_>,
    ) -> Result<Value, Diagnostics> {
        let (planned, sensitive) = self.final_value(provider, request, None).await?;
        let origin = Origin {
            address: request.address.clone(),
            workspace: self.workspace.to_string(),
        };
        let result = self
            .operate(
                &request.address,
                Verb::Create,
                None,
                |v: &Value| id_of(v),
                provider.create(&request.resource.type_name, planned, &origin),
            )
            .await;
        match result {
            Ok(value) => {
                let value = remark(request, value, &sensitive);
                self.put(
                    &request.address,
                    self.instance_record(request, &value, Status::Ready),
                )
                .await?;
                self.count(|c| c.added += 1);
                Ok(value)
            }
            Err(failure) => {
                if let Some(partial) = failure.partial {
                    let partial = diff::normalise(request.schema, partial);
                    self.put(
                        &request.address,
                        self.instance_record(request, &partial, Status::Tainted),
                    )
                    .await?;
                }
                Err(failure.diagnostics)
            }
        }
    }
}

#[async_trait(?Send)]
impl InstanceHandler for Applier<'_> {
    async fn instance(&self, request: InstanceRequest<'_>) -> Result<Value, Diagnostics> {
        let address = request.address.clone();
        let Some(change) = self.changes.get(address.as_str()).copied() else {
            let stored = self
                .lock_state()
                .instances
                .get(&address)
                .map(|i| Value::from_json(&i.attributes));
            return Ok(stored
                .map(|v| diff::mark_sensitive(request.schema, diff::normalise(request.schema, v)))
                .unwrap_or(Value::Unknown));
        };
        let provider = self.provider(request.provider, &address)?;
        match change.action {
            Action::NoOp if change.before.is_none() && change.after.is_none() => {
                // Refresh-only: the object was deleted outside plinth.
                self.remove(&address).await?;
                Ok(Value::Null)
            }
            Action::NoOp => {
                let value = change
                    .after
                    .clone()
                    .or_else(|| change.before.clone())
                    .unwrap_or(Value::Null);
                let record = self.instance_record(&request, &value, Status::Ready);
                let mut state = self.lock_state();
                let keep_status = state.instances.get(&address).map(|i| i.status);
                let record = Instance {
                    status: keep_status.unwrap_or(Status::Ready),
                    ..record
                };
                state.instances.insert(address, record);
                Ok(value)
            }
            Action::Read => {
                let config = request.config.clone().unmark_deep().0;
                let value = self
                    .operate(
                        &address,
                        Verb::Read,
                        None,
                        |v: &Value| id_of(v),
                        provider.read_data(&request.resource.type_name, config),
                    )
                    .await;
                let value = value?;
                let value =
                    diff::mark_sensitive(request.schema, diff::normalise(request.schema, value));
                self.put(
                    &address,
                    self.instance_record(&request, &value, Status::Ready),
                )
                .await?;
                Ok(value)
            }
            Action::Create => self.create(provider.as_ref(), &request).await,
            Action::Update => {
                let prior = change.before.clone().unwrap_or(Value::Null).unmark_deep().0;
                let (planned, sensitive) = self
                    .final_value(provider.as_ref(), &request, Some(&prior))
                    .await?;
                let value = self
                    .operate(
                        &address,
                        Verb::Update,
                        id_of(&prior).as_deref(),
                        |v: &Value| id_of(v),
                        provider.update(&request.resource.type_name, prior.clone(), planned),
                    )
                    .await;
                let value = remark(&request, value?, &sensitive);
                self.put(
                    &address,
                    self.instance_record(&request, &value, Status::Ready),
                )
                .await?;
                self.count(|c| c.changed += 1);
                Ok(value)
            }
            Action::Replace => {
                let prior = change.before.clone().unwrap_or(Value::Null).unmark_deep().0;
                if change.create_before_destroy {
                    let deposed =
                        format!("{address} (deposed {})", id_of(&prior).unwrap_or_default());
                    let old = self.lock_state().instances.get(&address).cloned();
                    if let Some(old) = old {
                        self.put(
                            &deposed,
                            Instance {
                                status: Status::Tainted,
                                ..old
                            },
                        )
                        .await?;
                    }
                    let value = self.create(provider.as_ref(), &request).await?;
                    let old_change = ResourceChange {
                        address: deposed.clone(),
                        action: Action::Delete,
                        ..change.clone()
                    };
                    self.delete(&old_change)
                        .await
                        .map_err(|d| d.with_address(&deposed))?;
                    Ok(value)
                } else {
                    self.delete(change).await?;
                    self.create(provider.as_ref(), &request).await
                }
            }
            Action::Delete => Ok(Value::Null),
        }
    }
}
