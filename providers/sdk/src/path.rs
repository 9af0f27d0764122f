//! Attribute paths (`ports[0].external`, `tags["Name"]`): where inside an object a diagnostic or a
//! replacement reason points, so the engine can show the configuration line that set it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One step into a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathStep {
    /// An attribute or nested block by name.
    Attr(String),
    /// An element of a list or of a nested block list, by position.
    Index(u64),
    /// An element of a map, by key.
    Key(String),
}

/// A path from an object's top to one of its values. Empty: the whole object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AttrPath(pub Vec<PathStep>);

impl AttrPath {
    /// The path to top-level attribute `name`.
    pub fn attr(name: impl Into<String>) -> AttrPath {
        AttrPath(vec![PathStep::Attr(name.into())])
    }

    /// This path followed by attribute `name`.
    pub fn then(mut self, name: impl Into<String>) -> AttrPath {
        self.0.push(PathStep::Attr(name.into()));
        self
    }

    /// This path followed by position `index`.
    pub fn index(mut self, index: u64) -> AttrPath {
        self.0.push(PathStep::Index(index));
        self
    }

    /// This path followed by map key `key`.
    pub fn key(mut self, key: impl Into<String>) -> AttrPath {
        self.0.push(PathStep::Key(key.into()));
        self
    }

    /// The top-level attribute the path starts with, if any.
    pub fn root(&self) -> Option<&str> {
        match self.0.first() {
            Some(PathStep::Attr(name)) => Some(name),
            _ => None,
        }
    }
}

impl fmt::Display for AttrPath {
    /// `ports[0].external`, `tags["Name"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attr(name) if i == 0 => write!(f, "{name}")?,
                PathStep::Attr(name) => write!(f, ".{name}")?,
                PathStep::Index(index) => write!(f, "[{index}]")?,
                PathStep::Key(key) => write!(f, "[{}]", serde_json::Value::from(key.as_str()))?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_terraform_addresses_them() {
        let path = AttrPath::attr("ports").index(0).then("external");
        assert_eq!(path.to_string(), "ports[0].external");
        assert_eq!(
            AttrPath::attr("tags").key("Name").to_string(),
            "tags[\"Name\"]"
        );
        assert_eq!(path.root(), Some("ports"));
    }
}
