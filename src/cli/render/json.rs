//! The machine-readable plan, shaped like `terraform show -json PLANFILE` so existing tooling
//! reads it. Sensitive values are never written: each one becomes `null` in `before`/`after`
//! (and in `variables`), and the `*_sensitive` shapes mark its place with `true`. As in
//! Terraform, an object a `moved` block renames carries `previous_address`, and one a `removed`
//! block forgets is a change with the action `forget`.

use plinth_sdk::Value;
use serde_json::{json, Map, Value as Json};

use plinth_state::{InstanceAddr, InstanceKey, Mode};

use super::address::address_sort_key;
use super::reason;
use crate::plan::moves::MovedObject;
use crate::plan::{Action, Drift, Imported, OutputChange, Plan, PlannedAction, ResourceChange};

/// The version of this JSON format.
const FORMAT_VERSION: &str = "1.2";

/// The plan as JSON: `format_version`, `variables`, `resource_changes`, `resource_drift`,
/// `output_changes`, `action_graph` (what apply executes, in order) and `applyable` (whether
/// applying would change anything).
pub fn plan_to_json(plan: &Plan) -> Json {
    let variables: Map<String, Json> = plan
        .variables
        .iter()
        .map(|(name, value)| {
            let mut variable = json!({ "value": redacted(value) });
            if value.is_sensitive() {
                variable["sensitive"] = Json::Bool(true);
            }
            (name.clone(), variable)
        })
        .collect();
    let mut changes: Vec<(&str, Json)> = plan
        .changes
        .iter()
        .map(|c| (c.address.as_str(), resource_change(c, plan)))
        .chain(
            plan.imported
                .iter()
                .filter(|i| !plan.changes.iter().any(|c| c.address == i.address))
                .map(|i| (i.address.as_str(), import_only(i))),
        )
        .chain(
            plan.moved
                .iter()
                .filter(|m| !plan.changes.iter().any(|c| c.address == m.to))
                .map(|m| (m.to.as_str(), move_only(m))),
        )
        .chain(
            plan.forgotten
                .iter()
                .map(|f| (f.address.as_str(), forget(f))),
        )
        .collect();
    changes.sort_by_cached_key(|(address, _)| address_sort_key(address));
    let mut drift: Vec<&Drift> = plan.drift.iter().collect();
    drift.sort_by_cached_key(|d| address_sort_key(&d.address));
    let mut outputs: Vec<&OutputChange> = plan.outputs.iter().collect();
    outputs.sort_by(|a, b| a.name.cmp(&b.name));
    let outputs: Map<String, Json> = outputs
        .into_iter()
        .map(|o| (o.name.clone(), output_change(o)))
        .collect();
    json!({
        "format_version": FORMAT_VERSION,
        "plinth_version": env!("CARGO_PKG_VERSION"),
        "variables": variables,
        "resource_drift": drift.into_iter().map(drift_change).collect::<Vec<_>>(),
        "resource_changes": changes.into_iter().map(|(_, c)| c).collect::<Vec<_>>(),
        "output_changes": outputs,
        "action_graph": plan.actions.iter().map(action).collect::<Vec<_>>(),
        "applyable": plan.has_changes(),
    })
}

/// One step of the action graph: `id`, `action`, `address`, `deposed` when it concerns a
/// deposed object, and `after`, the ids of the steps that finish before it starts.
fn action(action: &PlannedAction) -> Json {
    let mut out = json!({
        "id": action.id,
        "action": action.step,
        "address": action.address,
        "after": action.after,
    });
    if let Some(key) = &action.deposed {
        out["deposed"] = Json::from(key.as_str());
    }
    out
}

/// An object an `import` block brings under management unchanged: a no-op with `importing`.
fn import_only(import: &Imported) -> Json {
    let mut out = identity(&import.address, &import.type_name, false);
    out.insert("provider_name".into(), Json::from(import.provider.as_str()));
    let mut body = change_body(vec!["no-op"], Some(&import.value), Some(&import.value));
    body.insert("importing".into(), json!({ "id": import.id }));
    out.insert("change".into(), Json::Object(body));
    Json::Object(out)
}

/// An object a `moved` block renames without other changes: a no-op at its new address with
/// `previous_address` (its values are in the state, not repeated here).
fn move_only(moved: &MovedObject) -> Json {
    let (type_name, data) = moved
        .to
        .parse::<InstanceAddr>()
        .map(|a| (a.type_name, a.mode == Mode::Data))
        .unwrap_or_default();
    let mut out = identity(&moved.to, &type_name, data);
    out.insert("previous_address".into(), Json::from(moved.from.as_str()));
    out.insert(
        "change".into(),
        Json::Object(change_body(vec!["no-op"], None, None)),
    );
    Json::Object(out)
}

/// An object a `removed` block with `destroy = false` takes out of state, leaving it running.
fn forget(forgotten: &ResourceChange) -> Json {
    let mut out = identity(&forgotten.address, &forgotten.type_name, forgotten.data);
    out.insert(
        "provider_name".into(),
        Json::from(forgotten.provider.as_str()),
    );
    out.insert(
        "change".into(),
        Json::Object(change_body(vec!["forget"], forgotten.before.as_ref(), None)),
    );
    Json::Object(out)
}

