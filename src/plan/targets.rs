//! `-target`, `-exclude` and `-replace`: checking the addresses given, and the sets of addresses
//! a targeted plan covers (what the targets depend on; with `-destroy`, what depends on them) and
//! an excluding plan leaves alone (the excluded and what depends on them).

use plinth_sdk::{Diagnostic, Diagnostics};
use plinth_state::addr::without_keys;
use rustc_hash::FxHashSet as HashSet;

use crate::plan::planner::{PlanInput, PlanOptions};
use crate::plan::PlanMode;

/// Refuses -target and -replace values that are not resource or module addresses.
pub fn check_addresses(options: &PlanOptions) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::new();
    for (flag, address) in options
        .targets
        .iter()
        .map(|t| ("-target", t))
        .chain(options.excludes.iter().map(|e| ("-exclude", e)))
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
pub fn destroy_target_set(input: &PlanInput<'_>) -> Option<HashSet<String>> {
    if input.options.mode != PlanMode::Destroy || input.options.targets.is_empty() {
        return None;
    }
    let matches = |address: &str, target: &str| {
        address == target
            || without_keys(address) == without_keys(target)
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
        let nodes: HashSet<String> = set.iter().map(|a| without_keys(a)).collect();
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
pub fn target_set(input: &PlanInput<'_>) -> Option<HashSet<String>> {
    closure(input, &input.options.targets, petgraph::Direction::Incoming)
}

/// With `-exclude`: the excluded resources and modules and everything that depends on them,
/// directly or not (OpenTofu's `-exclude`, the inverse of `-target`).
pub fn exclude_set(input: &PlanInput<'_>) -> Option<HashSet<String>> {
    closure(
        input,
        &input.options.excludes,
        petgraph::Direction::Outgoing,
    )
}

/// The graph nodes named by `addresses` (and the instance addresses themselves), with every
/// node reached from them in `direction`: their dependencies (`Incoming`) or dependents.
fn closure(
    input: &PlanInput<'_>,
    addresses: &[String],
    direction: petgraph::Direction,
) -> Option<HashSet<String>> {
    if addresses.is_empty() {
        return None;
    }
    let mut set = HashSet::default();
    let wanted: Vec<String> = addresses.iter().map(|t| without_keys(t)).collect();
    for ix in input.graph.graph.node_indices() {
        let name = input.graph.node(ix).to_string();
        if wanted
            .iter()
            .any(|w| &name == w || name.starts_with(&format!("{w}.")))
        {
            let mut stack = vec![ix];
            while let Some(n) = stack.pop() {
                if set.insert(input.graph.node(n).to_string()) {
                    stack.extend(input.graph.graph.neighbors_directed(n, direction));
                }
            }
        }
    }
    set.extend(addresses.iter().cloned());
    Some(set)
}
