//! Generic diffing from a schema: the proposed new value of an instance, which attributes
//! changed, which force replacement, sensitive marking for display, and the configured values
//! an imported object is assumed to have where its provider cannot read them back.

use std::collections::BTreeMap;

use plinth_sdk::{convert, NestedBlock, Nesting, Schema, Type, Value};

/// The proposed new value: configured attributes (and defaults) from `config`; computed
/// attributes left out of the configuration keep their `prior` value, or are unknown on create.
pub fn proposed(schema: &Schema, config: &Value, prior: Option<&Value>) -> Value {
    let mut out = BTreeMap::new();
    for (name, attr) in &schema.attributes {
        let configured = config.get(name).cloned().unwrap_or(Value::Null);
        let value = if !configured.is_null() {
            configured
        } else if attr.computed {
            match prior {
                Some(p) => p.get(name).cloned().unwrap_or(Value::Null),
                None => Value::Unknown,
            }
        } else {
            Value::Null
        };
        out.insert(name.clone(), value);
    }
    for (name, block) in &schema.blocks {
        let configured = config.get(name).cloned().unwrap_or(Value::Null);
        let stored = prior.and_then(|p| p.get(name));
        out.insert(name.clone(), proposed_blocks(block, configured, stored));
    }
    Value::Map(out)
}

/// Nested blocks: each configured block keeps the stored values of its computed attributes
/// left unset (the block at the same position, or for sets the stored block that agrees on
/// everything configured).
fn proposed_blocks(block: &NestedBlock, configured: Value, stored: Option<&Value>) -> Value {
    let stored_items: Vec<&Value> = match stored.map(Value::unmarked) {
        Some(Value::List(items)) | Some(Value::Set(items)) => items.iter().collect(),
        Some(single @ Value::Map(_)) => vec![single],
        _ => Vec::new(),
    };
    let merge = |index: usize, item: &Value| {
        let prior = match block.nesting {
            Nesting::Set => stored_items.iter().copied().find(|s| agrees(item, s)),
            _ => stored_items.get(index).copied(),
        };
        if prior.is_none() && stored.is_some() {
            // A new block in an existing object: what the provider computes is not known yet.
            return proposed(&block.schema, item, None);
        }
        proposed(&block.schema, item, prior.or(Some(&Value::Null)))
    };
    match configured {
        Value::List(items) => {
            Value::List(items.iter().enumerate().map(|(i, v)| merge(i, v)).collect())
        }
        Value::Set(items) => {
            Value::set(items.iter().enumerate().map(|(i, v)| merge(i, v)).collect())
        }
        item @ Value::Map(_) => merge(0, &item),
        other => other,
    }
}

/// Whether a stored block agrees with every attribute a configured block sets.
fn agrees(configured: &Value, stored: &Value) -> bool {
    configured.as_map().is_some_and(|c| {
        c.iter()
            .filter(|(_, v)| !v.is_null() && !v.contains_unknown())
            .all(|(k, v)| {
                stored.get(k).map(|s| s.clone().unmark_deep().0) == Some(v.clone().unmark_deep().0)
            })
    })
}

/// Normalises a stored or provider-made object to the schema's types (sets, numbers; blocks
/// nested as a set become a sorted set, whatever order a provider returned them in; blocks it
/// leaves out or null are none), so it compares equal to a value evaluated from configuration.
pub fn normalise(schema: &Schema, stored: Value) -> Value {
    let Value::Map(map) = stored else {
        return stored;
    };
    let mut out = BTreeMap::new();
    for (name, value) in map {
        let value = match schema.attributes.get(&name) {
            Some(attr) if attr.ty == Type::Any => value,
            Some(attr) => convert(value.clone(), &attr.ty).unwrap_or(value),
            None => match schema.blocks.get(&name) {
                Some(block) => match value {
                    Value::List(items) | Value::Set(items) => {
                        let items = items.into_iter().map(|i| normalise(&block.schema, i));
                        match block.nesting {
                            Nesting::Set => Value::set(items.collect()),
                            _ => Value::List(items.collect()),
                        }
                    }
                    single @ Value::Map(_) => normalise(&block.schema, single),
                    Value::Null => no_blocks(block),
                    other => other,
                },
                None => value,
            },
        };
        out.insert(name, value);
    }
    for name in schema.attributes.keys() {
        out.entry(name.clone()).or_insert(Value::Null);
    }
    for (name, block) in &schema.blocks {
        out.entry(name.clone()).or_insert_with(|| no_blocks(block));
    }
    Value::Map(out)
}

/// A nested block type's value when an object has none of its blocks, as configuration
/// evaluates it: an empty list or set (null for a single block).
fn no_blocks(block: &NestedBlock) -> Value {
    match block.nesting {
        Nesting::Single => Value::Null,
        Nesting::List => Value::List(Vec::new()),
        Nesting::Set => Value::set(Vec::new()),
    }
}

