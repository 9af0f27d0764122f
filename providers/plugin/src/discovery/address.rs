//! Provider source addresses: `HOST/NAMESPACE/TYPE`, with the host defaulting to Terraform's
//! registry (`hashicorp/aws` is `registry.terraform.io/hashicorp/aws`).

use std::fmt;

use super::DiscoveryError;

/// The host a source address without one means.
pub const DEFAULT_HOST: &str = "registry.terraform.io";

/// A provider's source address.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProviderAddress {
    /// Registry host (`registry.terraform.io`).
    pub host: String,
    /// Namespace (`hashicorp`).
    pub namespace: String,
    /// Type (`aws`): the prefix of its resource types.
    pub type_name: String,
}

impl ProviderAddress {
    /// Parses `TYPE`, `NAMESPACE/TYPE` or `HOST/NAMESPACE/TYPE` (a bare type is a
    /// `hashicorp` provider, as in Terraform). Names are compared lower-case.
    pub fn parse(text: &str) -> Result<ProviderAddress, DiscoveryError> {
        let parts: Vec<String> = text.split('/').map(str::to_lowercase).collect();
        let bad = |why: &str| DiscoveryError::BadAddress {
            address: text.to_string(),
            reason: why.to_string(),
        };
        if parts.iter().any(|p| p.is_empty()) {
            return Err(bad("empty part"));
        }
        let (host, namespace, type_name) = match parts.as_slice() {
            [t] => (DEFAULT_HOST.to_string(), "hashicorp".to_string(), t.clone()),
            [n, t] => (DEFAULT_HOST.to_string(), n.clone(), t.clone()),
            [h, n, t] => (h.clone(), n.clone(), t.clone()),
            _ => return Err(bad("expected [HOST/]NAMESPACE/TYPE")),
        };
        let valid = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        if !valid(&namespace) || !valid(&type_name) {
            return Err(bad("names take letters, digits, '-' and '_'"));
        }
        Ok(ProviderAddress {
            host,
            namespace,
            type_name,
        })
    }
}

impl fmt::Display for ProviderAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.host, self.namespace, self.type_name)
    }
}

/// An `include`/`exclude` pattern of the CLI configuration: `HOST/NAMESPACE/TYPE` where each
/// part may be `*` (the host may be left out, meaning the registry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressPattern {
    parts: [String; 3],
}

impl AddressPattern {
    /// Parses a pattern.
    pub fn parse(text: &str) -> Result<AddressPattern, DiscoveryError> {
        let parts: Vec<String> = text.split('/').map(str::to_lowercase).collect();
        let parts = match parts.as_slice() {
            [n, t] => [DEFAULT_HOST.to_string(), n.clone(), t.clone()],
            [h, n, t] => [h.clone(), n.clone(), t.clone()],
            _ => {
                return Err(DiscoveryError::BadAddress {
                    address: text.to_string(),
                    reason: "a pattern is [HOST/]NAMESPACE/TYPE, parts may be *".into(),
                })
            }
        };
        Ok(AddressPattern { parts })
    }

    /// Whether the address matches.
    pub fn matches(&self, address: &ProviderAddress) -> bool {
        let values = [&address.host, &address.namespace, &address.type_name];
        self.parts
            .iter()
            .zip(values)
            .all(|(pattern, value)| pattern == "*" || pattern == value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_addresses_default_like_terraform() {
        let a = ProviderAddress::parse("hashicorp/AWS").unwrap();
        assert_eq!(a.to_string(), "registry.terraform.io/hashicorp/aws");
        assert_eq!(
            ProviderAddress::parse("null").unwrap().namespace,
            "hashicorp"
        );
        assert!(ProviderAddress::parse("a/b/c/d").is_err());
        assert!(ProviderAddress::parse("a//c").is_err());
    }

    #[test]
    fn patterns_match_with_wildcards() {
        let aws = ProviderAddress::parse("hashicorp/aws").unwrap();
        assert!(AddressPattern::parse("registry.terraform.io/hashicorp/*")
            .unwrap()
            .matches(&aws));
        assert!(AddressPattern::parse("hashicorp/aws")
            .unwrap()
            .matches(&aws));
        assert!(!AddressPattern::parse("example.com/*/*")
            .unwrap()
            .matches(&aws));
        assert!(AddressPattern::parse("*/*/*").unwrap().matches(&aws));
    }
}
