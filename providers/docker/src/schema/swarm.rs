//! The `docker_secret` and `docker_config` schemas: named data stored in the swarm, which the
//! Engine cannot change, so every argument replaces.

use plinth_sdk::{Attribute, Schema, Type, Validator};

use super::labels_block;

/// Standard base64, as kreuzwerker's `validateStringIsBase64Encoded` accepts it.
fn base64() -> Validator {
    Validator::Matches {
        pattern: "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$".to_string(),
        message: "must be base64-encoded".to_string(),
    }
}

pub fn secret() -> Schema {
    Schema::new()
        .describe("a secret of the swarm's services; its data cannot be read back")
        .attr(
            "name",
            Attribute::required(Type::String)
                .force_new()
                .describe("user-defined name of the secret"),
        )
        .attr(
            "data",
            Attribute::required(Type::String)
                .force_new()
                .sensitive()
                .validate(base64())
                .describe("base64-encoded secret data (e.g. base64encode(\"...\"))"),
        )
        .attr("id", Attribute::computed(Type::String))
        .block("labels", labels_block())
}

pub fn config() -> Schema {
    Schema::new()
        .describe("a config of the swarm's services")
        .attr(
            "name",
            Attribute::required(Type::String)
                .force_new()
                .describe("user-defined name of the config"),
        )
        .attr(
            "data",
            Attribute::required(Type::String)
                .force_new()
                .validate(base64())
                .describe("base64-encoded config data"),
        )
        .attr("id", Attribute::computed(Type::String))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_argument_of_secrets_and_configs_replaces_and_secret_data_is_sensitive() {
        for s in [secret(), config()] {
            for (name, a) in &s.attributes {
                assert_eq!(a.force_new, a.optional || a.required, "{name}");
            }
        }
        assert!(secret().attributes["data"].sensitive);
        let re = regex::Regex::new(match &config().attributes["data"].validators[0] {
            Validator::Matches { pattern, .. } => pattern,
            other => panic!("{other:?}"),
        })
        .expect("pattern");
        assert!(re.is_match("aGVsbG8="));
        assert!(!re.is_match("hello!"));
    }
}
