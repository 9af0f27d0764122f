//! `plinth fmt`: rewrites a file in the canonical style (two-space indentation by bracket
//! nesting, the `=` of consecutive single-line attributes aligned, at most one blank line in a
//! row, no trailing spaces), keeping comments and heredocs as written. Formatting is idempotent
//! and never changes meaning: the result is re-parsed and compared with the input.

use plinth_sdk::Diagnostics;

use super::parse::syntax_error;
use super::spans::SourceFile;

/// Formats the text of a `.tf` file (named `<input>` in syntax errors).
pub fn format_source(text: &str) -> Result<String, Diagnostics> {
    format_named("<input>", text)
}

/// Formats the text of the file `name`; a syntax error is reported with that name.
pub fn format_named(name: &str, text: &str) -> Result<String, Diagnostics> {
    let file = SourceFile::new(name, text);
    let before = hcl_edit::parser::parse_body(text).map_err(|e| syntax_error(&file, &e))?;
    let formatted = render(&scan(text));
    // A formatting that changed the meaning would be a bug: keep the text as written then.
    let same = hcl_edit::parser::parse_body(&formatted)
        .is_ok_and(|after| hcl::Body::from(after) == hcl::Body::from(before));
    Ok(if same { formatted } else { text.to_string() })
}

/// One source line with what the scanner learned about it.
struct Line<'a> {
    text: &'a str,
    /// Inside a heredoc or a block comment: kept exactly as written.
    verbatim: bool,
    /// Indentation level.
    level: usize,
    /// Byte offset (in the trimmed text) of an attribute's `=` whose value ends on this line.
    assign: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum Frame {
    /// `{`, `[` or `(` in code.
    Bracket,
    /// A quoted string.
    Str,
    /// `${` or `%{` inside a string.
    Interpolation,
}

enum Mode {
    Code,
    BlockComment,
    Heredoc(String),
}

/// Splits the text into lines and computes each line's nesting level and assignment.
fn scan(text: &str) -> Vec<Line<'_>> {
    let mut mode = Mode::Code;
    let mut stack: Vec<Frame> = Vec::new();
    let mut levels: Vec<usize> = Vec::new();
    let mut lines = Vec::new();
    for raw in text.lines() {
        match &mode {
            Mode::Heredoc(delimiter) => {
                if raw.trim() == delimiter {
                    mode = Mode::Code;
                }
                lines.push(Line {
                    text: raw,
                    verbatim: true,
                    level: levels.len(),
                    assign: None,
                });
                continue;
            }
            Mode::BlockComment => {
                let end = raw.find("*/");
                if end.is_some() {
                    mode = Mode::Code;
                }
                lines.push(Line {
                    text: raw,
                    verbatim: true,
                    level: levels.len(),
                    assign: None,
                });
                continue;
            }
            Mode::Code => {}
        }
        let trimmed = raw.trim();
        let scanned = scan_line(trimmed, &mut stack, &mut mode);
        let before = levels.len();
        let mut to_close = scanned.closed_before;
        while to_close > 0 {
            match levels.last_mut() {
                Some(top) if *top > to_close => {
                    *top -= to_close;
                    to_close = 0;
                }
                Some(top) => {
                    to_close -= *top;
                    levels.pop();
                }
                None => break,
            }
        }
        let starts_with_closer = trimmed.starts_with(['}', ']', ')']);
        let level = if starts_with_closer {
            levels.len()
        } else {
            before
        };
        if scanned.opened > 0 {
            levels.push(scanned.opened);
        }
        lines.push(Line {
            text: trimmed,
            verbatim: false,
            level,
            assign: scanned.assign,
        });
    }
    lines
}

struct Scanned {
    /// Brackets of earlier lines closed on this line.
    closed_before: usize,
    /// Brackets opened on this line and still open at its end.
    opened: usize,
    assign: Option<usize>,
}

