//! Where in the configuration an attribute path points (`ports[0].external` → the line setting
//! `external` in the first `ports` block), so a provider's diagnostic about an attribute is shown
//! at the line that set it. Falls back to the nearest enclosing block.

use plinth_sdk::{AttrPath, Diagnostic, Diagnostics, PathStep, Span};

use crate::config::Body;

/// The span of `path` inside a block `body` whose header is at `header`.
pub fn span_of(body: &Body, header: &Span, path: &AttrPath) -> Span {
    let mut body = body;
    let mut best = header.clone();
    let mut steps = path.0.iter().peekable();
    while let Some(step) = steps.next() {
        let PathStep::Attr(name) = step else {
            continue;
        };
        if let Some(attribute) = body.attributes.iter().find(|a| &a.name == name) {
            return attribute.expr.span.clone();
        }
        let index = match steps.peek() {
            Some(PathStep::Index(i)) => {
                steps.next();
                usize::try_from(*i).unwrap_or(usize::MAX)
            }
            _ => 0,
        };
        match body.blocks.iter().filter(|b| &b.kind == name).nth(index) {
            Some(block) => {
                best = block.span.clone();
                body = &block.body;
            }
            None => return best,
        }
    }
    best
}

/// Gives every diagnostic that names an attribute but no place the span of that attribute in
/// `body`.
pub fn locate(diagnostics: Diagnostics, body: &Body, header: &Span) -> Diagnostics {
    Diagnostics(
        diagnostics
            .0
            .into_iter()
            .map(|d| match (&d.span, &d.attribute) {
                (None, Some(path)) => {
                    let span = span_of(body, header, path);
                    Diagnostic {
                        span: Some(span),
                        ..d
                    }
                }
                _ => d,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    #[test]
    fn paths_find_the_line_that_set_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("main.tf"),
            "resource \"docker_container\" \"web\" {\n  name = \"web\"\n  ports {\n    internal = 80\n  }\n  ports {\n    internal = 443\n    external = 8443\n  }\n}\n",
        )
        .expect("write");
        let config = config::load(dir.path()).unwrap_or_else(|d| panic!("{d}"));
        let resource = &config.root.resources[0];
        let line = |path: AttrPath| span_of(&resource.body, &resource.span, &path).line;
        assert_eq!(line(AttrPath::attr("name")), 2);
        assert_eq!(line(AttrPath::attr("ports").index(1).then("external")), 8);
        assert_eq!(line(AttrPath::attr("ports").index(0).then("external")), 3);
        assert_eq!(line(AttrPath::attr("image")), 1);
    }
}
