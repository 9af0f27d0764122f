//! Tests of loading valid configurations: every construct, child modules, spans and the
//! equivalence of `.tf.json` with `.tf`.

use std::path::Path;

use hcl::Expression;
use plinth_sdk::Type;

use super::load;
use super::model::{Config, IgnoreChanges, Mode, ProviderRef};

/// Writes `files` (relative path → text) into a fresh temporary directory.
pub fn write_files(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create directory");
        }
        std::fs::write(path, text).expect("write file");
    }
    dir
}

fn load_ok(dir: &Path) -> Config {
    match load(dir) {
        Ok(config) => config,
        Err(diags) => panic!("load failed:\n{diags}"),
    }
}

pub const MAIN_TF: &str = r#"terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    docker = "~> 3.0"
  }
  backend "local" {
    path = "state.json"
  }
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

variable "region" {
  type        = string
  default     = "eu-west-1"
  description = "Where to deploy"
}

variable "password" {
  type      = string
  sensitive = true
  nullable  = false
  validation {
    condition     = length(var.password) > 8
    error_message = "Too short."
  }
}

locals {
  name = "app-${var.region}"
  tags = { Name = local.name }
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = local.tags
}

resource "aws_subnet" "public" {
  count      = 2
  provider   = aws.west
  vpc_id     = aws_vpc.main.id
  depends_on = [aws_vpc.main]

  lifecycle {
    create_before_destroy = true
    prevent_destroy       = false
    ignore_changes        = [tags, tags["Name"]]
    replace_triggered_by  = [aws_vpc.main.id]
  }
}

resource "aws_security_group" "web" {
  for_each = toset(["a", "b"])
  name     = each.key

  ingress {
    from_port = 80
  }

  dynamic "egress" {
    for_each = var.rules
    iterator = rule
    labels   = [rule.key]
    content {
      from_port = rule.value
    }
  }
}

data "aws_ami" "ubuntu" {
  most_recent = true
  lifecycle {
    ignore_changes = all
  }
}

output "vpc_id" {
  value       = aws_vpc.main.id
  description = "The VPC"
  sensitive   = true
  depends_on  = [aws_subnet.public]
}
"#;

