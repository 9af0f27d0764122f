//! `fileset(path, pattern)`: the regular files under `path` whose path relative to it matches a
//! glob (`*` and `?` within a path segment, `**` across segments, `[class]`, `{alt,...}`), as a
//! set of `/`-separated relative paths, the way Terraform's doublestar-based function answers.

use std::path::Path;

use plinth_sdk::Value;
use regex::Regex;

use super::args::{Args, Function};

/// The `fileset` function.
pub const FUNCTIONS: &[Function] = &[Function::new("fileset", &["path", "pattern"], fileset)];

/// The most files `fileset` looks at under one path before giving up, so a pattern over `/`
/// fails clearly instead of walking a whole disk.
const MAX_FILES: usize = 100_000;

fn fileset(args: &Args) -> Result<Value, String> {
    let root = args.string(0)?;
    let pattern = args.string(1)?;
    let matcher = glob_regex(&pattern).ok_or_else(|| {
        args.failed(format!(
            "failed to glob pattern {pattern:?}: syntax error in pattern"
        ))
    })?;
    let mut found = Vec::new();
    let mut seen = 0;
    walk(Path::new(&root), "", &mut |relative| {
        seen += 1;
        if seen > MAX_FILES {
            return Err(format!(
                "more than {MAX_FILES} files under {root:?}; narrow the path"
            ));
        }
        if matcher.is_match(relative) {
            found.push(Value::string(relative));
        }
        Ok(())
    })
    .map_err(|e| args.failed(e))?;
    Ok(Value::set(found))
}

/// Calls `visit` with the `/`-separated path (relative to `root`) of every regular file below
/// `dir`. A missing root yields no files, as in Terraform.
fn walk(
    root: &Path,
    dir: &str,
    visit: &mut dyn FnMut(&str) -> Result<(), String>,
) -> Result<(), String> {
    let full = root.join(dir);
    let entries = match std::fs::read_dir(&full) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && dir.is_empty() => return Ok(()),
        Err(e) => return Err(format!("failed to read {}: {e}", full.display())),
    };
    let mut names: Vec<(String, bool)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("failed to read {}: {e}", full.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // Symbolic links are followed, as the Go library does.
        let meta = std::fs::metadata(entry.path());
        let is_dir = meta.as_ref().is_ok_and(|m| m.is_dir());
        if meta.is_ok_and(|m| m.is_dir() || m.is_file()) {
            names.push((name, is_dir));
        }
    }
    names.sort();
    for (name, is_dir) in names {
        let relative = if dir.is_empty() {
            name
        } else {
            format!("{dir}/{name}")
        };
        if is_dir {
            walk(root, &relative, visit)?;
        } else {
            visit(&relative)?;
        }
    }
    Ok(())
}

/// A glob as an anchored regular expression over `/`-separated paths; None for a malformed
/// glob (an unclosed `[` or `{`).
fn glob_regex(pattern: &str) -> Option<Regex> {
    let mut out = String::from("^");
    let chars: Vec<char> = pattern.trim_start_matches("./").chars().collect();
    let mut i = 0;
    let mut alternatives = 0usize;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                if chars.get(i) == Some(&'/') {
                    out.push_str("(?:.*/)?");
                    i += 1;
                } else {
                    out.push_str(".*");
                }
                continue;
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '[' => {
                let end = chars[i + 1..].iter().position(|c| *c == ']')?;
                let class: String = chars[i + 1..i + 1 + end].iter().collect();
                let class = match class.strip_prefix(['!', '^']) {
                    Some(rest) => format!("^{}", rest.replace('\\', "\\\\")),
                    None => class.replace('\\', "\\\\"),
                };
                out.push('[');
                out.push_str(&class);
                out.push(']');
                i += end + 2;
                continue;
            }
            '{' => {
                alternatives += 1;
                out.push_str("(?:");
            }
            ',' if alternatives > 0 => out.push('|'),
            '}' if alternatives > 0 => {
                alternatives -= 1;
                out.push(')');
            }
            '\\' if i + 1 < chars.len() => {
                i += 1;
                out.push_str(&regex::escape(&chars[i].to_string()));
            }
            c => out.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    if alternatives > 0 {
        return None;
    }
    out.push('$');
    Regex::new(&out).ok()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary directory");
        for file in ["main.tf", "src/a.txt", "src/b.md", "src/deep/c.txt"] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("create directories");
            std::fs::write(path, file).expect("write file");
        }
        dir
    }

    fn set(items: &[&str]) -> plinth_sdk::Value {
        plinth_sdk::Value::set(items.iter().map(|i| s(i)).collect())
    }

    #[test]
    fn double_star_crosses_directories_and_star_does_not() {
        let dir = tree();
        let root = s(&dir.path().to_string_lossy());
        assert_eq!(
            ok("fileset", vec![root.clone(), s("src/**")]),
            set(&["src/a.txt", "src/b.md", "src/deep/c.txt"])
        );
        assert_eq!(
            ok("fileset", vec![root.clone(), s("src/*.txt")]),
            set(&["src/a.txt"])
        );
        assert_eq!(
            ok("fileset", vec![root.clone(), s("**/*.txt")]),
            set(&["src/a.txt", "src/deep/c.txt"])
        );
        assert_eq!(
            ok("fileset", vec![root.clone(), s("src/{a,b}.*")]),
            set(&["src/a.txt", "src/b.md"])
        );
        assert_eq!(
            ok("fileset", vec![root.clone(), s("*.t?")]),
            set(&["main.tf"])
        );
        assert_eq!(
            ok("fileset", vec![root, s("src/[!a]*")]),
            set(&["src/b.md"])
        );
    }

    #[test]
    fn a_missing_directory_is_an_empty_set_and_a_bad_pattern_an_error() {
        let dir = tree();
        let missing = s(&dir.path().join("nope").to_string_lossy());
        assert_eq!(ok("fileset", vec![missing, s("*")]), set(&[]));
        let root = s(&dir.path().to_string_lossy());
        assert!(err("fileset", vec![root.clone(), s("src/[a")]).contains("syntax error in pattern"));
        assert!(err("fileset", vec![root, s("{a,b")]).contains("syntax error in pattern"));
    }
}
