//! `plan::make`: walks the configuration with the planning handler, which refreshes and diffs
//! every instance; adds the deletions of objects no longer configured and of deposed objects;
//! builds the action graph apply executes; and plans the output changes.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use petgraph::graph::NodeIndex;
use plinth_sdk::{Diagnostic, Diagnostics, Value};
use plinth_state::addr::without_keys;
use plinth_state::{State, Status};

use crate::config::{Config, IgnoreChanges, Mode};
use crate::engine::providers::Providers;
use crate::engine::walker::{InstanceHandler, InstanceRequest, Phase, Walk};
use crate::eval;
use crate::graph::{Graph, NodeKind};
use crate::plan::model::{Action, Drift, Plan, PlanMode, Reason, ResourceChange};
use crate::plan::refresh::Refresh;
use crate::plan::{actions, diff, orphans, outputs, targets};

/// The plan file format version (2: the action graph).
pub const PLAN_FORMAT_VERSION: u32 = 2;

/// Plan options from the command line.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// Normal, destroy or refresh-only.
    pub mode: PlanMode,
    /// Read real objects first (`-refresh=false` turns it off).
    pub refresh: bool,
    /// `-target` addresses: only these and what they depend on.
    pub targets: Vec<String>,
    /// `-replace` addresses.
    pub replace: Vec<String>,
    /// `terraform.workspace`.
    pub workspace: String,
}

/// Everything a plan needs.
pub struct PlanInput<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// Its graph.
    pub graph: &'a Graph,
    /// Its topological order.
    pub order: &'a [NodeIndex],
    /// The state (after any journal replay).
    pub state: &'a State,
    /// The providers.
    pub providers: &'a Providers,
    /// Root variable values.
    pub variables: &'a BTreeMap<String, Value>,
    /// Options.
    pub options: &'a PlanOptions,
}

/// Makes a plan. Returns it with any warnings, or every error found.
pub async fn make(input: &PlanInput<'_>) -> Result<(Plan, Diagnostics), Diagnostics> {
    targets::check_addresses(input.options)?;
    orphans::check_providers(input)?;
    let provider_of = configured_providers(input.graph);
    let planner = Planner {
        state: input.state,
        options: input.options,
        providers: input.providers,
        refresh: Refresh::new(input.state, input.providers, &|resource: &str| {
            provider_of.get(resource).cloned()
        }),
        changes: Mutex::new(HashMap::default()),
        drift: Mutex::new(Vec::new()),
        seen: Mutex::new(HashSet::default()),
        targets: targets::target_set(input),
    };
    let walk = Walk {
        config: input.config,
        graph: input.graph,
        order: input.order,
        providers: input.providers,
        variables: input.variables,
        workspace: &input.options.workspace,
        phase: Phase::Plan,
    };
    let walked = walk.run(&planner).await;
    if walked.failed || walked.diagnostics.has_errors() {
        let mut diags = walked.diagnostics;
        if !diags.has_errors() {
            diags.push(Diagnostic::error("Planning failed"));
        }
        return Err(diags);
    }
    let changes = std::mem::take(&mut *planner.changes.lock().unwrap_or_else(|p| p.into_inner()));
    let seen = std::mem::take(&mut *planner.seen.lock().unwrap_or_else(|p| p.into_inner()));
    let destroy_targets = targets::destroy_target_set(input);
    let in_scope = |address: &str| match &destroy_targets {
        Some(set) => set.contains(address),
        None => planner.targeted(address),
    };
    let mut changes: Vec<ResourceChange> = changes.into_values().collect();
    changes.extend(orphans::deletions(input, &seen, &in_scope)?);
    changes.sort_by(|a, b| (&a.address, &a.deposed).cmp(&(&b.address, &b.deposed)));
    actions::inherit_create_before_destroy(&mut changes, input.state);
    let resources = orphans::resources_by_address(input.config);
    let span_of = |address: &str| {
        resources
            .get(without_keys(address).as_str())
            .map(|r| r.span.clone())
    };
    let actions = actions::build(&changes, input.state, &span_of)?;
    let outputs = outputs::output_changes(input, &walked.results);
    let mut drift = std::mem::take(&mut *planner.drift.lock().unwrap_or_else(|p| p.into_inner()));
    drift.sort_by(|a, b| a.address.cmp(&b.address));
    let plan = Plan {
        format_version: PLAN_FORMAT_VERSION,
        mode: input.options.mode,
        changes,
        actions,
        drift,
        outputs,
        lineage: input.state.lineage.clone(),
        serial: input.state.serial,
        variables: input.variables.clone(),
        config_digest: String::new(),
    };
    Ok((plan, walked.diagnostics))
}

