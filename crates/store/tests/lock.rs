//! One run at a time per planet.

use orrery_store::{Error, PlanetLock, LOCK_FILE};

#[test]
fn a_second_lock_is_refused_with_the_holder_pid_until_the_first_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(LOCK_FILE);
    let held = PlanetLock::acquire(&path).unwrap();
    assert_eq!(held.path(), path);

    let error = PlanetLock::acquire(&path).unwrap_err();
    let pid = std::process::id();
    assert!(
        matches!(error, Error::Locked { pid: Some(holder), .. } if holder == pid),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains(&format!("pid {pid}")), "{message}");
    assert!(message.contains(LOCK_FILE), "{message}");

    drop(held);
    let again = PlanetLock::acquire(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{pid}\n"));
    drop(again);
}

#[test]
fn a_stale_lock_file_without_a_holder_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(LOCK_FILE);
    std::fs::write(&path, "4194999999 garbage from a killed run\n").unwrap();
    let lock = PlanetLock::acquire(&path).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{}\n", std::process::id())
    );
    drop(lock);
}

#[test]
fn a_lock_in_a_missing_directory_is_an_io_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join(LOCK_FILE);
    let error = PlanetLock::acquire(&path).unwrap_err();
    assert!(matches!(error, Error::LockIo { .. }), "{error:?}");
    assert!(error.to_string().contains("missing"), "{error}");
}
