//! Functions over maps and objects: keys, values, lookup, merge, transpose, zipmap.

use std::collections::BTreeMap;

use plinth_sdk::Value;

use super::args::{Args, Function};

/// The map functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new("keys", &["inputMap"], |a| {
        let map = a
            .map(0)
            .map_err(|_| a.invalid(0, "must have map or object type"))?;
        Ok(Value::List(
            map.keys().map(|k| Value::String(k.clone())).collect(),
        ))
    }),
    Function::new("values", &["mapping"], |a| {
        let map = a
            .map(0)
            .map_err(|_| a.failed("values() requires a map as the first argument"))?;
        Ok(Value::List(map.values().cloned().collect()))
    }),
    Function::new("lookup", &["inputMap", "key"], lookup).optional(&["default"]),
    Function::new("merge", &[], merge).variadic("maps"),
    Function::new("transpose", &["values"], transpose),
    Function::new("zipmap", &["keys", "values"], zipmap),
    Function::new("matchkeys", &["values", "keys", "searchset"], matchkeys),
];

/// `matchkeys(values, keys, searchset)`: the values whose key (at the same position) is in
/// the search set.
fn matchkeys(args: &Args) -> Result<Value, String> {
    let values = args.list(0)?;
    let keys = args.list(1)?;
    let wanted = args.list(2)?;
    if values.len() != keys.len() {
        return Err(args.failed("length of keys and values should be equal"));
    }
    let keys = super::conversion::unify(keys.to_vec()).map_err(|e| args.invalid(1, e))?;
    Ok(Value::List(
        values
            .iter()
            .zip(&keys)
            .filter(|(_, key)| {
                wanted
                    .iter()
                    .any(|w| w == *key || super::args::to_string(w) == super::args::to_string(key))
            })
            .map(|(value, _)| value.clone())
            .collect(),
    ))
}

fn lookup(args: &Args) -> Result<Value, String> {
    let map = args.map(0)?;
    let key = args.string(1)?;
    match map.get(&key) {
        Some(value) => Ok(value.clone()),
        None if args.len() == 3 => Ok(args.value(2).clone()),
        None => Err(args.invalid(0, format!("the given object has no attribute {key:?}"))),
    }
}

fn merge(args: &Args) -> Result<Value, String> {
    let mut merged = BTreeMap::new();
    for value in args.rest(0) {
        match value {
            Value::Null => {}
            Value::Map(map) => merged.extend(map.iter().map(|(k, v)| (k.clone(), v.clone()))),
            other => {
                let got = plinth_sdk::friendly_name(&plinth_sdk::type_of(other));
                return Err(args.failed(format!("arguments must be maps or objects, got {got:?}")));
            }
        }
    }
    Ok(Value::Map(merged))
}

fn transpose(args: &Args) -> Result<Value, String> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (key, value) in args.map(0)? {
        let wrong = || args.invalid(0, format!("element {key:?}: list of string required"));
        let items = value.as_list().ok_or_else(wrong)?;
        for item in items {
            let text = super::args::to_string(item).ok_or_else(wrong)?;
            out.entry(text)
                .or_default()
                .push(Value::String(key.clone()));
        }
    }
    Ok(Value::Map(
        out.into_iter().map(|(k, v)| (k, Value::List(v))).collect(),
    ))
}

fn zipmap(args: &Args) -> Result<Value, String> {
    if let Some(i) = args.list(0)?.iter().position(Value::is_null) {
        return Err(args.failed(format!("keys list has null value at index {i}")));
    }
    let keys = args.strings(0)?;
    let values = args.list(1)?;
    if keys.len() != values.len() {
        return Err(args.failed(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        )));
    }
    Ok(Value::Map(
        keys.into_iter().zip(values.iter().cloned()).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use plinth_sdk::Value;

    #[test]
    fn keys_and_values_in_key_order() {
        let m = map(&[("a", n(1.0)), ("c", n(2.0)), ("d", n(3.0))]);
        assert_eq!(ok("keys", vec![m.clone()]), strings(&["a", "c", "d"]));
        assert_eq!(ok("values", vec![m]), list(vec![n(1.0), n(2.0), n(3.0)]));
        assert!(err("keys", vec![strings(&["a"])]).contains("\"inputMap\""));
    }

    #[test]
    fn lookup_with_and_without_default() {
        let m = map(&[("a", s("ay")), ("b", s("bee"))]);
        assert_eq!(ok("lookup", vec![m.clone(), s("a"), s("what?")]), s("ay"));
        assert_eq!(
            ok("lookup", vec![m.clone(), s("c"), s("what?")]),
            s("what?")
        );
        assert_eq!(ok("lookup", vec![m.clone(), s("b")]), s("bee"));
        assert!(err("lookup", vec![m, s("c")]).contains("the given object has no attribute \"c\""));
    }

    #[test]
    fn merge_later_wins() {
        assert_eq!(
            ok(
                "merge",
                vec![
                    map(&[("a", s("b")), ("c", s("d"))]),
                    map(&[("e", s("f")), ("c", s("z"))])
                ]
            ),
            map(&[("a", s("b")), ("c", s("z")), ("e", s("f"))])
        );
        assert_eq!(
            ok("merge", vec![map(&[("a", s("b"))]), Value::Null]),
            map(&[("a", s("b"))])
        );
        assert_eq!(ok("merge", vec![]), map(&[]));
        assert!(err("merge", vec![strings(&["a"])]).contains("maps or objects"));
    }

    #[test]
    fn transpose_swaps_keys_and_values() {
        let input = map(&[("a", strings(&["1", "2"])), ("b", strings(&["2", "3"]))]);
        assert_eq!(
            ok("transpose", vec![input]),
            map(&[
                ("1", strings(&["a"])),
                ("2", strings(&["a", "b"])),
                ("3", strings(&["b"]))
            ])
        );
        assert!(err("transpose", vec![map(&[("a", s("x"))])])
            .contains("element \"a\": list of string required"));
    }

    #[test]
    fn zipmap_pairs_keys_with_values() {
        assert_eq!(
            ok(
                "zipmap",
                vec![strings(&["a", "b"]), list(vec![n(1.0), n(2.0)])]
            ),
            map(&[("a", n(1.0)), ("b", n(2.0))])
        );
        assert_eq!(
            ok(
                "zipmap",
                vec![
                    strings(&["a", "b"]),
                    list(vec![strings(&["a"]), list(vec![])])
                ]
            ),
            map(&[("a", strings(&["a"])), ("b", list(vec![]))])
        );
        assert!(err("zipmap", vec![strings(&["a"]), list(vec![])]).contains("does not match"));
    }
}
