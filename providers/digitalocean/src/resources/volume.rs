//! `digitalocean_volume`: a block storage volume. Created with plinth's intent tag, which
//! `adopt` looks for among the volumes of that name and region (DigitalOcean's volume list has
//! no tag filter). It grows in place through a `resize` action (shrinking replaces it) and its
//! tags change through `/v2/tags`. A delete refused because the volume is still attached (a
//! Droplet being deleted) is retried until the deadline. Imported by id.

use async_trait::async_trait;
use plinth_sdk::wait::Poll;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, AttrPath, Attribute, Context, CrashSafety, CreateRequest,
    DeleteRequest, DeleteResponse, ListResponse, ObjectResponse, PlanRequest, PlanResponse,
    ReadManyResponse, Resource, Schema, Type, UpdateRequest, Value,
};
use serde_json::{json, Map, Value as Json};

use crate::attrs::{self, State};
use crate::client::{segment, take, Client, Error};
use crate::intent;
use crate::list;
use crate::read::{read_listed, Listing};
use crate::resources::{delete_intent_tags, id, retag, timeouts, update_failed};

/// The resource type.
pub struct Volume;

const TYPE: &str = "digitalocean_volume";

/// The state of a volume.
pub fn state(json: &Json, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let id = attrs::json_id(json).unwrap_or_default();
    state
        .set("id", id.as_str())
        .set("urn", format!("do:volume:{id}"))
        .set("name", attrs::json_string(json, "name"))
        .set("size", attrs::json_number(json, "size_gigabytes"))
        .set(
            "region",
            json.pointer("/region/slug")
                .and_then(Json::as_str)
                .map_or(Value::Null, Value::from),
        )
        .set("description", attrs::json_string(json, "description"))
        .set("droplet_ids", attrs::json_number_set(json, "droplet_ids"))
        .set(
            "filesystem_type",
            attrs::json_string(json, "filesystem_type"),
        )
        .set(
            "filesystem_label",
            attrs::json_string(json, "filesystem_label"),
        )
        .set_collection("tags", attrs::string_set(intent::user_tags(json)));
    if attrs::string(prior, "description").is_none()
        && json.get("description").and_then(Json::as_str) == Some("")
    {
        state.set("description", Value::Null);
    }
    state.build()
}

/// The volume of `planned`'s name and region carrying the intent tag of `token`.
async fn find_by_intent(
    client: &Client,
    ctx: &Context,
    planned: &Value,
    token: &str,
) -> Result<Option<Json>, Error> {
    let name = attrs::string(planned, "name").unwrap_or_default();
    let region = attrs::string(planned, "region").unwrap_or_default();
    let volumes = client
        .list_all(
            ctx,
            "/v2/volumes",
            &[("name", name), ("region", region)],
            "volumes",
        )
        .await?;
    Ok(volumes.into_iter().find(|v| intent::carries(v, token)))
}

