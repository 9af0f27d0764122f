//! Droplets: `/v2/droplets` (list with `tag_name`/`name` filters, create one or several with
//! `names`, delete by tag) and `/v2/droplets/{id}` (get, delete). A new Droplet is `new` until
//! its `create` action completes, then `active`; it gets a public IPv4 address and a private one
//! from its VPC (the region's default VPC when none is given). Deleting a Droplet takes it out of
//! firewalls and load balancers and detaches its volumes and reserved IPs, as DigitalOcean does.

use std::net::Ipv4Addr;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::catalog;
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::reply::{int_id, json, no_content, ok, Body, RequestUrl};
use crate::resources::account::DROPLET_LIMIT;
use crate::resources::actions::{self, Effect, NewAction};
use crate::resources::{check_hostname, check_tags, now, ssh_keys, vpcs};
use crate::state::App;
use crate::store::Store;

/// A stored Droplet.
pub(crate) struct Droplet {
    pub id: u64,
    pub name: String,
    pub size: String,
    /// The disk in GB; it stays as it was when a resize leaves the disk alone.
    pub disk: u64,
    pub image: u64,
    pub region: String,
    pub vpc_uuid: String,
    pub status: &'static str,
    pub created_at: String,
    pub tags: Vec<String>,
    pub backups: bool,
    pub monitoring: bool,
    pub agent: bool,
    pub ipv6: Option<String>,
    pub public_ipv4: Ipv4Addr,
    pub private_ipv4: Ipv4Addr,
    /// The action in progress on the Droplet, which locks it.
    pub pending_action: Option<u64>,
}

/// A Droplet as DigitalOcean renders it; as there, its addresses show once it is no longer
/// `new`.
pub(crate) fn render(store: &Store, d: &Droplet) -> Value {
    let size = catalog::size(&d.size);
    let image = catalog::IMAGES.iter().find(|i| i.id == d.image);
    let mut features = vec!["private_networking"];
    if d.backups {
        features.push("backups");
    }
    if d.ipv6.is_some() {
        features.push("ipv6");
    }
    if d.monitoring {
        features.push("monitoring");
    }
    if d.agent {
        features.push("droplet_agent");
    }
    let volume_ids: Vec<&str> = store
        .volumes
        .values()
        .filter(|v| v.droplet_ids.contains(&d.id))
        .map(|v| v.id.as_str())
        .collect();
    let mut v4 = vec![
        json!({"ip_address": d.public_ipv4.to_string(), "netmask": "255.255.240.0", "gateway": gateway(d.public_ipv4), "type": "public"}),
        json!({"ip_address": d.private_ipv4.to_string(), "netmask": private_netmask(store, d), "gateway": "nil", "type": "private"}),
    ];
    if d.status == "new" {
        v4.clear();
    }
    if let Some(reserved) = store
        .reserved_ips
        .values()
        .find(|r| r.droplet_id == Some(d.id))
    {
        v4.push(json!({"ip_address": reserved.ip.to_string(), "netmask": "255.255.240.0", "gateway": gateway(reserved.ip), "type": "public"}));
    }
    let v6: Vec<Value> = d
        .ipv6
        .iter()
        .filter(|_| d.status != "new")
        .map(|a| json!({"ip_address": a, "netmask": 64, "gateway": "2001:db8:10::1", "type": "public"}))
        .collect();
    let next_backup_window = if d.backups {
        let start = chrono::Utc::now().date_naive() + chrono::Days::new(1);
        json!({
            "start": format!("{start}T00:00:00Z"),
            "end": format!("{start}T23:00:00Z"),
        })
    } else {
        Value::Null
    };
    json!({
        "id": d.id,
        "name": d.name,
        "memory": size.map_or(0, |s| s.memory),
        "vcpus": size.map_or(0, |s| s.vcpus),
        "disk": d.disk,
        "disk_info": [{ "type": "local", "size": { "amount": d.disk, "unit": "gib" } }],
        "locked": d.pending_action.is_some(),
        "status": d.status,
        "created_at": d.created_at,
        "features": features,
        "backup_ids": [],
        "next_backup_window": next_backup_window,
        "snapshot_ids": [],
        "image": image.map_or(Value::Null, catalog::image_json),
        "volume_ids": volume_ids,
        "size": size.map_or(Value::Null, catalog::size_json),
        "size_slug": d.size,
        "networks": { "v4": v4, "v6": v6 },
        "region": catalog::region_json(&d.region),
        "tags": d.tags,
        "vpc_uuid": d.vpc_uuid,
    })
}

