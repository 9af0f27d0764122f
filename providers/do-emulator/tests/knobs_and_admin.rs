//! The emulator's knobs (delays, stalls, 429 bursts, failure rules, random 500s, latency), its
//! admin API over HTTP, its rate-limit headers, and the binary.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use plinth_do_emulator::{Config, Emulator, Knobs};
use serde_json::{json, Value};
use support::client::Api;

async fn start(knobs: Knobs) -> (Emulator, Api) {
    let emulator = Emulator::start(Config {
        tokens: vec!["t".into()],
        knobs,
        ..Config::default()
    })
    .await
    .unwrap();
    let api = Api::new(&emulator.url(), "t");
    (emulator, api)
}

fn droplet(name: &str) -> Value {
    json!({"name": name, "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", "tags": ["t1"]})
}

#[tokio::test]
async fn a_429_burst_refuses_every_third_request_then_ends() {
    let (emulator, api) = start(Knobs::default()).await;
    emulator
        .update_knobs(|k| {
            k.throttle = Some(plinth_do_emulator::Throttle {
                every: 3,
                duration_ms: 400,
            })
        })
        .unwrap();
    let started = chrono::Utc::now().timestamp();
    let mut statuses = Vec::new();
    for _ in 0..9 {
        let reply = api.call("GET", "/v2/regions", None).await;
        if reply.status == 429 {
            assert_eq!(reply.headers["retry-after"], "1");
            assert_eq!(reply.headers["ratelimit-remaining"], "0");
            let reset: i64 = reply.headers["ratelimit-reset"].parse().unwrap();
            assert!(
                reset >= started && reset <= started + 2,
                "reset {reset} is the burst's end"
            );
            assert_eq!(reply.body["id"], "too_many_requests");
        }
        statuses.push(reply.status);
    }
    assert_eq!(statuses, [200, 200, 429, 200, 200, 429, 200, 200, 429]);
    tokio::time::sleep(Duration::from_millis(450)).await;
    for _ in 0..4 {
        assert_eq!(api.call("GET", "/v2/regions", None).await.status, 200);
    }
}

#[tokio::test]
async fn failure_rules_hit_only_their_method_and_path_and_fail_rate_fails_at_random() {
    let (emulator, api) = start(Knobs::default()).await;
    emulator
        .update_knobs(|k| {
            k.fail = vec![plinth_do_emulator::FailRule {
                method: Some("POST".into()),
                path: "/v2/droplets".into(),
                status: 503,
                times: None,
            }]
        })
        .unwrap();
    assert_eq!(api.call("GET", "/v2/droplets", None).await.status, 200);
    let refused = api.call("POST", "/v2/droplets", Some(droplet("a"))).await;
    assert_eq!(refused.status, 503);
    assert!(refused.body["request_id"].is_string());
    assert_eq!(
        emulator.state()["droplets"],
        json!([]),
        "nothing was created"
    );
    emulator
        .update_knobs(|k| {
            k.fail.clear();
            k.fail_rate = 1.0;
        })
        .unwrap();
    assert_eq!(api.call("GET", "/v2/account", None).await.status, 500);
    emulator.update_knobs(|k| k.fail_rate = 0.5).unwrap();
    let mut failed = 0;
    for _ in 0..40 {
        if api.call("GET", "/v2/account", None).await.status == 500 {
            failed += 1;
        }
    }
    assert!(
        (5..=35).contains(&failed),
        "{failed} of 40 failed at rate 0.5"
    );
    assert!(emulator.update_knobs(|k| k.fail_rate = 1.5).is_err());
}

