//! Cloud firewalls: `/v2/firewalls` (list, create), `/v2/firewalls/{id}` (get, replace, delete),
//! and adding or removing Droplets, tags and rules. A firewall is `waiting` after each change
//! until the delay passes, then `succeeded`. Port ranges `all` are stored as `"0"`, and ICMP rules
//! always carry `"0"`, as DigitalOcean returns them.

use std::net::IpAddr;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::reply::{json, no_content, ok, Body, RequestUrl};
use crate::resources::{add_tags, check_hostname, check_tags, now};
use crate::state::App;
use crate::store::{Store, Timing};

/// Where a rule lets traffic come from or go to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Target {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    addresses: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    droplet_ids: Vec<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    load_balancer_uids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    kubernetes_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
}

/// An inbound rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct InboundRule {
    protocol: String,
    #[serde(default)]
    ports: Option<String>,
    sources: Target,
}

/// An outbound rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct OutboundRule {
    protocol: String,
    #[serde(default)]
    ports: Option<String>,
    destinations: Target,
}

/// A stored firewall.
pub(crate) struct Firewall {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub created_at: String,
    pub droplet_ids: Vec<u64>,
    pub tags: Vec<String>,
    inbound_rules: Vec<InboundRule>,
    outbound_rules: Vec<OutboundRule>,
    ready_at: Option<Instant>,
}

impl Firewall {
    /// Marks the firewall `succeeded` once its change has had time to apply.
    pub fn settle(&mut self, now: Instant) {
        if self.status == "waiting" && self.ready_at.is_some_and(|at| at <= now) {
            self.status = "succeeded";
        }
    }

    fn changed(&mut self, timing: &Timing) {
        self.status = "waiting";
        self.ready_at = timing.ready_at("firewall");
    }
}

/// A firewall as DigitalOcean renders it.
pub(crate) fn render(f: &Firewall) -> Value {
    json!({
        "id": f.id,
        "name": f.name,
        "status": f.status,
        "created_at": f.created_at,
        "pending_changes": [],
        "droplet_ids": f.droplet_ids,
        "tags": f.tags,
        "inbound_rules": f.inbound_rules,
        "outbound_rules": f.outbound_rules,
    })
}

/// Checks a rule's protocol and ports and returns the ports as DigitalOcean stores them.
fn normalise_ports(protocol: &str, ports: Option<&str>) -> Result<String, ApiError> {
    match protocol {
        "icmp" | "tcp" | "udp" => {
            let ports = ports.ok_or_else(|| {
                ApiError::unprocessable(format!(
                    "ports are required for {protocol} rules (\"0\" or \"all\" for every port)"
                ))
            })?;
            if protocol == "icmp" {
                return Ok("0".to_string());
            }
            if ports == "all" || ports == "0" {
                return Ok("0".to_string());
            }
            let port = |text: &str| text.parse::<u16>().ok().filter(|p| *p > 0);
            let valid = match ports.split_once('-') {
                Some((low, high)) => matches!((port(low), port(high)), (Some(l), Some(h)) if l < h),
                None => port(ports).is_some(),
            };
            if valid {
                Ok(ports.to_string())
            } else {
                Err(ApiError::unprocessable(format!(
                    "ports {ports:?} must be a port (1-65535), a range such as 8000-9000, or all"
                )))
            }
        }
        other => Err(ApiError::unprocessable(format!(
            "protocol {other:?} must be one of tcp, udp or icmp"
        ))),
    }
}

fn check_target(store: &Store, target: &Target, what: &str) -> Result<(), ApiError> {
    if target == &Target::default() {
        return Err(ApiError::unprocessable(format!(
            "a rule's {what} must name at least one address, Droplet, load balancer, Kubernetes cluster or tag"
        )));
    }
    for address in &target.addresses {
        if address.parse::<IpNet>().is_err() && address.parse::<IpAddr>().is_err() {
            return Err(ApiError::unprocessable(format!(
                "{address:?} is not an IP address or CIDR"
            )));
        }
    }
    for id in &target.droplet_ids {
        if !store.droplets.contains_key(id) {
            return Err(ApiError::unprocessable(format!(
                "Droplet {id} does not exist"
            )));
        }
    }
    check_tags(&target.tags)
}

/// Checks and normalises rules in place.
fn check_rules(
    store: &Store,
    inbound: &mut [InboundRule],
    outbound: &mut [OutboundRule],
) -> Result<(), ApiError> {
    for rule in inbound.iter_mut() {
        rule.ports = Some(normalise_ports(&rule.protocol, rule.ports.as_deref())?);
        check_target(store, &rule.sources, "sources")?;
    }
    for rule in outbound.iter_mut() {
        rule.ports = Some(normalise_ports(&rule.protocol, rule.ports.as_deref())?);
        check_target(store, &rule.destinations, "destinations")?;
    }
    Ok(())
}

