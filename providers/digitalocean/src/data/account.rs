//! `digitalocean_ssh_key` (a key on the account by name) and `digitalocean_vpc` (a VPC by id,
//! by name, or the default VPC of a region).

use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Context, DataSource, Diagnostic, ReadDataResponse, Schema, Type, Value,
};
use serde_json::Value as Json;

use super::{exactly_one, failed, found};
use crate::attrs;
use crate::client::{segment, take, Client};
use crate::resources::{ssh_key, vpc};

/// `digitalocean_ssh_key`.
pub struct SshKeyData;

#[async_trait]
impl DataSource<Client> for SshKeyData {
    fn type_name(&self) -> &str {
        "digitalocean_ssh_key"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "name",
                Attribute::required(Type::String).describe("The key's name."),
            )
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The key's id."),
            )
            .attr(
                "public_key",
                Attribute::computed(Type::String).describe("The public key."),
            )
            .attr(
                "fingerprint",
                Attribute::computed(Type::String).describe("Its MD5 fingerprint."),
            )
            .describe("An SSH key on the account, by name.")
    }

    async fn read(&self, client: &Client, ctx: &Context, config: Value) -> ReadDataResponse {
        let name = attrs::string(&config, "name").unwrap_or_default();
        let keys = match client
            .list_all(ctx, "/v2/account/keys", &[], "ssh_keys")
            .await
        {
            Ok(keys) => keys,
            Err(e) => return failed(e.diagnostic("listing SSH keys")),
        };
        let named: Vec<Json> = keys
            .into_iter()
            .filter(|k| k.get("name").and_then(Json::as_str) == Some(name))
            .collect();
        match exactly_one(named, &format!("SSH key named {name:?}")) {
            Ok(key) => found(ssh_key::state(&key, &config)),
            Err(d) => failed(d),
        }
    }
}

/// `digitalocean_vpc`.
pub struct VpcData;

#[async_trait]
impl DataSource<Client> for VpcData {
    fn type_name(&self) -> &str {
        "digitalocean_vpc"
    }

    fn schema(&self) -> Schema {
        vpc::computed_attributes(Schema::new())
            .attr(
                "id",
                Attribute::optional_computed(Type::String).describe("The VPC's id."),
            )
            .attr(
                "name",
                Attribute::optional_computed(Type::String).describe("The VPC's name."),
            )
            .attr(
                "region",
                Attribute::optional_computed(Type::String).describe("A region: its default VPC."),
            )
            .attr(
                "description",
                Attribute::computed(Type::String).describe("A description."),
            )
            .attr(
                "ip_range",
                Attribute::computed(Type::String).describe("Its private range (CIDR)."),
            )
            .describe("A VPC, by id, by name, or the default VPC of a region.")
    }

    async fn read(&self, client: &Client, ctx: &Context, config: Value) -> ReadDataResponse {
        let what = "reading the VPC";
        let chosen = match (
            attrs::string(&config, "id"),
            attrs::string(&config, "name"),
            attrs::string(&config, "region"),
        ) {
            (Some(id), None, None) => {
                let path = format!("/v2/vpcs/{}", segment(id));
                client
                    .get(ctx, &path)
                    .await
                    .and_then(|a| take(a, "vpc", "GET", &path))
                    .map_err(|e| e.diagnostic(what).into())
            }
            (None, name, region) if name.is_some() || region.is_some() => {
                match client.list_all(ctx, "/v2/vpcs", &[], "vpcs").await {
                    Ok(all) => {
                        let text =
                            |v: &Json, k: &str| v.get(k).and_then(Json::as_str).map(str::to_string);
                        let matches: Vec<Json> = all
                            .into_iter()
                            .filter(|v| match name {
                                Some(name) => text(v, "name").as_deref() == Some(name),
                                None => v.get("default").and_then(Json::as_bool) == Some(true),
                            })
                            .filter(|v| {
                                region.is_none_or(|r| text(v, "region").as_deref() == Some(r))
                            })
                            .collect();
                        let described = match (name, region) {
                            (Some(name), _) => format!("VPC named {name:?}"),
                            (None, Some(region)) => format!("default VPC in {region}"),
                            (None, None) => "VPC".to_string(),
                        };
                        exactly_one(matches, &described)
                    }
                    Err(e) => Err(e.diagnostic(what).into()),
                }
            }
            _ => Err(Diagnostic::error(
                "digitalocean_vpc needs id, or name, or region (for its default VPC)",
            )
            .into()),
        };
        match chosen {
            Ok(json) => found(vpc::state(&json, &config)),
            Err(d) => failed(d),
        }
    }
}
