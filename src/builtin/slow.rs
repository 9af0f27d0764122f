//! The test-only `slow` provider: `slow_object`s with configurable delays and failures, kept as
//! one JSON file per object in a directory, used to kill plinth mid-apply and to test failures.
//!
//! Compiled only with the cargo feature `test-provider`. Its "real infrastructure" is the
//! directory named by the provider block's `dir` or, without one, the `PLINTH_SLOW_DIR`
//! environment variable: `<id>.json` per object, written to a temporary file, fsync'd and renamed
//! so a kill -9 never leaves half a file. `read_many` answers every object in one directory pass.
//!
//! Nested `tag` blocks (key, value) are stored as given, for tests of (dynamic) blocks.
//!
//! Every create, update and delete appends `begin OP INPUT` when it starts and `end OP INPUT`
//! when it has finished (`OP` is create, update or delete; `INPUT` the object's `input` as
//! text) to `calls.log` in the directory, so tests can assert the order of operations.
//!
//! Guarantees the crash tests rely on:
//! - an operation sleeps `delay_ms` *before* touching the directory, so a kill during the delay
//!   leaves nothing behind;
//! - each object file keeps the intent token of the create that made it, and `adopt` finds an
//!   object by it (crash safety `Tagged`);
//! - creates are idempotent, like a cloud's idempotency token: the id is derived from `input` and
//!   `replace_key`, so a create retried after a kill adopts the object it made instead of making a
//!   second one. Each file counts its creates (`creates`), so a test can tell how often a create
//!   was repeated. Consequence: two objects with the same `input` and `replace_key` share an id,
//!   and a create-before-destroy replacement with unchanged configuration would delete what it
//!   just made; tests give every object a distinct input.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Configure, Context, CrashSafety, CreateRequest,
    DeleteRequest, DeleteResponse, Diagnostic, Diagnostics, FnFactory, ListResponse, NestedBlock,
    ObjectResponse, PlanRequest, PlanResponse, Provider, ProviderFactory, ReadManyResponse,
    ReadResult, Registry, Resource, Schema, Slept, Timeouts, Type, UpdateRequest, Value,
};
use sha2::{Digest, Sha256};

/// The resource type this provider manages.
const OBJECT_TYPE: &str = "slow_object";

/// The environment variable naming the object directory when the provider block gives none.
pub const DIR_ENV: &str = "PLINTH_SLOW_DIR";

fn make() -> Box<dyn Provider> {
    Box::new(Registry::new("slow", FromDirectory).resource(SlowObject))
}

/// The factory of the `slow` provider.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new("slow", make))
}

/// The schema of `slow_object`.
fn object_schema() -> Schema {
    Schema::new()
        .attr(
            "input",
            Attribute::optional(Type::Any).describe("Any value; copied to `output`."),
        )
        .attr(
            "delay_ms",
            Attribute::optional(Type::Number)
                .describe("Milliseconds every create, update and delete sleeps first."),
        )
        .attr(
            "fail_create",
            Attribute::optional(Type::Bool).describe("Create fails without making anything."),
        )
        .attr(
            "fail_create_partial",
            Attribute::optional(Type::Bool)
                .describe("Create makes the object, then fails and returns it as partial."),
        )
        .attr(
            "fail_update",
            Attribute::optional(Type::Bool).describe("Update fails without changing anything."),
        )
        .attr(
            "fail_delete",
            Attribute::optional(Type::Bool).describe("Delete fails without removing anything."),
        )
        .attr(
            "replace_key",
            Attribute::optional(Type::String)
                .force_new()
                .describe("Any string; a change replaces the object."),
        )
        .attr(
            "id",
            Attribute::computed(Type::String).describe("Derived from input and replace_key."),
        )
        .attr(
            "output",
            Attribute::computed(Type::Any).describe("The input, as stored."),
        )
        .block(
            "tag",
            NestedBlock::list(
                Schema::new()
                    .attr("key", Attribute::required(Type::String))
                    .attr("value", Attribute::optional(Type::String)),
            ),
        )
        .attr(
            "warn",
            Attribute::optional(Type::String)
                .describe("A warning the provider gives when it creates the object."),
        )
        .crash_safety(CrashSafety::Tagged)
        .timeouts(Timeouts {
            create: Some(Duration::from_secs(20 * 60)),
            update: Some(Duration::from_secs(20 * 60)),
            delete: Some(Duration::from_secs(20 * 60)),
            read: None,
        })
}

/// An error diagnostic about one object operation.
fn failure(summary: String) -> Diagnostics {
    Diagnostic::error(summary).into()
}

