//! The corpus of kreuzwerker/docker v3.9.0's documented examples (`tests/docker_corpus/*.tf`,
//! one small configuration per file) through the `plinth` binary: every file validates and plans
//! (`plan -refresh=false`); the runnable ones (`# corpus: apply`) are applied on the real Docker
//! Engine, checked with `docker inspect`, planned again as a no-op and destroyed to nothing.
//!
//! Nothing is pulled: the images a snippet names are tagged beforehand from one busybox image
//! built `FROM scratch`, so plinth's `docker_image` finds them locally. Every top-level `name`,
//! `image` and build `tag` string of a snippet is given a unique prefix per run, and whatever
//! carries the prefix is removed on drop, also when a check fails.
//!
//! Header comments steer a snippet (all optional, in any order):
//!
//! - `# corpus: apply`: applied, inspected, re-planned and destroyed.
//! - `# corpus: image NAME`: the image `NAME` exists locally (prefixed) before the run.
//! - `# corpus: network NAME`: the network `NAME` exists (prefixed) before the run.
//! - `# corpus: context DIR`: `DIR` holds a busybox build context (`Dockerfile`, `busybox`).
//! - `# corpus: file PATH TEXT`: the workspace holds `PATH` with `TEXT`.
//! - `# corpus: certs DIR`: `DIR` holds a self-signed `ca.pem`, `cert.pem` and `key.pem`. Every
//!   snippet runs with `HOME` set to its workspace, so `~/.docker` is the workspace's.
//! - `# corpus: check KIND NAME TEMPLATE = VALUE`: after apply, `docker KIND inspect -f TEMPLATE`
//!   of the prefixed `NAME` (KIND `container`, `network`, `volume` or `image`) prints `VALUE`.
//! - `# corpus: exec NAME COMMAND... = VALUE`: after apply, `docker exec` in the container prints
//!   `VALUE`.
//! - `# corpus: keeps image NAME`: the image `NAME` stays after destroy, as documented.
//! - `# corpus: validate-only REASON`: planned nowhere, for snippets that need a registry.
//!
//! Snippets of types plinth does not have yet are listed in [`NOT_YET_SUPPORTED`]; the test
//! insists that each of them still fails for that reason, so the list shrinks as types land.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::docker_objects::unique_prefix;
use support::{docker, docker_available, Outcome, Workspace};

/// The snippets using a resource type or data source plinth does not offer yet. Remove a file
/// from this list once its type lands (the test says which).
const NOT_YET_SUPPORTED: &[&str] = &["plugin_aliased.tf", "plugin_basic.tf"];

/// The phrases plinth's diagnostics use for a type its provider lacks.
const MISSING_TYPE: &[&str] = &[
    "does not support resource type",
    "does not support data source",
];

/// The Dockerfile of the images the snippets use: busybox on an empty image, serving `/www` on
/// port 80 and stopping at once on SIGTERM.
const DOCKERFILE: &str = r#"FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["sh", "-c", "mkdir -p /www && echo corpus > /www/index.html && httpd -p 80 -h /www; trap 'exit 0' TERM; while true; do sleep 1; done"]
"#;

/// One corpus file and what its header asks for.
struct Snippet {
    file: String,
    text: String,
    apply: bool,
    validate_only: bool,
    images: Vec<String>,
    networks: Vec<String>,
    contexts: Vec<String>,
    certs: Vec<String>,
    kept_images: Vec<String>,
    files: Vec<(String, String)>,
    checks: Vec<Check>,
}

/// One assertion made after apply.
enum Check {
    /// `docker KIND inspect -f TEMPLATE NAME` prints `expected`.
    Inspect {
        kind: String,
        name: String,
        template: String,
        expected: String,
    },
    /// `docker exec NAME COMMAND...` prints `expected`.
    Exec {
        name: String,
        command: Vec<String>,
        expected: String,
    },
}

impl Snippet {
    fn read(path: &Path) -> Snippet {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path).expect("read a corpus file");
        let mut snippet = Snippet {
            file,
            text: text.clone(),
            apply: false,
            validate_only: false,
            images: Vec::new(),
            networks: Vec::new(),
            contexts: Vec::new(),
            certs: Vec::new(),
            kept_images: Vec::new(),
            files: Vec::new(),
            checks: Vec::new(),
        };
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("# corpus: ") else {
                continue;
            };
            let (word, args) = rest.split_once(' ').unwrap_or((rest, ""));
            match word {
                "apply" => snippet.apply = true,
                "validate-only" => snippet.validate_only = true,
                "image" => snippet.images.push(args.to_string()),
                "network" => snippet.networks.push(args.to_string()),
                "context" => snippet.contexts.push(args.to_string()),
                "certs" => snippet.certs.push(args.to_string()),
                "keeps" => match args.strip_prefix("image ") {
                    Some(image) => snippet.kept_images.push(image.to_string()),
                    None => panic!("{}: `keeps image NAME` expected: {args}", snippet.file),
                },
                "file" => {
                    let (path, content) = args.split_once(' ').unwrap_or((args, ""));
                    snippet.files.push((path.to_string(), content.to_string()));
                }
                "check" => snippet.checks.push(parse_check(&snippet.file, args)),
                "exec" => {
                    let (command, expected) = split_expected(&snippet.file, args);
                    let mut words = command.split_whitespace().map(String::from);
                    let name = words.next().unwrap_or_default();
                    snippet.checks.push(Check::Exec {
                        name,
                        command: words.collect(),
                        expected,
                    });
                }
                other => panic!("{}: unknown corpus header {other:?}", snippet.file),
            }
        }
        snippet
    }
}

