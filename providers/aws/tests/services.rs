//! RDS, ECS, Route 53, SNS and CloudWatch against moto in server mode: the contract test kit for each type,
//! the database's password never in a diagnostic (a refused create shows AWS's code and
//! message), too-short passwords refused by the schema, records found by zone, name and type
//! and imported with Terraform's ids, and seed 002's deprecated cluster attributes applied with
//! a warning, and CloudWatch alarms (the SDK is pinned to a release that speaks awsQuery, which
//! moto serves) imported by name, with names AWS does not have refused at plan.

mod support;

use plinth_sdk::testkit::{self, Case};
use plinth_sdk::{Context, CreateRequest, ImportRequest, Intent, PlanRequest, Provider, Value};
use support::*;

async fn kit(
    provider: &dyn Provider,
    type_name: &str,
    create: Value,
    update: &[(&str, Value)],
    check: &str,
) {
    let case = Case {
        type_name: type_name.into(),
        create,
        update: update
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        check: check.into(),
    };
    testkit::lifecycle(provider, &case)
        .await
        .unwrap_or_else(|e| panic!("{type_name} lifecycle: {e}"));
    testkit::adopts_an_interrupted_create(provider, &case)
        .await
        .unwrap_or_else(|e| panic!("{type_name} adoption: {e}"));
    testkit::adopts_nothing_for_an_unused_intent(provider, &case)
        .await
        .unwrap_or_else(|e| panic!("{type_name} adoption of nothing: {e}"));
}

async fn subnets(provider: &dyn Provider) -> Vec<Value> {
    let vpc = create(
        provider,
        "aws_vpc",
        obj([("cidr_block", Value::from("10.0.0.0/16"))]),
    )
    .await;
    let mut subnets = Vec::new();
    for (i, zone) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
        subnets.push(
            create(
                provider,
                "aws_subnet",
                obj([
                    ("vpc_id", Value::from(s(&vpc, "id"))),
                    ("cidr_block", Value::from(format!("10.0.{i}.0/24"))),
                    ("availability_zone", Value::from(*zone)),
                ]),
            )
            .await,
        );
    }
    subnets
}

fn db_config(identifier: &str, group: &str, password: &str) -> Value {
    obj([
        ("identifier", Value::from(identifier)),
        ("engine", Value::from("postgres")),
        ("engine_version", Value::from("15.4")),
        ("instance_class", Value::from("db.t3.micro")),
        ("allocated_storage", Value::int(20)),
        ("storage_encrypted", Value::Bool(true)),
        ("db_name", Value::from("app")),
        ("username", Value::from("app")),
        ("password", Value::from(password)),
        ("db_subnet_group_name", Value::from(group)),
        ("backup_retention_period", Value::int(7)),
        ("backup_window", Value::from("03:00-04:00")),
        // (moto counts windows that touch as overlapping)
        ("maintenance_window", Value::from("sun:05:00-sun:06:00")),
        ("skip_final_snapshot", Value::Bool(true)),
        ("apply_immediately", Value::Bool(true)),
    ])
}