/// Whether boolean attribute `name` is set to true.
fn flag(value: &Value, name: &str) -> bool {
    value.get(name).and_then(Value::as_bool).unwrap_or(false)
}

/// The delay configured on an object.
fn delay_of(value: &Value) -> Duration {
    let millis = value.get("delay_ms").and_then(Value::as_f64).unwrap_or(0.0);
    Duration::from_millis(millis.max(0.0) as u64)
}

/// Sleeps the object's `delay_ms`, within the operation's deadline: a delay longer than the
/// `timeouts {}` block allows fails the operation, as does cancellation.
async fn pause(ctx: &Context, value: &Value, operation: &str) -> Result<(), Diagnostics> {
    match ctx.sleep(delay_of(value)).await {
        Slept::Done => Ok(()),
        Slept::DeadlinePassed => Err(failure(format!(
            "{operation} timed out (timeouts.{operation})"
        ))),
        Slept::Cancelled => Err(failure(format!("{operation} was cancelled"))),
    }
}

/// The warning a `warn` attribute asks the provider to give.
fn warning_of(value: &Value) -> Option<Diagnostic> {
    value
        .get("warn")
        .and_then(Value::as_str)
        .map(|text| Diagnostic::warning(text.to_string()))
}

/// A copy of object `value` with `name` set to `attr` (objects only; others are returned as is).
fn with_attr(value: Value, name: &str, attr: Value) -> Value {
    match value {
        Value::Map(mut map) => {
            map.insert(name.to_string(), attr);
            Value::Map(map)
        }
        other => other,
    }
}

/// The `input` of an object as one line of text, naming it in `calls.log`.
fn input_text(value: &Value) -> String {
    match value.get("input") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_wire().to_string(),
        None => String::new(),
    }
}

/// The id of an object: a digest of its identity (`input` and `replace_key`).
fn derive_id(planned: &Value) -> String {
    let identity = serde_json::json!({
        "input": planned.get("input").map(Value::to_wire),
        "replace_key": planned.get("replace_key").map(Value::to_wire),
    });
    let digest = Sha256::digest(identity.to_string().as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("slow-{hex}")
}

/// The id attribute of a stored object value.
fn id_of(value: &Value) -> Result<&str, Diagnostics> {
    value
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| failure(format!("{OBJECT_TYPE} has no id")))
}

/// One object as stored in the directory.
struct StoredObject {
    /// The object's value as the provider returns it.
    value: Value,
    /// How many creates have written this object.
    creates: u64,
    /// The intent token of the create that made it.
    intent: String,
}

impl StoredObject {
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "value": self.value.to_wire(),
            "creates": self.creates,
            "intent": self.intent,
        })
    }

    fn from_json(json: &serde_json::Value) -> Option<StoredObject> {
        Some(StoredObject {
            value: Value::from_wire(json.get("value")?),
            creates: json
                .get("creates")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(1),
            intent: json
                .get("intent")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string(),
        })
    }
}

/// The directory of objects: the provider's configured "client".
struct Objects {
    dir: PathBuf,
    /// Misbehave: answer every read with one result fewer than asked (tests of the engine).
    short_reads: bool,
}

impl Objects {
    fn object_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Reads one object file; `None` when it does not exist.
    async fn load(&self, id: &str) -> Result<Option<StoredObject>, Diagnostics> {
        let path = self.object_path(id);
        match tokio::fs::read(&path).await {
            Ok(bytes) => parse_object(&path, &bytes).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(failure(format!("reading {}: {e}", path.display()))),
        }
    }

    /// Writes one object file atomically: temporary file, fsync, rename, fsync of the directory.
    async fn store(&self, id: &str, object: &StoredObject) -> Result<(), Diagnostics> {
        let path = self.object_path(id);
        let temp = self.dir.join(format!(".{id}.{}.tmp", uuid::Uuid::new_v4()));
        let bytes = object.to_json().to_string();
        let io_error = |e: std::io::Error| failure(format!("writing {}: {e}", path.display()));
        {
            use tokio::io::AsyncWriteExt;
            let mut file = tokio::fs::File::create(&temp).await.map_err(io_error)?;
            file.write_all(bytes.as_bytes()).await.map_err(io_error)?;
            file.sync_all().await.map_err(io_error)?;
        }
        tokio::fs::rename(&temp, &path).await.map_err(io_error)?;
        let dir_handle = tokio::fs::File::open(&self.dir).await.map_err(io_error)?;
        dir_handle.sync_all().await.map_err(io_error)
    }

