//! Filesystem functions: file, filebase64, fileexists, dirname, basename, abspath, pathexpand.
//! Relative paths are
//! relative to the current directory; `~` expands to the home directory.

use std::path::PathBuf;

use base64::Engine;
use plinth_sdk::Value;

use super::args::{Args, Function};

/// The filesystem functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new("file", &["path"], file),
    Function::new("filebase64", &["path"], |a| {
        Ok(Value::String(
            base64::engine::general_purpose::STANDARD.encode(read_bytes(a)?),
        ))
    }),
    Function::new("fileexists", &["path"], fileexists),
    Function::new("dirname", &["path"], |a| {
        Ok(Value::String(dirname(&a.string(0)?)))
    }),
    Function::new("basename", &["path"], |a| {
        Ok(Value::String(basename(&a.string(0)?)))
    }),
    Function::new("abspath", &["path"], abspath),
    Function::new("pathexpand", &["path"], |a| {
        Ok(Value::String(
            expand_home(&a.string(0)?).to_string_lossy().into_owned(),
        ))
    }),
];

/// Expands a leading `~` to the home directory.
fn expand_home(path: &str) -> PathBuf {
    if let Some(rest) = path.strip_prefix('~') {
        if rest.is_empty() || rest.starts_with('/') {
            if let Some(home) = std::env::var_os("HOME") {
                return PathBuf::from(format!("{}{rest}", home.to_string_lossy()));
            }
        }
    }
    PathBuf::from(path)
}

/// The most bytes a function reads from one file (256 MiB): a larger file is refused with an
/// error rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Why a file cannot be read by a function, as the detail after `Invalid value for "path"
/// parameter: `.
pub enum ReadError {
    /// Nothing at the path.
    NotFound,
    /// Anything else, said in full.
    Other(String),
}

