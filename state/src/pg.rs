//! The `pg` backend: state, history, journal and lock as rows in a PostgreSQL schema.
//!
//! Tables (created on first use, under a transaction-scoped advisory lock so that concurrent
//! first runs do not race): `states` (one row per workspace, with a version counter for the
//! compare-and-swap), `history` (every snapshot written), `journal` (one row per entry, each
//! group commit one transaction) and `locks` (the lease row: holder, fencing token, expiry).
//!
//! Guarantees: every write, journal append and journal clear runs in one transaction that first
//! checks the lease row still holds the writer's fencing token (`SELECT ... FOR UPDATE`), so a
//! holder whose lease was taken over writes nothing. Lease expiry is judged by the server's
//! clock. Taking the lock serialises on `pg_advisory_xact_lock`, so of two runs racing for it
//! exactly one wins.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::{Mutex, OnceCell};
use tokio_postgres::{Client, NoTls};

use crate::error::StateError;
use crate::lock::LockInfo;
use crate::settings::BackendSettings;
use crate::store::{
    Acquired, Fence, JournalContents, JournalHeader, JournalSink, Locker, SnapshotMeta,
    SnapshotStore, Stored, Version, WorkspaceStores, Workspaces,
};

/// The settings the `pg` backend knows.
const KNOWN: &[&str] = &[
    "conn_str",
    "schema_name",
    "skip_schema_creation",
    "lock_lease",
];

/// The `pg` backend: see the module documentation.
pub struct PgBackend {
    conn_str: String,
    schema: String,
    create_schema: bool,
    lease: Duration,
    client: OnceCell<Arc<Db>>,
}

/// One connection shared by a backend's stores.
struct Db {
    client: Mutex<Client>,
    schema: String,
    location: String,
}

impl PgBackend {
    /// Reads and checks the settings; the connection is made on first use.
    pub fn from_settings(settings: &BackendSettings) -> Result<PgBackend, StateError> {
        settings.check_known(KNOWN)?;
        let conn_str = settings
            .get_or_env("conn_str", &["PG_CONN_STR"])
            .ok_or_else(|| StateError::Config {
                detail: "the pg backend needs \"conn_str\" or the environment variable PG_CONN_STR"
                    .to_string(),
            })?;
        let schema = settings
            .get_or_env("schema_name", &["PG_SCHEMA_NAME"])
            .unwrap_or_else(|| "terraform_remote_state".to_string());
        let valid = schema
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && schema.len() <= 63;
        if !valid {
            return Err(StateError::Config {
                detail: format!(
                    "schema_name {schema:?} must be a lowercase identifier (letters, digits, _)"
                ),
            });
        }
        Ok(PgBackend {
            conn_str,
            create_schema: !settings.flag("skip_schema_creation", false)?,
            schema,
            lease: settings.lease()?,
            client: OnceCell::new(),
        })
    }

    async fn db(&self) -> Result<Arc<Db>, StateError> {
        self.client
            .get_or_try_init(|| async {
                let location = format!("pg schema {}", self.schema);
                let (client, connection) = tokio_postgres::connect(&self.conn_str, NoTls)
                    .await
                    .map_err(|error| StateError::remote(location.clone(), "connect", &error))?;
                tokio::spawn(async move {
                    // A dropped connection surfaces as an error of the next query.
                    let _ = connection.await;
                });
                let db = Db {
                    client: Mutex::new(client),
                    schema: self.schema.clone(),
                    location,
                };
                if self.create_schema {
                    db.create_tables().await?;
                }
                Ok(Arc::new(db))
            })
            .await
            .cloned()
    }
}

impl Db {
    fn error(&self, action: &str, error: &tokio_postgres::Error) -> StateError {
        StateError::remote(self.location.clone(), action, error)
    }

    /// `schema.table`, quoted.
    fn table(&self, table: &str) -> String {
        format!("\"{}\".{table}", self.schema)
    }

