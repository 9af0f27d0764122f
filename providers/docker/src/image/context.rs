//! The build context: which files of `build.context` are sent (`.dockerignore` honoured, the
//! Dockerfile and `.dockerignore` always), packed the way the docker CLI packs them, and the
//! digest of their names, modes and contents that makes a changed context a change in the plan.
//!
//! plinth's own working files (`plinth.tfstate` and its backup, journal, lock and history, the
//! `.plinth` directory) are never part of a context: with `context = "."` they change on every
//! run, which would make every plan rebuild the image, and a state may hold secrets that a
//! `COPY . .` would bake into the image.

use std::io::Read;
use std::path::{Path, PathBuf};

use regex::Regex;
use sha2::{Digest, Sha256};

/// One `.dockerignore` line: a path pattern, or an exception (`!pattern`).
struct Rule {
    pattern: Regex,
    exception: bool,
}

/// The rules of a context's `.dockerignore` (none when it has none).
struct Ignore(Vec<Rule>);

impl Ignore {
    fn read(root: &Path) -> std::io::Result<Ignore> {
        let text = match std::fs::read_to_string(root.join(".dockerignore")) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ignore(Vec::new())),
            Err(e) => return Err(e),
        };
        Ok(Ignore::parse(&text))
    }

    fn parse(text: &str) -> Ignore {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|line| {
                let (exception, pattern) = match line.strip_prefix('!') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, line),
                };
                let pattern = clean(pattern);
                (!pattern.is_empty()).then(|| Rule {
                    pattern: glob(&pattern),
                    exception,
                })
            })
            .collect();
        Ignore(rules)
    }

    /// Whether `relative` (slash-separated) is left out: the last rule matching it or one of its
    /// parent directories decides.
    fn excludes(&self, relative: &str) -> bool {
        let mut excluded = false;
        for rule in &self.0 {
            let mut candidates = vec![relative.to_string()];
            let mut parent = relative;
            while let Some((head, _)) = parent.rsplit_once('/') {
                candidates.push(head.to_string());
                parent = head;
            }
            if candidates.iter().any(|c| rule.pattern.is_match(c)) {
                excluded = !rule.exception;
            }
        }
        excluded
    }

    fn has_exceptions(&self) -> bool {
        self.0.iter().any(|r| r.exception)
    }
}

/// A pattern with `./`, a leading `/` and repeated or trailing slashes removed.
fn clean(pattern: &str) -> String {
    pattern
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// A `.dockerignore` glob as an anchored regular expression: `*` within a path segment, `?` one
/// character, `**` any number of segments, `[...]` classes, `\` escapes.
fn glob(pattern: &str) -> Regex {
    let mut out = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 1;
                if chars.get(i + 1) == Some(&'/') {
                    i += 1;
                    out.push_str("(.*/)?");
                } else {
                    out.push_str(".*");
                }
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '[' => {
                let end = chars[i..].iter().position(|c| *c == ']').map(|p| p + i);
                match end {
                    Some(end) => {
                        let class: String = chars[i + 1..end].iter().collect();
                        let class = class.replacen('!', "^", usize::from(class.starts_with('!')));
                        out.push('[');
                        out.push_str(&class);
                        out.push(']');
                        i = end;
                    }
                    None => out.push_str("\\["),
                }
            }
            '\\' if i + 1 < chars.len() => {
                i += 1;
                out.push_str(&regex::escape(&chars[i].to_string()));
            }
            c => out.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    out.push('$');
    Regex::new(&out).unwrap_or_else(|_| {
        Regex::new(&format!("^{}$", regex::escape(pattern))).expect("an escaped literal")
    })
}

/// One file, directory or link of the context.
struct Entry {
    /// The name in the archive (relative, slash-separated).
    name: PathBuf,
    /// Where it is on disk.
    path: PathBuf,
    meta: std::fs::Metadata,
}

/// The entries sent for the context at `root`, in archive order.
fn entries(root: &Path, dockerfile: &str) -> std::io::Result<Vec<Entry>> {
    let ignore = Ignore::read(root)?;
    let always = [clean(dockerfile), ".dockerignore".to_string()];
    let mut out = Vec::new();
    walk(root, Path::new(""), &ignore, &always, &mut out)?;
    Ok(out)
}

fn walk(
    root: &Path,
    relative: &Path,
    ignore: &Ignore,
    always: &[String],
    out: &mut Vec<Entry>,
) -> std::io::Result<()> {
    let mut listed = std::fs::read_dir(root.join(relative))?.collect::<Result<Vec<_>, _>>()?;
    listed.sort_by_key(|entry| entry.file_name());
    for entry in listed
        .into_iter()
        .filter(|e| !is_plinth_file(&e.file_name()))
    {
        let name = relative.join(entry.file_name());
        let shown = name.to_string_lossy().into_owned();
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path)?;
        let excluded = ignore.excludes(&shown) && !always.contains(&shown);
        if meta.is_dir() {
            // An excluded directory is still searched when an exception may bring back a file.
            if excluded && !ignore.has_exceptions() {
                continue;
            }
            let dir = name.clone();
            if !excluded {
                out.push(Entry { name, path, meta });
            }
            walk(root, &dir, ignore, always, out)?;
        } else if !excluded {
            out.push(Entry { name, path, meta });
        }
    }
    Ok(())
}

