//! Domains and their records: `/v2/domains` (list, create), `/v2/domains/{name}` (get,
//! delete), `/v2/domains/{name}/records` (list with `type` and `name` filters, create) and
//! `/v2/domains/{name}/records/{id}` (get, replace, patch, delete). A new domain gets
//! DigitalOcean's three NS records and an SOA record, and an `@` A record when `ip_address` is
//! given. The `name` filter takes the fully qualified name (`www.example.com`, or `example.com`
//! for `@`).

use std::net::{Ipv4Addr, Ipv6Addr};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::errors::{ApiError, ApiResult};
use crate::pagination::paginate;
use crate::reply::{int_id, json, no_content, ok, Body, RequestUrl};
use crate::state::App;
use crate::store::Store;

/// The TTL of new domains and of records that do not say.
const DEFAULT_TTL: u64 = 1800;

/// A stored domain.
pub(crate) struct Domain {
    pub name: String,
}

/// A stored domain record.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub id: u64,
    pub domain: String,
    kind: String,
    name: String,
    data: String,
    priority: Option<u64>,
    port: Option<u64>,
    ttl: u64,
    weight: Option<u64>,
    flags: Option<u64>,
    tag: Option<String>,
}

impl Record {
    /// The record's fully qualified name.
    fn fqdn(&self) -> String {
        if self.name == "@" {
            self.domain.clone()
        } else {
            format!("{}.{}", self.name, self.domain)
        }
    }
}

/// A domain as DigitalOcean renders it (the zone file is rebuilt from its records).
pub(crate) fn render_domain(d: &Domain) -> Value {
    json!({ "name": d.name, "ttl": DEFAULT_TTL, "zone_file": Value::Null })
}

fn render_domain_with_zone(store: &Store, d: &Domain) -> Value {
    let mut zone = format!("$ORIGIN {}.\n$TTL {DEFAULT_TTL}\n", d.name);
    for r in store.records.values().filter(|r| r.domain == d.name) {
        let extra = match r.kind.as_str() {
            "MX" => format!("{} ", r.priority.unwrap_or(0)),
            "SRV" => format!(
                "{} {} {} ",
                r.priority.unwrap_or(0),
                r.weight.unwrap_or(0),
                r.port.unwrap_or(0)
            ),
            "CAA" => format!(
                "{} {} ",
                r.flags.unwrap_or(0),
                r.tag.as_deref().unwrap_or("")
            ),
            _ => String::new(),
        };
        zone.push_str(&format!(
            "{} {} IN {} {extra}{}\n",
            r.name, r.ttl, r.kind, r.data
        ));
    }
    json!({ "name": d.name, "ttl": DEFAULT_TTL, "zone_file": zone })
}

/// A record as DigitalOcean renders it.
pub(crate) fn render_record(r: &Record) -> Value {
    json!({
        "id": r.id,
        "type": r.kind,
        "name": r.name,
        "data": r.data,
        "priority": r.priority,
        "port": r.port,
        "ttl": r.ttl,
        "weight": r.weight,
        "flags": r.flags,
        "tag": r.tag,
    })
}

/// Checks a domain name: dot-separated labels of letters, digits and hyphens.
fn check_domain_name(name: &str) -> Result<(), ApiError> {
    let labels: Vec<&str> = name.split('.').collect();
    let valid = labels.len() >= 2
        && name.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if valid {
        Ok(())
    } else {
        Err(ApiError::unprocessable(format!("Name {name:?} is invalid")))
    }
}

/// `GET /v2/domains`.
pub(crate) async fn list(State(app): State<App>, url: RequestUrl) -> ApiResult {
    let store = app.store();
    let domains: Vec<&Domain> = store.domains.values().collect();
    Ok(ok(paginate("domains", &domains, &url, |d| {
        render_domain_with_zone(&store, d)
    })?))
}

#[derive(Deserialize)]
pub(crate) struct CreateDomain {
    name: String,
    ip_address: Option<String>,
}

