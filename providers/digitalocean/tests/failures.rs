//! Bad input and a misbehaving API, against the emulator: a wrong token (401), an unknown size or
//! region (422), a 429 storm, 500s in the middle of a create or an update, a Droplet that never
//! becomes active, a cancelled wait and an endpoint nobody answers. Each ends in a clear error
//! carrying DigitalOcean's message and request id (never the token), is retried where
//! DigitalOcean says to retry, and leaves nothing made that the response does not report.

mod support;

use std::time::{Duration, Instant};

use plinth_do_emulator::{FailRule, Knobs, Throttle};
use plinth_sdk::{
    AttrPath, Context, CreateRequest, Diagnostics, Intent, Provider, ReadResult, UpdateRequest,
    Value,
};
use support::*;

fn droplet(name: &str, size: &str, region: &str) -> Value {
    obj([
        ("name", Value::from(name)),
        ("size", Value::from(size)),
        ("image", Value::from("ubuntu-22-04-x64")),
        ("region", Value::from(region)),
    ])
}

async fn create(
    provider: &dyn Provider,
    ctx: &Context,
    type_name: &str,
    planned: Value,
) -> plinth_sdk::ObjectResponse {
    provider
        .create(
            ctx,
            CreateRequest {
                type_name: type_name.into(),
                planned,
                intent: Intent::new(format!("{type_name}.failing"), "default"),
                private: Vec::new(),
            },
        )
        .await
}

fn error_text(diagnostics: &Diagnostics) -> String {
    assert!(diagnostics.has_errors(), "expected an error");
    diagnostics.to_string()
}

#[tokio::test]
async fn a_wrong_token_is_refused_with_digitaloceans_message_and_never_printed() {
    let emulator = emulator(10).await;
    let provider = configured_with(&emulator, "not-the-right-token").await;
    let response = create(
        &provider,
        &within(30),
        "digitalocean_droplet",
        droplet("web", "s-1vcpu-1gb", "nyc3"),
    )
    .await;
    let text = error_text(&response.diagnostics);
    assert!(
        text.contains("creating the Droplet \"web\" failed: Unable to authenticate you"),
        "{text}"
    );
    assert!(text.contains("401 unauthorized"), "{text}");
    assert!(text.contains("request id"), "{text}");
    assert!(text.contains("DIGITALOCEAN_TOKEN"), "{text}");
    assert!(
        !text.contains("not-the-right-token"),
        "the token is never printed: {text}"
    );
    assert_eq!(response.new_state, None);
    assert_eq!(count(&emulator, "droplets"), 0);
    let results = read(
        &provider,
        "digitalocean_droplet",
        vec![obj([("id", Value::from("300000001"))])],
    )
    .await;
    match &results[0] {
        ReadResult::Failed(d) => assert!(d.to_string().contains("Unable to authenticate you")),
        other => panic!("a refused read is a failure, not {other:?}"),
    }
    check_exchanges(&emulator);
}

#[tokio::test]
async fn an_unknown_size_or_region_names_the_attribute() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    let response = create(
        &provider,
        &within(30),
        "digitalocean_droplet",
        droplet("web", "s-99vcpu", "nyc3"),
    )
    .await;
    let text = error_text(&response.diagnostics);
    assert!(
        text.contains("You specified an invalid size for Droplet creation."),
        "{text}"
    );
    assert!(text.contains("422 unprocessable_entity"), "{text}");
    assert_eq!(
        response.diagnostics.0[0].attribute,
        Some(AttrPath::attr("size"))
    );
    let response = create(
        &provider,
        &within(30),
        "digitalocean_droplet",
        droplet("web", "s-1vcpu-1gb", "mars1"),
    )
    .await;
    assert!(error_text(&response.diagnostics).contains("invalid region"));
    assert_eq!(
        response.diagnostics.0[0].attribute,
        Some(AttrPath::attr("region"))
    );
    assert_eq!(count(&emulator, "droplets"), 0);
    check_exchanges(&emulator);
}