    /// Appends one line to `calls.log` (one write of a whole line, so lines never interleave).
    async fn log_call(&self, phase: &str, op: &str, value: &Value) -> Result<(), Diagnostics> {
        use tokio::io::AsyncWriteExt;
        let path = self.dir.join("calls.log");
        let line = format!("{phase} {op} {}\n", input_text(value));
        let io_error = |e: std::io::Error| failure(format!("writing {}: {e}", path.display()));
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .await
            .map_err(io_error)?;
        file.write_all(line.as_bytes()).await.map_err(io_error)
    }

    /// Every stored object by id, from one listing of the directory.
    async fn load_all(&self) -> Result<HashMap<String, StoredObject>, Diagnostics> {
        let list_error =
            |e: std::io::Error| failure(format!("listing {}: {e}", self.dir.display()));
        let mut entries = tokio::fs::read_dir(&self.dir).await.map_err(list_error)?;
        let mut objects = HashMap::new();
        while let Some(entry) = entries.next_entry().await.map_err(list_error)? {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(id) = name
                .strip_suffix(".json")
                .filter(|_| !name.starts_with('.'))
            else {
                continue;
            };
            let path = entry.path();
            let bytes = match tokio::fs::read(&path).await {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(failure(format!("reading {}: {e}", path.display()))),
            };
            objects.insert(id.to_string(), parse_object(&path, &bytes)?);
        }
        Ok(objects)
    }
}

fn parse_object(path: &Path, bytes: &[u8]) -> Result<StoredObject, Diagnostics> {
    serde_json::from_slice(bytes)
        .ok()
        .as_ref()
        .and_then(StoredObject::from_json)
        .ok_or_else(|| failure(format!("{} is not a stored slow_object", path.display())))
}

/// Configures the object directory from `dir` or `PLINTH_SLOW_DIR`.
struct FromDirectory;

#[async_trait]
impl Configure<Objects> for FromDirectory {
    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "dir",
                Attribute::optional(Type::String)
                    .describe("Directory holding the objects (default: $PLINTH_SLOW_DIR)."),
            )
            .attr(
                "short_reads",
                Attribute::optional(Type::Bool)
                    .describe("Misbehave: answer reads with one object missing."),
            )
    }

    async fn configure(&self, _: &Context, config: Value) -> Result<Objects, Diagnostics> {
        let dir = match config.get("dir").and_then(Value::as_str) {
            Some(dir) => PathBuf::from(dir),
            None => std::env::var_os(DIR_ENV)
                .map(PathBuf::from)
                .ok_or_else(|| {
                    failure(format!(
                        "the slow provider needs a directory: set {DIR_ENV} or `dir`"
                    ))
                })?,
        };
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| failure(format!("creating {}: {e}", dir.display())))?;
        let short_reads = config
            .get("short_reads")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Ok(Objects { dir, short_reads })
    }
}

/// `slow_object`.
struct SlowObject;

impl SlowObject {
    async fn create_object(
        ctx: &Context,
        objects: &Objects,
        planned: Value,
        intent: &str,
    ) -> Result<Value, ObjectResponse> {
        objects.log_call("begin", "create", &planned).await?;
        pause(ctx, &planned, "create").await?;
        let (planned, _) = planned.unmark_deep();
        let id = derive_id(&planned);
        if flag(&planned, "fail_create") {
            return Err(failure(format!("creating {id} failed as requested (fail_create)")).into());
        }
        let output = planned.get("input").cloned().unwrap_or(Value::Null);
        let value = with_attr(
            with_attr(planned, "output", output),
            "id",
            Value::string(&id),
        );
        let creates = objects
            .load(&id)
            .await?
            .map_or(0, |existing| existing.creates)
            + 1;
        let object = StoredObject {
            value,
            creates,
            intent: intent.to_string(),
        };
        objects.store(&id, &object).await?;
        if flag(&object.value, "fail_create_partial") {
            return Err(ObjectResponse::partial(
                object.value,
                failure(format!(
                    "creating {id} failed half way as requested (fail_create_partial)"
                )),
            ));
        }
        objects.log_call("end", "create", &object.value).await?;
        Ok(object.value)
    }

