//! What a plan destroys besides replacements: objects in state no longer in the configuration
//! (or everything, with `-destroy`) and deposed objects left by an interrupted or failed
//! create_before_destroy replacement. Also the check that every object in state still has the
//! provider configuration it was made with.

use plinth_sdk::{Diagnostic, Diagnostics, Timeouts, Value};
use plinth_state::addr::without_keys;
use plinth_state::{Instance, InstanceAddr, InstanceKey, Mode as StateMode, PendingCreate};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::config::{Config, Mode, Module, Resource};
use crate::engine::providers::Providers;
use crate::plan::diff;
use crate::plan::planner::PlanInput;
use crate::plan::{Action, PlanMode, Reason, ResourceChange};

/// Errors for objects in state whose provider configuration is gone (a removed alias, a
/// provider plinth does not have): such an object is neither refreshed through another
/// configuration (it would look deleted and be created again) nor forgotten.
pub fn check_providers(input: &PlanInput<'_>) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::new();
    let objects = input
        .state
        .instances
        .iter()
        .map(|(a, i)| (a.clone(), i))
        .chain(
            input
                .state
                .deposed_objects()
                .map(|(a, k, i)| (format!("{a} (deposed object {k})"), i)),
        );
    for (address, object) in objects {
        if object.mode == StateMode::Data || configurable(input, &object.provider) {
            continue;
        }
        diags.push(
            Diagnostic::error("Provider configuration not present")
                .with_detail(format!(
                    "To work with {address} its original provider configuration at provider[\"{provider}\"] is required, but it has been removed. This occurs when a provider configuration is removed while objects created by that provider still exist in the state. Re-add the provider configuration to plan changes to {address} (or to destroy it), after which you can remove the provider configuration again; `plinth state rm {address}` forgets the object instead.",
                    provider = object.provider
                ))
                .with_address(address),
        );
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(())
    }
}

/// Whether a provider configuration key can be configured in this run: a provider plinth has,
/// and for an alias, a `provider` block declaring it.
fn configurable(input: &PlanInput<'_>, key: &str) -> bool {
    let name = Providers::name_of(key);
    if !input.providers.has(name) {
        return false;
    }
    match key.split_once('.') {
        None => true,
        Some((_, alias)) => input
            .config
            .root
            .providers
            .iter()
            .any(|p| p.name == name && p.alias.as_deref() == Some(alias)),
    }
}

/// The deletions of a plan besides replacements. `seen` holds the instances the walk planned;
/// `in_scope` says whether `-target` (or `-destroy -target`) covers an address; `configured`
/// holds the timeouts the configuration still sets for an instance (else the schema's apply).
pub fn deletions(
    input: &PlanInput<'_>,
    seen: &HashSet<String>,
    in_scope: &dyn Fn(&str) -> bool,
    configured: &HashMap<String, Timeouts>,
) -> Result<Vec<ResourceChange>, Diagnostics> {
    let resources = resources_by_address(input.config);
    let destroying = input.options.mode == PlanMode::Destroy;
    let mut changes = Vec::new();
    let mut errors = Diagnostics::new();
    for (address, instance) in &input.state.instances {
        if (seen.contains(address) && !destroying) || instance.mode == StateMode::Data {
            continue;
        }
        if !in_scope(address) {
            continue;
        }
        let resource = resources.get(without_keys(address).as_str()).copied();
        if let Some(r) = resource.filter(|r| r.lifecycle.prevent_destroy) {
            errors.push(prevent_destroy_error(address, r));
            continue;
        }
        let reason = if destroying {
            None
        } else {
            Some(orphan_reason(address, resource.is_some(), input.config))
        };
        let mut change = delete(input, address, None, instance, reason);
        if let Some(timeouts) = configured.get(address) {
            change.timeouts = *timeouts;
        }
        changes.push(change);
    }
    for (address, key, object) in input.state.deposed_objects() {
        if in_scope(address) {
            changes.push(delete(input, address, Some(key.clone()), object, None));
        }
    }
    if errors.has_errors() {
        Err(errors)
    } else {
        Ok(changes)
    }
}

/// The deletion of an object an interrupted create made, found for an instance that is no longer
/// configured (or with `-destroy`).
pub fn adopted_deletion(
    input: &PlanInput<'_>,
    address: &str,
    pending: &PendingCreate,
    found: &Value,
) -> ResourceChange {
    let object = Instance {
        mode: StateMode::Managed,
        type_name: pending.type_name.clone(),
        provider: pending.provider.clone(),
        status: plinth_state::Status::Ready,
        attributes: found.to_json(),
        sensitive_attributes: Vec::new(),
        dependencies: Vec::new(),
        create_before_destroy: false,
        schema_version: 0,
        private: None,
    };
    delete(input, address, None, &object, None)
}

fn delete(
    input: &PlanInput<'_>,
    address: &str,
    deposed: Option<plinth_state::DeposedKey>,
    object: &Instance,
    reason: Option<Reason>,
) -> ResourceChange {
    let before = Value::from_json(&object.attributes);
    let schema =
        input
            .providers
            .resource_schema(&object.provider, Mode::Managed, &object.type_name);
    let before = diff::mark_sensitive_opt(schema.as_ref(), before, &object.sensitive_attributes);
    ResourceChange {
        address: address.to_string(),
        deposed,
        data: false,
        type_name: object.type_name.clone(),
        provider: object.provider.clone(),
        action: Action::Delete,
        reason,
        before: Some(before),
        after: None,
        replace_paths: Vec::new(),
        create_before_destroy: object.create_before_destroy,
        dependencies: Vec::new(),
        timeouts: schema.as_ref().and_then(|s| s.timeouts).unwrap_or_default(),
        private: Vec::new(),
    }
}

/// Why an object no longer in the configuration's instances is deleted.
fn orphan_reason(address: &str, resource_configured: bool, config: &Config) -> Reason {
    let Ok(addr) = address.parse::<InstanceAddr>() else {
        return Reason::DeleteBecauseNoResourceConfig;
    };
    if !module_configured(&config.root, &addr) {
        return Reason::DeleteBecauseNoModule;
    }
    match (resource_configured, &addr.key) {
        (false, _) | (true, None) => Reason::DeleteBecauseNoResourceConfig,
        (true, Some(InstanceKey::Int(_))) => Reason::DeleteBecauseCountIndex,
        (true, Some(InstanceKey::Str(_))) => Reason::DeleteBecauseEachKey,
    }
}

/// Whether every module call on the address's path is still in the configuration.
fn module_configured(root: &Module, addr: &InstanceAddr) -> bool {
    let mut module = root;
    for step in &addr.module {
        match module.module_calls.iter().find(|c| c.name == step.name) {
            Some(call) => module = &call.module,
            None => return false,
        }
    }
    true
}

/// The "Instance cannot be destroyed" error of `lifecycle.prevent_destroy`.
pub fn prevent_destroy_error(address: &str, resource: &Resource) -> Diagnostic {
    Diagnostic::error("Instance cannot be destroyed")
        .with_detail(format!("Resource {address} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag."))
        .with_span(resource.span.clone())
        .with_address(address)
}

/// Resource blocks by configuration address (`module.a.aws_vpc.main`).
pub fn resources_by_address(config: &Config) -> HashMap<String, &Resource> {
    let mut out = HashMap::default();
    fn walk<'c>(m: &'c Module, prefix: String, out: &mut HashMap<String, &'c Resource>) {
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
