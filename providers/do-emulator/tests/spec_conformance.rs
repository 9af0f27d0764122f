//! Drives a scenario through every endpoint the emulator serves, with the recording knob on,
//! then checks every recorded exchange against DigitalOcean's official OpenAPI description: the
//! operation exists for the method and path, every accepted request is valid, the status is
//! documented and the body and documented headers match. It also checks that every operation the
//! emulator serves was exercised.

mod support;

use std::collections::BTreeSet;

use plinth_do_emulator::{Config, Emulator, FailRule, Knobs, Throttle};
use serde_json::{json, Value};
use support::client::Api;
use support::openapi::{self, check_exchange};

const TOKEN: &str = "conformance-token";
const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0Y2VudHJhbC1wbGludGgtdGVzdC1rZXktMDAwMDAx plinth@test";
const OTHER_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHBsaW50aC10ZXN0LWtleS1udW1iZXItdHdvLTAwMDAwMg== other@test";

/// Every operation the emulator implements, by operationId.
const SERVED: &[&str] = &[
    "account_get",
    "regions_list",
    "sizes_list",
    "images_list",
    "images_get",
    "sshKeys_list",
    "sshKeys_create",
    "sshKeys_get",
    "sshKeys_update",
    "sshKeys_delete",
    "vpcs_list",
    "vpcs_create",
    "vpcs_get",
    "vpcs_update",
    "vpcs_patch",
    "vpcs_delete",
    "vpcs_list_members",
    "droplets_list",
    "droplets_create",
    "droplets_destroy_byTag",
    "droplets_get",
    "droplets_destroy",
    "dropletActions_list",
    "dropletActions_post",
    "dropletActions_post_byTag",
    "dropletActions_get",
    "actions_list",
    "actions_get",
    "firewalls_list",
    "firewalls_create",
    "firewalls_get",
    "firewalls_update",
    "firewalls_delete",
    "firewalls_assign_droplets",
    "firewalls_delete_droplets",
    "firewalls_add_tags",
    "firewalls_delete_tags",
    "firewalls_add_rules",
    "firewalls_delete_rules",
    "volumes_list",
    "volumes_create",
    "volumes_delete_byName",
    "volumeActions_post",
    "volumes_get",
    "volumes_delete",
    "volumeActions_list",
    "volumeActions_post_byId",
    "volumeActions_get",
    "databases_list_clusters",
    "databases_create_cluster",
    "databases_get_cluster",
    "databases_destroy_cluster",
    "databases_update_clusterSize",
    "databases_list_firewall_rules",
    "databases_update_firewall_rules",
    "domains_list",
    "domains_create",
    "domains_get",
    "domains_delete",
    "domains_list_records",
    "domains_create_record",
    "domains_get_record",
    "domains_patch_record",
    "domains_update_record",
    "domains_delete_record",
    "reservedIPs_list",
    "reservedIPs_create",
    "reservedIPs_get",
    "reservedIPs_delete",
    "reservedIPsActions_list",
    "reservedIPsActions_post",
    "reservedIPsActions_get",
    "tags_list",
    "tags_create",
    "tags_get",
    "tags_delete",
    "tags_assign_resources",
    "tags_unassign_resources",
    "loadBalancers_create",
    "loadBalancers_list",
    "loadBalancers_get",
    "loadBalancers_update",
    "loadBalancers_delete",
    "loadBalancers_add_droplets",
    "loadBalancers_remove_droplets",
    "loadBalancers_add_forwardingRules",
    "loadBalancers_remove_forwardingRules",
];

async fn start() -> (Emulator, Api) {
    let emulator = Emulator::start(Config {
        tokens: vec![TOKEN.to_string()],
        knobs: Knobs {
            action_delay_ms: 20,
            record: true,
            ..Knobs::default()
        },
        ..Config::default()
    })
    .await
    .expect("the emulator starts");
    let api = Api::new(&emulator.url(), TOKEN);
    (emulator, api)
}