fn split_expected(file: &str, args: &str) -> (String, String) {
    match args.rsplit_once(" = ") {
        Some((left, right)) => (left.to_string(), right.to_string()),
        None => panic!("{file}: a check needs ` = VALUE`: {args}"),
    }
}

fn parse_check(file: &str, args: &str) -> Check {
    let (left, expected) = split_expected(file, args);
    let mut parts = left.splitn(3, ' ');
    let (Some(kind), Some(name), Some(template)) = (parts.next(), parts.next(), parts.next())
    else {
        panic!("{file}: `check KIND NAME TEMPLATE = VALUE` expected: {args}");
    };
    Check::Inspect {
        kind: kind.to_string(),
        name: name.to_string(),
        template: template.to_string(),
        expected,
    }
}

/// Every corpus file, by name.
fn corpus() -> Vec<Snippet> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/docker_corpus");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("list tests/docker_corpus")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(PathBuf::as_path)
        .map(Snippet::read)
        .collect()
}

/// `text` with the opening quote of every top-level `name` / `image` string and of a build's
/// `tag` list followed by `prefix-`, so the snippet's objects are this run's own.
fn prefixed(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let top_level = ["  name ", "  name=", "  image ", "  image="]
            .iter()
            .any(|start| line.starts_with(start));
        let tag = line.trim_start().starts_with("tag ") && line.contains("[\"");
        let rewritten = if top_level {
            line.split_once("= \"")
                .map(|(head, tail)| format!("{head}= \"{prefix}-{tail}"))
        } else if tag {
            Some(line.replace("[\"", &format!("[\"{prefix}-")))
        } else {
            None
        };
        out.push_str(rewritten.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

/// A unique lowercase prefix for this run's Docker objects.
fn run_prefix() -> String {
    unique_prefix("pc")
}

/// The names of Docker objects of one kind whose name starts with the prefix.
fn listed(prefix: &str, args: &[&str]) -> BTreeSet<String> {
    let output = Command::new("docker").args(args).output();
    let text = output
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|n| n.starts_with(prefix))
        .map(String::from)
        .collect()
}

/// Every container, network, volume and image (and swarm service, secret and config) carrying a
/// prefix, removed when dropped.
struct Leftovers {
    prefix: String,
}

/// What carries the prefix, kind by kind.
#[derive(Debug, PartialEq)]
struct Objects {
    containers: BTreeSet<String>,
    networks: BTreeSet<String>,
    volumes: BTreeSet<String>,
    images: BTreeSet<String>,
}

impl Leftovers {
    fn objects(&self) -> Objects {
        let p = self.prefix.as_str();
        Objects {
            containers: listed(p, &["ps", "-a", "--format", "{{.Names}}"]),
            networks: listed(p, &["network", "ls", "--format", "{{.Name}}"]),
            volumes: listed(p, &["volume", "ls", "--format", "{{.Name}}"]),
            images: listed(p, &["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"]),
        }
    }
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        let objects = self.objects();
        let remove = |args: &[&str], names: &BTreeSet<String>| {
            if !names.is_empty() {
                let _ = Command::new("docker").args(args).args(names).output();
            }
        };
        let p = self.prefix.as_str();
        let services = listed(p, &["service", "ls", "--format", "{{.Name}}"]);
        let secrets = listed(p, &["secret", "ls", "--format", "{{.Name}}"]);
        let configs = listed(p, &["config", "ls", "--format", "{{.Name}}"]);
        remove(&["service", "rm"], &services);
        remove(&["secret", "rm"], &secrets);
        remove(&["config", "rm"], &configs);
        remove(&["rm", "-f", "-v"], &objects.containers);
        remove(&["network", "rm"], &objects.networks);
        remove(&["volume", "rm", "-f"], &objects.volumes);
        remove(&["image", "rm", "-f"], &objects.images);
    }
}

