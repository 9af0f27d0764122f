//! The evaluation walk shared by plan and apply: visits every graph node in dependency order,
//! evaluating variables, locals, outputs, module calls and provider configurations, expanding
//! resources into instances and handing each instance to an [`InstanceHandler`]: the planner
//! diffs it, the applier executes its planned change. One graph, one walk, two handlers.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use futures_util::future::join_all;
use petgraph::graph::NodeIndex;
use plinth_sdk::{convert, Diagnostic, Diagnostics, Schema, Span, Timeouts, Value};

use crate::config::{Body, Config, Expr, Mode, Module, Resource};
use crate::engine::conditions::{self, enabled, Kind, WithSelf};
use crate::engine::expand::{self, Binding, Expansion, Key};
use crate::engine::locate::locate;
use crate::engine::providers::Providers;
use crate::engine::results::{
    child_instance, instance_address, EmptyScope, InstanceScope, Results,
};
use crate::engine::{timeouts, validators};
use crate::eval::{self, EvalError, Scope};
use crate::graph::{walk::walk_reporting_skips, Graph, Node, NodeKind};

/// One resource instance to plan or apply.
pub struct InstanceRequest<'a> {
    /// Its address.
    pub address: String,
    /// The resource block.
    pub resource: &'a Resource,
    /// Its schema.
    pub schema: &'a Schema,
    /// The provider configuration key.
    pub provider: &'a str,
    /// The configuration evaluated now (may contain unknowns during plan).
    pub config: Value,
    /// The module instance it lives in.
    pub module: &'a str,
    /// Addresses of the resources (not instances) it depends on, with module prefixes.
    pub depends_on: &'a [String],
    /// The timeouts in effect (its `timeouts {}` block's, else the schema's defaults).
    pub timeouts: Timeouts,
    /// The scope its configuration was evaluated in (for its provisioners).
    pub scope: &'a dyn Scope,
    /// The root module's scope, where `import` blocks are evaluated.
    pub root_scope: &'a dyn Scope,
}

/// What plan and apply do with each resource instance and with instances no longer configured.
#[async_trait(?Send)]
pub trait InstanceHandler {
    /// Plans or applies one instance; returns the value other expressions see for it.
    async fn instance(&self, request: InstanceRequest<'_>) -> Result<Value, Diagnostics>;

    /// Says the walk will not hand over (more) instances of the resource at this configuration
    /// address (`module.a.aws_vpc.main`): evaluating it failed, or something it depends on did.
    fn abandoned(&self, _resource: &str) {}
}

/// Whether a walk plans or applies: during planning, impure functions (`uuid`, `timestamp`,
/// `bcrypt`) are unknown, so what a plan shows as known is what apply sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Planning: values not known yet are unknown.
    Plan,
    /// Applying: every value is known once what it depends on is applied.
    Apply,
}

/// Inputs of a walk.
pub struct Walk<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// Its graph.
    pub graph: &'a Graph,
    /// A topological order of the graph.
    pub order: &'a [NodeIndex],
    /// The providers.
    pub providers: &'a Providers,
    /// Root variable values.
    pub variables: &'a BTreeMap<String, Value>,
    /// `terraform.workspace`.
    pub workspace: &'a str,
    /// Planning or applying.
    pub phase: Phase,
}

/// What a walk produced.
pub struct Walked {
    /// Every node's results.
    pub results: Results,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
    /// Whether any node failed or was skipped.
    pub failed: bool,
}

/// An index of a configuration's modules and resource blocks by graph node.
struct Index<'a> {
    modules: HashMap<Vec<String>, &'a Module>,
    resources: HashMap<&'a Node, &'a Resource>,
    resource_deps: HashMap<&'a Node, Vec<String>>,
}

