//! `aws_route_table` (inline `route` blocks) and `aws_route` (one route of a table). Tables are
//! tagged at creation with the intent token; routes cannot carry tags and are found again after
//! a crash by table and destination.
//! A table whose configuration has no `route` block leaves routes alone, so it can be used with
//! `aws_route`. Refresh reads every table and route of a run through one DescribeRouteTables
//! call per 200 tables. Import ids: the table's id; `TABLE_DESTINATION` for a route.

use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType, Route as AwsRoute, RouteOrigin, RouteTable as AwsTable};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, NestedBlock, ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse,
    Resource, Schema, Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::batch::{self, filter};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::vpc::adopt_failed;
use crate::resources::{delete_retrying, id, timeouts};
use crate::tags;

/// `aws_route_table`.
pub struct RouteTable;
/// `aws_route`.
pub struct Route;

/// The targets a route can have, as both `route` blocks and `aws_route` name them.
const TARGETS: &[&str] = &[
    "gateway_id",
    "nat_gateway_id",
    "network_interface_id",
    "vpc_peering_connection_id",
    "transit_gateway_id",
];

pub async fn describe(
    client: &Client,
    name: &str,
    ids: Vec<String>,
) -> Result<Vec<AwsTable>, AwsError> {
    Ok(client
        .ec2
        .describe_route_tables()
        .filters(filter(name, ids))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?)
}

fn target(route: &AwsRoute, name: &str) -> Value {
    attrs::opt(match name {
        "gateway_id" => route.gateway_id(),
        "nat_gateway_id" => route.nat_gateway_id(),
        "network_interface_id" => route.network_interface_id(),
        "vpc_peering_connection_id" => route.vpc_peering_connection_id(),
        "transit_gateway_id" => route.transit_gateway_id(),
        _ => None,
    })
}

/// The routes a user made (not the local route, not propagated ones).
fn user_routes(table: &AwsTable) -> impl Iterator<Item = &AwsRoute> {
    table
        .routes()
        .iter()
        .filter(|r| r.origin() == Some(&RouteOrigin::CreateRoute))
}

fn destination(route: &AwsRoute) -> Option<&str> {
    route
        .destination_cidr_block()
        .or(route.destination_ipv6_cidr_block())
}

fn route_block(route: &AwsRoute) -> Value {
    let mut block = vec![
        ("cidr_block", attrs::opt(route.destination_cidr_block())),
        (
            "ipv6_cidr_block",
            attrs::opt(route.destination_ipv6_cidr_block()),
        ),
    ];
    block.extend(TARGETS.iter().map(|name| (*name, target(route, name))));
    Value::object(block)
}

fn render_table(client: &Client, table: &AwsTable, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let id = table.route_table_id().unwrap_or_default();
    let owner = table.owner_id().unwrap_or_default();
    state
        .set("id", id)
        .set(
            "arn",
            client.arn("ec2", owner, &format!("route-table/{id}")),
        )
        .set("vpc_id", attrs::opt(table.vpc_id()))
        .set("owner_id", owner);
    let managed = !attrs::blocks(prior, "route").is_empty() || prior.get("route").is_none();
    if managed {
        state.set(
            "route",
            Value::set(user_routes(table).map(route_block).collect()),
        );
    }
    tags::render(&client.tags, table.tags(), prior, &mut state);
    state.build()
}

/// Changes `table`'s routes from the `route` blocks of `prior` to those of `planned`.
async fn sync_routes(
    client: &Client,
    table: &str,
    prior: &Value,
    planned: &Value,
) -> Result<(), AwsError> {
    let key = |block: &Value| {
        attrs::string(block, "cidr_block")
            .or(attrs::string(block, "ipv6_cidr_block"))
            .unwrap_or_default()
            .to_string()
    };
    let before = attrs::blocks(prior, "route");
    let after = attrs::blocks(planned, "route");
    for old in &before {
        if !after.iter().any(|new| key(new) == key(old)) {
            delete_route(client, table, old).await?;
        }
    }
    for new in &after {
        match before.iter().find(|old| key(old) == key(new)) {
            Some(old) if old.unmarked() == new.unmarked() => {}
            Some(_) => {
                let call = client.ec2.replace_route().route_table_id(table);
                let call = TARGETS.iter().fold(call, |call, name| {
                    let value = attrs::string(new, name).map(str::to_string);
                    match *name {
                        "gateway_id" => call.set_gateway_id(value),
                        "nat_gateway_id" => call.set_nat_gateway_id(value),
                        "network_interface_id" => call.set_network_interface_id(value),
                        "vpc_peering_connection_id" => call.set_vpc_peering_connection_id(value),
                        _ => call.set_transit_gateway_id(value),
                    }
                });
                call.set_destination_cidr_block(
                    attrs::string(new, "cidr_block").map(str::to_string),
                )
                .set_destination_ipv6_cidr_block(
                    attrs::string(new, "ipv6_cidr_block").map(str::to_string),
                )
                .send()
                .await?;
            }
            None => create_route(client, table, new, "cidr_block", "ipv6_cidr_block").await?,
        }
    }
    Ok(())
}

