//! VPC networking against moto in server mode (one server per test): the contract test kit for
//! every type (create, read, update in place, delete twice, read gone; adoption of a create
//! whose answer was lost), batched refresh counted call by call, Terraform's import ids, AWS's
//! error code and message on bad input, and the data sources.

mod support;

use plinth_sdk::testkit::{self, Case};
use plinth_sdk::{Context, ImportRequest, Provider, ReadResult, Value};
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

fn vpc_config(cidr: &str) -> Value {
    obj([
        ("cidr_block", Value::from(cidr)),
        ("instance_tenancy", Value::from("default")),
        ("enable_dns_support", Value::Bool(true)),
        ("tags", obj([("Name", Value::from("main"))])),
    ])
}

async fn vpc(provider: &dyn Provider) -> Value {
    create(provider, "aws_vpc", vpc_config("10.0.0.0/16")).await
}

async fn import(provider: &dyn Provider, type_name: &str, id: &str) -> plinth_sdk::ObjectResponse {
    provider
        .import(
            &Context::default(),
            ImportRequest {
                type_name: type_name.into(),
                id: id.into(),
            },
        )
        .await
}

#[tokio::test]
async fn vpc_and_subnet_keep_the_contract() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    kit(
        &provider,
        "aws_vpc",
        vpc_config("10.1.0.0/16"),
        &[
            ("enable_dns_hostnames", Value::Bool(true)),
            ("tags", obj([("Name", Value::from("renamed"))])),
        ],
        "enable_dns_hostnames",
    )
    .await;
    let vpc = vpc(&provider).await;
    assert!(s(&vpc, "main_route_table_id").starts_with("rtb-"));
    assert!(s(&vpc, "default_security_group_id").starts_with("sg-"));
    kit(
        &provider,
        "aws_subnet",
        obj([
            ("vpc_id", Value::from(s(&vpc, "id"))),
            ("cidr_block", Value::from("10.0.1.0/24")),
            ("availability_zone", Value::from("us-east-1a")),
            ("map_public_ip_on_launch", Value::Bool(false)),
        ]),
        &[("map_public_ip_on_launch", Value::Bool(true))],
        "map_public_ip_on_launch",
    )
    .await;
}

#[tokio::test]
async fn gateways_route_tables_and_security_groups_keep_the_contract() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let vpc = vpc(&provider).await;
    let vpc_id = Value::from(s(&vpc, "id"));
    kit(
        &provider,
        "aws_internet_gateway",
        obj([("vpc_id", vpc_id.clone())]),
        &[("tags", obj([("Name", Value::from("igw"))]))],
        "tags",
    )
    .await;
    let gateway = create(
        &provider,
        "aws_internet_gateway",
        obj([("vpc_id", vpc_id.clone())]),
    )
    .await;
    let route = |cidr: &str| {
        obj([
            ("cidr_block", Value::from(cidr)),
            ("ipv6_cidr_block", Value::Null),
            ("gateway_id", Value::from(s(&gateway, "id"))),
            ("nat_gateway_id", Value::Null),
            ("network_interface_id", Value::Null),
            ("vpc_peering_connection_id", Value::Null),
            ("transit_gateway_id", Value::Null),
        ])
    };
    kit(
        &provider,
        "aws_route_table",
        obj([
            ("vpc_id", vpc_id.clone()),
            ("route", Value::set(vec![route("0.0.0.0/0")])),
        ]),
        &[(
            "route",
            Value::set(vec![route("0.0.0.0/0"), route("192.168.0.0/16")]),
        )],
        "route",
    )
    .await;
    let rule = |port: i64, cidr: &str| {
        obj([
            ("from_port", Value::int(port)),
            ("to_port", Value::int(port)),
            ("protocol", Value::from("tcp")),
            ("cidr_blocks", strings(&[cidr])),
            ("ipv6_cidr_blocks", Value::Null),
            ("security_groups", Value::Null),
            ("prefix_list_ids", Value::Null),
            ("self", Value::Null),
            ("description", Value::Null),
        ])
    };
    let egress = obj([
        ("from_port", Value::int(0)),
        ("to_port", Value::int(0)),
        ("protocol", Value::from("-1")),
        ("cidr_blocks", strings(&["0.0.0.0/0"])),
        ("ipv6_cidr_blocks", Value::Null),
        ("security_groups", Value::Null),
        ("prefix_list_ids", Value::Null),
        ("self", Value::Null),
        ("description", Value::Null),
    ]);
    kit(
        &provider,
        "aws_security_group",
        obj([
            ("name", Value::from("web")),
            ("description", Value::from("web servers")),
            ("vpc_id", vpc_id.clone()),
            (
                "ingress",
                Value::set(vec![rule(22, "10.0.0.0/8"), rule(80, "0.0.0.0/0")]),
            ),
            ("egress", Value::set(vec![egress.clone()])),
            ("revoke_rules_on_delete", Value::Bool(false)),
        ]),
        &[(
            "ingress",
            Value::set(vec![rule(22, "10.0.0.0/8"), rule(443, "0.0.0.0/0")]),
        )],
        "ingress",
    )
    .await;
}

