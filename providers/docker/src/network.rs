//! `docker_network`: create, batched refresh, delete, and the `docker_network` data source.
//!
//! Networks have no update call in the Engine API, so every configured attribute replaces; a
//! refresh only has to tell which networks still exist (one list call) and fill computed ones.

use std::collections::HashMap;

use bollard::models::{Ipam, IpamConfig, Network, NetworkCreateRequest};
use bollard::query_parameters::{InspectNetworkOptions, ListNetworksOptionsBuilder};
use bollard::Docker;
use plinth_sdk::{AttrPath, Diagnostic, Diagnostics, Intent, PlanResponse, Value};

use crate::attrs;
use crate::client::{failed, is_not_found};

/// The plan of a network: IPAM settings the engine chose (seen after an import) are kept when
/// the configuration leaves `ipam_config` out, and the deprecated `check_duplicate` is warned
/// about.
pub fn plan(prior: Option<&Value>, proposed: Value) -> PlanResponse {
    let mut diagnostics = Diagnostics::new();
    if proposed
        .get("check_duplicate")
        .is_some_and(|v| !v.is_null())
    {
        diagnostics.push(
            Diagnostic::warning("Argument is deprecated")
                .with_detail(
                    "check_duplicate is deprecated: the Docker Engine always refuses a second \
                     network of the same name, and plinth checks before creating.",
                )
                .with_attribute(AttrPath::attr("check_duplicate")),
        );
    }
    let keep_ipam = prior.filter(|_| attrs::blocks(&proposed, "ipam_config").is_empty());
    let planned = match keep_ipam
        .and_then(|p| p.get("ipam_config"))
        .filter(|v| !v.is_null())
    {
        Some(ipam) => attrs::with(proposed, [("ipam_config", ipam.clone())]),
        None => proposed,
    };
    PlanResponse {
        diagnostics,
        ..PlanResponse::keep(planned)
    }
}

/// Creates a network; refuses a name already taken (Engine 20.10 would silently duplicate it).
pub async fn create(
    docker: &Docker,
    planned: Value,
    intent: &Intent,
) -> Result<Value, Diagnostics> {
    let name = attrs::required(&planned, "name")?.to_string();
    let filters = HashMap::from([("name", vec![name.as_str()])]);
    let existing = docker
        .list_networks(Some(
            ListNetworksOptionsBuilder::new().filters(&filters).build(),
        ))
        .await
        .map_err(|e| failed(format!("listing networks named \"{name}\" failed"), &e))?;
    if let Some(other) = existing
        .iter()
        .find(|n| n.name.as_deref() == Some(name.as_str()))
    {
        if left_by_interrupted_run(other, intent) {
            if let Some(id) = other.id.as_deref() {
                if docker.remove_network(id).await.is_ok() {
                    return Box::pin(create(docker, planned, intent)).await;
                }
            }
        }
        return Err(
            Diagnostic::error(format!("a network named \"{name}\" already exists"))
                .with_detail(format!(
                    "id {}; remove it or choose another name",
                    other.id.as_deref().unwrap_or("?")
                ))
                .into(),
        );
    }
    let ipam_configs: Vec<IpamConfig> = attrs::blocks(&planned, "ipam_config")
        .into_iter()
        .map(|b| IpamConfig {
            subnet: attrs::non_empty(b, "subnet").map(str::to_string),
            gateway: attrs::non_empty(b, "gateway").map(str::to_string),
            ip_range: attrs::non_empty(b, "ip_range").map(str::to_string),
            auxiliary_addresses: Some(attrs::string_map(b, "aux_address"))
                .filter(|a| !a.is_empty()),
        })
        .collect();
    let ipam_driver = attrs::non_empty(&planned, "ipam_driver").filter(|d| *d != "default");
    let ipam_options = attrs::string_map(&planned, "ipam_options");
    let request = NetworkCreateRequest {
        name: name.clone(),
        driver: Some(
            attrs::non_empty(&planned, "driver")
                .unwrap_or("bridge")
                .to_string(),
        ),
        internal: Some(attrs::boolean(&planned, "internal", false)),
        attachable: Some(attrs::boolean(&planned, "attachable", false)),
        ingress: Some(attrs::boolean(&planned, "ingress", false)),
        enable_ipv6: Some(attrs::boolean(&planned, "ipv6", false)),
        options: Some(attrs::string_map(&planned, "options")).filter(|o| !o.is_empty()),
        ipam: (!ipam_configs.is_empty() || ipam_driver.is_some() || !ipam_options.is_empty()).then(
            || Ipam {
                driver: ipam_driver.map(str::to_string),
                config: Some(ipam_configs).filter(|c| !c.is_empty()),
                options: Some(ipam_options).filter(|o| !o.is_empty()),
            },
        ),
        labels: Some(attrs::labels(&planned, Some(&name), intent)),
        ..NetworkCreateRequest::default()
    };
    let created = docker
        .create_network(request)
        .await
        .map_err(|e| failed(format!("creating network \"{name}\" failed"), &e))?;
    remove_orphans_of(docker, &created.id).await?;
    let inspected = docker
        .inspect_network(&created.id, None::<InspectNetworkOptions>)
        .await
        .map_err(|e| {
            failed(
                format!("reading network \"{name}\" after creating it failed"),
                &e,
            )
        })?;
    Ok(with_computed(planned, &inspected))
}

