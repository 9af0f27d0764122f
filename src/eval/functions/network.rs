//! Network functions: cidrhost, cidrnetmask, cidrsubnet, cidrsubnets, for IPv4 and IPv6.
//!
//! Addresses are handled as 128-bit integers with the address width (32 or 128 bits) alongside.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use plinth_sdk::Value;

use super::args::{Args, Function};

/// The network functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new("cidrhost", &["prefix", "hostnum"], cidrhost),
    Function::new("cidrnetmask", &["prefix"], cidrnetmask),
    Function::new("cidrsubnet", &["prefix", "newbits", "netnum"], cidrsubnet),
    Function::new("cidrsubnets", &["prefix"], cidrsubnets).variadic("newbits"),
];

/// A network prefix: its first address, its length and the address width.
#[derive(Clone, Copy)]
struct Prefix {
    address: u128,
    length: u32,
    width: u32,
}

impl Prefix {
    /// The prefix argument at `index`; a malformed one fails the call, as in Terraform's
    /// cidrhost, cidrnetmask and cidrsubnet.
    fn parse(args: &Args, index: usize) -> Result<Prefix, String> {
        Prefix::parse_text(&args.string(index)?).map_err(|why| args.failed(why))
    }

    /// The prefix argument at `index`; a malformed one is an invalid argument, as in
    /// Terraform's cidrsubnets.
    fn parse_argument(args: &Args, index: usize) -> Result<Prefix, String> {
        Prefix::parse_text(&args.string(index)?).map_err(|why| args.invalid(index, why))
    }

    fn parse_text(text: &str) -> Result<Prefix, String> {
        let net: IpNet = text
            .parse()
            .map_err(|_| format!("invalid CIDR expression: invalid CIDR address: {text}"))?;
        let (address, width) = match net.network() {
            IpAddr::V4(ip) => (u32::from(ip) as u128, 32),
            IpAddr::V6(ip) => (u128::from(ip), 128),
        };
        Ok(Prefix {
            address,
            length: u32::from(net.prefix_len()),
            width,
        })
    }

    /// The mask keeping the first `length` bits of the address.
    fn mask(&self, length: u32) -> u128 {
        let all = low_bits(self.width);
        all & !low_bits(self.width - length)
    }

    fn ip(&self, address: u128) -> String {
        if self.width == 32 {
            Ipv4Addr::from(address as u32).to_string()
        } else {
            Ipv6Addr::from(address).to_string()
        }
    }

    fn cidr(&self, address: u128, length: u32) -> String {
        format!("{}/{length}", self.ip(address))
    }
}

/// A value with the low `bits` bits set.
fn low_bits(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// A whole-number argument that may exceed 64 bits (IPv6 host and network numbers).
fn big_integer(args: &Args, index: usize) -> Result<i128, String> {
    let number = args.number_f64(index)?;
    if number.fract() != 0.0 || number.abs() >= 1.7e38 {
        return Err(args.invalid(index, "must be a whole number within the address space"));
    }
    Ok(number as i128)
}

fn cidrhost(args: &Args) -> Result<Value, String> {
    let prefix = Prefix::parse(args, 0)?;
    let requested = big_integer(args, 1)?;
    let max_host = low_bits(prefix.width - prefix.length);
    let host = if requested < 0 {
        max_host.checked_sub(requested.unsigned_abs() - 1)
    } else {
        Some(requested as u128).filter(|host| *host <= max_host)
    };
    let host = host.ok_or_else(|| {
        args.failed(format!(
            "prefix of {} does not accommodate a host numbered {requested}",
            prefix.length
        ))
    })?;
    Ok(Value::String(prefix.ip(prefix.address | host)))
}

fn cidrnetmask(args: &Args) -> Result<Value, String> {
    let prefix = Prefix::parse(args, 0)?;
    if prefix.width != 32 {
        return Err(args.failed(format!(
            "IPv6 addresses cannot have a netmask: {}",
            args.string(0)?
        )));
    }
    Ok(Value::String(prefix.ip(prefix.mask(prefix.length))))
}

/// `cidrsubnet`, as Terraform's (go-cidr's) arithmetic: a negative `newbits` shortens the
/// prefix instead (`cidrsubnet("10.1.2.0/24", -1, 0)` is `10.1.2.0/23`).
fn cidrsubnet(args: &Args) -> Result<Value, String> {
    let prefix = Prefix::parse(args, 0)?;
    let newbits = args.integer(1)?;
    let netnum = big_integer(args, 2)?;
    let length = prefix.length as i64 + newbits;
    if length > prefix.width as i64 || length < 0 {
        return Err(args.failed(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            prefix.length
        )));
    }
    let length = length as u32;
    let why =
        format!("prefix extension of {newbits} does not accommodate a subnet numbered {netnum}");
    if netnum < 0 {
        return Err(args.invalid(2, why));
    }
    if newbits >= 0 && netnum as u128 > low_bits(newbits as u32) {
        return Err(args.failed(why));
    }
    let shift = prefix.width - length;
    let offset = (netnum as u128).checked_shl(shift).unwrap_or(0);
    Ok(Value::String(prefix.cidr(prefix.address | offset, length)))
}

