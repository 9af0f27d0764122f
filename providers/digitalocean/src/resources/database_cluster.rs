//! `digitalocean_database_cluster`: a managed database cluster. Created with plinth's intent tag
//! and waited for until `online`; `size`, `node_count` and `storage_size_mib` change in place
//! through a resize (waited for until `online` again). The connection details are computed, the
//! password and both URIs sensitive. DigitalOcean's API cannot change a cluster's tags after it
//! is made, so a tag change is refused at plan time rather than replacing the database.
//! Refresh lists every cluster in one call (the list is not paginated). Imported by id.

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, AttrPath, Attribute, Context, CrashSafety, CreateRequest,
    DeleteRequest, DeleteResponse, Diagnostic, ListResponse, ObjectResponse, PlanRequest,
    PlanResponse, ReadManyResponse, Resource, Schema, Type, UpdateRequest, Value,
};
use serde_json::{json, Map, Value as Json};

use crate::attrs::{self, State};
use crate::client::{segment, take, Client, Error};
use crate::intent;
use crate::list;
use crate::read::{read_listed, Listing};
use crate::resources::{delete_intent_tags, id, timeouts, update_failed};

/// The resource type.
pub struct DatabaseCluster;

const TYPE: &str = "digitalocean_database_cluster";

/// The state of a cluster.
pub fn state(json: &Json, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let id = attrs::json_id(json).unwrap_or_default();
    let public = json.get("connection").cloned().unwrap_or(Json::Null);
    let private = json
        .get("private_connection")
        .cloned()
        .unwrap_or(Json::Null);
    state
        .set("id", id.as_str())
        .set("urn", format!("do:dbaas:{id}"))
        .set("name", attrs::json_string(json, "name"))
        .set("engine", attrs::json_string(json, "engine"))
        .set("version", attrs::json_string(json, "version"))
        .set("size", attrs::json_string(json, "size"))
        .set("region", attrs::json_string(json, "region"))
        .set("node_count", attrs::json_number(json, "num_nodes"))
        .set("status", attrs::json_string(json, "status"))
        .set("created_at", attrs::json_string(json, "created_at"))
        .set(
            "private_network_uuid",
            attrs::json_string(json, "private_network_uuid"),
        )
        .set(
            "storage_size_mib",
            attrs::json_number(json, "storage_size_mib"),
        )
        .set_collection("tags", attrs::string_set(intent::user_tags(json)))
        .set("host", attrs::json_string(&public, "host"))
        .set("private_host", attrs::json_string(&private, "host"))
        .set("port", attrs::json_number(&public, "port"))
        .set("uri", attrs::json_string(&public, "uri"))
        .set("private_uri", attrs::json_string(&private, "uri"))
        .set("database", attrs::json_string(&public, "database"))
        .set("user", attrs::json_string(&public, "user"))
        .set("password", attrs::json_string(&public, "password"));
    state.build()
}

/// The cluster carrying the intent tag of `token`.
async fn find_by_intent(
    client: &Client,
    ctx: &Context,
    token: &str,
) -> Result<Option<Json>, Error> {
    let tag = intent::tag(token);
    let answer = client
        .get_query(ctx, "/v2/databases", &[("tag_name", &tag)])
        .await?;
    Ok(answer
        .get("databases")
        .and_then(Json::as_array)
        .and_then(|all| all.iter().find(|d| intent::carries(d, token)).cloned()))
}

/// Waits for the cluster to be `online`; on failure, the last state seen and why.
async fn online(
    client: &Client,
    ctx: &Context,
    made: &Json,
    doing: &str,
) -> Result<Json, (Json, Error)> {
    if made.get("status").and_then(Json::as_str) == Some("online") {
        return Ok(made.clone());
    }
    let id = attrs::json_id(made).unwrap_or_default();
    let path = format!("/v2/databases/{}", segment(&id));
    let what = format!("{doing}: waiting for the cluster {id} to be online");
    match client
        .wait_status(ctx, &path, "database", "online", &what)
        .await
    {
        Ok(json) => Ok(json),
        Err(e) => {
            let last = client
                .get(ctx, &path)
                .await
                .and_then(|a| take(a, "database", "GET", &path))
                .unwrap_or_else(|_| made.clone());
            Err((last, e))
        }
    }
}

