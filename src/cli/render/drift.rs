//! The drift report for people (sections per kind of drift, attribute by attribute) and for
//! machines (a versioned JSON document, documented in docs/drift.md). Sensitive values are
//! never printed: people see "(sensitive value)", JSON gets `null` and `"sensitive": true`.

use serde_json::{json, Value as Json};

use crate::plan::drift::{AttributeChange, Changed, DriftReport, Verdict};

/// The version of the drift JSON document; bumped on any incompatible change.
pub const DRIFT_FORMAT_VERSION: &str = "1.0";

/// The report as people read it.
pub fn render_drift(report: &DriftReport, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = format!("Drift check of {} managed object(s).\n", report.checked);
    if !report.changed.is_empty() {
        out += &format!("\nChanged outside plinth ({}):\n", report.changed.len());
        for changed in &report.changed {
            out += &format!(
                "  {} {}{}\n",
                paint("33", "~"),
                changed.address,
                id_suffix(changed.id.as_deref())
            );
            for attribute in &changed.attributes {
                out += &format!(
                    "      {}: {} -> {}\n",
                    attribute.path, attribute.before, attribute.after
                );
            }
        }
    }
    if !report.incidental.is_empty() {
        out += &format!(
            "\nChanged outside plinth in attributes the configuration does not set, not drift ({}):\n",
            report.incidental.len()
        );
        for changed in &report.incidental {
            out += &format!(
                "  {} {}{}\n",
                paint("2", "~"),
                changed.address,
                id_suffix(changed.id.as_deref())
            );
            for attribute in &changed.attributes {
                out += &format!(
                    "      {}: {} -> {}\n",
                    attribute.path, attribute.before, attribute.after
                );
            }
        }
    }
    if !report.deleted.is_empty() {
        out += &format!("\nDeleted outside plinth ({}):\n", report.deleted.len());
        for deleted in &report.deleted {
            out += &format!(
                "  {} {}{}\n",
                paint("31", "-"),
                deleted.address,
                id_suffix(deleted.id.as_deref())
            );
        }
    }
    if let Some(unmanaged) = report.unmanaged.as_ref().filter(|u| !u.is_empty()) {
        out += &format!("\nNot managed by plinth ({}):\n", unmanaged.len());
        for object in unmanaged {
            let name = object
                .name
                .as_deref()
                .map(|n| format!(" {n:?}"))
                .unwrap_or_default();
            out += &format!(
                "  {} {}{name} (id {})\n",
                paint("35", "?"),
                object.type_name,
                object.id
            );
        }
    }
    if !report.pending.is_empty() {
        out += &format!(
            "\nConfiguration changes not applied yet ({}):\n",
            report.pending.len()
        );
        for pending in &report.pending {
            out += &format!("  {} {}\n", pending.action.symbol(false), pending.address);
        }
    }
    if !report.ignored.is_empty() {
        out += &format!(
            "\nIgnored by ignore rules or lifecycle.ignore_changes: {}\n",
            report.ignored.join(", ")
        );
    }
    if let Some(coverage) = report.coverage() {
        out += &format!(
            "\nCoverage: {:.1}% of the objects of the managed types are managed by plinth.\n",
            coverage * 100.0
        );
    }
    out += &match report.verdict() {
        Verdict::Clean => format!(
            "\n{} No drift: real infrastructure matches the state and the configuration.\n",
            paint("32", "Clean.")
        ),
        Verdict::Drift => format!(
            "\n{} Run `plinth apply` to repair it, or `plinth apply -refresh-only` to accept it into state.\n",
            paint("31", "Drift found.")
        ),
        Verdict::Pending => format!(
            "\n{} No drift, but the configuration has changes not applied yet.\n",
            paint("33", "Pending.")
        ),
    };
    out
}

fn id_suffix(id: Option<&str>) -> String {
    id.map(|id| format!(" (id {id})")).unwrap_or_default()
}

/// The report as a versioned JSON document.
pub fn drift_to_json(report: &DriftReport) -> Json {
    let verdict = report.verdict();
    json!({
        "format_version": DRIFT_FORMAT_VERSION,
        "plinth_version": env!("CARGO_PKG_VERSION"),
        "verdict": verdict,
        "exit_code": verdict.exit_code(),
        "checked": report.checked,
        "coverage": report.coverage(),
        "changed": report.changed.iter().map(changed).collect::<Vec<_>>(),
        "incidental": report.incidental.iter().map(changed).collect::<Vec<_>>(),
        "deleted": report.deleted,
        "pending": report.pending,
        "unmanaged": report.unmanaged,
        "ignored": report.ignored,
    })
}

fn changed(changed: &Changed) -> Json {
    json!({
        "address": changed.address,
        "type": changed.type_name,
        "id": changed.id,
        "attributes": changed.attributes.iter().map(attribute).collect::<Vec<_>>(),
    })
}

fn attribute(change: &AttributeChange) -> Json {
    if change.before.contains_sensitive() || change.after.contains_sensitive() {
        return json!({ "path": change.path, "before": null, "after": null, "sensitive": true });
    }
    json!({
        "path": change.path,
        "before": change.before.to_json(),
        "after": change.after.to_json(),
        "sensitive": false,
    })
}
