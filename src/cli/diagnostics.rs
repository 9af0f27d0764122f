//! Human rendering of diagnostics with codespan-reporting: severity and summary, the
//! `file:line:col` of the span, the source line underlined, the detail, and the resource
//! concerned ("on main.tf line 3, in resource "aws_vpc" "main"").

use std::collections::BTreeMap;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer, Config};
use plinth_sdk::{Diagnostic, Diagnostics, Severity, Span};

/// Renders every diagnostic, in order, as text (with ANSI colors when `color`).
pub fn render(diags: &Diagnostics, sources: &BTreeMap<String, String>, color: bool) -> String {
    let mut files = SimpleFiles::new();
    let mut ids = BTreeMap::new();
    let config = Config::default();
    let mut out = String::new();
    for diag in &diags.0 {
        let labelled = diag.span.as_ref().and_then(|span| {
            let text = sources.get(&span.file)?;
            let id = *ids
                .entry(span.file.clone())
                .or_insert_with(|| files.add(span.file.clone(), text.clone()));
            Some((id, clamp(span, text)))
        });
        let report = match labelled {
            Some((id, range)) => report(diag, false).with_labels(vec![Label::primary(id, range)]),
            None => report(diag, true),
        };
        out.push_str(&capitalise_severity(
            &emit(&config, &files, &report, color).unwrap_or_else(|| fallback(diag)),
        ));
    }
    out
}

/// Terraform users know `Error:` and `Warning:`; codespan writes them in lower case.
fn capitalise_severity(report: &str) -> String {
    let (header, rest) = report.split_once('\n').unwrap_or((report, ""));
    let header = header
        .replacen("error", "Error", 1)
        .replacen("warning", "Warning", 1);
    if report.contains('\n') {
        format!("{header}\n{rest}")
    } else {
        header
    }
}

/// The report without labels; `locate` adds the `file:line:col` as the first note.
fn report(diag: &Diagnostic, locate: bool) -> Report<usize> {
    let base = match diag.severity {
        Severity::Error => Report::error(),
        Severity::Warning => Report::warning(),
    };
    let mut notes = Vec::new();
    if let (true, Some(span)) = (locate, &diag.span) {
        notes.push(format!("at {span}"));
    }
    if let Some(address) = &diag.address {
        notes.push(match &diag.span {
            Some(span) => format!(
                "with {address}, on {} line {}, in {}",
                span.file,
                span.line,
                describe_address(address)
            ),
            None => format!("with {address}"),
        });
    }
    notes.extend(diag.detail.clone());
    base.with_message(diag.summary.clone()).with_notes(notes)
}

fn emit(
    config: &Config,
    files: &SimpleFiles<String, String>,
    report: &Report<usize>,
    color: bool,
) -> Option<String> {
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    term::emit_to_write_style(&mut buffer, config, files, report).ok()?;
    String::from_utf8(buffer.into_inner()).ok()
}

/// Plain text when codespan cannot render (it never should with clamped ranges).
fn fallback(diag: &Diagnostic) -> String {
    let kind = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{kind}: {diag}\n\n")
}

/// The span's byte range, kept inside the text and on character boundaries.
fn clamp(span: &Span, text: &str) -> std::ops::Range<usize> {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(span.start);
    start..floor(span.end).max(start)
}

/// `aws_vpc.main` → `resource "aws_vpc" "main"`, `module.net.data.aws_ami.x[0]` →
/// `data "aws_ami" "x" (module.net.data.aws_ami.x[0])`, `var.port` → `variable "port"`.
fn describe_address(address: &str) -> String {
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        rest = after.split_once('.').map_or("", |(_, tail)| tail);
    }
    let (kind, rest) = match rest.strip_prefix("data.") {
        Some(tail) => ("data", tail),
        None => ("resource", rest),
    };
    let described = match rest.split_once('.') {
        Some(("var", name)) if kind == "resource" => format!("variable \"{name}\""),
        Some(("output", name)) if kind == "resource" => format!("output \"{name}\""),
        Some((type_name, name)) if !type_name.is_empty() => {
            let name = name.split('[').next().unwrap_or(name);
            format!("{kind} \"{type_name}\" \"{name}\"")
        }
        _ => return address.to_string(),
    };
    if address.contains('[') || address.starts_with("module.") {
        format!("{described} ({address})")
    } else {
        described
    }
}

#[cfg(test)]
#[path = "tests_diagnostics.rs"]
mod tests;
