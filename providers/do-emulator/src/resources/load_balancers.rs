//! Load balancers: `/v2/load_balancers` (list, create), `/v2/load_balancers/{id}` (get,
//! replace, delete), and adding or removing Droplets and forwarding rules. A load balancer targets
//! either `droplet_ids` or every Droplet carrying its `tag`, never both; it is `new` until the
//! delay passes, then `active`. The official description gives load balancers no `tags`, so none
//! are kept: find them by name.

use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::catalog::{self, LOAD_BALANCER_SIZES};
use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::reply::{json, no_content, ok, Body, RequestUrl};
use crate::resources::{check_hostname, check_tags, now, vpcs};
use crate::state::App;
use crate::store::Store;

/// A forwarding rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ForwardingRule {
    entry_protocol: String,
    entry_port: u32,
    target_protocol: String,
    target_port: u32,
    #[serde(default)]
    certificate_id: String,
    #[serde(default)]
    tls_passthrough: bool,
}

/// The health check, with DigitalOcean's defaults for fields left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct HealthCheck {
    protocol: String,
    port: u32,
    path: String,
    check_interval_seconds: u32,
    response_timeout_seconds: u32,
    unhealthy_threshold: u32,
    healthy_threshold: u32,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            protocol: "http".into(),
            port: 80,
            path: "/".into(),
            check_interval_seconds: 10,
            response_timeout_seconds: 5,
            unhealthy_threshold: 5,
            healthy_threshold: 3,
        }
    }
}

/// Sticky sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct StickySessions {
    #[serde(rename = "type")]
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cookie_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cookie_ttl_seconds: Option<u64>,
}

impl Default for StickySessions {
    fn default() -> Self {
        StickySessions {
            kind: "none".into(),
            cookie_name: None,
            cookie_ttl_seconds: None,
        }
    }
}

/// A stored load balancer.
pub(crate) struct LoadBalancer {
    pub id: String,
    pub name: String,
    ip: String,
    status: &'static str,
    pub created_at: String,
    region: String,
    size: String,
    size_unit: u64,
    algorithm: String,
    forwarding_rules: Vec<ForwardingRule>,
    health_check: HealthCheck,
    sticky_sessions: StickySessions,
    redirect_http_to_https: bool,
    enable_proxy_protocol: bool,
    enable_backend_keepalive: bool,
    http_idle_timeout_seconds: u64,
    disable_lets_encrypt_dns_records: bool,
    pub vpc_uuid: String,
    pub droplet_ids: Vec<u64>,
    tag: String,
    ready_at: Option<Instant>,
}

impl LoadBalancer {
    /// Marks a new load balancer `active` once its time has come.
    pub fn settle(&mut self, now: Instant) {
        if self.status == "new" && self.ready_at.is_some_and(|at| at <= now) {
            self.status = "active";
        }
    }
}

/// A load balancer as DigitalOcean renders it: its address shows once it is active, and a
/// tag-targeting one lists the Droplets that carry the tag now.
pub(crate) fn render(store: &Store, lb: &LoadBalancer) -> Value {
    let droplet_ids: Vec<u64> = if lb.tag.is_empty() {
        lb.droplet_ids.clone()
    } else {
        store
            .droplets
            .values()
            .filter(|d| d.tags.contains(&lb.tag))
            .map(|d| d.id)
            .collect()
    };
    json!({
        "id": lb.id,
        "name": lb.name,
        "ip": if lb.status == "new" { "" } else { lb.ip.as_str() },
        "size_unit": lb.size_unit,
        "size": lb.size,
        "algorithm": lb.algorithm,
        "status": lb.status,
        "created_at": lb.created_at,
        "forwarding_rules": lb.forwarding_rules,
        "health_check": lb.health_check,
        "sticky_sessions": lb.sticky_sessions,
        "redirect_http_to_https": lb.redirect_http_to_https,
        "enable_proxy_protocol": lb.enable_proxy_protocol,
        "enable_backend_keepalive": lb.enable_backend_keepalive,
        "http_idle_timeout_seconds": lb.http_idle_timeout_seconds,
        "vpc_uuid": lb.vpc_uuid,
        "disable_lets_encrypt_dns_records": lb.disable_lets_encrypt_dns_records,
        "network": "EXTERNAL",
        "type": "REGIONAL",
        "region": catalog::region_json(&lb.region),
        "droplet_ids": droplet_ids,
        "tag": lb.tag,
    })
}