/// Top-level attribute and block names whose values differ (marks ignored).
pub fn changed(prior: &Value, planned: &Value) -> Vec<String> {
    let empty = BTreeMap::new();
    let (a, b) = (
        prior.as_map().unwrap_or(&empty),
        planned.as_map().unwrap_or(&empty),
    );
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| {
            let null = Value::Null;
            !same_ignoring_marks(a.get(*n).unwrap_or(&null), b.get(*n).unwrap_or(&null))
        })
        .cloned()
        .collect()
}

/// Whether two values are equal once every sensitive mark is ignored (without copying them).
pub fn same_ignoring_marks(a: &Value, b: &Value) -> bool {
    match (a.unmarked(), b.unmarked()) {
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_ignoring_marks(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k, p), (l, q))| k == l && same_ignoring_marks(p, q))
        }
        (x, y) => x == y,
    }
}

/// Which of the changed names force replacement: schema `force_new` attributes and blocks, plus
/// those the provider named.
pub fn forcing_replacement(
    schema: &Schema,
    changed: &[String],
    provider_says: &[String],
) -> Vec<String> {
    changed
        .iter()
        .filter(|n| {
            schema.attributes.get(*n).is_some_and(|a| a.force_new)
                || schema.blocks.get(*n).is_some_and(|b| b.force_new)
                || provider_says.contains(n)
        })
        .cloned()
        .collect()
}

/// An imported object's attributes and blocks that the provider cannot read back
/// (`not_read_back`) are null, or hold the attribute's default where the provider's import
/// fills one in; where `config` sets a known value, the object is taken to have it (it is what
/// the object was made from, as far as anyone can tell): without this, a `force_new` one would
/// replace an object that may well be exactly as configured, and any other would plan an update
/// that changes nothing. Returns the object and the names of what was assumed other than to its
/// default (settings of plinth's own, such as how long to wait for a container, are no news at
/// their default).
pub fn assume_unreadable(schema: &Schema, config: &Value, found: Value) -> (Value, Vec<String>) {
    let Value::Map(mut object) = found else {
        return (found, Vec::new());
    };
    let unreadable = schema
        .attributes
        .iter()
        .filter(|(_, a)| a.not_read_back)
        .map(|(name, a)| (name, Some(&a.ty), a.default.as_ref()))
        .chain(
            schema
                .blocks
                .iter()
                .filter(|(_, b)| b.not_read_back)
                .map(|(name, _)| (name, None, None)),
        );
    let mut assumed = Vec::new();
    for (name, ty, default) in unreadable {
        let configured = config
            .get(name)
            .filter(|c| !is_absent(c) && !c.contains_unknown());
        let unread = object
            .get(name)
            .is_none_or(|v| is_absent(v) || default.is_some_and(|d| d == v));
        let (Some(configured), true) = (configured, unread) else {
            continue;
        };
        let value = match ty {
            Some(ty) => convert(configured.clone(), ty).unwrap_or_else(|_| configured.clone()),
            None => configured.clone(),
        };
        if default != Some(&value) {
            assumed.push(name.clone());
        }
        object.insert(name.clone(), value);
    }
    (Value::Map(object), assumed)
}

/// Null, or no blocks.
fn is_absent(value: &Value) -> bool {
    match value.unmarked() {
        Value::Null => true,
        Value::List(items) | Value::Set(items) => items.is_empty(),
        _ => false,
    }
}