#[test]
fn every_construct_of_a_root_module_is_loaded() {
    let dir = write_files(&[("main.tf", MAIN_TF)]);
    let config = load_ok(dir.path());
    let root = &config.root;

    let tf = &root.terraform;
    assert_eq!(tf.required_version.as_deref(), Some(">= 1.5"));
    assert_eq!(
        tf.required_providers["aws"].source.as_deref(),
        Some("hashicorp/aws")
    );
    assert_eq!(
        tf.required_providers["aws"].version.as_deref(),
        Some("~> 5.0")
    );
    assert_eq!(
        tf.required_providers["docker"].version.as_deref(),
        Some("~> 3.0")
    );
    let backend = tf.backend.as_ref().expect("backend");
    assert_eq!(backend.kind, "local");
    assert_eq!(backend.body.attributes[0].name, "path");

    assert_eq!(root.providers.len(), 2);
    assert_eq!(root.providers[0].alias, None);
    assert_eq!(root.providers[0].body.attributes[0].name, "region");
    assert_eq!(root.providers[1].alias.as_deref(), Some("west"));
    assert!(root.providers[1]
        .body
        .attributes
        .iter()
        .all(|a| a.name != "alias"));

    let region = &root.variables[0];
    assert_eq!(
        (region.name.as_str(), region.ty.clone()),
        ("region", Some(Type::String))
    );
    assert_eq!(region.description.as_deref(), Some("Where to deploy"));
    assert!(region.default.is_some() && region.nullable && !region.sensitive);
    let password = &root.variables[1];
    assert!(password.sensitive && !password.nullable && password.default.is_none());
    assert_eq!(password.validations.len(), 1);
    assert_eq!(password.validations[0].condition.span.line, 35);

    let locals: Vec<_> = root.locals.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(locals, ["name", "tags"]);

    assert_eq!(root.resources.len(), 4);
    let vpc = &root.resources[0];
    assert_eq!(
        (vpc.mode, vpc.type_name.as_str(), vpc.name.as_str()),
        (Mode::Managed, "aws_vpc", "main")
    );
    assert_eq!(vpc.span.line, 45);
    assert!(vpc.span.file.ends_with("main.tf"));

    let subnet = &root.resources[1];
    assert!(subnet.count.is_some() && subnet.for_each.is_none());
    assert_eq!(
        subnet.provider,
        Some(ProviderRef {
            name: "aws".into(),
            alias: Some("west".into())
        })
    );
    assert_eq!(subnet.depends_on.len(), 1);
    let names: Vec<_> = subnet
        .body
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["vpc_id"],
        "meta-arguments are taken out of the body"
    );
    assert!(subnet.lifecycle.create_before_destroy && !subnet.lifecycle.prevent_destroy);
    assert_eq!(
        subnet.lifecycle.ignore_changes,
        IgnoreChanges::Attributes(vec!["tags".into(), "tags[\"Name\"]".into()])
    );
    assert_eq!(subnet.lifecycle.replace_triggered_by.len(), 1);
    assert!(subnet.body.blocks.is_empty());

    let sg = &root.resources[2];
    assert!(sg.for_each.is_some());
    assert_eq!(sg.body.blocks.len(), 1);
    assert_eq!(sg.body.blocks[0].kind, "ingress");
    let dynamic = &sg.body.dynamic_blocks[0];
    assert_eq!(
        (dynamic.kind.as_str(), dynamic.iterator.as_str()),
        ("egress", "rule")
    );
    assert_eq!(dynamic.labels.len(), 1);
    assert_eq!(dynamic.content.attributes[0].name, "from_port");

    let ami = &root.resources[3];
    assert_eq!(ami.mode, Mode::Data);
    assert_eq!(ami.lifecycle.ignore_changes, IgnoreChanges::All);

    let output = &root.outputs[0];
    assert_eq!(output.name, "vpc_id");
    assert!(output.sensitive);
    assert_eq!(output.description.as_deref(), Some("The VPC"));
    assert_eq!(output.depends_on.len(), 1);

    let file = config.sources.keys().next().expect("one source");
    assert!(file.ends_with("main.tf"));
    assert_eq!(config.sources[file], MAIN_TF);
}

#[test]
fn dynamic_blocks_inside_nested_blocks_are_extracted() {
    let dir = write_files(&[(
        "main.tf",
        "resource \"a\" \"b\" {\n  outer {\n    dynamic \"inner\" {\n      for_each = [1]\n      content {\n        x = inner.value\n      }\n    }\n  }\n}\n",
    )]);
    let config = load_ok(dir.path());
    let outer = &config.root.resources[0].body.blocks[0];
    assert!(outer.body.blocks.is_empty());
    assert_eq!(outer.body.dynamic_blocks[0].kind, "inner");
    assert_eq!(outer.body.dynamic_blocks[0].iterator, "inner");
}

#[test]
fn files_are_read_in_name_order_and_other_files_ignored() {
    let dir = write_files(&[
        ("b.tf", "resource \"t\" \"second\" {}\n"),
        ("a.tf", "resource \"t\" \"first\" {}\n"),
        ("notes.txt", "not configuration {"),
        ("c.tf.json", r#"{"resource": {"t": {"third": {}}}}"#),
    ]);
    let config = load_ok(dir.path());
    let names: Vec<_> = config
        .root
        .resources
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, ["first", "second", "third"]);
    assert_eq!(config.sources.len(), 3);
}

