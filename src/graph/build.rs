//! Builds the dependency graph from a configuration: one node per configuration object, edges
//! from every reference and `depends_on`, modules flattened under their call's path.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use petgraph::graph::{DiGraph, NodeIndex};
use plinth_sdk::{Diagnostic, Diagnostics, Span};

use crate::config::{Body, Config, Expr, Mode, Module, ProviderRef, When};
use crate::eval;
use crate::graph::node::{ModulePath, Node, NodeKind};

/// The dependency graph: an edge `a → b` means `b` depends on `a`.
#[derive(Debug, Default)]
pub struct Graph {
    /// The petgraph graph.
    pub graph: DiGraph<Node, ()>,
    /// Node → index.
    pub index: HashMap<Node, NodeIndex>,
    /// Resource node → the provider configuration key that manages it (`docker`, `aws.west`).
    pub provider_of: HashMap<Node, String>,
    /// The edges added so far, so a repeated reference adds no second edge (petgraph's own
    /// check walks every edge of a node, which is quadratic for a provider's thousands).
    edges: HashSet<(NodeIndex, NodeIndex)>,
}

impl Graph {
    /// The index of a node.
    pub fn get(&self, node: &Node) -> Option<NodeIndex> {
        self.index.get(node).copied()
    }

    /// The node at an index.
    pub fn node(&self, ix: NodeIndex) -> &Node {
        &self.graph[ix]
    }

    fn add(&mut self, node: Node) -> NodeIndex {
        if let Some(ix) = self.index.get(&node) {
            return *ix;
        }
        let ix = self.graph.add_node(node.clone());
        self.index.insert(node, ix);
        ix
    }

    fn edge(&mut self, from: NodeIndex, to: NodeIndex) {
        if self.edges.insert((from, to)) {
            self.graph.add_edge(from, to, ());
        }
    }
}

/// The provider configuration key a resource type uses by default: its prefix (`aws_vpc` → `aws`).
pub fn default_provider(type_name: &str) -> &str {
    type_name.split('_').next().unwrap_or(type_name)
}

/// Builds the graph of a configuration. Reports every undeclared reference with its span.
pub fn build(config: &Config) -> Result<Graph, Diagnostics> {
    let mut builder = Builder {
        graph: Graph::default(),
        diags: Diagnostics::new(),
        sources: &config.sources,
    };
    builder.add_nodes(&config.root, &Vec::new(), &BTreeMap::new());
    builder.add_edges(&config.root, &Vec::new());
    if builder.diags.has_errors() {
        let mut diags = builder.diags;
        diags.0.sort_by(|a, b| {
            let at = |d: &Diagnostic| d.span.as_ref().map(|s| (s.file.clone(), s.start));
            at(a).cmp(&at(b))
        });
        return Err(diags);
    }
    Ok(builder.graph)
}

struct Builder<'c> {
    graph: Graph,
    diags: Diagnostics,
    /// File name → text, to place a diagnostic on the reference inside an expression.
    sources: &'c BTreeMap<String, String>,
}

