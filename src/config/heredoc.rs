//! Indented heredocs (`<<-EOT`): strips the common leading whitespace of the heredoc's source
//! lines, as Terraform does, so lines inside `%{ for }` / `%{ if }` directives lose it too.

use hcl_edit::structure::Body;
use hcl_edit::template::{HeredocTemplate, Template};
use hcl_edit::visit_mut::VisitMut;
use hcl_edit::Span as _;

/// Re-reads every indented heredoc of `body` from `source` (the text `body` was parsed from)
/// and replaces its template with the source lines stripped of their common indentation.
/// hcl-edit strips only the literals at the template's top level, not those inside directives.
pub fn flush_indented_heredocs(body: &mut Body, source: &str) {
    Flush { source }.visit_body_mut(body);
}

/// The visitor doing the work of [`flush_indented_heredocs`].
struct Flush<'a> {
    source: &'a str,
}

impl VisitMut for Flush<'_> {
    fn visit_heredoc_template_mut(&mut self, node: &mut HeredocTemplate) {
        let Some(range) = node.template.span() else {
            return;
        };
        let (Some(before), Some(raw)) = (self.source.get(..range.start), self.source.get(range))
        else {
            return;
        };
        let opening = before.trim_end_matches(['\n', '\r']);
        let indented = opening
            .rfind("<<")
            .is_some_and(|at| opening[at + 2..].starts_with('-'));
        if !indented {
            return;
        }
        if let Ok(template) = flush(raw).parse::<Template>() {
            node.template = template;
        }
    }
}

/// Whether a heredoc line is blank: Terraform leaves such lines alone and does not count them.
fn is_blank(line: &str) -> bool {
    line.ends_with('\n') && line.trim().is_empty()
}

/// The number of whitespace characters a line starts with.
fn leading_whitespace(line: &str) -> usize {
    line.chars()
        .take_while(|c| c.is_whitespace() && *c != '\n')
        .count()
}

/// `raw` with the smallest indentation of its non-blank lines removed from each of them.
fn flush(raw: &str) -> String {
    let lines: Vec<&str> = raw.split_inclusive('\n').collect();
    let indent = lines
        .iter()
        .filter(|line| !is_blank(line))
        .map(|line| leading_whitespace(line))
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|line| {
            if is_blank(line) {
                (*line).to_string()
            } else {
                line.chars().skip(indent).collect()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::flush;

    #[test]
    fn lines_inside_directives_lose_the_common_indentation() {
        let raw = "    %{ for n in x ~}\n    zone ${n}\n    %{ endfor ~}\n      deeper\n";
        assert_eq!(
            flush(raw),
            "%{ for n in x ~}\nzone ${n}\n%{ endfor ~}\n  deeper\n"
        );
    }

    #[test]
    fn blank_lines_are_kept_and_not_counted() {
        assert_eq!(flush("    a\n\n  \n    b\n"), "a\n\n  \nb\n");
    }
}
