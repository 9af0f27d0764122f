//! A provider built with PyPI's `pyvider` framework (a second, independent implementation of
//! Terraform's plugin protocol, serving protocol 6) through the `plinth` binary: found in a
//! filesystem mirror named by a CLI configuration file, then created, read back as unchanged,
//! updated in place and destroyed. Its objects live in a JSON file (`PLINTH_PYVIDER_STORE`),
//! so they outlive each provider process as a real provider's remote objects do.
//!
//! Needs the `pyvider` venv with the test provider (`PLINTH_PYVIDER_PYTHON`, installed by
//! `scripts/test.sh`); the test skips with a printed reason without it (and fails in CI).

mod support;

use std::path::{Path, PathBuf};

use support::Workspace;

const SOURCE: &str = "example.com/plinth/pyvider";

/// A workspace whose CLI configuration names a mirror holding the pyvider test provider 1.0.0,
/// and the file its notes are kept in.
struct Pyvider {
    ws: Workspace,
    _mirror: tempfile::TempDir,
    store: PathBuf,
}

impl Pyvider {
    fn new() -> Option<Pyvider> {
        let python = support::framework_python("pyvider")?;
        let mirror = tempfile::tempdir().unwrap();
        let ws = Workspace::new();
        let store = ws.file("notes.json");
        let dir = mirror
            .path()
            .join(SOURCE)
            .join("1.0.0")
            .join(support::terraform_platform());
        std::fs::create_dir_all(&dir).unwrap();
        let launcher = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("providers/plugin/tests/plugins/pyvider_launch.py");
        let exe = dir.join("terraform-provider-pyvider_v1.0.0");
        std::fs::write(
            &exe,
            format!(
                "#!/bin/sh\nPLINTH_PYVIDER_STORE='{}' exec '{}' '{}' \"$@\"\n",
                store.display(),
                python.display(),
                launcher.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut ws = ws;
        let cli = ws.file("cli.tfrc");
        ws.write(
            "cli.tfrc",
            &format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"example.com/*/*\"]\n  }}\n}}\n",
                mirror.path().display()
            ),
        );
        ws.set_env("TF_CLI_CONFIG_FILE", cli.to_str().unwrap());
        Some(Pyvider {
            ws,
            _mirror: mirror,
            store,
        })
    }

    /// Writes `main.tf`: the provider requirement, then `body`.
    fn config(&self, body: &str) {
        self.ws.write(
            "main.tf",
            &format!(
                "terraform {{\n  required_providers {{\n    pyvider = {{\n      source  = \"{SOURCE}\"\n      version = \"~> 1.0\"\n    }}\n  }}\n}}\n\n{body}"
            ),
        );
    }

    /// The notes the provider keeps, by id.
    fn notes(&self) -> serde_json::Map<String, serde_json::Value> {
        match std::fs::read_to_string(&self.store) {
            Ok(text) => serde_json::from_str(&text).unwrap(),
            Err(_) => serde_json::Map::new(),
        }
    }
}

#[test]
fn create_update_and_destroy_through_a_pyvider_provider() {
    let Some(p) = Pyvider::new() else {
        return;
    };
    let ws = &p.ws;
    p.config("resource \"pyvider_note\" \"n\" {\n  name = \"first\"\n  text = \"hello\"\n}\n\noutput \"length\" {\n  value = pyvider_note.n.length\n}\n");
    ws.run(&["init"]).expect_ok().expect_stdout(SOURCE);
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("+ resource \"pyvider_note\" \"n\"");
    ws.apply();
    let note = ws.state().instance("pyvider_note.n");
    let id = note.string("id").expect("an id").to_string();
    assert_eq!(note.attr("length"), Some(&serde_json::json!(5)));
    assert_eq!(p.notes()[&id]["text"], "hello");
    ws.run(&["output", "length"]).expect_ok().expect_stdout("5");

    // A fresh provider process reads the note back unchanged.
    ws.plan(&[]).expect_code(0);

    // An update in place keeps the id.
    p.config(
        "resource \"pyvider_note\" \"n\" {\n  name = \"first\"\n  text = \"hello, world\"\n}\n",
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("~ resource \"pyvider_note\" \"n\"");
    ws.apply();
    let note = ws.state().instance("pyvider_note.n");
    assert_eq!(note.string("id"), Some(id.as_str()));
    assert_eq!(note.attr("length"), Some(&serde_json::json!(12)));
    assert_eq!(p.notes()[&id]["text"], "hello, world");
    ws.plan(&[]).expect_code(0);

    // A note deleted behind plinth's back is planned again.
    let mut notes = p.notes();
    notes.remove(&id);
    std::fs::write(&p.store, serde_json::Value::Object(notes).to_string()).unwrap();
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("+ resource \"pyvider_note\" \"n\"");
    ws.apply();
    assert_eq!(p.notes().len(), 1);

    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert!(p.notes().is_empty(), "{:?}", p.notes());
    assert!(ws.state_list().is_empty());
}
