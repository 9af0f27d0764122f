//! The `s3` backend: state, history, journal and lock as objects in one bucket.
//!
//! Layout for a workspace whose state key is `K` (`key` for `default`, else
//! `<workspace_key_prefix>/<workspace>/key`, the prefix defaulting to `env:`):
//! - `K`: the current snapshot, replaced by a compare-and-swap `PutObject` (`If-Match` with the
//!   ETag read, or `If-None-Match: *` when there was none);
//! - `K.history/<serial>`: a copy of every snapshot written, its description in the user
//!   metadata `plinth-meta`;
//! - `K.journal/<seq>`: one object per group commit (the header line, then the entry lines),
//!   created with `If-None-Match: *`, so an append is one request whatever the journal's length;
//! - `K.tflock`: the lock (Terraform's `use_lockfile` name), created with `If-None-Match: *`,
//!   holding the holder's [`LockInfo`] with its lease expiry; renewed and taken over with
//!   `If-Match` on its ETag.
//!
//! Limits: S3 has no transaction across objects, so the fence is checked by reading the lock
//! object just before each write; a takeover landing between that read and the write is caught
//! only by the snapshot's own compare-and-swap. Lease expiry is judged by the clocks of the
//! machines involved.

mod journal_objects;
mod lock_object;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use tokio::sync::OnceCell;

use crate::error::StateError;
use crate::lock::LockInfo;
use crate::settings::{env_first, BackendSettings};
use crate::store::{
    Fence, SnapshotMeta, SnapshotStore, Stored, Version, WorkspaceStores, Workspaces,
};

use journal_objects::S3Journal;
use lock_object::S3Locker;

/// The settings the `s3` backend knows.
const KNOWN: &[&str] = &[
    "bucket",
    "key",
    "region",
    "endpoint",
    "endpoints.s3",
    "workspace_key_prefix",
    "use_lockfile",
    "use_path_style",
    "force_path_style",
    "skip_credentials_validation",
    "skip_region_validation",
    "skip_requesting_account_id",
    "skip_metadata_api_check",
    "lock_lease",
];

/// The `s3` backend: see the module documentation.
pub struct S3Backend {
    bucket: String,
    key: String,
    region: Option<String>,
    endpoint: Option<String>,
    path_style: bool,
    workspace_prefix: String,
    lease: Duration,
    client: OnceCell<Client>,
}

impl S3Backend {
    /// Reads and checks the settings; the client is made on first use.
    pub fn from_settings(settings: &BackendSettings) -> Result<S3Backend, StateError> {
        settings.check_known(KNOWN)?;
        if !settings.flag("use_lockfile", true)? {
            return Err(StateError::Config {
                detail: "use_lockfile = false is not supported: plinth locks S3 state with a \
                         lock object (If-None-Match), never without a lock"
                    .to_string(),
            });
        }
        let key = settings.require(
            "key",
            " (the state object's key, e.g. \"prod/terraform.tfstate\")",
        )?;
        if key.starts_with('/') || key.ends_with('/') {
            return Err(StateError::Config {
                detail: format!("key {key:?} must not start or end with a slash"),
            });
        }
        Ok(S3Backend {
            bucket: settings.require("bucket", "")?,
            key,
            region: settings.get_or_env("region", &["AWS_REGION", "AWS_DEFAULT_REGION"]),
            endpoint: settings
                .get("endpoints.s3")
                .or_else(|| settings.get("endpoint"))
                .map(str::to_string)
                .or_else(|| env_first(&["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"])),
            path_style: settings.flag("use_path_style", false)?
                || settings.flag("force_path_style", false)?,
            workspace_prefix: settings
                .get("workspace_key_prefix")
                .unwrap_or("env:")
                .to_string(),
            lease: settings.lease()?,
            client: OnceCell::new(),
        })
    }

    async fn client(&self) -> Result<Client, StateError> {
        self.client
            .get_or_try_init(|| async {
                let region = self.region.clone().ok_or_else(|| StateError::Config {
                    detail: "the s3 backend needs a region: set \"region\" or AWS_REGION"
                        .to_string(),
                })?;
                let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
                    .region(aws_config::Region::new(region))
                    .load()
                    .await;
                let mut config = aws_sdk_s3::config::Builder::from(&shared)
                    .force_path_style(self.path_style)
                    .request_checksum_calculation(
                        aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired,
                    )
                    .response_checksum_validation(
                        aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired,
                    );
                if let Some(endpoint) = &self.endpoint {
                    config = config.endpoint_url(endpoint);
                }
                Ok(Client::from_conf(config.build()))
            })
            .await
            .cloned()
    }