    async fn update_object(
        ctx: &Context,
        objects: &Objects,
        prior: Value,
        planned: Value,
    ) -> Result<Value, Diagnostics> {
        objects.log_call("begin", "update", &planned).await?;
        pause(ctx, &planned, "update").await?;
        let (planned, _) = planned.unmark_deep();
        let id = id_of(&prior)?.to_string();
        if flag(&planned, "fail_update") {
            return Err(failure(format!(
                "updating {id} failed as requested (fail_update)"
            )));
        }
        let existing = objects
            .load(&id)
            .await?
            .ok_or_else(|| failure(format!("updating {id}: the object does not exist")))?;
        let output = planned.get("input").cloned().unwrap_or(Value::Null);
        let value = with_attr(
            with_attr(planned, "output", output),
            "id",
            Value::string(&id),
        );
        let object = StoredObject { value, ..existing };
        objects.store(&id, &object).await?;
        objects.log_call("end", "update", &object.value).await?;
        Ok(object.value)
    }

    async fn delete_object(
        ctx: &Context,
        objects: &Objects,
        prior: Value,
    ) -> Result<(), Diagnostics> {
        objects.log_call("begin", "delete", &prior).await?;
        pause(ctx, &prior, "delete").await?;
        let id = id_of(&prior)?;
        if flag(&prior, "fail_delete") {
            return Err(failure(format!(
                "deleting {id} failed as requested (fail_delete)"
            )));
        }
        let path = objects.object_path(id);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(failure(format!("deleting {}: {e}", path.display()))),
        }
        objects.log_call("end", "delete", &prior).await
    }
}

#[async_trait]
impl Resource<Objects> for SlowObject {
    fn type_name(&self) -> &str {
        OBJECT_TYPE
    }

    fn schema(&self) -> Schema {
        object_schema()
    }

    async fn plan(&self, _: &Objects, _: &Context, request: PlanRequest) -> PlanResponse {
        let output = request
            .proposed
            .get("input")
            .cloned()
            .unwrap_or(Value::Null);
        let id = match &request.prior {
            Some(prior) => prior.get("id").cloned().unwrap_or(Value::Unknown),
            None => Value::Unknown,
        };
        PlanResponse::keep(with_attr(
            with_attr(request.proposed, "output", output),
            "id",
            id,
        ))
    }

    async fn create(
        &self,
        objects: &Objects,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let warning = warning_of(&request.planned);
        match Self::create_object(ctx, objects, request.planned, &request.intent.token).await {
            Ok(value) => match warning {
                Some(w) => ObjectResponse::ok(value).warn(w),
                None => ObjectResponse::ok(value),
            },
            Err(response) => response,
        }
    }

