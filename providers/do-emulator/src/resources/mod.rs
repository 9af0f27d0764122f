//! The API's resource families, one module each: the stored object, how DigitalOcean renders it,
//! and the handlers of its endpoints. Shared helpers for timestamps, names and tags live here.

pub(crate) mod account;
pub(crate) mod actions;
pub(crate) mod databases;
pub(crate) mod domains;
pub(crate) mod droplet_actions;
pub(crate) mod droplets;
pub(crate) mod firewalls;
pub(crate) mod load_balancers;
pub(crate) mod reserved_ips;
pub(crate) mod ssh_keys;
pub(crate) mod tags;
pub(crate) mod volumes;
pub(crate) mod vpcs;

use crate::errors::ApiError;

/// The current time as DigitalOcean writes it (`2024-05-01T12:00:00Z`).
pub(crate) fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Checks tag names: letters, digits, `_`, `-` and `:`, at most 255 characters.
pub(crate) fn check_tags(tags: &[String]) -> Result<(), ApiError> {
    for tag in tags {
        let valid = !tag.is_empty()
            && tag.len() <= 255
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'));
        if !valid {
            return Err(ApiError::unprocessable(format!(
                "tag name {tag:?} is invalid: tag names may contain letters, numbers, colons, dashes and underscores, and may be at most 255 characters long"
            )));
        }
    }
    Ok(())
}

/// Checks a hostname-like name (Droplets, firewalls): letters, digits, `.` and `-`, starting and
/// ending with a letter or digit, at most 255 characters.
pub(crate) fn check_hostname(kind: &str, name: &str) -> Result<(), ApiError> {
    let valid = !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(ApiError::unprocessable(format!(
            "{kind} name {name:?} is invalid: only valid hostname characters are allowed (a-z, A-Z, 0-9, . and -)"
        )))
    }
}

/// Adds tags to a list, keeping it free of duplicates.
pub(crate) fn add_tags(list: &mut Vec<String>, tags: &[String]) {
    for tag in tags {
        if !list.contains(tag) {
            list.push(tag.clone());
        }
    }
}
