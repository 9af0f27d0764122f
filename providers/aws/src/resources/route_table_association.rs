//! `aws_route_table_association`: a subnet (or gateway) using a route table. It cannot carry
//! tags, so an interrupted create is found again by its table and subnet, as is one that already
//! exists when it is created (AWS's `Resource.AlreadyAssociated`). Moving it to another
//! table replaces the association in place (ReplaceRouteTableAssociation). Refresh reads every
//! association in one DescribeRouteTables call per 200. Listed with its table and subnet (or
//! gateway). Import id: `SUBNET/TABLE`, `GATEWAY/TABLE` or the association's id.

use async_trait::async_trait;
use aws_sdk_ec2::types::RouteTable as AwsTable;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ObjectResponse, ReadManyResponse, Resource, Schema, Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::batch;
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::route_table::describe;
use crate::resources::vpc::adopt_failed;
use crate::resources::{id, timeouts};

/// `aws_route_table_association`.
pub struct Association;

const TYPE: &str = "aws_route_table_association";

/// The association `id` of `table` as state has it.
fn render(table: &AwsTable, id: &str, prior: &Value) -> Option<Value> {
    let association = table
        .associations()
        .iter()
        .find(|a| a.route_table_association_id() == Some(id))?;
    let mut state = State::from(prior);
    state
        .set("id", id)
        .set("route_table_id", attrs::opt(table.route_table_id()))
        .set("subnet_id", attrs::opt(association.subnet_id()))
        .set("gateway_id", attrs::opt(association.gateway_id()));
    Some(state.build())
}

/// The association of `subnet` (or gateway) with `table`, if there is one.
async fn find(
    client: &Client,
    table: &str,
    member: &str,
    prior: &Value,
) -> Result<Option<Value>, AwsError> {
    let tables = describe(client, "route-table-id", vec![table.to_string()]).await?;
    Ok(tables.first().and_then(|t| {
        let id = t
            .associations()
            .iter()
            .find(|a| a.subnet_id() == Some(member) || a.gateway_id() == Some(member))?
            .route_table_association_id()?;
        render(t, id, prior)
    }))
}

/// The association whose id is `id`, if there is one.
async fn by_id(client: &Client, id: &str) -> Result<Option<Value>, AwsError> {
    let tables = describe(
        client,
        "association.route-table-association-id",
        vec![id.to_string()],
    )
    .await?;
    Ok(tables
        .iter()
        .find_map(|t| render(t, id, &Value::object::<&str>([]))))
}

fn member(object: &Value) -> &str {
    attrs::string(object, "subnet_id")
        .or(attrs::string(object, "gateway_id"))
        .unwrap_or_default()
}

#[async_trait]
impl Resource<Client> for Association {
    fn type_name(&self) -> &str {
        TYPE
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(
            crate::list::route_table_associations(client).await,
            "route table associations",
        )
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The association's id (rtbassoc-...)."),
            )
            .attr(
                "route_table_id",
                Attribute::required(Type::String).describe("The route table."),
            )
            .attr(
                "subnet_id",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("The subnet."),
            )
            .attr(
                "gateway_id",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("Or the gateway."),
            )
            .timeouts(timeouts(5, 2, 5))
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("A subnet or gateway using a route table, found after a crash by both.")
    }

    async fn create(
        &self,
        client: &Client,
        _ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let table = attrs::string(planned, "route_table_id").unwrap_or_default();
        let doing = format!(
            "associating {} with the route table {table}",
            member(planned)
        );
        let made = client
            .ec2
            .associate_route_table()
            .route_table_id(table)
            .set_subnet_id(attrs::string(planned, "subnet_id").map(str::to_string))
            .set_gateway_id(attrs::string(planned, "gateway_id").map(str::to_string))
            .send()
            .await;
        match made.map_err(AwsError::from) {
            Ok(out) => {
                let mut state = State::from(planned);
                state.set("id", out.association_id().unwrap_or_default());
                ObjectResponse::ok(state.build())
            }
            // Written again from configuration (a state rebuilt by import blocks has none for
            // associations, which cannot be listed): the association that exists is this one.
            Err(e) if e.is("Resource.AlreadyAssociated") => {
                match find(client, table, member(planned), planned).await {
                    Ok(Some(found)) => ObjectResponse::ok(found),
                    _ => ObjectResponse::failed(e.diagnostic(&doing)),
                }
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
        // Keyed by table: an association is found in its table by id.
        let keyed: Vec<Value> = objects
            .iter()
            .map(|o| {
                let mut state = State::from(o);
                state
                    .set("association", attrs::opt(attrs::string(o, "id")))
                    .set("id", attrs::opt(attrs::string(o, "route_table_id")));
                state.build()
            })
            .collect();
        let mut response = batch::read(
            &keyed,
            "reading route table associations",
            |ids| async move {
                Ok(describe(client, "route-table-id", ids)
                    .await?
                    .into_iter()
                    .map(|t| (t.route_table_id().unwrap_or_default().to_string(), t))
                    .collect())
            },
            |table, prior| {
                let id = attrs::string(prior, "association").unwrap_or_default();
                render(table, id, prior)
            },
        )
        .await;
        for result in &mut response.results {
            if let plinth_sdk::ReadResult::Found(Value::Map(map)) = result {
                map.remove("association");
            }
        }
        response
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
        let table = attrs::string(planned, "route_table_id").unwrap_or_default();
        let replaced = client
            .ec2
            .replace_route_table_association()
            .association_id(&id)
            .route_table_id(table)
            .send()
            .await;
        match replaced {
            Ok(out) => {
                let mut state = State::from(planned);
                state.set("id", out.new_association_id().unwrap_or(&id));
                ObjectResponse::ok(state.build())
            }
            Err(e) => ObjectResponse::failed(
                AwsError::from(e).diagnostic(&format!("moving the association {id} to {table}")),
            ),
        }
    }

    async fn delete(
        &self,
        client: &Client,
        _ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return d.into(),
        };
        match client
            .ec2
            .disassociate_route_table()
            .association_id(&id)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Err(e) if !e.is_not_found() => e
                .diagnostics(&format!("removing the association {id}"))
                .into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the route table association {id:?}");
        let found = match id.split_once('/') {
            Some((member, table)) => find(client, table, member, &Value::object::<&str>([])).await,
            // The association's own id, as `plinth drift -unmanaged` lists it.
            None if id.starts_with("rtbassoc-") => by_id(client, id).await,
            None => return ObjectResponse::failed(
                AwsError::other(
                    "expected SUBNET-ID/ROUTE-TABLE-ID, GATEWAY-ID/ROUTE-TABLE-ID or rtbassoc-...",
                )
                .diagnostic(&doing),
            ),
        };
        match found {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("no such association").diagnostic(&doing))
            }
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let planned = &request.planned;
        let table = attrs::string(planned, "route_table_id").unwrap_or_default();
        match find(client, table, member(planned), planned).await {
            Ok(found) => AdoptResponse {
                found,
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "route table association"),
        }
    }
}