/// Marks the schema's sensitive attributes of an object, those of its nested blocks included.
pub fn mark_sensitive(schema: &Schema, value: Value) -> Value {
    match value {
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| {
                    let sensitive = schema.attributes.get(&k).is_some_and(|a| a.sensitive);
                    let v = match schema.blocks.get(&k) {
                        _ if sensitive && !v.is_null() => v.mark_sensitive(),
                        Some(block) => mark_sensitive_blocks(&block.schema, v),
                        None => v,
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// Marks the sensitive attributes of each block of a nested block value (a list or set of
/// objects, or one object).
fn mark_sensitive_blocks(schema: &Schema, value: Value) -> Value {
    match value {
        Value::List(items) => Value::List(
            items
                .into_iter()
                .map(|item| mark_sensitive(schema, item))
                .collect(),
        ),
        Value::Set(items) => Value::Set(
            items
                .into_iter()
                .map(|item| mark_sensitive(schema, item))
                .collect(),
        ),
        other => mark_sensitive(schema, other),
    }
}

/// Marks attributes sensitive by schema (when known) and by the names state recorded.
pub fn mark_sensitive_opt(schema: Option<&Schema>, value: Value, recorded: &[String]) -> Value {
    let value = match schema {
        Some(s) => mark_sensitive(s, value),
        None => value,
    };
    match value {
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| {
                    let marked = recorded.contains(&k) && !v.is_null();
                    (k, if marked { v.mark_sensitive() } else { v })
                })
                .collect(),
        ),
        other => other,
    }
}

/// Top-level attribute names that are sensitive in a value (marked, or by schema).
pub fn sensitive_names(schema: &Schema, value: &Value) -> Vec<String> {
    value
        .as_map()
        .map(|m| {
            m.iter()
                .filter(|(k, v)| {
                    v.contains_sensitive() || schema.attributes.get(*k).is_some_and(|a| a.sensitive)
                })
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The names of the top-level arguments `config` gives a sensitive value (from a sensitive
/// variable, say).
pub fn sensitive_in_config(config: &Value) -> Vec<String> {
    config
        .as_map()
        .map(|m| {
            m.iter()
                .filter(|(_, v)| v.contains_sensitive())
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Replaces unknowns with null, deeply: what a provider receives for values it will compute.
pub fn unknown_to_null(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::List(items) => Value::List(items.into_iter().map(unknown_to_null).collect()),
        Value::Set(items) => Value::Set(items.into_iter().map(unknown_to_null).collect()),
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| (k, unknown_to_null(v)))
                .collect(),
        ),
        Value::Sensitive(inner) => Value::Sensitive(Box::new(unknown_to_null(*inner))),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_sdk::{Attribute, Type};

    fn schema() -> Schema {
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("name", Attribute::required(Type::String).force_new())
            .attr("size", Attribute::optional(Type::Number))
            .attr("token", Attribute::optional(Type::String).sensitive())
    }

    #[test]
    fn computed_attributes_are_unknown_on_create_and_kept_on_update() {
        let config = Value::object([
            ("name", Value::from("a")),
            ("size", Value::Null),
            ("id", Value::Null),
        ]);
        let created = proposed(&schema(), &config, None);
        assert_eq!(created.get("id"), Some(&Value::Unknown));
        let prior = Value::object([("id", Value::from("x1")), ("name", Value::from("a"))]);
        let updated = proposed(&schema(), &config, Some(&prior));
        assert_eq!(updated.get("id"), Some(&Value::from("x1")));
    }

    #[test]
    fn nested_computed_attributes_keep_their_stored_values() {
        let port = Schema::new()
            .attr("internal", Attribute::required(Type::Number))
            .attr("external", Attribute::optional_computed(Type::Number));
        let schema = Schema::new().block("ports", plinth_sdk::NestedBlock::list(port));
        let config = Value::object([(
            "ports",
            Value::List(vec![Value::object([
                ("internal", Value::from(80i64)),
                ("external", Value::Null),
            ])]),
        )]);
        let stored = Value::object([(
            "ports",
            Value::List(vec![Value::object([
                ("internal", Value::from(80i64)),
                ("external", Value::from(32768i64)),
            ])]),
        )]);
        let planned = proposed(&schema, &config, Some(&stored));
        assert_eq!(planned, stored);
        assert!(changed(&stored, &planned).is_empty());
    }

    #[test]
    fn sensitive_marks_alone_are_not_a_change() {
        let plain = Value::object([("token", Value::List(vec![Value::from("s")]))]);
        let marked = Value::object([(
            "token",
            Value::List(vec![Value::from("s").mark_sensitive()]),
        )]);
        assert!(changed(&plain, &marked).is_empty());
        let other = Value::object([("token", Value::List(vec![Value::from("t")]))]);
        assert_eq!(changed(&marked, &other), vec!["token".to_string()]);
    }

    #[test]
    fn force_new_changes_force_replacement() {
        let prior = Value::object([("name", Value::from("a")), ("size", Value::from(1i64))]);
        let planned = Value::object([("name", Value::from("b")), ("size", Value::from(2i64))]);
        let names = changed(&prior, &planned);
        assert_eq!(names, vec!["name".to_string(), "size".to_string()]);
        assert_eq!(
            forcing_replacement(&schema(), &names, &[]),
            vec!["name".to_string()]
        );
        assert_eq!(
            forcing_replacement(&schema(), &names, &["size".into()]).len(),
            2
        );
    }

    /// Regression: DigitalOcean never reports a Droplet's `ssh_keys` or `user_data`, so after an
    /// import they were null, and the configured value (a change of a `force_new` attribute)
    /// replaced every imported Droplet.
    #[test]
    fn attributes_the_provider_cannot_read_back_are_assumed_as_configured_after_an_import() {
        let schema = Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr(
                "user_data",
                Attribute::optional(Type::String)
                    .force_new()
                    .not_read_back(),
            )
            .attr("image", Attribute::required(Type::String).force_new())
            .attr(
                "keys",
                Attribute::optional(Type::String)
                    .force_new()
                    .not_read_back(),
            );
        let config = Value::object([
            ("user_data", Value::from("#cloud-config")),
            ("image", Value::from("ubuntu")),
            ("keys", Value::Unknown),
        ]);
        let imported = Value::object([
            ("id", Value::from("1")),
            ("user_data", Value::Null),
            ("image", Value::from("debian")),
            ("keys", Value::Null),
        ]);
        let (prior, assumed) = assume_unreadable(&schema, &config, imported);
        assert_eq!(assumed, vec!["user_data".to_string()]);
        assert_eq!(prior.get("user_data"), Some(&Value::from("#cloud-config")));
        assert_eq!(
            prior.get("keys"),
            Some(&Value::Null),
            "unknown: nothing assumed"
        );
        let planned = proposed(&schema, &config, Some(&prior));
        let names = changed(&prior, &planned);
        assert!(!names.contains(&"user_data".to_string()), "{names:?}");
        assert_eq!(
            forcing_replacement(&schema, &names, &[]),
            vec!["image".to_string(), "keys".to_string()],
            "what the provider does read back still replaces"
        );

        // Once state holds a value, a changed configuration replaces as usual.
        let stored = prior.clone();
        let changed_config = Value::object([("user_data", Value::from("#cloud-config v2"))]);
        let (kept, assumed) = assume_unreadable(&schema, &changed_config, stored.clone());
        assert!(assumed.is_empty());
        assert_eq!(kept, stored);
        let names = changed(&kept, &proposed(&schema, &changed_config, Some(&kept)));
        assert!(forcing_replacement(&schema, &names, &[]).contains(&"user_data".to_string()));
    }

    /// Regression: AWS's DB instance import fills in the defaults of settings AWS never reports
    /// (`skip_final_snapshot = false`), so a configuration setting them planned an in-place
    /// update after every rebuilt state. A value at the default is as unread as null.
    #[test]
    fn an_unreadable_attribute_imported_at_its_default_is_assumed_as_configured() {
        let schema = Schema::new()
            .attr(
                "skip_final_snapshot",
                Attribute::optional(Type::Bool)
                    .default(false)
                    .not_read_back(),
            )
            .attr("multi_az", Attribute::optional(Type::Bool).default(false));
        let config = Value::object([
            ("skip_final_snapshot", Value::Bool(true)),
            ("multi_az", Value::Bool(true)),
        ]);
        let imported = Value::object([
            ("skip_final_snapshot", Value::Bool(false)),
            ("multi_az", Value::Bool(false)),
        ]);
        let (prior, assumed) = assume_unreadable(&schema, &config, imported);
        assert_eq!(assumed, vec!["skip_final_snapshot".to_string()]);
        assert_eq!(prior.get("skip_final_snapshot"), Some(&Value::Bool(true)));
        assert_eq!(
            prior.get("multi_az"),
            Some(&Value::Bool(false)),
            "what the provider reads back is kept"
        );
    }

    /// Regression: Docker's container import leaves out the blocks a container has none of
    /// (`ports`, `volumes`, ...), which configuration evaluates to empty lists: null against
    /// `[]` was a change of a `force_new` block, and every imported container was replaced.
    #[test]
    fn blocks_an_object_leaves_out_are_none_as_configuration_has_them() {
        let schema = Schema::new()
            .block("ports", NestedBlock::list(Schema::new()).force_new())
            .block("labels", NestedBlock::set(Schema::new()))
            .block("build", NestedBlock::single(Schema::new()));
        let read = normalise(&schema, Value::object([("labels", Value::Null)]));
        assert_eq!(read.get("ports"), Some(&Value::List(Vec::new())));
        assert_eq!(read.get("labels"), Some(&Value::set(Vec::new())));
        assert_eq!(read.get("build"), Some(&Value::Null));
    }

    #[test]
    fn sensitive_attributes_are_marked_and_named() {
        let v = mark_sensitive(
            &schema(),
            Value::object([("token", Value::from("s3cret")), ("name", Value::from("a"))]),
        );
        assert!(v.get("token").unwrap().is_sensitive());
        assert_eq!(sensitive_names(&schema(), &v), vec!["token".to_string()]);
    }

    #[test]
    fn sensitive_attributes_of_nested_blocks_were_left_unmarked() {
        let auth = Schema::new()
            .attr("host", Attribute::optional(Type::String))
            .attr("password", Attribute::optional(Type::String).sensitive());
        let schema = Schema::new().block("auth", NestedBlock::list(auth));
        let block = Value::object([
            ("host", Value::from("registry")),
            ("password", Value::from("hunter2")),
        ]);
        let v = mark_sensitive(&schema, Value::object([("auth", Value::List(vec![block]))]));
        let first = &v.get("auth").and_then(Value::as_list).unwrap()[0];
        assert!(first.get("password").unwrap().is_sensitive());
        assert!(!first.get("host").unwrap().is_sensitive());
    }
}