/// The first address of the /20 an address is in (as a gateway).
fn gateway(ip: Ipv4Addr) -> String {
    Ipv4Addr::from((u32::from(ip) & 0xffff_f000) | 1).to_string()
}

/// The netmask of the Droplet's VPC range.
fn private_netmask(store: &Store, d: &Droplet) -> String {
    store
        .vpcs
        .get(&d.vpc_uuid)
        .map_or("255.255.240.0".to_string(), |v| {
            v.ip_range.netmask().to_string()
        })
}

/// `GET /v2/droplets`: `tag_name` and `name` filter.
pub(crate) async fn list(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let store = app.store();
    let tag = url.query.get("tag_name");
    let name = url.query.get("name");
    if tag.is_some() && name.is_some() {
        return Err(ApiError::unprocessable(
            "tag_name and name cannot be used together",
        ));
    }
    let droplets: Vec<&Droplet> = store
        .droplets
        .values()
        .filter(|d| tag.is_none_or(|t| d.tags.iter().any(|x| x == t)))
        .filter(|d| name.is_none_or(|n| d.name.eq_ignore_ascii_case(n)))
        .collect();
    Ok(ok(paginate("droplets", &droplets, &url, |d| {
        render(&store, d)
    })?))
}

/// An image named by slug or numeric id.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum IdOrSlug {
    Id(u64),
    Slug(String),
}

impl IdOrSlug {
    pub fn text(&self) -> String {
        match self {
            IdOrSlug::Id(id) => id.to_string(),
            IdOrSlug::Slug(slug) => slug.clone(),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct CreateDroplet {
    name: Option<String>,
    names: Option<Vec<String>>,
    region: Option<String>,
    size: String,
    image: IdOrSlug,
    #[serde(default)]
    ssh_keys: Vec<IdOrSlug>,
    #[serde(default)]
    backups: bool,
    #[serde(default)]
    ipv6: bool,
    #[serde(default)]
    monitoring: bool,
    #[serde(default)]
    tags: Option<Vec<String>>,
    user_data: Option<String>,
    #[serde(default)]
    volumes: Vec<String>,
    vpc_uuid: Option<String>,
    with_droplet_agent: Option<bool>,
}

/// `POST /v2/droplets`: one Droplet (`name`) or up to ten (`names`).
pub(crate) async fn create(
    State(app): State<App>,
    url: RequestUrl,
    Body(req): Body<CreateDroplet>,
) -> ApiResult {
    let (names, multiple) = match (req.name.clone(), req.names.clone()) {
        (Some(name), None) => (vec![name], false),
        (None, Some(names)) if !names.is_empty() && names.len() <= 10 => (names, true),
        (None, Some(_)) => {
            return Err(ApiError::unprocessable(
                "names must hold between 1 and 10 names",
            ))
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::unprocessable(
                "name and names cannot be used together",
            ))
        }
        (None, None) => return Err(ApiError::unprocessable("name is required")),
    };
    for name in &names {
        check_hostname("Droplet", name)?;
    }
    let region = req.region.clone().unwrap_or_else(|| "nyc3".to_string());
    if catalog::available_region(&region).is_none() {
        return Err(ApiError::unprocessable(
            "You specified an invalid region for Droplet creation.",
        ));
    }
    let size = catalog::size(&req.size).ok_or_else(|| {
        ApiError::unprocessable("You specified an invalid size for Droplet creation.")
    })?;
    let image = catalog::image(&req.image.text()).ok_or_else(|| {
        ApiError::unprocessable("You specified an invalid image for Droplet creation.")
    })?;
    if image.min_disk_size > size.disk {
        return Err(ApiError::unprocessable(format!(
            "the image {} needs a disk of at least {} GB, and size {} has {} GB",
            image.slug, image.min_disk_size, size.slug, size.disk
        )));
    }
    let tags = req.tags.clone().unwrap_or_default();
    check_tags(&tags)?;
    if req.user_data.as_ref().is_some_and(|u| u.len() > 64 * 1024) {
        return Err(ApiError::unprocessable("user_data may be at most 64 KiB"));
    }
    let timing = app.timing();
    let mut store = app.store();
    for key in &req.ssh_keys {
        if ssh_keys::find(&store, &key.text()).is_none() {
            return Err(ApiError::unprocessable(format!(
                "SSH key {} does not exist",
                key.text()
            )));
        }
    }
    if store.droplets.len() + names.len() > DROPLET_LIMIT {
        return Err(ApiError::unprocessable(
            "creating this/these droplet(s) will exceed your droplet limit",
        ));
    }
    for volume in &req.volumes {
        let found = store
            .volumes
            .get(volume)
            .ok_or_else(|| ApiError::unprocessable(format!("volume {volume} does not exist")))?;
        if found.region != region || !found.droplet_ids.is_empty() || multiple {
            return Err(ApiError::unprocessable(format!(
                "volume {volume} cannot be attached: it must be unattached, in {region}, and only one Droplet can be created with it"
            )));
        }
    }
    let vpc_uuid = match &req.vpc_uuid {
        Some(id) => {
            let vpc = store
                .vpcs
                .get(id)
                .ok_or_else(|| ApiError::unprocessable(format!("VPC {id} does not exist")))?;
            if vpc.region != region {
                return Err(ApiError::unprocessable(format!(
                    "VPC {id} is in {}, not in {region}",
                    vpc.region
                )));
            }
            id.clone()
        }
        None => vpcs::default_vpc(&mut store, &region)?,
    };
    store.ensure_tags(&tags);
    let mut created = Vec::new();
    let mut links = Vec::new();
    for name in names {
        let private_ipv4 = store
            .vpcs
            .get_mut(&vpc_uuid)
            .ok_or_else(ApiError::not_found)?
            .allocate()?;
        let id = store.int_id();
        let public_ipv4 = store.droplet_ip();
        let ipv6 = req.ipv6.then(|| store.ipv6());
        store.droplets.insert(
            id,
            Droplet {
                id,
                name,
                size: size.slug.to_string(),
                disk: size.disk,
                image: image.id,
                region: region.clone(),
                vpc_uuid: vpc_uuid.clone(),
                status: "new",
                created_at: now(),
                tags: tags.clone(),
                backups: req.backups,
                monitoring: req.monitoring,
                agent: req.with_droplet_agent.unwrap_or(true),
                ipv6,
                public_ipv4,
                private_ipv4,
                pending_action: None,
            },
        );
        for volume in &req.volumes {
            if let Some(v) = store.volumes.get_mut(volume) {
                v.droplet_ids.push(id);
            }
        }
        let action = actions::start(
            &mut store,
            &timing,
            NewAction {
                kind: "create",
                resource_type: "droplet",
                resource_id: Some(id),
                region: Some(region.clone()),
                effect: Effect::DropletStatus {
                    droplet: id,
                    status: "active",
                },
            },
        );
        links.push(actions::link(&url.base, action, "create"));
        created.push(id);
    }
    let rendered: Vec<Value> = created
        .iter()
        .filter_map(|id| store.droplets.get(id))
        .map(|d| render(&store, d))
        .collect();
    let body = if multiple {
        json!({ "droplets": rendered, "links": { "actions": links } })
    } else {
        json!({ "droplet": rendered[0], "links": { "actions": links } })
    };
    Ok(json(StatusCode::ACCEPTED, body))
}

/// `GET /v2/droplets/{droplet_id}`.
pub(crate) async fn get(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    let droplet = store
        .droplets
        .get(&int_id(&id)?)
        .ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "droplet": render(&store, droplet) })))
}

