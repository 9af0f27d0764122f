//! DigitalOcean's official Python client (PyPI `pydo`) against the emulator: an SSH key, a VPC,
//! Droplets waited for until active, paginated listing and deletion, through pydo's own request
//! building and response handling. Every exchange it caused is then checked against the OpenAPI
//! description too. `scripts/test.sh` installs pydo into `.venv-pydo`; without it the test skips
//! (and fails in CI).

mod support;

use std::path::PathBuf;
use std::time::Duration;

use plinth_do_emulator::{Config, Emulator, Knobs};
use serde_json::Value;
use support::openapi;

/// The venv's Python: `$PLINTH_PYDO_PYTHON`, else `.venv-pydo/bin/python` at the repository root.
fn pydo_python() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("PLINTH_PYDO_PYTHON") {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join(".venv-pydo/bin/python");
    python.is_file().then_some(python)
}

#[tokio::test]
async fn the_official_python_client_creates_waits_lists_and_deletes() {
    let Some(python) = pydo_python() else {
        let reason = "pydo is not installed in .venv-pydo (scripts/test.sh installs it)";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{reason}");
        }
        eprintln!("skipped: {reason}");
        return;
    };
    let emulator = Emulator::start(Config {
        tokens: vec!["pydo-token".into()],
        knobs: Knobs {
            action_delay_ms: 50,
            record: true,
            ..Knobs::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/pydo_scenario.py");
    let run = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(emulator.url())
        .arg("pydo-token")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the pydo scenario finishes within a minute")
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the pydo scenario failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap_or("")).unwrap();
    assert_eq!(summary["account_status"], "active");
    assert_eq!(summary["droplet_status"], "active");
    assert_eq!(summary["private_ip"], "10.30.0.2");
    assert_eq!(summary["created_by_names"], 2);
    assert_eq!(summary["pages"], 2);
    assert_eq!(summary["total"], 3);
    assert_eq!(summary["seen"].as_array().unwrap().len(), 3);
    assert_eq!(summary["remaining"], 0);
    let state = emulator.state();
    assert_eq!(state["droplets"], serde_json::json!([]));
    assert_eq!(state["ssh_keys"], serde_json::json!([]));
    assert!(emulator.request_count("GET", "/v2/droplets") >= 3);

    if let Some(spec) = openapi::locate().map(|p| openapi::Spec::load(&p)) {
        let mut problems = Vec::new();
        for exchange in emulator.exchanges() {
            let (_, found) = openapi::check_exchange(&spec, &exchange);
            problems.extend(
                found
                    .into_iter()
                    .map(|p| format!("{} {}: {p}", exchange.method, exchange.path)),
            );
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
