//! Graph checks: cycles (reported with every node on them) and the topological order.

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::NodeIndex;
use plinth_sdk::{Diagnostic, Diagnostics};

use crate::config::Config;
use crate::graph::build::{node_span, Graph};

/// Returns the nodes in dependency order, or one error per cycle naming every node on it.
pub fn order(graph: &Graph, config: &Config) -> Result<Vec<NodeIndex>, Diagnostics> {
    if let Ok(order) = toposort(&graph.graph, None) {
        return Ok(order);
    }
    let mut diags = Diagnostics::new();
    for scc in tarjan_scc(&graph.graph) {
        let looped = scc.len() > 1 || graph.graph.contains_edge(scc[0], scc[0]);
        if !looped {
            continue;
        }
        let mut names: Vec<String> = scc.iter().map(|ix| graph.node(*ix).to_string()).collect();
        names.sort();
        let mut d = Diagnostic::error(format!("Cycle: {}", names.join(", "))).with_detail(
            "These objects refer to each other, so none of them can be evaluated first. Remove one of the references or depends_on entries to break the cycle.",
        );
        if let Some(span) = scc
            .iter()
            .filter_map(|ix| node_span(config, graph.node(*ix)))
            .min_by_key(|s| (s.file.clone(), s.start))
        {
            d = d.with_span(span);
        }
        diags.push(d);
    }
    Err(diags)
}
