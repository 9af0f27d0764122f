//! `aws_vpc`: a VPC, tagged at creation with the intent token. DNS support and hostnames change
//! in place (one ModifyVpcAttribute each); the CIDR block and tenancy replace it. Refresh reads
//! every VPC in one DescribeVpcs call per 200, plus the two DNS attributes of each (AWS has no
//! batched form of DescribeVpcAttribute). Imported by id.

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, ResourceType, Tenancy, Vpc as AwsVpc, VpcAttributeName,
};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse, Resource, Schema,
    Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::batch::{self, filter};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::{delete_retrying, id, timeouts};
use crate::tags;

/// The resource type.
pub struct Vpc;

const TYPE: &str = "aws_vpc";

/// What DescribeVpcs does not say about a VPC.
#[derive(Default)]
struct Extras {
    dns_support: Option<bool>,
    dns_hostnames: Option<bool>,
    main_route_table: Option<String>,
    default_security_group: Option<String>,
    default_network_acl: Option<String>,
}

fn render(client: &Client, vpc: &AwsVpc, extras: &Extras, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let id = vpc.vpc_id().unwrap_or_default();
    let owner = vpc.owner_id().unwrap_or_default();
    state
        .set("id", id)
        .set("arn", client.arn("ec2", owner, &format!("vpc/{id}")))
        .set("cidr_block", attrs::opt(vpc.cidr_block()))
        .set(
            "instance_tenancy",
            vpc.instance_tenancy().map_or("default", |t| t.as_str()),
        )
        .set("dhcp_options_id", attrs::opt(vpc.dhcp_options_id()))
        .set("owner_id", owner);
    let ipv6 = vpc.ipv6_cidr_block_association_set().first();
    state
        .set(
            "ipv6_cidr_block",
            attrs::opt(ipv6.and_then(|a| a.ipv6_cidr_block())),
        )
        .set(
            "ipv6_association_id",
            attrs::opt(ipv6.and_then(|a| a.association_id())),
        );
    if let Some(on) = extras.dns_support {
        state.set("enable_dns_support", on);
    }
    if let Some(on) = extras.dns_hostnames {
        state.set("enable_dns_hostnames", on);
    }
    if let Some(table) = &extras.main_route_table {
        state
            .set("main_route_table_id", table.as_str())
            .set("default_route_table_id", table.as_str());
    }
    if let Some(group) = &extras.default_security_group {
        state.set("default_security_group_id", group.as_str());
    }
    if let Some(acl) = &extras.default_network_acl {
        state.set("default_network_acl_id", acl.as_str());
    }
    tags::render(&client.tags, vpc.tags(), prior, &mut state);
    state.build()
}

async fn dns(client: &Client, id: &str, extras: &mut Extras) -> Result<(), AwsError> {
    let support = client
        .ec2
        .describe_vpc_attribute()
        .vpc_id(id)
        .attribute(VpcAttributeName::EnableDnsSupport)
        .send()
        .await?;
    extras.dns_support = support.enable_dns_support().and_then(|a| a.value());
    let hostnames = client
        .ec2
        .describe_vpc_attribute()
        .vpc_id(id)
        .attribute(VpcAttributeName::EnableDnsHostnames)
        .send()
        .await?;
    extras.dns_hostnames = hostnames.enable_dns_hostnames().and_then(|a| a.value());
    Ok(())
}

/// Everything about one VPC (after a create or for an import).
async fn read_one(client: &Client, id: &str) -> Result<Option<(AwsVpc, Extras)>, AwsError> {
    let vpcs = client
        .ec2
        .describe_vpcs()
        .filters(filter("vpc-id", [id]))
        .send()
        .await?;
    let Some(vpc) = vpcs.vpcs().first().cloned() else {
        return Ok(None);
    };
    let mut extras = Extras::default();
    dns(client, id, &mut extras).await?;
    let tables = client
        .ec2
        .describe_route_tables()
        .filters(filter("vpc-id", [id]))
        .filters(filter("association.main", ["true"]))
        .send()
        .await?;
    extras.main_route_table = tables
        .route_tables()
        .first()
        .and_then(|t| t.route_table_id())
        .map(str::to_string);
    let groups = client
        .ec2
        .describe_security_groups()
        .filters(filter("vpc-id", [id]))
        .filters(filter("group-name", ["default"]))
        .send()
        .await?;
    extras.default_security_group = groups
        .security_groups()
        .first()
        .and_then(|g| g.group_id())
        .map(str::to_string);
    let acls = client
        .ec2
        .describe_network_acls()
        .filters(filter("vpc-id", [id]))
        .filters(filter("default", ["true"]))
        .send()
        .await?;
    extras.default_network_acl = acls
        .network_acls()
        .first()
        .and_then(|a| a.network_acl_id())
        .map(str::to_string);
    Ok(Some((vpc, extras)))
}

