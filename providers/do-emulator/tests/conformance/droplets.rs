//! The scenario's Droplets and their actions.

use plinth_do_emulator::Emulator;
use serde_json::{json, Value};

use crate::support::client::Api;

/// Creates three Droplets; returns their ids.
pub async fn droplets(api: &Api, key: &Value, fingerprint: &Value, vpc: &Value) -> Vec<u64> {
    let one = api
        .expect(202, "POST", "/v2/droplets", Some(json!({
            "name": "web-1", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-22-04-x64",
            "ssh_keys": [key], "vpc_uuid": vpc, "tags": ["plinth-intent:abc", "web"],
            "monitoring": true, "ipv6": true, "user_data": "#!/bin/sh\necho hi\n",
        })))
        .await;
    assert_eq!(one["droplet"]["status"], "new");
    assert_eq!(
        one["droplet"]["networks"]["v4"],
        json!([]),
        "addresses show once the Droplet is active"
    );
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

pub async fn droplet_actions(emulator: &Emulator, api: &Api, ids: &[u64]) {
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
