//! Functions over lists and tuples: alltrue, anytrue, chunklist, coalesce, coalescelist,
//! compact, concat, contains, distinct, element, flatten, index, length, one, range, reverse,
//! slice, sort, sum.

use plinth_sdk::{Number, Value};
use unicode_segmentation::UnicodeSegmentation;

use super::args::{to_string, Args, Function};
use super::conversion::unify;

/// The list functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new("alltrue", &["list"], |a| {
        Ok(Value::Bool(bools(a)?.iter().all(|b| *b)))
    }),
    Function::new("anytrue", &["list"], |a| {
        Ok(Value::Bool(bools(a)?.iter().any(|b| *b)))
    }),
    Function::new("chunklist", &["list", "size"], chunklist),
    Function::new("coalesce", &[], coalesce).variadic("vals"),
    Function::new("coalescelist", &[], coalescelist).variadic("vals"),
    Function::new("compact", &["list"], compact),
    Function::new("concat", &[], concat).variadic("seqs"),
    Function::new("contains", &["list", "value"], contains),
    Function::new("distinct", &["list"], distinct),
    Function::new("element", &["list", "index"], element),
    Function::new("flatten", &["list"], |a| {
        Ok(Value::List(flatten(a.list(0)?)))
    }),
    Function::new("index", &["list", "value"], index),
    Function::new("length", &["value"], length),
    Function::new("one", &["list"], one),
    Function::new("range", &["start"], range).optional(&["limit", "step"]),
    Function::new("reverse", &["list"], |a| match a.non_null(0)? {
        Value::List(items) | Value::Set(items) => {
            Ok(Value::List(items.iter().rev().cloned().collect()))
        }
        other => Err(a.invalid(
            0,
            format!(
                "can only reverse list or tuple values, not {}",
                plinth_sdk::friendly_name(&plinth_sdk::type_of(other))
            ),
        )),
    }),
    Function::new("slice", &["list", "start_index", "end_index"], slice),
    Function::new("sort", &["list"], sort),
    Function::new("sum", &["list"], sum),
];

/// The most elements `range` produces, as in Terraform.
const RANGE_LIMIT: usize = 1024;

fn bools(args: &Args) -> Result<Vec<bool>, String> {
    args.list(0)?
        .iter()
        .map(|item| match item {
            Value::Bool(b) => Ok(*b),
            Value::Null => Ok(false),
            Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
            Value::String(_) => Err(args.invalid(0, "a bool is required")),
            _ => Err(args.invalid(0, "bool required")),
        })
        .collect()
}

fn chunklist(args: &Args) -> Result<Value, String> {
    let items = args.list(0)?;
    let size = args.integer(1)?;
    if size < 0 {
        return Err(args.failed("the size argument must be positive"));
    }
    if items.is_empty() {
        return Ok(Value::List(vec![]));
    }
    if size == 0 {
        return Ok(Value::List(vec![Value::List(items.to_vec())]));
    }
    Ok(Value::List(
        items
            .chunks(size as usize)
            .map(|c| Value::List(c.to_vec()))
            .collect(),
    ))
}

fn coalesce(args: &Args) -> Result<Value, String> {
    if args.len() == 0 {
        return Err(args.failed("all arguments must have the same type"));
    }
    let values = unify(args.rest(0).to_vec())
        .map_err(|_| args.failed("all arguments must have the same type"))?;
    values
        .into_iter()
        .find(|v| !v.is_null() && v.as_str() != Some(""))
        .ok_or_else(|| args.failed("no non-null, non-empty-string arguments"))
}

fn coalescelist(args: &Args) -> Result<Value, String> {
    for value in args.rest(0) {
        match value {
            Value::Null => {}
            Value::List(items) | Value::Set(items) if items.is_empty() => {}
            Value::List(_) | Value::Set(_) => return Ok(value.clone()),
            _ => return Err(args.failed("coalescelist arguments must be lists or tuples")),
        }
    }
    Err(args.failed("no non-null arguments"))
}

