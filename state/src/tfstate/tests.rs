//! Tests for reading Terraform version 4 state.

use super::*;

const TERRAFORM_STATE: &str = r#"{
  "version": 4,
  "terraform_version": "1.11.4",
  "serial": 12,
  "lineage": "3f1c2a8e-0000-4000-8000-000000000001",
  "outputs": { "password": { "value": "hunter2", "type": "string", "sensitive": true } },
  "resources": [
    { "mode": "managed", "type": "terraform_data", "name": "web",
      "provider": "provider[\"terraform.io/builtin/terraform\"]",
      "instances": [ { "index_key": 0, "schema_version": 0,
        "attributes": { "id": "abc", "input": "x", "output": "x", "triggers_replace": null },
        "sensitive_attributes": [[{"type": "get_attr", "value": "input"}]],
        "dependencies": ["terraform_data.base"], "create_before_destroy": true } ] },
    { "module": "module.net[\"a\"]", "mode": "managed", "type": "docker_network", "name": "main",
      "provider": "provider[\"registry.terraform.io/kreuzwerker/docker\"].west",
      "instances": [ { "status": "tainted", "schema_version": 1, "private": "eyJ9",
        "attributes": { "id": "n1", "name": "main" }, "sensitive_attributes": [] } ] }
  ],
  "check_results": null
}"#;

#[test]
fn terraform_v4_state_converts_addresses_providers_and_marks() {
    let state = decode_any(TERRAFORM_STATE.as_bytes()).expect("decodes");
    assert_eq!(state.serial, 12);
    assert_eq!(state.lineage, "3f1c2a8e-0000-4000-8000-000000000001");
    assert!(state.outputs["password"].sensitive);
    // Terraform's output type is kept as Terraform wrote it.
    assert_eq!(
        state.outputs["password"].ty,
        Some(serde_json::json!("string"))
    );
    let web = &state.instances["terraform_data.web[0]"];
    assert_eq!(web.provider, "terraform");
    assert_eq!(web.sensitive_attributes, ["input"]);
    assert_eq!(web.dependencies, ["terraform_data.base"]);
    assert!(web.create_before_destroy);
    let network = &state.instances[r#"module.net["a"].docker_network.main"#];
    assert_eq!(network.provider, "docker.west");
    assert_eq!(network.status, Status::Tainted);
    assert_eq!(network.private.as_deref(), Some("eyJ9"));
    assert_eq!(web.private, None);
    // The converted state encodes in plinth's format and reads back the same.
    let again = format::decode(&format::encode(&state).expect("encodes")).expect("decodes");
    assert_eq!(again, state);
}

#[test]
fn plinth_state_still_decodes_and_garbage_is_corrupt() {
    let plinth = format::encode(&State::new()).expect("encodes");
    assert!(decode_any(&plinth).is_ok());
    assert!(matches!(
        decode_any(b"{\"version\": 4, \"terraform_version\": \"1.0\", \"lineage\": 3}"),
        Err(StateError::Corrupt { .. })
    ));
}
