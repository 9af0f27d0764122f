//! Managed database clusters: `/v2/databases` (list with `tag_name`, create),
//! `/v2/databases/{uuid}` (get, delete), `PUT .../resize`, and the cluster's trusted sources
//! (`GET`/`PUT .../firewall`). A cluster is `creating` until the delay passes, then `online`;
//! a resize makes it `resizing` for the same time. Connection details carry a generated password.

use std::net::IpAddr;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use ipnet::IpNet;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::catalog::{self, DATABASE_SIZES};
use crate::errors::{ApiError, ApiResult};
use crate::reply::{empty, json, no_content, ok, Body, RequestUrl};
use crate::resources::{check_tags, now, vpcs};
use crate::state::App;

/// One trusted source of a cluster.
#[derive(Debug, Clone)]
pub(crate) struct TrustedSource {
    uuid: String,
    kind: String,
    value: String,
    description: Option<String>,
    created_at: String,
}

/// A stored database cluster.
pub(crate) struct Database {
    pub id: String,
    pub name: String,
    engine: &'static catalog::Engine,
    version: String,
    num_nodes: u64,
    size: String,
    storage_size_mib: u64,
    region: String,
    status: &'static str,
    pub created_at: String,
    pub private_network_uuid: String,
    pub tags: Vec<String>,
    password: String,
    rules: Vec<TrustedSource>,
    ready_at: Option<Instant>,
}

impl Database {
    /// Brings a creating or resizing cluster online once its time has come.
    pub fn settle(&mut self, now: Instant) {
        if self.status != "online" && self.ready_at.is_some_and(|at| at <= now) {
            self.status = "online";
        }
    }

    fn host(&self, private: bool) -> String {
        let prefix = if private { "private-" } else { "" };
        format!("{prefix}{}-do-user-0-0.b.db.ondigitalocean.com", self.name)
    }

    fn connection(&self, private: bool) -> Value {
        let engine = self.engine;
        let host = self.host(private);
        let (user, password, port, database) =
            (engine.user, &self.password, engine.port, engine.database);
        let uri = match engine.slug {
            "pg" => format!(
                "{}://{user}:{password}@{host}:{port}/{database}?sslmode=require",
                engine.scheme
            ),
            "mysql" => format!(
                "{}://{user}:{password}@{host}:{port}/{database}?ssl-mode=REQUIRED",
                engine.scheme
            ),
            "mongodb" => format!(
                "{}://{user}:{password}@{host}/{database}?tls=true&authSource=admin",
                engine.scheme
            ),
            _ => format!("{}://{user}:{password}@{host}:{port}", engine.scheme),
        };
        json!({
            "uri": uri,
            "database": engine.database,
            "host": host,
            "port": engine.port,
            "user": engine.user,
            "password": self.password,
            "ssl": true,
        })
    }
}

fn render_rule(cluster: &str, rule: &TrustedSource) -> Value {
    let mut value = json!({
        "uuid": rule.uuid,
        "cluster_uuid": cluster,
        "type": rule.kind,
        "value": rule.value,
        "created_at": rule.created_at,
    });
    if let Some(description) = &rule.description {
        value["description"] = json!(description);
    }
    value
}

/// A cluster as DigitalOcean renders it, connection details and password included.
pub(crate) fn render(db: &Database) -> Value {
    let mut value = json!({
        "id": db.id,
        "name": db.name,
        "engine": db.engine.slug,
        "version": db.version,
        "semantic_version": format!("{}.0", db.version),
        "num_nodes": db.num_nodes,
        "size": db.size,
        "region": db.region,
        "status": db.status,
        "created_at": db.created_at,
        "private_network_uuid": db.private_network_uuid,
        "tags": db.tags,
        "db_names": if db.engine.database.is_empty() { json!(null) } else { json!([db.engine.database]) },
        "connection": db.connection(false),
        "private_connection": db.connection(true),
        "users": [{ "name": db.engine.user, "role": "primary", "password": db.password }],
        "maintenance_window": { "day": "tuesday", "hour": "02:00:00", "pending": false, "description": [] },
        "rules": db.rules.iter().map(|r| render_rule(&db.id, r)).collect::<Vec<_>>(),
        "storage_size_mib": db.storage_size_mib,
    });
    if let Some(map) = value.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    value
}

