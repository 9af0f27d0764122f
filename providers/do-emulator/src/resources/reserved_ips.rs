//! Reserved IPs: `/v2/reserved_ips` (list, create in a region or assigned to a Droplet),
//! `/v2/reserved_ips/{ip}` (get, delete) and their actions (`assign`, `unassign`). Creating one
//! for a Droplet starts an `assign_ip` action; the address follows the action's completion.

use std::net::Ipv4Addr;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::catalog;
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::reply::{int_id, json, no_content, ok, Body, RequestUrl};
use crate::resources::actions::{self, Action, Effect, NewAction};
use crate::resources::droplets;
use crate::state::App;
use crate::store::Store;

/// A stored reserved IP.
pub(crate) struct ReservedIp {
    pub ip: Ipv4Addr,
    pub region: String,
    pub droplet_id: Option<u64>,
}

/// A reserved IP as DigitalOcean renders it (the whole Droplet when assigned, else null).
pub(crate) fn render(store: &Store, r: &ReservedIp) -> Value {
    let droplet = r
        .droplet_id
        .and_then(|id| store.droplets.get(&id))
        .map_or(Value::Null, |d| droplets::render(store, d));
    json!({
        "ip": r.ip.to_string(),
        "region": catalog::region_json(&r.region),
        "droplet": droplet,
        "locked": is_locked(store, r.ip),
        "project_id": "00000000-d0e0-4e11-8a70-0000000000aa",
    })
}

/// Whether an action on the address is still in progress.
fn is_locked(store: &Store, ip: Ipv4Addr) -> bool {
    store.pending.iter().any(|id| {
        store.actions.get(id).is_some_and(|a| {
            a.resource_type == "reserved_ip" && a.resource_id == Some(u64::from(u32::from(ip)))
        })
    })
}

fn parse_ip(text: &str) -> Result<Ipv4Addr, ApiError> {
    text.parse().map_err(|_| ApiError::not_found())
}

/// `GET /v2/reserved_ips`.
pub(crate) async fn list(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let store = app.store();
    let ips: Vec<&ReservedIp> = store.reserved_ips.values().collect();
    Ok(ok(paginate("reserved_ips", &ips, &url, |r| {
        render(&store, r)
    })?))
}

#[derive(Deserialize)]
pub(crate) struct CreateReservedIp {
    droplet_id: Option<u64>,
    region: Option<String>,
}

fn start_assignment(
    store: &mut Store,
    timing: &crate::store::Timing,
    ip: Ipv4Addr,
    effect: Effect,
    kind: &'static str,
) -> u64 {
    let region = store.reserved_ips.get(&ip).map(|r| r.region.clone());
    actions::start(
        store,
        timing,
        NewAction {
            kind,
            resource_type: "reserved_ip",
            resource_id: Some(u64::from(u32::from(ip))),
            region,
            effect,
        },
    )
}

/// `POST /v2/reserved_ips`: `droplet_id` (assigned, in the Droplet's region) or `region`.
pub(crate) async fn create(
    State(app): State<App>,
    url: RequestUrl,
    Body(req): Body<CreateReservedIp>,
) -> ApiResult {
    let timing = app.timing();
    let mut store = app.store();
    let (region, droplet) = match (req.droplet_id, req.region) {
        (Some(id), None) => {
            let droplet = store
                .droplets
                .get(&id)
                .ok_or_else(|| ApiError::unprocessable(format!("Droplet {id} does not exist")))?;
            (droplet.region.clone(), Some(id))
        }
        (None, Some(region)) => {
            if catalog::available_region(&region).is_none() {
                return Err(ApiError::unprocessable(format!(
                    "invalid region {region:?}"
                )));
            }
            (region, None)
        }
        _ => {
            return Err(ApiError::unprocessable(
                "give either droplet_id or region, not both",
            ))
        }
    };
    let ip = store.reserved_ip();
    store.reserved_ips.insert(
        ip,
        ReservedIp {
            ip,
            region,
            droplet_id: None,
        },
    );
    let mut links = json!({});
    if let Some(droplet) = droplet {
        let action = start_assignment(
            &mut store,
            &timing,
            ip,
            Effect::Assign { ip, droplet },
            "assign_ip",
        );
        links = json!({
            "droplets": [{ "id": droplet, "rel": "droplet", "href": format!("{}/v2/droplets/{droplet}", url.base) }],
            "actions": [actions::link(&url.base, action, "assign_ip")],
        });
    }
    let body = json!({ "reserved_ip": render(&store, &store.reserved_ips[&ip]), "links": links });
    Ok(json(StatusCode::ACCEPTED, body))
}