/// `POST /v2/domains`.
pub(crate) async fn create(State(app): State<App>, Body(req): Body<CreateDomain>) -> ApiResult {
    let name = req.name.to_ascii_lowercase();
    check_domain_name(&name)?;
    if let Some(ip) = &req.ip_address {
        if ip.parse::<Ipv4Addr>().is_err() {
            return Err(ApiError::unprocessable(format!(
                "ip_address {ip:?} is not an IPv4 address"
            )));
        }
    }
    let mut store = app.store();
    if store.domains.contains_key(&name) {
        return Err(ApiError::unprocessable(format!(
            "Name {name:?} is already in use"
        )));
    }
    store
        .domains
        .insert(name.clone(), Domain { name: name.clone() });
    let mut initial: Vec<(&str, &str, String)> = (1..=3)
        .map(|n| ("NS", "@", format!("ns{n}.digitalocean.com")))
        .collect();
    initial.push(("SOA", "@", DEFAULT_TTL.to_string()));
    if let Some(ip) = req.ip_address {
        initial.push(("A", "@", ip));
    }
    for (kind, record_name, data) in initial {
        let id = store.int_id();
        store.records.insert(
            id,
            Record {
                id,
                domain: name.clone(),
                kind: kind.to_string(),
                name: record_name.to_string(),
                data,
                priority: None,
                port: None,
                ttl: DEFAULT_TTL,
                weight: None,
                flags: None,
                tag: None,
            },
        );
    }
    let body = json!({ "domain": render_domain(&store.domains[&name]) });
    Ok(json(StatusCode::CREATED, body))
}

/// `GET /v2/domains/{domain_name}`.
pub(crate) async fn get(State(app): State<App>, Path(name): Path<String>) -> ApiResult {
    let store = app.store();
    let domain = store.domains.get(&name).ok_or_else(ApiError::not_found)?;
    Ok(ok(
        json!({ "domain": render_domain_with_zone(&store, domain) }),
    ))
}

/// `DELETE /v2/domains/{domain_name}`: the domain and all its records.
pub(crate) async fn delete(State(app): State<App>, Path(name): Path<String>) -> ApiResult {
    let mut store = app.store();
    store
        .domains
        .remove(&name)
        .ok_or_else(ApiError::not_found)?;
    store.records.retain(|_, r| r.domain != name);
    Ok(no_content())
}

/// `GET /v2/domains/{domain_name}/records`: `type` and `name` (fully qualified) filter.
pub(crate) async fn list_records(
    State(app): State<App>,
    Path(name): Path<String>,
    url: RequestUrl,
) -> ApiResult {
    let store = app.store();
    if !store.domains.contains_key(&name) {
        return Err(ApiError::not_found());
    }
    let kind = url.query.get("type");
    let fqdn = url.query.get("name");
    let records: Vec<&Record> = store
        .records
        .values()
        .filter(|r| r.domain == name)
        .filter(|r| kind.is_none_or(|k| r.kind == k))
        .filter(|r| fqdn.is_none_or(|n| r.fqdn().eq_ignore_ascii_case(n)))
        .collect();
    Ok(ok(paginate("domain_records", &records, &url, |r| {
        render_record(r)
    })?))
}

/// A record's fields as a request gives them (all optional, so one type serves create, replace
/// and patch).
#[derive(Deserialize, Default)]
pub(crate) struct RecordBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    data: Option<String>,
    priority: Option<u64>,
    port: Option<u64>,
    ttl: Option<u64>,
    weight: Option<u64>,
    flags: Option<u64>,
    tag: Option<String>,
}

