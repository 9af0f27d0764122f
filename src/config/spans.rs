//! Source files and spans: turns byte ranges from the parsers into `file:line:column` spans, with
//! file names as the user would type them (relative to the working directory when possible).

use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use plinth_sdk::Span;

/// The text of one source file with the offsets where its lines start.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The file name used in spans.
    pub name: String,
    /// The whole text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// A source file named `name` with content `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The span of a byte range (clamped to the text and to character boundaries).
    pub fn span(&self, range: Range<usize>) -> Span {
        let start = self.floor_boundary(range.start);
        let end = self.floor_boundary(range.end.max(start));
        let line_index = self
            .line_starts
            .partition_point(|&s| s <= start)
            .saturating_sub(1);
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let column = self.text[line_start..start].chars().count() + 1;
        Span {
            file: self.name.clone(),
            line: line_index + 1,
            column,
            start,
            end,
        }
    }

    /// The span of an optional range; a missing range becomes the start of the file.
    pub fn span_or_start(&self, range: Option<Range<usize>>) -> Span {
        self.span(range.unwrap_or(0..0))
    }

    fn floor_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// The name of `path` as shown to the user: relative to the working directory when it lies
/// below it, otherwise the absolute, lexically normalised path.
pub fn display_name(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = normalize(&cwd.join(path));
    match absolute.strip_prefix(normalize(&cwd)) {
        Ok(relative) if !relative.as_os_str().is_empty() => relative.display().to_string(),
        _ => absolute.display().to_string(),
    }
}

/// Removes `.` and resolves `..` components without touching the file system. Leading `..`
/// of a relative path are kept (`../../m` stays `../../m`); `..` at the root stays at the root.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_lines_and_characters_from_one() {
        let file = SourceFile::new("main.tf", "a = 1\nbé = \"x\"\n");
        let span = file.span(10..13);
        assert_eq!(
            (span.line, span.column, span.start, span.end),
            (2, 4, 10, 13)
        );
        assert_eq!(span.to_string(), "main.tf:2:4");
    }

    #[test]
    fn leading_parent_dirs_are_kept_by_normalize() {
        let cases = [
            ("./../../modules/vpc", "../../modules/vpc"),
            ("../../../x", "../../../x"),
            ("a/b/../../../x", "../x"),
            ("envs/prod/../../modules", "modules"),
            ("/../etc", "/etc"),
        ];
        for (given, expected) in cases {
            assert_eq!(
                normalize(Path::new(given)),
                PathBuf::from(expected),
                "{given}"
            );
        }
    }

    #[test]
    fn out_of_range_offsets_are_clamped() {
        let file = SourceFile::new("x.tf", "é");
        let span = file.span(1..99);
        assert_eq!((span.line, span.column, span.start, span.end), (1, 1, 0, 2));
    }

    #[test]
    fn display_names_are_relative_to_the_working_directory() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(display_name(&cwd.join("a/./b/../main.tf")), "a/main.tf");
        assert_eq!(display_name(Path::new("./main.tf")), "main.tf");
    }
}
