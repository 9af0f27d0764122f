//! The types of outputs, as Terraform records them in state and prints in `output -json`:
//! [`static_type`] answered from the configuration (declared variable types, locals, resource
//! schemas, child module outputs), completed from each output's value.

use hcl::expr::TraversalOperator;
use plinth_sdk::{Nesting, ObjectAttr, Schema, Type, Value};

use crate::config::{Mode, Module, Output};
use crate::engine::providers::Providers;
use crate::eval::static_type::{result_type, static_type, TypeScope};

/// How deep locals and module outputs are followed (a cycle is refused elsewhere; this only
/// bounds the work).
const MAX_DEPTH: usize = 64;

/// The type of `output`'s `value` in `module`, in cty's JSON form.
pub fn output_type(
    module: &Module,
    output: &Output,
    value: &Value,
    providers: &Providers,
) -> serde_json::Value {
    let scope = ModuleTypes {
        module,
        providers,
        depth: 0,
    };
    result_type(&output.value.expr, value, &scope).to_cty_json()
}

/// Declared types of the references of one module.
struct ModuleTypes<'a> {
    module: &'a Module,
    providers: &'a Providers,
    depth: usize,
}

impl<'a> ModuleTypes<'a> {
    fn within(&self, module: &'a Module) -> ModuleTypes<'a> {
        ModuleTypes {
            module,
            providers: self.providers,
            depth: self.depth + 1,
        }
    }

    fn output(&self, output: &Output) -> Type {
        static_type(&output.value.expr, self)
    }

    /// The type of a resource instance (`TYPE.NAME`, or `TYPE.NAME[KEY]` with count or
    /// for_each) from its schema, and how many of `rest` it used.
    fn resource(
        &self,
        mode: Mode,
        type_name: &str,
        name: &str,
        rest: &[TraversalOperator],
    ) -> Option<(Type, usize)> {
        let resource = self
            .module
            .resources
            .iter()
            .find(|r| r.mode == mode && r.type_name == type_name && r.name == name)?;
        let provider = resource.provider.as_ref().map_or_else(
            || type_name.split('_').next().unwrap_or(type_name),
            |p| p.name.as_str(),
        );
        let object = schema_type(&self.providers.resource_schema(provider, mode, type_name)?);
        if resource.count.is_none() && resource.for_each.is_none() {
            return Some((object, 0));
        }
        match rest.first() {
            Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)) => {
                Some((object, 1))
            }
            _ => None,
        }
    }
}

impl TypeScope for ModuleTypes<'_> {
    fn reference_type(&self, root: &str, operators: &[TraversalOperator]) -> Option<(Type, usize)> {
        if self.depth > MAX_DEPTH {
            return None;
        }
        let name = |i: usize| match operators.get(i) {
            Some(TraversalOperator::GetAttr(name)) => Some(name.as_str()),
            _ => None,
        };
        match root {
            "var" => {
                let wanted = name(0)?;
                let variable = self.module.variables.iter().find(|v| v.name == wanted)?;
                Some((variable.ty.clone().unwrap_or(Type::Any), 1))
            }
            "local" => {
                let local = self.module.local(name(0)?)?;
                Some((static_type(&local.expr.expr, &self.within(self.module)), 1))
            }
            "path" | "terraform" => Some((Type::String, 1)),
            "module" => {
                let wanted = name(0)?;
                let call = self.module.module_calls.iter().find(|c| c.name == wanted)?;
                if call.count.is_some() || call.for_each.is_some() {
                    return None;
                }
                let child = self.within(&call.module);
                match name(1) {
                    Some(output) => {
                        let output = call.module.outputs.iter().find(|o| o.name == output)?;
                        Some((child.output(output), 2))
                    }
                    None => Some((
                        Type::Object(
                            call.module
                                .outputs
                                .iter()
                                .map(|o| (o.name.clone(), attribute(child.output(o))))
                                .collect(),
                        ),
                        1,
                    )),
                }
            }
            "data" => self
                .resource(Mode::Data, name(0)?, name(1)?, &operators[2..])
                .map(|(ty, used)| (ty, used + 2)),
            "count" | "each" | "self" => None,
            type_name => self
                .resource(Mode::Managed, type_name, name(0)?, &operators[1..])
                .map(|(ty, used)| (ty, used + 1)),
        }
    }
}

/// The object type of a resource's values: its attributes, and its blocks as lists, sets or
/// single objects of theirs.
fn schema_type(schema: &Schema) -> Type {
    let attributes = schema
        .attributes
        .iter()
        .map(|(name, a)| (name.clone(), attribute(a.ty.clone())));
    let blocks = schema.blocks.iter().map(|(name, block)| {
        let object = schema_type(&block.schema);
        let ty = match block.nesting {
            Nesting::Single => object,
            Nesting::List => Type::list(object),
            Nesting::Set => Type::set(object),
        };
        (name.clone(), attribute(ty))
    });
    Type::Object(attributes.chain(blocks).collect())
}

fn attribute(ty: Type) -> ObjectAttr {
    ObjectAttr {
        ty,
        optional: false,
        default: None,
    }
}
