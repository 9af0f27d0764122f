//! Remote state end to end, on moto's S3 and on a real PostgreSQL server (and, for the first
//! two targets, a local state file shared by several working directories): the reliability
//! targets (two concurrent applies, 20 trials: exactly one proceeds; kill -9 at random moments,
//! 20 trials, then one apply from a fresh working directory converges with nothing lost or
//! duplicated), lease takeover from another host, history and rollback, workspaces, refusal of
//! damaged state, encryption at rest, and `init -migrate-state` from a local state.
//!
//! Each test starts its own moto server or PostgreSQL cluster on 127.0.0.1 (see
//! `tests/support/moto.rs` and `tests/support/postgres.rs`) and skips with a reason when they
//! are not installed, except under CI. The random seed is printed; `PLINTH_TEST_SEED=<seed>`
//! repeats a run.
#![cfg(feature = "test-provider")]

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use support::moto::Moto;
use support::postgres::Postgres;
use support::{Random, Workspace};

/// Trials of each reliability target.
const TRIALS: usize = 20;

/// How many slow objects each apply manages.
const OBJECTS: usize = 6;

/// A backend under test with what it needs kept alive: S3, PostgreSQL, or a local state file
/// in a directory shared by several working directories.
enum Remote {
    S3(Moto),
    Pg(Postgres),
    Local(tempfile::TempDir),
}

const BUCKET: &str = "plinth-state";

impl Remote {
    fn s3() -> Option<Remote> {
        let moto = Moto::start()?;
        moto.create_bucket(BUCKET);
        Some(Remote::S3(moto))
    }

    fn pg() -> Option<Remote> {
        Postgres::start().map(Remote::Pg)
    }

    fn local() -> Remote {
        Remote::Local(tempfile::tempdir().expect("a shared state directory"))
    }

    /// The `terraform` block: settings come from a variable and a local (early evaluation).
    fn terraform_block(&self) -> String {
        match self {
            Remote::S3(_) => format!(
                r#"
variable "state_bucket" {{
  default = "{BUCKET}"
}}

locals {{
  team = "core"
}}

terraform {{
  backend "s3" {{
    bucket         = var.state_bucket
    key            = "${{local.team}}/app.tfstate"
    region         = "us-east-1"
    use_path_style = true
    lock_lease     = "3s"
  }}
}}
"#
            ),
            Remote::Pg(_) => r#"
terraform {
  backend "pg" {
    schema_name = "plinth"
    lock_lease  = "3s"
  }
}
"#
            .to_string(),
            Remote::Local(dir) => format!(
                "terraform {{\n  backend \"local\" {{\n    path = \"{}\"\n  }}\n}}\n",
                dir.path().join("shared.tfstate").display()
            ),
        }
    }

    fn env(&self) -> Vec<(String, String)> {
        match self {
            Remote::S3(moto) => moto.env(),
            Remote::Pg(pg) => vec![("PG_CONN_STR".to_string(), pg.conn_str.clone())],
            Remote::Local(_) => Vec::new(),
        }
    }

    /// A new working directory with `resources` and this backend, initialised.
    fn workspace(&self, resources: &str) -> Workspace {
        let mut ws = Workspace::with_main(&format!("{}\n{resources}", self.terraform_block()));
        for (name, value) in self.env() {
            ws.set_env(&name, &value);
        }
        ws.run(&["init"]).expect_ok();
        ws
    }

    /// Plants a lock held by a run on another host whose lease ends `expires_in` from now
    /// (negative: already expired).
    fn plant_foreign_lock(&self, id: &str, expires_in: chrono::Duration) {
        let info = serde_json::json!({
            "id": id, "operation": "apply", "who": "ci@runner-7", "pid": 4242,
            "host": "runner-7", "created": chrono::Utc::now().to_rfc3339(),
            "version": "0.1.0", "expires": (chrono::Utc::now() + expires_in).to_rfc3339(),
        });
        match self {
            Remote::S3(moto) => moto.put(
                BUCKET,
                "core/app.tfstate.tflock",
                info.to_string().as_bytes(),
            ),
            Remote::Pg(pg) => {
                let seconds = expires_in.num_milliseconds() as f64 / 1000.0;
                pg.sql(&format!(
                    "INSERT INTO plinth.locks (name, id, info, fence, expires) VALUES ('default', '{id}', '{}', nextval('plinth.fences'), now() + make_interval(secs => {seconds}))",
                    info.to_string().replace('\'', "''")
                ));
            }
            Remote::Local(_) => unreachable!("local locks have no lease"),
        }
    }

