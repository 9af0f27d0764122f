//! The parsed configuration: modules with their resources, data sources, variables, locals,
//! outputs, providers and module calls. Pure data with source spans; nothing here evaluates.

use std::collections::BTreeMap;
use std::path::PathBuf;

use plinth_sdk::{Diagnostics, Span, Type};

/// An expression from the source with the span of the whole expression.
#[derive(Clone, Debug)]
pub struct Expr {
    /// The parsed expression (hcl-rs's tree, evaluated by `eval`).
    pub expr: hcl::Expression,
    /// Where it is written.
    pub span: Span,
}

/// An attribute `name = expr` inside a body.
#[derive(Clone, Debug)]
pub struct Attribute {
    /// The attribute name.
    pub name: String,
    /// Its value expression.
    pub expr: Expr,
    /// The span of the name (for "unknown attribute" errors).
    pub name_span: Span,
}

/// A nested block inside a body (`ingress { ... }`).
#[derive(Clone, Debug)]
pub struct Block {
    /// The block type (`ingress`).
    pub kind: String,
    /// Its labels, if any.
    pub labels: Vec<String>,
    /// Its content.
    pub body: Body,
    /// The span of the block header.
    pub span: Span,
}

/// A `dynamic "kind" { for_each = ..., iterator = ..., content { ... } }` block.
#[derive(Clone, Debug)]
pub struct DynamicBlock {
    /// The kind of block it generates.
    pub kind: String,
    /// The collection to iterate.
    pub for_each: Expr,
    /// The iterator name (defaults to `kind`).
    pub iterator: String,
    /// Labels expressions of the generated blocks.
    pub labels: Vec<Expr>,
    /// The body of each generated block.
    pub content: Body,
    /// The span of the `dynamic` header.
    pub span: Span,
}

/// The body of a resource, data source, provider or nested block: attributes and blocks in
/// source order, meta-arguments (count, for_each, provider, depends_on, lifecycle) removed.
#[derive(Clone, Debug, Default)]
pub struct Body {
    /// Attributes in source order.
    pub attributes: Vec<Attribute>,
    /// Nested blocks in source order.
    pub blocks: Vec<Block>,
    /// Dynamic blocks in source order.
    pub dynamic_blocks: Vec<DynamicBlock>,
}

/// Whether a resource block is managed (`resource`) or a data source (`data`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// `resource "type" "name"`.
    Managed,
    /// `data "type" "name"`.
    Data,
}

/// `ignore_changes` of a lifecycle block.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum IgnoreChanges {
    /// Nothing ignored.
    #[default]
    None,
    /// `ignore_changes = all`.
    All,
    /// Top-level attribute names (or paths like `tags.Name`) to ignore.
    Attributes(Vec<String>),
}

/// A `lifecycle` block.
#[derive(Clone, Debug, Default)]
pub struct Lifecycle {
    /// Create the replacement before destroying the old object.
    pub create_before_destroy: bool,
    /// Refuse any plan that destroys this resource.
    pub prevent_destroy: bool,
    /// Attributes whose configuration changes are ignored after create.
    pub ignore_changes: IgnoreChanges,
    /// References whose change replaces this resource.
    pub replace_triggered_by: Vec<Expr>,
    /// `precondition` blocks: checked before the instance is planned.
    pub preconditions: Vec<Validation>,
    /// `postcondition` blocks: checked once the instance is planned, applied or read.
    pub postconditions: Vec<Validation>,
    /// `enabled = ...` (OpenTofu): when false the resource has no instances.
    pub enabled: Option<Expr>,
}

/// When a provisioner runs: after the object is created, or before it is destroyed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum When {
    /// `when = create` (the default).
    #[default]
    Create,
    /// `when = destroy`.
    Destroy,
}

/// What a failing provisioner does to the apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnFailure {
    /// `on_failure = fail` (the default): the apply fails; after a create the object is tainted.
    #[default]
    Fail,
    /// `on_failure = continue`: the failure is reported and the apply goes on.
    Continue,
}

