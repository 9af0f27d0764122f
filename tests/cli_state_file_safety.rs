//! The local state file: mode 0600, a backup of the previous version, no journal or lock left
//! after a clean run, and a corrupt or newer-version state refused and left byte-for-byte as it was.

mod support;

use support::{mode_of, Workspace, BACKUP_FILE, JOURNAL_FILE, LOCK_FILE, STATE_FILE};

const CONFIG: &str = r#"
resource "terraform_data" "a" {
  input = "one"
}
"#;

#[test]
fn state_is_private_and_the_previous_version_is_backed_up() {
    let ws = Workspace::with_main(CONFIG);
    ws.apply();
    assert_eq!(mode_of(&ws.file(STATE_FILE)), 0o600);
    assert!(
        !ws.exists(JOURNAL_FILE),
        "the journal is folded into the state after apply"
    );
    assert!(!ws.exists(LOCK_FILE), "the lock is released after apply");
    let first = ws.read_bytes(STATE_FILE);
    let first_state = ws.state();

    ws.write("main.tf", &CONFIG.replace("\"one\"", "\"two\""));
    ws.apply();
    assert_eq!(mode_of(&ws.file(STATE_FILE)), 0o600);
    assert_eq!(mode_of(&ws.file(BACKUP_FILE)), 0o600);
    assert_eq!(
        ws.read_bytes(BACKUP_FILE),
        first,
        "the backup is the previous state, unchanged"
    );

    let second_state = ws.state();
    assert_eq!(second_state.lineage(), first_state.lineage());
    assert!(!second_state.lineage().is_empty());
    assert!(second_state.serial() > first_state.serial());
    assert_eq!(
        second_state.instance("terraform_data.a").string("output"),
        Some("two")
    );
}

#[test]
fn no_temporary_files_are_left_beside_the_state() {
    let ws = Workspace::with_main(CONFIG);
    ws.apply();
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    for entry in std::fs::read_dir(ws.path()).expect("list") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(
            !name.contains("tmp")
                && !name.ends_with('~')
                && name != JOURNAL_FILE
                && name != LOCK_FILE,
            "left behind: {name}"
        );
    }
}

/// Runs every state-touching command against the current state file and checks each is refused
/// with exit 1 and an error naming `needle`, leaving the file exactly as it was.
#[track_caller]
fn expect_refused_and_untouched(ws: &Workspace, needle: &str) {
    let before = ws.read_bytes(STATE_FILE);
    let commands: [&[&str]; 6] = [
        &["plan"],
        &["apply", "-auto-approve"],
        &["destroy", "-auto-approve"],
        &["state", "list"],
        &["state", "rm", "terraform_data.a"],
        &["output"],
    ];
    for command in commands {
        let outcome = ws.run(command);
        outcome.expect_code(1).expect_stderr("Error: ");
        assert!(outcome.stderr.to_lowercase().contains(needle), "{outcome}");
        assert_eq!(
            ws.read_bytes(STATE_FILE),
            before,
            "`{}` changed the state file",
            command.join(" ")
        );
    }
    assert!(
        !ws.exists(BACKUP_FILE),
        "a refused state must not be rotated into the backup"
    );
    assert!(!ws.exists(LOCK_FILE), "a refused run must release its lock");
}

#[test]
fn corrupt_state_is_refused_and_left_untouched() {
    let ws = Workspace::with_main(CONFIG);
    ws.write(
        STATE_FILE,
        "{\"version\": 4, \"lineage\": \"abc\", \"resources\": [ {\"type\": ",
    );
    expect_refused_and_untouched(&ws, "plinth.tfstate");
}

#[test]
fn state_that_is_not_an_object_is_refused() {
    let ws = Workspace::with_main(CONFIG);
    ws.write_bytes(STATE_FILE, b"\x00\x01garbage\xff");
    expect_refused_and_untouched(&ws, "plinth.tfstate");
}

#[test]
fn state_from_a_newer_format_version_is_refused_and_left_untouched() {
    let ws = Workspace::with_main(CONFIG);
    ws.apply();
    std::fs::remove_file(ws.file(BACKUP_FILE)).ok();
    let mut json = ws.state().json;
    let mut bumped = false;
    for key in ["version", "format_version"] {
        if let Some(field) = json.get_mut(key) {
            *field = serde_json::json!(9999);
            bumped = true;
        }
    }
    assert!(bumped, "the state file names its format version: {json:#}");
    ws.write(
        STATE_FILE,
        &serde_json::to_string_pretty(&json).expect("serialise"),
    );
    expect_refused_and_untouched(&ws, "version");
}
