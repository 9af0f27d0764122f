//! Block storage volumes: `/v2/volumes` (list by `name`/`region`, create, delete by name and
//! region), `/v2/volumes/{id}` (get, delete), and volume actions (attach, detach, resize) by id
//! or by name through `/v2/volumes/actions`. Attaching needs the Droplet in the volume's region;
//! an attached volume cannot be deleted (409).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::catalog;
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::reply::{int_id, json, no_content, ok, Body, RequestUrl};
use crate::resources::actions::{self, Action, Effect, NewAction};
use crate::resources::{check_tags, now};
use crate::state::App;
use crate::store::Store;

/// The most volumes one Droplet can have attached.
const MAX_ATTACHED: usize = 7;

/// A stored volume.
pub(crate) struct Volume {
    pub id: String,
    pub name: String,
    pub description: String,
    pub size_gigabytes: u64,
    pub region: String,
    pub created_at: String,
    pub droplet_ids: Vec<u64>,
    pub tags: Vec<String>,
    pub filesystem_type: String,
    pub filesystem_label: String,
}

/// A volume as DigitalOcean renders it.
pub(crate) fn render(v: &Volume) -> Value {
    json!({
        "id": v.id,
        "droplet_ids": v.droplet_ids,
        "name": v.name,
        "description": v.description,
        "size_gigabytes": v.size_gigabytes,
        "created_at": v.created_at,
        "tags": v.tags,
        "region": catalog::region_json(&v.region),
        "filesystem_type": v.filesystem_type,
        "filesystem_label": v.filesystem_label,
    })
}

/// `GET /v2/volumes`: `name` and `region` filter.
pub(crate) async fn list(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let store = app.store();
    let name = url.query.get("name");
    let region = url.query.get("region");
    let volumes: Vec<&Volume> = store
        .volumes
        .values()
        .filter(|v| name.is_none_or(|n| v.name == n))
        .filter(|v| region.is_none_or(|r| v.region == r))
        .collect();
    Ok(ok(paginate("volumes", &volumes, &url, |v| render(v))?))
}

#[derive(Deserialize)]
pub(crate) struct CreateVolume {
    name: String,
    size_gigabytes: u64,
    region: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    tags: Vec<String>,
    filesystem_type: Option<String>,
    #[serde(default)]
    filesystem_label: String,
    snapshot_id: Option<String>,
}

/// Checks a volume name: lowercase letters, digits and `-`, starting with a letter, at most 64.
fn check_name(name: &str) -> Result<(), ApiError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(ApiError::unprocessable(format!(
            "name {name:?} is invalid: it must start with a lowercase letter and hold only lowercase letters, numbers and hyphens, at most 64 characters"
        )))
    }
}

/// `POST /v2/volumes`.
pub(crate) async fn create(State(app): State<App>, Body(req): Body<CreateVolume>) -> ApiResult {
    check_name(&req.name)?;
    if !(1..=16384).contains(&req.size_gigabytes) {
        return Err(ApiError::unprocessable(
            "size_gigabytes must be between 1 and 16384",
        ));
    }
    if catalog::available_region(&req.region).is_none() {
        return Err(ApiError::unprocessable(format!(
            "region {:?} is not a valid region",
            req.region
        )));
    }
    if req.snapshot_id.is_some() {
        return Err(ApiError::unprocessable(
            "the emulator has no volume snapshots to create a volume from",
        ));
    }
    let filesystem_type = req.filesystem_type.unwrap_or_default();
    if !["", "ext4", "xfs"].contains(&filesystem_type.as_str()) {
        return Err(ApiError::unprocessable(
            "filesystem_type must be ext4 or xfs",
        ));
    }
    check_tags(&req.tags)?;
    let mut store = app.store();
    if store
        .volumes
        .values()
        .any(|v| v.name == req.name && v.region == req.region)
    {
        return Err(ApiError::conflict(format!(
            "a volume named {:?} already exists in {}",
            req.name, req.region
        )));
    }
    store.ensure_tags(&req.tags);
    let id = store.uuid();
    let volume = Volume {
        id: id.clone(),
        name: req.name,
        description: req.description,
        size_gigabytes: req.size_gigabytes,
        region: req.region,
        created_at: now(),
        droplet_ids: Vec::new(),
        tags: req.tags,
        filesystem_type,
        filesystem_label: req.filesystem_label,
    };
    let body = json!({ "volume": render(&volume) });
    store.volumes.insert(id, volume);
    Ok(json(StatusCode::CREATED, body))
}

/// `GET /v2/volumes/{volume_id}`.
pub(crate) async fn get(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    let volume = store.volumes.get(&id).ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "volume": render(volume) })))
}

fn remove(store: &mut Store, id: &str) -> ApiResult {
    let volume = store.volumes.get(id).ok_or_else(ApiError::not_found)?;
    if !volume.droplet_ids.is_empty() {
        return Err(ApiError::conflict(
            "This volume is attached to a Droplet: detach it before deleting it.",
        ));
    }
    store.volumes.remove(id);
    Ok(no_content())
}

/// `DELETE /v2/volumes/{volume_id}`.
pub(crate) async fn delete(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    remove(&mut store, &id)
}

/// `DELETE /v2/volumes?name=&region=`.
pub(crate) async fn delete_by_name(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let (Some(name), Some(region)) = (url.query.get("name"), url.query.get("region")) else {
        return Err(ApiError::unprocessable("name and region are required"));
    };
    let mut store = app.store();
    let id = store
        .volumes
        .values()
        .find(|v| v.name == name && v.region == region)
        .map(|v| v.id.clone())
        .ok_or_else(ApiError::not_found)?;
    remove(&mut store, &id)
}

