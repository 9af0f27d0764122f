//! Expansion of `count` and `for_each` into instance keys, with Terraform's errors for unknown
//! or invalid values.

use std::fmt;

use plinth_sdk::{Diagnostic, Span, Value};

/// The key of one instance of a resource or module.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// No count or for_each.
    None,
    /// `count`: the index.
    Index(usize),
    /// `for_each`: the key.
    Name(String),
}

impl fmt::Display for Key {
    /// `""`, `[0]` or `["name"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::None => Ok(()),
            Key::Index(i) => write!(f, "[{i}]"),
            Key::Name(n) => write!(f, "[{}]", serde_json::Value::String(n.clone())),
        }
    }
}

/// How a resource or module call expands.
#[derive(Clone, Debug, PartialEq)]
pub enum Expansion {
    /// One instance, no key.
    Single,
    /// `count = n`.
    Count(usize),
    /// `for_each`: keys with their `each.value`.
    ForEach(Vec<(String, Value)>),
}

impl Expansion {
    /// The instance keys with `count.index` / `each` bindings.
    pub fn instances(&self) -> Vec<(Key, Binding)> {
        match self {
            Expansion::Single => vec![(Key::None, Binding::None)],
            Expansion::Count(n) => (0..*n)
                .map(|i| (Key::Index(i), Binding::Count(i)))
                .collect(),
            Expansion::ForEach(items) => items
                .iter()
                .map(|(k, v)| (Key::Name(k.clone()), Binding::Each(k.clone(), v.clone())))
                .collect(),
        }
    }
}

/// What `count.index` or `each.key`/`each.value` mean inside one instance.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Binding {
    /// Neither.
    #[default]
    None,
    /// `count.index`.
    Count(usize),
    /// `each.key`, `each.value`.
    Each(String, Value),
}

/// The most instances one resource or module call may have (by `count` or `for_each`): a
/// larger value is an error at its argument, never an allocation that takes the machine down.
pub const MAX_INSTANCES: usize = 100_000;

fn too_many(argument: &str, given: impl fmt::Display) -> String {
    format!("The given \"{argument}\" argument value is too large: {given} instances were requested, and plinth supports at most {MAX_INSTANCES} instances of one resource or module call.")
}

/// Turns an evaluated `count` value into an expansion.
pub fn from_count(value: &Value, span: &Span) -> Result<Expansion, Box<Diagnostic>> {
    let invalid = |detail: String| {
        Box::new(
            Diagnostic::error("Invalid count argument")
                .with_detail(detail)
                .with_span(span.clone()),
        )
    };
    if value.is_unknown() || value.contains_unknown() {
        return Err(invalid(
            "The \"count\" value depends on resource attributes that cannot be determined until apply, so plinth cannot predict how many instances will be created. To work around this, use -target to first apply only the resources that the count depends on.".into(),
        ));
    }
    match value.unmarked() {
        Value::Number(n) => match n.as_i64() {
            Some(c) if c >= 0 && c as u64 <= MAX_INSTANCES as u64 => Ok(Expansion::Count(c as usize)),
            Some(c) if c > 0 => Err(invalid(too_many("count", c))),
            None if n.is_integer() && !n.is_negative() => Err(invalid(too_many("count", n))),
            _ => Err(invalid(format!("The given \"count\" argument value is unsuitable: must be a whole number greater than or equal to zero, not {n}."))),
        },
        Value::Null => Err(invalid("The given \"count\" argument value is null. An integer is required.".into())),
        other => Err(invalid(format!("The given \"count\" argument value is unsuitable: number required, got {}.", other.type_name()))),
    }
}

/// Turns an evaluated `for_each` value (a map or a set of strings) into an expansion.
pub fn from_for_each(value: &Value, span: &Span) -> Result<Expansion, Box<Diagnostic>> {
    let invalid = |detail: String| {
        Box::new(
            Diagnostic::error("Invalid for_each argument")
                .with_detail(detail)
                .with_span(span.clone()),
        )
    };
    if value.is_unknown() {
        return Err(invalid(
            "The \"for_each\" value depends on resource attributes that cannot be determined until apply, so plinth cannot predict how many instances will be created. To work around this, use -target to first apply only the resources that the for_each depends on.".into(),
        ));
    }
    if value.is_sensitive() {
        return Err(invalid("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments.".into()));
    }
    let size = match value {
        Value::Map(map) => map.len(),
        Value::Set(items) => items.len(),
        _ => 0,
    };
    if size > MAX_INSTANCES {
        return Err(invalid(too_many("for_each", size)));
    }
    match value {
        Value::Map(map) => Ok(Expansion::ForEach(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())),
        Value::Set(items) => {
            let mut out = Vec::new();
            for item in items {
                match item.unmarked() {
                    Value::String(s) => out.push((s.clone(), Value::String(s.clone()))),
                    Value::Unknown => {
                        return Err(invalid("The \"for_each\" set includes values derived from resource attributes that cannot be determined until apply, so plinth cannot determine the full set of keys that will identify the instances of this resource.".into()))
                    }
                    other => return Err(invalid(format!("The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type {}.", other.type_name()))),
                }
            }
            Ok(Expansion::ForEach(out))
        }
        Value::List(_) => Err(invalid("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type list. Convert it with toset().".into())),
        Value::Null => Err(invalid("The given \"for_each\" argument value is null. A map, or set of strings, is allowed.".into())),
        other => Err(invalid(format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.", other.type_name()))),
    }
}
