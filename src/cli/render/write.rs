//! Printing the diff tree: indentation, the symbol column, `=` alignment and ANSI colours.
//!
//! Each nesting level indents four spaces. With symbols on (plans), a four-character column
//! holds the right-aligned symbol (`  + `, `-/+ `, ` <= `); with symbols off (`state show`,
//! `output`) there is no column.

use super::body::{Block, BlockItem, Body, Content};
use super::diff::{Entry, HeredocLine, Item, Mark, Shape};

const RESET: &str = "\x1b[0m";
pub(crate) const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";

/// Accumulates rendered lines.
pub(crate) struct Writer {
    out: String,
    color: bool,
    symbols: bool,
}

impl Writer {
    /// A writer; `symbols` adds the symbol column, `color` the ANSI colours.
    pub(crate) fn new(color: bool, symbols: bool) -> Writer {
        Writer {
            out: String::new(),
            color,
            symbols,
        }
    }

    /// The text so far.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// An empty line (never two in a row, never at the start).
    pub(crate) fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// A line printed as is.
    pub(crate) fn text(&mut self, text: &str) {
        self.out.push_str(text.trim_end());
        self.out.push('\n');
    }

    /// A bold line.
    pub(crate) fn bold(&mut self, text: &str) {
        let painted = self.paint(BOLD, text);
        self.text(&painted);
    }

    /// `text` wrapped in an ANSI code when colours are on.
    pub(crate) fn paint(&self, code: &str, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    /// A line at `level` with `mark` in the symbol column, written straight into the output
    /// (plans print tens of thousands of lines).
    pub(crate) fn line(&mut self, level: usize, mark: Mark, text: &str) {
        let start = self.out.len();
        for _ in 0..level {
            self.out.push_str("    ");
        }
        if self.symbols {
            self.push_symbol(mark);
            self.out.push(' ');
        }
        self.out.push_str(text);
        let kept = self.out[start..].trim_end().len();
        self.out.truncate(start + kept);
        self.out.push('\n');
    }

    /// A mark's symbol, right-aligned in three columns and coloured.
    fn push_symbol(&mut self, mark: Mark) {
        let (pad, parts): (&str, &[(&str, &str)]) = match mark {
            Mark::NoOp => ("   ", &[]),
            Mark::Create => ("  ", &[(GREEN, "+")]),
            Mark::Update => ("  ", &[(YELLOW, "~")]),
            Mark::Delete => ("  ", &[(RED, "-")]),
            Mark::Read => (" ", &[(CYAN, "<=")]),
            Mark::Replace => ("", &[(RED, "-"), ("", "/"), (GREEN, "+")]),
            Mark::CreateThenDelete => ("", &[(GREEN, "+"), ("", "/"), (RED, "-")]),
        };
        self.out.push_str(pad);
        for (code, text) in parts {
            if self.color && !code.is_empty() {
                self.out.push_str(code);
                self.out.push_str(text);
                self.out.push_str(RESET);
            } else {
                self.out.push_str(text);
            }
        }
    }

    /// A block or resource: `head {`, its content, `}`.
    pub(crate) fn block(
        &mut self,
        level: usize,
        mark: Mark,
        head: &str,
        content: &Content,
        forces_replacement: bool,
    ) {
        let note = self.replacement_note(forces_replacement);
        match content {
            Content::Unknown => {
                self.line(level, mark, &format!("{head} (known after apply){note}"))
            }
            Content::Sensitive => {
                self.line(level, mark, &format!("{head} {{{note}"));
                self.line(
                    level + 1,
                    Mark::NoOp,
                    "# At least one attribute in this block is (or was) sensitive,",
                );
                self.line(
                    level + 1,
                    Mark::NoOp,
                    "# so its contents will not be displayed.",
                );
                self.line(level, Mark::NoOp, "}");
            }
            Content::Body(body) => {
                self.line(level, mark, &format!("{head} {{{note}"));
                self.body(level + 1, body);
                self.line(level, Mark::NoOp, "}");
            }
        }
    }

    fn body(&mut self, level: usize, body: &Body) {
        self.items(level, &body.attributes);
        for (i, item) in body.blocks.iter().enumerate() {
            if i > 0 || !body.attributes.is_empty() {
                self.blank();
            }
            match item {
                BlockItem::Block(Block {
                    mark,
                    name,
                    content,
                    forces_replacement,
                }) => self.block(level, *mark, name, content, *forces_replacement),
                BlockItem::Hidden(count) => self.line(level, Mark::NoOp, &hidden(*count, "block")),
            }
        }
    }

    /// A group of entries with their `=` aligned.
    pub(crate) fn items(&mut self, level: usize, items: &[Item]) {
        let width = items
            .iter()
            .filter_map(|item| match item {
                Item::Entry(Entry { key: Some(key), .. }) => Some(key.chars().count()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        for item in items {
            match item {
                Item::Entry(entry) => self.entry(level, entry, width),
                Item::Hidden { count, noun } => self.line(level, Mark::NoOp, &hidden(*count, noun)),
            }
        }
    }

    /// One entry; list elements (no key) end with a comma.
    pub(crate) fn entry(&mut self, level: usize, entry: &Entry, width: usize) {
        let key = match &entry.key {
            // Padded by hand: `{key:<width$}` panics for widths past 65,535.
            Some(key) => {
                let padding = width.saturating_sub(key.chars().count());
                format!("{key}{} = ", " ".repeat(padding))
            }
            None => String::new(),
        };
        let comma = if entry.key.is_none() { "," } else { "" };
        let note = self.replacement_note(entry.forces_replacement);
        match &entry.shape {
            Shape::Inline(text) => {
                self.line(level, entry.mark, &format!("{key}{text}{comma}{note}"))
            }
            Shape::Collection {
                list,
                items,
                suffix,
            } => {
                let (open, close) = if *list { ('[', ']') } else { ('{', '}') };
                self.line(level, entry.mark, &format!("{key}{open}{note}"));
                self.items(level + 1, items);
                self.line(level, Mark::NoOp, &format!("{close}{suffix}{comma}"));
            }
            Shape::Heredoc { lines, suffix } => {
                self.line(level, entry.mark, &format!("{key}<<-EOT{note}"));
                for line in lines {
                    match line {
                        HeredocLine::Text(mark, text) => self.line(level + 1, *mark, text),
                        HeredocLine::Hidden(count) => {
                            self.line(level + 1, Mark::NoOp, &hidden(*count, "line"))
                        }
                    }
                }
                self.line(level, Mark::NoOp, &format!("EOT{suffix}{comma}"));
            }
        }
    }

    fn replacement_note(&self, forces_replacement: bool) -> String {
        if forces_replacement {
            format!(" {}", self.paint(RED, "# forces replacement"))
        } else {
            String::new()
        }
    }
}

/// `# (N unchanged <noun>s hidden)`.
fn hidden(count: usize, noun: &str) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("# ({count} unchanged {noun}{plural} hidden)")
}
