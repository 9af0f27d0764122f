//! How plans explain why an action happens: the `# (because ...)` line under a human plan
//! entry's header and the JSON `action_reason`, from the plan's [`Reason`].

use plinth_state::InstanceAddr;

use crate::plan::{Action, Reason, ResourceChange};

/// The `# (...)` line under a plan entry's header, if the header does not already say it.
pub(crate) fn explanation(change: &ResourceChange) -> Option<String> {
    if change.deposed.is_some() && change.action == Action::Delete {
        return Some("(left over from a partially-failed replacement of this instance)".into());
    }
    let address = &change.address;
    let key = || {
        address
            .parse::<InstanceAddr>()
            .ok()
            .and_then(|a| a.key)
            .map(|k| k.to_string())
            .unwrap_or_default()
    };
    let module = || {
        address
            .parse::<InstanceAddr>()
            .map(|a| a.module_path())
            .unwrap_or_default()
    };
    match change.reason? {
        Reason::ReplaceBecauseTainted
        | Reason::ReplaceBecauseCannotUpdate
        | Reason::ReplaceByRequest
        | Reason::ReplaceByTriggers => None,
        Reason::DeleteBecauseNoResourceConfig => {
            Some(format!("(because {address} is not in configuration)"))
        }
        Reason::DeleteBecauseCountIndex => Some(format!(
            "(because index {} is out of range for count)",
            key()
        )),
        Reason::DeleteBecauseEachKey => {
            Some(format!("(because key {} is not in for_each map)", key()))
        }
        Reason::DeleteBecauseNoModule => {
            Some(format!("(because {} is not in configuration)", module()))
        }
        Reason::ReadBecauseConfigUnknown => {
            Some("(config refers to values not yet known)".to_string())
        }
        Reason::ReadBecauseDependencyPending => {
            Some("(depends on a resource or a module with changes pending)".to_string())
        }
    }
}

/// The `action_reason` in JSON plans (Terraform's names).
pub(crate) fn json_name(reason: Reason) -> &'static str {
    match reason {
        Reason::ReplaceBecauseTainted => "replace_because_tainted",
        Reason::ReplaceBecauseCannotUpdate => "replace_because_cannot_update",
        Reason::ReplaceByRequest => "replace_by_request",
        Reason::ReplaceByTriggers => "replace_by_triggers",
        Reason::DeleteBecauseNoResourceConfig => "delete_because_no_resource_config",
        Reason::DeleteBecauseCountIndex => "delete_because_count_index",
        Reason::DeleteBecauseEachKey => "delete_because_each_key",
        Reason::DeleteBecauseNoModule => "delete_because_no_module",
        Reason::ReadBecauseConfigUnknown => "read_because_config_unknown",
        Reason::ReadBecauseDependencyPending => "read_because_dependency_pending",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(address: &str, action: Action, reason: Option<Reason>) -> ResourceChange {
        ResourceChange {
            address: address.into(),
            deposed: None,
            data: false,
            type_name: "aws_vpc".into(),
            provider: "aws".into(),
            action,
            reason,
            before: None,
            after: None,
            replace_paths: vec![],
            create_before_destroy: false,
            dependencies: vec![],
            timeouts: Default::default(),
            private: Vec::new(),
        }
    }

    #[test]
    fn explains_deletions_like_terraform() {
        let c = change(
            "aws_vpc.main",
            Action::Delete,
            Some(Reason::DeleteBecauseNoResourceConfig),
        );
        assert_eq!(
            explanation(&c).unwrap(),
            "(because aws_vpc.main is not in configuration)"
        );
        let c = change(
            "aws_vpc.main[3]",
            Action::Delete,
            Some(Reason::DeleteBecauseCountIndex),
        );
        assert_eq!(
            explanation(&c).unwrap(),
            "(because index [3] is out of range for count)"
        );
        let c = change(
            r#"module.net["a"].aws_vpc.main["x"]"#,
            Action::Delete,
            Some(Reason::DeleteBecauseEachKey),
        );
        assert_eq!(
            explanation(&c).unwrap(),
            r#"(because key ["x"] is not in for_each map)"#
        );
        assert_eq!(
            json_name(Reason::DeleteBecauseEachKey),
            "delete_because_each_key"
        );
        let c = change(
            "aws_vpc.main",
            Action::Replace,
            Some(Reason::ReplaceByRequest),
        );
        assert_eq!(explanation(&c), None);
        let mut c = change("aws_vpc.main", Action::Delete, None);
        c.deposed = Some("0badcafe".parse().unwrap());
        assert!(explanation(&c)
            .unwrap()
            .contains("partially-failed replacement"));
    }
}
