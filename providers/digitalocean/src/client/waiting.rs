//! Waiting for DigitalOcean's asynchronous work through the SDK's waiter: actions polled at
//! `/v2/actions/{id}` until `completed` (or `errored`), and objects polled until they reach a
//! status (a Droplet `active`, a database `online`, a load balancer `active`). Each new status
//! is reported as progress; the wait ends at the operation's deadline or when it is cancelled.

use plinth_sdk::wait::{self, Poll, WaitError};
use plinth_sdk::Context;
use serde_json::Value as Json;

use super::{take, Client, Error};

impl Client {
    /// Polls with `poll` until it is ready; `what` names the wait in progress reports and errors.
    pub async fn wait_for<T, F, Fut>(&self, ctx: &Context, what: &str, poll: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Poll<T>, Error>>,
    {
        let polling = self.polling();
        wait::until_growing(ctx, what, polling.first, polling.max, poll)
            .await
            .map_err(|e| match e {
                WaitError::Failed(e) => e,
                WaitError::TimedOut {
                    last_status,
                    waited,
                } => Error::TimedOut {
                    what: what.to_string(),
                    waited,
                    last_status,
                },
                WaitError::Cancelled => Error::Cancelled {
                    what: what.to_string(),
                },
            })
    }

    /// Waits for action `id` to complete.
    pub async fn wait_action(&self, ctx: &Context, id: u64, what: &str) -> Result<(), Error> {
        let path = format!("/v2/actions/{id}");
        self.wait_for(ctx, what, || async {
            let action = take(self.get(ctx, &path).await?, "action", "GET", &path)?;
            match action.get("status").and_then(Json::as_str) {
                Some("completed") => Ok(Poll::Ready(())),
                Some("errored") => Err(Error::ActionErrored {
                    what: what.to_string(),
                    action_id: id,
                }),
                Some(status) => Ok(Poll::Pending(format!("action {id} {status}"))),
                None => Ok(Poll::Pending(format!("action {id} started"))),
            }
        })
        .await
    }

    /// Posts an action (`{"type": ...}`) to `path` and waits for it to complete.
    pub async fn act(
        &self,
        ctx: &Context,
        path: &str,
        body: &Json,
        what: &str,
    ) -> Result<(), Error> {
        let answer = self.post(ctx, path, body).await?;
        let action = take(answer, "action", "POST", path)?;
        let id = action
            .get("id")
            .and_then(Json::as_u64)
            .ok_or_else(|| Error::Decode {
                method: "POST".into(),
                path: path.to_string(),
                detail: "the action has no id".into(),
            })?;
        self.wait_action(ctx, id, what).await
    }

    /// Polls `path` (answered as `{key: object}`) until the object's `status` is `target`;
    /// returns the object then.
    pub async fn wait_status(
        &self,
        ctx: &Context,
        path: &str,
        key: &str,
        target: &str,
        what: &str,
    ) -> Result<Json, Error> {
        self.wait_for(ctx, what, || async {
            let object = take(self.get(ctx, path).await?, key, "GET", path)?;
            match object.get("status").and_then(Json::as_str) {
                Some(status) if status == target => Ok(Poll::Ready(object)),
                Some(status) => Ok(Poll::Pending(status.to_string())),
                None => Ok(Poll::Pending("no status yet".into())),
            }
        })
        .await
    }
}
