//! Tests of body evaluation against a schema: attributes with conversion and defaults, nested
//! and dynamic blocks, and the diagnostics of a bad body (all collected, with spans).

use plinth_sdk::{Attribute, Diagnostics, NestedBlock, Schema, Span, Type, Value};

use super::test_scope::{list, n, s, TestScope};
use super::{body_references, eval_body};
use crate::config::{self, Body, DynamicBlock, Expr};

/// A span whose line tells the test which item it belongs to.
fn span(line: usize) -> Span {
    Span {
        file: "main.tf".to_string(),
        line,
        column: 1,
        start: line * 100,
        end: line * 100 + 10,
    }
}

/// Builds a configuration body from HCL text, giving each item a span in source order (lines
/// counted from 1 by item, not by text line) and turning `dynamic` blocks into `DynamicBlock`s.
fn body(source: &str) -> Body {
    let parsed = hcl::parse(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let mut counter = 0;
    convert_body(parsed, &mut counter)
}

fn convert_body(parsed: hcl::Body, counter: &mut usize) -> Body {
    let mut body = Body::default();
    for structure in parsed {
        *counter += 1;
        let here = span(*counter);
        match structure {
            hcl::Structure::Attribute(attribute) => body.attributes.push(config::Attribute {
                name: attribute.key.to_string(),
                expr: Expr {
                    expr: attribute.expr,
                    span: here.clone(),
                },
                name_span: here,
            }),
            hcl::Structure::Block(block) if block.identifier.as_str() == "dynamic" => {
                let kind = block
                    .labels
                    .first()
                    .map(|l| l.as_str().to_string())
                    .unwrap_or_default();
                let mut for_each = None;
                let mut iterator = kind.clone();
                let mut content = Body::default();
                for inner in block.body {
                    match inner {
                        hcl::Structure::Attribute(a) if a.key.as_str() == "for_each" => {
                            for_each = Some(Expr {
                                expr: a.expr,
                                span: here.clone(),
                            })
                        }
                        hcl::Structure::Attribute(a) if a.key.as_str() == "iterator" => {
                            iterator = a.expr.to_string()
                        }
                        hcl::Structure::Block(b) if b.identifier.as_str() == "content" => {
                            content = convert_body(b.body, counter)
                        }
                        other => panic!("unexpected in dynamic block: {other:?}"),
                    }
                }
                body.dynamic_blocks.push(DynamicBlock {
                    kind,
                    for_each: for_each.expect("for_each"),
                    iterator,
                    labels: Vec::new(),
                    content,
                    span: here,
                });
            }
            hcl::Structure::Block(block) => body.blocks.push(config::Block {
                kind: block.identifier.to_string(),
                labels: Vec::new(),
                body: convert_body(block.body, counter),
                span: here,
            }),
        }
    }
    body
}

fn schema() -> Schema {
    let filter = Schema::new().attr("name", Attribute::required(Type::String));
    let ingress = Schema::new()
        .attr("from_port", Attribute::required(Type::Number))
        .attr("cidr_blocks", Attribute::optional(Type::list(Type::String)))
        .attr("description", Attribute::optional(Type::String))
        .block("filter", NestedBlock::single(filter));
    let timeouts = Schema::new().attr("create", Attribute::optional(Type::String));
    Schema::new()
        .attr("name", Attribute::required(Type::String))
        .attr(
            "description",
            Attribute::optional(Type::String).default("Managed by plinth"),
        )
        .attr("port", Attribute::optional(Type::Number))
        .attr("enabled", Attribute::optional(Type::Bool))
        .attr("tags", Attribute::optional(Type::map(Type::String)))
        .attr("password", Attribute::optional(Type::String))
        .attr("arn", Attribute::computed(Type::String))
        .block("ingress", NestedBlock::list(ingress))
        .block("timeouts", NestedBlock::single(timeouts))
}

fn scope() -> TestScope {
    TestScope::with([
        ("var.name", s("web")),
        ("var.ports", list([n(80.0), n(443.0)])),
        (
            "var.rules",
            Value::object([("http", n(80.0)), ("ssh", n(22.0))]),
        ),
        ("var.unknown", Value::Unknown),
        ("var.secret", s("hunter2").mark_sensitive()),
        ("var.filters", list([s("f1"), s("f2")])),
    ])
}

fn eval(source: &str) -> Result<Value, Diagnostics> {
    eval_body(&body(source), &schema(), &scope(), &span(0))
}

fn ok(source: &str) -> Value {
    eval(source).unwrap_or_else(|d| panic!("{source}: {d}"))
}

fn errors(source: &str) -> Diagnostics {
    match eval(source) {
        Ok(value) => panic!("{source}: expected errors, got {value}"),
        Err(diagnostics) => diagnostics,
    }
}

fn get<'v>(value: &'v Value, name: &str) -> &'v Value {
    value
        .get(name)
        .unwrap_or_else(|| panic!("no key {name} in {value}"))
}

