//! The `terraform_remote_state` data source of the built-in `terraform` provider: the root
//! outputs of another configuration's state, read from any backend plinth supports (`local`,
//! `s3`, `pg`) through `plinth_state::remote`, the crate's backend selection. It never locks or
//! writes the other state. Sensitive outputs stay sensitive; `defaults` fill in outputs the
//! state lacks.

use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Context, DataSource, Diagnostic, Diagnostics, ReadDataResponse, Schema, Type, Value,
};
use plinth_state::crypto::Codec;
use plinth_state::settings::BackendSettings;

/// `terraform_remote_state`.
pub struct RemoteState;

fn failure(summary: &str, detail: String) -> ReadDataResponse {
    ReadDataResponse::from(Diagnostics::from(
        Diagnostic::error(summary).with_detail(detail),
    ))
}

/// The outputs as one object value: `defaults` first, the state's outputs over them.
fn outputs_value(
    defaults: &Value,
    outputs: std::collections::BTreeMap<String, plinth_state::OutputValue>,
) -> Value {
    let mut merged = defaults.as_map().cloned().unwrap_or_default();
    for (name, output) in outputs {
        let value = Value::from_json(&output.value);
        let value = if output.sensitive {
            value.mark_sensitive()
        } else {
            value
        };
        merged.insert(name, value);
    }
    Value::Map(merged)
}

#[async_trait]
impl DataSource<()> for RemoteState {
    fn type_name(&self) -> &str {
        "terraform_remote_state"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "backend",
                Attribute::required(Type::String)
                    .describe("The backend holding the other state: local, s3 or pg."),
            )
            .attr(
                "config",
                Attribute::optional(Type::Any)
                    .describe("The backend's settings, as in its backend block."),
            )
            .attr(
                "workspace",
                Attribute::optional(Type::String)
                    .default("default")
                    .describe("The workspace whose state is read."),
            )
            .attr(
                "defaults",
                Attribute::optional(Type::Any)
                    .describe("Values for outputs the other state does not have."),
            )
            .attr(
                "outputs",
                Attribute::computed(Type::Any).describe("The other state's root outputs."),
            )
    }

    async fn read(&self, _: &(), _: &Context, config: Value) -> ReadDataResponse {
        let (plain_config, _) = config.clone().unmark_deep();
        let Some(backend) = plain_config.get("backend").and_then(Value::as_str) else {
            return failure(
                "Missing backend",
                "terraform_remote_state needs backend = \"local\", \"s3\" or \"pg\".".to_string(),
            );
        };
        let workspace = plain_config
            .get("workspace")
            .and_then(Value::as_str)
            .unwrap_or("default");
        let settings_json = plain_config
            .get("config")
            .map(Value::to_json)
            .unwrap_or_default();
        let settings = match BackendSettings::from_object(backend, &settings_json) {
            Ok(settings) => settings,
            Err(error) => return failure("Invalid remote state configuration", error.to_string()),
        };
        let outputs = match plinth_state::remote::read_outputs(
            &settings,
            workspace,
            &Codec::plain(),
        )
        .await
        {
            Ok(Some(outputs)) => outputs,
            Ok(None) => {
                return failure(
                    "Unable to find remote state",
                    format!(
                        "No stored state was found for workspace {workspace:?} in the {backend} backend."
                    ),
                )
            }
            Err(error) => return failure("Error loading remote state", error.to_string()),
        };
        let defaults = config.get("defaults").cloned().unwrap_or(Value::Null);
        let Value::Map(mut state) = config else {
            return failure(
                "Invalid remote state configuration",
                "the data source's configuration is not an object".to_string(),
            );
        };
        state.insert("workspace".into(), Value::from(workspace));
        state.insert("outputs".into(), outputs_value(&defaults, outputs));
        ReadDataResponse {
            state: Some(Value::Map(state)),
            diagnostics: Diagnostics::new(),
        }
    }
}