impl Walk<'_> {
    /// Runs the walk with `handler`.
    pub async fn run(&self, handler: &dyn InstanceHandler) -> Walked {
        self.run_only(handler, None).await
    }

    /// Runs the walk visiting only the nodes in `only` (when given); the others count as done.
    pub async fn run_only(
        &self,
        handler: &dyn InstanceHandler,
        only: Option<&std::collections::HashSet<NodeIndex>>,
    ) -> Walked {
        let index = self.index();
        let results = Results::default();
        let diags = Mutex::new(Diagnostics::new());
        let skipped = |ix: NodeIndex| {
            let node = self.graph.node(ix);
            if matches!(node.kind, NodeKind::Resource { .. }) {
                handler.abandoned(&node.to_string());
            }
        };
        let outcome = walk_reporting_skips(
            &self.graph.graph,
            self.order,
            |ix| {
                let (index, results, diags) = (&index, &results, &diags);
                let wanted = only.is_none_or(|set| set.contains(&ix));
                async move {
                    if !wanted {
                        return true;
                    }
                    match self.visit(ix, index, results, handler).await {
                        Ok(warnings) => {
                            lock(diags).extend(warnings);
                            true
                        }
                        Err(errors) => {
                            lock(diags).extend(errors);
                            false
                        }
                    }
                }
            },
            skipped,
        )
        .await;
        let failed = !outcome.failed.is_empty() || !outcome.skipped.is_empty();
        Walked {
            results,
            diagnostics: diags.into_inner().unwrap_or_else(|p| p.into_inner()),
            failed,
        }
    }

    /// Configures the provider `key` if nothing configured it yet (a provider only objects
    /// being deleted still use: its block, if any, is evaluated with the root's constants).
    /// Returns the provider's warnings.
    pub async fn ensure_provider(&self, key: &str) -> Result<Diagnostics, Diagnostics> {
        if self.providers.get(key).is_some() {
            return Ok(Diagnostics::new());
        }
        self.provider(key, &Results::default()).await
    }

    fn index(&self) -> Index<'_> {
        let mut modules = HashMap::default();
        fn collect<'m>(
            m: &'m Module,
            path: Vec<String>,
            out: &mut HashMap<Vec<String>, &'m Module>,
        ) {
            for c in &m.module_calls {
                let mut p = path.clone();
                p.push(c.name.clone());
                collect(&c.module, p, out);
            }
            out.insert(path, m);
        }
        collect(&self.config.root, Vec::new(), &mut modules);
        let mut by_name: HashMap<(&[String], Mode, &str, &str), &Resource> = HashMap::default();
        for (path, m) in &modules {
            for r in &m.resources {
                by_name.insert(
                    (
                        path.as_slice(),
                        r.mode,
                        r.type_name.as_str(),
                        r.name.as_str(),
                    ),
                    r,
                );
            }
        }
        let mut resources = HashMap::default();
        for node in self.graph.graph.node_weights() {
            if let NodeKind::Resource {
                mode,
                type_name,
                name,
            } = &node.kind
            {
                if let Some(r) = by_name.get(&(
                    node.module.as_slice(),
                    *mode,
                    type_name.as_str(),
                    name.as_str(),
                )) {
                    resources.insert(node, *r);
                }
            }
        }
        let resource_deps = crate::engine::deps::resource_dependencies(self.graph);
        Index {
            modules,
            resources,
            resource_deps,
        }
    }

    async fn visit(
        &self,
        ix: NodeIndex,
        index: &Index<'_>,
        results: &Results,
        handler: &dyn InstanceHandler,
    ) -> Result<Diagnostics, Diagnostics> {
        let node = self.graph.node(ix);
        let module =
            index.modules.get(&node.module).copied().ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(format!("no module for {node}")))
            })?;
        match &node.kind {
            NodeKind::Variable(name) => self.variable(node, module, name, results)?,
            NodeKind::Local(name) => {
                let local = module
                    .local(name)
                    .expect("graph nodes come from the config");
                for mi in results.module_instances(&node.module) {
                    let value = self.eval(
                        &local.expr,
                        &self.scope(results, &mi, module, &Binding::None),
                        &node.to_string(),
                    )?;
                    results.set_local(&mi, name, value);
                }
            }
            NodeKind::Output(name) => self.output(node, module, name, results)?,
            NodeKind::ModuleCall(name) => self.module_call(node, module, name, results)?,
            NodeKind::Provider(key) => return self.provider(key, results).await,
            NodeKind::Resource { .. } => {
                let resource = index
                    .resources
                    .get(node)
                    .copied()
                    .expect("graph nodes come from the config");
                let deps = index
                    .resource_deps
                    .get(node)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let done = self
                    .resource(node, module, resource, deps, results, handler)
                    .await;
                if done.is_err() {
                    handler.abandoned(&node.to_string());
                }
                done?
            }
        }
        Ok(Diagnostics::new())
    }

    fn scope<'s>(
        &'s self,
        results: &'s Results,
        mi: &'s str,
        module: &'s Module,
        binding: &'s Binding,
    ) -> InstanceScope<'s> {
        InstanceScope {
            results,
            module: mi,
            config: module,
            binding,
            module_dir: &module.dir,
            workspace: self.workspace,
            planning: self.phase == Phase::Plan,
            providers: self.providers,
        }
    }

    fn eval(&self, expr: &Expr, scope: &dyn Scope, address: &str) -> Result<Value, Diagnostics> {
        eval::evaluate(&expr.expr, scope).map_err(|e| eval_error(e, &expr.span, address).into())
    }

    fn variable(
        &self,
        node: &Node,
        module: &Module,
        name: &str,
        results: &Results,
    ) -> Result<(), Diagnostics> {
        let var = module
            .variables
            .iter()
            .find(|v| v.name == name)
            .expect("graph nodes come from the config");
        if node.module.is_empty() {
            let value = self.variables.get(name).cloned().unwrap_or(Value::Null);
            results.set_variable("", name, value);
            return Ok(());
        }
        for mi in results.module_instances(&node.module) {
            let given = results.input(&mi, name);
            let raw = match (given, &var.default) {
                (Some(v), _) if !(v.is_null() && !var.nullable && var.default.is_some()) => v,
                (_, Some(default)) => {
                    self.eval(default, &EmptyScope, &format!("{mi}.var.{name}"))?
                }
                (None, None) => {
                    return Err(Diagnostic::error("Missing required argument")
                        .with_detail(format!(
                            "The argument \"{name}\" is required, but no definition was found."
                        ))
                        .with_span(var.span.clone())
                        .with_address(&mi)
                        .into())
                }
                (Some(v), None) => v,
            };
            let mut value = match &var.ty {
                Some(ty) => convert(raw, ty).map_err(|e| {
                    Diagnostics::from(
                        Diagnostic::error("Invalid value for input variable")
                            .with_detail(format!(
                                "The given value is not suitable for {mi}.var.{name}: {e}."
                            ))
                            .with_span(var.span.clone()),
                    )
                })?,
                None => raw,
            };
            if value.is_null() && !var.nullable {
                return Err(Diagnostic::error("Invalid value for input variable")
                    .with_detail(format!("The given value is not suitable for {mi}.var.{name}: required variable may not be set to null."))
                    .with_span(var.span.clone())
                    .into());
            }
            if var.sensitive {
                value = value.mark_sensitive();
            }
            results.set_variable(&mi, name, value);
        }
        Ok(())
    }

    fn output(
        &self,
        node: &Node,
        module: &Module,
        name: &str,
        results: &Results,
    ) -> Result<(), Diagnostics> {
        let output = module
            .outputs
            .iter()
            .find(|o| o.name == name)
            .expect("graph nodes come from the config");
        for mi in results.module_instances(&node.module) {
            let address = if mi.is_empty() {
                format!("output.{name}")
            } else {
                format!("{mi}.output.{name}")
            };
            let scope = self.scope(results, &mi, module, &Binding::None);
            conditions::check(
                &output.preconditions,
                Kind::OutputPrecondition,
                &scope,
                &address,
            )?;
            let mut value = self.eval(&output.value, &scope, &address)?;
            if value.contains_sensitive() && !output.sensitive && node.module.is_empty() {
                return Err(Diagnostic::error("Output refers to sensitive values")
                    .with_detail("To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, plinth requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent. Add sensitive = true to this output.")
                    .with_span(output.span.clone())
                    .with_address(address)
                    .into());
            }
            if output.sensitive {
                value = value.mark_sensitive();
            }
            results.set_output(&mi, name, value);
        }
        Ok(())
    }

    fn module_call(
        &self,
        node: &Node,
        module: &Module,
        name: &str,
        results: &Results,
    ) -> Result<(), Diagnostics> {
        let call = module
            .module_calls
            .iter()
            .find(|c| c.name == name)
            .expect("graph nodes come from the config");
        let mut diags = Diagnostics::new();
        for mi in results.module_instances(&node.module) {
            let scope = self.scope(results, &mi, module, &Binding::None);
            let address = child_instance(&mi, name, &Key::None);
            let expansion = expansion_of(&call.count, &call.for_each, &scope, &address, self)?;
            results.set_call(&mi, name, expansion.clone());
            for (key, binding) in expansion.instances() {
                let child = child_instance(&mi, name, &key);
                let scope = self.scope(results, &mi, module, &binding);
                let mut inputs = BTreeMap::new();
                for (input, expr) in &call.inputs {
                    match self.eval(expr, &scope, &child) {
                        Ok(v) => {
                            inputs.insert(input.clone(), v);
                        }
                        Err(e) => diags.extend(e),
                    }
                }
                results.set_inputs(&child, inputs);
            }
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(())
        }
    }

    /// Configures provider `key`; returns its warnings.
    async fn provider(&self, key: &str, results: &Results) -> Result<Diagnostics, Diagnostics> {
        let name = Providers::name_of(key);
        let Some(schema) = self.providers.provider_schema(name) else {
            let known = self.providers.names().join(", ");
            let mut d = Diagnostic::error(format!("Provider \"{name}\" is not available"))
                .with_detail(format!(
                "No provider named \"{name}\" is built into plinth; the providers are: {known}."
            ));
            if let Some(span) = first_use_span(&self.config.root, name) {
                d = d.with_span(span);
            }
            return Err(d.into());
        };
        let alias = key.split_once('.').map(|(_, a)| a);
        let block = self
            .config
            .root
            .providers
            .iter()
            .find(|p| p.name == name && p.alias.as_deref() == alias);
        let config = match block {
            Some(block) => {
                let scope = self.scope(results, "", &self.config.root, &Binding::None);
                eval::eval_body(&block.body, &schema.provider, &scope, &block.span)
                    .map_err(|d| d.with_address(&format!("provider[\"{key}\"]")))?
            }
            None => {
                let span = Span {
                    file: String::new(),
                    line: 0,
                    column: 0,
                    start: 0,
                    end: 0,
                };
                eval::eval_body(&Body::default(), &schema.provider, &EmptyScope, &span)?
            }
        };
        if config.contains_unknown() {
            return Err(Diagnostic::error(format!(
                "Provider \"{key}\" configuration depends on values known only after apply"
            ))
            .into());
        }
        let address = format!("provider[\"{key}\"]");
        self.providers
            .configure(key, config.unmark_deep().0)
            .await
            .map(|warnings| warnings.with_address(&address))
            .map_err(|d| d.with_address(&address))
    }

    async fn resource(
        &self,
        node: &Node,
        module: &Module,
        resource: &Resource,
        deps: &[String],
        results: &Results,
        handler: &dyn InstanceHandler,
    ) -> Result<(), Diagnostics> {
        let provider = self
            .graph
            .provider_of
            .get(node)
            .map(String::as_str)
            .unwrap_or_default();
        let Some(schema) =
            self.providers
                .resource_schema(provider, resource.mode, &resource.type_name)
        else {
            return Err(unknown_type(self.providers, provider, resource, node).into());
        };
        let mut diags = Diagnostics::new();
        let root_scope = self.scope(results, "", &self.config.root, &Binding::None);
        let root_scope = &root_scope;
        for mi in results.module_instances(&node.module) {
            let scope = self.scope(results, &mi, module, &Binding::None);
            let base = instance_address(
                &mi,
                resource.mode,
                &resource.type_name,
                &resource.name,
                &Key::None,
            );
            match enabled(resource.lifecycle.enabled.as_ref(), &scope, &base) {
                Ok(true) => {}
                Ok(false) => {
                    let (mode, type_name) = (resource.mode, &resource.type_name);
                    results.set_resource(&mi, mode, type_name, &resource.name, Value::Null);
                    continue;
                }
                Err(e) => {
                    diags.extend(e);
                    continue;
                }
            }
            let expansion =
                match expansion_of(&resource.count, &resource.for_each, &scope, &base, self) {
                    Ok(e) => e,
                    Err(e) => {
                        diags.extend(e);
                        continue;
                    }
                };
            let instances = expansion.instances();
            let futures = instances.iter().map(|(key, binding)| {
                let (schema, mi) = (&schema, &mi);
                async move {
                    let address = instance_address(
                        mi,
                        resource.mode,
                        &resource.type_name,
                        &resource.name,
                        key,
                    );
                    let scope = self.scope(results, mi, module, binding);
                    let pre = &resource.lifecycle.preconditions;
                    conditions::check(pre, Kind::ResourcePrecondition, &scope, &address)?;
                    let config = eval::eval_body(&resource.body, schema, &scope, &resource.span)
                        .map_err(|d| d.with_address(&address))?;
                    let (config, timeouts) = timeouts::split(schema, config).map_err(|d| {
                        locate(
                            d.with_address(&address).into(),
                            &resource.body,
                            &resource.span,
                        )
                    })?;
                    let invalid = validators::check(schema, &config);
                    if invalid.has_errors() {
                        let invalid = invalid.with_address(&address);
                        return Err(locate(invalid, &resource.body, &resource.span));
                    }
                    // A provider's errors may quote what it was given: sensitive parts of
                    // the configuration are taken out of them.
                    let given = config.clone();
                    let request = InstanceRequest {
                        address: address.clone(),
                        resource,
                        schema,
                        provider,
                        config,
                        module: mi,
                        depends_on: deps,
                        timeouts,
                        scope: &scope,
                        root_scope,
                    };
                    let value = handler.instance(request).await.map_err(|d| {
                        let d = eval::redact_diagnostics(d, &given);
                        locate(d.with_address(&address), &resource.body, &resource.span)
                    })?;
                    let checked = WithSelf {
                        object: &value,
                        inner: &scope,
                    };
                    let post = &resource.lifecycle.postconditions;
                    conditions::check(post, Kind::ResourcePostcondition, &checked, &address)?;
                    Ok(value)
                }
            });
            let values = join_all(futures).await;
            let mut ok = Vec::new();
            for (v, (key, _)) in values.into_iter().zip(&instances) {
                match v {
                    Ok(v) => ok.push((key.clone(), v)),
                    Err(e) => diags.extend(e),
                }
            }
            let whole = match expansion {
                Expansion::Single => ok
                    .into_iter()
                    .next()
                    .map(|(_, v)| v)
                    .unwrap_or(Value::Unknown),
                Expansion::Count(_) => Value::List(ok.into_iter().map(|(_, v)| v).collect()),
                Expansion::ForEach(_) => Value::Map(
                    ok.into_iter()
                        .map(|(k, v)| {
                            (
                                if let Key::Name(n) = k {
                                    n
                                } else {
                                    String::new()
                                },
                                v,
                            )
                        })
                        .collect(),
                ),
            };
            results.set_resource(
                &mi,
                resource.mode,
                &resource.type_name,
                &resource.name,
                whole,
            );
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(())
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The expansion of a block with `count` or `for_each`.
fn expansion_of(
    count: &Option<Expr>,
    for_each: &Option<Expr>,
    scope: &dyn Scope,
    address: &str,
    walk: &Walk<'_>,
) -> Result<Expansion, Diagnostics> {
    if let Some(c) = count {
        let v = walk.eval(c, scope, address)?;
        return expand::from_count(&v, &c.span).map_err(|d| (*d).with_address(address).into());
    }
    if let Some(f) = for_each {
        let v = walk.eval(f, scope, address)?;
        return expand::from_for_each(&v, &f.span).map_err(|d| (*d).with_address(address).into());
    }
    Ok(Expansion::Single)
}

/// An evaluation error as a diagnostic at `span`.
pub fn eval_error(e: EvalError, span: &Span, address: &str) -> Diagnostic {
    let mut d = Diagnostic::error(e.summary).with_span(span.clone());
    if let Some(detail) = e.detail {
        d = d.with_detail(detail);
    }
    if !address.is_empty() {
        d = d.with_address(address);
    }
    d
}

fn unknown_type(
    providers: &Providers,
    provider: &str,
    resource: &Resource,
    node: &Node,
) -> Diagnostic {
    let name = Providers::name_of(provider);
    let kind = if resource.mode == Mode::Data {
        "data source"
    } else {
        "resource type"
    };
    let detail = match providers.provider_schema(name) {
        None => format!(
            "No provider named \"{name}\" is built into plinth; the providers are: {}.",
            providers.names().join(", ")
        ),
        Some(schema) => {
            let names: Vec<&str> = if resource.mode == Mode::Data {
                schema.data_sources.keys().map(String::as_str).collect()
            } else {
                schema.resources.keys().map(String::as_str).collect()
            };
            format!(
                "The provider \"{name}\" does not support {kind} \"{}\".{}",
                resource.type_name,
                crate::config::checks::suggestion(&resource.type_name, &names)
            )
        }
    };
    Diagnostic::error(format!("Invalid {kind}"))
        .with_detail(detail)
        .with_span(resource.span.clone())
        .with_address(node.to_string())
}

fn first_use_span(module: &Module, provider: &str) -> Option<Span> {
    module
        .resources
        .iter()
        .find(|r| {
            crate::graph::default_provider(&r.type_name) == provider
                || r.provider.as_ref().is_some_and(|p| p.name == provider)
        })
        .map(|r| r.span.clone())
        .or_else(|| {
            module
                .module_calls
                .iter()
                .find_map(|c| first_use_span(&c.module, provider))
        })
}