    /// Replaces the stored snapshot with `bytes` behind plinth's back.
    fn plant_state(&self, bytes: &[u8]) {
        match self {
            Remote::S3(moto) => moto.put(BUCKET, "core/app.tfstate", bytes),
            Remote::Pg(pg) => {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                pg.sql(&format!(
                    "UPDATE plinth.states SET data = '\\x{hex}'::bytea, version = version + 1 WHERE name = 'default'"
                ));
            }
            Remote::Local(dir) => {
                std::fs::write(dir.path().join("shared.tfstate"), bytes).expect("plant state")
            }
        }
    }

    /// The stored snapshot's bytes.
    fn stored_state(&self) -> Vec<u8> {
        match self {
            Remote::S3(moto) => moto.get(BUCKET, "core/app.tfstate").expect("state object"),
            Remote::Pg(pg) => {
                let hex =
                    pg.sql("SELECT encode(data, 'hex') FROM plinth.states WHERE name = 'default'");
                (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
                    .collect()
            }
            Remote::Local(dir) => std::fs::read(dir.path().join("shared.tfstate")).expect("state"),
        }
    }
}

/// `OBJECTS` slow objects whose input carries `var.generation`, so each generation updates all.
fn slow_objects(delay_ms: u64) -> String {
    format!(
        r#"
variable "generation" {{
  type    = number
  default = 1
}}

resource "slow_object" "item" {{
  count    = {OBJECTS}
  input    = "item-${{count.index}}-gen${{var.generation}}"
  delay_ms = {delay_ms}
}}

output "workspace" {{
  value = terraform.workspace
}}
"#
    )
}

/// The slow_object ids in the state as `state pull` in `ws` sees it.
fn ids_in_state(ws: &Workspace) -> BTreeSet<String> {
    let pulled = ws.run(&["state", "pull"]);
    pulled.expect_ok();
    support::State {
        json: pulled.stdout_json(),
    }
    .instances()
    .iter()
    .filter_map(|i| i.string("id").map(String::from))
    .collect()
}

/// Another working directory on the same backend and the same real objects.
fn fresh_directory(remote: &Remote, objects_of: &Workspace, resources: &str) -> Workspace {
    let mut ws = remote.workspace(resources);
    ws.set_env(
        "PLINTH_SLOW_DIR",
        &objects_of.objects_dir().display().to_string(),
    );
    ws
}

fn concurrent_applies_exactly_one_proceeds(remote: &Remote) {
    let config = slow_objects(700);
    let first = remote.workspace(&config);
    let second = fresh_directory(remote, &first, &config);
    for trial in 0..TRIALS {
        let var = format!("generation={}", trial + 2);
        let args = ["apply", "-auto-approve", "-var", var.as_str()];
        let (a, b) = (first.spawn(&args), second.spawn(&args));
        let (a, b) = (
            a.finish(Duration::from_secs(120)),
            b.finish(Duration::from_secs(120)),
        );
        let (winner, loser) = match (a.code, b.code) {
            (0, 1) => (a, b),
            (1, 0) => (b, a),
            _ => panic!("trial {trial}: exactly one apply must proceed\n{a}\n{b}"),
        };
        loser
            .expect_stderr("Error acquiring the state lock")
            .expect_stderr("state is locked by")
            .expect_stderr("for apply");
        winner.expect_stdout("Apply complete!");
        let (state, disk) = (ids_in_state(&first), first.slow_objects());
        assert_eq!(state.len(), OBJECTS, "trial {trial}");
        assert_eq!(
            state,
            disk.keys().cloned().collect::<BTreeSet<_>>(),
            "trial {trial}: state and real objects disagree"
        );
    }
}

fn killed_applies_converge_from_a_fresh_directory(remote: &Remote) {
    let config = slow_objects(200);
    let objects = remote.workspace(&config);
    let mut random = Random::from_env();
    let mut kills = 0;
    for trial in 0..TRIALS {
        let var = format!("generation={}", trial + 2);
        // Two operations at a time: an apply spends about 600 ms among its objects.
        let args = [
            "apply",
            "-auto-approve",
            "-parallelism=2",
            "-var",
            var.as_str(),
        ];
        let doomed = fresh_directory(remote, &objects, &config);
        let delay = random.millis_between(50, 800);
        let (outcome, killed) = doomed.run_and_kill_after(&args, delay);
        eprintln!("trial {trial}: kill after {delay:?}: killed={killed}");
        if killed {
            kills += 1;
        } else {
            outcome.expect_ok();
        }
        let recovery = fresh_directory(remote, &objects, &config);
        recovery.run(&args).expect_ok();
        let state = ids_in_state(&recovery);
        let disk = objects.slow_objects();
        assert_eq!(
            state,
            disk.keys().cloned().collect::<BTreeSet<_>>(),
            "trial {trial}: state and real objects disagree"
        );
        let inputs: BTreeSet<String> = disk
            .values()
            .filter_map(|o| o["value"]["input"].as_str().map(String::from))
            .collect();
        assert_eq!(
            inputs.len(),
            OBJECTS,
            "trial {trial}: an object exists twice or is missing"
        );
        assert!(
            inputs
                .iter()
                .all(|input| input.ends_with(&format!("-gen{}", trial + 2))),
            "trial {trial}: {inputs:?}"
        );
        recovery.plan(&["-var", &var]).expect_code(0);
    }
    assert!(
        kills >= TRIALS / 2,
        "only {kills} of {TRIALS} trials were killed mid-apply"
    );
}

fn leases_history_workspaces_and_damaged_state(remote: &Remote) {
    let ws = remote.workspace(&slow_objects(1));
    ws.run(&["apply", "-auto-approve"]).expect_ok();
    ws.run(&["apply", "-auto-approve", "-var", "generation=2"])
        .expect_ok();

    if matches!(remote, Remote::Local(_)) {
        // The local lock has no lease to take over.
        ws.run(&["apply", "-auto-approve", "-var", "generation=3"])
            .expect_ok();
    } else {
        // A live lease of another host is refused, naming the holder; an expired one is taken over.
        remote.plant_foreign_lock("held-by-runner-7", chrono::Duration::seconds(300));
        ws.run(&["plan"])
            .expect_code(1)
            .expect_stderr("ci@runner-7")
            .expect_stderr("held-by-runner-7");
        ws.run(&["force-unlock", "-force", "held-by-runner-7"])
            .expect_ok();
        remote.plant_foreign_lock("expired-runner-7", chrono::Duration::seconds(-5));
        ws.run(&["apply", "-auto-approve", "-var", "generation=3"])
            .expect_ok()
            .expect_stderr("took over a stale state lock expired-runner-7 held by ci@runner-7")
            .expect_stderr("lease expired");
    }

    // History and rollback.
    let history = ws.run(&["state", "history", "-json"]);
    history.expect_ok();
    let versions = history.stdout_json();
    let serials: Vec<u64> = versions
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v["serial"].as_u64().expect("serial"))
        .collect();
    assert_eq!(serials, [1, 2, 3], "{versions:#}");
    assert_eq!(versions[0]["operation"], "apply");
    assert_eq!(versions[0]["resources"], OBJECTS);
    ws.run(&["state", "rollback", "1"]).expect_ok();
    let text = ws.run(&["state", "history"]);
    text.expect_ok().expect_stdout("rollback to 1");
    let pulled = ws.run(&["state", "pull"]);
    let state = pulled.stdout_json();
    assert_eq!(state["serial"], 4);
    assert!(pulled.stdout.contains("-gen1"), "{pulled}");

