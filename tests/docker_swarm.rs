//! kreuzwerker/docker v3's swarm types on the real Docker Engine: a secret and a config mounted
//! into a service of a locally built busybox image. Each applies, plans as a no-op, changes the
//! way kreuzwerker documents (the service's replicas and labels in place, the secret and config
//! replaced), imports into a fresh state as the same object, and is gone after a destroy. The
//! secret's value never appears in plan or apply output. The provider contract kit then checks
//! each type's lifecycle and that an interrupted create is adopted by its intent label.
//!
//! Swarm state is engine-wide, so everything runs in one test: it initialises a single-node
//! swarm only when the engine is not in one, and leaves it again (also when an assertion fails).
//! Without Docker the test prints why it skips, unless `PLINTH_REQUIRE_DOCKER=1`.

mod support;

use std::process::Command;
use std::time::Duration;

use base64::Engine as _;
use plinth_sdk::testkit::{self, Case};
use plinth_sdk::{ConfigureRequest, Context, Provider, Value};
use support::docker_objects::{unique_prefix, Cleanup};
use support::{docker, docker_available, wait_until, Workspace};

/// A single-node swarm for the test: left when dropped if the test initialised it.
struct Swarm {
    initialised: bool,
}

impl Swarm {
    fn join() -> Swarm {
        let state = docker(&["info", "--format", "{{.Swarm.LocalNodeState}}"]);
        let initialised = state.trim() == "inactive";
        if initialised {
            docker(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
        }
        Swarm { initialised }
    }
}

impl Drop for Swarm {
    fn drop(&mut self) {
        if self.initialised {
            let _ = Command::new("docker")
                .args(["swarm", "leave", "--force"])
                .output();
        }
    }
}

/// What changes between the steps of the test.
struct Step<'a> {
    generation: u32,
    secret: &'a str,
    greeting: &'a str,
    replicas: u32,
    tier: &'a str,
}

fn config(p: &str, s: &Step) -> String {
    let Step {
        generation,
        secret,
        greeting,
        replicas,
        tier,
    } = s;
    format!(
        r#"
resource "docker_secret" "s" {{
  name = "{p}-secret-{generation}"
  data = base64encode("{secret}")
  labels {{
    label = "team"
    value = "swarm"
  }}
  lifecycle {{
    create_before_destroy = true
  }}
}}

resource "docker_config" "c" {{
  name = "{p}-config-{generation}"
  data = base64encode("greeting = {greeting}\n")
  lifecycle {{
    create_before_destroy = true
  }}
}}

resource "docker_service" "svc" {{
  name = "{p}-svc"
  labels {{
    label = "tier"
    value = "{tier}"
  }}
  task_spec {{
    container_spec {{
      image             = "{p}-img:1"
      command           = ["/bin/busybox", "sleep", "3600"]
      env               = {{ GREETING = "{greeting}" }}
      stop_grace_period = "1s"
      secrets {{
        secret_id   = docker_secret.s.id
        secret_name = docker_secret.s.name
        file_name   = "token"
      }}
      configs {{
        config_id   = docker_config.c.id
        config_name = docker_config.c.name
        file_name   = "/etc/app.conf"
      }}
    }}
    restart_policy {{
      condition = "any"
      delay     = "1s"
    }}
  }}
  mode {{
    replicated {{
      replicas = {replicas}
    }}
  }}
  update_config {{
    parallelism = 2
    delay       = "1s"
  }}
  converge_config {{
    delay   = "1s"
    timeout = "90s"
  }}
}}
"#
    )
}

/// Builds `{p}-img:1`: busybox in an image `FROM scratch`.
fn build_image(ws: &Workspace, p: &str) {
    let context = ws.file("context");
    std::fs::create_dir_all(&context).expect("create the context");
    std::fs::write(
        context.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\n",
    )
    .expect("write the Dockerfile");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new(root.join("tests/support/docker_images.sh"))
        .arg("prepare")
        .arg(&context)
        .status()
        .expect("run tests/support/docker_images.sh");
    assert!(status.success(), "preparing the build context failed");
    docker(&[
        "build",
        "-q",
        "-t",
        &format!("{p}-img:1"),
        &context.to_string_lossy(),
    ]);
}

/// The ids of the service's running containers.
fn running_containers(service: &str) -> Vec<String> {
    docker(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=com.docker.swarm.service.name={service}"),
    ])
    .split_whitespace()
    .map(String::from)
    .collect()
}

