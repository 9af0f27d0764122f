//! Actions: the asynchronous events behind Droplet, volume and reserved IP changes. An action is
//! `in-progress` until its time comes (the `action_delay_ms` knob), then `completed`, and only
//! then does its effect show on the object. Endpoints: `GET /v2/actions` and
//! `GET /v2/actions/{action_id}`.

use std::net::Ipv4Addr;
use std::time::Instant;

use axum::extract::{Path, State};
use serde_json::{json, Value};

use crate::catalog;
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::reply::{int_id, ok, RequestUrl};
use crate::resources::now;
use crate::state::App;
use crate::store::{Store, Timing};

/// What completing an action does to the account.
#[derive(Debug, Clone)]
pub(crate) enum Effect {
    /// Nothing beyond completing (a reboot, a password reset).
    Nothing,
    /// The Droplet's status becomes this (`active` after create and power-on, `off` after
    /// power-off).
    DropletStatus {
        droplet: u64,
        status: &'static str,
    },
    /// The Droplet takes the new size, and its disk grows with it when `disk` is set.
    Resize {
        droplet: u64,
        size: String,
        disk: bool,
    },
    Rename {
        droplet: u64,
        name: String,
    },
    Backups {
        droplet: u64,
        enabled: bool,
    },
    EnableIpv6 {
        droplet: u64,
    },
    Rebuild {
        droplet: u64,
        image: u64,
    },
    Attach {
        volume: String,
        droplet: u64,
    },
    Detach {
        volume: String,
        droplet: u64,
    },
    ResizeVolume {
        volume: String,
        size_gigabytes: u64,
    },
    Assign {
        ip: Ipv4Addr,
        droplet: u64,
    },
    Unassign {
        ip: Ipv4Addr,
    },
}

/// A stored action.
#[derive(Debug, Clone)]
pub(crate) struct Action {
    pub id: u64,
    pub kind: String,
    pub status: &'static str,
    pub started_at: String,
    pub completed_at: Option<String>,
    pub resource_id: Option<u64>,
    pub resource_type: &'static str,
    pub region: Option<String>,
    /// The volume a volume action is about (volume ids are not integers).
    pub volume: Option<String>,
    /// When it completes; never when `None` (a stalled action).
    pub ready_at: Option<Instant>,
    effect: Effect,
}

/// What a new action is about.
pub(crate) struct NewAction {
    pub kind: &'static str,
    pub resource_type: &'static str,
    pub resource_id: Option<u64>,
    pub region: Option<String>,
    pub effect: Effect,
}

/// Starts an action; it completes after the configured delay (or never, when its kind stalls).
/// A Droplet's action locks the Droplet until it completes.
pub(crate) fn start(store: &mut Store, timing: &Timing, new: NewAction) -> u64 {
    let id = store.int_id();
    if new.resource_type == "droplet" {
        if let Some(droplet) = new.resource_id.and_then(|d| store.droplets.get_mut(&d)) {
            droplet.pending_action = Some(id);
        }
    }
    store.actions.insert(
        id,
        Action {
            id,
            kind: new.kind.to_string(),
            status: "in-progress",
            started_at: now(),
            completed_at: None,
            resource_id: new.resource_id,
            resource_type: new.resource_type,
            region: new.region,
            volume: None,
            ready_at: timing.ready_at(new.kind),
            effect: new.effect,
        },
    );
    store.pending.insert(id);
    id
}

/// Completes an action and applies its effect to whatever still exists.
pub(crate) fn complete(store: &mut Store, id: u64) {
    store.pending.remove(&id);
    let Some(action) = store.actions.get_mut(&id) else {
        return;
    };
    action.status = "completed";
    action.completed_at = Some(now());
    let effect = action.effect.clone();
    for droplet in store.droplets.values_mut() {
        if droplet.pending_action == Some(id) {
            droplet.pending_action = None;
        }
    }
    apply(store, effect);
}

fn apply(store: &mut Store, effect: Effect) {
    match effect {
        Effect::Nothing => {}
        Effect::DropletStatus { droplet, status } => {
            if let Some(d) = store.droplets.get_mut(&droplet) {
                d.status = status;
            }
        }
        Effect::Resize {
            droplet,
            size,
            disk,
        } => {
            if let Some(d) = store.droplets.get_mut(&droplet) {
                if disk {
                    d.disk = catalog::size(&size).map_or(d.disk, |s| s.disk);
                }
                d.size = size;
            }
        }
        Effect::Rename { droplet, name } => {
            if let Some(d) = store.droplets.get_mut(&droplet) {
                d.name = name;
            }
        }
        Effect::Backups { droplet, enabled } => {
            if let Some(d) = store.droplets.get_mut(&droplet) {
                d.backups = enabled;
            }
        }
        Effect::EnableIpv6 { droplet } => {
            if store
                .droplets
                .get(&droplet)
                .is_some_and(|d| d.ipv6.is_none())
            {
                let address = store.ipv6();
                if let Some(d) = store.droplets.get_mut(&droplet) {
                    d.ipv6 = Some(address);
                }
            }
        }
        Effect::Rebuild { droplet, image } => {
            if let Some(d) = store.droplets.get_mut(&droplet) {
                d.image = image;
                d.status = "active";
            }
        }
        Effect::Attach { volume, droplet } => {
            if store.droplets.contains_key(&droplet) {
                if let Some(v) = store.volumes.get_mut(&volume) {
                    if !v.droplet_ids.contains(&droplet) {
                        v.droplet_ids.push(droplet);
                    }
                }
            }
        }
        Effect::Detach { volume, droplet } => {
            if let Some(v) = store.volumes.get_mut(&volume) {
                v.droplet_ids.retain(|d| *d != droplet);
            }
        }
        Effect::ResizeVolume {
            volume,
            size_gigabytes,
        } => {
            if let Some(v) = store.volumes.get_mut(&volume) {
                v.size_gigabytes = size_gigabytes;
            }
        }
        Effect::Assign { ip, droplet } => {
            let exists = store.droplets.contains_key(&droplet);
            if let Some(r) = store.reserved_ips.get_mut(&ip) {
                r.droplet_id = exists.then_some(droplet);
            }
        }
        Effect::Unassign { ip } => {
            if let Some(r) = store.reserved_ips.get_mut(&ip) {
                r.droplet_id = None;
            }
        }
    }
}

/// An action as DigitalOcean renders it (without a `region` object when it has no region: the
/// schema wants an object there, never null).
pub(crate) fn render(action: &Action) -> Value {
    let mut value = json!({
        "id": action.id,
        "status": action.status,
        "type": action.kind,
        "started_at": action.started_at,
        "completed_at": action.completed_at,
        "resource_id": action.resource_id,
        "resource_type": action.resource_type,
        "region_slug": action.region,
    });
    if let Some(region) = &action.region {
        value["region"] = catalog::region_json(region);
    }
    value
}

/// An action link (`{"id", "rel", "href"}`) as create responses carry them.
pub(crate) fn link(base: &str, id: u64, rel: &str) -> Value {
    json!({ "id": id, "rel": rel, "href": format!("{base}/v2/actions/{id}") })
}

/// `GET /v2/actions`.
pub(crate) async fn list(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let store = app.store();
    let actions: Vec<&Action> = store.actions.values().collect();
    Ok(ok(paginate("actions", &actions, &url, |a| render(a))?))
}

/// `GET /v2/actions/{action_id}`.
pub(crate) async fn get(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    let action = store
        .actions
        .get(&int_id(&id)?)
        .ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "action": render(action) })))
}
