"""What is really in a moto server, read and changed through boto3 behind plinth's back.

    boto.py ENDPOINT inventory         prints {type: {id: {attributes}}} of every object that
                                       is not one of AWS's own defaults, ids as plinth's state
                                       writes them
    boto.py ENDPOINT ACTION ARGS...    changes one object out of band (see ACTIONS)

Both talk to region PLINTH_BOTO_REGION (default us-east-1).
"""

import json
import os
import sys

import boto3


def client(endpoint, service):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=os.environ.get("PLINTH_BOTO_REGION", "us-east-1"),
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def tags(items):
    return {t["Key"]: t["Value"] for t in items or []}


def ec2_objects(ec2):
    out = {}
    vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    out["aws_vpc"] = {}
    for v in vpcs:
        attr = lambda name: ec2.describe_vpc_attribute(VpcId=v["VpcId"], Attribute=name)
        out["aws_vpc"][v["VpcId"]] = {
            "cidr_block": v["CidrBlock"],
            "enable_dns_support": attr("enableDnsSupport")["EnableDnsSupport"]["Value"],
            "enable_dns_hostnames": attr("enableDnsHostnames")["EnableDnsHostnames"]["Value"],
            "tags": tags(v.get("Tags")),
        }
    out["aws_subnet"] = {
        s["SubnetId"]: {
            "vpc_id": s["VpcId"],
            "cidr_block": s["CidrBlock"],
            "availability_zone": s["AvailabilityZone"],
            "map_public_ip_on_launch": s.get("MapPublicIpOnLaunch", False),
            "tags": tags(s.get("Tags")),
        }
        for s in ec2.describe_subnets()["Subnets"]
        if not s.get("DefaultForAz")
    }
    out["aws_internet_gateway"] = {
        g["InternetGatewayId"]: {
            "vpc_ids": [a["VpcId"] for a in g.get("Attachments", [])],
            "tags": tags(g.get("Tags")),
        }
        for g in ec2.describe_internet_gateways()["InternetGateways"]
    }
    out["aws_route_table"] = {}
    out["aws_route_table_association"] = {}
    for t in ec2.describe_route_tables()["RouteTables"]:
        associations = t.get("Associations", [])
        if any(a.get("Main") for a in associations):
            continue
        out["aws_route_table"][t["RouteTableId"]] = {
            "vpc_id": t["VpcId"],
            "routes": sorted(
                (r.get("DestinationCidrBlock", ""), r.get("GatewayId", ""))
                for r in t.get("Routes", [])
            ),
            "tags": tags(t.get("Tags")),
        }
        for a in associations:
            out["aws_route_table_association"][a["RouteTableAssociationId"]] = {
                "route_table_id": t["RouteTableId"],
                "subnet_id": a.get("SubnetId"),
            }
    out["aws_security_group"] = {
        g["GroupId"]: {
            "name": g["GroupName"],
            "vpc_id": g.get("VpcId"),
            "ingress": sorted(
                [p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"),
                 sorted(r["CidrIp"] for r in p.get("IpRanges", []))]
                for p in g.get("IpPermissions", [])
            ),
            "egress": sorted(
                [p.get("IpProtocol"), sorted(r["CidrIp"] for r in p.get("IpRanges", []))]
                for p in g.get("IpPermissionsEgress", [])
            ),
            "tags": tags(g.get("Tags")),
        }
        for g in ec2.describe_security_groups()["SecurityGroups"]
        if g["GroupName"] != "default"
    }
    out["aws_instance"] = {}
    for r in ec2.describe_instances()["Reservations"]:
        for i in r["Instances"]:
            if i["State"]["Name"] in ("terminated", "shutting-down"):
                continue
            out["aws_instance"][i["InstanceId"]] = {
                "instance_type": i["InstanceType"],
                "subnet_id": i.get("SubnetId"),
                "image_id": i["ImageId"],
                "public_ip": i.get("PublicIpAddress"),
                # moto lists the groups of an instance launched with an interface
                # specification on the interface only; AWS lists them on both.
                "security_groups": sorted(
                    {g["GroupId"] for g in i.get("SecurityGroups", [])}
                    | {g["GroupId"] for n in i.get("NetworkInterfaces", []) for g in n.get("Groups", [])}
                ),
                "state": i["State"]["Name"],
                "tags": tags(i.get("Tags")),
            }
    addresses = ec2.describe_addresses()["Addresses"]
    out["aws_eip"] = {a["AllocationId"]: {} for a in addresses}
    out["aws_eip_association"] = {
        a["AssociationId"]: {"allocation_id": a["AllocationId"], "instance_id": a.get("InstanceId")}
        for a in addresses
        if a.get("AssociationId")
    }
    out["aws_key_pair"] = {k["KeyName"]: {} for k in ec2.describe_key_pairs()["KeyPairs"]}
    return out


def rds_objects(rds):
    out = {"aws_db_instance": {}, "aws_db_subnet_group": {}}
    for d in rds.describe_db_instances()["DBInstances"]:
        out["aws_db_instance"][d["DbiResourceId"]] = {
            "identifier": d["DBInstanceIdentifier"],
            "engine": d["Engine"],
            "engine_version": d["EngineVersion"],
            "storage_encrypted": d.get("StorageEncrypted"),
            "backup_retention_period": d.get("BackupRetentionPeriod"),
            "backup_window": d.get("PreferredBackupWindow"),
            "maintenance_window": d.get("PreferredMaintenanceWindow"),
            "subnet_group": (d.get("DBSubnetGroup") or {}).get("DBSubnetGroupName"),
            "security_groups": [g["VpcSecurityGroupId"] for g in d.get("VpcSecurityGroups", [])],
            "status": d.get("DBInstanceStatus"),
        }
    for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]:
        if g["DBSubnetGroupName"] == "default":
            continue
        out["aws_db_subnet_group"][g["DBSubnetGroupName"]] = {
            "subnet_ids": sorted(s["SubnetIdentifier"] for s in g.get("Subnets", [])),
        }
    return out


