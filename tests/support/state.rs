//! Reading the state file the way the tests need it: Terraform's JSON layout (`version`,
//! `lineage`, `serial`, `outputs`, `resources[]` with `module`, `mode`, `type`, `name` and
//! `instances[]` carrying `index_key`, `status` and `attributes`).

/// One resource instance from the state file.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Its full address (`module.m[0].terraform_data.x["k"]`).
    pub address: String,
    /// Its resource type.
    pub type_name: String,
    /// Its attributes.
    pub attributes: serde_json::Value,
    /// `tainted` for a tainted instance; `None` (or `ready`) otherwise.
    pub status: Option<String>,
}

impl Instance {
    /// Attribute `name`. A value stored with its type beside it (`{"value": v, "type": t}`, the
    /// way Terraform stores attributes of dynamic type) is unwrapped.
    pub fn attr(&self, name: &str) -> Option<&serde_json::Value> {
        let value = self.attributes.get(name)?;
        match value.as_object() {
            Some(fields) if fields.len() == 2 && fields.contains_key("type") => fields.get("value"),
            _ => Some(value),
        }
    }

    /// A string attribute.
    pub fn string(&self, name: &str) -> Option<&str> {
        self.attr(name).and_then(serde_json::Value::as_str)
    }

    /// Whether the instance is recorded as tainted.
    pub fn is_tainted(&self) -> bool {
        self.status.as_deref() == Some("tainted")
    }
}

/// A parsed state file.
#[derive(Clone, Debug)]
pub struct State {
    /// The whole document.
    pub json: serde_json::Value,
}

impl State {
    /// Parses state file text; panics when it is not a JSON object.
    #[track_caller]
    pub fn parse(text: &str) -> State {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) if json.is_object() => State { json },
            Ok(_) => panic!("the state file is not a JSON object:\n{text}"),
            Err(e) => panic!("the state file is not JSON ({e}):\n{text}"),
        }
    }

    /// The lineage.
    pub fn lineage(&self) -> &str {
        self.json["lineage"].as_str().unwrap_or_default()
    }

    /// The serial.
    pub fn serial(&self) -> u64 {
        self.json["serial"].as_u64().unwrap_or_default()
    }

    /// Output `name`'s stored value.
    pub fn output(&self, name: &str) -> Option<&serde_json::Value> {
        self.json.get("outputs")?.get(name)?.get("value")
    }

    /// Every resource instance, in file order.
    pub fn instances(&self) -> Vec<Instance> {
        let mut found = Vec::new();
        let resources = self.json["resources"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for resource in resources {
            let type_name = resource["type"].as_str().unwrap_or_default().to_string();
            let name = resource["name"].as_str().unwrap_or_default();
            let mut base = String::new();
            if let Some(module) = resource["module"].as_str().filter(|m| !m.is_empty()) {
                base.push_str(module);
                base.push('.');
            }
            if resource["mode"].as_str() == Some("data") {
                base.push_str("data.");
            }
            base.push_str(&format!("{type_name}.{name}"));
            for instance in resource["instances"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                let key = match &instance["index_key"] {
                    serde_json::Value::Number(n) => format!("[{n}]"),
                    serde_json::Value::String(s) => {
                        format!("[{}]", serde_json::Value::from(s.as_str()))
                    }
                    _ => String::new(),
                };
                found.push(Instance {
                    address: format!("{base}{key}"),
                    type_name: type_name.clone(),
                    attributes: instance["attributes"].clone(),
                    status: instance["status"].as_str().map(String::from),
                });
            }
        }
        found
    }

    /// Every instance address, sorted.
    pub fn addresses(&self) -> Vec<String> {
        let mut addresses: Vec<String> = self.instances().into_iter().map(|i| i.address).collect();
        addresses.sort();
        addresses
    }

    /// The instance at `address`.
    #[track_caller]
    pub fn instance(&self, address: &str) -> Instance {
        match self.instances().into_iter().find(|i| i.address == address) {
            Some(instance) => instance,
            None => panic!("{address} is not in state; it holds {:?}", self.addresses()),
        }
    }
}
