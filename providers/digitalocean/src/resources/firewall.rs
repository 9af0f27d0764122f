//! `digitalocean_firewall`: a cloud firewall with inbound and outbound rules, applied to
//! Droplets by id or by tag. Every change replaces the whole firewall (`PUT`) and is waited for
//! until DigitalOcean reports it applied (`succeeded`). Firewalls cannot carry tags of their own
//! kind, so an interrupted create is found again by name (and rules, when names repeat).
//!
//! DigitalOcean writes "every port" as `"0"` and gives ICMP rules `"0"`; a rule read back is
//! compared with the configured one by meaning (protocol, ports, sources or destinations as
//! sets), and the configuration's spelling (`all`, `1-65535`, no port range for ICMP) is kept
//! when they mean the same. Imported by id.

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, AttrPath, Attribute, Context, CrashSafety, CreateRequest,
    DeleteRequest, DeleteResponse, Diagnostic, Diagnostics, ListResponse, NestedBlock,
    ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse, Resource, Schema, Type,
    UpdateRequest, Validator, Value,
};
use serde_json::{json, Map, Value as Json};

use crate::attrs::{self, State};
use crate::client::{take, Client, Error};
use crate::list;
use crate::read::{read_listed, Listing};
use crate::resources::{id, timeouts};

/// The resource type.
pub struct Firewall;

const TYPE: &str = "digitalocean_firewall";

/// One side of the rules: the block name, the API key, the attribute prefix and the API key of
/// its targets.
struct Side {
    block: &'static str,
    api: &'static str,
    prefix: &'static str,
    targets: &'static str,
}

const INBOUND: Side = Side {
    block: "inbound_rule",
    api: "inbound_rules",
    prefix: "source_",
    targets: "sources",
};
const OUTBOUND: Side = Side {
    block: "outbound_rule",
    api: "outbound_rules",
    prefix: "destination_",
    targets: "destinations",
};

/// A rule's target kinds: the attribute suffix, the API key, and whether they are numbers.
const TARGETS: &[(&str, &str, bool)] = &[
    ("addresses", "addresses", false),
    ("droplet_ids", "droplet_ids", true),
    ("load_balancer_uids", "load_balancer_uids", false),
    ("kubernetes_ids", "kubernetes_ids", false),
    ("tags", "tags", false),
];

/// What each target kind holds, for the schema's descriptions.
fn target_meaning(suffix: &str) -> &'static str {
    match suffix {
        "addresses" => "IP addresses and CIDR ranges",
        "droplet_ids" => "Droplets (ids)",
        "load_balancer_uids" => "load balancers (ids)",
        "kubernetes_ids" => "Kubernetes clusters (ids)",
        _ => "Droplets carrying these tags",
    }
}

fn rule_schema(side: &Side) -> Schema {
    let mut schema = Schema::new()
        .attr(
            "protocol",
            Attribute::required(Type::String)
                .validate(Validator::OneOf(vec![
                    "tcp".into(),
                    "udp".into(),
                    "icmp".into(),
                ]))
                .describe("tcp, udp or icmp."),
        )
        .attr(
            "port_range",
            Attribute::optional(Type::String)
                .describe("A port, a range (8000-9000) or `all`; required for tcp and udp."),
        );
    for (suffix, _, numeric) in TARGETS {
        let ty = if *numeric {
            Type::set(Type::Number)
        } else {
            Type::set(Type::String)
        };
        schema = schema.attr(
            &format!("{}{suffix}", side.prefix),
            Attribute::optional(ty).describe(format!(
                "Traffic {} {}.",
                if side.prefix == "source_" {
                    "from"
                } else {
                    "to"
                },
                target_meaning(suffix)
            )),
        );
    }
    schema
}

/// A rule reduced to what it means, for comparing configured and read rules.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Meaning {
    protocol: String,
    ports: String,
    targets: Vec<Vec<String>>,
}

fn ports_meaning(protocol: &str, ports: &str) -> String {
    match (protocol, ports.trim()) {
        ("icmp", _) => String::new(),
        (_, "" | "0" | "all" | "1-65535") => "all".into(),
        (_, other) => other.to_string(),
    }
}

