//! `digitalocean_reserved_ip_assignment`: a reserved IP assigned to a Droplet, through the
//! address's `assign` and `unassign` actions (waited for). The pair identifies it, so an
//! interrupted create is found by looking at the address once the actions still running on it
//! (an assignment a killed run started) have finished. Refresh lists reserved IPs, 200 a call.
//! Imported as `ip,droplet_id`.

use std::collections::HashMap;

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, Diagnostic, Diagnostics, ObjectResponse, ReadManyResponse, ReadResult,
    Resource, Schema, Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::client::Client;
use crate::resources::reserved_ip::{assign, assigned_droplet, get, settled};
use crate::resources::timeouts;

/// The resource type.
pub struct ReservedIpAssignment;

const TYPE: &str = "digitalocean_reserved_ip_assignment";

fn ends(object: &Value) -> Result<(String, u64), Diagnostics> {
    match (
        attrs::string(object, "ip_address"),
        attrs::integer(object, "droplet_id"),
    ) {
        (Some(ip), Some(droplet)) => Ok((ip.to_string(), droplet)),
        _ => {
            Err(Diagnostic::error(format!("{TYPE}: ip_address and droplet_id are required")).into())
        }
    }
}

fn state(prior: &Value, ip: &str, droplet: u64) -> Value {
    let mut state = State::from(prior);
    state
        .set("id", format!("{ip},{droplet}"))
        .set("ip_address", ip)
        .set("droplet_id", droplet as f64);
    state.build()
}

#[async_trait]
impl Resource<Client> for ReservedIpAssignment {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("`<ip_address>,<droplet_id>`."),
            )
            .attr(
                "ip_address",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The reserved IP."),
            )
            .attr(
                "droplet_id",
                Attribute::required(Type::Number)
                    .force_new()
                    .describe("The Droplet's id."),
            )
            .timeouts(timeouts(10, 10, 10))
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("A reserved IP assigned to a Droplet, found after a crash by the pair.")
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let (ip, droplet) = match ends(&request.planned) {
            Ok(ends) => ends,
            Err(d) => return ObjectResponse::failed(d),
        };
        let doing = format!("assigning the reserved IP {ip} to the Droplet {droplet}");
        let already = match settled(client, ctx, &ip, &doing).await {
            Ok(found) => found.as_ref().and_then(assigned_droplet) == Some(droplet),
            Err(e) => return ObjectResponse::failed(e.diagnostic(&doing)),
        };
        if !already {
            if let Err(e) = assign(client, ctx, &ip, Some(droplet)).await {
                return ObjectResponse::failed(
                    e.diagnostic_for(&doing, &["ip_address", "droplet_id"]),
                );
            }
        }
        ObjectResponse::ok(state(&request.planned, &ip, droplet))
    }

    async fn read_many(
        &self,
        client: &Client,
        ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let all = match client
            .list_all(ctx, "/v2/reserved_ips", &[], "reserved_ips")
            .await
        {
            Ok(all) => all,
            Err(e) => {
                let diagnostic = e.diagnostic("reading reserved IP assignments");
                return ReadManyResponse {
                    results: objects
                        .iter()
                        .map(|_| ReadResult::Failed(diagnostic.clone().into()))
                        .collect(),
                    ..ReadManyResponse::default()
                };
            }
        };
        let assigned: HashMap<String, Option<u64>> = all
            .iter()
            .filter_map(|r| Some((r.get("ip")?.as_str()?.to_string(), assigned_droplet(r))))
            .collect();
        let results = objects
            .iter()
            .map(|object| match ends(object) {
                Ok((ip, droplet)) if assigned.get(&ip) == Some(&Some(droplet)) => {
                    ReadResult::Found(state(object, &ip, droplet))
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
        let (ip, droplet) = match ends(&request.prior) {
            Ok(ends) => ends,
            Err(diagnostics) => {
                return DeleteResponse {
                    diagnostics,
                    ..DeleteResponse::default()
                }
            }
        };
        let doing = format!("unassigning the reserved IP {ip} from the Droplet {droplet}");
        let unassigned = async {
            match settled(client, ctx, &ip, &doing).await? {
                Some(found) if assigned_droplet(&found) == Some(droplet) => {
                    assign(client, ctx, &ip, None).await
                }
                _ => Ok(()),
            }
        };
        DeleteResponse {
            diagnostics: unassigned
                .await
                .err()
                .map(|e| e.diagnostic(&doing).into())
                .unwrap_or_default(),
            ..DeleteResponse::default()
        }
    }

    async fn import(&self, client: &Client, ctx: &Context, import_id: &str) -> ObjectResponse {
        let doing = format!("importing the reserved IP assignment {import_id:?}");
        let Some((ip, droplet)) = import_id
            .split_once(',')
            .and_then(|(ip, d)| Some((ip, d.trim().parse::<u64>().ok()?)))
        else {
            return ObjectResponse::failed(Diagnostic::error(format!(
                "{doing} failed: an assignment is imported as `ip,droplet_id` (192.0.2.1,123456)"
            )));
        };
        match get(client, ctx, ip).await {
            Ok(Some(found)) if assigned_droplet(&found) == Some(droplet) => {
                ObjectResponse::ok(state(&Value::object::<&str>([]), ip, droplet))
            }
            Ok(_) => ObjectResponse::failed(Diagnostic::error(format!(
                "{doing} failed: the reserved IP is not assigned to that Droplet"
            ))),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let Ok((ip, droplet)) = ends(&request.planned) else {
            return AdoptResponse::default();
        };
        let doing = format!("looking for the assignment of {ip} to the Droplet {droplet}");
        match settled(client, ctx, &ip, &doing).await {
            Ok(Some(found)) if assigned_droplet(&found) == Some(droplet) => AdoptResponse {
                found: Some(state(&request.planned, &ip, droplet)),
                ..AdoptResponse::default()
            },
            Ok(_) => AdoptResponse::default(),
            Err(e) => AdoptResponse {
                diagnostics: e
                    .diagnostic("looking for a reserved IP assignment an interrupted create made")
                    .into(),
                ..AdoptResponse::default()
            },
        }
    }
}