/// Reads the regular file at `path` (shown as `shown`): directories, FIFOs, devices and files
/// over [`MAX_FILE_BYTES`] are refused, so a function never blocks on a pipe nor reads an
/// endless device.
pub fn read_regular_file(path: &std::path::Path, shown: &str) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Other(format!("failed to read {shown:?}: {e}")),
    })?;
    if meta.is_dir() {
        // Go's words for reading a directory, as Terraform reports them.
        return Err(ReadError::Other(format!(
            "failed to read file: read {shown}: is a directory"
        )));
    }
    if !meta.is_file() {
        return Err(ReadError::Other(format!(
            "{shown:?} is not a regular file (a pipe, socket or device); only regular files can be read"
        )));
    }
    let too_large = || {
        ReadError::Other(format!(
            "{shown:?} is larger than {} MiB, the most a function reads from one file",
            MAX_FILE_BYTES / (1024 * 1024)
        ))
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let file = std::fs::File::open(path)
        .map_err(|e| ReadError::Other(format!("failed to read {shown:?}: {e}")))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Other(format!("failed to read {shown:?}: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The bytes of the file named by the first argument.
pub fn read_bytes(args: &Args) -> Result<Vec<u8>, String> {
    let path = args.string(0)?;
    let full = expand_home(&path);
    read_regular_file(&full, &path).map_err(|e| match e {
        ReadError::NotFound => args.invalid(
            0,
            format!(
                "no file exists at {path:?}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource"
            ),
        ),
        ReadError::Other(detail) => args.invalid(0, detail),
    })
}

fn file(args: &Args) -> Result<Value, String> {
    String::from_utf8(read_bytes(args)?).map(Value::String).map_err(|_| {
        let path = args.string(0).unwrap_or_default();
        args.failed(format!("contents of {path:?} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"))
    })
}

fn fileexists(args: &Args) -> Result<Value, String> {
    let path = args.string(0)?;
    let full = expand_home(&path);
    match std::fs::metadata(&full) {
        Ok(meta) if meta.is_file() => Ok(Value::Bool(true)),
        Ok(meta) if meta.is_dir() => {
            Err(args.failed(format!("{path:?} is a directory, not a file")))
        }
        Ok(_) => Err(args.invalid(0, format!("{path:?} is not a regular file"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Bool(false)),
        Err(e) => Err(args.invalid(0, format!("failed to stat {path:?}: {e}"))),
    }
}

fn abspath(args: &Args) -> Result<Value, String> {
    let path = args.string(0)?;
    if path.starts_with('/') {
        return Ok(Value::String(clean(&path)));
    }
    let cwd = std::env::current_dir()
        .map_err(|e| args.failed(format!("cannot read the current directory: {e}")))?;
    let cwd = cwd.to_string_lossy().replace('\\', "/");
    Ok(Value::String(clean(&format!("{cwd}/{path}"))))
}

/// Lexically simplifies a slash-separated path as Go's `path.Clean` does.
fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Everything but the last element of a path, as Go's `filepath.Dir` computes it.
fn dirname(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(&path[..=i]),
        None => ".".to_string(),
    }
}

/// The last element of a path, as Go's `filepath.Base` computes it.
fn basename(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use plinth_sdk::Value;

    #[test]
    fn file_reads_text_and_reports_missing_files() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("hello.txt");
        std::fs::write(&path, "Hello World").expect("write");
        let path = path.to_string_lossy().to_string();
        assert_eq!(ok("file", vec![s(&path)]), s("Hello World"));
        assert!(err("file", vec![s(&format!("{path}.missing"))]).contains("no file exists"));
        assert!(err("file", vec![s(&dir.path().to_string_lossy())]).contains("is a directory"));
        let binary = dir.path().join("bin");
        std::fs::write(&binary, [0xff, 0xfe]).expect("write");
        assert!(err("file", vec![s(&binary.to_string_lossy())]).contains("not valid UTF-8"));
        assert_eq!(
            ok("filebase64", vec![s(&binary.to_string_lossy())]),
            s("//4=")
        );
        assert!(err("filebase64", vec![s(&format!("{path}.missing"))]).contains("no file exists"));
    }

    #[test]
    fn fileexists_tells_files_apart() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("a");
        std::fs::write(&path, "x").expect("write");
        assert_eq!(
            ok("fileexists", vec![s(&path.to_string_lossy())]),
            Value::Bool(true)
        );
        assert_eq!(
            ok(
                "fileexists",
                vec![s(&dir.path().join("b").to_string_lossy())]
            ),
            Value::Bool(false)
        );
        assert!(
            err("fileexists", vec![s(&dir.path().to_string_lossy())]).contains("is a directory")
        );
    }

    #[test]
    fn dirname_and_basename_follow_go() {
        assert_eq!(ok("dirname", vec![s("foo/bar/baz.txt")]), s("foo/bar"));
        assert_eq!(ok("dirname", vec![s("foo")]), s("."));
        assert_eq!(ok("dirname", vec![s("/")]), s("/"));
        assert_eq!(ok("dirname", vec![s("/foo/")]), s("/foo"));
        assert_eq!(ok("basename", vec![s("foo/bar/baz.txt")]), s("baz.txt"));
        assert_eq!(ok("basename", vec![s("/")]), s("/"));
        assert_eq!(ok("basename", vec![s("")]), s("."));
        assert_eq!(ok("basename", vec![s("a/b/")]), s("b"));
    }

    #[test]
    fn pathexpand_replaces_the_home_directory() {
        let home = std::env::var("HOME").unwrap_or_default();
        if !home.is_empty() {
            assert_eq!(
                ok("pathexpand", vec![s("~/.ssh/id_rsa")]),
                s(&format!("{home}/.ssh/id_rsa"))
            );
        }
        assert_eq!(
            ok("pathexpand", vec![s("/etc/resolv.conf")]),
            s("/etc/resolv.conf")
        );
        assert_eq!(ok("pathexpand", vec![s("~user/x")]), s("~user/x"));
    }

    #[test]
    fn abspath_resolves_against_the_current_directory() {
        let cwd = std::env::current_dir()
            .expect("cwd")
            .to_string_lossy()
            .to_string();
        assert_eq!(
            ok("abspath", vec![s("a/../b/./c")]),
            s(&format!("{cwd}/b/c"))
        );
        assert_eq!(ok("abspath", vec![s("/x/../y/")]), s("/y"));
    }
}
