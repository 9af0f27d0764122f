//! The AWS examples end to end: each applied with the plinth binary against a moto server of its
//! own, every object checked through boto3, a no-op plan after the apply, drift (an object
//! changed and one deleted out of band) named by `plinth drift` and repaired by the next apply,
//! an object made out of band reported by `plinth drift -unmanaged`, then destroyed to nothing.

mod aws_support;
mod support;

use aws_support::{assert_empty, assert_moto_is_state, boto, example, only};
use support::moto::Moto;

#[test]
fn gacetachat_applies_as_written_drifts_repairs_and_destroys() {
    let Some(moto) = Moto::start() else { return };
    let ws = example("gacetachat-aws", &moto);
    ws.apply();
    let objects = assert_moto_is_state(&moto, &ws, "after the apply");
    let (vpc_id, vpc) = only(&objects, "aws_vpc");
    assert_eq!(vpc["cidr_block"], "10.0.0.0/16");
    assert_eq!(vpc["enable_dns_support"], true);
    assert_eq!(vpc["enable_dns_hostnames"], true);
    assert_eq!(vpc["tags"]["Name"], "gacetachat-vpc");
    let subnets = &objects["aws_subnet"];
    assert_eq!(subnets.len(), 2);
    let mut cidrs: Vec<&str> = subnets
        .values()
        .map(|s| s["cidr_block"].as_str().unwrap())
        .collect();
    cidrs.sort();
    assert_eq!(cidrs, ["10.0.10.0/24", "10.0.11.0/24"]);
    assert!(subnets.values().all(|s| s["vpc_id"] == vpc_id));
    let (group_id, group) = only(&objects, "aws_security_group");
    assert_eq!(group["name"], "gacetachat-rds");
    assert_eq!(
        group["ingress"],
        serde_json::json!([["tcp", 5432, 5432, ["10.0.0.0/16"]]])
    );
    let (_, subnet_group) = only(&objects, "aws_db_subnet_group");
    assert_eq!(subnet_group["subnet_ids"].as_array().unwrap().len(), 2);
    let (_, cluster) = only(&objects, "aws_ecs_cluster");
    assert_eq!(cluster["name"], "gacetachat-cluster");
    assert_eq!(
        cluster["capacity_providers"],
        serde_json::json!(["FARGATE"])
    );
    assert_eq!(cluster["strategy"], serde_json::json!([["FARGATE", 1]]));
    let (_, db) = only(&objects, "aws_db_instance");
    assert_eq!(db["identifier"], "gacetachat-db");
    assert_eq!(db["engine"], "postgres");
    assert_eq!(db["engine_version"], "15.4");
    assert_eq!(db["storage_encrypted"], true);
    assert_eq!(db["backup_retention_period"], 7);
    assert_eq!(db["backup_window"], "03:00-03:30");
    assert_eq!(db["maintenance_window"], "sun:04:00-sun:05:00");
    assert_eq!(db["subnet_group"], "gacetachat-db");
    assert_eq!(db["security_groups"], serde_json::json!([group_id]));
    ws.plan(&[]).expect_code(0);
    ws.run(&["drift"]).expect_code(0);

    // Out of band: the cluster deleted, the VPC's Name tag changed.
    let cluster_arn = objects["aws_ecs_cluster"].keys().next().unwrap().clone();
    boto(&moto, &["delete-ecs-cluster", &cluster_arn]);
    boto(&moto, &["tag-vpc", vpc_id, "Name", "renamed"]);
    ws.run(&["drift"])
        .expect_code(2)
        .expect_stdout("aws_ecs_cluster.main")
        .expect_stdout("aws_vpc.main");
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("aws_ecs_cluster.main will be created")
        .expect_stdout("aws_vpc.main will be updated in-place");
    ws.apply();
    let repaired = assert_moto_is_state(&moto, &ws, "after the repair");
    assert_eq!(
        only(&repaired, "aws_vpc").1["tags"]["Name"],
        "gacetachat-vpc"
    );
    assert_eq!(
        only(&repaired, "aws_ecs_cluster").1["name"],
        "gacetachat-cluster"
    );
    ws.run(&["drift"]).expect_code(0);
    ws.plan(&[]).expect_code(0);

    // A VPC made out of band is reported as unmanaged; AWS's own default VPC is not.
    let stray = boto(&moto, &["create-vpc", "10.99.0.0/16"]);
    ws.run(&["drift", "-unmanaged"])
        .expect_code(2)
        .expect_stdout(&stray);
    let report = ws.run(&["drift", "-unmanaged", "-json"]).stdout_json();
    let unmanaged: Vec<(&str, &str)> = report["unmanaged"]
        .as_array()
        .expect("an unmanaged list")
        .iter()
        .map(|u| (u["type"].as_str().unwrap(), u["id"].as_str().unwrap()))
        .collect();
    assert_eq!(unmanaged, [("aws_vpc", stray.as_str())]);
    boto(&moto, &["delete-vpc", &stray]);
    ws.run(&["drift", "-unmanaged"]).expect_code(0);

    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert_empty(&moto, "after the destroy");
    assert!(aws_support::state_ids(&ws).is_empty());
}