    async fn create_tables(&self) -> Result<(), StateError> {
        let s = format!("\"{}\"", self.schema);
        let statements = format!(
            "SELECT pg_advisory_xact_lock(hashtext('plinth schema ' || '{schema}'));
             CREATE SCHEMA IF NOT EXISTS {s};
             CREATE TABLE IF NOT EXISTS {s}.states (name text PRIMARY KEY, data bytea NOT NULL,
                 version bigint NOT NULL);
             CREATE TABLE IF NOT EXISTS {s}.history (name text NOT NULL, serial bigint NOT NULL,
                 meta text NOT NULL, data bytea NOT NULL, PRIMARY KEY (name, serial));
             CREATE TABLE IF NOT EXISTS {s}.journal (name text NOT NULL, seq bigserial,
                 header text NOT NULL, entry bytea NOT NULL, PRIMARY KEY (name, seq));
             CREATE TABLE IF NOT EXISTS {s}.locks (name text PRIMARY KEY, id text NOT NULL,
                 info text NOT NULL, fence bigint NOT NULL, expires timestamptz NOT NULL);
             CREATE SEQUENCE IF NOT EXISTS {s}.fences;",
            schema = self.schema
        );
        let mut client = self.client.lock().await;
        let transaction = client
            .transaction()
            .await
            .map_err(|e| self.error("create the schema", &e))?;
        transaction
            .batch_execute(&statements)
            .await
            .map_err(|e| self.error("create the schema", &e))?;
        transaction
            .commit()
            .await
            .map_err(|e| self.error("create the schema", &e))
    }

    /// Checks, inside `transaction`, that the lease row of `name` holds `fence`.
    async fn check_fence(
        &self,
        transaction: &tokio_postgres::Transaction<'_>,
        name: &str,
        fence: Option<&Fence>,
    ) -> Result<(), StateError> {
        let Some(fence) = fence else { return Ok(()) };
        let rows = transaction
            .query(
                &format!(
                    "SELECT 1 FROM {} WHERE name = $1 AND id = $2 AND fence = $3 FOR UPDATE",
                    self.table("locks")
                ),
                &[&name, &fence.lock_id, &(fence.token as i64)],
            )
            .await
            .map_err(|e| self.error("check the lock", &e))?;
        if rows.is_empty() {
            return Err(StateError::LockLost {
                location: self.location.clone(),
                lock_id: fence.lock_id.clone(),
            });
        }
        Ok(())
    }
}

#[async_trait]
impl Workspaces for PgBackend {
    async fn list(&self) -> Result<Vec<String>, StateError> {
        let db = self.db().await?;
        let client = db.client.lock().await;
        let rows = client
            .query(
                &format!("SELECT name FROM {} ORDER BY name", db.table("states")),
                &[],
            )
            .await
            .map_err(|e| db.error("list workspaces", &e))?;
        let mut names = vec!["default".to_string()];
        names.extend(
            rows.iter()
                .map(|row| row.get::<_, String>(0))
                .filter(|name| name != "default"),
        );
        Ok(names)
    }

    async fn delete(&self, name: &str) -> Result<(), StateError> {
        let db = self.db().await?;
        let mut client = db.client.lock().await;
        let transaction = client
            .transaction()
            .await
            .map_err(|e| db.error("delete a workspace", &e))?;
        for table in ["states", "history", "journal", "locks"] {
            transaction
                .execute(
                    &format!("DELETE FROM {} WHERE name = $1", db.table(table)),
                    &[&name],
                )
                .await
                .map_err(|e| db.error("delete a workspace", &e))?;
        }
        transaction
            .commit()
            .await
            .map_err(|e| db.error("delete a workspace", &e))
    }

    async fn open(&self, name: &str) -> Result<WorkspaceStores, StateError> {
        let db = self.db().await?;
        let store = || PgWorkspace {
            db: db.clone(),
            name: name.to_string(),
            lease: self.lease,
            header: Mutex::new(None),
        };
        Ok(WorkspaceStores {
            snapshots: Box::new(store()),
            locker: Box::new(store()),
            journal: Box::new(store()),
        })
    }

    fn describe(&self, name: &str) -> String {
        format!("pg schema {} workspace {name}", self.schema)
    }
}

/// The stores of one workspace: rows whose `name` is the workspace.
struct PgWorkspace {
    db: Arc<Db>,
    name: String,
    lease: Duration,
    /// The journal header (JSON) set by `begin`, stored with every journal row.
    header: Mutex<Option<String>>,
}