/// A `provisioner "kind" { ... }` block of a resource.
#[derive(Clone, Debug)]
pub struct Provisioner {
    /// The provisioner (`local-exec`, `file`, `remote-exec`).
    pub kind: String,
    /// When it runs.
    pub when: When,
    /// What a failure does.
    pub on_failure: OnFailure,
    /// Its arguments (may refer to `self`).
    pub body: Body,
    /// How `file` and `remote-exec` reach the machine: the provisioner's own `connection`
    /// block, else the resource's (may refer to `self`).
    pub connection: Option<Block>,
    /// The span of the block header.
    pub span: Span,
}

/// A `resource` or `data` block.
#[derive(Clone, Debug)]
pub struct Resource {
    /// Managed or data.
    pub mode: Mode,
    /// The type (`aws_vpc`).
    pub type_name: String,
    /// The name (`main`).
    pub name: String,
    /// `provider = aws.west`: the provider name and alias.
    pub provider: Option<ProviderRef>,
    /// `count = ...`.
    pub count: Option<Expr>,
    /// `for_each = ...`.
    pub for_each: Option<Expr>,
    /// `depends_on = [...]`: each a reference expression.
    pub depends_on: Vec<Expr>,
    /// The `lifecycle` block.
    pub lifecycle: Lifecycle,
    /// `provisioner` blocks, in order.
    pub provisioners: Vec<Provisioner>,
    /// Everything else.
    pub body: Body,
    /// The span of the block header.
    pub span: Span,
}

/// A reference to a provider configuration: `aws` or `aws.west`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProviderRef {
    /// The provider's local name (`aws`).
    pub name: String,
    /// The alias, if any (`west`).
    pub alias: Option<String>,
}

/// A `variable` block.
#[derive(Clone, Debug)]
pub struct Variable {
    /// Its name.
    pub name: String,
    /// `type = ...`, parsed; None means any.
    pub ty: Option<Type>,
    /// `default = ...` (a constant expression).
    pub default: Option<Expr>,
    /// `description = "..."`.
    pub description: Option<String>,
    /// `sensitive = true`.
    pub sensitive: bool,
    /// `nullable = false` makes this false.
    pub nullable: bool,
    /// `ephemeral = true`: the value is never stored in a plan file or in state.
    pub ephemeral: bool,
    /// `validation { condition, error_message }` blocks.
    pub validations: Vec<Validation>,
    /// The span of the block header.
    pub span: Span,
}

/// A `validation`, `precondition` or `postcondition` block.
#[derive(Clone, Debug)]
pub struct Validation {
    /// Must be true for the value to be valid.
    pub condition: Expr,
    /// Printed when it is not.
    pub error_message: Expr,
}

/// One `name = expr` from a `locals` block.
#[derive(Clone, Debug)]
pub struct Local {
    /// Its name.
    pub name: String,
    /// Its expression.
    pub expr: Expr,
}

/// An `output` block.
#[derive(Clone, Debug)]
pub struct Output {
    /// Its name.
    pub name: String,
    /// `value = ...`.
    pub value: Expr,
    /// `description = "..."`.
    pub description: Option<String>,
    /// `sensitive = true`.
    pub sensitive: bool,
    /// `depends_on = [...]`.
    pub depends_on: Vec<Expr>,
    /// `precondition` blocks, checked before the value is evaluated.
    pub preconditions: Vec<Validation>,
    /// `ephemeral = true` (child modules only): the value may come from ephemeral values.
    pub ephemeral: bool,
    /// The span of the block header.
    pub span: Span,
}

/// A `provider` block.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// The provider's local name.
    pub name: String,
    /// `alias = "..."`.
    pub alias: Option<String>,
    /// Its settings.
    pub body: Body,
    /// The span of the block header.
    pub span: Span,
}

