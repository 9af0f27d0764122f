//! Tests of expression evaluation: literals, references, traversals and splats, operators,
//! conditionals, `for` expressions, function calls, unknown and sensitive propagation, errors.

use plinth_sdk::Value;

use super::test_scope::{list, n, s, TestScope};

fn scope() -> TestScope {
    TestScope::with([
        ("var.name", s("web")),
        ("var.count", n(3.0)),
        ("var.numbers", list([n(1.0), n(2.0), n(3.0)])),
        ("var.words", list([s("a"), s("b"), s("a")])),
        (
            "var.tags",
            Value::object([("env", s("prod")), ("team", s("ops"))]),
        ),
        ("var.secret", s("hunter2").mark_sensitive()),
        (
            "var.secret_obj",
            Value::object([("user", s("admin"))]).mark_sensitive(),
        ),
        ("var.unknown", Value::Unknown),
        ("var.nothing", Value::Null),
        ("var.set", Value::set(vec![s("y"), s("x")])),
        (
            "aws_subnet.public",
            list([
                Value::object([("id", s("subnet-1"))]),
                Value::object([("id", s("subnet-2"))]),
            ]),
        ),
        (
            "aws_vpc.main",
            Value::object([("id", s("vpc-1")), ("cidr", s("10.0.0.0/16"))]),
        ),
        (
            "aws_instance.later",
            Value::object([("id", Value::Unknown), ("ip", s("10.0.0.5"))]),
        ),
        ("count.index", n(1.0)),
        ("each.value", Value::object([("name", s("alpha"))])),
    ])
}

#[test]
fn literals_arrays_and_objects() {
    let scope = scope();
    assert_eq!(scope.ok("null"), Value::Null);
    assert_eq!(scope.ok("true"), Value::Bool(true));
    assert_eq!(scope.ok("1.5"), n(1.5));
    assert_eq!(scope.ok("\"plain\""), s("plain"));
    assert_eq!(
        scope.ok("[1, \"a\", false]"),
        list([n(1.0), s("a"), Value::Bool(false)])
    );
    assert_eq!(
        scope.ok("{ a = 1, \"b c\" = 2, (var.name) = 3, \"${var.name}-x\" = 4 }"),
        Value::object([
            ("a", n(1.0)),
            ("b c", n(2.0)),
            ("web", n(3.0)),
            ("web-x", n(4.0))
        ])
    );
    assert_eq!(scope.ok("(1)"), n(1.0));
}

#[test]
fn object_with_unknown_key_is_unknown() {
    assert_eq!(scope().ok("{ (var.unknown) = 1 }"), Value::Unknown);
}

#[test]
fn references_and_traversals() {
    let scope = scope();
    assert_eq!(scope.ok("var.name"), s("web"));
    assert_eq!(scope.ok("aws_subnet.public[1].id"), s("subnet-2"));
    assert_eq!(scope.ok("aws_subnet.public.0.id"), s("subnet-1"));
    assert_eq!(scope.ok("aws_subnet.public[count.index].id"), s("subnet-2"));
    assert_eq!(scope.ok("aws_subnet.public[\"1\"].id"), s("subnet-2"));
    assert_eq!(scope.ok("var.tags[\"env\"]"), s("prod"));
    assert_eq!(scope.ok("var.tags.team"), s("ops"));
    assert_eq!(scope.ok("each.value.name"), s("alpha"));
    assert_eq!(scope.ok("[10, 20][1]"), n(20.0));
    assert_eq!(scope.ok("{ a = { b = 7 } }.a.b"), n(7.0));
}

#[test]
fn splats_over_lists_single_objects_and_null() {
    let scope = scope();
    let ids = list([s("subnet-1"), s("subnet-2")]);
    assert_eq!(scope.ok("aws_subnet.public[*].id"), ids);
    assert_eq!(scope.ok("aws_subnet.public.*.id"), ids);
    // The legacy splat applies only the attribute steps per element; the index selects from the result.
    assert_eq!(scope.ok("aws_subnet.public.*.id[1]"), s("subnet-2"));
    // The full splat applies every following step per element.
    assert_eq!(
        scope.err("aws_subnet.public[*].id[1]").summary,
        "Invalid index"
    );
    assert_eq!(scope.ok("aws_vpc.main[*].id"), list([s("vpc-1")]));
    assert_eq!(scope.ok("var.nothing[*].id"), list([]));
    assert_eq!(scope.ok("var.set[*]"), list([s("x"), s("y")]));
    assert_eq!(scope.ok("var.unknown[*].id"), Value::Unknown);
    assert_eq!(scope.ok("aws_instance.later[*].id"), list([Value::Unknown]));
}

