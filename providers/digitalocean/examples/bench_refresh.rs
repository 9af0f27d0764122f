//! Measures the refresh of N Droplets against the DigitalOcean emulator: the provider's batched
//! `read_many` (list pages of 200) beside one GET per Droplet (what a provider without batched
//! reads does, here with 10 requests in flight as Terraform's default parallelism). Prints a
//! Markdown table row per latency: API calls and wall time of each, median of RUNS rounds.
//!
//! `cargo run --release -p plinth-provider-digitalocean --example bench_refresh -- N LATENCY_MS...`
//! (`scripts/bench-refresh.sh` runs it); defaults: 1000 Droplets, latencies 0 and 25 ms, 3 runs
//! (`RUNS`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use plinth_do_emulator::{Config, Emulator, Knobs};
use plinth_sdk::{
    ConfigureRequest, Context, CreateRequest, Intent, Provider, ReadManyRequest, ReadResult, Value,
};

const TOKEN: &str = "bench-token";
const PARALLELISM: usize = 10;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let mut latencies: Vec<u64> = args.filter_map(|a| a.parse().ok()).collect();
    if latencies.is_empty() {
        latencies = vec![0, 25];
    }
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);

    let emulator = Emulator::start(Config {
        tokens: vec![TOKEN.into()],
        ..Config::default()
    })
    .await
    .expect("the emulator starts");
    let config = Value::object([
        ("token", Value::from(TOKEN)),
        ("api_endpoint", Value::from(emulator.url())),
    ]);
    let mut provider = plinth_provider_digitalocean::provider();
    let configured = provider
        .configure(
            &Context::default(),
            ConfigureRequest {
                config: config.clone(),
            },
        )
        .await;
    assert!(
        !configured.diagnostics.has_errors(),
        "{}",
        configured.diagnostics
    );
    let client =
        Arc::new(plinth_provider_digitalocean::configure(&config, |_| None).expect("a client"));

    eprintln!("bench-refresh: creating {n} Droplets on the emulator");
    let mut droplets = Vec::with_capacity(n);
    for i in 0..n {
        let planned = Value::object([
            ("name", Value::from(format!("web-{i}"))),
            ("size", Value::from("s-1vcpu-1gb")),
            ("image", Value::from("ubuntu-22-04-x64")),
            ("region", Value::from("nyc3")),
        ]);
        let created = provider
            .create(
                &Context::default(),
                CreateRequest {
                    type_name: "digitalocean_droplet".into(),
                    planned,
                    intent: Intent::new(format!("digitalocean_droplet.web[{i}]"), "default"),
                    private: Vec::new(),
                },
            )
            .await;
        assert!(!created.diagnostics.has_errors(), "{}", created.diagnostics);
        droplets.push(created.new_state.expect("a Droplet"));
    }
    let ids: Vec<String> = droplets
        .iter()
        .map(|d| {
            d.get("id")
                .and_then(Value::as_str)
                .expect("an id")
                .to_string()
        })
        .collect();

    println!("| Droplets | API latency | batched: calls | batched: time | one GET each: calls | one GET each: time |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for latency in latencies {
        emulator
            .update_knobs(|k: &mut Knobs| k.latency_ms = latency)
            .expect("knobs");
        let mut batched = Vec::new();
        let mut single = Vec::new();
        let (mut batched_calls, mut single_calls) = (0, 0);
        for _ in 0..runs {
            emulator.reset_request_counts();
            let started = Instant::now();
            let read = provider
                .read_many(
                    &Context::default(),
                    ReadManyRequest {
                        type_name: "digitalocean_droplet".into(),
                        objects: droplets.clone(),
                        privates: Vec::new(),
                    },
                )
                .await;
            batched.push(started.elapsed());
            assert!(read
                .results
                .iter()
                .all(|r| matches!(r, ReadResult::Found(_))));
            batched_calls = emulator.request_counts().values().sum::<u64>();

            emulator.reset_request_counts();
            let started = Instant::now();
            one_get_each(&client, &ids).await;
            single.push(started.elapsed());
            single_calls = emulator.request_counts().values().sum::<u64>();
        }
        println!(
            "| {n} | {latency} ms | {batched_calls} | {} | {single_calls} | {} |",
            seconds(median(batched)),
            seconds(median(single))
        );
    }
}

/// Reads every Droplet with its own GET, `PARALLELISM` at a time.
async fn one_get_each(client: &Arc<plinth_provider_digitalocean::Client>, ids: &[String]) {
    let chunks: Vec<Vec<String>> = ids
        .chunks(ids.len().div_ceil(PARALLELISM).max(1))
        .map(<[String]>::to_vec)
        .collect();
    let mut workers = tokio::task::JoinSet::new();
    for chunk in chunks {
        let client = client.clone();
        workers.spawn(async move {
            for id in chunk {
                client
                    .get(&Context::default(), &format!("/v2/droplets/{id}"))
                    .await
                    .expect("the Droplet");
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.expect("a worker");
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}
