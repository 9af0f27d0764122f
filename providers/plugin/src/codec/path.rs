//! `AttributePath`: a location inside a value (`tags["Name"]`, `rule[0].port`), as diagnostics,
//! `requires_replace` and sensitive marks name it.

use std::fmt;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathStep {
    /// An object attribute.
    Attribute(String),
    /// A map element.
    Key(String),
    /// A list or tuple element (or, in a set, the element's position in plinth's order).
    Index(i64),
}

/// A path from the top of a value.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttributePath(pub Vec<PathStep>);

impl AttributePath {
    /// The empty path: the value itself.
    pub fn root() -> AttributePath {
        AttributePath(Vec::new())
    }

    /// This path extended by one step.
    pub fn join(&self, step: PathStep) -> AttributePath {
        let mut steps = self.0.clone();
        steps.push(step);
        AttributePath(steps)
    }

    /// The top-level attribute the path starts with, if it starts with one.
    pub fn top_attribute(&self) -> Option<&str> {
        match self.0.first() {
            Some(PathStep::Attribute(name)) => Some(name),
            _ => None,
        }
    }
}

impl fmt::Display for AttributePath {
    /// Terraform's traversal syntax: `a.b["k"][0]`; the root prints as `(root)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return write!(f, "(root)");
        }
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => write!(f, "{name}")?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => write!(f, "[{}]", serde_json::Value::String(key.clone()))?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_as_terraform_traversals() {
        let path = AttributePath::root()
            .join(PathStep::Attribute("rule".into()))
            .join(PathStep::Index(0))
            .join(PathStep::Attribute("tags".into()))
            .join(PathStep::Key("Name".into()));
        assert_eq!(path.to_string(), r#"rule[0].tags["Name"]"#);
        assert_eq!(path.top_attribute(), Some("rule"));
        assert_eq!(AttributePath::root().to_string(), "(root)");
    }
}
