//! Against moto (one server per test): the standalone security group rule types through the
//! contract test kit, a group without inline rules leaving them to those objects, the `aws_vpc`
//! and `aws_subnets` data sources, and `list` finding objects made out of band while leaving
//! AWS's own defaults out.

mod support;

use plinth_sdk::testkit::{self, Case};
use plinth_sdk::{
    Context, ImportRequest, ListRequest, Provider, ReadDataRequest, ReadResult, Value,
};
use support::*;

async fn vpc(provider: &dyn Provider, cidr: &str, name: &str) -> Value {
    create(
        provider,
        "aws_vpc",
        obj([
            ("cidr_block", Value::from(cidr)),
            ("instance_tenancy", Value::from("default")),
            ("enable_dns_support", Value::Bool(true)),
            ("tags", obj([("Name", Value::from(name))])),
        ]),
    )
    .await
}

async fn group(provider: &dyn Provider, vpc_id: &str, name: &str) -> Value {
    create(
        provider,
        "aws_security_group",
        obj([
            ("name", Value::from(name)),
            ("description", Value::from("rules elsewhere")),
            ("vpc_id", Value::from(vpc_id)),
            ("ingress", Value::set(Vec::new())),
            ("egress", Value::set(Vec::new())),
            ("revoke_rules_on_delete", Value::Bool(false)),
        ]),
    )
    .await
}

fn rule(group_id: &str, port: i64, cidr: &str) -> Value {
    obj([
        ("security_group_id", Value::from(group_id)),
        ("ip_protocol", Value::from("tcp")),
        ("from_port", Value::int(port)),
        ("to_port", Value::int(port)),
        ("cidr_ipv4", Value::from(cidr)),
        ("description", Value::from("web")),
    ])
}

async fn data(provider: &dyn Provider, type_name: &str, config: Value) -> Value {
    let response = provider
        .read_data(
            &Context::default(),
            ReadDataRequest {
                type_name: type_name.into(),
                config,
            },
        )
        .await;
    assert!(
        !response.diagnostics.has_errors(),
        "{}",
        response.diagnostics
    );
    response.state.expect("a value")
}

async fn listed(provider: &dyn Provider, type_name: &str) -> Vec<String> {
    let response = provider
        .list(
            &Context::default(),
            ListRequest {
                type_name: type_name.into(),
            },
        )
        .await;
    assert!(response.supported, "{type_name} can be listed");
    assert!(
        !response.diagnostics.has_errors(),
        "{}",
        response.diagnostics
    );
    response
        .objects
        .iter()
        .map(|o| s(o, "id").to_string())
        .collect()
}

#[tokio::test]
async fn standalone_rules_keep_the_contract_and_stay_out_of_their_group() {
    let Some(moto) = Moto::start() else { return };
    let (provider, calls) = configured(&moto).await;
    let vpc = vpc(&provider, "10.7.0.0/16", "rules").await;
    let group = group(&provider, s(&vpc, "id"), "web").await;
    let group_id = s(&group, "id");
    for (type_name, port) in [
        ("aws_vpc_security_group_ingress_rule", 443),
        ("aws_vpc_security_group_egress_rule", 5432),
    ] {
        let case = Case {
            type_name: type_name.into(),
            create: rule(group_id, port, "10.0.0.0/8"),
            update: [
                ("description".to_string(), Value::from("changed")),
                ("tags".to_string(), obj([("Name", Value::from("tagged"))])),
            ]
            .into(),
            check: "description".into(),
        };
        testkit::lifecycle(&provider, &case)
            .await
            .unwrap_or_else(|e| panic!("{type_name} lifecycle: {e}"));
        testkit::adopts_an_interrupted_create(&provider, &case)
            .await
            .unwrap_or_else(|e| panic!("{type_name} adoption: {e}"));
        testkit::adopts_nothing_for_an_unused_intent(&provider, &case)
            .await
            .unwrap_or_else(|e| panic!("{type_name} adoption of nothing: {e}"));
    }

    let ingress = create(
        &provider,
        "aws_vpc_security_group_ingress_rule",
        rule(group_id, 80, "0.0.0.0/0"),
    )
    .await;
    let egress = create(
        &provider,
        "aws_vpc_security_group_egress_rule",
        obj([
            ("security_group_id", Value::from(group_id)),
            ("ip_protocol", Value::from("-1")),
            ("cidr_ipv4", Value::from("0.0.0.0/0")),
        ]),
    )
    .await;
    assert!(s(&ingress, "id").starts_with("sgr-"), "{ingress:?}");
    assert_eq!(s(&egress, "ip_protocol"), "-1");
    assert_eq!(egress.get("from_port"), Some(&Value::Null));

    // The group, written without rules, does not take the standalone rules as its own.
    let refreshed = read(&provider, "aws_security_group", vec![group.clone()]).await;
    let ReadResult::Found(refreshed) = &refreshed[0] else {
        panic!("the group is gone: {refreshed:?}")
    };
    assert_eq!(refreshed.get("ingress"), Some(&Value::set(Vec::new())));
    assert_eq!(refreshed.get("egress"), Some(&Value::set(Vec::new())));

    // Many rules are read in one call.
    let before = calls.get();
    let results = read(
        &provider,
        "aws_vpc_security_group_ingress_rule",
        vec![ingress.clone(), ingress.clone()],
    )
    .await;
    assert_eq!(calls.get() - before, 1);
    assert!(
        matches!(&results[0], ReadResult::Found(r) if r.get("cidr_ipv4") == ingress.get("cidr_ipv4"))
    );

    // Terraform's import id: the rule id; the other direction's type does not take it.
    let ctx = Context::default();
    let import = |type_name: &str| ImportRequest {
        type_name: type_name.into(),
        id: s(&ingress, "id").into(),
    };
    let imported = provider
        .import(&ctx, import("aws_vpc_security_group_ingress_rule"))
        .await;
    assert_eq!(
        imported.new_state.expect("imported").get("from_port"),
        Some(&Value::int(80))
    );
    let wrong = provider
        .import(&ctx, import("aws_vpc_security_group_egress_rule"))
        .await;
    assert!(wrong.diagnostics.has_errors());

    // Exactly one peer.
    let plan = provider
        .plan(
            &ctx,
            plinth_sdk::PlanRequest {
                type_name: "aws_vpc_security_group_ingress_rule".into(),
                prior: None,
                proposed: obj([
                    ("security_group_id", Value::from(group_id)),
                    ("ip_protocol", Value::from("tcp")),
                ]),
                prior_private: Vec::new(),
            },
        )
        .await;
    assert!(
        plan.diagnostics.to_string().contains("exactly one of"),
        "{}",
        plan.diagnostics
    );
    delete(
        &provider,
        "aws_vpc_security_group_ingress_rule",
        ingress.clone(),
    )
    .await;
    let gone = read(
        &provider,
        "aws_vpc_security_group_ingress_rule",
        vec![ingress],
    )
    .await;
    assert!(matches!(gone[0], ReadResult::Gone), "{gone:?}");
}

