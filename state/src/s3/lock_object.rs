//! The S3 lock object `K.tflock`: created with `If-None-Match: *`, renewed and taken over with
//! `If-Match` on its ETag, so of two runs racing for it exactly one wins on S3.
//!
//! After a successful create the object is read back and must hold this run's lock id: a store
//! whose conditional check is not atomic (some emulators) then still refuses the run that lost.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;

use super::{Objects, PutOutcome};
use crate::error::StateError;
use crate::lock::LockInfo;
use crate::store::{Acquired, Fence, Locker};

/// The lock of one S3 workspace.
pub(crate) struct S3Locker {
    objects: Arc<Objects>,
    key: String,
    lease: Duration,
    /// The ETag of the lock object as this run last wrote it.
    etag: Mutex<Option<String>>,
}

impl S3Locker {
    pub(crate) fn new(objects: Arc<Objects>, key: String, lease: Duration) -> S3Locker {
        S3Locker {
            objects,
            key,
            lease,
            etag: Mutex::new(None),
        }
    }

    fn body(&self, info: &LockInfo) -> Result<(LockInfo, Vec<u8>), StateError> {
        let mut leased = info.clone();
        leased.expires = Some(
            Utc::now() + chrono::Duration::from_std(self.lease).unwrap_or(chrono::Duration::MAX),
        );
        let bytes = serde_json::to_vec_pretty(&leased).map_err(|error| StateError::Corrupt {
            detail: format!("could not encode the lock: {error}"),
        })?;
        Ok((leased, bytes))
    }

    async fn read(&self) -> Result<Option<(LockInfo, String)>, StateError> {
        let Some((bytes, etag)) = self.objects.get(&self.key).await? else {
            return Ok(None);
        };
        let holder = serde_json::from_slice(&bytes).map_err(|error| StateError::Corrupt {
            detail: format!(
                "the lock object {} is unreadable ({error}); if no plinth run is active, remove it",
                self.key
            ),
        })?;
        Ok(Some((holder, etag)))
    }

    fn remember(&self, etag: Option<String>) {
        *self.etag.lock().unwrap_or_else(|p| p.into_inner()) = etag;
    }

    /// Reads the lock back: true when it holds `id` (then its ETag is remembered).
    async fn confirm(&self, id: &str) -> Result<bool, StateError> {
        match self.read().await? {
            Some((holder, etag)) if holder.id == id => {
                self.remember(Some(etag));
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[async_trait]
impl Locker for S3Locker {
    fn renew_every(&self) -> Option<Duration> {
        Some(self.lease / 3)
    }

    async fn try_acquire(&self, info: &LockInfo) -> Result<Result<Acquired, LockInfo>, StateError> {
        let fence = Fence {
            lock_id: info.id.clone(),
            token: 0,
        };
        // A released lock between our create and our read: try again a few times.
        for _ in 0..3 {
            let (leased, body) = self.body(info)?;
            if let PutOutcome::Written(_) =
                self.objects.put(&self.key, body, None, true, None).await?
            {
                if self.confirm(&info.id).await? {
                    return Ok(Ok(Acquired {
                        info: leased,
                        fence,
                        took_over: None,
                    }));
                }
            }
            let Some((holder, etag)) = self.read().await? else {
                continue;
            };
            if holder.id == info.id {
                continue;
            }
            if !holder.is_stale() {
                return Ok(Err(holder));
            }
            // The holder's lease expired (or its process is gone on this host): take over,
            // conditional on the lock object being exactly the stale one.
            let (leased, body) = self.body(info)?;
            if let PutOutcome::Written(_) = self
                .objects
                .put(&self.key, body, Some(&etag), false, None)
                .await?
            {
                if self.confirm(&info.id).await? {
                    return Ok(Ok(Acquired {
                        info: leased,
                        fence,
                        took_over: Some(holder),
                    }));
                }
            }
        }
        match self.read().await? {
            Some((holder, _)) => Ok(Err(holder)),
            None => Err(StateError::Remote {
                backend: self.objects.location.clone(),
                action: "take the lock".to_string(),
                detail: "the lock object kept changing; try again".to_string(),
            }),
        }
    }

    async fn renew(&self, info: &LockInfo, fence: &Fence) -> Result<(), StateError> {
        let etag = self.etag.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let lost = || StateError::LockLost {
            location: self.objects.location.clone(),
            lock_id: fence.lock_id.clone(),
        };
        let Some(etag) = etag else { return Err(lost()) };
        let (_, body) = self.body(info)?;
        match self
            .objects
            .put(&self.key, body, Some(&etag), false, None)
            .await?
        {
            PutOutcome::Written(_) if self.confirm(&fence.lock_id).await? => Ok(()),
            _ => Err(lost()),
        }
    }

    async fn release(&self, fence: &Fence) -> Result<(), StateError> {
        self.remember(None);
        match self.read().await? {
            Some((holder, _)) if holder.id == fence.lock_id => {
                self.objects
                    .delete_all(std::slice::from_ref(&self.key))
                    .await
            }
            _ => Ok(()),
        }
    }

    async fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        let Some((holder, _)) = self.read().await? else {
            return Err(StateError::NotLocked {
                location: self.objects.location.clone(),
            });
        };
        if holder.id != id {
            return Err(StateError::LockIdMismatch {
                given: id.to_string(),
                holder: Box::new(holder),
            });
        }
        self.objects
            .delete_all(std::slice::from_ref(&self.key))
            .await?;
        Ok(holder)
    }

    async fn holder(&self) -> Result<Option<LockInfo>, StateError> {
        Ok(self.read().await?.map(|(holder, _)| holder))
    }
}
