//! `digitalocean_loadbalancer`: a regional load balancer with forwarding rules, a health check
//! and sticky sessions, sending traffic to Droplets by id (`droplet_ids`) or by tag
//! (`droplet_tag`). Created and waited for until `active` (its address shows then); every change
//! replaces its configuration (`PUT`). DigitalOcean's description gives load balancers no tags,
//! so an interrupted create is found again by name and region. A `healthcheck` or
//! `sticky_sessions` block left out of the configuration takes DigitalOcean's defaults and is
//! not reported as drift; fields left out of one keep what DigitalOcean holds. Imported (and
//! listed) by id with both blocks read back fully, so an import of a configured load balancer
//! plans no change.

use async_trait::async_trait;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, AttrPath, Attribute, Context, CrashSafety, CreateRequest,
    DeleteRequest, DeleteResponse, Diagnostic, Diagnostics, ListResponse, NestedBlock,
    ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse, Resource, Schema, Type,
    UpdateRequest, Value,
};
use serde_json::{json, Map, Value as Json};

use crate::attrs::{self, State};
use crate::client::{take, Client, Error};
use crate::list;
use crate::read::{read_listed, Listing};
use crate::resources::{id, timeouts, wait_gone};

/// The resource type.
pub struct LoadBalancer;

const TYPE: &str = "digitalocean_loadbalancer";

/// A block's field: its name (the same in the API), whether it is a number, what it means.
type Field = (&'static str, bool, &'static str);

/// Forwarding rule fields.
const RULE_FIELDS: &[Field] = &[
    (
        "entry_protocol",
        false,
        "http, https, http2, http3, tcp or udp.",
    ),
    ("entry_port", true, "The port clients connect to."),
    ("target_protocol", false, "http, https, http2, tcp or udp."),
    ("target_port", true, "The Droplets' port."),
    (
        "certificate_id",
        false,
        "The certificate for https, http2 and http3.",
    ),
];
/// Health check fields.
const CHECK_FIELDS: &[Field] = &[
    ("protocol", false, "http, https or tcp."),
    ("port", true, "The Droplets' port checked."),
    ("path", false, "The path checked (http, https)."),
    ("check_interval_seconds", true, "Seconds between checks."),
    (
        "response_timeout_seconds",
        true,
        "Seconds to wait for an answer.",
    ),
    (
        "unhealthy_threshold",
        true,
        "Failed checks before a Droplet is taken out.",
    ),
    (
        "healthy_threshold",
        true,
        "Passed checks before a Droplet is put back.",
    ),
];
/// Sticky session fields.
const STICKY_FIELDS: &[Field] = &[
    ("type", false, "none or cookies."),
    ("cookie_name", false, "The cookie's name."),
    ("cookie_ttl_seconds", true, "The cookie's lifetime."),
];
/// Top-level flags sent as they are (all false unless set): name and meaning.
const FLAGS: &[(&str, &str)] = &[
    ("redirect_http_to_https", "Redirect http to https."),
    (
        "enable_proxy_protocol",
        "Send the PROXY protocol header to the Droplets.",
    ),
    (
        "enable_backend_keepalive",
        "Keep connections to the Droplets open.",
    ),
    (
        "disable_lets_encrypt_dns_records",
        "Make no DNS records for Let's Encrypt certificates.",
    ),
];

/// The blocks DigitalOcean fills with its defaults when they are left out: the block, its key
/// in the API, its fields and DigitalOcean's defaults (its OpenAPI description's).
const DEFAULTED: &[(&str, &str, &[Field], &str)] = &[
    (
        "healthcheck",
        "health_check",
        CHECK_FIELDS,
        r#"{"protocol": "http", "port": 80, "path": "/", "check_interval_seconds": 10, "response_timeout_seconds": 5, "unhealthy_threshold": 5, "healthy_threshold": 3}"#,
    ),
    (
        "sticky_sessions",
        "sticky_sessions",
        STICKY_FIELDS,
        r#"{"type": "none"}"#,
    ),
];

