//! Changing a Droplet in place, and planning what such a change makes unknown.
//!
//! A resize powers the Droplet off (a graceful `shutdown` first when `graceful_shutdown` is set,
//! falling back to `power_off`), resizes it (with its disk when `resize_disk` is true) and powers
//! it on again if it was on; a rename, backups and IPv6 are Droplet actions; tags go through
//! `/v2/tags` and volumes through volume attach/detach actions. Every action is waited for. When
//! a step fails, the Droplet is read again and returned as it now is, with the error.

use plinth_sdk::{AttrPath, Context, ObjectResponse, PlanResponse, Value};
use serde_json::{json, Value as Json};

use super::{state, TYPE};
use crate::attrs;
use crate::client::{take, Client, Error};
use crate::intent;
use crate::resources::{id, retag, update_failed};

/// Refines the plan of an update: turning IPv6 off replaces the Droplet; a resize makes its
/// size-derived attributes unknown, enabling IPv6 its address.
pub fn plan(prior: &Value, mut proposed: Value) -> PlanResponse {
    let mut requires_replace = Vec::new();
    let ipv6_before = attrs::boolean(prior, "ipv6", false);
    let ipv6_after = attrs::boolean(&proposed, "ipv6", false);
    if ipv6_before && !ipv6_after {
        requires_replace.push(AttrPath::attr("ipv6"));
    }
    if let Value::Map(map) = &mut proposed {
        if attrs::changed(prior, &Value::Map(map.clone()), "size") {
            for name in ["vcpus", "memory", "price_hourly", "price_monthly"] {
                map.insert(name.to_string(), Value::Unknown);
            }
            if map
                .get("resize_disk")
                .and_then(Value::as_bool)
                .unwrap_or(true)
            {
                map.insert("disk".to_string(), Value::Unknown);
            }
        }
        if !ipv6_before && ipv6_after {
            map.insert("ipv6_address".to_string(), Value::Unknown);
        }
    }
    PlanResponse {
        planned: proposed,
        requires_replace,
        ..PlanResponse::default()
    }
}

/// Applies an in-place change.
pub async fn apply(
    client: &Client,
    ctx: &Context,
    prior: &Value,
    planned: &Value,
) -> ObjectResponse {
    let id = match id(prior, TYPE) {
        Ok(id) => id,
        Err(diagnostics) => return ObjectResponse::failed(diagnostics),
    };
    let path = format!("/v2/droplets/{id}");
    let changing = Changing {
        client,
        ctx,
        id: &id,
        path: &path,
    };
    match changing.run(prior, planned).await {
        Ok(()) => match changing.current().await {
            Ok(json) => ObjectResponse::ok(state(&json, planned)),
            Err(e) => ObjectResponse::failed(
                e.diagnostic(&format!("reading the Droplet {id} after its update")),
            ),
        },
        Err((doing, e)) => {
            let now = changing
                .current()
                .await
                .ok()
                .map(|json| state(&json, prior));
            update_failed(now, e.diagnostic(&doing))
        }
    }
}

/// One Droplet being changed.
struct Changing<'a> {
    client: &'a Client,
    ctx: &'a Context,
    id: &'a str,
    path: &'a str,
}

type Step = Result<(), (String, Error)>;

