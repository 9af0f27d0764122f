//! `aws_sns_topic` and `aws_sns_topic_subscription`. Topics are named uniquely and carry the
//! intent token as a tag from their create call; subscriptions are found again by topic,
//! protocol and endpoint. Refresh reads each topic's and subscription's attributes (SNS has no
//! batched read). Import ids: the topic's ARN; the subscription's ARN.

use async_trait::async_trait;
use aws_sdk_sns::types::Tag;
use plinth_sdk::{
    AdoptRequest, AdoptResponse, Attribute, Context, CrashSafety, CreateRequest, DeleteRequest,
    DeleteResponse, ObjectResponse, PlanRequest, PlanResponse, ReadManyResponse, ReadResult,
    Resource, Schema, Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::vpc::adopt_failed;
use crate::tags;

/// `aws_sns_topic`.
pub struct Topic;
/// `aws_sns_topic_subscription`.
pub struct Subscription;

fn sns_tags(pairs: Vec<(String, String)>) -> Result<Vec<Tag>, AwsError> {
    pairs
        .into_iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| AwsError::other(e.to_string()))
        })
        .collect()
}

/// A topic's attributes, None when it is gone.
async fn topic(client: &Client, arn: &str, prior: &Value) -> Result<Option<Value>, AwsError> {
    let answer = client
        .sns
        .get_topic_attributes()
        .topic_arn(arn)
        .send()
        .await
        .map_err(AwsError::from);
    let attributes = match answer {
        Ok(out) => out.attributes().cloned().unwrap_or_default(),
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let tags = client
        .sns
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await?;
    let mut state = State::from(prior);
    let get = |name: &str| attrs::opt(attributes.get(name).map(String::as_str));
    state
        .set("id", arn)
        .set("arn", arn)
        .set("name", arn.rsplit(':').next().unwrap_or_default())
        .set("display_name", get("DisplayName"))
        .set("owner", get("Owner"));
    tags::render_pairs(
        &client.tags,
        tags.tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string())),
        prior,
        &mut state,
    );
    Ok(Some(state.build()))
}

/// Reads objects one by one with `read` (by their `id`).
async fn one_by_one<F, Fut>(objects: &[Value], what: &str, read: F) -> ReadManyResponse
where
    F: Fn(String, Value) -> Fut,
    Fut: std::future::Future<Output = Result<Option<Value>, AwsError>>,
{
    let mut results = Vec::with_capacity(objects.len());
    for object in objects {
        let id = attrs::string(object, "id").unwrap_or_default().to_string();
        results.push(match read(id, object.clone()).await {
            Ok(Some(state)) => ReadResult::Found(state),
            Ok(None) => ReadResult::Gone,
            Err(e) => ReadResult::Failed(e.diagnostics(what)),
        });
    }
    ReadManyResponse {
        results,
        ..ReadManyResponse::default()
    }
}

#[async_trait]
impl Resource<Client> for Topic {
    fn type_name(&self) -> &str {
        "aws_sns_topic"
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(crate::list::sns_topics(client).await, "SNS topics")
    }

