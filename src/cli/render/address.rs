//! The order plans list addresses in, read with the one address parser
//! (`plinth_state::InstanceAddr`).

use plinth_state::InstanceAddr;

/// Orders addresses the way plans list them: by module, managed before data, type, name, key
/// (numeric keys numerically). Addresses that do not parse sort last, by text.
/// Use with `sort_by_cached_key`, so each address is parsed once.
pub(crate) fn address_sort_key(address: &str) -> impl Ord {
    let parsed = address.parse::<InstanceAddr>().ok();
    (parsed.is_none(), parsed, address.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_numeric_keys_numerically_and_data_last() {
        let mut list = vec![
            "data.aws_ami.a",
            "aws_subnet.s[10]",
            "aws_subnet.s[2]",
            "aws_vpc.main",
            "module.m[10].aws_vpc.main",
            "module.m[9].aws_vpc.main",
        ];
        list.sort_by_cached_key(|a| address_sort_key(a));
        assert_eq!(
            list,
            [
                "aws_subnet.s[2]",
                "aws_subnet.s[10]",
                "aws_vpc.main",
                "data.aws_ami.a",
                "module.m[9].aws_vpc.main",
                "module.m[10].aws_vpc.main",
            ]
        );
    }
}