/// A `module` block with the module it loads.
#[derive(Clone, Debug)]
pub struct ModuleCall {
    /// Its name.
    pub name: String,
    /// `source = "./modules/vpc"` as written.
    pub source: String,
    /// `count = ...`.
    pub count: Option<Expr>,
    /// `for_each = ...`.
    pub for_each: Option<Expr>,
    /// `depends_on = [...]`.
    pub depends_on: Vec<Expr>,
    /// `providers = { aws = aws.west }`: child name → parent reference.
    pub providers: BTreeMap<String, ProviderRef>,
    /// Every other attribute: the module's input variables.
    pub inputs: BTreeMap<String, Expr>,
    /// The loaded child module.
    pub module: Box<Module>,
    /// The span of the block header.
    pub span: Span,
}

/// `required_providers` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct RequiredProvider {
    /// `source = "kreuzwerker/docker"`.
    pub source: Option<String>,
    /// `version = "~> 3.0"`.
    pub version: Option<String>,
    /// Where the entry is written.
    pub span: Span,
}

/// A `backend "type" { ... }` block.
#[derive(Clone, Debug)]
pub struct Backend {
    /// The backend type (`local`, `s3`, `pg`).
    pub kind: String,
    /// Its settings (constant expressions).
    pub body: Body,
    /// The span of the block header.
    pub span: Span,
}

/// The `terraform { ... }` block(s) of a module, merged.
#[derive(Clone, Debug, Default)]
pub struct TerraformSettings {
    /// `required_providers`, by local name.
    pub required_providers: BTreeMap<String, RequiredProvider>,
    /// `backend`.
    pub backend: Option<Backend>,
    /// `encryption` (state and plan encryption at rest), decoded by the command line.
    pub encryption: Option<Block>,
    /// `required_version`.
    pub required_version: Option<String>,
    /// Where `required_version` is written.
    pub required_version_span: Option<Span>,
}

/// One end of a `moved` or `removed` block, relative to the module declaring it: a module call
/// (`module.a`), a module instance (`module.a[0]`), a resource or a resource instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The module steps: call name and instance key as written in addresses (`[0]`, `["x"]`).
    pub modules: Vec<(String, Option<String>)>,
    /// The resource type, name and instance key, when the endpoint names a resource.
    pub resource: Option<(String, String, Option<String>)>,
    /// Where it is written.
    pub span: Span,
}

impl Endpoint {
    /// Whether the last step has an instance key (`aws_instance.a[0]`, `module.m["x"]`).
    pub fn has_key(&self) -> bool {
        match &self.resource {
            Some((_, _, key)) => key.is_some(),
            None => self.modules.last().is_some_and(|(_, key)| key.is_some()),
        }
    }
}

impl std::fmt::Display for Endpoint {
    /// The address as state writes it: `module.a["x"].aws_instance.b[0]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        for (name, key) in &self.modules {
            parts.push(format!("module.{name}{}", key.as_deref().unwrap_or("")));
        }
        if let Some((type_name, name, key)) = &self.resource {
            parts.push(format!(
                "{type_name}.{name}{}",
                key.as_deref().unwrap_or("")
            ));
        }
        f.write_str(&parts.join("."))
    }
}

/// A `moved` block: what was at `from` is now at `to`, without destroying anything.
#[derive(Clone, Debug)]
pub struct Moved {
    /// The old address.
    pub from: Endpoint,
    /// The new address.
    pub to: Endpoint,
    /// The span of the block header.
    pub span: Span,
}

/// A `check "name"` block: assertions about the infrastructure, reported as warnings.
#[derive(Clone, Debug)]
pub struct Check {
    /// Its name.
    pub name: String,
    /// Its scoped `data` blocks, read for the check only.
    pub data: Vec<Resource>,
    /// Its `assert` blocks.
    pub asserts: Vec<Validation>,
    /// The span of the block header.
    pub span: Span,
}

/// A `removed` block: the resource or module at `from` left the configuration on purpose.
#[derive(Clone, Debug)]
pub struct Removed {
    /// The resource or module call no longer configured.
    pub from: Endpoint,
    /// `lifecycle { destroy = ... }`: false forgets the objects instead of destroying them.
    pub destroy: bool,
    /// The span of the block header.
    pub span: Span,
}