async fn set_dns(
    client: &Client,
    id: &str,
    planned: &Value,
    prior: Option<&Value>,
) -> Result<(), AwsError> {
    let want = |name: &str, default: bool| attrs::boolean(planned, name).unwrap_or(default);
    let had = |name: &str, default: bool| {
        prior.map_or(default, |p| attrs::boolean(p, name).unwrap_or(default))
    };
    let flag = |on: bool| AttributeBooleanValue::builder().value(on).build();
    if want("enable_dns_support", true) != had("enable_dns_support", true) {
        client
            .ec2
            .modify_vpc_attribute()
            .vpc_id(id)
            .enable_dns_support(flag(want("enable_dns_support", true)))
            .send()
            .await?;
    }
    if want("enable_dns_hostnames", false) != had("enable_dns_hostnames", false) {
        client
            .ec2
            .modify_vpc_attribute()
            .vpc_id(id)
            .enable_dns_hostnames(flag(want("enable_dns_hostnames", false)))
            .send()
            .await?;
    }
    Ok(())
}

/// Everything about one VPC, rendered over `prior` (None: no such VPC).
pub(crate) async fn current(
    client: &Client,
    id: &str,
    prior: &Value,
) -> Result<Option<Value>, AwsError> {
    Ok(read_one(client, id)
        .await?
        .map(|(vpc, extras)| render(client, &vpc, &extras, prior)))
}

