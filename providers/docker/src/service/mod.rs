//! `docker_service`: create, batched refresh, in-place update with the service's version index,
//! delete, import and adoption of a swarm service.
//!
//! The service carries plinth's labels (its intent token among them) beside the user's, so an
//! interrupted create is found again; an update keeps them. With `converge_config` a create or
//! update waits until every replica runs (kreuzwerker's converge), and a create that does not
//! converge removes the service again.

mod duration;
mod expand;
mod flatten;

use std::collections::HashMap;
use std::time::Duration;

use plinth_sdk::wait::{self, Poll};
use plinth_sdk::{AttrPath, Context, Diagnostic, Diagnostics, Intent, PlanResponse, Value};
use serde_json::Value as Json;

use crate::attrs;
use crate::client::Engine;
use crate::engine_api::{self, failed};
use expand::single;

/// Blocks the Engine fills in: left out of the configuration, they keep what state holds.
const COMPUTED_BLOCKS: [&[&str]; 8] = [
    &["mode"],
    &["endpoint_spec"],
    &["task_spec", "resources"],
    &["task_spec", "restart_policy"],
    &["task_spec", "placement"],
    &["task_spec", "container_spec", "healthcheck"],
    &["task_spec", "container_spec", "dns_config"],
    &["labels"],
];

/// The plan of a service: computed blocks left out keep their state; a change of scheduling
/// mode replaces the service, as do changes to extra hosts, sysctls and attached networks
/// (kreuzwerker's force-new nested arguments).
pub fn plan(prior: Option<&Value>, proposed: Value) -> PlanResponse {
    let Some(prior) = prior else {
        return PlanResponse::keep(proposed);
    };
    let mut planned = proposed;
    for path in COMPUTED_BLOCKS {
        let missing = at(&planned, path).is_none_or(|v| v.is_null() || is_empty_set(v));
        if let (true, Some(kept)) = (missing, at(prior, path).filter(|v| !v.is_null())) {
            planned = set_at(planned, path, kept.clone());
        }
    }
    let mut requires_replace = Vec::new();
    let global = |v: &Value| single(v, "mode").is_some_and(|m| attrs::boolean(m, "global", false));
    if global(prior) != global(&planned) {
        requires_replace.push(AttrPath::attr("mode"));
    }
    let fixed: [&[&str]; 3] = [
        &["task_spec", "container_spec", "hosts"],
        &["task_spec", "container_spec", "sysctl"],
        &["task_spec", "networks_advanced"],
    ];
    if fixed
        .iter()
        .any(|path| !same(at(prior, path), at(&planned, path)))
    {
        requires_replace.push(AttrPath::attr("task_spec"));
    }
    PlanResponse {
        requires_replace,
        ..PlanResponse::keep(planned)
    }
}

fn is_empty_set(v: &Value) -> bool {
    matches!(v.unmarked(), Value::Set(items) if items.is_empty())
}

/// Whether two optional values are equal, null and empty collections alike, marks ignored.
fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    let norm = |v: Option<&Value>| match v.map(|v| v.clone().unmark_deep().0) {
        None | Some(Value::Null) => Value::Null,
        Some(Value::List(items) | Value::Set(items)) if items.is_empty() => Value::Null,
        Some(Value::Map(m)) if m.is_empty() => Value::Null,
        Some(other) => other,
    };
    norm(a) == norm(b)
}

/// The value at a path of single nested blocks.
fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let (last, parents) = path.split_last()?;
    let mut current = value;
    for name in parents {
        current = single(current, name)?;
    }
    current.get(last)
}

/// `value` with the attribute at `path` (through single nested blocks) set to `new`.
fn set_at(value: Value, path: &[&str], new: Value) -> Value {
    let Value::Map(mut map) = value else {
        return value;
    };
    match path {
        [] => {}
        [last] => {
            map.insert(last.to_string(), new);
        }
        [first, rest @ ..] => {
            if let Some(inner) = map.remove(*first) {
                let updated = match inner {
                    inner @ Value::Map(_) => set_at(inner, rest, new),
                    other => other,
                };
                map.insert(first.to_string(), updated);
            }
        }
    }
    Value::Map(map)
}

fn auth_headers(planned: &Value) -> Vec<(&'static str, String)> {
    expand::registry_auth(planned)
        .map(|a| vec![("X-Registry-Auth", a)])
        .unwrap_or_default()
}

/// Creates the service (and waits for it to converge when `converge_config` says so).
pub async fn create(
    engine: &Engine,
    ctx: &Context,
    planned: Value,
    intent: &Intent,
) -> Result<Value, Diagnostics> {
    let name = attrs::required(&planned, "name")?.to_string();
    let labels = attrs::labels(&planned, Some(&name), intent);
    let spec = expand::service_spec(&planned, labels)?;
    let created = engine_api::request(
        engine,
        "POST",
        "/services/create",
        Some(&spec),
        &auth_headers(&planned),
    )
    .await
    .map_err(|e| failed(format!("creating service \"{name}\" failed"), &e))?;
    let id = created["ID"].as_str().unwrap_or_default().to_string();
    if let Err(diagnostics) = converge(engine, ctx, &planned, &id).await {
        // As kreuzwerker: a service that does not converge is removed again.
        let _ = engine_api::request(engine, "DELETE", &format!("/services/{id}"), None, &[]).await;
        return Err(diagnostics);
    }
    let service = inspect(engine, &id).await?;
    Ok(observed(planned, &service))
}

