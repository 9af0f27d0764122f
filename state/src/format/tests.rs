//! Tests for the state file format.

use super::*;
use crate::test_support::{instance, sample_state};

#[test]
fn sample_state_round_trips_through_encode_and_decode() {
    let state = sample_state();
    let bytes = encode(&state).expect("encodes");
    assert_eq!(decode(&bytes).expect("decodes"), state);
}

#[test]
fn encoding_is_deterministic_and_sorts_object_keys() {
    let mut one = sample_state();
    let mut two = one.clone();
    one.instances
        .get_mut("docker_network.main")
        .expect("present")
        .attributes = serde_json::json!({ "b": 1, "a": { "z": 1, "y": 2 } });
    two.instances
        .get_mut("docker_network.main")
        .expect("present")
        .attributes = serde_json::json!({ "a": { "y": 2, "z": 1 }, "b": 1 });
    let encoded = encode(&one).expect("encodes");
    assert_eq!(encoded, encode(&two).expect("encodes"));
    let text = String::from_utf8(encoded).expect("utf-8");
    let a = text.find("\"a\": {").expect("a present");
    let b = text.find("\"b\": 1").expect("b present");
    assert!(a < b, "keys sorted: {text}");
}

#[test]
fn instances_are_grouped_by_resource_with_numeric_key_order() {
    let text = String::from_utf8(encode(&sample_state()).expect("encodes")).expect("utf-8");
    let document: serde_json::Value = serde_json::from_str(&text).expect("json");
    let resources = document["resources"].as_array().expect("array");
    let web = resources
        .iter()
        .find(|resource| resource["name"] == "web")
        .expect("web resource");
    let keys: Vec<_> = web["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .map(|instance| instance["index_key"].clone())
        .collect();
    assert_eq!(keys, [0, 1, 2, 10].map(serde_json::Value::from));
    let subnet = resources
        .iter()
        .find(|resource| resource["type"] == "aws_subnet")
        .expect("subnet");
    assert_eq!(subnet["module"], r#"module.vpc["a"]"#);
    assert_eq!(subnet["provider"], "aws.west");
    assert_eq!(subnet["instances"][0]["status"], "tainted");
    let network = resources
        .iter()
        .find(|resource| resource["type"] == "docker_network")
        .expect("network");
    assert!(network.get("module").is_none());
    assert!(network["instances"][0].get("index_key").is_none());
    assert!(network["instances"][0].get("status").is_none());
    assert_eq!(document["outputs"]["password"]["sensitive"], true);
    assert!(document["outputs"]["address"].get("sensitive").is_none());
}

#[test]
fn newer_version_is_refused_even_with_an_unknown_shape() {
    let newer = br#"{ "version": 3, "plinth_version": "9.0.0", "serial": 1, "lineage": "x",
                      "resources": [], "something_new": {} }"#;
    match decode(newer) {
        Err(StateError::NewerVersion { found, supported }) => {
            assert_eq!((found, supported), (3, FORMAT_VERSION));
        }
        other => panic!("expected NewerVersion, got {other:?}"),
    }
}

#[test]
fn invalid_json_is_corrupt_and_names_line_and_column() {
    let broken = b"{\n  \"version\": 1,\n  \"serial\": ,\n}";
    match decode(broken) {
        Err(StateError::Corrupt { detail }) => {
            assert!(detail.contains("line 3"), "{detail}");
            assert!(detail.contains("column"), "{detail}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn wrong_shapes_are_corrupt() {
    let cases: [&[u8]; 6] = [
        br#"[]"#,
        br#"{ "version": 1, "plinth_version": "0", "serial": "one", "lineage": "x" }"#,
        br#"{ "version": 1, "plinth_version": "0", "serial": 1, "lineage": "x", "extra": 1 }"#,
        br#"{ "version": 0, "plinth_version": "0", "serial": 1, "lineage": "x" }"#,
        br#"{ "version": 1, "plinth_version": "0", "serial": 1, "lineage": "x", "resources": [
              { "mode": "managed", "type": "a b", "name": "n", "provider": "p", "instances": [] } ] }"#,
        br#"{ "version": 1, "plinth_version": "0", "serial": 1, "lineage": "x", "resources": [
              { "mode": "managed", "type": "t", "name": "n", "provider": "p",
                "instances": [ { "attributes": [] } ] } ] }"#,
    ];
    for case in cases {
        let result = decode(case);
        assert!(
            matches!(result, Err(StateError::Corrupt { .. })),
            "{}: {result:?}",
            String::from_utf8_lossy(case)
        );
    }
}

