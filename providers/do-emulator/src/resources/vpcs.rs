//! VPCs: `/v2/vpcs` (list, create), `/v2/vpcs/{id}` (get, update, patch, delete) and
//! `/v2/vpcs/{id}/members`. Each region gets a default VPC (`default-<region>`) the first time
//! something is created there without one; Droplets take their private addresses from their
//! VPC's range. A VPC with members, or a region's default VPC, cannot be deleted (403).

use std::net::Ipv4Addr;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use ipnet::Ipv4Net;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::catalog;
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::reply::{json, no_content, ok, Body, RequestUrl};
use crate::resources::now;
use crate::state::App;
use crate::store::Store;

/// A stored VPC.
pub(crate) struct Vpc {
    pub id: String,
    pub name: String,
    pub description: String,
    pub region: String,
    pub ip_range: Ipv4Net,
    pub default: bool,
    pub created_at: String,
    /// The host number the next private address gets.
    next_host: u32,
}

impl Vpc {
    /// Hands out the next private address of the range.
    pub fn allocate(&mut self) -> Result<Ipv4Addr, ApiError> {
        let network = u32::from(self.ip_range.network());
        let size = 1u64 << (32 - u32::from(self.ip_range.prefix_len()));
        if u64::from(self.next_host) >= size - 1 {
            return Err(ApiError::unprocessable(format!(
                "the VPC {} has no free addresses left in {}",
                self.name, self.ip_range
            )));
        }
        let ip = Ipv4Addr::from(network + self.next_host);
        self.next_host += 1;
        Ok(ip)
    }
}

/// A VPC as DigitalOcean renders it.
pub(crate) fn render(vpc: &Vpc) -> Value {
    json!({
        "id": vpc.id,
        "urn": format!("do:vpc:{}", vpc.id),
        "name": vpc.name,
        "description": vpc.description,
        "region": vpc.region,
        "ip_range": vpc.ip_range.to_string(),
        "default": vpc.default,
        "created_at": vpc.created_at,
    })
}

/// The id of the region's default VPC, created when the region has none yet.
pub(crate) fn default_vpc(store: &mut Store, region: &str) -> Result<String, ApiError> {
    if let Some(vpc) = store
        .vpcs
        .values()
        .find(|v| v.region == region && v.default)
    {
        return Ok(vpc.id.clone());
    }
    let range = free_range(store)?;
    let id = store.uuid();
    store.vpcs.insert(
        id.clone(),
        Vpc {
            id: id.clone(),
            name: format!("default-{region}"),
            description: String::new(),
            region: region.to_string(),
            ip_range: range,
            default: true,
            created_at: now(),
            next_host: 2,
        },
    );
    Ok(id)
}

/// A /20 in 10.0.0.0/8 that overlaps no VPC yet.
fn free_range(store: &Store) -> Result<Ipv4Net, ApiError> {
    for a in 100u8..=255 {
        for b in 0u8..16 {
            let candidate = Ipv4Net::new(Ipv4Addr::new(10, a, b * 16, 0), 20)
                .map_err(|e| ApiError::unprocessable(e.to_string()))?;
            if !overlaps(store, &candidate) {
                return Ok(candidate);
            }
        }
    }
    Err(ApiError::unprocessable(
        "no free private range is left for a VPC",
    ))
}

fn overlaps(store: &Store, range: &Ipv4Net) -> bool {
    store
        .vpcs
        .values()
        .any(|v| v.ip_range.contains(range) || range.contains(&v.ip_range))
}

/// Checks a VPC name: letters, digits, `-` and `.`, at most 64 characters.
fn check_name(name: &str) -> Result<(), ApiError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if valid {
        Ok(())
    } else {
        Err(ApiError::unprocessable(format!(
            "name {name:?} is invalid: a VPC name may contain letters, numbers, hyphens and periods, at most 64 characters"
        )))
    }
}

/// The URNs of the VPC's members.
fn members(store: &Store, id: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for d in store.droplets.values().filter(|d| d.vpc_uuid == id) {
        out.push(json!({"urn": format!("do:droplet:{}", d.id), "name": d.name, "created_at": d.created_at}));
    }
    for db in store
        .databases
        .values()
        .filter(|d| d.private_network_uuid == id)
    {
        out.push(json!({"urn": format!("do:dbaas:{}", db.id), "name": db.name, "created_at": db.created_at}));
    }
    for lb in store.load_balancers.values().filter(|l| l.vpc_uuid == id) {
        out.push(json!({"urn": format!("do:loadbalancer:{}", lb.id), "name": lb.name, "created_at": lb.created_at}));
    }
    out
}

/// `GET /v2/vpcs`.
pub(crate) async fn list(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let store = app.store();
    let vpcs: Vec<&Vpc> = store.vpcs.values().collect();
    Ok(ok(paginate("vpcs", &vpcs, &url, |v| render(v))?))
}

#[derive(Deserialize)]
pub(crate) struct CreateVpc {
    name: String,
    region: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    ip_range: Option<String>,
}