#[tokio::test]
async fn rds_groups_and_instances_keep_the_contract() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let subnets = subnets(&provider).await;
    let ids = Value::set(
        subnets
            .iter()
            .map(|s| Value::from(s.get("id").unwrap().as_str().unwrap()))
            .collect(),
    );
    kit(
        &provider,
        "aws_db_subnet_group",
        obj([
            ("name", Value::from("app")),
            ("description", Value::from("app")),
            ("subnet_ids", ids.clone()),
        ]),
        // (moto loses a subnet group from its listing once it is modified: tags are changed here)
        &[("tags", obj([("Team", Value::from("data"))]))],
        "tags",
    )
    .await;
    kit(
        &provider,
        "aws_db_parameter_group",
        obj([
            ("name", Value::from("app-pg15")),
            ("family", Value::from("postgres15")),
            ("description", Value::from("app")),
        ]),
        &[("tags", obj([("Team", Value::from("data"))]))],
        "tags",
    )
    .await;
    create(
        &provider,
        "aws_db_subnet_group",
        obj([
            ("name", Value::from("main")),
            ("description", Value::from("main")),
            ("subnet_ids", ids),
        ]),
    )
    .await;
    kit(
        &provider,
        "aws_db_instance",
        db_config("app-db", "main", "a-long-password"),
        &[("backup_retention_period", Value::int(14))],
        "backup_retention_period",
    )
    .await;
    let db = create(
        &provider,
        "aws_db_instance",
        db_config("main-db", "main", "a-long-password"),
    )
    .await;
    assert_eq!(s(&db, "status"), "available");
    assert!(s(&db, "endpoint").ends_with(":5432"), "{db:?}");
    let imported = provider
        .import(
            &Context::default(),
            ImportRequest {
                type_name: "aws_db_instance".into(),
                id: "main-db".into(),
            },
        )
        .await;
    assert_eq!(imported.new_state.unwrap().get("id"), db.get("id"));
}

#[tokio::test]
async fn a_refused_database_shows_aws_code_and_message_never_the_password() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let mut planned = db_config("bad", "", "a-long-secret-password");
    if let Value::Map(map) = &mut planned {
        map.insert("engine".into(), Value::from("nosuchengine"));
    }
    let created = provider
        .create(
            &Context::default(),
            CreateRequest {
                type_name: "aws_db_instance".into(),
                planned,
                intent: Intent::new("aws_db_instance.bad", "default"),
                private: vec![],
            },
        )
        .await;
    assert!(created.new_state.is_none(), "nothing was made");
    let error = created.diagnostics.to_string();
    assert!(error.contains("InvalidParameterValue"), "{error}");
    assert!(error.contains("nosuchengine"), "{error}");
    assert!(
        !error.contains("a-long-secret-password"),
        "the password shows: {error}"
    );
    // A password AWS would refuse as too short is refused before any call, by the schema.
    let schema = provider.schema().resources["aws_db_instance"].attributes["password"].clone();
    assert!(schema.sensitive);
    assert!(schema
        .validators
        .contains(&plinth_sdk::Validator::LengthBetween { min: 8, max: 128 }));
}

#[tokio::test]
async fn ecs_clusters_and_sns_keep_the_contract() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    kit(
        &provider,
        "aws_ecs_cluster",
        obj([("name", Value::from("app"))]),
        &[("tags", obj([("Team", Value::from("web"))]))],
        "tags",
    )
    .await;
    kit(
        &provider,
        "aws_sns_topic",
        obj([("name", Value::from("alerts"))]),
        &[("display_name", Value::from("Alerts"))],
        "display_name",
    )
    .await;
    let topic = create(
        &provider,
        "aws_sns_topic",
        obj([("name", Value::from("ops"))]),
    )
    .await;
    kit(
        &provider,
        "aws_sns_topic_subscription",
        obj([
            ("topic_arn", Value::from(s(&topic, "arn"))),
            ("protocol", Value::from("email")),
            ("endpoint", Value::from("ops@example.com")),
        ]),
        &[],
        "endpoint",
    )
    .await;
}

#[tokio::test]
async fn seed_002_capacity_providers_are_applied_with_a_deprecation_warning() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let config = obj([
        ("name", Value::from("gacetachat-cluster")),
        ("capacity_providers", strings(&["FARGATE"])),
        (
            "default_capacity_provider_strategy",
            Value::set(vec![obj([
                ("capacity_provider", Value::from("FARGATE")),
                ("weight", Value::int(1)),
                ("base", Value::int(0)),
            ])]),
        ),
    ]);
    let plan = provider
        .plan(
            &Context::default(),
            PlanRequest {
                type_name: "aws_ecs_cluster".into(),
                prior: None,
                proposed: config.clone(),
                prior_private: Vec::new(),
            },
        )
        .await;
    let warning = plan.diagnostics.to_string();
    assert!(warning.contains("capacity_providers"), "{warning}");
    let cluster = create(&provider, "aws_ecs_cluster", config).await;
    assert_eq!(
        cluster.get("capacity_providers"),
        Some(&strings(&["FARGATE"]))
    );
    assert_eq!(
        cluster
            .get("default_capacity_provider_strategy")
            .and_then(Value::as_list)
            .map(<[Value]>::len),
        Some(1)
    );
}