/// `GET /v2/databases`: `tag_name` filters; the list is not paginated.
pub(crate) async fn list(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let store = app.store();
    let tag = url.query.get("tag_name");
    let databases: Vec<Value> = store
        .databases
        .values()
        .filter(|d| tag.is_none_or(|t| d.tags.iter().any(|x| x == t)))
        .map(render)
        .collect();
    Ok(ok(json!({ "databases": databases })))
}

#[derive(Deserialize)]
pub(crate) struct CreateDatabase {
    name: String,
    engine: String,
    version: Option<String>,
    num_nodes: u64,
    size: String,
    region: String,
    private_network_uuid: Option<String>,
    #[serde(default)]
    tags: Option<Vec<String>>,
    storage_size_mib: Option<u64>,
}

/// Checks a cluster name: lowercase letters, digits and `-`, 3 to 63 characters, starting with
/// a letter.
fn check_name(name: &str) -> Result<(), ApiError> {
    let valid = (3..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(ApiError::unprocessable(format!(
            "name {name:?} is invalid: 3 to 63 lowercase letters, numbers and hyphens, starting with a letter"
        )))
    }
}

fn check_size(size: &str, num_nodes: u64) -> Result<(), ApiError> {
    if !DATABASE_SIZES.contains(&size) {
        return Err(ApiError::unprocessable(format!(
            "invalid size {size:?}: the database sizes are {}",
            DATABASE_SIZES.join(", ")
        )));
    }
    if !(1..=3).contains(&num_nodes) {
        return Err(ApiError::unprocessable("num_nodes must be between 1 and 3"));
    }
    Ok(())
}

/// `POST /v2/databases`.
pub(crate) async fn create(State(app): State<App>, Body(req): Body<CreateDatabase>) -> ApiResult {
    check_name(&req.name)?;
    let engine = catalog::engine(&req.engine)
        .ok_or_else(|| ApiError::unprocessable(format!("invalid engine {:?}", req.engine)))?;
    let version = match req.version {
        None => engine.versions[engine.versions.len() - 1].to_string(),
        Some(v) if engine.versions.contains(&v.as_str()) => v,
        Some(v) => {
            return Err(ApiError::unprocessable(format!(
                "invalid version {v:?} for engine {}: valid versions are {}",
                engine.slug,
                engine.versions.join(", ")
            )))
        }
    };
    check_size(&req.size, req.num_nodes)?;
    if catalog::available_region(&req.region).is_none() {
        return Err(ApiError::unprocessable(format!(
            "invalid region {:?}",
            req.region
        )));
    }
    let tags = req.tags.unwrap_or_default();
    check_tags(&tags)?;
    let timing = app.timing();
    let mut store = app.store();
    if store.databases.values().any(|d| d.name == req.name) {
        return Err(ApiError::unprocessable(format!(
            "cluster name {:?} is not available",
            req.name
        )));
    }
    let private_network_uuid = match req.private_network_uuid {
        Some(id) => {
            let vpc = store
                .vpcs
                .get(&id)
                .ok_or_else(|| ApiError::unprocessable(format!("VPC {id} does not exist")))?;
            if vpc.region != req.region {
                return Err(ApiError::unprocessable(format!(
                    "VPC {id} is in {}, not in {}",
                    vpc.region, req.region
                )));
            }
            id
        }
        None => vpcs::default_vpc(&mut store, &req.region)?,
    };
    store.ensure_tags(&tags);
    let id = store.uuid();
    let password = store.password();
    let database = Database {
        id: id.clone(),
        name: req.name,
        engine,
        version,
        num_nodes: req.num_nodes,
        size: req.size,
        storage_size_mib: req.storage_size_mib.unwrap_or(10240),
        region: req.region,
        status: "creating",
        created_at: now(),
        private_network_uuid,
        tags,
        password,
        rules: Vec::new(),
        ready_at: timing.ready_at("database_create"),
    };
    let body = json!({ "database": render(&database) });
    store.databases.insert(id, database);
    Ok(json(StatusCode::CREATED, body))
}

