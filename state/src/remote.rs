//! Reading another configuration's root outputs from any backend, without locking it or
//! writing anything: what the `terraform_remote_state` data source asks for. The backend is
//! chosen through [`BackendSettings::build`], the same selection the command line uses.

use std::collections::BTreeMap;

use crate::crypto::Codec;
use crate::error::StateError;
use crate::model::OutputValue;
use crate::settings::BackendSettings;
use crate::store::valid_workspace_name;

/// The root outputs of workspace `workspace` of the backend `settings` describe, as of its
/// current snapshot (unencrypted, or opened with `codec`). `Ok(None)` when that workspace has
/// no stored state.
pub async fn read_outputs(
    settings: &BackendSettings,
    workspace: &str,
    codec: &Codec,
) -> Result<Option<BTreeMap<String, OutputValue>>, StateError> {
    if !valid_workspace_name(workspace) {
        return Err(StateError::Config {
            detail: format!("invalid workspace name {workspace:?}"),
        });
    }
    let workspaces = settings.build()?;
    let location = workspaces.describe(workspace);
    let stores = workspaces.open(workspace).await?;
    let Some(stored) = stores.snapshots.read().await? else {
        return Ok(None);
    };
    let plain = codec.open(&stored.bytes, &location)?;
    let state = crate::tfstate::decode_any(&plain).map_err(|error| match error {
        StateError::Corrupt { detail } => StateError::Corrupt {
            detail: format!("{location}: {detail}"),
        },
        other => other,
    })?;
    Ok(Some(state.outputs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::State;
    use crate::StateBackend;

    fn local_settings(path: &std::path::Path) -> BackendSettings {
        BackendSettings {
            kind: "local".to_string(),
            values: [("path".to_string(), path.display().to_string())].into(),
        }
    }

    fn read(
        settings: &BackendSettings,
        workspace: &str,
    ) -> Result<Option<BTreeMap<String, OutputValue>>, StateError> {
        tokio::runtime::Runtime::new()
            .expect("a runtime")
            .block_on(read_outputs(settings, workspace, &Codec::plain()))
    }

    #[test]
    fn outputs_of_a_local_state_are_read_and_a_missing_state_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.tfstate");
        let settings = local_settings(&path);
        assert!(read(&settings, "default").unwrap().is_none());
        let mut state = State::new();
        state.serial = 1;
        state.outputs.insert(
            "vpc_id".to_string(),
            OutputValue {
                value: serde_json::json!("vpc-123"),
                sensitive: false,
                ty: None,
            },
        );
        StateBackend::local(path).unwrap().write(&state).unwrap();
        let outputs = read(&settings, "default").unwrap().expect("outputs");
        assert_eq!(outputs["vpc_id"].value, serde_json::json!("vpc-123"));
        let error = read(&settings, "../x").unwrap_err();
        assert!(
            error.to_string().contains("invalid workspace name"),
            "{error}"
        );
    }

    #[test]
    fn garbage_state_is_a_corrupt_error_naming_the_location() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("garbage.tfstate");
        std::fs::write(&path, b"{ not json").unwrap();
        let error = read(&local_settings(&path), "default").unwrap_err();
        assert!(error.to_string().contains("garbage.tfstate"), "{error}");
    }
}