/// An `import { to = …, id = … }` block: an existing object to bring under management.
#[derive(Clone, Debug)]
pub struct Import {
    /// The module instances the target sits in, outermost first (empty for the root module):
    /// `module.web["a"].aws_instance.this` has one step, `web` with the key `"a"`.
    pub module: Vec<ImportStep>,
    /// The resource type of the target (`docker_network`).
    pub type_name: String,
    /// The resource name of the target.
    pub name: String,
    /// The instance key expression of the target (`[0]`, `["a"]`, `[each.key]`), if any.
    pub key: Option<Expr>,
    /// The id the provider imports by.
    pub id: Expr,
    /// `for_each`: one import per element.
    pub for_each: Option<Expr>,
    /// `provider = docker.remote`.
    pub provider: Option<ProviderRef>,
    /// The span of the block header.
    pub span: Span,
}

/// One module step of an import target: `module.NAME` with its instance key expression
/// (`[0]`, `["a"]`, `[each.key]`), if any.
#[derive(Clone, Debug)]
pub struct ImportStep {
    /// The module call's name.
    pub name: String,
    /// The module instance key expression.
    pub key: Option<Expr>,
}

impl Import {
    /// The target's configuration address, without instance keys
    /// (`module.web.aws_instance.this`).
    pub fn config_address(&self) -> String {
        let mut address: String = self
            .module
            .iter()
            .map(|step| format!("module.{}.", step.name))
            .collect();
        address.push_str(&format!("{}.{}", self.type_name, self.name));
        address
    }

    /// The module calls leading to the target's module, outermost first.
    pub fn module_path(&self) -> Vec<String> {
        self.module.iter().map(|step| step.name.clone()).collect()
    }
}

/// One module: the root or a child loaded from a `source` path.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// The directory it was loaded from.
    pub dir: PathBuf,
    /// Managed resources and data sources, in source order.
    pub resources: Vec<Resource>,
    /// Variables.
    pub variables: Vec<Variable>,
    /// Locals.
    pub locals: Vec<Local>,
    /// Outputs.
    pub outputs: Vec<Output>,
    /// Provider blocks.
    pub providers: Vec<ProviderConfig>,
    /// Module calls.
    pub module_calls: Vec<ModuleCall>,
    /// The merged `terraform` blocks.
    pub terraform: TerraformSettings,
    /// `import` blocks (root module only).
    pub imports: Vec<Import>,
    /// `moved` blocks in source order.
    pub moved: Vec<Moved>,
    /// `removed` blocks in source order.
    pub removed: Vec<Removed>,
    /// `check` blocks in source order.
    pub checks: Vec<Check>,
    /// Position of each local in `locals` by name, filled by [`Module::index_locals`].
    pub(crate) local_positions: rustc_hash::FxHashMap<String, usize>,
}

impl Module {
    /// The module `path` (call names) leads to from this one.
    pub fn module_at(&self, path: &[String]) -> Option<&Module> {
        path.iter().try_fold(self, |m, name| {
            m.module_calls
                .iter()
                .find(|c| &c.name == name)
                .map(|c| c.module.as_ref())
        })
    }

    /// Records where each local is, so [`Module::local`] finds it without a scan.
    pub fn index_locals(&mut self) {
        self.local_positions = self
            .locals
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name.clone(), i))
            .collect();
    }

    /// The local named `name`: found through the index, or by a scan when the index does not
    /// know it (a module built without [`Module::index_locals`], or changed since).
    pub fn local(&self, name: &str) -> Option<&Local> {
        let indexed = self
            .local_positions
            .get(name)
            .and_then(|i| self.locals.get(*i))
            .filter(|l| l.name == name);
        indexed.or_else(|| self.locals.iter().find(|l| l.name == name))
    }
}

/// A loaded configuration: the root module and the text of every source file read.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The root module.
    pub root: Module,
    /// File name (as in spans) → its text, for rendering diagnostics and saving plans.
    pub sources: BTreeMap<String, String>,
    /// Warnings found while loading (a successful load may still have some).
    pub warnings: Diagnostics,
}
