//! The scenario's first part: account and catalogue, SSH keys and VPCs.

use crate::{KEY, OTHER_KEY};
use serde_json::{json, Value};

use crate::support::client::Api;

pub async fn catalogue(api: &Api) {
    let account = api.expect(200, "GET", "/v2/account", None).await;
    assert_eq!(account["account"]["status"], "active");
    let denied = api
        .with_token(Some("wrong"))
        .call("GET", "/v2/account", None)
        .await;
    assert_eq!(denied.status, 401);
    assert_eq!(denied.body["id"], "unauthorized");
    assert_eq!(denied.body["message"], "Unable to authenticate you");
    assert_eq!(denied.body["request_id"], denied.headers["x-request-id"]);
    assert_eq!(
        api.with_token(None)
            .call("GET", "/v2/sizes", None)
            .await
            .status,
        401
    );
    let regions = api
        .expect(200, "GET", "/v2/regions?per_page=5&page=2", None)
        .await;
    assert_eq!(regions["regions"].as_array().unwrap().len(), 5);
    assert!(regions["links"]["pages"]["prev"]
        .as_str()
        .unwrap()
        .contains("page=1"));
    api.expect(200, "GET", "/v2/sizes", None).await;
    let images = api
        .expect(200, "GET", "/v2/images?type=distribution&per_page=2", None)
        .await;
    assert_eq!(images["images"].as_array().unwrap().len(), 2);
    assert!(images["meta"]["total"].as_u64().unwrap() >= 3);
    let by_slug = api
        .expect(200, "GET", "/v2/images/debian-12-x64", None)
        .await;
    let id = &by_slug["image"]["id"];
    let by_id = api
        .expect(200, "GET", &format!("/v2/images/{id}"), None)
        .await;
    assert_eq!(by_id["image"]["slug"], "debian-12-x64");
    api.expect(404, "GET", "/v2/images/no-such-image", None)
        .await;
    api.expect(404, "GET", "/v2/no-such-path", None).await;
}

/// Creates the key and VPC; returns (key id, fingerprint, VPC id).
pub async fn keys_and_vpcs(api: &Api) -> (Value, Value, Value) {
    let key = api
        .expect(
            201,
            "POST",
            "/v2/account/keys",
            Some(json!({"name": "deploy", "public_key": KEY})),
        )
        .await["ssh_key"]
        .clone();
    let again = api
        .call(
            "POST",
            "/v2/account/keys",
            Some(json!({"name": "again", "public_key": KEY})),
        )
        .await;
    assert_eq!(again.status, 422);
    api.expect(
        422,
        "POST",
        "/v2/account/keys",
        Some(json!({"name": "bad", "public_key": "nonsense"})),
    )
    .await;
    let other = api
        .expect(
            201,
            "POST",
            "/v2/account/keys",
            Some(json!({"name": "other", "public_key": OTHER_KEY})),
        )
        .await["ssh_key"]
        .clone();
    api.expect(200, "GET", "/v2/account/keys?per_page=1", None)
        .await;
    let fp = key["fingerprint"].as_str().unwrap();
    let by_fp = api
        .expect(200, "GET", &format!("/v2/account/keys/{fp}"), None)
        .await;
    assert_eq!(by_fp["ssh_key"]["id"], key["id"]);
    let renamed = api
        .expect(
            200,
            "PUT",
            &format!("/v2/account/keys/{}", other["id"]),
            Some(json!({"name": "renamed"})),
        )
        .await;
    assert_eq!(renamed["ssh_key"]["name"], "renamed");
    api.expect(
        204,
        "DELETE",
        &format!("/v2/account/keys/{}", other["id"]),
        None,
    )
    .await;
    api.expect(
        404,
        "GET",
        &format!("/v2/account/keys/{}", other["id"]),
        None,
    )
    .await;

    let vpc = api
        .expect(
            201,
            "POST",
            "/v2/vpcs",
            Some(json!({"name": "app-net", "region": "nyc3", "ip_range": "10.20.0.0/24"})),
        )
        .await["vpc"]
        .clone();
    assert_eq!(
        vpc["urn"],
        format!("do:vpc:{}", vpc["id"].as_str().unwrap())
    );
    api.expect(
        422,
        "POST",
        "/v2/vpcs",
        Some(json!({"name": "overlap", "region": "nyc3", "ip_range": "10.20.0.0/16"})),
    )
    .await;
    api.expect(
        422,
        "POST",
        "/v2/vpcs",
        Some(json!({"name": "nowhere", "region": "mars1"})),
    )
    .await;
    let vpc_path = format!("/v2/vpcs/{}", vpc["id"].as_str().unwrap());
    api.expect(200, "GET", "/v2/vpcs", None).await;
    api.expect(200, "GET", &vpc_path, None).await;
    api.expect(
        200,
        "PUT",
        &vpc_path,
        Some(json!({"name": "app-net", "description": "the app"})),
    )
    .await;
    let patched = api
        .expect(
            200,
            "PATCH",
            &vpc_path,
            Some(json!({"description": "patched"})),
        )
        .await;
    assert_eq!(patched["vpc"]["description"], "patched");
    (
        key["id"].clone(),
        key["fingerprint"].clone(),
        vpc["id"].clone(),
    )
}
