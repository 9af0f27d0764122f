//! `plinth graph`: the dependency graph in Graphviz DOT.

use petgraph::visit::EdgeRef;

use crate::graph::build::Graph;

/// Renders the graph as DOT, nodes and edges sorted so the output is stable.
pub fn to_dot(graph: &Graph) -> String {
    let mut nodes: Vec<String> = graph.graph.node_weights().map(|n| n.to_string()).collect();
    nodes.sort();
    let mut edges: Vec<(String, String)> = graph
        .graph
        .edge_references()
        .map(|e| {
            (
                graph.node(e.target()).to_string(),
                graph.node(e.source()).to_string(),
            )
        })
        .collect();
    edges.sort();
    let mut out = String::from(
        "digraph {\n  compound = \"true\"\n  newrank = \"true\"\n  subgraph \"root\" {\n",
    );
    for n in &nodes {
        out.push_str(&format!(
            "    \"{}\" [label = \"{}\", shape = \"box\"]\n",
            escape(n),
            escape(n)
        ));
    }
    for (from, to) in &edges {
        out.push_str(&format!("    \"{}\" -> \"{}\"\n", escape(from), escape(to)));
    }
    out.push_str("  }\n}\n");
    out
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
