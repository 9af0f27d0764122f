//! DigitalOcean's pagination: `page` (from 1) and `per_page` (default 20, at most 200) select a
//! slice; the answer carries `links.pages` with absolute `first`/`prev`/`next`/`last` URLs (only
//! those that exist) and `meta.total`.

use serde_json::{json, Map, Value};

use crate::errors::ApiError;
use crate::reply::RequestUrl;

/// Items per page when the client does not say.
pub const DEFAULT_PER_PAGE: usize = 20;
/// The most items one page holds; larger `per_page` values are clamped to it.
pub const MAX_PER_PAGE: usize = 200;

/// The page a list request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub page: usize,
    pub per_page: usize,
}

impl Page {
    /// Reads `page` and `per_page` from the query string.
    pub fn of(url: &RequestUrl) -> Result<Page, ApiError> {
        let number = |name: &str, default: usize| -> Result<usize, ApiError> {
            match url.query.get(name) {
                None => Ok(default),
                Some(text) => text.parse::<usize>().map_err(|_| {
                    ApiError::bad_request(format!(
                        "{name} must be a positive integer, got {text:?}"
                    ))
                }),
            }
        };
        let page = number("page", 1)?.max(1);
        let per_page = number("per_page", DEFAULT_PER_PAGE)?.clamp(1, MAX_PER_PAGE);
        Ok(Page { page, per_page })
    }

    /// The slice of `items` this page holds.
    pub fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let start = (self.page - 1)
            .saturating_mul(self.per_page)
            .min(items.len());
        let end = start.saturating_add(self.per_page).min(items.len());
        &items[start..end]
    }

    /// The number of the last page for `total` items (at least 1).
    fn last(&self, total: usize) -> usize {
        total.div_ceil(self.per_page).max(1)
    }
}

/// Renders one page of `items` under `key`, with `links` and `meta` as DigitalOcean does.
pub(crate) fn paginate<T>(
    key: &str,
    items: &[T],
    url: &RequestUrl,
    render: impl Fn(&T) -> Value,
) -> Result<Value, ApiError> {
    let page = Page::of(url)?;
    let rendered: Vec<Value> = page.slice(items).iter().map(render).collect();
    Ok(envelope(key, rendered, items.len(), page, url))
}

/// Wraps already rendered items of one page in DigitalOcean's list envelope.
pub(crate) fn envelope(
    key: &str,
    rendered: Vec<Value>,
    total: usize,
    page: Page,
    url: &RequestUrl,
) -> Value {
    let last = page.last(total);
    let link = |number: usize| -> Value {
        let mut query: Vec<String> = url
            .query
            .0
            .iter()
            .filter(|(k, _)| k.as_str() != "page" && k.as_str() != "per_page")
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        query.push(format!("page={number}"));
        query.push(format!("per_page={}", page.per_page));
        Value::String(format!("{}{}?{}", url.base, url.path, query.join("&")))
    };
    let mut pages = Map::new();
    if page.page > 1 {
        pages.insert("first".into(), link(1));
        pages.insert("prev".into(), link((page.page - 1).min(last)));
    }
    if page.page < last {
        pages.insert("next".into(), link(page.page + 1));
        pages.insert("last".into(), link(last));
    }
    let links = if pages.is_empty() {
        json!({})
    } else {
        json!({ "pages": pages })
    };
    json!({ key: rendered, "links": links, "meta": { "total": total } })
}

/// Percent-encodes a query component (unreserved characters stay as they are).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::reply::Query;

    fn url(query: &[(&str, &str)]) -> RequestUrl {
        RequestUrl {
            base: "http://127.0.0.1:9".into(),
            path: "/v2/droplets".into(),
            query: Query(
                query
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<BTreeMap<_, _>>(),
            ),
        }
    }

    #[test]
    fn middle_page_links_every_direction_and_keeps_filters() {
        let items: Vec<u32> = (0..45).collect();
        let body = paginate(
            "droplets",
            &items,
            &url(&[("page", "2"), ("per_page", "20"), ("tag_name", "a b")]),
            |i| json!(i),
        )
        .unwrap();
        assert_eq!(body["meta"]["total"], 45);
        assert_eq!(body["droplets"].as_array().unwrap().len(), 20);
        assert_eq!(body["droplets"][0], 20);
        let pages = &body["links"]["pages"];
        assert_eq!(
            pages["next"],
            "http://127.0.0.1:9/v2/droplets?tag_name=a%20b&page=3&per_page=20"
        );
        assert_eq!(
            pages["last"],
            "http://127.0.0.1:9/v2/droplets?tag_name=a%20b&page=3&per_page=20"
        );
        assert_eq!(
            pages["first"],
            "http://127.0.0.1:9/v2/droplets?tag_name=a%20b&page=1&per_page=20"
        );
        assert_eq!(
            pages["prev"],
            "http://127.0.0.1:9/v2/droplets?tag_name=a%20b&page=1&per_page=20"
        );
    }

    #[test]
    fn single_page_has_empty_links_and_per_page_is_clamped() {
        let items: Vec<u32> = (0..250).collect();
        let body = paginate("x", &items, &url(&[("per_page", "1000")]), |i| json!(i)).unwrap();
        assert_eq!(body["x"].as_array().unwrap().len(), 200);
        assert!(body["links"]["pages"].get("prev").is_none());
        assert!(body["links"]["pages"]["next"]
            .as_str()
            .unwrap()
            .ends_with("page=2&per_page=200"));
        let one: Vec<u32> = vec![1];
        let body = paginate("x", &one, &url(&[]), |i| json!(i)).unwrap();
        assert_eq!(body["links"], json!({}));
    }

    #[test]
    fn page_past_the_end_is_empty_and_a_bad_number_is_a_400() {
        let items: Vec<u32> = (0..5).collect();
        let body = paginate("x", &items, &url(&[("page", "9")]), |i| json!(i)).unwrap();
        assert_eq!(body["x"], json!([]));
        assert!(body["links"]["pages"]["prev"]
            .as_str()
            .unwrap()
            .contains("page=1"));
        let err = paginate("x", &items, &url(&[("page", "two")]), |i| json!(i)).unwrap_err();
        assert_eq!(err.status, 400);
    }
}
