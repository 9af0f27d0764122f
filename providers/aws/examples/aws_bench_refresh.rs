//! Measures the refresh of many objects against moto in server mode: the provider's batched
//! `read_many` (one Describe call per 200 ids, one record listing per zone) beside the same
//! provider with batching off (`PLINTH_AWS_READ_ONE_BY_ONE=1`: one call per object, what
//! Terraform's provider does at the least). Prints a Markdown table row per type: API calls
//! (counted by the SDK interceptor) and wall time of each, median of RUNS rounds, and the CPU
//! time moto's process spent in each and this one (the SDK: signing, XML parsing; plinth's
//! rendering) in the batched read, from `/proc` (Linux).
//!
//! `cargo run -p plinth-provider-aws --example aws_bench_refresh -- INSTANCES GROUPS RECORDS`
//! (`scripts/bench-refresh.sh aws` runs it); defaults: 500 instances, 500 security groups, 200
//! Route 53 records, 3 runs (`RUNS`). moto is `PLINTH_MOTO_SERVER` or `.venv/bin/moto_server`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use plinth_provider_aws::CallCounter;
use plinth_sdk::{Context, Provider, ReadManyRequest, ReadResult, Value};
use support::{configured, create_as, obj, Moto};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().ok());
    let instances = args.next().flatten().unwrap_or(500);
    let groups = args.next().flatten().unwrap_or(500);
    let records = args.next().flatten().unwrap_or(200);
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let moto = Moto::start().expect("moto_server (set PLINTH_MOTO_SERVER)");
    let (provider, calls) = configured(&moto).await;

    eprintln!("bench-refresh: making {instances} instances, {groups} groups, {records} records");
    let vpc = create_as(
        &provider,
        "aws_vpc",
        obj([("cidr_block", Value::from("10.0.0.0/16"))]),
        "aws_vpc.bench",
    )
    .await;
    let vpc_id = vpc.get("id").cloned().expect("a VPC id");
    let mut objects: Vec<(&str, Vec<Value>)> = Vec::new();
    let mut made = Vec::with_capacity(instances);
    for i in 0..instances {
        let config = obj([
            ("ami", Value::from("ami-12c6146b")),
            ("instance_type", Value::from("t3.micro")),
        ]);
        made.push(
            create_as(
                &provider,
                "aws_instance",
                config,
                &format!("aws_instance.web[{i}]"),
            )
            .await,
        );
    }
    objects.push(("aws_instance", made));
    let mut made = Vec::with_capacity(groups);
    for i in 0..groups {
        let config = obj([
            ("name", Value::from(format!("bench-{i}"))),
            ("vpc_id", vpc_id.clone()),
            ("ingress", Value::set(Vec::new())),
            ("egress", Value::set(Vec::new())),
        ]);
        let address = format!("aws_security_group.g[{i}]");
        made.push(create_as(&provider, "aws_security_group", config, &address).await);
    }
    objects.push(("aws_security_group", made));
    let zone = create_as(
        &provider,
        "aws_route53_zone",
        obj([("name", Value::from("bench.example.com"))]),
        "aws_route53_zone.bench",
    )
    .await;
    let zone_id = zone.get("id").cloned().expect("a zone id");
    let mut made = Vec::with_capacity(records);
    for i in 0..records {
        let config = obj([
            ("zone_id", zone_id.clone()),
            ("name", Value::from(format!("host-{i}"))),
            ("type", Value::from("A")),
            ("ttl", Value::int(60)),
            ("records", Value::set(vec![Value::from("192.0.2.1")])),
        ]);
        let address = format!("aws_route53_record.r[{i}]");
        made.push(create_as(&provider, "aws_route53_record", config, &address).await);
    }
    objects.push(("aws_route53_record", made));

    println!("| type | objects | batched: calls | batched: time | batched: moto CPU | batched: plinth CPU | one call each: calls | one call each: time | one call each: moto CPU | Terraform: calls (one read per object, at least) | speed-up |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (type_name, objects) in &objects {
        let batched = measure(&provider, &calls, &moto, type_name, objects, runs, false).await;
        let single = measure(&provider, &calls, &moto, type_name, objects, runs, true).await;
        println!(
            "| `{type_name}` | {} | {} | {:.2} s | {:.2} s | {:.2} s | {} | {:.2} s | {:.2} s | ≥ {} | {:.1}× |",
            objects.len(),
            batched.calls,
            batched.wall.as_secs_f64(),
            batched.moto_cpu,
            batched.plinth_cpu,
            single.calls,
            single.wall.as_secs_f64(),
            single.moto_cpu,
            objects.len(),
            single.wall.as_secs_f64() / batched.wall.as_secs_f64()
        );
    }
}

/// What reading a type's objects took: the calls of one round, and the medians of RUNS rounds.
struct Measured {
    calls: u64,
    wall: Duration,
    moto_cpu: f64,
    plinth_cpu: f64,
}

/// Measures reading `objects` RUNS times, batched or one by one.
async fn measure(
    provider: &dyn Provider,
    calls: &CallCounter,
    moto: &Moto,
    type_name: &str,
    objects: &[Value],
    runs: usize,
    one_by_one: bool,
) -> Measured {
    if one_by_one {
        std::env::set_var(plinth_provider_aws::ONE_BY_ONE, "1");
    } else {
        std::env::remove_var(plinth_provider_aws::ONE_BY_ONE);
    }
    let (mut walls, mut moto_cpus, mut plinth_cpus) = (Vec::new(), Vec::new(), Vec::new());
    let mut counted = 0;
    for _ in 0..runs {
        let before = calls.get();
        let (moto_before, plinth_before) =
            (cpu_seconds(moto.pid()), cpu_seconds(std::process::id()));
        let started = Instant::now();
        read_all(provider, type_name, objects.to_vec()).await;
        walls.push(started.elapsed());
        moto_cpus.push(Duration::from_secs_f64(
            cpu_seconds(moto.pid()) - moto_before,
        ));
        plinth_cpus.push(Duration::from_secs_f64(
            cpu_seconds(std::process::id()) - plinth_before,
        ));
        counted = calls.get() - before;
    }
    std::env::remove_var(plinth_provider_aws::ONE_BY_ONE);
    Measured {
        calls: counted,
        wall: median(walls),
        moto_cpu: median(moto_cpus).as_secs_f64(),
        plinth_cpu: median(plinth_cpus).as_secs_f64(),
    }
}

/// The user and system CPU time process `pid` has used, in seconds (fields 14 and 15 of
/// `/proc/PID/stat`, in clock ticks of 1/100 s).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name in parentheses may hold spaces: count fields after its closing one.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|field| field.parse::<u64>().ok())
        .sum();
    ticks as f64 / 100.0
}

/// Reads `objects`, insisting every one is found.
async fn read_all(provider: &dyn Provider, type_name: &str, objects: Vec<Value>) {
    let read = provider
        .read_many(
            &Context::default(),
            ReadManyRequest {
                type_name: type_name.into(),
                objects,
                privates: Vec::new(),
            },
        )
        .await;
    assert!(!read.diagnostics.has_errors(), "{}", read.diagnostics);
    assert!(read
        .results
        .iter()
        .all(|r| matches!(r, ReadResult::Found(_))));
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}