    /// The state object key of workspace `name`.
    fn state_key(&self, name: &str) -> String {
        if name == "default" {
            self.key.clone()
        } else {
            format!("{}/{name}/{}", self.workspace_prefix, self.key)
        }
    }
}

#[async_trait]
impl Workspaces for S3Backend {
    async fn list(&self) -> Result<Vec<String>, StateError> {
        let objects = Objects {
            client: self.client().await?,
            bucket: self.bucket.clone(),
            location: format!("s3://{}", self.bucket),
        };
        let prefix = format!("{}/", self.workspace_prefix);
        let suffix = format!("/{}", self.key);
        let mut names = vec!["default".to_string()];
        for key in objects.list(&prefix).await? {
            if let Some(name) = key
                .strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix(&suffix))
                .filter(|name| !name.contains('/') && *name != "default")
            {
                names.push(name.to_string());
            }
        }
        names[1..].sort();
        names.dedup();
        Ok(names)
    }

    async fn delete(&self, name: &str) -> Result<(), StateError> {
        let key = self.state_key(name);
        let objects = Objects {
            client: self.client().await?,
            bucket: self.bucket.clone(),
            location: self.describe(name),
        };
        let mut doomed = objects.list(&format!("{key}.")).await?;
        doomed.push(key);
        objects.delete_all(&doomed).await
    }

    async fn open(&self, name: &str) -> Result<WorkspaceStores, StateError> {
        let key = self.state_key(name);
        let objects = Arc::new(Objects {
            client: self.client().await?,
            bucket: self.bucket.clone(),
            location: self.describe(name),
        });
        let lock_key = format!("{key}.tflock");
        Ok(WorkspaceStores {
            snapshots: Box::new(S3Snapshots {
                objects: objects.clone(),
                key: key.clone(),
                lock_key: lock_key.clone(),
            }),
            locker: Box::new(S3Locker::new(objects.clone(), lock_key.clone(), self.lease)),
            journal: Box::new(S3Journal::new(objects, format!("{key}.journal/"), lock_key)),
        })
    }

    fn describe(&self, name: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.state_key(name))
    }
}

/// A client bound to one bucket, with the small operations the stores share.
pub(crate) struct Objects {
    client: Client,
    bucket: String,
    location: String,
}

/// How a conditional request failed.
pub(crate) enum PutOutcome {
    /// Written; the new ETag.
    Written(String),
    /// The precondition did not hold (412, or 409 for a concurrent conditional write).
    PreconditionFailed,
}

impl Objects {
    fn error(&self, action: &str, error: &(dyn std::error::Error + 'static)) -> StateError {
        StateError::remote(self.location.clone(), action, error)
    }

    /// Reads an object: its bytes and ETag, `None` when absent.
    pub(crate) async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, StateError> {
        let response = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(response) => response,
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|service| service.is_no_such_key()) =>
            {
                return Ok(None)
            }
            Err(error) => return Err(self.error(&format!("read {key}"), &error)),
        };
        let etag = response.e_tag().unwrap_or_default().to_string();
        let bytes = response
            .body
            .collect()
            .await
            .map_err(|error| self.error(&format!("read {key}"), &error))?
            .into_bytes()
            .to_vec();
        Ok(Some((bytes, etag)))
    }

    /// Writes an object, `If-Match: etag` when `if_match`, `If-None-Match: *` when `create_only`.
    pub(crate) async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        if_match: Option<&str>,
        create_only: bool,
        metadata: Option<(&str, String)>,
    ) -> Result<PutOutcome, StateError> {
        let mut request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from(bytes));
        if let Some(etag) = if_match {
            request = request.if_match(etag);
        }
        if create_only {
            request = request.if_none_match("*");
        }
        if let Some((name, value)) = metadata {
            request = request.metadata(name, value);
        }
        match request.send().await {
            Ok(output) => Ok(PutOutcome::Written(
                output.e_tag().unwrap_or_default().to_string(),
            )),
            Err(error)
                if matches!(
                    error.code(),
                    Some("PreconditionFailed" | "ConditionalRequestConflict")
                ) || error
                    .raw_response()
                    .is_some_and(|raw| matches!(raw.status().as_u16(), 412 | 409)) =>
            {
                Ok(PutOutcome::PreconditionFailed)
            }
            Err(error) => Err(self.error(&format!("write {key}"), &error)),
        }
    }

    /// Every key under `prefix`, in key order.
    pub(crate) async fn list(&self, prefix: &str) -> Result<Vec<String>, StateError> {
        let mut keys = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| self.error(&format!("list {prefix}"), &error))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|object| object.key().map(str::to_string)),
            );
        }
        keys.sort();
        Ok(keys)
    }

    /// Reads the user metadata `name` of an object.
    async fn metadata(&self, key: &str, name: &str) -> Result<Option<String>, StateError> {
        let head = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|error| self.error(&format!("inspect {key}"), &error))?;
        Ok(head.metadata().and_then(|all| all.get(name)).cloned())
    }

    /// Deletes objects one by one (absent ones are fine).
    pub(crate) async fn delete_all(&self, keys: &[String]) -> Result<(), StateError> {
        for key in keys {
            self.client
                .delete_object()
                .bucket(&self.bucket)
                .key(key)
                .send()
                .await
                .map_err(|error| self.error(&format!("delete {key}"), &error))?;
        }
        Ok(())
    }

    /// Refuses a write whose fence is not the lock object's current lock.
    pub(crate) async fn check_fence(
        &self,
        lock_key: &str,
        fence: Option<&Fence>,
    ) -> Result<(), StateError> {
        let Some(fence) = fence else { return Ok(()) };
        let holder = match self.get(lock_key).await? {
            Some((bytes, _)) => serde_json::from_slice::<LockInfo>(&bytes).ok(),
            None => None,
        };
        match holder {
            Some(holder) if holder.id == fence.lock_id => Ok(()),
            _ => Err(StateError::LockLost {
                location: self.location.clone(),
                lock_id: fence.lock_id.clone(),
            }),
        }
    }
}