/// `POST /v2/vpcs`.
pub(crate) async fn create(State(app): State<App>, Body(req): Body<CreateVpc>) -> ApiResult {
    check_name(&req.name)?;
    if req.description.len() > 255 {
        return Err(ApiError::unprocessable(
            "description may be at most 255 characters",
        ));
    }
    if catalog::available_region(&req.region).is_none() {
        return Err(ApiError::unprocessable(format!(
            "region {:?} is not a valid region",
            req.region
        )));
    }
    let mut store = app.store();
    if store.vpcs.values().any(|v| v.name == req.name) {
        return Err(ApiError::unprocessable(format!(
            "a VPC named {:?} already exists",
            req.name
        )));
    }
    let ip_range = match &req.ip_range {
        None => free_range(&store)?,
        Some(text) => {
            let range: Ipv4Net = text.parse().map_err(|_| {
                ApiError::unprocessable(format!("ip_range {text:?} is not a valid IPv4 CIDR"))
            })?;
            if range.network() != range.addr() {
                return Err(ApiError::unprocessable(format!(
                    "ip_range {text:?} has host bits set"
                )));
            }
            if !range.addr().is_private() || !(16..=28).contains(&range.prefix_len()) {
                return Err(ApiError::unprocessable(format!(
                    "ip_range {text:?} must be a private (RFC 1918) range between /16 and /28"
                )));
            }
            if overlaps(&store, &range) {
                return Err(ApiError::unprocessable(format!(
                    "ip_range {text:?} overlaps an existing VPC's range"
                )));
            }
            range
        }
    };
    let id = store.uuid();
    let vpc = Vpc {
        id: id.clone(),
        name: req.name,
        description: req.description,
        region: req.region,
        ip_range,
        default: false,
        created_at: now(),
        next_host: 2,
    };
    let body = json!({ "vpc": render(&vpc) });
    store.vpcs.insert(id, vpc);
    Ok(json(StatusCode::CREATED, body))
}

/// `GET /v2/vpcs/{vpc_id}`.
pub(crate) async fn get(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    let vpc = store.vpcs.get(&id).ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "vpc": render(vpc) })))
}

#[derive(Deserialize)]
pub(crate) struct UpdateVpc {
    name: Option<String>,
    description: Option<String>,
    default: Option<bool>,
}

/// `PUT /v2/vpcs/{vpc_id}` (`name` required) and `PATCH` (every field optional).
async fn change(app: App, id: String, req: UpdateVpc, put: bool) -> ApiResult {
    if put && req.name.is_none() {
        return Err(ApiError::unprocessable("name is required"));
    }
    if let Some(name) = &req.name {
        check_name(name)?;
    }
    let mut store = app.store();
    let region = store
        .vpcs
        .get(&id)
        .ok_or_else(ApiError::not_found)?
        .region
        .clone();
    if let Some(name) = &req.name {
        if store.vpcs.values().any(|v| &v.name == name && v.id != id) {
            return Err(ApiError::unprocessable(format!(
                "a VPC named {name:?} already exists"
            )));
        }
    }
    if req.default == Some(false) && store.vpcs[&id].default {
        return Err(ApiError::unprocessable(
            "a region's default VPC stays default until another VPC is made default",
        ));
    }
    if req.default == Some(true) {
        for vpc in store.vpcs.values_mut().filter(|v| v.region == region) {
            vpc.default = false;
        }
    }
    let vpc = store.vpcs.get_mut(&id).ok_or_else(ApiError::not_found)?;
    if let Some(name) = req.name {
        vpc.name = name;
    }
    if let Some(description) = req.description {
        vpc.description = description;
    }
    if req.default == Some(true) {
        vpc.default = true;
    }
    Ok(ok(json!({ "vpc": render(vpc) })))
}

/// `PUT /v2/vpcs/{vpc_id}`.
pub(crate) async fn update(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<UpdateVpc>,
) -> ApiResult {
    change(app, id, req, true).await
}

/// `PATCH /v2/vpcs/{vpc_id}`.
pub(crate) async fn patch(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<UpdateVpc>,
) -> ApiResult {
    change(app, id, req, false).await
}

/// `DELETE /v2/vpcs/{vpc_id}`.
pub(crate) async fn delete(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    let vpc = store.vpcs.get(&id).ok_or_else(ApiError::not_found)?;
    if !members(&store, &id).is_empty() {
        return Err(ApiError::forbidden("Can not delete VPC with members"));
    }
    if vpc.default
        && store
            .vpcs
            .values()
            .filter(|v| v.region == vpc.region)
            .count()
            > 1
    {
        return Err(ApiError::forbidden(
            "Can not delete the default VPC of a region while it has other VPCs",
        ));
    }
    store.vpcs.remove(&id);
    Ok(no_content())
}

/// `GET /v2/vpcs/{vpc_id}/members`.
pub(crate) async fn list_members(
    State(app): State<App>,
    Path(id): Path<String>,
    url: RequestUrl,
) -> ApiResult {
    let store = app.store();
    if !store.vpcs.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    let members = members(&store, &id);
    Ok(ok(paginate("members", &members, &url, Value::clone)?))
}
