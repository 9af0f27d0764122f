//! The README's main job: a real plan and apply of `examples/quickstart` with local state, and a
//! no-op plan after it: built-in resources, a generated password kept out of every output,
//! rendered files and a local-exec step, with no cloud and no network.

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
        .expect_stdout("Plan: 11 to add, 0 to change, 0 to destroy.");
    let applied = ws.apply();
    applied
        .expect_stdout("Apply complete! Resources: 11 added, 0 changed, 0 destroyed.")
        .expect_stdout("null_resource.announce (local-exec): deployment ")
        .expect_stdout("wrote 2 service endpoints to ./generated/dev/services.env");
    assert_eq!(
        ws.state_list(),
        [
            "local_file.deploy_key_pub",
            "local_file.settings",
            "local_sensitive_file.credentials",
            "null_resource.announce",
            "random_id.deployment",
            "random_password.database",
            "terraform_data.network",
            "terraform_data.release",
            r#"terraform_data.service["api"]"#,
            r#"terraform_data.service["web"]"#,
            "tls_private_key.deploy",
        ]
    );
    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    assert_eq!(outputs["network"]["value"], "quickstart-dev-network");
    assert_eq!(
        outputs["endpoints"]["value"]["api"],
        "quickstart-dev-api:9090"
    );
    let password = outputs["database_password"]["value"]
        .as_str()
        .expect("a password")
        .to_string();
    assert_eq!(password.len(), 20);
    applied.expect_nowhere(&password);
    assert_eq!(
        ws.read("generated/dev/services.env"),
        "API_ENDPOINT=quickstart-dev-api:9090\nWEB_ENDPOINT=quickstart-dev-web:8080\n"
    );
    assert_eq!(
        ws.read("generated/dev/database.env"),
        format!("DATABASE_PASSWORD={password}\n")
    );
    assert!(ws
        .read("generated/dev/deploy_key.pub")
        .starts_with("ssh-ed25519 "));
    ws.plan(&[]).expect_code(0).expect_nowhere(&password);

    // The recovery drill: the settings file deleted by hand is named by the drift check, written
    // again by one apply, and the check is clean again; no secret is shown on the way.
    std::fs::remove_file(ws.file("generated/dev/services.env")).expect("delete the settings");
    ws.run(&["drift"])
        .expect_code(2)
        .expect_stdout("local_file.settings")
        .expect_nowhere(&password);
    ws.apply().expect_nowhere(&password);
    assert_eq!(
        ws.read("generated/dev/services.env"),
        "API_ENDPOINT=quickstart-dev-api:9090\nWEB_ENDPOINT=quickstart-dev-web:8080\n"
    );
    ws.run(&["drift"]).expect_code(0);

    ws.plan(&["-var", "services={web = 8080}"])
        .expect_code(2)
        .expect_stdout(r#"# terraform_data.service["api"] will be destroyed"#)
        .expect_stdout("# terraform_data.release must be replaced")
        .expect_stdout("# local_file.settings must be replaced");

    ws.run(&["destroy", "-auto-approve"])
        .expect_ok()
        .expect_stdout("Destroy complete! Resources: 11 destroyed.");
    assert!(!ws.exists("generated/dev/services.env"));
}
