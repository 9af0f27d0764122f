//! `aws_security_group`: a security group with inline `ingress` and `egress` rules, tagged at
//! creation with the intent token. As Terraform does, the allow-all egress rule AWS adds to a
//! new group is removed, so the group has exactly the configured rules. Rule changes revoke the
//! rules gone and authorize the new ones in place; name, description and VPC replace the group.
//! A group written without `ingress` (or `egress`) blocks leaves those rules to the standalone
//! rule resources and does not report them as its own.
//! Refresh reads every group in one DescribeSecurityGroups call per 200; AWS merges rules of
//! equal protocol and ports, so they are split back along the configured blocks. A delete waits
//! out network interfaces still leaving. Imported by id.

use std::collections::BTreeSet;

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, ResourceType, SecurityGroup as AwsGroup, UserIdGroupPair,
};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, NestedBlock, ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse,
    Resource, Schema, Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::batch::{self, filter};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::vpc::adopt_failed;
use crate::resources::{delete_retrying, id, timeouts};
use crate::tags;

/// The resource type.
pub struct SecurityGroup;

const TYPE: &str = "aws_security_group";

/// The protocol as AWS writes it (`-1`, `tcp`, `udp`, `icmp`, or a number).
fn protocol(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "all" | "-1" => "-1".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        other => other.into(),
    }
}

/// The sources of one rule, one string each (`cidr:..`, `ipv6:..`, `sg:..`, `self`).
type Sources = BTreeSet<String>;

/// One rule as a key (protocol, from, to) and its sources.
#[derive(Clone, Debug, PartialEq)]
struct Rule {
    protocol: String,
    from: i64,
    to: i64,
    sources: Sources,
    description: Option<String>,
}

fn rule_of_block(block: &Value) -> Rule {
    let protocol = protocol(attrs::string(block, "protocol").unwrap_or("-1"));
    let all = protocol == "-1";
    let mut sources = Sources::new();
    sources.extend(
        attrs::strings(block, "cidr_blocks")
            .into_iter()
            .map(|c| format!("cidr:{c}")),
    );
    sources.extend(
        attrs::strings(block, "ipv6_cidr_blocks")
            .into_iter()
            .map(|c| format!("ipv6:{c}")),
    );
    sources.extend(
        attrs::strings(block, "security_groups")
            .into_iter()
            .map(|g| format!("sg:{g}")),
    );
    if attrs::boolean(block, "self") == Some(true) {
        sources.insert("self".into());
    }
    Rule {
        from: if all {
            0
        } else {
            attrs::integer(block, "from_port").unwrap_or(0)
        },
        to: if all {
            0
        } else {
            attrs::integer(block, "to_port").unwrap_or(0)
        },
        protocol,
        sources,
        description: attrs::string(block, "description").map(str::to_string),
    }
}

fn rules_of_permission(permission: &IpPermission, group: &str) -> Rule {
    let protocol = protocol(permission.ip_protocol().unwrap_or("-1"));
    let mut sources = Sources::new();
    let mut description = None;
    for range in permission.ip_ranges() {
        sources.insert(format!("cidr:{}", range.cidr_ip().unwrap_or_default()));
        description = description.or(range.description().map(str::to_string));
    }
    for range in permission.ipv6_ranges() {
        sources.insert(format!("ipv6:{}", range.cidr_ipv6().unwrap_or_default()));
        description = description.or(range.description().map(str::to_string));
    }
    for pair in permission.user_id_group_pairs() {
        match pair.group_id() {
            Some(id) if id == group => sources.insert("self".into()),
            Some(id) => sources.insert(format!("sg:{id}")),
            None => false,
        };
        description = description.or(pair.description().map(str::to_string));
    }
    let all = protocol == "-1";
    Rule {
        from: if all {
            0
        } else {
            permission.from_port().unwrap_or(0).into()
        },
        to: if all {
            0
        } else {
            permission.to_port().unwrap_or(0).into()
        },
        protocol,
        sources,
        description,
    }
}

fn permission(rule: &Rule, group: &str) -> IpPermission {
    let mut builder = IpPermission::builder().ip_protocol(&rule.protocol);
    if rule.protocol != "-1" {
        builder = builder.from_port(rule.from as i32).to_port(rule.to as i32);
    }
    let description = rule.description.clone();
    for source in &rule.sources {
        builder = match source.split_once(':') {
            Some(("cidr", cidr)) => builder.ip_ranges(
                IpRange::builder()
                    .cidr_ip(cidr)
                    .set_description(description.clone())
                    .build(),
            ),
            Some(("ipv6", cidr)) => builder.ipv6_ranges(
                Ipv6Range::builder()
                    .cidr_ipv6(cidr)
                    .set_description(description.clone())
                    .build(),
            ),
            Some(("sg", id)) => builder.user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id(id)
                    .set_description(description.clone())
                    .build(),
            ),
            _ => builder.user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id(group)
                    .set_description(description.clone())
                    .build(),
            ),
        };
    }
    builder.build()
}

