//! External providers end to end through the `plinth` binary: a provider written with PyPI's
//! `tf` framework (someone else's implementation of Terraform's plugin protocol), laid out in a
//! filesystem mirror (unpacked, or packed as a release `.zip`) named by a CLI configuration
//! file, as a user's setup would be. Covers
//! create, update, replace, destroy, import, data sources, provider functions, the lock file,
//! `plinth providers`, a provider that crashes and one that hangs.
//!
//! Needs the `tf` framework's venv (`PLINTH_TF_PYTHON`, installed by `scripts/test.sh`); the
//! tests skip with a printed reason without it (and fail in CI).

mod support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::path::{Path, PathBuf};

use support::Workspace;

const SOURCE: &str = "example.com/plinth/demo";

/// Packs `file` into the zip `archive` (under its own name, with its mode), with Python's
/// `zipfile` as a release archive is packed.
fn zip(python: &Path, archive: &Path, file: &Path) {
    let status = std::process::Command::new(python)
        .args([
            "-c",
            "import sys, zipfile, os\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n    z.write(sys.argv[2], os.path.basename(sys.argv[2]))",
        ])
        .arg(archive)
        .arg(file)
        .status()
        .unwrap();
    assert!(status.success());
}

/// A workspace whose CLI configuration names a filesystem mirror holding the demo provider
/// (version 1.0.0), with the provider's object store beside it.
struct Demo {
    ws: Workspace,
    mirror: tempfile::TempDir,
    store: tempfile::TempDir,
}

impl Demo {
    fn new() -> Option<Demo> {
        Demo::laid_out("tf_demo.py", false)
    }

    /// The demo provider as a packed mirror holds it: only
    /// `HOST/NAMESPACE/TYPE/terraform-provider-demo_1.0.0_OS_ARCH.zip`.
    fn packed() -> Option<Demo> {
        Demo::laid_out("tf_demo.py", true)
    }

    /// The demo provider run by `script` (in `providers/plugin/tests/plugins`), in a mirror's
    /// packed or unpacked layout.
    fn laid_out(script: &str, packed: bool) -> Option<Demo> {
        let python = support::framework_python("tf")?;
        let mirror = tempfile::tempdir().unwrap();
        let store = tempfile::tempdir().unwrap();
        let dir = mirror
            .path()
            .join(SOURCE)
            .join("1.0.0")
            .join(support::terraform_platform());
        std::fs::create_dir_all(&dir).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("providers/plugin/tests/plugins")
            .join(script);
        let exe = dir.join("terraform-provider-demo_v1.0.0");
        std::fs::write(
            &exe,
            format!(
                "#!/bin/sh\nexec '{}' '{}' \"$@\"\n",
                python.display(),
                script.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        if packed {
            let archive = mirror.path().join(SOURCE).join(format!(
                "terraform-provider-demo_1.0.0_{}.zip",
                support::terraform_platform()
            ));
            zip(&python, &archive, &exe);
            std::fs::remove_dir_all(mirror.path().join(SOURCE).join("1.0.0")).unwrap();
        }
        let mut ws = Workspace::new();
        let cli = ws.file("cli.tfrc");
        ws.write(
            "cli.tfrc",
            &format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"example.com/*/*\"]\n  }}\n}}\n",
                mirror.path().display()
            ),
        );
        ws.set_env("TF_CLI_CONFIG_FILE", cli.to_str().unwrap());
        Some(Demo { ws, mirror, store })
    }

    /// Writes `main.tf`: the provider requirement and block, then `body`.
    fn config(&self, body: &str) {
        self.ws.write(
            "main.tf",
            &format!(
                "terraform {{\n  required_providers {{\n    demo = {{\n      source  = \"{SOURCE}\"\n      version = \"~> 1.0\"\n    }}\n  }}\n}}\n\nprovider \"demo\" {{\n  store = \"{}\"\n}}\n\n{body}",
                self.store.path().display()
            ),
        );
    }

    /// The object the provider stored under `id`.
    fn stored(&self, id: &str) -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(self.store.path().join(format!("{id}.json"))).ok()?;
        Some(serde_json::from_str(&text).unwrap())
    }

    /// How many objects the provider stores.
    fn count(&self) -> usize {
        std::fs::read_dir(self.store.path()).unwrap().count()
    }
}

