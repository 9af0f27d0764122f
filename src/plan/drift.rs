//! The drift report of `plinth drift`: objects changed outside plinth (attribute by attribute),
//! objects deleted outside plinth, configuration changes not applied yet, and (optionally)
//! objects of the managed types that no state manages, kept apart so CI can tell them apart.
//!
//! Known noise does not count: attributes in the resource's `lifecycle.ignore_changes`, and the
//! ignore rules given on the command line (`-ignore ADDR[.attr]`) or in `plinth-drift.ignore`.
//! Output values never count as drift.

use plinth_sdk::Value;
use plinth_state::addr::without_keys;
use plinth_state::InstanceAddr;
use serde::Serialize;

use crate::config::IgnoreChanges;
use crate::plan::{Action, Plan};

/// One attribute that differs between state and the real object.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttributeChange {
    /// Its path (`ports[0].external`).
    pub path: String,
    /// What state said (sensitive values marked).
    #[serde(skip)]
    pub before: Value,
    /// What the object is now.
    #[serde(skip)]
    pub after: Value,
}

/// An object changed outside plinth.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Changed {
    /// The instance address.
    pub address: String,
    /// The resource type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Its id.
    pub id: Option<String>,
    /// The attributes that differ (ignored ones left out).
    pub attributes: Vec<AttributeChange>,
}

/// An object deleted outside plinth.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Deleted {
    /// The instance address.
    pub address: String,
    /// The resource type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The id it had.
    pub id: Option<String>,
}

/// A configuration change not applied yet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pending {
    /// The instance address.
    pub address: String,
    /// What apply would do.
    pub action: Action,
}

/// An object of a managed type that no state manages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unmanaged {
    /// The provider configuration it was seen through.
    pub provider: String,
    /// The resource type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Its id.
    pub id: String,
    /// Its name, when it has one.
    pub name: Option<String>,
    /// Its value, as the provider lists it (for generating configuration).
    #[serde(skip)]
    pub value: Value,
}

/// A rule that excludes drift from the check: an address (instance or resource) and optionally
/// an attribute path prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreRule {
    /// `aws_instance.web` or `aws_instance.web[0]`.
    pub address: String,
    /// `tags` or `tags.Name`; None ignores the whole object.
    pub attribute: Option<String>,
}

impl IgnoreRule {
    /// Parses `ADDR[.attr...]`: the address is the longest leading part that is an instance
    /// address (`module.net["a"].aws_subnet.s[0]`, `data.aws_ami.ubuntu`), the rest the attribute.
    pub fn parse(text: &str) -> Option<IgnoreRule> {
        let text = text.trim();
        let mut ends = dots(text).into_iter().chain([text.len()]);
        let address_end = ends.rfind(|&end| text[..end].parse::<InstanceAddr>().is_ok())?;
        let attribute = text[address_end..]
            .strip_prefix('.')
            .filter(|a| !a.is_empty())
            .map(str::to_string);
        Some(IgnoreRule {
            address: text[..address_end].to_string(),
            attribute,
        })
    }

    fn covers_object(&self, address: &str) -> bool {
        self.address == address || self.address == without_keys(address)
    }

    fn covers(&self, address: &str, path: &str) -> bool {
        self.covers_object(address)
            && self.attribute.as_deref().is_none_or(|attr| {
                path == attr
                    || path.starts_with(&format!("{attr}."))
                    || path.starts_with(&format!("{attr}["))
            })
    }
}

/// The positions of the dots of `text` outside brackets and quotes.
fn dots(text: &str) -> Vec<usize> {
    let (mut depth, mut quoted, mut out) = (0usize, false, Vec::new());
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            '.' if !quoted && depth == 0 => out.push(i),
            _ => {}
        }
    }
    out
}

/// The whole report.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DriftReport {
    /// How many managed objects were checked.
    pub checked: usize,
    /// Objects changed outside plinth.
    pub changed: Vec<Changed>,
    /// Objects deleted outside plinth.
    pub deleted: Vec<Deleted>,
    /// Configuration changes not applied yet.
    pub pending: Vec<Pending>,
    /// Objects no state manages (only with `-unmanaged`).
    pub unmanaged: Option<Vec<Unmanaged>>,
    /// Drift left out by ignore rules or `ignore_changes` (`address` or `address.attribute`).
    pub ignored: Vec<String>,
}

/// The check's verdict and exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing changed outside plinth, nothing pending: exit 0.
    Clean,
    /// Something changed or was deleted outside plinth, or exists unmanaged: exit 2.
    Drift,
    /// No drift, but configuration changes are not applied yet: exit 3.
    Pending,
}

impl Verdict {
    /// The exit code CI sees.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Clean => 0,
            Verdict::Drift => 2,
            Verdict::Pending => 3,
        }
    }
}

impl DriftReport {
    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        let unmanaged = self.unmanaged.as_ref().is_some_and(|u| !u.is_empty());
        if !self.changed.is_empty() || !self.deleted.is_empty() || unmanaged {
            Verdict::Drift
        } else if !self.pending.is_empty() {
            Verdict::Pending
        } else {
            Verdict::Clean
        }
    }

    /// Managed objects as a share of all objects of the listed types, when they were listed.
    pub fn coverage(&self) -> Option<f64> {
        let unmanaged = self.unmanaged.as_ref()?.len();
        let all = self.checked + unmanaged;
        Some(if all == 0 {
            1.0
        } else {
            self.checked as f64 / all as f64
        })
    }
}

