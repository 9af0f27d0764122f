//! `digitalocean_droplet` (one Droplet by `id`, `name` or `tag`) and `digitalocean_droplets`
//! (every Droplet, filtered and sorted), answering with the attributes of the Droplet resource.

use std::collections::BTreeMap;

use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Context, DataSource, Diagnostic, ObjectAttr, ReadDataResponse, Resource, Schema,
    Type, Value,
};
use serde_json::Value as Json;

use super::{exactly_one, failed, filter, found};
use crate::attrs;
use crate::client::{take, Client};
use crate::resources::droplet;

/// The attributes a Droplet is described by, with their types.
const ATTRIBUTES: &[(&str, ScalarKind)] = &[
    ("id", ScalarKind::String),
    ("urn", ScalarKind::String),
    ("name", ScalarKind::String),
    ("region", ScalarKind::String),
    ("image", ScalarKind::String),
    ("size", ScalarKind::String),
    ("disk", ScalarKind::Number),
    ("vcpus", ScalarKind::Number),
    ("memory", ScalarKind::Number),
    ("price_hourly", ScalarKind::Number),
    ("price_monthly", ScalarKind::Number),
    ("status", ScalarKind::String),
    ("locked", ScalarKind::Bool),
    ("created_at", ScalarKind::String),
    ("ipv4_address", ScalarKind::String),
    ("ipv4_address_private", ScalarKind::String),
    ("ipv6", ScalarKind::Bool),
    ("ipv6_address", ScalarKind::String),
    ("backups", ScalarKind::Bool),
    ("monitoring", ScalarKind::Bool),
    ("private_networking", ScalarKind::Bool),
    ("vpc_uuid", ScalarKind::String),
    ("tags", ScalarKind::Strings),
    ("volume_ids", ScalarKind::Strings),
];

#[derive(Clone, Copy)]
enum ScalarKind {
    String,
    Number,
    Bool,
    Strings,
}

impl ScalarKind {
    fn ty(self) -> Type {
        match self {
            ScalarKind::String => Type::String,
            ScalarKind::Number => Type::Number,
            ScalarKind::Bool => Type::Bool,
            ScalarKind::Strings => Type::set(Type::String),
        }
    }
}

/// One Droplet as the data sources describe it: exactly [`ATTRIBUTES`].
fn describe(json: &Json) -> Value {
    let full = droplet::state(json, &Value::object::<&str>([]));
    Value::object(ATTRIBUTES.iter().map(|(name, kind)| {
        let value = full.get(name).cloned().unwrap_or(Value::Null);
        let value = match (kind, value) {
            (ScalarKind::Strings, Value::Null) => Value::set(Vec::new()),
            (_, v) => v,
        };
        (*name, value)
    }))
}

/// `digitalocean_droplet`.
pub struct DropletData;

#[async_trait]
impl DataSource<Client> for DropletData {
    fn type_name(&self) -> &str {
        "digitalocean_droplet"
    }

    fn schema(&self) -> Schema {
        // The resource's meanings, read-only here.
        let resource = droplet::Droplet.schema();
        let mut schema = Schema::new();
        for (name, kind) in ATTRIBUTES {
            let meaning = resource
                .attributes
                .get(*name)
                .map(|a| a.description.clone())
                .unwrap_or_default();
            schema = schema.attr(name, Attribute::computed(kind.ty()).describe(meaning));
        }
        schema
            .attr(
                "id",
                Attribute::optional_computed(Type::String).describe("The Droplet's id."),
            )
            .attr(
                "name",
                Attribute::optional_computed(Type::String).describe("The Droplet's name."),
            )
            .attr(
                "tag",
                Attribute::optional(Type::String).describe("A tag exactly one Droplet carries."),
            )
            .describe("One Droplet, by id, name or tag.")
    }

    async fn read(&self, client: &Client, ctx: &Context, config: Value) -> ReadDataResponse {
        let id = attrs::string(&config, "id");
        let name = attrs::string(&config, "name");
        let tag = attrs::string(&config, "tag");
        let what = "reading the Droplet";
        let found_json = match (id, name, tag) {
            (Some(id), None, None) => {
                let path = format!("/v2/droplets/{}", crate::client::segment(id));
                client
                    .get(ctx, &path)
                    .await
                    .and_then(|a| take(a, "droplet", "GET", &path))
                    .map_err(|e| e.diagnostic(what).into())
            }
            (None, Some(name), None) => match client
                .list_all(ctx, "/v2/droplets", &[("name", name)], "droplets")
                .await
            {
                Ok(all) => exactly_one(all, &format!("Droplet named {name:?}")),
                Err(e) => Err(e.diagnostic(what).into()),
            },
            (None, None, Some(tag)) => match client
                .list_all(ctx, "/v2/droplets", &[("tag_name", tag)], "droplets")
                .await
            {
                Ok(all) => exactly_one(all, &format!("Droplet tagged {tag:?}")),
                Err(e) => Err(e.diagnostic(what).into()),
            },
            _ => Err(Diagnostic::error(
                "digitalocean_droplet needs exactly one of id, name and tag",
            )
            .into()),
        };
        match found_json {
            Ok(json) => {
                let mut state = describe(&json);
                if let Value::Map(map) = &mut state {
                    map.insert("tag".into(), tag.map_or(Value::Null, Value::from));
                }
                found(state)
            }
            Err(d) => failed(d),
        }
    }
}

/// `digitalocean_droplets`.
pub struct DropletsData;

#[async_trait]
impl DataSource<Client> for DropletsData {
    fn type_name(&self) -> &str {
        "digitalocean_droplets"
    }

    fn schema(&self) -> Schema {
        let object: BTreeMap<String, ObjectAttr> = ATTRIBUTES
            .iter()
            .map(|(name, kind)| {
                (
                    name.to_string(),
                    ObjectAttr {
                        ty: kind.ty(),
                        optional: false,
                        default: None,
                    },
                )
            })
            .collect();
        let keys: Vec<&str> = ATTRIBUTES.iter().map(|(name, _)| *name).collect();
        filter::blocks(Schema::new(), &keys)
            .attr(
                "id",
                Attribute::computed(Type::String).describe("Always `droplets`."),
            )
            .attr(
                "droplets",
                Attribute::computed(Type::list(Type::Object(object)))
                    .describe("The Droplets found."),
            )
            .describe("Droplets, filtered and sorted.")
    }

    async fn read(&self, client: &Client, ctx: &Context, config: Value) -> ReadDataResponse {
        let all = match client.list_all(ctx, "/v2/droplets", &[], "droplets").await {
            Ok(all) => all,
            Err(e) => return failed(e.diagnostic("listing Droplets")),
        };
        match filter::apply(&config, all.iter().map(describe).collect()) {
            Ok(kept) => {
                let mut state = config.as_map().cloned().unwrap_or_default();
                state.insert("id".into(), Value::from("droplets"));
                state.insert("droplets".into(), Value::List(kept));
                found(Value::Map(state))
            }
            Err(d) => ReadDataResponse {
                diagnostics: d,
                ..ReadDataResponse::default()
            },
        }
    }
}