/// A block's schema: `required` fields must be set; the others, left out, keep what
/// DigitalOcean holds (its defaults on create).
fn block_schema(fields: &[Field], required: &[&str], defaulted: bool) -> Schema {
    fields
        .iter()
        .fold(Schema::new(), |schema, (name, numeric, meaning)| {
            let ty = if *numeric { Type::Number } else { Type::String };
            let attribute = if required.contains(name) {
                Attribute::required(ty)
            } else if defaulted {
                Attribute::optional_computed(ty)
            } else {
                Attribute::optional(ty)
            };
            schema.attr(name, attribute.describe(*meaning))
        })
}

/// A block's fields as DigitalOcean's JSON (unset fields left out).
fn block_json(block: &Value, fields: &[Field]) -> Json {
    let mut out = Map::new();
    for (name, numeric, _) in fields {
        let value = if *numeric {
            attrs::integer(block, name).map(|n| json!(n))
        } else {
            attrs::string(block, name).map(|s| json!(s))
        };
        if let Some(value) = value {
            out.insert((*name).to_string(), value);
        }
    }
    Json::Object(out)
}

/// A block rendered from DigitalOcean's JSON (empty strings as null).
fn block_of_json(json: &Json, fields: &[Field]) -> Value {
    Value::object(fields.iter().map(|(name, numeric, _)| {
        let value = if *numeric {
            attrs::json_number(json, name)
        } else {
            match json.get(*name).and_then(Json::as_str) {
                Some("") | None => Value::Null,
                Some(s) => Value::from(s),
            }
        };
        (*name, value)
    }))
}

/// Whether a configured block says what DigitalOcean holds (fields left out match anything).
fn block_means(block: &Value, json: &Json, fields: &[Field]) -> bool {
    let held = block_of_json(json, fields);
    fields.iter().all(|(name, _, _)| match block.get(name) {
        None => true,
        Some(v) if v.is_null() => true,
        Some(v) => held.get(name).map(Value::unmarked) == Some(v.unmarked()),
    })
}

/// The state of a load balancer.
pub fn state(json: &Json, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let id = attrs::json_id(json).unwrap_or_default();
    let held_rules: Vec<Json> = json
        .get("forwarding_rules")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let prior_rules = attrs::blocks(prior, "forwarding_rule");
    let rules_agree = prior_rules.len() == held_rules.len()
        && prior_rules.iter().all(|b| {
            held_rules
                .iter()
                .any(|r| block_means(b, r, RULE_FIELDS) && tls_means(b, r))
        });
    if !rules_agree {
        let rules: Vec<Value> = held_rules
            .iter()
            .map(|r| {
                let mut block = block_of_json(r, RULE_FIELDS);
                if let Value::Map(map) = &mut block {
                    map.insert(
                        "tls_passthrough".into(),
                        attrs::json_bool(r, "tls_passthrough"),
                    );
                    map.insert("certificate_name".into(), Value::Null);
                }
                block
            })
            .collect();
        state.set("forwarding_rule", Value::set(rules));
    }
    for (block, key, fields, _) in DEFAULTED {
        let held = json.get(*key).cloned().unwrap_or(Json::Null);
        let configured = attrs::blocks(prior, block);
        match configured.first() {
            // Left out: DigitalOcean's defaults are not drift.
            None => {}
            Some(b) if block_means(b, &held, fields) => {}
            Some(_) => {
                state.set(block, Value::List(vec![block_of_json(&held, fields)]));
            }
        }
    }
    let tag = json.get("tag").and_then(Json::as_str).unwrap_or_default();
    state
        .set("id", id.as_str())
        .set("urn", format!("do:loadbalancer:{id}"))
        .set("name", attrs::json_string(json, "name"))
        .set("ip", attrs::json_string(json, "ip"))
        .set("status", attrs::json_string(json, "status"))
        .set(
            "region",
            json.pointer("/region/slug")
                .and_then(Json::as_str)
                .map_or(Value::Null, Value::from),
        )
        .set("size", attrs::json_string(json, "size"))
        .set("size_unit", attrs::json_number(json, "size_unit"))
        .set("algorithm", attrs::json_string(json, "algorithm"))
        .set(
            "http_idle_timeout_seconds",
            attrs::json_number(json, "http_idle_timeout_seconds"),
        )
        .set("vpc_uuid", attrs::json_string(json, "vpc_uuid"))
        .set("droplet_ids", attrs::json_number_set(json, "droplet_ids"))
        .set(
            "droplet_tag",
            if tag.is_empty() {
                Value::Null
            } else {
                Value::from(tag)
            },
        );
    for (flag, _) in FLAGS {
        state.set(flag, attrs::json_bool(json, flag));
    }
    state.build()
}

