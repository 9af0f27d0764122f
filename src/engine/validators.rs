//! Checks the known values of a resource's configuration against the validators its schema
//! declares (one of, a range, a length, a pattern), before any provider call: a value a
//! provider's API would refuse is an error naming the attribute, and a sensitive one is never
//! quoted.

use plinth_sdk::{AttrPath, Diagnostic, Diagnostics, Schema, Validator, Value};

/// Every validator failure in `config` (an object value of `schema`).
pub fn check(schema: &Schema, config: &Value) -> Diagnostics {
    let mut found = Diagnostics::new();
    check_object(schema, config, &Path::root(), &mut found);
    found
}

/// Where a value sits, for the diagnostic.
struct Path(Option<AttrPath>);

impl Path {
    fn root() -> Path {
        Path(None)
    }

    fn attr(&self, name: &str) -> AttrPath {
        match &self.0 {
            None => AttrPath::attr(name),
            Some(p) => p.clone().then(name),
        }
    }
}

fn check_object(schema: &Schema, object: &Value, at: &Path, found: &mut Diagnostics) {
    let Value::Map(fields) = unwrapped(object) else {
        return;
    };
    for (name, attribute) in &schema.attributes {
        let Some(value) = fields
            .get(name)
            .filter(|_| !attribute.validators.is_empty())
        else {
            continue;
        };
        // A value marked sensitive (a sensitive variable's) is never quoted either.
        let (value, marked) = value.clone().unmark_deep();
        for validator in &attribute.validators {
            if let Some(problem) = problem(validator, name, &value, attribute.sensitive || marked) {
                found.push(
                    Diagnostic::error(format!("Invalid value for \"{name}\""))
                        .with_detail(problem)
                        .with_attribute(at.attr(name)),
                );
            }
        }
    }
    for (name, block) in &schema.blocks {
        match fields.get(name).map(unwrapped) {
            Some(Value::List(items) | Value::Set(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let inner = Path(Some(at.attr(name).index(i as u64)));
                    check_object(&block.schema, item, &inner, found);
                }
            }
            Some(item @ Value::Map(_)) => {
                check_object(&block.schema, item, &Path(Some(at.attr(name))), found)
            }
            _ => {}
        }
    }
}

/// The value inside any sensitive marks.
fn unwrapped(value: &Value) -> &Value {
    match value {
        Value::Sensitive(inner) => unwrapped(inner),
        other => other,
    }
}

/// What is wrong with a known `value` of attribute `name` under `validator`, in the words of
/// Terraform's provider SDK.
fn problem(validator: &Validator, name: &str, value: &Value, sensitive: bool) -> Option<String> {
    if value.is_null() || value.contains_unknown() {
        return None;
    }
    let shown = |text: String| {
        if sensitive {
            "(sensitive value)".to_string()
        } else {
            text
        }
    };
    match validator {
        Validator::OneOf(allowed) => {
            let text = value.as_str()?;
            (!allowed.iter().any(|a| a == text)).then(|| {
                let list: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
                format!(
                    "expected {name} to be one of [{}], got {}",
                    list.join(" "),
                    shown(text.to_string())
                )
            })
        }
        Validator::Between { min, max } => {
            let number = value.as_f64()?;
            (number < *min || number > *max).then(|| {
                format!(
                    "expected {name} to be in the range ({min} - {max}), got {}",
                    shown(value.to_string())
                )
            })
        }
        Validator::LengthBetween { min, max } => {
            let length = match value {
                Value::String(text) => text.chars().count(),
                Value::List(items) | Value::Set(items) => items.len(),
                Value::Map(fields) => fields.len(),
                _ => return None,
            };
            (length < *min || length > *max).then(|| {
                let what = if sensitive {
                    String::new()
                } else {
                    format!(", got {length}")
                };
                format!("expected length of {name} to be in the range ({min} - {max}){what}")
            })
        }
        Validator::Matches { pattern, message } => {
            let text = value.as_str()?;
            let regex = regex::Regex::new(pattern).ok()?;
            (!regex.is_match(text)).then(|| {
                format!(
                    "invalid value for {name} ({message}), got {}",
                    shown(format!("{text:?}"))
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_sdk::{Attribute, NestedBlock, Type};

    fn schema() -> Schema {
        let rule = Schema::new().attr(
            "protocol",
            Attribute::required(Type::String)
                .validate(Validator::OneOf(vec!["tcp".into(), "udp".into()])),
        );
        Schema::new()
            .attr(
                "password",
                Attribute::optional(Type::String)
                    .sensitive()
                    .validate(Validator::LengthBetween { min: 8, max: 128 }),
            )
            .attr(
                "port",
                Attribute::optional(Type::Number).validate(Validator::Between {
                    min: 1.0,
                    max: 65535.0,
                }),
            )
            .attr(
                "name",
                Attribute::optional(Type::String).validate(Validator::Matches {
                    pattern: "^[a-z]+$".into(),
                    message: "must be lowercase letters".into(),
                }),
            )
            .block("rule", NestedBlock::list(rule))
    }

    #[test]
    fn known_values_outside_their_validators_are_errors_naming_the_attribute() {
        let config = Value::object([
            ("password", Value::from("short").mark_sensitive()),
            ("port", Value::from(70000i64)),
            ("name", Value::from("Web1")),
            (
                "rule",
                Value::List(vec![
                    Value::object([("protocol", Value::from("tcp"))]),
                    Value::object([("protocol", Value::from("icmp"))]),
                ]),
            ),
        ]);
        let found = check(&schema(), &config);
        let text = found.to_string();
        assert_eq!(found.0.len(), 4, "{text}");
        assert!(text.contains("expected length of password to be in the range (8 - 128)"));
        assert!(
            !text.contains("short"),
            "a sensitive value is quoted: {text}"
        );
        assert!(text.contains("expected port to be in the range (1 - 65535), got 70000"));
        assert!(text.contains("invalid value for name (must be lowercase letters), got \"Web1\""));
        assert!(text.contains("expected protocol to be one of [\"tcp\" \"udp\"], got icmp"));
        let paths: Vec<String> = found
            .0
            .iter()
            .filter_map(|d| d.attribute.as_ref().map(ToString::to_string))
            .collect();
        assert!(
            paths.iter().any(|p| p.contains("rule") && p.contains('1')),
            "{paths:?}"
        );
    }

    #[test]
    fn a_sensitive_value_in_an_attribute_the_schema_does_not_mark_is_not_quoted() {
        let config = Value::object([("port", Value::from(70123i64).mark_sensitive())]);
        let text = check(&schema(), &config).to_string();
        assert!(
            text.contains("expected port to be in the range (1 - 65535)"),
            "{text}"
        );
        assert!(!text.contains("70123"), "{text}");
    }

    #[test]
    fn unknown_null_and_valid_values_pass() {
        let config = Value::object([
            ("password", Value::Unknown),
            ("port", Value::Null),
            ("name", Value::from("web")),
        ]);
        assert!(check(&schema(), &config).0.is_empty());
    }
}
