//! Droplet actions: `POST /v2/droplets/{id}/actions` (power, resize with or without disk,
//! rename, backups, IPv6, rebuild, ...), `POST /v2/droplets/actions?tag_name=` for every tagged
//! Droplet, and the Droplet's action list and single action. As on DigitalOcean, a Droplet with an
//! action in progress refuses another (422), and a resize needs the Droplet powered off.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use crate::catalog;
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::reply::{int_id, json, ok, Body, RequestUrl};
use crate::resources::actions::{self, Action, Effect, NewAction};
use crate::resources::check_hostname;
use crate::resources::droplets::IdOrSlug;
use crate::state::App;
use crate::store::{Store, Timing};

#[derive(Deserialize)]
pub(crate) struct DropletAction {
    #[serde(rename = "type")]
    kind: String,
    size: Option<String>,
    #[serde(default)]
    disk: bool,
    name: Option<String>,
    image: Option<IdOrSlug>,
}

/// Action types `POST /v2/droplets/actions?tag_name=` accepts.
const BY_TAG: &[&str] = &[
    "enable_backups",
    "disable_backups",
    "power_cycle",
    "power_on",
    "power_off",
    "shutdown",
    "enable_ipv6",
];

/// Checks that the action can run on the Droplet now and works out its effect.
fn plan(
    store: &Store,
    droplet: u64,
    req: &DropletAction,
) -> Result<(&'static str, Effect), ApiError> {
    let d = store
        .droplets
        .get(&droplet)
        .ok_or_else(ApiError::not_found)?;
    if d.pending_action.is_some() {
        return Err(ApiError::unprocessable(
            "Droplet already has a pending event.",
        ));
    }
    let status = |status: &'static str| Effect::DropletStatus { droplet, status };
    Ok(match req.kind.as_str() {
        "power_off" | "shutdown" => {
            if d.status == "off" {
                return Err(ApiError::unprocessable("Droplet is already powered off."));
            }
            (
                if req.kind == "power_off" {
                    "power_off"
                } else {
                    "shutdown"
                },
                status("off"),
            )
        }
        "power_on" => {
            if d.status == "active" {
                return Err(ApiError::unprocessable("Droplet is already powered on."));
            }
            ("power_on", status("active"))
        }
        "reboot" => {
            if d.status != "active" {
                return Err(ApiError::unprocessable("Droplet is not powered on."));
            }
            ("reboot", status("active"))
        }
        "power_cycle" => ("power_cycle", status("active")),
        "password_reset" => ("password_reset", Effect::Nothing),
        "enable_private_networking" => ("enable_private_networking", Effect::Nothing),
        "enable_backups" => (
            "enable_backups",
            Effect::Backups {
                droplet,
                enabled: true,
            },
        ),
        "disable_backups" => (
            "disable_backups",
            Effect::Backups {
                droplet,
                enabled: false,
            },
        ),
        "enable_ipv6" => ("enable_ipv6", Effect::EnableIpv6 { droplet }),
        "rename" => {
            let name = req
                .name
                .clone()
                .ok_or_else(|| ApiError::unprocessable("name is required to rename a Droplet"))?;
            check_hostname("Droplet", &name)?;
            ("rename", Effect::Rename { droplet, name })
        }
        "rebuild" => {
            let image = req
                .image
                .as_ref()
                .and_then(|i| catalog::image(&i.text()))
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "You specified an invalid image to rebuild the Droplet with.",
                    )
                })?;
            (
                "rebuild",
                Effect::Rebuild {
                    droplet,
                    image: image.id,
                },
            )
        }
        "resize" => {
            let slug = req.size.as_deref().unwrap_or_default();
            let size = catalog::size(slug).ok_or_else(|| {
                ApiError::unprocessable(format!(
                    "You specified an invalid size {slug:?} to resize the Droplet to."
                ))
            })?;
            if d.status != "off" {
                return Err(ApiError::unprocessable(
                    "Droplet is currently on. Please power it off to run this event.",
                ));
            }
            if size.disk < d.disk {
                return Err(ApiError::unprocessable(format!(
                    "The size {} has a {} GB disk, smaller than the Droplet's {} GB disk: a Droplet's disk cannot shrink.",
                    size.slug, size.disk, d.disk
                )));
            }
            (
                "resize",
                Effect::Resize {
                    droplet,
                    size: size.slug.to_string(),
                    disk: req.disk,
                },
            )
        }
        "restore" | "change_kernel" | "snapshot" => {
            return Err(ApiError::unprocessable(format!(
                "the emulator does not implement the {} action",
                req.kind
            )))
        }
        other => {
            return Err(ApiError::unprocessable(format!(
                "{other:?} is not a valid Droplet action type"
            )))
        }
    })
}

