//! Why an action happens: the free-form `ResourceChange::reason` read into the few reasons
//! plans explain, for the human `# (because ...)` line and the JSON `action_reason`.

use crate::plan::{Action, ResourceChange};

/// A reason plans explain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason<'a> {
    /// The object is tainted.
    Tainted,
    /// `-replace` asked for it.
    Requested,
    /// The resource is no longer in the configuration.
    NotInConfiguration,
    /// A data source depends on values known only after apply.
    ConfigUnknown,
    /// A data source depends on resources with pending changes.
    DependencyPending,
    /// A replace because an attribute that cannot be updated changed.
    CannotUpdate,
    /// A replace because something named in `replace_triggered_by` changed.
    Triggered,
    /// Anything else, as written.
    Other(&'a str),
}

impl<'a> Reason<'a> {
    /// The reason of a change, if any.
    pub(crate) fn of(change: &'a ResourceChange) -> Option<Reason<'a>> {
        let Some(text) = change
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            let forced = change.action == Action::Replace && !change.replace_paths.is_empty();
            return forced.then_some(Reason::CannotUpdate);
        };
        let normalised = text.to_ascii_lowercase().replace(['_', '-'], " ");
        let reason = match normalised.trim() {
            "tainted" | "replace because tainted" => Reason::Tainted,
            "replace" | "requested" | "replace by request" => Reason::Requested,
            "removed from configuration"
            | "not in configuration"
            | "no resource configuration"
            | "delete because no resource config" => Reason::NotInConfiguration,
            "config unknown"
            | "config refers to values not yet known"
            | "read because config unknown" => Reason::ConfigUnknown,
            "dependency pending"
            | "depends on a resource with pending changes"
            | "read because dependency pending" => Reason::DependencyPending,
            "replace because cannot update" => Reason::CannotUpdate,
            "because of replace triggered by" | "replace by triggers" => Reason::Triggered,
            _ => Reason::Other(text),
        };
        Some(reason)
    }

    /// The `# (...)` line under a plan entry's header, if the header does not already say it.
    pub(crate) fn explanation(self, address: &str) -> Option<String> {
        match self {
            Reason::Tainted | Reason::CannotUpdate | Reason::Requested => None,
            Reason::NotInConfiguration => {
                Some(format!("(because {address} is not in configuration)"))
            }
            Reason::ConfigUnknown => Some("(config refers to values not yet known)".to_string()),
            Reason::DependencyPending => {
                Some("(depends on a resource or a module with changes pending)".to_string())
            }
            Reason::Triggered => Some("(because of replace_triggered_by)".to_string()),
            Reason::Other(text) if text.starts_with("because") => Some(format!("({text})")),
            Reason::Other(text) => Some(format!("(because {text})")),
        }
    }

    /// The `action_reason` in JSON plans.
    pub(crate) fn json_name(self) -> &'a str {
        match self {
            Reason::Tainted => "replace_because_tainted",
            Reason::Requested => "replace_by_request",
            Reason::NotInConfiguration => "delete_because_no_resource_config",
            Reason::ConfigUnknown => "read_because_config_unknown",
            Reason::DependencyPending => "read_because_dependency_pending",
            Reason::CannotUpdate => "replace_because_cannot_update",
            Reason::Triggered => "replace_by_triggers",
            Reason::Other(text) => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(action: Action, reason: Option<&str>, replace_paths: &[&str]) -> ResourceChange {
        ResourceChange {
            address: "aws_vpc.main".into(),
            data: false,
            type_name: "aws_vpc".into(),
            provider: "aws".into(),
            action,
            reason: reason.map(str::to_string),
            before: None,
            after: None,
            replace_paths: replace_paths.iter().map(|p| p.to_string()).collect(),
            create_before_destroy: false,
            dependencies: vec![],
        }
    }

    #[test]
    fn reads_the_reasons_plans_write() {
        let c = change(Action::Replace, Some("-replace"), &[]);
        assert_eq!(Reason::of(&c), Some(Reason::Requested));
        let c = change(Action::Delete, Some("removed from configuration"), &[]);
        let reason = Reason::of(&c).unwrap();
        assert_eq!(
            reason.explanation("aws_vpc.main").unwrap(),
            "(because aws_vpc.main is not in configuration)"
        );
        assert_eq!(reason.json_name(), "delete_because_no_resource_config");
        let c = change(Action::Replace, None, &["cidr_block"]);
        assert_eq!(Reason::of(&c), Some(Reason::CannotUpdate));
        assert_eq!(Reason::of(&change(Action::Update, None, &[])), None);
        let c = change(
            Action::Delete,
            Some("index 3 is out of range for count"),
            &[],
        );
        assert_eq!(
            Reason::of(&c).unwrap().explanation("x").unwrap(),
            "(because index 3 is out of range for count)"
        );
    }
}
