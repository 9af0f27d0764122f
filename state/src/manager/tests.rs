//! Tests for the backend-independent rules, on the local backend: compare-and-swap writes,
//! lineage and serial checks, fences, history, rollback, migration and encryption.

use super::*;
use crate::crypto::{KeyProvider, Passphrase, TargetKeys, MIN_ITERATIONS};
use crate::test_support::sample_state;

fn local(dir: &tempfile::TempDir) -> StateBackend {
    StateBackend::local(dir.path().join("s.tfstate")).expect("backend")
}

fn next(state: &State) -> State {
    let mut next = state.clone();
    next.serial += 1;
    next
}

#[test]
fn a_second_writer_is_refused_not_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, second) = (local(&dir), local(&dir));
    let base = sample_state();
    first.write(&base).expect("write");
    let seen_by_second = second.peek().expect("peek");
    let mut from_first = next(&base);
    from_first.instances.clear();
    first.write(&from_first).expect("first writer");
    let error = second
        .write(&next(&seen_by_second))
        .expect_err("second writer refused");
    assert!(matches!(error, StateError::Conflict { .. }), "{error}");
    assert_eq!(first.peek().expect("peek"), from_first);
}

#[test]
fn other_lineage_and_non_growing_serial_are_refused_unless_forced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = local(&dir);
    let base = sample_state();
    backend.write(&base).expect("write");
    let error = backend.write(&base).expect_err("same serial");
    assert!(error.to_string().contains("larger serial"), "{error}");
    let stranger = State::new();
    let error = backend.write(&next(&stranger)).expect_err("lineage");
    assert!(
        error.to_string().contains("different infrastructures"),
        "{error}"
    );
    backend
        .write_as(&stranger, "state push -force", WriteCheck::Force)
        .expect("forced");
    assert_eq!(backend.peek().expect("peek").lineage, stranger.lineage);
}

#[test]
fn history_lists_every_write_and_rollback_adds_a_new_serial() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = local(&dir);
    let base = sample_state();
    backend
        .write_as(&base, "apply", WriteCheck::Continue)
        .expect("write");
    let mut emptied = next(&base);
    emptied.instances.clear();
    backend
        .write_as(&emptied, "destroy", WriteCheck::Continue)
        .expect("write");
    let history = backend.history().expect("history");
    let summary: Vec<_> = history
        .iter()
        .map(|meta| (meta.serial, meta.operation.as_str(), meta.resources))
        .collect();
    assert_eq!(summary, [(7, "apply", 7), (8, "destroy", 0)]);

    let restored = backend.rollback(7).expect("rollback");
    assert_eq!(restored.serial, 9);
    assert_eq!(restored.instances, base.instances);
    let history = backend.history().expect("history");
    assert_eq!(history.len(), 3, "history is never rewritten");
    assert_eq!(history[2].operation, "rollback to 7");
    assert!(backend.rollback(99).is_err());
}

#[test]
fn a_run_whose_lock_was_removed_cannot_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = local(&dir);
    let base = sample_state();
    backend.write(&base).expect("write");
    let held = backend
        .lock(LockInfo::current("apply"), Duration::ZERO)
        .expect("lock");
    let journal = backend.journal(&base).expect("journal");
    local(&dir)
        .force_unlock(&held.info().id)
        .expect("force-unlock");
    let error = backend.write(&next(&base)).expect_err("fenced");
    assert!(matches!(error, StateError::LockLost { .. }), "{error}");
    drop(journal);
    drop(held);
}

#[test]
fn migration_copies_history_and_current_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = local(&dir);
    let base = sample_state();
    from.write(&base).expect("write");
    let mut second = next(&base);
    second.instances.clear();
    from.write(&second).expect("write");
    let target = StateBackend::local(dir.path().join("other.tfstate")).expect("backend");
    assert_eq!(target.migrate_from(&from).expect("migrate"), 2);
    assert_eq!(target.peek().expect("peek"), second);
    let serials: Vec<u64> = target
        .history()
        .expect("history")
        .iter()
        .map(|meta| meta.serial)
        .collect();
    assert_eq!(serials, [7, 8]);
    assert!(target.migrate_from(&from).is_err(), "target not empty");
}

fn encrypted(dir: &tempfile::TempDir, passphrase: &str) -> Result<StateBackend, StateError> {
    let codec = Codec::new(TargetKeys {
        primary: KeyProvider {
            name: "pbkdf2.main".into(),
            passphrase: Passphrase::Literal(passphrase.into()),
            iterations: MIN_ITERATIONS,
        },
        fallback: None,
        enforced: false,
    })?;
    StateBackend::open(
        Box::new(LocalBackend::new(dir.path().join("s.tfstate"))),
        "default",
        codec,
    )
}

#[test]
fn encrypted_state_journal_and_history_hide_secrets_and_a_wrong_key_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = encrypted(&dir, "correct horse battery staple").expect("backend");
    let base = sample_state();
    backend.write(&base).expect("write");
    let journal = backend.journal(&base).expect("journal");
    journal
        .append(&[JournalEntry::Remove {
            address: "docker_network.main".into(),
        }])
        .expect("append");
    for name in ["s.tfstate", "s.tfstate.journal"] {
        let text = std::fs::read_to_string(dir.path().join(name)).expect("read");
        assert!(
            !text.contains("hunter2") && !text.contains("docker_network"),
            "{name}"
        );
    }
    let history = std::fs::read_dir(dir.path().join("s.tfstate.history")).expect("history");
    for entry in history {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        assert!(!text.contains("hunter2"));
    }
    let reopened = encrypted(&dir, "correct horse battery staple").expect("backend");
    assert!(!reopened
        .peek()
        .expect("peek")
        .instances
        .contains_key("docker_network.main"));

    let before = std::fs::read(dir.path().join("s.tfstate")).expect("read");
    let wrong = encrypted(&dir, "a wrong passphrase entirely").expect("backend");
    let error = wrong.load_replaying().expect_err("wrong key");
    assert!(matches!(error, StateError::Encryption { .. }), "{error}");
    assert_eq!(
        std::fs::read(dir.path().join("s.tfstate")).expect("read"),
        before
    );
    assert!(dir.path().join("s.tfstate.journal").exists());
}
