//! What the AWS end-to-end tests share: a workspace holding one of the AWS examples, pointed at
//! a moto server of its own, and boto3 (through `boto.py` beside this file, run by the Python
//! that moto is installed in) to see and change what is really in moto behind plinth's back.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::moto::Moto;
use crate::support::Workspace;

/// Every object in moto that is not one of AWS's own defaults: type → id (as plinth's state
/// writes it) → what boto3 says about it.
pub type Inventory = BTreeMap<String, BTreeMap<String, serde_json::Value>>;

/// The types `boto.py` inventories (CloudWatch is left out: boto3, like the Rust SDK, speaks
/// CBOR to it, which moto does not serve).
pub fn inventoried(inventory: &Inventory) -> BTreeSet<&str> {
    inventory.keys().map(String::as_str).collect()
}

/// The Python moto runs under (it has boto3), else `python3` from PATH.
fn python() -> PathBuf {
    std::env::var_os("PLINTH_MOTO_SERVER")
        .map(PathBuf::from)
        .and_then(|server| server.parent().map(|dir| dir.join("python3")))
        .filter(|python| python.exists())
        .unwrap_or_else(|| PathBuf::from("python3"))
}

/// Runs `boto.py ENDPOINT ARGS`; panics with its output when it fails. Returns its output.
#[track_caller]
pub fn boto(moto: &Moto, args: &[&str]) -> String {
    boto_in(moto, "us-east-1", args)
}

/// [`boto`] against region `region`.
#[track_caller]
pub fn boto_in(moto: &Moto, region: &str, args: &[&str]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws_support/boto.py");
    let output = Command::new(python())
        .arg(script)
        .arg(&moto.endpoint)
        .args(args)
        .env("PLINTH_BOTO_REGION", region)
        .output()
        .expect("run boto.py");
    assert!(
        output.status.success(),
        "boto.py {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// What is in moto now (in us-east-1).
#[track_caller]
pub fn inventory(moto: &Moto) -> Inventory {
    inventory_in(moto, "us-east-1")
}

/// What is in moto's region `region` now (Route 53 is global: every region lists its zones).
#[track_caller]
pub fn inventory_in(moto: &Moto, region: &str) -> Inventory {
    serde_json::from_str(&boto_in(moto, region, &["inventory"])).expect("boto.py prints JSON")
}

/// Copies `examples/NAME` (modules included) into the workspace.
pub fn copy_example(name: &str, ws: &Workspace) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("make a directory");
        for entry in std::fs::read_dir(from).expect("the example's folder") {
            let path = entry.expect("an entry").path();
            let target = to.join(path.file_name().expect("a file name"));
            if path.is_dir() {
                copy(&path, &target);
            } else if !target.to_string_lossy().contains("plinth.tfstate") {
                std::fs::copy(&path, &target).expect("copy an example file");
            }
        }
    }
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
        ws.path(),
    );
}

/// A workspace holding `examples/NAME`, talking to `moto` through the SDK's standard variables,
/// with the examples' secret set and the seed's backup window moved off the maintenance window
/// (moto counts windows that only touch as overlapping; AWS does not).
pub fn example(name: &str, moto: &Moto) -> Workspace {
    let mut ws = Workspace::new();
    copy_example(name, &ws);
    for (variable, value) in moto.env() {
        ws.set_env(&variable, &value);
    }
    ws.set_env("TF_VAR_db_password", "correct-horse-battery");
    if name == "gacetachat-aws" {
        ws.set_env("TF_VAR_backup_window", "03:00-03:30");
    }
    ws
}

/// The managed objects in the workspace's state: type → ids.
#[track_caller]
pub fn state_ids(ws: &Workspace) -> BTreeMap<String, BTreeSet<String>> {
    let pulled = ws.run(&["state", "pull"]);
    pulled.expect_ok();
    if pulled.stdout.trim().is_empty() {
        return BTreeMap::new();
    }
    ids_in(&crate::support::State {
        json: pulled.stdout_json(),
    })
}

/// The managed objects in `state`: type → ids.
pub fn ids_in(state: &crate::support::State) -> BTreeMap<String, BTreeSet<String>> {
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for instance in state.instances() {
        if instance.address.split('.').any(|part| part == "data") {
            continue;
        }
        if let Some(id) = instance.string("id") {
            ids.entry(instance.type_name.clone())
                .or_default()
                .insert(id.to_string());
        }
    }
    ids
}

/// Panics unless every inventoried type has exactly the objects in moto that state records:
/// nothing duplicated, nothing unmanaged, nothing forgotten.
#[track_caller]
pub fn assert_moto_is_state(moto: &Moto, ws: &Workspace, when: &str) -> Inventory {
    let inventory = inventory(moto);
    assert_inventory_is(&inventory, &state_ids(ws), when);
    inventory
}

/// Panics unless every type of `inventory` has exactly the objects `state` records.
#[track_caller]
pub fn assert_inventory_is(
    inventory: &Inventory,
    state: &BTreeMap<String, BTreeSet<String>>,
    when: &str,
) {
    for (type_name, objects) in inventory {
        let in_moto: BTreeSet<String> = objects.keys().cloned().collect();
        let in_state = state.get(type_name).cloned().unwrap_or_default();
        assert_eq!(
            in_moto, in_state,
            "{when}: the {type_name} objects in moto are the ones in state"
        );
    }
}

/// The one object of `type_name` in `inventory`, panicking unless there is exactly one.
#[track_caller]
pub fn only<'a>(inventory: &'a Inventory, type_name: &str) -> (&'a str, &'a serde_json::Value) {
    let objects = &inventory[type_name];
    assert_eq!(objects.len(), 1, "one {type_name}: {objects:?}");
    let (id, object) = objects.iter().next().expect("one object");
    (id.as_str(), object)
}

/// Panics unless moto holds no object of any inventoried type.
#[track_caller]
pub fn assert_empty(moto: &Moto, when: &str) {
    let left: Vec<(String, Vec<String>)> = inventory(moto)
        .into_iter()
        .filter(|(_, objects)| !objects.is_empty())
        .map(|(type_name, objects)| (type_name, objects.into_keys().collect()))
        .collect();
    assert!(left.is_empty(), "{when}: moto still holds {left:?}");
}

/// The types of `inventory` that hold objects: type → ids.
pub fn inventory_ids(inventory: &Inventory) -> BTreeMap<String, BTreeSet<String>> {
    inventory
        .iter()
        .filter(|(_, objects)| !objects.is_empty())
        .map(|(type_name, objects)| (type_name.clone(), objects.keys().cloned().collect()))
        .collect()
}