impl Builder<'_> {
    /// Adds the nodes of a module and its children. `providers` maps this module's provider
    /// local names to root configuration keys (from `providers = { ... }` of the calls).
    fn add_nodes(
        &mut self,
        module: &Module,
        path: &ModulePath,
        providers: &BTreeMap<String, String>,
    ) {
        let at = |kind| Node {
            module: path.clone(),
            kind,
        };
        for v in &module.variables {
            self.graph.add(at(NodeKind::Variable(v.name.clone())));
        }
        for l in &module.locals {
            self.graph.add(at(NodeKind::Local(l.name.clone())));
        }
        for o in &module.outputs {
            self.graph.add(at(NodeKind::Output(o.name.clone())));
        }
        if path.is_empty() {
            for p in &module.providers {
                self.graph.add(at(NodeKind::Provider(provider_key(
                    &p.name,
                    p.alias.as_deref(),
                ))));
            }
        }
        for r in &module.resources {
            let node = at(NodeKind::Resource {
                mode: r.mode,
                type_name: r.type_name.clone(),
                name: r.name.clone(),
            });
            let key = match &r.provider {
                Some(p) => resolve_provider(p, providers),
                None => {
                    let local = default_provider(&r.type_name);
                    providers
                        .get(local)
                        .cloned()
                        .unwrap_or_else(|| local.to_string())
                }
            };
            let provider = self.graph.add(Node {
                module: Vec::new(),
                kind: NodeKind::Provider(key.clone()),
            });
            let ix = self.graph.add(node.clone());
            self.graph.edge(provider, ix);
            self.graph.provider_of.insert(node, key);
        }
        for call in &module.module_calls {
            self.graph.add(at(NodeKind::ModuleCall(call.name.clone())));
            let mut child_providers: BTreeMap<String, String> = providers.clone();
            for (child, parent) in &call.providers {
                child_providers.insert(child.clone(), resolve_provider(parent, providers));
            }
            let mut child_path = path.clone();
            child_path.push(call.name.clone());
            self.add_nodes(&call.module, &child_path, &child_providers);
        }
    }

    fn add_edges(&mut self, module: &Module, path: &ModulePath) {
        let at = |kind| Node {
            module: path.clone(),
            kind,
        };
        // Everything in a child module waits for its call (expansion and inputs).
        let call = path.split_last().map(|(last, parent)| Node {
            module: parent.to_vec(),
            kind: NodeKind::ModuleCall(last.clone()),
        });
        let link = |b: &mut Builder, node: &Node| {
            if let Some(call) = &call {
                let (from, to) = (b.graph.add(call.clone()), b.graph.add(node.clone()));
                b.graph.edge(from, to);
            }
        };
        for v in &module.variables {
            let node = at(NodeKind::Variable(v.name.clone()));
            link(self, &node);
            for validation in &v.validations {
                self.expr_edges(module, path, &node, &validation.condition, &["var"]);
            }
        }
        for l in &module.locals {
            let node = at(NodeKind::Local(l.name.clone()));
            link(self, &node);
            self.expr_edges(module, path, &node, &l.expr, &[]);
        }
        for o in &module.outputs {
            let node = at(NodeKind::Output(o.name.clone()));
            link(self, &node);
            self.expr_edges(module, path, &node, &o.value, &[]);
            for c in &o.preconditions {
                self.expr_edges(module, path, &node, &c.condition, &[]);
                self.expr_edges(module, path, &node, &c.error_message, &[]);
            }
            for d in &o.depends_on {
                self.depends_on_edges(module, path, &node, d);
            }
        }
        if path.is_empty() {
            for p in &module.providers {
                let node = at(NodeKind::Provider(provider_key(
                    &p.name,
                    p.alias.as_deref(),
                )));
                self.body_edges(module, path, &node, &p.body, &[]);
            }
        }
        for r in &module.resources {
            let node = at(NodeKind::Resource {
                mode: r.mode,
                type_name: r.type_name.clone(),
                name: r.name.clone(),
            });
            link(self, &node);
            for e in r.count.iter().chain(&r.for_each) {
                self.expr_edges(module, path, &node, e, &[]);
            }
            let lifecycle = &r.lifecycle;
            for e in lifecycle
                .replace_triggered_by
                .iter()
                .chain(&lifecycle.enabled)
            {
                self.expr_edges(module, path, &node, e, &[]);
            }
            for c in lifecycle
                .preconditions
                .iter()
                .chain(&lifecycle.postconditions)
            {
                self.expr_edges(module, path, &node, &c.condition, &[]);
                self.expr_edges(module, path, &node, &c.error_message, &[]);
            }
            for d in &r.depends_on {
                self.depends_on_edges(module, path, &node, d);
            }
            self.body_edges(module, path, &node, &r.body, &[]);
            // Creation-time provisioners run with the object: what they refer to comes first.
            // `self` is the object itself; destroy-time ones may refer to nothing else.
            for p in r.provisioners.iter().filter(|p| p.when == When::Create) {
                self.body_edges(module, path, &node, &p.body, &["self"]);
                if let Some(connection) = &p.connection {
                    self.body_edges(module, path, &node, &connection.body, &["self"]);
                }
            }
        }
        // An import block is evaluated in the root module, before its target (which may sit
        // in a module instance) is planned.
        for import in module.imports.iter().filter(|_| path.is_empty()) {
            let node = Node {
                module: import.module_path(),
                kind: NodeKind::Resource {
                    mode: Mode::Managed,
                    type_name: import.type_name.clone(),
                    name: import.name.clone(),
                },
            };
            // A target missing from the configuration is reported by the plan, which can
            // generate its configuration (`-generate-config-out`).
            if self.graph.get(&node).is_none() {
                continue;
            }
            let exprs = std::iter::once(&import.id)
                .chain(&import.for_each)
                .chain(&import.key)
                .chain(import.module.iter().filter_map(|step| step.key.as_ref()));
            for e in exprs {
                self.expr_edges(module, path, &node, e, &["each"]);
            }
        }
        for c in &module.module_calls {
            let node = at(NodeKind::ModuleCall(c.name.clone()));
            link(self, &node);
            for e in c.count.iter().chain(&c.for_each).chain(c.inputs.values()) {
                self.expr_edges(module, path, &node, e, &[]);
            }
            for d in &c.depends_on {
                self.depends_on_edges(module, path, &node, d);
            }
            let mut child_path = path.clone();
            child_path.push(c.name.clone());
            self.add_edges(&c.module, &child_path);
        }
    }

    fn body_edges(
        &mut self,
        module: &Module,
        path: &ModulePath,
        node: &Node,
        body: &Body,
        locals: &[&str],
    ) {
        for a in &body.attributes {
            self.expr_edges(module, path, node, &a.expr, locals);
        }
        for b in &body.blocks {
            self.body_edges(module, path, node, &b.body, locals);
        }
        for d in &body.dynamic_blocks {
            self.expr_edges(module, path, node, &d.for_each, locals);
            let mut inner: Vec<&str> = locals.to_vec();
            inner.push(&d.iterator);
            for l in &d.labels {
                self.expr_edges(module, path, node, l, &inner);
            }
            self.body_edges(module, path, node, &d.content, &inner);
        }
    }

    /// Adds an edge from every object `expr` references to `node`. Names in `locals` are
    /// iterators bound around the expression (dynamic blocks) and reference nothing.
    fn expr_edges(
        &mut self,
        module: &Module,
        path: &ModulePath,
        node: &Node,
        expr: &Expr,
        locals: &[&str],
    ) {
        for names in eval::references(&expr.expr) {
            if names.first().is_some_and(|n| locals.contains(&n.as_str())) {
                continue;
            }
            match targets(module, path, &names, &self.graph.index) {
                Ok(deps) => {
                    for dep in deps {
                        let (from, to) = (self.graph.add(dep), self.graph.add(node.clone()));
                        self.graph.edge(from, to);
                    }
                }
                Err((summary, detail)) => self.diags.push(
                    Diagnostic::error(summary)
                        .with_detail(detail)
                        .with_span(reference_span(self.sources, &expr.span, &names))
                        .with_address(node.to_string()),
                ),
            }
        }
        for name in eval::unknown_functions(&expr.expr) {
            let error = eval::unknown_function(&name);
            self.diags.push(
                Diagnostic::error(error.summary)
                    .with_detail(error.detail.unwrap_or_default())
                    .with_span(span_of_name(self.sources, &expr.span, &name))
                    .with_address(node.to_string()),
            );
        }
    }

    /// `depends_on = [x]`: like a reference, and `module.m` means everything in that module.
    fn depends_on_edges(&mut self, module: &Module, path: &ModulePath, node: &Node, expr: &Expr) {
        let refs = eval::references(&expr.expr);
        if refs.is_empty() {
            self.diags.push(
                Diagnostic::error("Invalid depends_on reference")
                    .with_detail("depends_on takes references to resources or modules, such as aws_vpc.main or module.vpc.")
                    .with_span(expr.span.clone())
                    .with_address(node.to_string()),
            );
        }
        for names in refs {
            if names.len() == 2 && names[0] == "module" {
                let mut child = path.clone();
                child.push(names[1].clone());
                let inside: Vec<NodeIndex> = self
                    .graph
                    .index
                    .iter()
                    .filter(|(n, _)| {
                        n.module.starts_with(&child)
                            && matches!(n.kind, NodeKind::Resource { .. } | NodeKind::Output(_))
                    })
                    .map(|(_, ix)| *ix)
                    .collect();
                let to = self.graph.add(node.clone());
                for from in inside {
                    self.graph.edge(from, to);
                }
            }
        }
        self.expr_edges(module, path, node, expr, &[]);
    }
}

