//! Golden tests for plan, JSON and state rendering. Expected text lives in `testdata/`;
//! `PLINTH_UPDATE_GOLDEN=1 cargo test --lib cli::render` rewrites it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use plinth_sdk::{Attribute, NestedBlock, Schema, Type, Value};

use super::{plan_to_json, render_instance, render_outputs, render_plan};
use crate::plan::{Action, Drift, OutputChange, Plan, PlanMode, Reason, ResourceChange};

/// Appears only inside sensitive values; must never be printed.
const SECRET: &str = "hunter2-SECRET";

fn assert_golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/cli/render/testdata")
        .join(name);
    if std::env::var_os("PLINTH_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with PLINTH_UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    assert!(actual == expected, "{name} differs from the golden file:\n--- actual ---\n{actual}\n--- expected ---\n{expected}");
}

fn s(text: &str) -> Value {
    Value::from(text)
}

fn n(number: i64) -> Value {
    Value::from(number)
}

fn secret() -> Value {
    s(SECRET).mark_sensitive()
}

fn strings(items: &[&str]) -> Value {
    Value::List(items.iter().map(|i| s(i)).collect())
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::object(pairs.iter().map(|(k, v)| (*k, s(v))))
}

fn schemas(type_name: &str) -> Option<Schema> {
    let tags = || Attribute::optional(Type::Map(Box::new(Type::String)));
    match type_name {
        "aws_instance" => Some(
            Schema::new()
                .attr("ami", Attribute::required(Type::String).force_new())
                .attr("arn", Attribute::computed(Type::String))
                .attr("id", Attribute::computed(Type::String))
                .attr("instance_type", Attribute::required(Type::String))
                .attr("key_name", Attribute::optional(Type::String))
                .attr("password", Attribute::optional(Type::String).sensitive())
                .attr(
                    "security_groups",
                    Attribute::optional(Type::List(Box::new(Type::String))),
                )
                .attr("tags", tags())
                .attr("user_data", Attribute::optional(Type::String))
                .block(
                    "ebs_block_device",
                    NestedBlock::list(
                        Schema::new()
                            .attr("device_name", Attribute::required(Type::String))
                            .attr("encrypted", Attribute::optional(Type::Bool))
                            .attr("volume_size", Attribute::optional_computed(Type::Number)),
                    ),
                )
                .block(
                    "root_block_device",
                    NestedBlock::single(
                        Schema::new().attr("volume_size", Attribute::optional(Type::Number)),
                    ),
                ),
        ),
        "aws_vpc" => Some(
            Schema::new()
                .attr("cidr_block", Attribute::required(Type::String).force_new())
                .attr("enable_dns_support", Attribute::optional(Type::Bool))
                .attr("id", Attribute::computed(Type::String))
                .attr("tags", tags()),
        ),
        "docker_container" => Some(
            Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("image", Attribute::required(Type::String))
                .attr("name", Attribute::required(Type::String))
                .block(
                    "ports",
                    NestedBlock::set(
                        Schema::new()
                            .attr("external", Attribute::optional(Type::Number))
                            .attr("internal", Attribute::required(Type::Number)),
                    ),
                ),
        ),
        _ => None,
    }
}

fn change(
    address: &str,
    action: Action,
    before: Option<Value>,
    after: Option<Value>,
) -> ResourceChange {
    let data = address.starts_with("data.");
    let type_name = address
        .parse::<plinth_state::InstanceAddr>()
        .unwrap()
        .type_name;
    ResourceChange {
        address: address.to_string(),
        deposed: None,
        data,
        type_name,
        provider: "aws".to_string(),
        action,
        reason: None,
        before,
        after,
        replace_paths: vec![],
        create_before_destroy: false,
        dependencies: vec![],
        timeouts: Default::default(),
        private: Vec::new(),
    }
}

fn instance(instance_type: &str, user_data: &str, extra: Vec<(&str, Value)>) -> Value {
    let mut object = Value::object([
        ("ami", s("ami-0123")),
        ("arn", s("arn:aws:ec2:i-0abc")),
        ("id", s("i-0abc")),
        ("instance_type", s(instance_type)),
        ("key_name", Value::Null),
        ("user_data", s(user_data)),
    ]);
    if let Value::Map(map) = &mut object {
        map.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
    }
    object
}