    // Workspaces: separate states, terraform.workspace, delete.
    ws.run(&["workspace", "new", "staging"]).expect_ok();
    ws.run(&["workspace", "show"]).expect_stdout("staging");
    ws.run(&["apply", "-auto-approve", "-var", "generation=7"])
        .expect_ok()
        .expect_stdout("6 added");
    ws.run(&["output", "-raw", "workspace"])
        .expect_stdout("staging");
    ws.run(&["workspace", "list"])
        .expect_stdout("  default")
        .expect_stdout("* staging");
    ws.run(&["workspace", "select", "default"]).expect_ok();
    assert!(ws.run(&["state", "pull"]).stdout.contains("-gen1"));
    ws.run(&["workspace", "delete", "staging"])
        .expect_code(1)
        .expect_stderr("not empty");
    ws.run(&["workspace", "delete", "-force", "staging"])
        .expect_ok();
    let listed = ws.run(&["workspace", "list"]);
    assert!(!listed.stdout.contains("staging"), "{listed}");

    // Damaged or foreign state is refused and left untouched.
    let good = remote.stored_state();
    for (what, bytes, expected) in [
        ("garbage", b"\x00\x01 not json".to_vec(), "corrupt"),
        ("truncated", good[..good.len() / 2].to_vec(), "corrupt"),
        (
            "newer",
            br#"{"version": 99, "serial": 1, "lineage": "x"}"#.to_vec(),
            "upgrade plinth",
        ),
    ] {
        remote.plant_state(&bytes);
        let refused = ws.run(&["apply", "-auto-approve"]);
        refused.expect_code(1);
        assert!(refused.stderr.contains(expected), "{what}: {refused}");
        assert_eq!(remote.stored_state(), bytes, "{what}: state changed");
    }
    remote.plant_state(&good);
    let mut foreign: serde_json::Value = serde_json::from_slice(&good).expect("json");
    foreign["lineage"] = "another-lineage".into();
    foreign["serial"] = 99.into();
    ws.write("foreign.tfstate", &foreign.to_string());
    ws.run(&["state", "push", "foreign.tfstate"])
        .expect_code(1)
        .expect_stderr("lineage");
    assert_eq!(remote.stored_state(), good);
}

