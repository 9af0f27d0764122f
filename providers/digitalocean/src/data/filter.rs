//! The `filter` and `sort` blocks of the list data sources (`digitalocean_droplets`,
//! `digitalocean_sizes`), as the Terraform provider defines them: a filter keeps the items whose
//! attribute `key` matches any of `values` (all of them with `all = true`), compared exactly, as
//! a substring or as a regular expression (`match_by`); an attribute holding a list matches when
//! one of its elements does. Sorts apply in order, ascending unless `direction = "desc"`.

use std::cmp::Ordering;

use plinth_sdk::{
    AttrPath, Attribute, Diagnostic, Diagnostics, NestedBlock, Schema, Type, Validator, Value,
};
use regex::Regex;

use crate::attrs;

/// The `filter` and `sort` blocks, keys limited to `keys`.
pub fn blocks(schema: Schema, keys: &[&str]) -> Schema {
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    let filter = Schema::new()
        .attr(
            "key",
            Attribute::required(Type::String)
                .validate(Validator::OneOf(keys.clone()))
                .describe("The attribute to filter on."),
        )
        .attr(
            "values",
            Attribute::required(Type::list(Type::String)).describe("Values to match."),
        )
        .attr(
            "all",
            Attribute::optional(Type::Bool)
                .default(false)
                .describe("Match all values rather than any."),
        )
        .attr(
            "match_by",
            Attribute::optional(Type::String)
                .default("exact")
                .validate(Validator::OneOf(vec![
                    "exact".into(),
                    "substring".into(),
                    "re".into(),
                ]))
                .describe("exact, substring or re."),
        );
    let sort = Schema::new()
        .attr(
            "key",
            Attribute::required(Type::String)
                .validate(Validator::OneOf(keys))
                .describe("The attribute to sort by."),
        )
        .attr(
            "direction",
            Attribute::optional(Type::String)
                .default("asc")
                .validate(Validator::OneOf(vec!["asc".into(), "desc".into()]))
                .describe("asc or desc."),
        );
    schema
        .block("filter", NestedBlock::set(filter))
        .block("sort", NestedBlock::list(sort))
}

/// One filter.
struct Filter {
    key: String,
    all: bool,
    matchers: Vec<Matcher>,
}

enum Matcher {
    Exact(String),
    Substring(String),
    Pattern(Regex),
}

impl Matcher {
    fn matches(&self, text: &str) -> bool {
        match self {
            Matcher::Exact(v) => text == v,
            Matcher::Substring(v) => text.contains(v.as_str()),
            Matcher::Pattern(re) => re.is_match(text),
        }
    }
}