#[test]
fn duplicate_instances_are_corrupt() {
    let duplicate = br#"{ "version": 1, "plinth_version": "0", "serial": 1, "lineage": "x",
        "resources": [
          { "mode": "managed", "type": "t", "name": "n", "provider": "p",
            "instances": [ { "attributes": {} } ] },
          { "mode": "managed", "type": "t", "name": "n", "provider": "q",
            "instances": [ { "attributes": {} } ] } ] }"#;
    match decode(duplicate) {
        Err(StateError::Corrupt { detail }) => assert!(detail.contains("t.n"), "{detail}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn one_resource_with_instances_on_two_providers_round_trips() {
    let mut state = State::new();
    let mut west = instance("aws_vpc", "v0");
    west.provider = "aws.west".into();
    state.instances.insert("aws_vpc.main[0]".into(), west);
    state
        .instances
        .insert("aws_vpc.main[1]".into(), instance("aws_vpc", "v1"));
    let decoded = decode(&encode(&state).expect("encodes")).expect("decodes");
    assert_eq!(decoded, state);
}

#[test]
fn inconsistent_instances_cannot_be_encoded() {
    let mut state = State::new();
    state
        .instances
        .insert("not an address".into(), instance("docker_container", "x"));
    assert!(matches!(
        encode(&state),
        Err(StateError::InvalidAddress { .. })
    ));
    let mut state = State::new();
    state
        .instances
        .insert("docker_image.x".into(), instance("docker_container", "x"));
    assert!(matches!(
        encode(&state),
        Err(StateError::InconsistentInstance { .. })
    ));
}

#[test]
fn version_1_files_read_unchanged() {
    let v1 = br#"{ "version": 1, "plinth_version": "0.1.0", "serial": 4, "lineage": "x",
                  "resources": [ { "mode": "managed", "type": "terraform_data", "name": "a",
                                   "provider": "terraform",
                                   "instances": [ { "attributes": { "id": "1" } } ] } ] }"#;
    let state = decode(v1).expect("a version 1 file decodes");
    assert_eq!(state.serial, 4);
    assert!(state.instances.contains_key("terraform_data.a"));
    assert!(state.deposed.is_empty());
}

#[test]
fn deposed_objects_round_trip_after_their_current_object() {
    let mut state = State::new();
    let object = |id: &str| Instance {
        mode: Mode::Managed,
        type_name: "aws_instance".into(),
        provider: "aws".into(),
        status: Status::Ready,
        attributes: serde_json::json!({ "id": id }),
        sensitive_attributes: vec![],
        dependencies: vec![],
        create_before_destroy: true,
        schema_version: 0,
        private: None,
    };
    state
        .instances
        .insert("aws_instance.web".into(), object("new"));
    let key: DeposedKey = "0badcafe".parse().expect("key");
    state
        .deposed
        .entry("aws_instance.web".into())
        .or_default()
        .insert(key.clone(), object("old"));
    // Only deposed: an instance whose replacement was never created.
    state
        .deposed
        .entry("aws_instance.db".into())
        .or_default()
        .insert(key.clone(), object("older"));
    let bytes = encode(&state).expect("encodes");
    let document: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    let web = document["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["name"] == "web")
        .expect("web");
    assert!(web["instances"][0].get("deposed").is_none());
    assert_eq!(web["instances"][1]["deposed"], "0badcafe");
    let decoded = decode(&bytes).expect("decodes");
    assert_eq!(decoded, state);
    assert!(!decoded.instances.contains_key("aws_instance.db"));
}

#[test]
fn a_providers_private_data_round_trips_as_base64() {
    let mut state = State::new();
    let mut object = instance("demo_item", "a");
    object.private = Instance::encode_private(b"applied-for:alpha");
    state.instances.insert("demo_item.a".into(), object);
    state
        .instances
        .insert("demo_item.b".into(), instance("demo_item", "b"));
    let text = String::from_utf8(encode(&state).expect("encodes")).expect("utf-8");
    assert_eq!(text.matches("\"private\"").count(), 1, "{text}");
    assert!(
        text.contains("\"private\": \"YXBwbGllZC1mb3I6YWxwaGE=\""),
        "{text}"
    );
    let again = decode(text.as_bytes()).expect("decodes");
    assert_eq!(
        again.instances["demo_item.a"].private_bytes(),
        b"applied-for:alpha"
    );
    assert!(again.instances["demo_item.b"].private_bytes().is_empty());
    assert_eq!(again, state);
}

/// The output's type was dropped when a state was written, so `output -json` could not report
/// it after the next read.
#[test]
fn output_types_survive_encode_and_decode_and_old_states_without_them_load() {
    let mut state = sample_state();
    let typed = serde_json::json!(["list", "string"]);
    state.outputs.get_mut("address").expect("sample output").ty = Some(typed.clone());
    let decoded = decode(&encode(&state).expect("encodes")).expect("decodes");
    assert_eq!(decoded.outputs["address"].ty, Some(typed));
    let old = br#"{"version": 2, "plinth_version": "0.1.0", "serial": 1, "lineage": "l",
        "outputs": {"ip": {"value": "10.0.0.1"}}, "resources": []}"#;
    assert_eq!(decode(old).expect("decodes").outputs["ip"].ty, None);
}
