//! The dependency lock file, `.terraform.lock.hcl`, read and written as Terraform does, and the
//! `h1:` package hash it records for each provider.
//!
//! `h1:` is the base64 SHA-256 of a manifest listing, sorted by path, each file of the unpacked
//! package as `SHA256HEX  RELATIVE/PATH\n` (Go's dirhash "Hash1"). `zh:` hashes are of release
//! zip archives: a package from a packed mirror is checked against them before it is unpacked,
//! and against the `h1:` ones after.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use semver::Version;

use super::version::parse_version;
use super::{DiscoveryError, ProviderAddress};

/// The lock file's name in a working directory.
pub const LOCK_FILE_NAME: &str = ".terraform.lock.hcl";

/// One provider's entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedProvider {
    /// The selected version.
    pub version: Version,
    /// The constraints it was selected under, as written.
    pub constraints: Option<String>,
    /// Accepted package hashes (`h1:...`, `zh:...`), sorted.
    pub hashes: Vec<String>,
}

impl LockedProvider {
    /// Whether `h1` (an `h1:` hash) is among the accepted ones. With no `h1:` hash recorded
    /// at all, nothing can be checked and the answer is `None`.
    pub fn accepts_h1(&self, h1: &str) -> Option<bool> {
        self.accepts("h1:", h1)
    }

    /// Whether `zh` (a `zh:` hash of an archive) is among the accepted ones; `None` when no
    /// `zh:` hash is recorded.
    pub fn accepts_zh(&self, zh: &str) -> Option<bool> {
        self.accepts("zh:", zh)
    }

    /// Whether `hash` is among the recorded hashes of its `scheme`, if any are recorded.
    fn accepts(&self, scheme: &str, hash: &str) -> Option<bool> {
        let mut recorded = self
            .hashes
            .iter()
            .filter(|h| h.starts_with(scheme))
            .peekable();
        recorded.peek()?;
        Some(recorded.any(|h| h == hash))
    }
}

/// The lock file's content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockFile {
    /// Entries by provider.
    pub providers: BTreeMap<ProviderAddress, LockedProvider>,
}

impl LockFile {
    /// Reads a lock file; a missing one is empty.
    pub fn read(path: &Path) -> Result<LockFile, DiscoveryError> {
        match std::fs::read_to_string(path) {
            Ok(text) => LockFile::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(LockFile::default()),
            Err(source) => Err(DiscoveryError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Parses lock file text (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<LockFile, DiscoveryError> {
        let bad = |reason: String| DiscoveryError::BadFile {
            path: path.to_path_buf(),
            reason,
        };
        let body: hcl::Body = hcl::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut providers = BTreeMap::new();
        for block in body.blocks() {
            if block.identifier() != "provider" {
                continue;
            }
            let [label] = block.labels() else {
                return Err(bad(
                    "a provider block has one label, its source address".into()
                ));
            };
            let address = ProviderAddress::parse(label.as_str())?;
            let mut version = None;
            let mut constraints = None;
            let mut hashes = Vec::new();
            for attr in block.body().attributes() {
                let value = hcl::Value::from(attr.expr().clone());
                match (attr.key(), value) {
                    ("version", hcl::Value::String(s)) => {
                        version = Some(parse_version(&s).ok_or_else(|| {
                            bad(format!("{address}: version {s:?} is not a version"))
                        })?)
                    }
                    ("constraints", hcl::Value::String(s)) => constraints = Some(s),
                    ("hashes", hcl::Value::Array(items)) => {
                        for item in items {
                            match item {
                                hcl::Value::String(h) => hashes.push(h),
                                other => {
                                    return Err(bad(format!(
                                        "{address}: hash {other} is not a string"
                                    )))
                                }
                            }
                        }
                    }
                    (key, _) => {
                        return Err(bad(format!("{address}: unexpected or malformed {key:?}")))
                    }
                }
            }
            let version = version.ok_or_else(|| bad(format!("{address}: no version")))?;
            hashes.sort();
            hashes.dedup();
            providers.insert(
                address,
                LockedProvider {
                    version,
                    constraints,
                    hashes,
                },
            );
        }
        Ok(LockFile { providers })
    }

    /// The file's text, laid out as Terraform writes it.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# This file is maintained automatically by \"terraform init\".\n\
             # Manual edits may be lost in future updates.\n",
        );
        for (address, locked) in &self.providers {
            let _ = writeln!(out, "\nprovider \"{address}\" {{");
            match &locked.constraints {
                Some(c) => {
                    let _ = writeln!(out, "  version     = \"{}\"", locked.version);
                    let _ = writeln!(
                        out,
                        "  constraints = {}",
                        serde_json::Value::String(c.clone())
                    );
                }
                None => {
                    let _ = writeln!(out, "  version = \"{}\"", locked.version);
                }
            }
            out.push_str("  hashes = [\n");
            for hash in &locked.hashes {
                let _ = writeln!(out, "    \"{hash}\",");
            }
            out.push_str("  ]\n}\n");
        }
        out
    }

    /// Writes the file (atomically: a temporary file renamed over it).
    pub fn write(&self, path: &Path) -> Result<(), DiscoveryError> {
        let io = |source| DiscoveryError::Io {
            path: path.to_path_buf(),
            source,
        };
        let tmp = path.with_extension("hcl.tmp");
        std::fs::write(&tmp, self.render()).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}

/// The `h1:` hash of an unpacked provider package directory.
pub fn package_hash_h1(dir: &Path) -> Result<String, DiscoveryError> {
    let mut files = Vec::new();
    collect_files(dir, dir, &mut files)?;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut manifest = String::new();
    for (relative, path) in &files {
        if relative.contains('\n') {
            return Err(DiscoveryError::BadFile {
                path: path.clone(),
                reason: "file names with newlines cannot be hashed".into(),
            });
        }
        let _ = writeln!(manifest, "{}  {relative}", hex::encode(sha256_file(path)?));
    }
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, manifest.as_bytes());
    use base64::Engine;
    Ok(format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    ))
}

fn collect_files(
    root: &Path,
    dir: &Path,
    files: &mut Vec<(String, PathBuf)>,
) -> Result<(), DiscoveryError> {
    let io = |source| DiscoveryError::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        if entry.file_type().map_err(io)?.is_dir() {
            collect_files(root, &path, files)?;
        } else {
            let relative = path
                .strip_prefix(root)
                .expect("under root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.push((relative, path));
        }
    }
    Ok(())
}

fn sha256_file(path: &Path) -> Result<Vec<u8>, DiscoveryError> {
    let io = |source| DiscoveryError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        context.update(&buf[..n]);
    }
    Ok(context.finish().as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written by `terraform init` (Terraform 1.11) from a filesystem mirror.
    const TERRAFORM_LOCK: &str = r#"# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.100.0"
  constraints = "~> 5.0"
  hashes = [
    "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=",
  ]
}
"#;