fn check_droplets(store: &Store, ids: &[u64]) -> Result<(), ApiError> {
    match ids.iter().find(|id| !store.droplets.contains_key(id)) {
        Some(id) => Err(ApiError::unprocessable(format!(
            "Droplet {id} does not exist"
        ))),
        None => Ok(()),
    }
}

/// `GET /v2/firewalls`.
pub(crate) async fn list(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let store = app.store();
    let firewalls: Vec<&Firewall> = store.firewalls.values().collect();
    Ok(ok(paginate("firewalls", &firewalls, &url, |f| render(f))?))
}

#[derive(Deserialize)]
pub(crate) struct FirewallBody {
    name: Option<String>,
    #[serde(default)]
    droplet_ids: Option<Vec<u64>>,
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    inbound_rules: Option<Vec<InboundRule>>,
    #[serde(default)]
    outbound_rules: Option<Vec<OutboundRule>>,
}

/// The checked parts of a create or replace request.
struct Checked {
    name: String,
    droplet_ids: Vec<u64>,
    tags: Vec<String>,
    inbound: Vec<InboundRule>,
    outbound: Vec<OutboundRule>,
}

fn check(store: &Store, req: FirewallBody) -> Result<Checked, ApiError> {
    let name = req
        .name
        .ok_or_else(|| ApiError::unprocessable("name is required"))?;
    check_hostname("firewall", &name)?;
    if req.inbound_rules.is_none() && req.outbound_rules.is_none() {
        return Err(ApiError::unprocessable(
            "at least one inbound or outbound rule is required",
        ));
    }
    let mut inbound = req.inbound_rules.unwrap_or_default();
    let mut outbound = req.outbound_rules.unwrap_or_default();
    check_rules(store, &mut inbound, &mut outbound)?;
    let droplet_ids = req.droplet_ids.unwrap_or_default();
    check_droplets(store, &droplet_ids)?;
    let tags = req.tags.unwrap_or_default();
    check_tags(&tags)?;
    Ok(Checked {
        name,
        droplet_ids,
        tags,
        inbound,
        outbound,
    })
}

/// `POST /v2/firewalls`.
pub(crate) async fn create(State(app): State<App>, Body(req): Body<FirewallBody>) -> ApiResult {
    let timing = app.timing();
    let mut store = app.store();
    let checked = check(&store, req)?;
    store.ensure_tags(&checked.tags);
    let id = store.uuid();
    let mut firewall = Firewall {
        id: id.clone(),
        name: checked.name,
        status: "waiting",
        created_at: now(),
        droplet_ids: checked.droplet_ids,
        tags: checked.tags,
        inbound_rules: checked.inbound,
        outbound_rules: checked.outbound,
        ready_at: None,
    };
    firewall.changed(&timing);
    let body = json!({ "firewall": render(&firewall) });
    store.firewalls.insert(id, firewall);
    Ok(json(StatusCode::ACCEPTED, body))
}

/// `GET /v2/firewalls/{firewall_id}`.
pub(crate) async fn get(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let store = app.store();
    let firewall = store.firewalls.get(&id).ok_or_else(ApiError::not_found)?;
    Ok(ok(json!({ "firewall": render(firewall) })))
}

/// `PUT /v2/firewalls/{firewall_id}`: replaces the name, rules, Droplets and tags.
pub(crate) async fn update(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<FirewallBody>,
) -> ApiResult {
    let timing = app.timing();
    let mut store = app.store();
    if !store.firewalls.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    let checked = check(&store, req)?;
    store.ensure_tags(&checked.tags);
    let firewall = store
        .firewalls
        .get_mut(&id)
        .ok_or_else(ApiError::not_found)?;
    firewall.name = checked.name;
    firewall.droplet_ids = checked.droplet_ids;
    firewall.tags = checked.tags;
    firewall.inbound_rules = checked.inbound;
    firewall.outbound_rules = checked.outbound;
    firewall.changed(&timing);
    Ok(ok(json!({ "firewall": render(firewall) })))
}

/// `DELETE /v2/firewalls/{firewall_id}`.
pub(crate) async fn delete(State(app): State<App>, Path(id): Path<String>) -> ApiResult {
    let mut store = app.store();
    store
        .firewalls
        .remove(&id)
        .ok_or_else(ApiError::not_found)?;
    Ok(no_content())
}

#[derive(Deserialize)]
pub(crate) struct DropletIds {
    droplet_ids: Vec<u64>,
}