/// A rule AWS has that no configured block accounts for, shaped as a block written with only
/// what it sets.
fn block_of_rule(rule: &Rule) -> Value {
    let pick = |prefix: &str| {
        let items: Vec<String> = rule
            .sources
            .iter()
            .filter_map(|s| s.strip_prefix(prefix).map(str::to_string))
            .collect();
        if items.is_empty() {
            Value::Null
        } else {
            attrs::string_set(items)
        }
    };
    Value::object([
        ("protocol", Value::from(rule.protocol.as_str())),
        ("from_port", Value::int(rule.from)),
        ("to_port", Value::int(rule.to)),
        ("cidr_blocks", pick("cidr:")),
        ("ipv6_cidr_blocks", pick("ipv6:")),
        ("security_groups", pick("sg:")),
        ("prefix_list_ids", Value::Null),
        (
            "self",
            if rule.sources.contains("self") {
                Value::Bool(true)
            } else {
                Value::Null
            },
        ),
        ("description", attrs::opt(rule.description.as_deref())),
    ])
}

/// AWS's rules split along the prior blocks: a prior block whose sources AWS still has (with
/// the same description) is kept as written; what is left becomes one block per protocol and
/// ports.
fn render_rules(permissions: &[IpPermission], group: &str, prior: &[&Value]) -> Value {
    let mut remote: Vec<Rule> = permissions
        .iter()
        .map(|p| rules_of_permission(p, group))
        .collect();
    let mut blocks = Vec::new();
    for block in prior {
        let wanted = rule_of_block(block);
        if let Some(have) = remote.iter_mut().find(|r| {
            r.protocol == wanted.protocol
                && r.from == wanted.from
                && r.to == wanted.to
                && wanted.sources.is_subset(&r.sources)
                && (wanted.description.is_none() || r.description == wanted.description)
        }) {
            for source in &wanted.sources {
                have.sources.remove(source);
            }
            blocks.push((*block).clone());
        }
    }
    blocks.extend(
        remote
            .iter()
            .filter(|r| !r.sources.is_empty())
            .map(block_of_rule),
    );
    Value::set(blocks)
}

/// The inline rules of one direction. A group written without blocks of that direction leaves
/// its rules to `aws_vpc_security_group_ingress_rule` / `_egress_rule` objects (as Terraform
/// does), so they are not reported as its own; an imported group (no prior) reports them all.
fn inline_rules(
    permissions: &[IpPermission],
    group: &str,
    prior: &Value,
    direction: &str,
) -> Value {
    match prior.get(direction).and_then(Value::as_list) {
        Some([]) => Value::set(Vec::new()),
        _ => render_rules(permissions, group, &attrs::blocks(prior, direction)),
    }
}

fn render(client: &Client, group: &AwsGroup, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let id = group.group_id().unwrap_or_default();
    let owner = group.owner_id().unwrap_or_default();
    state
        .set("id", id)
        .set(
            "arn",
            client.arn("ec2", owner, &format!("security-group/{id}")),
        )
        .set("name", attrs::opt(group.group_name()))
        .set("description", attrs::opt(group.description()))
        .set("vpc_id", attrs::opt(group.vpc_id()))
        .set("owner_id", owner)
        .set(
            "ingress",
            inline_rules(group.ip_permissions(), id, prior, "ingress"),
        )
        .set(
            "egress",
            inline_rules(group.ip_permissions_egress(), id, prior, "egress"),
        );
    tags::render(&client.tags, group.tags(), prior, &mut state);
    state.build()
}

async fn describe(client: &Client, ids: Vec<String>) -> Result<Vec<AwsGroup>, AwsError> {
    Ok(client
        .ec2
        .describe_security_groups()
        .filters(filter("group-id", ids))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?)
}

async fn current(client: &Client, id: &str, prior: &Value) -> Result<Option<Value>, AwsError> {
    Ok(describe(client, vec![id.to_string()])
        .await?
        .first()
        .map(|g| render(client, g, prior)))
}