/// `name` or `name.alias`.
pub fn provider_key(name: &str, alias: Option<&str>) -> String {
    match alias {
        Some(a) => format!("{name}.{a}"),
        None => name.to_string(),
    }
}

fn resolve_provider(p: &ProviderRef, map: &BTreeMap<String, String>) -> String {
    match &p.alias {
        Some(alias) => {
            let key = provider_key(&p.name, Some(alias));
            map.get(&key).cloned().unwrap_or(key)
        }
        None => map.get(&p.name).cloned().unwrap_or_else(|| p.name.clone()),
    }
}

/// The nodes a reference points at, or (summary, detail) when it points at nothing declared.
fn targets(
    module: &Module,
    path: &ModulePath,
    names: &[String],
    declared: &HashMap<Node, NodeIndex>,
) -> Result<Vec<Node>, (String, String)> {
    let at = |kind| Node {
        module: path.to_vec(),
        kind,
    };
    let name_at = |i: usize| names.get(i).cloned().unwrap_or_default();
    match names.first().map(String::as_str) {
        None | Some("count" | "each" | "path" | "terraform" | "self") => Ok(Vec::new()),
        Some("var") => {
            let n = name_at(1);
            let node = at(NodeKind::Variable(n.clone()));
            if declared.contains_key(&node) {
                Ok(vec![node])
            } else {
                Err((
                    "Reference to undeclared input variable".into(),
                    format!(
                        "An input variable with the name \"{n}\" has not been declared.{}",
                        hint(&n, module.variables.iter().map(|v| v.name.as_str()))
                    ),
                ))
            }
        }
        Some("local") => {
            let n = name_at(1);
            let node = at(NodeKind::Local(n.clone()));
            if declared.contains_key(&node) {
                Ok(vec![node])
            } else {
                Err((
                    "Reference to undeclared local value".into(),
                    format!(
                        "A local value with the name \"{n}\" has not been declared.{}",
                        hint(&n, module.locals.iter().map(|l| l.name.as_str()))
                    ),
                ))
            }
        }
        Some("module") => {
            let n = name_at(1);
            let Some(call) = module.module_calls.iter().find(|c| c.name == n) else {
                return Err((
                    "Reference to undeclared module".into(),
                    format!(
                        "No module call named \"{n}\" is declared in this module.{}",
                        hint(&n, module.module_calls.iter().map(|c| c.name.as_str()))
                    ),
                ));
            };
            let mut child = path.to_vec();
            child.push(n.clone());
            let out = |o: &str| Node {
                module: child.clone(),
                kind: NodeKind::Output(o.to_string()),
            };
            match names.get(2) {
                Some(o) if call.module.outputs.iter().any(|x| &x.name == o) => Ok(vec![out(o)]),
                Some(o) if call.count.is_none() && call.for_each.is_none() => Err((
                    "Unsupported attribute".into(),
                    format!(
                        "This object does not have an attribute named \"{o}\": module.{n} has no output \"{o}\".{}",
                        hint(o, call.module.outputs.iter().map(|x| x.name.as_str()))
                    ),
                )),
                _ => Ok(call.module.outputs.iter().map(|o| out(&o.name)).collect()),
            }
        }
        Some("data") => {
            let (t, n) = (name_at(1), name_at(2));
            let node = at(NodeKind::Resource {
                mode: Mode::Data,
                type_name: t.clone(),
                name: n.clone(),
            });
            if declared.contains_key(&node) {
                Ok(vec![node])
            } else {
                Err((
                    "Reference to undeclared resource".into(),
                    format!(
                        "A data resource \"{t}\" \"{n}\" has not been declared in this module.{}",
                        resource_hint(module, Mode::Data, &t, &n)
                    ),
                ))
            }
        }
        Some(t) => {
            let n = name_at(1);
            let node = at(NodeKind::Resource {
                mode: Mode::Managed,
                type_name: t.to_string(),
                name: n.clone(),
            });
            if declared.contains_key(&node) {
                Ok(vec![node])
            } else if names.len() == 1 {
                Err(("Invalid reference".into(), format!("A reference to a resource type must be followed by at least one attribute access, specifying the resource name: \"{t}\".")))
            } else {
                Err((
                    "Reference to undeclared resource".into(),
                    format!(
                        "A managed resource \"{t}\" \"{n}\" has not been declared in this module.{}",
                        resource_hint(module, Mode::Managed, t, &n)
                    ),
                ))
            }
        }
    }
}