fn meaning_of_block(block: &Value, side: &Side) -> Meaning {
    let protocol = attrs::string(block, "protocol")
        .unwrap_or_default()
        .to_string();
    let ports = ports_meaning(
        &protocol,
        attrs::string(block, "port_range").unwrap_or_default(),
    );
    let targets = TARGETS
        .iter()
        .map(|(suffix, _, _)| {
            let mut items = attrs::strings(block, &format!("{}{suffix}", side.prefix));
            items.sort();
            items.dedup();
            items
        })
        .collect();
    Meaning {
        protocol,
        ports,
        targets,
    }
}

fn meaning_of_json(rule: &Json, side: &Side) -> Meaning {
    let protocol = rule
        .get("protocol")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string();
    let ports = ports_meaning(
        &protocol,
        rule.get("ports").and_then(Json::as_str).unwrap_or_default(),
    );
    let targets = TARGETS
        .iter()
        .map(|(_, key, _)| {
            let mut items: Vec<String> = rule
                .pointer(&format!("/{}/{key}", side.targets))
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| match v {
                            Json::String(s) => Some(s.clone()),
                            Json::Number(n) => Some(n.to_string()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            items.sort();
            items.dedup();
            items
        })
        .collect();
    Meaning {
        protocol,
        ports,
        targets,
    }
}

/// A rule block rendered from DigitalOcean's rule.
fn block_of_json(rule: &Json, side: &Side) -> Value {
    let meaning = meaning_of_json(rule, side);
    let mut block = vec![
        (
            "protocol".to_string(),
            Value::from(meaning.protocol.as_str()),
        ),
        (
            "port_range".to_string(),
            if meaning.protocol == "icmp" {
                Value::Null
            } else {
                Value::from(meaning.ports.as_str())
            },
        ),
    ];
    for ((suffix, _, numeric), items) in TARGETS.iter().zip(meaning.targets) {
        let value = if items.is_empty() {
            Value::Null
        } else if *numeric {
            attrs::number_set(items.iter().filter_map(|i| i.parse().ok()))
        } else {
            attrs::string_set(items)
        };
        block.push((format!("{}{suffix}", side.prefix), value));
    }
    Value::object(block)
}

/// The rules of one side as state shows them: the prior blocks when they mean what DigitalOcean
/// holds, else DigitalOcean's rules.
fn rules_state(json: &Json, prior: &Value, side: &Side) -> Value {
    let held: Vec<Json> = json
        .get(side.api)
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let mut held_meaning: Vec<Meaning> = held.iter().map(|r| meaning_of_json(r, side)).collect();
    let prior_blocks = attrs::blocks(prior, side.block);
    let mut prior_meaning: Vec<Meaning> = prior_blocks
        .iter()
        .map(|b| meaning_of_block(b, side))
        .collect();
    held_meaning.sort();
    prior_meaning.sort();
    if held_meaning == prior_meaning {
        return prior
            .get(side.block)
            .cloned()
            .unwrap_or(Value::List(Vec::new()));
    }
    Value::set(held.iter().map(|r| block_of_json(r, side)).collect())
}

/// The state of a firewall.
pub fn state(json: &Json, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let pending: Vec<Value> = json
        .get("pending_changes")
        .and_then(Json::as_array)
        .map(|changes| {
            changes
                .iter()
                .map(|c| {
                    Value::object([
                        ("droplet_id", attrs::json_number(c, "droplet_id")),
                        ("removing", attrs::json_bool(c, "removing")),
                        ("status", attrs::json_string(c, "status")),
                    ])
                })
                .collect()
        })
        .unwrap_or_default();
    state
        .set("id", attrs::json_id(json).unwrap_or_default())
        .set("name", attrs::json_string(json, "name"))
        .set("status", attrs::json_string(json, "status"))
        .set("created_at", attrs::json_string(json, "created_at"))
        .set("pending_changes", Value::List(pending))
        .set_collection("droplet_ids", attrs::json_number_set(json, "droplet_ids"))
        .set_collection("tags", attrs::json_string_set(json, "tags"))
        .set(INBOUND.block, rules_state(json, prior, &INBOUND))
        .set(OUTBOUND.block, rules_state(json, prior, &OUTBOUND));
    state.build()
}

/// DigitalOcean's rules of one side from the configured blocks.
fn rules_json(planned: &Value, side: &Side) -> Json {
    let rules: Vec<Json> = attrs::blocks(planned, side.block)
        .into_iter()
        .map(|block| {
            let protocol = attrs::string(block, "protocol").unwrap_or_default();
            let ports = match attrs::string(block, "port_range") {
                Some(ports) if protocol != "icmp" => ports.to_string(),
                _ => "0".to_string(),
            };
            let mut targets = Map::new();
            for (suffix, key, numeric) in TARGETS {
                let name = format!("{}{suffix}", side.prefix);
                let items: Vec<Json> = if *numeric {
                    attrs::integers(block, &name)
                        .into_iter()
                        .map(|n| json!(n))
                        .collect()
                } else {
                    attrs::strings(block, &name)
                        .into_iter()
                        .map(Json::String)
                        .collect()
                };
                if !items.is_empty() {
                    targets.insert((*key).to_string(), Json::Array(items));
                }
            }
            json!({ "protocol": protocol, "ports": ports, side.targets: targets })
        })
        .collect();
    Json::Array(rules)
}

/// The body of a create or replace.
fn body(planned: &Value) -> Json {
    json!({
        "name": attrs::string(planned, "name"),
        "droplet_ids": attrs::integers(planned, "droplet_ids"),
        "tags": attrs::strings(planned, "tags"),
        "inbound_rules": rules_json(planned, &INBOUND),
        "outbound_rules": rules_json(planned, &OUTBOUND),
    })
}

/// tcp and udp rules need a port range.
fn check(planned: &Value) -> Diagnostics {
    let mut problems = Diagnostics::new();
    for side in [&INBOUND, &OUTBOUND] {
        for (i, block) in attrs::blocks(planned, side.block).into_iter().enumerate() {
            let protocol = attrs::string(block, "protocol").unwrap_or_default();
            let unset = block.get("port_range").is_none_or(Value::is_null);
            if protocol != "icmp" && unset {
                problems.push(
                    Diagnostic::error(format!(
                        "a {protocol} rule needs port_range (a port, a range or \"all\")"
                    ))
                    .with_attribute(
                        AttrPath::attr(side.block)
                            .index(i as u64)
                            .then("port_range"),
                    ),
                );
            }
        }
    }
    problems
}

/// Waits for a firewall's change to be applied.
async fn settled(client: &Client, ctx: &Context, id: &str) -> Result<Json, Error> {
    let path = format!("/v2/firewalls/{id}");
    let what = format!("waiting for the firewall {id} to apply its rules");
    client
        .wait_status(ctx, &path, "firewall", "succeeded", &what)
        .await
}

/// The firewall named like `planned` (the one whose rules match, when several are).
async fn find(client: &Client, ctx: &Context, planned: &Value) -> Result<Option<Json>, Error> {
    let name = attrs::string(planned, "name").unwrap_or_default();
    let named: Vec<Json> = client
        .list_all(ctx, "/v2/firewalls", &[], "firewalls")
        .await?
        .into_iter()
        .filter(|f| f.get("name").and_then(Json::as_str) == Some(name))
        .collect();
    if named.len() <= 1 {
        return Ok(named.into_iter().next());
    }
    Ok(named.into_iter().find(|f| {
        [&INBOUND, &OUTBOUND].iter().all(|side| {
            let mut held: Vec<Meaning> = f
                .get(side.api)
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .map(|r| meaning_of_json(r, side))
                .collect();
            let mut wanted: Vec<Meaning> = attrs::blocks(planned, side.block)
                .iter()
                .map(|b| meaning_of_block(b, side))
                .collect();
            held.sort();
            wanted.sort();
            held == wanted
        })
    }))
}

#[async_trait]
impl Resource<Client> for Firewall {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        let pending = Type::Object(
            [
                ("droplet_id", Type::Number),
                ("removing", Type::Bool),
                ("status", Type::String),
            ]
            .into_iter()
            .map(|(k, ty)| {
                (
                    k.to_string(),
                    plinth_sdk::ObjectAttr {
                        ty,
                        optional: false,
                        default: None,
                    },
                )
            })
            .collect(),
        );
        Schema::new()
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The firewall's id."),
            )
            .attr(
                "name",
                Attribute::required(Type::String).describe("The firewall's name."),
            )
            .attr(
                "droplet_ids",
                Attribute::optional(Type::set(Type::Number))
                    .describe("The Droplets it applies to."),
            )
            .attr(
                "tags",
                Attribute::optional(Type::set(Type::String))
                    .describe("The tags of the Droplets it applies to."),
            )
            .attr(
                "status",
                Attribute::computed(Type::String).describe("waiting, succeeded or failed."),
            )
            .attr(
                "created_at",
                Attribute::computed(Type::String).describe("When it was created."),
            )
            .attr(
                "pending_changes",
                Attribute::computed(Type::list(pending)).describe("Changes being applied."),
            )
            .block(INBOUND.block, NestedBlock::set(rule_schema(&INBOUND)))
            .block(OUTBOUND.block, NestedBlock::set(rule_schema(&OUTBOUND)))
            .timeouts(timeouts(10, 10, 10))
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("A cloud firewall, found after a crash by its name and rules.")
    }

    async fn plan(
        &self,
        _client: &Client,
        _ctx: &Context,
        mut request: PlanRequest,
    ) -> PlanResponse {
        let diagnostics = check(&request.proposed);
        // Rules that mean what state holds are no change, whatever their spelling: an imported
        // firewall holds DigitalOcean's (`all` for every port), the configuration may say
        // `1-65535`.
        if let (Some(prior), Value::Map(map)) = (&request.prior, &mut request.proposed) {
            for side in [&INBOUND, &OUTBOUND] {
                let Some(proposed) = map.get(side.block) else {
                    continue;
                };
                if proposed.contains_unknown() {
                    continue;
                }
                let meaning = |value: &Value| {
                    let mut meaning: Vec<Meaning> = attrs::blocks(value, side.block)
                        .iter()
                        .map(|b| meaning_of_block(b, side))
                        .collect();
                    meaning.sort();
                    meaning
                };
                let kept = prior.get(side.block).cloned();
                if let Some(kept) =
                    kept.filter(|_| meaning(prior) == meaning(&Value::Map(map.clone())))
                {
                    map.insert(side.block.into(), kept);
                }
            }
        }
        PlanResponse {
            diagnostics,
            ..PlanResponse::keep(request.proposed)
        }
    }

    async fn create(
        &self,
        client: &Client,
        ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let problems = check(planned);
        if problems.has_errors() {
            return ObjectResponse::failed(problems);
        }
        let name = attrs::string(planned, "name").unwrap_or_default();
        let doing = format!("creating the firewall {name:?}");
        let made = client
            .create(ctx, "/v2/firewalls", "firewall", &body(planned), || {
                find(client, ctx, planned)
            })
            .await;
        let made = match made {
            Ok(made) => made,
            Err(e) => {
                return ObjectResponse::failed(e.diagnostic_for(
                    &doing,
                    &[
                        "name",
                        "droplet_ids",
                        "tags",
                        "inbound_rule",
                        "outbound_rule",
                    ],
                ))
            }
        };
        let id = attrs::json_id(&made).unwrap_or_default();
        match settled(client, ctx, &id).await {
            Ok(json) => ObjectResponse::ok(state(&json, planned)),
            Err(e) => ObjectResponse::partial(state(&made, planned), e.diagnostic(&doing)),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let listing = Listing {
            path: "/v2/firewalls",
            query: &[],
            key: "firewalls",
            item_key: "firewall",
            paginated: true,
            what: "reading firewalls",
        };
        let results = read_listed(
            client,
            ctx,
            &listing,
            &objects,
            |id| format!("/v2/firewalls/{id}"),
            attrs::json_id,
            state,
        )
        .await;
        ReadManyResponse {
            results,
            ..ReadManyResponse::default()
        }
    }

    async fn update(
        &self,
        client: &Client,
        ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let problems = check(planned);
        if problems.has_errors() {
            return ObjectResponse::failed(problems);
        }
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let path = format!("/v2/firewalls/{id}");
        let doing = format!("updating the firewall {id}");
        let replaced = client
            .put(ctx, &path, &body(planned))
            .await
            .and_then(|a| take(a, "firewall", "PUT", &path));
        let replaced = match replaced {
            Ok(json) => json,
            Err(e) => {
                return ObjectResponse::failed(e.diagnostic_for(
                    &doing,
                    &[
                        "name",
                        "droplet_ids",
                        "tags",
                        "inbound_rule",
                        "outbound_rule",
                    ],
                ))
            }
        };
        match settled(client, ctx, &id).await {
            Ok(json) => ObjectResponse::ok(state(&json, planned)),
            Err(e) => ObjectResponse::partial(state(&replaced, planned), e.diagnostic(&doing)),
        }
    }

    async fn delete(
        &self,
        client: &Client,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let deleted = match id(&request.prior, TYPE) {
            Ok(id) => client
                .delete(ctx, &format!("/v2/firewalls/{id}"))
                .await
                .map_err(|e| e.diagnostic(&format!("deleting the firewall {id}")).into()),
            Err(d) => Err(d),
        };
        DeleteResponse {
            diagnostics: deleted.err().unwrap_or_default(),
            ..DeleteResponse::default()
        }
    }

    async fn list(&self, client: &Client, ctx: &Context) -> ListResponse {
        let source = list::Source {
            path: "/v2/firewalls",
            key: "firewalls",
            paginated: true,
            what: "listing firewalls",
        };
        list::objects(client, ctx, &source, list::all, |json| {
            state(json, &list::nothing())
        })
        .await
    }

    async fn import(&self, client: &Client, ctx: &Context, id: &str) -> ObjectResponse {
        let path = format!("/v2/firewalls/{}", crate::client::segment(id));
        match client
            .get(ctx, &path)
            .await
            .and_then(|a| take(a, "firewall", "GET", &path))
        {
            Ok(json) => ObjectResponse::ok(state(&json, &Value::object::<&str>([]))),
            Err(e) => {
                ObjectResponse::failed(e.diagnostic(&format!("importing the firewall {id:?}")))
            }
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        match find(client, ctx, &request.planned).await {
            Ok(found) => AdoptResponse {
                found: found.map(|json| state(&json, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) => AdoptResponse {
                diagnostics: e
                    .diagnostic("looking for a firewall an interrupted create made")
                    .into(),
                ..AdoptResponse::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, ports: Option<&str>, addresses: &[&str]) -> Value {
        Value::object([
            ("protocol", Value::from(protocol)),
            ("port_range", ports.map_or(Value::Null, Value::from)),
            (
                "source_addresses",
                Value::set(addresses.iter().map(|a| Value::from(*a)).collect()),
            ),
        ])
    }

    #[test]
    fn configured_spellings_survive_a_read_that_means_the_same() {
        let prior = Value::object([(
            "inbound_rule",
            Value::set(vec![
                rule("tcp", Some("1-65535"), &["0.0.0.0/0"]),
                rule("icmp", None, &["0.0.0.0/0", "::/0"]),
            ]),
        )]);
        let held = json!({"inbound_rules": [
            {"protocol": "icmp", "ports": "0", "sources": {"addresses": ["::/0", "0.0.0.0/0"]}},
            {"protocol": "tcp", "ports": "0", "sources": {"addresses": ["0.0.0.0/0"]}}
        ]});
        assert_eq!(
            rules_state(&held, &prior, &INBOUND),
            prior.get("inbound_rule").unwrap().clone()
        );
        let changed = json!({"inbound_rules": [
            {"protocol": "tcp", "ports": "22", "sources": {"addresses": ["0.0.0.0/0"]}}
        ]});
        let read = rules_state(&changed, &prior, &INBOUND);
        let blocks = read.as_list().unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].get("port_range"), Some(&Value::from("22")));
    }

    #[test]
    fn icmp_rules_send_ports_and_tcp_rules_need_them() {
        let planned = Value::object([
            ("name", Value::from("fw")),
            (
                "inbound_rule",
                Value::set(vec![rule("icmp", None, &["0.0.0.0/0"])]),
            ),
            (
                "outbound_rule",
                Value::set(vec![rule("tcp", None, &["0.0.0.0/0"])]),
            ),
        ]);
        assert_eq!(body(&planned)["inbound_rules"][0]["ports"], "0");
        let problems = check(&planned);
        assert_eq!(problems.0.len(), 1);
        assert_eq!(
            problems.0[0].attribute,
            Some(AttrPath::attr("outbound_rule").index(0).then("port_range"))
        );
    }
}