/// Regression: a cluster imported (lost state rebuilt, tests/cli_lost_state.rs) came back
/// without seed 002's `capacity_providers` and `default_capacity_provider_strategy`: they were
/// shown only when the prior object had them, and an import has no prior object. Import reads
/// them back whenever the cluster has them, and leaves them null when it has none.
#[tokio::test]
async fn an_imported_cluster_reads_back_its_capacity_providers() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let strategy = Value::set(vec![obj([
        ("capacity_provider", Value::from("FARGATE")),
        ("weight", Value::int(1)),
        ("base", Value::int(0)),
    ])]);
    let made = create(
        &provider,
        "aws_ecs_cluster",
        obj([
            ("name", Value::from("gacetachat-cluster")),
            ("capacity_providers", strings(&["FARGATE"])),
            ("default_capacity_provider_strategy", strategy),
        ]),
    )
    .await;
    create(
        &provider,
        "aws_ecs_cluster",
        obj([("name", Value::from("plain"))]),
    )
    .await;
    let ctx = Context::default();
    let import = |id: &str| {
        provider.import(
            &ctx,
            ImportRequest {
                type_name: "aws_ecs_cluster".into(),
                id: id.into(),
            },
        )
    };
    let imported = import("gacetachat-cluster").await;
    assert!(
        !imported.diagnostics.has_errors(),
        "{}",
        imported.diagnostics
    );
    let imported = imported.new_state.expect("imported");
    assert_eq!(
        imported.get("capacity_providers"),
        Some(&strings(&["FARGATE"]))
    );
    assert_eq!(
        imported.get("default_capacity_provider_strategy"),
        made.get("default_capacity_provider_strategy")
    );
    let plain = import("plain").await.new_state.expect("imported");
    assert!(plain.get("capacity_providers").is_none_or(Value::is_null));
    assert!(plain
        .get("default_capacity_provider_strategy")
        .is_none_or(|v| v.is_null() || v.as_list().is_some_and(<[Value]>::is_empty)));
}

#[tokio::test]
async fn route53_zones_and_records_keep_the_contract_and_import() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    kit(
        &provider,
        "aws_route53_zone",
        obj([
            ("name", Value::from("example.com")),
            ("comment", Value::from("zone")),
            ("force_destroy", Value::Bool(true)),
        ]),
        &[("tags", obj([("Team", Value::from("dns"))]))],
        "tags",
    )
    .await;
    let zone = create(
        &provider,
        "aws_route53_zone",
        obj([
            ("name", Value::from("chat.test")),
            ("force_destroy", Value::Bool(true)),
        ]),
    )
    .await;
    let zone_id = s(&zone, "zone_id").to_string();
    kit(
        &provider,
        "aws_route53_record",
        obj([
            ("zone_id", Value::from(zone_id.as_str())),
            ("name", Value::from("www")),
            ("type", Value::from("A")),
            ("ttl", Value::int(60)),
            ("records", strings(&["10.0.0.1"])),
            ("allow_overwrite", Value::Bool(false)),
        ]),
        &[("records", strings(&["10.0.0.2"]))],
        "records",
    )
    .await;
    let weighted = |set: &str, ip: &str| {
        obj([
            ("zone_id", Value::from(zone_id.as_str())),
            ("name", Value::from("api.chat.test")),
            ("type", Value::from("A")),
            ("ttl", Value::int(60)),
            ("records", strings(&[ip])),
            ("set_identifier", Value::from(set)),
            (
                "weighted_routing_policy",
                Value::List(vec![obj([("weight", Value::int(10))])]),
            ),
            ("allow_overwrite", Value::Bool(false)),
        ])
    };
    let blue = create(
        &provider,
        "aws_route53_record",
        weighted("blue", "10.0.0.3"),
    )
    .await;
    create(
        &provider,
        "aws_route53_record",
        weighted("green", "10.0.0.4"),
    )
    .await;
    assert_eq!(s(&blue, "id"), format!("{zone_id}_api.chat.test_A_blue"));
    let imported = provider
        .import(
            &Context::default(),
            ImportRequest {
                type_name: "aws_route53_record".into(),
                id: format!("{zone_id}_api.chat.test_A_blue"),
            },
        )
        .await;
    let imported = imported.new_state.expect("imported");
    assert_eq!(imported.get("records"), Some(&strings(&["10.0.0.3"])));
}

