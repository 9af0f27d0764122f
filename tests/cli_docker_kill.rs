//! Crash safety on the real Docker Engine: `plinth apply` creating an image (built locally), a
//! network, a volume and two containers is killed with SIGKILL at random moments, 40 trials in
//! all (two tests of 20 that run side by side): one test kills 0–200 ms after the engine
//! journalled the intent of a create (so inside the provider's create call), the other anywhere
//! in the run. Each trial renames every object, so
//! every apply replaces all of them. After each kill one apply must succeed and leave exactly the
//! objects state knows: no duplicate, no name conflict, no object carrying plinth's labels that
//! state does not record. The random seed is printed; `PLINTH_TEST_SEED=<seed>` repeats a run.
//!
//! Two more tests kill `plinth apply` at a chosen step of the image build: the classic builder
//! adds the build labels one `LABEL` step per label (in label order), and a build whose client is
//! gone finishes the step it is in, so a kill in a label step leaves a partial image carrying some
//! of plinth's labels, and a kill in the last one leaves a build that finishes after the kill.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::{docker, docker_available, Random, Workspace, JOURNAL_FILE};

/// Kill trials in all.
const TRIALS: u64 = 40;

/// The label every object of one test run carries, so the docker CLI can list them.
const TEST_LABEL: &str = "plinth-test";

/// The configuration: every name carries the prefix and the generation, so a new generation
/// replaces all five objects.
fn config(prefix: &str) -> String {
    format!(
        r#"
variable "generation" {{
  type = number
}}

locals {{
  p = "{prefix}-g${{var.generation}}"
}}

resource "docker_image" "app" {{
  name = "${{local.p}}-app:1"
  build {{
    context = "${{path.module}}/context"
    labels  = {{ "{TEST_LABEL}" = "{prefix}" }}
  }}
}}

resource "docker_network" "net" {{
  name = "${{local.p}}-net"
  labels {{
    label = "{TEST_LABEL}"
    value = "{prefix}"
  }}
}}

resource "docker_volume" "data" {{
  name = "${{local.p}}-data"
  labels {{
    label = "{TEST_LABEL}"
    value = "{prefix}"
  }}
}}

resource "docker_container" "app" {{
  count   = 2
  name    = "${{local.p}}-app-${{count.index}}"
  image   = docker_image.app.image_id
  command = ["sleep", "600"]
  labels {{
    label = "{TEST_LABEL}"
    value = "{prefix}"
  }}
  networks_advanced {{
    name = docker_network.net.id
  }}
  volumes {{
    volume_name    = docker_volume.data.name
    container_path = "/data"
  }}
}}
"#
    )
}

/// The kinds of object the test creates, with how the docker CLI lists them and the attribute
/// of their state that holds the listed id.
const KINDS: [(&str, &[&str], &str); 4] = [
    (
        "docker_container",
        &["ps", "-a", "--no-trunc", "--format", "{{.ID}}"],
        "id",
    ),
    (
        "docker_network",
        &["network", "ls", "--no-trunc", "--format", "{{.ID}}"],
        "id",
    ),
    (
        "docker_volume",
        &["volume", "ls", "--format", "{{.Name}}"],
        "name",
    ),
    (
        "docker_image",
        &["images", "--no-trunc", "--format", "{{.ID}}"],
        "image_id",
    ),
];

/// How many objects of each kind one generation has.
fn expected_count(kind: &str) -> usize {
    if kind == "docker_container" {
        2
    } else {
        1
    }
}

/// The ids of the objects of `kind` carrying this run's label and plinth's managed label. Images
/// are the tagged and dangling ones (the builder's intermediate images are its cache, and each
/// build label is one more of them); they list once per tag, so ids are collected into a set;
/// containers, networks and volumes are kept as a list, so a duplicate shows.
fn labelled(kind: &str, prefix: &str) -> Vec<String> {
    let (_, listing, _) = KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .expect("a known kind");
    let (command, format) = listing.split_at(listing.len() - 2);
    let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
    args.extend([
        "--filter".into(),
        format!("label={TEST_LABEL}={prefix}"),
        "--filter".into(),
        "label=plinth.managed=true".into(),
    ]);
    args.extend(format.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut ids: Vec<String> = docker(&args)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    if kind == "docker_image" {
        ids.sort();
        ids.dedup();
    }
    ids.sort();
    ids
}

/// The ids of each kind recorded in state.
fn in_state(ws: &Workspace) -> BTreeMap<&'static str, Vec<String>> {
    let state = ws.state();
    KINDS
        .iter()
        .map(|(kind, _, attr)| {
            let mut ids: Vec<String> = state
                .instances()
                .iter()
                .filter(|i| i.type_name == *kind)
                .filter_map(|i| i.string(attr).map(String::from))
                .collect();
            ids.sort();
            (*kind, ids)
        })
        .collect()
}

