//! Tags: `/v2/tags` (list, create), `/v2/tags/{name}` (get, delete: the tag leaves every object)
//! and `/v2/tags/{name}/resources` (tag or untag Droplets and volumes). Tags are also created by
//! using them on a Droplet, volume, database or firewall; the counts in `resources` are worked
//! out from the objects that carry the tag.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::reply::{json, no_content, ok, Body, RequestUrl};
use crate::resources::{add_tags, check_tags};
use crate::state::App;
use crate::store::Store;

/// A tag with its resource counts, as DigitalOcean renders it.
pub(crate) fn render(store: &Store, tag: &str, base: &str) -> Value {
    let has = |tags: &Vec<String>| tags.iter().any(|t| t == tag);
    let droplets: Vec<u64> = store
        .droplets
        .values()
        .filter(|d| has(&d.tags))
        .map(|d| d.id)
        .collect();
    let volumes: Vec<&str> = store
        .volumes
        .values()
        .filter(|v| has(&v.tags))
        .map(|v| v.id.as_str())
        .collect();
    let databases: Vec<&str> = store
        .databases
        .values()
        .filter(|d| has(&d.tags))
        .map(|d| d.id.as_str())
        .collect();
    let meta = |count: usize, last: Option<String>| -> Value {
        match last {
            Some(uri) => json!({ "count": count, "last_tagged_uri": uri }),
            None => json!({ "count": count }),
        }
    };
    let droplet_uri = droplets.last().map(|id| format!("{base}/v2/droplets/{id}"));
    let volume_uri = volumes.last().map(|id| format!("{base}/v2/volumes/{id}"));
    let database_uri = databases
        .last()
        .map(|id| format!("{base}/v2/databases/{id}"));
    let total = droplets.len() + volumes.len() + databases.len();
    let last = droplet_uri
        .clone()
        .or_else(|| volume_uri.clone())
        .or_else(|| database_uri.clone());
    let mut resources = meta(total, last);
    resources["droplets"] = meta(droplets.len(), droplet_uri);
    resources["imgages"] = meta(0, None);
    resources["volumes"] = meta(volumes.len(), volume_uri);
    resources["volume_snapshots"] = meta(0, None);
    resources["databases"] = meta(databases.len(), database_uri);
    json!({ "name": tag, "resources": resources })
}

/// `GET /v2/tags`.
pub(crate) async fn list(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let store = app.store();
    let tags: Vec<&String> = store.tags.iter().collect();
    Ok(ok(paginate("tags", &tags, &url, |t| {
        render(&store, t, &url.base)
    })?))
}

#[derive(Deserialize)]
pub(crate) struct CreateTag {
    name: String,
}

/// `POST /v2/tags`: creating a tag that exists answers it again (201).
pub(crate) async fn create(
    State(app): State<App>,
    url: RequestUrl,
    Body(req): Body<CreateTag>,
) -> ApiResult {
    check_tags(std::slice::from_ref(&req.name))?;
    let mut store = app.store();
    store.tags.insert(req.name.clone());
    Ok(json(
        StatusCode::CREATED,
        json!({ "tag": render(&store, &req.name, &url.base) }),
    ))
}

/// `GET /v2/tags/{tag_id}`.
pub(crate) async fn get(
    State(app): State<App>,
    Path(name): Path<String>,
    url: RequestUrl,
) -> ApiResult {
    let store = app.store();
    if !store.tags.contains(&name) {
        return Err(ApiError::not_found());
    }
    Ok(ok(json!({ "tag": render(&store, &name, &url.base) })))
}

/// `DELETE /v2/tags/{tag_id}`: the tag is removed from every object that carries it.
pub(crate) async fn delete(State(app): State<App>, Path(name): Path<String>) -> ApiResult {
    let mut store = app.store();
    if !store.tags.remove(&name) {
        return Err(ApiError::not_found());
    }
    for d in store.droplets.values_mut() {
        d.tags.retain(|t| *t != name);
    }
    for v in store.volumes.values_mut() {
        v.tags.retain(|t| *t != name);
    }
    for d in store.databases.values_mut() {
        d.tags.retain(|t| *t != name);
    }
    for f in store.firewalls.values_mut() {
        f.tags.retain(|t| *t != name);
    }
    Ok(no_content())
}

#[derive(Deserialize)]
pub(crate) struct Resource {
    resource_id: String,
    resource_type: String,
}

#[derive(Deserialize)]
pub(crate) struct Resources {
    resources: Vec<Resource>,
}

async fn change(app: App, name: String, req: Resources, add: bool) -> ApiResult {
    let mut store = app.store();
    if !store.tags.contains(&name) {
        return Err(ApiError::not_found());
    }
    for resource in &req.resources {
        let exists = match resource.resource_type.as_str() {
            "droplet" => resource
                .resource_id
                .parse::<u64>()
                .is_ok_and(|id| store.droplets.contains_key(&id)),
            "volume" => store.volumes.contains_key(&resource.resource_id),
            "image" | "volume_snapshot" => false,
            other => {
                return Err(ApiError::unprocessable(format!(
                    "resource_type {other:?} must be droplet, image, volume or volume_snapshot"
                )))
            }
        };
        if !exists {
            return Err(ApiError::unprocessable(format!(
                "{} {} does not exist",
                resource.resource_type, resource.resource_id
            )));
        }
    }
    let tag = std::slice::from_ref(&name);
    for resource in req.resources {
        let tags = match resource.resource_type.as_str() {
            "droplet" => resource
                .resource_id
                .parse::<u64>()
                .ok()
                .and_then(|id| store.droplets.get_mut(&id))
                .map(|d| &mut d.tags),
            _ => store
                .volumes
                .get_mut(&resource.resource_id)
                .map(|v| &mut v.tags),
        };
        if let Some(tags) = tags {
            if add {
                add_tags(tags, tag);
            } else {
                tags.retain(|t| *t != name);
            }
        }
    }
    Ok(no_content())
}

/// `POST /v2/tags/{tag_id}/resources`.
pub(crate) async fn tag_resources(
    State(app): State<App>,
    Path(name): Path<String>,
    Body(req): Body<Resources>,
) -> ApiResult {
    change(app, name, req, true).await
}

/// `DELETE /v2/tags/{tag_id}/resources`.
pub(crate) async fn untag_resources(
    State(app): State<App>,
    Path(name): Path<String>,
    Body(req): Body<Resources>,
) -> ApiResult {
    change(app, name, req, false).await
}