#[test]
fn chatbot_applies_its_modules_drifts_repairs_and_destroys() {
    let Some(moto) = Moto::start() else { return };
    let ws = example("chatbot-aws", &moto);
    ws.apply();
    let objects = assert_moto_is_state(&moto, &ws, "after the apply");
    let (vpc_id, vpc) = only(&objects, "aws_vpc");
    assert_eq!(vpc["enable_dns_hostnames"], true);
    assert_eq!(vpc["tags"]["Environment"], "prod");
    let subnets = &objects["aws_subnet"];
    assert_eq!(subnets.len(), 4, "public and private subnets in two zones");
    let zones: std::collections::BTreeSet<&str> = subnets
        .values()
        .map(|s| s["availability_zone"].as_str().unwrap())
        .collect();
    assert_eq!(zones.len(), 2);
    let public: Vec<_> = subnets
        .values()
        .filter(|s| s["map_public_ip_on_launch"] == true)
        .collect();
    assert_eq!(public.len(), 2);
    let (gateway_id, gateway) = only(&objects, "aws_internet_gateway");
    assert_eq!(gateway["vpc_ids"], serde_json::json!([vpc_id]));
    let (_, table) = only(&objects, "aws_route_table");
    assert!(table["routes"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!(["0.0.0.0/0", gateway_id])));
    assert_eq!(objects["aws_route_table_association"].len(), 2);
    let groups = &objects["aws_security_group"];
    assert_eq!(groups.len(), 2);
    let (app_group_id, app_group) = groups
        .iter()
        .find(|(_, g)| g["name"] == "chatbot-prod-app")
        .expect("the app's security group");
    assert_eq!(
        app_group["ingress"],
        serde_json::json!([
            ["tcp", 22, 22, ["0.0.0.0/0"]],
            ["tcp", 80, 80, ["0.0.0.0/0"]],
            ["tcp", 443, 443, ["0.0.0.0/0"]]
        ])
    );
    let (_, instance) = only(&objects, "aws_instance");
    assert_eq!(instance["instance_type"], "t3.small");
    assert_eq!(instance["state"], "running");
    assert_eq!(
        instance["security_groups"],
        serde_json::json!([app_group_id])
    );
    assert_eq!(instance["tags"]["Name"], "chatbot-prod");
    let public_ip = instance["public_ip"].as_str().expect("a public address");
    let (_, db) = only(&objects, "aws_db_instance");
    assert_eq!(db["identifier"], "chatbot-prod");
    assert_eq!(db["engine"], "postgres");
    assert_eq!(db["subnet_group"], "chatbot-prod");
    let (zone_id, zone) = only(&objects, "aws_route53_zone");
    assert_eq!(zone["name"], "chatbot.example.com");
    let (record_id, record) = only(&objects, "aws_route53_record");
    assert_eq!(record_id, format!("{zone_id}_chat.chatbot.example.com_A"));
    assert_eq!(record["records"], serde_json::json!([public_ip]));
    assert_eq!(record["ttl"], 60);
    let (topic_arn, _) = only(&objects, "aws_sns_topic");
    assert!(topic_arn.ends_with(":chatbot-prod-alerts"));
    let (_, subscription) = only(&objects, "aws_sns_topic_subscription");
    assert_eq!(subscription["protocol"], "email");
    assert_eq!(subscription["endpoint"], "ops@example.com");
    assert_eq!(subscription["topic_arn"], topic_arn);
    let (alarm_name, alarm) = only(&objects, "aws_cloudwatch_metric_alarm");
    assert_eq!(alarm_name, "chatbot-prod-cpu");
    assert_eq!(alarm["comparison_operator"], "GreaterThanThreshold");
    assert_eq!(alarm["evaluation_periods"], 2);
    assert_eq!(alarm["metric_name"], "CPUUtilization");
    assert_eq!(alarm["namespace"], "AWS/EC2");
    assert_eq!(alarm["period"], 300);
    assert_eq!(alarm["statistic"], "Average");
    assert_eq!(alarm["threshold"], 80.0);
    assert_eq!(alarm["alarm_actions"], serde_json::json!([topic_arn]));
    let (instance_id, _) = only(&objects, "aws_instance");
    assert_eq!(alarm["dimensions"]["InstanceId"], instance_id);
    ws.plan(&[]).expect_code(0);
    ws.run(&["drift"]).expect_code(0);

    // Out of band: the DNS record deleted, port 443 closed on the app's group, the alarm's
    // threshold changed.
    boto(
        &moto,
        &["delete-record", zone_id, "chat.chatbot.example.com", "A"],
    );
    boto(&moto, &["revoke-tcp-ingress", app_group_id, "443"]);
    boto(&moto, &["set-alarm-threshold", alarm_name, "95"]);
    ws.run(&["drift"])
        .expect_code(2)
        .expect_stdout("aws_route53_record.app")
        .expect_stdout("module.compute.aws_security_group.app")
        .expect_stdout("module.monitoring.aws_cloudwatch_metric_alarm.cpu");
    ws.apply();
    let repaired = assert_moto_is_state(&moto, &ws, "after the repair");
    assert_eq!(
        only(&repaired, "aws_route53_record").1["records"],
        serde_json::json!([public_ip])
    );
    assert_eq!(
        repaired["aws_security_group"][app_group_id]["ingress"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        only(&repaired, "aws_cloudwatch_metric_alarm").1["threshold"],
        80.0
    );
    ws.run(&["drift"]).expect_code(0);

    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert_empty(&moto, "after the destroy");
}