/// The service's tasks that should run and do, from `docker service ps`.
fn running_tasks(service: &str) -> usize {
    docker(&[
        "service",
        "ps",
        "--filter",
        "desired-state=running",
        "--format",
        "{{.CurrentState}}",
        service,
    ])
    .lines()
    .filter(|l| l.starts_with("Running"))
    .count()
}

fn names(kind: &str, p: &str) -> Vec<String> {
    docker(&[kind, "ls", "--format", "{{.Name}}"])
        .split_whitespace()
        .filter(|n| n.starts_with(p))
        .map(String::from)
        .collect()
}

#[test]
fn swarm_secret_config_and_service_lifecycle_with_import() {
    if !docker_available() {
        return;
    }
    let _swarm = Swarm::join();
    let p = unique_prefix("psw");
    let _cleanup = Cleanup(p.clone());
    let service = format!("{p}-svc");
    let secret = format!("token-{p}-one");
    let encoded = base64::engine::general_purpose::STANDARD.encode(&secret);
    let first = Step {
        generation: 1,
        secret: &secret,
        greeting: "hello",
        replicas: 1,
        tier: "front",
    };
    let ws = Workspace::with_main(&config(&p, &first));
    build_image(&ws, &p);

    // Apply: a secret, a config and a service using both, converged to one running task.
    let plan = ws.plan(&[]);
    plan.expect_code(2)
        .expect_nowhere(&secret)
        .expect_nowhere(&encoded);
    let applied = ws.apply();
    applied.expect_nowhere(&secret).expect_nowhere(&encoded);
    assert_eq!(running_tasks(&service), 1);
    let containers = running_containers(&service);
    assert_eq!(containers.len(), 1, "{containers:?}");
    let read = |path: &str| docker(&["exec", &containers[0], "/bin/busybox", "cat", path]);
    assert_eq!(read("/run/secrets/token"), secret);
    assert_eq!(read("/etc/app.conf"), "greeting = hello\n");
    assert_eq!(
        docker(&[
            "secret",
            "inspect",
            "-f",
            "{{.Spec.Labels.team}}",
            &format!("{p}-secret-1")
        ])
        .trim(),
        "swarm"
    );
    ws.plan(&[])
        .expect_code(0)
        .expect_nowhere(&secret)
        .expect_nowhere(&encoded);
    let state = ws.state();
    let service_id = state
        .instance("docker_service.svc")
        .string("id")
        .map(String::from)
        .expect("service id");
    assert_eq!(
        docker(&["service", "inspect", "-f", "{{.ID}}", &service]).trim(),
        service_id
    );

    // Replicas and labels change in place: the same service, now with two running tasks.
    let second = Step {
        replicas: 2,
        tier: "back",
        ..first
    };
    ws.write("main.tf", &config(&p, &second));
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("will be updated in-place")
        .expect_nowhere("forces replacement");
    ws.apply();
    assert_eq!(
        ws.state().instance("docker_service.svc").string("id"),
        Some(service_id.as_str())
    );
    assert_eq!(
        docker(&[
            "service",
            "inspect",
            "-f",
            "{{.Spec.Mode.Replicated.Replicas}} {{.Spec.Labels.tier}}",
            &service
        ])
        .trim(),
        "2 back"
    );
    assert!(
        wait_until(Duration::from_secs(30), || running_tasks(&service) == 2),
        "two tasks should run"
    );
    ws.plan(&[]).expect_code(0);

    // A new secret value and config (with new names, as kreuzwerker documents) replace them;
    // the service is updated in place to mount the new ones, and the old ones are removed.
    let new_secret = format!("token-{p}-two");
    let third = Step {
        generation: 2,
        secret: &new_secret,
        greeting: "bonjour",
        ..second
    };
    ws.write("main.tf", &config(&p, &third));
    let plan = ws.plan(&[]);
    plan.expect_code(2)
        .expect_stdout("docker_secret.s must be replaced")
        .expect_stdout("docker_config.c must be replaced")
        .expect_stdout("docker_service.svc will be updated in-place")
        .expect_nowhere(&new_secret)
        .expect_nowhere(&secret);
    ws.apply()
        .expect_nowhere(&new_secret)
        .expect_nowhere(&secret);
    assert_eq!(names("secret", &p), [format!("{p}-secret-2")]);
    assert_eq!(names("config", &p), [format!("{p}-config-2")]);
    assert_eq!(
        ws.state().instance("docker_service.svc").string("id"),
        Some(service_id.as_str())
    );
    assert!(
        wait_until(Duration::from_secs(60), || {
            let containers = running_containers(&service);
            containers.len() == 2
                && containers.iter().all(|c| {
                    docker(&["exec", c, "/bin/busybox", "cat", "/etc/app.conf"])
                        == "greeting = bonjour\n"
                })
        }),
        "the tasks should mount the new config"
    );
    ws.plan(&[]).expect_code(0);

    // Imported into a fresh state, each object reads back as the same state (a secret's data
    // cannot be read back; converge_config only steers plinth).
    let state = ws.state();
    let fresh = Workspace::with_main(&config(&p, &third));
    for address in ["docker_secret.s", "docker_config.c", "docker_service.svc"] {
        let id = state
            .instance(address)
            .string("id")
            .expect("id")
            .to_string();
        fresh.run(&["import", address, &id]).expect_ok();
    }
    let imported = fresh.state();
    let (original, copy) = (
        state.instance("docker_config.c"),
        imported.instance("docker_config.c"),
    );
    assert_eq!(copy.attributes, original.attributes);
    let (original, copy) = (
        state.instance("docker_secret.s"),
        imported.instance("docker_secret.s"),
    );
    assert_eq!(copy.attr("data"), Some(&serde_json::Value::Null));
    for attr in ["id", "name", "labels"] {
        assert_eq!(copy.attr(attr), original.attr(attr), "docker_secret.{attr}");
    }
    let (original, copy) = (
        state.instance("docker_service.svc"),
        imported.instance("docker_service.svc"),
    );
    for attr in [
        "id",
        "name",
        "labels",
        "task_spec",
        "mode",
        "update_config",
        "rollback_config",
        "endpoint_spec",
        "auth",
    ] {
        assert_eq!(
            copy.attr(attr),
            original.attr(attr),
            "docker_service.{attr}"
        );
    }

    // Destroy leaves nothing behind.
    ws.run(&["destroy", "-auto-approve"])
        .expect_ok()
        .expect_nowhere(&new_secret);
    assert!(names("service", &p).is_empty());
    assert!(names("secret", &p).is_empty());
    assert!(names("config", &p).is_empty());
    assert!(running_containers(&service).is_empty());
    assert!(docker(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.swarm.service.name={service}")
    ])
    .trim()
    .is_empty());

    contract_kit(&p);
}

