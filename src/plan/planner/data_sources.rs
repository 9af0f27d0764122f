//! Planning a data source's read: now when its configuration is known, at apply when it is not
//! (or a dependency has changes pending).

use plinth_sdk::{Diagnostics, ReadDataRequest, Value};

use super::Planner;
use crate::engine::walker::InstanceRequest;
use crate::plan::diff;
use crate::plan::{Action, PlanMode, Reason, ResourceChange};

impl Planner<'_> {
    pub(super) async fn plan_data(
        &self,
        request: InstanceRequest<'_>,
        base: ResourceChange,
    ) -> Result<Value, Diagnostics> {
        let schema = request.schema;
        let unknown = request.config.contains_unknown();
        // Data sources are read for a destroy plan too (as Terraform's refresh before it does):
        // a count or for_each may depend on them.
        if unknown || self.dependency_pending(&request) {
            let after = diff::proposed(schema, &request.config, None);
            if self.options.mode != PlanMode::Destroy {
                self.record(ResourceChange {
                    action: Action::Read,
                    before: None,
                    after: Some(after.clone()),
                    reason: Some(if unknown {
                        Reason::ReadBecauseConfigUnknown
                    } else {
                        Reason::ReadBecauseDependencyPending
                    }),
                    ..base
                });
            }
            return Ok(after);
        }
        let provider = self.provider(&request)?;
        let response = provider
            .read_data(
                &self.providers.context(),
                ReadDataRequest {
                    type_name: request.resource.type_name.clone(),
                    config: request.config.unmark_deep().0,
                },
            )
            .await;
        if response.diagnostics.has_errors() {
            return Err(response.diagnostics);
        }
        self.warn(response.diagnostics, &request.address);
        let value = response.state.unwrap_or(Value::Null);
        let value = diff::mark_sensitive(schema, diff::normalise(schema, value));
        self.record(ResourceChange {
            action: Action::NoOp,
            after: Some(value.clone()),
            ..base
        });
        Ok(value)
    }
}
