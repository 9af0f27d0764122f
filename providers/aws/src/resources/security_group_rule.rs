//! `aws_vpc_security_group_ingress_rule` and `aws_vpc_security_group_egress_rule`: one rule of a
//! security group as an object of its own (`sgr-...`), with exactly one source or destination
//! (`cidr_ipv4`, `cidr_ipv6`, `prefix_list_id` or `referenced_security_group_id`), tagged at
//! creation with the intent token. The description and tags change in place, anything else
//! replaces the rule. Refresh reads every rule in one DescribeSecurityGroupRules call per 200;
//! adoption looks among the group's rules for the intent tag. Imported by rule id.

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType, SecurityGroupRule,
    SecurityGroupRuleRequest, SecurityGroupRuleUpdate, UserIdGroupPair,
};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, Diagnostic, ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse,
    Resource, Schema, Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::batch::{self, filter};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::vpc::adopt_failed;
use crate::resources::{id, timeouts};
use crate::tags;

/// Which way a rule lets traffic through.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Direction {
    /// `aws_vpc_security_group_ingress_rule`.
    Ingress,
    /// `aws_vpc_security_group_egress_rule`.
    Egress,
}

/// One of the two resource types.
pub struct Rule(pub Direction);

/// The attributes naming where traffic comes from (ingress) or goes to (egress).
const PEERS: [&str; 4] = [
    "cidr_ipv4",
    "cidr_ipv6",
    "prefix_list_id",
    "referenced_security_group_id",
];

impl Rule {
    fn is_egress(&self) -> bool {
        self.0 == Direction::Egress
    }

    fn what(&self) -> &'static str {
        if self.is_egress() {
            "egress rule"
        } else {
            "ingress rule"
        }
    }
}

/// Whether AWS's protocol and the configured one are the same (`-1` is `all`, 6 is `tcp`...).
fn same_protocol(remote: &str, configured: &str) -> bool {
    let canonical = |p: &str| match p.to_ascii_lowercase().as_str() {
        "all" | "-1" => "-1".to_string(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        other => other.to_string(),
    };
    canonical(remote) == canonical(configured)
}

fn render(client: &Client, rule: &SecurityGroupRule, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let id = rule.security_group_rule_id().unwrap_or_default();
    let owner = rule.group_owner_id().unwrap_or_default();
    let protocol = rule.ip_protocol().unwrap_or("-1");
    let protocol = match attrs::string(prior, "ip_protocol") {
        Some(configured) if same_protocol(protocol, configured) => configured.to_string(),
        _ => protocol.to_string(),
    };
    let port = |port: Option<i32>| match port {
        Some(p) if protocol != "-1" && p != -1 => Value::int(p.into()),
        _ => Value::Null,
    };
    state
        .set("id", id)
        .set("security_group_rule_id", id)
        .set(
            "arn",
            client.arn("ec2", owner, &format!("security-group-rule/{id}")),
        )
        .set("security_group_id", attrs::opt(rule.group_id()))
        .set("from_port", port(rule.from_port()))
        .set("to_port", port(rule.to_port()))
        .set("cidr_ipv4", attrs::opt(rule.cidr_ipv4()))
        .set("cidr_ipv6", attrs::opt(rule.cidr_ipv6()))
        .set("prefix_list_id", attrs::opt(rule.prefix_list_id()))
        .set(
            "referenced_security_group_id",
            attrs::opt(rule.referenced_group_info().and_then(|g| g.group_id())),
        )
        .set("description", attrs::opt(rule.description()))
        .set("ip_protocol", protocol);
    tags::render(&client.tags, rule.tags(), prior, &mut state);
    state.build()
}

/// The rule as AWS's permission for an authorize call.
fn permission(planned: &Value) -> IpPermission {
    let description = attrs::string(planned, "description").map(str::to_string);
    let mut builder = IpPermission::builder()
        .ip_protocol(attrs::string(planned, "ip_protocol").unwrap_or("-1"))
        .set_from_port(attrs::integer(planned, "from_port").map(|p| p as i32))
        .set_to_port(attrs::integer(planned, "to_port").map(|p| p as i32));
    if let Some(cidr) = attrs::string(planned, "cidr_ipv4") {
        builder = builder.ip_ranges(
            IpRange::builder()
                .cidr_ip(cidr)
                .set_description(description.clone())
                .build(),
        );
    }
    if let Some(cidr) = attrs::string(planned, "cidr_ipv6") {
        builder = builder.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(cidr)
                .set_description(description.clone())
                .build(),
        );
    }
    if let Some(list) = attrs::string(planned, "prefix_list_id") {
        builder = builder.prefix_list_ids(
            PrefixListId::builder()
                .prefix_list_id(list)
                .set_description(description.clone())
                .build(),
        );
    }
    if let Some(group) = attrs::string(planned, "referenced_security_group_id") {
        builder = builder.user_id_group_pairs(
            UserIdGroupPair::builder()
                .group_id(group)
                .set_description(description)
                .build(),
        );
    }
    builder.build()
}

