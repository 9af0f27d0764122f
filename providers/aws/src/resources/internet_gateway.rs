//! `aws_internet_gateway`: an internet gateway, tagged at creation with the intent token and
//! attached to `vpc_id`. Moving it to another VPC detaches and attaches in place. A delete
//! detaches it first (waiting out public addresses still mapped in the VPC), then deletes it.
//! Refresh reads every gateway in one DescribeInternetGateways call per 200. Imported by id.

use async_trait::async_trait;
use aws_sdk_ec2::types::{InternetGateway, ResourceType};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse, Resource, Schema,
    Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::batch::{self, filter};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::vpc::adopt_failed;
use crate::resources::{delete_retrying, id, timeouts};
use crate::tags;

/// The resource type.
pub struct InternetGatewayResource;

const TYPE: &str = "aws_internet_gateway";

fn render(client: &Client, gateway: &InternetGateway, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let id = gateway.internet_gateway_id().unwrap_or_default();
    let owner = gateway.owner_id().unwrap_or_default();
    state
        .set("id", id)
        .set(
            "arn",
            client.arn("ec2", owner, &format!("internet-gateway/{id}")),
        )
        .set(
            "vpc_id",
            attrs::opt(gateway.attachments().first().and_then(|a| a.vpc_id())),
        )
        .set("owner_id", owner);
    tags::render(&client.tags, gateway.tags(), prior, &mut state);
    state.build()
}

async fn describe(client: &Client, ids: Vec<String>) -> Result<Vec<InternetGateway>, AwsError> {
    Ok(client
        .ec2
        .describe_internet_gateways()
        .filters(filter("internet-gateway-id", ids))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?)
}

async fn current(client: &Client, id: &str, prior: &Value) -> Result<Option<Value>, AwsError> {
    Ok(describe(client, vec![id.to_string()])
        .await?
        .first()
        .map(|g| render(client, g, prior)))
}

async fn attach(client: &Client, id: &str, vpc: &str) -> Result<(), AwsError> {
    client
        .ec2
        .attach_internet_gateway()
        .internet_gateway_id(id)
        .vpc_id(vpc)
        .send()
        .await?;
    Ok(())
}

/// Detaches the gateway from `vpc`, waiting while public addresses are still mapped there.
async fn detach(client: &Client, ctx: &Context, id: &str, vpc: &str) -> Result<(), AwsError> {
    let doing = format!("detaching the internet gateway {id} from {vpc}");
    let response = delete_retrying(ctx, &doing, || async {
        match client
            .ec2
            .detach_internet_gateway()
            .internet_gateway_id(id)
            .vpc_id(vpc)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Err(e) if e.is("Gateway.NotAttached") => Ok(()),
            other => other.map(|_| ()),
        }
    })
    .await;
    match response.diagnostics.0.first() {
        Some(d) => Err(AwsError::other(d.summary.clone())),
        None => Ok(()),
    }
}

#[async_trait]
impl Resource<Client> for InternetGatewayResource {
    fn type_name(&self) -> &str {
        TYPE
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(
            crate::list::internet_gateways(client).await,
            "internet gateways",
        )
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        tags::attributes(Schema::new())
            .attr("id", computed("The gateway's id (igw-...)."))
            .attr("arn", computed("The gateway's ARN."))
            .attr(
                "vpc_id",
                Attribute::optional(Type::String).describe("The VPC it is attached to."),
            )
            .attr("owner_id", computed("The owning account."))
            .timeouts(timeouts(20, 20, 20))
            .crash_safety(CrashSafety::Tagged)
            .describe("An internet gateway, attached to a VPC.")
    }

    async fn plan(&self, client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        tags::plan(&client.tags, request)
    }

