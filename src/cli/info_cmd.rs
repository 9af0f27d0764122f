//! Read-only commands: `output`, `show`, `graph` and `providers`.

use std::collections::BTreeMap;
use std::path::Path;

use plinth_sdk::{Diagnostic, Value};
use plinth_state::{Mode, State};

use crate::cli::setup;
use crate::cli::{render, Outcome};
use crate::engine::providers::Providers;
use crate::plan::file;

fn state_for_reading() -> Result<State, crate::cli::Failure> {
    let config = crate::config::load(Path::new(".")).map_err(|d| (d, BTreeMap::new()))?;
    let backend = setup::backend(&config)?;
    Ok(setup::load_state(&backend, &None)?)
}

/// `plinth output [-json] [-raw] [NAME]`.
pub fn output(json: bool, raw: bool, name: Option<&str>) -> Outcome {
    let state = state_for_reading()?;
    if let Some(name) = name {
        let Some(o) = state.outputs.get(name) else {
            return Err(Diagnostic::error(format!("Output \"{name}\" not found"))
                .with_detail("The output variable requested could not be found in the state file. If you recently added it to your configuration, apply it first.")
                .into());
        };
        let value = Value::from_json(&o.value);
        if json {
            crate::outln!("{}", o.value);
        } else if raw {
            match &value {
                Value::String(s) => crate::outln!("{s}"),
                Value::Number(_) | Value::Bool(_) => crate::outln!("{value}"),
                _ => {
                    return Err(Diagnostic::error("Unsupported value for raw output")
                        .with_detail(
                            "The -raw option only supports strings, numbers, and boolean values.",
                        )
                        .into())
                }
            }
        } else {
            crate::outln!("{value}");
        }
        return Ok(0);
    }
    if json {
        let map: serde_json::Map<String, serde_json::Value> = state
            .outputs
            .iter()
            .map(|(k, o)| {
                (
                    k.clone(),
                    serde_json::json!({ "sensitive": o.sensitive, "type": type_json(o), "value": o.value }),
                )
            })
            .collect();
        crate::outln!("{}", serde_json::to_string_pretty(&map).unwrap_or_default());
        return Ok(0);
    }
    if state.outputs.is_empty() {
        crate::errln!("Warning: No outputs found\n\nThe state file either has no outputs defined, or all the defined outputs are empty.");
        return Ok(0);
    }
    let outputs: BTreeMap<String, (Value, bool)> = state
        .outputs
        .iter()
        .map(|(k, o)| (k.clone(), (Value::from_json(&o.value), o.sensitive)))
        .collect();
    crate::out!("{}", render::render_outputs(&outputs));
    Ok(0)
}

/// `plinth show [-json] [PLANFILE]`.
pub fn show(json: bool, planfile: Option<&Path>, color: bool) -> Outcome {
    let providers = setup::providers();
    if let Some(path) = planfile {
        let config = crate::config::load(Path::new(".")).map_err(|d| (d, BTreeMap::new()))?;
        let plan = file::load(path, &crate::cli::backend::codec(&config, "plan")?)?;
        if json {
            crate::outln!("{}", render::plan_to_json(&plan));
        } else {
            crate::cli::plan_cmd::print_plan(&plan, &providers, color);
        }
        return Ok(0);
    }
    let state = state_for_reading()?;
    if json {
        crate::outln!("{}", state_json(&state, &providers));
        return Ok(0);
    }
    let objects = state.objects();
    if objects.is_empty() {
        crate::outln!("The state file is empty. No resources are represented.");
        return Ok(0);
    }
    for (address, instance) in &objects {
        crate::outln!("{}", render_stored(address, instance, &providers));
    }
    let outputs: BTreeMap<String, (Value, bool)> = state
        .outputs
        .iter()
        .map(|(k, o)| (k.clone(), (Value::from_json(&o.value), o.sensitive)))
        .collect();
    if !outputs.is_empty() {
        crate::outln!("\nOutputs:\n\n{}", render::render_outputs(&outputs));
    }
    Ok(0)
}

/// One instance from state rendered for people, sensitive attributes hidden (by schema and by
/// what state recorded).
pub fn render_stored(
    address: &str,
    instance: &plinth_state::Instance,
    providers: &Providers,
) -> String {
    let data = instance.mode == Mode::Data;
    let schema = if data {
        None
    } else {
        providers.schema_by_type(&instance.type_name)
    };
    let value = crate::plan::diff::mark_sensitive_opt(
        schema.as_ref(),
        Value::from_json(&instance.attributes),
        &instance.sensitive_attributes,
    );
    render::render_instance(address, &instance.type_name, data, &value, schema.as_ref())
}

/// The state as JSON for `show -json`, sensitive values replaced by `null` with the
/// attribute named in `sensitive_attributes`.
fn state_json(state: &State, providers: &Providers) -> serde_json::Value {
    let resources: Vec<serde_json::Value> = state
        .objects()
        .into_iter()
        .map(|(object, i)| {
            let parsed = object.parse::<plinth_state::ObjectAddr>().ok();
            let address = parsed
                .as_ref()
                .map_or(object.clone(), |o| o.instance.to_string());
            let deposed = parsed.and_then(|o| o.deposed).map(|k| k.to_string());
            let schema = providers.schema_by_type(&i.type_name);
            let value = crate::plan::diff::mark_sensitive_opt(
                schema.as_ref(),
                Value::from_json(&i.attributes),
                &i.sensitive_attributes,
            );
            let values: serde_json::Map<String, serde_json::Value> = value
                .as_map()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                if v.contains_sensitive() {
                                    serde_json::Value::Null
                                } else {
                                    v.to_json()
                                },
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut resource = serde_json::json!({
                "address": address,
                "mode": if i.mode == Mode::Data { "data" } else { "managed" },
                "type": i.type_name,
                "provider_name": i.provider,
                "tainted": i.status == plinth_state::Status::Tainted,
                "values": values,
                "sensitive_attributes": i.sensitive_attributes,
                "depends_on": i.dependencies,
            });
            if let Some(key) = deposed {
                resource["deposed_key"] = serde_json::Value::from(key);
            }
            resource
        })
        .collect();
    let outputs: serde_json::Map<String, serde_json::Value> = state
        .outputs
        .iter()
        .map(|(k, o)| (k.clone(), serde_json::json!({ "sensitive": o.sensitive, "type": type_json(o), "value": if o.sensitive { serde_json::Value::Null } else { o.value.clone() } })))
        .collect();
    serde_json::json!({
        "format_version": "1.0",
        "lineage": state.lineage,
        "serial": state.serial,
        "values": { "outputs": outputs, "root_module": { "resources": resources } },
    })
}

/// An output's type in cty's JSON form: as recorded, or (in states written before types were)
/// read from its value.
fn type_json(output: &plinth_state::OutputValue) -> serde_json::Value {
    output
        .ty
        .clone()
        .unwrap_or_else(|| plinth_sdk::type_of(&Value::from_json(&output.value)).to_cty_json())
}

/// `plinth graph`.
pub fn graph() -> Outcome {
    let loaded = setup::load_configuration()?;
    crate::out!("{}", crate::graph::dot::to_dot(&loaded.graph));
    Ok(0)
}
