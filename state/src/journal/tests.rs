//! Tests for the apply journal: replay after a kill, torn lines, mismatched snapshots.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::*;
use crate::manager::StateBackend;
use crate::test_support::{instance, sample_state};

struct Setup {
    _dir: tempfile::TempDir,
    path: PathBuf,
    backend: StateBackend,
}

fn setup_with(state: &State) -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("terraform.tfstate");
    let backend = StateBackend::local(path.clone()).expect("backend");
    backend.write(state).expect("write snapshot");
    Setup {
        _dir: dir,
        path,
        backend,
    }
}

/// The journal file beside a state file.
fn journal_path(state_path: &Path) -> PathBuf {
    crate::fsio::with_suffix(state_path, ".journal")
}

/// Appends bytes to the journal file as a crashed or broken writer would have left them.
fn append_raw(path: &Path, bytes: &[u8]) {
    let mut file = OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open raw");
    file.write_all(bytes).expect("raw write");
}

fn entries() -> Vec<JournalEntry> {
    let mut outputs = BTreeMap::new();
    outputs.insert(
        "ip".to_string(),
        OutputValue {
            value: serde_json::json!("10.1.1.1"),
            sensitive: false,
            ty: None,
        },
    );
    vec![
        JournalEntry::Put {
            address: "docker_container.new".into(),
            instance: instance("docker_container", "new"),
        },
        JournalEntry::Remove {
            address: "docker_network.main".into(),
        },
        JournalEntry::Outputs { outputs },
    ]
}

fn expected_after(base: &State, entries: Vec<JournalEntry>) -> State {
    let mut state = base.clone();
    for entry in entries {
        entry.apply_to(&mut state);
    }
    state
}

#[test]
fn entries_of_a_killed_run_are_replayed_on_load() {
    let base = sample_state();
    let setup = setup_with(&base);
    let journal = setup.backend.journal(&base).expect("open");
    journal.append(&entries()[..2]).expect("append");
    journal.append(&entries()[2..]).expect("append");
    drop(journal); // the run dies: no finish
    let journal_file = journal_path(&setup.path);
    assert!(journal_file.exists());

    let loaded = setup.backend.load_replaying().expect("loads");
    assert_eq!(loaded.replayed, 3);
    let mut expected = expected_after(&base, entries());
    expected.serial = base.serial + 1;
    assert_eq!(loaded.state, expected);
    assert!(!journal_file.exists(), "journal folded and removed");
    assert_eq!(
        setup.backend.load().expect("reload"),
        expected,
        "snapshot written"
    );
}

#[test]
fn journal_file_is_private_and_starts_with_lineage_and_serial() {
    use std::os::unix::fs::PermissionsExt;
    let base = sample_state();
    let setup = setup_with(&base);
    let _journal = setup.backend.journal(&base).expect("open");
    let path = journal_path(&setup.path);
    let mode = fs::metadata(&path).expect("journal").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = fs::read_to_string(&path).expect("read");
    let header: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("header")).expect("json");
    assert_eq!(header["lineage"], base.lineage.as_str());
    assert_eq!(header["serial"], base.serial);
}

