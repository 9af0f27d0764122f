//! The parts of Terraform's CLI configuration file that decide where providers come from:
//! `provider_installation` (`filesystem_mirror`, `dev_overrides`, `direct`) and
//! `plugin_cache_dir`. The file is `TF_CLI_CONFIG_FILE`, else `~/.terraformrc`; without a
//! `provider_installation` block Terraform's implied local mirrors are searched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{AddressPattern, DiscoveryError, ProviderAddress};

/// One way of installing providers, in configuration order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstallationMethod {
    /// A local directory in the registry's unpacked (or packed) layout.
    FilesystemMirror {
        /// The mirror's root.
        path: PathBuf,
        /// Only these providers (all when empty).
        include: Vec<AddressPattern>,
        /// Never these.
        exclude: Vec<AddressPattern>,
    },
    /// The origin registry: plinth does not download providers, so this only matters for
    /// what it includes and excludes (reported when nothing local matches).
    Direct {
        /// Only these providers (all when empty).
        include: Vec<AddressPattern>,
        /// Never these.
        exclude: Vec<AddressPattern>,
    },
}

/// The CLI configuration, as far as providers are concerned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CliConfig {
    /// Where it was read from (None: no file).
    pub file: Option<PathBuf>,
    /// `plugin_cache_dir` (also `TF_PLUGIN_CACHE_DIR`).
    pub plugin_cache_dir: Option<PathBuf>,
    /// The `provider_installation` methods; None when the block is absent.
    pub installation: Option<Vec<InstallationMethod>>,
    /// `dev_overrides`: a directory holding the provider's executable, any version.
    pub dev_overrides: BTreeMap<ProviderAddress, PathBuf>,
}

impl CliConfig {
    /// Loads the configuration Terraform would: `TF_CLI_CONFIG_FILE`, else `~/.terraformrc`
    /// (a missing file is an empty configuration, as Terraform has it).
    pub fn load() -> Result<CliConfig, DiscoveryError> {
        let file = match std::env::var_os("TF_CLI_CONFIG_FILE") {
            Some(file) if !file.is_empty() => Some(PathBuf::from(file)),
            _ => home_dir().map(|h| h.join(".terraformrc")),
        };
        let mut config = match file {
            Some(file) if file.exists() => CliConfig::read(&file)?,
            _ => CliConfig::default(),
        };
        if let Some(dir) = std::env::var_os("TF_PLUGIN_CACHE_DIR").filter(|d| !d.is_empty()) {
            config.plugin_cache_dir = Some(PathBuf::from(dir));
        }
        Ok(config)
    }