fn ebs(device: &str, size: Value) -> Value {
    Value::object([
        ("device_name", s(device)),
        ("encrypted", Value::Bool(false)),
        ("volume_size", size),
    ])
}

fn output(
    name: &str,
    action: Action,
    before: Option<Value>,
    after: Option<Value>,
    sensitive: bool,
) -> OutputChange {
    OutputChange {
        name: name.to_string(),
        action,
        before,
        after,
        sensitive,
    }
}

/// A plan with every action, nested blocks, unknowns, sensitive values, a multi-line string
/// change, drift and output changes.
fn full_plan() -> Plan {
    let created = Value::object([
        ("ami", s("ami-0123")),
        ("arn", Value::Unknown),
        ("id", Value::Unknown),
        ("instance_type", s("t3.micro")),
        ("key_name", Value::Null),
        ("password", secret()),
        ("security_groups", strings(&["sg-1", "sg-2"])),
        ("tags", tags(&[("Name", "web"), ("Role", "frontend")])),
        ("user_data", s("#!/bin/sh\necho hello\n")),
        (
            "ebs_block_device",
            Value::List(vec![ebs("/dev/sdb", Value::Unknown)]),
        ),
        ("root_block_device", Value::object([("volume_size", n(20))])),
    ]);
    let app_before = instance(
        "t3.micro",
        "#!/bin/sh\nset -e\napt-get update\napt-get install -y nginx\nsystemctl enable nginx\nsystemctl start nginx\necho ready\n",
        vec![
            ("password", s("old-hunter2-SECRET").mark_sensitive()),
            ("security_groups", strings(&["sg-1", "sg-2"])),
            ("tags", tags(&[("Env", "staging"), ("Name", "app"), ("Team", "web")])),
            ("ebs_block_device", Value::List(vec![ebs("/dev/sdb", n(10)), ebs("/dev/sdc", n(50))])),
            ("root_block_device", Value::object([("volume_size", n(20))])),
        ],
    );
    let app_after = instance(
        "t3.large",
        "#!/bin/sh\nset -e\napt-get update\napt-get install -y nginx\nsystemctl enable nginx\nsystemctl restart nginx\necho ready\n",
        vec![
            ("password", secret()),
            ("security_groups", strings(&["sg-1", "sg-2", "sg-3"])),
            ("tags", tags(&[("Env", "production"), ("Name", "app"), ("Owner", "ops"), ("Team", "web")])),
            ("ebs_block_device", Value::List(vec![ebs("/dev/sdb", n(20)), ebs("/dev/sdc", n(50))])),
            ("root_block_device", Value::object([("volume_size", n(20))])),
        ],
    );
    let vpc = |cidr: &str, id: Value| {
        Value::object([
            ("cidr_block", s(cidr)),
            ("enable_dns_support", Value::Bool(true)),
            ("id", id),
            ("tags", tags(&[("Name", "main")])),
        ])
    };
    let container = |id: Value, ports: Vec<(i64, i64)>| {
        let ports = ports
            .into_iter()
            .map(|(internal, external)| {
                Value::object([("external", n(external)), ("internal", n(internal))])
            })
            .collect();
        Value::object([
            ("id", id),
            ("image", s("nginx:1.27")),
            ("name", s("web")),
            ("ports", Value::set(ports)),
        ])
    };

    let mut replace_vpc = change(
        "aws_vpc.main",
        Action::Replace,
        Some(vpc("10.0.0.0/16", s("vpc-1"))),
        Some(vpc("10.1.0.0/16", Value::Unknown)),
    );
    replace_vpc.replace_paths = vec!["cidr_block".into()];
    replace_vpc.reason = Some(Reason::ReplaceBecauseCannotUpdate);
    let mut tainted = change(
        "docker_container.web",
        Action::Replace,
        Some(container(s("c0ffee"), vec![(80, 8080), (443, 8443)])),
        Some(container(Value::Unknown, vec![(80, 8080), (443, 9443)])),
    );
    tainted.reason = Some(Reason::ReplaceBecauseTainted);
    tainted.create_before_destroy = true;
    tainted.provider = "docker".into();
    let mut removed = change(
        "aws_vpc.old",
        Action::Delete,
        Some(vpc("10.9.0.0/16", s("vpc-9"))),
        None,
    );
    removed.reason = Some(Reason::DeleteBecauseNoResourceConfig);
    let mut read = change(
        "data.aws_ami.ubuntu",
        Action::Read,
        None,
        Some(Value::object([
            ("id", Value::Unknown),
            ("most_recent", Value::Bool(true)),
            ("name_regex", s("^ubuntu-")),
        ])),
    );
    read.reason = Some(Reason::ReadBecauseConfigUnknown);
    let forced_before = instance("t3.micro", "", vec![]);
    let forced_after = instance(
        "t3.micro",
        "",
        vec![("arn", Value::Unknown), ("id", Value::Unknown)],
    );
    let mut forced = change(
        r#"module.workers.aws_instance.worker["blue"]"#,
        Action::Replace,
        Some(forced_before),
        Some(forced_after),
    );
    forced.reason = Some(Reason::ReplaceByRequest);
    let same = vpc("10.2.0.0/16", s("vpc-2"));

    Plan {
        format_version: 2,
        mode: PlanMode::Normal,
        refreshed: vec![],
        actions: vec![],
        adopted: vec![],
        imported: vec![],
        moved: vec![],
        forgotten: vec![],
        changes: vec![
            change("aws_instance.web[0]", Action::Create, None, Some(created)),
            change(
                "aws_instance.app",
                Action::Update,
                Some(app_before),
                Some(app_after),
            ),
            replace_vpc,
            tainted,
            removed,
            read,
            forced,
            change("aws_vpc.same", Action::NoOp, Some(same.clone()), Some(same)),
        ],
        drift: vec![
            Drift {
                address: "aws_vpc.main".into(),
                type_name: "aws_vpc".into(),
                before: vpc("10.0.0.0/16", s("vpc-1")),
                after: Some(Value::object([
                    ("cidr_block", s("10.0.0.0/16")),
                    ("enable_dns_support", Value::Bool(true)),
                    ("id", s("vpc-1")),
                    ("tags", tags(&[("Name", "main"), ("Touched", "by-hand")])),
                ])),
            },
            Drift {
                address: "aws_instance.gone".into(),
                type_name: "aws_instance".into(),
                before: instance("t3.nano", "", vec![("password", secret())]),
                after: None,
            },
        ],
        outputs: vec![
            output("vpc_id", Action::Create, None, Some(Value::Unknown), false),
            output("name", Action::Update, Some(s("a")), Some(s("b")), false),
            output("db_password", Action::Create, None, Some(secret()), true),
            output(
                "ips",
                Action::Update,
                Some(strings(&["10.0.0.1"])),
                Some(strings(&["10.0.0.1", "10.0.0.2"])),
                false,
            ),
            output("old", Action::Delete, Some(s("gone")), None, false),
            output(
                "unchanged",
                Action::NoOp,
                Some(s("same")),
                Some(s("same")),
                false,
            ),
        ],
        lineage: "lineage-1".into(),
        serial: 3,
        variables: BTreeMap::from([
            ("db_password".to_string(), secret()),
            ("region".to_string(), s("us-east-1")),
        ]),
        config_digest: "digest".into(),
    }
}

