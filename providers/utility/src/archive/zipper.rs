//! Writing an `archive_file`'s zip and the checksums Terraform reports of it. Entries are
//! deflated with a fixed modification time (1980-01-01, the earliest a zip can hold) so the
//! same sources give the same bytes and hashes on every run; a directory is walked in
//! lexical order like Go's `filepath.Walk`, and `excludes` match as Terraform's do (the path
//! relative to `source_dir`, exactly or with `*` as a wildcard).

use std::fs::File;
use std::io::Write;
use std::path::Path;

use base64::Engine;
use md5::Digest;
use plinth_sdk::Value;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::generated::Object;

/// What goes into the archive.
pub enum Sources {
    /// One file, stored under its base name.
    File(String),
    /// Every file under a directory, by relative path, less the excluded ones.
    Dir {
        /// The directory.
        path: String,
        /// Relative paths or `*` patterns to leave out.
        excludes: Vec<String>,
        /// Whether symbolic links to directories are followed.
        follow_symlinks: bool,
    },
    /// Contents by file name, stored in name order.
    Contents(Vec<(String, String)>),
}

/// Options for every entry: deflated, at the fixed time, with `mode` when given.
fn options(mode: Option<u32>) -> SimpleFileOptions {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default());
    match mode {
        Some(mode) => options.unix_permissions(mode),
        None => options,
    }
}

/// Whether a relative path is excluded: Terraform's rule (equal, or a `*` pattern matching
/// from the start).
pub fn excluded(relative: &str, excludes: &[String]) -> bool {
    excludes.iter().filter(|e| !e.is_empty()).any(|exclude| {
        exclude == relative || (exclude.contains('*') && wildcard_prefix(exclude, relative))
    })
}

/// Whether `pattern` (`*` any run of characters) matches a prefix of `text`, as the regular
/// expression `^` + pattern with `*` as `.*` does.
fn wildcard_prefix(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// `output_file_mode` read as Go's `strconv.ParseUint(s, 0, 32)`: `0…` octal, `0x…` hex,
/// `0o…` octal, `0b…` binary, else decimal.
pub fn parse_mode(text: &str) -> Option<u32> {
    let (digits, radix) = if let Some(hex) = text.strip_prefix("0x").or(text.strip_prefix("0X")) {
        (hex, 16)
    } else if let Some(oct) = text.strip_prefix("0o").or(text.strip_prefix("0O")) {
        (oct, 8)
    } else if let Some(bin) = text.strip_prefix("0b").or(text.strip_prefix("0B")) {
        (bin, 2)
    } else if text.len() > 1 && text.starts_with('0') {
        (&text[1..], 8)
    } else {
        (text, 10)
    };
    u32::from_str_radix(&digits.replace('_', ""), radix).ok()
}

fn mode_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

/// Writes the archive at `output`.
pub fn write(output: &Path, sources: &Sources, file_mode: Option<u32>) -> Result<(), String> {
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("error creating output path: {e}"))?;
    }
    let file = File::create(output).map_err(|e| format!("error creating archive: {e}"))?;
    let mut zip = ZipWriter::new(file);
    let mut add = |name: &str, content: &[u8], mode: Option<u32>| -> Result<(), String> {
        zip.start_file(name, options(mode))
            .map_err(|e| format!("error creating file inside archive: {e}"))?;
        zip.write_all(content)
            .map_err(|e| format!("error writing file inside archive: {e}"))
    };
    match sources {
        Sources::File(path) => {
            let path = Path::new(path);
            if !path.is_file() {
                return Err(format!(
                    "error archiving file: could not archive missing file: {}",
                    path.display()
                ));
            }
            let content = std::fs::read(path).map_err(|e| format!("error archiving file: {e}"))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            add(&name, &content, file_mode.or_else(|| mode_of(path)))?;
        }
        Sources::Dir {
            path,
            excludes,
            follow_symlinks,
        } => {
            let root = Path::new(path);
            if !root.is_dir() {
                return Err(format!(
                    "error archiving directory: could not archive missing directory: {path}"
                ));
            }
            let mut walk = walkdir::WalkDir::new(root)
                .follow_links(*follow_symlinks)
                .sort_by_file_name()
                .into_iter();
            while let Some(entry) = walk.next() {
                let entry =
                    entry.map_err(|e| format!("error encountered during file walk: {e}"))?;
                let relative = entry
                    .path()
                    .strip_prefix(root)
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if relative.is_empty() {
                    continue;
                }
                let is_dir = entry.path().is_dir();
                if excluded(&relative, excludes) {
                    if is_dir {
                        walk.skip_current_dir();
                    }
                    continue;
                }
                if is_dir {
                    continue;
                }
                let content = std::fs::read(entry.path())
                    .map_err(|e| format!("error reading file for archival: {e}"))?;
                add(
                    &relative,
                    &content,
                    file_mode.or_else(|| mode_of(entry.path())),
                )?;
            }
        }
        Sources::Contents(contents) => {
            let mut contents: Vec<&(String, String)> = contents.iter().collect();
            contents.sort();
            for (name, content) in contents {
                add(name, content.as_bytes(), None)?;
            }
        }
    }
    zip.finish()
        .map_err(|e| format!("error finishing archive: {e}"))?;
    Ok(())
}

/// Sets `output_size`, the checksums and `id` (the SHA-1) from the file at `output`.
pub fn record_checksums(object: &mut Object, output: &Path) -> Result<(), String> {
    let data = std::fs::read(output).map_err(|e| format!("error reading output: {e}"))?;
    let base64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let sha256 = sha2::Sha256::digest(&data);
    let sha512 = sha2::Sha512::digest(&data);
    let sha1 = hex::encode(sha1::Sha1::digest(&data));
    let mut set = |name: &str, value: String| {
        object.insert(name.into(), Value::String(value));
    };
    set("output_md5", hex::encode(md5::Md5::digest(&data)));
    set("output_sha", sha1.clone());
    set("output_sha256", hex::encode(sha256));
    set("output_base64sha256", base64(&sha256));
    set("output_sha512", hex::encode(sha512));
    set("output_base64sha512", base64(&sha512));
    set("id", sha1);
    object.insert("output_size".into(), Value::int(data.len() as i64));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excludes_match_exactly_or_by_wildcard_prefix() {
        let excludes = vec!["secret.txt".to_string(), "build/*.o".to_string()];
        assert!(excluded("secret.txt", &excludes));
        assert!(excluded("build/main.o", &excludes));
        assert!(
            excluded("build/x.old", &excludes),
            "a prefix match, as Terraform's regexp"
        );
        assert!(!excluded("src/secret.txt", &excludes));
        assert!(!excluded("build", &excludes));
    }

    #[test]
    fn file_modes_parse_like_go() {
        assert_eq!(parse_mode("0644"), Some(0o644));
        assert_eq!(parse_mode("0o755"), Some(0o755));
        assert_eq!(parse_mode("420"), Some(420));
        assert_eq!(parse_mode("0x1a4"), Some(0o644));
        assert_eq!(parse_mode("rw-r--r--"), None);
    }
}
