//! `digitalocean_record`: a DNS record in a domain (A, AAAA, CNAME, TXT, MX, SRV, CAA, NS).
//! Records cannot carry tags, so an interrupted create is found again by its identifying fields
//! (domain, type, fully qualified name and value). Refresh lists each domain's records, 200 a
//! call. Every write sends `type` and every field (`flags` and `tag` too, null where they do
//! not apply), as DigitalOcean's description requires for TXT, SRV, CAA and NS records.
//! Imported as `domain,id`, or by the id alone (what `list` reports), searched in every domain.

use std::collections::BTreeMap;

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, AttrPath, Attribute, Context, CrashSafety, CreateRequest,
    DeleteRequest, DeleteResponse, Diagnostic, Diagnostics, ListResponse, ObjectResponse,
    PlanRequest, PlanResponse, ReadManyResponse, ReadResult, Resource, Schema, Type, UpdateRequest,
    Validator, Value,
};
use serde_json::{json, Value as Json};

use crate::attrs::{self, State};
use crate::client::{segment, take, Client, Error};
use crate::list;
use crate::read::{read_listed, Listing};
use crate::resources::id;

/// The resource type.
pub struct Record;

const TYPE: &str = "digitalocean_record";
/// The record types plinth manages.
const TYPES: &[&str] = &["A", "AAAA", "CAA", "CNAME", "MX", "NS", "SRV", "TXT"];
/// Types whose value is a host name, written with a final dot.
const HOST_VALUED: &[&str] = &["CNAME", "MX", "NS", "SRV"];

/// The state of a record in `domain`.
pub fn state(json: &Json, prior: &Value, domain: &str) -> Value {
    let mut state = State::from(prior);
    let kind = json.get("type").and_then(Json::as_str).unwrap_or_default();
    let name = json.get("name").and_then(Json::as_str).unwrap_or_default();
    let data = json.get("data").and_then(Json::as_str).unwrap_or_default();
    state
        .set("id", attrs::json_id(json).unwrap_or_default())
        .set("domain", domain)
        .set("type", kind)
        .set("fqdn", fqdn(name, domain))
        .set("ttl", attrs::json_number(json, "ttl"));
    if !attrs::string(prior, "name").is_some_and(|n| same_name(n, name, domain)) {
        state.set("name", name);
    }
    if !attrs::string(prior, "value").is_some_and(|v| same_value(kind, v, data, domain)) {
        state.set("value", data);
    }
    for field in ["priority", "port", "weight", "flags"] {
        state.set(field, attrs::json_number(json, field));
    }
    state.set("tag", attrs::json_string(json, "tag"));
    state.build()
}

/// A record's fully qualified name.
fn fqdn(name: &str, domain: &str) -> String {
    if name == "@" || name.is_empty() {
        domain.to_string()
    } else {
        format!("{name}.{domain}")
    }
}

/// Whether a configured name means the record name DigitalOcean holds (`www`, `www.example.com`
/// and `www.example.com.` all mean `www`; the domain itself means `@`).
fn same_name(configured: &str, held: &str, domain: &str) -> bool {
    let configured = configured.trim_end_matches('.');
    configured == held || fqdn(held, domain).eq_ignore_ascii_case(configured)
}

/// Whether a configured value means the data DigitalOcean holds: host names with or without
/// their final dot, `@` for the domain itself.
fn same_value(kind: &str, configured: &str, held: &str, domain: &str) -> bool {
    if configured == held {
        return true;
    }
    if !HOST_VALUED.contains(&kind) {
        return false;
    }
    let host = |v: &str| {
        if v == "@" {
            domain.to_ascii_lowercase()
        } else {
            v.trim_end_matches('.').to_ascii_lowercase()
        }
    };
    host(configured) == host(held)
}

/// The value as DigitalOcean wants it: host names end with a dot.
fn data(kind: &str, value: &str) -> String {
    if HOST_VALUED.contains(&kind) && value != "@" && !value.ends_with('.') {
        format!("{value}.")
    } else {
        value.to_string()
    }
}

/// The record name as DigitalOcean wants it: relative to the domain, `@` for the domain.
fn relative_name(name: &str, domain: &str) -> String {
    let name = name.trim_end_matches('.');
    if name.eq_ignore_ascii_case(domain) {
        "@".to_string()
    } else {
        let suffix = format!(".{domain}");
        if name
            .to_ascii_lowercase()
            .ends_with(&suffix.to_ascii_lowercase())
        {
            name[..name.len() - suffix.len()].to_string()
        } else {
            name.to_string()
        }
    }
}

