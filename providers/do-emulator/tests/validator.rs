//! Unit tests of the OpenAPI validator the conformance test relies on: it must reject what the
//! description rejects (a wrong body, an undocumented status or path, a missing header), or the
//! conformance test could pass while the emulator drifts.

mod support;

use std::collections::BTreeMap;

use plinth_do_emulator::Exchange;
use serde_json::{json, Value};
use support::openapi::{self, check_exchange, Side, Spec};

fn rate_headers() -> BTreeMap<String, String> {
    [
        ("ratelimit-limit", "5000"),
        ("ratelimit-remaining", "4999"),
        ("ratelimit-reset", "1700000000"),
        ("content-type", "application/json; charset=utf-8"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn exchange(
    method: &str,
    path: &str,
    request: Option<Value>,
    status: u16,
    response: Option<Value>,
) -> Exchange {
    Exchange {
        method: method.into(),
        path: path.into(),
        query: Vec::new(),
        request_body: request,
        status,
        response_headers: rate_headers(),
        response_body: response,
    }
}

fn ssh_key() -> Value {
    json!({"id": 1, "fingerprint": "aa:bb", "public_key": "ssh-ed25519 AAAA x", "name": "k"})
}

fn spec() -> Option<Spec> {
    openapi::load_or_skip()
}

#[test]
fn a_valid_exchange_passes() {
    let Some(spec) = spec() else { return };
    let (op, problems) = check_exchange(
        &spec,
        &exchange(
            "GET",
            "/v2/account/keys/1",
            None,
            200,
            Some(json!({"ssh_key": ssh_key()})),
        ),
    );
    assert_eq!(op.as_deref(), Some("sshKeys_get"));
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn a_deliberately_wrong_body_fails() {
    let Some(spec) = spec() else { return };
    let mut key = ssh_key();
    key["id"] = json!("not-an-integer");
    let (_, problems) = check_exchange(
        &spec,
        &exchange(
            "GET",
            "/v2/account/keys/1",
            None,
            200,
            Some(json!({"ssh_key": key})),
        ),
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("response body"), "{problems:?}");

    // A Droplet missing required fields, inside a list with pagination.
    let (_, problems) = check_exchange(
        &spec,
        &exchange(
            "GET",
            "/v2/droplets",
            None,
            200,
            Some(json!({"droplets": [{"id": 1}], "links": {}, "meta": {"total": 1}})),
        ),
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("\"name\" is a required property")),
        "{problems:?}"
    );
    // meta.total is required.
    let (_, problems) = check_exchange(
        &spec,
        &exchange(
            "GET",
            "/v2/droplets",
            None,
            200,
            Some(json!({"droplets": [], "links": {}, "meta": {}})),
        ),
    );
    assert!(!problems.is_empty());
}

#[test]
fn an_undocumented_status_path_or_missing_header_fails() {
    let Some(spec) = spec() else { return };
    // sshKeys_get documents 200, 401, 404, 429, 500 and default: any status has a response,
    // so use an operation without `default`.
    let (_, problems) = check_exchange(
        &spec,
        &exchange(
            "GET",
            "/v2/databases/00000001-d0e0-4e11-8a70-000000000001/schema-registry/subject",
            None,
            418,
            Some(json!({"id": "teapot", "message": "no"})),
        ),
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("status 418 is not documented")),
        "{problems:?}"
    );
    let (op, problems) =
        check_exchange(&spec, &exchange("GET", "/v2/nothing/here", None, 200, None));
    assert!(op.is_none());
    assert_eq!(problems.len(), 1);
    let mut missing = exchange(
        "GET",
        "/v2/account/keys/1",
        None,
        200,
        Some(json!({"ssh_key": ssh_key()})),
    );
    missing.response_headers.remove("ratelimit-reset");
    let (_, problems) = check_exchange(&spec, &missing);
    assert!(
        problems.iter().any(|p| p.contains("ratelimit-reset")),
        "{problems:?}"
    );
    let mut bad = exchange(
        "GET",
        "/v2/account/keys/1",
        None,
        200,
        Some(json!({"ssh_key": ssh_key()})),
    );
    bad.response_headers
        .insert("ratelimit-limit".into(), "lots".into());
    let (_, problems) = check_exchange(&spec, &bad);
    assert!(
        problems.iter().any(|p| p.contains("ratelimit-limit")),
        "{problems:?}"
    );
    // A 204 documented without a body must not carry one.
    let (_, problems) = check_exchange(
        &spec,
        &exchange(
            "DELETE",
            "/v2/account/keys/1",
            None,
            204,
            Some(json!({"deleted": true})),
        ),
    );
    assert!(!problems.is_empty());
}

#[test]
fn accepted_requests_are_checked_and_refused_ones_are_not() {
    let Some(spec) = spec() else { return };
    // The body misses `public_key`: wrong for an accepted (201) request...
    let created = json!({"ssh_key": ssh_key()});
    let (_, problems) = check_exchange(
        &spec,
        &exchange(
            "POST",
            "/v2/account/keys",
            Some(json!({"name": "k"})),
            201,
            Some(created),
        ),
    );
    assert!(
        problems.iter().any(|p| p.contains("request body")),
        "{problems:?}"
    );
    // ...but fine for a request the emulator refused with 422.
    let (_, problems) = check_exchange(
        &spec,
        &exchange(
            "POST",
            "/v2/account/keys",
            Some(json!({"name": "k"})),
            422,
            Some(json!({"id": "unprocessable_entity", "message": "m", "request_id": "r"})),
        ),
    );
    assert!(problems.is_empty(), "{problems:?}");
    // readOnly fields (id, fingerprint) are not required in requests.
    let (_, problems) = check_exchange(
        &spec,
        &exchange(
            "POST",
            "/v2/account/keys",
            Some(json!({"name": "k", "public_key": "ssh-ed25519 AAAA"})),
            201,
            Some(json!({"ssh_key": ssh_key()})),
        ),
    );
    assert!(problems.is_empty(), "{problems:?}");
    // Query parameters: undocumented ones and wrong types fail.
    let mut undocumented = exchange(
        "GET",
        "/v2/load_balancers",
        None,
        200,
        Some(json!({"load_balancers": [], "links": {}, "meta": {"total": 0}})),
    );
    undocumented.query = vec![("tag_name".into(), "x".into())];
    let (_, problems) = check_exchange(&spec, &undocumented);
    assert!(
        problems.iter().any(|p| p.contains("not documented")),
        "{problems:?}"
    );
    let mut wrong_type = exchange(
        "GET",
        "/v2/droplets",
        None,
        200,
        Some(json!({"droplets": [], "links": {}, "meta": {"total": 0}})),
    );
    wrong_type.query = vec![("per_page".into(), "many".into())];
    let (_, problems) = check_exchange(&spec, &wrong_type);
    assert!(
        problems.iter().any(|p| p.contains("per_page")),
        "{problems:?}"
    );
}

#[test]
fn nullable_and_discriminators_follow_openapi() {
    let Some(spec) = spec() else { return };
    // A reserved IP's `droplet` is nullable.
    let reserved = json!({"reserved_ip": {"ip": "192.0.2.1", "droplet": null, "locked": false}});
    let (_, problems) = check_exchange(
        &spec,
        &exchange(
            "GET",
            "/v2/reserved_ips/192.0.2.1",
            None,
            200,
            Some(reserved),
        ),
    );
    assert!(problems.is_empty(), "{problems:?}");
    // Droplet actions by tag: the discriminator picks the schema by `type`...
    let action = json!({"actions": []});
    let mut by_tag = exchange(
        "POST",
        "/v2/droplets/actions",
        Some(json!({"type": "power_on"})),
        201,
        Some(action.clone()),
    );
    by_tag.query = vec![("tag_name".into(), "web".into())];
    let (_, problems) = check_exchange(&spec, &by_tag);
    assert!(problems.is_empty(), "{problems:?}");
    // ...and a type the mapping does not hold is refused.
    by_tag.request_body = Some(json!({"type": "resize"}));
    let (_, problems) = check_exchange(&spec, &by_tag);
    assert!(!problems.is_empty());
    // The converted schema of a nullable string admits null.
    let converted = spec.json_schema(&json!({"type": "string", "nullable": true}), Side::Response);
    assert_eq!(converted, json!({"type": ["string", "null"]}));
}