/// The snapshots of one workspace.
struct S3Snapshots {
    objects: Arc<Objects>,
    key: String,
    lock_key: String,
}

/// The name of the user metadata that describes a history version.
const META: &str = "plinth-meta";

#[async_trait]
impl SnapshotStore for S3Snapshots {
    async fn read(&self) -> Result<Option<Stored>, StateError> {
        Ok(self
            .objects
            .get(&self.key)
            .await?
            .map(|(bytes, etag)| Stored {
                bytes,
                version: Version(etag),
            }))
    }

    async fn write(
        &self,
        bytes: &[u8],
        meta: &SnapshotMeta,
        expected: Option<&Version>,
        fence: Option<&Fence>,
    ) -> Result<Version, StateError> {
        self.objects.check_fence(&self.lock_key, fence).await?;
        let described = serde_json::to_vec(meta).map_err(|error| StateError::Corrupt {
            detail: format!("could not encode history metadata: {error}"),
        })?;
        let written = self
            .objects
            .put(
                &self.key,
                bytes.to_vec(),
                expected.map(|version| version.0.as_str()),
                expected.is_none(),
                Some((META, BASE64.encode(&described))),
            )
            .await?;
        let etag = match written {
            PutOutcome::Written(etag) => etag,
            PutOutcome::PreconditionFailed => {
                let found = self.objects.get(&self.key).await?;
                return Err(StateError::Conflict {
                    location: self.objects.location.clone(),
                    expected: expected.map_or("no state".to_string(), |v| format!("ETag {}", v.0)),
                    found: found.map_or("no state".to_string(), |(_, etag)| format!("ETag {etag}")),
                });
            }
        };
        let history_key = format!("{}.history/{:020}", self.key, meta.serial);
        self.objects
            .put(
                &history_key,
                bytes.to_vec(),
                None,
                false,
                Some((META, BASE64.encode(&described))),
            )
            .await?;
        Ok(Version(etag))
    }

    async fn history(&self) -> Result<Vec<SnapshotMeta>, StateError> {
        let mut metas = Vec::new();
        for key in self.objects.list(&format!("{}.history/", self.key)).await? {
            let Some(encoded) = self.objects.metadata(&key, META).await? else {
                continue;
            };
            let meta = BASE64
                .decode(encoded)
                .ok()
                .and_then(|json| serde_json::from_slice::<SnapshotMeta>(&json).ok())
                .ok_or_else(|| StateError::Corrupt {
                    detail: format!(
                        "{}: the history object {key} has unreadable metadata",
                        self.objects.location
                    ),
                })?;
            metas.push(meta);
        }
        metas.sort_by_key(|meta| meta.serial);
        Ok(metas)
    }

    async fn read_version(&self, serial: u64) -> Result<Option<Vec<u8>>, StateError> {
        let key = format!("{}.history/{serial:020}", self.key);
        Ok(self.objects.get(&key).await?.map(|(bytes, _)| bytes))
    }
}
