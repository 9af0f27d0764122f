//! `upload` blocks: files written into a container after it is made and before it starts, from
//! `content`, `content_base64` or a local `source` file, with `executable` or `permissions`.

use base64::Engine as _;
use bollard::body_full;
use bollard::query_parameters::UploadToContainerOptions;
use bollard::Docker;
use plinth_sdk::{AttrPath, Diagnostic, Diagnostics, Value};

use crate::attrs;
use crate::client::failed;

/// One file to write.
#[derive(Debug, PartialEq)]
pub struct Upload {
    /// Absolute path in the container.
    pub file: String,
    /// The bytes.
    pub content: Vec<u8>,
    /// Permission bits.
    pub mode: u32,
}

fn invalid(index: usize, summary: String) -> Diagnostics {
    Diagnostic::error(summary)
        .with_attribute(AttrPath::attr("upload").index(index as u64))
        .into()
}

/// The `upload` blocks of a planned container, each with its content read.
pub fn planned(planned: &Value) -> Result<Vec<Upload>, Diagnostics> {
    let mut out = Vec::new();
    for (index, block) in attrs::blocks(planned, "upload").into_iter().enumerate() {
        let file = attrs::required(block, "file")?.to_string();
        if !file.starts_with('/') {
            return Err(invalid(
                index,
                format!("upload.file \"{file}\" must be an absolute path"),
            ));
        }
        let sources = [
            attrs::string(block, "content").map(|c| Ok(c.as_bytes().to_vec())),
            attrs::string(block, "content_base64").map(|c| {
                base64::engine::general_purpose::STANDARD
                    .decode(c.trim())
                    .map_err(|e| invalid(index, format!("upload.content_base64 of {file}: {e}")))
            }),
            attrs::non_empty(block, "source").map(|path| {
                std::fs::read(path)
                    .map_err(|e| invalid(index, format!("upload.source \"{path}\": {e}")))
            }),
        ];
        let mut given = sources.into_iter().flatten();
        let content = match (given.next(), given.next()) {
            (Some(content), None) => content?,
            _ => {
                return Err(invalid(
                    index,
                    format!(
                        "upload of {file}: set exactly one of content, content_base64 or source"
                    ),
                ))
            }
        };
        let mode = match attrs::non_empty(block, "permissions") {
            Some(text) => u32::from_str_radix(text, 8)
                .ok()
                .filter(|m| *m <= 0o7777)
                .ok_or_else(|| {
                    invalid(
                        index,
                        format!("upload.permissions \"{text}\" is not an octal mode such as 0644"),
                    )
                })?,
            None if attrs::boolean(block, "executable", false) => 0o744,
            None => 0o644,
        };
        out.push(Upload {
            file,
            content,
            mode,
        });
    }
    Ok(out)
}

/// Writes the files into the container `id` (one archive, extracted at `/`).
pub async fn write(docker: &Docker, id: &str, uploads: &[Upload]) -> Result<(), Diagnostics> {
    if uploads.is_empty() {
        return Ok(());
    }
    let archive = archive(uploads).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error("packing the upload files failed").with_detail(e.to_string()),
        )
    })?;
    let options = UploadToContainerOptions {
        path: "/".to_string(),
        ..UploadToContainerOptions::default()
    };
    docker
        .upload_to_container(id, Some(options), body_full(archive.into()))
        .await
        .map_err(|e| failed("uploading files into the container failed", &e).into())
}

fn archive(uploads: &[Upload]) -> std::io::Result<Vec<u8>> {
    let mut archive = tar::Builder::new(Vec::new());
    for upload in uploads {
        let mut header = tar::Header::new_gnu();
        header.set_size(upload.content.len() as u64);
        header.set_mode(upload.mode);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mtime(0);
        let path = upload.file.trim_start_matches('/');
        archive.append_data(&mut header, path, upload.content.as_slice())?;
    }
    archive.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(pairs: Vec<(&'static str, Value)>) -> Value {
        Value::object([("upload", Value::set(vec![Value::object(pairs)]))])
    }

    #[test]
    fn contents_decode_and_modes_follow_executable_or_permissions() {
        let text = planned(&block(vec![
            ("file", Value::from("/etc/app.conf")),
            ("content", Value::from("a = 1\n")),
        ]))
        .expect("upload");
        assert_eq!(text[0].content, b"a = 1\n");
        assert_eq!(text[0].mode, 0o644);
        let binary = planned(&block(vec![
            ("file", Value::from("/bin/run")),
            ("content_base64", Value::from("aGk=")),
            ("executable", Value::Bool(true)),
        ]))
        .expect("upload");
        assert_eq!(
            (binary[0].content.as_slice(), binary[0].mode),
            (&b"hi"[..], 0o744)
        );
        let moded = planned(&block(vec![
            ("file", Value::from("/x")),
            ("content", Value::from("")),
            ("permissions", Value::from("0600")),
        ]))
        .expect("upload");
        assert_eq!(moded[0].mode, 0o600);
    }

    #[test]
    fn two_sources_or_relative_paths_are_refused() {
        let both = planned(&block(vec![
            ("file", Value::from("/x")),
            ("content", Value::from("a")),
            ("content_base64", Value::from("YQ==")),
        ]));
        assert!(both.is_err());
        let relative = planned(&block(vec![
            ("file", Value::from("x")),
            ("content", Value::from("a")),
        ]));
        assert!(relative.is_err());
    }
}