/// Builds the busybox image every snippet image is tagged from; returns its name.
fn base_image(prefix: &str) -> String {
    let context = tempfile::tempdir().expect("create a build context");
    std::fs::write(context.path().join("Dockerfile"), DOCKERFILE).expect("write Dockerfile");
    prepare_busybox(context.path());
    let name = format!("{prefix}-corpus-base:1");
    let path = context.path().to_string_lossy().into_owned();
    docker(&["build", "-q", "-t", &name, &path]);
    name
}

/// Copies busybox into a build context (installing busybox-static when it is missing).
fn prepare_busybox(context: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/docker_images.sh");
    let status = Command::new(script)
        .arg("prepare")
        .arg(context)
        .status()
        .expect("run tests/support/docker_images.sh");
    assert!(status.success(), "preparing {} failed", context.display());
}

/// A self-signed certificate in `dir` as `cert.pem` (and `ca.pem`) with its key `key.pem`.
fn self_signed(dir: &Path) {
    std::fs::create_dir_all(dir).expect("create certificate directory");
    let output = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
        ])
        .args(["-out", "cert.pem", "-days", "2", "-subj", "/CN=corpus"])
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        output.status.success(),
        "openssl req: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::copy(dir.join("cert.pem"), dir.join("ca.pem")).expect("copy cert.pem to ca.pem");
}

/// `name` with the tag Docker assumes when it has none.
fn with_tag(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    if last.contains(':') || name.contains('@') {
        name.to_string()
    } else {
        format!("{name}:latest")
    }
}

/// A workspace holding the snippet (prefixed) as `main.tf` and everything its header asks for.
fn workspace(snippet: &Snippet, prefix: &str, base: &str) -> Workspace {
    let mut ws = Workspace::new();
    let home = ws.path().to_string_lossy().into_owned();
    ws.set_env("HOME", &home);
    ws.write("main.tf", &prefixed(&snippet.text, prefix));
    for dir in &snippet.certs {
        self_signed(&ws.file(dir));
    }
    for (path, content) in &snippet.files {
        ws.write(path, &format!("{content}\n"));
    }
    for dir in &snippet.contexts {
        ws.write(&format!("{dir}/Dockerfile"), DOCKERFILE);
        prepare_busybox(&ws.file(dir));
    }
    for image in &snippet.images {
        docker(&["tag", base, &with_tag(&format!("{prefix}-{image}"))]);
    }
    for network in &snippet.networks {
        docker(&["network", "create", &format!("{prefix}-{network}")]);
    }
    ws
}

/// Validates and plans a snippet: `None` when both succeed, else the failing outcome.
fn validate_and_plan(ws: &Workspace, snippet: &Snippet) -> Option<Outcome> {
    let validated = ws.run(&["validate"]);
    if validated.code != 0 {
        return Some(validated);
    }
    if snippet.validate_only {
        return None;
    }
    let planned = ws.run(&["plan", "-refresh=false", "-input=false"]);
    (planned.code != 0).then_some(planned)
}

/// Runs the checks of an applied snippet.
fn check(snippet: &Snippet, prefix: &str) {
    for check in &snippet.checks {
        match check {
            Check::Inspect {
                kind,
                name,
                template,
                expected,
            } => {
                let target = format!("{prefix}-{name}");
                let got = docker(&[kind, "inspect", "-f", template, &target]);
                assert_eq!(
                    got.trim(),
                    expected,
                    "{}: docker {kind} inspect -f '{template}' {target}",
                    snippet.file
                );
            }
            Check::Exec {
                name,
                command,
                expected,
            } => {
                let target = format!("{prefix}-{name}");
                let mut args = vec!["exec", target.as_str()];
                args.extend(command.iter().map(String::as_str));
                let got = docker(&args);
                assert_eq!(got.trim(), expected, "{}: docker exec", snippet.file);
            }
        }
    }
}

/// Panics unless every managed Docker object in the state exists with plinth's labels.
fn check_state_objects(ws: &Workspace, snippet: &Snippet) {
    let state = ws.state();
    for instance in state.instances() {
        if instance.address.starts_with("data.") || instance.address.contains(".data.") {
            continue;
        }
        let name = instance.string("name").unwrap_or_default().to_string();
        let inspected = match instance.type_name.as_str() {
            "docker_container" => {
                Some(("container", "{{index .Config.Labels \"plinth.address\"}}"))
            }
            "docker_network" => Some(("network", "{{index .Labels \"plinth.address\"}}")),
            "docker_volume" => Some(("volume", "{{index .Labels \"plinth.address\"}}")),
            "docker_image" => Some(("image", "{{.Id}}")),
            _ => None,
        };
        let Some((kind, template)) = inspected else {
            continue;
        };
        let got = docker(&[kind, "inspect", "-f", template, &name]);
        let expected = match kind {
            "image" => instance.string("image_id").unwrap_or_default().to_string(),
            _ => instance.address.clone(),
        };
        assert_eq!(
            got.trim(),
            expected,
            "{}: {} ({name})",
            snippet.file,
            instance.address
        );
    }
}

