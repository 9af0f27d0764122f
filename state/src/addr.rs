//! Typed, immutable addresses, parsed and formatted here only: module paths (`module.vpc["a"]`),
//! resource instances (`module.vpc["a"].aws_subnet.public[0]`), their configuration addresses
//! without keys (`module.vpc.aws_subnet.public`) and deposed objects
//! (`aws_instance.web (deposed object 1a2b3c4d)`). The engine, state and renderer all use these.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::StateError;

/// The key that picks one instance out of a `count` (integer) or `for_each` (string) resource or module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InstanceKey {
    /// A `count` index.
    Int(i64),
    /// A `for_each` key.
    Str(String),
}

impl fmt::Display for InstanceKey {
    /// Writes the bracketed form: `[0]` or `["key"]` (JSON-quoted).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Int(index) => write!(f, "[{index}]"),
            InstanceKey::Str(key) => write!(f, "[{}]", quote(key)),
        }
    }
}

/// Whether a resource is managed (`resource` block) or read-only (`data` block).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A `resource` block: plinth creates, updates and deletes it.
    Managed,
    /// A `data` block: plinth only reads it.
    Data,
}

/// One step of a module path: `module.name` or `module.name[key]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModuleStep {
    /// The module call's name.
    pub name: String,
    /// The instance key when the module call uses `count` or `for_each`.
    pub key: Option<InstanceKey>,
}

/// The address of one resource instance, e.g. `module.vpc["a"].aws_subnet.public[0]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceAddr {
    /// The module path from the root (empty for the root module).
    pub module: Vec<ModuleStep>,
    /// Managed resource or data source.
    pub mode: Mode,
    /// The resource type, e.g. `aws_subnet`.
    pub type_name: String,
    /// The resource name, e.g. `public`.
    pub name: String,
    /// The instance key when the resource uses `count` or `for_each`.
    pub key: Option<InstanceKey>,
}

impl InstanceAddr {
    /// The resource address: this address without its instance key (`module.vpc["a"].aws_subnet.public`).
    pub fn resource(&self) -> String {
        let mut out = String::new();
        self.write_resource(&mut out);
        out
    }

    /// The module path (`module.vpc["a"].module.db`), or the empty string for the root module.
    pub fn module_path(&self) -> String {
        module_path_string(&self.module)
    }

    fn write_resource(&self, out: &mut String) {
        for step in &self.module {
            write_step(out, step);
            out.push('.');
        }
        if self.mode == Mode::Data {
            out.push_str("data.");
        }
        out.push_str(&self.type_name);
        out.push('.');
        out.push_str(&self.name);
    }
}

impl InstanceAddr {
    /// The configuration address: module calls and resource without any instance key
    /// (`module.vpc.aws_subnet.public`), as dependencies are recorded.
    pub fn config_address(&self) -> String {
        let mut out = String::new();
        for step in &self.module {
            out.push_str("module.");
            out.push_str(&step.name);
            out.push('.');
        }
        if self.mode == Mode::Data {
            out.push_str("data.");
        }
        out.push_str(&self.type_name);
        out.push('.');
        out.push_str(&self.name);
        out
    }
}

impl fmt::Display for InstanceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write_resource(&mut out);
        f.write_str(&out)?;
        match &self.key {
            Some(key) => write!(f, "{key}"),
            None => Ok(()),
        }
    }
}

impl FromStr for InstanceAddr {
    type Err = StateError;

    fn from_str(text: &str) -> Result<Self, StateError> {
        let invalid = |reason: String| StateError::InvalidAddress {
            address: text.to_string(),
            reason,
        };
        let mut cursor = Cursor { rest: text };
        let module = cursor.module_steps().map_err(invalid)?;
        let mode = if cursor.eat("data.") {
            Mode::Data
        } else {
            Mode::Managed
        };
        let parsed = (|| {
            let type_name = cursor.identifier("resource type")?;
            if !cursor.eat(".") {
                return Err("expected '.' and a resource name after the resource type".to_string());
            }
            let name = cursor.identifier("resource name")?;
            let key = cursor.optional_key()?;
            if !cursor.rest.is_empty() {
                return Err(format!("unexpected {:?} after the address", cursor.rest));
            }
            Ok((type_name, name, key))
        })();
        let (type_name, name, key) = parsed.map_err(invalid)?;
        Ok(InstanceAddr {
            module,
            mode,
            type_name,
            name,
            key,
        })
    }
}

