//! The scenario's firewalls, reserved IPs and load balancers.

use serde_json::{json, Value};

use crate::support::client::Api;

pub async fn firewalls(api: &Api, ids: &[u64]) {
    let rule = |port: &str| json!({"protocol": "tcp", "ports": port, "sources": {"addresses": ["0.0.0.0/0", "::/0"]}});
    let created = api
        .expect(202, "POST", "/v2/firewalls", Some(json!({
            "name": "web-fw",
            "inbound_rules": [rule("22"), rule("80")],
            "outbound_rules": [{"protocol": "tcp", "ports": "all", "destinations": {"addresses": ["0.0.0.0/0"]}}],
            "droplet_ids": [ids[0]],
        })))
        .await;
    let firewall = created["firewall"].clone();
    assert_eq!(firewall["outbound_rules"][0]["ports"], "0");
    let path = format!("/v2/firewalls/{}", firewall["id"].as_str().unwrap());
    api.expect(
        422,
        "POST",
        "/v2/firewalls",
        Some(json!({"name": "bad", "inbound_rules": [rule("99999")]})),
    )
    .await;
    api.expect(200, "GET", "/v2/firewalls", None).await;
    api.expect(200, "GET", &path, None).await;
    let updated = api
        .expect(200, "PUT", &path, Some(json!({
            "name": "web-fw",
            "inbound_rules": [rule("22"), rule("80"), rule("443")],
            "outbound_rules": [{"protocol": "icmp", "ports": "0", "destinations": {"addresses": ["0.0.0.0/0"]}}],
            "droplet_ids": [ids[0]],
        })))
        .await;
    assert_eq!(
        updated["firewall"]["inbound_rules"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    api.expect(
        204,
        "POST",
        &format!("{path}/droplets"),
        Some(json!({"droplet_ids": [ids[1]]})),
    )
    .await;
    api.expect(
        204,
        "DELETE",
        &format!("{path}/droplets"),
        Some(json!({"droplet_ids": [ids[1]]})),
    )
    .await;
    api.expect(
        204,
        "POST",
        &format!("{path}/tags"),
        Some(json!({"tags": ["web"]})),
    )
    .await;
    api.expect(
        204,
        "DELETE",
        &format!("{path}/tags"),
        Some(json!({"tags": ["web"]})),
    )
    .await;
    api.expect(
        204,
        "POST",
        &format!("{path}/rules"),
        Some(json!({"inbound_rules": [rule("8080")]})),
    )
    .await;
    api.expect(
        204,
        "DELETE",
        &format!("{path}/rules"),
        Some(json!({"inbound_rules": [rule("8080")]})),
    )
    .await;
    let settled = api
        .wait_until(&path, |b| b["firewall"]["status"] == "succeeded")
        .await;
    assert_eq!(settled["firewall"]["droplet_ids"], json!([ids[0]]));
    assert_eq!(
        settled["firewall"]["inbound_rules"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let second = api
        .expect(
            202,
            "POST",
            "/v2/firewalls",
            Some(json!({"name": "short-lived", "inbound_rules": [rule("22")]})),
        )
        .await;
    let second_path = format!(
        "/v2/firewalls/{}",
        second["firewall"]["id"].as_str().unwrap()
    );
    api.expect(204, "DELETE", &second_path, None).await;
    api.expect(404, "GET", &second_path, None).await;
}

pub async fn reserved_ips(api: &Api, ids: &[u64]) {
    let floating = api
        .expect(
            202,
            "POST",
            "/v2/reserved_ips",
            Some(json!({"region": "nyc3"})),
        )
        .await;
    let ip = floating["reserved_ip"]["ip"].as_str().unwrap().to_string();
    let assigned = api
        .expect(
            202,
            "POST",
            "/v2/reserved_ips",
            Some(json!({"droplet_id": ids[0]})),
        )
        .await;
    api.wait_action(&assigned["links"]["actions"][0]["id"])
        .await;
    let other = assigned["reserved_ip"]["ip"].as_str().unwrap().to_string();
    let now = api
        .expect(200, "GET", &format!("/v2/reserved_ips/{other}"), None)
        .await;
    assert_eq!(now["reserved_ip"]["droplet"]["id"], ids[0]);
    api.expect(200, "GET", "/v2/reserved_ips", None).await;
    let path = format!("/v2/reserved_ips/{ip}/actions");
    let assign = api
        .expect(
            201,
            "POST",
            &path,
            Some(json!({"type": "assign", "droplet_id": ids[1]})),
        )
        .await;
    api.wait_action(&assign["action"]["id"]).await;
    api.expect(
        200,
        "GET",
        &format!("{path}/{}", assign["action"]["id"]),
        None,
    )
    .await;
    let unassign = api
        .expect(201, "POST", &path, Some(json!({"type": "unassign"})))
        .await;
    api.wait_action(&unassign["action"]["id"]).await;
    let list = api.expect(200, "GET", &path, None).await;
    assert_eq!(list["meta"]["total"], 2);
    let free = api
        .expect(200, "GET", &format!("/v2/reserved_ips/{ip}"), None)
        .await;
    assert_eq!(free["reserved_ip"]["droplet"], Value::Null);
    api.expect(204, "DELETE", &format!("/v2/reserved_ips/{ip}"), None)
        .await;
    api.expect(204, "DELETE", &format!("/v2/reserved_ips/{other}"), None)
        .await;
    api.expect(404, "GET", &format!("/v2/reserved_ips/{ip}"), None)
        .await;
}

pub async fn load_balancers(api: &Api, ids: &[u64], vpc: &Value) {
    let http = |port: u32| json!({"entry_protocol": "http", "entry_port": port, "target_protocol": "http", "target_port": 8080});
    let created = api
        .expect(
            202,
            "POST",
            "/v2/load_balancers",
            Some(json!({
                "name": "web-lb", "region": "nyc3", "forwarding_rules": [http(80)],
                "health_check": {"protocol": "http", "port": 8080, "path": "/health"},
                "droplet_ids": [ids[0]], "vpc_uuid": vpc,
            })),
        )
        .await["load_balancer"]
        .clone();
    assert_eq!(created["status"], "new");
    assert_eq!(
        created["ip"], "",
        "the address shows once the load balancer is active"
    );
    api.expect(422, "POST", "/v2/load_balancers", Some(json!({
        "name": "both", "region": "nyc3", "forwarding_rules": [http(80)], "droplet_ids": [ids[0]], "tag": "web",
    })))
    .await;
    let path = format!("/v2/load_balancers/{}", created["id"].as_str().unwrap());
    let active = api
        .wait_until(&path, |b| b["load_balancer"]["status"] == "active")
        .await;
    assert!(active["load_balancer"]["ip"]
        .as_str()
        .unwrap()
        .starts_with("198.19."));
    api.expect(200, "GET", "/v2/load_balancers", None).await;
    let updated = api
        .expect(
            200,
            "PUT",
            &path,
            Some(json!({
                "name": "web-lb", "region": "nyc3", "forwarding_rules": [http(80), http(81)],
                "droplet_ids": [ids[0], ids[1]],
            })),
        )
        .await;
    assert_eq!(
        updated["load_balancer"]["droplet_ids"],
        json!([ids[0], ids[1]])
    );
    api.expect(
        204,
        "POST",
        &format!("{path}/droplets"),
        Some(json!({"droplet_ids": [ids[2]]})),
    )
    .await;
    api.expect(
        204,
        "DELETE",
        &format!("{path}/droplets"),
        Some(json!({"droplet_ids": [ids[2]]})),
    )
    .await;
    api.expect(
        204,
        "POST",
        &format!("{path}/forwarding_rules"),
        Some(json!({"forwarding_rules": [http(82)]})),
    )
    .await;
    api.expect(
        204,
        "DELETE",
        &format!("{path}/forwarding_rules"),
        Some(json!({"forwarding_rules": [http(82)]})),
    )
    .await;
    let by_tag = api
        .expect(
            202,
            "POST",
            "/v2/load_balancers",
            Some(json!({
                "name": "tag-lb", "region": "nyc3", "forwarding_rules": [http(80)], "tag": "web",
            })),
        )
        .await;
    assert_eq!(
        by_tag["load_balancer"]["droplet_ids"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let tag_path = format!(
        "/v2/load_balancers/{}",
        by_tag["load_balancer"]["id"].as_str().unwrap()
    );
    api.expect(
        422,
        "POST",
        &format!("{tag_path}/droplets"),
        Some(json!({"droplet_ids": [ids[0]]})),
    )
    .await;
    api.expect(204, "DELETE", &tag_path, None).await;
    api.expect(204, "DELETE", &path, None).await;
}
