//! The resource, data source and attribute reference at the end of each `docs/providers/*.md`
//! page, generated from the schemas `plinth providers schema -json` prints, so the docs cannot
//! go stale: the test fails when a committed page differs from what the schemas produce, and
//! `PLINTH_UPDATE_DOCS=1` rewrites the generated sections (the prose outside them is kept).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

use crate::support::Workspace;

/// The command that regenerates the sections, named in the failure message.
const REGENERATE: &str = "PLINTH_UPDATE_DOCS=1 cargo test --test cli_hardening provider_reference";

/// The first line of a generated section.
const BEGIN: &str =
    "<!-- BEGIN GENERATED REFERENCE: made from the provider schemas; edit the schemas, not this section -->";

/// The last line of a generated section.
const END: &str = "<!-- END GENERATED REFERENCE -->";

/// Each page under `docs/providers` and the built-in providers it documents.
const PAGES: &[(&str, &[&str])] = &[
    ("docker.md", &["docker"]),
    ("digitalocean.md", &["digitalocean"]),
    ("aws.md", &["aws"]),
    (
        "utility.md",
        &[
            "terraform",
            "random",
            "time",
            "tls",
            "null",
            "local",
            "external",
            "http",
            "archive",
        ],
    ),
];

/// The schemas of every built-in provider, as `plinth providers schema -json` prints them,
/// keyed by provider name.
fn schemas() -> Map<String, Json> {
    let names: Vec<&str> = PAGES
        .iter()
        .flat_map(|(_, names)| names.iter().copied())
        .collect();
    let required: String = names.iter().map(|n| format!("    {n} = {{}}\n")).collect();
    let ws = Workspace::with_main(&format!(
        "terraform {{\n  required_providers {{\n{required}  }}\n}}\n"
    ));
    let out = ws.run(&["providers", "schema", "-json"]);
    out.expect_ok();
    let json = out.stdout_json();
    let by_address = json["provider_schemas"]
        .as_object()
        .expect("provider_schemas")
        .clone();
    names
        .iter()
        .map(|name| {
            let (address, schema) = by_address
                .iter()
                .find(|(address, _)| address.rsplit('/').next() == Some(name))
                .unwrap_or_else(|| panic!("no schema for the built-in provider {name}"));
            let mut schema = schema.clone();
            schema["address"] = Json::String(address.clone());
            (name.to_string(), schema)
        })
        .collect()
}

/// A type in Terraform's JSON form (`"string"`, `["list", "string"]`) as written in HCL.
fn type_name(ty: &Json) -> String {
    let Json::Array(parts) = ty else {
        return ty.as_str().map_or_else(|| ty.to_string(), str::to_string);
    };
    match parts.as_slice() {
        [Json::String(kind), Json::Array(items)] if kind == "tuple" => {
            let items: Vec<String> = items.iter().map(type_name).collect();
            format!("tuple([{}])", items.join(", "))
        }
        [Json::String(kind), Json::Object(fields), ..] if kind == "object" => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k} = {}", type_name(v)))
                .collect();
            format!("object({{{}}})", fields.join(", "))
        }
        [Json::String(kind), inner] => format!("{kind}({})", type_name(inner)),
        _ => ty.to_string(),
    }
}

/// A description fit for one table cell.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// How an attribute is set: required, optional, computed, and whether it is sensitive or
/// deprecated.
fn usage(attribute: &Json) -> String {
    let set = |flag: &str| attribute[flag].as_bool() == Some(true);
    let mut words: Vec<&str> = ["required", "optional", "computed"]
        .into_iter()
        .filter(|f| set(f))
        .collect();
    if set("sensitive") {
        words.push("**sensitive**");
    }
    if set("write_only") {
        words.push("**write-only**");
    }
    if set("deprecated") {
        words.push("deprecated");
    }
    words.join(", ")
}

/// The table rows of `block`'s attributes and nested blocks, names prefixed with `prefix`.
fn rows(block: &Json, prefix: &str, out: &mut String) {
    if let Some(attributes) = block["attributes"].as_object() {
        for (name, attribute) in attributes {
            let ty = attribute
                .get("type")
                .map(type_name)
                .unwrap_or_else(|| "nested attributes".to_string());
            let description = attribute["description"].as_str().unwrap_or("");
            let _ = writeln!(
                out,
                "| `{prefix}{name}` | `{ty}` | {} | {} |",
                usage(attribute),
                cell(description)
            );
        }
    }
    if let Some(blocks) = block["block_types"].as_object() {
        for (name, nested) in blocks {
            let nesting = nested["nesting_mode"].as_str().unwrap_or("single");
            let min = nested["min_items"].as_u64().unwrap_or(0);
            let max = nested["max_items"].as_u64().unwrap_or(0);
            let count = match (min, max) {
                (0, 0) => String::new(),
                (min, 0) => format!(", at least {min}"),
                (min, max) if min == max => format!(", exactly {min}"),
                (min, max) => format!(", {min} to {max}"),
            };
            let description = nested["block"]["description"].as_str().unwrap_or("");
            let _ = writeln!(
                out,
                "| `{prefix}{name}` | block ({nesting}{count}) | | {} |",
                cell(description)
            );
            rows(&nested["block"], &format!("{prefix}{name}."), out);
        }
    }
}

