//! `digitalocean_droplet`: a Droplet. Created with plinth's intent tag in the create request and
//! waited for until `active` (its addresses show then); a size change resizes it in place
//! (powered off, resized with or without its disk as `resize_disk` says, powered on again), and
//! a new name, backups, IPv6, tags and volumes change in place through actions. Imported by id.

mod render;
mod update;

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, Diagnostic, ListResponse, ObjectResponse, PlanRequest, PlanResponse,
    ReadManyResponse, Resource, Schema, Type, UpdateRequest, Value,
};
use serde_json::{json, Map, Value as Json};

use crate::attrs;
use crate::client::{take, Client, Error};
use crate::intent;
use crate::list;
use crate::read::{read_listed, Listing};
use crate::resources::{delete_intent_tags, id, id_json, timeouts, wait_gone};

pub use render::state;

/// The resource type.
pub struct Droplet;

const TYPE: &str = "digitalocean_droplet";

fn listing() -> Listing<'static> {
    Listing {
        path: "/v2/droplets",
        query: &[],
        key: "droplets",
        item_key: "droplet",
        paginated: true,
        what: "reading Droplets",
    }
}

/// The attributes a Droplet has, shared with the Droplet data sources.
pub fn computed_attributes(schema: Schema) -> Schema {
    let computed = |ty: Type, text: &str| Attribute::computed(ty).describe(text);
    schema
        .attr("id", computed(Type::String, "The Droplet's id."))
        .attr(
            "urn",
            computed(Type::String, "The Droplet's uniform resource name."),
        )
        .attr(
            "status",
            computed(Type::String, "new, active, off or archive."),
        )
        .attr(
            "locked",
            computed(Type::Bool, "Whether an action is running on it."),
        )
        .attr("created_at", computed(Type::String, "When it was created."))
        .attr("disk", computed(Type::Number, "Its disk in GB."))
        .attr("vcpus", computed(Type::Number, "Its virtual CPUs."))
        .attr("memory", computed(Type::Number, "Its memory in MB."))
        .attr(
            "price_hourly",
            computed(Type::Number, "Its hourly price in USD."),
        )
        .attr(
            "price_monthly",
            computed(Type::Number, "Its monthly price in USD."),
        )
        .attr(
            "ipv4_address",
            computed(Type::String, "Its public IPv4 address."),
        )
        .attr(
            "ipv4_address_private",
            computed(Type::String, "Its private IPv4 address in its VPC."),
        )
        .attr(
            "ipv6_address",
            computed(Type::String, "Its public IPv6 address."),
        )
}

