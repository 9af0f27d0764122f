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
//! - creates are idempotent, like a cloud's idempotency token: the id is derived from `input` and
//!   `replace_key`, so a create retried after a kill adopts the object it made instead of making a
//!   second one. Each file counts its creates (`creates`), so a test can tell how often a create
//!   was repeated. Consequence: two objects with the same `input` and `replace_key` share an id,
//!   and a create-before-destroy replacement with unchanged configuration would delete what it
//!   just made; tests give every object a distinct input.

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use plinth_sdk::{
    Attribute, CreateError, Diagnostic, Diagnostics, NestedBlock, Origin, PlanResponse, Provider,
    ProviderSchema, Schema, Type, Value,
};
use sha2::{Digest, Sha256};

/// The resource type this provider manages.
const OBJECT_TYPE: &str = "slow_object";

/// The environment variable naming the object directory when the provider block gives none.
pub const DIR_ENV: &str = "PLINTH_SLOW_DIR";

/// Makes an unconfigured `slow` provider.
pub fn factory() -> Box<dyn Provider> {
    Box::new(SlowProvider { dir: None })
}

/// The `slow` provider: see the module documentation.
struct SlowProvider {
    /// Where the objects live; set by `configure`.
    dir: Option<PathBuf>,
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
}

impl StoredObject {
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "value": self.value.to_wire(), "creates": self.creates })
    }

    fn from_json(json: &serde_json::Value) -> Option<StoredObject> {
        Some(StoredObject {
            value: Value::from_wire(json.get("value")?),
            creates: json
                .get("creates")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(1),
        })
    }
}

impl SlowProvider {
    fn dir(&self) -> Result<&Path, Diagnostics> {
        self.dir
            .as_deref()
            .ok_or_else(|| failure("the slow provider is not configured".to_string()))
    }

    fn object_path(&self, id: &str) -> Result<PathBuf, Diagnostics> {
        Ok(self.dir()?.join(format!("{id}.json")))
    }

    fn check_type(type_name: &str) -> Result<(), Diagnostics> {
        if type_name == OBJECT_TYPE {
            Ok(())
        } else {
            Err(failure(format!(
                "the slow provider has no resource type {type_name}"
            )))
        }
    }

