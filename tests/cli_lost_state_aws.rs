//! Issue 12's "lost state" drill for the whole AWS examples on moto: each example is applied,
//! every object in moto is inventoried through boto3, then the state, its backup, journal and
//! history are deleted and rebuilt with `plinth drift -unmanaged -generate-config-out` and one
//! `plinth apply` that imports every object and creates, updates and destroys none: moto holds
//! the same objects, unchanged, state records all of them, and the next plan and drift checks
//! are clean.

mod aws_support;
mod support;

use std::collections::BTreeSet;

use aws_support::{assert_moto_is_state, example, inventory, inventory_ids, state_ids};
use support::lost_state::{generate_imports, lose_state, Ids};
use support::moto::Moto;
use support::Workspace;

/// Applies the configuration in `ws`, loses its state and rebuilds it: checks every step of
/// the drill and returns the rebuilding apply's outcome (for its warnings) and the objects'
/// ids.
#[track_caller]
fn drill(moto: &Moto, ws: &Workspace, objects: usize) -> (support::Outcome, Ids) {
    ws.apply();
    let before = assert_moto_is_state(moto, ws, "after the apply");
    let ids = inventory_ids(&before);
    let count: usize = ids.values().map(BTreeSet::len).sum();
    assert_eq!(count, objects, "{ids:?}");
    assert_eq!(state_ids(ws), ids, "state records every object");

    lose_state(ws);
    generate_imports(ws, &ids);
    let rebuilt = ws.apply();
    rebuilt.expect_stdout(&format!(
        "{objects} imported, 0 added, 0 changed, 0 destroyed"
    ));
    assert_eq!(
        inventory(moto),
        before,
        "moto holds the same objects, unchanged: nothing created, changed or deleted"
    );
    assert_eq!(state_ids(ws), ids, "state records every object again");
    ws.plan(&[]).expect_code(0);
    ws.run(&["drift"]).expect_code(0);
    ws.run(&["drift", "-unmanaged"]).expect_code(0);
    (rebuilt, ids)
}

/// `examples/gacetachat-aws`: the VPC, two subnets, the database's security group and subnet
/// group, the ECS cluster with its Fargate strategy and the encrypted PostgreSQL instance.
#[test]
fn gacetachat_aws_is_rebuilt_after_its_state_is_lost_without_changing_anything() {
    let Some(moto) = Moto::start() else { return };
    let ws = example("gacetachat-aws", &moto);
    let (rebuilt, ids) = drill(&moto, &ws, 7);
    assert_eq!(
        ids.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "aws_db_instance",
            "aws_db_subnet_group",
            "aws_ecs_cluster",
            "aws_security_group",
            "aws_subnet",
            "aws_vpc"
        ]
    );
    rebuilt.expect_stderr("skip_final_snapshot assumed as configured");
    assert!(
        !rebuilt.all().contains("correct-horse-battery"),
        "the password is never shown\n{rebuilt}"
    );
}

/// `examples/chatbot-aws`: its four modules (the VPC with gateway, route table, associations
/// and four subnets; the instance and its security group; the database; the SNS topic, its
/// subscription and the CPU alarm) and the Route 53 zone and record.
/// Every object but the Route 53 ones is in a module (the database in `module.database[0]`):
/// the import blocks `drift -unmanaged` writes target module instances.
#[test]
fn chatbot_aws_is_rebuilt_after_its_state_is_lost_without_changing_anything() {
    let Some(moto) = Moto::start() else { return };
    let ws = example("chatbot-aws", &moto);
    let (rebuilt, ids) = drill(&moto, &ws, 19);
    assert_eq!(ids["aws_route_table_association"].len(), 2, "{ids:?}");
    assert_eq!(ids["aws_sns_topic_subscription"].len(), 1, "{ids:?}");
    rebuilt.expect_stderr("skip_final_snapshot assumed as configured");
    assert!(
        !rebuilt.all().contains("correct-horse-battery"),
        "the password is never shown\n{rebuilt}"
    );
}

/// What the chatbot example holds besides its VPC and database, at the root of a
/// configuration (so the second look of `drift -unmanaged` is drilled without modules too): an
/// instance with user data, an internet gateway, a route table and its associations, a security group, an SNS
/// topic and subscription, a CPU alarm and a Route 53 zone and record, each with the settings
/// only plinth knows (`user_data_replace_on_change`, `revoke_rules_on_delete`,
/// `force_destroy`, `allow_overwrite`).
const JOINS_CONFIG: &str = r##"
data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_ami" "linux" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["amzn2-ami-hvm-*-x86_64-gp2"]
  }
}

resource "aws_vpc" "main" {
  cidr_block           = "10.70.0.0/16"
  enable_dns_hostnames = true
  tags = {
    Name = "joins"
  }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
  tags = {
    Name = "joins"
  }
}

