//! `digitalocean_reserved_ip`: a reserved IPv4 address in a region, optionally assigned to a
//! Droplet (`droplet_id`; assignments are actions, waited for). A reserved IP has neither tags
//! nor a name. One made for a Droplet is created assigned to it in a single request, so from its
//! first moment it is found by its Droplet: a create killed at any point is adopted (after any
//! assignment still in flight has finished), and a create retried after a server error finds it
//! instead of making a second one. A region-only address has nothing to be found by: that create
//! is not crash safe, and is not retried after a server error either, so it is never made twice.
//! Its id, and its import id, is the address.

use async_trait::async_trait;
use plinth_sdk::wait::Poll;
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
use crate::resources::{id, timeouts, update_failed};

/// The resource type.
pub struct ReservedIp;

const TYPE: &str = "digitalocean_reserved_ip";

/// The state of a reserved IP.
pub fn state(json: &Json, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let ip = json.get("ip").and_then(Json::as_str).unwrap_or_default();
    state
        .set("id", ip)
        .set("ip_address", ip)
        .set("urn", format!("do:reservedip:{ip}"))
        .set(
            "region",
            json.pointer("/region/slug")
                .and_then(Json::as_str)
                .map_or(Value::Null, Value::from),
        )
        .set(
            "droplet_id",
            json.pointer("/droplet/id")
                .and_then(Json::as_f64)
                .map_or(Value::Null, Value::from),
        );
    state.build()
}

