//! Value diffing: turns a before/after pair of values into a tree of marked entries (attributes,
//! collection elements, heredoc lines) that [`super::write`] prints. Nothing here formats lines,
//! and nothing here ever copies the content of a sensitive value into the tree.

use plinth_sdk::{Type, Value};
use similar::{Algorithm, ChangeTag, DiffTag, TextDiff};

use crate::plan::Action;

/// Stands in for a missing side of a change.
pub(crate) const NULL: &Value = &Value::Null;

/// How many unchanged heredoc lines are kept around a changed one.
const HEREDOC_CONTEXT: usize = 2;

/// What happens to one line of output; decides its symbol and colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    /// `+`
    Create,
    /// `~`
    Update,
    /// `-`
    Delete,
    /// No symbol.
    NoOp,
    /// `-/+`
    Replace,
    /// `+/-`
    CreateThenDelete,
    /// `<=`
    Read,
}

impl Mark {
    /// The mark of a resource header for an action.
    pub(crate) fn of_action(action: Action, create_before_destroy: bool) -> Mark {
        match action {
            Action::NoOp => Mark::NoOp,
            Action::Create => Mark::Create,
            Action::Read => Mark::Read,
            Action::Update => Mark::Update,
            Action::Replace if create_before_destroy => Mark::CreateThenDelete,
            Action::Replace => Mark::Replace,
            Action::Delete => Mark::Delete,
        }
    }

    /// The mark an attribute gets from its two sides; None when both are null (not shown).
    pub(crate) fn between(before: &Value, after: &Value) -> Option<Mark> {
        match (before.is_null(), after.is_null()) {
            (true, true) => None,
            (true, false) => Some(Mark::Create),
            (false, true) => Some(Mark::Delete),
            _ if before == after => Some(Mark::NoOp),
            _ => Some(Mark::Update),
        }
    }
}

/// How a value prints after `=`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    /// One line: `"a" -> "b"`, `(known after apply)`, `(sensitive value)`.
    Inline(String),
    /// A list (`[` ... `]`) or map (`{` ... `}`) with one entry per line, then `suffix`.
    Collection {
        list: bool,
        items: Vec<Item>,
        suffix: String,
    },
    /// A multi-line string as `<<-EOT` ... `EOT`, then `suffix`.
    Heredoc {
        lines: Vec<HeredocLine>,
        suffix: String,
    },
}

/// One attribute, map entry or list element.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    /// Its symbol.
    pub mark: Mark,
    /// The name or map key as printed; None for list elements.
    pub key: Option<String>,
    /// Its value.
    pub shape: Shape,
    /// Followed by `# forces replacement`.
    pub forces_replacement: bool,
}

/// A line in a group of entries.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    /// An entry.
    Entry(Entry),
    /// `# (N unchanged <noun>s hidden)`.
    Hidden { count: usize, noun: &'static str },
}

/// A line of a heredoc.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum HeredocLine {
    /// A line of text with its symbol.
    Text(Mark, String),
    /// `# (N unchanged lines hidden)`.
    Hidden(usize),
}

/// Builds the entry for one value whose mark is already decided. Delete marks print the old
/// value followed by ` -> null`.
pub(crate) fn entry(
    key: Option<String>,
    mark: Mark,
    before: &Value,
    after: &Value,
    ty: Option<&Type>,
    sensitive: bool,
    show_unchanged: bool,
) -> Entry {
    let shape = match mark {
        Mark::Delete => full(before, Mark::Delete, ty, sensitive, " -> null"),
        Mark::Update => update(before, after, ty, sensitive, show_unchanged),
        Mark::NoOp => full(after, Mark::NoOp, ty, sensitive, ""),
        Mark::Create | Mark::Replace | Mark::CreateThenDelete | Mark::Read => {
            full(after, Mark::Create, ty, sensitive, "")
        }
    };
    Entry {
        mark,
        key,
        shape,
        forces_replacement: false,
    }
}