#[async_trait]
impl Resource<Client> for Volume {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .typical_create(std::time::Duration::from_secs(10))
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The volume's id."),
            )
            .attr(
                "urn",
                Attribute::computed(Type::String).describe("The volume's uniform resource name."),
            )
            .attr(
                "name",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The volume's name, unique in its region."),
            )
            .attr(
                "region",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The region slug."),
            )
            .attr(
                "size",
                Attribute::required(Type::Number)
                    .describe("Its size in GiB; it grows in place, shrinking replaces it."),
            )
            .attr(
                "description",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("A description."),
            )
            .attr(
                "snapshot_id",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("A snapshot to create it from."),
            )
            .attr(
                "initial_filesystem_type",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("ext4 or xfs: formats the new volume."),
            )
            .attr(
                "initial_filesystem_label",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("The label of the new filesystem."),
            )
            .attr(
                "filesystem_type",
                Attribute::computed(Type::String).describe("The filesystem on it."),
            )
            .attr(
                "filesystem_label",
                Attribute::computed(Type::String).describe("The filesystem's label."),
            )
            .attr(
                "droplet_ids",
                Attribute::computed(Type::set(Type::Number))
                    .describe("The Droplets it is attached to."),
            )
            .attr(
                "tags",
                Attribute::optional(Type::set(Type::String)).describe("Tag names."),
            )
            .timeouts(timeouts(10, 10, 10))
            .crash_safety(CrashSafety::Tagged)
            .describe("A block storage volume.")
    }

    async fn plan(&self, _client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        let shrinks = request.prior.as_ref().is_some_and(|prior| {
            match (
                attrs::integer(prior, "size"),
                attrs::integer(&request.proposed, "size"),
            ) {
                (Some(before), Some(after)) => after < before,
                _ => false,
            }
        });
        PlanResponse {
            requires_replace: if shrinks {
                vec![AttrPath::attr("size")]
            } else {
                Vec::new()
            },
            ..PlanResponse::keep(request.proposed)
        }
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let name = attrs::string(planned, "name").unwrap_or_default();
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        body.insert("region".into(), json!(attrs::string(planned, "region")));
        body.insert(
            "size_gigabytes".into(),
            json!(attrs::integer(planned, "size")),
        );
        if let Some(description) = attrs::string(planned, "description") {
            body.insert("description".into(), json!(description));
        }
        if let Some(snapshot) = attrs::string(planned, "snapshot_id") {
            body.insert("snapshot_id".into(), json!(snapshot));
        }
        if let Some(fs) = attrs::string(planned, "initial_filesystem_type") {
            body.insert("filesystem_type".into(), json!(fs));
        }
        if let Some(label) = attrs::string(planned, "initial_filesystem_label") {
            body.insert("filesystem_label".into(), json!(label));
        }
        let mut tags = attrs::strings(planned, "tags");
        tags.push(intent::tag(&request.intent.token));
        body.insert("tags".into(), json!(tags));
        let token = &request.intent.token;
        let made = client
            .create(ctx, "/v2/volumes", "volume", &Json::Object(body), || {
                find_by_intent(client, ctx, planned, token)
            })
            .await;
        match made {
            Ok(json) => ObjectResponse::ok(state(&json, planned)),
            Err(e) => ObjectResponse::failed(e.diagnostic_for(
                &format!("creating the volume {name:?}"),
                &[
                    "name",
                    "region",
                    "size",
                    "description",
                    "snapshot_id",
                    "tags",
                ],
            )),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let listing = Listing {
            path: "/v2/volumes",
            query: &[],
            key: "volumes",
            item_key: "volume",
            paginated: true,
            what: "reading volumes",
        };
        let results = read_listed(
            client,
            ctx,
            &listing,
            &objects,
            |id| format!("/v2/volumes/{id}"),
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
        let (prior, planned) = (&request.prior, &request.planned);
        let id = match id(prior, TYPE) {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let path = format!("/v2/volumes/{id}");
        let changed = async {
            if attrs::changed(prior, planned, "size") {
                let size = attrs::integer(planned, "size").unwrap_or_default();
                let body = json!({
                    "type": "resize",
                    "size_gigabytes": size,
                    "region": attrs::string(prior, "region"),
                });
                let doing = format!("resizing the volume {id} to {size} GiB");
                client
                    .act(ctx, &format!("{path}/actions"), &body, &doing)
                    .await
                    .map_err(|e| (doing, e))?;
            }
            let (from, to) = (
                attrs::strings(prior, "tags"),
                attrs::strings(planned, "tags"),
            );
            if attrs::changed(prior, planned, "tags") {
                retag(client, ctx, "volume", &id, &from, &to)
                    .await
                    .map_err(|e| (format!("changing the tags of the volume {id}"), e))?;
            }
            Ok::<(), (String, Error)>(())
        };
        let current = || async {
            client
                .get(ctx, &path)
                .await
                .and_then(|a| take(a, "volume", "GET", &path))
        };
        match changed.await {
            Ok(()) => match current().await {
                Ok(json) => ObjectResponse::ok(state(&json, planned)),
                Err(e) => ObjectResponse::failed(e.diagnostic(&format!("reading the volume {id}"))),
            },
            Err((doing, e)) => {
                let now = current().await.ok().map(|json| state(&json, prior));
                update_failed(now, e.diagnostic_for(&doing, &["size", "tags"]))
            }
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
            Err(diagnostics) => {
                return DeleteResponse {
                    diagnostics,
                    ..DeleteResponse::default()
                }
            }
        };
        let path = format!("/v2/volumes/{id}");
        let doing = format!("deleting the volume {id}");
        let existing = match client
            .get(ctx, &path)
            .await
            .and_then(|a| take(a, "volume", "GET", &path))
        {
            Ok(json) => json,
            Err(e) if e.is_not_found() => return DeleteResponse::default(),
            Err(e) => {
                return DeleteResponse {
                    diagnostics: e.diagnostic(&doing).into(),
                    ..DeleteResponse::default()
                }
            }
        };
        // A volume whose Droplet is being deleted stays attached for a moment (409).
        let deleted = client
            .wait_for(
                ctx,
                &format!("{doing}: waiting for it to be detached"),
                || async {
                    match client.delete(ctx, &path).await {
                        Ok(()) => Ok(Poll::Ready(())),
                        Err(Error::Api(api)) if api.status == 409 => Ok(Poll::Pending(api.message)),
                        Err(e) => Err(e),
                    }
                },
            )
            .await;
        match deleted {
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
            path: "/v2/volumes",
            key: "volumes",
            paginated: true,
            what: "listing volumes",
        };
        list::objects(client, ctx, &source, list::all, |json| {
            state(json, &list::nothing())
        })
        .await
    }

    async fn import(&self, client: &Client, ctx: &Context, id: &str) -> ObjectResponse {
        let path = format!("/v2/volumes/{}", segment(id));
        match client
            .get(ctx, &path)
            .await
            .and_then(|a| take(a, "volume", "GET", &path))
        {
            Ok(json) => ObjectResponse::ok(state(&json, &Value::object::<&str>([]))),
            Err(e) => ObjectResponse::failed(e.diagnostic(&format!("importing the volume {id:?}"))),
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        match find_by_intent(client, ctx, &request.planned, &request.intent.token).await {
            Ok(found) => AdoptResponse {
                found: found.map(|json| state(&json, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) => AdoptResponse {
                diagnostics: e
                    .diagnostic("looking for a volume an interrupted create made")
                    .into(),
                ..AdoptResponse::default()
            },
        }
    }
}
