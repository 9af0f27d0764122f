//! Schema-aware diffing of a whole object: its attributes (via [`super::diff`]) and its nested
//! blocks, which print as `name { ... }` blocks rather than lists of objects.

use std::collections::BTreeMap;

use plinth_sdk::{NestedBlock, Nesting, Schema, Value};

use super::diff::{entry, push_hidden, Item, Mark, NULL};

/// Attributes shown in updates even when unchanged, so the object can be recognised.
const IDENTIFYING: [&str; 3] = ["id", "name", "tags"];

/// The attributes and nested blocks of one object.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Body {
    /// Attribute entries, then the count of hidden ones.
    pub attributes: Vec<Item>,
    /// Nested blocks, then the count of hidden ones.
    pub blocks: Vec<BlockItem>,
}

/// A nested block or a hidden-count line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum BlockItem {
    /// A block.
    Block(Block),
    /// `# (N unchanged blocks hidden)`.
    Hidden(usize),
}

/// One nested block.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Block {
    /// Its symbol.
    pub mark: Mark,
    /// The block type name.
    pub name: String,
    /// What is inside.
    pub content: Content,
    /// Followed by `# forces replacement`.
    pub forces_replacement: bool,
}

/// What a block or resource shows inside its braces.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Content {
    /// Attributes and blocks.
    Body(Body),
    /// The whole object is only known after apply.
    Unknown,
    /// The whole object is sensitive: nothing inside is shown.
    Sensitive,
}

/// What to show.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Options<'a> {
    /// Show unchanged attributes, elements and blocks (`state show`) instead of counting them.
    pub show_unchanged: bool,
    /// Show unchanged `id`, `name` and `tags` at the top level of an update.
    pub show_identifying: bool,
    /// Top-level attributes and blocks whose change forces replacement.
    pub replace_paths: &'a [String],
}

impl Options<'_> {
    fn nested(&self) -> Options<'static> {
        Options {
            show_unchanged: self.show_unchanged,
            show_identifying: false,
            replace_paths: &[],
        }
    }
}

/// The content of an object going from `before` to `after` (Null for a side that does not exist).
pub(crate) fn content(
    before: &Value,
    after: &Value,
    schema: Option<&Schema>,
    options: Options<'_>,
) -> Content {
    if before.is_sensitive() || after.is_sensitive() {
        Content::Sensitive
    } else if after.is_unknown() {
        Content::Unknown
    } else {
        Content::Body(body(before, after, schema, options))
    }
}

fn body(before: &Value, after: &Value, schema: Option<&Schema>, options: Options<'_>) -> Body {
    let empty = BTreeMap::new();
    let old = object(before).unwrap_or(&empty);
    let new = object(after).unwrap_or(&empty);
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();

    let mut attributes = Vec::new();
    let mut blocks = Vec::new();
    let (mut hidden_attributes, mut hidden_blocks) = (0, 0);
    for name in names {
        let before = old.get(name).unwrap_or(NULL);
        let after = new.get(name).unwrap_or(NULL);
        let forces = options.replace_paths.iter().any(|p| p == name);
        if let Some(block) = schema.and_then(|s| s.blocks.get(name)) {
            if let Some(diffs) = block_diffs(block, before, after) {
                for (mark, old_block, new_block) in diffs {
                    if mark == Mark::NoOp && !options.show_unchanged {
                        hidden_blocks += 1;
                        continue;
                    }
                    let content =
                        content(old_block, new_block, Some(&block.schema), options.nested());
                    let forces_replacement = forces && mark != Mark::NoOp;
                    blocks.push(BlockItem::Block(Block {
                        mark,
                        name: name.clone(),
                        content,
                        forces_replacement,
                    }));
                }
                continue;
            }
        }
        let Some(mark) = Mark::between(before, after) else {
            continue;
        };
        let identifying = options.show_identifying && IDENTIFYING.contains(&name.as_str());
        if mark == Mark::NoOp && !options.show_unchanged && !identifying {
            hidden_attributes += 1;
            continue;
        }
        let attribute = schema.and_then(|s| s.attributes.get(name));
        let ty = attribute.map(|a| &a.ty);
        let sensitive = attribute.is_some_and(|a| a.sensitive);
        let mut e = entry(
            Some(name.clone()),
            mark,
            before,
            after,
            ty,
            sensitive,
            options.show_unchanged,
        );
        e.forces_replacement = forces && mark != Mark::NoOp;
        attributes.push(Item::Entry(e));
    }
    push_hidden(&mut attributes, hidden_attributes, "attribute");
    if hidden_blocks > 0 {
        blocks.push(BlockItem::Hidden(hidden_blocks));
    }
    Body { attributes, blocks }
}

/// Pairs up the blocks of one block type: by position for lists and single blocks, by equality
/// for sets. None when the values are not block-shaped (then they print as an attribute).
fn block_diffs<'a>(
    block: &NestedBlock,
    before: &'a Value,
    after: &'a Value,
) -> Option<Vec<(Mark, &'a Value, &'a Value)>> {
    if before.is_sensitive() || after.is_sensitive() || after.is_unknown() {
        let mark = Mark::between(before, after).unwrap_or(Mark::NoOp);
        return Some(vec![(mark, before, after)]);
    }
    let old = elements(before)?;
    let new = elements(after)?;
    let mut diffs = Vec::new();
    if block.nesting == Nesting::Set {
        for b in &old {
            if new.contains(b) {
                diffs.push((Mark::NoOp, *b, *b));
            } else {
                diffs.push((Mark::Delete, *b, NULL));
            }
        }
        diffs.extend(
            new.iter()
                .filter(|a| !old.contains(a))
                .map(|a| (Mark::Create, NULL, *a)),
        );
    } else {
        for i in 0..old.len().max(new.len()) {
            let b = old.get(i).copied().unwrap_or(NULL);
            let a = new.get(i).copied().unwrap_or(NULL);
            if let Some(mark) = Mark::between(b, a) {
                diffs.push((mark, b, a));
            }
        }
    }
    Some(diffs)
}

/// The blocks in a block-typed value: a list or set of objects, one object, or none for null.
fn elements(value: &Value) -> Option<Vec<&Value>> {
    match value {
        Value::Null => Some(Vec::new()),
        Value::List(items) | Value::Set(items) => Some(items.iter().collect()),
        Value::Map(_) => Some(vec![value]),
        _ => None,
    }
}

/// The entries of an object, without looking through a sensitive mark.
fn object(value: &Value) -> Option<&BTreeMap<String, Value>> {
    match value {
        Value::Map(map) => Some(map),
        _ => None,
    }
}
