//! Registry credentials and image references: the provider block's `registry_auth` blocks
//! (username and password, a Docker CLI `config.json` file or its content, or no credentials at
//! all), looked up by registry host for pulls, pushes, builds and the registry's HTTP API.
//!
//! Passwords never reach a message or a log: [`Credential`]'s `Debug` hides them, and every
//! error text that may echo one goes through [`Auths::redact`].

mod config_file;
pub mod http;

use std::collections::{BTreeMap, HashMap};

use bollard::auth::DockerCredentials;
use plinth_sdk::{AttrPath, Diagnostics, Value};

use crate::attrs;

/// The registry an image name without a registry part lives in (Docker Hub).
pub const DOCKER_HUB: &str = "registry-1.docker.io";

/// The names Docker Hub goes by in `registry_auth` addresses and config files.
const DOCKER_HUB_ALIASES: [&str; 5] = [
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
    "hub.docker.com",
];

/// A user name and password for one registry.
#[derive(Clone, PartialEq)]
pub struct Credential {
    /// The user name.
    pub username: String,
    /// The password (or token): never printed.
    pub password: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("username", &self.username)
            .field("password", &"(sensitive)")
            .finish()
    }
}

/// What plinth knows about one registry: how to reach its HTTP API and who to log in as.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// `http` or `https` when the address named one.
    pub scheme: Option<String>,
    /// The credential; None when `auth_disabled` is set.
    pub credential: Option<Credential>,
}

/// The `registry_auth` blocks of a provider, by registry host (`host[:port]`).
#[derive(Clone, Debug, Default)]
pub struct Auths {
    by_host: BTreeMap<String, Entry>,
}

impl Auths {
    /// Reads the provider block's `registry_auth` blocks: a username wins over
    /// `config_file_content`, which wins over `config_file` (default `~/.docker/config.json`).
    pub fn from_provider(config: &Value) -> Result<Auths, Diagnostics> {
        let mut by_host = BTreeMap::new();
        for block in attrs::blocks(config, "registry_auth") {
            let address = attrs::required(block, "address")?;
            let (scheme, host) = split_address(address);
            let credential = if attrs::boolean(block, "auth_disabled", false) {
                None
            } else if let Some(username) = attrs::non_empty(block, "username") {
                Some(Credential {
                    username: username.to_string(),
                    password: attrs::string(block, "password").unwrap_or("").to_string(),
                })
            } else if let Some(content) = attrs::non_empty(block, "config_file_content") {
                Some(config_file::lookup(content, &host).map_err(|e| {
                    (*e).with_attribute(AttrPath::attr("registry_auth").then("config_file_content"))
                })?)
            } else {
                let path =
                    attrs::non_empty(block, "config_file").unwrap_or("~/.docker/config.json");
                Some(config_file::read(path, &host)?)
            };
            by_host.insert(canonical_host(&host), Entry { scheme, credential });
        }
        Ok(Auths { by_host })
    }

    /// The entry for a registry host, if a `registry_auth` block names it.
    pub fn entry(&self, host: &str) -> Option<&Entry> {
        self.by_host.get(&canonical_host(host))
    }

    /// The credential for a registry host, if there is one.
    pub fn credential(&self, host: &str) -> Option<&Credential> {
        self.entry(host).and_then(|e| e.credential.as_ref())
    }

    /// Every credential as the engine's build call takes them (`X-Registry-Config`), keyed by
    /// registry host, so base images of a build are pulled with them.
    pub fn for_build(&self) -> HashMap<String, DockerCredentials> {
        self.by_host
            .iter()
            .filter_map(|(host, entry)| {
                let credential = entry.credential.as_ref()?;
                let key = if host == DOCKER_HUB {
                    "https://index.docker.io/v1/".to_string()
                } else {
                    host.clone()
                };
                Some((key, docker_credentials(host, credential)))
            })
            .collect()
    }

    /// `text` with every known password replaced by `(sensitive)`.
    pub fn redact(&self, text: &str) -> String {
        let passwords = self
            .by_host
            .values()
            .filter_map(|e| e.credential.as_ref())
            .map(|c| c.password.as_str());
        redact(text, passwords)
    }
}

/// `text` with each of `secrets` (the non-empty ones) replaced by `(sensitive)`.
pub fn redact<'a>(text: &str, secrets: impl IntoIterator<Item = &'a str>) -> String {
    secrets
        .into_iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_string(), |text, secret| {
            text.replace(secret, "(sensitive)")
        })
}

/// The credentials the engine's pull and push calls take (`X-Registry-Auth`).
pub fn docker_credentials(host: &str, credential: &Credential) -> DockerCredentials {
    DockerCredentials {
        username: Some(credential.username.clone()),
        password: Some(credential.password.clone()),
        serveraddress: Some(host.to_string()),
        ..DockerCredentials::default()
    }
}

