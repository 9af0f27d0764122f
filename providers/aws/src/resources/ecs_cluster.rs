//! `aws_ecs_cluster` and `aws_ecs_cluster_capacity_providers`. A cluster is tagged at creation
//! with the intent token and named uniquely, so an interrupted create is found again. The
//! cluster's `capacity_providers` and `default_capacity_provider_strategy`, removed from the
//! Terraform provider in v5 but still written in many configurations, are accepted with a
//! deprecation warning and applied as `aws_ecs_cluster_capacity_providers` applies them
//! (PutClusterCapacityProviders). Refresh reads every cluster in one DescribeClusters call per
//! 100; an INACTIVE cluster is gone. Import ids: the cluster's name; an imported cluster shows
//! the deprecated attributes when it has capacity providers or a default strategy.

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    CapacityProviderStrategyItem, Cluster, ClusterField, ClusterSetting, ClusterSettingName, Tag,
};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, Diagnostic, NestedBlock, ObjectResponse, PlanRequest, PlanResponse,
    ReadManyResponse, Resource, Schema, Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::batch;
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::vpc::adopt_failed;
use crate::tags;

/// `aws_ecs_cluster`.
pub struct EcsCluster;
/// `aws_ecs_cluster_capacity_providers`.
pub struct CapacityProviders;

fn strategy_schema() -> Schema {
    Schema::new()
        .attr(
            "capacity_provider",
            Attribute::required(Type::String)
                .describe("`FARGATE`, `FARGATE_SPOT` or a provider's name."),
        )
        .attr(
            "weight",
            Attribute::optional(Type::Number)
                .default(0i64)
                .describe("Relative share of tasks."),
        )
        .attr(
            "base",
            Attribute::optional(Type::Number)
                .default(0i64)
                .describe("Tasks placed first."),
        )
}

fn strategy(object: &Value) -> Result<Vec<CapacityProviderStrategyItem>, AwsError> {
    attrs::blocks(object, "default_capacity_provider_strategy")
        .into_iter()
        .map(|block| {
            CapacityProviderStrategyItem::builder()
                .capacity_provider(attrs::string(block, "capacity_provider").unwrap_or_default())
                .weight(attrs::integer(block, "weight").unwrap_or(0) as i32)
                .base(attrs::integer(block, "base").unwrap_or(0) as i32)
                .build()
                .map_err(|e| AwsError::other(e.to_string()))
        })
        .collect()
}

fn render_strategy(cluster: &Cluster) -> Value {
    Value::set(
        cluster
            .default_capacity_provider_strategy()
            .iter()
            .map(|item| {
                Value::object([
                    ("capacity_provider", Value::from(item.capacity_provider())),
                    ("weight", Value::int(item.weight().into())),
                    ("base", Value::int(item.base().into())),
                ])
            })
            .collect(),
    )
}

fn render(client: &Client, cluster: &Cluster, prior: &Value) -> Value {
    let mut state = State::from(prior);
    state
        .set("id", attrs::opt(cluster.cluster_arn()))
        .set("arn", attrs::opt(cluster.cluster_arn()))
        .set("name", attrs::opt(cluster.cluster_name()));
    // Settings are shown when the configuration sets some (AWS reports its defaults too).
    if !attrs::blocks(prior, "setting").is_empty() || prior.get("setting").is_none() {
        state.set(
            "setting",
            Value::set(
                cluster
                    .settings()
                    .iter()
                    .map(|s| {
                        Value::object([
                            ("name", attrs::opt(s.name().map(|n| n.as_str()))),
                            ("value", attrs::opt(s.value())),
                        ])
                    })
                    .collect(),
            ),
        );
    }
    // The deprecated inline attributes are shown only when the configuration uses them.
    if prior
        .get("capacity_providers")
        .is_some_and(|v| !v.is_null())
    {
        state.set(
            "capacity_providers",
            attrs::string_set(cluster.capacity_providers().iter().map(String::as_str)),
        );
    }
    if !attrs::blocks(prior, "default_capacity_provider_strategy").is_empty() {
        state.set(
            "default_capacity_provider_strategy",
            render_strategy(cluster),
        );
    }
    tags::render_pairs(
        &client.tags,
        cluster.tags().iter().filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        }),
        prior,
        &mut state,
    );
    state.build()
}