/// Prints a whole value with every nested line carrying `mark`.
fn full(value: &Value, mark: Mark, ty: Option<&Type>, sensitive: bool, suffix: &str) -> Shape {
    if sensitive || value.is_sensitive() {
        return Shape::Inline(format!("(sensitive value){suffix}"));
    }
    match value {
        Value::String(s) if s.contains('\n') => Shape::Heredoc {
            lines: s
                .lines()
                .map(|l| HeredocLine::Text(Mark::NoOp, l.to_string()))
                .collect(),
            suffix: suffix.to_string(),
        },
        Value::List(items) | Value::Set(items) if !items.is_empty() => {
            let items = items
                .iter()
                .enumerate()
                .map(|(i, v)| Item::Entry(element(mark, v, element_type(ty, i))))
                .collect();
            Shape::Collection {
                list: true,
                items,
                suffix: suffix.to_string(),
            }
        }
        Value::Map(map) => {
            let items: Vec<Item> = map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let shape = full(v, mark, attribute_type(ty, k), false, "");
                    Item::Entry(Entry {
                        mark,
                        key: Some(map_key(k, ty)),
                        shape,
                        forces_replacement: false,
                    })
                })
                .collect();
            if items.is_empty() {
                Shape::Inline(format!("{{}}{suffix}"))
            } else {
                Shape::Collection {
                    list: false,
                    items,
                    suffix: suffix.to_string(),
                }
            }
        }
        other => Shape::Inline(format!("{other}{suffix}")),
    }
}

/// A list element printed whole.
fn element(mark: Mark, value: &Value, ty: Option<&Type>) -> Entry {
    Entry {
        mark,
        key: None,
        shape: full(value, mark, ty, false, ""),
        forces_replacement: false,
    }
}

/// Prints the difference between two non-null, unequal values.
fn update(
    before: &Value,
    after: &Value,
    ty: Option<&Type>,
    sensitive: bool,
    show_unchanged: bool,
) -> Shape {
    if sensitive || before.is_sensitive() || after.is_sensitive() {
        return Shape::Inline("(sensitive value)".to_string());
    }
    if after.is_unknown() {
        return match before {
            Value::List(items) | Value::Set(items) if !items.is_empty() => {
                full(before, Mark::Delete, ty, false, " -> (known after apply)")
            }
            Value::Map(map) if !map.is_empty() => {
                full(before, Mark::Delete, ty, false, " -> (known after apply)")
            }
            _ => Shape::Inline(format!("{before} -> (known after apply)")),
        };
    }
    match (before, after) {
        (Value::String(old), Value::String(new)) if old.contains('\n') || new.contains('\n') => {
            Shape::Heredoc {
                lines: diff_lines(old, new, show_unchanged),
                suffix: String::new(),
            }
        }
        (Value::List(old) | Value::Set(old), Value::List(new) | Value::Set(new)) => {
            Shape::Collection {
                list: true,
                items: diff_list(old, new, ty, show_unchanged),
                suffix: String::new(),
            }
        }
        (Value::Map(old), Value::Map(new)) => Shape::Collection {
            list: false,
            items: diff_map(old, new, ty, show_unchanged),
            suffix: String::new(),
        },
        _ => Shape::Inline(format!("{before} -> {after}")),
    }
}

/// Per-key differences of two maps or objects; unchanged keys are counted, not shown.
fn diff_map(
    old: &std::collections::BTreeMap<String, Value>,
    new: &std::collections::BTreeMap<String, Value>,
    ty: Option<&Type>,
    show_unchanged: bool,
) -> Vec<Item> {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut items = Vec::new();
    let mut hidden = 0;
    for key in keys {
        let before = old.get(key).unwrap_or(NULL);
        let after = new.get(key).unwrap_or(NULL);
        match Mark::between(before, after) {
            None => {}
            Some(Mark::NoOp) if !show_unchanged => hidden += 1,
            Some(mark) => {
                let key_text = map_key(key, ty);
                let ty = attribute_type(ty, key);
                items.push(Item::Entry(entry(
                    Some(key_text),
                    mark,
                    before,
                    after,
                    ty,
                    false,
                    show_unchanged,
                )));
            }
        }
    }
    let noun = if matches!(ty, Some(Type::Object(_))) {
        "attribute"
    } else {
        "element"
    };
    push_hidden(&mut items, hidden, noun);
    items
}

