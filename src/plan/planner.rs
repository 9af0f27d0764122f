//! `plan::make`: walks the configuration with the planning handler, which refreshes and diffs
//! every instance; adds the deletions of objects no longer configured and of deposed objects;
//! builds the action graph apply executes; and plans the output changes.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use petgraph::graph::NodeIndex;
use std::sync::Arc;

use plinth_sdk::{
    AdoptRequest, CrashSafety, Diagnostic, Diagnostics, Intent, PlanRequest, PlanResponse,
    Provider, Timeouts, UpgradeRequest, Value,
};
use plinth_state::addr::without_keys;
use plinth_state::{State, Status};

use crate::config::{Config, IgnoreChanges, Mode};
use crate::engine::check_blocks;
use crate::engine::expand::Binding;
use crate::engine::providers::Providers;
use crate::engine::results::InstanceScope;
use crate::engine::walker::{InstanceHandler, InstanceRequest, Phase, Walk};
use crate::eval;
use crate::graph::{Graph, NodeKind};
use crate::plan::imports::{self, Imports};
use crate::plan::model::{
    Action, Adopted, Drift, Imported, Plan, PlanMode, Reason, ResourceChange,
};
use crate::plan::refresh::Refresh;
use crate::plan::{actions, diff, moves, orphans, outputs, removed, targets, write_only};

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
    /// `-exclude` addresses: everything but these and what depends on them.
    pub excludes: Vec<String>,
    /// `-replace` addresses.
    pub replace: Vec<String>,
    /// `terraform.workspace`.
    pub workspace: String,
    /// `plinth import ADDRESS ID`: one instance (of any module) imported by its id, exactly as
    /// an `import` block imports it.
    pub import: Option<(String, String)>,
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
    removed::check(input.config)?;
    let moves = moves::plan_moves(input.config, input.state)?;
    let input = &PlanInput {
        state: moves.state.as_ref().unwrap_or(input.state),
        ..*input
    };
    orphans::check_providers(input)?;
    if input.options.mode == PlanMode::Normal {
        let unconfigured: Diagnostics = Diagnostics(
            imports::unconfigured(input.config)
                .into_iter()
                .map(imports::unconfigured_error)
                .collect(),
        );
        if unconfigured.has_errors() {
            return Err(unconfigured);
        }
    }
    let provider_of = configured_providers(input.graph);
    let planner = Planner {
        warnings: Mutex::new(Diagnostics::new()),
        adopted: Mutex::new(Vec::new()),
        imports: Imports::new(input.config, input.options.import.as_ref()),
        imported: Mutex::new(Vec::new()),
        state: input.state,
        options: input.options,
        providers: input.providers,
        refresh: Refresh::new(input.state, input.providers, &|resource: &str| {
            provider_of.get(resource).cloned()
        }),
        changes: Mutex::new(HashMap::default()),
        drift: Mutex::new(Vec::new()),
        refreshed: Mutex::new(Vec::new()),
        seen: Mutex::new(HashSet::default()),
        destroy_timeouts: Mutex::new(HashMap::default()),
        targets: targets::target_set(input),
        excluded: targets::exclude_set(input),
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
    let mut walked = walk.run(&planner).await;
    if walked.failed || walked.diagnostics.has_errors() {
        let mut diags = walked.diagnostics;
        if !diags.has_errors() {
            diags.push(Diagnostic::error("Planning failed"));
        }
        return Err(diags);
    }
    if input.options.mode == PlanMode::Normal {
        let warnings = check_blocks::run(&walk, &walked.results).await;
        walked.diagnostics.extend(warnings);
    }
    let changes = std::mem::take(&mut *planner.changes.lock().unwrap_or_else(|p| p.into_inner()));
    let seen = std::mem::take(&mut *planner.seen.lock().unwrap_or_else(|p| p.into_inner()));
    // A targeted walk may leave out what the other blocks refer to: they are not in scope.
    let options = input.options;
    if options.mode == PlanMode::Normal && options.targets.is_empty() && options.excludes.is_empty()
    {
        let root = InstanceScope {
            results: &walked.results,
            module: "",
            config: &input.config.root,
            binding: &Binding::None,
            module_dir: &input.config.root.dir,
            workspace: &input.options.workspace,
            planning: true,
            providers: input.providers,
        };
        planner.imports.evaluate_rest(&root)?;
    }
    let unmatched = planner
        .imports
        .unmatched(&seen, &|address| planner.targeted(address));
    if unmatched.has_errors() {
        return Err(unmatched);
    }
    let mut imported =
        std::mem::take(&mut *planner.imported.lock().unwrap_or_else(|p| p.into_inner()));
    imported.sort_by(|a, b| a.address.cmp(&b.address));
    let destroy_targets = targets::destroy_target_set(input);
    let in_scope = |address: &str| match &destroy_targets {
        Some(set) => set.contains(address),
        None => planner.targeted(address),
    };
    let mut changes: Vec<ResourceChange> = changes.into_values().collect();
    let destroy_timeouts = std::mem::take(
        &mut *planner
            .destroy_timeouts
            .lock()
            .unwrap_or_else(|p| p.into_inner()),
    );
    changes.extend(orphans::deletions(
        input,
        &seen,
        &in_scope,
        &destroy_timeouts,
    )?);
    let forgotten = match input.options.mode {
        PlanMode::Normal => removed::forget(input.config, &mut changes),
        _ => Vec::new(),
    };
    let mut adopted =
        std::mem::take(&mut *planner.adopted.lock().unwrap_or_else(|p| p.into_inner()));
    if input.options.mode == PlanMode::Destroy {
        for a in &adopted {
            if let Some(pending) = input.state.pending.get(&a.address) {
                changes.push(orphans::adopted_deletion(
                    input, &a.address, pending, &a.value,
                ));
            }
        }
    }
    for (address, pending) in &input.state.pending {
        if seen.contains(address) || !in_scope(address) {
            continue;
        }
        let Some(provider) = input.providers.get(&pending.provider) else {
            planner.warn(
                Diagnostic::warning("An interrupted create could not be checked")
                    .with_detail(format!(
                        "A run was killed while creating {address}, and provider[\"{}\"] is not configured in this run, so plinth cannot look for the object it may have made.",
                        pending.provider
                    ))
                    .into(),
                address,
            );
            continue;
        };
        let found = adopt(
            provider.as_ref(),
            &input.providers.context(),
            address,
            pending,
        )
        .await?;
        if let Some(value) = found {
            changes.push(orphans::adopted_deletion(input, address, pending, &value));
            adopted.push(Adopted {
                address: address.clone(),
                value,
                dependencies: Vec::new(),
            });
        }
    }
    adopted.sort_by(|a, b| a.address.cmp(&b.address));
    for warning in crash_safety_warnings(input.providers, &changes) {
        planner.warn(warning.into(), "");
    }
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
    let mut diagnostics = walked.diagnostics;
    diagnostics.extend(moves.warnings);
    if let Some(warning) = removed::forget_warning(&forgotten) {
        diagnostics.push(warning);
    }
    diagnostics.extend(std::mem::take(
        &mut *planner.warnings.lock().unwrap_or_else(|p| p.into_inner()),
    ));
    let plan = Plan {
        format_version: PLAN_FORMAT_VERSION,
        mode: input.options.mode,
        changes,
        actions,
        adopted,
        imported,
        drift,
        refreshed: std::mem::take(
            &mut *planner.refreshed.lock().unwrap_or_else(|p| p.into_inner()),
        ),
        outputs,
        moved: moves.moved,
        forgotten,
        lineage: input.state.lineage.clone(),
        serial: input.state.serial,
        variables: input.variables.clone(),
        config_digest: String::new(),
    };
    Ok((plan, diagnostics))
}

