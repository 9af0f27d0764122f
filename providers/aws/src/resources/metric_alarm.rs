//! `aws_cloudwatch_metric_alarm`: an alarm on one metric. Alarm names are unique in an
//! account and PutMetricAlarm is idempotent, so an interrupted create is found again by name;
//! the intent token also goes on it as a tag in the create call. Every change is one
//! PutMetricAlarm in place. Refresh reads every alarm in one DescribeAlarms call per 100; tags
//! are read on create and import and kept from state on refresh. Imported by name. A comparison
//! operator, statistic or missing-data treatment AWS does not have is refused at plan.

use async_trait::async_trait;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, MetricAlarm, StandardUnit, Statistic, Tag,
};
use plinth_sdk::{
    AdoptRequest, AdoptResponse, AttrPath, Attribute, Context, CrashSafety, CreateRequest,
    DeleteRequest, DeleteResponse, Diagnostic, Diagnostics, ObjectResponse, PlanRequest,
    PlanResponse, ReadManyResponse, Resource, Schema, Type, UpdateRequest, Value,
};

use crate::attrs::{self, State};
use crate::batch;
use crate::client::Client;
use crate::error::AwsError;
use crate::resources::vpc::adopt_failed;
use crate::tags;

/// The resource type.
pub struct MetricAlarmResource;

const TYPE: &str = "aws_cloudwatch_metric_alarm";

fn render(alarm: &MetricAlarm, prior: &Value) -> Value {
    let mut state = State::from(prior);
    let name = alarm.alarm_name().unwrap_or_default();
    let number = |n: Option<f64>| n.map_or(Value::Null, Value::float);
    let int = |n: Option<i32>| n.map_or(Value::Null, |n| Value::int(n.into()));
    let actions = |list: &[String]| attrs::string_set(list.iter().map(String::as_str));
    state
        .set("id", name)
        .set("alarm_name", name)
        .set("arn", attrs::opt(alarm.alarm_arn()))
        .set("alarm_description", attrs::opt(alarm.alarm_description()))
        .set(
            "comparison_operator",
            attrs::opt(alarm.comparison_operator().map(|c| c.as_str())),
        )
        .set("evaluation_periods", int(alarm.evaluation_periods()))
        .set("datapoints_to_alarm", int(alarm.datapoints_to_alarm()))
        .set("metric_name", attrs::opt(alarm.metric_name()))
        .set("namespace", attrs::opt(alarm.namespace()))
        .set("period", int(alarm.period()))
        .set(
            "statistic",
            attrs::opt(alarm.statistic().map(|s| s.as_str())),
        )
        .set("threshold", number(alarm.threshold()))
        .set("unit", attrs::opt(alarm.unit().map(|u| u.as_str())))
        .set("actions_enabled", alarm.actions_enabled().unwrap_or(true))
        .set("alarm_actions", actions(alarm.alarm_actions()))
        .set("ok_actions", actions(alarm.ok_actions()))
        .set(
            "insufficient_data_actions",
            actions(alarm.insufficient_data_actions()),
        )
        .set(
            "treat_missing_data",
            alarm.treat_missing_data().unwrap_or("missing"),
        )
        .set(
            "dimensions",
            if alarm.dimensions().is_empty() && prior.get("dimensions").is_none_or(Value::is_null) {
                Value::Null
            } else {
                Value::Map(
                    alarm
                        .dimensions()
                        .iter()
                        .filter_map(|d| Some((d.name()?.to_string(), Value::from(d.value()?))))
                        .collect(),
                )
            },
        );
    state.build()
}

/// Collections of actions stay null when unset in the configuration and empty at AWS.
fn settle_empty(state: Value, prior: &Value) -> Value {
    let Value::Map(mut map) = state else {
        return state;
    };
    for name in ["alarm_actions", "ok_actions", "insufficient_data_actions"] {
        let empty = map
            .get(name)
            .and_then(Value::as_list)
            .is_some_and(<[Value]>::is_empty);
        if empty && prior.get(name).is_none_or(Value::is_null) {
            map.insert(name.into(), Value::Null);
        }
    }
    Value::Map(map)
}