/// The key of a deposed object: eight lowercase hexadecimal digits, unique per instance, kept
/// from the moment a create_before_destroy replacement deposes the object until it is deleted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeposedKey(String);

impl DeposedKey {
    /// A new random key.
    pub fn generate() -> DeposedKey {
        let random = uuid::Uuid::new_v4();
        DeposedKey(random.simple().to_string()[..8].to_string())
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeposedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for DeposedKey {
    type Err = StateError;

    fn from_str(text: &str) -> Result<DeposedKey, StateError> {
        let valid = text.len() == 8
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if valid {
            Ok(DeposedKey(text.to_string()))
        } else {
            Err(StateError::InvalidAddress {
                address: text.to_string(),
                reason: "a deposed key is eight lowercase hexadecimal digits".to_string(),
            })
        }
    }
}

impl TryFrom<String> for DeposedKey {
    type Error = StateError;

    fn try_from(text: String) -> Result<DeposedKey, StateError> {
        text.parse()
    }
}

impl From<DeposedKey> for String {
    fn from(key: DeposedKey) -> String {
        key.0
    }
}

/// One object in state: the current object of an instance, or one of its deposed objects.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectAddr {
    /// The instance.
    pub instance: InstanceAddr,
    /// Set for a deposed object.
    pub deposed: Option<DeposedKey>,
}

/// What follows an instance address to name one of its deposed objects.
const DEPOSED_INFIX: &str = " (deposed object ";

impl fmt::Display for ObjectAddr {
    /// `aws_instance.web`, or `aws_instance.web (deposed object 1a2b3c4d)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.instance)?;
        match &self.deposed {
            Some(key) => write!(f, "{DEPOSED_INFIX}{key})"),
            None => Ok(()),
        }
    }
}

impl FromStr for ObjectAddr {
    type Err = StateError;

    fn from_str(text: &str) -> Result<ObjectAddr, StateError> {
        match text
            .strip_suffix(')')
            .and_then(|t| t.rsplit_once(DEPOSED_INFIX))
        {
            Some((instance, key)) => Ok(ObjectAddr {
                instance: instance.parse()?,
                deposed: Some(key.parse()?),
            }),
            None => Ok(ObjectAddr {
                instance: text.parse()?,
                deposed: None,
            }),
        }
    }
}

/// An address without any instance keys (`module.a[0].x.y["k"]` → `module.a.x.y`), for
/// instance, resource and module addresses alike; text that is no address is returned as is.
pub fn without_keys(text: &str) -> String {
    // Without a `[` there is no key to take out (the common case, and this runs for every
    // address of a plan several times).
    if !text.contains('[') {
        return text.to_string();
    }
    if let Ok(addr) = text.parse::<InstanceAddr>() {
        return addr.config_address();
    }
    match parse_module_path(text) {
        Ok(steps) if !steps.is_empty() => steps
            .iter()
            .map(|s| format!("module.{}", s.name))
            .collect::<Vec<_>>()
            .join("."),
        _ => text.to_string(),
    }
}

/// Parses a module path (`module.vpc["a"].module.db`; the empty string is the root module).
pub fn parse_module_path(text: &str) -> Result<Vec<ModuleStep>, StateError> {
    let invalid = |reason: String| StateError::InvalidAddress {
        address: text.to_string(),
        reason,
    };
    if text.is_empty() {
        return Ok(Vec::new());
    }
    // Parse with a trailing '.' so every step is followed by one, as in an instance address.
    let with_dot = format!("{text}.");
    let mut cursor = Cursor { rest: &with_dot };
    let steps = cursor.module_steps().map_err(invalid)?;
    if !cursor.rest.is_empty() || steps.is_empty() {
        return Err(invalid(
            "expected module.NAME steps separated by '.'".to_string(),
        ));
    }
    Ok(steps)
}

