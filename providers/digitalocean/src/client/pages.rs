//! DigitalOcean's pagination: lists are read 200 items a page (`per_page=200`, the most it
//! serves) following `links.pages.next` until there is none. A `next` link is followed only on
//! the API's own origin (the token is never sent elsewhere); otherwise the next page is asked for
//! by number. `meta.total` says how many pages are left, which lets a refresh fall back to
//! single reads when the account holds far more objects than plinth manages.

use plinth_sdk::Context;
use reqwest::Method;
use serde_json::Value as Json;

use super::{encode, Client, Error};

/// Items per page: the most DigitalOcean serves.
pub const PER_PAGE: usize = 200;
/// A bound on pages read from one list, against a server that never stops linking.
const MAX_PAGES: usize = 100_000;

/// A list being read page by page.
pub struct Pages<'a> {
    client: &'a Client,
    path: String,
    query: Vec<(String, String)>,
    key: String,
    next: Option<String>,
    page: usize,
    total: Option<u64>,
    read: u64,
}

impl Client {
    /// Starts reading the list at `path` (`/v2/droplets`) whose items are under `key`.
    pub fn pages<'a>(&'a self, path: &str, query: &[(&str, &str)], key: &str) -> Pages<'a> {
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut pages = Pages {
            client: self,
            path: path.to_string(),
            query,
            key: key.to_string(),
            next: None,
            page: 0,
            total: None,
            read: 0,
        };
        pages.next = Some(pages.numbered(1));
        pages
    }

    /// Every item of the list at `path`.
    pub async fn list_all(
        &self,
        ctx: &Context,
        path: &str,
        query: &[(&str, &str)],
        key: &str,
    ) -> Result<Vec<Json>, Error> {
        let mut pages = self.pages(path, query, key);
        let mut items = Vec::new();
        while let Some(page) = pages.next(ctx).await? {
            items.extend(page);
        }
        Ok(items)
    }
}

impl Pages<'_> {
    /// The URL of page `number`.
    fn numbered(&self, number: usize) -> String {
        let mut url = format!("{}{}?", self.client.base, self.path);
        for (key, value) in &self.query {
            url.push_str(&format!("{}={}&", encode(key), encode(value)));
        }
        url.push_str(&format!("page={number}&per_page={PER_PAGE}"));
        url
    }

    /// The next page's items, or None after the last.
    pub async fn next(&mut self, ctx: &Context) -> Result<Option<Vec<Json>>, Error> {
        let Some(url) = self.next.take() else {
            return Ok(None);
        };
        self.page += 1;
        let body = self
            .client
            .call_url(ctx, Method::GET, &url, &self.path, None, true)
            .await?;
        let items = match body.get(&self.key) {
            Some(Json::Array(items)) => items.clone(),
            Some(Json::Null) | None if body.get("links").is_some() => Vec::new(),
            _ => {
                return Err(Error::Decode {
                    method: "GET".into(),
                    path: self.path.clone(),
                    detail: format!("the answer has no \"{}\" list", self.key),
                })
            }
        };
        self.read += items.len() as u64;
        self.total = body
            .pointer("/meta/total")
            .and_then(Json::as_u64)
            .or(self.total);
        let link = body
            .pointer("/links/pages/next")
            .and_then(Json::as_str)
            .map(str::to_string);
        self.next = match link {
            _ if items.is_empty() || self.page >= MAX_PAGES => None,
            Some(link) if self.same_origin(&link) => Some(link),
            Some(_) => Some(self.numbered(self.page + 1)),
            None => None,
        };
        Ok(Some(items))
    }

    /// How many pages are still to read, as far as `meta.total` tells (None before the first
    /// page or when DigitalOcean gave no total).
    pub fn pages_left(&self) -> Option<u64> {
        let total = self.total?;
        if self.next.is_none() {
            return Some(0);
        }
        Some(total.saturating_sub(self.read).div_ceil(PER_PAGE as u64))
    }

    /// Whether `link` points at the API's own scheme, host and port.
    fn same_origin(&self, link: &str) -> bool {
        let origin = |text: &str| {
            reqwest::Url::parse(text).ok().map(|u| {
                (
                    u.scheme().to_string(),
                    u.host_str().map(str::to_string),
                    u.port_or_known_default(),
                )
            })
        };
        origin(link).is_some() && origin(link) == origin(&self.client.base)
    }
}