/// Errors for the settings that name one of AWS's fixed choices but none that exists
/// (Terraform's provider refuses them at plan too; moto would accept them all).
fn unknown_names(proposed: &Value) -> Diagnostics {
    let choices: [(&str, &[&str]); 3] = [
        ("comparison_operator", ComparisonOperator::values()),
        ("statistic", Statistic::values()),
        ("treat_missing_data", &TREAT_MISSING_DATA),
    ];
    let mut diagnostics = Diagnostics::new();
    for (name, allowed) in choices {
        if let Some(value) = attrs::string(proposed, name) {
            if !allowed.contains(&value) {
                diagnostics.push(
                    Diagnostic::error(format!("{name} {value:?} is not one of AWS's"))
                        .with_detail(format!("It must be one of: {}.", allowed.join(", ")))
                        .with_attribute(AttrPath::attr(name)),
                );
            }
        }
    }
    diagnostics
}

/// What PutMetricAlarm accepts as TreatMissingData (a plain string in AWS's model).
const TREAT_MISSING_DATA: [&str; 4] = ["breaching", "notBreaching", "ignore", "missing"];

async fn describe(client: &Client, names: Vec<String>) -> Result<Vec<MetricAlarm>, AwsError> {
    let mut found = Vec::new();
    for chunk in names.chunks(100) {
        let out = client
            .cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(chunk.to_vec()))
            .send()
            .await?;
        found.extend(out.metric_alarms().iter().cloned());
    }
    Ok(found)
}

async fn put(
    client: &Client,
    planned: &Value,
    tags: Option<Vec<(String, String)>>,
) -> Result<(), AwsError> {
    let actions = |name: &str| Some(attrs::strings(planned, name));
    let dimensions: Vec<Dimension> = attrs::string_map(planned, "dimensions")
        .into_iter()
        .map(|(k, v)| Dimension::builder().name(k).value(v).build())
        .collect();
    client
        .cloudwatch
        .put_metric_alarm()
        .alarm_name(attrs::string(planned, "alarm_name").unwrap_or_default())
        .set_alarm_description(attrs::string(planned, "alarm_description").map(str::to_string))
        .comparison_operator(ComparisonOperator::from(
            attrs::string(planned, "comparison_operator").unwrap_or_default(),
        ))
        .evaluation_periods(attrs::integer(planned, "evaluation_periods").unwrap_or(1) as i32)
        .set_datapoints_to_alarm(attrs::integer(planned, "datapoints_to_alarm").map(|n| n as i32))
        .set_metric_name(attrs::string(planned, "metric_name").map(str::to_string))
        .set_namespace(attrs::string(planned, "namespace").map(str::to_string))
        .set_period(attrs::integer(planned, "period").map(|n| n as i32))
        .set_statistic(attrs::string(planned, "statistic").map(Statistic::from))
        .set_threshold(planned.get("threshold").and_then(|v| v.unmarked().as_f64()))
        .set_unit(attrs::string(planned, "unit").map(StandardUnit::from))
        .actions_enabled(attrs::boolean(planned, "actions_enabled").unwrap_or(true))
        .set_alarm_actions(actions("alarm_actions"))
        .set_ok_actions(actions("ok_actions"))
        .set_insufficient_data_actions(actions("insufficient_data_actions"))
        .treat_missing_data(attrs::string(planned, "treat_missing_data").unwrap_or("missing"))
        .set_dimensions(Some(dimensions))
        .set_tags(tags.map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect()
        }))
        .send()
        .await?;
    Ok(())
}

/// `alarm` with its `tags` and `tags_all` as AWS has them (ListTagsForResource: DescribeAlarms
/// has no tags).
async fn with_tags_read(client: &Client, alarm: Value) -> Result<Value, AwsError> {
    let arn = attrs::string(&alarm, "arn").unwrap_or_default().to_string();
    let out = client
        .cloudwatch
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await?;
    let pairs = out.tags().iter().filter_map(|t| {
        Some((
            t.key()?.to_string(),
            t.value().unwrap_or_default().to_string(),
        ))
    });
    let mut state = State::from(&alarm);
    tags::render_pairs(&client.tags, pairs, &alarm, &mut state);
    Ok(state.build())
}

async fn current(client: &Client, name: &str, prior: &Value) -> Result<Option<Value>, AwsError> {
    Ok(describe(client, vec![name.to_string()])
        .await?
        .first()
        .map(|a| settle_empty(render(a, prior), prior)))
}