    async fn create(
        &self,
        client: &Client,
        _ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let made = client
            .ec2
            .create_internet_gateway()
            .tag_specifications(tags::specification(
                &client.tags,
                ResourceType::InternetGateway,
                planned,
                &request.intent,
            ))
            .send()
            .await;
        let gateway = match made {
            Ok(out) => out
                .internet_gateway()
                .cloned()
                .unwrap_or_else(|| InternetGateway::builder().build()),
            Err(e) => {
                return ObjectResponse::failed(
                    AwsError::from(e).diagnostic("creating the internet gateway"),
                )
            }
        };
        let id = gateway
            .internet_gateway_id()
            .unwrap_or_default()
            .to_string();
        if let Some(vpc) = attrs::string(planned, "vpc_id") {
            if let Err(e) = attach(client, &id, vpc).await {
                let mut state = State::from(&render(client, &gateway, planned));
                state.set("vpc_id", Value::Null);
                return ObjectResponse::partial(
                    state.build(),
                    e.diagnostic_at(&format!("attaching the internet gateway {id}"), "vpc_id"),
                );
            }
        }
        match current(client, &id, planned).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            _ => {
                let mut state = State::from(&render(client, &gateway, planned));
                state.set("vpc_id", attrs::opt(attrs::string(planned, "vpc_id")));
                ObjectResponse::ok(state.build())
            }
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        batch::read(
            &objects,
            "reading internet gateways",
            |ids| async move {
                Ok(describe(client, ids)
                    .await?
                    .into_iter()
                    .map(|g| (g.internet_gateway_id().unwrap_or_default().to_string(), g))
                    .collect())
            },
            |gateway, prior| Some(render(client, gateway, prior)),
        )
        .await
    }

    async fn update(
        &self,
        client: &Client,
        ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let planned = &request.planned;
        let doing = format!("updating the internet gateway {id}");
        let mut result = Ok(());
        if attrs::changed(&request.prior, planned, "vpc_id") {
            if let Some(old) = attrs::string(&request.prior, "vpc_id") {
                result = detach(client, ctx, &id, old).await;
            }
            if let (Ok(()), Some(new)) = (&result, attrs::string(planned, "vpc_id")) {
                result = attach(client, &id, new).await;
            }
        }
        if result.is_ok() {
            result = tags::update(client, &id, &request.prior, planned).await;
        }
        match (result, current(client, &id, planned).await) {
            (Ok(()), Ok(Some(state))) => ObjectResponse::ok(state),
            (Err(e), Ok(Some(state))) => ObjectResponse::partial(state, e.diagnostic(&doing)),
            (Err(e), _) | (_, Err(e)) => ObjectResponse::failed(e.diagnostic(&doing)),
            (Ok(()), Ok(None)) => {
                ObjectResponse::failed(AwsError::other("it no longer exists").diagnostic(&doing))
            }
        }
    }

    async fn delete(
        &self,
        client: &Client,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return d.into(),
        };
        let attached = match describe(client, vec![id.clone()]).await {
            Ok(found) => found
                .first()
                .map(|g| {
                    g.attachments()
                        .iter()
                        .filter_map(|a| a.vpc_id().map(str::to_string))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
            Err(e) => {
                return e
                    .diagnostics(&format!("deleting the internet gateway {id}"))
                    .into()
            }
        };
        for vpc in &attached {
            if let Err(e) = detach(client, ctx, &id, vpc).await {
                return e
                    .diagnostics(&format!("deleting the internet gateway {id}"))
                    .into();
            }
        }
        let response = delete_retrying(
            ctx,
            &format!("deleting the internet gateway {id}"),
            || async {
                client
                    .ec2
                    .delete_internet_gateway()
                    .internet_gateway_id(&id)
                    .send()
                    .await?;
                Ok(())
            },
        )
        .await;
        if response.diagnostics.has_errors() && !attached.is_empty() {
            // Detached but not deleted: state records it without its VPC.
            let mut remaining = State::from(&request.prior);
            remaining.set("vpc_id", Value::Null);
            return DeleteResponse {
                remaining: Some(remaining.build()),
                ..response
            };
        }
        response
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the internet gateway {id:?}");
        match current(client, id, &Value::object::<&str>([])).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => ObjectResponse::failed(
                AwsError::other("no such internet gateway").diagnostic(&doing),
            ),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let found = client
            .ec2
            .describe_internet_gateways()
            .filters(tags::intent_filter(&request.intent))
            .send()
            .await;
        match found {
            Ok(out) => AdoptResponse {
                found: out
                    .internet_gateways()
                    .first()
                    .map(|g| render(client, g, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e.into(), "internet gateway"),
        }
    }
}
