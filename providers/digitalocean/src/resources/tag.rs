//! `digitalocean_tag`: a tag, with the counts of what carries it. Creating a tag that exists is
//! harmless, so an interrupted create is found again by name. Deleting a tag takes it off every
//! object. Imported by name.

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ListResponse, ObjectResponse, ReadManyResponse, Resource, Schema, Type,
    UpdateRequest, Value,
};
use serde_json::{json, Value as Json};

use crate::attrs::{self, State};
use crate::client::{segment, take, Client};
use crate::list;
use crate::read::{read_listed, Listing};
use crate::resources::id;

/// The resource type.
pub struct Tag;

const TYPE: &str = "digitalocean_tag";

/// The counts a tag reports, by attribute name and the key under `resources`.
const COUNTS: &[(&str, &str)] = &[
    ("droplets_count", "droplets"),
    ("images_count", "images"),
    ("volumes_count", "volumes"),
    ("volume_snapshots_count", "volume_snapshots"),
    ("databases_count", "databases"),
];

/// Whether a listed tag is the user's: plinth's intent tags are its own bookkeeping.
fn is_users(json: &Json) -> bool {
    !json
        .get("name")
        .and_then(Json::as_str)
        .is_some_and(crate::intent::is_intent)
}

/// The state of a tag.
pub fn state(json: &Json, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let name = attrs::json_string(json, "name");
    state.set("id", name.clone()).set("name", name).set(
        "total_resource_count",
        json.pointer("/resources/count")
            .and_then(Json::as_f64)
            .map_or(Value::from(0.0), Value::from),
    );
    for (attribute, key) in COUNTS {
        let count = json
            .pointer(&format!("/resources/{key}/count"))
            .and_then(Json::as_f64)
            .unwrap_or(0.0);
        state.set(attribute, count);
    }
    state.build()
}

async fn get(client: &Client, ctx: &Context, name: &str) -> Result<Json, crate::client::Error> {
    let path = format!("/v2/tags/{}", segment(name));
    take(client.get(ctx, &path).await?, "tag", "GET", &path)
}

#[async_trait]
impl Resource<Client> for Tag {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        let mut schema = Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The tag's name."),
            )
            .attr(
                "name",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The tag's name."),
            )
            .attr(
                "total_resource_count",
                Attribute::computed(Type::Number).describe("How many objects carry it."),
            );
        for (attribute, key) in COUNTS {
            schema = schema.attr(
                attribute,
                Attribute::computed(Type::Number)
                    .describe(format!("How many {} carry it.", key.replace('_', " "))),
            );
        }
        schema
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("A tag, found after a crash by its name.")
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let name = attrs::string(&request.planned, "name").unwrap_or_default();
        let made = client
            .create(ctx, "/v2/tags", "tag", &json!({ "name": name }), || async {
                match get(client, ctx, name).await {
                    Ok(json) => Ok(Some(json)),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await;
        match made {
            Ok(json) => ObjectResponse::ok(state(&json, &request.planned)),
            Err(e) => ObjectResponse::failed(
                e.diagnostic_for(&format!("creating the tag {name:?}"), &["name"]),
            ),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let listing = Listing {
            path: "/v2/tags",
            query: &[],
            key: "tags",
            item_key: "tag",
            paginated: true,
            what: "reading tags",
        };
        let results = read_listed(
            client,
            ctx,
            &listing,
            &objects,
            |name| format!("/v2/tags/{}", segment(name)),
            |json| json.get("name").and_then(Json::as_str).map(str::to_string),
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
        _client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        // Every argument forces a replacement: an update only carries computed values over.
        ObjectResponse::ok(request.planned)
    }

    async fn delete(
        &self,
        client: &Client,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let deleted = match id(&request.prior, TYPE) {
            Ok(name) => client
                .delete(ctx, &format!("/v2/tags/{}", segment(&name)))
                .await
                .map_err(|e| e.diagnostic(&format!("deleting the tag {name:?}")).into()),
            Err(d) => Err(d),
        };
        DeleteResponse {
            diagnostics: deleted.err().unwrap_or_default(),
            ..DeleteResponse::default()
        }
    }

    async fn list(&self, client: &Client, ctx: &Context) -> ListResponse {
        let source = list::Source {
            path: "/v2/tags",
            key: "tags",
            paginated: true,
            what: "listing tags",
        };
        list::objects(client, ctx, &source, is_users, |json| {
            state(json, &list::nothing())
        })
        .await
    }

    async fn import(&self, client: &Client, ctx: &Context, name: &str) -> ObjectResponse {
        match get(client, ctx, name).await {
            Ok(json) => ObjectResponse::ok(state(&json, &Value::object::<&str>([]))),
            Err(e) => ObjectResponse::failed(e.diagnostic(&format!("importing the tag {name:?}"))),
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let name = attrs::string(&request.planned, "name").unwrap_or_default();
        match get(client, ctx, name).await {
            Ok(json) => AdoptResponse {
                found: Some(state(&json, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) if e.is_not_found() => AdoptResponse::default(),
            Err(e) => AdoptResponse {
                diagnostics: e
                    .diagnostic("looking for a tag an interrupted create made")
                    .into(),
                ..AdoptResponse::default()
            },
        }
    }
}
