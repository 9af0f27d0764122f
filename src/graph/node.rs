//! Graph nodes: one per configuration object (not per instance), named by module path and kind.

use std::fmt;

use crate::config::Mode;

/// The call names from the root to a module (`["vpc", "subnets"]`); empty for the root.
pub type ModulePath = Vec<String>;

/// What a node stands for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    /// `variable "name"`.
    Variable(String),
    /// `local.name`.
    Local(String),
    /// `output "name"`.
    Output(String),
    /// `resource` or `data` block.
    Resource {
        /// Managed or data.
        mode: Mode,
        /// The type.
        type_name: String,
        /// The name.
        name: String,
    },
    /// `module "name"`: expands the child and evaluates its inputs.
    ModuleCall(String),
    /// A provider configuration (`docker`, `aws.west`); always at the root.
    Provider(String),
}

/// A configuration object in a module.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Node {
    /// The module it belongs to.
    pub module: ModulePath,
    /// What it is.
    pub kind: NodeKind,
}

impl Node {
    /// The module path as an address prefix without keys (`module.vpc.`), empty at the root.
    pub fn module_prefix(&self) -> String {
        self.module.iter().map(|m| format!("module.{m}.")).collect()
    }
}

impl fmt::Display for Node {
    /// Terraform-like address: `module.vpc.aws_subnet.public`, `var.region`, `local.x`,
    /// `output.id`, `module.vpc` (calls), `provider["docker"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = self.module_prefix();
        match &self.kind {
            NodeKind::Variable(n) => write!(f, "{prefix}var.{n}"),
            NodeKind::Local(n) => write!(f, "{prefix}local.{n}"),
            NodeKind::Output(n) => write!(f, "{prefix}output.{n}"),
            NodeKind::Resource {
                mode: Mode::Managed,
                type_name,
                name,
            } => write!(f, "{prefix}{type_name}.{name}"),
            NodeKind::Resource {
                mode: Mode::Data,
                type_name,
                name,
            } => write!(f, "{prefix}data.{type_name}.{name}"),
            NodeKind::ModuleCall(n) => write!(f, "{prefix}module.{n}"),
            NodeKind::Provider(p) => write!(f, "provider[\"{p}\"]"),
        }
    }
}
