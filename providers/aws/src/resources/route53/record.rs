//! `aws_route53_record`: a record set (A, AAAA, CNAME, TXT, MX... with `ttl` and `records`, or
//! an `alias`; weighted routing with `set_identifier`), found again after an interrupted create
//! by zone, name, type and set identifier. Changes are UPSERTs waited for until INSYNC. Import
//! id: `ZONEID_NAME_TYPE` or `ZONEID_NAME_TYPE_SETID`.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ResourceRecord, ResourceRecordSet, RrType,
};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, NestedBlock, ObjectResponse, ReadManyResponse, ReadResult, Resource, Schema,
    Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::route53::{change, clean, records, zones};
use crate::resources::timeouts;
use crate::resources::vpc::adopt_failed;

/// `aws_route53_record`.
pub struct Record;

/// The fully qualified name of a record named `name` in the zone named `zone`.
fn fqdn(name: &str, zone: &str) -> String {
    let name = clean(name);
    let zone = clean(zone);
    if name == zone || name.ends_with(&format!(".{zone}")) || zone.is_empty() {
        name
    } else {
        format!("{name}.{zone}")
    }
}

fn record_id(zone: &str, name: &str, kind: &str, set: Option<&str>) -> String {
    match set {
        Some(set) => format!("{zone}_{name}_{kind}_{set}"),
        None => format!("{zone}_{name}_{kind}"),
    }
}

/// The record set of a planned `aws_route53_record`, named `full`.
fn record_set(planned: &Value, full: &str) -> Result<ResourceRecordSet, AwsError> {
    let mut set = ResourceRecordSet::builder()
        .name(full)
        .r#type(RrType::from(
            attrs::string(planned, "type").unwrap_or_default(),
        ))
        .set_set_identifier(attrs::string(planned, "set_identifier").map(str::to_string));
    if let Some(alias) = attrs::blocks(planned, "alias").first() {
        set = set.alias_target(
            AliasTarget::builder()
                .dns_name(attrs::string(alias, "name").unwrap_or_default())
                .hosted_zone_id(attrs::string(alias, "zone_id").unwrap_or_default())
                .evaluate_target_health(
                    attrs::boolean(alias, "evaluate_target_health").unwrap_or(false),
                )
                .build()
                .map_err(|e| AwsError::other(e.to_string()))?,
        );
    } else {
        set = set
            .ttl(attrs::integer(planned, "ttl").unwrap_or(300))
            .set_resource_records(Some(
                attrs::strings(planned, "records")
                    .into_iter()
                    .map(|r| ResourceRecord::builder().value(r).build())
                    .collect::<Result<_, _>>()
                    .map_err(|e| AwsError::other(e.to_string()))?,
            ));
    }
    if let Some(policy) = attrs::blocks(planned, "weighted_routing_policy").first() {
        set = set.weight(attrs::integer(policy, "weight").unwrap_or(0));
    }
    set.build().map_err(|e| AwsError::other(e.to_string()))
}

fn render_record(zone: &str, set: &ResourceRecordSet, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let name = clean(set.name());
    state
        .set(
            "id",
            record_id(zone, &name, set.r#type().as_str(), set.set_identifier()),
        )
        .set("zone_id", zone)
        .set("fqdn", name.as_str())
        .set("type", set.r#type().as_str());
    if !set.resource_records().is_empty() || set.alias_target().is_none() {
        state
            .set("ttl", set.ttl().map_or(Value::Null, Value::int))
            .set(
                "records",
                attrs::string_set(set.resource_records().iter().map(|r| r.value())),
            );
    }
    if let Some(alias) = set.alias_target() {
        state.set(
            "alias",
            Value::List(vec![Value::object([
                ("name", Value::from(clean(alias.dns_name()))),
                ("zone_id", Value::from(alias.hosted_zone_id())),
                (
                    "evaluate_target_health",
                    Value::Bool(alias.evaluate_target_health()),
                ),
            ])]),
        );
    }
    if let Some(weight) = set.weight() {
        state.set(
            "weighted_routing_policy",
            Value::List(vec![Value::object([("weight", Value::int(weight))])]),
        );
    }
    state.build()
}

/// The record a state object names, among a zone's records.
fn find_record<'a>(
    listed: &'a [ResourceRecordSet],
    object: &Value,
) -> Option<&'a ResourceRecordSet> {
    let name = attrs::string(object, "fqdn")
        .map(clean)
        .unwrap_or_else(|| clean(attrs::string(object, "name").unwrap_or_default()));
    let kind = attrs::string(object, "type").unwrap_or_default();
    let set = attrs::string(object, "set_identifier");
    listed.iter().find(|r| {
        clean(r.name()) == name && r.r#type().as_str() == kind && r.set_identifier() == set
    })
}

