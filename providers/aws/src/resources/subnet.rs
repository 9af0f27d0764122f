//! `aws_subnet`: a subnet of a VPC, tagged at creation with the intent token.
//! `map_public_ip_on_launch` changes in place; the VPC, range and zone replace it. Refresh reads
//! every subnet in one DescribeSubnets call per 200. A delete waits out instances and
//! interfaces still leaving (`DependencyViolation`). Imported by id.

use async_trait::async_trait;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, Subnet as AwsSubnet};
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
pub struct Subnet;

const TYPE: &str = "aws_subnet";

fn render(client: &Client, subnet: &AwsSubnet, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let id = subnet.subnet_id().unwrap_or_default();
    let owner = subnet.owner_id().unwrap_or_default();
    state
        .set("id", id)
        .set(
            "arn",
            subnet
                .subnet_arn()
                .map(str::to_string)
                .unwrap_or_else(|| client.arn("ec2", owner, &format!("subnet/{id}"))),
        )
        .set("vpc_id", attrs::opt(subnet.vpc_id()))
        .set("cidr_block", attrs::opt(subnet.cidr_block()))
        .set("availability_zone", attrs::opt(subnet.availability_zone()))
        .set(
            "availability_zone_id",
            attrs::opt(subnet.availability_zone_id()),
        )
        .set(
            "map_public_ip_on_launch",
            subnet.map_public_ip_on_launch().unwrap_or(false),
        )
        .set("owner_id", owner);
    tags::render(&client.tags, subnet.tags(), prior, &mut state);
    state.build()
}

async fn describe(client: &Client, ids: Vec<String>) -> Result<Vec<AwsSubnet>, AwsError> {
    Ok(client
        .ec2
        .describe_subnets()
        .filters(filter("subnet-id", ids))
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
        .map(|s| render(client, s, prior)))
}

async fn set_public_ip(client: &Client, id: &str, on: bool) -> Result<(), AwsError> {
    client
        .ec2
        .modify_subnet_attribute()
        .subnet_id(id)
        .map_public_ip_on_launch(AttributeBooleanValue::builder().value(on).build())
        .send()
        .await?;
    Ok(())
}

#[async_trait]
impl Resource<Client> for Subnet {
    fn type_name(&self) -> &str {
        TYPE
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(crate::list::subnets(client).await, "subnets")
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        tags::attributes(Schema::new())
            .attr("id", computed("The subnet's id (subnet-...)."))
            .attr("arn", computed("The subnet's ARN."))
            .attr(
                "vpc_id",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The VPC."),
            )
            .attr(
                "cidr_block",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The IPv4 range (CIDR), inside the VPC's."),
            )
            .attr(
                "availability_zone",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The zone; AWS picks one when unset."),
            )
            .attr("availability_zone_id", computed("The zone's id."))
            .attr(
                "map_public_ip_on_launch",
                Attribute::optional(Type::Bool)
                    .default(false)
                    .describe("Whether instances launched in it get a public IP."),
            )
            .attr("owner_id", computed("The owning account."))
            .timeouts(timeouts(10, 10, 20))
            .crash_safety(CrashSafety::Tagged)
            .describe("A subnet of a VPC.")
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
            .create_subnet()
            .vpc_id(attrs::string(planned, "vpc_id").unwrap_or_default())
            .cidr_block(attrs::string(planned, "cidr_block").unwrap_or_default())
            .set_availability_zone(attrs::string(planned, "availability_zone").map(str::to_string))
            .tag_specifications(tags::specification(
                &client.tags,
                ResourceType::Subnet,
                planned,
                &request.intent,
            ))
            .send()
            .await;
        let subnet = match made {
            Ok(out) => out
                .subnet()
                .cloned()
                .unwrap_or_else(|| AwsSubnet::builder().build()),
            Err(e) => {
                return ObjectResponse::failed(
                    AwsError::from(e).diagnostic_at("creating the subnet", "cidr_block"),
                )
            }
        };
        let id = subnet.subnet_id().unwrap_or_default().to_string();
        if attrs::boolean(planned, "map_public_ip_on_launch") == Some(true) {
            if let Err(e) = set_public_ip(client, &id, true).await {
                let mut state = attrs::State::from(&render(client, &subnet, planned));
                state.set("map_public_ip_on_launch", false);
                return ObjectResponse::partial(
                    state.build(),
                    e.diagnostic(&format!("configuring the subnet {id}")),
                );
            }
        }
        match current(client, &id, planned).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            _ => ObjectResponse::ok(render(client, &subnet, planned)),
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
            "reading subnets",
            |ids| async move {
                Ok(describe(client, ids)
                    .await?
                    .into_iter()
                    .map(|s| (s.subnet_id().unwrap_or_default().to_string(), s))
                    .collect())
            },
            |subnet, prior| Some(render(client, subnet, prior)),
        )
        .await
    }

    async fn update(
        &self,
        client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let planned = &request.planned;
        let doing = format!("updating the subnet {id}");
        let mut result = Ok(());
        if attrs::changed(&request.prior, planned, "map_public_ip_on_launch") {
            result = set_public_ip(
                client,
                &id,
                attrs::boolean(planned, "map_public_ip_on_launch").unwrap_or(false),
            )
            .await;
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
        delete_retrying(ctx, &format!("deleting the subnet {id}"), || async {
            client.ec2.delete_subnet().subnet_id(&id).send().await?;
            Ok(())
        })
        .await
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the subnet {id:?}");
        match current(client, id, &Value::object::<&str>([])).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("no such subnet").diagnostic(&doing))
            }
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let found = client
            .ec2
            .describe_subnets()
            .filters(tags::intent_filter(&request.intent))
            .send()
            .await;
        match found {
            Ok(out) => AdoptResponse {
                found: out
                    .subnets()
                    .first()
                    .map(|s| render(client, s, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e.into(), "subnet"),
        }
    }
}
