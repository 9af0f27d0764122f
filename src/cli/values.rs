//! A walk of the configuration that configures providers and evaluates variables and locals
//! only, for commands that need them before any resource is planned (`import`,
//! `-generate-config-out`).

use std::collections::BTreeMap;

use async_trait::async_trait;
use plinth_sdk::{Diagnostic, Diagnostics, Value};
use tokio::runtime::Runtime;

use crate::cli::setup::{self, Loaded};
use crate::engine::providers::Providers;
use crate::engine::walker::{InstanceHandler, InstanceRequest, Phase, Walk, Walked};
use crate::graph::NodeKind;

/// A walk handler for walks that visit no resource.
struct NoInstances;

#[async_trait(?Send)]
impl InstanceHandler for NoInstances {
    async fn instance(&self, request: InstanceRequest<'_>) -> Result<Value, Diagnostics> {
        Err(Diagnostic::error("unexpected resource visit")
            .with_address(request.address)
            .into())
    }
}

/// Configures the providers and evaluates the variables and locals of `loaded`; the walk's
/// results answer references to them.
pub fn evaluate(
    runtime: &Runtime,
    loaded: &Loaded,
    providers: &Providers,
    variables: &BTreeMap<String, Value>,
) -> Result<Walked, Diagnostics> {
    let workspace = setup::workspace();
    let walk = Walk {
        config: &loaded.config,
        graph: &loaded.graph,
        order: &loaded.order,
        providers,
        variables,
        workspace: &workspace,
        phase: Phase::Plan,
    };
    let only = loaded
        .graph
        .graph
        .node_indices()
        .filter(|ix| {
            matches!(
                loaded.graph.node(*ix).kind,
                NodeKind::Provider(_) | NodeKind::Variable(_) | NodeKind::Local(_)
            )
        })
        .collect();
    let walked = runtime.block_on(walk.run_only(&NoInstances, Some(&only)));
    if walked.failed {
        return Err(walked.diagnostics);
    }
    Ok(walked)
}
