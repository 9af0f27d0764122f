//! The `local` provider: `local_file` and `local_sensitive_file` write a file on this machine
//! from `content`, `content_base64` or a `source` file, with Terraform's permissions and content
//! hashes (`id` is the SHA-1 of the content); the data sources `local_file` and
//! `local_sensitive_file` read one. A file deleted or changed outside plinth reads as gone, so
//! the next plan writes it again, as Terraform does.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use plinth_sdk::{
    Attribute, Context, CrashSafety, CreateRequest, DataSource, DeleteRequest, DeleteResponse,
    Diagnostic, Diagnostics, FnFactory, ObjectResponse, PlanRequest, PlanResponse, Provider,
    ProviderFactory, ReadDataResponse, ReadManyResponse, ReadResult, Registry, Resource, Schema,
    Type, UpdateRequest, Validator, Value,
};
use sha2::Digest;

use crate::common::{entries, string, NoConfiguration};

/// `local_file` or `local_sensitive_file`.
struct LocalFile {
    name: &'static str,
    sensitive: bool,
}

/// The data source `local_file` or `local_sensitive_file`.
struct LocalFileData {
    name: &'static str,
    sensitive: bool,
}

fn make() -> Box<dyn Provider> {
    Box::new(
        Registry::new("local", NoConfiguration)
            .resource(LocalFile {
                name: "local_file",
                sensitive: false,
            })
            .resource(LocalFile {
                name: "local_sensitive_file",
                sensitive: true,
            })
            .data_source(LocalFileData {
                name: "local_file",
                sensitive: false,
            })
            .data_source(LocalFileData {
                name: "local_sensitive_file",
                sensitive: true,
            }),
    )
}

/// The factory of the built-in `local` provider.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new("local", make))
}

/// The hash attributes every file resource and data source computes.
const HASHES: &[&str] = &[
    "content_md5",
    "content_sha1",
    "content_sha256",
    "content_base64sha256",
    "content_sha512",
    "content_base64sha512",
];

/// `id` and the hash attributes of `bytes`.
fn hashes(bytes: &[u8]) -> Vec<(&'static str, String)> {
    let sha1 = hex::encode(sha1::Sha1::digest(bytes));
    let sha256 = sha2::Sha256::digest(bytes);
    let sha512 = sha2::Sha512::digest(bytes);
    vec![
        ("id", sha1.clone()),
        ("content_md5", hex::encode(md5::Md5::digest(bytes))),
        ("content_sha1", sha1),
        ("content_sha256", hex::encode(sha256)),
        ("content_base64sha256", STANDARD.encode(sha256)),
        ("content_sha512", hex::encode(sha512)),
        ("content_base64sha512", STANDARD.encode(sha512)),
    ]
}

fn hash_attributes(schema: Schema) -> Schema {
    HASHES.iter().fold(schema, |schema, name| {
        schema.attr(
            name,
            Attribute::computed(Type::String).describe("A hash of the content."),
        )
    })
}

/// The bytes a file resource writes, when its configuration says them without reading a file.
fn configured_bytes(object: &BTreeMap<String, Value>) -> Result<Option<Vec<u8>>, Diagnostics> {
    for name in ["content", "sensitive_content"] {
        if let Some(text) = string(object, name) {
            return Ok(Some(text.into_bytes()));
        }
    }
    if let Some(encoded) = string(object, "content_base64") {
        return STANDARD.decode(encoded.as_bytes()).map(Some).map_err(|e| {
            error(
                "content_base64",
                format!("content_base64 is not valid base64: {e}"),
            )
        });
    }
    Ok(None)
}

/// The bytes to write: the configured content or the `source` file's.
fn content(object: &BTreeMap<String, Value>) -> Result<Vec<u8>, Diagnostics> {
    if let Some(bytes) = configured_bytes(object)? {
        return Ok(bytes);
    }
    match string(object, "source") {
        Some(source) => {
            std::fs::read(&source).map_err(|e| error("source", format!("reading {source}: {e}")))
        }
        None => Err(error(
            "content",
            "one of content, sensitive_content, content_base64 or source must be set",
        )),
    }
}

fn error(attribute: &str, detail: impl Into<String>) -> Diagnostics {
    Diagnostic::error("Error writing the local file")
        .with_detail(detail)
        .with_attribute(plinth_sdk::AttrPath::attr(attribute))
        .into()
}

