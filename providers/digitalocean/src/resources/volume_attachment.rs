//! `digitalocean_volume_attachment`: a volume attached to a Droplet, through the volume's
//! `attach` and `detach` actions (waited for). The pair identifies it, so an interrupted create
//! is found by looking at the volume. Refresh lists volumes, 200 a call, and checks each
//! attachment against its volume's `droplet_ids`.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, AttrPath, Attribute, Context, CrashSafety, CreateRequest,
    DeleteRequest, DeleteResponse, Diagnostic, ObjectResponse, ReadManyResponse, ReadResult,
    Resource, Schema, Type, UpdateRequest, Value,
};
use serde_json::{json, Value as Json};

use crate::attrs::{self, State};
use crate::client::{segment, take, Client, Error};
use crate::resources::timeouts;

/// The resource type.
pub struct VolumeAttachment;

const TYPE: &str = "digitalocean_volume_attachment";

/// The attachment's two ends, or why they are missing.
fn ends(object: &Value) -> Result<(u64, String), plinth_sdk::Diagnostics> {
    match (
        attrs::integer(object, "droplet_id"),
        attrs::string(object, "volume_id"),
    ) {
        (Some(droplet), Some(volume)) => Ok((droplet, volume.to_string())),
        _ => {
            Err(Diagnostic::error(format!("{TYPE}: droplet_id and volume_id are required")).into())
        }
    }
}

fn state(prior: &Value, droplet: u64, volume: &str) -> Value {
    let mut state = State::from(prior);
    state
        .set("id", format!("{droplet}-{volume}"))
        .set("droplet_id", droplet as f64)
        .set("volume_id", volume);
    state.build()
}

/// The volume, or None when it is gone.
async fn volume(client: &Client, ctx: &Context, id: &str) -> Result<Option<Json>, Error> {
    let path = format!("/v2/volumes/{}", segment(id));
    match client.get(ctx, &path).await {
        Ok(answer) => take(answer, "volume", "GET", &path).map(Some),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

fn attached(volume: &Json, droplet: u64) -> bool {
    volume
        .get("droplet_ids")
        .and_then(Json::as_array)
        .is_some_and(|ids| ids.iter().any(|d| d.as_u64() == Some(droplet)))
}

/// Runs a volume action (`attach`/`detach`) and waits for it.
async fn act(
    client: &Client,
    ctx: &Context,
    kind: &str,
    droplet: u64,
    volume: &Json,
) -> Result<(), Error> {
    let id = attrs::json_id(volume).unwrap_or_default();
    let region = volume
        .pointer("/region/slug")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let body = json!({ "type": kind, "droplet_id": droplet, "region": region });
    let doing = format!("{kind}ing the volume {id} and the Droplet {droplet}");
    client
        .act(
            ctx,
            &format!("/v2/volumes/{}/actions", segment(&id)),
            &body,
            &doing,
        )
        .await
}

#[async_trait]
impl Resource<Client> for VolumeAttachment {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("`<droplet_id>-<volume_id>`."),
            )
            .attr(
                "droplet_id",
                Attribute::required(Type::Number)
                    .force_new()
                    .describe("The Droplet's id."),
            )
            .attr(
                "volume_id",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The volume's id."),
            )
            .timeouts(timeouts(10, 10, 10))
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("A volume attached to a Droplet, found after a crash by the pair.")
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let (droplet, volume_id) = match ends(&request.planned) {
            Ok(ends) => ends,
            Err(d) => return ObjectResponse::failed(d),
        };
        let doing = format!("attaching the volume {volume_id} to the Droplet {droplet}");
        let found = match volume(client, ctx, &volume_id).await {
            Ok(Some(found)) => found,
            Ok(None) => {
                return ObjectResponse::failed(
                    Diagnostic::error(format!("{doing} failed: the volume does not exist"))
                        .with_attribute(AttrPath::attr("volume_id")),
                )
            }
            Err(e) => return ObjectResponse::failed(e.diagnostic(&doing)),
        };
        if !attached(&found, droplet) {
            if let Err(e) = act(client, ctx, "attach", droplet, &found).await {
                return ObjectResponse::failed(
                    e.diagnostic_for(&doing, &["droplet_id", "volume_id"]),
                );
            }
        }
        ObjectResponse::ok(state(&request.planned, droplet, &volume_id))
    }

    async fn read_many(
        &self,
        client: &Client,
        ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let volumes = match client.list_all(ctx, "/v2/volumes", &[], "volumes").await {
            Ok(volumes) => volumes,
            Err(e) => {
                let diagnostic = e.diagnostic("reading volume attachments");
                return ReadManyResponse {
                    results: objects
                        .iter()
                        .map(|_| ReadResult::Failed(diagnostic.clone().into()))
                        .collect(),
                    ..ReadManyResponse::default()
                };
            }
        };
        let attachments: HashMap<String, HashSet<u64>> = volumes
            .iter()
            .filter_map(|v| {
                let ids = v
                    .get("droplet_ids")?
                    .as_array()?
                    .iter()
                    .filter_map(Json::as_u64)
                    .collect();
                Some((attrs::json_id(v)?, ids))
            })
            .collect();
        let results = objects
            .iter()
            .map(|object| match ends(object) {
                Ok((droplet, volume))
                    if attachments
                        .get(&volume)
                        .is_some_and(|d| d.contains(&droplet)) =>
                {
                    ReadResult::Found(state(object, droplet, &volume))
                }
                Ok(_) => ReadResult::Gone,
                Err(d) => ReadResult::Failed(d),
            })
            .collect();
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
        // Both ends force a replacement: an update only carries computed values over.
        ObjectResponse::ok(request.planned)
    }

    async fn delete(
        &self,
        client: &Client,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let (droplet, volume_id) = match ends(&request.prior) {
            Ok(ends) => ends,
            Err(diagnostics) => {
                return DeleteResponse {
                    diagnostics,
                    ..DeleteResponse::default()
                }
            }
        };
        let doing = format!("detaching the volume {volume_id} from the Droplet {droplet}");
        let detached = async {
            match volume(client, ctx, &volume_id).await? {
                Some(found) if attached(&found, droplet) => {
                    act(client, ctx, "detach", droplet, &found).await
                }
                _ => Ok(()),
            }
        };
        DeleteResponse {
            diagnostics: detached
                .await
                .err()
                .map(|e| e.diagnostic(&doing).into())
                .unwrap_or_default(),
            ..DeleteResponse::default()
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let Ok((droplet, volume_id)) = ends(&request.planned) else {
            return AdoptResponse::default();
        };
        match volume(client, ctx, &volume_id).await {
            Ok(Some(found)) if attached(&found, droplet) => AdoptResponse {
                found: Some(state(&request.planned, droplet, &volume_id)),
                ..AdoptResponse::default()
            },
            Ok(_) => AdoptResponse::default(),
            Err(e) => AdoptResponse {
                diagnostics: e
                    .diagnostic("looking for a volume attachment an interrupted create made")
                    .into(),
                ..AdoptResponse::default()
            },
        }
    }
}