fn alarm_config(name: &str) -> Value {
    obj([
        ("alarm_name", Value::from(name)),
        ("alarm_description", Value::from("CPU above 80%")),
        ("comparison_operator", Value::from("GreaterThanThreshold")),
        ("evaluation_periods", Value::int(2)),
        ("metric_name", Value::from("CPUUtilization")),
        ("namespace", Value::from("AWS/EC2")),
        ("period", Value::int(300)),
        ("statistic", Value::from("Average")),
        ("threshold", Value::int(80)),
        (
            "dimensions",
            obj([("InstanceId", Value::from("i-0123456789abcdef0"))]),
        ),
        ("actions_enabled", Value::Bool(true)),
        ("treat_missing_data", Value::from("missing")),
    ])
}

/// The alarm on moto (which serves CloudWatch over the awsQuery protocol of the pinned SDK):
/// create, read, an in-place update, adoption of an interrupted create, delete; import by the
/// alarm's name, Terraform's import id, reads back every setting.
#[tokio::test]
async fn cloudwatch_alarms_keep_the_contract_and_import_by_name() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let topic = create(
        &provider,
        "aws_sns_topic",
        obj([("name", Value::from("alerts"))]),
    )
    .await;
    let mut config = alarm_config("cpu");
    if let Value::Map(map) = &mut config {
        map.insert("alarm_actions".into(), strings(&[s(&topic, "arn")]));
    }
    kit(
        &provider,
        "aws_cloudwatch_metric_alarm",
        config,
        &[("threshold", Value::int(90))],
        "threshold",
    )
    .await;
    let made = create(
        &provider,
        "aws_cloudwatch_metric_alarm",
        alarm_config("memory"),
    )
    .await;
    assert_eq!(s(&made, "id"), "memory");
    assert!(s(&made, "arn").ends_with(":alarm:memory"), "{made:?}");
    let imported = provider
        .import(
            &Context::default(),
            ImportRequest {
                type_name: "aws_cloudwatch_metric_alarm".into(),
                id: "memory".into(),
            },
        )
        .await;
    assert!(
        !imported.diagnostics.has_errors(),
        "{}",
        imported.diagnostics
    );
    let imported = imported.new_state.expect("imported");
    for name in [
        "id",
        "arn",
        "alarm_name",
        "alarm_description",
        "comparison_operator",
        "evaluation_periods",
        "metric_name",
        "namespace",
        "period",
        "statistic",
        "threshold",
        "dimensions",
        "treat_missing_data",
    ] {
        assert_eq!(imported.get(name), made.get(name), "{name}");
    }
    let missing = provider
        .import(
            &Context::default(),
            ImportRequest {
                type_name: "aws_cloudwatch_metric_alarm".into(),
                id: "no-such-alarm".into(),
            },
        )
        .await;
    let error = missing.diagnostics.to_string();
    assert!(
        error.contains("importing the alarm \"no-such-alarm\""),
        "{error}"
    );
    delete(&provider, "aws_cloudwatch_metric_alarm", made).await;
}