/// Removes a Droplet and every reference other objects hold to it.
pub(crate) fn remove(store: &mut Store, id: u64) {
    store.droplets.remove(&id);
    for firewall in store.firewalls.values_mut() {
        firewall.droplet_ids.retain(|d| *d != id);
    }
    for balancer in store.load_balancers.values_mut() {
        balancer.droplet_ids.retain(|d| *d != id);
    }
    for volume in store.volumes.values_mut() {
        volume.droplet_ids.retain(|d| *d != id);
    }
    for reserved in store.reserved_ips.values_mut() {
        if reserved.droplet_id == Some(id) {
            reserved.droplet_id = None;
        }
    }
}

/// `DELETE /v2/droplets/{droplet_id}`.
pub(crate) async fn delete(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let id = int_id(&id)?;
    let mut store = app.store();
    if !store.droplets.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    remove(&mut store, id);
    Ok(no_content())
}

/// `DELETE /v2/droplets?tag_name=`: deletes every Droplet with the tag.
pub(crate) async fn delete_by_tag(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let tag = url
        .query
        .get("tag_name")
        .ok_or_else(|| ApiError::unprocessable("tag_name is required"))?
        .to_string();
    let mut store = app.store();
    let ids: Vec<u64> = store
        .droplets
        .values()
        .filter(|d| d.tags.contains(&tag))
        .map(|d| d.id)
        .collect();
    for id in ids {
        remove(&mut store, id);
    }
    Ok(no_content())
}