/// A permission string such as "0644" as mode bits.
fn mode(object: &BTreeMap<String, Value>, name: &str) -> Result<u32, Diagnostics> {
    let text = string(object, name).unwrap_or_else(|| "0777".into());
    u32::from_str_radix(&text, 8)
        .ok()
        .filter(|m| *m <= 0o7777)
        .ok_or_else(|| {
            error(
                name,
                format!("\"{text}\" is not a permission in octal notation such as \"0644\""),
            )
        })
}

/// Writes the file: missing directories with `directory_permission`, then the content with
/// `file_permission` (both before the umask, as Terraform's provider does).
fn write(object: &BTreeMap<String, Value>, bytes: &[u8]) -> Result<(), Diagnostics> {
    let filename = string(object, "filename").unwrap_or_default();
    let path = Path::new(&filename);
    let file_mode = mode(object, "file_permission")?;
    let dir_mode = mode(object, "directory_permission")?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(dir_mode)
            .create(parent)
            .map_err(|e| error("filename", format!("creating {}: {e}", parent.display())))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(file_mode)
        .open(path)
        .map_err(|e| error("filename", format!("writing {filename}: {e}")))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| error("filename", format!("writing {filename}: {e}")))
}

#[async_trait]
impl Resource<()> for LocalFile {
    fn type_name(&self) -> &str {
        self.name
    }

