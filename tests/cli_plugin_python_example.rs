//! `examples/plugin-python` end to end: its install script lays the Python provider out in a
//! filesystem mirror, then init, apply (resource, data source, provider function), import and
//! destroy, as its README says. Needs the `tf` framework's venv (`PLINTH_TF_PYTHON`); skips with
//! a printed reason without it (fails in CI).

mod support;

use std::path::Path;
use std::process::Command;

use support::Workspace;

#[test]
fn the_python_provider_example_runs_end_to_end() {
    let Some(python) = support::framework_python("tf") else {
        return;
    };
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/plugin-python");
    let mut ws = Workspace::new();
    for file in ["main.tf", "install.sh", "provider/notes.py"] {
        ws.write(file, &std::fs::read_to_string(example.join(file)).unwrap());
    }
    let status = Command::new("sh")
        .arg(ws.file("install.sh"))
        .env("PYTHON", &python)
        .status()
        .unwrap();
    assert!(status.success());
    let cli = ws.file("plinth.tfrc");
    ws.set_env("TF_CLI_CONFIG_FILE", cli.to_str().unwrap());

    ws.run(&["init"])
        .expect_ok()
        .expect_stdout("example.com/examples/notes 0.1.0 from filesystem mirror");
    ws.run(&["providers"])
        .expect_ok()
        .expect_stdout("provider[example.com/examples/notes] ~> 0.1: 0.1.0");
    ws.apply();
    assert_eq!(
        ws.read("notes/welcome-to-plinth.txt"),
        "plinth runs Terraform providers unchanged, whatever language they are written in."
    );
    ws.run(&["output", "words"]).expect_ok().expect_stdout("11");
    // The recovery drill: the note deleted by hand is named by the drift check, written again
    // by one apply, and the check is clean again. Regression: `plinth drift` (and
    // `recovery-plan`) started only the built-in providers, so a plugin provider's objects failed
    // with "Provider configuration not present" (exit 1).
    std::fs::remove_file(ws.file("notes/welcome-to-plinth.txt")).expect("delete the note");
    ws.run(&["drift"])
        .expect_code(2)
        .expect_stdout("notes_note.welcome");
    ws.apply();
    assert!(ws.exists("notes/welcome-to-plinth.txt"), "the note is back");
    ws.run(&["drift"]).expect_code(0);
    // The data source reads the directory during the plan, so it sees the note one apply later.
    ws.apply();
    ws.run(&["output", "-json", "notes"])
        .expect_ok()
        .expect_stdout("welcome-to-plinth.txt");

    ws.write("notes/other.txt", "made by hand");
    let main = ws.read("main.tf");
    ws.write(
        "main.tf",
        &format!("{main}\nresource \"notes_note\" \"other\" {{\n  title = \"other\"\n  body  = \"made by hand\"\n}}\n"),
    );
    ws.run(&["import", "notes_note.other", "other.txt"])
        .expect_ok();
    assert_eq!(
        ws.state().instance("notes_note.other").attr("words"),
        Some(&serde_json::json!(3))
    );
    // Only the listing output changes: the imported note matches its configuration.
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("+ \"other.txt\"")
        .expect_nowhere("notes_note.other");

    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert!(!ws.exists("notes/welcome-to-plinth.txt"));
    assert!(!ws.exists("notes/other.txt"));
}