/// The reserved IP at `ip`, or None when it is gone.
pub async fn get(client: &Client, ctx: &Context, ip: &str) -> Result<Option<Json>, Error> {
    let path = format!("/v2/reserved_ips/{ip}");
    match client.get(ctx, &path).await {
        Ok(answer) => take(answer, "reserved_ip", "GET", &path).map(Some),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Assigns `ip` to `droplet` (or unassigns it, with None) and waits for the action.
pub async fn assign(
    client: &Client,
    ctx: &Context,
    ip: &str,
    droplet: Option<u64>,
) -> Result<(), Error> {
    let path = format!("/v2/reserved_ips/{ip}/actions");
    let (body, doing) = match droplet {
        Some(droplet) => (
            json!({ "type": "assign", "droplet_id": droplet }),
            format!("assigning the reserved IP {ip} to the Droplet {droplet}"),
        ),
        None => (
            json!({ "type": "unassign" }),
            format!("unassigning the reserved IP {ip}"),
        ),
    };
    client.act(ctx, &path, &body, &doing).await
}

/// The Droplet an address is assigned to.
pub fn assigned_droplet(json: &Json) -> Option<u64> {
    json.pointer("/droplet/id").and_then(Json::as_u64)
}

/// Whether an action (an assignment) is still running on the address.
fn is_locked(json: &Json) -> bool {
    json.get("locked").and_then(Json::as_bool) == Some(true)
}

/// The reserved IP at `ip` once no action runs on it any more (None when it is gone): an
/// assignment in flight shows no Droplet yet.
pub async fn settled(
    client: &Client,
    ctx: &Context,
    ip: &str,
    doing: &str,
) -> Result<Option<Json>, Error> {
    let what = format!("{doing}: waiting for the actions on {ip} to finish");
    client
        .wait_for(ctx, &what, || async {
            match get(client, ctx, ip).await? {
                Some(json) if is_locked(&json) => Ok(Poll::Pending("locked by an action".into())),
                found => Ok(Poll::Ready(found)),
            }
        })
        .await
}

/// The reserved IP assigned to `droplet`, if any; addresses still being assigned somewhere are
/// waited for first, since one of them may be the one asked about.
async fn assigned_to(client: &Client, ctx: &Context, droplet: u64) -> Result<Option<Json>, Error> {
    let all = client
        .list_all(ctx, "/v2/reserved_ips", &[], "reserved_ips")
        .await?;
    if let Some(found) = all.iter().find(|r| assigned_droplet(r) == Some(droplet)) {
        return Ok(Some(found.clone()));
    }
    let in_flight = all
        .iter()
        .filter(|r| is_locked(r) && assigned_droplet(r).is_none())
        .filter_map(|r| r.get("ip")?.as_str());
    for ip in in_flight {
        let doing = format!("looking for the reserved IP of the Droplet {droplet}");
        if let Some(now) = settled(client, ctx, ip, &doing).await? {
            if assigned_droplet(&now) == Some(droplet) {
                return Ok(Some(now));
            }
        }
    }
    Ok(None)
}

/// Reserves an address in `region` alone: one request, never retried (nothing could find a
/// second one).
async fn reserve_in_region(
    client: &Client,
    ctx: &Context,
    planned: &Value,
    region: &str,
    doing: &str,
) -> ObjectResponse {
    let made = client
        .create_once(
            ctx,
            "/v2/reserved_ips",
            "reserved_ip",
            &json!({ "region": region }),
        )
        .await;
    match made {
        Ok(made) => ObjectResponse::ok(state(&made, planned)),
        Err(e) => ObjectResponse::failed(e.diagnostic_for(doing, &["region"])),
    }
}

#[async_trait]
impl Resource<Client> for ReservedIp {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The address."),
            )
            .attr(
                "ip_address",
                Attribute::computed(Type::String).describe("The address."),
            )
            .attr(
                "urn",
                Attribute::computed(Type::String).describe("The address's uniform resource name."),
            )
            .attr(
                "region",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The region slug."),
            )
            .attr(
                "droplet_id",
                Attribute::optional_computed(Type::Number)
                    .describe("The Droplet it is assigned to."),
            )
            .timeouts(timeouts(10, 10, 10))
            .crash_safety(CrashSafety::NotCrashSafe)
            .describe("A reserved IPv4 address.")
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let region = attrs::string(planned, "region").unwrap_or_default();
        let droplet = attrs::integer(planned, "droplet_id");
        let doing = format!("reserving an IP address in {region}");
        let Some(droplet) = droplet else {
            return reserve_in_region(client, ctx, planned, region, &doing).await;
        };
        let doing = format!("reserving an IP address for the Droplet {droplet}");
        let made = client
            .create(
                ctx,
                "/v2/reserved_ips",
                "reserved_ip",
                &json!({ "droplet_id": droplet }),
                || assigned_to(client, ctx, droplet),
            )
            .await;
        let made = match made {
            Ok(made) => made,
            Err(e) => return ObjectResponse::failed(e.diagnostic_for(&doing, &["droplet_id"])),
        };
        let ip = made
            .get("ip")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        match settled(client, ctx, &ip, &doing).await {
            Ok(Some(json)) if assigned_droplet(&json) == Some(droplet) => {
                ObjectResponse::ok(state(&json, planned))
            }
            Ok(now) => ObjectResponse::partial(
                state(now.as_ref().unwrap_or(&made), planned),
                plinth_sdk::Diagnostic::error(format!(
                    "{doing} failed: DigitalOcean reserved {ip} but did not assign it"
                ))
                .with_attribute(plinth_sdk::AttrPath::attr("droplet_id")),
            ),
            Err(e) => ObjectResponse::partial(
                state(&made, planned),
                e.diagnostic_for(&doing, &["droplet_id"]),
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
            path: "/v2/reserved_ips",
            query: &[],
            key: "reserved_ips",
            item_key: "reserved_ip",
            paginated: true,
            what: "reading reserved IPs",
        };
        let results = read_listed(
            client,
            ctx,
            &listing,
            &objects,
            |ip| format!("/v2/reserved_ips/{ip}"),
            |json| json.get("ip").and_then(Json::as_str).map(str::to_string),
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
        let ip = match id(prior, TYPE) {
            Ok(ip) => ip,
            Err(d) => return ObjectResponse::failed(d),
        };
        let before = attrs::integer(prior, "droplet_id");
        let after = attrs::integer(planned, "droplet_id");
        let doing = format!("changing the assignment of the reserved IP {ip}");
        if before != after {
            let moved = async {
                if before.is_some() {
                    assign(client, ctx, &ip, None).await?;
                }
                if after.is_some() {
                    assign(client, ctx, &ip, after).await?;
                }
                Ok::<(), Error>(())
            };
            if let Err(e) = moved.await {
                let now = get(client, ctx, &ip)
                    .await
                    .ok()
                    .flatten()
                    .map(|json| state(&json, prior));
                return update_failed(now, e.diagnostic_for(&doing, &["droplet_id"]));
            }
        }
        match get(client, ctx, &ip).await {
            Ok(Some(json)) => ObjectResponse::ok(state(&json, planned)),
            Ok(None) => ObjectResponse::failed(plinth_sdk::Diagnostic::error(format!(
                "{doing} failed: the reserved IP is gone"
            ))),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn delete(
        &self,
        client: &Client,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let ip = match id(&request.prior, TYPE) {
            Ok(ip) => ip,
            Err(diagnostics) => {
                return DeleteResponse {
                    diagnostics,
                    ..DeleteResponse::default()
                }
            }
        };
        let doing = format!("deleting the reserved IP {ip}");
        let deleted = async {
            match settled(client, ctx, &ip, &doing).await? {
                None => return Ok(()),
                Some(json) if assigned_droplet(&json).is_some() => {
                    assign(client, ctx, &ip, None).await?;
                }
                Some(_) => {}
            }
            client.delete(ctx, &format!("/v2/reserved_ips/{ip}")).await
        };
        DeleteResponse {
            diagnostics: deleted
                .await
                .err()
                .map(|e| e.diagnostic(&doing).into())
                .unwrap_or_default(),
            ..DeleteResponse::default()
        }
    }

    async fn list(&self, client: &Client, ctx: &Context) -> ListResponse {
        let source = list::Source {
            path: "/v2/reserved_ips",
            key: "reserved_ips",
            paginated: true,
            what: "listing reserved IPs",
        };
        list::objects(client, ctx, &source, list::all, |json| {
            state(json, &list::nothing())
        })
        .await
    }

    async fn import(&self, client: &Client, ctx: &Context, ip: &str) -> ObjectResponse {
        let doing = format!("importing the reserved IP {ip:?}");
        match get(client, ctx, ip).await {
            Ok(Some(json)) => ObjectResponse::ok(state(&json, &Value::object::<&str>([]))),
            Ok(None) => ObjectResponse::failed(plinth_sdk::Diagnostic::error(format!(
                "{doing} failed: DigitalOcean has no such reserved IP"
            ))),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let Some(droplet) = attrs::integer(&request.planned, "droplet_id") else {
            return AdoptResponse::default();
        };
        match assigned_to(client, ctx, droplet).await {
            Ok(found) => AdoptResponse {
                found: found.map(|json| state(&json, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) => AdoptResponse {
                diagnostics: e
                    .diagnostic("looking for a reserved IP an interrupted create made")
                    .into(),
                ..AdoptResponse::default()
            },
        }
    }
}