/// Renders a module path as text (the empty string for the root module).
pub fn module_path_string(steps: &[ModuleStep]) -> String {
    let mut out = String::new();
    for (index, step) in steps.iter().enumerate() {
        if index > 0 {
            out.push('.');
        }
        write_step(&mut out, step);
    }
    out
}

/// Whether `text` is a valid identifier: a letter or `_`, then letters, digits, `_` or `-`.
pub fn is_identifier(text: &str) -> bool {
    let mut bytes = text.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn write_step(out: &mut String, step: &ModuleStep) {
    out.push_str("module.");
    out.push_str(&step.name);
    if let Some(key) = &step.key {
        out.push_str(&key.to_string());
    }
}

fn quote(text: &str) -> String {
    // Serialising a string cannot fail; the fallback keeps this total anyway.
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}

/// A left-to-right reader over the remaining address text.
struct Cursor<'a> {
    rest: &'a str,
}

impl Cursor<'_> {
    fn eat(&mut self, prefix: &str) -> bool {
        match self.rest.strip_prefix(prefix) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// Reads `module.NAME[KEY].` steps until the text no longer starts with `module.`.
    fn module_steps(&mut self) -> Result<Vec<ModuleStep>, String> {
        let mut steps = Vec::new();
        while self.eat("module.") {
            let name = self.identifier("module name")?;
            let key = self.optional_key()?;
            if !self.eat(".") {
                return Err(format!("expected '.' after module.{name}"));
            }
            steps.push(ModuleStep { name, key });
        }
        Ok(steps)
    }

    fn identifier(&mut self, what: &str) -> Result<String, String> {
        let end = self
            .rest
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
            .unwrap_or(self.rest.len());
        let candidate = &self.rest[..end];
        if !is_identifier(candidate) {
            return Err(format!("expected a {what} at {:?}", self.rest));
        }
        self.rest = &self.rest[end..];
        Ok(candidate.to_string())
    }

    fn optional_key(&mut self) -> Result<Option<InstanceKey>, String> {
        if !self.eat("[") {
            return Ok(None);
        }
        let key = if self.rest.starts_with('"') {
            let end = closing_quote(self.rest)
                .ok_or_else(|| "unterminated string in instance key".to_string())?;
            let key: String = serde_json::from_str(&self.rest[..=end])
                .map_err(|error| format!("invalid string instance key: {error}"))?;
            self.rest = &self.rest[end + 1..];
            InstanceKey::Str(key)
        } else {
            let end = self.rest.find(']').unwrap_or(self.rest.len());
            let digits = &self.rest[..end];
            let index = digits.parse::<i64>().map_err(|_| {
                format!("instance key {digits:?} is neither an integer nor a quoted string")
            })?;
            self.rest = &self.rest[end..];
            InstanceKey::Int(index)
        };
        if !self.eat("]") {
            return Err("expected ']' after the instance key".to_string());
        }
        Ok(Some(key))
    }
}

