//! `Schema`: what a resource type, data source or provider block accepts and computes.
//!
//! The engine validates configuration, diffs and redacts generically from these: a change to a
//! `force_new` attribute means replace, `sensitive` attributes are never printed, `computed`
//! attributes left out of the configuration are "(known after apply)" on create. A nested block
//! appears in values as a list of objects (`Nesting::List`/`Set`) or one object or null
//! (`Nesting::Single`).

use std::collections::BTreeMap;

use crate::{Type, Value};

/// One attribute.
#[derive(Clone, Debug, PartialEq)]
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
    pub description: &'static str,
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
            description: "",
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
    pub fn describe(mut self, text: &'static str) -> Attribute {
        self.description = text;
        self
    }
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block: an object or null.
    Single,
    /// Any number, ordered: a list of objects.
    List,
    /// Any number, unordered: a list of objects compared as a set.
    Set,
}

/// A nested block type.
#[derive(Clone, Debug, PartialEq)]
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
}

/// The schema of a resource type, data source, provider configuration or nested block.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Schema {
    /// Attributes by name.
    pub attributes: BTreeMap<String, Attribute>,
    /// Nested block types by name.
    pub blocks: BTreeMap<String, NestedBlock>,
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

    /// Every name (attribute or block) this schema accepts, for "did you mean" hints.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.attributes
            .keys()
            .chain(self.blocks.keys())
            .map(String::as_str)
    }
}

/// Everything a provider offers.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ProviderSchema {
    /// The provider's own configuration block.
    pub provider: Schema,
    /// Managed resource types by name (`docker_container`, ...).
    pub resources: BTreeMap<String, Schema>,
    /// Data source types by name.
    pub data_sources: BTreeMap<String, Schema>,
}