async fn describe(
    client: &Client,
    filter_name: &str,
    values: Vec<String>,
) -> Result<Vec<SecurityGroupRule>, AwsError> {
    Ok(client
        .ec2
        .describe_security_group_rules()
        .filters(filter(filter_name, values))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?)
}

async fn current(client: &Client, id: &str, prior: &Value) -> Result<Option<Value>, AwsError> {
    Ok(
        describe(client, "security-group-rule-id", vec![id.to_string()])
            .await?
            .first()
            .map(|r| render(client, r, prior)),
    )
}

/// Every rule of this direction in the client's view, for `list`.
async fn all_rules(client: &Client, egress: bool) -> Result<Vec<SecurityGroupRule>, AwsError> {
    let rules: Vec<SecurityGroupRule> = client
        .ec2
        .describe_security_group_rules()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(rules
        .into_iter()
        .filter(|r| r.is_egress() == Some(egress))
        .collect())
}

#[async_trait]
impl Resource<Client> for Rule {
    fn type_name(&self) -> &str {
        if self.is_egress() {
            "aws_vpc_security_group_egress_rule"
        } else {
            "aws_vpc_security_group_ingress_rule"
        }
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        let peer = |text: &str| Attribute::optional(Type::String).force_new().describe(text);
        let (to, from) = if self.is_egress() {
            ("to", "destination")
        } else {
            ("from", "source")
        };
        tags::attributes(Schema::new())
            .attr("id", computed("The rule's id (sgr-...)."))
            .attr("security_group_rule_id", computed("The rule's id."))
            .attr("arn", computed("The rule's ARN."))
            .attr(
                "security_group_id",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The security group the rule belongs to."),
            )
            .attr(
                "ip_protocol",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("`tcp`, `udp`, `icmp`, `-1` (all) or a number."),
            )
            .attr(
                "from_port",
                Attribute::optional(Type::Number)
                    .force_new()
                    .describe("The first port (or ICMP type); unset for protocol -1."),
            )
            .attr(
                "to_port",
                Attribute::optional(Type::Number)
                    .force_new()
                    .describe("The last port (or ICMP code); unset for protocol -1."),
            )
            .attr(
                "cidr_ipv4",
                peer(&format!(
                    "An IPv4 range traffic comes {to} (the rule's {from})."
                )),
            )
            .attr("cidr_ipv6", peer(&format!("An IPv6 range as {from}.")))
            .attr(
                "prefix_list_id",
                peer(&format!("A managed prefix list as {from}.")),
            )
            .attr(
                "referenced_security_group_id",
                peer(&format!("Another security group as {from}.")),
            )
            .attr(
                "description",
                Attribute::optional(Type::String).describe("A description."),
            )
            .timeouts(timeouts(10, 10, 10))
            .crash_safety(CrashSafety::Tagged)
            .describe(if self.is_egress() {
                "One egress rule of a security group."
            } else {
                "One ingress rule of a security group."
            })
    }

    async fn plan(&self, client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        let peers = PEERS
            .iter()
            .filter(|name| request.proposed.get(name).is_some_and(|v| !v.is_null()))
            .count();
        if peers != 1 {
            return PlanResponse {
                diagnostics: Diagnostic::error(format!(
                    "a security group {} needs exactly one of {}",
                    self.what(),
                    PEERS.join(", ")
                ))
                .into(),
                ..PlanResponse::default()
            };
        }
        tags::plan(&client.tags, request)
    }

    async fn create(
        &self,
        client: &Client,
        _ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let group = attrs::string(planned, "security_group_id").unwrap_or_default();
        let doing = format!("adding an {} to the security group {group}", self.what());
        let specification = tags::specification(
            &client.tags,
            ResourceType::SecurityGroupRule,
            planned,
            &request.intent,
        );
        let made = if self.is_egress() {
            client
                .ec2
                .authorize_security_group_egress()
                .group_id(group)
                .ip_permissions(permission(planned))
                .tag_specifications(specification)
                .send()
                .await
                .map(|out| out.security_group_rules().to_vec())
                .map_err(AwsError::from)
        } else {
            client
                .ec2
                .authorize_security_group_ingress()
                .group_id(group)
                .ip_permissions(permission(planned))
                .tag_specifications(specification)
                .send()
                .await
                .map(|out| out.security_group_rules().to_vec())
                .map_err(AwsError::from)
        };
        let rule = match made {
            Ok(rules) => match rules.into_iter().next() {
                Some(rule) => rule,
                None => {
                    return ObjectResponse::failed(
                        AwsError::other("AWS answered no rule").diagnostic(&doing),
                    )
                }
            },
            Err(e) => return ObjectResponse::failed(e.diagnostic(&doing)),
        };
        let id = rule.security_group_rule_id().unwrap_or_default();
        match current(client, id, planned).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            _ => ObjectResponse::ok(render(client, &rule, planned)),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        batch::read(
            &objects,
            "reading security group rules",
            |ids| async move {
                Ok(describe(client, "security-group-rule-id", ids)
                    .await?
                    .into_iter()
                    .map(|r| {
                        (
                            r.security_group_rule_id().unwrap_or_default().to_string(),
                            r,
                        )
                    })
                    .collect())
            },
            |rule, prior| Some(render(client, rule, prior)),
        )
        .await
    }