/// `POST` and `DELETE /v2/firewalls/{firewall_id}/droplets`.
async fn change_droplets(app: App, id: String, ids: Vec<u64>, add: bool) -> ApiResult {
    let timing = app.timing();
    let mut store = app.store();
    if !store.firewalls.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    if add {
        check_droplets(&store, &ids)?;
    }
    let firewall = store
        .firewalls
        .get_mut(&id)
        .ok_or_else(ApiError::not_found)?;
    if add {
        for droplet in ids {
            if !firewall.droplet_ids.contains(&droplet) {
                firewall.droplet_ids.push(droplet);
            }
        }
    } else {
        firewall.droplet_ids.retain(|d| !ids.contains(d));
    }
    firewall.changed(&timing);
    Ok(no_content())
}

/// `POST /v2/firewalls/{firewall_id}/droplets`.
pub(crate) async fn add_droplets(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<DropletIds>,
) -> ApiResult {
    change_droplets(app, id, req.droplet_ids, true).await
}

/// `DELETE /v2/firewalls/{firewall_id}/droplets`.
pub(crate) async fn remove_droplets(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<DropletIds>,
) -> ApiResult {
    change_droplets(app, id, req.droplet_ids, false).await
}

#[derive(Deserialize)]
pub(crate) struct Tags {
    tags: Vec<String>,
}

async fn change_tags(app: App, id: String, tags: Vec<String>, add: bool) -> ApiResult {
    check_tags(&tags)?;
    let timing = app.timing();
    let mut store = app.store();
    if !store.firewalls.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    if add {
        store.ensure_tags(&tags);
    }
    let firewall = store
        .firewalls
        .get_mut(&id)
        .ok_or_else(ApiError::not_found)?;
    if add {
        add_tags(&mut firewall.tags, &tags);
    } else {
        firewall.tags.retain(|t| !tags.contains(t));
    }
    firewall.changed(&timing);
    Ok(no_content())
}

/// `POST /v2/firewalls/{firewall_id}/tags`.
pub(crate) async fn add_tags_handler(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<Tags>,
) -> ApiResult {
    change_tags(app, id, req.tags, true).await
}

/// `DELETE /v2/firewalls/{firewall_id}/tags`.
pub(crate) async fn remove_tags(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<Tags>,
) -> ApiResult {
    change_tags(app, id, req.tags, false).await
}

#[derive(Deserialize)]
pub(crate) struct Rules {
    #[serde(default)]
    inbound_rules: Vec<InboundRule>,
    #[serde(default)]
    outbound_rules: Vec<OutboundRule>,
}

async fn change_rules(app: App, id: String, mut req: Rules, add: bool) -> ApiResult {
    if req.inbound_rules.is_empty() && req.outbound_rules.is_empty() {
        return Err(ApiError::unprocessable(
            "at least one inbound or outbound rule is required",
        ));
    }
    let timing = app.timing();
    let mut store = app.store();
    if !store.firewalls.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    check_rules(&store, &mut req.inbound_rules, &mut req.outbound_rules)?;
    let firewall = store
        .firewalls
        .get_mut(&id)
        .ok_or_else(ApiError::not_found)?;
    if add {
        for rule in req.inbound_rules {
            if !firewall.inbound_rules.contains(&rule) {
                firewall.inbound_rules.push(rule);
            }
        }
        for rule in req.outbound_rules {
            if !firewall.outbound_rules.contains(&rule) {
                firewall.outbound_rules.push(rule);
            }
        }
    } else {
        firewall
            .inbound_rules
            .retain(|r| !req.inbound_rules.contains(r));
        firewall
            .outbound_rules
            .retain(|r| !req.outbound_rules.contains(r));
    }
    firewall.changed(&timing);
    Ok(no_content())
}

/// `POST /v2/firewalls/{firewall_id}/rules`.
pub(crate) async fn add_rules(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<Rules>,
) -> ApiResult {
    change_rules(app, id, req, true).await
}

/// `DELETE /v2/firewalls/{firewall_id}/rules`.
pub(crate) async fn remove_rules(
    State(app): State<App>,
    Path(id): Path<String>,
    Body(req): Body<Rules>,
) -> ApiResult {
    change_rules(app, id, req, false).await
}

#[cfg(test)]
mod tests {
    use super::normalise_ports;

    #[test]
    fn ports_are_stored_as_digitalocean_returns_them() {
        assert_eq!(normalise_ports("tcp", Some("all")).unwrap(), "0");
        assert_eq!(normalise_ports("icmp", Some("0")).unwrap(), "0");
        assert!(normalise_ports("icmp", None).is_err());
        assert_eq!(
            normalise_ports("tcp", Some("8000-9000")).unwrap(),
            "8000-9000"
        );
        assert!(normalise_ports("tcp", Some("9000-8000")).is_err());
        assert!(normalise_ports("tcp", Some("70000")).is_err());
        assert!(normalise_ports("tcp", None).is_err());
        assert!(normalise_ports("gre", Some("1")).is_err());
    }
}
