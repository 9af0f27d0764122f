//! Packed filesystem mirrors: release archives laid out as
//! `HOST/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip`. An archive is checked
//! against the lock file's `zh:` hashes (the SHA-256 of the archive), then unpacked into a
//! cache directory, whose `h1:` hash is checked like any unpacked package's. The cache is
//! refreshed whenever the archive changes.

use std::io::Read;
use std::path::{Path, PathBuf};

use semver::Version;

use super::version::parse_version;
use super::DiscoveryError;

/// Where a package's unpacked copy lives under the cache root, and the file beside it that
/// records which archive (by `zh:` hash) it was unpacked from.
fn marker_of(dir: &Path) -> PathBuf {
    dir.with_extension("zh")
}

/// The archives in one provider directory of a mirror (`HOST/NAMESPACE/TYPE`) for `platform`,
/// with their versions.
pub fn archives_in(
    provider_dir: &Path,
    type_name: &str,
    platform: &str,
) -> Vec<(Version, PathBuf)> {
    let prefix = format!("terraform-provider-{type_name}_");
    let suffix = format!("_{platform}.zip");
    let Ok(entries) = std::fs::read_dir(provider_dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.path().is_file())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = name.strip_prefix(&prefix)?.strip_suffix(&suffix)?;
            Some((parse_version(version)?, e.path()))
        })
        .collect()
}

/// The `zh:` hash of an archive: `zh:` and the hexadecimal SHA-256 of the file.
pub fn archive_hash_zh(path: &Path) -> Result<String, DiscoveryError> {
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
    Ok(format!("zh:{}", hex::encode(context.finish().as_ref())))
}

/// Unpacks `archive` (whose hash is `zh`) into `dir`, unless `dir` already holds that
/// archive's content. The archive is extracted beside `dir` first and renamed into place, so
/// a half-unpacked package is never used; entries that would land outside `dir` are refused.
pub fn unpack(archive: &Path, zh: &str, dir: &Path) -> Result<(), DiscoveryError> {
    let marker = marker_of(dir);
    if dir.is_dir() && std::fs::read_to_string(&marker).is_ok_and(|m| m == zh) {
        return Ok(());
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DiscoveryError::Io { path, source }
    };
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let staging = dir.with_extension(format!("unpacking-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    let file = std::fs::File::open(archive).map_err(io(archive))?;
    let bad = |reason: String| DiscoveryError::BadFile {
        path: archive.to_path_buf(),
        reason,
    };
    let mut zip =
        zip::ZipArchive::new(file).map_err(|e| bad(format!("not a provider archive: {e}")))?;
    zip.extract(&staging)
        .map_err(|e| bad(format!("unpacking into {} failed: {e}", staging.display())))?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io(dir))?;
    }
    std::fs::rename(&staging, dir).map_err(io(dir))?;
    std::fs::write(&marker, zh).map_err(io(&marker))
}

/// Makes the unpacked provider executable at `path` executable (archives made without Unix
/// modes unpack it as a plain file).
pub fn make_executable(path: &Path) -> Result<(), DiscoveryError> {
    use std::os::unix::fs::PermissionsExt;
    let io = |source| DiscoveryError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut permissions = std::fs::metadata(path).map_err(io)?.permissions();
    if permissions.mode() & 0o111 != 0o111 {
        permissions.set_mode(permissions.mode() | 0o755);
        std::fs::set_permissions(path, permissions).map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write_zip(path: &Path, files: &[(&str, &str)]) {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        for (name, text) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }

    #[test]
    fn archives_are_found_by_name_and_unpacked_once_per_content() {
        let mirror = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let archive = mirror
            .path()
            .join("terraform-provider-demo_1.2.0_linux_amd64.zip");
        write_zip(
            &archive,
            &[("terraform-provider-demo_v1.2.0", "#!/bin/sh\n")],
        );
        write_zip(
            &mirror
                .path()
                .join("terraform-provider-demo_1.2.0_darwin_arm64.zip"),
            &[],
        );
        std::fs::write(
            mirror
                .path()
                .join("terraform-provider-demo_x_linux_amd64.zip"),
            "",
        )
        .unwrap();
        let found = archives_in(mirror.path(), "demo", "linux_amd64");
        assert_eq!(found, [(Version::new(1, 2, 0), archive.clone())]);

        let zh = archive_hash_zh(&archive).unwrap();
        assert!(zh.starts_with("zh:") && zh.len() == 67, "{zh}");
        let dir = cache.path().join("1.2.0/linux_amd64");
        unpack(&archive, &zh, &dir).unwrap();
        let exe = dir.join("terraform-provider-demo_v1.2.0");
        assert_eq!(std::fs::read_to_string(&exe).unwrap(), "#!/bin/sh\n");

        // The same archive again: nothing is unpacked (a file added by hand survives).
        std::fs::write(dir.join("extra"), "x").unwrap();
        unpack(&archive, &zh, &dir).unwrap();
        assert!(dir.join("extra").exists());

        // A changed archive replaces the unpacked copy.
        write_zip(
            &archive,
            &[("terraform-provider-demo_v1.2.0", "#!/bin/sh\n# v2\n")],
        );
        let changed = archive_hash_zh(&archive).unwrap();
        assert_ne!(changed, zh);
        unpack(&archive, &changed, &dir).unwrap();
        assert!(!dir.join("extra").exists());
        assert!(std::fs::read_to_string(&exe).unwrap().contains("v2"));
    }

    #[test]
    fn archive_entries_outside_the_package_are_refused() {
        let mirror = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let archive = mirror.path().join("evil.zip");
        write_zip(&archive, &[("../../escaped", "x")]);
        let dir = cache.path().join("pkg/linux_amd64");
        let result = unpack(&archive, "zh:00", &dir);
        assert!(!cache.path().join("escaped").exists());
        assert!(!mirror.path().join("escaped").exists());
        if result.is_ok() {
            assert!(std::fs::read_dir(&dir).unwrap().next().is_none());
        }
    }
}