/// The texts an attribute holds: one for a scalar, one per element for a list.
fn texts(value: Option<&Value>) -> Vec<String> {
    match value.map(Value::unmarked) {
        Some(Value::List(items)) | Some(Value::Set(items)) => {
            items.iter().flat_map(|i| texts(Some(i))).collect()
        }
        Some(Value::String(s)) => vec![s.clone()],
        Some(scalar) => crate::attrs::as_text(scalar).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Reads the `filter` blocks of a configuration.
fn filters(config: &Value) -> Result<Vec<Filter>, Diagnostics> {
    let mut out = Vec::new();
    for (i, block) in attrs::blocks(config, "filter").into_iter().enumerate() {
        let by = attrs::string(block, "match_by").unwrap_or("exact");
        let mut matchers = Vec::new();
        for value in attrs::strings(block, "values") {
            matchers.push(match by {
                "substring" => Matcher::Substring(value),
                "re" => Matcher::Pattern(Regex::new(&value).map_err(|e| {
                    Diagnostics::from(
                        Diagnostic::error(format!("{value:?} is not a regular expression: {e}"))
                            .with_attribute(
                                AttrPath::attr("filter").index(i as u64).then("values"),
                            ),
                    )
                })?),
                _ => Matcher::Exact(value),
            });
        }
        out.push(Filter {
            key: attrs::string(block, "key").unwrap_or_default().to_string(),
            all: attrs::boolean(block, "all", false),
            matchers,
        });
    }
    Ok(out)
}

/// Keeps the items every filter matches, then sorts them as the `sort` blocks say.
pub fn apply(config: &Value, items: Vec<Value>) -> Result<Vec<Value>, Diagnostics> {
    let filters = filters(config)?;
    let mut kept: Vec<Value> = items
        .into_iter()
        .filter(|item| {
            filters.iter().all(|f| {
                let held = texts(item.get(&f.key));
                let hit = |m: &Matcher| held.iter().any(|t| m.matches(t));
                if f.all {
                    f.matchers.iter().all(hit)
                } else {
                    f.matchers.iter().any(hit)
                }
            })
        })
        .collect();
    let sorts: Vec<(String, bool)> = attrs::blocks(config, "sort")
        .into_iter()
        .map(|b| {
            (
                attrs::string(b, "key").unwrap_or_default().to_string(),
                attrs::string(b, "direction") == Some("desc"),
            )
        })
        .collect();
    kept.sort_by(|a, b| {
        for (key, descending) in &sorts {
            let order = compare(a.get(key), b.get(key));
            let order = if *descending { order.reverse() } else { order };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    });
    Ok(kept)
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a.and_then(Value::as_f64), b.and_then(Value::as_f64)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => texts(a).join(",").cmp(&texts(b).join(",")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, memory: i64, tags: &[&str]) -> Value {
        Value::object([
            ("name", Value::from(name)),
            ("memory", Value::from(memory)),
            (
                "tags",
                Value::set(tags.iter().map(|t| Value::from(*t)).collect()),
            ),
        ])
    }

    fn block(pairs: Vec<(&str, Value)>) -> Value {
        Value::object(pairs)
    }

    #[test]
    fn filters_match_any_value_or_all_and_sorts_apply_in_order() {
        let items = vec![
            item("web-2", 2048, &["web"]),
            item("web-1", 1024, &["web", "prod"]),
            item("db", 4096, &["db"]),
        ];
        let config = block(vec![
            (
                "filter",
                Value::List(vec![block(vec![
                    ("key", Value::from("tags")),
                    ("values", Value::List(vec![Value::from("web")])),
                ])]),
            ),
            (
                "sort",
                Value::List(vec![block(vec![
                    ("key", Value::from("memory")),
                    ("direction", Value::from("desc")),
                ])]),
            ),
        ]);
        let kept = apply(&config, items.clone()).unwrap();
        let names: Vec<&str> = kept
            .iter()
            .map(|i| i.get("name").unwrap().as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["web-2", "web-1"]);
        let config = block(vec![(
            "filter",
            Value::List(vec![block(vec![
                ("key", Value::from("tags")),
                (
                    "values",
                    Value::List(vec![Value::from("web"), Value::from("prod")]),
                ),
                ("all", Value::Bool(true)),
            ])]),
        )]);
        assert_eq!(apply(&config, items.clone()).unwrap().len(), 1);
        let config = block(vec![(
            "filter",
            Value::List(vec![block(vec![
                ("key", Value::from("name")),
                ("values", Value::List(vec![Value::from("^web-[0-9]$")])),
                ("match_by", Value::from("re")),
            ])]),
        )]);
        assert_eq!(apply(&config, items.clone()).unwrap().len(), 2);
        let config = block(vec![(
            "filter",
            Value::List(vec![block(vec![
                ("key", Value::from("name")),
                ("values", Value::List(vec![Value::from("(")])),
                ("match_by", Value::from("re")),
            ])]),
        )]);
        let error = apply(&config, items).unwrap_err();
        assert_eq!(
            error.0[0].attribute,
            Some(AttrPath::attr("filter").index(0).then("values"))
        );
    }
}