/// Checks a record as it would be stored.
fn check_record(r: &Record) -> Result<(), ApiError> {
    let fail = |m: String| Err(ApiError::unprocessable(m));
    if r.name.is_empty() {
        return fail("Name can't be blank".into());
    }
    if r.ttl < 30 {
        return fail(format!("TTL {} is below the minimum of 30 seconds", r.ttl));
    }
    let hostname = |data: &str| data == "@" || (data.ends_with('.') && data.len() > 1);
    let u16_field = |v: Option<u64>, field: &str| -> Result<(), ApiError> {
        match v {
            Some(n) if n <= 65535 => Ok(()),
            Some(n) => Err(ApiError::unprocessable(format!(
                "{field} {n} must be at most 65535"
            ))),
            None => Err(ApiError::unprocessable(format!(
                "{field} is required for {} records",
                r.kind
            ))),
        }
    };
    match r.kind.as_str() {
        "A" if r.data.parse::<Ipv4Addr>().is_err() => {
            fail(format!("Data {:?} is not a valid IPv4 address", r.data))
        }
        "AAAA" if r.data.parse::<Ipv6Addr>().is_err() => {
            fail(format!("Data {:?} is not a valid IPv6 address", r.data))
        }
        "A" | "AAAA" => Ok(()),
        "CNAME" | "NS" if !hostname(&r.data) => fail("Data needs to end with a dot (.)".into()),
        "CNAME" | "NS" => Ok(()),
        "TXT" if r.data.is_empty() => fail("Data can't be blank".into()),
        "TXT" => Ok(()),
        "MX" => {
            u16_field(r.priority, "priority")?;
            if hostname(&r.data) {
                Ok(())
            } else {
                fail("Data needs to end with a dot (.)".into())
            }
        }
        "SRV" => {
            u16_field(r.priority, "priority")?;
            u16_field(r.port, "port")?;
            u16_field(r.weight, "weight")?;
            if !hostname(&r.data) {
                return fail("Data needs to end with a dot (.)".into());
            }
            if !r.name.starts_with('_') {
                return fail("Name of an SRV record must start with _service._protocol".into());
            }
            Ok(())
        }
        "CAA" => {
            if r.flags.is_none_or(|f| f > 255) {
                return fail("flags (0 to 255) are required for CAA records".into());
            }
            if !matches!(r.tag.as_deref(), Some("issue" | "issuewild" | "iodef")) {
                return fail("tag must be issue, issuewild or iodef for CAA records".into());
            }
            if r.data.is_empty() {
                return fail("Data can't be blank".into());
            }
            Ok(())
        }
        other => fail(format!(
            "Type {other:?} is invalid: use A, AAAA, CAA, CNAME, MX, NS, SRV or TXT"
        )),
    }
}

/// The fields the official description requires in a new record of each type (`null` is
/// accepted for the nullable ones, as the description allows).
fn required_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "MX" => &["data", "priority"],
        "CAA" | "NS" | "TXT" => &["name", "data", "flags", "tag"],
        "SRV" => &["name", "data", "priority", "port", "flags", "tag"],
        _ => &["name", "data"],
    }
}

/// Refuses a new record that leaves out a field its type requires.
fn require_fields(raw: &Value) -> Result<(), ApiError> {
    let kind = raw
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::unprocessable("Type can't be blank"))?;
    match required_fields(kind).iter().find(|f| raw.get(**f).is_none()) {
        Some(field) => Err(ApiError::unprocessable(format!(
            "{field} is required for {kind} records (null is accepted where the field does not apply)"
        ))),
        None => Ok(()),
    }
}

/// Applies the fields a request gives to a record.
fn merge(record: &mut Record, req: RecordBody) {
    if let Some(name) = req.name {
        record.name = name;
    }
    if let Some(data) = req.data {
        record.data = data;
    }
    if req.priority.is_some() {
        record.priority = req.priority;
    }
    if req.port.is_some() {
        record.port = req.port;
    }
    if let Some(ttl) = req.ttl {
        record.ttl = ttl;
    }
    if req.weight.is_some() {
        record.weight = req.weight;
    }
    if req.flags.is_some() {
        record.flags = req.flags;
    }
    if req.tag.is_some() {
        record.tag = req.tag;
    }
}

/// `POST /v2/domains/{domain_name}/records`.
pub(crate) async fn create_record(
    State(app): State<App>,
    Path(domain): Path<String>,
    Body(raw): Body<Value>,
) -> ApiResult {
    require_fields(&raw)?;
    let req: RecordBody =
        serde_json::from_value(raw).map_err(|e| ApiError::unprocessable(e.to_string()))?;
    let mut store = app.store();
    if !store.domains.contains_key(&domain) {
        return Err(ApiError::not_found());
    }
    let kind = req
        .kind
        .clone()
        .ok_or_else(|| ApiError::unprocessable("Type can't be blank"))?;
    let default_name = if kind == "MX" { "@" } else { "" };
    let mut record = Record {
        id: 0,
        domain: domain.clone(),
        kind,
        name: default_name.to_string(),
        data: String::new(),
        priority: None,
        port: None,
        ttl: DEFAULT_TTL,
        weight: None,
        flags: None,
        tag: None,
    };
    merge(&mut record, req);
    check_record(&record)?;
    record.id = store.int_id();
    let body = json!({ "domain_record": render_record(&record) });
    store.records.insert(record.id, record);
    Ok(json(StatusCode::CREATED, body))
}

