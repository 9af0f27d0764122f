//! Golden round-trip tests: every `tests/golden/*.json` is a canonical state file, so decoding
//! and re-encoding it must reproduce it byte for byte (apart from the writing plinth's version).

use std::fs;
use std::path::PathBuf;

fn golden_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("golden directory")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

/// The golden text with its `plinth_version` replaced by the version this build writes.
fn expected_text(golden: &str) -> String {
    golden
        .lines()
        .map(|line| match line.strip_prefix("  \"plinth_version\": ") {
            Some(_) => format!("  \"plinth_version\": \"{}\",", env!("CARGO_PKG_VERSION")),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn golden_state_files_round_trip_byte_for_byte() {
    let files = golden_files();
    assert!(files.len() >= 2, "golden files present: {files:?}");
    for path in files {
        let golden = fs::read_to_string(&path).expect("read golden");
        let state = plinth_state::decode(golden.as_bytes())
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let encoded = plinth_state::encode(&state).expect("encodes");
        let encoded = String::from_utf8(encoded).expect("utf-8");
        assert_eq!(encoded, expected_text(&golden), "{}", path.display());
    }
}

#[test]
fn golden_mixed_state_decodes_to_the_expected_instances() {
    let text = fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/mixed.json"))
        .expect("read golden");
    let state = plinth_state::decode(&text).expect("decodes");
    let addresses: Vec<&str> = state.instances.keys().map(String::as_str).collect();
    assert_eq!(
        addresses,
        [
            "data.docker_image.base",
            "docker_container.web[0]",
            "docker_container.web[10]",
            "docker_container.web[2]",
            "docker_network.main",
            "module.db.aws_db_instance.main",
            r#"module.vpc["a"].aws_subnet.public["eu-west-1a"]"#,
            r#"module.vpc["a"].aws_subnet.public["eu-west-1b"]"#,
            r#"module.vpc["a"].module.nat[0].aws_nat_gateway.this"#,
        ]
    );
    let tainted = &state.instances["docker_container.web[10]"];
    assert_eq!(tainted.status, plinth_state::Status::Tainted);
    assert!(tainted.create_before_destroy);
    let db = &state.instances["module.db.aws_db_instance.main"];
    assert_eq!(db.provider, "aws.west");
    assert_eq!(db.sensitive_attributes, ["password"]);
    assert_eq!(
        state.instances["data.docker_image.base"].mode,
        plinth_state::Mode::Data
    );
    assert!(state.outputs["db_password"].sensitive);
    assert_eq!(state.serial, 12);
}