fn compact(args: &Args) -> Result<Value, String> {
    let mut kept = Vec::new();
    let items = args
        .list(0)
        .map_err(|_| args.invalid(0, "list of string required"))?;
    for item in items {
        if item.is_null() {
            continue;
        }
        let text = to_string(item).ok_or_else(|| args.invalid(0, "list of string required"))?;
        if !text.is_empty() {
            kept.push(Value::String(text));
        }
    }
    Ok(Value::List(kept))
}

fn concat(args: &Args) -> Result<Value, String> {
    if args.len() == 0 {
        return Err(args.failed("at least one argument is required"));
    }
    let mut all = Vec::new();
    for value in args.rest(0) {
        match value {
            Value::List(items) => all.extend(items.iter().cloned()),
            other => {
                let got = plinth_sdk::friendly_name(&plinth_sdk::type_of(other));
                return Err(args.invalid(
                    0,
                    format!("all arguments must be lists or tuples; got {got}"),
                ));
            }
        }
    }
    Ok(Value::List(all))
}

/// `contains(list, value)`: whether an element equals the value; values of different types
/// are never equal (`contains([1], "1")` is false, as in Terraform).
fn contains(args: &Args) -> Result<Value, String> {
    let needle = args.non_null(1)?;
    let items = match args.value(0) {
        Value::List(items) | Value::Set(items) => items,
        _ => return Err(args.failed("argument must be list, tuple, or set")),
    };
    Ok(Value::Bool(items.iter().any(|item| item == needle)))
}

/// `distinct(list)`: the elements, unified to one type, without repeats.
fn distinct(args: &Args) -> Result<Value, String> {
    let items = unify(args.list(0)?.to_vec()).map_err(|e| args.invalid(0, e))?;
    let mut seen: Vec<Value> = Vec::new();
    for item in &items {
        if !seen.contains(item) {
            seen.push(item.clone());
        }
    }
    Ok(Value::List(seen))
}

fn element(args: &Args) -> Result<Value, String> {
    let items = args.list(0)?;
    let index = args.number(1)?.as_i64().ok_or_else(|| {
        args.failed("invalid index: value must be a whole number, between -9223372036854775808 and 9223372036854775807")
    })?;
    if items.is_empty() {
        return Err(args.failed("cannot use element function with an empty list"));
    }
    if index < 0 {
        return Err(args.failed("cannot use element function with a negative index"));
    }
    Ok(items[(index as u64 % items.len() as u64) as usize].clone())
}

fn flatten(items: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::List(inner) | Value::Set(inner) => out.extend(flatten(inner)),
            other => out.push(other.clone()),
        }
    }
    out
}

fn index(args: &Args) -> Result<Value, String> {
    let needle = args.value(1);
    args.list(0)?
        .iter()
        .position(|item| item == needle)
        .map(|i| Value::from(i as i64))
        .ok_or_else(|| args.failed("item not found"))
}

fn length(args: &Args) -> Result<Value, String> {
    let count = match args.non_null(0)? {
        Value::String(text) => text.graphemes(true).count(),
        Value::List(items) | Value::Set(items) => items.len(),
        Value::Map(map) => map.len(),
        _ => {
            return Err(
                args.failed("argument must be a string, a collection type, or a structural type")
            )
        }
    };
    Ok(Value::from(count as i64))
}

fn one(args: &Args) -> Result<Value, String> {
    args.non_null(0)?;
    let items = args.list(0).map_err(|_| {
        args.invalid(
            0,
            "must be a list, set, or tuple value with either zero or one elements",
        )
    })?;
    match items {
        [] => Ok(Value::Null),
        [only] => Ok(only.clone()),
        _ => Err(args.invalid(
            0,
            "must be a list, set, or tuple value with either zero or one elements",
        )),
    }
}

