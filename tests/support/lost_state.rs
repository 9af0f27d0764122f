//! Losing a workspace's state on purpose, for the lost-state drills: the state, its backup, its
//! journal and its history are deleted, and nothing is left to restore from.

use super::{Workspace, BACKUP_FILE, STATE_FILE};

/// Deletes the state, its backup, its journal and its history (everything named
/// `plinth.tfstate*`), and checks that nothing of it is left to restore from.
#[track_caller]
pub fn lose_state(ws: &Workspace) {
    for entry in std::fs::read_dir(ws.path()).expect("the working directory") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with(STATE_FILE) {
            continue;
        }
        if path.is_dir() {
            std::fs::remove_dir_all(&path).expect("remove the state's directory");
        } else {
            std::fs::remove_file(&path).expect("remove a state file");
        }
    }
    assert!(!ws.exists(STATE_FILE), "the state is gone");
    assert!(!ws.exists(BACKUP_FILE), "the backup is gone");
    assert!(ws.state_list().is_empty(), "no state to list");
    let history = ws.run(&["state", "history", "-json"]);
    assert!(
        !history.stdout.contains("\"serial\""),
        "no history to roll back to\n{history}"
    );
}