#[tokio::test]
async fn routes_and_associations_are_found_by_what_identifies_them_and_imported() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let vpc = vpc(&provider).await;
    let vpc_id = Value::from(s(&vpc, "id"));
    let gateway = create(
        &provider,
        "aws_internet_gateway",
        obj([("vpc_id", vpc_id.clone())]),
    )
    .await;
    let table = create(
        &provider,
        "aws_route_table",
        obj([("vpc_id", vpc_id.clone())]),
    )
    .await;
    let subnet = create(
        &provider,
        "aws_subnet",
        obj([
            ("vpc_id", vpc_id.clone()),
            ("cidr_block", Value::from("10.0.2.0/24")),
        ]),
    )
    .await;
    let table_id = s(&table, "id");
    kit(
        &provider,
        "aws_route",
        obj([
            ("route_table_id", Value::from(table_id)),
            ("destination_cidr_block", Value::from("0.0.0.0/0")),
            ("gateway_id", Value::from(s(&gateway, "id"))),
        ]),
        &[],
        "gateway_id",
    )
    .await;
    let route = create(
        &provider,
        "aws_route",
        obj([
            ("route_table_id", Value::from(table_id)),
            ("destination_cidr_block", Value::from("0.0.0.0/0")),
            ("gateway_id", Value::from(s(&gateway, "id"))),
        ]),
    )
    .await;
    let imported = import(&provider, "aws_route", &format!("{table_id}_0.0.0.0/0")).await;
    assert_eq!(imported.new_state.unwrap().get("id"), route.get("id"));
    // Terraform's id: r- + table + CRC-32 of the destination.
    assert_eq!(s(&route, "id"), format!("r-{table_id}{}", 1_080_289_494u32));
    // A table without route blocks leaves the route to aws_route.
    let [ReadResult::Found(read)] =
        <[ReadResult; 1]>::try_from(read(&provider, "aws_route_table", vec![table.clone()]).await)
            .unwrap()
    else {
        panic!("the table is there");
    };
    assert_eq!(read.get("route"), table.get("route"));

    let association_config = obj([
        ("route_table_id", Value::from(table_id)),
        ("subnet_id", Value::from(s(&subnet, "id"))),
    ]);
    kit(
        &provider,
        "aws_route_table_association",
        association_config.clone(),
        &[],
        "subnet_id",
    )
    .await;
    let association = create(&provider, "aws_route_table_association", association_config).await;
    let imported = import(
        &provider,
        "aws_route_table_association",
        &format!("{}/{table_id}", s(&subnet, "id")),
    )
    .await;
    assert_eq!(imported.new_state.unwrap().get("id"), association.get("id"));
    for (type_name, object) in [
        ("aws_vpc", &vpc),
        ("aws_subnet", &subnet),
        ("aws_route_table", &table),
    ] {
        let imported = import(&provider, type_name, s(object, "id")).await;
        assert!(
            !imported.diagnostics.has_errors(),
            "{}",
            imported.diagnostics
        );
        assert_eq!(imported.new_state.unwrap().get("id"), object.get("id"));
    }
}