    #[test]
    fn terraforms_lock_file_round_trips_byte_for_byte() {
        let lock = LockFile::parse(TERRAFORM_LOCK, Path::new(".terraform.lock.hcl")).unwrap();
        let aws = &lock.providers[&ProviderAddress::parse("hashicorp/aws").unwrap()];
        assert_eq!(aws.version, Version::new(5, 100, 0));
        assert_eq!(aws.constraints.as_deref(), Some("~> 5.0"));
        assert_eq!(lock.render(), TERRAFORM_LOCK);
    }

    #[test]
    fn several_providers_without_constraints_render_like_terraform() {
        let mut lock = LockFile::default();
        for (name, hashes) in [
            ("hashicorp/null", vec!["zh:02", "h1:01"]),
            ("a/b", vec!["h1:x"]),
        ] {
            lock.providers.insert(
                ProviderAddress::parse(name).unwrap(),
                LockedProvider {
                    version: Version::new(3, 2, 1),
                    constraints: None,
                    hashes: hashes.into_iter().map(String::from).collect(),
                },
            );
        }
        let text = lock.render();
        assert!(text.contains("provider \"registry.terraform.io/a/b\" {\n  version = \"3.2.1\"\n  hashes = [\n    \"h1:x\",\n  ]\n}\n\nprovider \"registry.terraform.io/hashicorp/null\""), "{text}");
        let back = LockFile::parse(&text, Path::new("x")).unwrap();
        assert_eq!(back.providers.len(), 2);
        let null = &back.providers[&ProviderAddress::parse("hashicorp/null").unwrap()];
        assert_eq!(null.hashes, ["h1:01", "zh:02"], "sorted");
    }

    #[test]
    fn bad_lock_files_name_the_file() {
        let err = LockFile::parse(
            "provider \"hashicorp/aws\" {\n  version = 5\n}\n",
            Path::new("dir/.terraform.lock.hcl"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("dir/.terraform.lock.hcl"), "{err}");
        assert!(LockFile::parse("provider {", Path::new("x")).is_err());
    }

    #[test]
    fn h1_hashes_match_terraforms() {
        // The package and its hash as `terraform init` (1.11) recorded them from a mirror.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.txt"), "two\n").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "one\n").unwrap();
        std::fs::write(
            dir.path().join("terraform-provider-thing_v1.0.0"),
            "#!/bin/sh\n",
        )
        .unwrap();
        assert_eq!(
            package_hash_h1(dir.path()).unwrap(),
            "h1:wVaLvoVJoGLCTX9eUGgjWEJhtqtUtlotydnk7wxG1mk="
        );
    }

    #[test]
    fn locked_hashes_accept_only_recorded_h1() {
        let locked = LockedProvider {
            version: Version::new(1, 0, 0),
            constraints: None,
            hashes: vec!["h1:a".into(), "zh:b".into()],
        };
        assert_eq!(locked.accepts_h1("h1:a"), Some(true));
        assert_eq!(locked.accepts_h1("h1:z"), Some(false));
        let zip_only = LockedProvider {
            hashes: vec!["zh:b".into()],
            ..locked
        };
        assert_eq!(zip_only.accepts_h1("h1:a"), None);
    }
}