/// `GET /v2/load_balancers`.
pub(crate) async fn list(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let store = app.store();
    let balancers: Vec<&LoadBalancer> = store.load_balancers.values().collect();
    Ok(ok(paginate("load_balancers", &balancers, &url, |l| {
        render(&store, l)
    })?))
}

#[derive(Deserialize)]
pub(crate) struct LoadBalancerBody {
    name: Option<String>,
    region: Option<String>,
    size: Option<String>,
    size_unit: Option<u64>,
    algorithm: Option<String>,
    #[serde(default)]
    forwarding_rules: Vec<ForwardingRule>,
    health_check: Option<HealthCheck>,
    sticky_sessions: Option<StickySessions>,
    #[serde(default)]
    redirect_http_to_https: bool,
    #[serde(default)]
    enable_proxy_protocol: bool,
    #[serde(default)]
    enable_backend_keepalive: bool,
    http_idle_timeout_seconds: Option<u64>,
    #[serde(default)]
    disable_lets_encrypt_dns_records: bool,
    vpc_uuid: Option<String>,
    droplet_ids: Option<Vec<u64>>,
    tag: Option<String>,
}

fn check_rules(rules: &[ForwardingRule]) -> Result<(), ApiError> {
    if rules.is_empty() {
        return Err(ApiError::unprocessable(
            "at least one forwarding rule is required",
        ));
    }
    for rule in rules {
        let entry = ["http", "https", "http2", "http3", "tcp", "udp"];
        let target = ["http", "https", "http2", "tcp", "udp"];
        if !entry.contains(&rule.entry_protocol.as_str())
            || !target.contains(&rule.target_protocol.as_str())
        {
            return Err(ApiError::unprocessable(format!(
                "forwarding rule protocols {} -> {} are not supported",
                rule.entry_protocol, rule.target_protocol
            )));
        }
        for port in [rule.entry_port, rule.target_port] {
            if !(1..=65535).contains(&port) {
                return Err(ApiError::unprocessable(format!(
                    "port {port} must be between 1 and 65535"
                )));
            }
        }
        let secure = ["https", "http2", "http3"].contains(&rule.entry_protocol.as_str());
        if secure && rule.certificate_id.is_empty() && !rule.tls_passthrough {
            return Err(ApiError::unprocessable(format!(
                "an {} forwarding rule needs a certificate_id or tls_passthrough",
                rule.entry_protocol
            )));
        }
    }
    Ok(())
}

fn check_droplets(store: &Store, ids: &[u64], region: &str) -> Result<(), ApiError> {
    for id in ids {
        let droplet = store
            .droplets
            .get(id)
            .ok_or_else(|| ApiError::unprocessable(format!("Droplet {id} does not exist")))?;
        if droplet.region != region {
            return Err(ApiError::unprocessable(format!(
                "Droplet {id} is in {}, not in the load balancer's region {region}",
                droplet.region
            )));
        }
    }
    Ok(())
}

