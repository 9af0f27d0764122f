//! Journal cost per backend at scale: an apply of N `terraform_data` resources linked as a
//! binary tree of references (as `scripts/bench.sh`) on the local backend, moto's S3 and a real
//! PostgreSQL server, counting the journal appends that reach the store (one `PutObject` or one
//! `INSERT` transaction per group commit) through a counting proxy. Prints a table; the figures
//! are in docs/state.md. Ignored by default (a few minutes in a debug build):
//!
//! `cargo test --workspace --all-features --test cli_state_scale -- --ignored --nocapture`
//!
//! `PLINTH_SCALE_SIZES="1000 5000"` sets the sizes.
#![cfg(feature = "test-provider")]

mod support;

use std::time::{Duration, Instant};

use support::fault_proxy::{port_of, through, Fault, FaultProxy};
use support::moto::Moto;
use support::postgres::Postgres;
use support::Workspace;

const BUCKET: &str = "plinth-scale";

fn sizes() -> Vec<usize> {
    std::env::var("PLINTH_SCALE_SIZES")
        .unwrap_or_else(|_| "1000 5000".to_string())
        .split_whitespace()
        .map(|n| n.parse().expect("a resource count"))
        .collect()
}

/// N resources: r0 holds a constant, r<i> refers to its parent r<(i-1)/2>.
fn tree(n: usize) -> String {
    let mut config =
        String::from("resource \"terraform_data\" \"r0\" {\n  input = { name = \"r0\" }\n}\n");
    for i in 1..n {
        let parent = (i - 1) / 2;
        config.push_str(&format!(
            "resource \"terraform_data\" \"r{i}\" {{\n  input = {{ name = \"r{i}-${{terraform_data.r{parent}.input.name}}\" }}\n}}\n"
        ));
    }
    config
}

/// One measured apply: its wall time and how many journal appends the store saw.
struct Figure {
    backend: &'static str,
    resources: usize,
    seconds: Duration,
    appends: Option<usize>,
}

fn measure(ws: &Workspace, proxy: Option<&FaultProxy>) -> (Duration, Option<usize>) {
    ws.run(&["init"]).expect_ok();
    let before = proxy.map(FaultProxy::matched);
    let started = Instant::now();
    ws.apply();
    let seconds = started.elapsed();
    (
        seconds,
        proxy
            .zip(before)
            .map(|(proxy, before)| proxy.matched() - before),
    )
}

#[test]
#[ignore = "a scale measurement: run with --ignored --nocapture"]
fn journal_appends_per_backend_at_scale() {
    let moto = Moto::start().expect("moto");
    moto.create_bucket(BUCKET);
    let pg = Postgres::start().expect("PostgreSQL");
    let mut figures = Vec::new();
    for n in sizes() {
        let config = tree(n);

        let local = Workspace::with_main(&config);
        let (seconds, appends) = measure(&local, None);
        figures.push(Figure {
            backend: "local",
            resources: n,
            seconds,
            appends,
        });

        let s3_proxy = FaultProxy::start(
            port_of(&moto.endpoint),
            Fault::Http500 {
                request: format!("PUT /{BUCKET}/scale-{n}.tfstate.journal/"),
            },
        );
        let mut s3 = Workspace::with_main(&format!(
            "terraform {{\n  backend \"s3\" {{\n    bucket = \"{BUCKET}\"\n    key = \"scale-{n}.tfstate\"\n    region = \"us-east-1\"\n    endpoint = \"http://127.0.0.1:{}\"\n    use_path_style = true\n  }}\n}}\n{config}",
            s3_proxy.port
        ));
        for (name, value) in moto.env() {
            s3.set_env(&name, &value);
        }
        let (seconds, appends) = measure(&s3, Some(&s3_proxy));
        figures.push(Figure {
            backend: "s3 (moto)",
            resources: n,
            seconds,
            appends,
        });

        let pg_proxy = FaultProxy::start(
            port_of(&pg.conn_str),
            Fault::Drop {
                marker: format!("INSERT INTO \"scale{n}\".journal").into_bytes(),
            },
        );
        let mut pg_ws = Workspace::with_main(&format!(
            "terraform {{\n  backend \"pg\" {{\n    schema_name = \"scale{n}\"\n  }}\n}}\n{config}"
        ));
        pg_ws.set_env("PG_CONN_STR", &through(&pg.conn_str, pg_proxy.port));
        let (seconds, appends) = measure(&pg_ws, Some(&pg_proxy));
        figures.push(Figure {
            backend: "pg",
            resources: n,
            seconds,
            appends,
        });
    }
    println!("\n| backend | resources | apply s | journal appends | entries per append | ms per append |");
    println!("|---|---:|---:|---:|---:|---:|");
    for figure in &figures {
        let (appends, per_append, ms) = match figure.appends {
            Some(appends) if appends > 0 => (
                appends.to_string(),
                format!("{:.1}", figure.resources as f64 / appends as f64),
                format!(
                    "{:.1}",
                    figure.seconds.as_secs_f64() * 1000.0 / appends as f64
                ),
            ),
            _ => ("-".to_string(), "-".to_string(), "-".to_string()),
        };
        println!(
            "| {} | {} | {:.2} | {appends} | {per_append} | {ms} |",
            figure.backend,
            figure.resources,
            figure.seconds.as_secs_f64()
        );
        if let Some(appends) = figure.appends {
            assert!(
                appends > 0,
                "{}: no journal append reached the store",
                figure.backend
            );
            assert!(
                appends <= figure.resources,
                "{}: more appends than operations",
                figure.backend
            );
        }
    }
}
