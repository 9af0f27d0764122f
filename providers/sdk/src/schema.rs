//! `Schema`: what a resource type, data source or provider block accepts and computes.
//!
//! The engine validates configuration, diffs and redacts generically from these: a change to a
//! `force_new` attribute means replace, `sensitive` attributes are never printed, `computed`
//! attributes left out of the configuration are "(known after apply)" on create, `validators`
//! check known values at validate and plan time, and a `not_read_back` attribute (one the API
//! takes at create but never reports, such as a server's boot script) that an import finds null
//! is taken to be as configured rather than a change that would replace the object. A
//! `write_only` attribute reaches the provider but is never stored (see `Attribute::write_only`). A nested block appears in values as a list of
//! objects (`Nesting::List`/`Set`) or one object or null (`Nesting::Single`).
//!
//! A resource schema also carries its `version` (stored with each object; older objects go
//! through the resource's upgrade hook), the `timeouts` the resource accepts in a
//! `timeouts { create = "30m" }` block with their defaults, and how its creates survive a crash
//! ([`CrashSafety`]).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{Type, Value};

/// A check of a known attribute value, run by the engine before any provider call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    /// A string among these.
    OneOf(Vec<String>),
    /// A number within `min..=max`.
    Between {
        /// The smallest allowed.
        min: f64,
        /// The largest allowed.
        max: f64,
    },
    /// A string (in characters) or collection with a length within `min..=max`.
    LengthBetween {
        /// The shortest allowed.
        min: usize,
        /// The longest allowed.
        max: usize,
    },
    /// A string matching a regular expression, with what it means when it does not.
    Matches {
        /// The pattern (Rust `regex` syntax, anchored by the author where needed).
        pattern: String,
        /// Said when the value does not match ("must be a CIDR block").
        message: String,
    },
}

/// How a resource type's creates survive plinth being killed mid-create.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrashSafety {
    /// The create puts the engine's intent token on the object (a tag, a label, a client
    /// token) and `adopt` finds objects by it: an interrupted create is adopted, never repeated.
    Tagged,
    /// The object cannot carry a token, but `adopt` finds it by its identifying fields (a DNS
    /// record by zone, name and type).
    FoundByIdentity,
    /// Nothing outside plinth's state is created, so there is nothing to lose.
    NoRemoteObject,
    /// A create interrupted by a kill may leave an object plinth does not know; plans warn.
    #[default]
    NotCrashSafe,
}

/// Default operation timeouts, and which of them a `timeouts {}` block may set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeouts {
    /// For `create`.
    #[serde(default, with = "seconds")]
    pub create: Option<Duration>,
    /// For `update`.
    #[serde(default, with = "seconds")]
    pub update: Option<Duration>,
    /// For `delete`.
    #[serde(default, with = "seconds")]
    pub delete: Option<Duration>,
    /// For reads (data sources).
    #[serde(default, with = "seconds")]
    pub read: Option<Duration>,
}

/// Durations in (fractional) seconds.
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => s.serialize_some(&d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let secs = Option::<f64>::deserialize(d)?;
        Ok(secs
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64))
    }
}

/// One attribute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    /// Its type.
    pub ty: Type,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// Set by the provider (when `optional` too: by the provider unless configured).
    pub computed: bool,
    /// A change replaces the object.
    pub force_new: bool,
    /// Never printed.
    pub sensitive: bool,
    /// Used when configuration leaves it out.
    pub default: Option<Value>,
    /// What it means, for documentation and errors.
    pub description: String,
    /// Checks of known values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validators: Vec<Validator>,
    /// Set when the attribute should no longer be used: what to use instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
    /// The provider's API takes it but never reports it back, so an imported object has it
    /// null: the engine then takes the configured value as the object's (with a warning)
    /// instead of planning a change. A later change of a known value is a change as usual.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_read_back: bool,
    /// Write-only (Terraform 1.11's write-only arguments): sent to the provider on plan and
    /// apply but never kept: plans, plan files and state hold null in its place, so a change of
    /// its value alone is no change (a companion `..._version` argument signals one). It may
    /// take ephemeral values, which other arguments refuse.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub write_only: bool,
}

impl Attribute {
    fn new(ty: Type) -> Attribute {
        Attribute {
            ty,
            required: false,
            optional: false,
            computed: false,
            force_new: false,
            sensitive: false,
            default: None,
            description: String::new(),
            validators: Vec::new(),
            deprecated: None,
            not_read_back: false,
            write_only: false,
        }
    }

    /// A required attribute.
    pub fn required(ty: Type) -> Attribute {
        Attribute {
            required: true,
            ..Attribute::new(ty)
        }
    }

    /// An optional attribute.
    pub fn optional(ty: Type) -> Attribute {
        Attribute {
            optional: true,
            ..Attribute::new(ty)
        }
    }

    /// A read-only attribute set by the provider.
    pub fn computed(ty: Type) -> Attribute {
        Attribute {
            computed: true,
            ..Attribute::new(ty)
        }
    }

    /// An optional attribute the provider fills in when left out.
    pub fn optional_computed(ty: Type) -> Attribute {
        Attribute {
            optional: true,
            computed: true,
            ..Attribute::new(ty)
        }
    }

    /// Marks that a change replaces the object.
    pub fn force_new(mut self) -> Attribute {
        self.force_new = true;
        self
    }

