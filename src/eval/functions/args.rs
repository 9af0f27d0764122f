//! The description of one function (name, parameters, implementation) and typed access to the
//! arguments of a call, with Terraform's wording for wrong arguments.

use std::collections::BTreeMap;
use std::fmt::Display;

use plinth_sdk::{Number, Value};

/// One built-in function: its name, its parameters (for arity checks and error messages) and its
/// implementation.
pub struct Function {
    /// The name used in configurations.
    pub name: &'static str,
    /// Parameters every call must pass.
    pub params: &'static [&'static str],
    /// Trailing parameters a call may leave out.
    pub optional: &'static [&'static str],
    /// The name of the variadic parameter taking every further argument, if any.
    pub variadic: Option<&'static str>,
    /// The implementation.
    pub run: fn(&Args) -> Result<Value, String>,
}

impl Function {
    /// A function with exactly `params`.
    pub const fn new(
        name: &'static str,
        params: &'static [&'static str],
        run: fn(&Args) -> Result<Value, String>,
    ) -> Function {
        Function {
            name,
            params,
            optional: &[],
            variadic: None,
            run,
        }
    }

    /// The same function with trailing optional parameters.
    pub const fn optional(self, optional: &'static [&'static str]) -> Function {
        Function { optional, ..self }
    }

    /// The same function taking any number of further arguments named `rest`.
    pub const fn variadic(self, rest: &'static str) -> Function {
        Function {
            variadic: Some(rest),
            ..self
        }
    }

    /// Checks the number of arguments of a call; the error is Terraform's summary and detail.
    /// Optional parameters are, as in Terraform, a variadic tail with a limit.
    pub fn check_arity(&self, got: usize) -> Result<(), (String, String)> {
        let fixed = self.params.len();
        let tail = self.variadic.is_some() || !self.optional.is_empty();
        if got < fixed {
            let qualifier = if tail { " at least" } else { "" };
            return Err((
                "Not enough function arguments".to_string(),
                format!(
                    "Function \"{}\" expects{qualifier} {fixed} argument(s). Missing value for \"{}\".",
                    self.name, self.params[got]
                ),
            ));
        }
        if !tail && got > fixed {
            return Err((
                "Too many function arguments".to_string(),
                format!(
                    "Function \"{}\" expects only {fixed} argument(s).",
                    self.name
                ),
            ));
        }
        if self.variadic.is_none() && got > fixed + self.optional.len() {
            return Err((
                "Error in function call".to_string(),
                format!(
                    "Call to function \"{}\" failed: {}() takes no more than {} arguments.",
                    self.name,
                    self.name,
                    fixed + self.optional.len()
                ),
            ));
        }
        Ok(())
    }
}

/// The arguments of one call, with typed accessors whose errors name the parameter.
pub struct Args {
    function: &'static Function,
    values: Vec<Value>,
}

impl Args {
    /// Wraps the arguments of a call to `function`.
    pub fn new(function: &'static Function, values: Vec<Value>) -> Args {
        Args { function, values }
    }

    /// How many arguments were passed.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The name of the parameter at `index`.
    pub fn param(&self, index: usize) -> &'static str {
        let f = self.function;
        f.params
            .iter()
            .chain(f.optional)
            .nth(index)
            .copied()
            .or(f.variadic)
            .unwrap_or("argument")
    }

    /// `Invalid value for "<param>" parameter: <message>.`
    pub fn invalid(&self, index: usize, message: impl Display) -> String {
        format!(
            "Invalid value for \"{}\" parameter: {message}.",
            self.param(index)
        )
    }

    /// `Call to function "<name>" failed: <message>.`
    pub fn failed(&self, message: impl Display) -> String {
        format!(
            "Call to function \"{}\" failed: {message}.",
            self.function.name
        )
    }

    /// The argument at `index` (null when absent).
    pub fn value(&self, index: usize) -> &Value {
        self.values.get(index).unwrap_or(&Value::Null)
    }

    /// The arguments from `index` on.
    pub fn rest(&self, index: usize) -> &[Value] {
        self.values.get(index..).unwrap_or(&[])
    }

    /// The argument at `index`, which must not be null.
    pub fn non_null(&self, index: usize) -> Result<&Value, String> {
        match self.value(index) {
            Value::Null => Err(self.invalid(index, "argument must not be null")),
            value => Ok(value),
        }
    }

    /// A string argument; numbers and bools convert as Terraform converts them.
    pub fn string(&self, index: usize) -> Result<String, String> {
        let value = self.non_null(index)?;
        to_string(value).ok_or_else(|| self.invalid(index, "string required"))
    }

    /// A number argument; strings holding a number convert.
    pub fn number(&self, index: usize) -> Result<Number, String> {
        let value = self.non_null(index)?;
        to_number(value).ok_or_else(|| {
            let why = if matches!(value, Value::String(_)) {
                "a number is required"
            } else {
                "number required"
            };
            self.invalid(index, why)
        })
    }

    /// A number argument as the nearest float64.
    pub fn number_f64(&self, index: usize) -> Result<f64, String> {
        self.number(index).map(|n| n.as_f64())
    }

    /// A whole-number argument within the range of an i64.
    pub fn integer(&self, index: usize) -> Result<i64, String> {
        let number = self.number(index)?;
        number.as_i64().ok_or_else(|| {
            if !number.is_integer() {
                self.invalid(index, "number must be a whole number")
            } else {
                self.invalid(index, "number is too large")
            }
        })
    }

    /// A list, tuple or set argument.
    pub fn list(&self, index: usize) -> Result<&[Value], String> {
        match self.non_null(index)? {
            Value::List(items) | Value::Set(items) => Ok(items),
            _ => Err(self.invalid(index, "list of any single type required")),
        }
    }

    /// A list argument whose elements must all be strings (numbers and bools convert).
    pub fn strings(&self, index: usize) -> Result<Vec<String>, String> {
        self.list(index)?
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Null => Err(self.invalid(index, format!("element {i} is null"))),
                other => to_string(other)
                    .ok_or_else(|| self.invalid(index, format!("element {i}: string required"))),
            })
            .collect()
    }

    /// A map or object argument.
    pub fn map(&self, index: usize) -> Result<&BTreeMap<String, Value>, String> {
        match self.non_null(index)? {
            Value::Map(map) => Ok(map),
            _ => Err(self.invalid(index, "map of any single type required")),
        }
    }
}

/// A primitive value as a string (None for null, collections and unknowns).
pub fn to_string(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A number, or a string holding a decimal number.
pub fn to_number(value: &Value) -> Option<Number> {
    match value {
        Value::Number(n) => Some(n.clone()),
        Value::String(text) => Number::parse(text),
        _ => None,
    }
}