#[test]
fn s3_concurrent_applies_exactly_one_proceeds() {
    if let Some(remote) = Remote::s3() {
        concurrent_applies_exactly_one_proceeds(&remote);
    }
}

#[test]
fn pg_concurrent_applies_exactly_one_proceeds() {
    if let Some(remote) = Remote::pg() {
        concurrent_applies_exactly_one_proceeds(&remote);
    }
}

#[test]
fn local_concurrent_applies_exactly_one_proceeds() {
    concurrent_applies_exactly_one_proceeds(&Remote::local());
}

#[test]
fn local_killed_applies_converge_from_a_fresh_directory() {
    killed_applies_converge_from_a_fresh_directory(&Remote::local());
}

#[test]
fn local_history_workspaces_and_damaged_state() {
    leases_history_workspaces_and_damaged_state(&Remote::local());
}

#[test]
fn s3_killed_applies_converge_from_a_fresh_directory() {
    if let Some(remote) = Remote::s3() {
        killed_applies_converge_from_a_fresh_directory(&remote);
    }
}

#[test]
fn pg_killed_applies_converge_from_a_fresh_directory() {
    if let Some(remote) = Remote::pg() {
        killed_applies_converge_from_a_fresh_directory(&remote);
    }
}

#[test]
fn s3_leases_history_workspaces_and_damaged_state() {
    if let Some(remote) = Remote::s3() {
        leases_history_workspaces_and_damaged_state(&remote);
    }
}

#[test]
fn pg_leases_history_workspaces_and_damaged_state() {
    if let Some(remote) = Remote::pg() {
        leases_history_workspaces_and_damaged_state(&remote);
    }
}

