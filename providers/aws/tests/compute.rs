//! Instances, key pairs and Elastic IPs against moto in server mode: the contract test kit;
//! RunInstances carries the intent token as ClientToken and tag, so a create whose answer was
//! lost is adopted; user_data stored as Terraform's hash; a new instance type is a stop, modify
//! and start in place; an address is disassociated before it is released; refresh of many
//! instances is one DescribeInstances call.

mod support;

use plinth_sdk::testkit::{self, Case};
use plinth_sdk::{Context, ImportRequest, PlanRequest, Provider, ReadResult, UpdateRequest, Value};
use support::*;

/// An image moto knows.
const AMI: &str = "ami-04681a1dbd79675a5";
/// An SSH public key.
const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0Y2VudHJhbC1wbGludGgtdGVzdC1rZXktMDAwMDAx plinth@test";

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

async fn subnet(provider: &dyn Provider) -> Value {
    let vpc = create(
        provider,
        "aws_vpc",
        obj([("cidr_block", Value::from("10.0.0.0/16"))]),
    )
    .await;
    create(
        provider,
        "aws_subnet",
        obj([
            ("vpc_id", Value::from(s(&vpc, "id"))),
            ("cidr_block", Value::from("10.0.1.0/24")),
        ]),
    )
    .await
}

fn instance_config(subnet: &Value, instance_type: &str) -> Value {
    obj([
        ("ami", Value::from(AMI)),
        ("instance_type", Value::from(instance_type)),
        ("subnet_id", Value::from(s(subnet, "id"))),
        ("user_data", Value::from("#!/bin/sh\necho hi\n")),
        ("tags", obj([("Name", Value::from("web"))])),
    ])
}

#[tokio::test]
async fn instance_keeps_the_contract_and_changes_type_in_place() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let subnet = subnet(&provider).await;
    kit(
        &provider,
        "aws_instance",
        instance_config(&subnet, "t3.micro"),
        &[("instance_type", Value::from("t3.small"))],
        "instance_type",
    )
    .await;
}

#[tokio::test]
async fn user_data_is_stored_as_terraform_s_hash_and_a_type_change_stops_and_starts() {
    let Some(moto) = Moto::start() else { return };
    let (provider, calls) = configured(&moto).await;
    let subnet = subnet(&provider).await;
    let instance = create(
        &provider,
        "aws_instance",
        instance_config(&subnet, "t3.micro"),
    )
    .await;
    assert_eq!(
        s(&instance, "user_data"),
        "b2b62c101a156f5f12dd7197cf7ae9424164b115"
    );
    assert_eq!(s(&instance, "instance_state"), "running");
    assert!(s(&instance, "private_ip").starts_with("10.0.1."));
    // The same configuration plans no change.
    let ctx = Context::default();
    let replan = provider
        .plan(
            &ctx,
            PlanRequest {
                type_name: "aws_instance".into(),
                prior: Some(instance.clone()),
                proposed: {
                    let mut proposed = instance.clone();
                    if let Value::Map(map) = &mut proposed {
                        map.insert("user_data".into(), Value::from("#!/bin/sh\necho hi\n"));
                    }
                    proposed
                },
                prior_private: Vec::new(),
            },
        )
        .await;
    assert_eq!(replan.planned.get("user_data"), instance.get("user_data"));
    // A new type: stopped, modified, started, same instance.
    let mut planned = instance.clone();
    if let Value::Map(map) = &mut planned {
        map.insert("instance_type".into(), Value::from("t3.large"));
    }
    let before = calls.get();
    let updated = provider
        .update(
            &ctx,
            UpdateRequest {
                type_name: "aws_instance".into(),
                prior: instance.clone(),
                planned,
                private: vec![],
            },
        )
        .await;
    assert!(!updated.diagnostics.has_errors(), "{}", updated.diagnostics);
    let updated = updated.new_state.unwrap();
    assert_eq!(updated.get("id"), instance.get("id"));
    assert_eq!(s(&updated, "instance_type"), "t3.large");
    assert_eq!(s(&updated, "instance_state"), "running");
    assert!(calls.get() - before >= 4, "stop, wait, modify, start");
}

