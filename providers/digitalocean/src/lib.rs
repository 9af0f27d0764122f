//! plinth's DigitalOcean provider: Droplets, VPCs, SSH keys, firewalls, volumes, managed
//! databases, DNS, reserved IPs, tags and load balancers through the DigitalOcean API v2.
//!
//! Resource and attribute names, defaults and import ids follow the Terraform DigitalOcean
//! provider (digitalocean/digitalocean v2), so existing configurations run unchanged. The
//! provider is a [`plinth_sdk::Registry`] of resource types over one [`client::Client`]: every
//! call is retried as DigitalOcean asks (429 after `Retry-After`, 5xx with backoff), lists are
//! read 200 a page, asynchronous work is waited for with the SDK's waiters, refresh reads each
//! type through its list endpoint, and creates are crash safe (intent tags on Droplets, volumes
//! and databases; identifying fields for the rest). The types DigitalOcean can list answer
//! `list`, for `plinth drift -unmanaged`. `docs/providers/digitalocean.md` lists every resource
//! and attribute.

mod attrs;
pub mod client;
mod config;
mod data;
mod intent;
mod list;
mod read;
mod resources;

use std::sync::Arc;

use plinth_sdk::{FnFactory, Provider, ProviderFactory, Registry};

pub use client::{Client, Polling};
pub use config::{configure, ENDPOINT_VARIABLE, TOKEN_VARIABLES};
pub use intent::PREFIX as INTENT_TAG_PREFIX;

/// The provider's name, as resource types and `required_providers` use it.
pub const NAME: &str = "digitalocean";

/// A new, unconfigured DigitalOcean provider.
pub fn provider() -> Registry<Client> {
    use resources::*;
    Registry::new(NAME, config::ProviderConfig)
        .resource(ssh_key::SshKey)
        .resource(vpc::Vpc)
        .resource(droplet::Droplet)
        .resource(firewall::Firewall)
        .resource(volume::Volume)
        .resource(volume_attachment::VolumeAttachment)
        .resource(database_cluster::DatabaseCluster)
        .resource(database_firewall::DatabaseFirewall)
        .resource(domain::Domain)
        .resource(record::Record)
        .resource(reserved_ip::ReservedIp)
        .resource(reserved_ip_assignment::ReservedIpAssignment)
        .resource(tag::Tag)
        .resource(loadbalancer::LoadBalancer)
        .data_source(data::droplets::DropletData)
        .data_source(data::droplets::DropletsData)
        .data_source(data::account::SshKeyData)
        .data_source(data::account::VpcData)
        .data_source(data::catalogue::ImageData)
        .data_source(data::catalogue::RegionData)
        .data_source(data::catalogue::SizesData)
}

fn make() -> Box<dyn Provider> {
    Box::new(provider())
}

/// The factory the engine makes DigitalOcean provider instances with.
pub fn factory() -> Arc<dyn ProviderFactory> {
    Arc::new(FnFactory::new(NAME, make))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_is_named_digitalocean_and_offers_the_terraform_types() {
        let provider = factory().make();
        assert_eq!(provider.name(), "digitalocean");
        let schema = provider.schema();
        let resources: Vec<&str> = schema.resources.keys().map(String::as_str).collect();
        assert_eq!(
            resources,
            [
                "digitalocean_database_cluster",
                "digitalocean_database_firewall",
                "digitalocean_domain",
                "digitalocean_droplet",
                "digitalocean_firewall",
                "digitalocean_loadbalancer",
                "digitalocean_record",
                "digitalocean_reserved_ip",
                "digitalocean_reserved_ip_assignment",
                "digitalocean_ssh_key",
                "digitalocean_tag",
                "digitalocean_volume",
                "digitalocean_volume_attachment",
                "digitalocean_vpc",
            ]
        );
        let data: Vec<&str> = schema.data_sources.keys().map(String::as_str).collect();
        assert_eq!(
            data,
            [
                "digitalocean_droplet",
                "digitalocean_droplets",
                "digitalocean_image",
                "digitalocean_region",
                "digitalocean_sizes",
                "digitalocean_ssh_key",
                "digitalocean_vpc",
            ]
        );
        for (name, resource) in &schema.resources {
            assert!(resource.attributes.contains_key("id"), "{name} has no id");
        }
        // A region-only reserved IP has nothing to be found by after a crash.
        let not_crash_safe: Vec<&str> = schema
            .resources
            .iter()
            .filter(|(_, r)| r.crash_safety == plinth_sdk::CrashSafety::NotCrashSafe)
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(not_crash_safe, ["digitalocean_reserved_ip"]);
    }
}