/// Whether `network` was made for the same address and workspace by a run that died before
/// recording it (its create reached the engine late, after the next run had looked for it) and
/// nothing uses it: then it may be removed and made again.
fn left_by_interrupted_run(network: &Network, intent: &Intent) -> bool {
    let labels = network.labels.clone().unwrap_or_default();
    labels.get(attrs::ADDRESS_LABEL) == Some(&intent.address)
        && labels.get(attrs::WORKSPACE_LABEL) == Some(&intent.workspace)
        && labels
            .get(attrs::INTENT_LABEL)
            .is_some_and(|token| token != &intent.token)
        && network.containers.as_ref().is_none_or(HashMap::is_empty)
}

/// Removes the networks named like `keep` that an interrupted run of the same address and
/// workspace created (its create reached the engine after the run died, so none recorded it)
/// and that nothing uses. The Engine allows two networks of one name, and containers on either
/// then fail to start ("network ... is ambiguous"). Returns how many it removed.
pub async fn remove_orphans_of(docker: &Docker, keep: &str) -> Result<usize, Diagnostics> {
    let kept = docker
        .inspect_network(keep, None::<InspectNetworkOptions>)
        .await
        .map_err(|e| failed(format!("reading network \"{keep}\" failed"), &e))?;
    let (Some(name), Some(kept_id)) = (kept.name.as_deref(), kept.id.as_deref()) else {
        return Ok(0);
    };
    let labels = kept.labels.clone().unwrap_or_default();
    let (Some(address), Some(workspace)) = (
        labels.get(attrs::ADDRESS_LABEL),
        labels.get(attrs::WORKSPACE_LABEL),
    ) else {
        return Ok(0);
    };
    let filters = HashMap::from([("name", vec![name])]);
    let same_name = docker
        .list_networks(Some(
            ListNetworksOptionsBuilder::new().filters(&filters).build(),
        ))
        .await
        .map_err(|e| failed(format!("listing networks named \"{name}\" failed"), &e))?;
    let mut removed = 0;
    for other in same_name {
        let other_labels = other.labels.clone().unwrap_or_default();
        let orphan = other.name.as_deref() == Some(name)
            && other.id.as_deref().is_some_and(|id| id != kept_id)
            && other_labels.get(attrs::ADDRESS_LABEL) == Some(address)
            && other_labels.get(attrs::WORKSPACE_LABEL) == Some(workspace)
            && other.containers.as_ref().is_none_or(HashMap::is_empty);
        if let (true, Some(id)) = (orphan, other.id.as_deref()) {
            if docker.remove_network(id).await.is_ok() {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// Refreshes many networks with one list call: `None` for each one that is gone.
pub async fn read_many(
    docker: &Docker,
    priors: Vec<Value>,
) -> Result<Vec<Option<Value>>, Diagnostics> {
    let networks = docker
        .list_networks(None::<bollard::query_parameters::ListNetworksOptions>)
        .await
        .map_err(|e| failed("listing networks failed", &e))?;
    let by_id: HashMap<&str, &Network> = networks
        .iter()
        .filter_map(|n| Some((n.id.as_deref()?, n)))
        .collect();
    Ok(priors
        .into_iter()
        .map(|prior| {
            let id = attrs::string(&prior, "id")?;
            let network = by_id.get(id)?;
            Some(with_computed(prior.clone(), network))
        })
        .collect())
}

/// The network the create with intent `token` made, if any (found by its intent label).
pub async fn find_by_intent(
    docker: &Docker,
    planned: Value,
    token: &str,
) -> Result<Option<Value>, Diagnostics> {
    let label = format!("{}={token}", attrs::INTENT_LABEL);
    let filters = HashMap::from([("label", vec![label.as_str()])]);
    let found = docker
        .list_networks(Some(
            ListNetworksOptionsBuilder::new().filters(&filters).build(),
        ))
        .await
        .map_err(|e| failed("listing networks failed", &e))?;
    let Some(id) = found.first().and_then(|n| n.id.clone()) else {
        return Ok(None);
    };
    match docker
        .inspect_network(&id, None::<InspectNetworkOptions>)
        .await
    {
        Ok(inspected) => Ok(Some(with_computed(planned, &inspected))),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(failed(format!("reading network {id} failed"), &e).into()),
    }
}

/// Every network of the engine except the predefined ones (`bridge`, `host`, `none`).
pub async fn list_all(docker: &Docker) -> Result<Vec<Value>, Diagnostics> {
    let networks = docker
        .list_networks(None::<bollard::query_parameters::ListNetworksOptions>)
        .await
        .map_err(|e| failed("listing networks failed", &e))?;
    let mut out = Vec::new();
    for network in networks {
        let predefined = matches!(network.name.as_deref(), Some("bridge" | "host" | "none"));
        if let (Some(id), false) = (network.id.as_deref(), predefined) {
            out.push(import(docker, id).await?);
        }
    }
    Ok(out)
}

/// Reads an existing network by id or name (`plinth import docker_network.x ID`).
pub async fn import(docker: &Docker, id: &str) -> Result<Value, Diagnostics> {
    let network = docker
        .inspect_network(id, None::<InspectNetworkOptions>)
        .await
        .map_err(|e| failed(format!("reading network \"{id}\" failed"), &e))?;
    Ok(with_computed(configured(&network), &network))
}

/// Deletes a network; one already gone is fine, one still in use gives Docker's message.
pub async fn delete(docker: &Docker, prior: Value) -> Result<(), Diagnostics> {
    let Some(id) = attrs::string(&prior, "id") else {
        return Ok(());
    };
    match docker.remove_network(id).await {
        Ok(()) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(failed(
            format!(
                "deleting network \"{}\" failed",
                attrs::string(&prior, "name").unwrap_or(id)
            ),
            &e,
        )
        .into()),
    }
}

/// The `docker_network` data source: looks a network up by name (or id).
pub async fn read_data(docker: &Docker, config: Value) -> Result<Value, Diagnostics> {
    let name = attrs::required(&config, "name")?;
    let network = docker
        .inspect_network(name, None::<InspectNetworkOptions>)
        .await
        .map_err(|e| failed(format!("reading network \"{name}\" failed"), &e))?;
    let ipam: Vec<Value> = network
        .ipam
        .as_ref()
        .and_then(|i| i.config.as_ref())
        .map(|configs| {
            configs
                .iter()
                .map(|c| {
                    Value::object([
                        ("subnet", attrs::string_or_null(c.subnet.as_deref())),
                        ("gateway", attrs::string_or_null(c.gateway.as_deref())),
                        ("ip_range", attrs::string_or_null(c.ip_range.as_deref())),
                    ])
                })
                .collect()
        })
        .unwrap_or_default();
    let options = network
        .options
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Ok(attrs::with(
        config,
        [
            ("id", attrs::string_or_null(network.id.as_deref())),
            ("driver", attrs::string_or_null(network.driver.as_deref())),
            ("internal", Value::Bool(network.internal.unwrap_or(false))),
            ("scope", attrs::string_or_null(network.scope.as_deref())),
            ("options", Value::Map(options)),
            ("ipam_config", Value::List(ipam)),
        ],
    ))
}

/// The configurable attributes of an existing network, as its configuration would set them
/// (import): plinth's own labels are left out, defaults are spelled out.
fn configured(network: &Network) -> Value {
    let ipam = network.ipam.as_ref();
    let configs: Vec<Value> = ipam
        .and_then(|i| i.config.as_ref())
        .into_iter()
        .flatten()
        .map(|c| {
            let aux = c
                .auxiliary_addresses
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            Value::object([
                ("subnet", attrs::string_or_null(c.subnet.as_deref())),
                ("gateway", attrs::string_or_null(c.gateway.as_deref())),
                ("ip_range", attrs::string_or_null(c.ip_range.as_deref())),
                (
                    "aux_address",
                    if c.auxiliary_addresses
                        .as_ref()
                        .is_some_and(|a| !a.is_empty())
                    {
                        Value::Map(aux)
                    } else {
                        Value::Null
                    },
                ),
            ])
        })
        .collect();
    let string_map = |map: Option<&HashMap<String, String>>| -> Value {
        match map.filter(|m| !m.is_empty()) {
            Some(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::string(v)))
                    .collect(),
            ),
            None => Value::Null,
        }
    };
    let labels: Vec<Value> = network
        .labels
        .iter()
        .flatten()
        .filter(|(k, _)| !k.starts_with("plinth."))
        .map(|(k, v)| Value::object([("label", Value::string(k)), ("value", Value::string(v))]))
        .collect();
    Value::object([
        ("name", attrs::string_or_null(network.name.as_deref())),
        ("driver", attrs::string_or_null(network.driver.as_deref())),
        ("internal", Value::Bool(network.internal.unwrap_or(false))),
        (
            "attachable",
            Value::Bool(network.attachable.unwrap_or(false)),
        ),
        ("ingress", Value::Bool(network.ingress.unwrap_or(false))),
        ("ipv6", Value::Bool(network.enable_ipv6.unwrap_or(false))),
        (
            "ipam_driver",
            Value::string(
                ipam.and_then(|i| i.driver.as_deref())
                    .filter(|d| !d.is_empty())
                    .unwrap_or("default"),
            ),
        ),
        (
            "ipam_options",
            string_map(ipam.and_then(|i| i.options.as_ref())),
        ),
        ("options", string_map(network.options.as_ref())),
        (
            "ipam_config",
            if configs.is_empty() {
                Value::Null
            } else {
                Value::set(configs)
            },
        ),
        (
            "labels",
            if labels.is_empty() {
                Value::Null
            } else {
                Value::set(labels)
            },
        ),
    ])
}

fn with_computed(value: Value, network: &Network) -> Value {
    let driver = attrs::string(&value, "driver").map(Value::string);
    attrs::with(
        value,
        [
            ("id", attrs::string_or_null(network.id.as_deref())),
            ("scope", attrs::string_or_null(network.scope.as_deref())),
            (
                "driver",
                driver.unwrap_or_else(|| attrs::string_or_null(network.driver.as_deref())),
            ),
        ],
    )
}