/// The provider configuration each configured resource uses, by configuration address.
fn configured_providers(graph: &Graph) -> HashMap<String, String> {
    graph
        .provider_of
        .iter()
        .filter(|(node, _)| matches!(node.kind, NodeKind::Resource { .. }))
        .map(|(node, key)| (node.to_string(), key.clone()))
        .collect()
}

struct Planner<'a> {
    state: &'a State,
    options: &'a PlanOptions,
    providers: &'a Providers,
    refresh: Refresh<'a>,
    changes: Mutex<HashMap<String, ResourceChange>>,
    drift: Mutex<Vec<Drift>>,
    seen: Mutex<HashSet<String>>,
    targets: Option<HashSet<String>>,
}

impl Planner<'_> {
    fn targeted(&self, address: &str) -> bool {
        match &self.targets {
            None => true,
            Some(set) => set.contains(&without_keys(address)) || set.contains(address),
        }
    }

    fn record(&self, change: ResourceChange) {
        self.changes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(change.address.clone(), change);
    }

    fn replace_triggered(&self, request: &InstanceRequest<'_>) -> bool {
        let changes = self.changes.lock().unwrap_or_else(|p| p.into_inner());
        request
            .resource
            .lifecycle
            .replace_triggered_by
            .iter()
            .any(|expr| {
                eval::references(&expr.expr).iter().any(|names| {
                    let prefix = if request.module.is_empty() {
                        String::new()
                    } else {
                        format!("{}.", request.module)
                    };
                    let target = format!(
                        "{prefix}{}",
                        names.iter().take(2).cloned().collect::<Vec<_>>().join(".")
                    );
                    changes.values().any(|c| {
                        (c.address == target || without_keys(&c.address) == without_keys(&target))
                            && matches!(c.action, Action::Create | Action::Update | Action::Replace)
                    })
                })
            })
    }

    /// Refreshes a stored object, noting drift; returns the current object (None: gone).
    async fn refreshed(
        &self,
        request: &InstanceRequest<'_>,
        stored: Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let schema = request.schema;
        let current = self
            .refresh
            .get(
                request.provider,
                &request.resource.type_name,
                &request.address,
            )
            .await?
            .map(|c| diff::normalise(schema, c));
        if current.as_ref() != Some(&stored) {
            self.drift
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Drift {
                    address: request.address.clone(),
                    type_name: request.resource.type_name.clone(),
                    before: diff::mark_sensitive(schema, stored),
                    after: current.clone().map(|c| diff::mark_sensitive(schema, c)),
                });
        }
        Ok(current)
    }
}

