//! Saved plan files (`plan -out`): the plan as JSON with its unknowns and sensitive marks,
//! written with mode 0600 (it holds variable values), plus the digest of the configuration it
//! was made from so a changed configuration or state is refused at apply. With the `plan`
//! target of the `encryption` block the file is sealed with its codec (AES-256-GCM).

use std::collections::BTreeMap;
use std::path::Path;

use plinth_sdk::Diagnostic;
use plinth_state::Codec;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::plan::Plan;

/// The plan file version this build writes and reads (2: plans carry their action graph).
const PLAN_FILE_VERSION: u32 = 2;

#[derive(Deserialize)]
struct VersionProbe {
    plinth_plan: u32,
}

#[derive(Serialize, Deserialize)]
struct PlanFile {
    plinth_plan: u32,
    plan: Plan,
}

/// A digest of the configuration files (names and contents).
pub fn config_digest(sources: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    for (name, text) in sources {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes a plan file sealed with `codec`: a new 0600 file renamed into place (never through a
/// symlink).
pub fn save(path: &Path, plan: &Plan, codec: &Codec) -> Result<(), Box<Diagnostic>> {
    let fail = |e: String| {
        Box::new(
            Diagnostic::error(format!("Failed to write plan file {}", path.display()))
                .with_detail(e),
        )
    };
    let bytes = serde_json::to_vec(&PlanFile {
        plinth_plan: PLAN_FILE_VERSION,
        plan: plan.clone(),
    })
    .map_err(|e| fail(e.to_string()))?;
    let bytes = codec.seal(&bytes).map_err(|e| fail(e.to_string()))?;
    plinth_state::write_private(path, &bytes).map_err(|e| fail(e.to_string()))
}

/// Reads a plan file, opening it with `codec` when it is sealed.
pub fn load(path: &Path, codec: &Codec) -> Result<Plan, Box<Diagnostic>> {
    let fail = |detail: String| {
        Box::new(
            Diagnostic::error(format!("Failed to read plan file {}", path.display()))
                .with_detail(detail),
        )
    };
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let bytes = codec
        .open(&bytes, &format!("plan file {}", path.display()))
        .map_err(|e| fail(e.to_string()))?;
    if let Ok(probe) = serde_json::from_slice::<VersionProbe>(&bytes) {
        if probe.plinth_plan != PLAN_FILE_VERSION {
            return Err(fail(format!(
                "The plan file has format version {}, and this plinth reads version {PLAN_FILE_VERSION} only. Create a new plan with this plinth.",
                probe.plinth_plan
            )));
        }
    }
    let file: PlanFile = serde_json::from_slice(&bytes)
        .map_err(|e| fail(format!("The file is not a plinth plan file: {e}.")))?;
    Ok(file.plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_sdk::Value;

    #[test]
    fn plan_files_round_trip_with_unknown_and_sensitive_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.bin");
        let mut plan = Plan {
            lineage: "l".into(),
            serial: 3,
            ..Plan::default()
        };
        plan.variables
            .insert("token".into(), Value::from("s").mark_sensitive());
        plan.variables.insert("later".into(), Value::Unknown);
        save(&path, &plan, &Codec::plain()).unwrap();
        assert_eq!(load(&path, &Codec::plain()).unwrap(), plan);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        std::fs::write(&path, b"garbage").unwrap();
        assert!(load(&path, &Codec::plain())
            .unwrap_err()
            .detail
            .unwrap()
            .contains("not a plinth plan file"));
    }
}