fn resource_change(change: &ResourceChange, plan: &Plan) -> Json {
    let mut out = identity(&change.address, &change.type_name, change.data);
    out.insert("provider_name".into(), Json::from(change.provider.as_str()));
    let after = match change.action {
        Action::Delete => None,
        _ => change.after.as_ref(),
    };
    let mut body = change_body(
        actions(change.action, change.create_before_destroy),
        change.before.as_ref(),
        after,
    );
    let replace_paths: Vec<Json> = change.replace_paths.iter().map(|p| json!([p])).collect();
    body.insert("replace_paths".into(), Json::Array(replace_paths));
    if let Some(import) = plan.imported.iter().find(|i| i.address == change.address) {
        body.insert("importing".into(), json!({ "id": import.id }));
    }
    out.insert("change".into(), Json::Object(body));
    if let Some(key) = &change.deposed {
        out.insert("deposed".into(), Json::from(key.as_str()));
    } else if let Some(moved) = plan.moved.iter().find(|m| m.to == change.address) {
        out.insert("previous_address".into(), Json::from(moved.from.as_str()));
    }
    if let Some(reason) = change.reason {
        out.insert(
            "action_reason".into(),
            Json::from(reason::json_name(reason)),
        );
    }
    Json::Object(out)
}

fn drift_change(drift: &Drift) -> Json {
    let mut out = identity(&drift.address, &drift.type_name, None);
    let action = if drift.after.is_some() {
        "update"
    } else {
        "delete"
    };
    out.insert(
        "change".into(),
        Json::Object(change_body(
            vec![action],
            Some(&drift.before),
            drift.after.as_ref(),
        )),
    );
    Json::Object(out)
}

fn output_change(output: &OutputChange) -> Json {
    let mut body = change_body(
        actions(output.action, false),
        output.before.as_ref(),
        output.after.as_ref(),
    );
    if output.sensitive {
        for (side, value) in [("before", &output.before), ("after", &output.after)] {
            body.insert(side.into(), Json::Null);
            body.insert(format!("{side}_sensitive"), Json::Bool(value.is_some()));
        }
    }
    Json::Object(body)
}

/// `address`, `module_address`, `mode`, `type`, `name`, `index`. `data` is read from the address
/// when not given.
fn identity(address: &str, type_name: &str, data: impl Into<Option<bool>>) -> Map<String, Json> {
    let parsed = address.parse::<InstanceAddr>().ok();
    let data = data
        .into()
        .unwrap_or_else(|| parsed.as_ref().is_some_and(|a| a.mode == Mode::Data));
    let mut out = Map::new();
    out.insert("address".into(), Json::from(address));
    if let Some(module) = parsed
        .as_ref()
        .map(InstanceAddr::module_path)
        .filter(|m| !m.is_empty())
    {
        out.insert("module_address".into(), Json::from(module));
    }
    out.insert(
        "mode".into(),
        Json::from(if data { "data" } else { "managed" }),
    );
    out.insert("type".into(), Json::from(type_name));
    if let Some(parsed) = &parsed {
        out.insert("name".into(), Json::from(parsed.name.as_str()));
        match &parsed.key {
            Some(InstanceKey::Int(index)) => {
                out.insert("index".into(), Json::from(*index));
            }
            Some(InstanceKey::Str(key)) => {
                out.insert("index".into(), Json::from(key.as_str()));
            }
            None => {}
        }
    }
    out
}

fn change_body(
    actions: Vec<&str>,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Map<String, Json> {
    let mut out = Map::new();
    out.insert("actions".into(), json!(actions));
    out.insert("before".into(), before.map_or(Json::Null, redacted));
    out.insert("after".into(), after.map_or(Json::Null, redacted));
    out.insert(
        "after_unknown".into(),
        after.map_or(Json::Bool(false), unknown_shape),
    );
    out.insert(
        "before_sensitive".into(),
        before.map_or(Json::Bool(false), sensitive_shape),
    );
    out.insert(
        "after_sensitive".into(),
        after.map_or(Json::Bool(false), sensitive_shape),
    );
    out
}

fn actions(action: Action, create_before_destroy: bool) -> Vec<&'static str> {
    match action {
        Action::NoOp => vec!["no-op"],
        Action::Create => vec!["create"],
        Action::Read => vec!["read"],
        Action::Update => vec!["update"],
        Action::Replace if create_before_destroy => vec!["create", "delete"],
        Action::Replace => vec!["delete", "create"],
        Action::Delete => vec!["delete"],
    }
}

/// Plain JSON with every sensitive value (and every unknown) as `null`.
fn redacted(value: &Value) -> Json {
    match value {
        Value::Sensitive(_) | Value::Unknown => Json::Null,
        Value::List(items) | Value::Set(items) => Json::Array(items.iter().map(redacted).collect()),
        Value::Map(map) => {
            Json::Object(map.iter().map(|(k, v)| (k.clone(), redacted(v))).collect())
        }
        other => other.to_json(),
    }
}

/// `true` where the value is unknown; objects keep only keys that are not `false`.
fn unknown_shape(value: &Value) -> Json {
    shape(value, &|v| matches!(v, Value::Unknown).then_some(true))
}

/// `true` where the value is sensitive; objects keep only keys that are not `false`.
fn sensitive_shape(value: &Value) -> Json {
    shape(value, &|v| v.is_sensitive().then_some(true))
}

/// Mirrors a value's structure with booleans: `leaf` decides a position outright, collections
/// (and the value behind a sensitive mark) recurse, anything else is `false`.
fn shape(value: &Value, leaf: &dyn Fn(&Value) -> Option<bool>) -> Json {
    if let Some(flag) = leaf(value) {
        return Json::Bool(flag);
    }
    match value {
        Value::Sensitive(inner) => shape(inner, leaf),
        Value::List(items) | Value::Set(items) => {
            Json::Array(items.iter().map(|v| shape(v, leaf)).collect())
        }
        Value::Map(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), shape(v, leaf)))
                .filter(|(_, v)| *v != Json::Bool(false))
                .collect(),
        ),
        _ => Json::Bool(false),
    }
}
