//! Sensitive marks stay plinth's: they are stripped before a value is sent (the protocol has no
//! marks) and put back on what comes back, at the same paths. A mark inside a set element is
//! kept on the whole set, since set elements have no stable position.

use plinth_sdk::Value;

use super::{AttributePath, PathStep};

/// Removes every sensitive mark and returns the plain value with the paths that were marked.
pub fn strip_marks(value: Value) -> (Value, Vec<AttributePath>) {
    let mut paths = Vec::new();
    let plain = strip(value, &AttributePath::root(), &mut paths);
    (plain, paths)
}

fn strip(value: Value, path: &AttributePath, paths: &mut Vec<AttributePath>) -> Value {
    match value {
        Value::Sensitive(inner) => {
            paths.push(path.clone());
            inner.unmark_deep().0
        }
        Value::List(items) => Value::List(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| strip(v, &path.join(PathStep::Index(i as i64)), paths))
                .collect(),
        ),
        Value::Set(items) => {
            let (items, marked) = Value::Set(items).unmark_deep();
            if marked {
                paths.push(path.clone());
            }
            items
        }
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| {
                    let p = path.join(PathStep::Attribute(k.clone()));
                    (k, strip(v, &p, paths))
                })
                .collect(),
        ),
        other => other,
    }
}

/// Marks `value` sensitive at each of `paths` that still exists in it.
pub fn apply_marks(value: Value, paths: &[AttributePath]) -> Value {
    paths.iter().fold(value, |v, path| mark_at(v, &path.0))
}

fn mark_at(value: Value, steps: &[PathStep]) -> Value {
    let Some((step, rest)) = steps.split_first() else {
        return value.mark_sensitive();
    };
    match (value, step) {
        (Value::Sensitive(inner), _) => Value::Sensitive(inner),
        (Value::List(mut items), PathStep::Index(i)) => {
            if let Some(slot) = usize::try_from(*i).ok().and_then(|i| items.get_mut(i)) {
                *slot = mark_at(std::mem::take(slot), rest);
            }
            Value::List(items)
        }
        (Value::Map(mut map), PathStep::Attribute(k) | PathStep::Key(k)) => {
            if let Some(slot) = map.get_mut(k) {
                *slot = mark_at(std::mem::take(slot), rest);
            }
            Value::Map(map)
        }
        (other, _) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_come_back_where_they_were() {
        let v = Value::object([
            ("password", Value::from("hunter2").mark_sensitive()),
            (
                "tags",
                Value::object([("k", Value::from("v").mark_sensitive())]),
            ),
            (
                "list",
                Value::List(vec![Value::from(1i64), Value::from(2i64).mark_sensitive()]),
            ),
            ("set", Value::set(vec![Value::from("a").mark_sensitive()])),
            ("plain", Value::from("p")),
        ]);
        let (plain, paths) = strip_marks(v.clone());
        assert!(!plain.contains_sensitive());
        let shown: Vec<String> = paths.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["list[1]", "password", "set", "tags.k"]);
        let back = apply_marks(plain, &paths);
        assert_eq!(
            back.get("password"),
            Some(&Value::from("hunter2").mark_sensitive())
        );
        assert!(
            back.get("set").unwrap().is_sensitive(),
            "a set with a marked element is marked whole"
        );
        assert!(back.get("tags").unwrap().get("k").unwrap().is_sensitive());
        assert!(!back.get("plain").unwrap().is_sensitive());
    }

    #[test]
    fn marks_on_vanished_paths_are_dropped() {
        let paths = vec![AttributePath(vec![PathStep::Attribute("gone".into())])];
        let v = apply_marks(Value::object([("here", Value::from(1i64))]), &paths);
        assert!(!v.contains_sensitive());
    }
}