    fn schema(&self) -> Schema {
        tags::attributes(Schema::new())
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The topic's ARN."),
            )
            .attr(
                "arn",
                Attribute::computed(Type::String).describe("The topic's ARN."),
            )
            .attr(
                "name",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The topic's name."),
            )
            .attr(
                "display_name",
                Attribute::optional(Type::String).describe("The name shown in messages."),
            )
            .attr(
                "owner",
                Attribute::computed(Type::String).describe("The owning account."),
            )
            .crash_safety(CrashSafety::Tagged)
            .describe("An SNS topic.")
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
        let doing = format!("creating the SNS topic {name:?}");
        let tags = match sns_tags(tags::at_creation(&client.tags, planned, &request.intent)) {
            Ok(tags) => tags,
            Err(e) => return ObjectResponse::failed(e.diagnostic(&doing)),
        };
        let mut call = client.sns.create_topic().name(name).set_tags(Some(tags));
        if let Some(display) = attrs::string(planned, "display_name") {
            call = call.attributes("DisplayName", display);
        }
        let arn = match call.send().await {
            Ok(out) => out.topic_arn().unwrap_or_default().to_string(),
            Err(e) => return ObjectResponse::failed(AwsError::from(e).diagnostic(&doing)),
        };
        match topic(client, &arn, planned).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("the topic vanished").diagnostic(&doing))
            }
            Err(e) => {
                let mut state = State::from(planned);
                state.set("id", arn.as_str()).set("arn", arn.as_str());
                ObjectResponse::partial(state.build(), e.diagnostic(&doing))
            }
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        one_by_one(&objects, "reading SNS topics", |arn, prior| async move {
            topic(client, &arn, &prior).await
        })
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
        let doing = format!("updating the SNS topic {arn}");
        let result = async {
            if attrs::changed(prior, planned, "display_name") {
                client
                    .sns
                    .set_topic_attributes()
                    .topic_arn(&arn)
                    .attribute_name("DisplayName")
                    .attribute_value(attrs::string(planned, "display_name").unwrap_or_default())
                    .send()
                    .await?;
            }
            let (set, removed) = tags::changes(&client.tags, prior, planned);
            if !removed.is_empty() {
                client
                    .sns
                    .untag_resource()
                    .resource_arn(&arn)
                    .set_tag_keys(Some(removed))
                    .send()
                    .await?;
            }
            if !set.is_empty() {
                client
                    .sns
                    .tag_resource()
                    .resource_arn(&arn)
                    .set_tags(Some(sns_tags(set)?))
                    .send()
                    .await?;
            }
            Ok::<_, AwsError>(())
        }
        .await;
        match (result, topic(client, &arn, planned).await) {
            (Ok(()), Ok(Some(state))) => ObjectResponse::ok(state),
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
        let arn = attrs::string(&request.prior, "arn")
            .unwrap_or_default()
            .to_string();
        match client
            .sns
            .delete_topic()
            .topic_arn(&arn)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Err(e) if !e.is_not_found() => e
                .diagnostics(&format!("deleting the SNS topic {arn}"))
                .into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the SNS topic {id:?}");
        match topic(client, id, &Value::object::<&str>([])).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => ObjectResponse::failed(AwsError::other("no such topic").diagnostic(&doing)),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let name = attrs::string(&request.planned, "name").unwrap_or_default();
        let listed = client
            .sns
            .list_topics()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(AwsError::from);
        let arn = match listed {
            Ok(topics) => topics
                .into_iter()
                .filter_map(|t| t.topic_arn().map(str::to_string))
                .find(|arn| arn.rsplit(':').next() == Some(name)),
            Err(e) => return adopt_failed(e, "SNS topic"),
        };
        let Some(arn) = arn else {
            return AdoptResponse::default();
        };
        match topic(client, &arn, &request.planned).await {
            Ok(found) => AdoptResponse {
                found,
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "SNS topic"),
        }
    }
}