/// Removes ANSI escape sequences.
fn strip_ansi(text: &str) -> String {
    regex::Regex::new("\x1b\\[[0-9;]*m")
        .unwrap()
        .replace_all(text, "")
        .into_owned()
}

#[test]
fn full_plan_matches_golden() {
    assert_golden("plan_full.txt", &render_plan(&full_plan(), &schemas, false));
}

#[test]
fn colored_plan_is_the_plain_plan_with_ansi_codes() {
    let colored = render_plan(&full_plan(), &schemas, true);
    assert!(colored.contains("\x1b[32m+\x1b[0m"), "green +");
    assert!(colored.contains("\x1b[33m~\x1b[0m"), "yellow ~");
    assert!(colored.contains("\x1b[31m-\x1b[0m"), "red -");
    assert!(colored.contains("\x1b[36m<=\x1b[0m"), "cyan <=");
    assert!(
        colored.contains("\x1b[1m  # aws_instance.web[0] will be created\x1b[0m"),
        "bold header"
    );
    assert_eq!(
        strip_ansi(&colored),
        render_plan(&full_plan(), &schemas, false)
    );
    assert!(!render_plan(&full_plan(), &schemas, false).contains('\x1b'));
}

#[test]
fn plan_json_matches_golden() {
    let json = serde_json::to_string_pretty(&plan_to_json(&full_plan())).unwrap();
    assert_golden("plan_full.json", &format!("{json}\n"));
}

