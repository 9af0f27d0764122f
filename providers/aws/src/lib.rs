//! plinth's AWS provider: VPC networking (VPCs, subnets, internet gateways, route tables and
//! routes, security groups), EC2 instances, key pairs and Elastic IPs, RDS databases, ECS
//! clusters, Route 53 zones and records, SNS topics and CloudWatch alarms, with data sources
//! for regions, zones, images, VPCs, subnets and the caller, through the AWS SDK for Rust.
//!
//! Resource and attribute names, defaults and import ids follow the Terraform AWS provider
//! (hashicorp/aws v5), so existing configurations run unchanged. The provider is a
//! [`plinth_sdk::Registry`] of resource types over one [`Client`] (an SDK client per service
//! sharing region, credentials, endpoints and the SDK's retry of throttled calls). Every
//! taggable object is tagged in its create call with the engine's intent token, so an
//! interrupted create is adopted, not repeated; refresh reads a whole type with one Describe call
//! per 200 objects. `docs/providers/aws.md` lists every resource and attribute.

mod attrs;
mod batch;
mod client;
mod config;
mod data;
mod data_network;
mod error;
mod list;
mod resources;
mod tags;

use std::sync::Arc;

use plinth_sdk::{FnFactory, Provider, ProviderFactory, Registry};

pub use batch::ONE_BY_ONE;
pub use client::{CallCounter, Client};
pub use tags::{ADDRESS_KEY, INTENT_KEY};

/// The provider's name, as resource types and `required_providers` use it.
pub const NAME: &str = "aws";

/// A new, unconfigured AWS provider whose API calls are counted in `calls`.
pub fn provider_counting(calls: CallCounter) -> Registry<Client> {
    use resources::*;
    Registry::new(NAME, config::ProviderConfig { calls })
        .resource(vpc::Vpc)
        .resource(subnet::Subnet)
        .resource(internet_gateway::InternetGatewayResource)
        .resource(route_table::RouteTable)
        .resource(route_table::Route)
        .resource(route_table_association::Association)
        .resource(security_group::SecurityGroup)
        .resource(security_group_rule::Rule(
            security_group_rule::Direction::Ingress,
        ))
        .resource(security_group_rule::Rule(
            security_group_rule::Direction::Egress,
        ))
        .resource(key_pair::KeyPair)
        .resource(instance::InstanceResource)
        .resource(eip::Eip)
        .resource(eip::EipAssociation)
        .resource(db_groups::DbSubnetGroupResource)
        .resource(db_groups::DbParameterGroupResource)
        .resource(db_instance::DbInstanceResource)
        .resource(ecs_cluster::EcsCluster)
        .resource(ecs_cluster::CapacityProviders)
        .resource(route53::Zone)
        .resource(route53::Record)
        .resource(sns::Topic)
        .resource(sns::Subscription)
        .resource(metric_alarm::MetricAlarmResource)
        .data_source(data::Region)
        .data_source(data::CallerIdentity)
        .data_source(data::AvailabilityZones)
        .data_source(data::Ami)
        .data_source(data_network::Vpc)
        .data_source(data_network::Subnets)
}

/// A new, unconfigured AWS provider.
pub fn provider() -> Registry<Client> {
    provider_counting(CallCounter::default())
}

fn make() -> Box<dyn Provider> {
    Box::new(provider())
}

/// The factory the engine makes AWS provider instances with.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new(NAME, make))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_has_an_id_and_every_taggable_one_is_crash_safe() {
        let provider = factory().make();
        assert_eq!(provider.name(), "aws");
        let schema = provider.schema();
        for (name, resource) in &schema.resources {
            assert!(resource.attributes.contains_key("id"), "{name} has no id");
            if resource.attributes.contains_key("tags_all") {
                assert_eq!(
                    resource.crash_safety,
                    plinth_sdk::CrashSafety::Tagged,
                    "{name}"
                );
            }
        }
    }
}