async fn create_route(
    client: &Client,
    table: &str,
    route: &Value,
    v4: &str,
    v6: &str,
) -> Result<(), AwsError> {
    let call = client.ec2.create_route().route_table_id(table);
    let call = TARGETS.iter().fold(call, |call, name| {
        let value = attrs::string(route, name).map(str::to_string);
        match *name {
            "gateway_id" => call.set_gateway_id(value),
            "nat_gateway_id" => call.set_nat_gateway_id(value),
            "network_interface_id" => call.set_network_interface_id(value),
            "vpc_peering_connection_id" => call.set_vpc_peering_connection_id(value),
            _ => call.set_transit_gateway_id(value),
        }
    });
    call.set_destination_cidr_block(attrs::string(route, v4).map(str::to_string))
        .set_destination_ipv6_cidr_block(attrs::string(route, v6).map(str::to_string))
        .send()
        .await?;
    Ok(())
}

async fn delete_route(client: &Client, table: &str, route: &Value) -> Result<(), AwsError> {
    let result = client
        .ec2
        .delete_route()
        .route_table_id(table)
        .set_destination_cidr_block(attrs::string(route, "cidr_block").map(str::to_string))
        .set_destination_ipv6_cidr_block(
            attrs::string(route, "ipv6_cidr_block").map(str::to_string),
        )
        .send()
        .await
        .map_err(AwsError::from);
    match result {
        Err(e) if !e.is_not_found() => Err(e),
        _ => Ok(()),
    }
}

fn route_schema() -> Schema {
    let mut schema = Schema::new()
        .attr(
            "cidr_block",
            Attribute::optional(Type::String).describe("The IPv4 destination."),
        )
        .attr(
            "ipv6_cidr_block",
            Attribute::optional(Type::String).describe("The IPv6 destination."),
        );
    for name in TARGETS {
        schema = schema.attr(
            name,
            Attribute::optional(Type::String).describe("A target."),
        );
    }
    schema
}

async fn table_state(client: &Client, id: &str, prior: &Value) -> Result<Option<Value>, AwsError> {
    Ok(describe(client, "route-table-id", vec![id.to_string()])
        .await?
        .first()
        .map(|t| render_table(client, t, prior)))
}

