//! Credentials from a Docker CLI configuration (`config.json`): the `auths` entry of a registry,
//! whose `auth` is base64 of `user:password` (or which holds `username` and `password`).
//! Credential helpers (`credsStore`, `credHelpers`) are not run.

use base64::Engine as _;
use plinth_sdk::{Diagnostic, Diagnostics};
use serde_json::Value as Json;

use super::{canonical_host, split_address, Credential};

/// The credential for `host` in the configuration file at `path` (`~/` is the home directory).
pub fn read(path: &str, host: &str) -> Result<Credential, Diagnostics> {
    let expanded = match path.strip_prefix("~/") {
        Some(rest) => match std::env::var("HOME") {
            Ok(home) => format!("{home}/{rest}"),
            Err(_) => path.to_string(),
        },
        None => path.to_string(),
    };
    let content = std::fs::read_to_string(&expanded).map_err(|e| {
        Diagnostic::error(format!(
            "registry_auth for {host}: cannot read the Docker configuration file \"{expanded}\""
        ))
        .with_detail(format!(
            "{e}. Set username and password, config_file_content, or auth_disabled = true for a registry without credentials."
        ))
    })?;
    lookup(&content, host).map_err(|d| {
        Diagnostics::from(
            Diagnostic::error(format!("{} (in \"{expanded}\")", d.summary))
                .with_detail(d.detail.unwrap_or_default()),
        )
    })
}

/// The credential for `host` in the content of a configuration file.
pub fn lookup(content: &str, host: &str) -> Result<Credential, Box<Diagnostic>> {
    let json: Json = serde_json::from_str(content).map_err(|e| {
        Diagnostic::error("the Docker configuration is not valid JSON").with_detail(format!(
            "at line {}, column {}",
            e.line(),
            e.column()
        ))
    })?;
    let wanted = canonical_host(host);
    let entry = json
        .get("auths")
        .and_then(Json::as_object)
        .and_then(|auths| {
            auths
                .iter()
                .find(|(key, _)| canonical_host(&split_address(key).1) == wanted)
                .map(|(_, entry)| entry)
        })
        .ok_or_else(|| {
            let helper = json.get("credsStore").is_some() || json.get("credHelpers").is_some();
            Diagnostic::error(format!(
                "no credentials for registry {host} in the Docker configuration"
            ))
            .with_detail(if helper {
                "It names a credential helper, which plinth does not run; give username and password instead."
            } else {
                "Its \"auths\" has no entry for this registry (docker login adds one)."
            })
        })?;
    let field = |name: &str| entry.get(name).and_then(Json::as_str).unwrap_or("");
    if !field("username").is_empty() {
        return Ok(Credential {
            username: field("username").to_string(),
            password: field("password").to_string(),
        });
    }
    let invalid = || {
        Diagnostic::error(format!(
            "the Docker configuration's credentials for {host} are not base64 of user:password"
        ))
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(field("auth").trim())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (username, password) = text.split_once(':').ok_or_else(invalid)?;
    Ok(Credential {
        username: username.to_string(),
        password: password.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auths_entries_decode_and_match_with_or_without_a_scheme() {
        let auth = base64::engine::general_purpose::STANDARD.encode("ci:pa:ss");
        let content =
            format!(r#"{{"auths": {{"https://127.0.0.1:5000/v2/": {{"auth": "{auth}"}}}}}}"#);
        let credential = lookup(&content, "127.0.0.1:5000").expect("found");
        assert_eq!(credential.username, "ci");
        assert_eq!(credential.password, "pa:ss");
    }

    #[test]
    fn a_missing_registry_says_so_without_the_others_credentials() {
        let auth = base64::engine::general_purpose::STANDARD.encode("ci:hidden");
        let content =
            format!(r#"{{"auths": {{"other:1": {{"auth": "{auth}"}}}}, "credsStore": "desktop"}}"#);
        let err = lookup(&content, "127.0.0.1:5000").expect_err("missing");
        let text = format!("{} {}", err.summary, err.detail.unwrap_or_default());
        assert!(text.contains("credential helper"), "{text}");
        assert!(!text.contains("hidden") && !text.contains(&auth), "{text}");
    }

    #[test]
    fn a_missing_file_is_named() {
        let err = read("/nonexistent/config.json", "r:1")
            .expect_err("missing")
            .to_string();
        assert!(err.contains("/nonexistent/config.json"), "{err}");
    }
}
