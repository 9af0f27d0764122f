//! Finding provider packages the way Terraform does: `dev_overrides`, the packages
//! `terraform init` left in `.terraform/providers`, filesystem mirrors named in the CLI
//! configuration (or Terraform's implied local mirrors when it names none) and the plugin cache,
//! all in the unpacked layout `HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE*`;
//! mirrors also in the packed layout `HOST/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip`,
//! unpacked into `.terraform/plinth-unpacked` when chosen. The newest version allowed by the
//! constraints wins, unless the lock file pins one; a locked package must match one of the
//! lock's `h1:` hashes (and an archive one of its `zh:` hashes). plinth installs nothing from
//! the network.

mod address;
mod cli_config;
mod lock;
mod packed;
mod version;

use std::fmt;
use std::path::{Path, PathBuf};

use semver::Version;

pub use address::{AddressPattern, ProviderAddress, DEFAULT_HOST};
pub use cli_config::{CliConfig, InstallationMethod};
pub use lock::{package_hash_h1, LockFile, LockedProvider, LOCK_FILE_NAME};
pub use packed::archive_hash_zh;
pub use version::{parse_version, Constraints};

/// A discovery failure.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A configuration or lock file is malformed.
    #[error("{}: {reason}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A provider source address is malformed.
    #[error("invalid provider address {address:?}: {reason}")]
    BadAddress {
        /// As written.
        address: String,
        /// What is wrong.
        reason: String,
    },
    /// A version constraint is malformed.
    #[error("invalid version constraint {constraint:?}: {reason}")]
    BadConstraint {
        /// As written.
        constraint: String,
        /// What is wrong.
        reason: String,
    },
    /// No package matches.
    #[error(
        "no package of provider {address} matches {}{}; searched: {}",
        if constraints.is_empty() { "any version".to_string() } else { format!("\"{constraints}\"") },
        locked.as_ref().map(|v| format!(" (locked to {v} in {LOCK_FILE_NAME})")).unwrap_or_default(),
        if searched.is_empty() { "nothing".to_string() } else { searched.join(", ") }
    )]
    NotFound {
        /// The provider.
        address: Box<ProviderAddress>,
        /// Its constraints.
        constraints: Box<Constraints>,
        /// The version the lock file pins, if any.
        locked: Option<Version>,
        /// Where plinth looked.
        searched: Vec<String>,
    },
    /// The package differs from what the lock file recorded.
    #[error(
        "provider {address} {version} in {} does not match the checksums in {LOCK_FILE_NAME} \
         (it hashes to {got}); the package changed since the lock file was written",
        dir.display()
    )]
    HashMismatch {
        /// The provider.
        address: Box<ProviderAddress>,
        /// The version.
        version: Version,
        /// The package directory, or the archive of a packed one.
        dir: PathBuf,
        /// The package's `h1:` hash (`zh:` for an archive).
        got: String,
    },
    /// The lock file pins a version the constraints exclude.
    #[error("{LOCK_FILE_NAME} pins provider {address} to {version}, which \"{constraints}\" does not allow")]
    LockedOutside {
        /// The provider.
        address: Box<ProviderAddress>,
        /// The locked version.
        version: Version,
        /// The constraints.
        constraints: Box<Constraints>,
    },
}

/// Where a package was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PackageSource {
    /// A `dev_overrides` directory: any version, never checked against the lock file.
    DevOverride(PathBuf),
    /// `.terraform/providers`, left by `terraform init`.
    WorkingDirectory(PathBuf),
    /// A `filesystem_mirror` of the CLI configuration.
    FilesystemMirror(PathBuf),
    /// One of Terraform's implied local mirror directories.
    ImpliedMirror(PathBuf),
    /// The plugin cache directory.
    PluginCache(PathBuf),
}

impl fmt::Display for PackageSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, path) = match self {
            PackageSource::DevOverride(p) => ("dev override", p),
            PackageSource::WorkingDirectory(p) => ("working directory", p),
            PackageSource::FilesystemMirror(p) => ("filesystem mirror", p),
            PackageSource::ImpliedMirror(p) => ("implied local mirror", p),
            PackageSource::PluginCache(p) => ("plugin cache", p),
        };
        write!(f, "{what} {}", path.display())
    }
}

/// An unpacked provider package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// The provider.
    pub address: ProviderAddress,
    /// Its version (0.0.0 for a dev override, which has none).
    pub version: Version,
    /// The package directory (`.../VERSION/OS_ARCH`); for a packed package, where
    /// [`Discovery::find`] unpacks it.
    pub dir: PathBuf,
    /// The executable to start (for a packed package, known once it is unpacked).
    pub executable: PathBuf,
    /// Where it was found.
    pub source: PackageSource,
    /// The `.zip` archive a packed mirror holds it in.
    pub archive: Option<PathBuf>,
}

