//! `import` blocks at plan time: which instance (in any module instance) each block imports and
//! by which id (evaluated in the root module's scope when the planner reaches the target), the
//! provider's read of the object, and Terraform's checks (a target that is not configured, a key
//! it does not have).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use plinth_sdk::{Diagnostic, Diagnostics, ImportRequest, Provider, Span, Value};
use plinth_state::addr::without_keys;
use rustc_hash::FxHashSet as HashSet;

use crate::config::{Config, Expr, Import, Mode};
use crate::engine::expand::{self, Key};
use crate::engine::walker::{eval_error, InstanceRequest};
use crate::eval::{self, EvalError, Scope};
use crate::plan::diff;
use crate::plan::model::Imported;

/// Instance address → (id, span of its import block), for one target resource.
type Targets = BTreeMap<String, (String, Span)>;

/// The import blocks of a configuration, evaluated per target resource on first use.
pub struct Imports<'a> {
    blocks: &'a [Import],
    /// `TYPE.NAME` → its targets.
    evaluated: Mutex<BTreeMap<String, Targets>>,
    /// The instance address and id `plinth import ADDRESS ID` names, if that is the command.
    single: Option<&'a (String, String)>,
}

impl<'a> Imports<'a> {
    /// The root module's import blocks, plus the one instance `plinth import` names.
    pub fn new(config: &'a Config, single: Option<&'a (String, String)>) -> Imports<'a> {
        Imports {
            blocks: &config.root.imports,
            evaluated: Mutex::new(BTreeMap::new()),
            single,
        }
    }

    /// The id `request`'s instance is imported by, if an import block (or `plinth import`)
    /// targets it. The blocks targeting its resource (of any module instance) are evaluated
    /// once, in the root module's scope.
    pub fn id_for(&self, request: &InstanceRequest<'_>) -> Result<Option<String>, Diagnostics> {
        if let Some((address, id)) = self.single {
            if *address == request.address && request.resource.mode == Mode::Managed {
                return Ok(Some(id.clone()));
            }
        }
        if self.blocks.is_empty() || request.resource.mode != Mode::Managed {
            return Ok(None);
        }
        let resource = config_address(request);
        let mut evaluated = self.evaluated.lock().unwrap_or_else(|p| p.into_inner());
        if !evaluated.contains_key(&resource) {
            let targets = self.evaluate(request.root_scope, &resource)?;
            evaluated.insert(resource.clone(), targets);
        }
        Ok(evaluated[&resource]
            .get(&request.address)
            .map(|(id, _)| id.clone()))
    }

    /// Evaluates, in the root module's `scope` once the walk is done, the blocks whose target
    /// resource no instance asked about (a count of 0, a module call without instances, or
    /// every instance already in state), so [`Imports::unmatched`] sees their targets too.
    pub fn evaluate_rest(&self, scope: &dyn Scope) -> Result<(), Diagnostics> {
        let mut evaluated = self.evaluated.lock().unwrap_or_else(|p| p.into_inner());
        let rest: BTreeSet<String> = self
            .blocks
            .iter()
            .map(Import::config_address)
            .filter(|resource| !evaluated.contains_key(resource))
            .collect();
        for resource in rest {
            let targets = self.evaluate(scope, &resource)?;
            evaluated.insert(resource, targets);
        }
        Ok(())
    }

    /// Errors for evaluated import targets in scope (`-target`, `-exclude`) the configuration
    /// has no instance for.
    pub fn unmatched(
        &self,
        seen: &HashSet<String>,
        in_scope: &dyn Fn(&str) -> bool,
    ) -> Diagnostics {
        let evaluated = self.evaluated.lock().unwrap_or_else(|p| p.into_inner());
        let mut diagnostics = Diagnostics::new();
        if let Some((address, _)) = self.single.filter(|(a, _)| !seen.contains(a)) {
            diagnostics.push(
                Diagnostic::error("Configuration for import target does not exist")
                    .with_detail(format!("The configuration has no instance {address}: its resource is not declared, or has no instance with that key. Add it to the configuration first, then import.")),
            );
        }
        for (address, (_, span)) in evaluated.values().flatten() {
            if !seen.contains(address) && in_scope(address) {
                diagnostics.push(
                    Diagnostic::error("Configuration for import target does not exist")
                        .with_detail(format!("The configuration for the given import target {address} does not exist: its resource (or the module it is in) has no instance with that key."))
                        .with_span(span.clone()),
                );
            }
        }
        diagnostics
    }

    fn evaluate(&self, scope: &dyn Scope, resource: &str) -> Result<Targets, Diagnostics> {
        let mut targets = BTreeMap::new();
        let mut diagnostics = Diagnostics::new();
        let blocks = self
            .blocks
            .iter()
            .filter(|b| b.config_address() == resource);
        for block in blocks {
            match expand_block(block, scope) {
                Ok(found) => {
                    for (address, id) in found {
                        if targets.contains_key(&address) {
                            diagnostics.push(
                                Diagnostic::error("Duplicate import configuration")
                                    .with_detail(format!("An import block for the resource {address} was already declared; a resource can be imported only once."))
                                    .with_span(block.span.clone()),
                            );
                        }
                        targets.insert(address, (id, block.span.clone()));
                    }
                }
                Err(d) => diagnostics.extend(d),
            }
        }
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        Ok(targets)
    }
}

