//! Results of evaluated graph nodes, per module instance, and the `Scope` that answers
//! references from them. Each node writes only its own results once and reads only those of
//! the nodes it depends on, so values flow along the graph's edges.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use plinth_sdk::Value;

use crate::config::{Mode, Module};
use crate::engine::expand::{Binding, Expansion, Key};
use crate::engine::providers::Providers;
use crate::eval::Scope;

/// A module instance address prefix: `""` for the root, `module.a[0].module.b` below.
pub type ModuleInstance = String;

/// Joins a module instance and a call key into the child's module instance.
pub fn child_instance(parent: &str, call: &str, key: &Key) -> ModuleInstance {
    if parent.is_empty() {
        format!("module.{call}{key}")
    } else {
        format!("{parent}.module.{call}{key}")
    }
}

/// The instance address of a resource instance.
pub fn instance_address(
    module: &str,
    mode: Mode,
    type_name: &str,
    name: &str,
    key: &Key,
) -> String {
    let data = if mode == Mode::Data { "data." } else { "" };
    if module.is_empty() {
        format!("{data}{type_name}.{name}{key}")
    } else {
        format!("{module}.{data}{type_name}.{name}{key}")
    }
}

type ResourceKey = (ModuleInstance, Mode, String, String);

#[derive(Default)]
struct Inner {
    variables: HashMap<(ModuleInstance, String), Value>,
    locals: HashMap<(ModuleInstance, String), Value>,
    outputs: HashMap<(ModuleInstance, String), Value>,
    resources: HashMap<ResourceKey, Value>,
    calls: HashMap<(ModuleInstance, String), Expansion>,
    inputs: HashMap<ModuleInstance, BTreeMap<String, Value>>,
}

/// The results of every node evaluated so far.
#[derive(Default)]
pub struct Results {
    inner: Mutex<Inner>,
}

impl Results {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a variable's value.
    pub fn set_variable(&self, module: &str, name: &str, value: Value) {
        self.lock()
            .variables
            .insert((module.to_string(), name.to_string()), value);
    }

    /// Records a local's value.
    pub fn set_local(&self, module: &str, name: &str, value: Value) {
        self.lock()
            .locals
            .insert((module.to_string(), name.to_string()), value);
    }

    /// Records an output's value.
    pub fn set_output(&self, module: &str, name: &str, value: Value) {
        self.lock()
            .outputs
            .insert((module.to_string(), name.to_string()), value);
    }

    /// An output's value.
    pub fn output(&self, module: &str, name: &str) -> Option<Value> {
        self.lock()
            .outputs
            .get(&(module.to_string(), name.to_string()))
            .cloned()
    }

    /// Records the whole value of a resource in a module instance: an object, a list (count)
    /// or a map (for_each) of instance objects.
    pub fn set_resource(
        &self,
        module: &str,
        mode: Mode,
        type_name: &str,
        name: &str,
        value: Value,
    ) {
        self.lock().resources.insert(
            (
                module.to_string(),
                mode,
                type_name.to_string(),
                name.to_string(),
            ),
            value,
        );
    }

    /// Records how a module call expands in a parent instance.
    pub fn set_call(&self, parent: &str, call: &str, expansion: Expansion) {
        self.lock()
            .calls
            .insert((parent.to_string(), call.to_string()), expansion);
    }

    /// Records the input values of a child module instance.
    pub fn set_inputs(&self, child: &str, inputs: BTreeMap<String, Value>) {
        self.lock().inputs.insert(child.to_string(), inputs);
    }

    /// An input value given to a child module instance, if the call set it.
    pub fn input(&self, child: &str, name: &str) -> Option<Value> {
        self.lock()
            .inputs
            .get(child)
            .and_then(|m| m.get(name).cloned())
    }

    /// Every instance of the module at `path` (call names from the root).
    pub fn module_instances(&self, path: &[String]) -> Vec<ModuleInstance> {
        let inner = self.lock();
        let mut current = vec![String::new()];
        for call in path {
            let mut next = Vec::new();
            for parent in &current {
                if let Some(exp) = inner.calls.get(&(parent.clone(), call.clone())) {
                    for (key, _) in exp.instances() {
                        next.push(child_instance(parent, call, &key));
                    }
                }
            }
            current = next;
        }
        current
    }

    /// The value of `module.<call>` seen from `parent`: an object of outputs, or a list/map of
    /// them when the call has count/for_each.
    fn module_value(&self, parent: &str, call: &str, outputs: &[String]) -> Option<Value> {
        let inner = self.lock();
        let exp = inner.calls.get(&(parent.to_string(), call.to_string()))?;
        let object = |key: &Key| {
            let child = child_instance(parent, call, key);
            Value::Map(
                outputs
                    .iter()
                    .map(|o| {
                        (
                            o.clone(),
                            inner
                                .outputs
                                .get(&(child.clone(), o.clone()))
                                .cloned()
                                .unwrap_or(Value::Unknown),
                        )
                    })
                    .collect(),
            )
        };
        Some(match exp {
            Expansion::Single => object(&Key::None),
            Expansion::Count(_) => {
                Value::List(exp.instances().iter().map(|(k, _)| object(k)).collect())
            }
            Expansion::ForEach(items) => Value::Map(
                items
                    .iter()
                    .map(|(k, _)| (k.clone(), object(&Key::Name(k.clone()))))
                    .collect(),
            ),
        })
    }
}