/// A warning per resource type whose creates are planned but are not crash-safe.
fn crash_safety_warnings(providers: &Providers, changes: &[ResourceChange]) -> Vec<Diagnostic> {
    let mut types: Vec<(&str, &str)> = changes
        .iter()
        .filter(|c| matches!(c.action, Action::Create | Action::Replace) && !c.data)
        .map(|c| (c.provider.as_str(), c.type_name.as_str()))
        .collect();
    types.sort_unstable();
    types.dedup();
    types
        .into_iter()
        .filter(|(provider, type_name)| {
            providers
                .resource_schema(provider, Mode::Managed, type_name)
                .is_some_and(|s| s.crash_safety == CrashSafety::NotCrashSafe)
        })
        .map(|(_, type_name)| {
            Diagnostic::warning(format!("Creates of {type_name} are not crash-safe"))
                .with_detail(format!(
                    "The provider cannot find a {type_name} again after an interrupted create, so if plinth is killed while creating one, the object may exist without being recorded in state. Check for it by hand after an interrupted apply."
                ))
        })
        .collect()
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

mod data_sources;

/// The walk's handler that plans each resource instance.
struct Planner<'a> {
    warnings: Mutex<Diagnostics>,
    adopted: Mutex<Vec<Adopted>>,
    imports: Imports<'a>,
    imported: Mutex<Vec<Imported>>,
    state: &'a State,
    options: &'a PlanOptions,
    providers: &'a Providers,
    refresh: Refresh<'a>,
    changes: Mutex<HashMap<String, ResourceChange>>,
    drift: Mutex<Vec<Drift>>,
    seen: Mutex<HashSet<String>>,
    /// With `-destroy`: the timeouts each configured instance's `timeouts` block sets.
    destroy_timeouts: Mutex<HashMap<String, Timeouts>>,
    /// Managed instances refreshed, for drift checks.
    refreshed: Mutex<Vec<String>>,
    targets: Option<HashSet<String>>,
    excluded: Option<HashSet<String>>,
}