/// Looks for packages for one working directory.
#[derive(Clone, Debug)]
pub struct Discovery {
    config: CliConfig,
    working_dir: PathBuf,
    platform: String,
}

impl Discovery {
    /// Discovery under `config` for the configuration in `working_dir`, for this machine's
    /// platform.
    pub fn new(config: CliConfig, working_dir: impl Into<PathBuf>) -> Discovery {
        Discovery {
            config,
            working_dir: working_dir.into(),
            platform: current_platform(),
        }
    }

    /// The platform directory name packages are looked up under (`linux_amd64`).
    pub fn platform(&self) -> &str {
        &self.platform
    }

    /// The places searched for `address`, in order, with their include/exclude rules applied.
    fn sources(&self, address: &ProviderAddress) -> Vec<PackageSource> {
        let mut sources = vec![PackageSource::WorkingDirectory(
            self.working_dir.join(".terraform/providers"),
        )];
        match &self.config.installation {
            Some(methods) => {
                for method in methods {
                    if let InstallationMethod::FilesystemMirror {
                        path,
                        include,
                        exclude,
                    } = method
                    {
                        let included =
                            include.is_empty() || include.iter().any(|p| p.matches(address));
                        if included && !exclude.iter().any(|p| p.matches(address)) {
                            sources.push(PackageSource::FilesystemMirror(path.clone()));
                        }
                    }
                }
            }
            None => {
                sources.push(PackageSource::ImpliedMirror(
                    self.working_dir.join("terraform.d/plugins"),
                ));
                if let Some(home) = cli_config::home_dir() {
                    sources.push(PackageSource::ImpliedMirror(
                        home.join(".terraform.d/plugins"),
                    ));
                    let data = std::env::var_os("XDG_DATA_HOME")
                        .map(PathBuf::from)
                        .unwrap_or_else(|| home.join(".local/share"));
                    sources.push(PackageSource::ImpliedMirror(data.join("terraform/plugins")));
                }
            }
        }
        if let Some(cache) = &self.config.plugin_cache_dir {
            sources.push(PackageSource::PluginCache(cache.clone()));
        }
        sources
    }

    /// Where packages from packed mirrors are unpacked.
    fn unpack_root(&self) -> PathBuf {
        self.working_dir.join(".terraform/plinth-unpacked")
    }

    /// Every package of `address` for this platform, newest first (for one version, the first
    /// place searched wins, and in one mirror an unpacked package before an archive).
    pub fn available(&self, address: &ProviderAddress) -> Vec<Package> {
        let mut found: Vec<Package> = Vec::new();
        for source in self.sources(address) {
            let mut packages = scan(&source, address, &self.platform);
            packages.extend(self.scan_archives(&source, address));
            for package in packages {
                if !found.iter().any(|p| p.version == package.version) {
                    found.push(package);
                }
            }
        }
        found.sort_by(|a, b| b.version.cmp(&a.version));
        found
    }

    /// The package to run for `address`: a dev override, else the newest allowed by
    /// `constraints` (the locked version when `locked` is given, checked against its hashes).
    pub fn find(
        &self,
        address: &ProviderAddress,
        constraints: &Constraints,
        locked: Option<&LockedProvider>,
    ) -> Result<Package, DiscoveryError> {
        if let Some(dir) = self.config.dev_overrides.get(address) {
            if let Some(executable) = executable_in(dir, &address.type_name) {
                return Ok(Package {
                    address: address.clone(),
                    version: Version::new(0, 0, 0),
                    dir: dir.clone(),
                    executable,
                    source: PackageSource::DevOverride(dir.clone()),
                    archive: None,
                });
            }
        }
        if let Some(locked) = locked {
            if !constraints.allows(&locked.version) {
                return Err(DiscoveryError::LockedOutside {
                    address: Box::new(address.clone()),
                    version: locked.version.clone(),
                    constraints: Box::new(constraints.clone()),
                });
            }
        }
        let chosen = self.available(address).into_iter().find(|p| match locked {
            Some(locked) => p.version == locked.version,
            None => constraints.allows(&p.version),
        });
        let Some(package) = chosen else {
            return Err(DiscoveryError::NotFound {
                address: Box::new(address.clone()),
                constraints: Box::new(constraints.clone()),
                locked: locked.map(|l| l.version.clone()),
                searched: self
                    .sources(address)
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            });
        };
        let package = match package.archive.clone() {
            Some(archive) => self.unpacked(package, &archive, locked)?,
            None => package,
        };
        if let Some(locked) = locked {
            let h1 = package_hash_h1(&package.dir)?;
            if locked.accepts_h1(&h1) == Some(false) {
                return Err(DiscoveryError::HashMismatch {
                    address: Box::new(address.clone()),
                    version: package.version,
                    dir: package.dir,
                    got: h1,
                });
            }
        }
        Ok(package)
    }