#[async_trait]
impl Resource<Client> for Droplet {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        let optional = |ty: Type, text: &str| Attribute::optional(ty).describe(text);
        computed_attributes(Schema::new().typical_create(std::time::Duration::from_secs(60)))
            .attr(
                "name",
                Attribute::required(Type::String).describe("The Droplet's name; changed in place."),
            )
            .attr(
                "image",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The image slug or id."),
            )
            .attr(
                "size",
                Attribute::required(Type::String)
                    .describe("The size slug; a change resizes the Droplet in place."),
            )
            .attr(
                "region",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The region slug."),
            )
            .attr(
                "ssh_keys",
                optional(
                    Type::set(Type::String),
                    "SSH key ids or fingerprints (DigitalOcean never reports them: an import assumes them as configured).",
                )
                .force_new()
                .not_read_back(),
            )
            .attr(
                "user_data",
                optional(
                    Type::String,
                    "Cloud-init user data (DigitalOcean never reports it: an import assumes it as configured).",
                )
                .force_new()
                .not_read_back(),
            )
            .attr(
                "vpc_uuid",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The VPC; the region's default VPC when unset."),
            )
            .attr(
                "backups",
                optional(Type::Bool, "Whether backups are made.").default(false),
            )
            .attr(
                "ipv6",
                optional(
                    Type::Bool,
                    "Whether IPv6 is enabled; turning it off replaces the Droplet.",
                )
                .default(false),
            )
            .attr(
                "monitoring",
                optional(Type::Bool, "Whether the monitoring agent is installed.")
                    .default(false)
                    .force_new(),
            )
            .attr(
                "private_networking",
                Attribute::optional_computed(Type::Bool)
                    .deprecate("VPC networking is always on; leave it out")
                    .describe("Always true: every Droplet is in a VPC."),
            )
            .attr(
                "droplet_agent",
                optional(Type::Bool, "Whether the Droplet agent is installed.").force_new(),
            )
            .attr(
                "resize_disk",
                optional(
                    Type::Bool,
                    "Whether a resize grows the disk too (it cannot shrink back).",
                )
                .default(true),
            )
            .attr(
                "graceful_shutdown",
                optional(
                    Type::Bool,
                    "Shut down (rather than power off) before a resize.",
                )
                .default(false),
            )
            .attr("tags", optional(Type::set(Type::String), "Tag names."))
            .attr(
                "volume_ids",
                Attribute::optional_computed(Type::set(Type::String))
                    .describe("Ids of the volumes attached to the Droplet."),
            )
            .timeouts(timeouts(60, 60, 60))
            .crash_safety(CrashSafety::Tagged)
            .describe("A DigitalOcean Droplet.")
    }

    async fn plan(&self, _client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        let Some(prior) = &request.prior else {
            return PlanResponse::keep(request.proposed);
        };
        update::plan(prior, request.proposed)
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let name = attrs::string(planned, "name")
            .unwrap_or_default()
            .to_string();
        let doing = format!("creating the Droplet {name:?}");
        let body = create_body(planned, &request.intent.token);
        let token = request.intent.token.clone();
        let made = client
            .create(ctx, "/v2/droplets", "droplet", &body, || {
                find_by_intent(client, ctx, &token)
            })
            .await;
        let made = match made {
            Ok(made) => made,
            Err(e) => {
                return ObjectResponse::failed(e.diagnostic_for(
                    &doing,
                    &[
                        "name",
                        "size",
                        "region",
                        "image",
                        "ssh_keys",
                        "tags",
                        "user_data",
                        "vpc_uuid",
                    ],
                ))
            }
        };
        match wait_active(client, ctx, &made).await {
            Ok(active) => ObjectResponse::ok(state(&active, planned)),
            Err((last, e)) => ObjectResponse::partial(state(&last, planned), e.diagnostic(&doing)),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let results = read_listed(
            client,
            ctx,
            &listing(),
            &objects,
            |id| format!("/v2/droplets/{id}"),
            attrs::json_id,
            state,
        )
        .await;
        ReadManyResponse {
            results,
            ..ReadManyResponse::default()
        }
    }

    async fn update(
        &self,
        client: &Client,
        ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        update::apply(client, ctx, &request.prior, &request.planned).await
    }

    async fn delete(
        &self,
        client: &Client,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(diagnostics) => {
                return DeleteResponse {
                    diagnostics,
                    ..DeleteResponse::default()
                }
            }
        };
        let path = format!("/v2/droplets/{id}");
        let doing = format!("deleting the Droplet {id}");
        let existing = match client.get(ctx, &path).await {
            Ok(answer) => take(answer, "droplet", "GET", &path).unwrap_or(Json::Null),
            Err(e) if e.is_not_found() => return DeleteResponse::default(),
            Err(e) => {
                return DeleteResponse {
                    diagnostics: e.diagnostic(&doing).into(),
                    ..DeleteResponse::default()
                }
            }
        };
        let deleted = async {
            client.delete(ctx, &path).await?;
            wait_gone(client, ctx, &path, &doing).await
        };
        match deleted.await {
            Ok(()) => DeleteResponse {
                diagnostics: delete_intent_tags(client, ctx, &existing).await,
                ..DeleteResponse::default()
            },
            Err(e) => DeleteResponse {
                diagnostics: e.diagnostic(&doing).into(),
                ..DeleteResponse::default()
            },
        }
    }

    async fn list(&self, client: &Client, ctx: &Context) -> ListResponse {
        let source = list::Source {
            path: "/v2/droplets",
            key: "droplets",
            paginated: true,
            what: "listing Droplets",
        };
        list::objects(client, ctx, &source, list::all, |json| {
            state(json, &list::nothing())
        })
        .await
    }

    async fn import(&self, client: &Client, ctx: &Context, import_id: &str) -> ObjectResponse {
        let doing = format!("importing the Droplet {import_id:?}");
        if import_id.parse::<u64>().is_err() {
            return ObjectResponse::failed(Diagnostic::error(format!(
                "{doing} failed: a Droplet is imported by its numeric id"
            )));
        }
        let path = format!("/v2/droplets/{import_id}");
        match client
            .get(ctx, &path)
            .await
            .and_then(|a| take(a, "droplet", "GET", &path))
        {
            Ok(json) => ObjectResponse::ok(state(&json, &Value::object::<&str>([]))),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let doing = "looking for a Droplet an interrupted create made";
        let found = match find_by_intent(client, ctx, &request.intent.token).await {
            Ok(found) => found,
            Err(e) => {
                return AdoptResponse {
                    diagnostics: e.diagnostic(doing).into(),
                    ..AdoptResponse::default()
                }
            }
        };
        let Some(made) = found else {
            return AdoptResponse::default();
        };
        // Finish what the interrupted create was doing: wait for the Droplet to be active.
        match wait_active(client, ctx, &made).await {
            Ok(active) => AdoptResponse {
                found: Some(state(&active, &request.planned)),
                ..AdoptResponse::default()
            },
            Err((last, e)) => AdoptResponse {
                found: Some(state(&last, &request.planned)),
                diagnostics: Diagnostic::warning(format!("adopted the Droplet, but: {e}")).into(),
            },
        }
    }
}

