//! The `Plan`: per-instance changes (what the user is shown), the action graph apply executes
//! (every create, update, read and destroy with the actions it waits for), drift found by
//! refresh and output changes. Apply only executes the action graph.
//!
//! Drift (the real object differs from state), pending configuration changes (actions) and
//! no-ops are kept apart, so `-detailed-exitcode` can tell them apart.

use std::collections::BTreeMap;

use plinth_sdk::{Timeouts, Value};
use plinth_state::DeposedKey;
use serde::{Deserialize, Serialize};

use crate::plan::moves::MovedObject;
use crate::plan::wire;

/// What happens to one resource instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Nothing changes.
    NoOp,
    /// A new object is created (`+`).
    Create,
    /// A data source is read during apply (`<=`).
    Read,
    /// The object is updated in place (`~`).
    Update,
    /// The object is destroyed and created again (`-/+`, or `+/-` with create_before_destroy).
    Replace,
    /// The object is destroyed (`-`).
    Delete,
}

impl Action {
    /// The symbol Terraform users know.
    pub fn symbol(self, create_before_destroy: bool) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Read => "<=",
            Action::Update => "~",
            Action::Replace if create_before_destroy => "+/-",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }
}

/// Why a change happens, when its action alone does not say (Terraform's `action_reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The object is tainted.
    ReplaceBecauseTainted,
    /// An attribute that cannot be updated in place changed.
    ReplaceBecauseCannotUpdate,
    /// `-replace` asked for it.
    ReplaceByRequest,
    /// Something named in `replace_triggered_by` changed.
    ReplaceByTriggers,
    /// The resource is no longer in the configuration.
    DeleteBecauseNoResourceConfig,
    /// The instance's index is beyond the resource's `count`.
    DeleteBecauseCountIndex,
    /// The instance's key is not in the resource's `for_each`.
    DeleteBecauseEachKey,
    /// The module instance holding it is no longer in the configuration.
    DeleteBecauseNoModule,
    /// The configuration of a data source refers to values known only after apply.
    ReadBecauseConfigUnknown,
    /// A managed resource the data source depends on has changes planned.
    ReadBecauseDependencyPending,
}

/// The planned change of one resource instance (or of one deposed object).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    /// The instance address (`module.vpc.aws_subnet.public[0]`).
    pub address: String,
    /// Set when the change destroys a deposed object of the instance rather than its current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposed: Option<DeposedKey>,
    /// `data.` sources are `true`.
    pub data: bool,
    /// The resource type (`aws_subnet`).
    pub type_name: String,
    /// The provider configuration address that manages it (`aws`, `aws.west`).
    pub provider: String,
    /// What happens.
    pub action: Action,
    /// Why, when the action alone does not say.
    pub reason: Option<Reason>,
    /// The object before (state after refresh); None for create and read.
    #[serde(with = "wire::option")]
    pub before: Option<Value>,
    /// The object after (may contain unknowns); None for delete.
    #[serde(with = "wire::option")]
    pub after: Option<Value>,
    /// Top-level attributes whose change forces replacement.
    pub replace_paths: Vec<String>,
    /// With `Replace`: create the new object before destroying the old one (set in the
    /// configuration or inherited from a dependent that has it).
    pub create_before_destroy: bool,
    /// The resources (configuration addresses, without keys) the new object depends on.
    pub dependencies: Vec<String>,
    /// How long each operation on it may take.
    #[serde(default)]
    pub timeouts: Timeouts,
    /// The provider's private bytes from planning, handed back at apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub private: Vec<u8>,
}

/// An object an interrupted create made, found again through its intent token while planning:
/// apply records it in state before anything else.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Adopted {
    /// The instance address it belongs to.
    pub address: String,
    /// The object as the provider found it.
    #[serde(with = "wire")]
    pub value: Value,
    /// What it depends on in the configuration, recorded with it (its plan may be a no-op, which
    /// records no change to take them from), so later deletes wait for it.
    #[serde(default)]
    pub dependencies: Vec<String>,
}

/// An existing object an `import` block brings under management: found while planning,
/// recorded in state by apply before anything else.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Imported {
    /// The instance address it is imported to.
    pub address: String,
    /// The id it was imported by.
    pub id: String,
    /// The resource type.
    pub type_name: String,
    /// The provider configuration address that manages it.
    pub provider: String,
    /// The object as the provider read it.
    #[serde(with = "wire")]
    pub value: Value,
    /// What it depends on in the configuration.
    #[serde(default)]
    pub dependencies: Vec<String>,
    /// The attributes its schema marks sensitive.
    #[serde(default)]
    pub sensitive_attributes: Vec<String>,
    /// The schema version the value is in.
    #[serde(default)]
    pub schema_version: u64,
    /// The provider's private bytes for it, kept in state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub private: Vec<u8>,
}

impl ResourceChange {
    /// The address with the deposed key, if any (`aws_instance.a (deposed object 1a2b3c4d)`).
    pub fn object_address(&self) -> String {
        match &self.deposed {
            Some(key) => format!("{} (deposed object {key})", self.address),
            None => self.address.clone(),
        }
    }
}

