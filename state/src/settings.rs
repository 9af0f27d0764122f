//! Backend settings as resolved by the command line (the `backend` block after early evaluation,
//! merged with `-backend-config`), and the backend they build.
//!
//! Every value is a string (`true`, `30s`, `https://...`); nested objects arrive flattened with
//! dots (`endpoints.s3`). Unknown settings are errors naming the setting, so a typo is not
//! silently ignored.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::StateError;
use crate::local::LocalBackend;
use crate::store::Workspaces;

/// The state file of the local backend when no `path` is given.
pub const DEFAULT_LOCAL_PATH: &str = "plinth.tfstate";

/// How long a remote lock's lease lasts unless renewed, when `lock_lease` is not set.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// The value of the first of `variables` set (and not empty) in the environment.
pub fn env_first(variables: &[&str]) -> Option<String> {
    variables
        .iter()
        .find_map(|variable| std::env::var(variable).ok().filter(|v| !v.is_empty()))
}

/// Adds `json` to `out` as backend setting text under `name`: strings as they are, numbers and
/// booleans as written, nested objects as `name.child` entries; nulls are left out.
pub fn flatten_setting(name: &str, json: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match json {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                flatten_setting(&format!("{name}.{key}"), value, out);
            }
        }
        serde_json::Value::String(text) => {
            out.insert(name.to_string(), text.clone());
        }
        serde_json::Value::Null => {}
        other => {
            out.insert(name.to_string(), other.to_string());
        }
    }
}

/// A backend type and its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendSettings {
    /// `local`, `s3` or `pg`.
    pub kind: String,
    /// The settings by name.
    pub values: BTreeMap<String, String>,
}

impl BackendSettings {
    /// The default: a local state file `plinth.tfstate`.
    pub fn default_local() -> BackendSettings {
        BackendSettings {
            kind: "local".to_string(),
            values: BTreeMap::new(),
        }
    }

    /// Settings of backend `kind` from a JSON object of settings (`{"bucket": "b", "endpoints":
    /// {"s3": "..."}}`); an error when `object` is not an object.
    pub fn from_object(
        kind: &str,
        object: &serde_json::Value,
    ) -> Result<BackendSettings, StateError> {
        let mut values = BTreeMap::new();
        match object {
            serde_json::Value::Null => {}
            serde_json::Value::Object(map) => {
                for (name, value) in map {
                    flatten_setting(name, value, &mut values);
                }
            }
            other => {
                return Err(StateError::Config {
                    detail: format!("the {kind} backend's settings must be an object, not {other}"),
                })
            }
        }
        Ok(BackendSettings {
            kind: kind.to_string(),
            values,
        })
    }

    /// The value of `name`, if set and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// The value of `name`, or of the first set environment variable of `variables`.
    pub fn get_or_env(&self, name: &str, variables: &[&str]) -> Option<String> {
        self.get(name)
            .map(str::to_string)
            .or_else(|| env_first(variables))
    }

    /// The value of a required setting, or an error naming it.
    pub fn require(&self, name: &str, hint: &str) -> Result<String, StateError> {
        self.get(name)
            .map(str::to_string)
            .ok_or_else(|| StateError::Config {
                detail: format!("the {} backend needs the setting {name:?}{hint}", self.kind),
            })
    }

    /// A boolean setting (`true`/`false`), `default` when unset.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, StateError> {
        match self.get(name) {
            None => Ok(default),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(StateError::Config {
                detail: format!("{name} must be true or false, not {other:?}"),
            }),
        }
    }

    /// The lease of remote locks: `lock_lease` (`30s`, `2m`), else the default.
    pub fn lease(&self) -> Result<Duration, StateError> {
        let Some(text) = self.get("lock_lease") else {
            return Ok(DEFAULT_LEASE);
        };
        let (number, unit) = text.split_at(
            text.find(|c: char| !c.is_ascii_digit())
                .unwrap_or(text.len()),
        );
        let amount: u64 = number.parse().map_err(|_| StateError::Config {
            detail: format!("lock_lease {text:?} is not a duration such as 30s or 2m"),
        })?;
        let lease = match unit {
            "" | "s" => Duration::from_secs(amount),
            "ms" => Duration::from_millis(amount),
            "m" => Duration::from_secs(amount * 60),
            _ => {
                return Err(StateError::Config {
                    detail: format!("lock_lease {text:?} has an unknown unit {unit:?}"),
                })
            }
        };
        if lease < Duration::from_millis(500) {
            return Err(StateError::Config {
                detail: format!("lock_lease {text:?} is shorter than the shortest lease, 500ms"),
            });
        }
        Ok(lease)
    }

    /// Refuses settings this backend does not know.
    pub fn check_known(&self, known: &[&str]) -> Result<(), StateError> {
        for name in self.values.keys() {
            if !known.contains(&name.as_str()) {
                return Err(StateError::Config {
                    detail: format!(
                        "the {} backend has no setting {name:?} (it knows {})",
                        self.kind,
                        known.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }

    /// Builds the backend these settings describe.
    pub fn build(&self) -> Result<Box<dyn Workspaces>, StateError> {
        match self.kind.as_str() {
            "local" => {
                self.check_known(&["path", "workspace_dir"])?;
                let path = self.get("path").unwrap_or(DEFAULT_LOCAL_PATH);
                Ok(Box::new(LocalBackend::new(PathBuf::from(path))))
            }
            "s3" => Ok(Box::new(crate::s3::S3Backend::from_settings(self)?)),
            "pg" => Ok(Box::new(crate::pg::PgBackend::from_settings(self)?)),
            other => Err(StateError::Config {
                detail: format!(
                    "unsupported backend type {other:?}: plinth supports \"local\", \"s3\" and \"pg\""
                ),
            }),
        }
    }
}
