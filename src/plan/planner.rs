//! `plan::make`: walks the configuration with the planning handler, which refreshes and diffs
//! every instance, then adds deletions for instances no longer configured and output changes.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use petgraph::graph::NodeIndex;
use plinth_sdk::{Diagnostic, Diagnostics, Value};
use plinth_state::{Mode as StateMode, State, Status};

use crate::config::{Config, IgnoreChanges, Mode, Resource};
use crate::engine::deps::strip_keys;
use crate::engine::providers::Providers;
use crate::engine::walker::{InstanceHandler, InstanceRequest, Walk};
use crate::eval;
use crate::graph::Graph;
use crate::plan::diff;
use crate::plan::model::{Action, Drift, OutputChange, Plan, PlanMode, ResourceChange};
use crate::plan::refresh::Refresh;

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
    check_addresses(input.options)?;
    let targets = target_set(input);
    let destroy_targets = destroy_target_set(input);
    let planner = Planner {
        state: input.state,
        options: input.options,
        providers: input.providers,
        refresh: Refresh::new(input.state, input.providers),
        changes: Mutex::new(HashMap::default()),
        drift: Mutex::new(Vec::new()),
        seen: Mutex::new(HashSet::default()),
        targets,
    };
    let walk = Walk {
        config: input.config,
        graph: input.graph,
        order: input.order,
        providers: input.providers,
        variables: input.variables,
        workspace: &input.options.workspace,
    };
    let walked = walk.run(&planner).await;
    if walked.failed || walked.diagnostics.has_errors() {
        let mut diags = walked.diagnostics;
        if !diags.has_errors() {
            diags.push(Diagnostic::error("Planning failed"));
        }
        return Err(diags);
    }
    let mut changes =
        std::mem::take(&mut *planner.changes.lock().unwrap_or_else(|p| p.into_inner()));
    let seen = std::mem::take(&mut *planner.seen.lock().unwrap_or_else(|p| p.into_inner()));
    let prevent = prevent_destroy_index(input.config);
    let mut errors = Diagnostics::new();
    for (address, instance) in &input.state.instances {
        let destroying = input.options.mode == PlanMode::Destroy;
        if (seen.contains(address) && !destroying) || instance.mode == StateMode::Data {
            continue;
        }
        let in_scope = match &destroy_targets {
            Some(set) => set.contains(address),
            None => planner.targeted(address),
        };
        if !in_scope {
            continue;
        }
        let node = strip_keys(address);
        if let Some(r) = prevent
            .get(node.as_str())
            .filter(|r| r.lifecycle.prevent_destroy)
        {
            errors.push(prevent_destroy_error(address, r));
            continue;
        }
        let reason = if destroying {
            None
        } else if prevent.contains_key(node.as_str()) {
            Some(format!(
                "because the index or key of {address} is not in its count or for_each"
            ))
        } else {
            Some("delete_because_no_resource_config".to_string())
        };
        let before = Value::from_json(&instance.attributes);
        let before = match input.providers.resource_schema(
            &instance.provider,
            Mode::Managed,
            &instance.type_name,
        ) {
            Some(schema) => diff::mark_sensitive(&schema, before),
            None => before,
        };
        changes.insert(
            address.clone(),
            ResourceChange {
                address: address.clone(),
                data: false,
                type_name: instance.type_name.clone(),
                provider: instance.provider.clone(),
                action: Action::Delete,
                reason,
                before: Some(before),
                after: None,
                replace_paths: Vec::new(),
                create_before_destroy: false,
                dependencies: Vec::new(),
            },
        );
    }
    if errors.has_errors() {
        return Err(errors);
    }
    order_deletes(&mut changes, input.state);
    let mut changes: Vec<ResourceChange> = changes.into_values().collect();
    changes.sort_by(|a, b| a.address.cmp(&b.address));
    let outputs = output_changes(input, &walked.results);
    let mut drift = std::mem::take(&mut *planner.drift.lock().unwrap_or_else(|p| p.into_inner()));
    drift.sort_by(|a, b| a.address.cmp(&b.address));
    let plan = Plan {
        format_version: 1,
        mode: input.options.mode,
        changes,
        drift,
        outputs,
        lineage: input.state.lineage.clone(),
        serial: input.state.serial,
        variables: input.variables.clone(),
        config_digest: String::new(),
    };
    Ok((plan, walked.diagnostics))
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
            Some(set) => set.contains(&strip_keys(address)) || set.contains(address),
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
                        (c.address == target || strip_keys(&c.address) == strip_keys(&target))
                            && matches!(c.action, Action::Create | Action::Update | Action::Replace)
                    })
                })
            })
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
            prior.as_ref(),
            self.options.refresh && targeted,
            request.resource.mode == Mode::Managed,
        ) {
            let current = self
                .refresh
                .get(request.provider, &request.resource.type_name, &address)
                .await?;
            let current = current.map(|c| diff::normalise(schema, c));
            if current.as_ref() != Some(stored_value) {
                self.drift
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(Drift {
                        address: address.clone(),
                        type_name: request.resource.type_name.clone(),
                        before: diff::mark_sensitive(schema, stored_value.clone()),
                        after: current.clone().map(|c| diff::mark_sensitive(schema, c)),
                    });
            }
            prior = current;
        }
        let recorded = stored
            .map(|i| i.sensitive_attributes.as_slice())
            .unwrap_or_default();
        let prior = prior.map(|p| diff::mark_sensitive_opt(Some(schema), p, recorded));
        // Built only when a change is recorded: a no-op plan of thousands of objects makes none.
        let base = |before: Option<Value>| ResourceChange {
            address: address.clone(),
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
            Some("replace_because_tainted".to_string())
        } else if replace_requested {
            Some("replace_by_request".to_string())
        } else if self.replace_triggered(&request) {
            Some("because of replace_triggered_by".to_string())
        } else if !forcing.is_empty() {
            None
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
            return Err(prevent_destroy_error(&address, request.resource).into());
        }
        let planned = fresh(provider).await?;
        self.record(ResourceChange {
            action: Action::Replace,
            reason,
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
                    reason: Some("read_because_config_unknown".into()),
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

fn prevent_destroy_error(address: &str, resource: &Resource) -> Diagnostic {
    Diagnostic::error("Instance cannot be destroyed")
        .with_detail(format!("Resource {address} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag."))
        .with_span(resource.span.clone())
        .with_address(address)
}

/// Resource blocks by node address (`module.a.aws_vpc.main`).
fn prevent_destroy_index(config: &Config) -> HashMap<String, &Resource> {
    let mut out = HashMap::default();
    fn walk<'c>(
        m: &'c crate::config::Module,
        prefix: String,
        out: &mut HashMap<String, &'c Resource>,
    ) {
        for r in &m.resources {
            let data = if r.mode == Mode::Data { "data." } else { "" };
            out.insert(format!("{prefix}{data}{}.{}", r.type_name, r.name), r);
        }
        for c in &m.module_calls {
            walk(&c.module, format!("{prefix}module.{}.", c.name), out);
        }
    }
    walk(&config.root, String::new(), &mut out);
    out
}

/// Deletions wait for the deletion of everything that depends on the object deleted.
fn order_deletes(changes: &mut HashMap<String, ResourceChange>, state: &State) {
    let deleting: Vec<String> = changes
        .values()
        .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
        .map(|c| c.address.clone())
        .collect();
    let mut dependents: HashMap<&str, Vec<&str>> = HashMap::default();
    for address in &deleting {
        if let Some(instance) = state.instances.get(address) {
            for dep in &instance.dependencies {
                dependents
                    .entry(dep.as_str())
                    .or_default()
                    .push(address.as_str());
            }
        }
    }
    for address in &deleting {
        let Some(change) = changes.get(address) else {
            continue;
        };
        if change.action != Action::Delete {
            continue;
        }
        let node = strip_keys(address);
        let mut before: Vec<String> = dependents
            .get(node.as_str())
            .into_iter()
            .chain(dependents.get(address.as_str()))
            .flatten()
            .filter(|d| **d != address.as_str())
            .map(|d| d.to_string())
            .collect();
        before.sort();
        before.dedup();
        if let Some(c) = changes.get_mut(address) {
            c.dependencies = before;
        }
    }
}

/// Refuses -target and -replace values that are not resource or module addresses.
fn check_addresses(options: &PlanOptions) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::new();
    for (flag, address) in options
        .targets
        .iter()
        .map(|t| ("-target", t))
        .chain(options.replace.iter().map(|r| ("-replace", r)))
    {
        let valid = address.parse::<plinth_state::InstanceAddr>().is_ok()
            || plinth_state::addr::parse_module_path(address).is_ok_and(|steps| !steps.is_empty());
        if !valid {
            diags.push(Diagnostic::error("Invalid target address").with_detail(format!(
                "The {flag} value {address:?} is not a resource or module address, such as aws_vpc.main, aws_subnet.public[0] or module.vpc."
            )));
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(())
    }
}

/// With `-destroy` and `-target`: the targeted instances and everything in state that depends
/// on them, directly or not (those must go first).
fn destroy_target_set(input: &PlanInput<'_>) -> Option<HashSet<String>> {
    if input.options.mode != PlanMode::Destroy || input.options.targets.is_empty() {
        return None;
    }
    let matches = |address: &str, target: &str| {
        address == target
            || strip_keys(address) == strip_keys(target)
            || address.starts_with(&format!("{target}."))
    };
    let mut set: HashSet<String> = input
        .state
        .instances
        .keys()
        .filter(|a| input.options.targets.iter().any(|t| matches(a, t)))
        .cloned()
        .collect();
    loop {
        let nodes: HashSet<String> = set.iter().map(|a| strip_keys(a)).collect();
        let more: Vec<String> = input
            .state
            .instances
            .iter()
            .filter(|(a, i)| {
                !set.contains(*a)
                    && i.dependencies
                        .iter()
                        .any(|d| set.contains(d) || nodes.contains(d))
            })
            .map(|(a, _)| a.clone())
            .collect();
        if more.is_empty() {
            return Some(set);
        }
        set.extend(more);
    }
}

/// The set of node addresses targeted (with everything they depend on), when -target is used.
fn target_set(input: &PlanInput<'_>) -> Option<HashSet<String>> {
    if input.options.targets.is_empty() {
        return None;
    }
    let mut set = HashSet::default();
    let wanted: Vec<String> = input
        .options
        .targets
        .iter()
        .map(|t| strip_keys(t))
        .collect();
    for ix in input.graph.graph.node_indices() {
        let name = input.graph.node(ix).to_string();
        if wanted
            .iter()
            .any(|w| &name == w || name.starts_with(&format!("{w}.")))
        {
            let mut stack = vec![ix];
            while let Some(n) = stack.pop() {
                if set.insert(input.graph.node(n).to_string()) {
                    stack.extend(
                        input
                            .graph
                            .graph
                            .neighbors_directed(n, petgraph::Direction::Incoming),
                    );
                }
            }
        }
    }
    set.extend(input.options.targets.iter().cloned());
    Some(set)
}

fn output_changes(
    input: &PlanInput<'_>,
    results: &crate::engine::results::Results,
) -> Vec<OutputChange> {
    let mut out = Vec::new();
    let destroying = input.options.mode == PlanMode::Destroy;
    for o in &input.config.root.outputs {
        let before = input.state.outputs.get(&o.name).map(|s| {
            let v = Value::from_json(&s.value);
            if s.sensitive {
                v.mark_sensitive()
            } else {
                v
            }
        });
        let after = if destroying {
            None
        } else {
            results.output("", &o.name)
        };
        let action = match (&before, &after) {
            (None, None) => continue,
            (None, Some(_)) => Action::Create,
            (Some(_), None) => Action::Delete,
            // Compared as stored: a set output is kept in state as a JSON array.
            (Some(b), Some(a)) if !a.contains_unknown() && b.to_json() == a.to_json() => {
                Action::NoOp
            }
            _ => Action::Update,
        };
        out.push(OutputChange {
            name: o.name.clone(),
            action,
            before,
            after,
            sensitive: o.sensitive,
        });
    }
    for (name, stored) in &input.state.outputs {
        if !input.config.root.outputs.iter().any(|o| &o.name == name) {
            let v = Value::from_json(&stored.value);
            out.push(OutputChange {
                name: name.clone(),
                action: Action::Delete,
                before: Some(v),
                after: None,
                sensitive: stored.sensitive,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}
