//! Type conversion functions (tostring, tonumber, tobool, tolist, toset, tomap) and the
//! unification of mixed element types they share with other families.

use plinth_sdk::{friendly_name, type_of, Number, Type, Value};

use super::args::{Args, Function};

/// The conversion functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new("tostring", &["v"], tostring),
    Function::new("tonumber", &["v"], tonumber),
    Function::new("tobool", &["v"], tobool),
    Function::new("tolist", &["v"], |a| collection(a, "list")),
    Function::new("toset", &["v"], |a| collection(a, "set")),
    Function::new("tomap", &["v"], |a| collection(a, "map")),
];

/// Brings values of mixed types to the one type Terraform unifies them to (mixed primitives
/// become strings, tuples of different shapes lists, ...); an error when there is none.
pub fn unify(values: Vec<Value>) -> Result<Vec<Value>, String> {
    let types: Vec<Type> = values.iter().map(type_of).collect();
    let Some(ty) = plinth_sdk::unify(&types) else {
        return Err("all elements must have the same type".to_string());
    };
    values
        .into_iter()
        .map(|value| plinth_sdk::convert(value, &ty))
        .collect()
}

fn tostring(args: &Args) -> Result<Value, String> {
    match args.value(0) {
        Value::Null => Ok(Value::Null),
        Value::String(text) => Ok(Value::String(text.clone())),
        Value::Number(number) => Ok(Value::String(number.to_string())),
        Value::Bool(b) => Ok(Value::String(b.to_string())),
        other => Err(args.invalid(
            0,
            format!(
                "cannot convert {} to string",
                friendly_name(&type_of(other))
            ),
        )),
    }
}

fn tonumber(args: &Args) -> Result<Value, String> {
    match args.value(0) {
        Value::Null => Ok(Value::Null),
        Value::Number(number) => Ok(Value::Number(number.clone())),
        Value::String(text) => Number::parse(text).map(Value::Number).ok_or_else(|| {
            args.invalid(
                0,
                format!("cannot convert {text:?} to number; given string must be a decimal representation of a number"),
            )
        }),
        other => Err(args.invalid(0, format!("cannot convert {} to number", other.type_name()))),
    }
}

fn tobool(args: &Args) -> Result<Value, String> {
    match args.value(0) {
        Value::Null => Ok(Value::Null),
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(text) if text == "true" || text == "false" => Ok(Value::Bool(text == "true")),
        Value::String(text) => Err(args.invalid(
            0,
            format!("cannot convert {text:?} to bool; only the strings \"true\" or \"false\" are allowed"),
        )),
        other => Err(args.invalid(0, format!("cannot convert {} to bool", other.type_name()))),
    }
}

/// `tolist`, `toset` and `tomap`: the elements unified to one type.
fn collection(args: &Args, kind: &str) -> Result<Value, String> {
    let value = args.value(0);
    let cannot = || {
        let from = friendly_name(&type_of(value));
        args.invalid(
            0,
            format!("cannot convert {from} to {kind} of any single type"),
        )
    };
    match (kind, value) {
        (_, Value::Null) => Ok(Value::Null),
        ("map", Value::Map(map)) => {
            let (keys, values): (Vec<String>, Vec<Value>) =
                map.iter().map(|(k, v)| (k.clone(), v.clone())).unzip();
            let values = unify(values).map_err(|_| cannot())?;
            Ok(Value::Map(keys.into_iter().zip(values).collect()))
        }
        ("list" | "set", Value::List(items) | Value::Set(items)) => {
            let items = unify(items.clone()).map_err(|_| cannot())?;
            Ok(if kind == "set" {
                Value::set(items)
            } else {
                Value::List(items)
            })
        }
        _ => Err(cannot()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use plinth_sdk::Value;

    #[test]
    fn tostring_converts_primitives() {
        assert_eq!(ok("tostring", vec![s("hello")]), s("hello"));
        assert_eq!(ok("tostring", vec![n(1.0)]), s("1"));
        assert_eq!(ok("tostring", vec![Value::Bool(true)]), s("true"));
        assert_eq!(ok("tostring", vec![Value::Null]), Value::Null);
        assert_eq!(
            err("tostring", vec![list(vec![])]),
            "Invalid value for \"v\" parameter: cannot convert tuple to string."
        );
    }

    #[test]
    fn tonumber_parses_decimals() {
        assert_eq!(ok("tonumber", vec![n(1.0)]), n(1.0));
        assert_eq!(ok("tonumber", vec![s("1")]), n(1.0));
        assert_eq!(ok("tonumber", vec![s("-2.5e2")]), n(-250.0));
        assert_eq!(ok("tonumber", vec![Value::Null]), Value::Null);
        assert!(err("tonumber", vec![s("no")]).contains("cannot convert \"no\" to number"));
        // Terraform reads "inf" as infinity but refuses spaces and hex.
        assert_eq!(ok("tonumber", vec![s("inf")]).to_string(), "+Inf");
        assert!(err("tonumber", vec![s(" 5")]).contains("cannot convert"));
        assert!(err("tonumber", vec![s("0x10")]).contains("cannot convert"));
    }

    #[test]
    fn tobool_accepts_true_and_false() {
        assert_eq!(ok("tobool", vec![Value::Bool(true)]), Value::Bool(true));
        assert_eq!(ok("tobool", vec![s("false")]), Value::Bool(false));
        assert_eq!(ok("tobool", vec![Value::Null]), Value::Null);
        assert!(err("tobool", vec![s("no")]).contains("only the strings"));
        assert!(err("tobool", vec![n(1.0)]).contains("cannot convert number to bool"));
    }

    #[test]
    fn tolist_and_toset_unify_elements() {
        assert_eq!(
            ok("tolist", vec![list(vec![s("a"), s("b"), s("c")])]),
            strings(&["a", "b", "c"])
        );
        assert_eq!(
            ok("tolist", vec![list(vec![s("a"), s("b"), n(3.0)])]),
            strings(&["a", "b", "3"])
        );
        assert_eq!(
            ok("toset", vec![list(vec![s("c"), s("b"), s("b")])]),
            Value::set(vec![s("b"), s("c")])
        );
        assert_eq!(
            ok("toset", vec![list(vec![s("a"), n(3.0)])]),
            Value::set(vec![s("3"), s("a")])
        );
        assert!(err("tolist", vec![list(vec![s("a"), list(vec![])])])
            .contains("cannot convert tuple to list of any single type"));
        assert!(err("toset", vec![s("a")]).contains("cannot convert string to set"));
    }

    #[test]
    fn tomap_unifies_values() {
        assert_eq!(
            ok("tomap", vec![map(&[("a", n(1.0)), ("b", n(2.0))])]),
            map(&[("a", n(1.0)), ("b", n(2.0))])
        );
        assert_eq!(
            ok(
                "tomap",
                vec![map(&[("a", s("foo")), ("b", Value::Bool(true))])]
            ),
            map(&[("a", s("foo")), ("b", s("true"))])
        );
        assert!(err("tomap", vec![strings(&["a"])]).contains("cannot convert tuple to map"));
    }
}
