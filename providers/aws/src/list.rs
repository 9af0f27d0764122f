//! Listing every object of a type for `plinth drift -unmanaged`: one paginated Describe or List
//! call per type (Route 53 records: one listing per zone), each object answered as its id, its
//! name where it has one and its tags. AWS's own defaults (the default VPC and its subnets,
//! every VPC's default security group and main route table, the `default` DB subnet group, a
//! zone's own SOA and NS records) are left out: nobody made them, so nobody should manage them.

use aws_sdk_ec2::types::{RouteTable, Tag};
use plinth_sdk::{ListResponse, Value};

use crate::attrs;
use crate::client::Client;
use crate::error::AwsError;
use crate::tags;

/// The answer to a list request from a listing.
pub fn answer(listed: Result<Vec<Value>, AwsError>, what: &str) -> ListResponse {
    match listed {
        Ok(objects) => ListResponse {
            supported: true,
            objects,
            ..ListResponse::default()
        },
        Err(e) => ListResponse {
            supported: true,
            diagnostics: e.diagnostics(&format!("listing {what}")),
            ..ListResponse::default()
        },
    }
}

/// A listed object: its id, its name (when it has one) and its tags.
pub fn object(id: &str, name: Option<&str>, tags: Vec<(String, String)>) -> Value {
    let tags: std::collections::BTreeMap<String, String> = tags
        .into_iter()
        .filter(|(k, _)| !tags::is_bookkeeping(k))
        .collect();
    Value::object([
        ("id", Value::from(id)),
        ("name", attrs::opt(name)),
        ("tags", attrs::map_value(&tags)),
    ])
}