/// What an import renders against, having no configuration: the deprecated inline attributes
/// count as used when the cluster has capacity providers or a default strategy, so an import
/// reads them back (a lost state rebuilt keeps seed 002's settings); settings are read back
/// unless they all hold AWS's defaults, which a configuration without `setting` blocks means.
fn imported(cluster: &Cluster) -> Value {
    let mut used = Vec::new();
    if cluster.settings().iter().all(is_default_setting) {
        used.push(("setting", Value::set(Vec::new())));
    }
    if !cluster.capacity_providers().is_empty() {
        used.push(("capacity_providers", Value::set(Vec::new())));
    }
    if !cluster.default_capacity_provider_strategy().is_empty() {
        used.push((
            "default_capacity_provider_strategy",
            render_strategy(cluster),
        ));
    }
    Value::object(used)
}

/// Whether a cluster setting holds what AWS gives a cluster made without it
/// (`containerInsights` `disabled`).
fn is_default_setting(setting: &ClusterSetting) -> bool {
    setting.name() == Some(&ClusterSettingName::ContainerInsights)
        && setting.value() == Some("disabled")
}

async fn describe(client: &Client, clusters: Vec<String>) -> Result<Vec<Cluster>, AwsError> {
    let out = client
        .ecs
        .describe_clusters()
        .set_clusters(Some(clusters))
        .include(ClusterField::Tags)
        .include(ClusterField::Settings)
        .send()
        .await?;
    Ok(out
        .clusters()
        .iter()
        .filter(|c| c.status() != Some("INACTIVE"))
        .cloned()
        .collect())
}