#[derive(Deserialize)]
pub(crate) struct VolumeAction {
    #[serde(rename = "type")]
    kind: String,
    droplet_id: Option<u64>,
    size_gigabytes: Option<u64>,
    region: Option<String>,
    volume_name: Option<String>,
}

/// Checks the action and starts it.
fn act(app: &App, volume_id: Option<String>, req: VolumeAction) -> ApiResult {
    let timing = app.timing();
    let mut store = app.store();
    let volume_id = match volume_id {
        Some(id) => id,
        None => {
            let name = req
                .volume_name
                .as_deref()
                .ok_or_else(|| ApiError::unprocessable("volume_name is required"))?;
            let region = req
                .region
                .as_deref()
                .ok_or_else(|| ApiError::unprocessable("region is required"))?;
            store
                .volumes
                .values()
                .find(|v| v.name == name && v.region == region)
                .map(|v| v.id.clone())
                .ok_or_else(ApiError::not_found)?
        }
    };
    let volume = store
        .volumes
        .get(&volume_id)
        .ok_or_else(ApiError::not_found)?;
    let region = volume.region.clone();
    let (kind, effect) = match req.kind.as_str() {
        "attach" | "detach" => {
            let droplet_id = req
                .droplet_id
                .ok_or_else(|| ApiError::unprocessable("droplet_id is required"))?;
            let droplet = store.droplets.get(&droplet_id).ok_or_else(|| {
                ApiError::unprocessable(format!("Droplet {droplet_id} does not exist"))
            })?;
            if req.kind == "attach" {
                if droplet.region != volume.region {
                    return Err(ApiError::unprocessable(format!(
                        "the volume is in {} and the Droplet in {}: they must be in the same region",
                        volume.region, droplet.region
                    )));
                }
                if !volume.droplet_ids.is_empty() {
                    return Err(ApiError::unprocessable(
                        "the volume is already attached to a Droplet",
                    ));
                }
                let attached = store
                    .volumes
                    .values()
                    .filter(|v| v.droplet_ids.contains(&droplet_id))
                    .count();
                if attached >= MAX_ATTACHED {
                    return Err(ApiError::unprocessable(format!(
                        "a Droplet can have at most {MAX_ATTACHED} volumes attached"
                    )));
                }
                (
                    "attach",
                    Effect::Attach {
                        volume: volume_id.clone(),
                        droplet: droplet_id,
                    },
                )
            } else {
                if !volume.droplet_ids.contains(&droplet_id) {
                    return Err(ApiError::unprocessable(
                        "the volume is not attached to this Droplet",
                    ));
                }
                (
                    "detach",
                    Effect::Detach {
                        volume: volume_id.clone(),
                        droplet: droplet_id,
                    },
                )
            }
        }
        "resize" => {
            let size = req
                .size_gigabytes
                .ok_or_else(|| ApiError::unprocessable("size_gigabytes is required"))?;
            if size <= volume.size_gigabytes || size > 16384 {
                return Err(ApiError::unprocessable(format!(
                    "a volume can only grow: the new size must be above {} GB and at most 16384 GB",
                    volume.size_gigabytes
                )));
            }
            (
                "resize",
                Effect::ResizeVolume {
                    volume: volume_id.clone(),
                    size_gigabytes: size,
                },
            )
        }
        other => {
            return Err(ApiError::unprocessable(format!(
                "{other:?} is not a volume action: use attach, detach or resize"
            )))
        }
    };
    let action = actions::start(
        &mut store,
        &timing,
        NewAction {
            kind,
            resource_type: "volume",
            resource_id: None,
            region: Some(region),
            effect,
        },
    );
    if let Some(a) = store.actions.get_mut(&action) {
        a.volume = Some(volume_id);
    }
    Ok(json(
        StatusCode::ACCEPTED,
        json!({ "action": actions::render(&store.actions[&action]) }),
    ))
}

/// `POST /v2/volumes/{volume_id}/actions`.
pub(crate) async fn post_action(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<VolumeAction>,
) -> ApiResult {
    act(&app, Some(id), req)
}

/// `POST /v2/volumes/actions`: the volume named by `volume_name` and `region`.
pub(crate) async fn post_action_by_name(
    State(app): State<App>,
    Body(req): Body<VolumeAction>,
) -> ApiResult {
    act(&app, None, req)
}

fn volume_actions<'a>(store: &'a Store, volume: &str) -> Vec<&'a Action> {
    store
        .actions
        .values()
        .filter(|a| a.volume.as_deref() == Some(volume))
        .collect()
}

/// `GET /v2/volumes/{volume_id}/actions`.
pub(crate) async fn list_actions(
    State(app): State<App>,
    Path(id): Path<String>,
    url: RequestUrl,
) -> ApiResult {
    let store = app.store();
    if !store.volumes.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    let list = volume_actions(&store, &id);
    Ok(ok(paginate("actions", &list, &url, |a| {
        actions::render(a)
    })?))
}

/// `GET /v2/volumes/{volume_id}/actions/{action_id}`.
pub(crate) async fn get_action(
    State(app): State<App>,
    Path((id, action)): Path<(String, String)>,
) -> ApiResult {
    let action = int_id(&action)?;
    let store = app.store();
    let found = store
        .actions
        .get(&action)
        .filter(|a| a.volume.as_deref() == Some(id.as_str()))
        .ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "action": actions::render(found) })))
}
