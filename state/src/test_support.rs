//! Builders for states and instances shared by the unit tests.

use serde_json::json;

use crate::model::{Instance, Mode, OutputValue, State, Status};

/// A ready managed instance of `type_name` with a few attributes.
pub(crate) fn instance(type_name: &str, id: &str) -> Instance {
    Instance {
        mode: Mode::Managed,
        type_name: type_name.to_string(),
        provider: "docker".to_string(),
        status: Status::Ready,
        attributes: json!({ "id": id, "name": format!("web-{id}"), "ports": [80, 443] }),
        sensitive_attributes: Vec::new(),
        dependencies: Vec::new(),
        create_before_destroy: false,
        schema_version: 0,
        private: None,
    }
}

/// A state with root, counted, for_each, module and data instances, an output and a tainted one.
pub(crate) fn sample_state() -> State {
    let mut state = State::new();
    state.serial = 7;
    state.outputs.insert(
        "address".to_string(),
        OutputValue {
            value: json!("10.0.0.1"),
            sensitive: false,
            ty: None,
        },
    );
    state.outputs.insert(
        "password".to_string(),
        OutputValue {
            value: json!("hunter2"),
            sensitive: true,
            ty: None,
        },
    );
    state.instances.insert(
        "docker_network.main".into(),
        instance("docker_network", "n1"),
    );
    for index in [0, 1, 10, 2] {
        let mut counted = instance("docker_container", &format!("c{index}"));
        counted.dependencies = vec!["docker_network.main".to_string()];
        state
            .instances
            .insert(format!("docker_container.web[{index}]"), counted);
    }
    let mut tainted = instance("aws_subnet", "subnet-1");
    tainted.provider = "aws.west".to_string();
    tainted.status = Status::Tainted;
    tainted.sensitive_attributes = vec!["secret".to_string()];
    tainted.create_before_destroy = true;
    state
        .instances
        .insert(r#"module.vpc["a"].aws_subnet.public[0]"#.into(), tainted);
    let mut data = instance("docker_image", "sha256:abc");
    data.mode = Mode::Data;
    state
        .instances
        .insert("data.docker_image.base".into(), data);
    state
}
