//! `digitalocean_database_firewall`: the trusted sources of a database cluster (`rule` blocks of
//! `type` droplet, ip_addr, tag, k8s or app and a `value`; the rules' DigitalOcean-side `uuid`
//! and `created_at` are not kept, so a rule block is exactly what was configured). Every change replaces the whole list
//! (`PUT .../firewall`), which is idempotent, so an interrupted create is simply found on its
//! cluster. Deleting it empties the list. Refresh reads the rules from the cluster list, one call
//! for all clusters, and so does `list` (every cluster with trusted sources has a firewall). Its
//! id, and its import id, is the cluster's id.

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ListResponse, NestedBlock, ObjectResponse, ReadManyResponse, ReadResult,
    Resource, Schema, Type, UpdateRequest, Validator, Value,
};
use serde_json::{json, Value as Json};

use crate::attrs::{self, State};
use crate::client::{segment, Client, Error};
use crate::list;
use crate::read::{read_listed, Listing};

/// The resource type.
pub struct DatabaseFirewall;

const TYPE: &str = "digitalocean_database_firewall";

/// A rule as (type, value).
fn pairs_of_blocks(object: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = attrs::blocks(object, "rule")
        .into_iter()
        .map(|b| {
            (
                attrs::string(b, "type").unwrap_or_default().to_string(),
                attrs::string(b, "value").unwrap_or_default().to_string(),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

fn pairs_of_json(rules: &[Json]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = rules
        .iter()
        .map(|r| {
            let text = |k: &str| {
                r.get(k)
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            (text("type"), text("value"))
        })
        .collect();
    pairs.sort();
    pairs
}

/// The state of a cluster's firewall from its rules; the prior `rule` blocks stay as they are
/// when they say the same, so a refresh never shows a difference of form as drift.
fn state(cluster_id: &str, rules: &[Json], prior: &Value) -> Value {
    let mut state = State::from(prior);
    state.set("id", cluster_id).set("cluster_id", cluster_id);
    if !attrs::blocks(prior, "rule").is_empty() && pairs_of_json(rules) == pairs_of_blocks(prior) {
        return state.build();
    }
    let blocks: Vec<Value> = rules
        .iter()
        .map(|r| {
            Value::object([
                ("type", attrs::json_string(r, "type")),
                ("value", attrs::json_string(r, "value")),
            ])
        })
        .collect();
    state.set("rule", Value::set(blocks));
    state.build()
}

/// The rules a cluster as listed carries.
fn listed_rules(cluster: &Json) -> Vec<Json> {
    cluster
        .get("rules")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Puts the rules of `planned` on the cluster and reads them back.
async fn put(
    client: &Client,
    ctx: &Context,
    cluster: &str,
    planned: &Value,
) -> Result<Vec<Json>, Error> {
    let rules: Vec<Json> = pairs_of_blocks(planned)
        .into_iter()
        .map(|(kind, value)| json!({ "type": kind, "value": value }))
        .collect();
    let path = format!("/v2/databases/{}/firewall", segment(cluster));
    client.put(ctx, &path, &json!({ "rules": rules })).await?;
    rules_of(client, ctx, cluster).await
}

async fn rules_of(client: &Client, ctx: &Context, cluster: &str) -> Result<Vec<Json>, Error> {
    let path = format!("/v2/databases/{}/firewall", segment(cluster));
    let answer = client.get(ctx, &path).await?;
    Ok(answer
        .get("rules")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default())
}

fn cluster_of(object: &Value) -> Result<String, plinth_sdk::Diagnostics> {
    attrs::string(object, "cluster_id")
        .map(str::to_string)
        .ok_or_else(|| {
            plinth_sdk::Diagnostic::error(format!("{TYPE}: cluster_id is required")).into()
        })
}

#[async_trait]
impl Resource<Client> for DatabaseFirewall {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        let rule = Schema::new()
            .attr(
                "type",
                Attribute::required(Type::String)
                    .validate(Validator::OneOf(
                        ["droplet", "ip_addr", "tag", "k8s", "app"]
                            .map(String::from)
                            .to_vec(),
                    ))
                    .describe("droplet, ip_addr, tag, k8s or app."),
            )
            .attr(
                "value",
                Attribute::required(Type::String)
                    .describe("The Droplet id, address, tag, cluster or app id."),
            );
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The cluster's id."),
            )
            .attr(
                "cluster_id",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The database cluster's id."),
            )
            .block(
                "rule",
                NestedBlock {
                    min_items: 1,
                    ..NestedBlock::set(rule)
                },
            )
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("The trusted sources of a database cluster.")
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        self.write(client, ctx, &request.planned).await
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
            what: "reading database firewalls",
        };
        let results = read_listed(
            client,
            ctx,
            &listing,
            &objects,
            |id| format!("/v2/databases/{}", segment(id)),
            attrs::json_id,
            |cluster, prior| {
                let id = attrs::json_id(cluster).unwrap_or_default();
                state(&id, &listed_rules(cluster), prior)
            },
        )
        .await;
        // A cluster without trusted sources has no firewall (that is what a delete leaves).
        let results = results
            .into_iter()
            .map(|result| match result {
                ReadResult::Found(state) if attrs::blocks(&state, "rule").is_empty() => {
                    ReadResult::Gone
                }
                other => other,
            })
            .collect();
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
        self.write(client, ctx, &request.planned).await
    }

    async fn delete(
        &self,
        client: &Client,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let cleared = match cluster_of(&request.prior) {
            Ok(cluster) => {
                let path = format!("/v2/databases/{}/firewall", segment(&cluster));
                match client.put(ctx, &path, &json!({ "rules": [] })).await {
                    Ok(_) => Ok(()),
                    Err(e) if e.is_not_found() => Ok(()),
                    Err(e) => Err(e
                        .diagnostic(&format!(
                            "emptying the firewall of the database cluster {cluster}"
                        ))
                        .into()),
                }
            }
            Err(d) => Err(d),
        };
        DeleteResponse {
            diagnostics: cleared.err().unwrap_or_default(),
            ..DeleteResponse::default()
        }
    }

    async fn list(&self, client: &Client, ctx: &Context) -> ListResponse {
        let source = list::Source {
            path: "/v2/databases",
            key: "databases",
            paginated: false,
            what: "listing database firewalls",
        };
        let guarded = |cluster: &Json| !listed_rules(cluster).is_empty();
        list::objects(client, ctx, &source, guarded, |cluster| {
            let id = attrs::json_id(cluster).unwrap_or_default();
            state(&id, &listed_rules(cluster), &list::nothing())
        })
        .await
    }

    async fn import(&self, client: &Client, ctx: &Context, cluster: &str) -> ObjectResponse {
        match rules_of(client, ctx, cluster).await {
            Ok(rules) => ObjectResponse::ok(state(cluster, &rules, &Value::object::<&str>([]))),
            Err(e) => ObjectResponse::failed(e.diagnostic(&format!(
                "importing the firewall of the database cluster {cluster:?}"
            ))),
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let Ok(cluster) = cluster_of(&request.planned) else {
            return AdoptResponse::default();
        };
        match rules_of(client, ctx, &cluster).await {
            Ok(rules)
                if !rules.is_empty()
                    && pairs_of_json(&rules) == pairs_of_blocks(&request.planned) =>
            {
                AdoptResponse {
                    found: Some(state(&cluster, &rules, &request.planned)),
                    ..AdoptResponse::default()
                }
            }
            Ok(_) => AdoptResponse::default(),
            Err(e) if e.is_not_found() => AdoptResponse::default(),
            Err(e) => AdoptResponse {
                diagnostics: e
                    .diagnostic("looking for a database firewall an interrupted create made")
                    .into(),
                ..AdoptResponse::default()
            },
        }
    }
}

impl DatabaseFirewall {
    /// Puts the configured rules on the cluster.
    async fn write(&self, client: &Client, ctx: &Context, planned: &Value) -> ObjectResponse {
        let cluster = match cluster_of(planned) {
            Ok(cluster) => cluster,
            Err(d) => return ObjectResponse::failed(d),
        };
        match put(client, ctx, &cluster, planned).await {
            Ok(rules) => ObjectResponse::ok(state(&cluster, &rules, planned)),
            Err(e) => ObjectResponse::failed(e.diagnostic_for(
                &format!("setting the firewall of the database cluster {cluster}"),
                &["cluster_id", "rule"],
            )),
        }
    }
}
