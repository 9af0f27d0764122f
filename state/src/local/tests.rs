//! Tests for the local backend: load, atomic write, backup, refusal of unreadable files.

use std::os::unix::fs::PermissionsExt;

use super::*;
use crate::manager::StateBackend;
use crate::model::State;
use crate::test_support::{instance, sample_state};

/// A local state file and the backend of its default workspace.
struct Fixture {
    path: PathBuf,
    backend: StateBackend,
}

impl Fixture {
    fn path(&self) -> &Path {
        &self.path
    }

    fn backup_path(&self) -> PathBuf {
        fsio::with_suffix(&self.path, ".backup")
    }
}

impl std::ops::Deref for Fixture {
    type Target = StateBackend;

    fn deref(&self) -> &StateBackend {
        &self.backend
    }
}

fn backend(dir: &tempfile::TempDir) -> Fixture {
    let path = dir.path().join("terraform.tfstate");
    Fixture {
        backend: StateBackend::local(path.clone()).expect("backend"),
        path,
    }
}

fn mode_of(path: &Path) -> u32 {
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn missing_file_loads_as_a_fresh_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = backend(&dir).load_replaying().expect("loads");
    assert_eq!(loaded.replayed, 0);
    assert_eq!(loaded.state.serial, 0);
    assert!(loaded.state.instances.is_empty());
    assert!(uuid::Uuid::parse_str(&loaded.state.lineage).is_ok());
    assert!(!backend(&dir).path().exists(), "loading writes nothing");
}

#[test]
fn write_then_load_round_trips_with_private_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = backend(&dir);
    let state = sample_state();
    backend.write(&state).expect("writes");
    assert_eq!(mode_of(backend.path()), 0o600);
    assert!(
        !backend.backup_path().exists(),
        "no previous file, no backup"
    );
    assert_eq!(backend.load().expect("loads"), state);
    let mut leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    leftovers.sort();
    assert_eq!(
        leftovers,
        ["terraform.tfstate", "terraform.tfstate.history"],
        "no temporary files left"
    );
}

#[test]
fn write_keeps_the_previous_snapshot_as_a_private_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = backend(&dir);
    let first = sample_state();
    backend.write(&first).expect("first write");
    // A previous file readable by others must not leak into a readable backup.
    fs::set_permissions(backend.path(), fs::Permissions::from_mode(0o644)).expect("chmod");
    let first_bytes = fs::read(backend.path()).expect("read first");
    let mut second = first.clone();
    second.serial += 1;
    second.instances.remove("docker_network.main");
    backend.write(&second).expect("second write");
    assert_eq!(
        fs::read(backend.backup_path()).expect("backup"),
        first_bytes
    );
    assert_eq!(mode_of(&backend.backup_path()), 0o600);
    assert_eq!(mode_of(backend.path()), 0o600);
    assert_eq!(backend.load().expect("loads"), second);
}

#[test]
fn corrupt_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = backend(&dir);
    let garbage = b"{ \"version\": 1, \"serial\": oops }".to_vec();
    fs::write(backend.path(), &garbage).expect("write garbage");
    let error = backend.load().expect_err("refused");
    let StateError::Corrupt { detail } = &error else {
        panic!("expected Corrupt, got {error:?}");
    };
    assert!(detail.contains("terraform.tfstate"), "{detail}");
    assert!(detail.contains("line 1"), "{detail}");
    assert_eq!(fs::read(backend.path()).expect("still there"), garbage);
    assert!(!backend.backup_path().exists());
}

#[test]
fn newer_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = backend(&dir);
    let newer = br#"{ "version": 99, "plinth_version": "9.9.9", "serial": 1, "lineage": "x" }"#;
    fs::write(backend.path(), newer).expect("write newer");
    assert!(matches!(
        backend.load(),
        Err(StateError::NewerVersion { found: 99, .. })
    ));
    assert_eq!(fs::read(backend.path()).expect("still there"), newer);
}

#[test]
fn lock_is_exclusive_and_force_unlock_needs_its_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = backend(&dir);
    assert!(backend.describe().contains("terraform.tfstate"));
    let held = backend
        .lock(LockInfo::current("apply"), Duration::ZERO)
        .expect("locks");
    let other = StateBackend::local(backend.path().to_path_buf()).expect("backend");
    assert!(matches!(
        other.lock(LockInfo::current("plan"), Duration::ZERO),
        Err(StateError::Locked { .. })
    ));
    assert!(held.took_over().is_none());
    let id = held.info().id.clone();
    held.release().expect("releases");
    let again = other
        .lock(LockInfo::current("plan"), Duration::ZERO)
        .expect("relocks");
    assert!(matches!(
        backend.force_unlock(&id),
        Err(StateError::LockIdMismatch { .. })
    ));
    let again_id = again.info().id.clone();
    assert_eq!(
        backend.force_unlock(&again_id).expect("unlocks").id,
        again_id
    );
}

#[test]
fn five_thousand_instances_round_trip_quickly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = backend(&dir);
    let mut state = State::new();
    for index in 0..5_000 {
        let mut item = instance("docker_container", &format!("c{index}"));
        item.dependencies = vec!["docker_network.main".to_string()];
        state.instances.insert(
            format!(
                r#"module.app["m{}"].docker_container.web[{index}]"#,
                index % 7
            ),
            item,
        );
    }
    let started = std::time::Instant::now();
    backend.write(&state).expect("writes");
    let loaded = backend.load().expect("loads");
    let elapsed = started.elapsed();
    assert_eq!(loaded, state);
    // Milliseconds in release builds; the bound is loose for unoptimised test builds.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

/// A reader without the lock must see a live apply's progress but never fold its journal
/// into the file (that would pull it from under the running apply).
#[test]
fn peek_folds_the_journal_in_memory_and_touches_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = backend(&dir);
    let base = sample_state();
    assert!(base.instances.contains_key("docker_network.main"));
    backend.write(&base).expect("write");
    let journal = backend.journal(&base).expect("open journal");
    journal
        .append(&[crate::JournalEntry::Remove {
            address: "docker_network.main".into(),
        }])
        .expect("append");
    let journal_path = fsio::with_suffix(backend.path(), ".journal");
    let (snapshot, journalled) = (
        fs::read(backend.path()).expect("read"),
        fs::read(&journal_path).expect("read journal"),
    );

    let seen = backend.peek().expect("peek");
    assert!(!seen.instances.contains_key("docker_network.main"));
    assert_eq!(fs::read(backend.path()).expect("read"), snapshot);
    assert_eq!(fs::read(&journal_path).expect("read journal"), journalled);
    assert!(!backend.backup_path().exists());

    let loaded = backend.load_replaying().expect("replay");
    assert_eq!(loaded.replayed, 1);
    assert!(!journal_path.exists());
}
