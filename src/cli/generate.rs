//! `-generate-config-out=FILE`: resource blocks written for the `import` blocks whose target has
//! no configuration (`plan`), or import blocks (and resource blocks) for the unmanaged objects a
//! drift check found (`drift -unmanaged`), always into a new file.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use plinth_sdk::{Diagnostic, Diagnostics, Value};
use tokio::runtime::Runtime;

use crate::cli::args::VarArgs;
use crate::cli::setup::{self, Loaded};
use crate::cli::{values, Failure};
use crate::config::{Import, Mode};
use crate::engine::expand::Binding;
use crate::engine::providers::Providers;
use crate::engine::results::InstanceScope;
use crate::engine::walker::eval_error;
use crate::eval;
use crate::graph::{default_provider, provider_key};
use crate::plan::drift::Unmanaged;
use crate::plan::generate::{self, GeneratedObject};
use crate::plan::{diff, imports, Action, Plan};

/// Writes resource blocks for the unconfigured targets of `loaded`'s import blocks to `out`.
/// Returns whether it wrote anything (then the configuration must be loaded again).
pub fn for_import_blocks(
    runtime: &Runtime,
    loaded: &Loaded,
    vars: &VarArgs,
    out: &Path,
) -> Result<bool, Failure> {
    let sources = loaded.config.sources.clone();
    let failure = |diagnostics: Diagnostics| Failure {
        diagnostics,
        sources: sources.clone(),
    };
    let missing = imports::unconfigured(&loaded.config);
    if missing.is_empty() {
        return Ok(false);
    }
    refuse_existing(out).map_err(failure)?;
    let providers = setup::providers_for(&loaded.config).map_err(failure)?;
    let (variables, _) = setup::variables(&loaded.config, vars).map_err(failure)?;
    let walked = values::evaluate(runtime, loaded, &providers, &variables).map_err(failure)?;
    let workspace = setup::workspace();
    let scope = InstanceScope {
        results: &walked.results,
        module: "",
        config: &loaded.config.root,
        binding: &Binding::None,
        module_dir: &loaded.config.root.dir,
        workspace: &workspace,
        planning: true,
        providers: &providers,
    };
    let mut objects = Vec::new();
    let mut diagnostics = Diagnostics::new();
    for import in missing {
        match read(runtime, &providers, import, &scope) {
            Ok(object) => objects.push(object),
            Err(d) => diagnostics.extend(d),
        }
    }
    providers.close();
    if diagnostics.has_errors() {
        return Err(failure(diagnostics));
    }
    let text = generate::write(&objects, &|t| providers.schema_by_type(t), false);
    write_new(out, &text).map_err(failure)?;
    crate::outln!(
        "Generated configuration for {} imported resource(s) in {}: review it, then apply.\n",
        objects.len(),
        out.display()
    );
    Ok(true)
}

/// Reads the object one unconfigured import block names.
fn read(
    runtime: &Runtime,
    providers: &Providers,
    import: &Import,
    scope: &InstanceScope<'_>,
) -> Result<GeneratedObject, Diagnostics> {
    let address = import.config_address();
    if !import.module.is_empty() {
        return Err(imports::unconfigured_error(import).into());
    }
    if import.for_each.is_some() || import.key.is_some() {
        return Err(Diagnostic::error("Cannot generate configuration for this import block")
            .with_detail(format!("The import block for {address} has a for_each argument or an instance key; plinth generates configuration for single resources only. Write the resource block (with its count or for_each) yourself, then plan again."))
            .with_span(import.span.clone())
            .into());
    }
    let id = eval::evaluate(&import.id.expr, scope)
        .map_err(|e| Diagnostics::from(eval_error(e, &import.id.span, &address)))?;
    let Some(id) = id.unmark_deep().0.as_str().map(str::to_string) else {
        return Err(Diagnostic::error("Invalid import id argument")
            .with_detail("The import ID must be a known string.")
            .with_span(import.id.span.clone())
            .into());
    };
    let key = match &import.provider {
        Some(p) => provider_key(&p.name, p.alias.as_deref()),
        None => provider_key(default_provider(&import.type_name), None),
    };
    let provider = providers.get(&key).ok_or_else(|| {
        Diagnostics::from(
            Diagnostic::error(format!("Provider \"{key}\" is not configured"))
                .with_span(import.span.clone()),
        )
    })?;
    let (value, _private) = runtime.block_on(imports::read_object(
        provider.as_ref(),
        &providers.context(),
        &import.type_name,
        &id,
        &address,
    ))?;
    let value = match providers.resource_schema(&key, Mode::Managed, &import.type_name) {
        Some(schema) => diff::normalise(&schema, value),
        None => value,
    };
    Ok(GeneratedObject {
        type_name: import.type_name.clone(),
        name: import.name.clone(),
        id,
        value,
    })
}