#[async_trait]
impl Resource<Client> for Vpc {
    fn type_name(&self) -> &str {
        TYPE
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(crate::list::vpcs(client).await, "VPCs")
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        tags::attributes(Schema::new())
            .attr("id", computed("The VPC's id (vpc-...)."))
            .attr("arn", computed("The VPC's ARN."))
            .attr(
                "cidr_block",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The IPv4 range (CIDR)."),
            )
            .attr(
                "instance_tenancy",
                Attribute::optional(Type::String)
                    .default("default")
                    .force_new()
                    .describe("`default` or `dedicated`."),
            )
            .attr(
                "enable_dns_support",
                Attribute::optional(Type::Bool)
                    .default(true)
                    .describe("Whether the VPC resolves DNS."),
            )
            .attr(
                "enable_dns_hostnames",
                Attribute::optional_computed(Type::Bool)
                    .describe("Whether instances get public DNS hostnames (default false)."),
            )
            .attr("owner_id", computed("The owning account."))
            .attr("dhcp_options_id", computed("Its DHCP options set."))
            .attr("main_route_table_id", computed("Its main route table."))
            .attr(
                "default_route_table_id",
                computed("Its default route table."),
            )
            .attr(
                "default_security_group_id",
                computed("Its default security group."),
            )
            .attr(
                "default_network_acl_id",
                computed("Its default network ACL."),
            )
            .attr("ipv6_cidr_block", computed("Its IPv6 range, if any."))
            .attr(
                "ipv6_association_id",
                computed("The IPv6 range's association."),
            )
            .timeouts(timeouts(5, 5, 5))
            .crash_safety(CrashSafety::Tagged)
            .describe("A VPC.")
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
            .create_vpc()
            .cidr_block(attrs::string(planned, "cidr_block").unwrap_or_default())
            .instance_tenancy(Tenancy::from(
                attrs::string(planned, "instance_tenancy").unwrap_or("default"),
            ))
            .tag_specifications(tags::specification(
                &client.tags,
                ResourceType::Vpc,
                planned,
                &request.intent,
            ))
            .send()
            .await;
        let id = match made {
            Ok(out) => out
                .vpc()
                .and_then(|v| v.vpc_id())
                .unwrap_or_default()
                .to_string(),
            Err(e) => {
                return ObjectResponse::failed(
                    AwsError::from(e).diagnostic_at("creating the VPC", "cidr_block"),
                )
            }
        };
        let configured = set_dns(client, &id, planned, None).await;
        match (current(client, &id, planned).await, configured) {
            (Ok(Some(state)), Ok(())) => ObjectResponse::ok(state),
            (Ok(Some(state)), Err(e)) => {
                ObjectResponse::partial(state, e.diagnostic(&format!("configuring the VPC {id}")))
            }
            (Ok(None), _) => ObjectResponse::failed(
                AwsError::other(format!("the VPC {id} vanished after it was created"))
                    .diagnostic("creating the VPC"),
            ),
            (Err(e), _) => {
                let mut state = State::from(planned);
                state.set("id", id.as_str());
                ObjectResponse::partial(
                    state.build(),
                    e.diagnostic(&format!("reading the VPC {id}")),
                )
            }
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let mut response = batch::read(
            &objects,
            "reading VPCs",
            |ids| async move {
                let vpcs = client
                    .ec2
                    .describe_vpcs()
                    .filters(filter("vpc-id", ids))
                    .into_paginator()
                    .items()
                    .send()
                    .collect::<Result<Vec<_>, _>>()
                    .await?;
                Ok(vpcs
                    .into_iter()
                    .map(|v| (v.vpc_id().unwrap_or_default().to_string(), v))
                    .collect())
            },
            |vpc, prior| Some(render(client, vpc, &Extras::default(), prior)),
        )
        .await;
        // DNS settings are per-VPC attributes.
        for result in &mut response.results {
            if let plinth_sdk::ReadResult::Found(state) = result {
                let id = attrs::string(state, "id").unwrap_or_default().to_string();
                let mut extras = Extras::default();
                if let Err(e) = dns(client, &id, &mut extras).await {
                    *result = plinth_sdk::ReadResult::Failed(
                        e.diagnostics("reading the VPC's DNS settings"),
                    );
                    continue;
                }
                let mut updated = State::from(state);
                if let Some(on) = extras.dns_support {
                    updated.set("enable_dns_support", on);
                }
                if let Some(on) = extras.dns_hostnames {
                    updated.set("enable_dns_hostnames", on);
                }
                *state = updated.build();
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
        let mut result = set_dns(client, &id, planned, Some(&request.prior)).await;
        if result.is_ok() {
            result = tags::update(client, &id, &request.prior, planned).await;
        }
        match (result, current(client, &id, planned).await) {
            (Ok(()), Ok(Some(state))) => ObjectResponse::ok(state),
            (Err(e), Ok(Some(state))) => {
                ObjectResponse::partial(state, e.diagnostic(&format!("updating the VPC {id}")))
            }
            (Err(e), _) | (_, Err(e)) => {
                ObjectResponse::failed(e.diagnostic(&format!("updating the VPC {id}")))
            }
            (Ok(()), Ok(None)) => ObjectResponse::failed(
                AwsError::other("it no longer exists")
                    .diagnostic(&format!("updating the VPC {id}")),
            ),
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
        delete_retrying(ctx, &format!("deleting the VPC {id}"), || async {
            client.ec2.delete_vpc().vpc_id(&id).send().await?;
            Ok(())
        })
        .await
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the VPC {id:?}");
        match current(client, id, &Value::object::<&str>([])).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => ObjectResponse::failed(AwsError::other("no such VPC").diagnostic(&doing)),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let found = client
            .ec2
            .describe_vpcs()
            .filters(tags::intent_filter(&request.intent))
            .send()
            .await
            .map_err(AwsError::from);
        let id = match found {
            Ok(out) => out
                .vpcs()
                .first()
                .and_then(|v| v.vpc_id())
                .map(str::to_string),
            Err(e) => return adopt_failed(e, "VPC"),
        };
        let Some(id) = id else {
            return AdoptResponse::default();
        };
        match current(client, &id, &request.planned).await {
            Ok(found) => AdoptResponse {
                found,
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "VPC"),
        }
    }
}

/// An adoption that could not look.
pub fn adopt_failed(error: AwsError, what: &str) -> AdoptResponse {
    AdoptResponse {
        diagnostics: error.diagnostics(&format!("looking for a {what} an interrupted create made")),
        ..AdoptResponse::default()
    }
}
