//! `connection` blocks as Terraform reads them: `type = "ssh"` to `host:port` as `user`
//! (default root, port 22) with a `password`, a `private_key` or the `agent` (`SSH_AUTH_SOCK`,
//! on unless `agent = false`), the server's `host_key` checked when given, an optional jump
//! through a `bastion_*` host (whose unset settings default to the target's), a `timeout` for
//! connecting (default 5m) and the `script_path` remote-exec uploads its scripts to.

use std::time::Duration;

use plinth_sdk::{Attribute, Number, Schema, Type, Value};

use crate::engine::timeouts::parse_duration;

/// Where remote-exec puts its scripts; `%RAND%` becomes a random number.
const DEFAULT_SCRIPT_PATH: &str = "/tmp/terraform_%RAND%.sh";

/// How long connecting may take when `timeout` is not set.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The arguments of a `connection` block.
pub fn schema() -> Schema {
    let text = || Attribute::optional(Type::String);
    Schema::new()
        .attr("type", text())
        .attr("host", Attribute::required(Type::String))
        .attr("port", Attribute::optional(Type::Number))
        .attr("user", text())
        .attr("password", text().sensitive())
        .attr("private_key", text().sensitive())
        .attr("agent", Attribute::optional(Type::Bool))
        .attr("host_key", text())
        .attr("timeout", text())
        .attr("script_path", text())
        .attr("target_platform", text())
        .attr("bastion_host", text())
        .attr("bastion_host_key", text())
        .attr("bastion_port", Attribute::optional(Type::Number))
        .attr("bastion_user", text())
        .attr("bastion_password", text().sensitive())
        .attr("bastion_private_key", text().sensitive())
}

/// One machine to log in to.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// User to log in as.
    pub user: String,
    /// Password, if any.
    pub password: Option<String>,
    /// Private key in OpenSSH or PEM form, if any.
    pub private_key: Option<String>,
    /// The server's public key (`ssh-ed25519 AAAA...`), checked when given.
    pub host_key: Option<String>,
}

impl Endpoint {
    /// `host:port`, as errors name it.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// A decoded `connection` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The machine the provisioner works on.
    pub target: Endpoint,
    /// The jump host in between, if any.
    pub bastion: Option<Endpoint>,
    /// Whether to ask the SSH agent at `SSH_AUTH_SOCK` for keys.
    pub agent: bool,
    /// How long connecting (with retries) may take.
    pub timeout: Duration,
    /// Where remote-exec uploads scripts (`%RAND%` replaced).
    pub script_path: String,
}

impl Settings {
    /// Decodes an evaluated `connection` block; the error says which argument is wrong.
    pub fn from_value(value: Value) -> Result<Settings, String> {
        let (value, _) = value.unmark_deep();
        let text = |name: &str| {
            value
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let port = |name: &str, default: u16| match value.get(name).filter(|v| !v.is_null()) {
            None => Ok(default),
            Some(v) => v
                .as_number()
                .and_then(Number::as_i64)
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} must be a TCP port number, not {v}")),
        };
        match text("type").as_deref() {
            None | Some("ssh") => {}
            Some(other) => {
                return Err(format!(
                    "connection type {other:?} is not supported: plinth connects over \"ssh\""
                ))
            }
        }
        match text("target_platform").as_deref() {
            None | Some("unix") => {}
            Some(other) => {
                return Err(format!(
                "target_platform {other:?} is not supported: plinth provisions \"unix\" machines"
            ))
            }
        }
        let host = text("host").ok_or("host must not be empty")?;
        let target = Endpoint {
            host,
            port: port("port", 22)?,
            user: text("user").unwrap_or_else(|| "root".into()),
            password: text("password"),
            private_key: text("private_key"),
            host_key: text("host_key"),
        };
        let bastion = match text("bastion_host") {
            None => None,
            Some(host) => Some(Endpoint {
                host,
                port: port("bastion_port", target.port)?,
                user: text("bastion_user").unwrap_or_else(|| target.user.clone()),
                password: text("bastion_password").or_else(|| target.password.clone()),
                private_key: text("bastion_private_key").or_else(|| target.private_key.clone()),
                host_key: text("bastion_host_key"),
            }),
        };
        let timeout = match text("timeout") {
            None => DEFAULT_TIMEOUT,
            Some(t) => parse_duration(&t).ok_or_else(|| {
                format!("timeout = {t:?} is not a duration such as \"30s\", \"5m\" or \"1h30m\"")
            })?,
        };
        Ok(Settings {
            target,
            bastion,
            agent: value.get("agent").and_then(Value::as_bool).unwrap_or(true),
            timeout,
            script_path: text("script_path").unwrap_or_else(|| DEFAULT_SCRIPT_PATH.into()),
        })
    }

    /// The passwords and private keys (and each line of the keys), never to be shown.
    pub fn secrets(&self) -> Vec<String> {
        let mut found = Vec::new();
        for endpoint in std::iter::once(&self.target).chain(&self.bastion) {
            found.extend(endpoint.password.clone());
            if let Some(key) = &endpoint.private_key {
                found.push(key.clone());
                found.extend(
                    key.lines()
                        .map(str::trim)
                        .filter(|l| l.len() >= 16 && !l.starts_with("-----"))
                        .map(String::from),
                );
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, Value)]) -> Result<Settings, String> {
        Settings::from_value(Value::object(pairs.iter().cloned()))
    }

    #[test]
    fn defaults_are_terraforms() {
        let s = settings(&[("host", Value::from("10.0.0.5"))]).expect("valid");
        assert_eq!(s.target.user, "root");
        assert_eq!(s.target.port, 22);
        assert!(s.agent);
        assert_eq!(s.timeout, Duration::from_secs(300));
        assert_eq!(s.script_path, "/tmp/terraform_%RAND%.sh");
        assert_eq!(s.bastion, None);
    }

    #[test]
    fn bastion_settings_default_to_the_targets() {
        let s = settings(&[
            ("host", Value::from("10.0.0.5")),
            ("port", Value::int(2222)),
            ("user", Value::from("deploy")),
            ("private_key", Value::from("KEY").mark_sensitive()),
            ("bastion_host", Value::from("jump.example")),
            ("timeout", Value::from("1m30s")),
        ])
        .expect("valid");
        let bastion = s.bastion.expect("bastion");
        assert_eq!(
            (
                bastion.port,
                bastion.user.as_str(),
                bastion.private_key.as_deref()
            ),
            (2222, "deploy", Some("KEY"))
        );
        assert_eq!(s.timeout, Duration::from_secs(90));
    }

    #[test]
    fn wrong_type_port_and_timeout_are_refused_by_name() {
        let host = ("host", Value::from("h"));
        let err = settings(&[host.clone(), ("type", Value::from("winrm"))]).unwrap_err();
        assert!(err.contains("winrm"), "{err}");
        let err = settings(&[host.clone(), ("port", Value::int(70000))]).unwrap_err();
        assert!(err.contains("port"), "{err}");
        let err = settings(&[host, ("timeout", Value::from("soon"))]).unwrap_err();
        assert!(err.contains("timeout"), "{err}");
    }
}