/// Whether a file or directory is one of plinth's own working files, never sent nor digested.
fn is_plinth_file(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name == ".plinth" || name == "plinth.tfstate" || name.starts_with("plinth.tfstate.")
}

/// Packs the context the way the docker CLI does: bare relative names, permission bits without
/// the file-type bits, owner root. The classic builder's cache keys hash these header fields, so
/// any other form would never reuse layers built by the CLI or docker-compose (and the reverse).
pub fn archive(root: &Path, dockerfile: &str) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::PermissionsExt;
    let mut archive = tar::Builder::new(Vec::new());
    for entry in entries(root, dockerfile)? {
        let mut header = tar::Header::new_gnu();
        header.set_metadata_in_mode(&entry.meta, tar::HeaderMode::Complete);
        header.set_mode(entry.meta.permissions().mode() & 0o7777);
        header.set_uid(0);
        header.set_gid(0);
        let kind = entry.meta.file_type();
        if kind.is_dir() {
            append_directory(&mut archive, &mut header, &entry.name)?;
        } else if kind.is_symlink() {
            let target = std::fs::read_link(&entry.path)?;
            archive.append_link(&mut header, &entry.name, target)?;
        } else if kind.is_file() {
            archive.append_data(&mut header, &entry.name, std::fs::File::open(&entry.path)?)?;
        }
    }
    archive.into_inner()
}

/// `sha256:<hex>` of the sent entries' names, kinds, permission bits, contents and link
/// targets (not their times: touching a file changes nothing).
pub fn digest(root: &Path, dockerfile: &str) -> std::io::Result<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut hasher = Sha256::new();
    for entry in entries(root, dockerfile)? {
        let kind = entry.meta.file_type();
        let tag = if kind.is_dir() {
            "d"
        } else if kind.is_symlink() {
            "l"
        } else {
            "f"
        };
        hasher.update(format!(
            "{tag} {:o} {}\0",
            entry.meta.permissions().mode() & 0o7777,
            entry.name.display()
        ));
        if kind.is_symlink() {
            hasher.update(
                std::fs::read_link(&entry.path)?
                    .to_string_lossy()
                    .as_bytes(),
            );
        } else if kind.is_file() {
            let mut file = std::fs::File::open(&entry.path)?;
            let mut buffer = [0u8; 64 * 1024];
            loop {
                let read = file.read(&mut buffer)?;
                if read == 0 {
                    break;
                }
                hasher.update(&buffer[..read]);
            }
        }
        hasher.update(b"\n");
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(format!("sha256:{hex}"))
}

