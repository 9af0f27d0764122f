//! `aws_db_subnet_group` and `aws_db_parameter_group`: RDS groups, named uniquely in an
//! account, so an interrupted create is found again by name (they also carry the intent token
//! as a tag from their create call). A subnet group's description and subnets change in place;
//! a parameter group's parameters are modified or reset in place. Refresh lists each kind once
//! (RDS filters neither by name); a parameter group's own parameters take one call per group.
//! Tags are read on create and import, and kept from state on refresh (RDS lists tags one
//! object at a time). Imported by name.

use async_trait::async_trait;
use aws_sdk_rds::types::{ApplyMethod, DbParameterGroup, DbSubnetGroup, Parameter};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, NestedBlock, ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse,
    ReadResult, Resource, Schema, Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::vpc::adopt_failed;
use crate::resources::{id, rds_tags};
use crate::tags;

/// `aws_db_subnet_group`.
pub struct DbSubnetGroupResource;
/// `aws_db_parameter_group`.
pub struct DbParameterGroupResource;

fn render_subnet_group(group: &DbSubnetGroup, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let name = group.db_subnet_group_name().unwrap_or_default();
    state
        .set("id", name)
        .set("name", name)
        .set("arn", attrs::opt(group.db_subnet_group_arn()))
        .set(
            "description",
            attrs::opt(group.db_subnet_group_description()),
        )
        .set("vpc_id", attrs::opt(group.vpc_id()))
        .set(
            "subnet_ids",
            attrs::string_set(group.subnets().iter().filter_map(|s| s.subnet_identifier())),
        );
    state.build()
}

async fn subnet_groups(
    client: &Client,
    name: Option<&str>,
) -> Result<Vec<DbSubnetGroup>, AwsError> {
    let listed = client
        .rds
        .describe_db_subnet_groups()
        .set_db_subnet_group_name(name.map(str::to_string))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await;
    match listed.map_err(AwsError::from) {
        Err(e) if e.is_not_found() => Ok(vec![]),
        other => other,
    }
}

/// Reads every object of a kind listed once: found by name, else gone.
fn by_name<T>(
    objects: &[Value],
    listed: &[T],
    name_of: impl Fn(&T) -> Option<&str>,
    render: impl Fn(&T, &Value) -> Value,
) -> Vec<ReadResult> {
    objects
        .iter()
        .map(|object| {
            let name = attrs::string(object, "id").unwrap_or_default();
            match listed.iter().find(|item| name_of(item) == Some(name)) {
                Some(item) => ReadResult::Found(render(item, object)),
                None => ReadResult::Gone,
            }
        })
        .collect()
}

#[async_trait]
impl Resource<Client> for DbSubnetGroupResource {
    fn type_name(&self) -> &str {
        "aws_db_subnet_group"
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(
            crate::list::db_subnet_groups(client).await,
            "DB subnet groups",
        )
    }

    fn schema(&self) -> Schema {
        tags::attributes(Schema::new())
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The group's name."),
            )
            .attr(
                "name",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The group's name."),
            )
            .attr(
                "description",
                Attribute::optional(Type::String)
                    .default("Managed by Terraform")
                    .describe("A description."),
            )
            .attr(
                "subnet_ids",
                Attribute::required(Type::set(Type::String))
                    .describe("Subnets in at least two zones."),
            )
            .attr(
                "arn",
                Attribute::computed(Type::String).describe("The group's ARN."),
            )
            .attr(
                "vpc_id",
                Attribute::computed(Type::String).describe("The subnets' VPC."),
            )
            .crash_safety(CrashSafety::Tagged)
            .describe("A DB subnet group.")
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
        let name = attrs::string(planned, "name").unwrap_or_default();
        let made = client
            .rds
            .create_db_subnet_group()
            .db_subnet_group_name(name)
            .db_subnet_group_description(
                attrs::string(planned, "description").unwrap_or("Managed by Terraform"),
            )
            .set_subnet_ids(Some(attrs::strings(planned, "subnet_ids")))
            .set_tags(Some(rds_tags(tags::at_creation(
                &client.tags,
                planned,
                &request.intent,
            ))))
            .send()
            .await;
        match made {
            Ok(out) => {
                let mut state = State::from(&render_subnet_group(
                    &out.db_subnet_group()
                        .cloned()
                        .unwrap_or_else(|| DbSubnetGroup::builder().build()),
                    planned,
                ));
                state.set(
                    "tags_all",
                    attrs::map_value(&tags::all(&client.tags, planned)),
                );
                ObjectResponse::ok(state.build())
            }
            Err(e) => ObjectResponse::failed(AwsError::from(e).diagnostic_at(
                &format!("creating the DB subnet group {name:?}"),
                "subnet_ids",
            )),
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        match subnet_groups(client, None).await {
            Ok(listed) => ReadManyResponse {
                results: by_name(
                    &objects,
                    &listed,
                    DbSubnetGroup::db_subnet_group_name,
                    render_subnet_group,
                ),
                ..ReadManyResponse::default()
            },
            Err(e) => ReadManyResponse {
                results: objects
                    .iter()
                    .map(|_| ReadResult::Failed(e.diagnostics("reading DB subnet groups")))
                    .collect(),
                ..ReadManyResponse::default()
            },
        }
    }

