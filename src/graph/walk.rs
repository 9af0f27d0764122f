//! The walk: visits graph nodes as soon as everything they depend on is done, many at once.
//! A node whose dependency failed is skipped (and counts as failed for its own dependents), so
//! errors caused by an upstream failure are not repeated.

use std::collections::HashSet;
use std::future::Future;

use futures_util::stream::{FuturesUnordered, StreamExt};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

/// What became of a walk.
#[derive(Debug, Default)]
pub struct WalkOutcome {
    /// Nodes whose visit failed.
    pub failed: HashSet<NodeIndex>,
    /// Nodes not visited because a dependency failed.
    pub skipped: HashSet<NodeIndex>,
}

/// Walks `graph` (edges point from a dependency to its dependent) calling `visit` for every node
/// once all its dependencies succeeded. Visits of independent nodes run concurrently; `visit`
/// returns whether the node succeeded. `order` is a topological order used to start nodes in a
/// stable sequence.
pub async fn walk<N, E, F, Fut>(graph: &DiGraph<N, E>, order: &[NodeIndex], visit: F) -> WalkOutcome
where
    F: FnMut(NodeIndex) -> Fut,
    Fut: Future<Output = bool>,
{
    walk_reporting_skips(graph, order, visit, |_| {}).await
}

/// Like [`walk`], and calls `skipped` for every node not visited because a dependency failed,
/// as soon as that is decided.
pub async fn walk_reporting_skips<N, E, F, Fut>(
    graph: &DiGraph<N, E>,
    order: &[NodeIndex],
    mut visit: F,
    mut skipped: impl FnMut(NodeIndex),
) -> WalkOutcome
where
    F: FnMut(NodeIndex) -> Fut,
    Fut: Future<Output = bool>,
{
    let mut waiting: Vec<usize> = vec![0; graph.node_count()];
    for ix in graph.node_indices() {
        waiting[ix.index()] = graph.neighbors_directed(ix, Direction::Incoming).count();
    }
    let mut outcome = WalkOutcome::default();
    let mut ready: Vec<NodeIndex> = order
        .iter()
        .rev()
        .copied()
        .filter(|ix| waiting[ix.index()] == 0)
        .collect();
    let mut running = FuturesUnordered::new();
    loop {
        while let Some(ix) = ready.pop() {
            let blocked = graph
                .neighbors_directed(ix, Direction::Incoming)
                .any(|dep| outcome.failed.contains(&dep) || outcome.skipped.contains(&dep));
            if blocked {
                skipped(ix);
                outcome.skipped.insert(ix);
                release(graph, ix, &mut waiting, &mut ready);
            } else {
                let fut = visit(ix);
                running.push(async move { (ix, fut.await) });
            }
        }
        let Some((ix, ok)) = running.next().await else {
            break;
        };
        if !ok {
            outcome.failed.insert(ix);
        }
        release(graph, ix, &mut waiting, &mut ready);
    }
    outcome
}

fn release<N, E>(
    graph: &DiGraph<N, E>,
    ix: NodeIndex,
    waiting: &mut [usize],
    ready: &mut Vec<NodeIndex>,
) {
    for next in graph.neighbors_directed(ix, Direction::Outgoing) {
        let w = &mut waiting[next.index()];
        *w -= 1;
        if *w == 0 {
            ready.push(next);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[tokio::test]
    async fn dependents_of_a_failed_node_are_skipped_and_others_run() {
        let mut g: DiGraph<&str, ()> = DiGraph::new();
        let a = g.add_node("a");
        let b = g.add_node("b");
        let c = g.add_node("c");
        let d = g.add_node("d");
        g.add_edge(a, b, ());
        g.add_edge(b, c, ());
        g.add_edge(a, d, ());
        let seen = RefCell::new(Vec::new());
        let order = petgraph::algo::toposort(&g, None).unwrap();
        let out = walk(&g, &order, |ix| {
            seen.borrow_mut().push(g[ix]);
            let ok = g[ix] != "b";
            async move { ok }
        })
        .await;
        assert_eq!(out.failed, HashSet::from([b]));
        assert_eq!(out.skipped, HashSet::from([c]));
        let seen = seen.into_inner();
        assert!(seen.contains(&"d") && !seen.contains(&"c"));
        assert_eq!(seen[0], "a");
    }
}