/// A directory entry named with a trailing `/`, as the CLI writes it (the builder hashes the name).
fn append_directory(
    archive: &mut tar::Builder<Vec<u8>>,
    header: &mut tar::Header,
    name: &Path,
) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = name.as_os_str().as_bytes();
    let slot = &mut header.as_old_mut().name;
    if bytes.len() + 1 >= slot.len() {
        // Too long for the header itself: the long-name extension carries it without the slash.
        return archive.append_data(header, name, std::io::empty());
    }
    slot.fill(0);
    slot[..bytes.len()].copy_from_slice(bytes);
    slot[bytes.len()] = b'/';
    header.set_cksum();
    archive.append(header, std::io::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_patterns_exclude_with_exceptions_and_parents() {
        let ignore = Ignore::parse(
            "# comment\n*.log\nnode_modules\n**/*.tmp\n/build/\n!keep.log\ndocs/*.md\n",
        );
        assert!(ignore.excludes("app.log"));
        assert!(!ignore.excludes("keep.log"));
        assert!(!ignore.excludes("src/app.log"), "* stays within a segment");
        assert!(
            ignore.excludes("node_modules/x/y.js"),
            "a parent directory matches"
        );
        assert!(ignore.excludes("a/b/c.tmp"));
        assert!(ignore.excludes("c.tmp"));
        assert!(ignore.excludes("build/out.bin"));
        assert!(ignore.excludes("docs/readme.md"));
        assert!(!ignore.excludes("docs/sub/readme.md"));
        assert!(!ignore.excludes("src/main.rs"));
    }

    #[test]
    fn the_digest_follows_contents_and_the_dockerignore_but_not_times() {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).expect("write");
        };
        write("Dockerfile", "FROM scratch\n");
        write(".dockerignore", "*.log\nDockerfile\n");
        write("app.txt", "v1");
        let first = digest(dir.path(), "Dockerfile").expect("digest");
        write("debug.log", "noise");
        assert_eq!(first, digest(dir.path(), "Dockerfile").expect("digest"));
        write("app.txt", "v1");
        assert_eq!(first, digest(dir.path(), "Dockerfile").expect("digest"));
        write("app.txt", "v2");
        assert_ne!(first, digest(dir.path(), "Dockerfile").expect("digest"));
        let bytes = archive(dir.path(), "Dockerfile").expect("archive");
        let mut tar = tar::Archive::new(bytes.as_slice());
        let names: Vec<String> = tar
            .entries()
            .expect("entries")
            .map(|e| {
                e.expect("entry")
                    .path()
                    .expect("path")
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, [".dockerignore", "Dockerfile", "app.txt"]);
    }

    /// kreuzwerker's own example builds `context = "."`, the working directory: the state
    /// written by the apply changed the digest, so the apply refused its own plan.
    #[test]
    fn plinths_working_files_are_no_part_of_the_context() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").expect("write");
        let first = digest(dir.path(), "Dockerfile").expect("digest");
        for name in [
            "plinth.tfstate",
            "plinth.tfstate.backup",
            "plinth.tfstate.lock.info",
        ] {
            std::fs::write(dir.path().join(name), "{}").expect("write");
        }
        std::fs::create_dir(dir.path().join("plinth.tfstate.history")).expect("mkdir");
        std::fs::create_dir(dir.path().join(".plinth")).expect("mkdir");
        std::fs::write(dir.path().join(".plinth/backend.json"), "{}").expect("write");
        assert_eq!(first, digest(dir.path(), "Dockerfile").expect("digest"));
        let bytes = archive(dir.path(), "Dockerfile").expect("archive");
        let mut tar = tar::Archive::new(bytes.as_slice());
        let count = tar.entries().expect("entries").count();
        assert_eq!(count, 1, "only the Dockerfile is sent");
    }

    #[test]
    fn the_context_archive_has_cli_style_headers() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("www")).expect("mkdir");
        std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").expect("write");
        std::fs::write(dir.path().join("www/index.html"), "hi").expect("write");
        std::fs::write(dir.path().join("run"), "#!/bin/sh\n").expect("write");
        let executable = std::fs::Permissions::from_mode(0o750);
        std::fs::set_permissions(dir.path().join("run"), executable).expect("chmod");
        std::os::unix::fs::symlink("www/index.html", dir.path().join("index")).expect("symlink");
        let bytes = archive(dir.path(), "Dockerfile").expect("archive");
        let mut archive = tar::Archive::new(bytes.as_slice());
        let entries: Vec<(String, u32, u64, Option<String>)> = archive
            .entries()
            .expect("entries")
            .map(|entry| {
                let entry = entry.expect("entry");
                let header = entry.header();
                (
                    entry.path().expect("path").display().to_string(),
                    header.mode().expect("mode"),
                    header.uid().expect("uid"),
                    entry
                        .link_name()
                        .expect("link name")
                        .map(|l| l.display().to_string()),
                )
            })
            .collect();
        let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            names,
            ["Dockerfile", "index", "run", "www/", "www/index.html"]
        );
        let run = &entries[2];
        assert_eq!(
            (run.1, run.2),
            (0o750, 0),
            "permission bits only, owned by root"
        );
        assert_eq!(entries[1].3.as_deref(), Some("www/index.html"));
        assert!(
            entries.iter().all(|e| e.1 <= 0o7777 && e.2 == 0),
            "{entries:?}"
        );
    }
}