fn run(
    store: &mut Store,
    timing: &Timing,
    droplet: u64,
    kind: &'static str,
    effect: Effect,
) -> u64 {
    let region = store.droplets.get(&droplet).map(|d| d.region.clone());
    actions::start(
        store,
        timing,
        NewAction {
            kind,
            resource_type: "droplet",
            resource_id: Some(droplet),
            region,
            effect,
        },
    )
}

/// `POST /v2/droplets/{droplet_id}/actions`.
pub(crate) async fn post(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<DropletAction>,
) -> ApiResult {
    let droplet = int_id(&id)?;
    let timing = app.timing();
    let mut store = app.store();
    let (kind, effect) = plan(&store, droplet, &req)?;
    let action = run(&mut store, &timing, droplet, kind, effect);
    Ok(json(
        StatusCode::CREATED,
        json!({ "action": actions::render(&store.actions[&action]) }),
    ))
}

/// `POST /v2/droplets/actions?tag_name=`: the action on every Droplet with the tag; refused
/// whole when any of them cannot take it.
pub(crate) async fn post_by_tag(
    State(app): State<App>,
    url: RequestUrl,
    Body(req): Body<DropletAction>,
) -> ApiResult {
    let tag = url
        .query
        .get("tag_name")
        .ok_or_else(|| ApiError::unprocessable("tag_name is required"))?
        .to_string();
    if !BY_TAG.contains(&req.kind.as_str()) {
        return Err(ApiError::unprocessable(format!(
            "{:?} cannot be run by tag; the types that can are {}",
            req.kind,
            BY_TAG.join(", ")
        )));
    }
    let timing = app.timing();
    let mut store = app.store();
    let ids: Vec<u64> = store
        .droplets
        .values()
        .filter(|d| d.tags.contains(&tag))
        .map(|d| d.id)
        .collect();
    let mut planned = Vec::new();
    for id in &ids {
        planned.push((*id, plan(&store, *id, &req)?));
    }
    let mut rendered = Vec::new();
    for (id, (kind, effect)) in planned {
        let action = run(&mut store, &timing, id, kind, effect);
        rendered.push(actions::render(&store.actions[&action]));
    }
    Ok(json(StatusCode::CREATED, json!({ "actions": rendered })))
}

fn droplet_actions(store: &Store, droplet: u64) -> Vec<&Action> {
    store
        .actions
        .values()
        .filter(|a| a.resource_type == "droplet" && a.resource_id == Some(droplet))
        .collect()
}

/// `GET /v2/droplets/{droplet_id}/actions`.
pub(crate) async fn list(
    State(app): State<App>,
    Path(id): Path<String>,
    url: RequestUrl,
) -> ApiResult {
    let droplet = int_id(&id)?;
    let store = app.store();
    if !store.droplets.contains_key(&droplet) {
        return Err(ApiError::not_found());
    }
    let list = droplet_actions(&store, droplet);
    Ok(ok(paginate("actions", &list, &url, |a| {
        actions::render(a)
    })?))
}

/// `GET /v2/droplets/{droplet_id}/actions/{action_id}`.
pub(crate) async fn get(
    State(app): State<App>,
    Path((id, action)): Path<(String, String)>,
) -> ApiResult {
    let droplet = int_id(&id)?;
    let action = int_id(&action)?;
    let store = app.store();
    let found = store
        .actions
        .get(&action)
        .filter(|a| a.resource_type == "droplet" && a.resource_id == Some(droplet))
        .ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "action": actions::render(found) })))
}