fn ecs_tags(pairs: Vec<(String, String)>) -> Vec<Tag> {
    pairs
        .into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

fn settings(object: &Value) -> Vec<ClusterSetting> {
    attrs::blocks(object, "setting")
        .into_iter()
        .map(|block| {
            ClusterSetting::builder()
                .name(ClusterSettingName::from(
                    attrs::string(block, "name").unwrap_or_default(),
                ))
                .value(attrs::string(block, "value").unwrap_or_default())
                .build()
        })
        .collect()
}

async fn put_capacity_providers(
    client: &Client,
    cluster: &str,
    object: &Value,
) -> Result<(), AwsError> {
    client
        .ecs
        .put_cluster_capacity_providers()
        .cluster(cluster)
        .set_capacity_providers(Some(attrs::strings(object, "capacity_providers")))
        .set_default_capacity_provider_strategy(Some(strategy(object)?))
        .send()
        .await?;
    Ok(())
}

fn uses_inline_capacity_providers(object: &Value) -> bool {
    !attrs::strings(object, "capacity_providers").is_empty()
        || !attrs::blocks(object, "default_capacity_provider_strategy").is_empty()
}

#[async_trait]
impl Resource<Client> for EcsCluster {
    fn type_name(&self) -> &str {
        "aws_ecs_cluster"
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(crate::list::ecs_clusters(client).await, "ECS clusters")
    }

    fn schema(&self) -> Schema {
        tags::attributes(Schema::new())
            .attr("id", Attribute::computed(Type::String).describe("The cluster's ARN."))
            .attr("arn", Attribute::computed(Type::String).describe("The cluster's ARN."))
            .attr("name", Attribute::required(Type::String).force_new().describe("The cluster's name."))
            .attr(
                "capacity_providers",
                Attribute::optional(Type::set(Type::String))
                    .deprecate("aws_ecs_cluster_capacity_providers")
                    .describe("Capacity providers (removed in the Terraform provider v5; applied as aws_ecs_cluster_capacity_providers)."),
            )
            .block(
                "default_capacity_provider_strategy",
                NestedBlock::set(strategy_schema()),
            )
            .block(
                "setting",
                NestedBlock::set(
                    Schema::new()
                        .attr("name", Attribute::required(Type::String).describe("`containerInsights`."))
                        .attr("value", Attribute::required(Type::String).describe("`enabled` or `disabled`.")),
                ),
            )
            .crash_safety(CrashSafety::Tagged)
            .describe("An ECS cluster.")
    }

    async fn plan(&self, client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        let mut response = tags::plan(&client.tags, request);
        if uses_inline_capacity_providers(&response.planned) {
            response.diagnostics.push(
                Diagnostic::warning("Deprecated attributes: capacity_providers and default_capacity_provider_strategy")
                    .with_detail(
                        "The Terraform AWS provider v5 removed them from aws_ecs_cluster; plinth applies them as aws_ecs_cluster_capacity_providers would. Move them to an aws_ecs_cluster_capacity_providers resource.",
                    ),
            );
        }
        response
    }

    async fn create(
        &self,
        client: &Client,
        _ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let name = attrs::string(planned, "name").unwrap_or_default();
        let doing = format!("creating the ECS cluster {name:?}");
        let made = client
            .ecs
            .create_cluster()
            .cluster_name(name)
            .set_settings(Some(settings(planned)))
            .set_tags(Some(ecs_tags(tags::at_creation(
                &client.tags,
                planned,
                &request.intent,
            ))))
            .send()
            .await;
        let cluster = match made {
            Ok(out) => out
                .cluster()
                .cloned()
                .unwrap_or_else(|| Cluster::builder().build()),
            Err(e) => return ObjectResponse::failed(AwsError::from(e).diagnostic(&doing)),
        };
        let arn = cluster.cluster_arn().unwrap_or_default().to_string();
        let mut result = Ok(());
        if uses_inline_capacity_providers(planned) {
            result = put_capacity_providers(client, &arn, planned).await;
        }
        let state = match describe(client, vec![arn.clone()]).await {
            Ok(found) if !found.is_empty() => render(client, &found[0], planned),
            _ => render(client, &cluster, planned),
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
            "reading ECS clusters",
            |arns| async move {
                let mut found = Vec::new();
                for chunk in arns.chunks(100) {
                    found.extend(describe(client, chunk.to_vec()).await?);
                }
                Ok(found
                    .into_iter()
                    .map(|c| (c.cluster_arn().unwrap_or_default().to_string(), c))
                    .collect())
            },
            |cluster, prior| Some(render(client, cluster, prior)),
        )
        .await
    }

    async fn update(
        &self,
        client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let (prior, planned) = (&request.prior, &request.planned);
        let arn = attrs::string(prior, "arn").unwrap_or_default().to_string();
        let doing = format!("updating the ECS cluster {arn}");
        let mut result: Result<(), AwsError> = Ok(());
        if attrs::changed(prior, planned, "setting") {
            result = client
                .ecs
                .update_cluster_settings()
                .cluster(&arn)
                .set_settings(Some(settings(planned)))
                .send()
                .await
                .map(|_| ())
                .map_err(AwsError::from);
        }
        if result.is_ok()
            && (attrs::changed(prior, planned, "capacity_providers")
                || attrs::changed(prior, planned, "default_capacity_provider_strategy"))
        {
            result = put_capacity_providers(client, &arn, planned).await;
        }
        if result.is_ok() {
            let (set, removed) = tags::changes(&client.tags, prior, planned);
            if !removed.is_empty() {
                result = client
                    .ecs
                    .untag_resource()
                    .resource_arn(&arn)
                    .set_tag_keys(Some(removed))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(AwsError::from);
            }
            if result.is_ok() && !set.is_empty() {
                result = client
                    .ecs
                    .tag_resource()
                    .resource_arn(&arn)
                    .set_tags(Some(ecs_tags(set)))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(AwsError::from);
            }
        }
        let now = describe(client, vec![arn.clone()]).await;
        match (result, now) {
            (Ok(()), Ok(found)) if !found.is_empty() => {
                ObjectResponse::ok(render(client, &found[0], planned))
            }
            (Err(e), Ok(found)) if !found.is_empty() => {
                ObjectResponse::partial(render(client, &found[0], prior), e.diagnostic(&doing))
            }
            (Err(e), _) | (_, Err(e)) => ObjectResponse::failed(e.diagnostic(&doing)),
            (Ok(()), Ok(_)) => {
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
        let arn = attrs::string(&request.prior, "arn")
            .unwrap_or_default()
            .to_string();
        match client
            .ecs
            .delete_cluster()
            .cluster(&arn)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Err(e) if !e.is_not_found() => e
                .diagnostics(&format!("deleting the ECS cluster {arn}"))
                .into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the ECS cluster {id:?}");
        match describe(client, vec![id.to_string()]).await {
            Ok(found) => match found.first() {
                Some(cluster) => ObjectResponse::ok(render(client, cluster, &imported(cluster))),
                None => {
                    ObjectResponse::failed(AwsError::other("no such cluster").diagnostic(&doing))
                }
            },
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let name = attrs::string(&request.planned, "name").unwrap_or_default();
        match describe(client, vec![name.to_string()]).await {
            Ok(found) => AdoptResponse {
                found: found.first().map(|c| render(client, c, &request.planned)),
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "ECS cluster"),
        }
    }
}

#[async_trait]
impl Resource<Client> for CapacityProviders {
    fn type_name(&self) -> &str {
        "aws_ecs_cluster_capacity_providers"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr("id", Attribute::computed(Type::String).describe("The cluster's name."))
            .attr("cluster_name", Attribute::required(Type::String).force_new().describe("The cluster."))
            .attr(
                "capacity_providers",
                Attribute::optional(Type::set(Type::String)).describe("Capacity providers."),
            )
            .block("default_capacity_provider_strategy", NestedBlock::set(strategy_schema()))
            .crash_safety(CrashSafety::NoRemoteObject)
            .describe("The capacity providers of an ECS cluster (settings of the cluster, nothing of their own).")
    }

    async fn create(
        &self,
        client: &Client,
        _ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let name = attrs::string(planned, "cluster_name").unwrap_or_default();
        match put_capacity_providers(client, name, planned).await {
            Ok(()) => {
                let mut state = State::from(planned);
                state.set("id", name);
                ObjectResponse::ok(state.build())
            }
            Err(e) => ObjectResponse::failed(
                e.diagnostic(&format!("setting the capacity providers of {name:?}")),
            ),
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
            "reading ECS clusters",
            |names| async move {
                Ok(describe(client, names)
                    .await?
                    .into_iter()
                    .map(|c| (c.cluster_name().unwrap_or_default().to_string(), c))
                    .collect())
            },
            |cluster, prior| {
                let mut state = State::from(prior);
                state
                    .set(
                        "capacity_providers",
                        attrs::string_set(cluster.capacity_providers().iter().map(String::as_str)),
                    )
                    .set(
                        "default_capacity_provider_strategy",
                        render_strategy(cluster),
                    );
                Some(state.build())
            },
        )
        .await
    }

    async fn update(
        &self,
        client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        let planned = request.planned;
        let name = attrs::string(&planned, "cluster_name").unwrap_or_default();
        match put_capacity_providers(client, name, &planned).await {
            Ok(()) => ObjectResponse::ok(planned.clone()),
            Err(e) => ObjectResponse::failed(
                e.diagnostic(&format!("setting the capacity providers of {name:?}")),
            ),
        }
    }

    async fn delete(
        &self,
        client: &Client,
        _ctx: &Context,
        request: DeleteRequest,
    ) -> DeleteResponse {
        let name = attrs::string(&request.prior, "cluster_name").unwrap_or_default();
        match put_capacity_providers(client, name, &Value::object::<&str>([])).await {
            Err(e) if !e.is_not_found() => e
                .diagnostics(&format!("removing the capacity providers of {name:?}"))
                .into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, ctx: &Context, id: &str) -> ObjectResponse {
        let object = Value::object([("id", Value::from(id)), ("cluster_name", Value::from(id))]);
        let read = self.read_many(client, ctx, vec![object]).await;
        match read.results.into_iter().next() {
            Some(plinth_sdk::ReadResult::Found(state)) => ObjectResponse::ok(state),
            Some(plinth_sdk::ReadResult::Failed(d)) => ObjectResponse::failed(d),
            _ => ObjectResponse::failed(
                AwsError::other("no such cluster")
                    .diagnostic(&format!("importing the capacity providers of {id:?}")),
            ),
        }
    }
}