async fn catalogue(api: &Api) {
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
async fn keys_and_vpcs(api: &Api) -> (Value, Value, Value) {
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

/// Creates three Droplets; returns their ids.
async fn droplets(api: &Api, key: &Value, fingerprint: &Value, vpc: &Value) -> Vec<u64> {
    let one = api
        .expect(202, "POST", "/v2/droplets", Some(json!({
            "name": "web-1", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-22-04-x64",
            "ssh_keys": [key], "vpc_uuid": vpc, "tags": ["plinth-intent:abc", "web"],
            "monitoring": true, "ipv6": true, "user_data": "#!/bin/sh\necho hi\n",
        })))
        .await;
    assert_eq!(one["droplet"]["status"], "new");
    let create_action = one["links"]["actions"][0]["id"].clone();
    let many = api
        .expect(
            202,
            "POST",
            "/v2/droplets",
            Some(json!({
                "names": ["web-2", "web-3"], "region": "nyc3", "size": "s-1vcpu-1gb",
                "image": 155016890, "ssh_keys": [fingerprint], "tags": ["web"],
            })),
        )
        .await;
    assert_eq!(many["droplets"].as_array().unwrap().len(), 2);
    for (body, message) in [
        (
            json!({"name": "x", "region": "nyc3", "size": "huge", "image": "ubuntu-22-04-x64"}),
            "invalid size",
        ),
        (
            json!({"name": "x", "region": "mars1", "size": "s-1vcpu-1gb", "image": "ubuntu-22-04-x64"}),
            "invalid region",
        ),
        (
            json!({"name": "x", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "no-image"}),
            "invalid image",
        ),
        (
            json!({"name": "bad name!", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-22-04-x64"}),
            "hostname",
        ),
    ] {
        let reply = api.call("POST", "/v2/droplets", Some(body)).await;
        assert_eq!(reply.status, 422);
        assert_eq!(reply.body["id"], "unprocessable_entity");
        assert!(
            reply.body["message"].as_str().unwrap().contains(message),
            "{}",
            reply.body
        );
    }
    let done = api.wait_action(&create_action).await;
    assert_eq!(done["type"], "create");
    let id1 = one["droplet"]["id"].as_u64().unwrap();
    let ids: Vec<u64> = std::iter::once(id1)
        .chain(
            many["droplets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_u64().unwrap()),
        )
        .collect();
    for id in &ids {
        api.wait_until(&format!("/v2/droplets/{id}"), |b| {
            b["droplet"]["status"] == "active"
        })
        .await;
    }
    let web1 = api
        .expect(200, "GET", &format!("/v2/droplets/{id1}"), None)
        .await;
    let v4 = web1["droplet"]["networks"]["v4"].as_array().unwrap();
    let private = v4.iter().find(|n| n["type"] == "private").unwrap();
    assert!(private["ip_address"]
        .as_str()
        .unwrap()
        .starts_with("10.20.0."));
    assert!(v4.iter().any(|n| n["type"] == "public"));
    // Pagination through the tag filter, following the absolute `next` link.
    let first = api
        .expect(200, "GET", "/v2/droplets?tag_name=web&per_page=2", None)
        .await;
    assert_eq!(first["meta"]["total"], 3);
    assert_eq!(first["droplets"].as_array().unwrap().len(), 2);
    let next = first["links"]["pages"]["next"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(next.starts_with(&api.base));
    let second = api.expect(200, "GET", &next, None).await;
    assert_eq!(second["droplets"].as_array().unwrap().len(), 1);
    let intent = api
        .expect(200, "GET", "/v2/droplets?tag_name=plinth-intent:abc", None)
        .await;
    assert_eq!(intent["droplets"][0]["id"], id1);
    let named = api
        .expect(200, "GET", "/v2/droplets?name=WEB-2", None)
        .await;
    assert_eq!(named["meta"]["total"], 1);
    api.expect(404, "GET", "/v2/droplets/1", None).await;
    api.expect(404, "GET", "/v2/droplets/not-a-number", None)
        .await;
    ids
}

async fn droplet_actions(emulator: &Emulator, api: &Api, ids: &[u64]) {
    let web1 = ids[0];
    let path = format!("/v2/droplets/{web1}/actions");
    let on_resize = api
        .call(
            "POST",
            &path,
            Some(json!({"type": "resize", "size": "s-2vcpu-4gb", "disk": true})),
        )
        .await;
    assert_eq!(on_resize.status, 422, "a running Droplet cannot be resized");
    emulator.update_knobs(|k| k.action_delay_ms = 400).unwrap();
    let off = api
        .expect(201, "POST", &path, Some(json!({"type": "power_off"})))
        .await;
    assert_eq!(off["action"]["status"], "in-progress");
    let busy = api
        .call("POST", &path, Some(json!({"type": "power_on"})))
        .await;
    assert_eq!(busy.status, 422);
    assert_eq!(busy.body["message"], "Droplet already has a pending event.");
    let locked = api
        .expect(200, "GET", &format!("/v2/droplets/{web1}"), None)
        .await;
    assert_eq!(locked["droplet"]["locked"], true);
    emulator.update_knobs(|k| k.action_delay_ms = 20).unwrap();
    let action_id = off["action"]["id"].clone();
    api.expect(200, "GET", &format!("{path}/{action_id}"), None)
        .await;
    api.wait_action(&action_id).await;
    let resize = api
        .expect(
            201,
            "POST",
            &path,
            Some(json!({"type": "resize", "size": "s-2vcpu-4gb", "disk": true})),
        )
        .await;
    api.wait_action(&resize["action"]["id"]).await;
    let resized = api
        .expect(200, "GET", &format!("/v2/droplets/{web1}"), None)
        .await;
    assert_eq!(resized["droplet"]["size_slug"], "s-2vcpu-4gb");
    assert_eq!(resized["droplet"]["disk"], 80);
    assert_eq!(resized["droplet"]["status"], "off");
    let shrink = api
        .call(
            "POST",
            &path,
            Some(json!({"type": "resize", "size": "s-1vcpu-1gb"})),
        )
        .await;
    assert_eq!(shrink.status, 422, "a disk cannot shrink");
    for body in [
        json!({"type": "power_on"}),
        json!({"type": "rename", "name": "web-1-renamed"}),
        json!({"type": "enable_backups"}),
        json!({"type": "disable_backups"}),
        json!({"type": "reboot"}),
        json!({"type": "shutdown"}),
        json!({"type": "power_on"}),
    ] {
        let action = api.expect(201, "POST", &path, Some(body)).await;
        api.wait_action(&action["action"]["id"]).await;
    }
    let web2 = ids[1];
    let ipv6 = api
        .expect(
            201,
            "POST",
            &format!("/v2/droplets/{web2}/actions"),
            Some(json!({"type": "enable_ipv6"})),
        )
        .await;
    api.wait_action(&ipv6["action"]["id"]).await;
    let with_v6 = api
        .expect(200, "GET", &format!("/v2/droplets/{web2}"), None)
        .await;
    assert_eq!(
        with_v6["droplet"]["networks"]["v6"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let renamed = api
        .expect(200, "GET", &format!("/v2/droplets/{web1}"), None)
        .await;
    assert_eq!(renamed["droplet"]["name"], "web-1-renamed");
    assert_eq!(renamed["droplet"]["status"], "active");
    let by_tag = api
        .expect(
            201,
            "POST",
            "/v2/droplets/actions?tag_name=web",
            Some(json!({"type": "enable_backups"})),
        )
        .await;
    assert_eq!(by_tag["actions"].as_array().unwrap().len(), 3);
    for action in by_tag["actions"].as_array().unwrap() {
        api.wait_action(&action["id"]).await;
    }
    let list = api
        .expect(200, "GET", &format!("{path}?per_page=3"), None)
        .await;
    assert!(list["meta"]["total"].as_u64().unwrap() >= 9);
    api.expect(200, "GET", "/v2/actions?per_page=5", None).await;
    api.expect(404, "GET", "/v2/actions/1", None).await;
}

async fn firewalls(api: &Api, ids: &[u64]) {
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

async fn volumes(api: &Api, ids: &[u64]) {
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

async fn databases(api: &Api, ids: &[u64], vpc: &Value) {
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

async fn domains(api: &Api) {
    api.expect(
        201,
        "POST",
        "/v2/domains",
        Some(json!({"name": "example.com", "ip_address": "192.0.2.10"})),
    )
    .await;
    api.expect(
        422,
        "POST",
        "/v2/domains",
        Some(json!({"name": "example.com"})),
    )
    .await;
    api.expect(200, "GET", "/v2/domains", None).await;
    let domain = api
        .expect(200, "GET", "/v2/domains/example.com", None)
        .await;
    assert!(domain["domain"]["zone_file"]
        .as_str()
        .unwrap()
        .contains("192.0.2.10"));
    let records = "/v2/domains/example.com/records";
    let mut created = Vec::new();
    for body in [
        json!({"type": "A", "name": "www", "data": "192.0.2.20", "ttl": 300}),
        json!({"type": "AAAA", "name": "www", "data": "2001:db8::20"}),
        json!({"type": "CNAME", "name": "blog", "data": "www.example.com."}),
        json!({"type": "TXT", "name": "@", "data": "v=spf1 -all", "flags": null, "tag": null}),
        json!({"type": "MX", "name": "@", "data": "mail.example.com.", "priority": 10}),
        json!({"type": "SRV", "name": "_sip._tcp", "data": "sip.example.com.", "priority": 10, "port": 5060, "weight": 5, "flags": null, "tag": null}),
        json!({"type": "CAA", "name": "@", "data": "letsencrypt.org", "flags": 0, "tag": "issue"}),
    ] {
        let record = api.expect(201, "POST", records, Some(body)).await;
        created.push(record["domain_record"]["id"].as_u64().unwrap());
    }
    let no_flags = api
        .call(
            "POST",
            records,
            Some(json!({"type": "TXT", "name": "x", "data": "y"})),
        )
        .await;
    assert_eq!(
        no_flags.status, 422,
        "the description requires flags and tag on TXT records"
    );
    let bad = api
        .call(
            "POST",
            records,
            Some(json!({"type": "CNAME", "name": "x", "data": "nodot"})),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["message"], "Data needs to end with a dot (.)");
    let a_records = api
        .expect(200, "GET", &format!("{records}?type=A"), None)
        .await;
    assert_eq!(a_records["meta"]["total"], 2, "the apex A record and www");
    let www = api
        .expect(
            200,
            "GET",
            &format!("{records}?name=www.example.com&type=A"),
            None,
        )
        .await;
    assert_eq!(www["domain_records"][0]["data"], "192.0.2.20");
    let all = api
        .expect(200, "GET", &format!("{records}?per_page=200"), None)
        .await;
    assert_eq!(
        all["meta"]["total"],
        4 + 1 + 7,
        "NS x3, SOA, the apex A, and seven created"
    );
    let a = created[0];
    api.expect(200, "GET", &format!("{records}/{a}"), None)
        .await;
    let put = api
        .expect(
            200,
            "PUT",
            &format!("{records}/{a}"),
            Some(json!({"type": "A", "name": "www", "data": "192.0.2.30"})),
        )
        .await;
    assert_eq!(put["domain_record"]["data"], "192.0.2.30");
    let patched = api
        .expect(
            200,
            "PATCH",
            &format!("{records}/{a}"),
            Some(json!({"type": "A", "ttl": 600})),
        )
        .await;
    assert_eq!(patched["domain_record"]["ttl"], 600);
    api.expect(204, "DELETE", &format!("{records}/{a}"), None)
        .await;
    api.expect(404, "GET", &format!("{records}/{a}"), None)
        .await;
    api.expect(204, "DELETE", "/v2/domains/example.com", None)
        .await;
    api.expect(404, "GET", "/v2/domains/example.com/records", None)
        .await;
}

async fn reserved_ips(api: &Api, ids: &[u64]) {
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

async fn tags(api: &Api, ids: &[u64]) {
    api.expect(201, "POST", "/v2/tags", Some(json!({"name": "frontend"})))
        .await;
    api.expect(422, "POST", "/v2/tags", Some(json!({"name": "not valid!"})))
        .await;
    let volume = api
        .expect(
            201,
            "POST",
            "/v2/volumes",
            Some(json!({"name": "tagged", "size_gigabytes": 1, "region": "nyc3"})),
        )
        .await;
    let volume_id = volume["volume"]["id"].as_str().unwrap().to_string();
    let resources = json!({"resources": [
        {"resource_id": ids[0].to_string(), "resource_type": "droplet"},
        {"resource_id": volume_id, "resource_type": "volume"},
    ]});
    api.expect(
        204,
        "POST",
        "/v2/tags/frontend/resources",
        Some(resources.clone()),
    )
    .await;
    let tag = api.expect(200, "GET", "/v2/tags/frontend", None).await;
    assert_eq!(tag["tag"]["resources"]["count"], 2);
    assert_eq!(tag["tag"]["resources"]["droplets"]["count"], 1);
    let tagged = api
        .expect(200, "GET", "/v2/droplets?tag_name=frontend", None)
        .await;
    assert_eq!(tagged["meta"]["total"], 1);
    api.expect(200, "GET", "/v2/tags", None).await;
    api.expect(
        204,
        "DELETE",
        "/v2/tags/frontend/resources",
        Some(resources),
    )
    .await;
    api.expect(204, "DELETE", "/v2/tags/frontend", None).await;
    api.expect(404, "GET", "/v2/tags/frontend", None).await;
    api.expect(204, "DELETE", &format!("/v2/volumes/{volume_id}"), None)
        .await;
}

async fn load_balancers(api: &Api, ids: &[u64], vpc: &Value) {
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
    api.expect(422, "POST", "/v2/load_balancers", Some(json!({
        "name": "both", "region": "nyc3", "forwarding_rules": [http(80)], "droplet_ids": [ids[0]], "tag": "web",
    })))
    .await;
    let path = format!("/v2/load_balancers/{}", created["id"].as_str().unwrap());
    api.wait_until(&path, |b| b["load_balancer"]["status"] == "active")
        .await;
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

async fn faults(emulator: &Emulator, api: &Api) {
    emulator
        .update_knobs(|k| {
            k.throttle = Some(Throttle {
                every: 1,
                duration_ms: 60_000,
            })
        })
        .unwrap();
    let refused = api.call("GET", "/v2/account", None).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.body["id"], "too_many_requests");
    assert!(refused.headers.contains_key("retry-after"));
    emulator.update_knobs(|k| k.throttle = None).unwrap();
    emulator
        .update_knobs(|k| {
            k.fail = vec![FailRule {
                method: Some("GET".into()),
                path: "/v2/sizes".into(),
                status: 500,
                times: Some(1),
            }]
        })
        .unwrap();
    assert_eq!(api.call("GET", "/v2/sizes", None).await.status, 500);
    assert_eq!(
        api.call("GET", "/v2/sizes", None).await.status,
        200,
        "the rule retires after one use"
    );
}

async fn cleanup(api: &Api, ids: &[u64], vpc: &Value) {
    let vpc_path = format!("/v2/vpcs/{}", vpc.as_str().unwrap());
    let members = api
        .expect(200, "GET", &format!("{vpc_path}/members"), None)
        .await;
    assert_eq!(members["meta"]["total"], 1, "web-1 is in the VPC");
    let refused = api.call("DELETE", &vpc_path, None).await;
    assert_eq!(refused.status, 403);
    api.expect(204, "DELETE", &format!("/v2/droplets/{}", ids[0]), None)
        .await;
    api.expect(422, "DELETE", "/v2/droplets", None).await;
    api.expect(204, "DELETE", "/v2/droplets?tag_name=web", None)
        .await;
    let left = api.expect(200, "GET", "/v2/droplets", None).await;
    assert_eq!(left["meta"]["total"], 0);
    api.expect(204, "DELETE", &vpc_path, None).await;
}

#[tokio::test]
async fn every_exchange_of_a_full_scenario_matches_the_official_description() {
    let Some(spec) = openapi::load_or_skip() else {
        return;
    };
    let (emulator, api) = start().await;
    catalogue(&api).await;
    let (key, fingerprint, vpc) = keys_and_vpcs(&api).await;
    let ids = droplets(&api, &key, &fingerprint, &vpc).await;
    droplet_actions(&emulator, &api, &ids).await;
    firewalls(&api, &ids).await;
    volumes(&api, &ids).await;
    databases(&api, &ids, &vpc).await;
    domains(&api).await;
    reserved_ips(&api, &ids).await;
    tags(&api, &ids).await;
    load_balancers(&api, &ids, &vpc).await;
    faults(&emulator, &api).await;
    cleanup(&api, &ids, &vpc).await;
    api.expect(204, "DELETE", &format!("/v2/account/keys/{key}"), None)
        .await;

    let exchanges = emulator.exchanges();
    let mut problems = Vec::new();
    let mut exercised = BTreeSet::new();
    for exchange in &exchanges {
        let (op, found) = check_exchange(&spec, exchange);
        if let Some(op) = op {
            if exchange.status < 300 {
                exercised.insert(op);
            }
        }
        for problem in found {
            problems.push(format!(
                "{} {} -> {}: {problem}",
                exchange.method, exchange.path, exchange.status
            ));
        }
    }
    // The deliberate request to an unknown path has no operation; it is the only one allowed.
    problems.retain(|p| !p.starts_with("GET /v2/no-such-path"));
    assert!(
        problems.is_empty(),
        "{} of {} exchanges break the description:\n{}",
        problems.len(),
        exchanges.len(),
        problems.join("\n")
    );
    let missing: Vec<&&str> = SERVED
        .iter()
        .filter(|op| !exercised.contains(**op))
        .collect();
    assert!(
        missing.is_empty(),
        "operations never exercised: {missing:?}"
    );
    assert!(
        exchanges.len() > 200,
        "the scenario recorded {} exchanges",
        exchanges.len()
    );
}
