//! The `archive` provider: `archive_file`, as a data source (written on every read) and as a
//! resource (written on create and on every refresh, like Terraform's, left in place on
//! destroy), zipping one file, a directory or given contents, with Terraform's output
//! checksums of the zip.

mod file;
mod zipper;

use std::sync::Arc;

use plinth_sdk::{
    Attribute, CrashSafety, Diagnostic, Diagnostics, FnFactory, NestedBlock, Provider,
    ProviderFactory, Registry, Schema, Type,
};

use crate::common::{flag, invalid, string, strings, NoConfiguration};
use crate::generated::Object;
use zipper::Sources;

fn make() -> Box<dyn Provider> {
    Box::new(
        Registry::new("archive", NoConfiguration)
            .resource(file::ArchiveResource)
            .data_source(file::ArchiveData),
    )
}

/// The factory of the built-in `archive` provider.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new("archive", make))
}

/// The schema of `archive_file`; in the resource every input replaces it.
fn schema(resource: bool) -> Schema {
    let input = |attribute: Attribute| {
        if resource {
            attribute.force_new()
        } else {
            attribute
        }
    };
    let text = |what: &str| input(Attribute::optional(Type::String).describe(what));
    let computed = |what: &str| Attribute::computed(Type::String).describe(what);
    let mut source = NestedBlock::set(
        Schema::new()
            .attr(
                "content",
                Attribute::required(Type::String).describe("What the file holds."),
            )
            .attr(
                "filename",
                Attribute::required(Type::String).describe("Its name in the archive."),
            ),
    );
    if resource {
        source = source.force_new();
    }
    let schema = Schema::new()
        .attr(
            "type",
            input(Attribute::required(Type::String).describe("The archive type: zip.")),
        )
        .block("source", source)
        .attr(
            "source_content",
            text("Content stored as source_content_filename."),
        )
        .attr(
            "source_content_filename",
            text("The name source_content is stored under."),
        )
        .attr(
            "source_file",
            text("A file to archive, stored under its name."),
        )
        .attr("source_dir", text("A directory whose files are archived."))
        .attr(
            "excludes",
            input(
                Attribute::optional(Type::set(Type::String))
                    .describe("Paths under source_dir to leave out (exact, or with *)."),
            ),
        )
        .attr(
            "follow_symlinks",
            input(
                Attribute::optional(Type::Bool)
                    .describe("Whether symbolic links to directories are followed."),
            ),
        )
        .attr(
            "output_path",
            input(Attribute::required(Type::String).describe("Where the archive is written.")),
        )
        .attr(
            "output_file_mode",
            text("The mode of every archived file (\"0644\"), for the same checksums everywhere."),
        )
        .attr(
            "output_size",
            Attribute::computed(Type::Number).describe("The archive's size in bytes."),
        )
        .attr("output_md5", computed("The MD5 of the archive, in hex."))
        .attr("output_sha", computed("The SHA-1 of the archive, in hex."))
        .attr(
            "output_sha256",
            computed("The SHA-256 of the archive, in hex."),
        )
        .attr(
            "output_base64sha256",
            computed("The SHA-256 of the archive, base64-encoded."),
        )
        .attr(
            "output_sha512",
            computed("The SHA-512 of the archive, in hex."),
        )
        .attr(
            "output_base64sha512",
            computed("The SHA-512 of the archive, base64-encoded."),
        )
        .attr("id", computed("The SHA-1 of the archive, in hex."))
        .describe("A zip archive of a file, a directory or given contents.");
    if resource {
        schema.crash_safety(CrashSafety::NoRemoteObject)
    } else {
        schema
    }
}

/// The sources the configuration names: exactly one kind.
fn sources(object: &Object) -> Result<Sources, Diagnostics> {
    let blocks: Vec<(String, String)> = object
        .get("source")
        .and_then(plinth_sdk::Value::as_list)
        .unwrap_or_default()
        .iter()
        .map(|block| {
            let block = crate::common::entries(block.clone());
            (
                string(&block, "filename").unwrap_or_default(),
                string(&block, "content").unwrap_or_default(),
            )
        })
        .collect();
    let content = string(object, "source_content_filename")
        .map(|name| (name, string(object, "source_content").unwrap_or_default()));
    let file = string(object, "source_file");
    let dir = string(object, "source_dir");
    let given = [
        !blocks.is_empty(),
        content.is_some(),
        file.is_some(),
        dir.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(Diagnostic::error("Invalid Attribute Combination")
            .with_detail(
                "Exactly one of source, source_content_filename (with source_content), \
                 source_file or source_dir must be specified.",
            )
            .into());
    }
    Ok(if let Some(file) = file {
        Sources::File(file)
    } else if let Some(path) = dir {
        Sources::Dir {
            path,
            excludes: strings(object, "excludes"),
            follow_symlinks: flag(object, "follow_symlinks", false),
        }
    } else if let Some(content) = content {
        Sources::Contents(vec![content])
    } else {
        Sources::Contents(blocks)
    })
}

/// Writes the archive the object describes and records its size and checksums.
async fn archive(mut object: Object) -> Result<Object, Diagnostics> {
    let kind = string(&object, "type").unwrap_or_default();
    if kind != "zip" {
        return Err(invalid(
            "type",
            format!("archive type not supported: {kind:?} (plinth writes zip)"),
        ));
    }
    let sources = sources(&object)?;
    let mode = match string(&object, "output_file_mode").filter(|m| !m.is_empty()) {
        Some(text) => Some(zipper::parse_mode(&text).ok_or_else(|| {
            invalid(
                "output_file_mode",
                format!("error parsing output_file_mode value: {text}"),
            )
        })?),
        None => None,
    };
    let output = std::path::PathBuf::from(string(&object, "output_path").unwrap_or_default());
    let written = tokio::task::spawn_blocking(move || {
        zipper::write(&output, &sources, mode)?;
        zipper::record_checksums(&mut object, &output)?;
        Ok::<Object, String>(object)
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    written.map_err(|e| {
        Diagnostic::error("Archive creation error")
            .with_detail(format!("error creating archive: {e}"))
            .into()
    })
}