impl Changing<'_> {
    async fn current(&self) -> Result<Json, Error> {
        take(
            self.client.get(self.ctx, self.path).await?,
            "droplet",
            "GET",
            self.path,
        )
    }

    /// Posts a Droplet action and waits for it.
    async fn act(&self, body: Json, doing: &str) -> Step {
        let path = format!("{}/actions", self.path);
        self.client
            .act(self.ctx, &path, &body, doing)
            .await
            .map_err(|e| (doing.to_string(), e))
    }

    async fn run(&self, prior: &Value, planned: &Value) -> Step {
        let id = self.id;
        if attrs::changed(prior, planned, "name") {
            let name = attrs::string(planned, "name").unwrap_or_default();
            self.act(
                json!({"type": "rename", "name": name}),
                &format!("renaming the Droplet {id} to {name:?}"),
            )
            .await?;
        }
        if attrs::changed(prior, planned, "size") {
            self.resize(planned).await?;
        }
        let backups = attrs::boolean(planned, "backups", false);
        if backups != attrs::boolean(prior, "backups", false) {
            let kind = if backups {
                "enable_backups"
            } else {
                "disable_backups"
            };
            self.act(
                json!({"type": kind}),
                &format!(
                    "{} backups of the Droplet {id}",
                    if backups { "enabling" } else { "disabling" }
                ),
            )
            .await?;
        }
        if attrs::boolean(planned, "ipv6", false) && !attrs::boolean(prior, "ipv6", false) {
            self.act(
                json!({"type": "enable_ipv6"}),
                &format!("enabling IPv6 on the Droplet {id}"),
            )
            .await?;
        }
        let (from, to) = (
            attrs::strings(prior, "tags"),
            attrs::strings(planned, "tags"),
        );
        if sorted(&from) != sorted(&to) {
            retag(self.client, self.ctx, "droplet", id, &from, &to)
                .await
                .map_err(|e| (format!("changing the tags of the Droplet {id}"), e))?;
        }
        if planned
            .get("volume_ids")
            .is_some_and(|v| !v.is_null() && !v.is_unknown())
        {
            let (from, to) = (
                attrs::strings(prior, "volume_ids"),
                attrs::strings(planned, "volume_ids"),
            );
            if sorted(&from) != sorted(&to) {
                self.move_volumes(&from, &to).await?;
            }
        }
        Ok(())
    }

    /// Powers off, resizes and powers on again (if it was on).
    async fn resize(&self, planned: &Value) -> Step {
        let id = self.id;
        let size = attrs::string(planned, "size").unwrap_or_default();
        let current = self
            .current()
            .await
            .map_err(|e| (format!("reading the Droplet {id}"), e))?;
        let was_on = current.get("status").and_then(Json::as_str) == Some("active");
        if was_on {
            let off = format!("powering off the Droplet {id} to resize it");
            let shut_down = if attrs::boolean(planned, "graceful_shutdown", false) {
                self.act(json!({"type": "shutdown"}), &off).await.is_ok()
            } else {
                false
            };
            if !shut_down {
                self.act(json!({"type": "power_off"}), &off).await?;
            }
        }
        let disk = attrs::boolean(planned, "resize_disk", true);
        let resized = self
            .act(
                json!({"type": "resize", "size": size, "disk": disk}),
                &format!("resizing the Droplet {id} to {size}"),
            )
            .await;
        if was_on {
            let on = self
                .act(
                    json!({"type": "power_on"}),
                    &format!("powering the Droplet {id} on after its resize"),
                )
                .await;
            resized?;
            return on;
        }
        resized
    }

    /// Attaches and detaches volumes so that exactly `to` are attached.
    async fn move_volumes(&self, from: &[String], to: &[String]) -> Step {
        let id = self.id;
        let droplet: u64 = id.parse().unwrap_or_default();
        let current = self
            .current()
            .await
            .map_err(|e| (format!("reading the Droplet {id}"), e))?;
        let region = current
            .pointer("/region/slug")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        for volume in from.iter().filter(|v| !to.contains(v)) {
            let doing = format!("detaching the volume {volume} from the Droplet {id}");
            let body = json!({"type": "detach", "droplet_id": droplet, "region": region});
            self.client
                .act(
                    self.ctx,
                    &format!("/v2/volumes/{volume}/actions"),
                    &body,
                    &doing,
                )
                .await
                .map_err(|e| (doing, e))?;
        }
        for volume in to.iter().filter(|v| !from.contains(v)) {
            let doing = format!("attaching the volume {volume} to the Droplet {id}");
            let body = json!({"type": "attach", "droplet_id": droplet, "region": region});
            self.client
                .act(
                    self.ctx,
                    &format!("/v2/volumes/{volume}/actions"),
                    &body,
                    &doing,
                )
                .await
                .map_err(|e| (doing, e))?;
        }
        Ok(())
    }
}

fn sorted(items: &[String]) -> Vec<&String> {
    let mut items: Vec<&String> = items.iter().filter(|t| !intent::is_intent(t)).collect();
    items.sort();
    items.dedup();
    items
}
