//! `digitalocean_ssh_key`: a public key on the account. Its name changes in place; a new key
//! replaces it. DigitalOcean refuses a key twice, so an interrupted create is found again by the
//! key itself. Imported by id.

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ListResponse, ObjectResponse, ReadManyResponse, Resource, Schema, Type,
    UpdateRequest, Value,
};
use serde_json::{json, Value as Json};

use crate::attrs::{self, State};
use crate::client::{take, Client, Error};
use crate::list;
use crate::read::{read_listed, Listing};
use crate::resources::id;

/// The resource type.
pub struct SshKey;

const TYPE: &str = "digitalocean_ssh_key";

/// The state of a key; `prior` is the configuration or the object as state has it.
pub fn state(json: &Json, prior: &Value) -> Value {
    let mut state = State::from(prior);
    state
        .set("id", attrs::json_id(json).unwrap_or_default())
        .set("name", attrs::json_string(json, "name"))
        .set("fingerprint", attrs::json_string(json, "fingerprint"));
    let key = json
        .get("public_key")
        .and_then(Json::as_str)
        .unwrap_or_default();
    // Keep the key as configured when it is the same key (DigitalOcean trims it).
    if attrs::string(prior, "public_key").map(str::trim) != Some(key.trim()) {
        state.set("public_key", key);
    }
    state.build()
}

/// The key on the account whose public key is `public_key`.
pub async fn find(client: &Client, ctx: &Context, public_key: &str) -> Result<Option<Json>, Error> {
    let wanted = normalise(public_key);
    let keys = client
        .list_all(ctx, "/v2/account/keys", &[], "ssh_keys")
        .await?;
    Ok(keys.into_iter().find(|k| {
        k.get("public_key").and_then(Json::as_str).map(normalise) == Some(wanted.clone())
    }))
}

/// A key's type and blob (the comment does not identify it).
fn normalise(key: &str) -> String {
    key.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

#[async_trait]
impl Resource<Client> for SshKey {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The key's id."),
            )
            .attr(
                "name",
                Attribute::required(Type::String).describe("The key's name."),
            )
            .attr(
                "public_key",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The public key (OpenSSH format)."),
            )
            .attr(
                "fingerprint",
                Attribute::computed(Type::String).describe("The key's MD5 fingerprint."),
            )
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("An SSH key on the account, found after a crash by the key itself.")
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let name = attrs::string(planned, "name").unwrap_or_default();
        let key = attrs::string(planned, "public_key").unwrap_or_default();
        let body = json!({ "name": name, "public_key": key });
        let made = client
            .create(ctx, "/v2/account/keys", "ssh_key", &body, || {
                find(client, ctx, key)
            })
            .await;
        match made {
            Ok(json) => ObjectResponse::ok(state(&json, planned)),
            Err(e) => ObjectResponse::failed(e.diagnostic_for(
                &format!("creating the SSH key {name:?}"),
                &["name", "public_key"],
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
            path: "/v2/account/keys",
            query: &[],
            key: "ssh_keys",
            item_key: "ssh_key",
            paginated: true,
            what: "reading SSH keys",
        };
        let results = read_listed(
            client,
            ctx,
            &listing,
            &objects,
            |id| format!("/v2/account/keys/{id}"),
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
        let name = attrs::string(&request.planned, "name").unwrap_or_default();
        let path = format!("/v2/account/keys/{id}");
        let renamed = client
            .put(ctx, &path, &json!({ "name": name }))
            .await
            .and_then(|a| take(a, "ssh_key", "PUT", &path));
        match renamed {
            Ok(json) => ObjectResponse::ok(state(&json, &request.planned)),
            Err(e) => ObjectResponse::failed(
                e.diagnostic_for(&format!("renaming the SSH key {id}"), &["name"]),
            ),
        }
    }

    async fn delete(
        &self,
        client: &Client,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let deleted = match id(&request.prior, TYPE) {
            Ok(id) => client
                .delete(ctx, &format!("/v2/account/keys/{id}"))
                .await
                .map_err(|e| e.diagnostic(&format!("deleting the SSH key {id}")).into()),
            Err(d) => Err(d),
        };
        DeleteResponse {
            diagnostics: deleted.err().unwrap_or_default(),
            ..DeleteResponse::default()
        }
    }

    async fn list(&self, client: &Client, ctx: &Context) -> ListResponse {
        let source = list::Source {
            path: "/v2/account/keys",
            key: "ssh_keys",
            paginated: true,
            what: "listing SSH keys",
        };
        list::objects(client, ctx, &source, list::all, |json| {
            state(json, &list::nothing())
        })
        .await
    }

    async fn import(&self, client: &Client, ctx: &Context, id: &str) -> ObjectResponse {
        let path = format!("/v2/account/keys/{}", crate::client::segment(id));
        match client
            .get(ctx, &path)
            .await
            .and_then(|a| take(a, "ssh_key", "GET", &path))
        {
            Ok(json) => ObjectResponse::ok(state(&json, &Value::object::<&str>([]))),
            Err(e) => {
                ObjectResponse::failed(e.diagnostic(&format!("importing the SSH key {id:?}")))
            }
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let key = attrs::string(&request.planned, "public_key").unwrap_or_default();
        match find(client, ctx, key).await {
            Ok(found) => AdoptResponse {
                found: found.map(|json| state(&json, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) => AdoptResponse {
                diagnostics: e
                    .diagnostic("looking for an SSH key an interrupted create made")
                    .into(),
                ..AdoptResponse::default()
            },
        }
    }
}
