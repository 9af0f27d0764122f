//! Tests for state locking.

use super::*;

fn lock_file(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("terraform.tfstate.lock.info")
}

fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true")
        .spawn()
        .expect("spawn true");
    let pid = child.id();
    child.wait().expect("wait for true");
    pid
}

#[test]
fn current_lock_info_names_user_host_and_this_process() {
    let info = LockInfo::current("apply");
    assert_eq!(info.operation, "apply");
    assert_eq!(info.pid, std::process::id());
    assert_eq!(info.host, current_host());
    assert!(
        info.who.ends_with(&format!("@{}", info.host)),
        "{}",
        info.who
    );
    assert!(uuid::Uuid::parse_str(&info.id).is_ok());
    assert!(!info.is_stale());
}

#[test]
fn second_lock_fails_naming_the_holder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_file(&dir);
    let first = acquire(&path, LockInfo::current("apply"), Duration::ZERO).expect("first lock");
    let error = acquire(&path, LockInfo::current("plan"), Duration::ZERO).expect_err("held");
    let StateError::Locked { holder } = &error else {
        panic!("expected Locked, got {error:?}");
    };
    assert_eq!(holder.as_ref(), first.info());
    let message = error.to_string();
    assert!(message.contains(&first.info().who), "{message}");
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
    assert!(message.contains("for apply since"), "{message}");
    assert!(message.contains(&first.info().id), "{message}");
}

#[test]
fn lock_file_is_private_and_removed_on_drop() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_file(&dir);
    let guard = acquire(&path, LockInfo::current("apply"), Duration::ZERO).expect("lock");
    let mode = fs::metadata(&path).expect("lock file").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let on_disk: LockInfo = serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
    assert_eq!(&on_disk, guard.info());
    drop(guard);
    assert!(!path.exists());
}

#[test]
fn waiting_lock_succeeds_once_the_holder_releases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_file(&dir);
    let first = acquire(&path, LockInfo::current("apply"), Duration::ZERO).expect("first lock");
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        first.release().expect("release");
    });
    let started = Instant::now();
    let second = acquire(&path, LockInfo::current("plan"), Duration::from_secs(10))
        .expect("second lock after release");
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert!(second.broke_stale().is_none());
    releaser.join().expect("releaser thread");
}

#[test]
fn timeout_waits_before_reporting_locked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_file(&dir);
    let _first = acquire(&path, LockInfo::current("apply"), Duration::ZERO).expect("first lock");
    let started = Instant::now();
    let result = acquire(&path, LockInfo::current("plan"), Duration::from_millis(350));
    assert!(matches!(result, Err(StateError::Locked { .. })));
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(350), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
}

#[test]
fn lock_of_a_dead_process_on_this_host_is_broken_and_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_file(&dir);
    let mut dead = LockInfo::current("apply");
    dead.pid = dead_pid();
    assert!(dead.is_stale());
    fs::write(&path, serde_json::to_vec(&dead).expect("json")).expect("write stale lock");
    let guard = acquire(&path, LockInfo::current("plan"), Duration::ZERO).expect("breaks stale");
    assert_eq!(guard.broke_stale(), Some(&dead));
    let on_disk: LockInfo = serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
    assert_eq!(&on_disk, guard.info());
}

#[test]
fn lock_of_a_dead_pid_on_another_host_is_not_broken() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_file(&dir);
    let mut remote = LockInfo::current("apply");
    remote.pid = dead_pid();
    remote.host = format!("not-{}", current_host());
    fs::write(&path, serde_json::to_vec(&remote).expect("json")).expect("write lock");
    let result = acquire(&path, LockInfo::current("plan"), Duration::ZERO);
    assert!(matches!(result, Err(StateError::Locked { holder }) if *holder == remote));
}

#[test]
fn guard_does_not_remove_a_lock_that_is_no_longer_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_file(&dir);
    let guard = acquire(&path, LockInfo::current("apply"), Duration::ZERO).expect("lock");
    let other = LockInfo::current("plan");
    fs::write(&path, serde_json::to_vec(&other).expect("json")).expect("replace lock");
    drop(guard);
    let on_disk: LockInfo = serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
    assert_eq!(on_disk, other);
}

#[test]
fn force_unlock_needs_the_matching_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_file(&dir);
    let state_path = "terraform.tfstate";
    let guard = acquire(&path, LockInfo::current("apply"), Duration::ZERO).expect("lock");
    let error = force_unlock(&path, state_path, "wrong-id").expect_err("wrong id refused");
    assert!(
        matches!(&error, StateError::LockIdMismatch { given, holder }
        if given == "wrong-id" && holder.as_ref() == guard.info())
    );
    assert!(path.exists());
    let removed = force_unlock(&path, state_path, &guard.info().id).expect("right id");
    assert_eq!(&removed, guard.info());
    assert!(!path.exists());
    assert!(matches!(
        force_unlock(&path, state_path, "any"),
        Err(StateError::NotLocked { .. })
    ));
}

#[test]
fn unreadable_lock_file_is_reported_after_the_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = lock_file(&dir);
    fs::write(&path, b"{ not json").expect("write garbage");
    let result = acquire(&path, LockInfo::current("plan"), Duration::from_millis(150));
    assert!(
        matches!(&result, Err(StateError::Corrupt { detail }) if detail.contains("lock file")),
        "{result:?}"
    );
    assert_eq!(fs::read(&path).expect("still there"), b"{ not json");
}