#[test]
fn sensitive_contents_never_appear() {
    let plan = full_plan();
    let human = render_plan(&plan, &schemas, true);
    let without_schemas = render_plan(&plan, &|_| None, false);
    let json = plan_to_json(&plan).to_string();
    let outputs = render_outputs(&BTreeMap::from([
        ("password".to_string(), (secret(), true)),
        (
            "nested".to_string(),
            (Value::object([("inner", secret())]), false),
        ),
    ]));
    let created = plan.changes[0].after.clone().unwrap();
    let shown = render_instance("aws_instance.web[0]", "aws_instance", false, &created, None);
    for (what, text) in [
        ("human", &human),
        ("no schema", &without_schemas),
        ("json", &json),
        ("outputs", &outputs),
        ("show", &shown),
    ] {
        assert!(
            !text.contains("hunter2"),
            "{what} output leaks a sensitive value:\n{text}"
        );
    }
    let plain = render_plan(&plan, &schemas, false);
    assert!(
        plain.contains("~ password        = (sensitive value)"),
        "{plain}"
    );
    assert!(
        json.contains(r#""db_password":{"value":null,"sensitive":true}"#),
        "{json}"
    );
}

#[test]
fn schema_sensitive_attributes_are_redacted_without_marks() {
    let value = instance("t3.micro", "", vec![("password", s("plain-hunter2"))]);
    let plan = Plan {
        changes: vec![change(
            "aws_instance.x",
            Action::Create,
            None,
            Some(value.clone()),
        )],
        ..Plan::default()
    };
    let human = render_plan(&plan, &schemas, false);
    assert!(
        human.contains("+ password      = (sensitive value)"),
        "{human}"
    );
    let shown = render_instance(
        "aws_instance.x",
        "aws_instance",
        false,
        &value,
        schemas("aws_instance").as_ref(),
    );
    assert!(
        shown.contains("password      = (sensitive value)"),
        "{shown}"
    );
    assert!(!human.contains("hunter2") && !shown.contains("hunter2"));
}

#[test]
fn no_changes_plans() {
    let clean = Plan::default();
    assert_golden("plan_no_changes.txt", &render_plan(&clean, &schemas, false));
    let destroy_nothing = Plan {
        mode: PlanMode::Destroy,
        ..Plan::default()
    };
    assert_golden(
        "plan_destroy_nothing.txt",
        &render_plan(&destroy_nothing, &schemas, false),
    );
    let refresh_clean = Plan {
        mode: PlanMode::RefreshOnly,
        ..Plan::default()
    };
    assert_golden(
        "plan_refresh_only_clean.txt",
        &render_plan(&refresh_clean, &schemas, false),
    );
}

#[test]
fn refresh_only_plan_reports_drift_only() {
    let full = full_plan();
    let plan = Plan {
        mode: PlanMode::RefreshOnly,
        drift: full.drift.clone(),
        ..Plan::default()
    };
    assert_golden(
        "plan_refresh_only_drift.txt",
        &render_plan(&plan, &schemas, false),
    );
}

#[test]
fn drift_without_pending_changes_suggests_refresh_only() {
    let full = full_plan();
    let plan = Plan {
        drift: full.drift.clone(),
        ..Plan::default()
    };
    assert_golden(
        "plan_drift_no_changes.txt",
        &render_plan(&plan, &schemas, false),
    );
}

#[test]
fn outputs_only_plan() {
    let plan = Plan {
        outputs: full_plan().outputs,
        ..Plan::default()
    };
    assert_golden(
        "plan_outputs_only.txt",
        &render_plan(&plan, &schemas, false),
    );
}

#[test]
fn state_show_matches_golden() {
    let value = instance(
        "t3.micro",
        "#!/bin/sh\necho hi\n",
        vec![
            ("password", s("plain-hunter2")),
            ("security_groups", strings(&["sg-1"])),
            ("tags", tags(&[("Name", "app"), ("cost center", "42")])),
            (
                "ebs_block_device",
                Value::List(vec![ebs("/dev/sdb", n(10)), ebs("/dev/sdc", n(50))]),
            ),
            ("root_block_device", Value::object([("volume_size", n(20))])),
        ],
    );
    let shown = render_instance(
        "aws_instance.app[1]",
        "aws_instance",
        false,
        &value,
        schemas("aws_instance").as_ref(),
    );
    let data = Value::object([
        ("id", s("ami-1")),
        ("name", s("ubuntu")),
        ("owners", strings(&["099720109477"])),
    ]);
    let shown_data = render_instance("data.aws_ami.ubuntu", "aws_ami", true, &data, None);
    assert_golden("state_show.txt", &format!("{shown}\n{shown_data}"));
}

#[test]
fn outputs_match_golden() {
    let outputs = BTreeMap::from([
        ("vpc_id".to_string(), (s("vpc-1"), false)),
        (
            "subnets".to_string(),
            (strings(&["subnet-a", "subnet-b"]), false),
        ),
        (
            "db".to_string(),
            (
                Value::object([
                    ("host", s("db.local")),
                    ("port", n(5432)),
                    ("password", secret()),
                ]),
                false,
            ),
        ),
        ("db_password".to_string(), (secret(), true)),
        ("empty".to_string(), (Value::Null, false)),
    ]);
    assert_golden("outputs.txt", &render_outputs(&outputs));
}

#[test]
fn create_before_destroy_uses_its_own_symbol_and_json_actions() {
    let plan = full_plan();
    let human = render_plan(&plan, &schemas, false);
    assert!(human.contains("+/- create replacement and then destroy"));
    assert!(human.contains("+/- resource \"docker_container\" \"web\" {"));
    let json = plan_to_json(&plan);
    let container = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "docker_container.web")
        .unwrap();
    assert_eq!(
        container["change"]["actions"],
        serde_json::json!(["create", "delete"])
    );
    assert_eq!(container["action_reason"], "replace_because_tainted");
}