#[async_trait]
impl SnapshotStore for PgWorkspace {
    async fn read(&self) -> Result<Option<Stored>, StateError> {
        let db = &self.db;
        let client = db.client.lock().await;
        let row = client
            .query_opt(
                &format!(
                    "SELECT data, version FROM {} WHERE name = $1",
                    db.table("states")
                ),
                &[&self.name],
            )
            .await
            .map_err(|e| db.error("read the state", &e))?;
        Ok(row.map(|row| Stored {
            bytes: row.get(0),
            version: Version(row.get::<_, i64>(1).to_string()),
        }))
    }

    async fn write(
        &self,
        bytes: &[u8],
        meta: &SnapshotMeta,
        expected: Option<&Version>,
        fence: Option<&Fence>,
    ) -> Result<Version, StateError> {
        let db = &self.db;
        let described = serde_json::to_string(meta).map_err(|error| StateError::Corrupt {
            detail: format!("could not encode history metadata: {error}"),
        })?;
        let mut client = db.client.lock().await;
        let transaction = client
            .transaction()
            .await
            .map_err(|e| db.error("write the state", &e))?;
        db.check_fence(&transaction, &self.name, fence).await?;
        let written = match expected {
            None => {
                transaction
                    .query_opt(
                        &format!(
                            "INSERT INTO {} (name, data, version) VALUES ($1, $2, 1)
                             ON CONFLICT (name) DO NOTHING RETURNING version",
                            db.table("states")
                        ),
                        &[&self.name, &bytes],
                    )
                    .await
            }
            Some(version) => {
                let expected: i64 = version.0.parse().unwrap_or(-1);
                transaction
                    .query_opt(
                        &format!(
                            "UPDATE {} SET data = $2, version = version + 1
                             WHERE name = $1 AND version = $3 RETURNING version",
                            db.table("states")
                        ),
                        &[&self.name, &bytes, &expected],
                    )
                    .await
            }
        }
        .map_err(|e| db.error("write the state", &e))?;
        let Some(row) = written else {
            let found = transaction
                .query_opt(
                    &format!("SELECT version FROM {} WHERE name = $1", db.table("states")),
                    &[&self.name],
                )
                .await
                .map_err(|e| db.error("write the state", &e))?
                .map_or("no state".to_string(), |row| {
                    format!("version {}", row.get::<_, i64>(0))
                });
            return Err(StateError::Conflict {
                location: db.location.clone(),
                expected: expected.map_or("no state".to_string(), |v| format!("version {}", v.0)),
                found,
            });
        };
        let version: i64 = row.get(0);
        transaction
            .execute(
                &format!(
                    "INSERT INTO {} (name, serial, meta, data) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (name, serial) DO UPDATE SET meta = $3, data = $4",
                    db.table("history")
                ),
                &[&self.name, &(meta.serial as i64), &described, &bytes],
            )
            .await
            .map_err(|e| db.error("write the history", &e))?;
        transaction
            .commit()
            .await
            .map_err(|e| db.error("write the state", &e))?;
        Ok(Version(version.to_string()))
    }

    async fn history(&self) -> Result<Vec<SnapshotMeta>, StateError> {
        let db = &self.db;
        let client = db.client.lock().await;
        let rows = client
            .query(
                &format!(
                    "SELECT meta FROM {} WHERE name = $1 ORDER BY serial",
                    db.table("history")
                ),
                &[&self.name],
            )
            .await
            .map_err(|e| db.error("read the history", &e))?;
        rows.iter()
            .map(|row| {
                serde_json::from_str(row.get(0)).map_err(|error| StateError::Corrupt {
                    detail: format!("{}: unreadable history row: {error}", db.location),
                })
            })
            .collect()
    }

    async fn read_version(&self, serial: u64) -> Result<Option<Vec<u8>>, StateError> {
        let db = &self.db;
        let client = db.client.lock().await;
        let row = client
            .query_opt(
                &format!(
                    "SELECT data FROM {} WHERE name = $1 AND serial = $2",
                    db.table("history")
                ),
                &[&self.name, &(serial as i64)],
            )
            .await
            .map_err(|e| db.error("read the history", &e))?;
        Ok(row.map(|row| row.get(0)))
    }
}