/// Updates the service in place with its current version index.
pub async fn update(
    engine: &Engine,
    ctx: &Context,
    prior: Value,
    planned: Value,
) -> Result<Value, Diagnostics> {
    let id = attrs::required(&prior, "id")?.to_string();
    let current = inspect(engine, &id).await?;
    let version = current["Version"]["Index"].as_u64().unwrap_or_default();
    let mut labels: HashMap<String, String> = current["Spec"]["Labels"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("plinth."))
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    for block in attrs::blocks(&planned, "labels") {
        if let (Some(k), Some(v)) = (attrs::string(block, "label"), attrs::string(block, "value")) {
            labels.insert(k.to_string(), v.to_string());
        }
    }
    let spec = expand::service_spec(&planned, labels)?;
    let name = attrs::string(&planned, "name").unwrap_or(&id).to_string();
    engine_api::request(
        engine,
        "POST",
        &format!("/services/{id}/update?version={version}"),
        Some(&spec),
        &auth_headers(&planned),
    )
    .await
    .map_err(|e| failed(format!("updating service \"{name}\" failed"), &e))?;
    converge(engine, ctx, &planned, &id).await?;
    let service = inspect(engine, &id).await?;
    Ok(observed(planned, &service))
}

/// Refreshes many services with one list call: `None` for each one that is gone.
pub async fn read_many(
    engine: &Engine,
    priors: Vec<Value>,
) -> Result<Vec<Option<Value>>, Diagnostics> {
    let services = list(engine, "").await?;
    let by_id: HashMap<&str, &Json> = services
        .iter()
        .filter_map(|s| Some((s["ID"].as_str()?, s)))
        .collect();
    Ok(priors
        .into_iter()
        .map(|prior| {
            let service = by_id.get(attrs::string(&prior, "id")?)?;
            Some(observed(prior.clone(), service))
        })
        .collect())
}

/// The service the create with intent `token` made, if any.
pub async fn find_by_intent(
    engine: &Engine,
    planned: Value,
    token: &str,
) -> Result<Option<Value>, Diagnostics> {
    let label = format!("{}={token}", attrs::INTENT_LABEL);
    let found = list(engine, &engine_api::filters(&[("label", &label)])).await?;
    Ok(found.first().map(|s| observed(planned, s)))
}

/// Reads an existing service by id or name (`plinth import docker_service.x ID`).
pub async fn import(engine: &Engine, id: &str) -> Result<Value, Diagnostics> {
    let service = inspect(engine, id).await?;
    let base = Value::object([("auth", Value::Null), ("converge_config", Value::Null)]);
    Ok(attrs::with(base, flatten::service(&service)))
}

/// Removes the service and waits until its containers are gone (so the secrets, configs and
/// networks they used can be removed next); one already gone is fine.
pub async fn delete(engine: &Engine, ctx: &Context, prior: Value) -> Result<(), Diagnostics> {
    let Some(id) = attrs::string(&prior, "id") else {
        return Ok(());
    };
    let name = attrs::string(&prior, "name").unwrap_or(id);
    match engine_api::request(engine, "DELETE", &format!("/services/{id}"), None, &[]).await {
        Ok(_) => {}
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(failed(format!("deleting service \"{name}\" failed"), &e)),
    }
    let label = format!("com.docker.swarm.service.id={id}");
    let query = format!(
        "/containers/json?all=1&{}",
        &engine_api::filters(&[("label", &label)])[1..]
    );
    let what = format!("waiting for the containers of service \"{name}\" to stop");
    let query = &query;
    let poll = move || async move {
        let left = engine_api::request(engine, "GET", query, None, &[])
            .await
            .map_err(|e| e.message)?;
        let count = left.as_array().map_or(0, Vec::len);
        Ok::<_, String>(if count == 0 {
            Poll::Ready(())
        } else {
            Poll::Pending(format!("{count} containers left"))
        })
    };
    let (first, max) = (Duration::from_millis(250), Duration::from_secs(2));
    wait::until_growing(ctx, &what, first, max, poll)
        .await
        .map_err(|e| {
            Diagnostic::error(format!("{what} failed"))
                .with_detail(e.to_string())
                .into()
        })
}

async fn inspect(engine: &Engine, id: &str) -> Result<Json, Diagnostics> {
    engine_api::request(
        engine,
        "GET",
        &format!("/services/{}", engine_api::encode(id)),
        None,
        &[],
    )
    .await
    .map_err(|e| failed(format!("reading service \"{id}\" failed"), &e))
}