/// The configured instance each unmanaged object of `found` is imported to, if any: the one
/// `known` already names, else a planned create of `configured` that describes it (same type and
/// name, or the arguments it carries) and no other object took.
pub fn import_targets<'a>(
    found: &[Unmanaged],
    configured: &'a Plan,
    known: &'a [Option<String>],
) -> Vec<Option<String>> {
    let taken: BTreeSet<&str> = known.iter().flatten().map(String::as_str).collect();
    let mut creates: Vec<(&str, &'a str, &Value)> = configured
        .changes
        .iter()
        .filter(|c| c.action == Action::Create && !c.data && !taken.contains(c.address.as_str()))
        .filter_map(|c| Some((c.type_name.as_str(), c.address.as_str(), c.after.as_ref()?)))
        .collect();
    let mut targets: Vec<Option<&'a str>> = found
        .iter()
        .zip(known)
        .map(|(object, known)| match known {
            Some(address) => Some(address.as_str()),
            None => creates
                .iter()
                .position(|(t, _, planned)| {
                    *t == object.type_name && identifies(planned, &object.value)
                })
                .map(|i| creates.remove(i).1),
        })
        .collect();
    pair_the_only_ones(found, &mut targets, &mut creates);
    targets.into_iter().map(|t| t.map(str::to_string)).collect()
}

/// Writes import blocks for the unmanaged objects `found` to `out`: to its configured instance
/// where `targets` names one (rebuilding lost state), or to a new resource block written with
/// them. Returns how many objects it wrote blocks for.
pub fn for_unmanaged(
    found: &[Unmanaged],
    targets: &[Option<String>],
    providers: &Providers,
    out: &Path,
) -> Result<usize, Diagnostics> {
    if found.is_empty() {
        return Ok(0);
    }
    refuse_existing(out)?;
    let mut text = String::from("# __generated__ by plinth drift -unmanaged\n");
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut new_objects = Vec::new();
    for (object, target) in found.iter().zip(targets) {
        match target {
            Some(address) => text.push_str(&format!(
                "\nimport {{\n  to = {address}\n  id = {}\n}}\n",
                hcl_string(&object.id)
            )),
            None => {
                let name = unique_name(object, &mut taken);
                new_objects.push(GeneratedObject {
                    type_name: object.type_name.clone(),
                    name,
                    id: object.id.clone(),
                    value: object.value.clone(),
                });
            }
        }
    }
    if !new_objects.is_empty() {
        text.push_str(&generate::write(
            &new_objects,
            &|t| providers.schema_by_type(t),
            true,
        ));
    }
    write_new(out, &text)?;
    Ok(found.len())
}

/// Whether the planned create `planned` describes `object`: by name when both have one,
/// otherwise by every known argument the plan sets (scalars and maps of scalars such as tags,
/// at least one of them not empty) that the listed object carries. A listing may answer less
/// than a read (AWS lists id, name and tags), so arguments it leaves out are not compared.
fn identifies(planned: &Value, object: &Value) -> bool {
    let name = |v: &Value| v.get("name").and_then(Value::as_str).map(str::to_string);
    if let (Some(a), Some(b)) = (name(planned), name(object)) {
        return a == b;
    }
    let Value::Map(fields) = planned else {
        return false;
    };
    let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
    let mut compared = 0;
    for (key, value) in fields {
        let comparable = match value {
            Value::Map(entries) => !entries.is_empty() && entries.values().all(scalar),
            other => scalar(other),
        };
        if !comparable {
            continue;
        }
        match object.get(key) {
            None => continue,
            Some(listed) if listed != value => return false,
            Some(_) => compared += 1,
        }
    }
    compared > 0
}

/// Pairs the objects nothing identified with the planned creates left: where a type has exactly
/// one of each and no known argument disagrees, the object is that instance's. A type with no
/// name whose arguments all refer to objects still to be created (a database cluster's
/// firewall, whose `cluster_id` is unknown until the cluster is imported) is found this way.
fn pair_the_only_ones<'a>(
    found: &[Unmanaged],
    targets: &mut [Option<&'a str>],
    creates: &mut Vec<(&str, &'a str, &Value)>,
) {
    let left = |type_name: &str, targets: &[Option<&str>]| {
        found
            .iter()
            .zip(targets.iter())
            .filter(|(o, t)| o.type_name == type_name && t.is_none())
            .count()
    };
    for index in 0..found.len() {
        let object = &found[index];
        if targets[index].is_some() || left(&object.type_name, targets) != 1 {
            continue;
        }
        let mut candidates = creates
            .iter()
            .enumerate()
            .filter(|(_, (t, _, _))| *t == object.type_name);
        let (Some((position, (_, _, planned))), None) = (candidates.next(), candidates.next())
        else {
            continue;
        };
        if disagrees(planned, &object.value) {
            continue;
        }
        targets[index] = Some(creates.remove(position).1);
    }
}

/// Whether a known scalar argument the plan sets differs from the listed object's.
fn disagrees(planned: &Value, object: &Value) -> bool {
    let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
    planned.as_map().is_some_and(|fields| {
        fields.iter().any(|(key, value)| {
            scalar(value) && object.get(key).is_some_and(|listed| listed != value)
        })
    })
}

/// A resource name for an unmanaged object: its name (or id) in the characters HCL allows.
fn unique_name(object: &Unmanaged, taken: &mut BTreeSet<String>) -> String {
    let raw = object.name.as_deref().unwrap_or(&object.id);
    let mut base: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        base.insert(0, '_');
    }
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(format!("{}.{name}", object.type_name)) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

fn hcl_string(text: &str) -> String {
    hcl::format::to_string(&hcl::Expression::String(text.to_string()))
        .unwrap_or_else(|_| serde_json::Value::from(text).to_string())
}

/// Terraform's refusal to overwrite: generated configuration goes to a new file only.
fn refuse_existing(out: &Path) -> Result<(), Diagnostics> {
    if out.exists() {
        return Err(Diagnostic::error("Target generated file already exists")
            .with_detail(format!("plinth writes generated configuration only to a new file, and {} exists. Choose another file name, or move its blocks elsewhere and delete it.", out.display()))
            .into());
    }
    Ok(())
}

fn write_new(out: &Path, text: &str) -> Result<(), Diagnostics> {
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    written.map_err(|e| {
        Diagnostic::error("Failed to write generated configuration")
            .with_detail(format!("{}: {e}", out.display()))
            .into()
    })
}
