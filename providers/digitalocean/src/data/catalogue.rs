//! The catalogue: `digitalocean_image` (by id, slug or name), `digitalocean_region` (by slug)
//! and `digitalocean_sizes` (every Droplet size, filtered and sorted).

use std::collections::BTreeMap;

use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Context, DataSource, Diagnostic, ObjectAttr, ReadDataResponse, Schema, Type,
    Validator, Value,
};
use serde_json::Value as Json;

use super::{exactly_one, failed, filter, found};
use crate::attrs::{self, State};
use crate::client::{segment, take, Client};

/// `digitalocean_image`.
pub struct ImageData;

fn image_state(json: &Json, config: &Value) -> Value {
    let mut state = State::from(config);
    let id = attrs::json_id(json).unwrap_or_default();
    state
        .set("id", id.as_str())
        .set("image", id.as_str())
        .set("name", attrs::json_string(json, "name"))
        .set("slug", attrs::json_string(json, "slug"))
        .set("type", attrs::json_string(json, "type"))
        .set("distribution", attrs::json_string(json, "distribution"))
        .set("public", attrs::json_bool(json, "public"))
        .set(
            "private",
            !json.get("public").and_then(Json::as_bool).unwrap_or(false),
        )
        .set("regions", attrs::json_string_set(json, "regions"))
        .set("min_disk_size", attrs::json_number(json, "min_disk_size"))
        .set("size_gigabytes", attrs::json_number(json, "size_gigabytes"))
        .set("description", attrs::json_string(json, "description"))
        .set("tags", attrs::json_string_set(json, "tags"))
        .set("status", attrs::json_string(json, "status"))
        .set("error_message", attrs::json_string(json, "error_message"))
        .set("created", attrs::json_string(json, "created_at"));
    state.build()
}

#[async_trait]
impl DataSource<Client> for ImageData {
    fn type_name(&self) -> &str {
        "digitalocean_image"
    }

    fn schema(&self) -> Schema {
        let computed = |ty: Type, meaning: &str| Attribute::computed(ty).describe(meaning);
        Schema::new()
            .attr("id", Attribute::optional_computed(Type::String).describe("The image's id."))
            .attr("slug", Attribute::optional_computed(Type::String).describe("The image's slug."))
            .attr("name", Attribute::optional_computed(Type::String).describe("The image's name."))
            .attr(
                "source",
                Attribute::optional(Type::String)
                    .validate(Validator::OneOf(
                        ["all", "user", "distribution", "application"].map(String::from).to_vec(),
                    ))
                    .describe("Where a name is looked up: user (the default), distribution, application or all."),
            )
            .attr("image", computed(Type::String, "The image's id, as `image` arguments take it."))
            .attr("type", computed(Type::String, "base, snapshot, backup, custom or admin."))
            .attr("distribution", computed(Type::String, "The distribution (Ubuntu, Debian, ...)."))
            .attr("public", computed(Type::Bool, "Whether everyone can use it."))
            .attr("private", computed(Type::Bool, "Whether it is the account's own."))
            .attr("regions", computed(Type::set(Type::String), "Where it is available."))
            .attr("min_disk_size", computed(Type::Number, "The smallest disk it needs, in GB."))
            .attr("size_gigabytes", computed(Type::Number, "Its size in GB."))
            .attr("description", computed(Type::String, "A description."))
            .attr("tags", computed(Type::set(Type::String), "Its tags."))
            .attr("status", computed(Type::String, "available, pending, ..."))
            .attr("error_message", computed(Type::String, "Why it is not available, if it is not."))
            .attr("created", computed(Type::String, "When it was made."))
            .describe("An image, by id, slug or name.")
    }

    async fn read(&self, client: &Client, ctx: &Context, config: Value) -> ReadDataResponse {
        let what = "reading the image";
        let chosen = match (
            attrs::string(&config, "id"),
            attrs::string(&config, "slug"),
            attrs::string(&config, "name"),
        ) {
            (Some(key), None, None) | (None, Some(key), None) => {
                let path = format!("/v2/images/{}", segment(key));
                client
                    .get(ctx, &path)
                    .await
                    .and_then(|a| take(a, "image", "GET", &path))
                    .map_err(|e| e.diagnostic(what).into())
            }
            (None, None, Some(name)) => {
                let source = attrs::string(&config, "source").unwrap_or("user");
                let query: &[(&str, &str)] = match source {
                    "user" => &[("private", "true")],
                    "distribution" => &[("type", "distribution")],
                    "application" => &[("type", "application")],
                    _ => &[],
                };
                match client.list_all(ctx, "/v2/images", query, "images").await {
                    Ok(all) => exactly_one(
                        all.into_iter()
                            .filter(|i| i.get("name").and_then(Json::as_str) == Some(name))
                            .collect(),
                        &format!("{source} image named {name:?}"),
                    ),
                    Err(e) => Err(e.diagnostic(what).into()),
                }
            }
            _ => Err(Diagnostic::error(
                "digitalocean_image needs exactly one of id, slug and name",
            )
            .into()),
        };
        match chosen {
            Ok(json) => found(image_state(&json, &config)),
            Err(d) => failed(d),
        }
    }
}

