//! Reading instance addresses (`module.net[0].data.aws_ami.ubuntu["a"]`) into their parts for
//! block headers, JSON fields and display order.

/// The instance key in brackets at the end of an address.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum InstanceKey {
    /// `[0]` from `count`.
    Index(i64),
    /// `["a"]` from `for_each`.
    Key(String),
}

impl InstanceKey {
    /// The key as JSON (a number or a string).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        match self {
            InstanceKey::Index(i) => serde_json::Value::from(*i),
            InstanceKey::Key(k) => serde_json::Value::from(k.as_str()),
        }
    }
}

/// The parts of a resource instance address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InstanceAddress {
    /// The module path (`module.net[0]`), empty in the root module.
    pub module: String,
    /// A `data.` source.
    pub data: bool,
    /// The resource type (`aws_ami`).
    pub type_name: String,
    /// The resource name (`ubuntu`).
    pub name: String,
    /// The instance key, if the resource uses `count` or `for_each`.
    pub key: Option<InstanceKey>,
}

impl InstanceAddress {
    /// Parses an instance address; None when it is not one.
    pub(crate) fn parse(address: &str) -> Option<InstanceAddress> {
        let segments = split_segments(address)?;
        let mut rest = segments.as_slice();
        let mut module = Vec::new();
        while rest.len() > 2 && rest[0] == "module" {
            module.push(format!("module.{}", rest[1]));
            rest = &rest[2..];
        }
        let data = rest.len() == 3 && rest[0] == "data";
        if data {
            rest = &rest[1..];
        }
        let [type_name, name_and_key] = rest else {
            return None;
        };
        let (name, key) = match name_and_key.find('[') {
            Some(open) => {
                let inner = name_and_key[open..].strip_prefix('[')?.strip_suffix(']')?;
                (&name_and_key[..open], Some(parse_key(inner)?))
            }
            None => (name_and_key.as_str(), None),
        };
        if type_name.is_empty() || name.is_empty() {
            return None;
        }
        Some(InstanceAddress {
            module: module.join("."),
            data,
            type_name: type_name.clone(),
            name: name.to_string(),
            key,
        })
    }
}

/// Orders addresses the way plans list them: by module, managed before data, type, name, key
/// (numeric keys numerically). Addresses that do not parse sort last, by text.
/// Use with `sort_by_cached_key`, so each address is parsed once.
pub(crate) fn address_sort_key(address: &str) -> impl Ord {
    let parsed =
        InstanceAddress::parse(address).map(|p| (p.module, p.data, p.type_name, p.name, p.key));
    (parsed.is_none(), parsed, address.to_string())
}

/// Splits at dots outside brackets and quotes; None when brackets or quotes do not balance.
fn split_segments(address: &str) -> Option<Vec<String>> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let (mut depth, mut in_quote, mut escaped) = (0usize, false, false);
    for c in address.chars() {
        if in_quote {
            in_quote = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else {
            match c {
                '"' => in_quote = true,
                '[' => depth += 1,
                ']' => depth = depth.checked_sub(1)?,
                '.' if depth == 0 => {
                    segments.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
        }
        current.push(c);
    }
    if depth != 0 || in_quote {
        return None;
    }
    segments.push(current);
    Some(segments)
}

fn parse_key(inner: &str) -> Option<InstanceKey> {
    if inner.starts_with('"') {
        return serde_json::from_str::<String>(inner)
            .ok()
            .map(InstanceKey::Key);
    }
    inner.parse().ok().map(InstanceKey::Index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_module_data_and_string_key() {
        let a =
            InstanceAddress::parse(r#"module.net[0].module.x.data.aws_ami.ubuntu["a.b"]"#).unwrap();
        assert_eq!(a.module, "module.net[0].module.x");
        assert!(a.data);
        assert_eq!(a.type_name, "aws_ami");
        assert_eq!(a.name, "ubuntu");
        assert_eq!(a.key, Some(InstanceKey::Key("a.b".into())));
    }

    #[test]
    fn parses_plain_and_counted_resources() {
        let a = InstanceAddress::parse("aws_subnet.public[2]").unwrap();
        assert_eq!(
            (a.module.as_str(), a.data, a.name.as_str()),
            ("", false, "public")
        );
        assert_eq!(a.key, Some(InstanceKey::Index(2)));
        let b = InstanceAddress::parse("aws_vpc.main").unwrap();
        assert_eq!(b.key, None);
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "aws_vpc",
            "aws_vpc.main[",
            "aws_vpc.main[x]",
            "a.b.c.d",
            "aws_vpc.[0]",
        ] {
            assert_eq!(InstanceAddress::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn orders_numeric_keys_numerically_and_data_last() {
        let mut list = vec![
            "data.aws_ami.a",
            "aws_subnet.s[10]",
            "aws_subnet.s[2]",
            "aws_vpc.main",
        ];
        list.sort_by_cached_key(|a| address_sort_key(a));
        assert_eq!(
            list,
            [
                "aws_subnet.s[2]",
                "aws_subnet.s[10]",
                "aws_vpc.main",
                "data.aws_ami.a"
            ]
        );
    }
}
