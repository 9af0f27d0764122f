//! What the certificate types share about the named party: the `subject` block (common name,
//! organization, ...) and the `dns_names`, `ip_addresses` and `uris` alternative names, with
//! the tls provider's attribute names, turned into rcgen's distinguished name and SANs.

use std::net::IpAddr;

use plinth_sdk::{Attribute, Diagnostics, NestedBlock, Schema, Type};
use rcgen::{DistinguishedName, DnType, SanType};

use crate::common::{first_block, invalid, string, strings};
use crate::generated::Object;

/// street address, postal code and serial number (X.520), which rcgen names by OID.
const STREET_ADDRESS: &[u64] = &[2, 5, 4, 9];
const POSTAL_CODE: &[u64] = &[2, 5, 4, 17];
const SERIAL_NUMBER: &[u64] = &[2, 5, 4, 5];

/// Adds the `subject` block and the three alternative name lists, all replacing on change.
pub fn with_names(schema: Schema) -> Schema {
    let text = |what: &str| Attribute::optional(Type::String).force_new().describe(what);
    let subject = Schema::new()
        .attr("common_name", text("Distinguished name: CN."))
        .attr("organization", text("Distinguished name: O."))
        .attr("organizational_unit", text("Distinguished name: OU."))
        .attr(
            "street_address",
            Attribute::optional(Type::list(Type::String))
                .force_new()
                .describe("Distinguished name: STREET."),
        )
        .attr("locality", text("Distinguished name: L."))
        .attr("province", text("Distinguished name: ST."))
        .attr("country", text("Distinguished name: C."))
        .attr("postal_code", text("Distinguished name: PC."))
        .attr("serial_number", text("Distinguished name: SERIALNUMBER."));
    let names = |what: &str| {
        Attribute::optional(Type::list(Type::String))
            .force_new()
            .describe(what)
    };
    let mut block = NestedBlock::list(subject).force_new();
    block.max_items = 1;
    schema
        .block("subject", block)
        .attr("dns_names", names("DNS names the certificate is for."))
        .attr(
            "ip_addresses",
            names("IP addresses the certificate is for."),
        )
        .attr("uris", names("URIs the certificate is for."))
}

/// The subject's distinguished name, in the order Go writes it.
pub fn distinguished_name(object: &Object) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    let Some(subject) = first_block(object, "subject") else {
        return name;
    };
    let mut push = |ty: DnType, attribute: &str| {
        if let Some(value) = string(&subject, attribute).filter(|v| !v.is_empty()) {
            name.push(ty, value);
        }
    };
    push(DnType::CountryName, "country");
    push(DnType::OrganizationName, "organization");
    push(DnType::OrganizationalUnitName, "organizational_unit");
    push(DnType::LocalityName, "locality");
    push(DnType::StateOrProvinceName, "province");
    push(DnType::CustomDnType(POSTAL_CODE.to_vec()), "postal_code");
    push(
        DnType::CustomDnType(SERIAL_NUMBER.to_vec()),
        "serial_number",
    );
    push(DnType::CommonName, "common_name");
    for street in strings(&subject, "street_address") {
        name.push(DnType::CustomDnType(STREET_ADDRESS.to_vec()), street);
    }
    name
}

/// The alternative names from `dns_names`, `ip_addresses` and `uris`.
pub fn alt_names(object: &Object) -> Result<Vec<SanType>, Diagnostics> {
    let mut names = Vec::new();
    for dns in strings(object, "dns_names") {
        let name = dns
            .clone()
            .try_into()
            .map_err(|e| invalid("dns_names", format!("{dns:?}: {e}")))?;
        names.push(SanType::DnsName(name));
    }
    for ip in strings(object, "ip_addresses") {
        let address: IpAddr = ip
            .parse()
            .map_err(|_| invalid("ip_addresses", format!("{ip:?} is not an IP address.")))?;
        names.push(SanType::IpAddress(address));
    }
    for uri in strings(object, "uris") {
        let name = uri
            .clone()
            .try_into()
            .map_err(|e| invalid("uris", format!("{uri:?}: {e}")))?;
        names.push(SanType::URI(name));
    }
    Ok(names)
}