/// Checks a create or replace request and builds the load balancer it describes (`existing`
/// keeps the id, address, status and creation time on a replace).
fn build(
    store: &mut Store,
    req: LoadBalancerBody,
    existing: Option<&LoadBalancer>,
    ready_at: Option<Instant>,
) -> Result<LoadBalancer, ApiError> {
    let region = req
        .region
        .or_else(|| existing.map(|e| e.region.clone()))
        .ok_or_else(|| ApiError::unprocessable("region is required"))?;
    if catalog::available_region(&region).is_none() {
        return Err(ApiError::unprocessable(format!(
            "invalid region {region:?}"
        )));
    }
    if existing.is_some_and(|e| e.region != region) {
        return Err(ApiError::unprocessable(
            "a load balancer cannot move to another region",
        ));
    }
    check_rules(&req.forwarding_rules)?;
    let tag = req.tag.unwrap_or_default();
    let droplet_ids = req.droplet_ids.unwrap_or_default();
    if !tag.is_empty() && !droplet_ids.is_empty() {
        return Err(ApiError::unprocessable(
            "a load balancer targets either droplet_ids or a tag, not both",
        ));
    }
    if !tag.is_empty() {
        check_tags(std::slice::from_ref(&tag))?;
    }
    check_droplets(store, &droplet_ids, &region)?;
    let (size, size_unit) = match (req.size, req.size_unit) {
        (Some(size), _) => {
            let unit = LOAD_BALANCER_SIZES
                .iter()
                .find(|(s, _)| *s == size)
                .map(|(_, u)| *u)
                .ok_or_else(|| ApiError::unprocessable(format!("invalid size {size:?}")))?;
            (size, unit)
        }
        (None, Some(unit)) if (1..=100).contains(&unit) => ("lb-small".to_string(), unit),
        (None, Some(unit)) => {
            return Err(ApiError::unprocessable(format!(
                "size_unit {unit} must be between 1 and 100"
            )))
        }
        (None, None) => ("lb-small".to_string(), 1),
    };
    let algorithm = req.algorithm.unwrap_or_else(|| "round_robin".into());
    if !["round_robin", "least_connections"].contains(&algorithm.as_str()) {
        return Err(ApiError::unprocessable(format!(
            "invalid algorithm {algorithm:?}"
        )));
    }
    let health_check = req.health_check.unwrap_or_default();
    if !["http", "https", "tcp"].contains(&health_check.protocol.as_str()) {
        return Err(ApiError::unprocessable(format!(
            "invalid health check protocol {:?}",
            health_check.protocol
        )));
    }
    let vpc_uuid = match req.vpc_uuid {
        Some(id) => {
            let vpc = store
                .vpcs
                .get(&id)
                .ok_or_else(|| ApiError::unprocessable(format!("VPC {id} does not exist")))?;
            if vpc.region != region {
                return Err(ApiError::unprocessable(format!(
                    "VPC {id} is in {}, not in {region}",
                    vpc.region
                )));
            }
            id
        }
        None => match existing {
            Some(e) => e.vpc_uuid.clone(),
            None => vpcs::default_vpc(store, &region)?,
        },
    };
    let name = match req.name {
        Some(name) => name,
        None => match existing {
            Some(e) => e.name.clone(),
            None => format!(
                "{region}-load-balancer-{:02}",
                store.load_balancers.len() + 1
            ),
        },
    };
    check_hostname("load balancer", &name)?;
    let (id, ip, status, created_at) = match existing {
        Some(e) => (e.id.clone(), e.ip.clone(), e.status, e.created_at.clone()),
        None => (
            store.uuid(),
            store.load_balancer_ip().to_string(),
            "new",
            now(),
        ),
    };
    Ok(LoadBalancer {
        id,
        name,
        ip,
        status,
        created_at,
        region,
        size,
        size_unit,
        algorithm,
        forwarding_rules: req.forwarding_rules,
        health_check,
        sticky_sessions: req.sticky_sessions.unwrap_or_default(),
        redirect_http_to_https: req.redirect_http_to_https,
        enable_proxy_protocol: req.enable_proxy_protocol,
        enable_backend_keepalive: req.enable_backend_keepalive,
        http_idle_timeout_seconds: req.http_idle_timeout_seconds.unwrap_or(60),
        disable_lets_encrypt_dns_records: req.disable_lets_encrypt_dns_records,
        vpc_uuid,
        droplet_ids,
        tag,
        ready_at: existing.map_or(ready_at, |e| e.ready_at),
    })
}

/// `POST /v2/load_balancers`.
pub(crate) async fn create(State(app): State<App>, Body(req): Body<LoadBalancerBody>) -> ApiResult {
    let timing = app.timing();
    let mut store = app.store();
    let ready_at = timing.ready_at("load_balancer_create");
    let balancer = build(&mut store, req, None, ready_at)?;
    let body = json!({ "load_balancer": render(&store, &balancer) });
    store.load_balancers.insert(balancer.id.clone(), balancer);
    Ok(json(StatusCode::ACCEPTED, body))
}

