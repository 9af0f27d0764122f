//! The README's main job: a real plan and apply of `examples/quickstart` with local state, and a
//! no-op plan after it.

mod support;

use support::Workspace;

#[test]
fn quickstart_example_plans_applies_and_converges() {
    let ws = Workspace::new();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart/main.tf");
    ws.write(
        "main.tf",
        &std::fs::read_to_string(example).expect("read the quickstart example"),
    );

    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("Plan: 4 to add, 0 to change, 0 to destroy.");
    ws.apply()
        .expect_stdout("Apply complete! Resources: 4 added, 0 changed, 0 destroyed.");
    assert_eq!(
        ws.state_list(),
        [
            "terraform_data.network",
            "terraform_data.release",
            r#"terraform_data.service["api"]"#,
            r#"terraform_data.service["web"]"#,
        ]
    );
    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    assert_eq!(outputs["network"]["value"], "quickstart-dev-network");
    assert_eq!(
        outputs["endpoints"]["value"]["api"],
        "quickstart-dev-api:9090"
    );
    ws.plan(&[]).expect_code(0);

    ws.plan(&["-var", "services={web = 8080}"])
        .expect_code(2)
        .expect_stdout(r#"# terraform_data.service["api"] will be destroyed"#)
        .expect_stdout("# terraform_data.release must be replaced");
}