/// The span of the reference `names` inside the expression at `span` (`var.x` inside a
/// template, not the whole template); the whole expression when it cannot be found.
fn reference_span(sources: &BTreeMap<String, String>, span: &Span, names: &[String]) -> Span {
    let count = if names.first().is_some_and(|n| n == "data") {
        3
    } else {
        2
    };
    let needle = names
        .iter()
        .take(count)
        .cloned()
        .collect::<Vec<_>>()
        .join(".");
    span_of_name(sources, span, &needle)
}

/// The span of the first whole-name occurrence of `needle` inside the expression at `span`;
/// the whole expression when there is none.
fn span_of_name(sources: &BTreeMap<String, String>, span: &Span, needle: &str) -> Span {
    let Some(text) = sources
        .get(&span.file)
        .and_then(|text| text.get(span.start..span.end))
    else {
        return span.clone();
    };
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let found = text.match_indices(needle).find(|(at, _)| {
        let before = text[..*at].chars().next_back();
        let after = text[at + needle.len()..].chars().next();
        !before.is_some_and(|c| is_name(c) || c == '.') && !after.is_some_and(is_name)
    });
    let Some((offset, _)) = found else {
        return span.clone();
    };
    let before = &text[..offset];
    let (line, column) = match before.rfind('\n') {
        Some(newline) => (
            span.line + before.matches('\n').count(),
            1 + before[newline + 1..].chars().count(),
        ),
        None => (span.line, span.column + before.chars().count()),
    };
    Span {
        file: span.file.clone(),
        line,
        column,
        start: span.start + offset,
        end: span.start + offset + needle.len(),
    }
}