/// The body of a create or replace: `type` and every field, null where unset.
fn body(planned: &Value) -> Json {
    let domain = attrs::string(planned, "domain").unwrap_or_default();
    let kind = attrs::string(planned, "type").unwrap_or_default();
    let number = |name: &str| attrs::integer(planned, name).map_or(Json::Null, |n| json!(n));
    let mut body = json!({
        "type": kind,
        "name": relative_name(attrs::string(planned, "name").unwrap_or("@"), domain),
        "data": data(kind, attrs::string(planned, "value").unwrap_or_default()),
        "priority": number("priority"),
        "port": number("port"),
        "weight": number("weight"),
        "flags": number("flags"),
        "tag": attrs::string(planned, "tag").map_or(Json::Null, |t| json!(t)),
    });
    // The TTL is not nullable: left out, DigitalOcean's default applies.
    if let Some(ttl) = attrs::integer(planned, "ttl") {
        body["ttl"] = json!(ttl);
    }
    body
}

/// The fields each type needs, checked before anything is sent.
fn check(planned: &Value) -> Diagnostics {
    let mut problems = Diagnostics::new();
    let kind = attrs::string(planned, "type").unwrap_or_default();
    let needs: &[&str] = match kind {
        "MX" => &["priority"],
        "SRV" => &["priority", "port", "weight"],
        "CAA" => &["flags", "tag"],
        _ => &[],
    };
    for field in needs {
        if planned.get(field).is_some_and(|v| v.is_null()) || planned.get(field).is_none() {
            problems.push(
                Diagnostic::error(format!("a {kind} record needs {field}"))
                    .with_attribute(AttrPath::attr(*field)),
            );
        }
    }
    problems
}

/// The record matching the identifying fields of `planned`, if one exists.
async fn find(client: &Client, ctx: &Context, planned: &Value) -> Result<Option<Json>, Error> {
    let domain = attrs::string(planned, "domain").unwrap_or_default();
    let kind = attrs::string(planned, "type").unwrap_or_default();
    let name = relative_name(attrs::string(planned, "name").unwrap_or("@"), domain);
    let value = attrs::string(planned, "value").unwrap_or_default();
    let path = format!("/v2/domains/{}/records", segment(domain));
    let full = fqdn(&name, domain);
    let records = client
        .list_all(
            ctx,
            &path,
            &[("type", kind), ("name", &full)],
            "domain_records",
        )
        .await?;
    Ok(records.into_iter().find(|r| {
        r.get("name").and_then(Json::as_str) == Some(name.as_str())
            && r.get("data")
                .and_then(Json::as_str)
                .is_some_and(|d| same_value(kind, value, d, domain))
    }))
}

/// Whether a listed record is the user's: DigitalOcean makes a domain's SOA record and its NS
/// records pointing at DigitalOcean's name servers itself.
fn is_users(json: &Json) -> bool {
    let kind = json.get("type").and_then(Json::as_str).unwrap_or_default();
    let data = json.get("data").and_then(Json::as_str).unwrap_or_default();
    TYPES.contains(&kind)
        && !(kind == "NS"
            && data
                .trim_end_matches('.')
                .to_ascii_lowercase()
                .ends_with(".digitalocean.com"))
}

/// Every record of every domain: the domains listed, then each domain's records, 200 a call.
async fn every_record(client: &Client, ctx: &Context) -> Result<Vec<Value>, Error> {
    let domains = client.list_all(ctx, "/v2/domains", &[], "domains").await?;
    let mut records = Vec::new();
    for domain in domains.iter().filter_map(|d| d.get("name")?.as_str()) {
        let path = format!("/v2/domains/{}/records", segment(domain));
        let listed = client.list_all(ctx, &path, &[], "domain_records").await?;
        records.extend(
            listed
                .iter()
                .filter(|r| is_users(r))
                .map(|r| state(r, &list::nothing(), domain)),
        );
    }
    Ok(records)
}

