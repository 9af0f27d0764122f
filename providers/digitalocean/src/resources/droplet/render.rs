//! A Droplet as DigitalOcean answers it, turned into the `digitalocean_droplet` state: sizes and
//! prices from its size, addresses from its networks, `backups`, `ipv6` and `monitoring` from its
//! features, and the user's tags without plinth's intent tag. What DigitalOcean never returns
//! (`ssh_keys`, `user_data`, `resize_disk`, `graceful_shutdown`, `droplet_agent`) is kept from
//! the prior value.

use plinth_sdk::Value;
use serde_json::Value as Json;

use crate::attrs::{self, State};
use crate::intent;

/// The state of a Droplet; `prior` is the configuration or the object as state has it.
pub fn state(json: &Json, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let id = attrs::json_id(json).unwrap_or_default();
    let features: Vec<&str> = json
        .get("features")
        .and_then(Json::as_array)
        .map(|f| f.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    let size = json.get("size").cloned().unwrap_or(Json::Null);
    let ipv6_address = address(json, "v6", "public");
    state
        .set("id", id.as_str())
        .set("urn", format!("do:droplet:{id}"))
        .set("name", attrs::json_string(json, "name"))
        .set("size", attrs::json_string(json, "size_slug"))
        .set("image", image(json, prior))
        .set(
            "region",
            json.pointer("/region/slug")
                .and_then(Json::as_str)
                .map_or(Value::Null, Value::from),
        )
        .set("status", attrs::json_string(json, "status"))
        .set("locked", attrs::json_bool(json, "locked"))
        .set("created_at", attrs::json_string(json, "created_at"))
        .set("disk", attrs::json_number(json, "disk"))
        .set("vcpus", attrs::json_number(json, "vcpus"))
        .set("memory", attrs::json_number(json, "memory"))
        .set("price_hourly", attrs::json_number(&size, "price_hourly"))
        .set("price_monthly", attrs::json_number(&size, "price_monthly"))
        .set(
            "ipv4_address",
            address(json, "v4", "public").map_or(Value::Null, Value::from),
        )
        .set(
            "ipv4_address_private",
            address(json, "v4", "private").map_or(Value::Null, Value::from),
        )
        .set("ipv6", ipv6_address.is_some() || features.contains(&"ipv6"))
        .set(
            "ipv6_address",
            ipv6_address.map_or(Value::Null, Value::from),
        )
        .set("backups", features.contains(&"backups"))
        .set("monitoring", features.contains(&"monitoring"))
        .set("private_networking", true)
        .set_collection("tags", attrs::string_set(intent::user_tags(json)))
        .set("vpc_uuid", attrs::json_string(json, "vpc_uuid"))
        .set("volume_ids", attrs::json_string_set(json, "volume_ids"))
        .fill("resize_disk", true)
        .fill("graceful_shutdown", false);
    state.build()
}

/// The image as configured when it is still the Droplet's (by slug or id), else its slug (or
/// id when it has none).
fn image(json: &Json, prior: &Value) -> Value {
    let slug = json.pointer("/image/slug").and_then(Json::as_str);
    let id = json
        .pointer("/image/id")
        .and_then(Json::as_u64)
        .map(|id| id.to_string());
    if let Some(configured) = attrs::string(prior, "image") {
        if Some(configured) == slug || Some(configured) == id.as_deref() {
            return Value::from(configured);
        }
    }
    match (slug, id) {
        (Some(slug), _) => Value::from(slug),
        (None, Some(id)) => Value::from(id),
        (None, None) => prior.get("image").cloned().unwrap_or(Value::Null),
    }
}

/// The first address of a kind (`v4`/`v6`) and type (`public`/`private`).
fn address(json: &Json, version: &str, kind: &str) -> Option<String> {
    json.pointer(&format!("/networks/{version}"))
        .and_then(Json::as_array)?
        .iter()
        .find(|n| n.get("type").and_then(Json::as_str) == Some(kind))
        .and_then(|n| n.get("ip_address"))
        .and_then(Json::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn state_reads_addresses_features_and_hides_intent_tags() {
        let json = json!({
            "id": 300000001, "name": "web", "size_slug": "s-1vcpu-1gb", "status": "active",
            "disk": 25, "vcpus": 1, "memory": 1024, "locked": false,
            "size": {"price_hourly": 0.00893, "price_monthly": 6.0},
            "image": {"id": 129211873, "slug": "ubuntu-22-04-x64"},
            "region": {"slug": "nyc3"},
            "features": ["private_networking", "backups"],
            "networks": {"v4": [
                {"ip_address": "10.100.0.2", "type": "private"},
                {"ip_address": "198.18.0.10", "type": "public"}
            ], "v6": []},
            "tags": ["web", "plinth-intent:ab"], "vpc_uuid": "v-1", "volume_ids": []
        });
        let prior = Value::object([
            ("image", Value::from("129211873")),
            ("user_data", Value::from("#cloud-config")),
        ]);
        let state = state(&json, &prior);
        assert_eq!(state.get("id"), Some(&Value::from("300000001")));
        assert_eq!(state.get("image"), Some(&Value::from("129211873")));
        assert_eq!(state.get("ipv4_address"), Some(&Value::from("198.18.0.10")));
        assert_eq!(
            state.get("ipv4_address_private"),
            Some(&Value::from("10.100.0.2"))
        );
        assert_eq!(state.get("backups"), Some(&Value::Bool(true)));
        assert_eq!(state.get("ipv6"), Some(&Value::Bool(false)));
        assert_eq!(
            state.get("tags"),
            Some(&Value::set(vec![Value::from("web")]))
        );
        assert_eq!(state.get("user_data"), Some(&Value::from("#cloud-config")));
        assert_eq!(state.get("resize_disk"), Some(&Value::Bool(true)));
    }
}