impl Planner<'_> {
    fn targeted(&self, address: &str) -> bool {
        let named =
            |set: &HashSet<String>| set.contains(&without_keys(address)) || set.contains(address);
        self.targets.as_ref().is_none_or(named) && !self.excluded.as_ref().is_some_and(named)
    }

    fn record(&self, change: ResourceChange) {
        self.changes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(change.address.clone(), change);
    }

    /// Whether a managed resource the data source depends on has changes planned: then, as
    /// in Terraform, it is read during apply, after them (a file not yet written cannot be read).
    fn dependency_pending(&self, request: &InstanceRequest<'_>) -> bool {
        let changes = self.changes.lock().unwrap_or_else(|p| p.into_inner());
        changes.values().any(|c| {
            !c.data
                && c.action != Action::NoOp
                && request.depends_on.contains(&without_keys(&c.address))
        })
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

    /// Refreshes a stored object, noting drift; returns the current object (None: gone). The
    /// drift's values are marked sensitive by schema and by the names state `recorded`.
    async fn refreshed(
        &self,
        request: &InstanceRequest<'_>,
        stored: Value,
        recorded: &[String],
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
        if request.resource.mode == Mode::Managed {
            self.refreshed
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(request.address.clone());
        }
        if current.as_ref() != Some(&stored) {
            self.drift
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Drift {
                    address: request.address.clone(),
                    type_name: request.resource.type_name.clone(),
                    before: diff::mark_sensitive_opt(Some(schema), stored, recorded),
                    after: current
                        .clone()
                        .map(|c| diff::mark_sensitive_opt(Some(schema), c, recorded)),
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
        let mut prior = match stored {
            Some(i) => Some(self.upgraded(&request, i).await?),
            None => match self.adopted(&request).await? {
                Some(found) => Some(found),
                None if targeted && self.options.mode == PlanMode::Normal => {
                    self.imported(&request).await?
                }
                None => None,
            },
        };
        let recorded = stored
            .map(|i| i.sensitive_attributes.as_slice())
            .unwrap_or_default();
        if let (Some(stored_value), true, true, true) = (
            prior.clone(),
            stored.is_some(),
            self.options.refresh && targeted,
            request.resource.mode == Mode::Managed,
        ) {
            prior = self.refreshed(&request, stored_value, recorded).await?;
        }
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
            timeouts: request.timeouts,
            private: Vec::new(),
        };
        if request.resource.mode == Mode::Data {
            let base = base(prior);
            return self.plan_data(request, base).await;
        }
        if !targeted || self.options.mode != PlanMode::Normal {
            if self.options.mode == PlanMode::RefreshOnly && stored.is_some() {
                self.record(base(prior.clone()));
            }
            if self.options.mode == PlanMode::Destroy {
                self.destroy_timeouts
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(address.clone(), request.timeouts);
            }
            return Ok(prior.unwrap_or(Value::Unknown));
        }
        let provider = self.provider(&request)?;
        let tainted = stored.is_some_and(|i| i.status == Status::Tainted);
        let replace_requested = self.options.replace.iter().any(|r| r == &address);
        let Some(prior_value) = prior else {
            let fresh = self.fresh(provider.as_ref(), &request).await?;
            let planned = fresh.planned.clone();
            self.record(ResourceChange {
                action: Action::Create,
                after: Some(fresh.planned),
                private: fresh.private,
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
        let response = self
            .provider_plan(
                provider.as_ref(),
                &request,
                Some(prior_value.clone()),
                proposed,
            )
            .await?;
        let planned = diff::mark_sensitive(schema, diff::normalise(schema, response.planned));
        let planned = write_only::forget(schema, planned);
        let changed = diff::changed(&prior_value, &planned);
        let requires_replace: Vec<String> = response
            .requires_replace
            .iter()
            .filter_map(|p| p.root().map(str::to_string))
            .collect();
        let forcing = diff::forcing_replacement(schema, &changed, &requires_replace);
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
                private: response.private,
                ..base(Some(prior_value))
            });
            return Ok(planned);
        };
        if request.resource.lifecycle.prevent_destroy {
            return Err(orphans::prevent_destroy_error(&address, request.resource).into());
        }
        let fresh = self.fresh(provider.as_ref(), &request).await?;
        let planned = fresh.planned.clone();
        self.record(ResourceChange {
            action: Action::Replace,
            reason: Some(reason),
            after: Some(fresh.planned),
            private: fresh.private,
            replace_paths: forcing,
            ..base(Some(prior_value))
        });
        Ok(planned)
    }
}

/// A planned new object: its value (sensitive parts marked) and the provider's private bytes.
struct Fresh {
    planned: Value,
    private: Vec<u8>,
}

impl Planner<'_> {
    /// The configured provider of a request.
    fn provider(&self, request: &InstanceRequest<'_>) -> Result<Arc<dyn Provider>, Diagnostics> {
        self.providers.get(request.provider).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(format!(
                "provider {} is not configured",
                request.provider
            )))
        })
    }

    /// Keeps a provider's warnings, with the address they concern (if any).
    fn warn(&self, diagnostics: Diagnostics, address: &str) {
        let warnings: Vec<Diagnostic> = diagnostics
            .warnings()
            .cloned()
            .map(|w| {
                if address.is_empty() {
                    w
                } else {
                    w.with_address(address)
                }
            })
            .collect();
        if !warnings.is_empty() {
            self.warnings
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend(Diagnostics(warnings));
        }
    }

    /// Warns that an imported object's attributes its provider cannot read back are taken to be
    /// as configured.
    fn warn_assumed(&self, request: &InstanceRequest<'_>, assumed: &[String]) {
        let provider = request
            .provider
            .split('.')
            .next()
            .unwrap_or(request.provider);
        let warnings = assumed.iter().map(|name| {
            Diagnostic::warning(format!("{name} assumed as configured"))
                .with_detail(format!("The {provider} provider cannot read {name} back from the object, so the import cannot tell it; it is assumed as configured (not a change, nothing is replaced). A later change of it in the configuration is planned as usual (a replacement where it forces one)."))
        });
        self.warn(Diagnostics(warnings.collect()), &request.address);
    }

    /// Asks the provider to plan; its errors fail the instance, its warnings are kept.
    async fn provider_plan(
        &self,
        provider: &dyn Provider,
        request: &InstanceRequest<'_>,
        prior: Option<Value>,
        proposed: Value,
    ) -> Result<PlanResponse, Diagnostics> {
        let prior_private = match (&prior, self.state.instances.get(&request.address)) {
            (Some(_), Some(stored)) => stored.private_bytes(),
            _ => Vec::new(),
        };
        let response = provider
            .plan(
                &self.providers.context(),
                PlanRequest {
                    type_name: request.resource.type_name.clone(),
                    prior,
                    proposed,
                    prior_private,
                },
            )
            .await;
        if response.diagnostics.has_errors() {
            return Err(response.diagnostics);
        }
        self.warn(response.diagnostics.clone(), &request.address);
        Ok(response)
    }

    /// The plan of a new object for the request's configuration.
    async fn fresh(
        &self,
        provider: &dyn Provider,
        request: &InstanceRequest<'_>,
    ) -> Result<Fresh, Diagnostics> {
        let proposed = diff::proposed(request.schema, &request.config, None);
        let response = self
            .provider_plan(provider, request, None, proposed)
            .await?;
        Ok(Fresh {
            planned: write_only::forget(
                request.schema,
                diff::mark_sensitive(request.schema, response.planned),
            ),
            private: response.private,
        })
    }

    /// A stored object in the current schema's shape: objects stored by an older schema version
    /// go through the provider's upgrade first.
    async fn upgraded(
        &self,
        request: &InstanceRequest<'_>,
        stored: &plinth_state::Instance,
    ) -> Result<Value, Diagnostics> {
        let value = Value::from_json(&stored.attributes);
        let value = if stored.schema_version < request.schema.version {
            let provider = self.provider(request)?;
            let response = provider
                .upgrade(
                    &self.providers.context(),
                    UpgradeRequest {
                        type_name: request.resource.type_name.clone(),
                        version: stored.schema_version,
                        stored: value,
                    },
                )
                .await;
            if response.diagnostics.has_errors() {
                return Err(response.diagnostics);
            }
            self.warn(response.diagnostics, &request.address);
            response.upgraded.unwrap_or(Value::Null)
        } else {
            value
        };
        Ok(diff::normalise(request.schema, value))
    }

    /// The object an interrupted create of this instance made, if the run that started it was
    /// killed before recording it: found by the provider through the create's intent token.
    async fn adopted(&self, request: &InstanceRequest<'_>) -> Result<Option<Value>, Diagnostics> {
        let Some(pending) = self.state.pending.get(&request.address) else {
            return Ok(None);
        };
        let provider = self.provider(request)?;
        let found = adopt(
            provider.as_ref(),
            &self.providers.context(),
            &request.address,
            pending,
        )
        .await?;
        let Some(found) = found else {
            return Ok(None);
        };
        let found = diff::normalise(request.schema, found);
        self.adopted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Adopted {
                address: request.address.clone(),
                value: found.clone(),
                dependencies: request.depends_on.to_vec(),
            });
        Ok(Some(found))
    }

    /// The existing object an `import` block brings to this instance, read by the provider.
    async fn imported(&self, request: &InstanceRequest<'_>) -> Result<Option<Value>, Diagnostics> {
        let Some(id) = self.imports.id_for(request)? else {
            return Ok(None);
        };
        let provider = self.provider(request)?;
        let mut found =
            imports::read(provider.as_ref(), &self.providers.context(), request, id).await?;
        let (value, assumed) =
            diff::assume_unreadable(request.schema, &request.config, found.value);
        // What the configuration gives a sensitive value is as secret in the imported object
        // as in a created one.
        found
            .sensitive_attributes
            .extend(diff::sensitive_in_config(&request.config));
        found.sensitive_attributes.sort();
        found.sensitive_attributes.dedup();
        let value =
            diff::mark_sensitive_opt(Some(request.schema), value, &found.sensitive_attributes);
        found.value = value.clone();
        self.warn_assumed(request, &assumed);
        self.imported
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(found);
        Ok(Some(diff::mark_sensitive(request.schema, value)))
    }
}

/// Asks `provider` for the object the pending create of `address` made.
pub async fn adopt(
    provider: &dyn Provider,
    ctx: &plinth_sdk::Context,
    address: &str,
    pending: &plinth_state::PendingCreate,
) -> Result<Option<Value>, Diagnostics> {
    let response = provider
        .adopt(
            ctx,
            AdoptRequest {
                type_name: pending.type_name.clone(),
                intent: Intent {
                    token: pending.token.clone(),
                    address: address.to_string(),
                    workspace: pending.workspace.clone(),
                },
                planned: Value::from_json(&pending.planned),
            },
        )
        .await;
    if response.diagnostics.has_errors() {
        return Err(response.diagnostics.with_address(address));
    }
    Ok(response.found)
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