/// `http://host:5000/` → (`Some("http")`, `host:5000`): the scheme, if any, and the host part.
fn split_address(address: &str) -> (Option<String>, String) {
    let (scheme, rest) = match address.split_once("://") {
        Some((scheme, rest)) => (Some(scheme.to_ascii_lowercase()), rest),
        None => (None, address),
    };
    let host = rest.split('/').next().unwrap_or(rest).to_string();
    (scheme, host)
}

/// A registry host as plinth keys it: Docker Hub's aliases are one host.
pub fn canonical_host(host: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    if DOCKER_HUB_ALIASES.contains(&host.as_str()) {
        DOCKER_HUB.to_string()
    } else {
        host
    }
}

/// An image name split the way registries see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The registry host (`127.0.0.1:5000`; Docker Hub when the name has none).
    pub registry: String,
    /// The repository as the engine names it (`127.0.0.1:5000/team/app`, `alpine`).
    pub local_repository: String,
    /// The repository inside the registry (`team/app`, `library/alpine`).
    pub path: String,
    /// The tag (`latest` when none) or the digest (`sha256:...`).
    pub tag: String,
}

impl Reference {
    /// Parses `[registry/]repository[:tag][@digest]` like the Docker CLI: the first part is a
    /// registry when it contains a dot or a colon, or is `localhost`.
    pub fn parse(name: &str) -> Reference {
        let (without_digest, digest) = match name.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (name, None),
        };
        let (repository, tag) = match without_digest.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => (repo, Some(tag)),
            _ => (without_digest, None),
        };
        let (registry, path) = match repository.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (canonical_host(first), rest.to_string())
            }
            _ => (DOCKER_HUB.to_string(), repository.to_string()),
        };
        let path = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        let tag = digest.or(tag).unwrap_or("latest").to_string();
        Reference {
            registry,
            local_repository: repository.to_string(),
            path,
            tag,
        }
    }

    /// The tag to push, when the reference names one (not a digest).
    pub fn push_tag(&self) -> Option<&str> {
        (!self.tag.contains(':')).then_some(self.tag.as_str())
    }
}

/// The `auth_config` block of a `docker_registry_image` as an entry, if it is set: it wins over
/// the provider's `registry_auth` for that resource.
pub fn resource_entry(object: &Value) -> Option<(String, Entry)> {
    let block = attrs::blocks(object, "auth_config").into_iter().next()?;
    let (scheme, host) = split_address(attrs::non_empty(block, "address")?);
    let credential = Credential {
        username: attrs::string(block, "username").unwrap_or("").to_string(),
        password: attrs::string(block, "password").unwrap_or("").to_string(),
    };
    Some((
        canonical_host(&host),
        Entry {
            scheme,
            credential: Some(credential),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_like_the_docker_cli() {
        let r = Reference::parse("127.0.0.1:5000/team/app:1.2");
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.local_repository, "127.0.0.1:5000/team/app");
        assert_eq!(r.path, "team/app");
        assert_eq!(r.tag, "1.2");
        let hub = Reference::parse("alpine");
        assert_eq!(hub.registry, DOCKER_HUB);
        assert_eq!(hub.path, "library/alpine");
        assert_eq!(hub.tag, "latest");
        let port_only = Reference::parse("localhost:5000/app");
        assert_eq!(port_only.registry, "localhost:5000");
        assert_eq!(port_only.tag, "latest");
        let digest = Reference::parse("reg.example/app@sha256:abc");
        assert_eq!(digest.tag, "sha256:abc");
        assert_eq!(digest.push_tag(), None);
    }

    #[test]
    fn registry_auth_blocks_are_keyed_by_host_and_passwords_stay_hidden() {
        let block = Value::object([
            ("address", Value::from("http://127.0.0.1:5000")),
            ("username", Value::from("ci")),
            ("password", Value::from("s3cret-pw")),
        ]);
        let config = Value::object([("registry_auth", Value::List(vec![block]))]);
        let auths = Auths::from_provider(&config).expect("auths");
        let entry = auths.entry("127.0.0.1:5000").expect("entry");
        assert_eq!(entry.scheme.as_deref(), Some("http"));
        assert_eq!(
            auths
                .credential("127.0.0.1:5000")
                .map(|c| c.username.as_str()),
            Some("ci")
        );
        assert!(!format!("{auths:?}").contains("s3cret-pw"));
        assert_eq!(
            auths.redact("login s3cret-pw failed"),
            "login (sensitive) failed"
        );
        assert!(auths.for_build().contains_key("127.0.0.1:5000"));
    }

    #[test]
    fn docker_hub_aliases_share_one_entry() {
        let block = Value::object([
            ("address", Value::from("docker.io")),
            ("auth_disabled", Value::Bool(true)),
        ]);
        let config = Value::object([("registry_auth", Value::List(vec![block]))]);
        let auths = Auths::from_provider(&config).expect("auths");
        assert!(auths.entry("registry.hub.docker.com").is_some());
        assert!(auths.credential(DOCKER_HUB).is_none());
    }
}