#[tokio::test]
async fn latency_delays_every_api_response() {
    let (_emulator, api) = start(Knobs {
        latency_ms: 150,
        ..Knobs::default()
    })
    .await;
    let started = Instant::now();
    api.expect(200, "GET", "/v2/account", None).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn asynchronous_work_takes_the_action_delay_and_stalled_kinds_never_finish() {
    let (emulator, api) = start(Knobs {
        action_delay_ms: 150,
        ..Knobs::default()
    })
    .await;
    let created = api
        .expect(202, "POST", "/v2/droplets", Some(droplet("slow")))
        .await;
    let id = created["droplet"]["id"].clone();
    let now = api
        .expect(200, "GET", &format!("/v2/droplets/{id}"), None)
        .await;
    assert_eq!(now["droplet"]["status"], "new");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let later = api
        .expect(200, "GET", &format!("/v2/droplets/{id}"), None)
        .await;
    assert_eq!(later["droplet"]["status"], "active");

    emulator
        .update_knobs(|k| {
            k.action_delay_ms = 10;
            k.stall = vec!["create".into(), "database_create".into()];
        })
        .unwrap();
    let stuck = api
        .expect(202, "POST", "/v2/droplets", Some(droplet("stuck")))
        .await;
    let action = stuck["links"]["actions"][0]["id"].clone();
    let database = api
        .expect(201, "POST", "/v2/databases", Some(json!({
            "name": "stuck-db", "engine": "pg", "size": "db-s-1vcpu-1gb", "region": "nyc3", "num_nodes": 1,
        })))
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let action = api
        .expect(200, "GET", &format!("/v2/actions/{action}"), None)
        .await;
    assert_eq!(action["action"]["status"], "in-progress");
    let droplet = api
        .expect(
            200,
            "GET",
            &format!("/v2/droplets/{}", stuck["droplet"]["id"]),
            None,
        )
        .await;
    assert_eq!(droplet["droplet"]["status"], "new");
    let db = api
        .expect(
            200,
            "GET",
            &format!(
                "/v2/databases/{}",
                database["database"]["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(db["database"]["status"], "creating");
}

#[tokio::test]
async fn rate_limit_headers_and_request_ids_are_on_every_answer() {
    let (_emulator, api) = start(Knobs::default()).await;
    let first = api.call("GET", "/v2/account", None).await;
    let second = api.call("GET", "/v2/droplets/42", None).await;
    assert_eq!(first.headers["ratelimit-limit"], "5000");
    let remaining =
        |r: &support::client::Reply| r.headers["ratelimit-remaining"].parse::<u64>().unwrap();
    assert_eq!(remaining(&first), remaining(&second) + 1);
    assert!(
        second.headers["ratelimit-reset"].parse::<i64>().unwrap() > chrono::Utc::now().timestamp()
    );
    assert_ne!(
        first.headers["x-request-id"],
        second.headers["x-request-id"]
    );
    assert_eq!(second.status, 404);
    assert_eq!(second.body["id"], "not_found");
    assert_eq!(second.body["request_id"], second.headers["x-request-id"]);
    let bad_json = api.call("POST", "/v2/tags", None).await;
    assert_eq!(
        bad_json.status, 422,
        "a body without `name` is unprocessable"
    );
}

#[tokio::test]
async fn the_admin_api_reads_and_steers_the_emulator_over_http() {
    let (emulator, api) = start(Knobs::default()).await;
    let admin = api.with_token(None);
    let knobs = admin
        .expect(
            200,
            "PATCH",
            "/_emulator/knobs",
            Some(json!({"action_delay_ms": 5, "record": true})),
        )
        .await;
    assert_eq!(knobs["action_delay_ms"], 5);
    assert_eq!(emulator.knobs().action_delay_ms, 5);
    let refused = admin
        .call("PATCH", "/_emulator/knobs", Some(json!({"fail_rate": 2.0})))
        .await;
    assert_eq!(refused.status, 400);
    assert!(refused.body["error"]
        .as_str()
        .unwrap()
        .contains("fail_rate"));
    assert_eq!(
        admin
            .call(
                "PATCH",
                "/_emulator/knobs",
                Some(json!({"no_such_knob": 1}))
            )
            .await
            .status,
        400
    );

    let created = api
        .expect(202, "POST", "/v2/droplets", Some(droplet("one")))
        .await;
    let id = created["droplet"]["id"].as_u64().unwrap();
    for _ in 0..3 {
        api.expect(200, "GET", "/v2/droplets?tag_name=t1", None)
            .await;
    }
    let counts = admin.expect(200, "GET", "/_emulator/requests", None).await;
    assert_eq!(counts["counts"]["GET /v2/droplets"], 3);
    assert_eq!(counts["counts"]["POST /v2/droplets"], 1);
    assert_eq!(emulator.request_count("GET", "/v2/droplets"), 3);
    admin
        .expect(204, "DELETE", "/_emulator/requests", None)
        .await;
    assert_eq!(emulator.request_count("GET", "/v2/droplets"), 0);

    let state = admin.expect(200, "GET", "/_emulator/state", None).await;
    assert_eq!(state["droplets"][0]["id"], id);
    assert_eq!(state["vpcs"][0]["name"], "default-nyc3");
    let exchanges = admin.expect(200, "GET", "/_emulator/exchanges", None).await;
    assert_eq!(exchanges.as_array().unwrap().len(), 4);
    assert!(
        !exchanges.to_string().contains("Bearer"),
        "tokens are never recorded"
    );

    admin
        .expect(
            204,
            "POST",
            &format!("/_emulator/droplets/{id}/status"),
            Some(json!({"status": "off"})),
        )
        .await;
    let off = api
        .expect(200, "GET", &format!("/v2/droplets/{id}"), None)
        .await;
    assert_eq!(off["droplet"]["status"], "off");
    admin
        .expect(
            204,
            "DELETE",
            &format!("/_emulator/objects/droplets/{id}"),
            None,
        )
        .await;
    api.expect(404, "GET", &format!("/v2/droplets/{id}"), None)
        .await;
    admin
        .expect(
            404,
            "DELETE",
            &format!("/_emulator/objects/droplets/{id}"),
            None,
        )
        .await;
    admin.expect(204, "POST", "/_emulator/reset", None).await;
    let empty = admin.expect(200, "GET", "/_emulator/state", None).await;
    assert_eq!(empty["vpcs"], json!([]));
}

#[tokio::test]
async fn the_binary_serves_on_the_address_it_prints() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plinth-do-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--token",
            "secret",
            "--action-delay-ms",
            "0",
        ])
        .args(["--fail", "GET /v2/sizes 502"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("plinth-do-emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    let api = Api::new(&url, "secret");
    api.expect(200, "GET", "/v2/account", None).await;
    assert_eq!(
        api.with_token(Some("other"))
            .call("GET", "/v2/account", None)
            .await
            .status,
        401
    );
    assert_eq!(api.call("GET", "/v2/sizes", None).await.status, 502);
    child.kill().unwrap();
    child.wait().unwrap();
}
