//! Batched refresh: every resource type answers `read_many` from DigitalOcean's list endpoints,
//! 200 objects a call, instead of one GET per object. The list is read until every object asked
//! about was seen; when `meta.total` shows more pages left than objects still missing (an
//! account holding far more objects than this state manages), the missing ones are read one by
//! one instead. An object absent from a complete list is confirmed with its own GET before it is
//! reported gone, so a list that lags behind a create never makes plinth forget an object. A list
//! that is itself gone (the records of a deleted domain) reports every object gone.

use std::collections::{HashMap, HashSet};

use plinth_sdk::{Context, Diagnostic, ReadResult, Value};
use serde_json::Value as Json;

use crate::attrs;
use crate::client::{take, Client, Error};

/// Where a type's objects are listed and read one by one.
pub struct Listing<'a> {
    /// The list path (`/v2/droplets`).
    pub path: &'a str,
    /// Query parameters of the list (filters).
    pub query: &'a [(&'a str, &'a str)],
    /// The key of the list's items (`droplets`).
    pub key: &'a str,
    /// The key of a single object's answer (`droplet`).
    pub item_key: &'a str,
    /// Whether the list is paginated (`GET /v2/databases` is not).
    pub paginated: bool,
    /// What is being read, for errors ("reading Droplets").
    pub what: &'a str,
}

/// Reads `objects` (as state has them, each with an `id`): one result per object, in order.
/// `item_path` is the path of one object by id; `id_of` the id of a listed item, as state
/// writes it; `render` turns DigitalOcean's object and the prior value into the new value.
pub async fn read_listed(
    client: &Client,
    ctx: &Context,
    listing: &Listing<'_>,
    objects: &[Value],
    item_path: impl Fn(&str) -> String,
    id_of: impl Fn(&Json) -> Option<String>,
    render: impl Fn(&Json, &Value) -> Value,
) -> Vec<ReadResult> {
    let ids: Vec<Option<String>> = objects
        .iter()
        .map(|o| attrs::string(o, "id").map(str::to_string))
        .collect();
    let wanted: HashSet<&str> = ids.iter().flatten().map(String::as_str).collect();
    let mut found: HashMap<String, Json> = HashMap::new();
    if let Err(error) = list_wanted(client, ctx, listing, &wanted, &id_of, &mut found).await {
        if error.is_not_found() {
            // The list itself is gone (a domain's records, once the domain is deleted).
            return objects.iter().map(|_| ReadResult::Gone).collect();
        }
        let diagnostic = error.diagnostic(listing.what);
        return objects
            .iter()
            .map(|_| ReadResult::Failed(diagnostic.clone().into()))
            .collect();
    }
    let mut results = Vec::with_capacity(objects.len());
    for (object, id) in objects.iter().zip(&ids) {
        let Some(id) = id else {
            results.push(ReadResult::Failed(
                Diagnostic::error(format!("{}: the object in state has no id", listing.what))
                    .into(),
            ));
            continue;
        };
        if let Some(json) = found.get(id) {
            results.push(ReadResult::Found(render(json, object)));
            continue;
        }
        // Not seen in the list (or the list was not read to the end): ask for it alone.
        let path = item_path(id);
        let result = match client.get(ctx, &path).await {
            Ok(answer) => match take(answer, listing.item_key, "GET", &path) {
                Ok(json) => ReadResult::Found(render(&json, object)),
                Err(e) => ReadResult::Failed(e.diagnostic(listing.what).into()),
            },
            Err(e) if e.is_not_found() => ReadResult::Gone,
            Err(e) => ReadResult::Failed(e.diagnostic(listing.what).into()),
        };
        results.push(result);
    }
    results
}

/// Reads the list until every wanted id was seen (or reading on would cost more calls than
/// reading the missing objects alone), keeping the wanted items in `found`.
async fn list_wanted(
    client: &Client,
    ctx: &Context,
    listing: &Listing<'_>,
    wanted: &HashSet<&str>,
    id_of: &impl Fn(&Json) -> Option<String>,
    found: &mut HashMap<String, Json>,
) -> Result<(), Error> {
    if wanted.is_empty() {
        return Ok(());
    }
    let keep = |items: Vec<Json>, found: &mut HashMap<String, Json>| {
        for item in items {
            if let Some(id) = id_of(&item) {
                if wanted.contains(id.as_str()) {
                    found.insert(id, item);
                }
            }
        }
    };
    if !listing.paginated {
        let answer = client.get_query(ctx, listing.path, listing.query).await?;
        let items = answer
            .get(listing.key)
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        keep(items, found);
        return Ok(());
    }
    let mut pages = client.pages(listing.path, listing.query, listing.key);
    while let Some(page) = pages.next(ctx).await? {
        keep(page, found);
        let missing = (wanted.len() - found.len()) as u64;
        // Reading on would cost more calls than reading the missing ones alone.
        if missing == 0 || pages.pages_left().is_some_and(|left| left > missing) {
            break;
        }
    }
    Ok(())
}
