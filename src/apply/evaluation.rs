//! The apply walk's handler: for each instance the configuration walk reaches, it either runs
//! the instance's planned create, update or read once the action graph opens its gate (see
//! `apply::executor`), or gives the walk the instance's value as it stands: no decision about
//! order is made here.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use plinth_sdk::{Diagnostic, Diagnostics, Value};
use plinth_state::addr::without_keys;
use plinth_state::DeposedKey;
use tokio::sync::oneshot;

use crate::apply::operations::Operations;
use crate::apply::provision;
use crate::config::When;
use crate::engine::providers::Providers;
use crate::engine::walker::{InstanceHandler, InstanceRequest};
use crate::plan::{diff, Action, ResourceChange, Step};

/// The handler's side of a gate: wait for `go`, run the step, report on `done`.
pub struct Ends {
    /// Create, update or read.
    pub step: Step,
    /// For a create_before_destroy replacement: the key to depose the current object under.
    pub depose: Option<DeposedKey>,
    /// Sent when the action may start; dropped when it must not.
    pub go: oneshot::Receiver<()>,
    /// Whether the action succeeded.
    pub done: oneshot::Sender<bool>,
}

/// The applying handler.
pub struct Applying<'a> {
    changes: HashMap<&'a str, &'a ResourceChange>,
    ends: Mutex<HashMap<String, Ends>>,
    ops: &'a Operations<'a>,
    providers: &'a Providers,
}

impl<'a> Applying<'a> {
    /// A handler for the changes of current objects by address and the gates' ends.
    pub fn new(
        changes: HashMap<&'a str, &'a ResourceChange>,
        ends: HashMap<String, Ends>,
        ops: &'a Operations<'a>,
        providers: &'a Providers,
    ) -> Applying<'a> {
        Applying {
            changes,
            ends: Mutex::new(ends),
            ops,
            providers,
        }
    }

    /// Drops the ends of instances the walk never reached (a dependency failed), so their
    /// actions count as failed instead of waiting forever.
    pub fn release_unvisited(&self) {
        self.ends.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// The value of an instance with nothing to run: refreshed or read during the plan, or as
    /// stored.
    async fn unchanged(
        &self,
        request: &InstanceRequest<'_>,
        change: Option<&ResourceChange>,
    ) -> Result<Value, Diagnostics> {
        match change {
            Some(c) if c.action == Action::NoOp && c.before.is_none() && c.after.is_none() => {
                // Refresh-only: the object was deleted outside plinth.
                self.ops.forget(&request.address).await?;
                Ok(Value::Null)
            }
            Some(c) if c.action == Action::NoOp => {
                let value = c
                    .after
                    .clone()
                    .or_else(|| c.before.clone())
                    .unwrap_or(Value::Null);
                self.ops.keep(request, &value);
                Ok(value)
            }
            _ => {
                let state = self.ops.state();
                Ok(match state.instances.get(&request.address) {
                    Some(stored) => diff::mark_sensitive_opt(
                        Some(request.schema),
                        diff::normalise(request.schema, Value::from_json(&stored.attributes)),
                        &stored.sensitive_attributes,
                    ),
                    None => Value::Unknown,
                })
            }
        }
    }
}

impl Applying<'_> {
    /// Runs the creation-time provisioners of the object just created; a failure taints it.
    async fn provision(
        &self,
        request: &InstanceRequest<'_>,
        value: Value,
    ) -> Result<Value, Diagnostics> {
        if !provision::has(request.resource, When::Create) {
            return Ok(value);
        }
        let ctx = self.ops.context(&request.address, None);
        let diagnostics = provision::run(
            &ctx,
            request.resource,
            When::Create,
            &request.address,
            &value,
            Some(request.scope),
            self.ops.printer(),
        )
        .await;
        if diagnostics.has_errors() {
            self.ops.taint(request, &value).await?;
            return Err(diagnostics);
        }
        self.ops.warn(diagnostics);
        Ok(value)
    }
}

#[async_trait(?Send)]
impl InstanceHandler for Applying<'_> {
    fn abandoned(&self, resource: &str) {
        self.ends
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|address, _| without_keys(address) != resource);
    }

    async fn instance(&self, request: InstanceRequest<'_>) -> Result<Value, Diagnostics> {
        let change = self.changes.get(request.address.as_str()).copied();
        let ends = self
            .ends
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&request.address);
        let (Some(ends), Some(change)) = (ends, change) else {
            return self.unchanged(&request, change).await;
        };
        if ends.go.await.is_err() {
            // Not started: a step before it failed, or apply was interrupted. Already reported.
            return Err(Diagnostics::new());
        }
        let result = match self.providers.get(request.provider) {
            None => Err(Diagnostic::error(format!(
                "Provider \"{}\" is not configured",
                request.provider
            ))
            .with_address(&request.address)
            .into()),
            Some(provider) => match ends.step {
                Step::Create => {
                    match self
                        .ops
                        .create(provider.as_ref(), &request, change, ends.depose.as_ref())
                        .await
                    {
                        Ok(value) => self.provision(&request, value).await,
                        Err(d) => Err(d),
                    }
                }
                Step::Update => self.ops.update(provider.as_ref(), &request, change).await,
                Step::Read => self.ops.read(provider.as_ref(), &request).await,
                Step::Delete => Err(Diagnostic::error("A delete reached the evaluation walk")
                    .with_address(&request.address)
                    .into()),
            },
        };
        let _ = ends.done.send(result.is_ok());
        result.map_err(|d| d.with_address(&request.address))
    }
}
