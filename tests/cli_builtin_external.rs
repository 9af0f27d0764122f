//! The built-in `external` provider end to end: a program gets `query` as JSON on its input,
//! runs in `working_dir`, and its JSON answer is `result`; a change of query replaces what
//! depends on it; a failing program's error shows its standard error, and an answer that is
//! not an object of strings is refused. Also: the `hashicorp/tls|external|http|archive`
//! sources get the built-in providers, within their version constraints.

mod support;

use support::Workspace;

/// Reads the query, answers a greeting and where it ran.
const GREETER: &str = r#"#!/bin/sh
input=$(cat)
name=$(printf '%s' "$input" | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')
printf '{"greeting":"hello %s","dir":"%s"}' "$name" "$(pwd)"
"#;

const CONFIG: &str = r#"
variable "name" {
  type    = string
  default = "plinth"
}

data "external" "greeter" {
  program     = ["sh", "${abspath(path.module)}/greeter.sh"]
  working_dir = "${path.module}/work"
  query = {
    name = var.name
  }
}

resource "null_resource" "greeted" {
  triggers = data.external.greeter.result
}

output "greeting" {
  value = data.external.greeter.result.greeting
}
"#;

#[test]
fn programs_answer_queries_in_their_working_directory() {
    let ws = Workspace::with_main(CONFIG);
    ws.write("greeter.sh", GREETER);
    ws.write("work/.keep", "");
    ws.apply();
    let state = ws.state();
    assert_eq!(
        state.output("greeting"),
        Some(&serde_json::json!("hello plinth"))
    );
    let greeter = state.instance("data.external.greeter");
    let result = greeter.attr("result").expect("result");
    let dir = result["dir"].as_str().expect("dir");
    assert!(dir.ends_with("/work"), "ran in {dir}");
    assert_eq!(greeter.string("id"), Some("-"));

    ws.plan(&[]).expect_code(0);
    ws.plan(&["-var", "name=users"])
        .expect_code(2)
        .expect_stdout("# null_resource.greeted must be replaced")
        .expect_stdout("hello users");
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
}

#[test]
fn a_failing_program_shows_its_standard_error() {
    let ws = Workspace::with_main(
        r#"
data "external" "broken" {
  program = ["sh", "-c", "echo 'the database is unreachable' >&2; exit 3"]
}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("External Program Execution Failed")
        .expect_stderr("the database is unreachable")
        .expect_stderr("data.external.broken");
}

#[test]
fn an_answer_that_is_not_an_object_of_strings_is_refused() {
    let ws = Workspace::with_main(
        r#"
data "external" "numbers" {
  program = ["sh", "-c", "echo '{\"count\": 3}'"]
}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Unexpected External Program Results")
        .expect_stderr("\"count\" is a number");
    ws.write(
        "main.tf",
        r#"
data "external" "missing" {
  program = ["plinth-no-such-program"]
}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("External Program Lookup Failed")
        .expect_stderr("plinth-no-such-program");
}

#[test]
fn hashicorp_sources_of_tls_external_http_and_archive_are_built_in() {
    let ws = Workspace::with_main(
        r#"
terraform {
  required_providers {
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.0"
    }
    external = {
      source  = "hashicorp/external"
      version = ">= 2.2"
    }
    http = {
      source  = "registry.terraform.io/hashicorp/http"
      version = "~> 3.4"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
  }
}

data "archive_file" "notes" {
  type                    = "zip"
  source_content          = "notes"
  source_content_filename = "notes.txt"
  output_path             = "${path.module}/notes.zip"
}
"#,
    );
    ws.run(&["init"]).expect_ok();
    let listed = ws.run(&["providers"]);
    listed.expect_ok();
    for (name, version) in [
        ("tls", "4.0.6"),
        ("external", "2.3.4"),
        ("http", "3.4.5"),
        ("archive", "2.7.0"),
    ] {
        listed.expect_stdout(&format!(
            "- provider[registry.terraform.io/hashicorp/{name}]: built in, implementing hashicorp/{name} v{version}"
        ));
    }
    ws.apply();
    assert!(ws.exists("notes.zip"));

    ws.write(
        "main.tf",
        r#"
terraform {
  required_providers {
    http = {
      source  = "hashicorp/http"
      version = "~> 2.0"
    }
  }
}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Provider \"http\" does not match the version constraint")
        .expect_stderr("implements hashicorp/http v3.4.5");
}
