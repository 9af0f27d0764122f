//! Listing every object of a type, for `plinth drift -unmanaged`: the type's list endpoint read
//! 200 objects a call, each object rendered as `import` returns it, and the objects DigitalOcean
//! makes and owns itself (a region's default VPC, a domain's SOA and NS records) or plinth's own
//! bookkeeping (intent tags) left out, since no configuration could manage them.

use plinth_sdk::{Context, ListResponse, Value};
use serde_json::Value as Json;

use crate::client::{Client, Error};

/// Where a type's objects are listed.
pub struct Source<'a> {
    /// The list path (`/v2/droplets`).
    pub path: &'a str,
    /// The key of the list's items (`droplets`).
    pub key: &'a str,
    /// Whether the list is paginated (`GET /v2/databases` is not).
    pub paginated: bool,
    /// What is being listed, for errors ("listing Droplets").
    pub what: &'a str,
}

/// Every item at `source`.
pub async fn items(
    client: &Client,
    ctx: &Context,
    source: &Source<'_>,
) -> Result<Vec<Json>, Error> {
    if source.paginated {
        return client.list_all(ctx, source.path, &[], source.key).await;
    }
    let answer = client.get(ctx, source.path).await?;
    Ok(answer
        .get(source.key)
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default())
}

/// Every object at `source` that `keep` accepts, rendered by `render` (a type's `state` with no
/// prior value, as its `import` does).
pub async fn objects(
    client: &Client,
    ctx: &Context,
    source: &Source<'_>,
    keep: impl Fn(&Json) -> bool,
    render: impl Fn(&Json) -> Value,
) -> ListResponse {
    answer(
        items(client, ctx, source)
            .await
            .map(|items| items.iter().filter(|i| keep(i)).map(&render).collect()),
        source.what,
    )
}

/// A list answer from the objects listed, or the error that stopped the listing.
pub fn answer(listed: Result<Vec<Value>, Error>, what: &str) -> ListResponse {
    match listed {
        Ok(objects) => ListResponse {
            supported: true,
            objects,
            ..ListResponse::default()
        },
        Err(e) => ListResponse {
            supported: true,
            diagnostics: e.diagnostic(what).into(),
            ..ListResponse::default()
        },
    }
}

/// Keeps everything.
pub fn all(_: &Json) -> bool {
    true
}

/// An empty prior value: what `import` renders objects over.
pub fn nothing() -> Value {
    Value::object::<&str>([])
}
