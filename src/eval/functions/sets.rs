//! Set functions: setintersection, setproduct, setsubtract, setunion.

use plinth_sdk::Value;

use super::args::{Args, Function};
use super::conversion::unify;

/// The set functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new("setintersection", &["first_set"], setintersection).variadic("other_sets"),
    Function::new("setproduct", &[], setproduct).variadic("sets"),
    Function::new("setsubtract", &["a", "b"], setsubtract),
    Function::new("setunion", &["first_set"], setunion).variadic("other_sets"),
];

/// The largest result `setproduct` builds.
const PRODUCT_LIMIT: usize = 1_000_000;

/// Every argument as a set of elements unified to one type.
fn sets(args: &Args) -> Result<Vec<Vec<Value>>, String> {
    let mut lengths = Vec::new();
    let mut all = Vec::new();
    for index in 0..args.len() {
        let items = args.list(index)?;
        lengths.push(items.len());
        all.extend(items.iter().cloned());
    }
    let mut all = unify(all)
        .map_err(|message| args.failed(message))?
        .into_iter();
    Ok(lengths
        .into_iter()
        .map(|len| all.by_ref().take(len).collect())
        .collect())
}

fn setunion(args: &Args) -> Result<Value, String> {
    Ok(Value::set(sets(args)?.into_iter().flatten().collect()))
}

fn setintersection(args: &Args) -> Result<Value, String> {
    let mut sets = sets(args)?.into_iter();
    let first = sets.next().unwrap_or_default();
    let rest: Vec<Vec<Value>> = sets.collect();
    Ok(Value::set(
        first
            .into_iter()
            .filter(|item| rest.iter().all(|set| set.contains(item)))
            .collect(),
    ))
}

fn setsubtract(args: &Args) -> Result<Value, String> {
    let sets = sets(args)?;
    let (a, b) = (&sets[0], &sets[1]);
    Ok(Value::set(
        a.iter().filter(|item| !b.contains(item)).cloned().collect(),
    ))
}

fn setproduct(args: &Args) -> Result<Value, String> {
    if args.len() < 2 {
        return Err(args.failed("at least two arguments are required"));
    }
    let all_lists = (0..args.len()).all(|i| matches!(args.value(i), Value::List(_)));
    // Each argument has its own element type; a row is a tuple of one element of each.
    let sets: Vec<Vec<Value>> = (0..args.len())
        .map(|index| {
            let items =
                unify(args.list(index)?.to_vec()).map_err(|message| args.failed(message))?;
            Ok(if all_lists { items } else { dedup(items) })
        })
        .collect::<Result<_, String>>()?;
    let total = sets
        .iter()
        .try_fold(1usize, |acc, set| acc.checked_mul(set.len()));
    if total.is_none_or(|total| total > PRODUCT_LIMIT) {
        return Err(args.failed(format!(
            "the product would have more than {PRODUCT_LIMIT} elements"
        )));
    }
    let mut product: Vec<Vec<Value>> = vec![vec![]];
    for set in &sets {
        product = product
            .into_iter()
            .flat_map(|prefix| {
                set.iter().map(move |item| {
                    let mut row = prefix.clone();
                    row.push(item.clone());
                    row
                })
            })
            .collect();
    }
    let rows: Vec<Value> = product.into_iter().map(Value::List).collect();
    Ok(if all_lists {
        Value::List(rows)
    } else {
        Value::set(rows)
    })
}

fn dedup(items: Vec<Value>) -> Vec<Value> {
    match Value::set(items) {
        Value::Set(items) => items,
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use plinth_sdk::Value;

    fn set(items: &[&str]) -> Value {
        Value::set(items.iter().map(|i| s(i)).collect())
    }

    #[test]
    fn setintersection_keeps_common_elements() {
        assert_eq!(
            ok(
                "setintersection",
                vec![set(&["a", "b"]), set(&["b", "c"]), set(&["b", "d"])]
            ),
            set(&["b"])
        );
        assert_eq!(ok("setintersection", vec![strings(&["a"])]), set(&["a"]));
    }

    #[test]
    fn setproduct_of_lists_and_sets() {
        assert_eq!(
            ok(
                "setproduct",
                vec![
                    strings(&["development", "staging"]),
                    strings(&["app1", "app2"])
                ]
            ),
            list(vec![
                strings(&["development", "app1"]),
                strings(&["development", "app2"]),
                strings(&["staging", "app1"]),
                strings(&["staging", "app2"]),
            ])
        );
        assert_eq!(
            ok("setproduct", vec![strings(&["a"]), list(vec![])]),
            list(vec![])
        );
        assert_eq!(
            ok("setproduct", vec![set(&["a", "b"]), set(&["c"])]),
            Value::set(vec![strings(&["a", "c"]), strings(&["b", "c"])])
        );
        assert_eq!(
            err("setproduct", vec![strings(&["a"])]),
            "Call to function \"setproduct\" failed: at least two arguments are required."
        );
        let big = list((0..200).map(|i| n(i as f64)).collect());
        assert!(err("setproduct", vec![big.clone(), big.clone(), big]).contains("more than"));
    }

    #[test]
    fn setsubtract_removes_elements() {
        assert_eq!(
            ok("setsubtract", vec![set(&["a", "b", "c"]), set(&["a", "c"])]),
            set(&["b"])
        );
        assert_eq!(
            ok("setsubtract", vec![set(&["a", "b"]), set(&[])]),
            set(&["a", "b"])
        );
    }

    #[test]
    fn setunion_joins_and_unifies() {
        assert_eq!(
            ok(
                "setunion",
                vec![set(&["a", "b"]), set(&["b", "c"]), set(&["d"])]
            ),
            set(&["a", "b", "c", "d"])
        );
        assert_eq!(
            ok(
                "setunion",
                vec![strings(&["1"]), list(vec![n(1.0), n(2.0)])]
            ),
            set(&["1", "2"])
        );
        assert!(err("setunion", vec![s("a")]).contains("\"first_set\""));
    }
}