    async fn update(
        &self,
        client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let name = match id(&request.prior, "aws_db_subnet_group") {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let planned = &request.planned;
        let doing = format!("updating the DB subnet group {name:?}");
        let prior = &request.prior;
        let group = if attrs::changed(prior, planned, "description")
            || attrs::changed(prior, planned, "subnet_ids")
        {
            let modified = client
                .rds
                .modify_db_subnet_group()
                .db_subnet_group_name(&name)
                .set_db_subnet_group_description(
                    attrs::string(planned, "description").map(str::to_string),
                )
                .set_subnet_ids(Some(attrs::strings(planned, "subnet_ids")))
                .send()
                .await;
            match modified {
                Ok(out) => out.db_subnet_group().cloned(),
                Err(e) => return ObjectResponse::failed(AwsError::from(e).diagnostic(&doing)),
            }
        } else {
            None
        };
        let group = group.unwrap_or_else(|| DbSubnetGroup::builder().build());
        let arn = attrs::string(&request.prior, "arn")
            .unwrap_or_default()
            .to_string();
        // The answer may leave fields out: what it does not say stays as planned.
        let mut state = State::from(&render_subnet_group(&group, planned));
        state.set("id", name.as_str()).set("name", name.as_str());
        if group.db_subnet_group_arn().is_none() {
            state.set("arn", arn.as_str());
        }
        let state = state.build();
        match retag(client, &arn, &request.prior, planned).await {
            Ok(()) => ObjectResponse::ok(state),
            Err(e) => ObjectResponse::partial(
                {
                    let mut kept = State::from(&state);
                    kept.set(
                        "tags",
                        request.prior.get("tags").cloned().unwrap_or_default(),
                    )
                    .set(
                        "tags_all",
                        request.prior.get("tags_all").cloned().unwrap_or_default(),
                    );
                    kept.build()
                },
                e.diagnostic(&doing),
            ),
        }
    }

    async fn delete(
        &self,
        client: &Client,
        _ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let name = match id(&request.prior, "aws_db_subnet_group") {
            Ok(id) => id,
            Err(d) => return d.into(),
        };
        match client
            .rds
            .delete_db_subnet_group()
            .db_subnet_group_name(&name)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Err(e) if !e.is_not_found() => e
                .diagnostics(&format!("deleting the DB subnet group {name:?}"))
                .into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the DB subnet group {id:?}");
        match subnet_groups(client, Some(id)).await {
            Ok(found) => match found.first() {
                Some(group) => {
                    let mut state =
                        State::from(&render_subnet_group(group, &Value::object::<&str>([])));
                    match read_tags(client, group.db_subnet_group_arn().unwrap_or_default()).await {
                        Ok(remote) => {
                            tags::render_pairs(&client.tags, remote, &Value::Null, &mut state)
                        }
                        Err(e) => return ObjectResponse::failed(e.diagnostic(&doing)),
                    }
                    ObjectResponse::ok(state.build())
                }
                None => ObjectResponse::failed(
                    AwsError::other("no such DB subnet group").diagnostic(&doing),
                ),
            },
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let name = attrs::string(&request.planned, "name").unwrap_or_default();
        match subnet_groups(client, Some(name)).await {
            Ok(found) => AdoptResponse {
                found: found.first().map(|g| {
                    let mut state = State::from(&render_subnet_group(g, &request.planned));
                    state.set(
                        "tags_all",
                        attrs::map_value(&tags::all(&client.tags, &request.planned)),
                    );
                    state.build()
                }),
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "DB subnet group"),
        }
    }
}

/// An RDS object's tags.
pub async fn read_tags(client: &Client, arn: &str) -> Result<Vec<(String, String)>, AwsError> {
    let out = client
        .rds
        .list_tags_for_resource()
        .resource_name(arn)
        .send()
        .await?;
    Ok(out
        .tag_list()
        .iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect())
}

/// Brings an RDS object's tags from `prior`'s to `planned`'s.
pub async fn retag(
    client: &Client,
    arn: &str,
    prior: &Value,
    planned: &Value,
) -> Result<(), AwsError> {
    let (set, removed) = tags::changes(&client.tags, prior, planned);
    if !removed.is_empty() {
        client
            .rds
            .remove_tags_from_resource()
            .resource_name(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await?;
    }
    if !set.is_empty() {
        client
            .rds
            .add_tags_to_resource()
            .resource_name(arn)
            .set_tags(Some(rds_tags(set)))
            .send()
            .await?;
    }
    Ok(())
}

fn parameter_schema() -> Schema {
    Schema::new()
        .attr(
            "name",
            Attribute::required(Type::String).describe("The parameter."),
        )
        .attr(
            "value",
            Attribute::required(Type::String).describe("Its value."),
        )
        .attr(
            "apply_method",
            Attribute::optional(Type::String)
                .default("immediate")
                .describe("`immediate` or `pending-reboot`."),
        )
}

fn render_parameter_group(group: &DbParameterGroup, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let name = group.db_parameter_group_name().unwrap_or_default();
    state
        .set("id", name)
        .set("name", name)
        .set("arn", attrs::opt(group.db_parameter_group_arn()))
        .set("family", attrs::opt(group.db_parameter_group_family()))
        .set("description", attrs::opt(group.description()));
    state.build()
}

async fn parameter_groups(
    client: &Client,
    name: Option<&str>,
) -> Result<Vec<DbParameterGroup>, AwsError> {
    let listed = client
        .rds
        .describe_db_parameter_groups()
        .set_db_parameter_group_name(name.map(str::to_string))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await;
    match listed.map_err(AwsError::from) {
        Err(e) if e.is_not_found() => Ok(vec![]),
        other => other,
    }
}

/// The group's parameters a user set, as `parameter` blocks (the apply method as configured).
async fn user_parameters(client: &Client, name: &str, prior: &Value) -> Result<Value, AwsError> {
    let parameters = client
        .rds
        .describe_db_parameters()
        .db_parameter_group_name(name)
        .source("user")
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    let configured = attrs::blocks(prior, "parameter");
    Ok(Value::set(
        parameters
            .iter()
            .filter_map(|p| {
                let name = p.parameter_name()?;
                let method = configured
                    .iter()
                    .find(|b| attrs::string(b, "name") == Some(name))
                    .and_then(|b| attrs::string(b, "apply_method"))
                    .unwrap_or("immediate");
                Some(Value::object([
                    ("name", Value::from(name)),
                    ("value", attrs::opt(p.parameter_value())),
                    ("apply_method", Value::from(method)),
                ]))
            })
            .collect(),
    ))
}

fn parameters(blocks: &[&Value]) -> Vec<Parameter> {
    blocks
        .iter()
        .map(|b| {
            Parameter::builder()
                .parameter_name(attrs::string(b, "name").unwrap_or_default())
                .parameter_value(attrs::string(b, "value").unwrap_or_default())
                .apply_method(ApplyMethod::from(
                    attrs::string(b, "apply_method").unwrap_or("immediate"),
                ))
                .build()
        })
        .collect()
}

/// Sets the planned parameters and resets those no longer configured.
async fn sync_parameters(
    client: &Client,
    name: &str,
    prior: &Value,
    planned: &Value,
) -> Result<(), AwsError> {
    let before = attrs::blocks(prior, "parameter");
    let after = attrs::blocks(planned, "parameter");
    let gone: Vec<&Value> = before
        .iter()
        .filter(|b| {
            !after
                .iter()
                .any(|a| attrs::string(a, "name") == attrs::string(b, "name"))
        })
        .copied()
        .collect();
    let set: Vec<&Value> = after
        .iter()
        .copied()
        .filter(|a| !before.contains(a))
        .collect();
    for chunk in gone.chunks(20) {
        client
            .rds
            .reset_db_parameter_group()
            .db_parameter_group_name(name)
            .set_parameters(Some(parameters(chunk)))
            .send()
            .await?;
    }
    for chunk in set.chunks(20) {
        client
            .rds
            .modify_db_parameter_group()
            .db_parameter_group_name(name)
            .set_parameters(Some(parameters(chunk)))
            .send()
            .await?;
    }
    Ok(())
}

#[async_trait]
impl Resource<Client> for DbParameterGroupResource {
    fn type_name(&self) -> &str {
        "aws_db_parameter_group"
    }

    fn schema(&self) -> Schema {
        tags::attributes(Schema::new())
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The group's name."),
            )
            .attr(
                "name",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The group's name."),
            )
            .attr(
                "family",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The engine family (`postgres15`)."),
            )
            .attr(
                "description",
                Attribute::optional(Type::String)
                    .default("Managed by Terraform")
                    .force_new()
                    .describe("A description."),
            )
            .attr(
                "arn",
                Attribute::computed(Type::String).describe("The group's ARN."),
            )
            .block("parameter", NestedBlock::set(parameter_schema()))
            .crash_safety(CrashSafety::Tagged)
            .describe("A DB parameter group.")
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
        let name = attrs::string(planned, "name").unwrap_or_default();
        let doing = format!("creating the DB parameter group {name:?}");
        let made = client
            .rds
            .create_db_parameter_group()
            .db_parameter_group_name(name)
            .db_parameter_group_family(attrs::string(planned, "family").unwrap_or_default())
            .description(attrs::string(planned, "description").unwrap_or("Managed by Terraform"))
            .set_tags(Some(rds_tags(tags::at_creation(
                &client.tags,
                planned,
                &request.intent,
            ))))
            .send()
            .await;
        let group = match made {
            Ok(out) => out
                .db_parameter_group()
                .cloned()
                .unwrap_or_else(|| DbParameterGroup::builder().build()),
            Err(e) => {
                return ObjectResponse::failed(AwsError::from(e).diagnostic_at(&doing, "family"))
            }
        };
        let mut state = State::from(&render_parameter_group(&group, planned));
        state.set(
            "tags_all",
            attrs::map_value(&tags::all(&client.tags, planned)),
        );
        let empty = Value::object::<&str>([]);
        match sync_parameters(client, name, &empty, planned).await {
            Ok(()) => ObjectResponse::ok(state.build()),
            Err(e) => {
                state.set("parameter", Value::set(vec![]));
                ObjectResponse::partial(state.build(), e.diagnostic_at(&doing, "parameter"))
            }
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        let listed = match parameter_groups(client, None).await {
            Ok(listed) => listed,
            Err(e) => {
                return ReadManyResponse {
                    results: objects
                        .iter()
                        .map(|_| ReadResult::Failed(e.diagnostics("reading DB parameter groups")))
                        .collect(),
                    ..ReadManyResponse::default()
                }
            }
        };
        let mut results = by_name(
            &objects,
            &listed,
            DbParameterGroup::db_parameter_group_name,
            render_parameter_group,
        );
        for (result, object) in results.iter_mut().zip(&objects) {
            if let ReadResult::Found(state) = result {
                let name = attrs::string(state, "name").unwrap_or_default().to_string();
                match user_parameters(client, &name, object).await {
                    Ok(parameters) => {
                        let mut updated = State::from(state);
                        updated.set("parameter", parameters);
                        *state = updated.build();
                    }
                    Err(e) => *result = ReadResult::Failed(e.diagnostics("reading DB parameters")),
                }
            }
        }
        ReadManyResponse {
            results,
            ..ReadManyResponse::default()
        }
    }

    async fn update(
        &self,
        client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let name = match id(&request.prior, "aws_db_parameter_group") {
            Ok(id) => id,
            Err(d) => return ObjectResponse::failed(d),
        };
        let (prior, planned) = (&request.prior, &request.planned);
        let doing = format!("updating the DB parameter group {name:?}");
        let arn = attrs::string(prior, "arn").unwrap_or_default();
        let mut result = sync_parameters(client, &name, prior, planned).await;
        if result.is_ok() {
            result = retag(client, arn, prior, planned).await;
        }
        match result {
            Ok(()) => ObjectResponse::ok(planned.clone()),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn delete(
        &self,
        client: &Client,
        _ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let name = match id(&request.prior, "aws_db_parameter_group") {
            Ok(id) => id,
            Err(d) => return d.into(),
        };
        match client
            .rds
            .delete_db_parameter_group()
            .db_parameter_group_name(&name)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Err(e) if !e.is_not_found() => e
                .diagnostics(&format!("deleting the DB parameter group {name:?}"))
                .into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the DB parameter group {id:?}");
        let group = match parameter_groups(client, Some(id)).await {
            Ok(found) => match found.into_iter().next() {
                Some(group) => group,
                None => {
                    return ObjectResponse::failed(
                        AwsError::other("no such DB parameter group").diagnostic(&doing),
                    )
                }
            },
            Err(e) => return ObjectResponse::failed(e.diagnostic(&doing)),
        };
        let empty = Value::object::<&str>([]);
        let mut state = State::from(&render_parameter_group(&group, &empty));
        let read = async {
            state.set("parameter", user_parameters(client, id, &empty).await?);
            let remote =
                read_tags(client, group.db_parameter_group_arn().unwrap_or_default()).await?;
            tags::render_pairs(&client.tags, remote, &Value::Null, &mut state);
            Ok::<_, AwsError>(())
        };
        match read.await {
            Ok(()) => ObjectResponse::ok(state.build()),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let name = attrs::string(&request.planned, "name").unwrap_or_default();
        match parameter_groups(client, Some(name)).await {
            Ok(found) => AdoptResponse {
                found: found.first().map(|g| {
                    let mut state = State::from(&render_parameter_group(g, &request.planned));
                    state.set(
                        "tags_all",
                        attrs::map_value(&tags::all(&client.tags, &request.planned)),
                    );
                    state.build()
                }),
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "DB parameter group"),
        }
    }
}
