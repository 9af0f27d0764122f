//! Terraform's `timeouts { create = "30m" update = "10m" delete = "1h" }` block: offered on every
//! resource whose schema declares timeouts, read from the evaluated configuration (and taken out
//! of the object the provider sees), and turned into each operation's deadline.

use std::time::Duration;

use plinth_sdk::{Attribute, Diagnostic, NestedBlock, Schema, Timeouts, Type, Value};

/// The name of the block.
pub const BLOCK: &str = "timeouts";

/// Adds the `timeouts` block to a resource schema that declares timeouts.
pub fn add_block(schema: &mut Schema) {
    let Some(defaults) = schema.timeouts else {
        return;
    };
    let mut block = Schema::new();
    for (name, default) in [
        ("create", defaults.create),
        ("update", defaults.update),
        ("delete", defaults.delete),
        ("read", defaults.read),
    ] {
        if let Some(default) = default {
            block = block.attr(
                name,
                Attribute::optional(Type::String).describe(format!(
                    "How long {name} may take (default {}).",
                    format_duration(default)
                )),
            );
        }
    }
    schema
        .blocks
        .insert(BLOCK.to_string(), NestedBlock::single(block));
}

/// Splits the `timeouts` block off an evaluated configuration: the rest, and the timeouts in
/// effect (the block's, else the schema's defaults). A duration that does not parse is an error
/// naming the attribute.
pub fn split(schema: &Schema, config: Value) -> Result<(Value, Timeouts), Box<Diagnostic>> {
    let defaults = schema.timeouts.unwrap_or_default();
    let Value::Map(mut map) = config else {
        return Ok((config, defaults));
    };
    let block = map.remove(BLOCK);
    let mut effective = defaults;
    if let Some(block) = block.as_ref().filter(|b| !b.is_null()) {
        for (name, slot) in [
            ("create", &mut effective.create),
            ("update", &mut effective.update),
            ("delete", &mut effective.delete),
            ("read", &mut effective.read),
        ] {
            let Some(text) = block.get(name).and_then(Value::as_str) else {
                continue;
            };
            let parsed = parse_duration(text).ok_or_else(|| {
                Box::new(
                    Diagnostic::error("Invalid timeout")
                        .with_detail(format!(
                            "timeouts.{name} = {text:?} is not a duration such as \"30s\", \"10m\" or \"1h30m\"."
                        ))
                        .with_attribute(plinth_sdk::AttrPath::attr(BLOCK).then(name)),
                )
            })?;
            *slot = Some(parsed);
        }
    }
    Ok((Value::Map(map), effective))
}

/// Parses Go-style durations as Terraform does: `90s`, `10m`, `1h30m`, `2h`, `500ms`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ms" => number / 1000.0,
            "s" => number,
            "m" => number * 60.0,
            "h" => number * 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total = total.checked_add(Duration::try_from_secs_f64(seconds).ok()?)?;
    }
    Some(total)
}

/// `30m`, `1h30m`, `45s`.
pub fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_terraform_and_bad_ones_are_refused() {
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5h"), Some(Duration::from_secs(5400)));
        for bad in ["", "10", "10x", "m", "-1s", "99999999999999999999999h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
    }

    #[test]
    fn the_block_overrides_defaults_and_leaves_the_object() {
        let mut schema = Schema::new().timeouts(Timeouts {
            create: Some(Duration::from_secs(600)),
            delete: Some(Duration::from_secs(300)),
            ..Timeouts::default()
        });
        add_block(&mut schema);
        assert!(schema.blocks[BLOCK]
            .schema
            .attributes
            .contains_key("create"));
        assert!(!schema.blocks[BLOCK]
            .schema
            .attributes
            .contains_key("update"));
        let config = Value::object([
            ("name", Value::from("x")),
            ("timeouts", Value::object([("create", Value::from("1h"))])),
        ]);
        let (rest, effective) = split(&schema, config).expect("valid");
        assert!(rest.get("timeouts").is_none());
        assert_eq!(effective.create, Some(Duration::from_secs(3600)));
        assert_eq!(effective.delete, Some(Duration::from_secs(300)));
        let bad = Value::object([("timeouts", Value::object([("create", Value::from("soon"))]))]);
        let error = split(&schema, bad).expect_err("refused");
        assert_eq!(
            error.attribute.map(|p| p.to_string()).as_deref(),
            Some("timeouts.create")
        );
    }
}