#[test]
fn traversal_errors_have_terraform_texts() {
    let scope = scope();
    let error = scope.err("aws_vpc.main.nope");
    assert_eq!(error.summary, "Unsupported attribute");
    assert_eq!(
        error.detail.as_deref(),
        Some("This object does not have an attribute named \"nope\".")
    );
    let error = scope.err("aws_subnet.public[5]");
    assert_eq!(error.summary, "Invalid index");
    assert!(error
        .detail
        .unwrap_or_default()
        .contains("greater than or equal to the length"));
    assert_eq!(scope.err("var.tags[\"missing\"]").summary, "Invalid index");
    assert_eq!(scope.err("var.set[0]").summary, "Invalid index");
    assert_eq!(
        scope.err("var.nothing.id").summary,
        "Attempt to get attribute from null value"
    );
    assert!(scope
        .err("aws_subnet.public.id")
        .detail
        .unwrap_or_default()
        .contains("Can't access attributes on a list"));
    let error = scope.err("nosuch.thing");
    assert_eq!(error.summary, "Reference to undeclared name");
    assert_eq!(
        error.detail.as_deref(),
        Some("There is nothing named \"nosuch.thing\".")
    );
}

#[test]
fn traversal_into_unknown_is_unknown() {
    let scope = scope();
    assert_eq!(scope.ok("var.unknown.id"), Value::Unknown);
    assert_eq!(scope.ok("var.unknown[0].x.y"), Value::Unknown);
    assert_eq!(
        scope.ok("aws_subnet.public[var.unknown].id"),
        Value::Unknown
    );
    assert_eq!(scope.ok("aws_instance.later.id"), Value::Unknown);
}

#[test]
fn traversal_into_sensitive_value_is_sensitive() {
    let scope = scope();
    assert_eq!(scope.ok("var.secret_obj.user"), s("admin").mark_sensitive());
    assert_eq!(scope.ok("var.secret"), s("hunter2").mark_sensitive());
    let nested = TestScope::with([(
        "x",
        Value::object([("a", list([s("p").mark_sensitive(), s("q")]))]),
    )]);
    assert_eq!(nested.ok("x.a[0]"), s("p").mark_sensitive());
    assert_eq!(nested.ok("x.a[1]"), s("q"));
}

#[test]
fn arithmetic_comparison_and_equality() {
    let scope = scope();
    assert_eq!(scope.ok("1 + 2 * 3"), n(7.0));
    assert_eq!(scope.ok("(1 + 2) * 3"), n(9.0));
    assert_eq!(scope.ok("7 % 3"), n(1.0));
    assert_eq!(scope.ok("7 / 2"), n(3.5));
    assert_eq!(scope.ok("-var.count"), n(-3.0));
    assert_eq!(scope.ok("\"2\" + 3"), n(5.0));
    assert_eq!(scope.ok("var.count > 2"), Value::Bool(true));
    assert_eq!(scope.ok("var.count <= 2"), Value::Bool(false));
    assert_eq!(scope.ok("var.name == \"web\""), Value::Bool(true));
    assert_eq!(
        scope.ok("var.tags == { env = \"prod\", team = \"ops\" }"),
        Value::Bool(true)
    );
    assert_eq!(scope.ok("1 == \"1\""), Value::Bool(false));
    assert_eq!(scope.ok("var.nothing == null"), Value::Bool(true));
    assert_eq!(scope.ok("var.nothing != null"), Value::Bool(false));
    assert_eq!(scope.ok("!true"), Value::Bool(false));
}

#[test]
fn operator_errors_name_the_operand() {
    let scope = scope();
    let error = scope.err("\"abc\" + 1");
    assert_eq!(error.summary, "Invalid operand");
    assert_eq!(
        error.detail.as_deref(),
        Some("Unsuitable value for left operand: a number is required.")
    );
    // Only a string that does not convert is "a number"; other kinds need "number".
    let error = scope.err("1 - var.tags");
    assert_eq!(
        error.detail.as_deref(),
        Some("Unsuitable value for right operand: number required.")
    );
    // As in Terraform: a non-zero number over zero is infinite, zero over zero fails.
    assert_eq!(scope.ok("1 / 0").to_string(), "+Inf");
    assert_eq!(
        scope.err("0 / 0").detail.as_deref(),
        Some("Error during operation: can't divide zero by zero or infinity by infinity.")
    );
    assert_eq!(scope.err("!1").summary, "Invalid operand");
    assert_eq!(scope.err("1 && true").summary, "Invalid operand");
}

