//! `aws_key_pair`: a public key imported as an EC2 key pair, tagged at creation with the intent
//! token. Its id is its name, as in Terraform; every attribute but the tags replaces it.
//! Refresh reads every key pair in one DescribeKeyPairs call per 200. Imported by name.

use async_trait::async_trait;
use aws_sdk_ec2::primitives::Blob;
use aws_sdk_ec2::types::{KeyPairInfo, ResourceType};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse, Resource, Schema,
    Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::batch::{self, filter};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::id;
use crate::resources::vpc::adopt_failed;
use crate::tags;

/// The resource type.
pub struct KeyPair;

const TYPE: &str = "aws_key_pair";

fn render(client: &Client, key: &KeyPairInfo, account: &str, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let name = key.key_name().unwrap_or_default();
    state
        .set("id", name)
        .set("key_name", name)
        .set(
            "arn",
            client.arn("ec2", account, &format!("key-pair/{name}")),
        )
        .set("key_pair_id", attrs::opt(key.key_pair_id()))
        .set("fingerprint", attrs::opt(key.key_fingerprint()))
        .set("key_type", attrs::opt(key.key_type().map(|t| t.as_str())));
    tags::render(&client.tags, key.tags(), prior, &mut state);
    state.build()
}

/// The account the ARN names, read from a prior ARN when there is one.
fn account_of(prior: &Value) -> String {
    attrs::string(prior, "arn")
        .and_then(|arn| arn.split(':').nth(4))
        .unwrap_or_default()
        .to_string()
}

async fn account(client: &Client) -> String {
    client
        .sts
        .get_caller_identity()
        .send()
        .await
        .ok()
        .and_then(|out| out.account().map(str::to_string))
        .unwrap_or_default()
}

async fn describe(
    client: &Client,
    name: &str,
    values: Vec<String>,
) -> Result<Vec<KeyPairInfo>, AwsError> {
    let out = client
        .ec2
        .describe_key_pairs()
        .filters(filter(name, values))
        .send()
        .await?;
    Ok(out.key_pairs().to_vec())
}

async fn current(client: &Client, name: &str, prior: &Value) -> Result<Option<Value>, AwsError> {
    let found = describe(client, "key-name", vec![name.to_string()]).await?;
    let Some(key) = found.first() else {
        return Ok(None);
    };
    let mut account_id = account_of(prior);
    if account_id.is_empty() {
        account_id = account(client).await;
    }
    Ok(Some(render(client, key, &account_id, prior)))
}

#[async_trait]
impl Resource<Client> for KeyPair {
    fn type_name(&self) -> &str {
        TYPE
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(crate::list::key_pairs(client).await, "key pairs")
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        tags::attributes(Schema::new())
            .attr("id", computed("The key pair's name."))
            .attr(
                "key_name",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The key pair's name."),
            )
            .attr(
                "public_key",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The public key (OpenSSH format)."),
            )
            .attr("arn", computed("The key pair's ARN."))
            .attr("key_pair_id", computed("Its id (key-...)."))
            .attr("fingerprint", computed("Its fingerprint."))
            .attr("key_type", computed("`rsa` or `ed25519`."))
            .crash_safety(CrashSafety::Tagged)
            .describe("An EC2 key pair from a public key.")
    }

    async fn plan(&self, client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        tags::plan(&client.tags, request)
    }

    async fn create(
        &self,
        client: &Client,
        _ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let name = attrs::string(planned, "key_name").unwrap_or_default();
        let made = client
            .ec2
            .import_key_pair()
            .key_name(name)
            .public_key_material(Blob::new(
                attrs::string(planned, "public_key")
                    .unwrap_or_default()
                    .as_bytes(),
            ))
            .tag_specifications(tags::specification(
                &client.tags,
                ResourceType::KeyPair,
                planned,
                &request.intent,
            ))
            .send()
            .await;
        let doing = format!("importing the key pair {name:?}");
        if let Err(e) = made {
            return ObjectResponse::failed(AwsError::from(e).diagnostic_at(&doing, "public_key"));
        }
        match current(client, name, planned).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("the key pair vanished").diagnostic(&doing))
            }
            Err(e) => {
                let mut state = State::from(planned);
                state.set("id", name);
                ObjectResponse::partial(state.build(), e.diagnostic(&doing))
            }
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        batch::read(
            &objects,
            "reading key pairs",
            |names| async move {
                Ok(describe(client, "key-name", names)
                    .await?
                    .into_iter()
                    .map(|k| (k.key_name().unwrap_or_default().to_string(), k))
                    .collect())
            },
            |key, prior| Some(render(client, key, &account_of(prior), prior)),
        )
        .await
    }

    async fn update(
        &self,
        client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let name = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let doing = format!("retagging the key pair {name:?}");
        let key_id = attrs::string(&request.prior, "key_pair_id").unwrap_or_default();
        if let Err(e) = tags::update(client, key_id, &request.prior, &request.planned).await {
            return ObjectResponse::failed(e.diagnostic(&doing));
        }
        match current(client, &name, &request.planned).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("it no longer exists").diagnostic(&doing))
            }
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn delete(
        &self,
        client: &Client,
        _ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let name = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return d.into(),
        };
        match client
            .ec2
            .delete_key_pair()
            .key_name(&name)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Err(e) if !e.is_not_found() => e
                .diagnostics(&format!("deleting the key pair {name:?}"))
                .into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the key pair {id:?}");
        match current(client, id, &Value::object::<&str>([])).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("no such key pair").diagnostic(&doing))
            }
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let found = describe(
            client,
            &format!("tag:{}", tags::INTENT_KEY),
            vec![request.intent.token.clone()],
        )
        .await;
        match found {
            Ok(found) => match found.first().and_then(|k| k.key_name()) {
                Some(name) => match current(client, name, &request.planned).await {
                    Ok(found) => AdoptResponse {
                        found,
                        ..AdoptResponse::default()
                    },
                    Err(e) => adopt_failed(e, "key pair"),
                },
                None => AdoptResponse::default(),
            },
            Err(e) => adopt_failed(e, "key pair"),
        }
    }
}