    async fn update(
        &self,
        client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let id = match id(&request.prior, self.type_name()) {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let (prior, planned) = (&request.prior, &request.planned);
        let doing = format!("updating the security group rule {id}");
        let mut result = Ok(());
        if attrs::changed(prior, planned, "description") {
            let group = attrs::string(prior, "security_group_id").unwrap_or_default();
            let wanted = SecurityGroupRuleRequest::builder()
                .ip_protocol(attrs::string(planned, "ip_protocol").unwrap_or("-1"))
                .set_from_port(attrs::integer(planned, "from_port").map(|p| p as i32))
                .set_to_port(attrs::integer(planned, "to_port").map(|p| p as i32))
                .set_cidr_ipv4(attrs::string(planned, "cidr_ipv4").map(str::to_string))
                .set_cidr_ipv6(attrs::string(planned, "cidr_ipv6").map(str::to_string))
                .set_prefix_list_id(attrs::string(planned, "prefix_list_id").map(str::to_string))
                .set_referenced_group_id(
                    attrs::string(planned, "referenced_security_group_id").map(str::to_string),
                )
                .set_description(attrs::string(planned, "description").map(str::to_string))
                .build();
            result = client
                .ec2
                .modify_security_group_rules()
                .group_id(group)
                .security_group_rules(
                    SecurityGroupRuleUpdate::builder()
                        .security_group_rule_id(&id)
                        .security_group_rule(wanted)
                        .build(),
                )
                .send()
                .await
                .map(|_| ())
                .map_err(AwsError::from);
        }
        if result.is_ok() {
            result = tags::update(client, &id, prior, planned).await;
        }
        match (result, current(client, &id, planned).await) {
            (Ok(()), Ok(Some(state))) => ObjectResponse::ok(state),
            (Err(e), Ok(Some(state))) => ObjectResponse::partial(state, e.diagnostic(&doing)),
            (Err(e), _) | (_, Err(e)) => ObjectResponse::failed(e.diagnostic(&doing)),
            (Ok(()), Ok(None)) => {
                ObjectResponse::failed(AwsError::other("it no longer exists").diagnostic(&doing))
            }
        }
    }

    async fn delete(
        &self,
        client: &Client,
        _ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let id = match id(&request.prior, self.type_name()) {
            Ok(id) => id,
            Err(d) => return d.into(),
        };
        let group = attrs::string(&request.prior, "security_group_id").unwrap_or_default();
        let revoked = if self.is_egress() {
            client
                .ec2
                .revoke_security_group_egress()
                .group_id(group)
                .security_group_rule_ids(&id)
                .send()
                .await
                .map(|_| ())
                .map_err(AwsError::from)
        } else {
            client
                .ec2
                .revoke_security_group_ingress()
                .group_id(group)
                .security_group_rule_ids(&id)
                .send()
                .await
                .map(|_| ())
                .map_err(AwsError::from)
        };
        match revoked {
            Err(e) if !e.is_not_found() => e
                .diagnostics(&format!("deleting the security group rule {id}"))
                .into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the security group rule {id:?}");
        match describe(client, "security-group-rule-id", vec![id.to_string()]).await {
            Ok(rules) => match rules
                .iter()
                .find(|r| r.is_egress() == Some(self.is_egress()))
            {
                Some(rule) => ObjectResponse::ok(render(client, rule, &Value::object::<&str>([]))),
                None => ObjectResponse::failed(
                    AwsError::other(format!("no such {}", self.what())).diagnostic(&doing),
                ),
            },
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let Some(group) = attrs::string(&request.planned, "security_group_id") else {
            return AdoptResponse::default();
        };
        match describe(client, "group-id", vec![group.to_string()]).await {
            Ok(rules) => AdoptResponse {
                found: rules
                    .iter()
                    .find(|r| {
                        r.tags().iter().any(|t| {
                            t.key() == Some(tags::INTENT_KEY)
                                && t.value() == Some(request.intent.token.as_str())
                        })
                    })
                    .map(|r| render(client, r, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) if e.is_not_found() => AdoptResponse::default(),
            Err(e) => adopt_failed(e, "security group rule"),
        }
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(
            all_rules(client, self.is_egress()).await.map(|rules| {
                rules
                    .iter()
                    .map(|r| render(client, r, &Value::object::<&str>([])))
                    .collect()
            }),
            "security group rules",
        )
    }
}
