//! Intent tags: how a create interrupted by a kill is adopted instead of repeated. Droplets,
//! volumes and database clusters are created with the tag `plinth-intent:<token>` (the engine's
//! intent token) in the create request itself, so the object carries it from its first moment;
//! `adopt` lists by that tag. The tag is plinth's bookkeeping, not the user's: it is left out of
//! the `tags` attribute, kept when the user's tags change, and deleted with the object.

use serde_json::Value as Json;

/// What every intent tag starts with.
pub const PREFIX: &str = "plinth-intent:";

/// The tag carrying `token`.
pub fn tag(token: &str) -> String {
    format!("{PREFIX}{token}")
}

/// Whether a tag is an intent tag.
pub fn is_intent(tag: &str) -> bool {
    tag.starts_with(PREFIX)
}

/// The user's tags among an object's tags (intent tags left out).
pub fn user_tags(json: &Json) -> Vec<String> {
    all_tags(json)
        .into_iter()
        .filter(|t| !is_intent(t))
        .collect()
}

/// The intent tags among an object's tags.
pub fn intent_tags(json: &Json) -> Vec<String> {
    all_tags(json)
        .into_iter()
        .filter(|t| is_intent(t))
        .collect()
}

fn all_tags(json: &Json) -> Vec<String> {
    json.get("tags")
        .and_then(Json::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the object carries the intent tag of `token`.
pub fn carries(json: &Json, token: &str) -> bool {
    let wanted = tag(token);
    all_tags(json).contains(&wanted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn intent_tags_are_kept_apart_from_the_users() {
        let object = json!({"tags": ["web", tag("ab12"), "prod"]});
        assert_eq!(user_tags(&object), vec!["web", "prod"]);
        assert_eq!(intent_tags(&object), vec!["plinth-intent:ab12"]);
        assert!(carries(&object, "ab12"));
        assert!(!carries(&object, "ab1"));
        // DigitalOcean accepts letters, digits, `-`, `_` and `:` in tag names.
        assert!(tag("0123abcd")
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':')));
    }
}