fn range(args: &Args) -> Result<Value, String> {
    let one = |negative: bool| Number::from_i64(if negative { -1 } else { 1 });
    let (start, limit, step) = match args.len() {
        1 => {
            let limit = args.number(0)?;
            let step = one(limit.is_negative());
            (Number::from_i64(0), limit, step)
        }
        2 => {
            let (start, limit) = (args.number(0)?, args.number(1)?);
            let step = one(limit < start);
            (start, limit, step)
        }
        _ => (args.number(0)?, args.number(1)?, args.number(2)?),
    };
    // Terraform names range's one variadic parameter "params"; a zero step never reaches the
    // end and so runs into the limit on the number of values.
    let down = step.is_negative();
    if down && limit > start {
        return Err(
            "Invalid value for \"params\" parameter: end must be less than start when step is negative."
                .to_string(),
        );
    }
    if !down && limit < start {
        return Err(
            "Invalid value for \"params\" parameter: end must be greater than start when step is positive."
                .to_string(),
        );
    }
    let mut values = Vec::new();
    let mut current = start;
    while if down {
        current > limit
    } else {
        current < limit
    } {
        if values.len() >= RANGE_LIMIT {
            return Err(args.failed(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
            ));
        }
        let next = current
            .add(&step)
            .map_err(|_| args.invalid(2, "step must be finite"))?;
        values.push(Value::Number(current));
        current = next;
    }
    Ok(Value::List(values))
}

fn slice(args: &Args) -> Result<Value, String> {
    let items = args.list(0)?;
    let start = args.integer(1)?;
    let end = args.integer(2)?;
    if start < 0 {
        return Err(args.invalid(1, "start index must not be less than zero"));
    }
    if end > items.len() as i64 {
        return Err(args.invalid(
            2,
            "end index must not be greater than the length of the list",
        ));
    }
    if start > end {
        return Err(args.invalid(1, "start index must not be greater than end index"));
    }
    Ok(Value::List(items[start as usize..end as usize].to_vec()))
}

fn sort(args: &Args) -> Result<Value, String> {
    let mut texts = Vec::new();
    for (i, item) in args.list(0)?.iter().enumerate() {
        match item {
            Value::Null => {
                return Err(args.failed(format!(
                    "given list element {i} is null; a null string cannot be sorted"
                )))
            }
            other => texts.push(
                to_string(other)
                    .ok_or_else(|| args.invalid(0, format!("element {i}: string required")))?,
            ),
        }
    }
    texts.sort();
    Ok(Value::List(texts.into_iter().map(Value::String).collect()))
}