/// What the report is made from.
pub struct DriftInput<'a> {
    /// A refresh-only plan (its drift is what changed outside plinth).
    pub refreshed: &'a Plan,
    /// A plan without refresh (its changes are the configuration changes not applied yet).
    pub configured: &'a Plan,
    /// How many objects state manages (in scope of the check).
    pub checked: usize,
    /// `lifecycle.ignore_changes` of an instance address.
    pub ignore_changes: &'a dyn Fn(&str) -> IgnoreChanges,
    /// Command line and file ignore rules.
    pub rules: &'a [IgnoreRule],
}

/// Builds the report (without unmanaged objects, which the caller lists).
pub fn report(input: &DriftInput<'_>) -> DriftReport {
    let mut report = DriftReport {
        checked: input.checked,
        ..DriftReport::default()
    };
    for drift in &input.refreshed.drift {
        let id = drift
            .before
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string);
        if input
            .rules
            .iter()
            .any(|r| r.attribute.is_none() && r.covers_object(&drift.address))
        {
            report.ignored.push(drift.address.clone());
            continue;
        }
        let Some(after) = &drift.after else {
            report.deleted.push(Deleted {
                address: drift.address.clone(),
                type_name: drift.type_name.clone(),
                id,
            });
            continue;
        };
        let ignore = (input.ignore_changes)(&drift.address);
        let mut attributes = Vec::new();
        for change in attribute_changes(&drift.before, after) {
            let top = change.path.split(['.', '[']).next().unwrap_or_default();
            let by_lifecycle = match &ignore {
                IgnoreChanges::All => true,
                IgnoreChanges::None => false,
                IgnoreChanges::Attributes(names) => names
                    .iter()
                    .any(|n| n == &change.path || n.split(['.', '[']).next() == Some(top)),
            };
            let by_rule = input
                .rules
                .iter()
                .any(|r| r.covers(&drift.address, &change.path));
            if by_lifecycle || by_rule {
                report
                    .ignored
                    .push(format!("{}.{}", drift.address, change.path));
            } else {
                attributes.push(change);
            }
        }
        if !attributes.is_empty() {
            report.changed.push(Changed {
                address: drift.address.clone(),
                type_name: drift.type_name.clone(),
                id,
                attributes,
            });
        }
    }
    report.pending = input
        .configured
        .effective_changes()
        .filter(|c| !c.data)
        .map(|c| Pending {
            address: c.object_address(),
            action: c.action,
        })
        .collect();
    report
}

/// The leaf attributes that differ between two objects, with their paths. Values under a
/// sensitive attribute stay marked sensitive.
pub fn attribute_changes(before: &Value, after: &Value) -> Vec<AttributeChange> {
    let mut out = Vec::new();
    walk(before, after, String::new(), false, &mut out);
    out
}

fn walk(
    before: &Value,
    after: &Value,
    path: String,
    sensitive: bool,
    out: &mut Vec<AttributeChange>,
) {
    let sensitive = sensitive || before.is_sensitive() || after.is_sensitive();
    match (before.unmarked(), after.unmarked()) {
        (Value::Map(a), Value::Map(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let next = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                walk(x, y, next, sensitive, out);
            }
        }
        (Value::List(a), Value::List(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                walk(x, y, format!("{path}[{i}]"), sensitive, out);
            }
        }
        _ => {
            if !crate::plan::diff::same_ignoring_marks(before, after) {
                let marked = |v: &Value| {
                    if sensitive {
                        v.clone().mark_sensitive()
                    } else {
                        v.clone()
                    }
                };
                out.push(AttributeChange {
                    path,
                    before: marked(before),
                    after: marked(after),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_rules_split_address_and_attribute() {
        let rule = IgnoreRule::parse("aws_instance.web.tags.Name").expect("rule");
        assert_eq!(rule.address, "aws_instance.web");
        assert_eq!(rule.attribute.as_deref(), Some("tags.Name"));
        let rule = IgnoreRule::parse(r#"module.net["a"].aws_subnet.s[0]"#).expect("rule");
        assert_eq!(rule.address, r#"module.net["a"].aws_subnet.s[0]"#);
        assert_eq!(rule.attribute, None);
        let rule = IgnoreRule::parse("data.aws_ami.ubuntu.id").expect("rule");
        assert_eq!(rule.address, "data.aws_ami.ubuntu");
        assert_eq!(rule.attribute.as_deref(), Some("id"));
        assert!(IgnoreRule::parse("aws_instance").is_none());
        let sensitive = attribute_changes(
            &Value::object([(
                "env",
                Value::object([("KEY", Value::from("a"))]).mark_sensitive(),
            )]),
            &Value::object([(
                "env",
                Value::object([("KEY", Value::from("b"))]).mark_sensitive(),
            )]),
        );
        assert!(sensitive[0].after.is_sensitive());
        assert!(rule.covers("data.aws_ami.ubuntu", "id"));
        let tags = IgnoreRule::parse("aws_instance.web.tags").expect("rule");
        assert!(tags.covers("aws_instance.web[3]", "tags.Name"));
        assert!(!tags.covers("aws_instance.web", "tags_all"));
    }

    #[test]
    fn attribute_changes_name_each_leaf() {
        let before = Value::object([
            ("name", Value::from("a")),
            (
                "ports",
                Value::List(vec![Value::object([("external", Value::from(80i64))])]),
            ),
        ]);
        let after = Value::object([
            ("name", Value::from("a")),
            (
                "ports",
                Value::List(vec![Value::object([("external", Value::from(81i64))])]),
            ),
        ]);
        let changes = attribute_changes(&before, &after);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, "ports[0].external");
    }
}
