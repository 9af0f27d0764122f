//! `drift -unmanaged -generate-config-out`'s second look: objects whose arguments refer to
//! objects still to be imported (a route table association's subnet and table) cannot be told
//! apart while those ids are unknown, so the configuration is planned again with an import
//! block for every object matched so far, and what is left is matched against that plan.

use plinth_sdk::Span;
use plinth_state::{InstanceAddr, InstanceKey, State};
use tokio::runtime::Runtime;

use crate::cli::args::DriftArgs;
use crate::cli::generate::import_targets;
use crate::cli::setup::{self, Loaded};
use crate::config::{Expr, Import, ImportStep};
use crate::engine::providers::Providers;
use crate::plan::drift::Unmanaged;
use crate::plan::planner::{self, PlanInput, PlanOptions};
use crate::plan::PlanMode;

/// `targets` (the first matching) with the objects it left out matched against a plan that
/// imports every matched object. Unchanged when nothing or everything was
/// matched, or when that plan fails (its errors are the next plan's to report).
pub fn after_imports(
    runtime: &Runtime,
    loaded: &Loaded,
    state: &State,
    providers: &Providers,
    args: &DriftArgs,
    found: &[Unmanaged],
    targets: Vec<Option<String>>,
) -> Vec<Option<String>> {
    if targets.iter().all(Option::is_some) || targets.iter().all(Option::is_none) {
        return targets;
    }
    let mut config = loaded.config.clone();
    config.root.imports.extend(
        found
            .iter()
            .zip(&targets)
            .filter_map(|(object, target)| import_block(target.as_deref()?, &object.id)),
    );
    let Ok((variables, _)) = setup::variables(&config, &args.vars) else {
        return targets;
    };
    let options = PlanOptions {
        mode: PlanMode::Normal,
        refresh: false,
        targets: args.targets.clone(),
        excludes: args.excludes.clone(),
        replace: Vec::new(),
        workspace: setup::workspace(),
        import: None,
    };
    let input = PlanInput {
        config: &config,
        graph: &loaded.graph,
        order: &loaded.order,
        state,
        providers,
        variables: &variables,
        options: &options,
    };
    match runtime.block_on(planner::make(&input)) {
        Ok((imported, _)) => import_targets(found, &imported, &targets),
        Err(_) => targets,
    }
}

/// `import { to = ADDRESS, id = ID }` for an instance address (of any module instance).
fn import_block(address: &str, id: &str) -> Option<Import> {
    let addr: InstanceAddr = address.parse().ok()?;
    let expr = |expr: hcl::Expression| Expr {
        expr,
        span: Span {
            file: "(drift -unmanaged)".into(),
            line: 1,
            column: 1,
            start: 0,
            end: 0,
        },
    };
    let key = |key: Option<InstanceKey>| {
        key.map(|key| {
            expr(match key {
                InstanceKey::Int(i) => hcl::Expression::Number(i.into()),
                InstanceKey::Str(s) => hcl::Expression::String(s),
            })
        })
    };
    let module = addr
        .module
        .into_iter()
        .map(|step| ImportStep {
            name: step.name,
            key: key(step.key),
        })
        .collect();
    Some(Import {
        module,
        type_name: addr.type_name,
        name: addr.name,
        key: key(addr.key),
        id: expr(hcl::Expression::String(id.to_string())),
        for_each: None,
        provider: None,
        span: expr(hcl::Expression::Null).span,
    })
}