/// One schema (provider block, resource or data source) as a heading and a table.
fn schema_section(heading: &str, schema: &Json, out: &mut String) {
    let version = schema["version"].as_u64().unwrap_or(0);
    let _ = writeln!(out, "#### {heading}\n");
    if let Some(description) = schema["block"]["description"].as_str() {
        let _ = writeln!(out, "{}\n", cell(description));
    }
    if version > 0 {
        let _ = writeln!(out, "Schema version {version}.\n");
    }
    let mut table = String::new();
    rows(&schema["block"], "", &mut table);
    if table.is_empty() {
        let _ = writeln!(out, "No arguments.\n");
        return;
    }
    out.push_str("| Name | Type | Use | Description |\n|---|---|---|---|\n");
    out.push_str(&table);
    out.push('\n');
}

/// The generated section of one page.
fn generate(names: &[&str], schemas: &Map<String, Json>) -> String {
    let mut out = format!(
        "{BEGIN}\n\n## Reference: every resource, data source and attribute\n\n\
         Generated from the schemas `plinth providers schema -json` prints; regenerate with \
         `{REGENERATE}`. \"Use\" says whether an argument is required, optional or computed \
         (set by the provider), and which values plinth treats as sensitive.\n\n"
    );
    for name in names {
        let schema = &schemas[*name];
        let address = schema["address"].as_str().unwrap_or(name);
        let _ = writeln!(out, "### Provider `{name}` (`{address}`)\n");
        schema_section("Provider block", &schema["provider"], &mut out);
        for (kind, key) in [
            ("Resource", "resource_schemas"),
            ("Data source", "data_source_schemas"),
        ] {
            if let Some(types) = schema[key].as_object() {
                for (type_name, schema) in types {
                    schema_section(&format!("{kind} `{type_name}`"), schema, &mut out);
                }
            }
        }
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// `text` with its generated section replaced by `section` (appended when it has none).
fn with_section(text: &str, section: &str) -> String {
    match (text.find(BEGIN), text.find(END)) {
        (Some(begin), Some(end)) if begin < end => {
            let after = text[end + END.len()..].trim_start_matches('\n');
            format!("{}{section}{after}", &text[..begin])
        }
        _ => format!("{}\n\n{section}", text.trim_end()),
    }
}

/// The directory of the provider pages.
fn pages_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/providers")
}

#[test]
fn provider_reference_went_stale_against_the_schemas() {
    let schemas = schemas();
    let update = std::env::var("PLINTH_UPDATE_DOCS").as_deref() == Ok("1");
    let mut stale = Vec::new();
    for (page, names) in PAGES {
        let path = pages_dir().join(page);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let expected = with_section(&text, &generate(names, &schemas));
        if expected != text {
            if update {
                std::fs::write(&path, expected).expect("write the page");
            } else {
                stale.push(format!("docs/providers/{page}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "the generated reference of {} differs from the provider schemas; regenerate it with `{REGENERATE}`",
        stale.join(", ")
    );
}

#[test]
fn provider_reference_lists_every_resource_and_attribute() {
    let schemas = schemas();
    let docker = generate(&["docker"], &schemas);
    assert!(
        docker.contains("#### Resource `docker_container`"),
        "{docker}"
    );
    assert!(docker.contains("#### Data source `docker_image`"));
    assert!(docker.contains("| `ports.internal` | `number` | required |"));
    let utility = generate(&["random"], &schemas);
    assert!(utility.contains("| `result` | `string` | computed, **sensitive** |"));

    let page = "# Title\n\nProse.\n";
    let once = with_section(page, "SECTION-1\n");
    assert_eq!(once, "# Title\n\nProse.\n\nSECTION-1\n");
    let framed = with_section(page, &format!("{BEGIN}\nold\n{END}\n"));
    let again = with_section(&framed, &format!("{BEGIN}\nnew\n{END}\n"));
    assert_eq!(again, format!("# Title\n\nProse.\n\n{BEGIN}\nnew\n{END}\n"));
}