fn ec2_tags(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

/// The `Name` tag of an EC2 object.
fn name_tag(tags: &[Tag]) -> Option<&str> {
    tags.iter()
        .find(|t| t.key() == Some("Name"))
        .and_then(|t| t.value())
}

/// Every VPC but the default one.
pub async fn vpcs(client: &Client) -> Result<Vec<Value>, AwsError> {
    let vpcs: Vec<_> = client
        .ec2
        .describe_vpcs()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(vpcs
        .iter()
        .filter(|v| v.is_default() != Some(true))
        .map(|v| {
            object(
                v.vpc_id().unwrap_or_default(),
                name_tag(v.tags()),
                ec2_tags(v.tags()),
            )
        })
        .collect())
}

/// Every subnet but the default VPC's.
pub async fn subnets(client: &Client) -> Result<Vec<Value>, AwsError> {
    let subnets: Vec<_> = client
        .ec2
        .describe_subnets()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(subnets
        .iter()
        .filter(|s| s.default_for_az() != Some(true))
        .map(|s| {
            object(
                s.subnet_id().unwrap_or_default(),
                name_tag(s.tags()),
                ec2_tags(s.tags()),
            )
        })
        .collect())
}

/// Every internet gateway but the default VPC's.
pub async fn internet_gateways(client: &Client) -> Result<Vec<Value>, AwsError> {
    let defaults = default_vpcs(client).await?;
    let gateways: Vec<_> = client
        .ec2
        .describe_internet_gateways()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(gateways
        .iter()
        .filter(|g| {
            !g.attachments()
                .iter()
                .any(|a| a.vpc_id().is_some_and(|v| defaults.iter().any(|d| d == v)))
        })
        .map(|g| {
            object(
                g.internet_gateway_id().unwrap_or_default(),
                name_tag(g.tags()),
                ec2_tags(g.tags()),
            )
        })
        .collect())
}

async fn default_vpcs(client: &Client) -> Result<Vec<String>, AwsError> {
    let out = client
        .ec2
        .describe_vpcs()
        .filters(crate::batch::filter("is-default", ["true"]))
        .send()
        .await?;
    Ok(out
        .vpcs()
        .iter()
        .filter_map(|v| v.vpc_id().map(str::to_string))
        .collect())
}

/// Every route table of the region, all pages.
async fn all_route_tables(client: &Client) -> Result<Vec<RouteTable>, AwsError> {
    client
        .ec2
        .describe_route_tables()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(AwsError::from)
}

/// Every route table but the VPCs' main ones.
pub async fn route_tables(client: &Client) -> Result<Vec<Value>, AwsError> {
    let tables = all_route_tables(client).await?;
    Ok(tables
        .iter()
        .filter(|t| !t.associations().iter().any(|a| a.main() == Some(true)))
        .map(|t| {
            object(
                t.route_table_id().unwrap_or_default(),
                name_tag(t.tags()),
                ec2_tags(t.tags()),
            )
        })
        .collect())
}

/// Every association of a subnet or gateway with a route table (a main table's own marker is
/// no association anyone made), with the table and the subnet or gateway: what matches it to
/// its configuration once those are known.
pub async fn route_table_associations(client: &Client) -> Result<Vec<Value>, AwsError> {
    let tables = all_route_tables(client).await?;
    Ok(tables
        .iter()
        .flat_map(|t| t.associations().iter().map(move |a| (t, a)))
        .filter(|(_, a)| a.main() != Some(true))
        .filter_map(|(t, a)| {
            let mut listed = object(a.route_table_association_id()?, None, Vec::new());
            if let Value::Map(fields) = &mut listed {
                fields.insert("route_table_id".into(), attrs::opt(t.route_table_id()));
                fields.insert("subnet_id".into(), attrs::opt(a.subnet_id()));
                fields.insert("gateway_id".into(), attrs::opt(a.gateway_id()));
            }
            Some(listed)
        })
        .collect())
}

/// Every security group but the VPCs' `default` ones.
pub async fn security_groups(client: &Client) -> Result<Vec<Value>, AwsError> {
    let groups: Vec<_> = client
        .ec2
        .describe_security_groups()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(groups
        .iter()
        .filter(|g| g.group_name() != Some("default"))
        .map(|g| {
            object(
                g.group_id().unwrap_or_default(),
                g.group_name(),
                ec2_tags(g.tags()),
            )
        })
        .collect())
}

/// Every instance not terminated.
pub async fn instances(client: &Client) -> Result<Vec<Value>, AwsError> {
    let reservations: Vec<_> = client
        .ec2
        .describe_instances()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(reservations
        .iter()
        .flat_map(|r| r.instances())
        .filter(|i| {
            !matches!(
                i.state().and_then(|s| s.name()).map(|n| n.as_str()),
                Some("terminated" | "shutting-down")
            )
        })
        .map(|i| {
            object(
                i.instance_id().unwrap_or_default(),
                name_tag(i.tags()),
                ec2_tags(i.tags()),
            )
        })
        .collect())
}

/// Every Elastic IP.
pub async fn addresses(client: &Client) -> Result<Vec<Value>, AwsError> {
    let out = client.ec2.describe_addresses().send().await?;
    Ok(out
        .addresses()
        .iter()
        .map(|a| {
            object(
                a.allocation_id().unwrap_or_default(),
                a.public_ip(),
                ec2_tags(a.tags()),
            )
        })
        .collect())
}

/// Every association of an Elastic IP (its id is the association id), with the address and
/// the instance or network interface: what matches it to its configuration once those are
/// known.
pub async fn address_associations(client: &Client) -> Result<Vec<Value>, AwsError> {
    let out = client.ec2.describe_addresses().send().await?;
    Ok(out
        .addresses()
        .iter()
        .filter_map(|a| {
            let mut listed = object(a.association_id()?, None, Vec::new());
            if let Value::Map(fields) = &mut listed {
                fields.insert("allocation_id".into(), attrs::opt(a.allocation_id()));
                fields.insert("instance_id".into(), attrs::opt(a.instance_id()));
                fields.insert(
                    "network_interface_id".into(),
                    attrs::opt(a.network_interface_id()),
                );
            }
            Some(listed)
        })
        .collect())
}

/// Every key pair (its id is its name, as Terraform's).
pub async fn key_pairs(client: &Client) -> Result<Vec<Value>, AwsError> {
    let out = client.ec2.describe_key_pairs().send().await?;
    Ok(out
        .key_pairs()
        .iter()
        .map(|k| {
            let name = k.key_name().unwrap_or_default();
            object(name, Some(name), ec2_tags(k.tags()))
        })
        .collect())
}

/// Every DB instance.
pub async fn db_instances(client: &Client) -> Result<Vec<Value>, AwsError> {
    let dbs: Vec<_> = client
        .rds
        .describe_db_instances()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(dbs
        .iter()
        .map(|d| {
            let identifier = d.db_instance_identifier().unwrap_or_default();
            let id = d.dbi_resource_id().unwrap_or(identifier);
            // The name is the `identifier` argument, which matches it to its configuration.
            let mut listed = object(id, Some(identifier), Vec::new());
            if let Value::Map(fields) = &mut listed {
                fields.insert("identifier".into(), Value::from(identifier));
            }
            listed
        })
        .collect())
}

/// Every DB subnet group but `default`.
pub async fn db_subnet_groups(client: &Client) -> Result<Vec<Value>, AwsError> {
    let groups: Vec<_> = client
        .rds
        .describe_db_subnet_groups()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(groups
        .iter()
        .filter_map(|g| g.db_subnet_group_name())
        .filter(|name| *name != "default")
        .map(|name| object(name, Some(name), Vec::new()))
        .collect())
}

/// Every ECS cluster (its id is its ARN).
pub async fn ecs_clusters(client: &Client) -> Result<Vec<Value>, AwsError> {
    let arns: Vec<String> = client
        .ecs
        .list_clusters()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(arns
        .iter()
        .map(|arn| object(arn, arn.rsplit('/').next(), Vec::new()))
        .collect())
}

/// Every SNS topic (its id is its ARN).
pub async fn sns_topics(client: &Client) -> Result<Vec<Value>, AwsError> {
    let topics: Vec<_> = client
        .sns
        .list_topics()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(topics
        .iter()
        .filter_map(|t| t.topic_arn())
        .map(|arn| object(arn, arn.rsplit(':').next(), Vec::new()))
        .collect())
}

/// Every confirmed SNS subscription (its id is its ARN).
pub async fn sns_subscriptions(client: &Client) -> Result<Vec<Value>, AwsError> {
    let subscriptions: Vec<_> = client
        .sns
        .list_subscriptions()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(subscriptions
        .iter()
        .filter_map(|s| s.subscription_arn())
        .filter(|arn| arn.starts_with("arn:"))
        .map(|arn| object(arn, None, Vec::new()))
        .collect())
}

/// Every CloudWatch metric alarm (its id is its name, which configuration sets as
/// `alarm_name`).
pub async fn metric_alarms(client: &Client) -> Result<Vec<Value>, AwsError> {
    let mut objects = Vec::new();
    let mut token = None;
    loop {
        let out = client
            .cloudwatch
            .describe_alarms()
            .set_next_token(token)
            .send()
            .await?;
        objects.extend(
            out.metric_alarms()
                .iter()
                .filter_map(|a| a.alarm_name())
                .map(|name| {
                    let mut listed = object(name, Some(name), Vec::new());
                    if let Value::Map(fields) = &mut listed {
                        fields.insert("alarm_name".into(), Value::from(name));
                    }
                    listed
                }),
        );
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(objects);
        }
    }
}
