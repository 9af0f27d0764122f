//! Resource-level dependencies: for each resource, the resources it depends on directly or
//! through variables, locals, outputs and module calls. Recorded in plans and state, they order
//! deletions (a dependent is destroyed before what it depends on).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use petgraph::Direction;

use crate::graph::{Graph, Node, NodeKind};

/// Maps each resource node to the addresses (module path without keys) of the resources it
/// depends on, sorted.
pub fn resource_dependencies(graph: &Graph) -> HashMap<&Node, Vec<String>> {
    let mut out = HashMap::default();
    for ix in graph.graph.node_indices() {
        let node = graph.node(ix);
        if !matches!(node.kind, NodeKind::Resource { .. }) {
            continue;
        }
        let mut seen = HashSet::default();
        let mut stack: Vec<_> = graph
            .graph
            .neighbors_directed(ix, Direction::Incoming)
            .collect();
        let mut found = Vec::new();
        while let Some(dep) = stack.pop() {
            if !seen.insert(dep) {
                continue;
            }
            match &graph.node(dep).kind {
                NodeKind::Resource { .. } => found.push(graph.node(dep).to_string()),
                NodeKind::Provider(_) => {}
                _ => stack.extend(graph.graph.neighbors_directed(dep, Direction::Incoming)),
            }
        }
        found.sort();
        found.dedup();
        out.insert(node, found);
    }
    out
}
