//! Tests of templates: interpolation, escapes, heredocs, `if`/`for` directives, strip markers,
//! unknown and sensitive parts, template files.

use std::collections::BTreeMap;

use plinth_sdk::Value;

use super::evaluate_template_str;
use super::test_scope::{list, n, s, TestScope};

fn scope() -> TestScope {
    TestScope::with([
        ("var.name", s("web")),
        ("var.port", n(8080.0)),
        ("var.on", Value::Bool(true)),
        ("var.items", list([s("a"), s("b")])),
        (
            "var.tags",
            Value::object([("env", s("prod")), ("team", s("ops"))]),
        ),
        ("var.unknown", Value::Unknown),
        ("var.nothing", Value::Null),
        ("var.secret", s("hunter2").mark_sensitive()),
    ])
}

#[test]
fn interpolation_converts_numbers_and_bools() {
    let scope = scope();
    assert_eq!(
        scope.ok(r#""${var.name}:${var.port} ${var.on}""#),
        s("web:8080 true")
    );
    assert_eq!(scope.ok(r#""n=${1 + 1}""#), s("n=2"));
    assert_eq!(
        scope.ok(r#""${upper(var.name)}-${join(",", var.items)}""#),
        s("WEB-a,b")
    );
}

#[test]
fn a_lone_interpolation_keeps_the_value() {
    assert_eq!(scope().ok(r#""${var.items}""#), list([s("a"), s("b")]));
    assert_eq!(scope().ok(r#""${var.port}""#), n(8080.0));
}

#[test]
fn quoted_templates_decode_escapes_once() {
    let scope = scope();
    assert_eq!(
        scope.ok(r#""a\n\"${var.name}\"\t\\ \u00e9""#),
        s("a\n\"web\"\t\\ é")
    );
    // An escaped backslash followed by `n` stays a backslash and an `n`.
    assert_eq!(scope.ok(r#""\\n${var.name}""#), s("\\nweb"));
    assert_eq!(
        scope.ok(r#""$${literal} %%{ x } ${var.name}""#),
        s("${literal} %{ x } web")
    );
}

#[test]
fn heredocs_keep_backslashes_and_strip_indentation() {
    let scope = scope();
    assert_eq!(
        scope.ok("<<EOT\n  raw \\n ${var.name}\nEOT\n"),
        s("  raw \\n web\n")
    );
    assert_eq!(
        scope.ok("<<-EOT\n    hello ${var.name}\n      more\n    EOT\n"),
        s("hello web\n  more\n")
    );
}

#[test]
fn if_directives() {
    let scope = scope();
    assert_eq!(
        scope.ok(r#""%{ if var.on }yes%{ else }no%{ endif }""#),
        s("yes")
    );
    assert_eq!(
        scope.ok(r#""%{ if !var.on }yes%{ else }no%{ endif }""#),
        s("no")
    );
    assert_eq!(scope.ok(r#""[%{ if false }never%{ endif }]""#), s("[]"));
    assert_eq!(
        scope.err(r#""%{ if var.tags }x%{ endif }""#).summary,
        "Invalid template directive"
    );
}

#[test]
fn for_directives_over_lists_and_maps() {
    let scope = scope();
    assert_eq!(
        scope.ok(r#""%{ for x in var.items }<${x}>%{ endfor }""#),
        s("<a><b>")
    );
    assert_eq!(
        scope.ok(r#""%{ for k, v in var.tags }${k}=${v};%{ endfor }""#),
        s("env=prod;team=ops;")
    );
    assert_eq!(
        scope.ok(r#""%{ for i, x in var.items }${i}${x}%{ endfor }""#),
        s("0a1b")
    );
    assert_eq!(
        scope
            .err(r#""%{ for x in var.name }${x}%{ endfor }""#)
            .summary,
        "Invalid template directive"
    );
}

#[test]
fn strip_markers_remove_adjacent_whitespace() {
    let scope = scope();
    let text = "<<EOT\nitems:\n%{ for x in var.items ~}\n  - ${x}\n%{ endfor ~}\ndone\nEOT\n";
    assert_eq!(scope.ok(text), s("items:\n- a\n- b\ndone\n"));
    let text = "<<EOT\nitems:\n%{ for x in var.items }\n- ${x}\n%{~ endfor }\nend\nEOT\n";
    assert_eq!(scope.ok(text), s("items:\n\n- a\n- b\nend\n"));
    assert_eq!(scope.ok(r#""a   ${~ var.name ~}   b""#), s("awebb"));
    assert_eq!(
        scope.ok(r#""x %{~ if var.on ~} y %{~ else ~} z %{~ endif ~} w""#),
        s("xyw")
    );
}

#[test]
fn unknown_parts_make_the_template_unknown() {
    let scope = scope();
    assert_eq!(scope.ok(r#""id-${var.unknown}""#), Value::Unknown);
    assert_eq!(
        scope.ok(r#""%{ if var.unknown }a%{ endif }b""#),
        Value::Unknown
    );
    assert_eq!(
        scope.ok(r#""%{ for x in var.unknown }${x}%{ endfor }""#),
        Value::Unknown
    );
}

#[test]
fn sensitive_parts_make_the_template_sensitive() {
    let scope = scope();
    assert_eq!(
        scope.ok(r#""pw=${var.secret}""#),
        s("pw=hunter2").mark_sensitive()
    );
    assert_eq!(
        scope.ok(r#""%{ if var.secret == "x" }a%{ else }b%{ endif }""#),
        s("b").mark_sensitive()
    );
}

#[test]
fn interpolating_null_or_collections_fails() {
    let scope = scope();
    let error = scope.err(r#""x${var.nothing}""#);
    assert_eq!(error.summary, "Invalid template interpolation value");
    assert!(error.detail.unwrap_or_default().contains("null value"));
    assert_eq!(
        scope.err(r#""x${var.items}""#).summary,
        "Invalid template interpolation value"
    );
}

#[test]
fn template_text_sees_only_its_vars() {
    let vars = BTreeMap::from([
        ("name".to_string(), s("web")),
        ("ports".to_string(), list([n(80.0), n(443.0)])),
    ]);
    let text = "server ${name}\n%{ for p in ports ~}\nlisten ${p}\n%{ endfor ~}\n";
    assert_eq!(
        evaluate_template_str(text, &vars),
        Ok(s("server web\nlisten 80\nlisten 443\n"))
    );
    let error = evaluate_template_str("${var.name}", &vars)
        .err()
        .map(|e| e.summary);
    assert_eq!(error.as_deref(), Some("Invalid reference"));
    // Backslashes in template files are literal.
    assert_eq!(
        evaluate_template_str("C:\\dir\\${name}", &vars),
        Ok(s("C:\\dir\\web"))
    );
}

#[test]
fn templatefile_reads_and_renders_a_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("user_data.tpl");
    std::fs::write(
        &path,
        "#!/bin/sh\necho ${greeting} %{ if loud }!%{ endif }\n",
    )
    .expect("write template");
    let scope = TestScope::with([("path", s(&path.to_string_lossy()))]);
    assert_eq!(
        scope.ok(r#"templatefile(path, { greeting = "hi", loud = true })"#),
        s("#!/bin/sh\necho hi !\n")
    );
    assert_eq!(
        scope.ok(r#"templatefile(path, { greeting = sensitive("hi"), loud = false })"#),
        s("#!/bin/sh\necho hi \n").mark_sensitive()
    );
    let error = scope.err(r#"templatefile(path, { loud = true })"#);
    assert_eq!(error.summary, "Invalid function argument");
    assert!(error.detail.unwrap_or_default().contains("greeting"));
    let error = scope.err(r#"templatefile("/nonexistent/x.tpl", {})"#);
    assert!(error.detail.unwrap_or_default().contains("no file exists"));
}