#[test]
fn torn_last_line_is_ignored() {
    let base = sample_state();
    let setup = setup_with(&base);
    let journal = setup.backend.journal(&base).expect("open");
    journal.append(&entries()[..1]).expect("append");
    drop(journal);
    let path = journal_path(&setup.path);
    append_raw(&path, br#"{"op":"remove","addr"#);

    let loaded = setup.backend.load_replaying().expect("loads");
    assert_eq!(loaded.replayed, 1);
    assert!(loaded.state.instances.contains_key("docker_container.new"));
    assert!(loaded.state.instances.contains_key("docker_network.main"));
}

#[test]
fn reopening_cuts_a_torn_tail_before_appending() {
    let base = sample_state();
    let setup = setup_with(&base);
    let journal = setup.backend.journal(&base).expect("open");
    journal.append(&entries()[..1]).expect("append");
    drop(journal);
    let path = journal_path(&setup.path);
    append_raw(&path, b"{\"op\":\"put\",\"add");

    let reopened = StateBackend::local(setup.path.clone())
        .expect("backend")
        .journal(&base)
        .expect("reopen");
    reopened.append(&entries()[1..2]).expect("append");
    drop(reopened);
    let loaded = setup.backend.load_replaying().expect("loads");
    assert_eq!(loaded.replayed, 2);
    assert!(!loaded.state.instances.contains_key("docker_network.main"));
}

#[test]
fn unreadable_line_before_the_end_is_corruption() {
    let base = sample_state();
    let setup = setup_with(&base);
    let journal = setup.backend.journal(&base).expect("open");
    journal.append(&entries()[..1]).expect("append");
    drop(journal);
    let path = journal_path(&setup.path);
    append_raw(&path, b"garbage\n{\"op\":\"remove\",\"address\":\"x.y\"}\n");
    let before = fs::read(&path).expect("read");
    let error = setup.backend.load().expect_err("refused");
    assert!(
        matches!(&error, StateError::Corrupt { detail } if detail.contains("line 3")),
        "{error}"
    );
    assert_eq!(fs::read(&path).expect("journal kept"), before);
}

#[test]
fn journal_of_another_lineage_is_refused_and_kept() {
    let base = sample_state();
    let setup = setup_with(&base);
    let other = State::new();
    let journal = setup.backend.journal(&other).expect("open");
    journal.append(&entries()).expect("append");
    drop(journal);
    let path = journal_path(&setup.path);
    let journal_before = fs::read(&path).expect("read journal");
    let state_before = fs::read(&setup.path).expect("read state");

    let error = setup.backend.load().expect_err("refused");
    let StateError::JournalMismatch {
        journal_lineage,
        state_lineage,
        ..
    } = &error
    else {
        panic!("expected JournalMismatch, got {error:?}");
    };
    assert_eq!(journal_lineage, &other.lineage);
    assert_eq!(state_lineage, &base.lineage);
    assert!(error.to_string().contains(&other.lineage));
    assert_eq!(fs::read(&path).expect("journal kept"), journal_before);
    assert_eq!(fs::read(&setup.path).expect("state kept"), state_before);
    assert!(matches!(
        setup.backend.journal(&base).map(|_| ()),
        Err(StateError::JournalMismatch { .. })
    ));
}

#[test]
fn finish_writes_the_snapshot_and_removes_the_journal() {
    let base = sample_state();
    let setup = setup_with(&base);
    let journal = setup.backend.journal(&base).expect("open");
    journal.append(&entries()).expect("append");
    let mut last = expected_after(&base, entries());
    last.serial += 1;
    journal.finish(&last, "apply").expect("finish");
    assert!(!journal_path(&setup.path).exists());
    let loaded = setup.backend.load_replaying().expect("loads");
    assert_eq!((loaded.state, loaded.replayed), (last, 0));
}

#[test]
fn journal_already_folded_into_a_newer_snapshot_is_discarded() {
    // A run wrote its final snapshot and died before deleting the journal.
    let base = sample_state();
    let setup = setup_with(&base);
    let journal = setup.backend.journal(&base).expect("open");
    journal.append(&entries()).expect("append");
    drop(journal);
    let mut last = expected_after(&base, entries());
    last.serial += 1;
    setup.backend.write(&last).expect("final snapshot");

    let loaded = setup.backend.load_replaying().expect("loads");
    assert_eq!((loaded.state, loaded.replayed), (last, 0));
    assert!(!journal_path(&setup.path).exists());
}

#[test]
fn journal_older_than_a_snapshot_it_is_not_part_of_is_refused() {
    let base = sample_state();
    let setup = setup_with(&base);
    let journal = setup.backend.journal(&base).expect("open");
    journal.append(&entries()).expect("append");
    drop(journal);
    let mut unrelated = base.clone();
    unrelated.serial += 1;
    setup.backend.write(&unrelated).expect("unrelated snapshot");
    assert!(matches!(
        setup.backend.load(),
        Err(StateError::JournalMismatch {
            journal_serial: 7,
            state_serial: 8,
            ..
        })
    ));
    assert!(journal_path(&setup.path).exists());
}

#[test]
fn first_apply_killed_before_any_snapshot_is_recovered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("terraform.tfstate");
    let backend = StateBackend::local(path.clone()).expect("backend");
    let fresh = State::new();
    let journal = backend.journal(&fresh).expect("open");
    journal.append(&entries()[..1]).expect("append");
    drop(journal);
    let loaded = backend.load_replaying().expect("loads");
    assert_eq!(loaded.replayed, 1);
    assert_eq!(loaded.state.lineage, fresh.lineage);
    assert_eq!(loaded.state.serial, 1);
    assert!(loaded.state.instances.contains_key("docker_container.new"));
    assert!(path.exists());
}

#[test]
fn many_entries_in_one_append_are_all_replayed() {
    let base = sample_state();
    let setup = setup_with(&base);
    let journal = setup.backend.journal(&base).expect("open");
    let batch: Vec<_> = (0..500)
        .map(|index| JournalEntry::Put {
            address: format!("docker_container.many[{index}]"),
            instance: instance("docker_container", &index.to_string()),
        })
        .collect();
    journal.append(&batch).expect("append");
    drop(journal);
    let loaded = setup.backend.load_replaying().expect("loads");
    assert_eq!(loaded.replayed, 500);
    assert_eq!(loaded.state.instances.len(), base.instances.len() + 500);
}

#[test]
fn a_journal_of_intents_only_keeps_the_pending_creates() {
    // A run killed after journalling its first creates' intents and before any of them was
    // recorded: the next load must keep them pending, so the provider is asked to find what
    // they made instead of making it again.
    let base = sample_state();
    let setup = setup_with(&base);
    let journal = setup.backend.journal(&base).expect("open");
    let pending = PendingCreate {
        token: "f00d".into(),
        workspace: "default".into(),
        type_name: "aws_route53_zone".into(),
        provider: "aws".into(),
        planned: serde_json::json!({ "name": "example.com" }),
    };
    journal
        .append(&[JournalEntry::Intent {
            address: "aws_route53_zone.main".into(),
            create: pending.clone(),
        }])
        .expect("append");
    drop(journal); // the run dies: no finish

    let loaded = setup.backend.load_replaying().expect("loads");
    assert_eq!(
        loaded.state.pending.get("aws_route53_zone.main"),
        Some(&pending)
    );
    assert_eq!(
        setup
            .backend
            .load()
            .expect("reload")
            .pending
            .get("aws_route53_zone.main"),
        Some(&pending),
        "the pending create is in the snapshot written by the replay"
    );
}