def route53_objects(route53):
    out = {"aws_route53_zone": {}, "aws_route53_record": {}}
    for z in route53.list_hosted_zones()["HostedZones"]:
        zone = z["Id"].split("/")[-1]
        name = z["Name"].rstrip(".").lower()
        out["aws_route53_zone"][zone] = {"name": name}
        sets = route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
        for r in sets:
            record = r["Name"].rstrip(".").lower()
            if r["Type"] in ("SOA", "NS") and record == name:
                continue
            key = f"{zone}_{record}_{r['Type']}"
            if r.get("SetIdentifier"):
                key += "_" + r["SetIdentifier"]
            out["aws_route53_record"][key] = {
                "ttl": r.get("TTL"),
                "records": [x["Value"] for x in r.get("ResourceRecords", [])],
            }
    return out


def ecs_objects(ecs):
    arns = ecs.list_clusters()["clusterArns"]
    clusters = ecs.describe_clusters(clusters=arns)["clusters"] if arns else []
    return {
        "aws_ecs_cluster": {
            c["clusterArn"]: {
                "name": c["clusterName"],
                "capacity_providers": c.get("capacityProviders", []),
                "strategy": [
                    [s["capacityProvider"], s.get("weight", 0)]
                    for s in c.get("defaultCapacityProviderStrategy", [])
                ],
            }
            for c in clusters
            if c.get("status") == "ACTIVE"
        }
    }


def sns_objects(sns):
    return {
        "aws_sns_topic": {t["TopicArn"]: {} for t in sns.list_topics()["Topics"]},
        "aws_sns_topic_subscription": {
            s["SubscriptionArn"]: {
                "topic_arn": s["TopicArn"],
                "protocol": s["Protocol"],
                "endpoint": s["Endpoint"],
            }
            for s in sns.list_subscriptions()["Subscriptions"]
        },
    }


def cloudwatch_objects(cloudwatch):
    return {
        "aws_cloudwatch_metric_alarm": {
            a["AlarmName"]: {
                "comparison_operator": a.get("ComparisonOperator"),
                "evaluation_periods": a.get("EvaluationPeriods"),
                "metric_name": a.get("MetricName"),
                "namespace": a.get("Namespace"),
                "period": a.get("Period"),
                "statistic": a.get("Statistic"),
                "threshold": a.get("Threshold"),
                "alarm_actions": a.get("AlarmActions", []),
                "dimensions": {d["Name"]: d["Value"] for d in a.get("Dimensions", [])},
            }
            for a in cloudwatch.describe_alarms()["MetricAlarms"]
        }
    }


def inventory(endpoint):
    out = {}
    out.update(ec2_objects(client(endpoint, "ec2")))
    out.update(rds_objects(client(endpoint, "rds")))
    out.update(route53_objects(client(endpoint, "route53")))
    out.update(ecs_objects(client(endpoint, "ecs")))
    out.update(sns_objects(client(endpoint, "sns")))
    out.update(cloudwatch_objects(client(endpoint, "cloudwatch")))
    return out


def delete_ecs_cluster(endpoint, arn):
    client(endpoint, "ecs").delete_cluster(cluster=arn)


def tag_vpc(endpoint, vpc, key, value):
    client(endpoint, "ec2").create_tags(Resources=[vpc], Tags=[{"Key": key, "Value": value}])


def revoke_tcp_ingress(endpoint, group, port):
    client(endpoint, "ec2").revoke_security_group_ingress(
        GroupId=group,
        IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": int(port), "ToPort": int(port),
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        }],
    )


def delete_record(endpoint, zone, name, kind):
    route53 = client(endpoint, "route53")
    for r in route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]:
        if r["Name"].rstrip(".").lower() == name and r["Type"] == kind:
            route53.change_resource_record_sets(
                HostedZoneId=zone,
                ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": r}]},
            )


def set_alarm_threshold(endpoint, name, threshold):
    cloudwatch = client(endpoint, "cloudwatch")
    alarm = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    keep = ["AlarmName", "AlarmDescription", "ComparisonOperator", "EvaluationPeriods",
            "MetricName", "Namespace", "Period", "Statistic", "AlarmActions", "Dimensions",
            "ActionsEnabled", "TreatMissingData"]
    settings = {k: alarm[k] for k in keep if k in alarm}
    cloudwatch.put_metric_alarm(Threshold=float(threshold), **settings)


def create_vpc(endpoint, cidr):
    print(client(endpoint, "ec2").create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"])


def delete_vpc(endpoint, vpc):
    client(endpoint, "ec2").delete_vpc(VpcId=vpc)


def create_subnet(endpoint, vpc, cidr):
    print(client(endpoint, "ec2").create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"])


def delete_subnet(endpoint, subnet):
    client(endpoint, "ec2").delete_subnet(SubnetId=subnet)


ACTIONS = {
    "delete-vpc": delete_vpc,
    "delete-ecs-cluster": delete_ecs_cluster,
    "tag-vpc": tag_vpc,
    "revoke-tcp-ingress": revoke_tcp_ingress,
    "delete-record": delete_record,
    "set-alarm-threshold": set_alarm_threshold,
    "create-vpc": create_vpc,
    "create-subnet": create_subnet,
    "delete-subnet": delete_subnet,
}


def main():
    endpoint, action, *args = sys.argv[1:]
    if action == "inventory":
        print(json.dumps(inventory(endpoint), sort_keys=True))
    else:
        ACTIONS[action](endpoint, *args)


if __name__ == "__main__":
    main()