/// Element differences of two lists: a longest-common-subsequence diff, with changed objects at
/// the same position shown as in-place updates.
fn diff_list(old: &[Value], new: &[Value], ty: Option<&Type>, show_unchanged: bool) -> Vec<Item> {
    let old_keys: Vec<String> = old.iter().map(|v| v.to_wire().to_string()).collect();
    let new_keys: Vec<String> = new.iter().map(|v| v.to_wire().to_string()).collect();
    let mut items = Vec::new();
    for op in similar::capture_diff_slices(Algorithm::Myers, &old_keys, &new_keys) {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal if !show_unchanged => {
                push_hidden(&mut items, new_range.len(), "element")
            }
            DiffTag::Equal => {
                for i in new_range {
                    items.push(Item::Entry(element(
                        Mark::NoOp,
                        &new[i],
                        element_type(ty, i),
                    )));
                }
            }
            DiffTag::Delete | DiffTag::Insert | DiffTag::Replace => {
                let pairs = old_range.clone().zip(new_range.clone());
                let paired = if pairs
                    .clone()
                    .all(|(o, n)| old[o].as_map().is_some() && new[n].as_map().is_some())
                {
                    old_range.len().min(new_range.len())
                } else {
                    0
                };
                for (o, n) in pairs.take(paired) {
                    let shape =
                        update(&old[o], &new[n], element_type(ty, n), false, show_unchanged);
                    items.push(Item::Entry(Entry {
                        mark: Mark::Update,
                        key: None,
                        shape,
                        forces_replacement: false,
                    }));
                }
                for o in old_range.skip(paired) {
                    items.push(Item::Entry(element(
                        Mark::Delete,
                        &old[o],
                        element_type(ty, o),
                    )));
                }
                for n in new_range.skip(paired) {
                    items.push(Item::Entry(element(
                        Mark::Create,
                        &new[n],
                        element_type(ty, n),
                    )));
                }
            }
        }
    }
    items
}

/// Line differences of two multi-line strings, keeping a little context around changes.
fn diff_lines(old: &str, new: &str, show_unchanged: bool) -> Vec<HeredocLine> {
    let diff = TextDiff::from_lines(old, new);
    let lines: Vec<(Mark, String)> = diff
        .iter_all_changes()
        .map(|change| {
            let mark = match change.tag() {
                ChangeTag::Equal => Mark::NoOp,
                ChangeTag::Delete => Mark::Delete,
                ChangeTag::Insert => Mark::Create,
            };
            let text = change.value();
            let text = text.strip_suffix('\n').unwrap_or(text);
            (mark, text.strip_suffix('\r').unwrap_or(text).to_string())
        })
        .collect();
    let near_change = |i: usize| {
        let start = i.saturating_sub(HEREDOC_CONTEXT);
        let end = (i + HEREDOC_CONTEXT + 1).min(lines.len());
        lines[start..end]
            .iter()
            .any(|(mark, _)| *mark != Mark::NoOp)
    };
    let mut out = Vec::new();
    for (i, (mark, text)) in lines.iter().enumerate() {
        if show_unchanged || near_change(i) {
            out.push(HeredocLine::Text(*mark, text.clone()));
        } else if let Some(HeredocLine::Hidden(count)) = out.last_mut() {
            *count += 1;
        } else {
            out.push(HeredocLine::Hidden(1));
        }
    }
    out
}

/// Adds a hidden-count line, merging with a hidden line just before it.
pub(crate) fn push_hidden(items: &mut Vec<Item>, count: usize, noun: &'static str) {
    if count == 0 {
        return;
    }
    if let Some(Item::Hidden {
        count: previous,
        noun: n,
    }) = items.last_mut()
    {
        if *n == noun {
            *previous += count;
            return;
        }
    }
    items.push(Item::Hidden { count, noun });
}