/// The local state (and its history) moves to S3 with `init -migrate-state`, encrypted there;
/// the S3 objects never show a secret, and a wrong passphrase reads nothing and writes nothing.
#[test]
fn local_state_migrates_to_encrypted_s3_with_its_history() {
    let Some(remote) = Remote::s3() else { return };
    let Remote::S3(moto) = &remote else { return };
    let resources = r#"
resource "terraform_data" "secret" {
  input = "hunter2-secret"
}
"#;
    let encryption = r#"
variable "passphrase" {
  default = "correct horse battery staple"
}

terraform {
  encryption {
    key_provider "pbkdf2" "main" {
      passphrase = var.passphrase
      iterations = 200000
    }
    method "aes_gcm" "main" {
      keys = key_provider.pbkdf2.main
    }
    state {
      method = method.aes_gcm.main
    }
  }
}
"#;
    let mut ws = Workspace::with_main(resources);
    for (name, value) in remote.env() {
        ws.set_env(&name, &value);
    }
    ws.run(&["init"]).expect_ok();
    ws.run(&["apply", "-auto-approve"]).expect_ok();
    ws.write(
        "main.tf",
        &format!("{resources}\nresource \"terraform_data\" \"two\" {{\n  input = 2\n}}\n"),
    );
    ws.run(&["apply", "-auto-approve"]).expect_ok();

    ws.write(
        "main.tf",
        &format!(
            "{}\n{encryption}\n{resources}\nresource \"terraform_data\" \"two\" {{\n  input = 2\n}}\n",
            remote.terraform_block()
        ),
    );
    ws.run(&["init", "-migrate-state"])
        .expect_ok()
        .expect_stdout("Migrated workspace \"default\" (2 version(s))");
    ws.run(&["plan", "-detailed-exitcode"]).expect_code(0);
    let history = ws.run(&["state", "history", "-json"]);
    assert_eq!(
        history.stdout_json().as_array().map(Vec::len),
        Some(2),
        "{history}"
    );
    for key in moto.keys(BUCKET, "core/") {
        let bytes = moto.get(BUCKET, &key).expect("object");
        assert!(
            !String::from_utf8_lossy(&bytes).contains("hunter2"),
            "{key} shows a secret"
        );
    }
    let before = remote.stored_state();
    let wrong = ws.run_with_env(
        &["plan"],
        &[("TF_VAR_passphrase", "zebra-quartz-unrelated-phrase")],
    );
    wrong.expect_code(1).expect_stderr("could not decrypt");
    wrong.expect_nowhere("zebra-quartz");
    assert_eq!(remote.stored_state(), before);
    assert!(
        Path::new(&ws.file("plinth.tfstate")).exists(),
        "the local state is left in place"
    );
}

/// A Terraform v4 state is pushed and adopted without re-importing.
#[test]
fn terraform_v4_state_is_pushed_and_adopted() {
    let ws = Workspace::with_main("resource \"terraform_data\" \"web\" {\n  input = \"x\"\n}\n");
    ws.write(
        "terraform.tfstate",
        r#"{"version": 4, "terraform_version": "1.11.4", "serial": 3,
            "lineage": "0b7e4c4e-0000-4000-8000-00000000aaaa", "outputs": {},
            "resources": [{"mode": "managed", "type": "terraform_data", "name": "web",
              "provider": "provider[\"terraform.io/builtin/terraform\"]",
              "instances": [{"schema_version": 0, "attributes": {"id": "5d5a0e1f-1111-2222-3333-444455556666",
                "input": {"value": "x", "type": "string"}, "output": {"value": "x", "type": "string"},
                "triggers_replace": null}, "sensitive_attributes": []}]}]}"#,
    );
    ws.run(&["state", "push", "terraform.tfstate"]).expect_ok();
    ws.run(&["state", "list"])
        .expect_stdout("terraform_data.web");
    let pulled = ws.run(&["state", "pull"]);
    assert_eq!(
        pulled.stdout_json()["lineage"],
        "0b7e4c4e-0000-4000-8000-00000000aaaa"
    );
}