    /// The lock entry for a package chosen under `constraints`: its `h1:` hash, plus the hashes
    /// already recorded for the same version (other platforms, `zh:`).
    pub fn lock_entry(
        package: &Package,
        constraints: &Constraints,
        previous: Option<&LockedProvider>,
    ) -> Result<LockedProvider, DiscoveryError> {
        let mut hashes = vec![package_hash_h1(&package.dir)?];
        if let Some(archive) = &package.archive {
            hashes.push(archive_hash_zh(archive)?);
        }
        if let Some(previous) = previous.filter(|p| p.version == package.version) {
            hashes.extend(previous.hashes.iter().cloned());
        }
        hashes.sort();
        hashes.dedup();
        Ok(LockedProvider {
            version: package.version.clone(),
            constraints: (!constraints.is_empty()).then(|| constraints.to_string()),
            hashes,
        })
    }
}

impl Discovery {
    /// The archives of `address` in a mirror's packed layout, as packages to unpack under
    /// [`Discovery::unpack_root`].
    fn scan_archives(&self, source: &PackageSource, address: &ProviderAddress) -> Vec<Package> {
        let (PackageSource::FilesystemMirror(root) | PackageSource::ImpliedMirror(root)) = source
        else {
            return Vec::new();
        };
        let provider_dir = root
            .join(&address.host)
            .join(&address.namespace)
            .join(&address.type_name);
        packed::archives_in(&provider_dir, &address.type_name, &self.platform)
            .into_iter()
            .map(|(version, archive)| {
                let dir = self
                    .unpack_root()
                    .join(&address.host)
                    .join(&address.namespace)
                    .join(&address.type_name)
                    .join(version.to_string())
                    .join(&self.platform);
                Package {
                    address: address.clone(),
                    executable: dir.join(format!("terraform-provider-{}", address.type_name)),
                    version,
                    dir,
                    source: source.clone(),
                    archive: Some(archive),
                }
            })
            .collect()
    }

    /// `package` unpacked from `archive`, after checking the archive against the lock's `zh:`
    /// hashes.
    fn unpacked(
        &self,
        mut package: Package,
        archive: &Path,
        locked: Option<&LockedProvider>,
    ) -> Result<Package, DiscoveryError> {
        let zh = archive_hash_zh(archive)?;
        if locked.and_then(|l| l.accepts_zh(&zh)) == Some(false) {
            return Err(DiscoveryError::HashMismatch {
                address: Box::new(package.address),
                version: package.version,
                dir: archive.to_path_buf(),
                got: zh,
            });
        }
        packed::unpack(archive, &zh, &package.dir)?;
        let Some(executable) = executable_in(&package.dir, &package.address.type_name) else {
            return Err(DiscoveryError::BadFile {
                path: archive.to_path_buf(),
                reason: format!(
                    "the archive holds no terraform-provider-{} executable",
                    package.address.type_name
                ),
            });
        };
        packed::make_executable(&executable)?;
        package.executable = executable;
        Ok(package)
    }
}

/// This machine's platform in Terraform's spelling (`linux_amd64`, `darwin_arm64`).
pub fn current_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

/// The unpacked packages of `address` under one source directory.
fn scan(source: &PackageSource, address: &ProviderAddress, platform: &str) -> Vec<Package> {
    let root = match source {
        PackageSource::DevOverride(_) => return Vec::new(),
        PackageSource::WorkingDirectory(p)
        | PackageSource::FilesystemMirror(p)
        | PackageSource::ImpliedMirror(p)
        | PackageSource::PluginCache(p) => p,
    };
    let provider_dir = root
        .join(&address.host)
        .join(&address.namespace)
        .join(&address.type_name);
    let Ok(entries) = std::fs::read_dir(&provider_dir) else {
        return Vec::new();
    };
    let mut packages = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(version) = parse_version(&name) else {
            continue;
        };
        let dir = entry.path().join(platform);
        if let Some(executable) = executable_in(&dir, &address.type_name) {
            packages.push(Package {
                address: address.clone(),
                version,
                dir,
                executable,
                source: source.clone(),
                archive: None,
            });
        }
    }
    packages
}

