//! `removed` blocks at plan time: the configuration must no longer declare what they name;
//! with `lifecycle { destroy = false }` the deletions planned for its objects become forgets
//! (the objects leave state and keep running), otherwise they stay deletions.

use plinth_sdk::{Diagnostic, Diagnostics};
use plinth_state::addr::InstanceAddr;

use crate::config::{Config, Mode, Module, Removed};
use crate::plan::model::{Action, ResourceChange};

/// Errors for `removed` blocks whose resource or module call is still configured.
pub fn check(config: &Config) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::new();
    each(&config.root, &mut Vec::new(), &mut |module, _, removed| {
        if let Some(span) = declared(module, removed) {
            let what = if removed.from.resource.is_some() {
                "resource"
            } else {
                "module"
            };
            diags.push(
                Diagnostic::error(format!("Removed {what} still exists"))
                    .with_detail(format!(
                        "This statement declares that {} was removed, but it is still declared in configuration at {span}.",
                        removed.from
                    ))
                    .with_span(removed.span.clone()),
            );
        }
    });
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(())
    }
}

/// Takes the deletions of objects `removed` blocks forget out of `changes`; returns their
/// addresses, sorted.
pub fn forget(config: &Config, changes: &mut Vec<ResourceChange>) -> Vec<ResourceChange> {
    let mut forgotten: Vec<ResourceChange> = Vec::new();
    each(&config.root, &mut Vec::new(), &mut |_, path, removed| {
        if removed.destroy {
            return;
        }
        let (hits, kept): (Vec<ResourceChange>, Vec<ResourceChange>) =
            std::mem::take(changes).into_iter().partition(|c| {
                c.action == Action::Delete && !c.data && within(&c.address, path, removed)
            });
        *changes = kept;
        for hit in hits {
            if !forgotten.iter().any(|f| f.address == hit.address) {
                forgotten.push(hit);
            }
        }
    });
    forgotten.sort_by(|a, b| a.address.cmp(&b.address));
    forgotten
}

/// The warning Terraform gives when a plan forgets objects.
pub fn forget_warning(forgotten: &[ResourceChange]) -> Option<Diagnostic> {
    if forgotten.is_empty() {
        return None;
    }
    let list: Vec<String> = forgotten
        .iter()
        .map(|f| format!("  - {}", f.address))
        .collect();
    Some(
        Diagnostic::warning("Some objects will no longer be managed by plinth").with_detail(format!(
            "If you apply this plan, plinth will discard its tracking information for the following objects, but it will not delete them:\n{}\n\nAfter applying this plan, plinth will no longer manage these objects. You will need to import them into plinth to manage them again.",
            list.join("\n")
        )),
    )
}

/// Calls `f` with every `removed` block, its module and the module's path (call names).
fn each<'c>(
    module: &'c Module,
    path: &mut Vec<String>,
    f: &mut dyn FnMut(&'c Module, &[String], &'c Removed),
) {
    for removed in &module.removed {
        f(module, path, removed);
    }
    for call in &module.module_calls {
        path.push(call.name.clone());
        each(&call.module, path, f);
        path.pop();
    }
}

/// Where the configuration still declares what `removed` names, if it does.
fn declared(module: &Module, removed: &Removed) -> Option<plinth_sdk::Span> {
    let mut at = module;
    let steps = &removed.from.modules;
    let calls = match &removed.from.resource {
        Some(_) => steps.len(),
        None => steps.len().saturating_sub(1),
    };
    for (name, _) in &steps[..calls] {
        at = at
            .module_calls
            .iter()
            .find(|c| &c.name == name)?
            .module
            .as_ref();
    }
    match &removed.from.resource {
        Some((type_name, name, _)) => at
            .resources
            .iter()
            .find(|r| r.mode == Mode::Managed && &r.type_name == type_name && &r.name == name)
            .map(|r| r.span.clone()),
        None => {
            let (name, _) = steps.last()?;
            at.module_calls
                .iter()
                .find(|c| &c.name == name)
                .map(|c| c.span.clone())
        }
    }
}

/// Whether the instance `address` belongs to what `removed` (declared at `path`) names.
fn within(address: &str, path: &[String], removed: &Removed) -> bool {
    let Ok(parsed) = address.parse::<InstanceAddr>() else {
        return false;
    };
    let from = &removed.from;
    let depth = path.len() + from.modules.len();
    if parsed.module.len() < depth {
        return false;
    }
    let names = path.iter().chain(from.modules.iter().map(|(name, _)| name));
    if !parsed.module.iter().zip(names).all(|(s, n)| &s.name == n) {
        return false;
    }
    match &from.resource {
        Some((type_name, name, _)) => {
            parsed.module.len() == depth && &parsed.type_name == type_name && &parsed.name == name
        }
        None => true,
    }
}
