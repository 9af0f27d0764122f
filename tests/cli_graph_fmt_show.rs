//! `graph` (DOT with an edge from each dependent to its dependency), `fmt` (canonical layout,
//! `-check` exit codes, `-recursive`) and `show -json` of the state.

mod support;

use support::Workspace;

/// Whether `side` (one end of a DOT edge) names `address` exactly (not as a prefix of a longer
/// name), whatever decorates it (`"terraform_data.a"`, `"[root] terraform_data.a (expand)"`).
fn names(side: &str, address: &str) -> bool {
    side.match_indices(address).any(|(at, _)| {
        let next = side[at + address.len()..].chars().next();
        !next.is_some_and(|c| c.is_alphanumeric() || "_-.[".contains(c))
    })
}

/// Whether some DOT edge line goes from a node naming `from` to a node naming `to`.
fn has_edge(dot: &str, from: &str, to: &str) -> bool {
    dot.lines().any(|line| {
        line.split_once("->")
            .is_some_and(|(left, right)| names(left, from) && names(right, to))
    })
}

#[test]
fn graph_prints_dot_with_reference_and_depends_on_edges() {
    let ws = Workspace::with_main(
        r#"
resource "terraform_data" "a" {
  input = "a"
}

resource "terraform_data" "b" {
  input = terraform_data.a.output
}

resource "terraform_data" "c" {
  input      = "c"
  depends_on = [terraform_data.b]
}
"#,
    );
    let dot = ws.run(&["graph"]).expect_ok().stdout.clone();
    assert!(dot.trim_start().starts_with("digraph"), "not DOT:\n{dot}");
    assert!(dot.trim_end().ends_with('}'), "not DOT:\n{dot}");
    assert!(
        has_edge(&dot, "terraform_data.b", "terraform_data.a"),
        "no b -> a edge:\n{dot}"
    );
    assert!(
        has_edge(&dot, "terraform_data.c", "terraform_data.b"),
        "no c -> b edge:\n{dot}"
    );
    assert!(
        !has_edge(&dot, "terraform_data.a", "terraform_data.b"),
        "edge points the wrong way:\n{dot}"
    );
}

const UNFORMATTED: &str =
    "resource \"terraform_data\" \"a\" {\ninput=\"x\"\n    triggers_replace   =   \"y\"\n}\n";
const FORMATTED: &str = "resource \"terraform_data\" \"a\" {\n  input            = \"x\"\n  triggers_replace = \"y\"\n}\n";

#[test]
fn fmt_check_fails_on_unformatted_files_without_changing_them() {
    let ws = Workspace::with_main(UNFORMATTED);
    let outcome = ws.run(&["fmt", "-check"]);
    assert_ne!(outcome.code, 0, "{outcome}");
    outcome.expect_stdout("main.tf");
    assert_eq!(ws.read("main.tf"), UNFORMATTED);
}

#[test]
fn fmt_rewrites_to_the_canonical_layout_and_check_then_passes() {
    let ws = Workspace::with_main(UNFORMATTED);
    ws.run(&["fmt"]).expect_ok().expect_stdout("main.tf");
    assert_eq!(ws.read("main.tf"), FORMATTED);
    let again = ws.run(&["fmt", "-check"]);
    again.expect_ok();
    assert!(
        again.stdout.trim().is_empty(),
        "nothing left to list\n{again}"
    );
}

#[test]
fn fmt_recursive_reaches_subdirectories() {
    let ws = Workspace::with_main(FORMATTED);
    ws.write("modules/inner/main.tf", UNFORMATTED);
    ws.run(&["fmt", "-check"]).expect_ok();
    let outcome = ws.run(&["fmt", "-check", "-recursive"]);
    assert_ne!(outcome.code, 0, "{outcome}");
    outcome.expect_stdout("main.tf");
    ws.run(&["fmt", "-recursive"]).expect_ok();
    assert_eq!(ws.read("modules/inner/main.tf"), FORMATTED);
}

#[test]
fn fmt_of_broken_hcl_is_an_error_and_changes_nothing() {
    let ws = Workspace::with_main("resource \"terraform_data\" \"a\" {\n  input = = 1\n}\n");
    ws.run(&["fmt"]).expect_code(1).expect_stderr("main.tf:2");
    assert_eq!(
        ws.read("main.tf"),
        "resource \"terraform_data\" \"a\" {\n  input = = 1\n}\n"
    );
}

#[test]
fn show_json_describes_the_state() {
    let ws = Workspace::with_main(
        "resource \"terraform_data\" \"a\" {\n  input = \"alpha\"\n}\n\noutput \"o\" {\n  value = terraform_data.a.output\n}\n",
    );
    let empty = ws.run(&["show", "-json"]).expect_ok().stdout_json();
    assert!(empty.is_object(), "{empty:#}");

    ws.apply();
    let json = ws.run(&["show", "-json"]).expect_ok().stdout_json();
    assert!(json.get("format_version").is_some(), "{json:#}");
    let resources = json["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let a = resources
        .iter()
        .find(|r| r["address"] == "terraform_data.a")
        .unwrap_or_else(|| panic!("terraform_data.a missing from {json:#}"));
    assert_eq!(a["type"], "terraform_data");
    assert_eq!(a["values"]["input"], "alpha");
    assert_eq!(a["values"]["output"], "alpha");
    assert_eq!(json["values"]["outputs"]["o"]["value"], "alpha");

    ws.run(&["show"])
        .expect_ok()
        .expect_stdout("terraform_data.a")
        .expect_stdout("alpha");
}
