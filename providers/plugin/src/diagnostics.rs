//! Diagnostics a provider returns (severity, summary, detail, attribute path), kept with their
//! path for the adapter and converted into plinth's [`Diagnostic`].

use plinth_sdk::{Diagnostic, Diagnostics, Severity};

use crate::codec::{AttributePath, PathStep};
use crate::proto::{tfplugin5 as v5, tfplugin6 as v6};

/// One diagnostic as the provider sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct PluginDiagnostic {
    /// Error or warning (the protocol's `INVALID` is treated as an error).
    pub severity: Severity,
    /// One line.
    pub summary: String,
    /// More text, possibly empty.
    pub detail: String,
    /// The attribute concerned, when there is one.
    pub attribute: Option<AttributePath>,
}

impl PluginDiagnostic {
    /// plinth's diagnostic: the attribute path, when there is one, leads the detail
    /// (`cidr_block: must be a valid CIDR`); `address` is the resource instance, when known.
    pub fn to_plinth(&self, address: Option<&str>) -> Diagnostic {
        let mut d = match self.severity {
            Severity::Error => Diagnostic::error(&self.summary),
            Severity::Warning => Diagnostic::warning(&self.summary),
        };
        let detail = match (&self.attribute, self.detail.is_empty()) {
            (Some(path), true) => Some(format!("at {path}")),
            (Some(path), false) => Some(format!("at {path}: {}", self.detail)),
            (None, false) => Some(self.detail.clone()),
            (None, true) => None,
        };
        if let Some(detail) = detail {
            d = d.with_detail(detail);
        }
        if let Some(address) = address {
            d = d.with_address(address);
        }
        d
    }
}

/// Converts a provider's diagnostics into plinth's.
pub fn to_plinth(diagnostics: &[PluginDiagnostic], address: Option<&str>) -> Diagnostics {
    Diagnostics(diagnostics.iter().map(|d| d.to_plinth(address)).collect())
}

/// Whether any of the provider's diagnostics is an error.
pub fn has_errors(diagnostics: &[PluginDiagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

macro_rules! from_protocol {
    ($v:ident) => {
        impl From<$v::Diagnostic> for PluginDiagnostic {
            fn from(d: $v::Diagnostic) -> PluginDiagnostic {
                let severity = if d.severity == $v::diagnostic::Severity::Warning as i32 {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                PluginDiagnostic {
                    severity,
                    summary: d.summary,
                    detail: d.detail,
                    attribute: d
                        .attribute
                        .filter(|p| !p.steps.is_empty())
                        .map(AttributePath::from),
                }
            }
        }

        impl From<$v::AttributePath> for AttributePath {
            fn from(p: $v::AttributePath) -> AttributePath {
                use $v::attribute_path::step::Selector;
                AttributePath(
                    p.steps
                        .into_iter()
                        .filter_map(|s| s.selector)
                        .map(|s| match s {
                            Selector::AttributeName(n) => PathStep::Attribute(n),
                            Selector::ElementKeyString(k) => PathStep::Key(k),
                            Selector::ElementKeyInt(i) => PathStep::Index(i),
                        })
                        .collect(),
                )
            }
        }
    };
}

from_protocol!(v5);
from_protocol!(v6);

/// Reads a list of a provider's diagnostics.
pub(crate) fn read<D: Into<PluginDiagnostic>>(list: Vec<D>) -> Vec<PluginDiagnostic> {
    list.into_iter().map(Into::into).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use v6::attribute_path::{step::Selector, Step};

    #[test]
    fn provider_diagnostics_keep_severity_path_and_detail() {
        let d: PluginDiagnostic = v6::Diagnostic {
            severity: v6::diagnostic::Severity::Warning as i32,
            summary: "Deprecated".into(),
            detail: "use tags_all".into(),
            attribute: Some(v6::AttributePath {
                steps: vec![
                    Step {
                        selector: Some(Selector::AttributeName("tags".into())),
                    },
                    Step {
                        selector: Some(Selector::ElementKeyString("Name".into())),
                    },
                ],
            }),
        }
        .into();
        let plinth = d.to_plinth(Some("demo_thing.a"));
        assert_eq!(plinth.severity, Severity::Warning);
        assert_eq!(
            plinth.detail.as_deref(),
            Some(r#"at tags["Name"]: use tags_all"#)
        );
        assert_eq!(plinth.address.as_deref(), Some("demo_thing.a"));

        let invalid: PluginDiagnostic = v5::Diagnostic {
            severity: 0,
            summary: "odd".into(),
            ..Default::default()
        }
        .into();
        assert_eq!(
            invalid.severity,
            Severity::Error,
            "INVALID counts as an error"
        );
        assert_eq!(invalid.to_plinth(None).detail, None);
        assert!(has_errors(&[invalid]));
    }
}