/// One step of the action graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Create a new object (alone, or the create half of a replacement).
    Create,
    /// Update an object in place.
    Update,
    /// Read a data source.
    Read,
    /// Delete an object (alone, or the destroy half of a replacement).
    Delete,
}

/// One node of the action graph: a step on one object, and the steps that finish first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedAction {
    /// Its index in [`Plan::actions`].
    pub id: usize,
    /// What it does.
    #[serde(rename = "action")]
    pub step: Step,
    /// The instance address.
    pub address: String,
    /// For a delete: the deposed object it deletes (None: the current object). For the create of
    /// a create_before_destroy replacement: the key the current object is deposed under first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposed: Option<DeposedKey>,
    /// The ids of the actions that must finish before this one starts.
    pub after: Vec<usize>,
}

/// A difference between state and the real object found by refresh.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// The instance address.
    pub address: String,
    /// The resource type.
    pub type_name: String,
    /// What state said.
    #[serde(with = "wire")]
    pub before: Value,
    /// What the provider read now; None when the object was deleted outside plinth.
    #[serde(with = "wire::option")]
    pub after: Option<Value>,
}

/// The planned change of one root module output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputChange {
    /// The output name.
    pub name: String,
    /// Create, Update, Delete or NoOp.
    pub action: Action,
    /// Its value in state.
    #[serde(with = "wire::option")]
    pub before: Option<Value>,
    /// Its planned value (may be unknown).
    #[serde(with = "wire::option")]
    pub after: Option<Value>,
    /// Declared `sensitive = true`.
    pub sensitive: bool,
}

/// Which kind of plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PlanMode {
    /// Converge real objects to the configuration.
    #[default]
    Normal,
    /// Destroy everything (`-destroy`, `plinth destroy`).
    Destroy,
    /// Only update state to match real objects (`-refresh-only`).
    RefreshOnly,
}

/// A whole plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Plan {
    /// Plan file format version.
    pub format_version: u32,
    /// Normal, destroy or refresh-only.
    pub mode: PlanMode,
    /// Per-instance changes sorted by address (no-ops included).
    pub changes: Vec<ResourceChange>,
    /// The action graph apply executes.
    pub actions: Vec<PlannedAction>,
    /// Objects of interrupted creates found again, recorded first by apply.
    #[serde(default)]
    pub adopted: Vec<Adopted>,
    /// Existing objects `import` blocks bring under management, recorded first by apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imported: Vec<Imported>,
    /// Objects changed or deleted outside plinth since the last apply.
    pub drift: Vec<Drift>,
    /// The managed instances this plan refreshed (what a drift check covered); not saved.
    #[serde(skip)]
    pub refreshed: Vec<String>,
    /// Root output changes.
    pub outputs: Vec<OutputChange>,
    /// Objects `moved` blocks give new addresses: apply records the moves before anything else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved: Vec<MovedObject>,
    /// Objects `removed` blocks with `destroy = false` take out of state, leaving them running:
    /// the deletions they replace, never executed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forgotten: Vec<ResourceChange>,
    /// The lineage of the state the plan was made against.
    pub lineage: String,
    /// The serial of that state.
    pub serial: u64,
    /// The root variable values used (sensitive ones stay marked).
    #[serde(with = "wire::map")]
    pub variables: BTreeMap<String, Value>,
    /// A digest of the configuration files, so a stale plan is refused.
    pub config_digest: String,
}

impl Plan {
    /// Changes that do something (not no-ops).
    pub fn effective_changes(&self) -> impl Iterator<Item = &ResourceChange> {
        self.changes.iter().filter(|c| c.action != Action::NoOp)
    }

    /// Whether applying this plan would change anything: resource actions or output changes;
    /// for a refresh-only plan, drift. This is what `-detailed-exitcode` reports as 2.
    pub fn has_changes(&self) -> bool {
        match self.mode {
            PlanMode::RefreshOnly => !self.drift.is_empty(),
            _ => {
                self.effective_changes().next().is_some()
                    || self.outputs.iter().any(|o| o.action != Action::NoOp)
                    || !self.adopted.is_empty()
                    || !self.imported.is_empty()
                    || !self.moved.is_empty()
                    || !self.forgotten.is_empty()
            }
        }
    }

    /// Counts of (create, update, delete) as Terraform's summary line shows them
    /// ("Plan: 1 to add, 2 to change, 0 to destroy."); a replace counts as add and destroy.
    pub fn summary_counts(&self) -> (usize, usize, usize) {
        let (mut add, mut change, mut destroy) = (0, 0, 0);
        for c in self.effective_changes() {
            match c.action {
                Action::Create => add += 1,
                Action::Update => change += 1,
                Action::Replace => {
                    add += 1;
                    destroy += 1
                }
                Action::Delete => destroy += 1,
                Action::NoOp | Action::Read => {}
            }
        }
        (add, change, destroy)
    }
}
