//! The function library: Terraform's built-in functions over fully known, unmarked values.
//!
//! The evaluator strips sensitive marks, short-circuits unknown arguments, expands `f(xs...)` and
//! handles `can`, `try`, `sensitive`, `nonsensitive` and `templatefile` itself; everything else
//! comes through [`call`]. Each family of functions lives in its own file and exposes a table of
//! [`Function`]s; errors are the detail lines Terraform prints (`Invalid value for "index"
//! parameter: ...`), and no input makes a function panic.

mod args;
mod collection;
mod conversion;
mod encoding;
mod fileset;
mod filesystem;
mod format;
mod hash;
mod maps;
mod network;
mod numeric;
mod rfc3339;
mod sets;
mod string;
mod text_encoding;
mod time;
mod yaml;
mod yaml_decode;

use plinth_sdk::Value;

use args::{Args, Function};
pub use filesystem::{read_regular_file, ReadError};

/// Calls the built-in function `name` with fully known, unmarked arguments.
///
/// Errors name the unknown function, the expected number of arguments, or the argument at fault.
pub fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let function = find(name).ok_or_else(|| format!("Call to unknown function \"{name}\"."))?;
    function
        .check_arity(args.len())
        .map_err(|(_, detail)| detail)?;
    (function.run)(&Args::new(function, args))
}

/// Checks that `name` exists and takes `count` arguments; the error is Terraform's summary and
/// detail.
pub fn check_arity(name: &str, count: usize) -> Result<(), (String, String)> {
    let function = find(name).ok_or_else(|| {
        (
            "Call to unknown function".to_string(),
            format!("There is no function named \"{name}\"."),
        )
    })?;
    function.check_arity(count)
}

/// The names of every function [`call`] knows.
pub fn names() -> Vec<&'static str> {
    all().map(|function| function.name).collect()
}

/// Whether `name` is a built-in function that [`call`] knows.
pub fn exists(name: &str) -> bool {
    find(name).is_some()
}

fn find(name: &str) -> Option<&'static Function> {
    all().find(|function| function.name == name)
}

/// Every function of every family.
fn all() -> impl Iterator<Item = &'static Function> {
    [
        numeric::FUNCTIONS,
        string::FUNCTIONS,
        collection::FUNCTIONS,
        maps::FUNCTIONS,
        sets::FUNCTIONS,
        encoding::FUNCTIONS,
        text_encoding::FUNCTIONS,
        filesystem::FUNCTIONS,
        fileset::FUNCTIONS,
        hash::FUNCTIONS,
        network::FUNCTIONS,
        conversion::FUNCTIONS,
        time::FUNCTIONS,
    ]
    .into_iter()
    .flatten()
}

#[cfg(test)]
mod test_support {
    //! Short constructors and call helpers shared by the families' tests.

    use plinth_sdk::Value;

    /// A string value.
    pub fn s(text: &str) -> Value {
        Value::from(text)
    }

    /// A number value.
    pub fn n(number: f64) -> Value {
        Value::from(number)
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(items)
    }

    /// A list of strings.
    pub fn strings(items: &[&str]) -> Value {
        Value::List(items.iter().map(|item| s(item)).collect())
    }

    /// A map of values.
    pub fn map(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())))
    }

    /// Calls a function that must succeed.
    pub fn ok(name: &str, args: Vec<Value>) -> Value {
        match super::call(name, args) {
            Ok(value) => value,
            Err(message) => panic!("{name} failed: {message}"),
        }
    }

    /// Calls a function that must fail, returning its message.
    pub fn err(name: &str, args: Vec<Value>) -> String {
        match super::call(name, args) {
            Ok(value) => panic!("{name} unexpectedly returned {value}"),
            Err(message) => message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn unknown_function_is_reported_by_name() {
        assert_eq!(
            err("nosuch", vec![]),
            "Call to unknown function \"nosuch\"."
        );
        assert!(!exists("nosuch"));
        assert!(exists("cidrsubnet"));
    }

    #[test]
    fn arity_errors_say_what_was_expected() {
        assert_eq!(
            err("substr", vec![s("a"), n(1.0)]),
            "Function \"substr\" expects 3 argument(s). Missing value for \"length\"."
        );
        assert_eq!(
            err("upper", vec![s("a"), s("b")]),
            "Function \"upper\" expects only 1 argument(s)."
        );
        assert_eq!(
            err("lookup", vec![map(&[]), s("a"), s("b"), s("c")]),
            "Call to function \"lookup\" failed: lookup() takes no more than 3 arguments."
        );
    }

    #[test]
    fn functions_are_all_documented() {
        let doc = include_str!("../../../docs/language.md");
        let section = &doc[doc.find("## Functions").expect("a Functions section")..];
        let mut listed: Vec<&str> = section
            .lines()
            .filter(|line| line.starts_with("| ") && !line.starts_with("| family"))
            .filter_map(|line| line.trim_end_matches('|').rsplit('|').next())
            .flat_map(|cell| cell.split('`').skip(1).step_by(2))
            .collect();
        listed.sort_unstable();
        let mut known = names();
        known.sort_unstable();
        assert_eq!(listed, known, "the function table of docs/language.md");
    }

    #[test]
    fn every_function_survives_odd_arguments() {
        let odd = [
            Value::Null,
            n(-1.0),
            n(1e300),
            n(f64::NAN),
            s(""),
            s("/(/"),
            list(vec![]),
            map(&[]),
            Value::Bool(true),
            list(vec![Value::Null, n(-5.5)]),
        ];
        let names: Vec<&str> = super::all().map(|f| f.name).collect();
        for name in names {
            for count in 0..4 {
                for a in &odd {
                    for b in &odd {
                        let args: Vec<Value> =
                            [a, b, a].iter().take(count).map(|v| (*v).clone()).collect();
                        let _ = call(name, args);
                    }
                }
            }
        }
    }
}