/// The provider executable in a package directory: a file named `terraform-provider-TYPE*`.
fn executable_in(dir: &Path, type_name: &str) -> Option<PathBuf> {
    let prefix = format!("terraform-provider-{type_name}");
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .filter(|e| e.path().is_file())
        .map(|e| e.path())
        .collect();
    candidates.sort();
    candidates.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(root: &Path, source: &str, version: &str) -> PathBuf {
        let address = ProviderAddress::parse(source).unwrap();
        let dir = root
            .join(address.to_string())
            .join(version)
            .join(current_platform());
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join(format!(
            "terraform-provider-{}_v{version}_x5",
            address.type_name
        ));
        std::fs::write(&exe, format!("#!/bin/sh\n# {version}\n")).unwrap();
        exe
    }

    fn mirror_config(mirror: &Path, include: &[&str]) -> CliConfig {
        CliConfig {
            installation: Some(vec![InstallationMethod::FilesystemMirror {
                path: mirror.to_path_buf(),
                include: include
                    .iter()
                    .map(|p| AddressPattern::parse(p).unwrap())
                    .collect(),
                exclude: Vec::new(),
            }]),
            ..CliConfig::default()
        }
    }

    #[test]
    fn the_newest_allowed_version_wins() {
        let mirror = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        package(mirror.path(), "hashicorp/aws", "5.1.0");
        package(mirror.path(), "hashicorp/aws", "5.9.0");
        package(mirror.path(), "hashicorp/aws", "6.0.0");
        let discovery = Discovery::new(mirror_config(mirror.path(), &[]), work.path());
        let aws = ProviderAddress::parse("hashicorp/aws").unwrap();
        let found = discovery
            .find(&aws, &Constraints::parse("~> 5.0").unwrap(), None)
            .unwrap();
        assert_eq!(found.version, Version::new(5, 9, 0));
        assert!(found
            .executable
            .ends_with("terraform-provider-aws_v5.9.0_x5"));
        assert_eq!(
            found.source,
            PackageSource::FilesystemMirror(mirror.path().to_path_buf())
        );
        let err = discovery
            .find(&aws, &Constraints::parse("> 7").unwrap(), None)
            .unwrap_err();
        assert!(err.to_string().contains("filesystem mirror"), "{err}");
    }

    #[test]
    fn working_directory_packages_come_first_and_excluded_mirrors_are_skipped() {
        let mirror = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        package(mirror.path(), "hashicorp/null", "3.2.1");
        package(
            &work.path().join(".terraform/providers"),
            "hashicorp/null",
            "3.2.1",
        );
        let null = ProviderAddress::parse("hashicorp/null").unwrap();
        let found = Discovery::new(mirror_config(mirror.path(), &[]), work.path())
            .find(&null, &Constraints::default(), None)
            .unwrap();
        assert!(matches!(found.source, PackageSource::WorkingDirectory(_)));
        let other = ProviderAddress::parse("example.com/x/null").unwrap();
        let only_example = Discovery::new(
            mirror_config(mirror.path(), &["example.com/*/*"]),
            work.path(),
        );
        assert!(only_example
            .available(&null)
            .iter()
            .all(|p| !matches!(p.source, PackageSource::FilesystemMirror(_))));
        assert!(only_example.available(&other).is_empty());
    }

    #[test]
    fn locked_versions_are_used_and_their_hashes_checked() {
        let mirror = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let exe = package(mirror.path(), "hashicorp/aws", "5.1.0");
        package(mirror.path(), "hashicorp/aws", "5.9.0");
        let discovery = Discovery::new(mirror_config(mirror.path(), &[]), work.path());
        let aws = ProviderAddress::parse("hashicorp/aws").unwrap();
        let constraints = Constraints::parse("~> 5.0").unwrap();
        let old = discovery
            .available(&aws)
            .into_iter()
            .find(|p| p.version == Version::new(5, 1, 0))
            .unwrap();
        let locked = Discovery::lock_entry(&old, &constraints, None).unwrap();
        assert_eq!(locked.constraints.as_deref(), Some("~> 5.0"));
        let found = discovery.find(&aws, &constraints, Some(&locked)).unwrap();
        assert_eq!(
            found.version,
            Version::new(5, 1, 0),
            "the lock wins over newer"
        );

        // Regression guard: a package changed after locking must be refused.
        std::fs::write(&exe, "#!/bin/sh\n# tampered\n").unwrap();
        let err = discovery
            .find(&aws, &constraints, Some(&locked))
            .unwrap_err();
        assert!(matches!(err, DiscoveryError::HashMismatch { .. }), "{err}");

        let err = discovery
            .find(&aws, &Constraints::parse(">= 5.5").unwrap(), Some(&locked))
            .unwrap_err();
        assert!(matches!(err, DiscoveryError::LockedOutside { .. }), "{err}");
    }

    #[test]
    fn dev_overrides_win_without_a_version() {
        let dev = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        std::fs::write(dev.path().join("terraform-provider-thing"), "#!/bin/sh\n").unwrap();
        let thing = ProviderAddress::parse("example.com/me/thing").unwrap();
        let config = CliConfig {
            dev_overrides: [(thing.clone(), dev.path().to_path_buf())].into(),
            ..CliConfig::default()
        };
        let found = Discovery::new(config, work.path())
            .find(&thing, &Constraints::parse("~> 9.0").unwrap(), None)
            .unwrap();
        assert!(matches!(found.source, PackageSource::DevOverride(_)));
    }
}