fn cidrsubnets(args: &Args) -> Result<Value, String> {
    let prefix = Prefix::parse_argument(args, 0)?;
    let network_mask = prefix.mask(prefix.length);
    let mut subnets = Vec::new();
    let mut previous: Option<(u128, u32)> = None;
    for index in 1..args.len() {
        let newbits = args.integer(index)?;
        if newbits < 1 {
            return Err(args.invalid(index, "must extend prefix by at least one bit"));
        }
        if newbits > prefix.width as i64 {
            return Err(args.invalid(
                index,
                format!("may not extend prefix by more than {} bits", prefix.width),
            ));
        }
        let length = prefix.length as i64 + newbits;
        if length > prefix.width as i64 {
            let family = if prefix.width == 32 { "IPv4" } else { "IPv6" };
            return Err(args.invalid(
                index,
                format!("would extend prefix to {length} bits, which is too long for an {family} address"),
            ));
        }
        let length = length as u32;
        let start = match previous {
            None => Some(prefix.address),
            Some((address, previous_length)) => {
                // The next aligned block of the new size after the end of the previous subnet.
                let last = address | low_bits(prefix.width - previous_length);
                let block_last = last | low_bits(prefix.width - length);
                block_last
                    .checked_add(1)
                    .filter(|next| *next <= low_bits(prefix.width))
            }
        };
        let start = start.filter(|next| next & network_mask == prefix.address).ok_or_else(|| {
            let after = previous.map_or_else(|| prefix.cidr(prefix.address, prefix.length), |(a, l)| prefix.cidr(a, l));
            args.invalid(
                index,
                format!("not enough remaining address space for a subnet with a prefix of {length} bits after {after}"),
            )
        })?;
        subnets.push(Value::String(prefix.cidr(start, length)));
        previous = Some((start, length));
    }
    Ok(Value::List(subnets))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn cidrhost_counts_from_both_ends() {
        assert_eq!(
            ok("cidrhost", vec![s("10.12.112.0/20"), n(16.0)]),
            s("10.12.112.16")
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.12.112.0/20"), n(268.0)]),
            s("10.12.113.12")
        );
        assert_eq!(
            ok(
                "cidrhost",
                vec![s("fd00:fd12:3456:7890:00a2::/72"), n(34.0)]
            ),
            s("fd00:fd12:3456:7890::22")
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.0.0.0/24"), n(-1.0)]),
            s("10.0.0.255")
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.0.0.0/24"), n(-2.0)]),
            s("10.0.0.254")
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.0.0.7/24"), n(1.0)]),
            s("10.0.0.1")
        );
        assert_eq!(
            ok("cidrhost", vec![s("::/0"), n(-1.0)]),
            s("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        );
        assert!(err("cidrhost", vec![s("10.0.0.0/24"), n(256.0)])
            .contains("does not accommodate a host numbered 256"));
        assert!(err("cidrhost", vec![s("10.0.0.0/24"), n(-257.0)]).contains("does not accommodate"));
        assert!(err("cidrhost", vec![s("10.0.0.0/33"), n(1.0)]).contains("invalid CIDR address"));
        assert!(err("cidrhost", vec![s("banana"), n(1.0)]).starts_with("Call to function"));
    }

    #[test]
    fn cidrnetmask_for_ipv4() {
        assert_eq!(
            ok("cidrnetmask", vec![s("172.16.0.0/12")]),
            s("255.240.0.0")
        );
        assert_eq!(ok("cidrnetmask", vec![s("0.0.0.0/0")]), s("0.0.0.0"));
        assert_eq!(
            ok("cidrnetmask", vec![s("10.0.0.1/32")]),
            s("255.255.255.255")
        );
        assert!(err("cidrnetmask", vec![s("fd00::/8")]).contains("IPv6"));
    }

    #[test]
    fn cidrsubnet_extends_prefixes() {
        assert_eq!(
            ok("cidrsubnet", vec![s("172.16.0.0/12"), n(4.0), n(2.0)]),
            s("172.18.0.0/16")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("10.1.2.0/24"), n(4.0), n(15.0)]),
            s("10.1.2.240/28")
        );
        assert_eq!(
            ok(
                "cidrsubnet",
                vec![s("fd00:fd12:3456:7890::/56"), n(16.0), n(162.0)]
            ),
            s("fd00:fd12:3456:7800:a200::/72")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("0.0.0.0/0"), n(0.0), n(0.0)]),
            s("0.0.0.0/0")
        );
        assert!(err("cidrsubnet", vec![s("10.1.2.0/24"), n(4.0), n(16.0)]).contains("numbered 16"));
        assert!(err("cidrsubnet", vec![s("10.1.2.0/24"), n(9.0), n(0.0)])
            .contains("insufficient address space"));
        assert!(err("cidrsubnet", vec![s("10.1.2.0/24"), n(4.0), n(-1.0)]).contains("\"netnum\""));
    }

    #[test]
    fn cidrsubnets_allocates_consecutively() {
        assert_eq!(
            ok(
                "cidrsubnets",
                vec![s("10.1.0.0/16"), n(4.0), n(4.0), n(8.0), n(4.0)]
            ),
            strings(&[
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20"
            ])
        );
        assert_eq!(
            ok(
                "cidrsubnets",
                vec![
                    s("fd00:fd12:3456:7890::/56"),
                    n(16.0),
                    n(16.0),
                    n(16.0),
                    n(32.0)
                ]
            ),
            strings(&[
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88",
            ])
        );
        assert_eq!(
            ok("cidrsubnets", vec![s("0.0.0.0/0"), n(1.0), n(1.0)]),
            strings(&["0.0.0.0/1", "128.0.0.0/1"])
        );
        assert_eq!(ok("cidrsubnets", vec![s("10.0.0.0/8")]), list(vec![]));
        assert!(err(
            "cidrsubnets",
            vec![s("10.0.0.0/24"), n(1.0), n(1.0), n(1.0)]
        )
        .contains("not enough remaining"));
        assert!(err("cidrsubnets", vec![s("10.0.0.0/24"), n(0.0)]).contains("at least one bit"));
        assert!(err("cidrsubnets", vec![s("10.0.0.0/24"), n(9.0)]).contains("too long for an IPv4"));
    }
}
