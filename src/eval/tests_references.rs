//! Tests of reference extraction: every reference as its leading attribute names, from every
//! kind of expression, without the names bound by `for` expressions and directives.

use super::references;
use super::test_scope::parse;

fn refs(source: &str) -> Vec<String> {
    references(&parse(source))
        .into_iter()
        .map(|names| names.join("."))
        .collect()
}

#[test]
fn traversals_give_their_leading_attribute_names() {
    assert_eq!(refs("aws_subnet.public[0].id"), ["aws_subnet.public"]);
    assert_eq!(refs("aws_subnet.public.0.id"), ["aws_subnet.public"]);
    assert_eq!(refs("aws_vpc.main.id"), ["aws_vpc.main.id"]);
    assert_eq!(refs("var.x"), ["var.x"]);
    assert_eq!(refs("count.index"), ["count.index"]);
    assert_eq!(refs("each.value.name"), ["each.value.name"]);
    assert_eq!(refs("path.module"), ["path.module"]);
    assert_eq!(refs("local.settings[\"a\"].b"), ["local.settings"]);
}

#[test]
fn index_expressions_and_splats_are_searched() {
    assert_eq!(
        refs("aws_subnet.public[count.index].id"),
        ["count.index", "aws_subnet.public"]
    );
    assert_eq!(refs("aws_instance.web[*].private_ip"), ["aws_instance.web"]);
    assert_eq!(refs("aws_instance.web.*.id"), ["aws_instance.web"]);
    assert_eq!(refs("[var.a, 1][0].b"), ["var.a"]);
}

#[test]
fn references_inside_every_construct() {
    assert_eq!(
        refs("\"${var.prefix}-${local.name}\""),
        ["var.prefix", "local.name"]
    );
    assert_eq!(
        refs("<<EOT\n%{ if var.on }${var.a}%{ else }${var.b}%{ endif }\nEOT\n"),
        ["var.on", "var.a", "var.b"]
    );
    assert_eq!(
        refs("join(\",\", var.list, [local.x])"),
        ["var.list", "local.x"]
    );
    assert_eq!(refs("f(var.all...)"), ["var.all"]);
    assert_eq!(
        refs("var.c ? aws_vpc.a.id : aws_vpc.b.id"),
        ["var.c", "aws_vpc.a.id", "aws_vpc.b.id"]
    );
    assert_eq!(refs("-var.n + local.m * 2"), ["var.n", "local.m"]);
    assert_eq!(refs("!(var.flag)"), ["var.flag"]);
    assert_eq!(
        refs("{ (var.key) = data.x.y.z, k = module.m.out }"),
        ["var.key", "data.x.y.z", "module.m.out"]
    );
    assert_eq!(refs("can(var.maybe.field)"), ["var.maybe.field"]);
}

#[test]
fn for_iterators_are_not_references() {
    assert_eq!(
        refs("{for k, v in var.map : k => v.id if v.enabled && var.all}"),
        ["var.map", "var.all"]
    );
    assert_eq!(refs("[for s in aws_subnet.x : s.id]"), ["aws_subnet.x"]);
    // The iterator name is only bound inside the `for`.
    assert_eq!(refs("[[for s in var.l : s], s.id]"), ["var.l", "s.id"]);
    assert_eq!(
        refs("\"%{ for ip in var.ips }${ip}:${var.port}%{ endfor }\""),
        ["var.ips", "var.port"]
    );
}

#[test]
fn duplicates_are_listed_once_and_literals_have_none() {
    assert_eq!(refs("var.a + var.a"), ["var.a"]);
    assert!(refs("\"plain\"").is_empty());
    assert!(refs("[1, true, null, { a = \"b\" }]").is_empty());
}