/// The state of a load balancer read without a prior value (imported or listed): its
/// `healthcheck` and `sticky_sessions` blocks read back fully, DigitalOcean's defaults included.
fn read_back(json: &Json) -> Value {
    let mut state = State::from(&state(json, &list::nothing()));
    for (block, key, fields, _) in DEFAULTED {
        if let Some(held) = json.get(*key).filter(|h| h.is_object()) {
            state.set(block, Value::List(vec![block_of_json(held, fields)]));
        }
    }
    state.build()
}

/// Keeps a prior block holding DigitalOcean's defaults when the configuration leaves the block
/// out (which asks for those defaults): an imported load balancer reads them back.
fn keep_defaults(prior: &Value, proposed: &mut Value) {
    for (block, _, fields, defaults) in DEFAULTED {
        let defaults: Json = serde_json::from_str(defaults).unwrap_or_default();
        let keep = match attrs::blocks(prior, block).as_slice() {
            [held]
                if attrs::blocks(proposed, block).is_empty()
                    && block_of_json(&defaults, fields) == **held =>
            {
                (*held).clone()
            }
            _ => continue,
        };
        if let Value::Map(map) = proposed {
            map.insert((*block).to_string(), Value::List(vec![keep]));
        }
    }
}

fn tls_means(block: &Value, rule: &Json) -> bool {
    attrs::boolean(block, "tls_passthrough", false)
        == rule
            .get("tls_passthrough")
            .and_then(Json::as_bool)
            .unwrap_or(false)
}

/// The body of a create or replace.
fn body(planned: &Value) -> Json {
    let mut body = Map::new();
    body.insert("name".into(), json!(attrs::string(planned, "name")));
    body.insert("region".into(), json!(attrs::string(planned, "region")));
    let rules: Vec<Json> = attrs::blocks(planned, "forwarding_rule")
        .into_iter()
        .map(|b| {
            let mut rule = block_json(b, RULE_FIELDS);
            rule["tls_passthrough"] = json!(attrs::boolean(b, "tls_passthrough", false));
            rule
        })
        .collect();
    body.insert("forwarding_rules".into(), Json::Array(rules));
    if let Some(check) = attrs::blocks(planned, "healthcheck").first() {
        body.insert("health_check".into(), block_json(check, CHECK_FIELDS));
    }
    if let Some(sticky) = attrs::blocks(planned, "sticky_sessions").first() {
        body.insert("sticky_sessions".into(), block_json(sticky, STICKY_FIELDS));
    }
    if let Some(size) = attrs::string(planned, "size") {
        body.insert("size".into(), json!(size));
    } else if let Some(unit) = attrs::integer(planned, "size_unit") {
        body.insert("size_unit".into(), json!(unit));
    }
    if let Some(algorithm) = attrs::string(planned, "algorithm") {
        body.insert("algorithm".into(), json!(algorithm));
    }
    if let Some(timeout) = attrs::integer(planned, "http_idle_timeout_seconds") {
        body.insert("http_idle_timeout_seconds".into(), json!(timeout));
    }
    if let Some(vpc) = attrs::string(planned, "vpc_uuid") {
        body.insert("vpc_uuid".into(), json!(vpc));
    }
    for (flag, _) in FLAGS {
        body.insert((*flag).into(), json!(attrs::boolean(planned, flag, false)));
    }
    match attrs::string(planned, "droplet_tag") {
        Some(tag) => {
            body.insert("tag".into(), json!(tag));
        }
        None => {
            body.insert(
                "droplet_ids".into(),
                json!(attrs::integers(planned, "droplet_ids")),
            );
        }
    }
    Json::Object(body)
}

/// Droplets are targeted by id or by tag, not both.
fn check(planned: &Value) -> Diagnostics {
    let by_tag = attrs::string(planned, "droplet_tag").is_some();
    let by_id = planned
        .get("droplet_ids")
        .is_some_and(|v| v.as_list().is_some_and(|l| !l.is_empty()));
    if by_tag && by_id {
        Diagnostic::error("a load balancer targets droplet_ids or droplet_tag, not both")
            .with_attribute(AttrPath::attr("droplet_tag"))
            .into()
    } else {
        Diagnostics::new()
    }
}

