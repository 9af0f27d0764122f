//! `Diagnostic`: one problem (or warning) with a summary, detail, source span, resource address
//! and attribute path; used from configuration loading to provider errors, collected in
//! `Diagnostics` so a run reports every problem at once.
//!
//! A provider sets `attribute` (`ports[0].external`) rather than a span: the engine finds where
//! the configuration set that attribute and shows that line.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::AttrPath;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops the operation.
    Error,
    /// Printed, but the operation goes on.
    Warning,
}

/// A range in a source file. Lines and columns count from 1; `start`/`end` are byte offsets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// The file, as the user would name it (relative to the working directory when possible).
    pub file: String,
    /// Line of the start.
    pub line: usize,
    /// Column of the start (in characters).
    pub column: usize,
    /// Byte offset of the start.
    pub start: usize,
    /// Byte offset of the end (exclusive).
    pub end: usize,
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub summary: String,
    /// More explanation, possibly several lines.
    pub detail: Option<String>,
    /// Where in the configuration, when known.
    pub span: Option<Span>,
    /// The resource (instance) address concerned, when there is one.
    pub address: Option<String>,
    /// The attribute concerned, inside the object at `address`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<AttrPath>,
}

impl Diagnostic {
    /// An error with a summary.
    pub fn error(summary: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: None,
            span: None,
            address: None,
            attribute: None,
        }
    }

    /// A warning with a summary.
    pub fn warning(summary: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary)
        }
    }

    /// Adds a detail text.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Diagnostic {
        self.detail = Some(detail.into());
        self
    }

    /// Adds a source span.
    pub fn with_span(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    /// Points at an attribute of the object concerned.
    pub fn with_attribute(mut self, path: AttrPath) -> Diagnostic {
        self.attribute = Some(path);
        self
    }

    /// Adds the resource address, unless one is already set.
    pub fn with_address(mut self, address: impl Into<String>) -> Diagnostic {
        if self.address.is_none() {
            self.address = Some(address.into());
        }
        self
    }
}

impl fmt::Display for Diagnostic {
    /// One-line form: `file:line:col: summary (address): detail`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(span) = &self.span {
            write!(f, "{span}: ")?;
        }
        write!(f, "{}", self.summary)?;
        match (&self.address, &self.attribute) {
            (Some(address), Some(path)) => write!(f, " ({address}, {path})")?,
            (Some(address), None) => write!(f, " ({address})")?,
            (None, Some(path)) => write!(f, " ({path})")?,
            (None, None) => {}
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

/// A list of diagnostics.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }

    /// Adds one.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds all of another list.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Whether any is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// The warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Warning)
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets the address on every diagnostic that has none.
    pub fn with_address(self, address: &str) -> Diagnostics {
        Diagnostics(
            self.0
                .into_iter()
                .map(|d| d.with_address(address))
                .collect(),
        )
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