/// The contract kit's cases: each type's lifecycle (a service scaled in place), adoption of an
/// interrupted create by its intent label, and nothing adopted for an unused intent.
fn contract_kit(p: &str) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let mut provider = plinth_provider_docker::provider();
        let config = Value::object([("host", Value::Null)]);
        let configured = provider
            .configure(&Context::default(), ConfigureRequest { config })
            .await;
        assert!(
            !configured.diagnostics.has_errors(),
            "{}",
            configured.diagnostics
        );
        let data = Value::from(base64::engine::general_purpose::STANDARD.encode("kit"));
        let mode = |replicas: i64| {
            Value::object([
                ("global", Value::Bool(false)),
                (
                    "replicated",
                    Value::object([("replicas", Value::from(replicas))]),
                ),
            ])
        };
        let container = Value::object([
            ("image", Value::from(format!("{p}-img:1"))),
            (
                "command",
                Value::List(vec![
                    Value::from("/bin/busybox"),
                    Value::from("sleep"),
                    Value::from("600"),
                ]),
            ),
            ("stop_grace_period", Value::from("1s")),
        ]);
        let cases = [
            Case {
                type_name: "docker_secret".into(),
                create: Value::object([
                    ("name", Value::from(format!("{p}-kit-secret"))),
                    ("data", data.clone()),
                    ("labels", Value::set(vec![])),
                    ("id", Value::Unknown),
                ]),
                update: vec![],
                check: "name".into(),
            },
            Case {
                type_name: "docker_config".into(),
                create: Value::object([
                    ("name", Value::from(format!("{p}-kit-config"))),
                    ("data", data),
                    ("id", Value::Unknown),
                ]),
                update: vec![],
                check: "data".into(),
            },
            Case {
                type_name: "docker_service".into(),
                create: Value::object([
                    ("name", Value::from(format!("{p}-kit-svc"))),
                    ("task_spec", Value::object([("container_spec", container)])),
                    ("mode", mode(1)),
                    ("id", Value::Unknown),
                ]),
                update: vec![("mode".into(), mode(2))],
                check: "mode".into(),
            },
        ];
        let contract: &dyn Provider = &provider;
        for case in &cases {
            testkit::lifecycle(contract, case)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", case.type_name));
            testkit::adopts_an_interrupted_create(contract, case)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", case.type_name));
            testkit::adopts_nothing_for_an_unused_intent(contract, case)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", case.type_name));
        }
    });
    assert!(names("service", p).is_empty());
    assert!(names("secret", p).is_empty());
    assert!(names("config", p).is_empty());
}