#[tokio::test]
async fn vpc_and_subnets_data_sources_find_what_matches() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let vpc = vpc(&provider, "10.8.0.0/16", "found").await;
    let vpc_id = s(&vpc, "id");
    let mut subnets = Vec::new();
    for cidr in ["10.8.1.0/24", "10.8.2.0/24"] {
        let subnet = create(
            &provider,
            "aws_subnet",
            obj([
                ("vpc_id", Value::from(vpc_id)),
                ("cidr_block", Value::from(cidr)),
                ("tags", obj([("Tier", Value::from("private"))])),
            ]),
        )
        .await;
        subnets.push(Value::from(s(&subnet, "id")));
    }
    subnets.sort_by(Value::set_order);

    let by_tag = data(
        &provider,
        "aws_vpc",
        obj([("tags", obj([("Name", Value::from("found"))]))]),
    )
    .await;
    assert_eq!(s(&by_tag, "id"), vpc_id);
    assert_eq!(s(&by_tag, "cidr_block"), "10.8.0.0/16");
    assert_eq!(by_tag.get("enable_dns_support"), Some(&Value::Bool(true)));
    assert_eq!(by_tag.get("default"), Some(&Value::Bool(false)));
    assert!(s(&by_tag, "main_route_table_id").starts_with("rtb-"));
    let default = data(&provider, "aws_vpc", obj([("default", Value::Bool(true))])).await;
    assert_ne!(s(&default, "id"), vpc_id);
    let none = provider
        .read_data(
            &Context::default(),
            ReadDataRequest {
                type_name: "aws_vpc".into(),
                config: obj([("cidr_block", Value::from("172.31.250.0/24"))]),
            },
        )
        .await;
    assert!(none
        .diagnostics
        .to_string()
        .contains("no matching EC2 VPC found"));

    let found = data(
        &provider,
        "aws_subnets",
        obj([
            (
                "filter",
                Value::set(vec![obj([
                    ("name", Value::from("vpc-id")),
                    ("values", strings(&[vpc_id])),
                ])]),
            ),
            ("tags", obj([("Tier", Value::from("private"))])),
        ]),
    )
    .await;
    assert_eq!(found.get("ids"), Some(&Value::List(subnets)));
}

#[tokio::test]
async fn list_finds_objects_made_out_of_band_but_not_aws_defaults() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    assert_eq!(listed(&provider, "aws_vpc").await, Vec::<String>::new());
    assert_eq!(
        listed(&provider, "aws_security_group").await,
        Vec::<String>::new()
    );
    assert_eq!(listed(&provider, "aws_subnet").await, Vec::<String>::new());
    let vpc = vpc(&provider, "10.9.0.0/16", "stray").await;
    let group = group(&provider, s(&vpc, "id"), "stray").await;
    assert_eq!(listed(&provider, "aws_vpc").await, [s(&vpc, "id")]);
    assert_eq!(
        listed(&provider, "aws_security_group").await,
        [s(&group, "id")]
    );
    assert_eq!(
        listed(&provider, "aws_route_table").await,
        Vec::<String>::new()
    );
    let zone = create(
        &provider,
        "aws_route53_zone",
        obj([("name", Value::from("stray.example.com"))]),
    )
    .await;
    assert_eq!(
        listed(&provider, "aws_route53_zone").await,
        [s(&zone, "id")]
    );
    assert_eq!(
        listed(&provider, "aws_route53_record").await,
        Vec::<String>::new()
    );
    for type_name in [
        "aws_instance",
        "aws_db_instance",
        "aws_db_subnet_group",
        "aws_ecs_cluster",
        "aws_sns_topic",
        "aws_eip",
        "aws_key_pair",
        "aws_internet_gateway",
    ] {
        assert_eq!(
            listed(&provider, type_name).await,
            Vec::<String>::new(),
            "{type_name}"
        );
    }
}