/// The body of `POST /v2/droplets`, carrying the intent tag.
fn create_body(planned: &Value, token: &str) -> Json {
    let mut body = Map::new();
    body.insert("name".into(), json!(attrs::string(planned, "name")));
    body.insert("size".into(), json!(attrs::string(planned, "size")));
    body.insert(
        "image".into(),
        attrs::string(planned, "image").map_or(Json::Null, id_json),
    );
    if let Some(region) = attrs::string(planned, "region") {
        body.insert("region".into(), json!(region));
    }
    let keys: Vec<Json> = attrs::strings(planned, "ssh_keys")
        .iter()
        .map(|k| id_json(k))
        .collect();
    body.insert("ssh_keys".into(), Json::Array(keys));
    body.insert(
        "backups".into(),
        json!(attrs::boolean(planned, "backups", false)),
    );
    body.insert("ipv6".into(), json!(attrs::boolean(planned, "ipv6", false)));
    body.insert(
        "monitoring".into(),
        json!(attrs::boolean(planned, "monitoring", false)),
    );
    let mut tags = attrs::strings(planned, "tags");
    tags.push(intent::tag(token));
    body.insert("tags".into(), json!(tags));
    if let Some(user_data) = attrs::string(planned, "user_data") {
        body.insert("user_data".into(), json!(user_data));
    }
    if let Some(vpc) = attrs::string(planned, "vpc_uuid") {
        body.insert("vpc_uuid".into(), json!(vpc));
    }
    let volumes = attrs::strings(planned, "volume_ids");
    if !volumes.is_empty() {
        body.insert("volumes".into(), json!(volumes));
    }
    if let Some(agent) = planned.get("droplet_agent").and_then(Value::as_bool) {
        body.insert("with_droplet_agent".into(), json!(agent));
    }
    Json::Object(body)
}

/// The Droplet carrying the intent tag of `token`, if one exists.
async fn find_by_intent(
    client: &Client,
    ctx: &Context,
    token: &str,
) -> Result<Option<Json>, Error> {
    let tag = intent::tag(token);
    let found = client
        .list_all(ctx, "/v2/droplets", &[("tag_name", &tag)], "droplets")
        .await?;
    Ok(found.into_iter().next())
}

/// Waits for a new Droplet to be `active`. On failure, the last state seen and why.
async fn wait_active(client: &Client, ctx: &Context, made: &Json) -> Result<Json, (Json, Error)> {
    if made.get("status").and_then(Json::as_str) == Some("active") {
        return Ok(made.clone());
    }
    let Some(id) = attrs::json_id(made) else {
        return Err((
            made.clone(),
            Error::Decode {
                method: "POST".into(),
                path: "/v2/droplets".into(),
                detail: "the new Droplet has no id".into(),
            },
        ));
    };
    let path = format!("/v2/droplets/{id}");
    let what = format!("waiting for the Droplet {id} to become active");
    match client
        .wait_status(ctx, &path, "droplet", "active", &what)
        .await
    {
        Ok(active) => Ok(active),
        Err(e) => {
            let last = client
                .get(ctx, &path)
                .await
                .and_then(|a| take(a, "droplet", "GET", &path))
                .unwrap_or_else(|_| made.clone());
            Err((last, e))
        }
    }
}
