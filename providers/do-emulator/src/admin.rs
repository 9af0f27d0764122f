//! The admin API under `/_emulator` (a path DigitalOcean does not use, needing no token): read
//! and change the knobs while the emulator runs, list every object, count requests per path,
//! read the recorded exchanges, and change state out of band (delete an object, set a Droplet's
//! status, drop everything).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::knobs::Knobs;
use crate::reply::RequestUrl;
use crate::state::App;
use crate::store::Store;

/// The admin routes.
pub(crate) fn router() -> Router<App> {
    Router::new()
        .route("/_emulator/knobs", get(get_knobs).patch(patch_knobs))
        .route("/_emulator/state", get(state))
        .route("/_emulator/requests", get(requests).delete(reset_requests))
        .route(
            "/_emulator/exchanges",
            get(exchanges).delete(clear_exchanges),
        )
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/objects/{kind}/{id}", delete(delete_object))
        .route("/_emulator/droplets/{id}/status", post(set_droplet_status))
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

async fn get_knobs(State(app): State<App>) -> Json<Knobs> {
    Json(app.knobs())
}

/// Merges the given fields into the knobs; a `throttle` set here starts now.
pub(crate) fn merge_knobs(current: &Knobs, patch: Value) -> Result<Knobs, String> {
    let Value::Object(patch) = patch else {
        return Err("the body must be a JSON object of knobs".into());
    };
    let mut merged = serde_json::to_value(current).map_err(|e| e.to_string())?;
    for (key, value) in patch {
        merged[key] = value;
    }
    let knobs: Knobs = serde_json::from_value(merged).map_err(|e| e.to_string())?;
    knobs.check()?;
    Ok(knobs)
}

async fn patch_knobs(State(app): State<App>, Json(patch): Json<Value>) -> Response {
    match merge_knobs(&app.knobs(), patch) {
        Ok(knobs) => {
            app.set_knobs(knobs.clone());
            Json(knobs).into_response()
        }
        Err(message) => bad_request(message),
    }
}

async fn state(State(app): State<App>, url: RequestUrl) -> Json<Value> {
    Json(app.store().snapshot(&url.base))
}

async fn requests(State(app): State<App>) -> Json<Value> {
    let traffic = app.traffic();
    Json(json!({ "total": traffic.counts.values().sum::<u64>(), "counts": traffic.counts }))
}

async fn reset_requests(State(app): State<App>) -> StatusCode {
    app.traffic().counts.clear();
    StatusCode::NO_CONTENT
}

async fn exchanges(State(app): State<App>) -> Json<Value> {
    Json(json!(app.traffic().exchanges))
}

async fn clear_exchanges(State(app): State<App>) -> StatusCode {
    app.traffic().exchanges.clear();
    StatusCode::NO_CONTENT
}

async fn reset(State(app): State<App>) -> StatusCode {
    app.reset();
    StatusCode::NO_CONTENT
}

/// Removes an object as if it vanished outside the API; references to a Droplet go with it.
pub(crate) fn remove_object(store: &mut Store, kind: &str, id: &str) -> bool {
    match kind {
        "droplets" => match id.parse::<u64>() {
            Ok(n) if store.droplets.contains_key(&n) => {
                crate::resources::droplets::remove(store, n);
                true
            }
            _ => false,
        },
        "ssh_keys" => id
            .parse::<u64>()
            .is_ok_and(|n| store.ssh_keys.remove(&n).is_some()),
        "domain_records" => id
            .parse::<u64>()
            .is_ok_and(|n| store.records.remove(&n).is_some()),
        "vpcs" => store.vpcs.remove(id).is_some(),
        "firewalls" => store.firewalls.remove(id).is_some(),
        "volumes" => store.volumes.remove(id).is_some(),
        "databases" => store.databases.remove(id).is_some(),
        "load_balancers" => store.load_balancers.remove(id).is_some(),
        "domains" => {
            store.records.retain(|_, r| r.domain != id);
            store.domains.remove(id).is_some()
        }
        "reserved_ips" => id
            .parse()
            .is_ok_and(|ip| store.reserved_ips.remove(&ip).is_some()),
        "tags" => store.tags.remove(id),
        _ => false,
    }
}

async fn delete_object(
    State(app): State<App>,
    Path((kind, id)): Path<(String, String)>,
) -> StatusCode {
    if remove_object(&mut app.store(), &kind, &id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

#[derive(Deserialize)]
struct DropletStatus {
    status: String,
}

/// Sets a Droplet's status (`new`, `active`, `off`, `archive`) out of band.
pub(crate) fn droplet_status(store: &mut Store, id: u64, status: &str) -> Result<bool, String> {
    let status: &'static str = match status {
        "new" => "new",
        "active" => "active",
        "off" => "off",
        "archive" => "archive",
        other => return Err(format!("{other:?} is not a Droplet status")),
    };
    Ok(match store.droplets.get_mut(&id) {
        Some(droplet) => {
            droplet.status = status;
            true
        }
        None => false,
    })
}

async fn set_droplet_status(
    State(app): State<App>,
    Path(id): Path<u64>,
    Json(body): Json<DropletStatus>,
) -> Response {
    match droplet_status(&mut app.store(), id, &body.status) {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => StatusCode::NOT_FOUND.into_response(),
        Err(message) => bad_request(message),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::merge_knobs;
    use crate::knobs::Knobs;

    #[test]
    fn merging_knobs_changes_only_the_given_fields_and_checks_them() {
        let current = Knobs {
            action_delay_ms: 7,
            record: true,
            ..Knobs::default()
        };
        let merged = merge_knobs(&current, json!({"latency_ms": 50})).unwrap();
        assert_eq!(merged.action_delay_ms, 7);
        assert_eq!(merged.latency_ms, 50);
        assert!(merged.record);
        assert!(merge_knobs(&current, json!({"fail_rate": -0.1})).is_err());
        assert!(merge_knobs(&current, json!({"fail": [{"path": "("}]})).is_err());
        assert!(merge_knobs(
            &current,
            json!({"throttle": {"every": 0, "duration_ms": 1}})
        )
        .is_err());
        assert!(merge_knobs(&current, json!([1])).is_err());
    }
}