/// Numbers were float64: 60-digit integers lost digits, `1e+500` could not be read, and
/// `0.1 + 0.2` printed `0.30000000000000004`.
#[test]
fn numbers_keep_terraforms_precision() {
    let scope = scope();
    let big = "123456789012345678901234567890123456789012345678901234567890";
    assert_eq!(
        scope.ok(&format!("{big} + 1")).to_string(),
        "123456789012345678901234567890123456789012345678901234567891"
    );
    assert_eq!(scope.ok("0.1 + 0.2").to_string(), "0.3");
    assert_eq!(scope.ok("0.1 + 0.2 == 0.3"), Value::Bool(true));
    assert_eq!(scope.ok("-7.5 % 2").to_string(), "-1.5");
    assert_eq!(scope.ok("0 % 0").to_string(), "0");
    assert_eq!(
        scope.ok(&format!("ceil({big}.5)")).to_string(),
        "123456789012345678901234567890123456789012345678901234567891"
    );
    assert_eq!(scope.ok(&format!("format(\"%d\", {big})")), s(big));
    assert_eq!(
        scope.ok(&format!("parseint(\"{big}\", 10)")).to_string(),
        big
    );
    assert_eq!(
        scope.ok("length([1]) / length([1, 2, 3])").to_string(),
        "0.33333333333333333334"
    );
}

/// A failing function quoted its sensitive argument in the error (`parseint(sensitive("zz"),
/// 10)` said `cannot parse "zz"`, as Terraform itself does).
#[test]
fn function_errors_never_quote_sensitive_arguments() {
    let scope = scope();
    for source in [
        "parseint(var.secret, 10)",
        "tonumber(var.secret)",
        "regex(var.secret, \"x\")",
        "element([var.secret], \"hunter2\")",
    ] {
        let error = scope.err(source);
        let text = format!("{error}");
        assert!(!text.contains("hunter2"), "{source}: {text}");
    }
    let error = scope.err("parseint(var.secret, 10)");
    assert_eq!(
        error.detail.as_deref(),
        Some("Invalid value for \"number\" parameter: cannot parse (sensitive value) as a base 10 integer.")
    );
}

#[test]
fn logical_operators_evaluate_both_sides_and_settle_unknowns_when_they_can() {
    let scope = scope();
    assert_eq!(scope.ok("true && false"), Value::Bool(false));
    assert_eq!(scope.ok("false || true"), Value::Bool(true));
    // As in Terraform, the right side is evaluated even when the left side settles the result.
    assert_eq!(
        scope.err("false && nosuch.thing").summary,
        "Reference to undeclared name"
    );
    assert_eq!(scope.err("true || null").summary, "Operation failed");
    assert_eq!(scope.ok("var.unknown && false"), Value::Bool(false));
    assert_eq!(scope.ok("var.unknown || true"), Value::Bool(true));
    assert_eq!(scope.ok("var.unknown && true"), Value::Unknown);
    assert_eq!(scope.ok("true && var.unknown"), Value::Unknown);
}

#[test]
fn operations_on_unknown_are_unknown() {
    let scope = scope();
    assert_eq!(scope.ok("var.unknown + 1"), Value::Unknown);
    assert_eq!(scope.ok("var.unknown == 1"), Value::Unknown);
    assert_eq!(scope.ok("[var.unknown] == [1]"), Value::Unknown);
    assert_eq!(scope.ok("-var.unknown"), Value::Unknown);
    assert_eq!(scope.ok("!var.unknown"), Value::Unknown);
}

#[test]
fn operations_on_sensitive_values_are_sensitive() {
    let scope = scope();
    assert_eq!(
        scope.ok("var.secret == \"hunter2\""),
        Value::Bool(true).mark_sensitive()
    );
    assert_eq!(scope.ok("length(var.secret) + 1"), n(8.0).mark_sensitive());
    assert_eq!(scope.ok("var.name == \"web\""), Value::Bool(true));
}