async fn list(engine: &Engine, query: &str) -> Result<Vec<Json>, Diagnostics> {
    let listed = engine_api::request(engine, "GET", &format!("/services{query}"), None, &[])
        .await
        .map_err(|e| failed("listing services failed", &e))?;
    Ok(match listed {
        Json::Array(items) => items,
        _ => Vec::new(),
    })
}

/// `value` with what the Engine reports, in the spellings `value` chose where they agree.
fn observed(value: Value, service: &Json) -> Value {
    let fresh = attrs::with(value.clone(), flatten::service(service));
    flatten::reconcile(Some(&value), fresh)
}

/// With `converge_config`: waits (after its `delay`, up to its `timeout`) until every task of
/// the service runs and no rolling update is in progress.
async fn converge(
    engine: &Engine,
    ctx: &Context,
    planned: &Value,
    id: &str,
) -> Result<(), Diagnostics> {
    let Some(config) = single(planned, "converge_config") else {
        return Ok(());
    };
    let parse = |name: &str, default: u64| {
        attrs::non_empty(config, name)
            .and_then(duration::parse)
            .map_or(Duration::from_secs(default), |n| {
                Duration::from_nanos(n.max(0) as u64)
            })
    };
    let (delay, timeout) = (parse("delay", 7), parse("timeout", 180));
    let name = attrs::string(planned, "name").unwrap_or(id).to_string();
    let what = format!("waiting for service \"{name}\" to converge");
    let query = format!(
        "/tasks{}",
        engine_api::filters(&[("service", id), ("desired-state", "running")])
    );
    let query = &query;
    let poll = move || async move {
        let service = engine_api::request(engine, "GET", &format!("/services/{id}"), None, &[])
            .await
            .map_err(|e| e.message)?;
        let state = service["UpdateStatus"]["State"]
            .as_str()
            .unwrap_or_default();
        if matches!(state, "paused" | "rollback_paused" | "rollback_completed") {
            let message = service["UpdateStatus"]["Message"]
                .as_str()
                .unwrap_or_default();
            return Err(format!("update {state}: {message}"));
        }
        let tasks = engine_api::request(engine, "GET", query, None, &[])
            .await
            .map_err(|e| e.message)?;
        let tasks = tasks.as_array().cloned().unwrap_or_default();
        let running = tasks
            .iter()
            .filter(|t| t["Status"]["State"] == "running")
            .count();
        let wanted = match service["Spec"]["Mode"]["Replicated"]["Replicas"].as_u64() {
            Some(n) => n as usize,
            None => tasks.len().max(1),
        };
        Ok(
            if running == wanted && running == tasks.len() && state != "updating" {
                Poll::Ready(())
            } else {
                Poll::Pending(format!("{running}/{wanted} running"))
            },
        )
    };
    tokio::time::sleep(delay).await;
    match tokio::time::timeout(
        timeout,
        wait::until(ctx, &what, Duration::from_secs(1), poll),
    )
    .await
    {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(
            Diagnostic::error(format!("service \"{name}\" did not converge"))
                .with_detail(e.to_string())
                .into(),
        ),
        Err(_) => Err(Diagnostic::error(format!(
            "service \"{name}\" did not converge after {}",
            duration::format(timeout.as_nanos() as i64)
        ))
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(replicas: Option<i64>, global: bool, hosts: &[&str]) -> Value {
        let mode = replicas.map_or(Value::Null, |n| {
            Value::object([
                ("global", Value::Bool(global)),
                ("replicated", Value::object([("replicas", Value::from(n))])),
            ])
        });
        let hosts = hosts
            .iter()
            .map(|h| Value::object([("host", Value::from(*h)), ("ip", Value::from("127.0.0.2"))]))
            .collect();
        Value::object([
            ("name", Value::from("web")),
            ("labels", Value::set(vec![])),
            ("mode", mode),
            (
                "task_spec",
                Value::object([(
                    "container_spec",
                    Value::object([
                        ("image", Value::from("busybox")),
                        ("hosts", Value::set(hosts)),
                    ]),
                )]),
            ),
        ])
    }

    #[test]
    fn replicas_update_in_place_and_mode_or_hosts_replace() {
        let prior = service(Some(1), false, &["db"]);
        let scaled = plan(Some(&prior), service(Some(2), false, &["db"]));
        assert!(scaled.requires_replace.is_empty());
        let global = plan(Some(&prior), service(Some(1), true, &["db"]));
        assert_eq!(global.requires_replace, [AttrPath::attr("mode")]);
        let hosts = plan(Some(&prior), service(Some(1), false, &["cache"]));
        assert_eq!(hosts.requires_replace, [AttrPath::attr("task_spec")]);
    }

    #[test]
    fn blocks_the_engine_fills_in_keep_their_state_when_left_out() {
        let prior = service(Some(3), false, &[]);
        let planned = plan(Some(&prior), service(None, false, &[])).planned;
        assert_eq!(planned.get("mode"), prior.get("mode"));
        let created = plan(None, service(None, false, &[])).planned;
        assert_eq!(created.get("mode"), Some(&Value::Null));
    }
}