/// Revokes the rules of `before` not in `after` and authorizes those of `after` not in `before`.
async fn sync_rules(
    client: &Client,
    group: &str,
    direction: &str,
    before: &[Rule],
    after: &[Rule],
) -> Result<(), AwsError> {
    let gone: Vec<IpPermission> = before
        .iter()
        .filter(|r| !after.contains(r) && !r.sources.is_empty())
        .map(|r| permission(r, group))
        .collect();
    let new: Vec<IpPermission> = after
        .iter()
        .filter(|r| !before.contains(r) && !r.sources.is_empty())
        .map(|r| permission(r, group))
        .collect();
    if !gone.is_empty() {
        let result = if direction == "ingress" {
            client
                .ec2
                .revoke_security_group_ingress()
                .group_id(group)
                .set_ip_permissions(Some(gone))
                .send()
                .await
                .map(|_| ())
                .map_err(AwsError::from)
        } else {
            client
                .ec2
                .revoke_security_group_egress()
                .group_id(group)
                .set_ip_permissions(Some(gone))
                .send()
                .await
                .map(|_| ())
                .map_err(AwsError::from)
        };
        match result {
            Err(e) if !e.is("InvalidPermission.NotFound") => return Err(e),
            _ => {}
        }
    }
    if !new.is_empty() {
        if direction == "ingress" {
            client
                .ec2
                .authorize_security_group_ingress()
                .group_id(group)
                .set_ip_permissions(Some(new))
                .send()
                .await?;
        } else {
            client
                .ec2
                .authorize_security_group_egress()
                .group_id(group)
                .set_ip_permissions(Some(new))
                .send()
                .await?;
        }
    }
    Ok(())
}

fn rules(object: &Value, direction: &str) -> Vec<Rule> {
    attrs::blocks(object, direction)
        .into_iter()
        .map(rule_of_block)
        .collect()
}

fn rule_schema() -> Schema {
    let strings = |text: &str| Attribute::optional(Type::set(Type::String)).describe(text);
    Schema::new()
        .attr(
            "from_port",
            Attribute::required(Type::Number).describe("The first port."),
        )
        .attr(
            "to_port",
            Attribute::required(Type::Number).describe("The last port."),
        )
        .attr(
            "protocol",
            Attribute::required(Type::String)
                .describe("`tcp`, `udp`, `icmp`, `-1` (all) or a number."),
        )
        .attr("cidr_blocks", strings("IPv4 ranges."))
        .attr("ipv6_cidr_blocks", strings("IPv6 ranges."))
        .attr("security_groups", strings("Security group ids."))
        .attr(
            "prefix_list_ids",
            strings("Prefix lists (not supported yet)."),
        )
        .attr(
            "self",
            Attribute::optional(Type::Bool).describe("The group itself as a source."),
        )
        .attr(
            "description",
            Attribute::optional(Type::String).describe("A description."),
        )
}

#[async_trait]
impl Resource<Client> for SecurityGroup {
    fn type_name(&self) -> &str {
        TYPE
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(
            crate::list::security_groups(client).await,
            "security groups",
        )
    }

    fn schema(&self) -> Schema {
        let computed = |text: &str| Attribute::computed(Type::String).describe(text);
        tags::attributes(Schema::new())
            .attr("id", computed("The group's id (sg-...)."))
            .attr("arn", computed("The group's ARN."))
            .attr(
                "name",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The group's name; a unique `terraform-...` name when unset."),
            )
            .attr(
                "description",
                Attribute::optional(Type::String)
                    .default("Managed by Terraform")
                    .force_new()
                    .describe("The group's description."),
            )
            .attr(
                "vpc_id",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The VPC; the default VPC when unset."),
            )
            .attr(
                "revoke_rules_on_delete",
                Attribute::optional(Type::Bool)
                    .default(false)
                    .not_read_back()
                    .describe(
                        "Revoke every rule before deleting (for groups that refer to each other).",
                    ),
            )
            .attr("owner_id", computed("The owning account."))
            .block("ingress", NestedBlock::set(rule_schema()))
            .block("egress", NestedBlock::set(rule_schema()))
            .timeouts(timeouts(10, 10, 15))
            .crash_safety(CrashSafety::Tagged)
            .describe("A security group with inline rules.")
    }

    async fn plan(&self, client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        tags::plan(&client.tags, request)
    }