#[async_trait]
impl Resource<Client> for MetricAlarmResource {
    fn type_name(&self) -> &str {
        TYPE
    }

    async fn list(&self, client: &Client, _ctx: &Context) -> plinth_sdk::ListResponse {
        crate::list::answer(crate::list::metric_alarms(client).await, "metric alarms")
    }

    fn schema(&self) -> Schema {
        let optional = |ty: Type, text: &str| Attribute::optional(ty).describe(text);
        tags::attributes(Schema::new())
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The alarm's name."),
            )
            .attr(
                "arn",
                Attribute::computed(Type::String).describe("The alarm's ARN."),
            )
            .attr(
                "alarm_name",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The alarm's name."),
            )
            .attr(
                "alarm_description",
                optional(Type::String, "A description."),
            )
            .attr(
                "comparison_operator",
                Attribute::required(Type::String).describe("`GreaterThanThreshold`..."),
            )
            .attr(
                "evaluation_periods",
                Attribute::required(Type::Number).describe("Periods compared."),
            )
            .attr(
                "datapoints_to_alarm",
                optional(Type::Number, "Breaching periods that alarm."),
            )
            .attr(
                "metric_name",
                optional(Type::String, "The metric (`CPUUtilization`)."),
            )
            .attr(
                "namespace",
                optional(Type::String, "Its namespace (`AWS/EC2`)."),
            )
            .attr("period", optional(Type::Number, "Seconds per period."))
            .attr(
                "statistic",
                optional(Type::String, "`Average`, `Maximum`..."),
            )
            .attr(
                "threshold",
                optional(Type::Number, "The value compared with."),
            )
            .attr("unit", optional(Type::String, "The metric's unit."))
            .attr(
                "actions_enabled",
                Attribute::optional(Type::Bool)
                    .default(true)
                    .describe("Whether actions run."),
            )
            .attr(
                "alarm_actions",
                optional(Type::set(Type::String), "ARNs notified on ALARM."),
            )
            .attr(
                "ok_actions",
                optional(Type::set(Type::String), "ARNs notified on OK."),
            )
            .attr(
                "insufficient_data_actions",
                optional(
                    Type::set(Type::String),
                    "ARNs notified on INSUFFICIENT_DATA.",
                ),
            )
            .attr(
                "treat_missing_data",
                Attribute::optional(Type::String)
                    .default("missing")
                    .describe("`missing`, `ignore`, `breaching` or `notBreaching`."),
            )
            .attr(
                "dimensions",
                optional(Type::map(Type::String), "The metric's dimensions."),
            )
            .crash_safety(CrashSafety::Tagged)
            .describe("A CloudWatch alarm on one metric.")
    }

    async fn plan(&self, client: &Client, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        let refused = unknown_names(&request.proposed);
        let mut response = tags::plan(&client.tags, request);
        response.diagnostics.extend(refused);
        response
    }

    async fn create(
        &self,
        client: &Client,
        _ctx: &Context,
        request: CreateRequest,
    ) -> ObjectResponse {
        let planned = &request.planned;
        let name = attrs::string(planned, "alarm_name").unwrap_or_default();
        let doing = format!("creating the alarm {name:?}");
        let tags_at_creation = tags::at_creation(&client.tags, planned, &request.intent);
        if let Err(e) = put(client, planned, Some(tags_at_creation)).await {
            return ObjectResponse::failed(e.diagnostic(&doing));
        }
        let with_tags = {
            let mut state = State::from(planned);
            state.set(
                "tags_all",
                attrs::map_value(&tags::all(&client.tags, planned)),
            );
            state.build()
        };
        match current(client, name, &with_tags).await {
            Ok(Some(state)) => ObjectResponse::ok(state),
            Ok(None) => {
                ObjectResponse::failed(AwsError::other("the alarm vanished").diagnostic(&doing))
            }
            Err(e) => {
                let mut state = State::from(&with_tags);
                state.set("id", name);
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
        batch::read(
            &objects,
            "reading alarms",
            |names| async move {
                Ok(describe(client, names)
                    .await?
                    .into_iter()
                    .map(|a| (a.alarm_name().unwrap_or_default().to_string(), a))
                    .collect())
            },
            |alarm, prior| Some(settle_empty(render(alarm, prior), prior)),
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
        let name = attrs::string(prior, "alarm_name").unwrap_or_default();
        let doing = format!("updating the alarm {name:?}");
        let result = async {
            put(client, planned, None).await?;
            let arn = attrs::string(prior, "arn").unwrap_or_default();
            let (set, removed) = tags::changes(&client.tags, prior, planned);
            if !removed.is_empty() {
                client
                    .cloudwatch
                    .untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(removed))
                    .send()
                    .await?;
            }
            if !set.is_empty() {
                let set = set
                    .into_iter()
                    .map(|(k, v)| Tag::builder().key(k).value(v).build())
                    .collect();
                client
                    .cloudwatch
                    .tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(set))
                    .send()
                    .await?;
            }
            Ok::<_, AwsError>(())
        }
        .await;
        match (result, current(client, name, planned).await) {
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
        let name = attrs::string(&request.prior, "alarm_name").unwrap_or_default();
        match client
            .cloudwatch
            .delete_alarms()
            .alarm_names(name)
            .send()
            .await
            .map_err(AwsError::from)
        {
            Err(e) if !e.is_not_found() => e
                .diagnostics(&format!("deleting the alarm {name:?}"))
                .into(),
            _ => DeleteResponse::default(),
        }
    }

    async fn import(&self, client: &Client, _ctx: &Context, id: &str) -> ObjectResponse {
        let doing = format!("importing the alarm {id:?}");
        match current(client, id, &Value::object::<&str>([])).await {
            Ok(Some(state)) => match with_tags_read(client, state).await {
                Ok(state) => ObjectResponse::ok(state),
                Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
            },
            Ok(None) => ObjectResponse::failed(AwsError::other("no such alarm").diagnostic(&doing)),
            Err(e) => ObjectResponse::failed(e.diagnostic(&doing)),
        }
    }

    async fn adopt(&self, client: &Client, _ctx: &Context, request: AdoptRequest) -> AdoptResponse {
        let name = attrs::string(&request.planned, "alarm_name").unwrap_or_default();
        let mut with_tags = State::from(&request.planned);
        with_tags.set(
            "tags_all",
            attrs::map_value(&tags::all(&client.tags, &request.planned)),
        );
        match current(client, name, &with_tags.build()).await {
            Ok(found) => AdoptResponse {
                found,
                ..AdoptResponse::default()
            },
            Err(e) => adopt_failed(e, "alarm"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alarm_is_read_into_state_as_terraform_writes_it() {
        let topic = "arn:aws:sns:us-east-1:123456789012:alerts";
        let alarm = MetricAlarm::builder()
            .alarm_name("cpu")
            .alarm_arn("arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu")
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .evaluation_periods(2)
            .metric_name("CPUUtilization")
            .namespace("AWS/EC2")
            .period(300)
            .statistic(Statistic::Average)
            .threshold(80.0)
            .alarm_actions(topic)
            .dimensions(Dimension::builder().name("InstanceId").value("i-1").build())
            .build();
        let prior = Value::object([
            ("alarm_name", Value::from("cpu")),
            ("ok_actions", Value::Null),
        ]);
        let state = settle_empty(render(&alarm, &prior), &prior);
        assert_eq!(state.get("id"), Some(&Value::from("cpu")));
        assert_eq!(state.get("threshold"), Some(&Value::float(80.0)));
        assert_eq!(state.get("evaluation_periods"), Some(&Value::int(2)));
        assert_eq!(state.get("period"), Some(&Value::int(300)));
        assert_eq!(
            state.get("comparison_operator"),
            Some(&Value::from("GreaterThanThreshold"))
        );
        assert_eq!(state.get("statistic"), Some(&Value::from("Average")));
        assert_eq!(
            state.get("dimensions").and_then(|d| d.get("InstanceId")),
            Some(&Value::from("i-1"))
        );
        assert_eq!(
            state.get("alarm_actions"),
            Some(&attrs::string_set([topic]))
        );
        assert_eq!(state.get("ok_actions"), Some(&Value::Null));
        assert_eq!(
            state.get("treat_missing_data"),
            Some(&Value::from("missing"))
        );
        assert_eq!(state.get("actions_enabled"), Some(&Value::Bool(true)));
    }
}