#[test]
fn every_schema_name_is_a_key_with_conversions_and_defaults() {
    let value = ok(r#"
        name    = var.name
        port    = "8080"
        enabled = "true"
        tags    = { Name = var.name, Port = 1 }
    "#);
    assert_eq!(get(&value, "name"), &s("web"));
    assert_eq!(get(&value, "port"), &n(8080.0));
    assert_eq!(get(&value, "enabled"), &Value::Bool(true));
    assert_eq!(
        get(&value, "tags"),
        &Value::object([("Name", s("web")), ("Port", s("1"))])
    );
    assert_eq!(get(&value, "description"), &s("Managed by plinth"));
    assert_eq!(get(&value, "password"), &Value::Null);
    assert_eq!(get(&value, "arn"), &Value::Null);
    assert_eq!(get(&value, "ingress"), &list([]));
    assert_eq!(get(&value, "timeouts"), &Value::Null);
    assert_eq!(value.as_map().map(|m| m.len()), Some(9));
}

#[test]
fn unknown_and_sensitive_attribute_values_are_kept() {
    let value = ok("name = var.unknown\npassword = var.secret\nport = var.unknown");
    assert_eq!(get(&value, "name"), &Value::Unknown);
    assert_eq!(get(&value, "port"), &Value::Unknown);
    assert_eq!(get(&value, "password"), &s("hunter2").mark_sensitive());
}

#[test]
fn nested_blocks_become_lists_or_single_objects() {
    let value = ok(r#"
        name = "x"
        ingress {
          from_port = 80
          filter { name = "a" }
        }
        ingress {
          from_port   = "443"
          cidr_blocks = ["0.0.0.0/0"]
        }
        timeouts { create = "5m" }
    "#);
    let ingress = get(&value, "ingress")
        .as_list()
        .expect("ingress list")
        .to_vec();
    assert_eq!(ingress.len(), 2);
    assert_eq!(get(&ingress[0], "from_port"), &n(80.0));
    assert_eq!(get(&ingress[0], "cidr_blocks"), &Value::Null);
    assert_eq!(
        get(&ingress[0], "filter"),
        &Value::object([("name", s("a"))])
    );
    assert_eq!(get(&ingress[1], "from_port"), &n(443.0));
    assert_eq!(get(&ingress[1], "cidr_blocks"), &list([s("0.0.0.0/0")]));
    assert_eq!(get(&ingress[1], "filter"), &Value::Null);
    assert_eq!(
        get(&value, "timeouts"),
        &Value::object([("create", s("5m"))])
    );
}

#[test]
fn dynamic_blocks_expand_in_source_order() {
    let value = ok(r#"
        name = "x"
        ingress { from_port = 1 }
        dynamic "ingress" {
          for_each = var.ports
          content {
            from_port   = ingress.value
            description = "rule ${ingress.key}"
          }
        }
        ingress { from_port = 2 }
    "#);
    let ports: Vec<Value> = get(&value, "ingress")
        .as_list()
        .expect("list")
        .iter()
        .map(|rule| get(rule, "from_port").clone())
        .collect();
    assert_eq!(ports, [n(1.0), n(80.0), n(443.0), n(2.0)]);
    let descriptions: Vec<Value> = get(&value, "ingress")
        .as_list()
        .expect("list")
        .iter()
        .map(|r| get(r, "description").clone())
        .collect();
    assert_eq!(
        descriptions,
        [Value::Null, s("rule 0"), s("rule 1"), Value::Null]
    );
}

#[test]
fn dynamic_blocks_over_maps_with_custom_iterators_and_nesting() {
    let value = ok(r#"
        name = "x"
        dynamic "ingress" {
          for_each = var.rules
          iterator = rule
          content {
            from_port   = rule.value
            description = rule.key
            dynamic "filter" {
              for_each = rule.key == "ssh" ? ["only"] : []
              content { name = "${rule.key}-${filter.value}" }
            }
          }
        }
    "#);
    let rules = get(&value, "ingress").as_list().expect("list").to_vec();
    assert_eq!(rules.len(), 2);
    assert_eq!(get(&rules[0], "description"), &s("http"));
    assert_eq!(get(&rules[0], "filter"), &Value::Null);
    assert_eq!(get(&rules[1], "from_port"), &n(22.0));
    assert_eq!(
        get(&rules[1], "filter"),
        &Value::object([("name", s("ssh-only"))])
    );
}

#[test]
fn dynamic_block_over_unknown_makes_the_block_unknown() {
    let value = ok(r#"
        name = "x"
        ingress { from_port = 1 }
        dynamic "ingress" {
          for_each = var.unknown
          content { from_port = ingress.value }
        }
    "#);
    assert_eq!(get(&value, "ingress"), &Value::Unknown);
}

#[test]
fn unsupported_names_suggest_close_schema_names() {
    let diagnostics = errors("nmae = \"x\"\ningres { from_port = 1 }");
    let texts: Vec<(String, String, usize)> = diagnostics
        .0
        .iter()
        .map(|d| {
            (
                d.summary.clone(),
                d.detail.clone().unwrap_or_default(),
                d.span.as_ref().map_or(0, |s| s.line),
            )
        })
        .collect();
    assert!(texts.contains(&(
        "Unsupported argument".to_string(),
        "An argument named \"nmae\" is not expected here. Did you mean \"name\"?".to_string(),
        1
    )));
    assert!(texts.contains(&(
        "Unsupported block type".to_string(),
        "Blocks of type \"ingres\" are not expected here. Did you mean \"ingress\"?".to_string(),
        2
    )));
    // `name` is also missing, because the misspelt argument does not count.
    assert!(texts
        .iter()
        .any(|(summary, _, line)| summary == "Missing required argument" && *line == 0));
    let far = errors("name = \"x\"\nzzzzzzzz = 1");
    assert_eq!(
        far.0[0].detail.as_deref(),
        Some("An argument named \"zzzzzzzz\" is not expected here.")
    );
}

#[test]
fn required_missing_is_reported_at_the_block() {
    let diagnostics = errors("port = 1");
    assert_eq!(diagnostics.0.len(), 1);
    let diagnostic = &diagnostics.0[0];
    assert_eq!(diagnostic.summary, "Missing required argument");
    assert_eq!(
        diagnostic.detail.as_deref(),
        Some("The argument \"name\" is required, but no definition was found.")
    );
    assert_eq!(diagnostic.span, Some(span(0)));
}

#[test]
fn nested_required_missing_is_reported_at_the_nested_block() {
    let diagnostics = errors("name = \"x\"\ningress { cidr_blocks = [] }");
    assert_eq!(diagnostics.0.len(), 1);
    assert_eq!(
        diagnostics.0[0].detail.as_deref(),
        Some("The argument \"from_port\" is required, but no definition was found.")
    );
    assert_eq!(diagnostics.0[0].span.as_ref().map(|s| s.line), Some(2));
}

#[test]
fn computed_only_attributes_cannot_be_set() {
    let diagnostics = errors("name = \"x\"\narn = \"arn:aws:x\"");
    assert_eq!(diagnostics.0.len(), 1);
    assert_eq!(diagnostics.0[0].summary, "Invalid or unknown key");
    assert!(diagnostics.0[0]
        .detail
        .clone()
        .unwrap_or_default()
        .contains("cannot be set"));
    assert_eq!(diagnostics.0[0].span.as_ref().map(|s| s.line), Some(2));
}

#[test]
fn type_conversion_errors_name_the_attribute() {
    let diagnostics = errors("name = \"x\"\nport = \"eighty\"\ntags = [1]");
    assert_eq!(diagnostics.0.len(), 2);
    assert_eq!(diagnostics.0[0].summary, "Incorrect attribute value type");
    let detail = diagnostics.0[0].detail.clone().unwrap_or_default();
    assert!(
        detail.starts_with("Inappropriate value for attribute \"port\":"),
        "{detail}"
    );
    assert!(detail.contains("is not a number"), "{detail}");
    assert!(diagnostics.0[1]
        .detail
        .clone()
        .unwrap_or_default()
        .contains("map required"));
    assert_eq!(diagnostics.0[1].span.as_ref().map(|s| s.line), Some(3));
}

#[test]
fn block_counts_are_checked() {
    let diagnostics = errors("name = \"x\"\ntimeouts {}\ntimeouts {}");
    assert_eq!(diagnostics.0.len(), 1);
    assert_eq!(diagnostics.0[0].summary, "Too many timeouts blocks");
    assert_eq!(
        diagnostics.0[0].detail.as_deref(),
        Some("No more than 1 \"timeouts\" blocks are allowed.")
    );
    assert_eq!(diagnostics.0[0].span.as_ref().map(|s| s.line), Some(3));

    let schema = Schema::new().block(
        "rule",
        NestedBlock {
            min_items: 1,
            ..NestedBlock::list(Schema::new())
        },
    );
    let result = eval_body(&body(""), &schema, &scope(), &span(0));
    let diagnostics = result.err().unwrap_or_default();
    assert_eq!(diagnostics.0.len(), 1);
    assert_eq!(diagnostics.0[0].summary, "Insufficient rule blocks");
    assert_eq!(diagnostics.0[0].span, Some(span(0)));
}

#[test]
fn evaluation_and_dynamic_errors_are_all_collected() {
    let diagnostics = errors(
        r#"
        name = var.nope
        port = 1 + "a"
        dynamic "ingress" {
          for_each = "not a collection"
          content { from_port = 1 }
        }
    "#,
    );
    let summaries: Vec<&str> = diagnostics.0.iter().map(|d| d.summary.as_str()).collect();
    assert_eq!(
        summaries,
        [
            "Reference to undeclared name",
            "Invalid operand",
            "Invalid dynamic for_each value"
        ]
    );
    assert_eq!(diagnostics.0[0].span.as_ref().map(|s| s.line), Some(1));
    assert_eq!(diagnostics.0[1].span.as_ref().map(|s| s.line), Some(2));
}

#[test]
fn body_references_cover_blocks_and_dynamic_blocks_but_not_iterators() {
    let parsed = body(
        r#"
        name = var.name
        timeouts { create = local.timeout }
        dynamic "ingress" {
          for_each = var.rules
          iterator = rule
          content {
            from_port   = rule.value
            cidr_blocks = [aws_vpc.main.cidr_block]
            dynamic "filter" {
              for_each = rule.value.filters
              content { name = "${filter.value}-${var.suffix}" }
            }
          }
        }
    "#,
    );
    let found: Vec<String> = body_references(&parsed)
        .into_iter()
        .map(|r| r.join("."))
        .collect();
    assert_eq!(
        found,
        [
            "var.name",
            "local.timeout",
            "var.rules",
            "aws_vpc.main.cidr_block",
            "var.suffix"
        ]
    );
}
