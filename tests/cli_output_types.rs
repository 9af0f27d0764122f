//! Output types: `output -json`, `show -json` and the state report each root output's type in
//! cty's JSON form, as Terraform does. The configuration is `tests/lang/output_types/config`;
//! the expected types are what Terraform itself reported for it
//! (`tests/lang/output_types/terraform_types.json`, made by `scripts/output-type-goldens.sh`).

mod support;

use std::path::Path;

use support::Workspace;

fn fixture() -> Workspace {
    let ws = Workspace::new();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lang/output_types/config");
    for file in ["main.tf", "child/main.tf"] {
        let text = std::fs::read_to_string(config.join(file)).expect("fixture file");
        ws.write(file, &text);
    }
    ws
}

fn terraform_types() -> serde_json::Map<String, serde_json::Value> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lang/output_types/terraform_types.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("goldens")).expect("json")
}

/// `output -json` printed only `sensitive` and `value`: scripts reading Terraform's `type`
/// found nothing, and lists, tuples, maps and objects could not be told apart.
#[test]
fn output_json_reports_each_outputs_type_as_terraform_does() {
    let ws = fixture();
    ws.run(&["apply", "-auto-approve", "-var", "cli=abc"])
        .expect_ok();
    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    let expected = terraform_types();
    let mut differences = Vec::new();
    for (name, want) in &expected {
        let got = &outputs[name.as_str()]["type"];
        if got != want {
            differences.push(format!("{name}: Terraform {want}, plinth {got}"));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} output types differ:\n{}",
        differences.len(),
        expected.len(),
        differences.join("\n")
    );
    // Terraform's key order: sensitive, type, value; the secret still in `value`.
    assert_eq!(outputs["sensitive"]["type"], "string");
    assert_eq!(outputs["sensitive"]["value"], "s");

    let shown = ws.run(&["show", "-json"]).expect_ok().stdout_json();
    assert_eq!(
        shown["values"]["outputs"]["typed_list"]["type"],
        serde_json::json!(["list", "string"])
    );
    assert_eq!(shown["values"]["outputs"]["sensitive"]["type"], "string");

    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(ws.file("plinth.tfstate")).expect("state file"),
    )
    .expect("state json");
    assert_eq!(
        state["outputs"]["typed_map"]["type"],
        serde_json::json!(["map", "number"])
    );
}