/// A map key as printed: quoted for maps and for keys that are not identifiers.
fn map_key(key: &str, ty: Option<&Type>) -> String {
    let identifier = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if identifier && !matches!(ty, Some(Type::Map(_))) {
        key.to_string()
    } else {
        serde_json::Value::from(key).to_string()
    }
}

fn element_type(ty: Option<&Type>, index: usize) -> Option<&Type> {
    match ty? {
        Type::List(t) | Type::Set(t) => Some(t),
        Type::Tuple(types) => types.get(index),
        _ => None,
    }
}

fn attribute_type<'a>(ty: Option<&'a Type>, key: &str) -> Option<&'a Type> {
    match ty? {
        Type::Map(t) => Some(t),
        Type::Object(attributes) => attributes.get(key).map(|a| &a.ty),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::from(*s)).collect())
    }

    fn marks(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|item| match item {
                Item::Entry(e) => format!("{:?} {:?}", e.mark, e.shape),
                Item::Hidden { count, .. } => format!("hidden {count}"),
            })
            .collect()
    }

    #[test]
    fn list_diff_shows_insertions_and_hides_unchanged_runs() {
        let Shape::Collection { items, .. } = update(
            &list(&["a", "b", "c"]),
            &list(&["a", "x", "c"]),
            None,
            false,
            false,
        ) else {
            panic!("expected a collection");
        };
        assert_eq!(
            marks(&items),
            [
                "hidden 1",
                r#"Delete Inline("\"b\"")"#,
                r#"Create Inline("\"x\"")"#,
                "hidden 1"
            ]
        );
    }

    #[test]
    fn changed_objects_at_the_same_position_are_updated_in_place() {
        let old = Value::List(vec![Value::object([
            ("port", Value::from(80i64)),
            ("proto", Value::from("tcp")),
        ])]);
        let new = Value::List(vec![Value::object([
            ("port", Value::from(81i64)),
            ("proto", Value::from("tcp")),
        ])]);
        let Shape::Collection { items, .. } = update(&old, &new, None, false, false) else {
            panic!("expected a collection");
        };
        let [Item::Entry(Entry {
            mark: Mark::Update,
            shape: Shape::Collection { items: inner, .. },
            ..
        })] = items.as_slice()
        else {
            panic!("expected one update: {items:?}");
        };
        assert_eq!(marks(inner), [r#"Update Inline("80 -> 81")"#, "hidden 1"]);
    }

    #[test]
    fn heredoc_diff_keeps_context_and_hides_the_rest() {
        let old = "1\n2\n3\n4\n5\n6\n7\n";
        let new = "1\n2\n3\n4\n5\n6\nseven\n";
        let lines = diff_lines(old, new, false);
        assert_eq!(
            lines,
            [
                HeredocLine::Hidden(4),
                HeredocLine::Text(Mark::NoOp, "5".into()),
                HeredocLine::Text(Mark::NoOp, "6".into()),
                HeredocLine::Text(Mark::Delete, "7".into()),
                HeredocLine::Text(Mark::Create, "seven".into()),
            ]
        );
    }

    #[test]
    fn sensitive_values_never_reach_the_tree() {
        let secret = Value::from("hunter2").mark_sensitive();
        let nested = Value::object([("inner", secret.clone())]);
        for shape in [
            update(&Value::from("a"), &secret, None, false, false),
            full(&nested, Mark::Create, None, false, ""),
            update(
                &nested,
                &Value::object([("inner", Value::from("b"))]),
                None,
                false,
                false,
            ),
        ] {
            assert!(!format!("{shape:?}").contains("hunter2"), "{shape:?}");
        }
    }

    #[test]
    fn map_keys_are_quoted_for_maps_and_odd_names() {
        assert_eq!(
            map_key("Name", Some(&Type::Map(Box::new(Type::String)))),
            "\"Name\""
        );
        assert_eq!(map_key("name", None), "name");
        assert_eq!(map_key("a b", None), "\"a b\"");
    }
}
