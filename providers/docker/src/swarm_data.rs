//! `docker_secret` and `docker_config`: named data stored in the swarm, made, listed and removed
//! through the Engine's `/secrets` and `/configs` endpoints.
//!
//! Neither can change, so every argument replaces. The Engine never returns a secret's data:
//! refresh keeps the data recorded in state (as kreuzwerker does) and an import leaves it null.
//! Both carry plinth's labels, so an interrupted create is found again by its intent token.

use std::collections::HashMap;

use base64::Engine as _;
use plinth_sdk::{AttrPath, Diagnostic, Diagnostics, Intent, Value};
use serde_json::{json, Value as Json};

use crate::attrs;
use crate::client::Engine;
use crate::engine_api::{self, failed};

/// Which of the two kinds of swarm data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `docker_secret`.
    Secret,
    /// `docker_config`.
    Config,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Secret => "secret",
            Kind::Config => "config",
        }
    }

    fn collection(self) -> &'static str {
        match self {
            Kind::Secret => "/secrets",
            Kind::Config => "/configs",
        }
    }
}

/// Creates the secret or config.
pub async fn create(
    engine: &Engine,
    kind: Kind,
    planned: Value,
    intent: &Intent,
) -> Result<Value, Diagnostics> {
    let name = attrs::required(&planned, "name")?.to_string();
    let data = attrs::string(&planned, "data").unwrap_or_default();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| {
            Diagnostic::error(format!("the {} data is not base64-encoded", kind.noun()))
                .with_detail("encode it with base64encode(...)")
                .with_attribute(AttrPath::attr("data"))
        })?;
    let body = json!({
        "Name": name,
        "Labels": attrs::labels(&planned, Some(&name), intent),
        "Data": base64::engine::general_purpose::STANDARD.encode(decoded),
    });
    let created = engine_api::request(
        engine,
        "POST",
        &format!("{}/create", kind.collection()),
        Some(&body),
        &[],
    )
    .await
    .map_err(|e| failed(format!("creating {} \"{name}\" failed", kind.noun()), &e))?;
    let id = created.get("ID").and_then(Json::as_str).unwrap_or_default();
    Ok(attrs::with(planned, [("id", Value::string(id))]))
}

/// Refreshes many secrets or configs with one list call: `None` for each one that is gone.
pub async fn read_many(
    engine: &Engine,
    kind: Kind,
    priors: Vec<Value>,
) -> Result<Vec<Option<Value>>, Diagnostics> {
    let listed = list(engine, kind, "").await?;
    let by_id: HashMap<&str, &Json> = listed
        .iter()
        .filter_map(|o| Some((o.get("ID")?.as_str()?, o)))
        .collect();
    Ok(priors
        .into_iter()
        .map(|prior| {
            let object = by_id.get(attrs::string(&prior, "id")?)?;
            Some(observed(kind, prior.clone(), object))
        })
        .collect())
}

/// The secret or config the create with intent `token` made, if any.
pub async fn find_by_intent(
    engine: &Engine,
    kind: Kind,
    planned: Value,
    token: &str,
) -> Result<Option<Value>, Diagnostics> {
    let label = format!("{}={token}", attrs::INTENT_LABEL);
    let found = list(engine, kind, &engine_api::filters(&[("label", &label)])).await?;
    Ok(found.first().map(|object| observed(kind, planned, object)))
}

/// Reads an existing secret or config by id or name (`plinth import docker_config.x ID`).
pub async fn import(engine: &Engine, kind: Kind, id: &str) -> Result<Value, Diagnostics> {
    let object = engine_api::request(
        engine,
        "GET",
        &format!("{}/{}", kind.collection(), engine_api::encode(id)),
        None,
        &[],
    )
    .await
    .map_err(|e| failed(format!("reading {} \"{id}\" failed", kind.noun()), &e))?;
    let mut base = Value::object([("data", Value::Null)]);
    if kind == Kind::Secret {
        base = attrs::with(base, [("labels", Value::set(Vec::new()))]);
    }
    Ok(observed(kind, base, &object))
}

/// Removes the secret or config; one already gone is fine.
pub async fn delete(engine: &Engine, kind: Kind, prior: Value) -> Result<(), Diagnostics> {
    let Some(id) = attrs::string(&prior, "id") else {
        return Ok(());
    };
    match engine_api::request(
        engine,
        "DELETE",
        &format!("{}/{}", kind.collection(), engine_api::encode(id)),
        None,
        &[],
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(failed(
            format!(
                "deleting {} \"{}\" failed",
                kind.noun(),
                attrs::string(&prior, "name").unwrap_or(id)
            ),
            &e,
        )),
    }
}

async fn list(engine: &Engine, kind: Kind, query: &str) -> Result<Vec<Json>, Diagnostics> {
    let listed = engine_api::request(
        engine,
        "GET",
        &format!("{}{query}", kind.collection()),
        None,
        &[],
    )
    .await
    .map_err(|e| failed(format!("listing {}s failed", kind.noun()), &e))?;
    Ok(match listed {
        Json::Array(items) => items,
        _ => Vec::new(),
    })
}

/// `value` with what the Engine reports: id, name, the user's labels (secrets) and the data
/// (configs; a secret's data is never returned, so the value's is kept).
fn observed(kind: Kind, value: Value, object: &Json) -> Value {
    let spec = &object["Spec"];
    let mut pairs = vec![
        (
            "id",
            Value::string(object["ID"].as_str().unwrap_or_default()),
        ),
        (
            "name",
            Value::string(spec["Name"].as_str().unwrap_or_default()),
        ),
    ];
    match kind {
        Kind::Secret => pairs.push(("labels", user_labels(&spec["Labels"]))),
        Kind::Config => {
            if let Some(data) = spec["Data"].as_str() {
                pairs.push(("data", Value::string(data)));
            }
        }
    }
    attrs::with(value, pairs)
}

/// The `labels` blocks of an Engine label map, leaving out plinth's own.
pub fn user_labels(labels: &Json) -> Value {
    let items = labels
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !k.starts_with("plinth."))
        .map(|(k, v)| {
            Value::object([
                ("label", Value::string(k)),
                ("value", Value::string(v.as_str().unwrap_or_default())),
            ])
        })
        .collect();
    Value::set(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_keep_their_recorded_data_and_configs_read_it_back() {
        let object = json!({
            "ID": "s1",
            "Spec": {"Name": "db", "Labels": {"team": "a", "plinth.managed": "true"}, "Data": "eA=="}
        });
        let prior = Value::object([("data", Value::from("c2VjcmV0"))]);
        let secret = observed(Kind::Secret, prior.clone(), &object);
        assert_eq!(secret.get("data"), Some(&Value::from("c2VjcmV0")));
        assert_eq!(
            secret.get("labels"),
            Some(&Value::set(vec![Value::object([
                ("label", Value::from("team")),
                ("value", Value::from("a"))
            ])]))
        );
        let config = observed(Kind::Config, prior, &object);
        assert_eq!(config.get("data"), Some(&Value::from("eA==")));
        assert_eq!(config.get("id"), Some(&Value::from("s1")));
    }
}