/// Shapes a plan meets less often: blocks and collections becoming unknown, a sensitive block,
/// attributes added and removed in an update, a string growing into a heredoc, a list of objects
/// updated in place, an empty list, a type change, and an object with no schema.
fn edge_case_plan() -> Plan {
    let container = |ports: Value, env: Value, labels: Value| {
        Value::object([
            ("env", env),
            ("id", s("c1")),
            ("image", s("nginx")),
            ("labels", labels),
            ("name", s("web")),
            ("ports", ports),
        ])
    };
    let port =
        |internal: i64| Value::object([("external", Value::Null), ("internal", n(internal))]);
    let before = container(
        Value::set(vec![port(80)]),
        Value::List(vec![s("A=1")]),
        tags(&[("team", "web")]),
    );
    let after = container(Value::Unknown, Value::Unknown, Value::Null);
    let mut blocks_unknown = change(
        "docker_container.web",
        Action::Update,
        Some(before),
        Some(after),
    );
    blocks_unknown.provider = "docker".into();

    let secret_ports = container(
        Value::set(vec![port(22)]).mark_sensitive(),
        Value::List(vec![]),
        Value::Null,
    );
    let mut secret_block = change(
        "docker_container.ssh",
        Action::Create,
        None,
        Some(secret_ports),
    );
    secret_block.provider = "docker".into();

    let untyped_before = Value::object([
        ("description", s("one line")),
        ("old_setting", s("x")),
        (
            "rules",
            Value::List(vec![Value::object([("port", n(80)), ("proto", s("tcp"))])]),
        ),
        ("size", n(1)),
    ]);
    let untyped_after = Value::object([
        ("description", s("first line\nsecond line")),
        ("new_setting", Value::Bool(true)),
        (
            "rules",
            Value::List(vec![Value::object([("port", n(443)), ("proto", s("tcp"))])]),
        ),
        ("size", strings(&["small"])),
    ]);
    let untyped = change(
        "custom_thing.x",
        Action::Update,
        Some(untyped_before),
        Some(untyped_after),
    );

    let whole_secret = change(
        "custom_secret.y",
        Action::Create,
        None,
        Some(Value::object([("value", s(SECRET))]).mark_sensitive()),
    );
    Plan {
        changes: vec![blocks_unknown, secret_block, untyped, whole_secret],
        ..Plan::default()
    }
}

#[test]
fn edge_case_plan_matches_golden() {
    let plan = edge_case_plan();
    let human = render_plan(&plan, &schemas, false);
    assert!(!human.contains("hunter2"), "{human}");
    assert_golden("plan_edge_cases.txt", &human);
}
