//! `docs/providers/docker.md` lists every resource type, data source and attribute the
//! provider has, and nothing it does not: each type's table names exactly its schema's
//! attributes and nested blocks.

use std::collections::BTreeSet;

use plinth_sdk::{Provider, Schema};

fn names(schema: &Schema, prefix: &str, out: &mut BTreeSet<String>) {
    for name in schema.attributes.keys() {
        out.insert(format!("{prefix}{name}"));
    }
    for (name, block) in &schema.blocks {
        out.insert(format!("{prefix}{name}"));
        names(&block.schema, &format!("{prefix}{name}."), out);
    }
}

/// The attribute names in the first column of the table under `heading`.
fn documented(doc: &str, heading: &str) -> Option<BTreeSet<String>> {
    let start = doc.lines().position(|l| l == heading)?;
    let mut found = BTreeSet::new();
    for line in doc.lines().skip(start + 1) {
        if line.starts_with("## ") || line.starts_with("### ") {
            break;
        }
        let Some(cell) = line.strip_prefix("| `") else {
            continue;
        };
        let Some((name, _)) = cell.split_once('`') else {
            continue;
        };
        found.insert(name.trim_end_matches(" { }").to_string());
    }
    Some(found)
}

#[test]
fn the_provider_document_lists_every_type_and_attribute() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/providers/docker.md"
    );
    let doc = std::fs::read_to_string(path).expect("docs/providers/docker.md");
    let schema = plinth_provider_docker::provider().schema();
    let mut problems = Vec::new();
    let sections = schema
        .resources
        .iter()
        .map(|(name, s)| (format!("### `{name}`"), s))
        .chain(
            schema
                .data_sources
                .iter()
                .map(|(name, s)| (format!("### `{name}` (data source)"), s)),
        )
        .chain(std::iter::once((
            "## The provider block".to_string(),
            &schema.provider,
        )));
    for (heading, type_schema) in sections {
        let mut wanted = BTreeSet::new();
        names(type_schema, "", &mut wanted);
        match documented(&doc, &heading) {
            None => problems.push(format!("no section {heading}")),
            Some(found) if found != wanted => problems.push(format!(
                "{heading}: missing {:?}, not in the schema {:?}",
                wanted.difference(&found).collect::<Vec<_>>(),
                found.difference(&wanted).collect::<Vec<_>>()
            )),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