#[test]
fn create_update_replace_and_destroy_through_a_python_provider() {
    let Some(demo) = Demo::new() else {
        return;
    };
    let ws = &demo.ws;
    demo.config(
        r#"
resource "demo_item" "a" {
  name    = "first"
  content = "hello"
  tags    = { team = "core" }
}

output "size" {
  value = demo_item.a.size
}
"#,
    );
    ws.run(&["init"]).expect_ok().expect_stdout(SOURCE);
    assert!(ws.read(".terraform.lock.hcl").contains("h1:"));
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("+ resource \"demo_item\" \"a\"");
    ws.apply();
    let item = ws.state().instance("demo_item.a");
    let id = item.string("id").expect("an id").to_string();
    assert_eq!(item.attr("size"), Some(&serde_json::json!(5)));
    assert_eq!(demo.stored(&id).unwrap()["content"], "hello");
    ws.run(&["output", "size"]).expect_ok().expect_stdout("5");
    ws.plan(&[]).expect_code(0);

    // An update in place keeps the id.
    demo.config(
        r#"
resource "demo_item" "a" {
  name    = "first"
  content = "hello again"
  tags    = { team = "core" }
}
"#,
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("~ resource \"demo_item\" \"a\"");
    ws.apply();
    assert_eq!(
        ws.state().instance("demo_item.a").string("id"),
        Some(id.as_str())
    );
    assert_eq!(demo.stored(&id).unwrap()["content"], "hello again");

    // The provider says a new name needs a new object.
    demo.config(
        r#"
resource "demo_item" "a" {
  name    = "second"
  content = "hello again"
}
"#,
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("-/+ resource \"demo_item\" \"a\"")
        .expect_stdout("# forces replacement");
    ws.apply();
    let new_id = ws
        .state()
        .instance("demo_item.a")
        .string("id")
        .unwrap()
        .to_string();
    assert_ne!(new_id, id);
    assert!(demo.stored(&id).is_none(), "the old object is deleted");
    assert_eq!(demo.stored(&new_id).unwrap()["name"], "second");

    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert_eq!(demo.count(), 0);
    assert!(ws.state_list().is_empty());
}

#[test]
fn data_sources_and_provider_functions_of_a_python_provider() {
    let Some(demo) = Demo::new() else {
        return;
    };
    let ws = &demo.ws;
    demo.config(
        r#"
resource "demo_item" "a" {
  name    = "findme"
  content = "found"
}
"#,
    );
    ws.apply();
    demo.config(
        r#"
resource "demo_item" "a" {
  name    = "findme"
  content = "found"
}

data "demo_lookup" "l" {
  name = "findme"
}

output "found" {
  value = "${data.demo_lookup.l.content} x${data.demo_lookup.l.count}"
}

output "shouted" {
  value = provider::demo::shout("hi", "!", "?")
}
"#,
    );
    ws.apply();
    ws.run(&["output", "-raw", "found"])
        .expect_ok()
        .expect_stdout("found x1");
    ws.run(&["output", "-raw", "shouted"])
        .expect_ok()
        .expect_stdout("HI!?");

    // The function's own error is reported with the call.
    demo.config(
        r#"
output "shouted" {
  value = provider::demo::shout("")
}
"#,
    );
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("provider::demo::shout")
        .expect_stderr("empty text");
}

#[test]
fn import_adopts_an_object_the_python_provider_already_has() {
    let Some(demo) = Demo::new() else {
        return;
    };
    let ws = &demo.ws;
    std::fs::write(
        demo.store.path().join("made0outside.json"),
        r#"{"id": "made0outside", "name": "outside", "content": "abc", "size": 3, "secret": null, "tags": null}"#,
    )
    .unwrap();
    demo.config(
        r#"
resource "demo_item" "b" {
  name    = "outside"
  content = "abc"
}
"#,
    );
    ws.run(&["import", "demo_item.b", "nosuch"])
        .expect_code(1)
        .expect_stderr("no demo_item nosuch");
    ws.run(&["import", "demo_item.b", "made0outside"])
        .expect_ok();
    let b = ws.state().instance("demo_item.b");
    assert_eq!(b.string("id"), Some("made0outside"));
    assert_eq!(b.string("content"), Some("abc"));
    ws.plan(&[]).expect_code(0);
}

#[test]
fn a_provider_that_crashes_mid_apply_is_reported_and_the_next_run_starts_afresh() {
    let Some(demo) = Demo::new() else {
        return;
    };
    let ws = &demo.ws;
    demo.config(
        r#"
resource "demo_item" "a" {
  name    = "fine"
  content = "fine"
}

resource "demo_item" "b" {
  name       = "doomed"
  content    = "crash"
  depends_on = [demo_item.a]
}
"#,
    );
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("demo_item.b")
        .expect_stderr("exited")
        .expect_stderr("demo: crashing on purpose");
    assert_eq!(ws.state_list(), ["demo_item.a"], "what succeeded is kept");

    demo.config(
        r#"
resource "demo_item" "a" {
  name    = "fine"
  content = "fine"
}

resource "demo_item" "b" {
  name       = "doomed"
  content    = "recovered"
  depends_on = [demo_item.a]
}
"#,
    );
    ws.apply();
    assert_eq!(ws.state_list(), ["demo_item.a", "demo_item.b"]);
}

#[test]
fn a_provider_that_answers_garbage_mid_apply_is_reported_and_the_next_run_recovers() {
    let Some(demo) = Demo::new() else {
        return;
    };
    let ws = &demo.ws;
    let config = |content: &str| {
        format!(
            "resource \"demo_item\" \"a\" {{\n  name    = \"fine\"\n  content = \"fine\"\n}}\n\nresource \"demo_item\" \"b\" {{\n  name       = \"confused\"\n  content    = \"{content}\"\n  depends_on = [demo_item.a]\n}}\n"
        )
    };
    demo.config(&config("garbage"));
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("demo_item.b")
        .expect_stderr("ApplyResourceChange")
        .expect_stderr("demo: answering garbage on purpose");
    assert_eq!(ws.state_list(), ["demo_item.a"], "what succeeded is kept");

    demo.config(&config("sane"));
    ws.apply();
    assert_eq!(ws.state_list(), ["demo_item.a", "demo_item.b"]);
    assert_eq!(demo.count(), 2, "nothing made twice");
}

#[test]
fn a_provider_that_hangs_past_its_timeout_is_stopped_and_reported() {
    let Some(demo) = Demo::new() else {
        return;
    };
    let ws = &demo.ws;
    demo.config(
        r#"
resource "demo_item" "a" {
  name    = "fine"
  content = "fine"
}

resource "demo_item" "stuck" {
  name       = "stuck"
  content    = "hang"
  depends_on = [demo_item.a]
}
"#,
    );
    let started = std::time::Instant::now();
    ws.run_with_env(
        &["apply", "-auto-approve"],
        &[("PLINTH_PLUGIN_TIMEOUT", "3")],
    )
    .expect_code(1)
    .expect_stderr("demo_item.stuck")
    .expect_stderr("did not answer")
    .expect_stderr("demo: hanging on purpose");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(ws.state_list(), ["demo_item.a"]);
}

#[test]
fn providers_lists_sources_versions_and_where_they_were_found() {
    let Some(demo) = Demo::new() else {
        return;
    };
    let ws = &demo.ws;
    demo.config(
        r#"
resource "demo_item" "a" {
  name = "x"
}

resource "terraform_data" "t" {
  input = 1
}
"#,
    );
    ws.run(&["providers"])
        .expect_ok()
        .expect_stdout("provider[example.com/plinth/demo] ~> 1.0: 1.0.0 from filesystem mirror")
        .expect_stdout("provider[terraform.io/builtin/terraform]: built in");
    let out = ws.run(&["providers", "schema", "-json"]);
    out.expect_ok();
    let json = out.stdout_json();
    assert_eq!(json["format_version"], "1.0");
    let demo_schema = &json["provider_schemas"]["example.com/plinth/demo"];
    let item = &demo_schema["resource_schemas"]["demo_item"];
    assert_eq!(item["version"], 1);
    assert_eq!(item["block"]["attributes"]["name"]["required"], true);
    assert_eq!(
        item["block"]["attributes"]["tags"]["type"],
        serde_json::json!(["map", "string"])
    );
    assert_eq!(demo_schema["functions"]["shout"]["return_type"], "string");
    let builtin = &json["provider_schemas"]["terraform.io/builtin/terraform"];
    assert!(
        builtin["resource_schemas"]["terraform_data"]["block"]["attributes"]["input"].is_object()
    );
}

#[test]
fn a_lock_file_hash_mismatch_refuses_the_changed_package() {
    let Some(demo) = Demo::new() else {
        return;
    };
    let ws = &demo.ws;
    demo.config("resource \"demo_item\" \"a\" {\n  name = \"x\"\n}\n");
    ws.run(&["init"]).expect_ok();
    let exe = demo
        .mirror
        .path()
        .join(SOURCE)
        .join("1.0.0")
        .join(support::terraform_platform())
        .join("terraform-provider-demo_v1.0.0");
    let mut text = std::fs::read_to_string(&exe).unwrap();
    text.push_str("# changed\n");
    std::fs::write(&exe, text).unwrap();
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("does not match the checksums");
}

#[test]
fn a_packed_mirror_archive_is_unpacked_and_checked_against_zh_and_h1_hashes() {
    let Some(demo) = Demo::packed() else {
        return;
    };
    let ws = &demo.ws;
    demo.config("resource \"demo_item\" \"a\" {\n  name    = \"packed\"\n  content = \"zip\"\n}\n");
    ws.run(&["init"]).expect_ok().expect_stdout(SOURCE);
    let lock = ws.read(".terraform.lock.hcl");
    assert!(lock.contains("\"h1:") && lock.contains("\"zh:"), "{lock}");
    ws.apply();
    assert_eq!(
        ws.state().instance("demo_item.a").string("content"),
        Some("zip")
    );
    ws.run(&["providers"])
        .expect_ok()
        .expect_stdout("1.0.0 from filesystem mirror");
    let unpacked = ws.file(&format!(
        ".terraform/plinth-unpacked/{SOURCE}/1.0.0/{}/terraform-provider-demo_v1.0.0",
        support::terraform_platform()
    ));
    assert!(unpacked.is_file(), "unpacked into the cache");

    // A different archive under the same name is refused by its zh: hash.
    let archive = demo.mirror.path().join(SOURCE).join(format!(
        "terraform-provider-demo_1.0.0_{}.zip",
        support::terraform_platform()
    ));
    let original = std::fs::read(&archive).unwrap();
    let changed = demo.mirror.path().join("terraform-provider-demo_v1.0.0");
    let mut text = std::fs::read_to_string(&unpacked).unwrap();
    text.push_str("# changed\n");
    std::fs::write(&changed, text).unwrap();
    std::fs::remove_file(&archive).unwrap();
    zip(
        &support::framework_python("tf").unwrap(),
        &archive,
        &changed,
    );
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("does not match the checksums")
        .expect_stderr("zh:");

    // The right archive, but its unpacked copy changed afterwards: refused by its h1: hash.
    std::fs::write(&archive, original).unwrap();
    ws.plan(&[]).expect_code(0);
    std::fs::write(&unpacked, "#!/bin/sh\nexit 1\n").unwrap();
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("does not match the checksums")
        .expect_stderr("h1:");
}

#[test]
fn planned_private_data_reaches_the_apply_of_the_same_change() {
    let Some(mut demo) = Demo::laid_out("tf_private.py", false) else {
        return;
    };
    let log = demo.store.path().with_extension("private.log");
    demo.ws.set_env("PLINTH_PRIVATE_LOG", log.to_str().unwrap());
    let ws = &demo.ws;
    demo.config("resource \"demo_item\" \"a\" {\n  name    = \"alpha\"\n  content = \"1\"\n}\n\nresource \"demo_item\" \"b\" {\n  name    = \"beta\"\n  content = \"1\"\n}\n");
    ws.apply();
    let mut applied: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    applied.sort();
    assert_eq!(applied, ["planned-for:alpha", "planned-for:beta"]);

    // Through a saved plan: the bytes travel in the plan file to the apply.
    demo.config("resource \"demo_item\" \"a\" {\n  name    = \"alpha\"\n  content = \"2\"\n}\n\nresource \"demo_item\" \"b\" {\n  name    = \"beta\"\n  content = \"1\"\n}\n");
    ws.run(&["plan", "-out=tfplan"]).expect_code(0);
    ws.run(&["apply", "tfplan"]).expect_ok();
    assert_eq!(
        std::fs::read_to_string(&log).unwrap().lines().last(),
        Some("planned-for:alpha")
    );
    assert_eq!(
        ws.state().instance("demo_item.a").string("content"),
        Some("2")
    );
    let _ = std::fs::remove_file(&log);
}

/// The private bytes a provider answers from an apply are kept with the object in state (as
/// Terraform's `private`, base64) and handed back to every later read, plan and delete of it.
#[test]
fn private_data_from_an_apply_was_lost_before_the_next_read_plan_and_delete() {
    let Some(mut demo) = Demo::laid_out("tf_private.py", false) else {
        return;
    };
    let log = demo.store.path().with_extension("applied.log");
    demo.ws.set_env("PLINTH_PRIVATE_LOG", log.to_str().unwrap());
    let ws = &demo.ws;
    demo.config("resource \"demo_item\" \"a\" {\n  name    = \"alpha\"\n  content = \"1\"\n}\n");
    ws.apply();
    let stored = ws.state().json["resources"][0]["instances"][0]["private"].clone();
    assert_eq!(
        stored.as_str().map(|b| STANDARD.decode(b).unwrap()),
        Some(b"applied-for:alpha".to_vec()),
        "state keeps the apply's private bytes: {stored}"
    );
    // A read (refresh) and a plan of the object get them back.
    ws.plan(&[]).expect_code(0);
    // An update in place: its plan and apply, and the private bytes it answers.
    demo.config("resource \"demo_item\" \"a\" {\n  name    = \"alpha\"\n  content = \"2\"\n}\n");
    ws.apply();
    ws.plan(&[]).expect_code(0);
    // The delete gets them too.
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert_eq!(demo.count(), 0);
    let _ = std::fs::remove_file(&log);
}

/// `terraform` from PATH, or None with a printed reason.
fn terraform() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|dir| dir.join("terraform"))
        .find(|p| p.is_file());
    if found.is_none() {
        eprintln!("skipping: terraform is not on PATH");
    }
    found
}