/// The load balancer of `planned`'s name and region.
async fn find(client: &Client, ctx: &Context, planned: &Value) -> Result<Option<Json>, Error> {
    let name = attrs::string(planned, "name");
    let region = attrs::string(planned, "region");
    let all = client
        .list_all(ctx, "/v2/load_balancers", &[], "load_balancers")
        .await?;
    Ok(all.into_iter().find(|lb| {
        lb.get("name").and_then(Json::as_str) == name
            && lb.pointer("/region/slug").and_then(Json::as_str) == region
    }))
}

/// Waits for a new load balancer to be `active`; on failure, the last state seen and why.
async fn active(
    client: &Client,
    ctx: &Context,
    made: &Json,
    doing: &str,
) -> Result<Json, (Json, Error)> {
    if made.get("status").and_then(Json::as_str) == Some("active") {
        return Ok(made.clone());
    }
    let id = attrs::json_id(made).unwrap_or_default();
    let path = format!("/v2/load_balancers/{id}");
    let what = format!("{doing}: waiting for the load balancer {id} to be active");
    match client
        .wait_status(ctx, &path, "load_balancer", "active", &what)
        .await
    {
        Ok(json) => Ok(json),
        Err(e) => {
            let last = client
                .get(ctx, &path)
                .await
                .and_then(|a| take(a, "load_balancer", "GET", &path))
                .unwrap_or_else(|_| made.clone());
            Err((last, e))
        }
    }
}

#[async_trait]
impl Resource<Client> for LoadBalancer {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn schema(&self) -> Schema {
        let rule = block_schema(
            RULE_FIELDS,
            &[
                "entry_protocol",
                "entry_port",
                "target_protocol",
                "target_port",
            ],
            false,
        )
        .attr(
            "certificate_name",
            Attribute::optional(Type::String)
                .describe("A certificate's name (kept as configured)."),
        )
        .attr(
            "tls_passthrough",
            Attribute::optional(Type::Bool)
                .default(false)
                .describe("Pass TLS through to the Droplets."),
        );
        let computed = |ty: Type, text: &str| Attribute::computed(ty).describe(text);
        let mut schema = Schema::new()
            .typical_create(std::time::Duration::from_secs(90))
            .attr("id", computed(Type::String, "The load balancer's id."))
            .attr("urn", computed(Type::String, "Its uniform resource name."))
            .attr("ip", computed(Type::String, "Its public address."))
            .attr("status", computed(Type::String, "new, active or errored."))
            .attr(
                "name",
                Attribute::required(Type::String).describe("Its name."),
            )
            .attr(
                "region",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The region slug."),
            )
            .attr(
                "size",
                Attribute::optional_computed(Type::String)
                    .describe("lb-small, lb-medium or lb-large."),
            )
            .attr(
                "size_unit",
                Attribute::optional_computed(Type::Number).describe("Its size in nodes."),
            )
            .attr(
                "algorithm",
                Attribute::optional_computed(Type::String)
                    .describe("round_robin or least_connections."),
            )
            .attr(
                "http_idle_timeout_seconds",
                Attribute::optional_computed(Type::Number)
                    .describe("Idle HTTP connections are closed after it."),
            )
            .attr(
                "vpc_uuid",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The VPC; the region's default VPC when unset."),
            )
            .attr(
                "droplet_ids",
                Attribute::optional_computed(Type::set(Type::Number))
                    .describe("The Droplets it sends traffic to."),
            )
            .attr(
                "droplet_tag",
                Attribute::optional(Type::String)
                    .describe("Sends traffic to every Droplet with this tag instead."),
            )
            .block(
                "forwarding_rule",
                NestedBlock {
                    min_items: 1,
                    ..NestedBlock::set(rule)
                },
            )
            .block(
                "healthcheck",
                NestedBlock {
                    max_items: 1,
                    ..NestedBlock::list(block_schema(CHECK_FIELDS, &["protocol", "port"], true))
                },
            )
            .block(
                "sticky_sessions",
                NestedBlock {
                    max_items: 1,
                    ..NestedBlock::list(block_schema(STICKY_FIELDS, &[], true))
                },
            );
        for (flag, meaning) in FLAGS {
            schema = schema.attr(
                flag,
                Attribute::optional(Type::Bool)
                    .default(false)
                    .describe(*meaning),
            );
        }
        schema
            .timeouts(timeouts(10, 10, 10))
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("A load balancer, found after a crash by its name and region.")
    }

