//! `digitalocean_domain`: a DNS zone. Its name identifies it, so an interrupted create is found
//! again by name; every argument replaces it. Deleting it deletes its records. Imported by name.

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ListResponse, ObjectResponse, ReadManyResponse, Resource, Schema, Type,
    UpdateRequest, Value,
};
use serde_json::{json, Map, Value as Json};

use crate::attrs::{self, State};
use crate::client::{segment, take, Client, Error};
use crate::list;
use crate::read::{read_listed, Listing};
use crate::resources::id;

/// The resource type.
pub struct Domain;

const TYPE: &str = "digitalocean_domain";

/// The state of a domain.
pub fn state(json: &Json, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let name = json.get("name").and_then(Json::as_str).unwrap_or_default();
    state
        .set("id", name)
        .set("name", name)
        .set("urn", format!("do:domain:{name}"))
        .set("ttl", attrs::json_number(json, "ttl"))
        .fill("ip_address", Value::Null);
    state.build()
}

async fn get(client: &Client, ctx: &Context, name: &str) -> Result<Option<Json>, Error> {
    let path = format!("/v2/domains/{}", segment(name));
    match client.get(ctx, &path).await {
        Ok(answer) => take(answer, "domain", "GET", &path).map(Some),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

#[async_trait]
impl Resource<Client> for Domain {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The domain's name."),
            )
            .attr(
                "name",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The domain name (example.com)."),
            )
            .attr(
                "ip_address",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("An IPv4 address for an A record at the apex, made with the domain."),
            )
            .attr(
                "urn",
                Attribute::computed(Type::String).describe("The domain's uniform resource name."),
            )
            .attr(
                "ttl",
                Attribute::computed(Type::Number).describe("The zone's TTL in seconds."),
            )
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("A DNS domain, found after a crash by its name.")
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let name = attrs::string(&request.planned, "name")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        if let Some(ip) = attrs::string(&request.planned, "ip_address") {
            body.insert("ip_address".into(), json!(ip));
        }
        let made = client
            .create(ctx, "/v2/domains", "domain", &Json::Object(body), || {
                get(client, ctx, &name)
            })
            .await;
        match made {
            Ok(json) => ObjectResponse::ok(state(&json, &request.planned)),
            Err(e) => ObjectResponse::failed(e.diagnostic_for(
                &format!("creating the domain {name:?}"),
                &["name", "ip_address"],
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
            path: "/v2/domains",
            query: &[],
            key: "domains",
            item_key: "domain",
            paginated: true,
            what: "reading domains",
        };
        let results = read_listed(
            client,
            ctx,
            &listing,
            &objects,
            |name| format!("/v2/domains/{}", segment(name)),
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
                .delete(ctx, &format!("/v2/domains/{}", segment(&name)))
                .await
                .map_err(|e| {
                    e.diagnostic(&format!("deleting the domain {name:?}"))
                        .into()
                }),
            Err(d) => Err(d),
        };
        DeleteResponse {
            diagnostics: deleted.err().unwrap_or_default(),
            ..DeleteResponse::default()
        }
    }

    async fn list(&self, client: &Client, ctx: &Context) -> ListResponse {
        let source = list::Source {
            path: "/v2/domains",
            key: "domains",
            paginated: true,
            what: "listing domains",
        };
        list::objects(client, ctx, &source, list::all, |json| {
            state(json, &list::nothing())
        })
        .await
    }

    async fn import(&self, client: &Client, ctx: &Context, name: &str) -> ObjectResponse {
        let doing = format!("importing the domain {name:?}");
        match get(client, ctx, name).await {
            Ok(Some(json)) => ObjectResponse::ok(state(&json, &Value::object::<&str>([]))),
            Ok(None) => ObjectResponse::failed(plinth_sdk::Diagnostic::error(format!(
                "{doing} failed: DigitalOcean has no such domain"
            ))),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let name = attrs::string(&request.planned, "name")
            .unwrap_or_default()
            .to_ascii_lowercase();
        match get(client, ctx, &name).await {
            Ok(found) => AdoptResponse {
                found: found.map(|json| state(&json, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) => AdoptResponse {
                diagnostics: e
                    .diagnostic("looking for a domain an interrupted create made")
                    .into(),
                ..AdoptResponse::default()
            },
        }
    }
}