#[tokio::test]
async fn refresh_of_many_instances_is_one_describe_call() {
    let Some(moto) = Moto::start() else { return };
    let (provider, calls) = configured(&moto).await;
    let subnet = subnet(&provider).await;
    let mut instances = Vec::new();
    for i in 0..5 {
        instances.push(
            create_as(
                &provider,
                "aws_instance",
                instance_config(&subnet, "t3.micro"),
                &format!("aws_instance.web[{i}]"),
            )
            .await,
        );
    }
    delete(&provider, "aws_instance", instances[1].clone()).await;
    let before = calls.get();
    let results = read(&provider, "aws_instance", instances.clone()).await;
    assert_eq!(
        calls.get() - before,
        1,
        "one DescribeInstances for five instances"
    );
    assert_eq!(
        results[1],
        ReadResult::Gone,
        "a terminated instance is gone"
    );
    for i in [0, 2, 3, 4] {
        assert_eq!(
            results[i],
            ReadResult::Found(instances[i].clone()),
            "instance {i}"
        );
    }
}

#[tokio::test]
async fn key_pairs_and_elastic_ips_keep_the_contract() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    kit(
        &provider,
        "aws_key_pair",
        obj([
            ("key_name", Value::from("deploy")),
            ("public_key", Value::from(KEY)),
        ]),
        &[("tags", obj([("Team", Value::from("ops"))]))],
        "tags",
    )
    .await;
    let subnet = subnet(&provider).await;
    let instance = create(
        &provider,
        "aws_instance",
        instance_config(&subnet, "t3.micro"),
    )
    .await;
    kit(
        &provider,
        "aws_eip",
        obj([
            ("domain", Value::from("vpc")),
            ("instance", Value::from(s(&instance, "id"))),
        ]),
        &[("tags", obj([("Name", Value::from("web"))]))],
        "tags",
    )
    .await;
    let address = create(&provider, "aws_eip", obj([("domain", Value::from("vpc"))])).await;
    kit(
        &provider,
        "aws_eip_association",
        obj([
            ("allocation_id", Value::from(s(&address, "id"))),
            ("instance_id", Value::from(s(&instance, "id"))),
        ]),
        &[],
        "instance_id",
    )
    .await;
}

/// Regression: `user_data_replace_on_change` and `revoke_rules_on_delete` are plinth's settings,
/// which AWS cannot report; an import left them null while a configuration leaving them out
/// plans their default `false`, so every instance and security group of a lost state rebuilt
/// by import planned an update. An import holds their defaults.
#[tokio::test]
async fn an_imported_instance_and_security_group_hold_the_defaults_of_plinth_s_own_settings() {
    let Some(moto) = Moto::start() else { return };
    let (provider, _) = configured(&moto).await;
    let subnet = subnet(&provider).await;
    let group = create(
        &provider,
        "aws_security_group",
        obj([
            ("name", Value::from("imported")),
            ("description", Value::from("imported")),
            ("vpc_id", Value::from(s(&subnet, "vpc_id"))),
        ]),
    )
    .await;
    let instance = create(
        &provider,
        "aws_instance",
        instance_config(&subnet, "t3.micro"),
    )
    .await;
    for (type_name, object, setting) in [
        ("aws_instance", &instance, "user_data_replace_on_change"),
        ("aws_security_group", &group, "revoke_rules_on_delete"),
    ] {
        let imported = provider
            .import(
                &Context::default(),
                ImportRequest {
                    type_name: type_name.into(),
                    id: s(object, "id").into(),
                },
            )
            .await;
        assert!(
            !imported.diagnostics.has_errors(),
            "{}",
            imported.diagnostics
        );
        let imported = imported.new_state.expect("imported");
        assert_eq!(
            imported.get(setting),
            Some(&Value::Bool(false)),
            "{type_name}: {imported}"
        );
    }
}