#[async_trait]
impl Locker for PgWorkspace {
    fn renew_every(&self) -> Option<Duration> {
        Some(self.lease / 3)
    }

    async fn try_acquire(&self, info: &LockInfo) -> Result<Result<Acquired, LockInfo>, StateError> {
        let db = &self.db;
        let failed = |e: tokio_postgres::Error| db.error("take the lock", &e);
        let mut client = db.client.lock().await;
        let transaction = client.transaction().await.map_err(failed)?;
        transaction
            .execute(
                "SELECT pg_advisory_xact_lock(hashtext($1))",
                &[&format!("plinth lock {} {}", db.schema, self.name)],
            )
            .await
            .map_err(failed)?;
        let current = transaction
            .query_opt(
                &format!(
                    "SELECT info, expires < now() FROM {} WHERE name = $1",
                    db.table("locks")
                ),
                &[&self.name],
            )
            .await
            .map_err(failed)?;
        let mut took_over = None;
        if let Some(row) = current {
            let holder: LockInfo =
                serde_json::from_str(row.get(0)).map_err(|error| StateError::Corrupt {
                    detail: format!("{}: unreadable lock row: {error}", db.location),
                })?;
            let expired: bool = row.get(1);
            if !expired && !holder.is_stale() {
                return Ok(Err(holder));
            }
            took_over = Some(holder);
        }
        let mut leased = info.clone();
        leased.expires = Some(
            Utc::now() + chrono::Duration::from_std(self.lease).unwrap_or(chrono::Duration::MAX),
        );
        let described = serde_json::to_string(&leased).map_err(|error| StateError::Corrupt {
            detail: format!("could not encode the lock: {error}"),
        })?;
        let row = transaction
            .query_one(
                &format!(
                    "INSERT INTO {locks} (name, id, info, fence, expires)
                     VALUES ($1, $2, $3, nextval('{fences}'), now() + make_interval(secs => $4))
                     ON CONFLICT (name) DO UPDATE SET id = $2, info = $3,
                         fence = nextval('{fences}'), expires = now() + make_interval(secs => $4)
                     RETURNING fence",
                    locks = db.table("locks"),
                    fences = db.table("fences"),
                ),
                &[&self.name, &info.id, &described, &self.lease.as_secs_f64()],
            )
            .await
            .map_err(failed)?;
        transaction.commit().await.map_err(failed)?;
        let token: i64 = row.get(0);
        Ok(Ok(Acquired {
            info: leased,
            fence: Fence {
                lock_id: info.id.clone(),
                token: token as u64,
            },
            took_over,
        }))
    }

    async fn renew(&self, _info: &LockInfo, fence: &Fence) -> Result<(), StateError> {
        let db = &self.db;
        let client = db.client.lock().await;
        let renewed = client
            .execute(
                &format!(
                    "UPDATE {} SET expires = now() + make_interval(secs => $4)
                     WHERE name = $1 AND id = $2 AND fence = $3",
                    db.table("locks")
                ),
                &[
                    &self.name,
                    &fence.lock_id,
                    &(fence.token as i64),
                    &self.lease.as_secs_f64(),
                ],
            )
            .await
            .map_err(|e| db.error("renew the lock", &e))?;
        if renewed == 0 {
            return Err(StateError::LockLost {
                location: db.location.clone(),
                lock_id: fence.lock_id.clone(),
            });
        }
        Ok(())
    }

    async fn release(&self, fence: &Fence) -> Result<(), StateError> {
        let db = &self.db;
        let client = db.client.lock().await;
        client
            .execute(
                &format!(
                    "DELETE FROM {} WHERE name = $1 AND id = $2 AND fence = $3",
                    db.table("locks")
                ),
                &[&self.name, &fence.lock_id, &(fence.token as i64)],
            )
            .await
            .map_err(|e| db.error("release the lock", &e))?;
        Ok(())
    }