#[tokio::test]
async fn a_429_storm_slows_work_down_but_never_fails_it() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    emulator
        .update_knobs(|k: &mut Knobs| {
            k.throttle = Some(Throttle {
                every: 3,
                duration_ms: 2000,
            })
        })
        .unwrap();
    let started = Instant::now();
    let key = make(
        &provider,
        "digitalocean_ssh_key",
        obj([("name", Value::from("k")), ("public_key", Value::from(KEY))]),
    )
    .await;
    let mut droplets = Vec::new();
    for i in 0..3 {
        droplets.push(
            make(
                &provider,
                "digitalocean_droplet",
                droplet(&format!("web-{i}"), "s-1vcpu-1gb", "nyc3"),
            )
            .await,
        );
    }
    make(
        &provider,
        "digitalocean_domain",
        obj([("name", Value::from("example.com"))]),
    )
    .await;
    make(
        &provider,
        "digitalocean_record",
        obj([
            ("domain", Value::from("example.com")),
            ("type", Value::from("A")),
            ("name", Value::from("www")),
            ("value", Value::from(text(&droplets[0], "ipv4_address"))),
        ]),
    )
    .await;
    let results = read(&provider, "digitalocean_droplet", droplets.clone()).await;
    assert!(results.iter().all(|r| matches!(r, ReadResult::Found(_))));
    assert_eq!(count(&emulator, "droplets"), 3, "no Droplet was made twice");
    assert_eq!(count(&emulator, "ssh_keys"), 1, "{key}");
    let refused = emulator
        .exchanges()
        .iter()
        .filter(|e| e.status == 429)
        .count();
    assert!(refused > 0, "the storm refused requests");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    check_exchanges(&emulator);
}

#[tokio::test]
async fn server_errors_on_a_create_are_retried_without_making_a_second_object() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    emulator
        .update_knobs(|k: &mut Knobs| {
            k.fail = vec![
                FailRule {
                    method: Some("POST".into()),
                    path: "/v2/droplets".into(),
                    status: 500,
                    times: Some(2),
                },
                FailRule {
                    method: Some("GET".into()),
                    path: r"/v2/droplets/\d+".into(),
                    status: 503,
                    times: Some(1),
                },
            ]
        })
        .unwrap();
    let response = create(
        &provider,
        &within(30),
        "digitalocean_droplet",
        droplet("web", "s-1vcpu-1gb", "nyc3"),
    )
    .await;
    // What broke: the hourly `ratelimit-reset` header on a 500 was taken as the wait before
    // a retry, so the first 500 ended the create.
    assert!(
        !response.diagnostics.has_errors(),
        "{}",
        response.diagnostics
    );
    let state = response.new_state.expect("the Droplet");
    assert_eq!(text(&state, "status"), "active");
    assert_eq!(count(&emulator, "droplets"), 1);
    let exchanges = emulator.exchanges();
    let creates: Vec<u16> = exchanges
        .iter()
        .filter(|e| e.method == "POST" && e.path == "/v2/droplets")
        .map(|e| e.status)
        .collect();
    assert_eq!(creates, vec![500, 500, 202]);
    let looked = exchanges
        .iter()
        .filter(|e| {
            e.method == "GET"
                && e.path == "/v2/droplets"
                && e.query.iter().any(|(k, _)| k == "tag_name")
        })
        .count();
    assert_eq!(
        looked, 2,
        "before each retry, the provider looked for what the failed attempt made"
    );
    check_exchanges(&emulator);
}

#[tokio::test]
async fn a_server_error_in_the_middle_of_a_resize_reports_the_droplet_as_it_now_is() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    let before = make(
        &provider,
        "digitalocean_droplet",
        droplet("web", "s-1vcpu-1gb", "nyc3"),
    )
    .await;
    // The power-off goes through; every later action request fails.
    emulator
        .update_knobs(|k: &mut Knobs| {
            k.fail = vec![FailRule {
                method: Some("POST".into()),
                path: r"/v2/droplets/\d+/actions".into(),
                status: 500,
                times: None,
            }]
        })
        .unwrap();
    let mut planned = before.as_map().unwrap().clone();
    planned.insert("size".into(), Value::from("s-2vcpu-2gb"));
    let response = provider
        .update(
            &within(30),
            UpdateRequest {
                type_name: "digitalocean_droplet".into(),
                prior: before.clone(),
                planned: Value::Map(planned),
                private: Vec::new(),
            },
        )
        .await;
    let text_of = error_text(&response.diagnostics);
    assert!(text_of.contains("powering off the Droplet"), "{text_of}");
    assert!(text_of.contains("500 server_error"), "{text_of}");
    let now = response.new_state.expect("the Droplet as it now is");
    assert_eq!(text(&now, "size"), "s-1vcpu-1gb");
    assert_eq!(text(&now, "id"), text(&before, "id"));
    check_exchanges(&emulator);
}

