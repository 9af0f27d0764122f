//! `aws_route53_zone`: a hosted zone, created with the intent token as its caller reference
//! (Route 53's own idempotency token), so an interrupted create is found by it; `force_destroy`
//! deletes its records first. Import id: the zone id.

use async_trait::async_trait;
use aws_sdk_route53::types::{Change, ChangeAction, HostedZone, RrType, Tag, TagResourceType};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse, ReadResult,
    Resource, Schema, Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::route53::{change, clean, records, wait_in_sync, zone_id, zones};
use crate::resources::timeouts;
use crate::resources::vpc::adopt_failed;
use crate::tags;

/// `aws_route53_zone`.
pub struct Zone;

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

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        let listed = zones(client).await.map(|zones| {
            zones
                .iter()
                .map(|z| crate::list::object(zone_id(z.id()), Some(&clean(z.name())), Vec::new()))
                .collect()
        });
        crate::list::answer(listed, "hosted zones")
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
                    .not_read_back()
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