    /// Reads one object file; `None` when it does not exist.
    async fn load(&self, id: &str) -> Result<Option<StoredObject>, Diagnostics> {
        let path = self.object_path(id)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => parse_object(&path, &bytes).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(failure(format!("reading {}: {e}", path.display()))),
        }
    }

    /// Writes one object file atomically: temporary file, fsync, rename, fsync of the directory.
    async fn store(&self, id: &str, object: &StoredObject) -> Result<(), Diagnostics> {
        let dir = self.dir()?;
        let path = self.object_path(id)?;
        let temp = dir.join(format!(".{id}.{}.tmp", uuid::Uuid::new_v4()));
        let bytes = object.to_json().to_string();
        let io_error = |e: std::io::Error| failure(format!("writing {}: {e}", path.display()));
        {
            use tokio::io::AsyncWriteExt;
            let mut file = tokio::fs::File::create(&temp).await.map_err(io_error)?;
            file.write_all(bytes.as_bytes()).await.map_err(io_error)?;
            file.sync_all().await.map_err(io_error)?;
        }
        tokio::fs::rename(&temp, &path).await.map_err(io_error)?;
        let dir_handle = tokio::fs::File::open(dir).await.map_err(io_error)?;
        dir_handle.sync_all().await.map_err(io_error)
    }

    /// Appends one line to `calls.log` (one write of a whole line, so lines never interleave).
    async fn log_call(&self, phase: &str, op: &str, value: &Value) -> Result<(), Diagnostics> {
        use tokio::io::AsyncWriteExt;
        let path = self.dir()?.join("calls.log");
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
    async fn load_all(&self) -> Result<std::collections::HashMap<String, Value>, Diagnostics> {
        let dir = self.dir()?;
        let list_error = |e: std::io::Error| failure(format!("listing {}: {e}", dir.display()));
        let mut entries = tokio::fs::read_dir(dir).await.map_err(list_error)?;
        let mut objects = std::collections::HashMap::new();
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
            objects.insert(id.to_string(), parse_object(&path, &bytes)?.value);
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

#[async_trait]
impl Provider for SlowProvider {
    fn name(&self) -> &'static str {
        "slow"
    }

    fn schema(&self) -> ProviderSchema {
        let mut schema = ProviderSchema {
            provider: Schema::new().attr(
                "dir",
                Attribute::optional(Type::String)
                    .describe("Directory holding the objects (default: $PLINTH_SLOW_DIR)."),
            ),
            ..ProviderSchema::default()
        };
        schema
            .resources
            .insert(OBJECT_TYPE.to_string(), object_schema());
        schema
    }

    async fn configure(&mut self, config: Value) -> Result<(), Diagnostics> {
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
        self.dir = Some(dir);
        Ok(())
    }

    async fn plan(
        &self,
        type_name: &str,
        prior: Option<&Value>,
        proposed: Value,
    ) -> Result<PlanResponse, Diagnostics> {
        Self::check_type(type_name)?;
        let output = proposed.get("input").cloned().unwrap_or(Value::Null);
        let id = match prior {
            Some(prior) => prior.get("id").cloned().unwrap_or(Value::Unknown),
            None => Value::Unknown,
        };
        let planned = with_attr(with_attr(proposed, "output", output), "id", id);
        Ok(PlanResponse {
            planned,
            requires_replace: Vec::new(),
        })
    }

    async fn create(
        &self,
        type_name: &str,
        planned: Value,
        _origin: &Origin,
    ) -> Result<Value, CreateError> {
        Self::check_type(type_name)?;
        self.log_call("begin", "create", &planned).await?;
        tokio::time::sleep(delay_of(&planned)).await;
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
        let creates = self.load(&id).await?.map_or(0, |existing| existing.creates) + 1;
        let object = StoredObject { value, creates };
        self.store(&id, &object).await?;
        if flag(&object.value, "fail_create_partial") {
            return Err(CreateError {
                partial: Some(object.value),
                diagnostics: failure(format!(
                    "creating {id} failed half way as requested (fail_create_partial)"
                )),
            });
        }
        self.log_call("end", "create", &object.value).await?;
        Ok(object.value)
    }

    async fn read_many(
        &self,
        type_name: &str,
        priors: Vec<Value>,
    ) -> Result<Vec<Option<Value>>, Diagnostics> {
        Self::check_type(type_name)?;
        let objects = self.load_all().await?;
        priors
            .iter()
            .map(|prior| Ok(objects.get(id_of(prior)?).cloned()))
            .collect()
    }

    async fn update(
        &self,
        type_name: &str,
        prior: Value,
        planned: Value,
    ) -> Result<Value, Diagnostics> {
        Self::check_type(type_name)?;
        self.log_call("begin", "update", &planned).await?;
        tokio::time::sleep(delay_of(&planned)).await;
        let (planned, _) = planned.unmark_deep();
        let id = id_of(&prior)?.to_string();
        if flag(&planned, "fail_update") {
            return Err(failure(format!(
                "updating {id} failed as requested (fail_update)"
            )));
        }
        let existing = self
            .load(&id)
            .await?
            .ok_or_else(|| failure(format!("updating {id}: the object does not exist")))?;
        let output = planned.get("input").cloned().unwrap_or(Value::Null);
        let value = with_attr(
            with_attr(planned, "output", output),
            "id",
            Value::string(&id),
        );
        let object = StoredObject {
            value,
            creates: existing.creates,
        };
        self.store(&id, &object).await?;
        self.log_call("end", "update", &object.value).await?;
        Ok(object.value)
    }

    async fn delete(&self, type_name: &str, prior: Value) -> Result<(), Diagnostics> {
        Self::check_type(type_name)?;
        self.log_call("begin", "delete", &prior).await?;
        tokio::time::sleep(delay_of(&prior)).await;
        let id = id_of(&prior)?;
        if flag(&prior, "fail_delete") {
            return Err(failure(format!(
                "deleting {id} failed as requested (fail_delete)"
            )));
        }
        let path = self.object_path(id)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(failure(format!("deleting {}: {e}", path.display()))),
        }
        self.log_call("end", "delete", &prior).await
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Value, Diagnostics> {
        Self::check_type(type_name)?;
        match self.load(id).await? {
            Some(object) => Ok(object.value),
            None => Err(failure(format!(
                "importing {id}: no {OBJECT_TYPE} has this id"
            ))),
        }
    }

    async fn read_data(&self, type_name: &str, _config: Value) -> Result<Value, Diagnostics> {
        Err(failure(format!(
            "the slow provider has no data source {type_name}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A provider configured on a fresh temporary directory.
    async fn configured() -> (tempfile::TempDir, Box<dyn Provider>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut provider = factory();
        let config = Value::object([("dir", Value::string(dir.path().to_string_lossy()))]);
        provider.configure(config).await.expect("configure");
        (dir, provider)
    }

    /// Creates one object whose only setting is `input`.
    async fn create_input(provider: &dyn Provider, input: &str) -> Value {
        provider
            .create(
                OBJECT_TYPE,
                object(&[("input", Value::from(input))]),
                &plinth_sdk::Origin::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("create {input}: {}", e.diagnostics))
    }

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().cloned())
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

    #[tokio::test]
    async fn create_writes_one_file_and_copies_input_to_output() {
        let (dir, provider) = configured().await;
        let created = create_input(provider.as_ref(), "a").await;
        let id = created
            .get("id")
            .and_then(Value::as_str)
            .expect("id")
            .to_string();
        assert_eq!(created.get("output"), Some(&Value::from("a")));
        assert_eq!(files(&dir), vec![format!("{id}.json")]);
    }

    #[tokio::test]
    async fn repeated_create_adopts_the_object_and_counts_creates() {
        let (dir, provider) = configured().await;
        let planned = object(&[("input", Value::from("same"))]);
        let first = provider
            .create(OBJECT_TYPE, planned.clone(), &plinth_sdk::Origin::default())
            .await
            .expect("create");
        let second = provider
            .create(OBJECT_TYPE, planned, &plinth_sdk::Origin::default())
            .await
            .expect("create again");
        assert_eq!(first, second);
        assert_eq!(files(&dir).len(), 1);
        let id = id_of(&first).expect("id");
        let text = std::fs::read_to_string(dir.path().join(format!("{id}.json"))).expect("file");
        let stored: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(stored["creates"], 2);
    }

    #[tokio::test]
    async fn replace_key_gives_a_new_id_and_forces_replacement() {
        let (_dir, provider) = configured().await;
        let a = provider
            .create(
                OBJECT_TYPE,
                object(&[
                    ("input", Value::from("x")),
                    ("replace_key", Value::from("1")),
                ]),
                &plinth_sdk::Origin::default(),
            )
            .await
            .expect("create");
        let b = provider
            .create(
                OBJECT_TYPE,
                object(&[
                    ("input", Value::from("x")),
                    ("replace_key", Value::from("2")),
                ]),
                &plinth_sdk::Origin::default(),
            )
            .await
            .expect("create");
        assert_ne!(a.get("id"), b.get("id"));
        let schema = provider.schema();
        assert!(schema.resources[OBJECT_TYPE].attributes["replace_key"].force_new);
    }

    #[tokio::test]
    async fn read_many_answers_every_prior_in_order_and_none_for_gone_objects() {
        let (_dir, provider) = configured().await;
        let a = create_input(provider.as_ref(), "a").await;
        let b = create_input(provider.as_ref(), "b").await;
        provider
            .delete(OBJECT_TYPE, a.clone())
            .await
            .expect("delete");
        let read = provider
            .read_many(OBJECT_TYPE, vec![a, b.clone(), b.clone()])
            .await
            .expect("read");
        assert_eq!(read, vec![None, Some(b.clone()), Some(b)]);
    }

    #[tokio::test]
    async fn update_keeps_the_id_and_rewrites_the_file() {
        let (_dir, provider) = configured().await;
        let prior = create_input(provider.as_ref(), "v1").await;
        let planned = with_attr(prior.clone(), "input", Value::from("v2"));
        let updated = provider
            .update(OBJECT_TYPE, prior.clone(), planned)
            .await
            .expect("update");
        assert_eq!(updated.get("id"), prior.get("id"));
        assert_eq!(updated.get("output"), Some(&Value::from("v2")));
        let read = provider
            .read_many(OBJECT_TYPE, vec![prior])
            .await
            .expect("read");
        assert_eq!(read, vec![Some(updated)]);
    }

    #[tokio::test]
    async fn fail_create_makes_nothing() {
        let (dir, provider) = configured().await;
        let planned = object(&[
            ("input", Value::from("a")),
            ("fail_create", Value::Bool(true)),
        ]);
        let err = provider
            .create(OBJECT_TYPE, planned, &plinth_sdk::Origin::default())
            .await
            .expect_err("must fail");
        assert!(err.partial.is_none());
        assert!(err.diagnostics.to_string().contains("failed as requested"));
        assert!(files(&dir).is_empty());
    }

    #[tokio::test]
    async fn fail_create_partial_returns_the_object_it_made() {
        let (dir, provider) = configured().await;
        let planned = object(&[
            ("input", Value::from("a")),
            ("fail_create_partial", Value::Bool(true)),
        ]);
        let err = provider
            .create(OBJECT_TYPE, planned, &plinth_sdk::Origin::default())
            .await
            .expect_err("must fail");
        let partial = err.partial.expect("partial object");
        let id = id_of(&partial).expect("id");
        assert_eq!(files(&dir), vec![format!("{id}.json")]);
        assert!(err.diagnostics.has_errors());
    }

    #[tokio::test]
    async fn fail_update_and_fail_delete_change_nothing() {
        let (dir, provider) = configured().await;
        let prior = provider
            .create(
                OBJECT_TYPE,
                object(&[
                    ("input", Value::from("a")),
                    ("fail_delete", Value::Bool(true)),
                ]),
                &plinth_sdk::Origin::default(),
            )
            .await
            .expect("create");
        let planned = with_attr(
            with_attr(prior.clone(), "input", Value::from("b")),
            "fail_update",
            Value::Bool(true),
        );
        assert!(provider
            .update(OBJECT_TYPE, prior.clone(), planned)
            .await
            .is_err());
        assert!(provider.delete(OBJECT_TYPE, prior.clone()).await.is_err());
        let read = provider
            .read_many(OBJECT_TYPE, vec![prior.clone()])
            .await
            .expect("read");
        assert_eq!(read, vec![Some(prior)]);
        assert_eq!(files(&dir).len(), 1);
    }

    #[tokio::test]
    async fn delete_of_a_missing_object_succeeds() {
        let (_dir, provider) = configured().await;
        let gone = object(&[("id", Value::from("slow-0000000000000000"))]);
        provider.delete(OBJECT_TYPE, gone).await.expect("delete");
    }

    #[tokio::test]
    async fn delay_ms_delays_the_operation() {
        let (_dir, provider) = configured().await;
        let started = std::time::Instant::now();
        provider
            .create(
                OBJECT_TYPE,
                object(&[
                    ("input", Value::from("a")),
                    ("delay_ms", Value::from(120i64)),
                ]),
                &plinth_sdk::Origin::default(),
            )
            .await
            .expect("create");
        assert!(started.elapsed() >= Duration::from_millis(120));
    }

    #[tokio::test]
    async fn plan_copies_input_to_output_and_keeps_the_prior_id() {
        let (_dir, provider) = configured().await;
        let prior = object(&[
            ("id", Value::from("slow-1")),
            ("input", Value::from("old")),
            ("output", Value::from("old")),
        ]);
        let proposed = with_attr(prior.clone(), "input", Value::from("new"));
        let planned = provider
            .plan(OBJECT_TYPE, Some(&prior), proposed)
            .await
            .expect("plan")
            .planned;
        assert_eq!(planned.get("output"), Some(&Value::from("new")));
        assert_eq!(planned.get("id"), Some(&Value::from("slow-1")));
        let fresh = provider
            .plan(OBJECT_TYPE, None, object(&[("input", Value::Unknown)]))
            .await
            .expect("plan")
            .planned;
        assert_eq!(fresh.get("id"), Some(&Value::Unknown));
        assert_eq!(fresh.get("output"), Some(&Value::Unknown));
    }

    #[tokio::test]
    async fn import_reads_an_existing_object_and_refuses_unknown_ids() {
        let (_dir, provider) = configured().await;
        let created = create_input(provider.as_ref(), "a").await;
        let imported = provider
            .import(OBJECT_TYPE, id_of(&created).expect("id"))
            .await
            .expect("import");
        assert_eq!(imported, created);
        assert!(provider.import(OBJECT_TYPE, "slow-missing").await.is_err());
    }

    #[tokio::test]
    async fn sets_survive_the_round_trip_through_the_directory() {
        let (_dir, provider) = configured().await;
        let input = Value::set(vec![Value::from("b"), Value::from("a")]);
        let created = provider
            .create(
                OBJECT_TYPE,
                object(&[("input", input.clone())]),
                &plinth_sdk::Origin::default(),
            )
            .await
            .expect("create");
        let read = provider
            .read_many(OBJECT_TYPE, vec![created])
            .await
            .expect("read");
        assert_eq!(read[0].as_ref().and_then(|v| v.get("output")), Some(&input));
    }

    #[tokio::test]
    async fn unknown_types_and_missing_configuration_are_errors() {
        let (_dir, provider) = configured().await;
        assert!(provider
            .create("slow_other", object(&[]), &plinth_sdk::Origin::default())
            .await
            .is_err());
        let unconfigured = factory();
        assert!(unconfigured
            .create(OBJECT_TYPE, object(&[]), &plinth_sdk::Origin::default())
            .await
            .is_err());
    }
}