fn sum(args: &Args) -> Result<Value, String> {
    let items = args.list(0)?;
    if items.is_empty() {
        return Err(args.invalid(0, "cannot sum an empty list"));
    }
    let mut total: Option<plinth_sdk::Number> = None;
    for item in items {
        let number = super::args::to_number(item).ok_or_else(|| {
            args.invalid(0, "argument must be list, set, or tuple of number values")
        })?;
        total = Some(match total {
            None => number,
            Some(sum) => sum
                .add(&number)
                .map_err(|_| args.failed("can't compute the sum of opposite infinities"))?,
        });
    }
    Ok(total.map_or(Value::from(0i64), Value::Number))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use plinth_sdk::Value;

    const T: Value = Value::Bool(true);
    const F: Value = Value::Bool(false);

    fn nums(items: &[f64]) -> Value {
        list(items.iter().map(|x| n(*x)).collect())
    }

    #[test]
    fn alltrue_and_anytrue() {
        assert_eq!(ok("alltrue", vec![list(vec![s("true"), T])]), T);
        assert_eq!(ok("alltrue", vec![list(vec![T, F])]), F);
        assert_eq!(ok("alltrue", vec![list(vec![])]), T);
        assert_eq!(ok("anytrue", vec![list(vec![s("true")])]), T);
        assert_eq!(ok("anytrue", vec![list(vec![T, F])]), T);
        assert_eq!(ok("anytrue", vec![list(vec![])]), F);
        assert!(err("alltrue", vec![nums(&[1.0])]).contains("bool required"));
    }

    #[test]
    fn chunklist_splits() {
        assert_eq!(
            ok(
                "chunklist",
                vec![strings(&["a", "b", "c", "d", "e"]), n(2.0)]
            ),
            list(vec![
                strings(&["a", "b"]),
                strings(&["c", "d"]),
                strings(&["e"])
            ])
        );
        assert_eq!(
            ok("chunklist", vec![strings(&["a", "b"]), n(1.0)]),
            list(vec![strings(&["a"]), strings(&["b"])])
        );
        assert_eq!(
            ok("chunklist", vec![strings(&["a"]), n(0.0)]),
            list(vec![strings(&["a"])])
        );
        assert!(err("chunklist", vec![strings(&["a"]), n(-1.0)]).contains("must be positive"));
    }

    #[test]
    fn coalesce_and_coalescelist() {
        assert_eq!(ok("coalesce", vec![s("a"), s("b")]), s("a"));
        assert_eq!(ok("coalesce", vec![s(""), s("b")]), s("b"));
        assert_eq!(ok("coalesce", vec![n(1.0), n(2.0)]), n(1.0));
        assert_eq!(ok("coalesce", vec![Value::Null, n(1.0), s("x")]), s("1"));
        assert!(err("coalesce", vec![Value::Null, s("")]).contains("no non-null"));
        assert_eq!(
            ok(
                "coalescelist",
                vec![strings(&["a", "b"]), strings(&["c", "d"])]
            ),
            strings(&["a", "b"])
        );
        assert_eq!(
            ok("coalescelist", vec![list(vec![]), strings(&["c", "d"])]),
            strings(&["c", "d"])
        );
        assert!(err("coalescelist", vec![list(vec![])]).contains("no non-null"));
    }

    #[test]
    fn compact_and_concat() {
        assert_eq!(
            ok(
                "compact",
                vec![list(vec![s("a"), s(""), s("b"), Value::Null, s("c")])]
            ),
            strings(&["a", "b", "c"])
        );
        assert_eq!(
            ok("concat", vec![strings(&["a", ""]), strings(&["b", "c"])]),
            strings(&["a", "", "b", "c"])
        );
        assert!(err("concat", vec![]).contains("at least one argument is required"));
        assert!(err("concat", vec![strings(&["a"]), s("b")]).contains("\"seqs\""));
    }

    #[test]
    fn contains_distinct_index() {
        assert_eq!(ok("contains", vec![strings(&["a", "b", "c"]), s("a")]), T);
        assert_eq!(ok("contains", vec![strings(&["a", "b", "c"]), s("d")]), F);
        // Values of different types are never equal, as in Terraform.
        assert_eq!(ok("contains", vec![nums(&[1.0]), s("1")]), F);
        assert_eq!(
            ok("distinct", vec![strings(&["a", "b", "a", "c", "d", "b"])]),
            strings(&["a", "b", "c", "d"])
        );
        assert_eq!(ok("index", vec![strings(&["a", "b", "c"]), s("b")]), n(1.0));
        assert!(err("index", vec![strings(&["a"]), s("z")]).contains("item not found"));
    }

    #[test]
    fn element_wraps_around() {
        assert_eq!(
            ok("element", vec![strings(&["a", "b", "c"]), n(1.0)]),
            s("b")
        );
        assert_eq!(
            ok("element", vec![strings(&["a", "b", "c"]), n(3.0)]),
            s("a")
        );
        assert_eq!(
            err("element", vec![strings(&["a"]), n(-1.0)]),
            "Call to function \"element\" failed: cannot use element function with a negative index."
        );
        assert!(err("element", vec![list(vec![]), n(0.0)]).contains("empty list"));
        assert!(err("element", vec![strings(&["a"]), n(1e300)])
            .contains("value must be a whole number"));
    }

    #[test]
    fn flatten_is_recursive() {
        assert_eq!(
            ok(
                "flatten",
                vec![list(vec![
                    strings(&["a", "b"]),
                    list(vec![]),
                    strings(&["c"])
                ])]
            ),
            strings(&["a", "b", "c"])
        );
        assert_eq!(
            ok(
                "flatten",
                vec![list(vec![list(vec![s("a"), strings(&["b"])]), s("c")])]
            ),
            strings(&["a", "b", "c"])
        );
    }

    #[test]
    fn length_counts_characters_and_elements() {
        assert_eq!(ok("length", vec![list(vec![])]), n(0.0));
        assert_eq!(ok("length", vec![strings(&["a", "b"])]), n(2.0));
        assert_eq!(ok("length", vec![map(&[("a", s("b"))])]), n(1.0));
        assert_eq!(ok("length", vec![s("hello")]), n(5.0));
        assert_eq!(ok("length", vec![s("👾🕹️")]), n(2.0));
        assert!(err("length", vec![n(1.0)]).contains("a collection type"));
        assert!(err("length", vec![Value::Null]).contains("must not be null"));
    }

    #[test]
    fn one_returns_the_only_element() {
        assert_eq!(ok("one", vec![list(vec![])]), Value::Null);
        assert_eq!(ok("one", vec![strings(&["hello"])]), s("hello"));
        assert!(err("one", vec![strings(&["a", "b"])]).contains("either zero or one"));
    }

    #[test]
    fn range_counts_up_and_down() {
        assert_eq!(ok("range", vec![n(3.0)]), nums(&[0.0, 1.0, 2.0]));
        assert_eq!(ok("range", vec![n(1.0), n(4.0)]), nums(&[1.0, 2.0, 3.0]));
        assert_eq!(
            ok("range", vec![n(1.0), n(8.0), n(2.0)]),
            nums(&[1.0, 3.0, 5.0, 7.0])
        );
        assert_eq!(
            ok("range", vec![n(1.0), n(4.0), n(0.5)]),
            nums(&[1.0, 1.5, 2.0, 2.5, 3.0, 3.5])
        );
        assert_eq!(ok("range", vec![n(4.0), n(1.0)]), nums(&[4.0, 3.0, 2.0]));
        assert_eq!(
            ok("range", vec![n(10.0), n(5.0), n(-2.0)]),
            nums(&[10.0, 8.0, 6.0])
        );
        assert_eq!(ok("range", vec![n(-3.0)]), nums(&[0.0, -1.0, -2.0]));
        assert!(err("range", vec![n(1.0), n(4.0), n(0.0)]).contains("more than 1024"));
        assert!(err("range", vec![n(1.0), n(4.0), n(-1.0)]).contains("negative"));
        assert!(err("range", vec![n(1e9)]).contains("more than 1024"));
    }

    #[test]
    fn reverse_slice_sort_sum() {
        assert_eq!(
            ok("reverse", vec![nums(&[1.0, 2.0, 3.0])]),
            nums(&[3.0, 2.0, 1.0])
        );
        assert_eq!(
            ok(
                "slice",
                vec![strings(&["a", "b", "c", "d"]), n(1.0), n(3.0)]
            ),
            strings(&["b", "c"])
        );
        assert!(err("slice", vec![strings(&["a"]), n(0.0), n(2.0)]).contains("\"end_index\""));
        assert!(err("slice", vec![strings(&["a"]), n(1.0), n(0.0)]).contains("\"start_index\""));
        assert_eq!(
            ok("sort", vec![strings(&["e", "d", "a", "x"])]),
            strings(&["a", "d", "e", "x"])
        );
        assert_eq!(
            ok("sort", vec![nums(&[3.0, 1.0, 11.0])]),
            strings(&["1", "11", "3"])
        );
        assert_eq!(ok("sum", vec![nums(&[10.0, 13.0, 6.0, 4.5])]), n(33.5));
        assert!(err("sum", vec![list(vec![])]).contains("empty list"));
        assert!(err("sum", vec![strings(&["x"])]).contains("number values"));
    }
}
