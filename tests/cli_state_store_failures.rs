//! A store that fails in the middle of writing the snapshot leaves the previous serial current
//! and the apply journal replayable: moto's S3 answering 500 to the snapshot's `PutObject`, and
//! a real PostgreSQL server whose connection is cut after the snapshot's `UPDATE` ran inside
//! its transaction (before the history row and the commit). The next run replays the journal,
//! and state matches the real objects without redoing any operation.
#![cfg(feature = "test-provider")]

mod support;

use std::collections::BTreeSet;

use support::fault_proxy::{port_of, through, Fault, FaultProxy};
use support::moto::Moto;
use support::postgres::Postgres;
use support::Workspace;

/// How many slow objects each apply updates.
const OBJECTS: usize = 4;

fn resources() -> String {
    format!(
        r#"
variable "generation" {{
  type    = number
  default = 1
}}

resource "slow_object" "item" {{
  count    = {OBJECTS}
  input    = "item-${{count.index}}-gen${{var.generation}}"
  delay_ms = 1
}}
"#
    )
}

/// The serial of a stored snapshot.
fn serial_of(bytes: &[u8]) -> u64 {
    let json: serde_json::Value = serde_json::from_slice(bytes).expect("a JSON snapshot");
    json["serial"].as_u64().expect("a serial")
}

/// What the store holds, read behind plinth's back (not through the proxy).
trait Store {
    fn snapshot(&self) -> Vec<u8>;
    fn journal_batches(&self) -> usize;
}

/// Applies generation 1, fails the snapshot write of generation 2 through `proxy`, then checks
/// the store and recovers.
fn failed_write_keeps_the_previous_serial(ws: &Workspace, proxy: &FaultProxy, store: &dyn Store) {
    ws.run(&["init"]).expect_ok();
    ws.apply();
    let first = store.snapshot();
    assert_eq!(serial_of(&first), 1);

    proxy.arm();
    let failed = ws.run(&["apply", "-auto-approve", "-var", "generation=2"]);
    failed
        .expect_code(1)
        .expect_stderr("Error")
        .expect_stdout("item[3]");
    assert!(proxy.hits() >= 1, "the fault was never injected\n{failed}");
    assert_eq!(
        store.snapshot(),
        first,
        "the previous serial was not left intact\n{failed}"
    );
    assert!(
        store.journal_batches() > 0,
        "the journal of the failed run is gone\n{failed}"
    );
    let on_disk: BTreeSet<String> = ws
        .slow_objects()
        .values()
        .filter_map(|o| o["value"]["input"].as_str().map(String::from))
        .collect();
    assert!(
        on_disk.iter().all(|input| input.ends_with("-gen2")),
        "the apply did not reach the provider: {on_disk:?}"
    );

    proxy.disarm();
    ws.run(&[
        "plan",
        "-detailed-exitcode",
        "-lock-timeout=30s",
        "-var",
        "generation=2",
    ])
    .expect_code(0)
    .expect_stderr("recovered");
    assert_eq!(serial_of(&store.snapshot()), 2);
    assert_eq!(store.journal_batches(), 0, "the replayed journal was kept");
    let pulled = ws.run(&["state", "pull"]);
    pulled.expect_ok();
    let state: BTreeSet<String> = support::State {
        json: pulled.stdout_json(),
    }
    .instances()
    .iter()
    .filter_map(|i| i.string("id").map(String::from))
    .collect();
    let objects = ws.slow_objects();
    assert_eq!(state, objects.keys().cloned().collect::<BTreeSet<_>>());
    assert_eq!(objects.len(), OBJECTS, "an object was created twice");
}

struct S3Store<'a> {
    moto: &'a Moto,
}

const BUCKET: &str = "plinth-store-failures";

impl Store for S3Store<'_> {
    fn snapshot(&self) -> Vec<u8> {
        self.moto
            .get(BUCKET, "app.tfstate")
            .expect("the state object")
    }

    fn journal_batches(&self) -> usize {
        self.moto.keys(BUCKET, "app.tfstate.journal/").len()
    }
}

#[test]
fn s3_500_on_the_snapshot_write_keeps_the_previous_serial_and_the_journal() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket(BUCKET);
    let proxy = FaultProxy::start(
        port_of(&moto.endpoint),
        Fault::Http500 {
            request: format!("PUT /{BUCKET}/app.tfstate"),
        },
    );
    let mut ws = Workspace::with_main(&format!(
        r#"
terraform {{
  backend "s3" {{
    bucket         = "{BUCKET}"
    key            = "app.tfstate"
    region         = "us-east-1"
    endpoint       = "http://127.0.0.1:{}"
    use_path_style = true
    lock_lease     = "2s"
  }}
}}
{}"#,
        proxy.port,
        resources()
    ));
    for (name, value) in moto.env() {
        ws.set_env(&name, &value);
    }
    failed_write_keeps_the_previous_serial(&ws, &proxy, &S3Store { moto: &moto });
}

struct PgStore<'a> {
    pg: &'a Postgres,
}

impl Store for PgStore<'_> {
    fn snapshot(&self) -> Vec<u8> {
        let hex = self
            .pg
            .sql("SELECT encode(data, 'hex') FROM plinth.states WHERE name = 'default'");
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect()
    }

    fn journal_batches(&self) -> usize {
        self.pg
            .sql("SELECT count(*) FROM plinth.journal")
            .parse()
            .expect("a count")
    }
}

#[test]
fn pg_connection_dropped_mid_write_keeps_the_previous_serial_and_the_journal() {
    let Some(pg) = Postgres::start() else { return };
    let proxy = FaultProxy::start(
        port_of(&pg.conn_str),
        Fault::Drop {
            marker: b"INSERT INTO \"plinth\".history".to_vec(),
        },
    );
    let mut ws = Workspace::with_main(&format!(
        "terraform {{\n  backend \"pg\" {{\n    schema_name = \"plinth\"\n    lock_lease  = \"2s\"\n  }}\n}}\n{}",
        resources()
    ));
    ws.set_env("PG_CONN_STR", &through(&pg.conn_str, proxy.port));
    failed_write_keeps_the_previous_serial(&ws, &proxy, &PgStore { pg: &pg });
}