#[tokio::test]
async fn refresh_asks_once_per_type_for_many_objects_and_sees_deletions() {
    let Some(moto) = Moto::start() else { return };
    let (provider, calls) = configured(&moto).await;
    let vpc = vpc(&provider).await;
    let vpc_id = Value::from(s(&vpc, "id"));
    let mut subnets = Vec::new();
    let mut groups = Vec::new();
    for i in 0..6 {
        subnets.push(
            create(
                &provider,
                "aws_subnet",
                obj([
                    ("vpc_id", vpc_id.clone()),
                    ("cidr_block", Value::from(format!("10.0.{i}.0/24"))),
                ]),
            )
            .await,
        );
        groups.push(
            create(
                &provider,
                "aws_security_group",
                obj([
                    ("name", Value::from(format!("group-{i}"))),
                    ("description", Value::from("batch")),
                    ("vpc_id", vpc_id.clone()),
                ]),
            )
            .await,
        );
    }
    delete(&provider, "aws_subnet", subnets[3].clone()).await;
    let before = calls.get();
    let results = read(&provider, "aws_subnet", subnets.clone()).await;
    assert_eq!(
        calls.get() - before,
        1,
        "one DescribeSubnets for six subnets"
    );
    assert_eq!(results.len(), 6);
    for (i, result) in results.iter().enumerate() {
        match (i, result) {
            (3, ReadResult::Gone) => {}
            (3, other) => panic!("the deleted subnet reads {other:?}"),
            (_, ReadResult::Found(found)) => assert_eq!(found, &subnets[i]),
            (_, other) => panic!("subnet {i} reads {other:?}"),
        }
    }
    let before = calls.get();
    let results = read(&provider, "aws_security_group", groups.clone()).await;
    assert_eq!(
        calls.get() - before,
        1,
        "one DescribeSecurityGroups for six groups"
    );
    for (result, group) in results.iter().zip(&groups) {
        assert_eq!(
            result,
            &ReadResult::Found(group.clone()),
            "no drift right after create"
        );
    }
}

#[tokio::test]
async fn a_cidr_outside_the_vpc_fails_with_aws_code_and_message() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let vpc = vpc(&provider).await;
    let plan = provider
        .plan(
            &Context::default(),
            plinth_sdk::PlanRequest {
                type_name: "aws_subnet".into(),
                prior: None,
                proposed: obj([
                    ("vpc_id", Value::from(s(&vpc, "id"))),
                    ("cidr_block", Value::from("192.168.0.0/24")),
                ]),
                prior_private: Vec::new(),
            },
        )
        .await;
    let created = provider
        .create(
            &Context::default(),
            plinth_sdk::CreateRequest {
                type_name: "aws_subnet".into(),
                planned: plan.planned,
                intent: plinth_sdk::Intent::new("aws_subnet.bad", "default"),
                private: vec![],
            },
        )
        .await;
    assert!(created.new_state.is_none());
    let error = created.diagnostics.to_string();
    assert!(error.contains("InvalidSubnet.Range"), "{error}");
    assert!(error.contains("192.168.0.0/24"), "{error}");
}

#[tokio::test]
async fn default_tags_are_applied_and_ignored_tags_left_alone() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured_with(
        &moto,
        [
            (
                "default_tags",
                Value::List(vec![obj([(
                    "tags",
                    obj([("Project", Value::from("gaceta"))]),
                )])]),
            ),
            (
                "ignore_tags",
                Value::List(vec![obj([("keys", strings(&["Owner"]))])]),
            ),
        ],
    )
    .await;
    let vpc = vpc(&provider).await;
    assert_eq!(vpc.get("tags"), Some(&obj([("Name", Value::from("main"))])));
    assert_eq!(
        vpc.get("tags_all"),
        Some(&obj([
            ("Name", Value::from("main")),
            ("Project", Value::from("gaceta"))
        ]))
    );
}

#[tokio::test]
async fn data_sources_read_region_zones_identity_and_images() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let read = |type_name: &str, config: Value| {
        let provider = &provider;
        let type_name = type_name.to_string();
        async move {
            let response = provider
                .read_data(
                    &Context::default(),
                    plinth_sdk::ReadDataRequest { type_name, config },
                )
                .await;
            assert!(
                !response.diagnostics.has_errors(),
                "{}",
                response.diagnostics
            );
            response.state.unwrap()
        }
    };
    let region = read("aws_region", obj([])).await;
    assert_eq!(s(&region, "name"), "us-east-1");
    let zones = read(
        "aws_availability_zones",
        obj([("state", Value::from("available"))]),
    )
    .await;
    let names = zones.get("names").and_then(Value::as_list).unwrap();
    assert!(names.len() >= 2, "{names:?}");
    assert_eq!(names[0], Value::from("us-east-1a"));
    let identity = read("aws_caller_identity", obj([])).await;
    assert_eq!(s(&identity, "account_id").len(), 12);
    let image = read(
        "aws_ami",
        obj([
            ("most_recent", Value::Bool(true)),
            ("owners", Value::List(vec![Value::from("amazon")])),
            (
                "filter",
                Value::set(vec![obj([
                    ("name", Value::from("name")),
                    ("values", strings(&["amzn2-ami-*"])),
                ])]),
            ),
        ]),
    )
    .await;
    assert!(s(&image, "id").starts_with("ami-"), "{image:?}");
}