    /// Reads one file.
    pub fn read(path: &Path) -> Result<CliConfig, DiscoveryError> {
        let text = std::fs::read_to_string(path).map_err(|source| DiscoveryError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = CliConfig::parse(&text, path)?;
        config.file = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses configuration text (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<CliConfig, DiscoveryError> {
        let bad = |reason: String| DiscoveryError::BadFile {
            path: path.to_path_buf(),
            reason,
        };
        let body: hcl::Body =
            hcl::from_str(&dev_overrides_as_object(text)).map_err(|e| bad(e.to_string()))?;
        let mut config = CliConfig::default();
        for attr in body.attributes() {
            if attr.key() == "plugin_cache_dir" {
                config.plugin_cache_dir = Some(PathBuf::from(expand_home(&string(
                    attr.expr(),
                    "plugin_cache_dir",
                    &bad,
                )?)));
            }
        }
        for block in body
            .blocks()
            .filter(|b| b.identifier() == "provider_installation")
        {
            let methods = config.installation.get_or_insert_with(Vec::new);
            for attr in block.body().attributes() {
                if attr.key() != "dev_overrides" {
                    return Err(bad(format!(
                        "unexpected {:?} in provider_installation",
                        attr.key()
                    )));
                }
                let hcl::Value::Object(map) = hcl::Value::from(attr.expr().clone()) else {
                    return Err(bad(
                        "dev_overrides maps provider addresses to directories".into()
                    ));
                };
                for (address, dir) in map {
                    let hcl::Value::String(dir) = dir else {
                        return Err(bad(format!(
                            "dev_overrides {address:?}: a directory path is a string"
                        )));
                    };
                    config.dev_overrides.insert(
                        ProviderAddress::parse(&address)?,
                        PathBuf::from(expand_home(&dir)),
                    );
                }
            }
            for method in block.body().blocks() {
                let mut path = None;
                let mut include = Vec::new();
                let mut exclude = Vec::new();
                for attr in method.body().attributes() {
                    match attr.key() {
                        "path" => {
                            path = Some(PathBuf::from(expand_home(&string(
                                attr.expr(),
                                "path",
                                &bad,
                            )?)))
                        }
                        "include" => include = patterns(attr.expr(), &bad)?,
                        "exclude" => exclude = patterns(attr.expr(), &bad)?,
                        other => {
                            return Err(bad(format!(
                                "unexpected {other:?} in {}",
                                method.identifier()
                            )))
                        }
                    }
                }
                match method.identifier() {
                    "filesystem_mirror" => methods.push(InstallationMethod::FilesystemMirror {
                        path: path.ok_or_else(|| bad("filesystem_mirror needs a path".into()))?,
                        include,
                        exclude,
                    }),
                    "direct" => methods.push(InstallationMethod::Direct { include, exclude }),
                    // Network mirrors download; plinth installs nothing from the network.
                    "network_mirror" => {}
                    other => return Err(bad(format!("unknown installation method {other:?}"))),
                }
            }
        }
        Ok(config)
    }
}

/// `dev_overrides { "ns/type" = "dir" }` is HCL 1 syntax (quoted keys in a block body);
/// written as an attribute holding an object it is valid HCL 2 with the same meaning.
fn dev_overrides_as_object(text: &str) -> String {
    const KEY: &str = "dev_overrides";
    let mut out = String::with_capacity(text.len() + 4);
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        let (before, after) = rest.split_at(at + KEY.len());
        out.push_str(before);
        if after.trim_start().starts_with('{') {
            out.push_str(" =");
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn string(
    expr: &hcl::Expression,
    what: &str,
    bad: &dyn Fn(String) -> DiscoveryError,
) -> Result<String, DiscoveryError> {
    match hcl::Value::from(expr.clone()) {
        hcl::Value::String(s) => Ok(s),
        other => Err(bad(format!("{what} must be a string, not {other}"))),
    }
}

fn patterns(
    expr: &hcl::Expression,
    bad: &dyn Fn(String) -> DiscoveryError,
) -> Result<Vec<AddressPattern>, DiscoveryError> {
    match hcl::Value::from(expr.clone()) {
        hcl::Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                hcl::Value::String(s) => AddressPattern::parse(&s),
                other => Err(bad(format!("pattern {other} is not a string"))),
            })
            .collect(),
        other => Err(bad(format!("include/exclude take a list, not {other}"))),
    }
}

pub(super) fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// Expands a leading `~/` and `$HOME` the way Terraform's CLI configuration allows.
fn expand_home(path: &str) -> String {
    let Some(home) = home_dir() else {
        return path.to_string();
    };
    let home = home.to_string_lossy();
    let path = path.replace("$HOME", &home);
    match path.strip_prefix("~/") {
        Some(rest) => format!("{home}/{rest}"),
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_cli_configuration_parses() {
        let text = r#"
plugin_cache_dir = "/cache"
provider_installation {
  dev_overrides {
    "example.com/me/thing" = "/src/thing"
    "hashicorp/null" = "/src/null"
  }
  filesystem_mirror {
    path    = "/opt/tf-plugins"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
"#;
        let config = CliConfig::parse(text, Path::new("cli.tfrc")).unwrap();
        assert_eq!(config.plugin_cache_dir, Some(PathBuf::from("/cache")));
        assert_eq!(config.dev_overrides.len(), 2);
        let null = ProviderAddress::parse("hashicorp/null").unwrap();
        assert_eq!(config.dev_overrides[&null], PathBuf::from("/src/null"));
        let methods = config.installation.unwrap();
        let InstallationMethod::FilesystemMirror { path, include, .. } = &methods[0] else {
            panic!("mirror first");
        };
        assert_eq!(path, Path::new("/opt/tf-plugins"));
        assert!(include[0].matches(&null));
        assert!(matches!(methods[1], InstallationMethod::Direct { .. }));
    }

    #[test]
    fn bad_configuration_names_the_file() {
        let err = CliConfig::parse(
            "provider_installation {\n  filesystem_mirror {}\n}\n",
            Path::new("/home/me/.terraformrc"),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("/home/me/.terraformrc") && text.contains("path"),
            "{text}"
        );
    }

    #[test]
    fn no_installation_block_means_implied_mirrors() {
        let config = CliConfig::parse("plugin_cache_dir = \"/c\"\n", Path::new("x")).unwrap();
        assert_eq!(config.installation, None);
    }
}