/// `GET /v2/reserved_ips/{reserved_ip}`.
pub(crate) async fn get(State(app): State<App>, Path(ip): Path<String>) -> ApiResult {
    let store = app.store();
    let reserved = store
        .reserved_ips
        .get(&parse_ip(&ip)?)
        .ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "reserved_ip": render(&store, reserved) })))
}

/// `DELETE /v2/reserved_ips/{reserved_ip}`.
pub(crate) async fn delete(State(app): State<App>, Path(ip): Path<String>) -> ApiResult {
    let mut store = app.store();
    store
        .reserved_ips
        .remove(&parse_ip(&ip)?)
        .ok_or_else(ApiError::not_found)?;
    Ok(no_content())
}

#[derive(Deserialize)]
pub(crate) struct IpAction {
    #[serde(rename = "type")]
    kind: String,
    droplet_id: Option<u64>,
}

/// `POST /v2/reserved_ips/{reserved_ip}/actions`: `assign` (to a Droplet in the same region) or
/// `unassign`.
pub(crate) async fn post_action(
    State(app): State<App>,
    Path(ip): Path<String>,
    Body(req): Body<IpAction>,
) -> ApiResult {
    let ip = parse_ip(&ip)?;
    let timing = app.timing();
    let mut store = app.store();
    let reserved = store
        .reserved_ips
        .get(&ip)
        .ok_or_else(ApiError::not_found)?;
    if is_locked(&store, ip) {
        return Err(ApiError::unprocessable(
            "the reserved IP already has a pending event",
        ));
    }
    let (effect, kind) = match req.kind.as_str() {
        "assign" => {
            let id = req
                .droplet_id
                .ok_or_else(|| ApiError::unprocessable("droplet_id is required to assign"))?;
            let droplet = store
                .droplets
                .get(&id)
                .ok_or_else(|| ApiError::unprocessable(format!("Droplet {id} does not exist")))?;
            if droplet.region != reserved.region {
                return Err(ApiError::unprocessable(format!(
                    "the reserved IP is in {} and the Droplet in {}",
                    reserved.region, droplet.region
                )));
            }
            (Effect::Assign { ip, droplet: id }, "assign_ip")
        }
        "unassign" => {
            if reserved.droplet_id.is_none() {
                return Err(ApiError::unprocessable(
                    "the reserved IP is not assigned to a Droplet",
                ));
            }
            (Effect::Unassign { ip }, "unassign_ip")
        }
        other => {
            return Err(ApiError::unprocessable(format!(
                "{other:?} is not a reserved IP action: use assign or unassign"
            )))
        }
    };
    let action = start_assignment(&mut store, &timing, ip, effect, kind);
    Ok(json(
        StatusCode::CREATED,
        json!({ "action": actions::render(&store.actions[&action]) }),
    ))
}

fn ip_actions(store: &Store, ip: Ipv4Addr) -> Vec<&Action> {
    let id = u64::from(u32::from(ip));
    store
        .actions
        .values()
        .filter(|a| a.resource_type == "reserved_ip" && a.resource_id == Some(id))
        .collect()
}

/// `GET /v2/reserved_ips/{reserved_ip}/actions`.
pub(crate) async fn list_actions(
    State(app): State<App>,
    Path(ip): Path<String>,
    url: RequestUrl,
) -> ApiResult {
    let ip = parse_ip(&ip)?;
    let store = app.store();
    if !store.reserved_ips.contains_key(&ip) {
        return Err(ApiError::not_found());
    }
    let list = ip_actions(&store, ip);
    Ok(ok(paginate("actions", &list, &url, |a| {
        actions::render(a)
    })?))
}

/// `GET /v2/reserved_ips/{reserved_ip}/actions/{action_id}`.
pub(crate) async fn get_action(
    State(app): State<App>,
    Path((ip, action)): Path<(String, String)>,
) -> ApiResult {
    let ip = parse_ip(&ip)?;
    let action = int_id(&action)?;
    let store = app.store();
    let found = ip_actions(&store, ip)
        .into_iter()
        .find(|a| a.id == action)
        .ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "action": actions::render(found) })))
}