#[test]
fn conditionals_evaluate_only_the_chosen_branch() {
    let scope = scope();
    assert_eq!(scope.ok("var.count > 1 ? \"many\" : \"one\""), s("many"));
    assert_eq!(scope.ok("true ? 1 : nosuch.thing"), n(1.0));
    assert_eq!(scope.ok("false ? nosuch.thing : 2"), n(2.0));
    assert_eq!(scope.ok("\"true\" ? 1 : 2"), n(1.0));
    assert_eq!(scope.ok("var.unknown ? 1 : 2"), Value::Unknown);
    assert_eq!(
        scope.ok("var.secret == \"x\" ? 1 : 2"),
        n(2.0).mark_sensitive()
    );
    assert_eq!(scope.err("var.nothing ? 1 : 2").summary, "Null condition");
    assert_eq!(
        scope.err("var.tags ? 1 : 2").summary,
        "Incorrect condition type"
    );
}

#[test]
fn for_expressions_over_lists_and_maps() {
    let scope = scope();
    assert_eq!(
        scope.ok("[for x in var.numbers : x * 2]"),
        list([n(2.0), n(4.0), n(6.0)])
    );
    assert_eq!(
        scope.ok("[for i, x in var.numbers : i]"),
        list([n(0.0), n(1.0), n(2.0)])
    );
    assert_eq!(
        scope.ok("[for x in var.numbers : x if x > 1]"),
        list([n(2.0), n(3.0)])
    );
    assert_eq!(
        scope.ok("[for k, v in var.tags : \"${k}=${v}\"]"),
        list([s("env=prod"), s("team=ops")])
    );
    assert_eq!(
        scope.ok("{for s in aws_subnet.public : s.id => upper(s.id)}"),
        Value::object([("subnet-1", s("SUBNET-1")), ("subnet-2", s("SUBNET-2"))])
    );
    assert_eq!(scope.ok("[for x in var.set : x]"), list([s("x"), s("y")]));
    assert_eq!(scope.ok("[for x in [] : x]"), list([]));
}

#[test]
fn for_expression_grouping_and_duplicate_keys() {
    let scope = scope();
    assert_eq!(
        scope.ok("{for i, w in var.words : w => i...}"),
        Value::object([("a", list([n(0.0), n(2.0)])), ("b", list([n(1.0)]))])
    );
    let error = scope.err("{for w in var.words : w => w}");
    assert_eq!(error.summary, "Duplicate object key");
    assert!(error
        .detail
        .unwrap_or_default()
        .contains("Two different items produced the key \"a\""));
}

#[test]
fn for_expression_names_shadow_the_scope_and_nest() {
    let scope = scope();
    // `var` here is the iterator, not the scope's variables.
    assert_eq!(
        scope.ok("[for var in [1, 2] : var]"),
        list([n(1.0), n(2.0)])
    );
    assert_eq!(
        scope.ok("[for x in [1, 2] : [for y in [10, 20] : x + y]]"),
        list([list([n(11.0), n(21.0)]), list([n(12.0), n(22.0)])])
    );
    // After the `for`, the name is no longer bound.
    assert_eq!(
        scope.err("[[for x in [1] : x], x]").summary,
        "Reference to undeclared name"
    );
}

#[test]
fn for_expressions_with_unknowns_and_marks() {
    let scope = scope();
    assert_eq!(scope.ok("[for x in var.unknown : x]"), Value::Unknown);
    assert_eq!(
        scope.ok("[for x in var.numbers : x if var.unknown]"),
        Value::Unknown
    );
    assert_eq!(
        scope.ok("{for x in var.numbers : var.unknown => x}"),
        Value::Unknown
    );
    assert_eq!(
        scope.ok("[for x in [var.unknown] : x]"),
        list([Value::Unknown])
    );
    let marked = TestScope::with([("v", list([s("a")]).mark_sensitive())]);
    assert_eq!(
        marked.ok("[for x in v : x]"),
        list([s("a")]).mark_sensitive()
    );
}

#[test]
fn for_expression_errors() {
    let scope = scope();
    assert_eq!(
        scope.err("[for x in var.nothing : x]").summary,
        "Iteration over null value"
    );
    assert_eq!(
        scope.err("[for x in var.name : x]").summary,
        "Iteration over non-iterable value"
    );
    assert_eq!(
        scope.err("[for x in var.numbers : x if x]").summary,
        "Invalid 'for' condition"
    );
    assert_eq!(
        scope.err("{for x in var.numbers : null => x}").summary,
        "Invalid object key"
    );
}