resource "aws_subnet" "public" {
  count                   = 2
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.70.${count.index}.0/24"
  availability_zone       = data.aws_availability_zones.available.names[count.index]
  map_public_ip_on_launch = true
  tags = {
    Name = "joins-public-${count.index}"
  }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }

  tags = {
    Name = "joins-public"
  }
}

resource "aws_route_table_association" "public" {
  count          = 2
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "app" {
  name                   = "joins-app"
  description            = "SSH"
  vpc_id                 = aws_vpc.main.id
  revoke_rules_on_delete = true

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "app" {
  ami                         = data.aws_ami.linux.id
  instance_type               = "t3.small"
  subnet_id                   = aws_subnet.public[0].id
  vpc_security_group_ids      = [aws_security_group.app.id]
  associate_public_ip_address = true
  user_data                   = "#!/bin/sh\necho joins\n"
  user_data_replace_on_change = true
  tags = {
    Name = "joins-app"
  }
}

resource "aws_sns_topic" "alerts" {
  name = "joins-alerts"
}

resource "aws_sns_topic_subscription" "email" {
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = "ops@example.com"
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "joins-cpu"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 2
  metric_name         = "CPUUtilization"
  namespace           = "AWS/EC2"
  period              = 300
  statistic           = "Average"
  threshold           = 80
  alarm_actions       = [aws_sns_topic.alerts.arn]
  dimensions = {
    InstanceId = aws_instance.app.id
  }
}

resource "aws_route53_zone" "main" {
  name          = "joins.example.com"
  force_destroy = true
}

resource "aws_route53_record" "app" {
  zone_id         = aws_route53_zone.main.zone_id
  name            = "app.joins.example.com"
  type            = "A"
  ttl             = 60
  records         = [aws_instance.app.public_ip]
  allow_overwrite = true
}
"##;

/// Regression, for what broke rebuilding the chatbot example's state: the CPU alarm could not
/// be listed, so no import block was written for it and the apply made a second one; the
/// instance's `user_data` was not read by the import, so its hash was planned as a change that
/// stops, modifies and starts the instance; `user_data_replace_on_change`,
/// `revoke_rules_on_delete`, `force_destroy` and `allow_overwrite`, which AWS never reports,
/// were imported with their defaults and planned updates; route table associations were not
/// listed, and could not have been matched to their configuration by their subnet and table,
/// which are unknown until those are imported: `drift -unmanaged` plans once more with the
/// objects it matched imported, and matches the associations against that plan.
#[test]
fn settings_aws_never_reports_and_objects_it_could_not_list_no_longer_change_a_rebuilt_state() {
    let Some(moto) = Moto::start() else { return };
    let mut ws = Workspace::with_main(JOINS_CONFIG);
    for (name, value) in moto.env() {
        ws.set_env(&name, &value);
    }
    let (rebuilt, ids) = drill(&moto, &ws, 14);
    assert_eq!(ids["aws_route_table_association"].len(), 2, "{ids:?}");
    assert_eq!(ids["aws_cloudwatch_metric_alarm"].len(), 1, "{ids:?}");
    for setting in [
        "user_data_replace_on_change",
        "revoke_rules_on_delete",
        "force_destroy",
        "allow_overwrite",
    ] {
        rebuilt.expect_stderr(&format!("{setting} assumed as configured"));
    }
    rebuilt.expect_nowhere("user_data assumed");
}

/// Regression: an `aws_eip_association` could not be listed, so a rebuilt state had no import
/// block for it and the apply planned to associate the address again. It is listed with its
/// address and instance, and matched once those are imported.
#[test]
fn an_elastic_ip_association_is_imported_with_its_address_and_instance() {
    let Some(moto) = Moto::start() else { return };
    let mut ws = Workspace::with_main(
        r#"
data "aws_ami" "linux" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["amzn2-ami-hvm-*-x86_64-gp2"]
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.80.0.0/16"
  tags = {
    Name = "eip"
  }
}

resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.80.1.0/24"
  tags = {
    Name = "eip-app"
  }
}

resource "aws_instance" "app" {
  ami           = data.aws_ami.linux.id
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.app.id
  tags = {
    Name = "eip-app"
  }
}

resource "aws_eip" "app" {
  domain = "vpc"
  tags = {
    Name = "eip-app"
  }
}

resource "aws_eip_association" "app" {
  allocation_id = aws_eip.app.id
  instance_id   = aws_instance.app.id
}
"#,
    );
    for (name, value) in moto.env() {
        ws.set_env(&name, &value);
    }
    let (_, ids) = drill(&moto, &ws, 5);
    assert_eq!(ids["aws_eip_association"].len(), 1, "{ids:?}");
}