/// `GET /v2/load_balancers/{lb_id}`.
pub(crate) async fn get(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    let balancer = store
        .load_balancers
        .get(&id)
        .ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "load_balancer": render(&store, balancer) })))
}

/// `PUT /v2/load_balancers/{lb_id}`: replaces the configuration.
pub(crate) async fn update(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<LoadBalancerBody>,
) -> ApiResult {
    let mut store = app.store();
    let existing = store
        .load_balancers
        .remove(&id)
        .ok_or_else(ApiError::not_found)?;
    let built = build(&mut store, req, Some(&existing), None);
    let balancer = match built {
        Ok(balancer) => balancer,
        Err(e) => {
            store.load_balancers.insert(id, existing);
            return Err(e);
        }
    };
    let body = json!({ "load_balancer": render(&store, &balancer) });
    store.load_balancers.insert(id, balancer);
    Ok(ok(body))
}

/// `DELETE /v2/load_balancers/{lb_id}`.
pub(crate) async fn delete(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    store
        .load_balancers
        .remove(&id)
        .ok_or_else(ApiError::not_found)?;
    Ok(no_content())
}

#[derive(Deserialize)]
pub(crate) struct DropletIds {
    droplet_ids: Vec<u64>,
}

async fn change_droplets(app: App, id: String, ids: Vec<u64>, add: bool) -> ApiResult {
    let mut store = app.store();
    let balancer = store
        .load_balancers
        .get(&id)
        .ok_or_else(ApiError::not_found)?;
    if !balancer.tag.is_empty() {
        return Err(ApiError::unprocessable(
            "this load balancer targets a tag: tag Droplets instead of adding them",
        ));
    }
    if add {
        check_droplets(&store, &ids, &balancer.region.clone())?;
    }
    let balancer = store
        .load_balancers
        .get_mut(&id)
        .ok_or_else(ApiError::not_found)?;
    if add {
        for droplet in ids {
            if !balancer.droplet_ids.contains(&droplet) {
                balancer.droplet_ids.push(droplet);
            }
        }
    } else {
        balancer.droplet_ids.retain(|d| !ids.contains(d));
    }
    Ok(no_content())
}

/// `POST /v2/load_balancers/{lb_id}/droplets`.
pub(crate) async fn add_droplets(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<DropletIds>,
) -> ApiResult {
    change_droplets(app, id, req.droplet_ids, true).await
}

/// `DELETE /v2/load_balancers/{lb_id}/droplets`.
pub(crate) async fn remove_droplets(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<DropletIds>,
) -> ApiResult {
    change_droplets(app, id, req.droplet_ids, false).await
}

#[derive(Deserialize)]
pub(crate) struct Rules {
    forwarding_rules: Vec<ForwardingRule>,
}

async fn change_rules(app: App, id: String, rules: Vec<ForwardingRule>, add: bool) -> ApiResult {
    check_rules(&rules)?;
    let mut store = app.store();
    let balancer = store
        .load_balancers
        .get_mut(&id)
        .ok_or_else(ApiError::not_found)?;
    if add {
        for rule in rules {
            if !balancer.forwarding_rules.contains(&rule) {
                balancer.forwarding_rules.push(rule);
            }
        }
    } else {
        let left: Vec<ForwardingRule> = balancer
            .forwarding_rules
            .iter()
            .filter(|r| !rules.contains(r))
            .cloned()
            .collect();
        if left.is_empty() {
            return Err(ApiError::unprocessable(
                "a load balancer keeps at least one forwarding rule",
            ));
        }
        balancer.forwarding_rules = left;
    }
    Ok(no_content())
}

/// `POST /v2/load_balancers/{lb_id}/forwarding_rules`.
pub(crate) async fn add_rules(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<Rules>,
) -> ApiResult {
    change_rules(app, id, req.forwarding_rules, true).await
}

/// `DELETE /v2/load_balancers/{lb_id}/forwarding_rules`.
pub(crate) async fn remove_rules(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<Rules>,
) -> ApiResult {
    change_rules(app, id, req.forwarding_rules, false).await
}
