//! The managed resource types, one module each, named and shaped as the Terraform DigitalOcean
//! provider (digitalocean/digitalocean v2) has them, and the helpers they share: reading the id
//! out of state, tagging and untagging objects, and cleaning up intent tags.

pub mod database_cluster;
pub mod database_firewall;
pub mod domain;
pub mod droplet;
pub mod firewall;
pub mod loadbalancer;
pub mod record;
pub mod reserved_ip;
pub mod reserved_ip_assignment;
pub mod ssh_key;
pub mod tag;
pub mod volume;
pub mod volume_attachment;
pub mod vpc;

use std::time::Duration;

use plinth_sdk::wait::Poll;
use plinth_sdk::{Context, Diagnostic, Diagnostics, ObjectResponse, Timeouts, Value};
use serde_json::{json, Value as Json};

use crate::attrs;
use crate::client::{Client, Error};
use crate::intent;

/// The id of an object as state holds it, or an error saying it has none.
pub fn id(object: &Value, type_name: &str) -> Result<String, Diagnostics> {
    attrs::string(object, "id")
        .map(str::to_string)
        .ok_or_else(|| Diagnostic::error(format!("{type_name}: the object has no id")).into())
}

/// Timeouts of `minutes` for create, update and delete.
pub fn timeouts(create: u64, update: u64, delete: u64) -> Timeouts {
    let minutes = |m: u64| Some(Duration::from_secs(m * 60));
    Timeouts {
        create: minutes(create),
        update: minutes(update),
        delete: minutes(delete),
        read: None,
    }
}

/// A failed update: what exists now when `current` could read it, else "nothing changed".
pub fn update_failed(current: Option<Value>, diagnostic: Diagnostic) -> ObjectResponse {
    match current {
        Some(now) => ObjectResponse::partial(now, diagnostic),
        None => ObjectResponse::failed(diagnostic),
    }
}

/// Brings an object's tags (`resource_type` `droplet` or `volume`) from `from` to `to`
/// through `/v2/tags/{tag}/resources`, creating tags that do not exist yet.
pub async fn retag(
    client: &Client,
    ctx: &Context,
    resource_type: &str,
    resource_id: &str,
    from: &[String],
    to: &[String],
) -> Result<(), Error> {
    let resources = json!({
        "resources": [{ "resource_id": resource_id, "resource_type": resource_type }]
    });
    for tag in to.iter().filter(|t| !from.contains(t)) {
        match client.post(ctx, "/v2/tags", &json!({ "name": tag })).await {
            Ok(_) => {}
            // A tag that exists already is what was wanted.
            Err(Error::Api(api)) if api.status == 422 || api.status == 409 => {}
            Err(e) => return Err(e),
        }
        let path = format!("/v2/tags/{}/resources", crate::client::segment(tag));
        client.post(ctx, &path, &resources).await?;
    }
    for tag in from.iter().filter(|t| !to.contains(t)) {
        let path = format!("/v2/tags/{}/resources", crate::client::segment(tag));
        client.delete_with(ctx, &path, Some(&resources)).await?;
    }
    Ok(())
}

/// Deletes the intent tags an object carried, once the object is gone (no object carries them
/// any more). A failure is only a warning: the object itself is deleted.
pub async fn delete_intent_tags(client: &Client, ctx: &Context, object: &Json) -> Diagnostics {
    let mut warnings = Diagnostics::new();
    for tag in intent::intent_tags(object) {
        let path = format!("/v2/tags/{}", crate::client::segment(&tag));
        if let Err(e) = client.delete(ctx, &path).await {
            warnings.push(Diagnostic::warning(format!(
                "the object is deleted, but its bookkeeping tag {tag} is left: {e}"
            )));
        }
    }
    warnings
}

/// Waits until `GET path` answers 404 (DigitalOcean finishes some deletes after answering).
pub async fn wait_gone(
    client: &Client,
    ctx: &Context,
    path: &str,
    doing: &str,
) -> Result<(), Error> {
    let what = format!("{doing}: waiting for it to be gone");
    client
        .wait_for(ctx, &what, || async {
            match client.get(ctx, path).await {
                Err(e) if e.is_not_found() => Ok(Poll::Ready(())),
                Err(e) => Err(e),
                Ok(_) => Ok(Poll::Pending("still there".into())),
            }
        })
        .await
}

/// A JSON value for an id written as digits: a number, else the string as it is.
pub fn id_json(id: &str) -> Json {
    id.parse::<u64>().map_or_else(|_| json!(id), |n| json!(n))
}