    fn schema(&self) -> Schema {
        let permission = if self.sensitive { "0700" } else { "0777" };
        let content = |text: &str| {
            let attr = Attribute::optional(Type::String).force_new().describe(text);
            if self.sensitive {
                attr.sensitive()
            } else {
                attr
            }
        };
        let octal = Validator::Matches {
            pattern: "^0?[0-7]{3}$".into(),
            message: "must be a permission in octal notation such as \"0644\"".into(),
        };
        let mut schema = Schema::new()
            .attr(
                "filename",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The path of the file; missing directories are created."),
            )
            .attr("content", content("The content, as UTF-8 text."))
            .attr(
                "content_base64",
                content("The content as base64, for binary files."),
            )
            .attr(
                "source",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("A file whose content to copy."),
            )
            .attr(
                "file_permission",
                Attribute::optional(Type::String)
                    .force_new()
                    .default(permission)
                    .validate(octal.clone())
                    .describe("The file's permissions (before the umask)."),
            )
            .attr(
                "directory_permission",
                Attribute::optional(Type::String)
                    .force_new()
                    .default(permission)
                    .validate(octal)
                    .describe("Permissions of the directories created (before the umask)."),
            )
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The SHA-1 of the content."),
            )
            .crash_safety(CrashSafety::FoundByIdentity);
        if !self.sensitive {
            schema = schema.attr(
                "sensitive_content",
                Attribute::optional(Type::String)
                    .force_new()
                    .sensitive()
                    .deprecate("local_sensitive_file")
                    .describe("Content kept out of plan output."),
            );
        }
        hash_attributes(schema)
    }

    async fn plan(&self, _: &(), _: &Context, request: PlanRequest) -> PlanResponse {
        let mut planned = entries(request.proposed);
        let given = ["content", "sensitive_content", "content_base64", "source"]
            .iter()
            .filter(|name| planned.get(**name).is_some_and(|v| !v.is_null()))
            .count();
        if given != 1 {
            return PlanResponse {
                diagnostics: error(
                    "content",
                    "exactly one of content, sensitive_content, content_base64 or source must be set",
                ),
                ..PlanResponse::default()
            };
        }
        if request.prior.is_none() {
            if let Ok(Some(bytes)) = configured_bytes(&planned) {
                for (name, hash) in hashes(&bytes) {
                    planned.insert(name.into(), Value::String(hash));
                }
            }
        }
        PlanResponse::keep(Value::Map(planned))
    }

    async fn create(&self, _: &(), _: &Context, request: CreateRequest) -> ObjectResponse {
        let mut object = entries(request.planned);
        let bytes = match content(&object) {
            Ok(bytes) => bytes,
            Err(diagnostics) => return ObjectResponse::failed(diagnostics),
        };
        if let Err(diagnostics) = write(&object, &bytes) {
            return ObjectResponse::failed(diagnostics);
        }
        for (name, hash) in hashes(&bytes) {
            object.insert(name.into(), Value::String(hash));
        }
        ObjectResponse::ok(Value::Map(object))
    }

    async fn read_many(&self, _: &(), _: &Context, objects: Vec<Value>) -> ReadManyResponse {
        let results = objects
            .into_iter()
            .map(|object| {
                let filename = object.get("filename").and_then(Value::as_str);
                let id = object.get("id").and_then(Value::as_str);
                match filename.map(std::fs::read) {
                    Some(Ok(bytes)) if Some(hashes(&bytes)[0].1.as_str()) == id => {
                        ReadResult::Found(object)
                    }
                    Some(Ok(_)) => ReadResult::Gone,
                    Some(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => ReadResult::Gone,
                    Some(Err(e)) => ReadResult::Failed(error(
                        "filename",
                        format!("reading {}: {e}", filename.unwrap_or_default()),
                    )),
                    None => ReadResult::Gone,
                }
            })
            .collect();
        ReadManyResponse {
            results,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn update(&self, _: &(), _: &Context, request: UpdateRequest) -> ObjectResponse {
        ObjectResponse::ok(request.planned)
    }

    async fn delete(&self, _: &(), _: &Context, request: DeleteRequest) -> DeleteResponse {
        let Some(filename) = request.prior.get("filename").and_then(Value::as_str) else {
            return DeleteResponse::default();
        };
        match std::fs::remove_file(filename) {
            Ok(()) => DeleteResponse::default(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => DeleteResponse::default(),
            Err(e) => Diagnostics::from(
                Diagnostic::error("Error deleting the local file")
                    .with_detail(format!("removing {filename}: {e}")),
            )
            .into(),
        }
    }

    async fn adopt(
        &self,
        _: &(),
        _: &Context,
        request: plinth_sdk::AdoptRequest,
    ) -> plinth_sdk::AdoptResponse {
        // A file with the planned content at the planned path is what the create made.
        let mut object = entries(request.planned);
        let found = match (content(&object), string(&object, "filename")) {
            (Ok(bytes), Some(filename)) if std::fs::read(&filename).ok() == Some(bytes.clone()) => {
                for (name, hash) in hashes(&bytes) {
                    object.insert(name.into(), Value::String(hash));
                }
                Some(Value::Map(object))
            }
            _ => None,
        };
        plinth_sdk::AdoptResponse {
            found,
            diagnostics: Diagnostics::new(),
        }
    }
}

#[async_trait]
impl DataSource<()> for LocalFileData {
    fn type_name(&self) -> &str {
        self.name
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| {
            let attr = Attribute::computed(Type::String).describe(text);
            if self.sensitive {
                attr.sensitive()
            } else {
                attr
            }
        };
        hash_attributes(
            Schema::new()
                .attr(
                    "filename",
                    Attribute::required(Type::String).describe("The path of the file to read."),
                )
                .attr("content", computed("The content, as UTF-8 text."))
                .attr("content_base64", computed("The content as base64."))
                .attr(
                    "id",
                    Attribute::computed(Type::String).describe("The SHA-1 of the content."),
                ),
        )
    }

    async fn read(&self, _: &(), _: &Context, config: Value) -> ReadDataResponse {
        let mut object = entries(config);
        let filename = string(&object, "filename").unwrap_or_default();
        let bytes = match std::fs::read(&filename) {
            Ok(bytes) => bytes,
            Err(e) => {
                return Diagnostics::from(
                    Diagnostic::error("Error reading the local file")
                        .with_detail(format!("reading {filename}: {e}"))
                        .with_attribute(plinth_sdk::AttrPath::attr("filename")),
                )
                .into()
            }
        };
        object.insert(
            "content".into(),
            Value::String(String::from_utf8_lossy(&bytes).into_owned()),
        );
        object.insert(
            "content_base64".into(),
            Value::String(STANDARD.encode(&bytes)),
        );
        for (name, hash) in hashes(&bytes) {
            object.insert(name.into(), Value::String(hash));
        }
        ReadDataResponse {
            state: Some(Value::Map(object)),
            ..ReadDataResponse::default()
        }
    }
}
