//! The dependency graph of configuration objects, built with petgraph.