/// `GET /v2/databases/{database_cluster_uuid}`.
pub(crate) async fn get(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    let database = store.databases.get(&id).ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "database": render(database) })))
}

/// `DELETE /v2/databases/{database_cluster_uuid}`.
pub(crate) async fn delete(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    store
        .databases
        .remove(&id)
        .ok_or_else(ApiError::not_found)?;
    Ok(no_content())
}

#[derive(Deserialize)]
pub(crate) struct Resize {
    size: String,
    num_nodes: u64,
    storage_size_mib: Option<u64>,
}

/// `PUT /v2/databases/{database_cluster_uuid}/resize`: 202, the cluster `resizing` meanwhile.
pub(crate) async fn resize(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<Resize>,
) -> ApiResult {
    check_size(&req.size, req.num_nodes)?;
    let timing = app.timing();
    let mut store = app.store();
    let database = store
        .databases
        .get_mut(&id)
        .ok_or_else(ApiError::not_found)?;
    if database.status != "online" {
        return Err(ApiError::unprocessable(format!(
            "the cluster is {} and can only be resized when online",
            database.status
        )));
    }
    if let Some(storage) = req.storage_size_mib {
        if storage < database.storage_size_mib {
            return Err(ApiError::unprocessable("storage_size_mib cannot shrink"));
        }
        database.storage_size_mib = storage;
    }
    database.size = req.size;
    database.num_nodes = req.num_nodes;
    database.status = "resizing";
    database.ready_at = timing.ready_at("database_resize");
    Ok(empty(StatusCode::ACCEPTED))
}

/// `GET /v2/databases/{database_cluster_uuid}/firewall`.
pub(crate) async fn get_firewall(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    let database = store.databases.get(&id).ok_or_else(ApiError::not_found)?;
    let rules: Vec<Value> = database
        .rules
        .iter()
        .map(|r| render_rule(&database.id, r))
        .collect();
    Ok(ok(json!({ "rules": rules })))
}

#[derive(Deserialize)]
pub(crate) struct RuleBody {
    #[serde(rename = "type")]
    kind: String,
    value: String,
    description: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Rules {
    rules: Vec<RuleBody>,
}

/// `PUT /v2/databases/{database_cluster_uuid}/firewall`: replaces the trusted sources.
pub(crate) async fn put_firewall(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<Rules>,
) -> ApiResult {
    let mut store = app.store();
    if !store.databases.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    for rule in &req.rules {
        match rule.kind.as_str() {
            "droplet" => {
                let exists = rule
                    .value
                    .parse::<u64>()
                    .is_ok_and(|d| store.droplets.contains_key(&d));
                if !exists {
                    return Err(ApiError::unprocessable(format!(
                        "Droplet {} does not exist",
                        rule.value
                    )));
                }
            }
            "ip_addr" => {
                if rule.value.parse::<IpAddr>().is_err() && rule.value.parse::<IpNet>().is_err() {
                    return Err(ApiError::unprocessable(format!(
                        "{:?} is not an IP address or CIDR",
                        rule.value
                    )));
                }
            }
            "tag" => check_tags(std::slice::from_ref(&rule.value))?,
            "k8s" | "app" => {}
            other => {
                return Err(ApiError::unprocessable(format!(
                    "invalid rule type {other:?}: use droplet, k8s, ip_addr, tag or app"
                )))
            }
        }
    }
    let mut rules = Vec::new();
    for rule in req.rules {
        rules.push(TrustedSource {
            uuid: store.uuid(),
            kind: rule.kind,
            value: rule.value,
            description: rule.description,
            created_at: now(),
        });
    }
    if let Some(database) = store.databases.get_mut(&id) {
        database.rules = rules;
    }
    Ok(no_content())
}
