//! plinth's DigitalOcean provider: Droplets, VPCs, SSH keys, firewalls, volumes, managed
//! databases, DNS, reserved IPs, tags and load balancers through the DigitalOcean API v2.
//!
//! Resource and attribute names, defaults and import ids follow the Terraform DigitalOcean
//! provider (digitalocean/digitalocean v2), so existing configurations run unchanged. The
//! provider is a [`plinth_sdk::Registry`] of resource types over one [`client::Client`]: every
//! call is retried as DigitalOcean asks (429 after `Retry-After`, 5xx with backoff), lists are
//! read 200 a page, asynchronous work is waited for with the SDK's waiters, refresh reads each
//! type through its list endpoint, and creates are crash safe (intent tags on Droplets, volumes
//! and databases; identifying fields for the rest). `docs/providers/digitalocean.md` lists every
//! resource and attribute.

mod attrs;
pub mod client;
mod config;
mod data;
mod intent;
mod read;
mod resources;

use plinth_sdk::{FnFactory, Provider, Registry};

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

/// Makes unconfigured DigitalOcean providers (the engine's list of built-in factories).
pub const FACTORY: FnFactory = FnFactory::new(NAME, make);

fn make() -> Box<dyn Provider> {
    Box::new(provider())
}