    async fn plan(
        &self,
        _client: &Client,
        _ctx: &Context,
        mut request: PlanRequest,
    ) -> PlanResponse {
        let diagnostics = check(&request.proposed);
        // Targeting by tag: the Droplets it reaches are known after apply.
        if let (Some(prior), Value::Map(map)) = (&request.prior, &mut request.proposed) {
            if attrs::changed(prior, &Value::Map(map.clone()), "droplet_tag")
                && map.get("droplet_tag").is_some_and(|t| !t.is_null())
            {
                map.insert("droplet_ids".into(), Value::Unknown);
            }
        }
        if let Some(prior) = &request.prior {
            keep_defaults(prior, &mut request.proposed);
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
        let doing = format!("creating the load balancer {name:?}");
        let made = client
            .create(
                ctx,
                "/v2/load_balancers",
                "load_balancer",
                &body(planned),
                || find(client, ctx, planned),
            )
            .await;
        let made = match made {
            Ok(made) => made,
            Err(e) => {
                return ObjectResponse::failed(e.diagnostic_for(
                    &doing,
                    &[
                        "name",
                        "region",
                        "size",
                        "size_unit",
                        "algorithm",
                        "droplet_ids",
                        "droplet_tag",
                        "vpc_uuid",
                        "forwarding_rule",
                        "healthcheck",
                    ],
                ))
            }
        };
        match active(client, ctx, &made, &doing).await {
            Ok(json) => ObjectResponse::ok(state(&json, planned)),
            Err((last, e)) => ObjectResponse::partial(state(&last, planned), e.diagnostic(&doing)),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let listing = Listing {
            path: "/v2/load_balancers",
            query: &[],
            key: "load_balancers",
            item_key: "load_balancer",
            paginated: true,
            what: "reading load balancers",
        };
        let results = read_listed(
            client,
            ctx,
            &listing,
            &objects,
            |id| format!("/v2/load_balancers/{id}"),
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
        let path = format!("/v2/load_balancers/{id}");
        match client
            .put(ctx, &path, &body(planned))
            .await
            .and_then(|a| take(a, "load_balancer", "PUT", &path))
        {
            Ok(json) => ObjectResponse::ok(state(&json, planned)),
            Err(e) => ObjectResponse::failed(e.diagnostic_for(
                &format!("updating the load balancer {id}"),
                &[
                    "name",
                    "size",
                    "size_unit",
                    "algorithm",
                    "droplet_ids",
                    "droplet_tag",
                    "forwarding_rule",
                    "healthcheck",
                ],
            )),
        }
    }

    async fn delete(
        &self,
        client: &Client,
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(diagnostics) => {
                return DeleteResponse {
                    diagnostics,
                    ..DeleteResponse::default()
                }
            }
        };
        let path = format!("/v2/load_balancers/{id}");
        let doing = format!("deleting the load balancer {id}");
        let deleted = async {
            client.delete(ctx, &path).await?;
            wait_gone(client, ctx, &path, &doing).await
        };
        DeleteResponse {
            diagnostics: deleted
                .await
                .err()
                .map(|e| e.diagnostic(&doing).into())
                .unwrap_or_default(),
            ..DeleteResponse::default()
        }
    }

    async fn list(&self, client: &Client, ctx: &Context) -> ListResponse {
        let source = list::Source {
            path: "/v2/load_balancers",
            key: "load_balancers",
            paginated: true,
            what: "listing load balancers",
        };
        list::objects(client, ctx, &source, list::all, read_back).await
    }

    async fn import(&self, client: &Client, ctx: &Context, id: &str) -> ObjectResponse {
        let path = format!("/v2/load_balancers/{}", crate::client::segment(id));
        match client
            .get(ctx, &path)
            .await
            .and_then(|a| take(a, "load_balancer", "GET", &path))
        {
            Ok(json) => ObjectResponse::ok(read_back(&json)),
            Err(e) => {
                ObjectResponse::failed(e.diagnostic(&format!("importing the load balancer {id:?}")))
            }
        }
    }

    async fn adopt(&self, client: &Client, ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let made = match find(client, ctx, &request.planned).await {
            Ok(Some(made)) => made,
            Ok(None) => return AdoptResponse::default(),
            Err(e) => {
                return AdoptResponse {
                    diagnostics: e
                        .diagnostic("looking for a load balancer an interrupted create made")
                        .into(),
                    ..AdoptResponse::default()
                }
            }
        };
        match active(client, ctx, &made, "adopting a load balancer").await {
            Ok(json) => AdoptResponse {
                found: Some(state(&json, &request.planned)),
                ..AdoptResponse::default()
            },
            Err((last, e)) => AdoptResponse {
                found: Some(state(&last, &request.planned)),
                diagnostics: Diagnostic::warning(format!("adopted the load balancer, but: {e}"))
                    .into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: an import rendered no `healthcheck` or `sticky_sessions` (as if left out),
    /// so the configured health check showed as an in-place update of every imported load
    /// balancer. Both are read back fully; a block left out of the configuration that holds
    /// DigitalOcean's defaults stays as it is.
    #[test]
    fn an_imported_load_balancer_reads_its_healthcheck_and_sticky_sessions_back() {
        let held = json!({
            "id": "lb-1", "status": "active", "tag": "",
            "forwarding_rules": [],
            "health_check": {"protocol": "http", "port": 80, "path": "/api/v1/health", "check_interval_seconds": 10, "response_timeout_seconds": 5, "unhealthy_threshold": 5, "healthy_threshold": 3},
            "sticky_sessions": {"type": "none"}
        });
        let imported = read_back(&held);
        let check = &attrs::blocks(&imported, "healthcheck")[0];
        assert_eq!(check.get("path"), Some(&Value::from("/api/v1/health")));
        assert_eq!(
            check.get("check_interval_seconds"),
            Some(&Value::from(10i64))
        );
        let sticky = &attrs::blocks(&imported, "sticky_sessions")[0];
        assert_eq!(sticky.get("type"), Some(&Value::from("none")));

        let mut left_out = Value::object([("sticky_sessions", Value::List(Vec::new()))]);
        keep_defaults(&imported, &mut left_out);
        assert_eq!(
            left_out.get("sticky_sessions"),
            imported.get("sticky_sessions"),
            "DigitalOcean's defaults are what a left-out block asks for"
        );
        let custom = json!({"health_check": {"protocol": "tcp", "port": 22}, "sticky_sessions": {"type": "cookies", "cookie_name": "DO", "cookie_ttl_seconds": 60}});
        let mut left_out = Value::object([("healthcheck", Value::Null)]);
        keep_defaults(&read_back(&custom), &mut left_out);
        assert_eq!(
            left_out.get("healthcheck"),
            Some(&Value::Null),
            "leaving out a block that is not the defaults resets it"
        );
    }

    #[test]
    fn left_out_blocks_are_not_drift_and_configured_ones_are_compared() {
        let prior = Value::object([
            (
                "forwarding_rule",
                Value::set(vec![Value::object([
                    ("entry_protocol", Value::from("http")),
                    ("entry_port", Value::from(80i64)),
                    ("target_protocol", Value::from("http")),
                    ("target_port", Value::from(80i64)),
                    ("tls_passthrough", Value::Bool(false)),
                ])]),
            ),
            (
                "healthcheck",
                Value::List(vec![Value::object([
                    ("protocol", Value::from("tcp")),
                    ("port", Value::from(22i64)),
                ])]),
            ),
        ]);
        let held = json!({
            "id": "lb-1", "status": "active", "tag": "",
            "forwarding_rules": [{"entry_protocol": "http", "entry_port": 80, "target_protocol": "http", "target_port": 80, "certificate_id": "", "tls_passthrough": false}],
            "health_check": {"protocol": "http", "port": 80, "path": "/"},
            "sticky_sessions": {"type": "none"}
        });
        let state = state(&held, &prior);
        assert_eq!(state.get("forwarding_rule"), prior.get("forwarding_rule"));
        let check = &state.get("healthcheck").unwrap().as_list().unwrap()[0];
        assert_eq!(
            check.get("protocol"),
            Some(&Value::from("http")),
            "drift shows"
        );
        assert_eq!(state.get("sticky_sessions"), None, "left out stays out");
        assert_eq!(state.get("droplet_tag"), Some(&Value::Null));
    }
}