#[test]
fn function_calls() {
    let scope = scope();
    assert_eq!(scope.ok("upper(var.name)"), s("WEB"));
    assert_eq!(scope.ok("length(var.numbers)"), n(3.0));
    assert_eq!(scope.ok("join(\"-\", [\"a\"], [\"b\", \"c\"])"), s("a-b-c"));
    assert_eq!(scope.ok("join(\"-\", [[\"a\"], [\"b\"]]...)"), s("a-b"));
    assert_eq!(scope.ok("upper(var.unknown)"), Value::Unknown);
    assert_eq!(scope.ok("length([1, var.unknown])"), Value::Unknown);
    assert_eq!(scope.ok("join(\"-\", var.unknown...)"), Value::Unknown);
    assert_eq!(scope.ok("upper(var.secret)"), s("HUNTER2").mark_sensitive());
    assert_eq!(scope.ok("length([var.secret])"), n(1.0).mark_sensitive());
}

#[test]
fn function_call_errors() {
    let scope = scope();
    let error = scope.err("nosuchfn(1)");
    assert_eq!(error.summary, "Call to unknown function");
    assert_eq!(
        error.detail.as_deref(),
        Some("There is no function named \"nosuchfn\".")
    );
    let error = scope.err("length(1)");
    assert_eq!(error.summary, "Error in function call");
    assert!(error
        .detail
        .unwrap_or_default()
        .starts_with("Call to function \"length\" failed:"));
    assert_eq!(
        scope.err("length(\"a\"...)").summary,
        "Invalid expanding argument value"
    );
    assert_eq!(
        scope.err("provider::aws::arn_parse(\"x\")").summary,
        "Unknown provider function"
    );
}

#[test]
fn sensitive_and_nonsensitive() {
    let scope = scope();
    assert_eq!(scope.ok("sensitive(var.name)"), s("web").mark_sensitive());
    assert_eq!(scope.ok("nonsensitive(var.secret)"), s("hunter2"));
    assert_eq!(scope.ok("nonsensitive(var.name)"), s("web"));
    assert_eq!(
        scope.ok("sensitive(var.unknown)"),
        Value::Unknown.mark_sensitive()
    );
    assert_eq!(
        scope.err("sensitive(1, 2)").summary,
        "Invalid function argument"
    );
}

#[test]
fn can_and_try() {
    let scope = scope();
    assert_eq!(scope.ok("can(var.tags.env)"), Value::Bool(true));
    assert_eq!(scope.ok("can(var.tags.nope)"), Value::Bool(false));
    assert_eq!(scope.ok("can(nosuch.thing)"), Value::Bool(false));
    assert_eq!(scope.ok("can(var.unknown.x)"), Value::Unknown);
    assert_eq!(scope.ok("try(var.tags.nope, var.tags.env)"), s("prod"));
    assert_eq!(
        scope.ok("try(var.tags.nope, aws_subnet.public[9].id, \"fallback\")"),
        s("fallback")
    );
    assert_eq!(scope.ok("try(var.unknown, \"fallback\")"), Value::Unknown);
    let error = scope.err("try(var.tags.nope, nosuch.x)");
    assert_eq!(error.summary, "Error in function call");
    let detail = error.detail.unwrap_or_default();
    assert!(detail.contains("no expression succeeded"), "{detail}");
    assert!(detail.contains("Unsupported attribute"), "{detail}");
    assert_eq!(scope.err("can(1, 2)").summary, "Invalid function argument");
}

#[test]
fn scopes_that_only_copy_give_the_same_results() {
    let lending = scope();
    let copying = scope().copies_only();
    for source in [
        "aws_subnet.public[1].id",
        "aws_subnet.public[*].id",
        "var.secret_obj.user",
        "var.unknown.id",
        "[for s in aws_subnet.public : s.id]",
        "var.tags",
    ] {
        assert_eq!(lending.ok(source), copying.ok(source), "{source}");
    }
    assert_eq!(
        copying.err("aws_vpc.main.nope").summary,
        "Unsupported attribute"
    );
    assert_eq!(
        copying.err("nosuch.thing").summary,
        "Reference to undeclared name"
    );
}