/// The configuration address of `request`'s resource (`module.web.aws_instance.this`).
fn config_address(request: &InstanceRequest<'_>) -> String {
    let resource = format!("{}.{}", request.resource.type_name, request.resource.name);
    if request.module.is_empty() {
        return resource;
    }
    format!("{}.{resource}", without_keys(request.module))
}

/// The (address, id) pairs one block imports: one, or one per `for_each` element.
fn expand_block(block: &Import, scope: &dyn Scope) -> Result<Vec<(String, String)>, Diagnostics> {
    let resource = block.config_address();
    let error = |e: EvalError, span: &Span| Diagnostics::from(eval_error(e, span, &resource));
    let bindings = match &block.for_each {
        None => vec![None],
        Some(for_each) => {
            let value = eval::evaluate(
                &for_each.expr,
                &EachScope {
                    each: None,
                    inner: scope,
                },
            )
            .map_err(|e| error(e, &for_each.span))?;
            match expand::from_for_each(&value, &for_each.span)
                .map_err(|d| Diagnostics::from(*d))?
            {
                expand::Expansion::ForEach(items) => items.into_iter().map(Some).collect(),
                _ => Vec::new(),
            }
        }
    };
    let mut found = Vec::new();
    for each in bindings {
        let scope = EachScope {
            each: each.as_ref(),
            inner: scope,
        };
        let key_of = |key: &Option<Expr>| match key {
            None => Ok(Key::None),
            Some(key) => {
                let value = eval::evaluate(&key.expr, &scope).map_err(|e| error(e, &key.span))?;
                instance_key(&value).ok_or_else(|| {
                    Diagnostics::from(
                        Diagnostic::error("Invalid import address")
                            .with_detail(format!("The key of the import target must be a known number or string, not {}.", value.type_name()))
                            .with_span(key.span.clone()),
                    )
                })
            }
        };
        let mut address = String::new();
        for step in &block.module {
            address.push_str(&format!("module.{}{}.", step.name, key_of(&step.key)?));
        }
        address.push_str(&format!(
            "{}.{}{}",
            block.type_name,
            block.name,
            key_of(&block.key)?
        ));
        let id = eval::evaluate(&block.id.expr, &scope).map_err(|e| error(e, &block.id.span))?;
        let id = match id.unmark_deep().0 {
            Value::String(s) if !s.is_empty() => s,
            Value::Unknown => {
                return Err(Diagnostic::error("Invalid import id argument")
                    .with_detail("The import ID cannot be unknown: it must be known when planning, so it may refer to variables and locals but not to attributes of objects not yet created.")
                    .with_span(block.id.span.clone())
                    .into())
            }
            other => {
                return Err(Diagnostic::error("Invalid import id argument")
                    .with_detail(format!("The import ID must be a non-empty string, not {}.", other.type_name()))
                    .with_span(block.id.span.clone())
                    .into())
            }
        };
        found.push((address, id));
    }
    Ok(found)
}

fn instance_key(value: &Value) -> Option<Key> {
    match value.clone().unmark_deep().0 {
        Value::String(s) => Some(Key::Name(s)),
        Value::Number(n) => n
            .as_i64()
            .and_then(|i| usize::try_from(i).ok())
            .map(Key::Index),
        _ => None,
    }
}