#[async_trait(?Send)]
impl InstanceHandler for Planner<'_> {
    async fn instance(&self, request: InstanceRequest<'_>) -> Result<Value, Diagnostics> {
        let address = request.address.clone();
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(address.clone());
        let schema = request.schema;
        let stored = self.state.instances.get(&address);
        let targeted = self.targeted(&address);
        let mut prior = stored.map(|i| diff::normalise(schema, Value::from_json(&i.attributes)));
        if let (Some(stored_value), true, true) = (
            prior.clone(),
            self.options.refresh && targeted,
            request.resource.mode == Mode::Managed,
        ) {
            prior = self.refreshed(&request, stored_value).await?;
        }
        let recorded = stored
            .map(|i| i.sensitive_attributes.as_slice())
            .unwrap_or_default();
        let prior = prior.map(|p| diff::mark_sensitive_opt(Some(schema), p, recorded));
        // Built only when a change is recorded: a no-op plan of thousands of objects makes none.
        let base = |before: Option<Value>| ResourceChange {
            address: address.clone(),
            deposed: None,
            data: request.resource.mode == Mode::Data,
            type_name: request.resource.type_name.clone(),
            provider: request.provider.to_string(),
            action: Action::NoOp,
            reason: None,
            after: before.clone(),
            before,
            replace_paths: Vec::new(),
            create_before_destroy: request.resource.lifecycle.create_before_destroy,
            dependencies: request.depends_on.to_vec(),
        };
        if request.resource.mode == Mode::Data {
            let base = base(prior);
            return self.plan_data(request, base).await;
        }
        if !targeted || self.options.mode != PlanMode::Normal {
            if self.options.mode == PlanMode::RefreshOnly && stored.is_some() {
                self.record(base(prior.clone()));
            }
            return Ok(prior.unwrap_or(Value::Unknown));
        }
        let provider = self.providers.get(request.provider).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(format!(
                "provider {} is not configured",
                request.provider
            )))
        })?;
        let type_name = &request.resource.type_name;
        let config = request.config.clone();
        let fresh = |provider: std::sync::Arc<dyn plinth_sdk::Provider>| {
            let config = config.clone();
            async move {
                let proposed = diff::proposed(schema, &config, None);
                provider
                    .plan(type_name, None, proposed)
                    .await
                    .map(|r| diff::mark_sensitive(schema, r.planned))
            }
        };
        let tainted = stored.is_some_and(|i| i.status == Status::Tainted);
        let replace_requested = self.options.replace.iter().any(|r| r == &address);
        let Some(prior_value) = prior else {
            let planned = fresh(provider).await?;
            self.record(ResourceChange {
                action: Action::Create,
                after: Some(planned.clone()),
                ..base(None)
            });
            return Ok(planned);
        };
        let mut proposed = diff::proposed(schema, &request.config, Some(&prior_value));
        apply_ignore_changes(
            &request.resource.lifecycle.ignore_changes,
            &prior_value,
            &mut proposed,
        );
        let response = provider
            .plan(type_name, Some(&prior_value), proposed)
            .await?;
        let planned = diff::mark_sensitive(schema, response.planned);
        let changed = diff::changed(&prior_value, &planned);
        let forcing = diff::forcing_replacement(schema, &changed, &response.requires_replace);
        let reason = if tainted {
            Reason::ReplaceBecauseTainted
        } else if replace_requested {
            Reason::ReplaceByRequest
        } else if self.replace_triggered(&request) {
            Reason::ReplaceByTriggers
        } else if !forcing.is_empty() {
            Reason::ReplaceBecauseCannotUpdate
        } else {
            if changed.is_empty() {
                return Ok(prior_value);
            }
            self.record(ResourceChange {
                action: Action::Update,
                after: Some(planned.clone()),
                ..base(Some(prior_value))
            });
            return Ok(planned);
        };
        if request.resource.lifecycle.prevent_destroy {
            return Err(orphans::prevent_destroy_error(&address, request.resource).into());
        }
        let planned = fresh(provider).await?;
        self.record(ResourceChange {
            action: Action::Replace,
            reason: Some(reason),
            after: Some(planned.clone()),
            replace_paths: forcing,
            ..base(Some(prior_value))
        });
        Ok(planned)
    }
}

impl Planner<'_> {
    async fn plan_data(
        &self,
        request: InstanceRequest<'_>,
        base: ResourceChange,
    ) -> Result<Value, Diagnostics> {
        let schema = request.schema;
        if request.config.contains_unknown() || self.options.mode == PlanMode::Destroy {
            let after = diff::proposed(schema, &request.config, None);
            if self.options.mode != PlanMode::Destroy {
                self.record(ResourceChange {
                    action: Action::Read,
                    before: None,
                    after: Some(after.clone()),
                    reason: Some(Reason::ReadBecauseConfigUnknown),
                    ..base
                });
            }
            return Ok(after);
        }
        let provider = self.providers.get(request.provider).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(format!(
                "provider {} is not configured",
                request.provider
            )))
        })?;
        let value = provider
            .read_data(&request.resource.type_name, request.config.unmark_deep().0)
            .await?;
        let value = diff::mark_sensitive(schema, diff::normalise(schema, value));
        self.record(ResourceChange {
            action: Action::NoOp,
            after: Some(value.clone()),
            ..base
        });
        Ok(value)
    }
}

/// Keeps the prior value of attributes listed in `ignore_changes`.
pub fn apply_ignore_changes(ignore: &IgnoreChanges, prior: &Value, proposed: &mut Value) {
    let Value::Map(map) = proposed else { return };
    let names: Vec<String> = match ignore {
        IgnoreChanges::None => return,
        IgnoreChanges::All => map.keys().cloned().collect(),
        IgnoreChanges::Attributes(list) => list
            .iter()
            .map(|a| a.split(['.', '[']).next().unwrap_or(a).to_string())
            .collect(),
    };
    for name in names {
        if let Some(p) = prior.get(&name) {
            map.insert(name, p.clone());
        }
    }
}
