//! The scenario's volumes and database clusters.

use serde_json::{json, Value};

use crate::support::client::Api;

pub async fn volumes(api: &Api, ids: &[u64]) {
    let volume = api
        .expect(201, "POST", "/v2/volumes", Some(json!({
            "name": "data-1", "size_gigabytes": 10, "region": "nyc3", "tags": ["plinth-intent:vol"],
            "filesystem_type": "ext4",
        })))
        .await["volume"]
        .clone();
    api.expect(
        409,
        "POST",
        "/v2/volumes",
        Some(json!({"name": "data-1", "size_gigabytes": 10, "region": "nyc3"})),
    )
    .await;
    api.expect(
        422,
        "POST",
        "/v2/volumes",
        Some(json!({"name": "Bad_Name", "size_gigabytes": 10, "region": "nyc3"})),
    )
    .await;
    let id = volume["id"].as_str().unwrap().to_string();
    let listed = api
        .expect(200, "GET", "/v2/volumes?name=data-1&region=nyc3", None)
        .await;
    assert_eq!(listed["meta"]["total"], 1);
    api.expect(200, "GET", &format!("/v2/volumes/{id}"), None)
        .await;
    let actions = format!("/v2/volumes/{id}/actions");
    let attach = api
        .expect(
            202,
            "POST",
            &actions,
            Some(json!({"type": "attach", "droplet_id": ids[0], "region": "nyc3"})),
        )
        .await;
    api.wait_action(&attach["action"]["id"]).await;
    let attached = api
        .expect(200, "GET", &format!("/v2/volumes/{id}"), None)
        .await;
    assert_eq!(attached["volume"]["droplet_ids"], json!([ids[0]]));
    let droplet = api
        .expect(200, "GET", &format!("/v2/droplets/{}", ids[0]), None)
        .await;
    assert_eq!(droplet["droplet"]["volume_ids"], json!([id]));
    api.expect(409, "DELETE", &format!("/v2/volumes/{id}"), None)
        .await;
    let resize = api
        .expect(
            202,
            "POST",
            &actions,
            Some(json!({"type": "resize", "size_gigabytes": 20, "region": "nyc3"})),
        )
        .await;
    api.wait_action(&resize["action"]["id"]).await;
    let detach = api
        .expect(
            202,
            "POST",
            &actions,
            Some(json!({"type": "detach", "droplet_id": ids[0], "region": "nyc3"})),
        )
        .await;
    api.wait_action(&detach["action"]["id"]).await;
    let by_name = api
        .expect(
            202,
            "POST",
            "/v2/volumes/actions",
            Some(json!({
                "type": "attach", "volume_name": "data-1", "region": "nyc3", "droplet_id": ids[1],
            })),
        )
        .await;
    api.wait_action(&by_name["action"]["id"]).await;
    let detach_by_name = api
        .expect(
            202,
            "POST",
            "/v2/volumes/actions",
            Some(json!({
                "type": "detach", "volume_name": "data-1", "region": "nyc3", "droplet_id": ids[1],
            })),
        )
        .await;
    api.wait_action(&detach_by_name["action"]["id"]).await;
    let list = api.expect(200, "GET", &actions, None).await;
    assert_eq!(list["meta"]["total"], 5);
    let first = &list["actions"][0]["id"];
    api.expect(200, "GET", &format!("{actions}/{first}"), None)
        .await;
    let resized = api
        .expect(200, "GET", &format!("/v2/volumes/{id}"), None)
        .await;
    assert_eq!(resized["volume"]["size_gigabytes"], 20);
    api.expect(204, "DELETE", &format!("/v2/volumes/{id}"), None)
        .await;
    api.expect(
        201,
        "POST",
        "/v2/volumes",
        Some(json!({"name": "data-2", "size_gigabytes": 5, "region": "nyc3"})),
    )
    .await;
    api.expect(204, "DELETE", "/v2/volumes?name=data-2&region=nyc3", None)
        .await;
    api.expect(404, "GET", &format!("/v2/volumes/{id}"), None)
        .await;
}

pub async fn databases(api: &Api, ids: &[u64], vpc: &Value) {
    let created = api
        .expect(201, "POST", "/v2/databases", Some(json!({
            "name": "app-db", "engine": "pg", "version": "16", "size": "db-s-1vcpu-1gb",
            "region": "nyc3", "num_nodes": 1, "private_network_uuid": vpc, "tags": ["plinth-intent:db"],
        })))
        .await["database"]
        .clone();
    assert_eq!(created["status"], "creating");
    let password = created["connection"]["password"].as_str().unwrap();
    assert_eq!(password.len(), 24);
    assert!(created["connection"]["uri"]
        .as_str()
        .unwrap()
        .contains(password));
    api.expect(422, "POST", "/v2/databases", Some(json!({
        "name": "other-db", "engine": "pg", "version": "9", "size": "db-s-1vcpu-1gb", "region": "nyc3", "num_nodes": 1,
    })))
    .await;
    let path = format!("/v2/databases/{}", created["id"].as_str().unwrap());
    api.wait_until(&path, |b| b["database"]["status"] == "online")
        .await;
    let tagged = api
        .expect(200, "GET", "/v2/databases?tag_name=plinth-intent:db", None)
        .await;
    assert_eq!(tagged["databases"].as_array().unwrap().len(), 1);
    let untagged = api
        .expect(200, "GET", "/v2/databases?tag_name=nothing", None)
        .await;
    assert_eq!(untagged["databases"], json!([]));
    api.expect(
        204,
        "PUT",
        &format!("{path}/firewall"),
        Some(json!({"rules": [
            {"type": "droplet", "value": ids[0].to_string()},
            {"type": "ip_addr", "value": "192.0.2.0/24"},
        ]})),
    )
    .await;
    api.expect(
        422,
        "PUT",
        &format!("{path}/firewall"),
        Some(json!({"rules": [{"type": "droplet", "value": "1"}]})),
    )
    .await;
    let rules = api
        .expect(200, "GET", &format!("{path}/firewall"), None)
        .await;
    assert_eq!(rules["rules"].as_array().unwrap().len(), 2);
    api.expect(
        202,
        "PUT",
        &format!("{path}/resize"),
        Some(json!({"size": "db-s-1vcpu-2gb", "num_nodes": 2})),
    )
    .await;
    let resizing = api.expect(200, "GET", &path, None).await;
    assert_eq!(resizing["database"]["status"], "resizing");
    api.wait_until(&path, |b| b["database"]["status"] == "online")
        .await;
    api.expect(204, "DELETE", &path, None).await;
    api.expect(404, "GET", &path, None).await;
}
