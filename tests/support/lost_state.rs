//! The "lost state" drill's steps, for any provider: delete everything of a workspace's state
//! (state, backup, journal, history), then have `plinth drift -unmanaged
//! -generate-config-out=imports.tf` write one import block per object that still runs.

use std::collections::{BTreeMap, BTreeSet};

use super::Workspace;

/// Type → ids, as plinth's state writes them.
pub type Ids = BTreeMap<String, BTreeSet<String>>;

/// Deletes the state, its backup, its journal and its history (everything named
/// `plinth.tfstate*`), and checks that nothing of it is left to restore from.
#[track_caller]
pub fn lose_state(ws: &Workspace) {
    for entry in std::fs::read_dir(ws.path()).expect("the working directory") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with(super::STATE_FILE) {
            continue;
        }
        if path.is_dir() {
            std::fs::remove_dir_all(&path).expect("remove the state's directory");
        } else {
            std::fs::remove_file(&path).expect("remove a state file");
        }
    }
    assert!(!ws.exists(super::STATE_FILE), "the state is gone");
    assert!(!ws.exists(super::BACKUP_FILE), "the backup is gone");
    assert!(ws.state_list().is_empty(), "no state to list");
    let history = ws.run(&["state", "history", "-json"]);
    assert!(
        !history.stdout.contains("\"serial\""),
        "no history to roll back to\n{history}"
    );
}

/// Runs `drift -unmanaged -generate-config-out=imports.tf` on a workspace without state and
/// checks that it wrote one import block to a configured resource for each of `objects`.
/// Returns the file's text.
#[track_caller]
pub fn generate_imports(ws: &Workspace, objects: &Ids) -> String {
    let count: usize = objects.values().map(BTreeSet::len).sum();
    ws.run(&["drift", "-unmanaged", "-generate-config-out=imports.tf"])
        .expect_code(2)
        .expect_stderr(&format!(
            "Wrote import blocks for {count} unmanaged object(s)"
        ));
    let imports = ws.read("imports.tf");
    assert_eq!(
        imports.matches("import {").count(),
        count,
        "one import block per object:\n{imports}"
    );
    for id in objects.values().flatten() {
        assert!(
            imports.contains(&format!("\"{id}\"")) || imports.contains(&format!(",{id}\"")),
            "no import block for {id}:\n{imports}"
        );
    }
    assert!(
        !imports.contains("resource \""),
        "configured objects got new resource blocks:\n{imports}"
    );
    imports
}

/// Runs `drift -unmanaged -generate-config-out` on a workspace without state, on an engine or
/// account other tests share, and keeps only the import blocks for configured addresses as
/// `imports.tf` (other objects get resource blocks of their own after them, which a user reviews
/// away). Checks there is one per object of the drill and returns the kept text.
#[track_caller]
pub fn generate_imports_on_shared_engine(ws: &Workspace, objects: usize) -> String {
    ws.run(&["drift", "-unmanaged", "-generate-config-out=found.tf"])
        .expect_code(2);
    let found = ws.read("found.tf");
    let imports = found
        .split("# __generated__ by plinth\n")
        .next()
        .unwrap_or_default()
        .to_string();
    std::fs::remove_file(ws.file("found.tf")).expect("remove found.tf");
    ws.write("imports.tf", &imports);
    assert_eq!(
        imports.matches("import {").count(),
        objects,
        "one import block per object:\n{imports}"
    );
    imports
}