#[async_trait]
impl Resource<Client> for Record {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        let number = |text: &str| Attribute::optional(Type::Number).describe(text);
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The record's id."),
            )
            .attr(
                "domain",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The domain's name."),
            )
            .attr(
                "type",
                Attribute::required(Type::String)
                    .force_new()
                    .validate(Validator::OneOf(
                        TYPES.iter().map(|t| t.to_string()).collect(),
                    ))
                    .describe("The record type."),
            )
            .attr(
                "name",
                Attribute::required(Type::String)
                    .describe("The record's name (`@` for the domain itself)."),
            )
            .attr(
                "value",
                Attribute::required(Type::String).describe("The record's data."),
            )
            .attr(
                "ttl",
                Attribute::optional_computed(Type::Number)
                    .describe("Its TTL in seconds (1800 when unset)."),
            )
            .attr("priority", number("The priority (MX, SRV)."))
            .attr("port", number("The port (SRV)."))
            .attr("weight", number("The weight (SRV)."))
            .attr(
                "flags",
                number("The flags (CAA), 0 to 255.").validate(Validator::Between {
                    min: 0.0,
                    max: 255.0,
                }),
            )
            .attr(
                "tag",
                Attribute::optional(Type::String)
                    .validate(Validator::OneOf(vec![
                        "issue".into(),
                        "issuewild".into(),
                        "iodef".into(),
                    ]))
                    .describe("The tag (CAA): issue, issuewild or iodef."),
            )
            .attr(
                "fqdn",
                Attribute::computed(Type::String).describe("The record's fully qualified name."),
            )
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("A DNS record, found after a crash by its domain, type, name and value.")
    }

    async fn plan(&self, _client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        let diagnostics = check(&request.proposed);
        PlanResponse {
            diagnostics,
            ..PlanResponse::keep(request.proposed)
        }
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let problems = check(planned);
        if problems.has_errors() {
            return ObjectResponse::failed(problems);
        }
        let domain = attrs::string(planned, "domain").unwrap_or_default();
        let path = format!("/v2/domains/{}/records", segment(domain));
        let doing = format!(
            "creating the {} record {:?} in {domain}",
            attrs::string(planned, "type").unwrap_or_default(),
            attrs::string(planned, "name").unwrap_or_default()
        );
        match client
            .create(ctx, &path, "domain_record", &body(planned), || {
                find(client, ctx, planned)
            })
            .await
        {
            Ok(json) => ObjectResponse::ok(state(&json, planned, domain)),
            Err(e) => ObjectResponse::failed(e.diagnostic_for(
                &doing,
                &[
                    "domain", "type", "name", "value", "ttl", "priority", "port", "weight",
                    "flags", "tag",
                ],
            )),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        // One listing per domain, then the answers back in the order asked.
        let mut by_domain: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, object) in objects.iter().enumerate() {
            let domain = attrs::string(object, "domain")
                .unwrap_or_default()
                .to_string();
            by_domain.entry(domain).or_default().push(i);
        }
        let mut results: Vec<Option<ReadResult>> = vec![None; objects.len()];
        for (domain, positions) in by_domain {
            let group: Vec<Value> = positions.iter().map(|&i| objects[i].clone()).collect();
            let path = format!("/v2/domains/{}/records", segment(&domain));
            let what = format!("reading the records of {domain}");
            let listing = Listing {
                path: &path,
                query: &[],
                key: "domain_records",
                item_key: "domain_record",
                paginated: true,
                what: &what,
            };
            let read = read_listed(
                client,
                ctx,
                &listing,
                &group,
                |id| format!("{path}/{id}"),
                attrs::json_id,
                |json, prior| state(json, prior, &domain),
            )
            .await;
            for (position, result) in positions.into_iter().zip(read) {
                results[position] = Some(result);
            }
        }
        ReadManyResponse {
            results: results
                .into_iter()
                .map(|r| r.unwrap_or(ReadResult::Gone))
                .collect(),
            ..ReadManyResponse::default()
        }
    }

    async fn update(
        &self,
        client: &Client,
        ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let problems = check(planned);
        if problems.has_errors() {
            return ObjectResponse::failed(problems);
        }
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let domain = attrs::string(planned, "domain").unwrap_or_default();
        let path = format!("/v2/domains/{}/records/{id}", segment(domain));
        match client
            .put(ctx, &path, &body(planned))
            .await
            .and_then(|a| take(a, "domain_record", "PUT", &path))
        {
            Ok(json) => ObjectResponse::ok(state(&json, planned, domain)),
            Err(e) => ObjectResponse::failed(e.diagnostic_for(
                &format!("updating the record {id} in {domain}"),
                &[
                    "name", "value", "ttl", "priority", "port", "weight", "flags", "tag",
                ],
            )),
        }
    }

    async fn delete(
        &self,
        client: &Client,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let domain = attrs::string(&request.prior, "domain").unwrap_or_default();
        let deleted = match id(&request.prior, TYPE) {
            Ok(id) => client
                .delete(
                    ctx,
                    &format!("/v2/domains/{}/records/{id}", segment(domain)),
                )
                .await
                .map_err(|e| {
                    e.diagnostic(&format!("deleting the record {id} in {domain}"))
                        .into()
                }),
            Err(d) => Err(d),
        };
        DeleteResponse {
            diagnostics: deleted.err().unwrap_or_default(),
            ..DeleteResponse::default()
        }
    }

    async fn list(&self, client: &Client, ctx: &Context) -> ListResponse {
        list::answer(every_record(client, ctx).await, "listing DNS records")
    }

    async fn import(&self, client: &Client, ctx: &Context, import_id: &str) -> ObjectResponse {
        let doing = format!("importing the record {import_id:?}");
        let Some((domain, id)) = import_id.split_once(',') else {
            // A bare id is what `list` (and so `plinth drift -unmanaged`) reports: found in
            // whichever domain holds it.
            if import_id.parse::<u64>().is_ok() {
                return match every_record(client, ctx).await {
                    Ok(records) => match records
                        .into_iter()
                        .find(|r| attrs::string(r, "id") == Some(import_id))
                    {
                        Some(found) => ObjectResponse::ok(found),
                        None => ObjectResponse::failed(Diagnostic::error(format!(
                            "{doing} failed: no domain of the account has a record with this id"
                        ))),
                    },
                    Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
                };
            }
            return ObjectResponse::failed(Diagnostic::error(format!(
                "{doing} failed: a record is imported as `domain,id` (example.com,12345) or by its id alone"
            )));
        };
        let path = format!("/v2/domains/{}/records/{}", segment(domain), segment(id));
        match client
            .get(ctx, &path)
            .await
            .and_then(|a| take(a, "domain_record", "GET", &path))
        {
            Ok(json) => ObjectResponse::ok(state(&json, &Value::object::<&str>([]), domain)),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let domain = attrs::string(&request.planned, "domain").unwrap_or_default();
        match find(client, ctx, &request.planned).await {
            Ok(found) => AdoptResponse {
                found: found.map(|json| state(&json, &request.planned, domain)),
                ..AdoptResponse::default()
            },
            Err(e) if e.is_not_found() => AdoptResponse::default(),
            Err(e) => AdoptResponse {
                diagnostics: e
                    .diagnostic("looking for a record an interrupted create made")
                    .into(),
                ..AdoptResponse::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_are_compared_as_dns_means_them() {
        assert!(same_name("www", "www", "example.com"));
        assert!(same_name("www.example.com", "www", "example.com"));
        assert!(same_name("example.com.", "@", "example.com"));
        assert!(!same_name("api", "www", "example.com"));
        assert!(same_value(
            "CNAME",
            "web.example.com",
            "web.example.com.",
            "example.com"
        ));
        assert!(same_value("CNAME", "@", "example.com.", "example.com"));
        assert!(!same_value("TXT", "a.", "a", "example.com"));
        assert_eq!(relative_name("www.example.com", "example.com"), "www");
        assert_eq!(relative_name("example.com", "example.com"), "@");
        assert_eq!(data("MX", "mail.example.com"), "mail.example.com.");
        assert_eq!(data("A", "192.0.2.1"), "192.0.2.1");
    }

    #[test]
    fn every_field_is_sent_with_the_type() {
        let planned = Value::object([
            ("domain", Value::from("example.com")),
            ("type", Value::from("TXT")),
            ("name", Value::from("@")),
            ("value", Value::from("v=spf1 -all")),
        ]);
        let body = body(&planned);
        for field in [
            "type", "name", "data", "priority", "port", "weight", "flags", "tag",
        ] {
            assert!(body.get(field).is_some(), "{field} missing from {body}");
        }
        assert_eq!(body["flags"], Json::Null);
    }

    #[test]
    fn an_mx_record_without_priority_names_the_attribute() {
        let planned = Value::object([("type", Value::from("MX")), ("priority", Value::Null)]);
        let problems = check(&planned);
        assert_eq!(problems.0[0].attribute, Some(AttrPath::attr("priority")));
    }
}