fn scan_line(line: &str, stack: &mut Vec<Frame>, mode: &mut Mode) -> Scanned {
    let depth = |stack: &Vec<Frame>| stack.iter().filter(|f| **f != Frame::Str).count();
    let start_depth = depth(stack);
    let mut min_depth = start_depth;
    let mut equals: Option<(usize, usize)> = None;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        let in_string = stack.last() == Some(&Frame::Str);
        if in_string {
            match (c, next) {
                (b'\\', _) => i += 1,
                (b'"', _) => {
                    stack.pop();
                }
                (b'$' | b'%', Some(b'{')) => {
                    stack.push(Frame::Interpolation);
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match (c, next) {
            (b'#', _) | (b'/', Some(b'/')) => break,
            (b'/', Some(b'*')) => match line[i + 2..].find("*/") {
                Some(end) => i += end + 3,
                None => {
                    *mode = Mode::BlockComment;
                    break;
                }
            },
            (b'"', _) => stack.push(Frame::Str),
            (b'{' | b'[' | b'(', _) => stack.push(Frame::Bracket),
            (b'}' | b']' | b')', _) => {
                stack.pop();
                min_depth = min_depth.min(depth(stack));
            }
            (b'<', Some(b'<')) => {
                let rest = line[i + 2..].trim_start_matches('-');
                if !rest.is_empty() && rest.chars().all(|ch| ch.is_alphanumeric() || ch == '_') {
                    *mode = Mode::Heredoc(rest.to_string());
                    break;
                }
                i += 1;
            }
            (b'=', _) => {
                let previous = if i > 0 { bytes[i - 1] } else { b' ' };
                let single = !matches!(previous, b'=' | b'!' | b'<' | b'>')
                    && !matches!(next, Some(b'=' | b'>'));
                if single && equals.is_none() && !line[..i].trim().is_empty() {
                    equals = Some((i, depth(stack)));
                }
                if !single {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let end_depth = depth(stack);
    let heredoc = matches!(mode, Mode::Heredoc(_));
    let single_line = !heredoc && min_depth == start_depth && end_depth == start_depth;
    let assign = equals
        .filter(|(_, depth_there)| single_line && *depth_there == start_depth)
        .map(|(at, _)| at);
    Scanned {
        closed_before: start_depth - min_depth,
        opened: end_depth - min_depth,
        assign,
    }
}

/// Writes the lines back: indentation, aligned `=`, single blank lines, a final newline.
fn render(lines: &[Line<'_>]) -> String {
    let mut out = String::new();
    let mut blank_pending = false;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if line.verbatim {
            out.push_str(line.text);
            out.push('\n');
            i += 1;
            continue;
        }
        if line.text.is_empty() {
            blank_pending = !out.is_empty();
            i += 1;
            continue;
        }
        if blank_pending && !line.text.starts_with(['}', ']', ')']) {
            out.push('\n');
        }
        blank_pending = false;
        if line.assign.is_none() {
            push_indent(&mut out, line.level);
            out.push_str(line.text);
            out.push('\n');
            i += 1;
            continue;
        }
        let chain_end = lines[i..]
            .iter()
            .position(|l| l.verbatim || l.assign.is_none())
            .map_or(lines.len(), |n| i + n);
        let chain = &lines[i..chain_end];
        let width = chain
            .iter()
            .map(|l| 2 * l.level + lhs(l).chars().count())
            .max()
            .unwrap_or(0);
        for l in chain {
            push_indent(&mut out, l.level);
            let name = lhs(l);
            out.push_str(name);
            let padding = width - 2 * l.level - name.chars().count();
            out.push_str(&" ".repeat(padding + 1));
            out.push('=');
            let value = rhs(l);
            if !value.is_empty() {
                out.push(' ');
                out.push_str(value);
            }
            out.push('\n');
        }
        i = chain_end;
    }
    out
}

fn lhs<'a>(line: &Line<'a>) -> &'a str {
    line.assign
        .map_or(line.text, |at| line.text[..at].trim_end())
}

fn rhs<'a>(line: &Line<'a>) -> &'a str {
    line.assign
        .map_or("", |at| line.text[at + 1..].trim_start())
}

fn push_indent(out: &mut String, level: usize) {
    out.push_str(&"  ".repeat(level));
}

#[cfg(test)]
#[path = "tests_format.rs"]
mod tests;
