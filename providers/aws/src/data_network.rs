//! Network data sources: `aws_vpc` (the one VPC matching an id, a range, `default`, tags and
//! filters, read as the `aws_vpc` resource reads it) and `aws_subnets` (the ids of every subnet
//! matching tags and filters).

use async_trait::async_trait;
use aws_sdk_ec2::types::Filter;
use plinth_sdk::{
    Attribute, Context, DataSource, Diagnostic, ReadDataResponse, Schema, Type, Value,
};

use crate::attrs::{self, State};
use crate::batch::filter;
use crate::client::Client;
use crate::data::{failed, filter_block, filters, found};
use crate::error::AwsError;
use crate::resources::vpc;

/// `aws_vpc`.
pub struct Vpc;
/// `aws_subnets`.
pub struct Subnets;

/// The configured filters, with one `tag:KEY` filter per entry of `tags`.
fn filters_and_tags(config: &Value) -> Vec<Filter> {
    let mut all = filters(config);
    all.extend(
        attrs::string_map(config, "tags")
            .into_iter()
            .map(|(key, value)| filter(&format!("tag:{key}"), [value])),
    );
    all
}

#[async_trait]
impl DataSource<Client> for Vpc {
    fn type_name(&self) -> &str {
        "aws_vpc"
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        let wanted = |text: &str| Attribute::optional_computed(Type::String).describe(text);
        Schema::new()
            .attr("id", wanted("The VPC's id."))
            .attr("cidr_block", wanted("Its IPv4 range."))
            .attr("dhcp_options_id", wanted("Its DHCP options."))
            .attr("state", wanted("`available` or `pending`."))
            .attr(
                "default",
                Attribute::optional_computed(Type::Bool).describe("Whether it is the default VPC."),
            )
            .attr(
                "tags",
                Attribute::optional_computed(Type::map(Type::String))
                    .describe("Tags it must carry; then all its tags."),
            )
            .attr(
                "tags_all",
                Attribute::computed(Type::map(Type::String)).describe("All its tags."),
            )
            .attr("arn", computed("Its ARN."))
            .attr("instance_tenancy", computed("`default` or `dedicated`."))
            .attr("owner_id", computed("The owning account."))
            .attr("ipv6_cidr_block", computed("Its IPv6 range."))
            .attr(
                "ipv6_association_id",
                computed("Its IPv6 range's association."),
            )
            .attr(
                "enable_dns_support",
                Attribute::computed(Type::Bool).describe("Whether AWS's DNS resolves in it."),
            )
            .attr(
                "enable_dns_hostnames",
                Attribute::computed(Type::Bool).describe("Whether instances get DNS names."),
            )
            .attr("main_route_table_id", computed("Its main route table."))
            .attr("default_route_table_id", computed("Its main route table."))
            .attr(
                "default_security_group_id",
                computed("Its default security group."),
            )
            .attr(
                "default_network_acl_id",
                computed("Its default network ACL."),
            )
            .block("filter", filter_block())
    }

    async fn read(&self, client: &Client, _ctx: &Context, config: Value) -> ReadDataResponse {
        let mut wanted = filters_and_tags(&config);
        for (attribute, name) in [
            ("id", "vpc-id"),
            ("cidr_block", "cidr"),
            ("dhcp_options_id", "dhcp-options-id"),
            ("state", "state"),
        ] {
            if let Some(value) = attrs::string(&config, attribute) {
                wanted.push(filter(name, [value]));
            }
        }
        if let Some(default) = attrs::boolean(&config, "default") {
            wanted.push(filter("is-default", [default.to_string()]));
        }
        let answer = client
            .ec2
            .describe_vpcs()
            .set_filters(Some(wanted))
            .send()
            .await;
        let vpcs = match answer {
            Ok(out) => out.vpcs().to_vec(),
            Err(e) => return AwsError::from(e).diagnostics("looking for the VPC").into(),
        };
        let id = match vpcs.as_slice() {
            [one] => one.vpc_id().unwrap_or_default().to_string(),
            [] => return failed(Diagnostic::error("no matching EC2 VPC found")),
            more => {
                return failed(Diagnostic::error(format!(
                    "multiple EC2 VPCs matched ({}); use additional constraints to reduce matches to a single VPC",
                    more.len()
                )))
            }
        };
        let is_default = vpcs[0].is_default().unwrap_or(false);
        let state = vpcs[0].state().map(|s| s.as_str().to_string());
        let mut prior = State::from(&config);
        prior.set("tags", Value::Null);
        match vpc::current(client, &id, &prior.build()).await {
            Ok(Some(read)) => {
                let mut result = State::from(&read);
                result
                    .set("default", is_default)
                    .set("state", attrs::opt(state.as_deref()));
                found(result)
            }
            Ok(None) => failed(Diagnostic::error(format!(
                "the VPC {id} vanished while read"
            ))),
            Err(e) => e.diagnostics(&format!("reading the VPC {id}")).into(),
        }
    }
}

#[async_trait]
impl DataSource<Client> for Subnets {
    fn type_name(&self) -> &str {
        "aws_subnets"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The region."),
            )
            .attr(
                "tags",
                Attribute::optional(Type::map(Type::String)).describe("Tags the subnets carry."),
            )
            .attr(
                "ids",
                Attribute::computed(Type::list(Type::String))
                    .describe("The matching subnets' ids, sorted."),
            )
            .block("filter", filter_block())
    }

    async fn read(&self, client: &Client, _ctx: &Context, config: Value) -> ReadDataResponse {
        let answer = client
            .ec2
            .describe_subnets()
            .set_filters(Some(filters_and_tags(&config)))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await;
        match answer {
            Ok(subnets) => {
                let mut ids: Vec<String> = subnets
                    .iter()
                    .filter_map(|s| s.subnet_id().map(str::to_string))
                    .collect();
                ids.sort();
                let mut state = State::from(&config);
                state.set("id", client.region.as_str()).set(
                    "ids",
                    Value::List(ids.into_iter().map(Value::from).collect()),
                );
                found(state)
            }
            Err(e) => AwsError::from(e).diagnostics("looking for subnets").into(),
        }
    }
}
