//! Tests for encryption at rest: round trips, wrong keys, rotation, enforcement.

use super::*;

fn provider(name: &str, passphrase: &str) -> KeyProvider {
    KeyProvider {
        name: format!("pbkdf2.{name}"),
        passphrase: Passphrase::Literal(passphrase.to_string()),
        iterations: MIN_ITERATIONS,
    }
}

fn codec(primary: KeyProvider, fallback: Option<KeyProvider>, enforced: bool) -> Codec {
    Codec::new(TargetKeys {
        primary,
        fallback,
        enforced,
    })
    .expect("codec")
}

#[test]
fn sealed_data_opens_with_the_same_passphrase_and_hides_the_plaintext() {
    let codec = codec(
        provider("main", "correct horse battery staple"),
        None,
        false,
    );
    let sealed = codec.seal(b"{\"secret\":\"hunter2\"}").expect("seal");
    assert!(is_sealed(&sealed));
    assert!(!sealed.contains(&b'\n'));
    assert!(!String::from_utf8_lossy(&sealed).contains("hunter2"));
    assert_eq!(
        codec.open(&sealed, "state").expect("open"),
        b"{\"secret\":\"hunter2\"}"
    );
    // A second seal uses a fresh nonce.
    assert_ne!(
        codec.seal(b"x").expect("seal"),
        codec.seal(b"x").expect("seal")
    );
}

#[test]
fn wrong_passphrase_is_a_clear_error_without_the_passphrase() {
    let sealed = codec(
        provider("main", "correct horse battery staple"),
        None,
        false,
    )
    .seal(b"data")
    .expect("seal");
    let wrong = codec(
        provider("main", "incorrect horse battery staple"),
        None,
        false,
    );
    let error = wrong
        .open(&sealed, "state")
        .expect_err("refused")
        .to_string();
    assert!(error.contains("could not decrypt state"), "{error}");
    assert!(error.contains("pbkdf2.main"), "{error}");
    assert!(!error.contains("horse"), "{error}");
}

#[test]
fn encrypted_data_without_a_key_is_refused() {
    let sealed = codec(
        provider("main", "correct horse battery staple"),
        None,
        false,
    )
    .seal(b"data")
    .expect("seal");
    let error = Codec::plain().open(&sealed, "state").expect_err("refused");
    assert!(
        error.to_string().contains("no encryption is configured"),
        "{error}"
    );
}

#[test]
fn fallback_key_opens_old_data_and_new_data_uses_the_primary() {
    let old = provider("old", "the old passphrase for rotation");
    let new = provider("new", "the new passphrase after rotation");
    let sealed_old = codec(old.clone(), None, false).seal(b"v1").expect("seal");
    let rotating = codec(new.clone(), Some(old), false);
    assert_eq!(rotating.open(&sealed_old, "state").expect("open"), b"v1");
    let sealed_new = rotating.seal(b"v2").expect("seal");
    let only_new = codec(new, None, false);
    assert_eq!(only_new.open(&sealed_new, "state").expect("open"), b"v2");
    assert!(only_new.open(&sealed_old, "state").is_err());
}

#[test]
fn plain_data_is_read_unless_enforced() {
    let lenient = codec(
        provider("main", "correct horse battery staple"),
        None,
        false,
    );
    assert_eq!(lenient.open(b"{}", "state").expect("open"), b"{}");
    let strict = codec(provider("main", "correct horse battery staple"), None, true);
    assert!(strict.open(b"{}", "state").is_err());
}

#[test]
fn short_passphrase_missing_variable_and_few_iterations_are_refused() {
    let short = Codec::new(TargetKeys {
        primary: provider("main", "short"),
        fallback: None,
        enforced: false,
    });
    assert!(short
        .expect_err("short")
        .to_string()
        .contains("at least 16"));
    let missing = Codec::new(TargetKeys {
        primary: KeyProvider {
            name: "pbkdf2.env".into(),
            passphrase: Passphrase::Env("PLINTH_TEST_UNSET_PASSPHRASE_VARIABLE".into()),
            iterations: MIN_ITERATIONS,
        },
        fallback: None,
        enforced: false,
    });
    assert!(missing
        .expect_err("missing")
        .to_string()
        .contains("PLINTH_TEST_UNSET_PASSPHRASE_VARIABLE"));
    let mut weak = provider("main", "correct horse battery staple");
    weak.iterations = 1000;
    assert!(Codec::new(TargetKeys {
        primary: weak,
        fallback: None,
        enforced: false
    })
    .is_err());
}