/// One record, asked about alone as Terraform's provider does (a listing of one item starting
/// at its name and type): the refresh with batching off.
async fn record_alone(
    client: &Client,
    zone: &str,
    object: &Value,
) -> Result<Option<ResourceRecordSet>, AwsError> {
    let name = attrs::string(object, "fqdn")
        .or_else(|| attrs::string(object, "name"))
        .unwrap_or_default();
    let kind = attrs::string(object, "type").unwrap_or_default();
    let out = client
        .route53
        .list_resource_record_sets()
        .hosted_zone_id(zone)
        .start_record_name(name)
        .start_record_type(RrType::from(kind))
        .set_start_record_identifier(attrs::string(object, "set_identifier").map(str::to_string))
        .max_items(1)
        .send()
        .await?;
    Ok(find_record(out.resource_record_sets(), object).cloned())
}

async fn zone_name(client: &Client, zone: &str) -> Result<String, AwsError> {
    let out = client.route53.get_hosted_zone().id(zone).send().await?;
    Ok(out
        .hosted_zone()
        .map(|z| clean(z.name()))
        .unwrap_or_default())
}

/// Every record of every zone but the zones' own SOA and NS records, for `list`.
async fn every_record(client: &Client) -> Result<Vec<Value>, AwsError> {
    let mut listed = Vec::new();
    for zone in zones(client).await? {
        let id = super::zone_id(zone.id());
        let apex = clean(zone.name());
        for set in records(client, id).await? {
            let name = clean(set.name());
            if name == apex && matches!(set.r#type(), RrType::Soa | RrType::Ns) {
                continue;
            }
            let record = record_id(id, &name, set.r#type().as_str(), set.set_identifier());
            listed.push(crate::list::object(&record, Some(&name), Vec::new()));
        }
    }
    Ok(listed)
}

#[async_trait]
impl Resource<Client> for Record {
    fn type_name(&self) -> &str {
        "aws_route53_record"
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(every_record(client).await, "Route 53 records")
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr("id", Attribute::computed(Type::String).describe("ZONEID_NAME_TYPE[_SETID]."))
            .attr("zone_id", Attribute::required(Type::String).force_new().describe("The zone."))
            .attr("name", Attribute::required(Type::String).force_new().describe("The name, relative or full."))
            .attr("type", Attribute::required(Type::String).force_new().describe("`A`, `AAAA`, `CNAME`, `TXT`, `MX`..."))
            .attr("ttl", Attribute::optional(Type::Number).describe("Seconds (not with alias)."))
            .attr("records", Attribute::optional(Type::set(Type::String)).describe("The values (not with alias)."))
            .attr(
                "set_identifier",
                Attribute::optional(Type::String).force_new().describe("Tells apart records of a routing policy."),
            )
            .attr(
                "allow_overwrite",
                Attribute::optional(Type::Bool).default(false).not_read_back().describe("Take over a record that already exists."),
            )
            .attr("fqdn", Attribute::computed(Type::String).describe("The full name."))
            .block(
                "alias",
                NestedBlock::list(
                    Schema::new()
                        .attr("name", Attribute::required(Type::String).describe("The target's DNS name."))
                        .attr("zone_id", Attribute::required(Type::String).describe("The target's zone."))
                        .attr(
                            "evaluate_target_health",
                            Attribute::required(Type::Bool).describe("Follow the target's health."),
                        ),
                ),
            )
            .block(
                "weighted_routing_policy",
                NestedBlock::list(
                    Schema::new().attr("weight", Attribute::required(Type::Number).describe("Relative weight.")),
                ),
            )
            .timeouts(timeouts(30, 30, 30))
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("A Route 53 record set, found after a crash by zone, name, type and set identifier.")
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let zone = attrs::string(planned, "zone_id").unwrap_or_default();
        let name = attrs::string(planned, "name").unwrap_or_default();
        let doing = format!("creating the record {name}");
        let result = async {
            let full = fqdn(name, &zone_name(client, zone).await?);
            let set = record_set(planned, &full)?;
            let action = if attrs::boolean(planned, "allow_overwrite") == Some(true) {
                ChangeAction::Upsert
            } else {
                ChangeAction::Create
            };
            let change_item = Change::builder()
                .action(action)
                .resource_record_set(set)
                .build()
                .map_err(|e| AwsError::other(e.to_string()))?;
            change(client, ctx, zone, vec![change_item], &doing).await?;
            Ok::<_, AwsError>(full)
        }
        .await;
        match result {
            Ok(full) => {
                let mut state = State::from(planned);
                let kind = attrs::string(planned, "type").unwrap_or_default();
                state
                    .set(
                        "id",
                        record_id(zone, &full, kind, attrs::string(planned, "set_identifier")),
                    )
                    .set("fqdn", full);
                ObjectResponse::ok(state.build())
            }
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let mut by_zone: HashMap<String, Result<Vec<ResourceRecordSet>, AwsError>> = HashMap::new();
        let mut results = Vec::with_capacity(objects.len());
        let one_by_one = crate::batch::chunk_size() == 1;
        for object in &objects {
            let zone = attrs::string(object, "zone_id")
                .unwrap_or_default()
                .to_string();
            if one_by_one {
                results.push(match record_alone(client, &zone, object).await {
                    Ok(Some(set)) => ReadResult::Found(render_record(&zone, &set, object)),
                    Ok(None) => ReadResult::Gone,
                    Err(e) if e.is_not_found() => ReadResult::Gone,
                    Err(e) => ReadResult::Failed(e.diagnostics("reading a record")),
                });
                continue;
            }
            if !by_zone.contains_key(&zone) {
                let listed = match records(client, &zone).await {
                    Err(e) if e.is_not_found() => Ok(vec![]),
                    other => other,
                };
                by_zone.insert(zone.clone(), listed);
            }
            results.push(match &by_zone[&zone] {
                Ok(listed) => match find_record(listed, object) {
                    Some(set) => ReadResult::Found(render_record(&zone, set, object)),
                    None => ReadResult::Gone,
                },
                Err(e) => ReadResult::Failed(e.diagnostics("reading records")),
            });
        }
        ReadManyResponse {
            results,
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
        let zone = attrs::string(planned, "zone_id").unwrap_or_default();
        let full = attrs::string(&request.prior, "fqdn")
            .unwrap_or_default()
            .to_string();
        let doing = format!("updating the record {full}");
        let result = async {
            let set = record_set(planned, &full)?;
            let item = Change::builder()
                .action(ChangeAction::Upsert)
                .resource_record_set(set)
                .build()
                .map_err(|e| AwsError::other(e.to_string()))?;
            change(client, ctx, zone, vec![item], &doing).await
        }
        .await;
        match result {
            Ok(()) => ObjectResponse::ok(planned.clone()),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn delete(
        &self,
        client: &Client,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let prior = &request.prior;
        let zone = attrs::string(prior, "zone_id").unwrap_or_default();
        let doing = format!(
            "deleting the record {}",
            attrs::string(prior, "fqdn").unwrap_or_default()
        );
        let result = async {
            // Delete what is there now: Route 53 wants the exact record set.
            let listed = records(client, zone).await?;
            let Some(set) = find_record(&listed, prior) else {
                return Ok(());
            };
            let item = Change::builder()
                .action(ChangeAction::Delete)
                .resource_record_set(set.clone())
                .build()
                .map_err(|e| AwsError::other(e.to_string()))?;
            change(client, ctx, zone, vec![item], &doing).await
        }
        .await;
        match result {
            Err(e) if !e.is_not_found() => e.diagnostics(&doing).into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the record {id:?}");
        let parts: Vec<&str> = id.splitn(4, '_').collect();
        let [zone, name, kind, rest @ ..] = parts.as_slice() else {
            return ObjectResponse::failed(
                AwsError::other("expected ZONEID_NAME_TYPE or ZONEID_NAME_TYPE_SETID")
                    .diagnostic(&doing),
            );
        };
        let mut prior = vec![
            ("zone_id", Value::from(*zone)),
            ("name", Value::from(*name)),
            ("type", Value::from(*kind)),
            ("allow_overwrite", Value::Bool(false)),
        ];
        if let Some(set) = rest.first() {
            prior.push(("set_identifier", Value::from(*set)));
        }
        let prior = Value::object(prior);
        match records(client, zone).await {
            Ok(listed) => match find_record(&listed, &prior) {
                Some(set) => ObjectResponse::ok(render_record(zone, set, &prior)),
                None => {
                    ObjectResponse::failed(AwsError::other("no such record").diagnostic(&doing))
                }
            },
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let planned = &request.planned;
        let zone = attrs::string(planned, "zone_id").unwrap_or_default();
        let result = async {
            let full = fqdn(
                attrs::string(planned, "name").unwrap_or_default(),
                &zone_name(client, zone).await?,
            );
            let mut wanted = State::from(planned);
            wanted.set("fqdn", full);
            let wanted = wanted.build();
            let listed = records(client, zone).await?;
            Ok::<_, AwsError>(
                find_record(&listed, &wanted).map(|set| render_record(zone, set, &wanted)),
            )
        }
        .await;
        match result {
            Ok(found) => AdoptResponse {
                found,
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "record"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_names_are_completed_with_the_zone_and_ids_follow_terraform() {
        assert_eq!(fqdn("www", "Example.com."), "www.example.com");
        assert_eq!(fqdn("www.example.com.", "example.com"), "www.example.com");
        assert_eq!(fqdn("example.com", "example.com"), "example.com");
        assert_eq!(
            record_id("Z1", "www.example.com", "A", None),
            "Z1_www.example.com_A"
        );
        assert_eq!(
            record_id("Z1", "www.example.com", "A", Some("blue")),
            "Z1_www.example.com_A_blue"
        );
    }
}