/// A comparison operator, statistic or missing-data treatment AWS does not have is refused at
/// plan, naming the attribute and the choices: moto accepts any string in PutMetricAlarm, so
/// without this an alarm that real AWS refuses would apply cleanly against moto.
#[tokio::test]
async fn an_alarm_with_an_unknown_comparison_operator_is_refused_at_plan() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let mut config = alarm_config("bad");
    if let Value::Map(map) = &mut config {
        map.insert("comparison_operator".into(), Value::from("GreaterThan"));
        map.insert("treat_missing_data".into(), Value::from("skip"));
    }
    let plan = provider
        .plan(
            &Context::default(),
            PlanRequest {
                type_name: "aws_cloudwatch_metric_alarm".into(),
                prior: None,
                proposed: config,
                prior_private: Vec::new(),
            },
        )
        .await;
    assert!(plan.diagnostics.has_errors());
    let error = plan.diagnostics.to_string();
    assert!(
        error.contains("comparison_operator \"GreaterThan\" is not one of AWS's"),
        "{error}"
    );
    assert!(error.contains("GreaterThanThreshold"), "{error}");
    assert!(error.contains("treat_missing_data \"skip\""), "{error}");
    let fine = provider
        .plan(
            &Context::default(),
            PlanRequest {
                type_name: "aws_cloudwatch_metric_alarm".into(),
                prior: None,
                proposed: alarm_config("good"),
                prior_private: Vec::new(),
            },
        )
        .await;
    assert!(!fine.diagnostics.has_errors(), "{}", fine.diagnostics);
}

/// Regression: `plinth drift -unmanaged` lists a DB instance by the resource id state holds
/// (`db-...`) and named by its identifier, which no argument of the configuration matched (the
/// configuration says `identifier`), and importing that resource id failed ("no such DB
/// instance": import took identifiers only), so lost state could not be rebuilt for databases.
/// The listing carries `identifier`, import takes either id, and plinth's own settings take their
/// defaults.
#[tokio::test]
async fn a_db_instance_is_listed_with_its_identifier_and_imported_by_its_resource_id() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let ids = Value::set(
        subnets(&provider)
            .await
            .iter()
            .map(|s| Value::from(s.get("id").unwrap().as_str().unwrap()))
            .collect(),
    );
    create(
        &provider,
        "aws_db_subnet_group",
        obj([
            ("name", Value::from("main")),
            ("description", Value::from("main")),
            ("subnet_ids", ids),
        ]),
    )
    .await;
    let db = create(
        &provider,
        "aws_db_instance",
        db_config("listed-db", "main", "a-long-password"),
    )
    .await;
    let resource_id = s(&db, "id").to_string();
    assert!(resource_id.starts_with("db-"), "{resource_id}");
    let listed = provider
        .list(
            &Context::default(),
            plinth_sdk::ListRequest {
                type_name: "aws_db_instance".into(),
            },
        )
        .await;
    assert_eq!(listed.objects.len(), 1, "{:?}", listed.objects);
    assert_eq!(s(&listed.objects[0], "id"), resource_id);
    assert_eq!(s(&listed.objects[0], "identifier"), "listed-db");
    for id in [resource_id.as_str(), "listed-db"] {
        let imported = provider
            .import(
                &Context::default(),
                ImportRequest {
                    type_name: "aws_db_instance".into(),
                    id: id.into(),
                },
            )
            .await;
        assert!(
            !imported.diagnostics.has_errors(),
            "{id}: {}",
            imported.diagnostics
        );
        let imported = imported.new_state.expect("imported");
        assert_eq!(s(&imported, "id"), resource_id, "{id}");
        assert_eq!(s(&imported, "identifier"), "listed-db", "{id}");
        for setting in ["apply_immediately", "skip_final_snapshot"] {
            assert_eq!(
                imported.get(setting),
                Some(&Value::Bool(false)),
                "{id}: {setting}"
            );
        }
    }
}
