//! `digitalocean_vpc`: a VPC network. Its name and description change in place; its region and
//! range replace it. VPC names are unique in an account, so an interrupted create is found again
//! by name. A delete refused because members are still leaving (403) is retried until the
//! deadline. Imported by id.

use async_trait::async_trait;
use plinth_sdk::wait::Poll;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ListResponse, ObjectResponse, ReadManyResponse, Resource, Schema, Type,
    UpdateRequest, Value,
};
use serde_json::{json, Map, Value as Json};

use crate::attrs::{self, State};
use crate::client::{take, Client, Error};
use crate::list;
use crate::read::{read_listed, Listing};
use crate::resources::{id, timeouts};

/// The resource type.
pub struct Vpc;

const TYPE: &str = "digitalocean_vpc";

/// Whether a listed VPC is the user's: DigitalOcean makes each region's default VPC itself.
fn is_users(json: &Json) -> bool {
    json.get("default").and_then(Json::as_bool) != Some(true)
}

/// The state of a VPC; `prior` is the configuration or the object as state has it.
pub fn state(json: &Json, prior: &Value) -> Value {
    let mut state = State::from(prior);
    state
        .set("id", attrs::json_id(json).unwrap_or_default())
        .set("urn", attrs::json_string(json, "urn"))
        .set("name", attrs::json_string(json, "name"))
        .set("region", attrs::json_string(json, "region"))
        .set("description", description(json, prior))
        .set("ip_range", attrs::json_string(json, "ip_range"))
        .set("default", attrs::json_bool(json, "default"))
        .set("created_at", attrs::json_string(json, "created_at"));
    state.build()
}

/// The description; DigitalOcean answers "" for none, which stays null unless "" was set.
fn description(json: &Json, prior: &Value) -> Value {
    match attrs::json_string(json, "description") {
        Value::String(text)
            if text.is_empty() && attrs::string(prior, "description") != Some("") =>
        {
            Value::Null
        }
        other => other,
    }
}

/// The VPC named `name`.
pub async fn find_by_name(
    client: &Client,
    ctx: &Context,
    name: &str,
) -> Result<Option<Json>, Error> {
    let vpcs = client.list_all(ctx, "/v2/vpcs", &[], "vpcs").await?;
    Ok(vpcs
        .into_iter()
        .find(|v| v.get("name").and_then(Json::as_str) == Some(name)))
}

/// The attributes every VPC has, shared with the VPC data source.
pub fn computed_attributes(schema: Schema) -> Schema {
    schema
        .attr(
            "id",
            Attribute::computed(Type::String).describe("The VPC's id."),
        )
        .attr(
            "urn",
            Attribute::computed(Type::String).describe("The VPC's uniform resource name."),
        )
        .attr(
            "default",
            Attribute::computed(Type::Bool).describe("Whether it is its region's default VPC."),
        )
        .attr(
            "created_at",
            Attribute::computed(Type::String).describe("When it was created."),
        )
}

#[async_trait]
impl Resource<Client> for Vpc {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        computed_attributes(Schema::new())
            .attr(
                "name",
                Attribute::required(Type::String)
                    .describe("The VPC's name, unique in the account."),
            )
            .attr(
                "region",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The region slug."),
            )
            .attr(
                "description",
                Attribute::optional(Type::String).describe("A description."),
            )
            .attr(
                "ip_range",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The private range (CIDR); DigitalOcean picks one when unset."),
            )
            .timeouts(timeouts(5, 5, 5))
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("A VPC network, found after a crash by its name.")
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
        if let Some(description) = attrs::string(planned, "description") {
            body.insert("description".into(), json!(description));
        }
        if let Some(range) = attrs::string(planned, "ip_range") {
            body.insert("ip_range".into(), json!(range));
        }
        let made = client
            .create(ctx, "/v2/vpcs", "vpc", &Json::Object(body), || {
                find_by_name(client, ctx, name)
            })
            .await;
        match made {
            Ok(json) => ObjectResponse::ok(state(&json, planned)),
            Err(e) => ObjectResponse::failed(e.diagnostic_for(
                &format!("creating the VPC {name:?}"),
                &["name", "region", "ip_range", "description"],
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
            path: "/v2/vpcs",
            query: &[],
            key: "vpcs",
            item_key: "vpc",
            paginated: true,
            what: "reading VPCs",
        };
        let results = read_listed(
            client,
            ctx,
            &listing,
            &objects,
            |id| format!("/v2/vpcs/{id}"),
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
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let planned = &request.planned;
        let path = format!("/v2/vpcs/{id}");
        let body = json!({
            "name": attrs::string(planned, "name"),
            "description": attrs::string(planned, "description").unwrap_or_default(),
        });
        match client
            .put(ctx, &path, &body)
            .await
            .and_then(|a| take(a, "vpc", "PUT", &path))
        {
            Ok(json) => ObjectResponse::ok(state(&json, planned)),
            Err(e) => ObjectResponse::failed(
                e.diagnostic_for(&format!("updating the VPC {id}"), &["name", "description"]),
            ),
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
        let path = format!("/v2/vpcs/{id}");
        let doing = format!("deleting the VPC {id}");
        // Members deleted just before may take a moment to leave: DigitalOcean answers 403 then.
        let deleted = client
            .wait_for(
                ctx,
                &format!("{doing}: waiting for its members to leave"),
                || async {
                    match client.delete(ctx, &path).await {
                        Ok(()) => Ok(Poll::Ready(())),
                        Err(Error::Api(api))
                            if api.status == 403
                                && api.message.to_ascii_lowercase().contains("member") =>
                        {
                            Ok(Poll::Pending(api.message))
                        }
                        Err(e) => Err(e),
                    }
                },
            )
            .await;
        DeleteResponse {
            diagnostics: deleted
                .err()
                .map(|e| e.diagnostic(&doing).into())
                .unwrap_or_default(),
            ..DeleteResponse::default()
        }
    }

    async fn list(&self, client: &Client, ctx: &Context) -> ListResponse {
        let source = list::Source {
            path: "/v2/vpcs",
            key: "vpcs",
            paginated: true,
            what: "listing VPCs",
        };
        list::objects(client, ctx, &source, is_users, |json| {
            state(json, &list::nothing())
        })
        .await
    }

    async fn import(&self, client: &Client, ctx: &Context, id: &str) -> ObjectResponse {
        let path = format!("/v2/vpcs/{}", crate::client::segment(id));
        match client
            .get(ctx, &path)
            .await
            .and_then(|a| take(a, "vpc", "GET", &path))
        {
            Ok(json) => ObjectResponse::ok(state(&json, &Value::object::<&str>([]))),
            Err(e) => ObjectResponse::failed(e.diagnostic(&format!("importing the VPC {id:?}"))),
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let name = attrs::string(&request.planned, "name").unwrap_or_default();
        match find_by_name(client, ctx, name).await {
            Ok(found) => AdoptResponse {
                found: found.map(|json| state(&json, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) => AdoptResponse {
                diagnostics: e
                    .diagnostic("looking for a VPC an interrupted create made")
                    .into(),
                ..AdoptResponse::default()
            },
        }
    }
}