/// The tokens of the create intents in the journal (an unfinished last line is skipped).
fn journalled_intents(ws: &Workspace) -> BTreeSet<String> {
    let Ok(text) = std::fs::read_to_string(ws.file(JOURNAL_FILE)) else {
        return BTreeSet::new();
    };
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|entry| entry["op"] == "intent")
        .filter_map(|entry| entry["create"]["token"].as_str().map(String::from))
        .collect()
}

/// Starts an apply of `generation` and kills it `delay` after the `nth` new create intent
/// reached the journal (or after `delay` from the start when `nth` is 0). Returns whether it was
/// killed before it finished.
fn apply_and_kill(ws: &Workspace, generation: u64, nth: usize, delay: Duration) -> bool {
    let before = journalled_intents(ws);
    let var = format!("generation={generation}");
    let mut running = ws.spawn(&["apply", "-auto-approve", "-var", &var]);
    let started = Instant::now();
    if nth > 0 {
        while journalled_intents(ws).difference(&before).count() < nth {
            if running.has_exited() || started.elapsed() > Duration::from_secs(60) {
                running.finish(Duration::from_secs(60)).expect_ok();
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let killed_at = Instant::now() + delay;
    while Instant::now() < killed_at {
        if running.has_exited() {
            running.finish(Duration::from_secs(60)).expect_ok();
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let killed = !running.has_exited();
    let outcome = running.kill();
    if !killed {
        outcome.expect_ok();
    }
    killed
}

/// Removes every object carrying the run's label when dropped, so a failing run leaves nothing.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let filter = format!("label={TEST_LABEL}={}", self.0);
        let ids = |args: &[&str]| -> Vec<String> {
            Command::new("docker")
                .args(args)
                .args(["--filter", &filter, "-q"])
                .output()
                .map(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .split_whitespace()
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        let remove = |args: &[&str], ids: Vec<String>| {
            if !ids.is_empty() {
                let _ = Command::new("docker").args(args).args(&ids).output();
            }
        };
        remove(&["rm", "-f", "-v"], ids(&["ps", "-a"]));
        remove(&["network", "rm"], ids(&["network", "ls"]));
        remove(&["volume", "rm", "-f"], ids(&["volume", "ls"]));
        remove(&["image", "rm", "-f"], ids(&["images", "-a"]));
    }
}

/// A workspace with the configuration and a busybox build context.
fn workspace(prefix: &str) -> Workspace {
    let ws = Workspace::with_main(&config(prefix));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let context = ws.file("context");
    std::fs::create_dir_all(&context).expect("create the context");
    std::fs::copy(
        root.join("examples/chatsphere-docker/context/Dockerfile"),
        context.join("Dockerfile"),
    )
    .expect("copy the Dockerfile");
    std::fs::create_dir_all(context.join("www")).expect("create www");
    std::fs::write(context.join("www/index.html"), "kill test\n").expect("write index.html");
    let status = Command::new(root.join("tests/support/docker_images.sh"))
        .arg("prepare")
        .arg(&context)
        .status()
        .expect("run tests/support/docker_images.sh");
    assert!(status.success(), "preparing the build context failed");
    ws
}

/// Runs `trials` kill trials: `inside_creates` kills 0-200 ms after the intent of a random one
/// of the run's five creates was journalled (inside the provider's create call); otherwise
/// anywhere in the first 1.5 s of the run (planning, deletes, creates).
fn killed_applies_converge(test: &str, trials: u64, inside_creates: bool) {
    if !docker_available() {
        return;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let prefix = format!("pk{}{test}{}", std::process::id(), nanos % 100_000);
    let _cleanup = Cleanup(prefix.clone());
    let ws = workspace(&prefix);
    let mut random = Random::from_env();
    let mut killed = 0;
    for trial in 0..trials {
        let generation = trial + 1;
        let (nth, delay) = if inside_creates {
            (
                1 + (random.next_u64() % 5) as usize,
                random.millis_between(0, 200),
            )
        } else {
            (0, random.millis_between(0, 1500))
        };
        let was_killed = apply_and_kill(&ws, generation, nth, delay);
        killed += usize::from(was_killed);
        eprintln!("trial {trial}: intent {nth} + {delay:?}: killed={was_killed}");
        let var = format!("generation={generation}");
        ws.run(&["apply", "-auto-approve", "-var", &var])
            .expect_ok()
            .expect_nowhere("already exists")
            .expect_nowhere("already in use");
        let state = in_state(&ws);
        for (kind, _, _) in KINDS {
            let real = labelled(kind, &prefix);
            assert_eq!(
                real.len(),
                expected_count(kind),
                "trial {trial}: {kind}: duplicates or leftovers {real:?}"
            );
            assert_eq!(
                real, state[kind],
                "trial {trial}: {kind}: the engine's objects are not the ones in state"
            );
        }
    }
    assert!(
        killed >= trials as usize / 2,
        "only {killed} of {trials} applies were killed before they finished"
    );
    let var = format!("generation={trials}");
    ws.plan(&["-var", &var]).expect_code(0);
    ws.run(&["destroy", "-auto-approve", "-var", &var])
        .expect_ok();
    for (kind, _, _) in KINDS {
        assert_eq!(labelled(kind, &prefix), Vec::<String>::new(), "{kind} left");
    }
}

#[test]
fn applies_killed_inside_creates_adopt_what_the_creates_made() {
    killed_applies_converge("c", TRIALS / 2, true);
}

#[test]
fn applies_killed_anywhere_leave_exactly_the_objects_state_knows() {
    killed_applies_converge("a", TRIALS / 2, false);
}

/// Starts an apply of `generation` and kills it (SIGKILL) as soon as the engine creates the
/// container of the image build's step that adds `label` (the builder commits a `LABEL` step
/// from a container carrying the labels so far). Returns whether the step was seen before the
/// apply finished.
fn apply_killed_in_label_step(ws: &Workspace, prefix: &str, generation: u64, label: &str) -> bool {
    let mut events = Command::new("docker")
        .args(["events", "--format", "{{.ID}}"])
        .args(["--filter", "type=container", "--filter", "event=create"])
        .args(["--filter", &format!("label={TEST_LABEL}={prefix}")])
        .args(["--filter", "label=plinth.address=docker_image.app"])
        .args(["--filter", &format!("label={label}")])
        .stdout(Stdio::piped())
        .spawn()
        .expect("run docker events");
    let stdout = events.stdout.take().expect("docker events' output");
    let (seen, step_started) = mpsc::channel();
    std::thread::spawn(move || {
        if let Some(Ok(line)) = BufReader::new(stdout).lines().next() {
            let _ = seen.send(line);
        }
    });
    // docker events only reports what happens after it subscribed.
    std::thread::sleep(Duration::from_millis(500));
    let var = format!("generation={generation}");
    let mut running = ws.spawn(&["apply", "-auto-approve", "-var", &var]);
    let started = Instant::now();
    let killed = loop {
        if step_started.recv_timeout(Duration::from_millis(2)).is_ok() {
            break !running.has_exited();
        }
        if running.has_exited() || started.elapsed() > Duration::from_secs(120) {
            break false;
        }
    };
    let outcome = running.kill();
    let _ = events.kill();
    let _ = events.wait();
    if !killed {
        outcome.expect_ok();
    }
    killed
}

/// Kills an apply in the build step adding `label`, runs one apply, and checks that the engine
/// holds exactly the objects state records, then that destroy leaves none.
fn one_apply_after_a_kill_in_label_step_converges(test: &str, label: &str) {
    if !docker_available() {
        return;
    }
    let prefix = format!("pk{}{test}", std::process::id());
    let _cleanup = Cleanup(prefix.clone());
    let ws = workspace(&prefix);
    assert!(
        apply_killed_in_label_step(&ws, &prefix, 1, label),
        "the apply finished before the build reached the step adding {label}"
    );
    ws.run(&["apply", "-auto-approve", "-var", "generation=1"])
        .expect_ok();
    let state = in_state(&ws);
    for (kind, _, _) in KINDS {
        let real = labelled(kind, &prefix);
        assert_eq!(
            real, state[kind],
            "{kind}: the engine's objects are not the ones in state"
        );
        assert_eq!(real.len(), expected_count(kind), "{kind}: {real:?}");
    }
    ws.plan(&["-var", "generation=1"]).expect_code(0);
    ws.run(&["destroy", "-auto-approve", "-var", "generation=1"])
        .expect_ok();
    for (kind, _, _) in KINDS {
        assert_eq!(labelled(kind, &prefix), Vec::<String>::new(), "{kind} left");
    }
}

/// A kill while the builder adds `plinth.managed` left that step's image (the build stops before
/// the next label) carrying plinth's labels and the intent token but not all the labels: the next
/// run's adoption did not take it (rightly) but left it behind, since it only removed partial
/// images that listed no tags, and the engine lists an untagged image as `<none>:<none>`.
#[test]
fn a_build_killed_between_its_label_steps_leaves_no_partial_image() {
    one_apply_after_a_kill_in_label_step_converges("p", "plinth.managed");
}

/// A kill in the build's last label step: the builder finishes that step and tags the image
/// after its client is gone, possibly after the next run looked for it. The next run must adopt
/// that image (or build its own and leave no second one).
#[test]
fn a_build_killed_in_its_last_step_finishes_late_and_is_adopted() {
    one_apply_after_a_kill_in_label_step_converges("l", "plinth.workspace");
}