#[tokio::test]
async fn a_droplet_that_never_becomes_active_times_out_and_stays_in_the_response() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    emulator
        .update_knobs(|k: &mut Knobs| k.stall = vec!["create".into()])
        .unwrap();
    let started = Instant::now();
    let ctx = Context::default().with_timeout(Some(Duration::from_secs(2)));
    let response = create(
        &provider,
        &ctx,
        "digitalocean_droplet",
        droplet("stuck", "s-1vcpu-1gb", "nyc3"),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    let text_of = error_text(&response.diagnostics);
    assert!(text_of.contains("waiting for the Droplet"), "{text_of}");
    assert!(text_of.contains("timed out after"), "{text_of}");
    assert!(text_of.contains("last status: new"), "{text_of}");
    let partial = response
        .new_state
        .expect("the half-made Droplet is reported");
    assert_eq!(text(&partial, "status"), "new");
    let made = emulator.state()["droplets"][0]["id"].to_string();
    assert_eq!(
        text(&partial, "id"),
        made,
        "the Droplet in the response is the one that exists"
    );
    check_exchanges(&emulator);
}

#[tokio::test]
async fn a_database_that_never_comes_online_keeps_its_password_out_of_the_error() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    emulator
        .update_knobs(|k: &mut Knobs| k.stall = vec!["database_create".into()])
        .unwrap();
    let ctx = Context::default().with_timeout(Some(Duration::from_secs(1)));
    let config = obj([
        ("name", Value::from("app-db")),
        ("engine", Value::from("pg")),
        ("size", Value::from("db-s-1vcpu-1gb")),
        ("region", Value::from("nyc3")),
        ("node_count", num(1)),
    ]);
    let response = create(&provider, &ctx, "digitalocean_database_cluster", config).await;
    let text_of = error_text(&response.diagnostics);
    let partial = response.new_state.expect("the cluster is reported");
    let password = text(&partial, "password");
    assert!(!password.is_empty());
    assert!(!text_of.contains(password), "{text_of}");
    assert!(text_of.contains("last status: creating"), "{text_of}");
    check_exchanges(&emulator);
}

#[tokio::test]
async fn a_cancelled_wait_stops_at_once() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    emulator
        .update_knobs(|k: &mut Knobs| k.stall = vec!["create".into()])
        .unwrap();
    let ctx = Context::default();
    let cancel = ctx.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cancel.cancel();
    });
    let started = Instant::now();
    let response = create(
        &provider,
        &ctx,
        "digitalocean_droplet",
        droplet("stuck", "s-1vcpu-1gb", "nyc3"),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(error_text(&response.diagnostics).contains("cancelled"));
    assert!(
        response.new_state.is_some(),
        "the Droplet made before the cancel is reported"
    );
    check_exchanges(&emulator);
}

#[tokio::test]
async fn an_endpoint_nobody_answers_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut provider = plinth_provider_digitalocean::provider();
    let configured = provider
        .configure(
            &Context::default(),
            plinth_sdk::ConfigureRequest {
                config: obj([
                    ("token", Value::from(TOKEN)),
                    ("api_endpoint", Value::from(url)),
                    ("http_retry_max", num(2)),
                    ("http_retry_wait_min", Value::from(0.01)),
                ]),
            },
        )
        .await;
    assert!(!configured.diagnostics.has_errors());
    let results = read(
        &provider,
        "digitalocean_droplet",
        vec![obj([("id", Value::from("1"))])],
    )
    .await;
    match &results[0] {
        ReadResult::Failed(d) => assert!(
            d.to_string()
                .contains("could not reach DigitalOcean (GET /v2/droplets)"),
            "{d}"
        ),
        other => panic!("{other:?}"),
    }
}