#[async_trait]
impl Resource<Client> for RouteTable {
    fn type_name(&self) -> &str {
        "aws_route_table"
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(crate::list::route_tables(client).await, "route tables")
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        tags::attributes(Schema::new())
            .attr("id", computed("The table's id (rtb-...)."))
            .attr("arn", computed("The table's ARN."))
            .attr(
                "vpc_id",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The VPC."),
            )
            .attr("owner_id", computed("The owning account."))
            .block("route", NestedBlock::set(route_schema()))
            .timeouts(timeouts(5, 2, 5))
            .crash_safety(CrashSafety::Tagged)
            .describe("A route table with inline routes.")
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
            .create_route_table()
            .vpc_id(attrs::string(planned, "vpc_id").unwrap_or_default())
            .tag_specifications(tags::specification(
                &client.tags,
                ResourceType::RouteTable,
                planned,
                &request.intent,
            ))
            .send()
            .await;
        let table = match made {
            Ok(out) => out
                .route_table()
                .cloned()
                .unwrap_or_else(|| AwsTable::builder().build()),
            Err(e) => {
                return ObjectResponse::failed(
                    AwsError::from(e).diagnostic_at("creating the route table", "vpc_id"),
                )
            }
        };
        let id = table.route_table_id().unwrap_or_default().to_string();
        let empty = Value::object([("route", Value::set(vec![]))]);
        let synced = sync_routes(client, &id, &empty, planned).await;
        let state = table_state(client, &id, planned)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| render_table(client, &table, planned));
        match synced {
            Ok(()) => ObjectResponse::ok(state),
            Err(e) => ObjectResponse::partial(
                state,
                e.diagnostic_at(&format!("adding routes to the route table {id}"), "route"),
            ),
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
            "reading route tables",
            |ids| async move {
                Ok(describe(client, "route-table-id", ids)
                    .await?
                    .into_iter()
                    .map(|t| (t.route_table_id().unwrap_or_default().to_string(), t))
                    .collect())
            },
            |table, prior| Some(render_table(client, table, prior)),
        )
        .await
    }

    async fn update(
        &self,
        client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let id = match id(&request.prior, "aws_route_table") {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let planned = &request.planned;
        let doing = format!("updating the route table {id}");
        let mut result = sync_routes(client, &id, &request.prior, planned).await;
        if result.is_ok() {
            result = tags::update(client, &id, &request.prior, planned).await;
        }
        match (result, table_state(client, &id, planned).await) {
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
        let id = match id(&request.prior, "aws_route_table") {
            Ok(id) => id,
            Err(d) => return d.into(),
        };
        delete_retrying(ctx, &format!("deleting the route table {id}"), || async {
            client
                .ec2
                .delete_route_table()
                .route_table_id(&id)
                .send()
                .await?;
            Ok(())
        })
        .await
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the route table {id:?}");
        match table_state(client, id, &Value::object::<&str>([])).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("no such route table").diagnostic(&doing))
            }
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let found = client
            .ec2
            .describe_route_tables()
            .filters(tags::intent_filter(&request.intent))
            .send()
            .await;
        match found {
            Ok(out) => AdoptResponse {
                found: out
                    .route_tables()
                    .first()
                    .map(|t| render_table(client, t, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e.into(), "route table"),
        }
    }
}

/// Terraform's id of a route: `r-` + the table + the CRC-32 of the destination.
pub fn route_id(table: &str, destination: &str) -> String {
    format!("r-{table}{}", crc32fast::hash(destination.as_bytes()))
}

fn route_destination(route: &Value) -> Option<&str> {
    attrs::string(route, "destination_cidr_block")
        .or(attrs::string(route, "destination_ipv6_cidr_block"))
}

fn render_route(table: &AwsTable, dest: &str, prior: &Value) -> Option<Value> {
    let route = table
        .routes()
        .iter()
        .find(|r| destination(r) == Some(dest))?;
    let table_id = table.route_table_id().unwrap_or_default();
    let mut state = State::from(prior);
    state
        .set("id", route_id(table_id, dest))
        .set("route_table_id", table_id)
        .set(
            "destination_cidr_block",
            attrs::opt(route.destination_cidr_block()),
        )
        .set(
            "destination_ipv6_cidr_block",
            attrs::opt(route.destination_ipv6_cidr_block()),
        )
        .set("origin", attrs::opt(route.origin().map(|o| o.as_str())))
        .set("state", attrs::opt(route.state().map(|s| s.as_str())))
        .set("instance_id", attrs::opt(route.instance_id()));
    for name in TARGETS {
        state.set(name, target(route, name));
    }
    Some(state.build())
}

async fn route_state(
    client: &Client,
    table: &str,
    dest: &str,
    prior: &Value,
) -> Result<Option<Value>, AwsError> {
    Ok(describe(client, "route-table-id", vec![table.to_string()])
        .await?
        .first()
        .and_then(|t| render_route(t, dest, prior)))
}

#[async_trait]
impl Resource<Client> for Route {
    fn type_name(&self) -> &str {
        "aws_route"
    }

    fn schema(&self) -> Schema {
        let mut schema = Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("r-TABLE + a hash of the destination."),
            )
            .attr(
                "route_table_id",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The table."),
            )
            .attr(
                "destination_cidr_block",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("The IPv4 destination."),
            )
            .attr(
                "destination_ipv6_cidr_block",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("The IPv6 destination."),
            )
            .attr(
                "origin",
                Attribute::computed(Type::String).describe("How the route was made."),
            )
            .attr(
                "state",
                Attribute::computed(Type::String).describe("`active` or `blackhole`."),
            )
            .attr(
                "instance_id",
                Attribute::computed(Type::String).describe("The target instance, if any."),
            );
        for name in TARGETS {
            schema = schema.attr(
                name,
                Attribute::optional(Type::String).describe("A target."),
            );
        }
        schema
            .timeouts(timeouts(5, 2, 5))
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("One route of a route table, found after a crash by table and destination.")
    }

    async fn create(
        &self,
        client: &Client,
        _ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let table = attrs::string(planned, "route_table_id").unwrap_or_default();
        let dest = route_destination(planned).unwrap_or_default();
        let doing = format!("creating the route to {dest} in {table}");
        if let Err(e) = create_route(
            client,
            table,
            planned,
            "destination_cidr_block",
            "destination_ipv6_cidr_block",
        )
        .await
        {
            return ObjectResponse::failed(e.diagnostic(&doing));
        }
        match route_state(client, table, dest, planned).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("the route vanished").diagnostic(&doing))
            }
            Err(e) => {
                let mut state = State::from(planned);
                state.set("id", route_id(table, dest));
                ObjectResponse::partial(state.build(), e.diagnostic(&doing))
            }
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        // Ask about the tables; a route is found in its table by destination.
        let keyed: Vec<Value> = objects
            .iter()
            .map(|o| {
                let mut state = State::from(o);
                state.set("id", attrs::opt(attrs::string(o, "route_table_id")));
                state.build()
            })
            .collect();
        batch::read(
            &keyed,
            "reading routes",
            |ids| async move {
                Ok(describe(client, "route-table-id", ids)
                    .await?
                    .into_iter()
                    .map(|t| (t.route_table_id().unwrap_or_default().to_string(), t))
                    .collect())
            },
            |table, prior| render_route(table, route_destination(prior).unwrap_or_default(), prior),
        )
        .await
    }

    async fn update(
        &self,
        client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let table = attrs::string(planned, "route_table_id").unwrap_or_default();
        let dest = route_destination(planned).unwrap_or_default();
        let doing = format!("changing the route to {dest} in {table}");
        let call = client.ec2.replace_route().route_table_id(table);
        let call = TARGETS.iter().fold(call, |call, name| {
            let value = attrs::string(planned, name).map(str::to_string);
            match *name {
                "gateway_id" => call.set_gateway_id(value),
                "nat_gateway_id" => call.set_nat_gateway_id(value),
                "network_interface_id" => call.set_network_interface_id(value),
                "vpc_peering_connection_id" => call.set_vpc_peering_connection_id(value),
                _ => call.set_transit_gateway_id(value),
            }
        });
        let replaced = call
            .set_destination_cidr_block(
                attrs::string(planned, "destination_cidr_block").map(str::to_string),
            )
            .set_destination_ipv6_cidr_block(
                attrs::string(planned, "destination_ipv6_cidr_block").map(str::to_string),
            )
            .send()
            .await;
        if let Err(e) = replaced {
            return ObjectResponse::failed(AwsError::from(e).diagnostic(&doing));
        }
        match route_state(client, table, dest, planned).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("the route vanished").diagnostic(&doing))
            }
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn delete(
        &self,
        client: &Client,
        _ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let prior = &request.prior;
        let table = attrs::string(prior, "route_table_id").unwrap_or_default();
        let dest = route_destination(prior).unwrap_or_default();
        match delete_route(
            client,
            table,
            &Value::object([
                (
                    "cidr_block",
                    prior
                        .get("destination_cidr_block")
                        .cloned()
                        .unwrap_or_default(),
                ),
                (
                    "ipv6_cidr_block",
                    prior
                        .get("destination_ipv6_cidr_block")
                        .cloned()
                        .unwrap_or_default(),
                ),
            ]),
        )
        .await
        {
            Ok(()) => DeleteResponse::default(),
            Err(e) => e
                .diagnostics(&format!("deleting the route to {dest} in {table}"))
                .into(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the route {id:?}");
        let Some((table, dest)) = id.split_once('_') else {
            return ObjectResponse::failed(
                AwsError::other("expected ROUTE-TABLE-ID_DESTINATION (rtb-1234_10.0.0.0/16)")
                    .diagnostic(&doing),
            );
        };
        let field = if dest.contains(':') {
            "destination_ipv6_cidr_block"
        } else {
            "destination_cidr_block"
        };
        let prior = Value::object([(field, Value::from(dest))]);
        match route_state(client, table, dest, &prior).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => ObjectResponse::failed(AwsError::other("no such route").diagnostic(&doing)),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let planned = &request.planned;
        let table = attrs::string(planned, "route_table_id").unwrap_or_default();
        let dest = route_destination(planned).unwrap_or_default();
        match route_state(client, table, dest, planned).await {
            Ok(found) => AdoptResponse {
                found,
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "route"),
        }
    }
}