/// The byte index of the quote closing the JSON string that starts at `text[0]`.
fn closing_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (index, byte) in text.bytes().enumerate().skip(1) {
        match byte {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(index),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> InstanceAddr {
        let addr: InstanceAddr = text.parse().expect(text);
        assert_eq!(addr.to_string(), text);
        addr
    }

    #[test]
    fn root_managed_without_key_round_trips() {
        let addr = round_trip("aws_vpc.main");
        assert_eq!(addr.mode, Mode::Managed);
        assert_eq!(addr.type_name, "aws_vpc");
        assert_eq!(addr.name, "main");
        assert!(addr.module.is_empty());
        assert_eq!(addr.key, None);
        assert_eq!(addr.module_path(), "");
    }

    #[test]
    fn data_source_round_trips() {
        let addr = round_trip("data.aws_ami.ubuntu");
        assert_eq!(addr.mode, Mode::Data);
        assert_eq!(addr.resource(), "data.aws_ami.ubuntu");
    }

    #[test]
    fn module_with_string_key_and_count_index_round_trips() {
        let addr = round_trip(r#"module.vpc["a"].aws_subnet.public[0]"#);
        assert_eq!(
            addr.module,
            vec![ModuleStep {
                name: "vpc".into(),
                key: Some(InstanceKey::Str("a".into()))
            }]
        );
        assert_eq!(addr.key, Some(InstanceKey::Int(0)));
        assert_eq!(addr.resource(), r#"module.vpc["a"].aws_subnet.public"#);
        assert_eq!(addr.module_path(), r#"module.vpc["a"]"#);
    }

    #[test]
    fn nested_modules_and_data_in_module_round_trip() {
        let addr = round_trip(r#"module.net.module.db[3].data.docker_image.base["x"]"#);
        assert_eq!(addr.module.len(), 2);
        assert_eq!(addr.mode, Mode::Data);
        assert_eq!(addr.module_path(), "module.net.module.db[3]");
    }

    #[test]
    fn string_keys_with_quotes_brackets_and_unicode_are_json_quoted() {
        let addr = InstanceAddr {
            module: vec![],
            mode: Mode::Managed,
            type_name: "docker_container".into(),
            name: "web".into(),
            key: Some(InstanceKey::Str("a\"]b.c\\ é".into())),
        };
        let text = addr.to_string();
        assert_eq!(text, r#"docker_container.web["a\"]b.c\\ é"]"#);
        assert_eq!(text.parse::<InstanceAddr>().expect("parses"), addr);
    }

    #[test]
    fn negative_and_large_integer_keys_round_trip() {
        round_trip("null_resource.x[-1]");
        round_trip("null_resource.x[9223372036854775807]");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in [
            "",
            "aws_vpc",
            "aws_vpc.",
            ".main",
            "aws_vpc.main.extra",
            "aws_vpc.main[",
            "aws_vpc.main[0",
            "aws_vpc.main[x]",
            "aws_vpc.main[\"unterminated]",
            "aws_vpc.main[0]x",
            "module.vpc",
            "module.vpc[\"a\"]",
            "module..aws_vpc.main",
            "data.",
            "1abc.main",
            "aws_vpc.main[99999999999999999999]",
            "aws_vpc.mañn",
        ] {
            let error = text.parse::<InstanceAddr>().expect_err(text);
            assert!(
                matches!(error, StateError::InvalidAddress { ref address, .. } if address == text),
                "{text}: {error}"
            );
        }
    }

    #[test]
    fn config_addresses_drop_every_key() {
        let addr = round_trip(r#"module.a[0].module.b["k]"].data.x.y["z"]"#);
        assert_eq!(addr.config_address(), "module.a.module.b.data.x.y");
        assert_eq!(without_keys(r#"module.a[0].x.y["k]\"z"]"#), "module.a.x.y");
        assert_eq!(without_keys(r#"module.a["k"]"#), "module.a");
        assert_eq!(without_keys("aws_vpc.main"), "aws_vpc.main");
    }

    #[test]
    fn deposed_objects_round_trip_and_bad_keys_are_refused() {
        let key = DeposedKey::generate();
        let text = format!("aws_instance.web[0] (deposed object {key})");
        let addr: ObjectAddr = text.parse().expect("parses");
        assert_eq!(addr.deposed.as_ref(), Some(&key));
        assert_eq!(addr.to_string(), text);
        let current: ObjectAddr = "aws_instance.web[0]".parse().expect("parses");
        assert_eq!(current.deposed, None);
        for bad in [
            "aws_instance.web (deposed object 1234)",
            "aws_instance.web (deposed object ABCDEF12)",
            "aws_instance.web (deposed 1a2b3c4d)",
        ] {
            assert!(bad.parse::<ObjectAddr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn module_paths_parse_and_render() {
        assert!(parse_module_path("").expect("root").is_empty());
        let steps = parse_module_path(r#"module.a["k"].module.b[1]"#).expect("parses");
        assert_eq!(module_path_string(&steps), r#"module.a["k"].module.b[1]"#);
        assert!(parse_module_path("module.a.").is_err());
        assert!(parse_module_path("aws_vpc.main").is_err());
    }
}