/// Applies, checks, re-plans and destroys one runnable snippet.
fn run_snippet(snippet: &Snippet, prefix: &str, leftovers: &Leftovers, base: &str) {
    let ws = workspace(snippet, prefix, base);
    let before = leftovers.objects();
    if let Some(failed) = validate_and_plan(&ws, snippet) {
        panic!("{}: validate or plan failed\n{failed}", snippet.file);
    }
    let applied = ws.run(&["apply", "-auto-approve", "-input=false"]);
    assert_eq!(applied.code, 0, "{}: apply failed\n{applied}", snippet.file);
    check_state_objects(&ws, snippet);
    check(snippet, prefix);
    let again = ws.plan(&["-input=false"]);
    assert_eq!(
        again.code, 0,
        "{}: the plan after apply is not a no-op\n{again}",
        snippet.file
    );
    let destroyed = ws.run(&["destroy", "-auto-approve", "-input=false"]);
    assert_eq!(
        destroyed.code, 0,
        "{}: destroy failed\n{destroyed}",
        snippet.file
    );
    assert_eq!(
        ws.state_list(),
        Vec::<String>::new(),
        "{}: state after destroy",
        snippet.file
    );
    let after = leftovers.objects();
    assert_eq!(
        after.containers, before.containers,
        "{}: containers",
        snippet.file
    );
    assert_eq!(
        after.networks, before.networks,
        "{}: networks",
        snippet.file
    );
    assert_eq!(after.volumes, before.volumes, "{}: volumes", snippet.file);
    let extra: BTreeSet<String> = after.images.difference(&before.images).cloned().collect();
    let kept: BTreeSet<String> = snippet
        .kept_images
        .iter()
        .map(|image| with_tag(&format!("{prefix}-{image}")))
        .collect();
    assert_eq!(extra, kept, "{}: images left after destroy", snippet.file);
}

#[test]
fn the_not_yet_supported_list_names_corpus_files_in_order() {
    let files: BTreeSet<String> = corpus().into_iter().map(|s| s.file).collect();
    assert!(
        files.len() >= 40,
        "the corpus has {} files, expected at least 40",
        files.len()
    );
    for file in NOT_YET_SUPPORTED {
        assert!(
            files.contains(*file),
            "NOT_YET_SUPPORTED names {file}, which is not in tests/docker_corpus"
        );
    }
    let mut sorted = NOT_YET_SUPPORTED.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted, NOT_YET_SUPPORTED,
        "keep NOT_YET_SUPPORTED sorted and without repeats"
    );
}

#[test]
fn every_snippet_validates_and_plans() {
    if !docker_available() {
        return;
    }
    let leftovers = Leftovers {
        prefix: run_prefix(),
    };
    let base = base_image(&leftovers.prefix);
    let mut failures = Vec::new();
    for (index, snippet) in corpus().iter().enumerate() {
        let prefix = format!("{}-v{index}", leftovers.prefix);
        let ws = workspace(snippet, &prefix, &base);
        let outcome = validate_and_plan(&ws, snippet);
        let listed = NOT_YET_SUPPORTED.contains(&snippet.file.as_str());
        match (outcome, listed) {
            (None, false) => {}
            (Some(failed), false) => {
                failures.push(format!("{}: validate or plan failed\n{failed}", snippet.file))
            }
            (None, true) => failures.push(format!(
                "{} now validates and plans: remove it from NOT_YET_SUPPORTED in tests/docker_corpus.rs",
                snippet.file
            )),
            (Some(failed), true) => {
                if !MISSING_TYPE.iter().any(|p| failed.stderr.contains(p)) {
                    failures.push(format!(
                        "{} is listed as NOT_YET_SUPPORTED but fails for another reason\n{failed}",
                        snippet.file
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn runnable_snippets_apply_inspect_replan_and_destroy() {
    if !docker_available() {
        return;
    }
    let leftovers = Leftovers {
        prefix: run_prefix(),
    };
    let base = base_image(&leftovers.prefix);
    let runnable: Vec<Snippet> = corpus()
        .into_iter()
        .filter(|s| s.apply && !NOT_YET_SUPPORTED.contains(&s.file.as_str()))
        .collect();
    assert!(
        runnable.len() >= 20,
        "only {} runnable snippets",
        runnable.len()
    );
    for (index, snippet) in runnable.iter().enumerate() {
        let prefix = format!("{}-a{index}", leftovers.prefix);
        run_snippet(snippet, &prefix, &leftovers, &base);
    }
    let left = leftovers.objects();
    assert!(
        left.containers.is_empty(),
        "containers left: {:?}",
        left.containers
    );
    assert!(left.volumes.is_empty(), "volumes left: {:?}", left.volumes);
}