    async fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        let holder = self.holder().await?.ok_or_else(|| StateError::NotLocked {
            location: self.db.location.clone(),
        })?;
        if holder.id != id {
            return Err(StateError::LockIdMismatch {
                given: id.to_string(),
                holder: Box::new(holder),
            });
        }
        let db = &self.db;
        let client = db.client.lock().await;
        client
            .execute(
                &format!(
                    "DELETE FROM {} WHERE name = $1 AND id = $2",
                    db.table("locks")
                ),
                &[&self.name, &id],
            )
            .await
            .map_err(|e| db.error("remove the lock", &e))?;
        Ok(holder)
    }

    async fn holder(&self) -> Result<Option<LockInfo>, StateError> {
        let db = &self.db;
        let client = db.client.lock().await;
        let row = client
            .query_opt(
                &format!("SELECT info FROM {} WHERE name = $1", db.table("locks")),
                &[&self.name],
            )
            .await
            .map_err(|e| db.error("read the lock", &e))?;
        row.map(|row| {
            serde_json::from_str(row.get(0)).map_err(|error| StateError::Corrupt {
                detail: format!("{}: unreadable lock row: {error}", db.location),
            })
        })
        .transpose()
    }
}

#[async_trait]
impl JournalSink for PgWorkspace {
    async fn begin(
        &self,
        header: &JournalHeader,
        _fence: Option<&Fence>,
    ) -> Result<(), StateError> {
        if let Some(JournalContents {
            header: Some(found),
            ..
        }) = JournalSink::read(self).await?
        {
            if found.lineage != header.lineage || found.serial != header.serial {
                return Err(StateError::JournalMismatch {
                    location: self.db.location.clone(),
                    journal_lineage: found.lineage,
                    journal_serial: found.serial,
                    state_lineage: header.lineage.clone(),
                    state_serial: header.serial,
                });
            }
        }
        let encoded = serde_json::to_string(header).map_err(|error| StateError::Corrupt {
            detail: format!("could not encode the journal header: {error}"),
        })?;
        *self.header.lock().await = Some(encoded);
        Ok(())
    }

    async fn append(&self, entries: &[Vec<u8>], fence: Option<&Fence>) -> Result<(), StateError> {
        if entries.is_empty() {
            return Ok(());
        }
        // The header travels with every row: the journal is begun before any append.
        let header = self
            .header
            .lock()
            .await
            .clone()
            .ok_or_else(|| StateError::Corrupt {
                detail: format!(
                    "journal of {} was appended to before it was begun",
                    self.db.location
                ),
            })?;
        let db = &self.db;
        let failed = |e: tokio_postgres::Error| db.error("append to the journal", &e);
        let lines: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        let mut client = db.client.lock().await;
        let transaction = client.transaction().await.map_err(failed)?;
        db.check_fence(&transaction, &self.name, fence).await?;
        transaction
            .execute(
                &format!(
                    "INSERT INTO {} (name, header, entry)
                     SELECT $1, $2, entry FROM unnest($3::bytea[]) WITH ORDINALITY AS t(entry, n)
                     ORDER BY n",
                    db.table("journal")
                ),
                &[&self.name, &header, &lines],
            )
            .await
            .map_err(failed)?;
        transaction.commit().await.map_err(failed)
    }

    async fn read(&self) -> Result<Option<JournalContents>, StateError> {
        let db = &self.db;
        let client = db.client.lock().await;
        let rows = client
            .query(
                &format!(
                    "SELECT header, entry FROM {} WHERE name = $1 ORDER BY seq",
                    db.table("journal")
                ),
                &[&self.name],
            )
            .await
            .map_err(|e| db.error("read the journal", &e))?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let header: JournalHeader =
            serde_json::from_str(first.get(0)).map_err(|error| StateError::Corrupt {
                detail: format!("{}: unreadable journal header: {error}", db.location),
            })?;
        crate::journal::check_header(&header)?;
        Ok(Some(JournalContents {
            header: Some(header),
            entries: rows.iter().map(|row| row.get(1)).collect(),
        }))
    }

    async fn clear(&self, fence: Option<&Fence>) -> Result<(), StateError> {
        let db = &self.db;
        let failed = |e: tokio_postgres::Error| db.error("clear the journal", &e);
        let mut client = db.client.lock().await;
        let transaction = client.transaction().await.map_err(failed)?;
        db.check_fence(&transaction, &self.name, fence).await?;
        transaction
            .execute(
                &format!("DELETE FROM {} WHERE name = $1", db.table("journal")),
                &[&self.name],
            )
            .await
            .map_err(failed)?;
        transaction.commit().await.map_err(failed)
    }
}