/// A scope that answers `each` for an import block's `for_each` and asks the target's scope
/// for everything else.
struct EachScope<'a> {
    each: Option<&'a (String, Value)>,
    inner: &'a dyn Scope,
}

impl Scope for EachScope<'_> {
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        if names[0] != "each" {
            return self.inner.resolve(names);
        }
        match (self.each, names.get(1).copied()) {
            (Some((k, _)), Some("key")) => Ok((Value::String(k.clone()), 2)),
            (Some((_, v)), Some("value")) => Ok((v.clone(), 2)),
            (Some(_), _) => Err("Invalid reference: each has only the attributes \"key\" and \"value\".".into()),
            (None, _) => Err("Reference to \"each\" in context without for_each: \"each\" can be used in an import block only when its \"for_each\" argument is set.".into()),
        }
    }

    fn planning(&self) -> bool {
        self.inner.planning()
    }

    fn provider_function(
        &self,
        provider: &str,
        function: &str,
        args: &[Value],
    ) -> Option<Result<Value, EvalError>> {
        self.inner.provider_function(provider, function, args)
    }
}

/// Import blocks whose target resource the configuration does not declare (nor the module
/// it names).
pub fn unconfigured(config: &Config) -> Vec<&Import> {
    config
        .root
        .imports
        .iter()
        .filter(|i| {
            !config.root.module_at(&i.module_path()).is_some_and(|m| {
                m.resources.iter().any(|r| {
                    r.mode == Mode::Managed && r.type_name == i.type_name && r.name == i.name
                })
            })
        })
        .collect()
}

/// The error for an import block whose target is not configured: plinth writes configuration
/// for root-module targets only (`-generate-config-out`).
pub fn unconfigured_error(import: &Import) -> Diagnostic {
    let address = import.config_address();
    let detail = if import.module.is_empty() {
        format!("The configuration for the given import target {address} does not exist. Write a resource block for it, or let plinth write one: `plinth plan -generate-config-out=generated.tf`.")
    } else {
        let path = import.module_path();
        let module = path
            .iter()
            .map(|name| format!("module.{name}"))
            .collect::<Vec<_>>()
            .join(".");
        format!("The configuration for the given import target {address} does not exist: {module} is not declared, or declares no resource \"{}\" \"{}\". plinth generates configuration for root-module targets only: write the resource block in the module yourself.", import.type_name, import.name)
    };
    Diagnostic::error("Configuration for import target does not exist")
        .with_detail(detail)
        .with_span(import.span.clone())
}

/// The object `id` names, read through `provider`'s import for an instance at `address`, with
/// the private bytes the provider keeps with it; a provider that finds nothing is Terraform's
/// "Cannot import non-existent remote object".
pub async fn read_object(
    provider: &dyn Provider,
    ctx: &plinth_sdk::Context,
    type_name: &str,
    id: &str,
    address: &str,
) -> Result<(Value, Vec<u8>), Diagnostics> {
    let request = ImportRequest {
        type_name: type_name.to_string(),
        id: id.to_string(),
    };
    let response = provider.import(ctx, request).await;
    if response.diagnostics.has_errors() {
        return Err(response.diagnostics.with_address(address));
    }
    let private = response.private;
    let value = response.new_state.filter(|v| !v.is_null());
    value.map(|v| (v, private)).ok_or_else(|| {
        Diagnostic::error("Cannot import non-existent remote object")
            .with_detail(format!("While attempting to import an existing object to {address}, the provider found no {type_name} with the id \"{id}\". Check that the id is correct and that the provider is configured for the right place."))
            .with_address(address)
            .into()
    })
}

/// Imports the object `id` names for `request`'s instance through `provider`.
pub async fn read(
    provider: &dyn Provider,
    ctx: &plinth_sdk::Context,
    request: &InstanceRequest<'_>,
    id: String,
) -> Result<Imported, Diagnostics> {
    let type_name = &request.resource.type_name;
    let (value, private) = read_object(provider, ctx, type_name, &id, &request.address).await?;
    let value = diff::normalise(request.schema, value);
    Ok(Imported {
        address: request.address.clone(),
        id,
        type_name: type_name.clone(),
        provider: request.provider.to_string(),
        sensitive_attributes: diff::sensitive_names(request.schema, &value),
        value,
        dependencies: request.depends_on.to_vec(),
        schema_version: request.schema.version,
        private,
    })
}