/// `digitalocean_region`.
pub struct RegionData;

#[async_trait]
impl DataSource<Client> for RegionData {
    fn type_name(&self) -> &str {
        "digitalocean_region"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "slug",
                Attribute::required(Type::String).describe("The region's slug."),
            )
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The region's slug."),
            )
            .attr(
                "name",
                Attribute::computed(Type::String).describe("The region's name."),
            )
            .attr(
                "sizes",
                Attribute::computed(Type::set(Type::String)).describe("Sizes available there."),
            )
            .attr(
                "features",
                Attribute::computed(Type::set(Type::String)).describe("Features offered there."),
            )
            .attr(
                "available",
                Attribute::computed(Type::Bool).describe("Whether new objects can be made there."),
            )
            .describe("A region, by slug.")
    }

    async fn read(&self, client: &Client, ctx: &Context, config: Value) -> ReadDataResponse {
        let slug = attrs::string(&config, "slug").unwrap_or_default();
        let regions = match client.list_all(ctx, "/v2/regions", &[], "regions").await {
            Ok(regions) => regions,
            Err(e) => return failed(e.diagnostic("listing regions")),
        };
        let matching: Vec<Json> = regions
            .into_iter()
            .filter(|r| r.get("slug").and_then(Json::as_str) == Some(slug))
            .collect();
        match exactly_one(matching, &format!("region {slug:?}")) {
            Ok(region) => {
                let mut state = State::from(&config);
                state
                    .set("id", slug)
                    .set("name", attrs::json_string(&region, "name"))
                    .set("sizes", attrs::json_string_set(&region, "sizes"))
                    .set("features", attrs::json_string_set(&region, "features"))
                    .set("available", attrs::json_bool(&region, "available"));
                found(state.build())
            }
            Err(d) => failed(d),
        }
    }
}

/// `digitalocean_sizes`.
pub struct SizesData;

const SIZE_ATTRIBUTES: &[(&str, bool)] = &[
    ("slug", false),
    ("memory", true),
    ("vcpus", true),
    ("disk", true),
    ("transfer", true),
    ("price_monthly", true),
    ("price_hourly", true),
];

fn describe_size(json: &Json) -> Value {
    let mut pairs: Vec<(&str, Value)> = SIZE_ATTRIBUTES
        .iter()
        .map(|(name, numeric)| {
            (
                *name,
                if *numeric {
                    attrs::json_number(json, name)
                } else {
                    attrs::json_string(json, name)
                },
            )
        })
        .collect();
    pairs.push(("available", attrs::json_bool(json, "available")));
    pairs.push(("regions", attrs::json_string_set(json, "regions")));
    Value::object(pairs)
}

#[async_trait]
impl DataSource<Client> for SizesData {
    fn type_name(&self) -> &str {
        "digitalocean_sizes"
    }

    fn schema(&self) -> Schema {
        let mut object: BTreeMap<String, ObjectAttr> = SIZE_ATTRIBUTES
            .iter()
            .map(|(name, numeric)| {
                let ty = if *numeric { Type::Number } else { Type::String };
                (
                    name.to_string(),
                    ObjectAttr {
                        ty,
                        optional: false,
                        default: None,
                    },
                )
            })
            .collect();
        object.insert(
            "available".into(),
            ObjectAttr {
                ty: Type::Bool,
                optional: false,
                default: None,
            },
        );
        object.insert(
            "regions".into(),
            ObjectAttr {
                ty: Type::set(Type::String),
                optional: false,
                default: None,
            },
        );
        let mut keys: Vec<&str> = SIZE_ATTRIBUTES.iter().map(|(k, _)| *k).collect();
        keys.extend(["available", "regions"]);
        filter::blocks(Schema::new(), &keys)
            .attr(
                "id",
                Attribute::computed(Type::String).describe("Always `sizes`."),
            )
            .attr(
                "sizes",
                Attribute::computed(Type::list(Type::Object(object))).describe("The sizes found."),
            )
            .describe("Droplet sizes, filtered and sorted.")
    }

    async fn read(&self, client: &Client, ctx: &Context, config: Value) -> ReadDataResponse {
        let sizes = match client.list_all(ctx, "/v2/sizes", &[], "sizes").await {
            Ok(sizes) => sizes,
            Err(e) => return failed(e.diagnostic("listing sizes")),
        };
        match filter::apply(&config, sizes.iter().map(describe_size).collect()) {
            Ok(kept) => {
                let mut state = config.as_map().cloned().unwrap_or_default();
                state.insert("id".into(), Value::from("sizes"));
                state.insert("sizes".into(), Value::List(kept));
                found(Value::Map(state))
            }
            Err(d) => ReadDataResponse {
                diagnostics: d,
                ..ReadDataResponse::default()
            },
        }
    }
}
