//! The drift report as JUnit XML (`plinth drift -junit FILE`), which every CI system shows:
//! one test case per managed object (drift is a failure carrying the attribute diff), one per
//! object no state manages (a failure), and one per configuration change not applied yet
//! (skipped, so it is visible without failing the check).

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::plan::drift::DriftReport;

/// The JUnit document.
pub fn drift_to_junit(report: &DriftReport) -> Result<String, String> {
    let mut managed = TestSuite::new("plinth drift: managed objects");
    for address in &report.objects {
        let status = if let Some(changed) = report.changed.iter().find(|c| &c.address == address) {
            let diff: Vec<String> = changed
                .attributes
                .iter()
                .map(|a| format!("{}: {} -> {}", a.path, a.before, a.after))
                .collect();
            failure(
                "changed outside plinth",
                &format!(
                    "{} attribute(s) changed outside plinth",
                    changed.attributes.len()
                ),
                diff.join("\n"),
            )
        } else if let Some(deleted) = report.deleted.iter().find(|d| &d.address == address) {
            failure(
                "deleted outside plinth",
                "the object was deleted outside plinth",
                format!("id {}", deleted.id.as_deref().unwrap_or("unknown")),
            )
        } else {
            TestCaseStatus::success()
        };
        managed.add_test_case(TestCase::new(address.as_str(), status));
    }
    let mut report_xml = Report::new("plinth drift");
    report_xml.add_test_suite(managed);
    if let Some(unmanaged) = &report.unmanaged {
        let mut suite = TestSuite::new("plinth drift: unmanaged objects");
        for object in unmanaged {
            let name = format!("{} {}", object.type_name, object.id);
            let status = failure(
                "unmanaged",
                "the object exists but no plinth state manages it",
                format!(
                    "provider {}, name {}",
                    object.provider,
                    object.name.as_deref().unwrap_or("-")
                ),
            );
            suite.add_test_case(TestCase::new(name, status));
        }
        report_xml.add_test_suite(suite);
    }
    let mut pending = TestSuite::new("plinth drift: configuration changes not applied");
    for change in &report.pending {
        let mut status = TestCaseStatus::skipped();
        status.set_message(format!(
            "configuration change not applied yet: {}",
            serde_json::to_value(change.action)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        ));
        pending.add_test_case(TestCase::new(change.address.as_str(), status));
    }
    report_xml.add_test_suite(pending);
    report_xml.to_string().map_err(|e| e.to_string())
}

fn failure(kind: &str, message: &str, description: String) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status
        .set_type(kind)
        .set_message(message)
        .set_description(description);
    status
}