fn find_record(store: &Store, domain: &str, id: &str) -> Result<u64, ApiError> {
    let id = int_id(id)?;
    store
        .records
        .get(&id)
        .filter(|r| r.domain == domain)
        .map(|r| r.id)
        .ok_or_else(ApiError::not_found)
}

/// `GET /v2/domains/{domain_name}/records/{domain_record_id}`.
pub(crate) async fn get_record(
    State(app): State<App>,
    Path((domain, id)): Path<(String, String)>,
) -> ApiResult {
    let store = app.store();
    let id = find_record(&store, &domain, &id)?;
    Ok(ok(
        json!({ "domain_record": render_record(&store.records[&id]) }),
    ))
}

/// `PUT` and `PATCH /v2/domains/{domain_name}/records/{domain_record_id}`.
async fn change_record(app: App, domain: String, id: String, req: RecordBody) -> ApiResult {
    let mut store = app.store();
    let id = find_record(&store, &domain, &id)?;
    let mut record = store.records[&id].clone();
    if req.kind.is_none() {
        return Err(ApiError::unprocessable("Type can't be blank"));
    }
    if req.kind.as_ref().is_some_and(|k| *k != record.kind) {
        return Err(ApiError::unprocessable(
            "a record's type cannot change: delete it and create another",
        ));
    }
    if record.kind == "SOA" || record.kind == "NS" && record.name == "@" {
        if let Some(ttl) = req.ttl {
            record.ttl = ttl;
        }
    } else {
        merge(&mut record, req);
        check_record(&record)?;
    }
    let body = json!({ "domain_record": render_record(&record) });
    store.records.insert(id, record);
    Ok(ok(body))
}

/// `PUT /v2/domains/{domain_name}/records/{domain_record_id}`.
pub(crate) async fn update_record(
    State(app): State<App>,
    Path((domain, id)): Path<(String, String)>,
    Body(req): Body<RecordBody>,
) -> ApiResult {
    change_record(app, domain, id, req).await
}

/// `PATCH /v2/domains/{domain_name}/records/{domain_record_id}`.
pub(crate) async fn patch_record(
    State(app): State<App>,
    Path((domain, id)): Path<(String, String)>,
    Body(req): Body<RecordBody>,
) -> ApiResult {
    change_record(app, domain, id, req).await
}

/// `DELETE /v2/domains/{domain_name}/records/{domain_record_id}`.
pub(crate) async fn delete_record(
    State(app): State<App>,
    Path((domain, id)): Path<(String, String)>,
) -> ApiResult {
    let mut store = app.store();
    let id = find_record(&store, &domain, &id)?;
    store.records.remove(&id);
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, name: &str, data: &str) -> Record {
        Record {
            id: 1,
            domain: "example.com".into(),
            kind: kind.into(),
            name: name.into(),
            data: data.into(),
            priority: None,
            port: None,
            ttl: 1800,
            weight: None,
            flags: None,
            tag: None,
        }
    }

    #[test]
    fn records_are_checked_per_type() {
        assert!(check_record(&record("A", "www", "192.0.2.1")).is_ok());
        assert!(check_record(&record("A", "www", "nope")).is_err());
        assert!(check_record(&record("AAAA", "www", "2001:db8::1")).is_ok());
        assert!(check_record(&record("CNAME", "www", "example.com")).is_err());
        assert!(check_record(&record("CNAME", "www", "example.com.")).is_ok());
        assert!(check_record(&record("MX", "@", "mail.example.com.")).is_err());
        let mut mx = record("MX", "@", "mail.example.com.");
        mx.priority = Some(10);
        assert!(check_record(&mx).is_ok());
        let mut caa = record("CAA", "@", "letsencrypt.org");
        caa.flags = Some(0);
        caa.tag = Some("issue".into());
        assert!(check_record(&caa).is_ok());
        caa.tag = Some("bogus".into());
        assert!(check_record(&caa).is_err());
        assert!(check_record(&record("SOA", "@", "1800")).is_err());
    }

    #[test]
    fn fqdn_of_apex_is_the_domain() {
        assert_eq!(record("A", "@", "192.0.2.1").fqdn(), "example.com");
        assert_eq!(record("A", "www", "192.0.2.1").fqdn(), "www.example.com");
    }
}