    /// Marks it as taken by the API but never reported back (see `not_read_back`).
    pub fn not_read_back(mut self) -> Attribute {
        self.not_read_back = true;
        self
    }

    /// Marks it write-only (see `write_only`).
    pub fn write_only(mut self) -> Attribute {
        self.write_only = true;
        self
    }

    /// Marks it sensitive.
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    /// Gives it a default.
    pub fn default(mut self, v: impl Into<Value>) -> Attribute {
        self.default = Some(v.into());
        self
    }

    /// Gives it a description.
    pub fn describe(mut self, text: impl Into<String>) -> Attribute {
        self.description = text.into();
        self
    }

    /// Adds a check of its known values.
    pub fn validate(mut self, validator: Validator) -> Attribute {
        self.validators.push(validator);
        self
    }

    /// Marks it deprecated, saying what to use instead.
    pub fn deprecate(mut self, instead: impl Into<String>) -> Attribute {
        self.deprecated = Some(instead.into());
        self
    }
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Nesting {
    /// At most one block: an object or null.
    Single,
    /// Any number, ordered: a list of objects.
    List,
    /// Any number, unordered: a list of objects compared as a set.
    Set,
}

/// A nested block type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NestedBlock {
    /// How it repeats.
    pub nesting: Nesting,
    /// Its own attributes and blocks.
    pub schema: Schema,
    /// Fewest blocks allowed.
    pub min_items: usize,
    /// Most blocks allowed (0: no limit).
    pub max_items: usize,
    /// A change to any block replaces the object.
    pub force_new: bool,
    /// The provider's API never reports the blocks back (see `Attribute::not_read_back`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_read_back: bool,
}

impl NestedBlock {
    /// A block that may appear any number of times.
    pub fn list(schema: Schema) -> NestedBlock {
        NestedBlock {
            nesting: Nesting::List,
            schema,
            min_items: 0,
            max_items: 0,
            force_new: false,
            not_read_back: false,
        }
    }

    /// A set of blocks.
    pub fn set(schema: Schema) -> NestedBlock {
        NestedBlock {
            nesting: Nesting::Set,
            ..NestedBlock::list(schema)
        }
    }

    /// A block that may appear once.
    pub fn single(schema: Schema) -> NestedBlock {
        NestedBlock {
            nesting: Nesting::Single,
            max_items: 1,
            ..NestedBlock::list(schema)
        }
    }

    /// Marks that any change replaces the object.
    pub fn force_new(mut self) -> NestedBlock {
        self.force_new = true;
        self
    }

    /// Marks the blocks as taken by the API but never reported back.
    pub fn not_read_back(mut self) -> NestedBlock {
        self.not_read_back = true;
        self
    }
}

/// The schema of a resource type, data source, provider configuration or nested block.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Schema {
    /// Attributes by name.
    pub attributes: BTreeMap<String, Attribute>,
    /// Nested block types by name.
    pub blocks: BTreeMap<String, NestedBlock>,
    /// The version of the objects this schema describes (resources): stored with each object,
    /// so objects written by an older schema are upgraded before use.
    #[serde(default)]
    pub version: u64,
    /// The timeouts a `timeouts {}` block may set, with their defaults (resources only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<Timeouts>,
    /// How creates survive a crash (resources only).
    #[serde(default)]
    pub crash_safety: CrashSafety,
    /// What it is, for documentation.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// How long creating one object typically takes (resources only): recovery schedules
    /// (`plinth plan -recovery`) estimate a full reprovisioning from it.
    #[serde(default, with = "seconds", skip_serializing_if = "Option::is_none")]
    pub typical_create: Option<Duration>,
}

impl Schema {
    /// An empty schema.
    pub fn new() -> Schema {
        Schema::default()
    }

    /// Adds an attribute.
    pub fn attr(mut self, name: &str, attribute: Attribute) -> Schema {
        self.attributes.insert(name.to_string(), attribute);
        self
    }

    /// Adds a nested block type.
    pub fn block(mut self, name: &str, block: NestedBlock) -> Schema {
        self.blocks.insert(name.to_string(), block);
        self
    }

    /// Sets the schema version.
    pub fn version(mut self, version: u64) -> Schema {
        self.version = version;
        self
    }

    /// Accepts a `timeouts {}` block with these defaults.
    pub fn timeouts(mut self, defaults: Timeouts) -> Schema {
        self.timeouts = Some(defaults);
        self
    }

    /// Says how creates survive a crash.
    pub fn crash_safety(mut self, safety: CrashSafety) -> Schema {
        self.crash_safety = safety;
        self
    }

    /// States how long creating one object typically takes.
    pub fn typical_create(mut self, duration: Duration) -> Schema {
        self.typical_create = Some(duration);
        self
    }

    /// Gives it a description.
    pub fn describe(mut self, text: impl Into<String>) -> Schema {
        self.description = text.into();
        self
    }

    /// Every name (attribute or block) this schema accepts, for "did you mean" hints.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.attributes
            .keys()
            .chain(self.blocks.keys())
            .map(String::as_str)
    }
}

/// Everything a provider offers.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ProviderSchema {
    /// The provider's own configuration block.
    pub provider: Schema,
    /// Managed resource types by name (`docker_container`, ...).
    pub resources: BTreeMap<String, Schema>,
    /// Data source types by name.
    pub data_sources: BTreeMap<String, Schema>,
}
