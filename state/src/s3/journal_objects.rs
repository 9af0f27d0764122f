//! The S3 journal: one object per group commit under `K.journal/`, named by a zero-padded
//! sequence number and created with `If-None-Match: *`. Each object holds the header line, then
//! its entry lines, so an append costs one request whatever the journal's length, and a run
//! cannot overwrite another's batch.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{Objects, PutOutcome};
use crate::error::StateError;
use crate::journal;
use crate::store::{Fence, JournalContents, JournalHeader, JournalSink};

/// The journal of one S3 workspace.
pub(crate) struct S3Journal {
    objects: Arc<Objects>,
    prefix: String,
    lock_key: String,
    /// The header and the next sequence number, set by `begin`.
    open: Mutex<Option<(JournalHeader, u64)>>,
}

impl S3Journal {
    pub(crate) fn new(objects: Arc<Objects>, prefix: String, lock_key: String) -> S3Journal {
        S3Journal {
            objects,
            prefix,
            lock_key,
            open: Mutex::new(None),
        }
    }

    fn location(&self) -> String {
        format!("{} ({})", self.objects.location, self.prefix)
    }

    /// Splits one batch object into its header and entry lines.
    fn split(&self, key: &str, bytes: &[u8]) -> Result<(JournalHeader, Vec<Vec<u8>>), StateError> {
        let mut lines = bytes
            .strip_suffix(b"\n")
            .unwrap_or(bytes)
            .split(|&byte| byte == b'\n');
        let header: JournalHeader = serde_json::from_slice(lines.next().unwrap_or_default())
            .map_err(|error| StateError::Corrupt {
                detail: format!("journal object {key}: unreadable header: {error}"),
            })?;
        journal::check_header(&header)?;
        Ok((header, lines.map(<[u8]>::to_vec).collect()))
    }

    /// The sequence number in a batch object's key.
    fn sequence(&self, key: &str) -> Option<u64> {
        key.strip_prefix(&self.prefix)?.parse().ok()
    }
}

#[async_trait]
impl JournalSink for S3Journal {
    async fn begin(&self, header: &JournalHeader, fence: Option<&Fence>) -> Result<(), StateError> {
        self.objects.check_fence(&self.lock_key, fence).await?;
        let keys = self.objects.list(&self.prefix).await?;
        let next = match keys.first() {
            None => 0,
            Some(first) => {
                if let Some((bytes, _)) = self.objects.get(first).await? {
                    let (found, _) = self.split(first, &bytes)?;
                    if found.lineage != header.lineage || found.serial != header.serial {
                        return Err(StateError::JournalMismatch {
                            location: self.location(),
                            journal_lineage: found.lineage,
                            journal_serial: found.serial,
                            state_lineage: header.lineage.clone(),
                            state_serial: header.serial,
                        });
                    }
                }
                keys.iter()
                    .filter_map(|key| self.sequence(key))
                    .max()
                    .map_or(0, |last| last + 1)
            }
        };
        *self.open.lock().unwrap_or_else(|p| p.into_inner()) = Some((header.clone(), next));
        Ok(())
    }

    async fn append(&self, entries: &[Vec<u8>], fence: Option<&Fence>) -> Result<(), StateError> {
        if entries.is_empty() {
            return Ok(());
        }
        let (header, sequence) = self
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| StateError::Corrupt {
                detail: format!(
                    "journal {} was appended to before it was begun",
                    self.location()
                ),
            })?;
        self.objects.check_fence(&self.lock_key, fence).await?;
        let mut body = serde_json::to_vec(&header).map_err(|error| StateError::Corrupt {
            detail: format!("could not encode the journal header: {error}"),
        })?;
        body.push(b'\n');
        for entry in entries {
            body.extend_from_slice(entry);
            body.push(b'\n');
        }
        let key = format!("{}{sequence:010}", self.prefix);
        match self.objects.put(&key, body, None, true, None).await? {
            PutOutcome::Written(_) => {
                if let Some(open) = self.open.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
                    open.1 = sequence + 1;
                }
                Ok(())
            }
            PutOutcome::PreconditionFailed => Err(StateError::LockLost {
                location: self.location(),
                lock_id: fence.map_or_else(String::new, |fence| fence.lock_id.clone()),
            }),
        }
    }

    async fn read(&self) -> Result<Option<JournalContents>, StateError> {
        let keys = self.objects.list(&self.prefix).await?;
        if keys.is_empty() {
            return Ok(None);
        }
        let mut header: Option<JournalHeader> = None;
        let mut entries = Vec::new();
        for key in keys {
            let Some((bytes, _)) = self.objects.get(&key).await? else {
                continue;
            };
            let (found, lines) = self.split(&key, &bytes)?;
            if header.as_ref().is_some_and(|first| *first != found) {
                return Err(StateError::Corrupt {
                    detail: format!(
                        "journal {}: object {key} belongs to another snapshot than the first",
                        self.location()
                    ),
                });
            }
            header = Some(found);
            entries.extend(lines);
        }
        Ok(Some(JournalContents { header, entries }))
    }

    async fn clear(&self, fence: Option<&Fence>) -> Result<(), StateError> {
        self.objects.check_fence(&self.lock_key, fence).await?;
        let keys = self.objects.list(&self.prefix).await?;
        self.objects.delete_all(&keys).await?;
        self.open.lock().unwrap_or_else(|p| p.into_inner()).take();
        Ok(())
    }
}