#[test]
fn terraform_and_plinth_make_the_same_objects_with_the_same_provider() {
    let Some(demo) = Demo::new() else {
        return;
    };
    let Some(terraform) = terraform() else {
        return;
    };
    let config = r#"
resource "demo_item" "a" {
  name    = "same"
  content = "twelve chars"
  tags    = { team = "core", tier = "web" }
}

data "demo_lookup" "l" {
  name       = "nobody"
}

output "shouted" {
  value = provider::demo::shout("same", "!")
}

output "lookup" {
  value = coalesce(data.demo_lookup.l.content, "none")
}
"#;
    demo.config(config);
    demo.ws.run(&["init"]).expect_ok();
    demo.ws.apply();

    // The same configuration, provider package and lock file, applied by Terraform into a
    // store of its own.
    let tf_dir = tempfile::tempdir().unwrap();
    let tf_store = tempfile::tempdir().unwrap();
    let main = demo.ws.read("main.tf").replace(
        &demo.store.path().display().to_string(),
        &tf_store.path().display().to_string(),
    );
    std::fs::write(tf_dir.path().join("main.tf"), main).unwrap();
    std::fs::copy(
        demo.ws.file(".terraform.lock.hcl"),
        tf_dir.path().join(".terraform.lock.hcl"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(&terraform)
            .args(args)
            .current_dir(tf_dir.path())
            .env("TF_CLI_CONFIG_FILE", demo.ws.file("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "terraform {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["init", "-input=false"]);
    run(&["apply", "-auto-approve", "-input=false"]);
    let tf_outputs: serde_json::Value = serde_json::from_str(&run(&["output", "-json"])).unwrap();

    // The objects each made in its store agree but for the provider-chosen id.
    let only = |dir: &Path| {
        let entries: Vec<_> = std::fs::read_dir(dir).unwrap().collect();
        assert_eq!(entries.len(), 1);
        let text = std::fs::read_to_string(entries[0].as_ref().unwrap().path()).unwrap();
        let mut object: serde_json::Value = serde_json::from_str(&text).unwrap();
        object.as_object_mut().unwrap().remove("id");
        object
    };
    assert_eq!(only(demo.store.path()), only(tf_store.path()));

    // So do the states' attributes and the outputs.
    let tf_state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tf_dir.path().join("terraform.tfstate")).unwrap(),
    )
    .unwrap();
    let tf_item = tf_state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "demo_item")
        .unwrap()["instances"][0]["attributes"]
        .clone();
    let item = demo.ws.state().instance("demo_item.a");
    for name in ["name", "content", "size", "tags", "secret"] {
        assert_eq!(
            item.attr(name).unwrap_or(&serde_json::Value::Null),
            &tf_item[name],
            "attribute {name}"
        );
    }
    demo.ws
        .run(&["output", "-raw", "shouted"])
        .expect_ok()
        .expect_stdout(tf_outputs["shouted"]["value"].as_str().unwrap());
    demo.ws
        .run(&["output", "-raw", "lookup"])
        .expect_ok()
        .expect_stdout(tf_outputs["lookup"]["value"].as_str().unwrap());
}