#[async_trait]
impl Resource<Client> for DatabaseCluster {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        let computed = |ty: Type, text: &str| Attribute::computed(ty).describe(text);
        Schema::new()
            .typical_create(std::time::Duration::from_secs(300))
            .attr("id", computed(Type::String, "The cluster's id."))
            .attr(
                "urn",
                computed(Type::String, "The cluster's uniform resource name."),
            )
            .attr(
                "name",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The cluster's name."),
            )
            .attr(
                "engine",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("pg, mysql, valkey, mongodb, ..."),
            )
            .attr(
                "version",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The engine's major version."),
            )
            .attr(
                "size",
                Attribute::required(Type::String).describe("The node size slug; resized in place."),
            )
            .attr(
                "region",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The region slug."),
            )
            .attr(
                "node_count",
                Attribute::required(Type::Number).describe("How many nodes; changed in place."),
            )
            .attr(
                "private_network_uuid",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The VPC; the region's default VPC when unset."),
            )
            .attr(
                "storage_size_mib",
                Attribute::optional_computed(Type::Number).describe("Disk in MiB; grows in place."),
            )
            .attr(
                "tags",
                Attribute::optional(Type::set(Type::String))
                    .describe("Tag names, set when the cluster is made."),
            )
            .attr(
                "status",
                computed(Type::String, "creating, online, resizing, ..."),
            )
            .attr("created_at", computed(Type::String, "When it was created."))
            .attr("host", computed(Type::String, "The public host name."))
            .attr(
                "private_host",
                computed(Type::String, "The host name inside the VPC."),
            )
            .attr("port", computed(Type::Number, "The port."))
            .attr(
                "uri",
                computed(Type::String, "The public connection URI.").sensitive(),
            )
            .attr(
                "private_uri",
                computed(Type::String, "The connection URI inside the VPC.").sensitive(),
            )
            .attr("database", computed(Type::String, "The default database."))
            .attr("user", computed(Type::String, "The default user."))
            .attr(
                "password",
                computed(Type::String, "The default user's password.").sensitive(),
            )
            .timeouts(timeouts(30, 30, 30))
            .crash_safety(CrashSafety::Tagged)
            .describe("A managed database cluster.")
    }

    async fn plan(&self, _client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        let Some(prior) = &request.prior else {
            return PlanResponse::keep(request.proposed);
        };
        let mut before = attrs::strings(prior, "tags");
        let mut after = attrs::strings(&request.proposed, "tags");
        before.sort();
        after.sort();
        let tags_known = !request
            .proposed
            .get("tags")
            .is_some_and(Value::contains_unknown);
        if tags_known && before != after {
            return PlanResponse {
                diagnostics: Diagnostic::error("a database cluster's tags cannot change after it is made")
                    .with_detail("DigitalOcean's API sets a cluster's tags when it creates it and offers no way to change them; keep the tags, or replace the cluster (plinth apply -replace=ADDRESS).")
                    .with_attribute(AttrPath::attr("tags"))
                    .into(),
                ..PlanResponse::keep(request.proposed)
            };
        }
        PlanResponse::keep(request.proposed)
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let name = attrs::string(planned, "name").unwrap_or_default();
        let doing = format!("creating the database cluster {name:?}");
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        body.insert("engine".into(), json!(attrs::string(planned, "engine")));
        body.insert("size".into(), json!(attrs::string(planned, "size")));
        body.insert("region".into(), json!(attrs::string(planned, "region")));
        body.insert(
            "num_nodes".into(),
            json!(attrs::integer(planned, "node_count")),
        );
        if let Some(version) = attrs::string(planned, "version") {
            body.insert("version".into(), json!(version));
        }
        if let Some(vpc) = attrs::string(planned, "private_network_uuid") {
            body.insert("private_network_uuid".into(), json!(vpc));
        }
        if let Some(storage) = attrs::integer(planned, "storage_size_mib") {
            body.insert("storage_size_mib".into(), json!(storage));
        }
        let mut tags = attrs::strings(planned, "tags");
        tags.push(intent::tag(&request.intent.token));
        body.insert("tags".into(), json!(tags));
        let token = &request.intent.token;
        let made = client
            .create(
                ctx,
                "/v2/databases",
                "database",
                &Json::Object(body),
                || find_by_intent(client, ctx, token),
            )
            .await;
        let made = match made {
            Ok(made) => made,
            Err(e) => {
                return ObjectResponse::failed(e.diagnostic_for(
                    &doing,
                    &[
                        "name",
                        "engine",
                        "version",
                        "size",
                        "region",
                        "node_count",
                        "private_network_uuid",
                        "storage_size_mib",
                        "tags",
                    ],
                ))
            }
        };
        match online(client, ctx, &made, &doing).await {
            Ok(json) => ObjectResponse::ok(state(&json, planned)),
            Err((last, e)) => ObjectResponse::partial(state(&last, planned), e.diagnostic(&doing)),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let listing = Listing {
            path: "/v2/databases",
            query: &[],
            key: "databases",
            item_key: "database",
            paginated: false,
            what: "reading database clusters",
        };
        let results = read_listed(
            client,
            ctx,
            &listing,
            &objects,
            |id| format!("/v2/databases/{}", segment(id)),
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
        let path = format!("/v2/databases/{}", segment(&id));
        let doing = format!("resizing the database cluster {id}");
        let resize = ["size", "node_count", "storage_size_mib"]
            .iter()
            .any(|a| attrs::changed(prior, planned, a));
        let current = if resize {
            let mut body = json!({
                "size": attrs::string(planned, "size"),
                "num_nodes": attrs::integer(planned, "node_count"),
            });
            if let Some(storage) = attrs::integer(planned, "storage_size_mib") {
                body["storage_size_mib"] = json!(storage);
            }
            if let Err(e) = client.put(ctx, &format!("{path}/resize"), &body).await {
                return ObjectResponse::failed(
                    e.diagnostic_for(&doing, &["size", "node_count", "storage_size_mib"]),
                );
            }
            let resizing = client
                .get(ctx, &path)
                .await
                .and_then(|a| take(a, "database", "GET", &path));
            match resizing {
                Ok(json) => online(client, ctx, &json, &doing).await,
                Err(e) => Err((Json::Null, e)),
            }
        } else {
            client
                .get(ctx, &path)
                .await
                .and_then(|a| take(a, "database", "GET", &path))
                .map_err(|e| (Json::Null, e))
        };
        match current {
            Ok(json) => ObjectResponse::ok(state(&json, planned)),
            Err((last, e)) => {
                let now = (!last.is_null()).then(|| state(&last, planned));
                update_failed(now, e.diagnostic(&doing))
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
        let path = format!("/v2/databases/{}", segment(&id));
        let doing = format!("deleting the database cluster {id}");
        let existing = match client
            .get(ctx, &path)
            .await
            .and_then(|a| take(a, "database", "GET", &path))
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
        match client.delete(ctx, &path).await {
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
            path: "/v2/databases",
            key: "databases",
            paginated: false,
            what: "listing database clusters",
        };
        list::objects(client, ctx, &source, list::all, |json| {
            state(json, &list::nothing())
        })
        .await
    }

    async fn import(&self, client: &Client, ctx: &Context, id: &str) -> ObjectResponse {
        let path = format!("/v2/databases/{}", segment(id));
        match client
            .get(ctx, &path)
            .await
            .and_then(|a| take(a, "database", "GET", &path))
        {
            Ok(json) => ObjectResponse::ok(state(&json, &Value::object::<&str>([]))),
            Err(e) => ObjectResponse::failed(
                e.diagnostic(&format!("importing the database cluster {id:?}")),
            ),
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let doing = "looking for a database cluster an interrupted create made";
        let made = match find_by_intent(client, ctx, &request.intent.token).await {
            Ok(Some(made)) => made,
            Ok(None) => return AdoptResponse::default(),
            Err(e) => {
                return AdoptResponse {
                    diagnostics: e.diagnostic(doing).into(),
                    ..AdoptResponse::default()
                }
            }
        };
        match online(client, ctx, &made, "adopting a database cluster").await {
            Ok(json) => AdoptResponse {
                found: Some(state(&json, &request.planned)),
                ..AdoptResponse::default()
            },
            Err((last, e)) => AdoptResponse {
                found: Some(state(&last, &request.planned)),
                diagnostics: Diagnostic::warning(format!("adopted the database cluster, but: {e}"))
                    .into(),
            },
        }
    }
}
