//! `aws_route53_zone` and `aws_route53_record`. A zone is created with the intent token as its
//! caller reference (Route 53's own idempotency token), so an interrupted create is found by it;
//! a record is found again by zone, name, type and set identifier. Record changes are UPSERTs
//! and every change is waited for until Route 53 says INSYNC, with progress. Refresh lists the
//! zones once, and each zone's records once (300 a page) for every record of the run in it.
//! Import ids: the zone id; `ZONEID_NAME_TYPE` or `ZONEID_NAME_TYPE_SETID` for a record.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ChangeStatus, HostedZone, ResourceRecord,
    ResourceRecordSet, RrType, Tag, TagResourceType,
};
use plinth_sdk::wait::{self, Poll};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, NestedBlock, ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse,
    ReadResult, Resource, Schema, Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::vpc::adopt_failed;
use crate::resources::{timeouts, wait_error};
use crate::tags;

/// `aws_route53_zone`.
pub struct Zone;
/// `aws_route53_record`.
pub struct Record;

/// A name without its trailing dot, lowercased, as Terraform stores it.
fn clean(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn zone_id(id: &str) -> &str {
    id.trim_start_matches("/hostedzone/")
}

async fn zones(client: &Client) -> Result<Vec<HostedZone>, AwsError> {
    Ok(client
        .route53
        .list_hosted_zones()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?)
}

async fn zone_state(client: &Client, zone: &HostedZone, prior: &Value) -> Result<Value, AwsError> {
    let id = zone_id(zone.id());
    let mut state = State::from(prior);
    state
        .set("id", id)
        .set("zone_id", id)
        .set("arn", format!("arn:aws:route53:::hostedzone/{id}"))
        .set("name", clean(zone.name()))
        .set(
            "comment",
            zone.config()
                .and_then(|c| c.comment())
                .unwrap_or("Managed by Terraform"),
        );
    if prior.get("name_servers").is_none_or(Value::is_null) {
        let out = client.route53.get_hosted_zone().id(id).send().await?;
        let servers: Vec<Value> = out
            .delegation_set()
            .map(|d| {
                d.name_servers()
                    .iter()
                    .map(|s| Value::from(s.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        state
            .set(
                "primary_name_server",
                servers.first().cloned().unwrap_or_default(),
            )
            .set("name_servers", Value::List(servers));
        let tags = client
            .route53
            .list_tags_for_resource()
            .resource_type(TagResourceType::Hostedzone)
            .resource_id(id)
            .send()
            .await?;
        tags::render_pairs(
            &client.tags,
            tags.resource_tag_set()
                .map(|set| set.tags())
                .unwrap_or_default()
                .iter()
                .filter_map(|t| {
                    Some((
                        t.key()?.to_string(),
                        t.value().unwrap_or_default().to_string(),
                    ))
                }),
            prior,
            &mut state,
        );
    }
    Ok(state.build())
}

async fn wait_in_sync(
    client: &Client,
    ctx: &Context,
    change: &str,
    what: &str,
) -> Result<(), AwsError> {
    wait::until_growing(
        ctx,
        what,
        Duration::from_millis(500),
        Duration::from_secs(15),
        || async {
            let out = client
                .route53
                .get_change()
                .id(change)
                .send()
                .await
                .map_err(AwsError::from)?;
            match out.change_info().map(|c| c.status()) {
                Some(ChangeStatus::Insync) | None => Ok(Poll::Ready(())),
                Some(status) => Ok(Poll::Pending(status.as_str().to_string())),
            }
        },
    )
    .await
    .map_err(wait_error)
}

async fn retag_zone(
    client: &Client,
    id: &str,
    prior: &Value,
    planned: &Value,
) -> Result<(), AwsError> {
    let (set, removed) = tags::changes(&client.tags, prior, planned);
    if set.is_empty() && removed.is_empty() {
        return Ok(());
    }
    client
        .route53
        .change_tags_for_resource()
        .resource_type(TagResourceType::Hostedzone)
        .resource_id(id)
        .set_add_tags((!set.is_empty()).then(|| {
            set.into_iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect()
        }))
        .set_remove_tag_keys((!removed.is_empty()).then_some(removed))
        .send()
        .await?;
    Ok(())
}

#[async_trait]
impl Resource<Client> for Zone {
    fn type_name(&self) -> &str {
        "aws_route53_zone"
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        tags::attributes(Schema::new())
            .attr("id", computed("The zone's id."))
            .attr("zone_id", computed("The zone's id."))
            .attr("arn", computed("The zone's ARN."))
            .attr(
                "name",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The domain."),
            )
            .attr(
                "comment",
                Attribute::optional(Type::String)
                    .default("Managed by Terraform")
                    .describe("A comment."),
            )
            .attr(
                "force_destroy",
                Attribute::optional(Type::Bool)
                    .default(false)
                    .describe("Delete its records when it is deleted."),
            )
            .attr(
                "name_servers",
                Attribute::computed(Type::list(Type::String)).describe("Its name servers."),
            )
            .attr("primary_name_server", computed("Its first name server."))
            .timeouts(timeouts(30, 30, 30))
            .crash_safety(CrashSafety::Tagged)
            .describe("A public Route 53 hosted zone; the intent token is its caller reference.")
    }

    async fn plan(&self, client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        tags::plan(&client.tags, request)
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let name = attrs::string(planned, "name").unwrap_or_default();
        let doing = format!("creating the hosted zone {name:?}");
        let made = client
            .route53
            .create_hosted_zone()
            .name(name)
            .caller_reference(&request.intent.token)
            .hosted_zone_config(
                aws_sdk_route53::types::HostedZoneConfig::builder()
                    .comment(attrs::string(planned, "comment").unwrap_or("Managed by Terraform"))
                    .build(),
            )
            .send()
            .await;
        let (zone, change) = match made {
            Ok(out) => (
                out.hosted_zone().cloned(),
                out.change_info().map(|c| c.id().to_string()),
            ),
            Err(e) => return ObjectResponse::failed(AwsError::from(e).diagnostic(&doing)),
        };
        let Some(zone) = zone else {
            return ObjectResponse::failed(
                AwsError::other("no zone in the answer").diagnostic(&doing),
            );
        };
        let id = zone_id(zone.id()).to_string();
        let mut result = retag_zone(client, &id, &Value::Null, planned).await;
        if let (Ok(()), Some(change)) = (&result, change) {
            result = wait_in_sync(
                client,
                ctx,
                &change,
                &format!("waiting for the zone {name} to be in sync"),
            )
            .await;
        }
        let mut planned_tags = State::from(planned);
        planned_tags.set("name_servers", Value::Null);
        let state = match zone_state(client, &zone, &planned_tags.build()).await {
            Ok(state) => state,
            Err(e) => {
                let mut state = State::from(planned);
                state.set("id", id.as_str());
                return ObjectResponse::partial(state.build(), e.diagnostic(&doing));
            }
        };
        let mut state = State::from(&state);
        state.set("tags", planned.get("tags").cloned().unwrap_or_default());
        state.set(
            "tags_all",
            attrs::map_value(&tags::all(&client.tags, planned)),
        );
        match result {
            Ok(()) => ObjectResponse::ok(state.build()),
            Err(e) => ObjectResponse::partial(state.build(), e.diagnostic(&doing)),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let listed = match zones(client).await {
            Ok(listed) => listed,
            Err(e) => {
                return ReadManyResponse {
                    results: objects
                        .iter()
                        .map(|_| ReadResult::Failed(e.diagnostics("reading hosted zones")))
                        .collect(),
                    ..ReadManyResponse::default()
                }
            }
        };
        let mut results = Vec::with_capacity(objects.len());
        for object in &objects {
            let id = attrs::string(object, "id").unwrap_or_default();
            results.push(match listed.iter().find(|z| zone_id(z.id()) == id) {
                None => ReadResult::Gone,
                Some(zone) => match zone_state(client, zone, object).await {
                    Ok(state) => ReadResult::Found(state),
                    Err(e) => ReadResult::Failed(e.diagnostics("reading a hosted zone")),
                },
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
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let (prior, planned) = (&request.prior, &request.planned);
        let id = attrs::string(prior, "id").unwrap_or_default();
        let doing = format!("updating the hosted zone {id}");
        let result = async {
            if attrs::changed(prior, planned, "comment") {
                client
                    .route53
                    .update_hosted_zone_comment()
                    .id(id)
                    .comment(attrs::string(planned, "comment").unwrap_or_default())
                    .send()
                    .await?;
            }
            retag_zone(client, id, prior, planned).await
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
        let id = attrs::string(prior, "id").unwrap_or_default().to_string();
        let doing = format!("deleting the hosted zone {id}");
        if attrs::boolean(prior, "force_destroy") == Some(true) {
            let result = async {
                let records = records(client, &id).await?;
                let apex = clean(attrs::string(prior, "name").unwrap_or_default());
                let changes: Vec<Change> = records
                    .into_iter()
                    .filter(|r| {
                        !(clean(r.name()) == apex && matches!(r.r#type(), RrType::Soa | RrType::Ns))
                    })
                    .map(|r| {
                        Change::builder()
                            .action(ChangeAction::Delete)
                            .resource_record_set(r)
                            .build()
                    })
                    .collect::<Result<_, _>>()
                    .map_err(|e| AwsError::other(e.to_string()))?;
                if !changes.is_empty() {
                    change(client, ctx, &id, changes, "deleting the zone's records").await?;
                }
                Ok::<_, AwsError>(())
            }
            .await;
            match result {
                Err(e) if e.is_not_found() => return DeleteResponse::default(),
                Err(e) => return e.diagnostics(&doing).into(),
                Ok(()) => {}
            }
        }
        match client
            .route53
            .delete_hosted_zone()
            .id(&id)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Err(e) if !e.is_not_found() => e.diagnostics(&doing).into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the hosted zone {id:?}");
        let found = match client
            .route53
            .get_hosted_zone()
            .id(id)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Ok(out) => out.hosted_zone().cloned(),
            Err(e) => return ObjectResponse::failed(e.diagnostic(&doing)),
        };
        match found {
            Some(zone) => match zone_state(
                client,
                &zone,
                &Value::object([("force_destroy", Value::Bool(false))]),
            )
            .await
            {
                Ok(state) => ObjectResponse::ok(state),
                Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
            },
            None => ObjectResponse::failed(AwsError::other("no such zone").diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let listed = match zones(client).await {
            Ok(listed) => listed,
            Err(e) => return adopt_failed(e, "hosted zone"),
        };
        let Some(zone) = listed
            .into_iter()
            .find(|z| z.caller_reference() == request.intent.token)
        else {
            return AdoptResponse::default();
        };
        let mut prior = State::from(&request.planned);
        prior.set("name_servers", Value::Null);
        match zone_state(client, &zone, &prior.build()).await {
            Ok(found) => AdoptResponse {
                found: Some(found),
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "hosted zone"),
        }
    }
}

async fn records(client: &Client, zone: &str) -> Result<Vec<ResourceRecordSet>, AwsError> {
    let mut all = Vec::new();
    let mut next: Option<(String, RrType, Option<String>)> = None;
    loop {
        let mut call = client
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(zone)
            .max_items(300);
        if let Some((name, kind, set)) = next.take() {
            call = call
                .start_record_name(name)
                .start_record_type(kind)
                .set_start_record_identifier(set);
        }
        let out = call.send().await?;
        all.extend(out.resource_record_sets().iter().cloned());
        if !out.is_truncated() {
            return Ok(all);
        }
        match (out.next_record_name(), out.next_record_type()) {
            (Some(name), Some(kind)) => {
                next = Some((
                    name.to_string(),
                    kind.clone(),
                    out.next_record_identifier().map(str::to_string),
                ))
            }
            _ => return Ok(all),
        }
    }
}

async fn change(
    client: &Client,
    ctx: &Context,
    zone: &str,
    changes: Vec<Change>,
    what: &str,
) -> Result<(), AwsError> {
    let batch = ChangeBatch::builder()
        .set_changes(Some(changes))
        .build()
        .map_err(|e| AwsError::other(e.to_string()))?;
    let out = client
        .route53
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(batch)
        .send()
        .await?;
    match out.change_info() {
        Some(info) => {
            wait_in_sync(
                client,
                ctx,
                info.id(),
                &format!("{what}: waiting for Route 53 to be in sync"),
            )
            .await
        }
        None => Ok(()),
    }
}

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

async fn zone_name(client: &Client, zone: &str) -> Result<String, AwsError> {
    let out = client.route53.get_hosted_zone().id(zone).send().await?;
    Ok(out
        .hosted_zone()
        .map(|z| clean(z.name()))
        .unwrap_or_default())
}

#[async_trait]
impl Resource<Client> for Record {
    fn type_name(&self) -> &str {
        "aws_route53_record"
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
                Attribute::optional(Type::Bool).default(false).describe("Take over a record that already exists."),
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
        for object in &objects {
            let zone = attrs::string(object, "zone_id")
                .unwrap_or_default()
                .to_string();
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