/// ` Did you mean "x"?` for the declared name closest to `name`, or nothing.
fn hint<'a>(name: &str, declared: impl Iterator<Item = &'a str>) -> String {
    crate::config::checks::suggestion(name, &declared.collect::<Vec<_>>())
}

/// ` Did you mean "type.name"?` for an undeclared resource: another name of the same type, or
/// the same name under a similar type.
fn resource_hint(module: &Module, mode: Mode, type_name: &str, name: &str) -> String {
    let declared: Vec<String> = module
        .resources
        .iter()
        .filter(|r| r.mode == mode)
        .map(|r| format!("{}.{}", r.type_name, r.name))
        .collect();
    let prefix = if mode == Mode::Data { "data." } else { "" };
    let wanted = format!("{type_name}.{name}");
    crate::config::checks::suggestion(
        &wanted,
        &declared.iter().map(String::as_str).collect::<Vec<_>>(),
    )
    .replace(" Did you mean \"", &format!(" Did you mean \"{prefix}"))
}

/// The span of a resource node, for diagnostics about the node as a whole.
pub fn node_span(config: &Config, node: &Node) -> Option<Span> {
    let mut module = &config.root;
    for step in &node.module {
        module = &module.module_calls.iter().find(|c| &c.name == step)?.module;
    }
    match &node.kind {
        NodeKind::Resource {
            mode,
            type_name,
            name,
        } => module
            .resources
            .iter()
            .find(|r| r.mode == *mode && &r.type_name == type_name && &r.name == name)
            .map(|r| r.span.clone()),
        NodeKind::Variable(n) => module
            .variables
            .iter()
            .find(|v| &v.name == n)
            .map(|v| v.span.clone()),
        NodeKind::Output(n) => module
            .outputs
            .iter()
            .find(|o| &o.name == n)
            .map(|o| o.span.clone()),
        NodeKind::Local(n) => module
            .locals
            .iter()
            .find(|l| &l.name == n)
            .map(|l| l.expr.span.clone()),
        NodeKind::ModuleCall(n) => module
            .module_calls
            .iter()
            .find(|c| &c.name == n)
            .map(|c| c.span.clone()),
        NodeKind::Provider(_) => None,
    }
}