#[test]
fn child_modules_are_loaded_with_their_own_spans() {
    let dir = write_files(&[
        (
            "main.tf",
            "module \"net\" {\n  source    = \"./modules/net\"\n  count     = 2\n  cidr      = \"10.0.0.0/16\"\n  providers = { aws = aws.west, aws.east = aws }\n  depends_on = [aws_vpc.x]\n}\n",
        ),
        (
            "modules/net/main.tf",
            "variable \"cidr\" {}\nvariable \"name\" {\n  default = \"net\"\n}\n\nresource \"aws_vpc\" \"this\" {\n  cidr_block = var.cidr\n}\n",
        ),
    ]);
    let config = load_ok(dir.path());
    let call = &config.root.module_calls[0];
    assert_eq!(
        (call.name.as_str(), call.source.as_str()),
        ("net", "./modules/net")
    );
    assert!(call.count.is_some() && call.for_each.is_none());
    assert_eq!(call.depends_on.len(), 1);
    assert_eq!(call.inputs.keys().collect::<Vec<_>>(), ["cidr"]);
    assert_eq!(
        call.providers["aws"],
        ProviderRef {
            name: "aws".into(),
            alias: Some("west".into())
        }
    );
    assert_eq!(
        call.providers["aws.east"],
        ProviderRef {
            name: "aws".into(),
            alias: None
        }
    );
    let child = &call.module;
    assert!(child.dir.ends_with("modules/net"));
    assert_eq!(child.resources[0].span.line, 6);
    assert!(child.resources[0]
        .span
        .file
        .ends_with("modules/net/main.tf"));
    assert_eq!(config.sources.len(), 2);
}

const EQUIVALENT_TF: &str = r#"
variable "names" {
  type    = list(string)
  default = ["a", "b"]
  validation {
    condition     = length(var.names) > 0
    error_message = "Give at least one name."
  }
}

locals {
  prefix = "app-${var.names[0]}"
}

resource "docker_container" "web" {
  count      = length(var.names)
  name       = "${local.prefix}-${count.index}"
  image      = var.image
  depends_on = [docker_image.web]
  provider   = docker.remote
  ports = {
    internal = 80
  }
  lifecycle {
    ignore_changes = [image]
  }
  dynamic "env" {
    for_each = var.env
    content {
      value = env.value
    }
  }
}

output "names" {
  value = docker_container.web[*].name
}

module "child" {
  source    = "./child"
  providers = { docker = docker.remote }
}
"#;

const EQUIVALENT_JSON: &str = r#"{
  "//": "The same configuration as main.tf",
  "variable": {
    "names": {
      "type": "list(string)",
      "default": ["a", "b"],
      "validation": [{
        "condition": "${length(var.names) > 0}",
        "error_message": "Give at least one name."
      }]
    }
  },
  "locals": { "prefix": "app-${var.names[0]}" },
  "resource": {
    "docker_container": {
      "web": {
        "count": "${length(var.names)}",
        "name": "${local.prefix}-${count.index}",
        "image": "${var.image}",
        "depends_on": ["docker_image.web"],
        "provider": "docker.remote",
        "ports": { "internal": 80 },
        "lifecycle": { "ignore_changes": ["image"] },
        "dynamic": {
          "env": { "for_each": "${var.env}", "content": { "value": "${env.value}" } }
        }
      }
    }
  },
  "output": { "names": { "value": "${docker_container.web[*].name}" } },
  "module": {
    "child": { "source": "./child", "providers": { "docker": "docker.remote" } }
  }
}"#;

/// Strips object-key differences (`ports = { internal = 80 }` has an identifier key, JSON a
/// string key) so the two syntaxes can be compared.
fn normalized(expr: &Expression) -> String {
    format!("{expr:?}").replace(
        "Identifier(Identifier(internal))",
        "Expression(String(\"internal\"))",
    )
}