async fn subscription(
    client: &Client,
    arn: &str,
    prior: &Value,
) -> Result<Option<Value>, AwsError> {
    let answer = client
        .sns
        .get_subscription_attributes()
        .subscription_arn(arn)
        .send()
        .await
        .map_err(AwsError::from);
    let attributes = match answer {
        Ok(out) => out.attributes().cloned().unwrap_or_default(),
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let get = |name: &str| attrs::opt(attributes.get(name).map(String::as_str));
    let mut state = State::from(prior);
    state
        .set("id", arn)
        .set("arn", arn)
        .set("topic_arn", get("TopicArn"))
        .set("protocol", get("Protocol"))
        .set("endpoint", get("Endpoint"))
        .set("owner_id", get("Owner"))
        .set(
            "pending_confirmation",
            attributes
                .get("PendingConfirmation")
                .is_some_and(|v| v == "true"),
        );
    Ok(Some(state.build()))
}

/// The subscription of the planned topic, protocol and endpoint, if there is one.
async fn find_subscription(client: &Client, planned: &Value) -> Result<Option<String>, AwsError> {
    let topic = attrs::string(planned, "topic_arn").unwrap_or_default();
    let listed = client
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(topic)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?;
    Ok(listed
        .into_iter()
        .find(|s| {
            s.protocol() == attrs::string(planned, "protocol")
                && s.endpoint() == attrs::string(planned, "endpoint")
        })
        .and_then(|s| s.subscription_arn().map(str::to_string)))
}

#[async_trait]
impl Resource<Client> for Subscription {
    fn type_name(&self) -> &str {
        "aws_sns_topic_subscription"
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(
            crate::list::sns_subscriptions(client).await,
            "SNS subscriptions",
        )
    }

    fn schema(&self) -> Schema {
        let forcing = |text: &str| Attribute::required(Type::String).force_new().describe(text);
        Schema::new()
            .attr("id", Attribute::computed(Type::String).describe("The subscription's ARN."))
            .attr("arn", Attribute::computed(Type::String).describe("The subscription's ARN."))
            .attr("topic_arn", forcing("The topic."))
            .attr("protocol", forcing("`email`, `sqs`, `lambda`, `https`..."))
            .attr("endpoint", forcing("Where messages go."))
            .attr("owner_id", Attribute::computed(Type::String).describe("The owning account."))
            .attr(
                "pending_confirmation",
                Attribute::computed(Type::Bool).describe("Whether the endpoint has yet to confirm."),
            )
            .crash_safety(CrashSafety::FoundByIdentity)
            .describe("A subscription to an SNS topic, found after a crash by topic, protocol and endpoint.")
    }

    async fn create(
        &self,
        client: &Client,
        _ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let topic = attrs::string(planned, "topic_arn").unwrap_or_default();
        let doing = format!("subscribing to {topic}");
        let made = client
            .sns
            .subscribe()
            .topic_arn(topic)
            .protocol(attrs::string(planned, "protocol").unwrap_or_default())
            .set_endpoint(attrs::string(planned, "endpoint").map(str::to_string))
            .return_subscription_arn(true)
            .send()
            .await;
        let arn = match made {
            Ok(out) => out.subscription_arn().unwrap_or_default().to_string(),
            Err(e) => return ObjectResponse::failed(AwsError::from(e).diagnostic(&doing)),
        };
        match subscription(client, &arn, planned).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            _ => {
                let mut state = State::from(planned);
                state.set("id", arn.as_str()).set("arn", arn.as_str());
                ObjectResponse::ok(state.build())
            }
        }
    }

    async fn read_many(
        &self,
        client: &Client,
        _ctx: &Context,
        objects: Vec<Value>,
    ) -> ReadManyResponse {
        one_by_one(
            &objects,
            "reading SNS subscriptions",
            |arn, prior| async move { subscription(client, &arn, &prior).await },
        )
        .await
    }

    async fn update(
        &self,
        _client: &Client,
        _ctx: &Context,
        request: UpdateRequest,
    ) -> ObjectResponse {
        // Every attribute replaces the subscription: nothing changes in place.
        ObjectResponse::ok(request.planned)
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
            .sns
            .unsubscribe()
            .subscription_arn(&arn)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Err(e) if !e.is_not_found() => e.diagnostics(&format!("unsubscribing {arn}")).into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the SNS subscription {id:?}");
        match subscription(client, id, &Value::object::<&str>([])).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("no such subscription").diagnostic(&doing))
            }
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let found = match find_subscription(client, &request.planned).await {
            Ok(Some(arn)) => subscription(client, &arn, &request.planned).await,
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        match found {
            Ok(found) => AdoptResponse {
                found,
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "SNS subscription"),
        }
    }
}