/// Answers references inside one module instance (and one resource instance's bindings).
pub struct InstanceScope<'a> {
    /// Where values come from.
    pub results: &'a Results,
    /// The module instance evaluated in.
    pub module: &'a str,
    /// The module's configuration (for module call outputs).
    pub config: &'a Module,
    /// `count.index` / `each`.
    pub binding: &'a Binding,
    /// `path.module`.
    pub module_dir: &'a PathBuf,
    /// `terraform.workspace`.
    pub workspace: &'a str,
    /// Whether this is a plan (impure functions are unknown then).
    pub planning: bool,
    /// The run's providers (for provider-defined functions).
    pub providers: &'a Providers,
}

impl Scope for InstanceScope<'_> {
    fn planning(&self) -> bool {
        self.planning
    }

    fn provider_function(
        &self,
        provider: &str,
        function: &str,
        args: &[Value],
    ) -> Option<Result<Value, crate::eval::EvalError>> {
        self.providers.call_function(provider, function, args)
    }

    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        let second = names.get(1).copied();
        let missing_attr = |root: &str| {
            format!("A reference to \"{root}\" must be followed by an attribute name.")
        };
        match names[0] {
            "var" => {
                let n = second.ok_or_else(|| missing_attr("var"))?;
                let inner = self.results.lock();
                inner
                    .variables
                    .get(&(self.module.to_string(), n.to_string()))
                    .cloned()
                    .map(|v| (v, 2))
                    .ok_or_else(|| format!("Reference to undeclared input variable: an input variable with the name \"{n}\" has not been declared."))
            }
            "local" => {
                let n = second.ok_or_else(|| missing_attr("local"))?;
                let inner = self.results.lock();
                inner
                    .locals
                    .get(&(self.module.to_string(), n.to_string()))
                    .cloned()
                    .map(|v| (v, 2))
                    .ok_or_else(|| format!("Reference to undeclared local value: a local value with the name \"{n}\" has not been declared."))
            }
            "count" => match (self.binding, second) {
                (Binding::Count(i), Some("index")) => Ok((Value::from(*i as i64), 2)),
                (Binding::Count(_), _) => Err("Invalid reference: count has only the attribute \"index\".".into()),
                _ => Err("Reference to \"count\" in non-counted context: the \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.".into()),
            },
            "each" => match (self.binding, second) {
                (Binding::Each(k, _), Some("key")) => Ok((Value::String(k.clone()), 2)),
                (Binding::Each(_, v), Some("value")) => Ok((v.clone(), 2)),
                (Binding::Each(..), _) => Err("Invalid reference: each has only the attributes \"key\" and \"value\".".into()),
                _ => Err("Reference to \"each\" in context without for_each: the \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.".into()),
            },
            "path" => {
                let value = match second {
                    Some("module") => self.module_dir.display().to_string(),
                    Some("root") => ".".to_string(),
                    Some("cwd") => std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default(),
                    _ => return Err("Invalid \"path\" attribute: the \"path\" object has the attributes \"module\", \"root\" and \"cwd\".".into()),
                };
                Ok((Value::String(value), 2))
            }
            "terraform" => match second {
                Some("workspace") => Ok((Value::String(self.workspace.to_string()), 2)),
                _ => Err("Invalid \"terraform\" attribute: the \"terraform\" object has only the attribute \"workspace\".".into()),
            },
            "module" => {
                let n = second.ok_or_else(|| missing_attr("module"))?;
                let call = self
                    .config
                    .module_calls
                    .iter()
                    .find(|c| c.name == n)
                    .ok_or_else(|| format!("Reference to undeclared module: no module call named \"{n}\" is declared in this module."))?;
                let outputs: Vec<String> = call.module.outputs.iter().map(|o| o.name.clone()).collect();
                self.results
                    .module_value(self.module, n, &outputs)
                    .map(|v| (v, 2))
                    .ok_or_else(|| format!("module.{n} has not been evaluated"))
            }
            "data" => {
                let (t, n) = (second.unwrap_or_default(), names.get(2).copied().unwrap_or_default());
                let inner = self.results.lock();
                inner
                    .resources
                    .get(&(self.module.to_string(), Mode::Data, t.to_string(), n.to_string()))
                    .cloned()
                    .map(|v| (v, 3))
                    .ok_or_else(|| format!("Reference to undeclared resource: a data resource \"{t}\" \"{n}\" has not been declared in this module."))
            }
            t => {
                let n = second.ok_or_else(|| missing_attr(t))?;
                let inner = self.results.lock();
                inner
                    .resources
                    .get(&(self.module.to_string(), Mode::Managed, t.to_string(), n.to_string()))
                    .cloned()
                    .map(|v| (v, 2))
                    .ok_or_else(|| format!("Reference to undeclared resource: a managed resource \"{t}\" \"{n}\" has not been declared in this module."))
            }
        }
    }
}

/// A scope that resolves nothing: for constant expressions such as variable defaults.
pub struct EmptyScope;

impl Scope for EmptyScope {
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        Err(format!("Variables not allowed: \"{}\" cannot be referenced here; only constant values are allowed.", names.join(".")))
    }
}