#[test]
fn json_syntax_is_equivalent_to_native_syntax() {
    let child = ("child/main.tf", "variable \"unused\" {\n  default = 1\n}\n");
    let native = load_ok(write_files(&[("main.tf", EQUIVALENT_TF), child]).path()).root;
    let json = load_ok(write_files(&[("main.tf.json", EQUIVALENT_JSON), child]).path()).root;

    let (nv, jv) = (&native.variables[0], &json.variables[0]);
    assert_eq!(nv.ty, jv.ty);
    assert_eq!(
        nv.default.as_ref().map(|e| &e.expr),
        jv.default.as_ref().map(|e| &e.expr)
    );
    assert_eq!(
        nv.validations[0].condition.expr,
        jv.validations[0].condition.expr
    );
    assert_eq!(
        nv.validations[0].error_message.expr,
        jv.validations[0].error_message.expr
    );
    assert_eq!(native.locals[0].expr.expr, json.locals[0].expr.expr);

    let (nr, jr) = (&native.resources[0], &json.resources[0]);
    assert_eq!(
        nr.count.as_ref().map(|e| &e.expr),
        jr.count.as_ref().map(|e| &e.expr)
    );
    assert_eq!(nr.provider, jr.provider);
    assert_eq!(nr.depends_on[0].expr, jr.depends_on[0].expr);
    assert_eq!(nr.lifecycle.ignore_changes, jr.lifecycle.ignore_changes);
    assert_eq!(nr.body.attributes.len(), jr.body.attributes.len());
    for (n, j) in nr.body.attributes.iter().zip(&jr.body.attributes) {
        assert_eq!(n.name, j.name);
        assert_eq!(
            normalized(&n.expr.expr),
            normalized(&j.expr.expr),
            "attribute {}",
            n.name
        );
    }
    let (nd, jd) = (&nr.body.dynamic_blocks[0], &jr.body.dynamic_blocks[0]);
    assert_eq!(
        (&nd.kind, &nd.iterator, &nd.for_each.expr),
        (&jd.kind, &jd.iterator, &jd.for_each.expr)
    );
    assert_eq!(
        nd.content.attributes[0].expr.expr,
        jd.content.attributes[0].expr.expr
    );

    assert_eq!(native.outputs[0].value.expr, json.outputs[0].value.expr);
    assert_eq!(
        native.module_calls[0].providers,
        json.module_calls[0].providers
    );
}

#[test]
fn json_spans_point_at_the_keys_and_values() {
    let dir = write_files(&[("main.tf.json", "{\n  \"resource\": {\n    \"t\": {\n      \"n\": {\n        \"a\": 1\n      }\n    }\n  }\n}\n")]);
    let config = load_ok(dir.path());
    let resource = &config.root.resources[0];
    assert_eq!((resource.span.line, resource.span.column), (4, 7));
    let attr = &resource.body.attributes[0];
    assert_eq!((attr.name_span.line, attr.name_span.column), (5, 9));
    assert_eq!((attr.expr.span.line, attr.expr.span.column), (5, 14));
}

#[test]
fn quoted_references_in_depends_on_and_provider_were_refused() {
    let dir = write_files(&[(
        "main.tf",
        r#"provider "docker" {
  alias = "other"
}

resource "docker_network" "a" {
  name = "a"
}

resource "docker_network" "b" {
  name       = "b"
  provider   = "docker.other"
  depends_on = ["docker_network.a"]
}
"#,
    )]);
    let config = load_ok(dir.path());
    let b = config
        .root
        .resources
        .iter()
        .find(|r| r.name == "b")
        .expect("docker_network.b");
    assert_eq!(
        b.provider,
        Some(ProviderRef {
            name: "docker".into(),
            alias: Some("other".into())
        })
    );
    assert_eq!(b.depends_on.len(), 1);
    assert!(
        matches!(b.depends_on[0].expr, Expression::Traversal(_)),
        "{:?}",
        b.depends_on[0].expr
    );
    let warnings: Vec<String> = config
        .warnings
        .warnings()
        .map(|w| format!("{} @ line {:?}", w.summary, w.span.as_ref().map(|s| s.line)))
        .collect();
    assert_eq!(
        warnings,
        [
            "Quoted references are deprecated @ line Some(11)",
            "Quoted references are deprecated @ line Some(12)"
        ]
    );
}