    async fn read_many(
        &self,
        objects: &Objects,
        _: &Context,
        priors: Vec<Value>,
    ) -> ReadManyResponse {
        let stored = match objects.load_all().await {
            Ok(stored) => stored,
            Err(diagnostics) => {
                return ReadManyResponse {
                    diagnostics,
                    ..ReadManyResponse::default()
                }
            }
        };
        let answered = priors.len() - usize::from(objects.short_reads && !priors.is_empty());
        let results = priors[..answered]
            .iter()
            .map(|prior| match id_of(prior) {
                Ok(id) => stored
                    .get(id)
                    .map_or(ReadResult::Gone, |o| ReadResult::Found(o.value.clone())),
                Err(d) => ReadResult::Failed(d),
            })
            .collect();
        ReadManyResponse {
            results,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn update(
        &self,
        objects: &Objects,
        ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        match Self::update_object(ctx, objects, request.prior, request.planned).await {
            Ok(value) => ObjectResponse::ok(value),
            Err(d) => ObjectResponse::failed(d),
        }
    }

    async fn delete(
        &self,
        objects: &Objects,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        Self::delete_object(ctx, objects, request.prior)
            .await
            .err()
            .map(DeleteResponse::from)
            .unwrap_or_default()
    }

    async fn import(&self, objects: &Objects, _: &Context, id: &str) -> ObjectResponse {
        match objects.load(id).await {
            Ok(Some(object)) => ObjectResponse::ok(object.value),
            Ok(None) => ObjectResponse::failed(failure(format!(
                "importing {id}: no {OBJECT_TYPE} has this id"
            ))),
            Err(d) => ObjectResponse::failed(d),
        }
    }

    async fn list(&self, objects: &Objects, _: &Context) -> ListResponse {
        match objects.load_all().await {
            Ok(stored) => ListResponse {
                supported: true,
                objects: stored.into_values().map(|o| o.value).collect(),
                diagnostics: Diagnostics::new(),
            },
            Err(diagnostics) => ListResponse {
                supported: true,
                diagnostics,
                ..ListResponse::default()
            },
        }
    }

    async fn adopt(&self, objects: &Objects, _: &Context, request: AdoptRequest) -> AdoptResponse {
        match objects.load_all().await {
            Ok(stored) => AdoptResponse {
                found: stored
                    .into_values()
                    .find(|o| o.intent == request.intent.token)
                    .map(|o| o.value),
                diagnostics: Diagnostics::new(),
            },
            Err(diagnostics) => AdoptResponse {
                diagnostics,
                ..AdoptResponse::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_sdk::testkit::{self, Case};
    use plinth_sdk::{ConfigureRequest, Intent};

    /// A provider configured on a fresh temporary directory.
    async fn configured() -> (tempfile::TempDir, Box<dyn Provider>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut provider = make();
        let config = Value::object([("dir", Value::string(dir.path().to_string_lossy()))]);
        let answer = provider
            .configure(&Context::default(), ConfigureRequest { config })
            .await;
        assert!(!answer.diagnostics.has_errors(), "{}", answer.diagnostics);
        (dir, provider)
    }

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().cloned())
    }

    async fn create(provider: &dyn Provider, planned: Value) -> ObjectResponse {
        let request = CreateRequest {
            type_name: OBJECT_TYPE.into(),
            planned,
            intent: Intent::new("slow_object.x", "default"),
            private: Vec::new(),
        };
        provider.create(&Context::default(), request).await
    }

    /// The names of the object files in the directory.
    fn files(dir: &tempfile::TempDir) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|name| name != "calls.log")
            .collect();
        names.sort();
        names
    }

    fn case(input: &str) -> Case {
        Case {
            type_name: OBJECT_TYPE.into(),
            create: object(&[
                ("input", Value::from(input)),
                ("id", Value::Unknown),
                ("output", Value::Unknown),
            ]),
            update: vec![("input".into(), Value::from(format!("{input}-2")))],
            check: "input".into(),
        }
    }

    #[tokio::test]
    async fn the_slow_provider_keeps_the_provider_contract() {
        let (_dir, provider) = configured().await;
        testkit::lifecycle(provider.as_ref(), &case("life"))
            .await
            .expect("lifecycle");
        testkit::adopts_an_interrupted_create(provider.as_ref(), &case("adopted"))
            .await
            .expect("adoption");
        testkit::adopts_nothing_for_an_unused_intent(provider.as_ref(), &case("never"))
            .await
            .expect("no adoption");
    }

    #[tokio::test]
    async fn repeated_create_adopts_the_object_and_counts_creates() {
        let (dir, provider) = configured().await;
        let planned = object(&[("input", Value::from("same"))]);
        let first = create(provider.as_ref(), planned.clone()).await.new_state;
        let second = create(provider.as_ref(), planned).await.new_state;
        assert_eq!(first, second);
        assert_eq!(files(&dir).len(), 1);
        let first = first.expect("created");
        let id = id_of(&first).expect("id");
        let text = std::fs::read_to_string(dir.path().join(format!("{id}.json"))).expect("file");
        let stored: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(stored["creates"], 2);
    }

    #[tokio::test]
    async fn fail_flags_fail_as_asked_and_partial_creates_return_the_object() {
        let (dir, provider) = configured().await;
        let failed = create(
            provider.as_ref(),
            object(&[
                ("input", Value::from("a")),
                ("fail_create", Value::Bool(true)),
            ]),
        )
        .await;
        assert!(failed.new_state.is_none() && failed.diagnostics.has_errors());
        assert!(files(&dir).is_empty());
        let partial = create(
            provider.as_ref(),
            object(&[
                ("input", Value::from("b")),
                ("fail_create_partial", Value::Bool(true)),
            ]),
        )
        .await;
        assert!(partial.diagnostics.has_errors());
        let made = partial.new_state.expect("the partial object");
        assert_eq!(
            files(&dir),
            vec![format!("{}.json", id_of(&made).expect("id"))]
        );
    }

    #[tokio::test]
    async fn delay_ms_delays_the_operation() {
        let (_dir, provider) = configured().await;
        let started = std::time::Instant::now();
        let answer = create(
            provider.as_ref(),
            object(&[
                ("input", Value::from("a")),
                ("delay_ms", Value::from(120i64)),
            ]),
        )
        .await;
        assert!(!answer.diagnostics.has_errors());
        assert!(started.elapsed() >= Duration::from_millis(120));
    }

    #[tokio::test]
    async fn unconfigured_providers_refuse_to_work() {
        let unconfigured = make();
        assert!(create(unconfigured.as_ref(), object(&[]))
            .await
            .diagnostics
            .has_errors());
    }
}