    async fn create(
        &self,
        client: &Client,
        _ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let name = attrs::string(planned, "name")
            .map(str::to_string)
            .unwrap_or_else(|| format!("terraform-{}", &request.intent.token[..26]));
        let made = client
            .ec2
            .create_security_group()
            .group_name(&name)
            .description(attrs::string(planned, "description").unwrap_or("Managed by Terraform"))
            .set_vpc_id(attrs::string(planned, "vpc_id").map(str::to_string))
            .tag_specifications(tags::specification(
                &client.tags,
                ResourceType::SecurityGroup,
                planned,
                &request.intent,
            ))
            .send()
            .await;
        let id = match made {
            Ok(out) => out.group_id().unwrap_or_default().to_string(),
            Err(e) => {
                return ObjectResponse::failed(
                    AwsError::from(e).diagnostic(&format!("creating the security group {name:?}")),
                )
            }
        };
        let doing = format!("setting the rules of the security group {id}");
        // AWS's default allow-all egress rule goes: the group gets exactly the configured rules.
        let default_egress = Rule {
            protocol: "-1".into(),
            from: 0,
            to: 0,
            sources: Sources::from(["cidr:0.0.0.0/0".to_string()]),
            description: None,
        };
        let mut result = Ok(());
        if attrs::string(planned, "vpc_id").is_some() {
            result = sync_rules(
                client,
                &id,
                "egress",
                &[default_egress],
                &rules(planned, "egress"),
            )
            .await;
        }
        if result.is_ok() {
            result = sync_rules(client, &id, "ingress", &[], &rules(planned, "ingress")).await;
        }
        let mut with_name = State::from(planned);
        with_name.set("name", name.as_str());
        let with_name = with_name.build();
        let state = match current(client, &id, &with_name).await {
            Ok(Some(state)) => state,
            _ => {
                let mut state = State::from(&with_name);
                state.set("id", id.as_str());
                state.build()
            }
        };
        match result {
            Ok(()) => ObjectResponse::ok(state),
            Err(e) => ObjectResponse::partial(state, e.diagnostic(&doing)),
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
            "reading security groups",
            |ids| async move {
                Ok(describe(client, ids)
                    .await?
                    .into_iter()
                    .map(|g| (g.group_id().unwrap_or_default().to_string(), g))
                    .collect())
            },
            |group, prior| Some(render(client, group, prior)),
        )
        .await
    }

    async fn update(
        &self,
        client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let (prior, planned) = (&request.prior, &request.planned);
        let doing = format!("updating the security group {id}");
        let mut result = sync_rules(
            client,
            &id,
            "ingress",
            &rules(prior, "ingress"),
            &rules(planned, "ingress"),
        )
        .await;
        if result.is_ok() {
            result = sync_rules(
                client,
                &id,
                "egress",
                &rules(prior, "egress"),
                &rules(planned, "egress"),
            )
            .await;
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
        ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let id = match id(&request.prior, TYPE) {
            Ok(id) => id,
            Err(d) => return d.into(),
        };
        let prior = &request.prior;
        if attrs::boolean(prior, "revoke_rules_on_delete") == Some(true) {
            for direction in ["ingress", "egress"] {
                if let Err(e) =
                    sync_rules(client, &id, direction, &rules(prior, direction), &[]).await
                {
                    return e
                        .diagnostics(&format!("revoking the rules of the security group {id}"))
                        .into();
                }
            }
        }
        delete_retrying(
            ctx,
            &format!("deleting the security group {id}"),
            || async {
                client
                    .ec2
                    .delete_security_group()
                    .group_id(&id)
                    .send()
                    .await?;
                Ok(())
            },
        )
        .await
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the security group {id:?}");
        // `revoke_rules_on_delete` is plinth's setting, not AWS's: AWS cannot say it, so an import
        // takes its default, which the configuration leaving it out plans too.
        let prior = Value::object([("revoke_rules_on_delete", Value::Bool(false))]);
        match current(client, id, &prior).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("no such security group").diagnostic(&doing))
            }
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let found = client
            .ec2
            .describe_security_groups()
            .filters(tags::intent_filter(&request.intent))
            .send()
            .await;
        match found {
            Ok(out) => AdoptResponse {
                found: out
                    .security_groups()
                    .first()
                    .map(|g| render(client, g, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e.into(), "security group"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_rules_split_back_along_the_configured_blocks() {
        let block = |port: i64, cidr: &str| {
            Value::object([
                ("protocol", Value::from("tcp")),
                ("from_port", Value::int(port)),
                ("to_port", Value::int(port)),
                ("cidr_blocks", attrs::string_set([cidr])),
            ])
        };
        let a = block(22, "10.0.0.0/8");
        let b = block(22, "192.168.0.0/16");
        // AWS answers one permission for port 22 with both ranges.
        let merged = permission(
            &Rule {
                protocol: "tcp".into(),
                from: 22,
                to: 22,
                sources: Sources::from(["cidr:10.0.0.0/8".into(), "cidr:192.168.0.0/16".into()]),
                description: None,
            },
            "sg-1",
        );
        let rendered = render_rules(&[merged], "sg-1", &[&a, &b]);
        assert_eq!(rendered.as_list().unwrap().len(), 2);
        assert_eq!(protocol("ALL"), "-1");
        assert_eq!(protocol("6"), "tcp");
    }
}
