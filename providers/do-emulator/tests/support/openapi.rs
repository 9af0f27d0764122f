//! Holds the emulator to DigitalOcean's official OpenAPI description
//! (`shared/specs/digitalocean-openapi.json`): finds the operation for a method and path, and
//! checks requests (path and query parameters, JSON body) and responses (documented status,
//! documented headers, JSON body) against it.
//!
//! Schemas are OpenAPI 3.0, so before validating with the `jsonschema` crate (draft 7) they are
//! turned into JSON Schema: `$ref`s are inlined (a cycle becomes `{}`), `nullable: true` admits
//! null, and `required` drops properties that are `readOnly` (in requests) or `writeOnly` (in
//! responses), as OpenAPI 3.0 says.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jsonschema::Validator;
use serde_json::{Map, Value};

/// Which side of an exchange a schema describes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Side {
    Request,
    Response,
}

/// One operation of the description.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub template: String,
    /// JSON pointer to the operation object.
    pointer: String,
    /// Path segments; `None` stands for a parameter.
    segments: Vec<Option<String>>,
}

/// The loaded description.
pub struct Spec {
    doc: Value,
    operations: Vec<Operation>,
    validators: Mutex<HashMap<(String, Side), Arc<Validator>>>,
}

/// Where the description is: `$PLINTH_DO_OPENAPI`, else `shared/specs/` in a folder above the
/// repository (the layout of developers' machines and CI).
pub fn locate() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("PLINTH_DO_OPENAPI") {
        return Some(PathBuf::from(path));
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|dir| dir.join("shared/specs/digitalocean-openapi.json"))
        .find(|candidate| candidate.is_file())
}

/// Loads the description, or says why the test cannot run: fatal in CI, a skip elsewhere.
pub fn load_or_skip() -> Option<Spec> {
    match locate() {
        Some(path) => Some(Spec::load(&path)),
        None => {
            let reason = "DigitalOcean's OpenAPI description (shared/specs/digitalocean-openapi.json) was not found above the repository and PLINTH_DO_OPENAPI is not set";
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{reason}");
            }
            eprintln!("skipped: {reason}");
            None
        }
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

impl Spec {
    /// Parses the description at `path`.
    pub fn load(path: &Path) -> Spec {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        let mut operations = Vec::new();
        for (template, item) in doc["paths"].as_object().expect("paths") {
            for method in ["get", "put", "post", "delete", "patch"] {
                if let Some(op) = item.get(method) {
                    operations.push(Operation {
                        id: op["operationId"].as_str().unwrap_or("").to_string(),
                        method: method.to_ascii_uppercase(),
                        template: template.clone(),
                        pointer: format!("/paths/{}/{method}", escape(template)),
                        segments: template
                            .split('/')
                            .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                            .collect(),
                    });
                }
            }
        }
        Spec {
            doc,
            operations,
            validators: Mutex::new(HashMap::new()),
        }
    }

    /// The operation serving `method` on `path`; literal segments win over parameters, as
    /// `/v2/droplets/actions` over `/v2/droplets/{droplet_id}`.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        let segments: Vec<&str> = path.split('/').collect();
        self.operations
            .iter()
            .filter(|op| op.method.eq_ignore_ascii_case(method))
            .filter(|op| {
                op.segments.len() == segments.len()
                    && op
                        .segments
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t.as_deref().is_none_or(|t| t == *s))
            })
            .max_by_key(|op| op.segments.iter().filter(|s| s.is_some()).count())
    }

    fn at(&self, pointer: &str) -> &Value {
        self.doc.pointer(pointer).unwrap_or(&Value::Null)
    }

    /// Follows a `$ref` (only local ones exist in the bundle).
    fn resolve<'a>(&'a self, node: &'a Value) -> &'a Value {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.resolve(self.at(reference.trim_start_matches('#'))),
            None => node,
        }
    }

    /// The parameters of an operation (path-level ones included), resolved.
    fn parameters(&self, op: &Operation) -> Vec<&Value> {
        let item_pointer = op.pointer.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
        let mut out: Vec<&Value> = Vec::new();
        for pointer in [
            format!("{item_pointer}/parameters"),
            format!("{}/parameters", op.pointer),
        ] {
            if let Some(list) = self.doc.pointer(&pointer).and_then(Value::as_array) {
                out.extend(list.iter().map(|p| self.resolve(p)));
            }
        }
        out
    }

    /// A validator for the schema at `pointer`, converted for one side.
    fn validator(&self, pointer: &str, side: Side) -> Result<Arc<Validator>, String> {
        let key = (pointer.to_string(), side);
        if let Some(v) = self.validators.lock().unwrap().get(&key) {
            return Ok(v.clone());
        }
        let schema = self.json_schema(self.at(pointer), side);
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .build(&schema)
            .map_err(|e| format!("schema at {pointer} does not compile: {e}"))?;
        let validator = Arc::new(validator);
        self.validators
            .lock()
            .unwrap()
            .insert(key, validator.clone());
        Ok(validator)
    }

    /// Converts an OpenAPI 3.0 schema into a self-contained JSON Schema.
    pub fn json_schema(&self, schema: &Value, side: Side) -> Value {
        self.convert(schema, side, &mut Vec::new())
    }

    fn convert(&self, node: &Value, side: Side, stack: &mut Vec<String>) -> Value {
        match node {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    if stack.iter().any(|r| r == reference) {
                        return Value::Object(Map::new());
                    }
                    stack.push(reference.to_string());
                    let target = self.at(reference.trim_start_matches('#'));
                    let out = self.convert(target, side, stack);
                    stack.pop();
                    return out;
                }
                if let Some(chosen) = self.discriminated(map, side, stack) {
                    return chosen;
                }
                let mut out = Map::new();
                for (key, value) in map {
                    let converted = match key.as_str() {
                        // Data, not schemas: kept as they are (examples are dropped).
                        "example" | "examples" => continue,
                        "enum" | "default" | "const" | "required" | "type" => value.clone(),
                        "properties" | "patternProperties" | "definitions" => Value::Object(
                            value
                                .as_object()
                                .map(|props| {
                                    props
                                        .iter()
                                        .map(|(k, v)| (k.clone(), self.convert(v, side, stack)))
                                        .collect()
                                })
                                .unwrap_or_default(),
                        ),
                        _ => self.convert(value, side, stack),
                    };
                    out.insert(key.clone(), converted);
                }
                drop_hidden_required(&mut out, side);
                if out.get("nullable") == Some(&Value::Bool(true)) {
                    out.remove("nullable");
                    return admit_null(out);
                }
                Value::Object(out)
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.convert(v, side, stack)).collect())
            }
            other => other.clone(),
        }
    }

    /// A `oneOf`/`anyOf` with a `discriminator` mapping picks its schema by the discriminating
    /// property, as OpenAPI says (plain JSON Schema would try every alternative, and `oneOf`
    /// fails when several match): the property must hold a mapped value, and the instance must
    /// match that value's schema.
    fn discriminated(
        &self,
        map: &Map<String, Value>,
        side: Side,
        stack: &mut Vec<String>,
    ) -> Option<Value> {
        let discriminator = map.get("discriminator")?;
        let property = discriminator.get("propertyName")?.as_str()?;
        let mapping = discriminator.get("mapping")?.as_object()?;
        if !map.contains_key("oneOf") && !map.contains_key("anyOf") {
            return None;
        }
        let keys: Vec<&String> = mapping.keys().collect();
        let mut all = vec![serde_json::json!({
            "type": "object",
            "required": [property],
            "properties": { property: { "enum": keys } },
        })];
        for (value, reference) in mapping {
            let target = self.convert(&serde_json::json!({ "$ref": reference }), side, stack);
            all.push(serde_json::json!({
                "if": { "properties": { property: { "const": value } }, "required": [property] },
                "then": target,
            }));
        }
        let mut rest: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "oneOf" | "anyOf" | "discriminator" | "example" | "examples"
                )
            })
            .map(|(k, v)| (k.clone(), self.convert(v, side, stack)))
            .collect();
        rest.insert("allOf".into(), Value::Array(all));
        Some(Value::Object(rest))
    }

    /// Checks a JSON value against the schema at `pointer`; returns the problems found.
    pub fn check_value(&self, pointer: &str, side: Side, value: &Value) -> Vec<String> {
        match self.validator(pointer, side) {
            Ok(validator) => validator
                .iter_errors(value)
                .map(|e| format!("{} at {}", e, e.instance_path))
                .take(10)
                .collect(),
            Err(e) => vec![e],
        }
    }

    /// Checks a request the emulator accepted: path and query parameters and the JSON body.
    pub fn check_request(
        &self,
        op: &Operation,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        let params = self.parameters(op);
        let segments: Vec<&str> = path.split('/').collect();
        let names: Vec<&str> = op.template.split('/').collect();
        for (name, value) in names.iter().zip(&segments) {
            if let Some(name) = name.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                match params
                    .iter()
                    .find(|p| p["in"] == "path" && p["name"] == name)
                {
                    Some(param) => problems.extend(self.check_param(param, value)),
                    None => problems.push(format!("path parameter {name} is not documented")),
                }
            }
        }
        for (name, value) in query {
            match params
                .iter()
                .find(|p| p["in"] == "query" && p["name"] == name.as_str())
            {
                Some(param) => problems.extend(self.check_param(param, value)),
                None => problems.push(format!(
                    "query parameter {name:?} is not documented for {}",
                    op.id
                )),
            }
        }
        for param in params
            .iter()
            .filter(|p| p["in"] == "query" && p["required"] == true)
        {
            let name = param["name"].as_str().unwrap_or("");
            if !query.iter().any(|(k, _)| k == name) {
                problems.push(format!("required query parameter {name} is missing"));
            }
        }
        let request_body = self.doc.pointer(&format!("{}/requestBody", op.pointer));
        match (request_body.map(|rb| self.resolve(rb)), body) {
            (None, Some(_)) => problems.push(format!("{} takes no request body", op.id)),
            (Some(rb), None) if rb["required"] == true => {
                problems.push(format!("{} requires a request body", op.id))
            }
            (Some(_), Some(body)) => {
                let pointer = format!(
                    "{}/requestBody/content/application~1json/schema",
                    op.pointer
                );
                if self.doc.pointer(&pointer).is_none() {
                    problems.push(format!("{} has no JSON request body", op.id));
                } else {
                    problems.extend(
                        self.check_value(&pointer, Side::Request, body)
                            .into_iter()
                            .map(|p| format!("request body: {p}")),
                    );
                }
            }
            _ => {}
        }
        problems
    }

    /// Checks a parameter's raw text against its schema.
    fn check_param(&self, param: &Value, raw: &str) -> Vec<String> {
        let name = param["name"].as_str().unwrap_or("");
        let schema = self.json_schema(&param["schema"], Side::Request);
        let kind = schema.get("type").and_then(Value::as_str);
        let value = match kind {
            Some("integer") => match raw.parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => return vec![format!("parameter {name}={raw:?} is not an integer")],
            },
            Some("boolean") => match raw {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return vec![format!("parameter {name}={raw:?} is not a boolean")],
            },
            Some(_) => Value::String(raw.to_string()),
            None => raw
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(raw.to_string())),
        };
        match jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .build(&schema)
        {
            Ok(v) => v
                .iter_errors(&value)
                .map(|e| format!("parameter {name}={raw:?}: {e}"))
                .collect(),
            Err(e) => vec![format!("parameter {name}'s schema does not compile: {e}")],
        }
    }

    /// Checks a response: the status is documented (or a `default` response exists), the
    /// documented headers are there with valid values, and the body matches the schema.
    pub fn check_response(
        &self,
        op: &Operation,
        status: u16,
        headers: &std::collections::BTreeMap<String, String>,
        body: Option<&Value>,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        let responses = format!("{}/responses", op.pointer);
        let key = status.to_string();
        let chosen = if self.doc.pointer(&format!("{responses}/{key}")).is_some() {
            key
        } else if self.doc.pointer(&format!("{responses}/default")).is_some() {
            "default".to_string()
        } else {
            return vec![format!("status {status} is not documented for {}", op.id)];
        };
        let response_pointer = format!("{responses}/{chosen}");
        // A response object may itself be a $ref into components/responses.
        let response_pointer = match self
            .at(&response_pointer)
            .get("$ref")
            .and_then(Value::as_str)
        {
            Some(reference) => reference.trim_start_matches('#').to_string(),
            None => response_pointer,
        };
        let response = self.at(&response_pointer);
        if let Some(documented) = response.get("headers").and_then(Value::as_object) {
            for (name, header) in documented {
                let header = self.resolve(header);
                match headers.get(&name.to_ascii_lowercase()) {
                    None => problems.push(format!("header {name} is missing")),
                    Some(value) => {
                        problems.extend(self.check_param(
                            &serde_json::json!({ "name": name, "schema": header["schema"] }),
                            value,
                        ));
                    }
                }
            }
        }
        let schema_pointer = format!("{response_pointer}/content/application~1json/schema");
        match (self.doc.pointer(&schema_pointer), body) {
            (Some(_), Some(body)) => problems.extend(
                self.check_value(&schema_pointer, Side::Response, body)
                    .into_iter()
                    .map(|p| format!("response body: {p}")),
            ),
            (Some(_), None) => {
                problems.push(format!("status {status} of {} needs a JSON body", op.id))
            }
            (None, Some(_)) => problems.push(format!(
                "status {status} of {} has no body documented",
                op.id
            )),
            (None, None) => {}
        }
        problems
    }
}

/// Checks one recorded exchange: the operation exists, the request (when the emulator accepted
/// it) and the response match the description. Returns the operation's id and the problems.
pub fn check_exchange(
    spec: &Spec,
    exchange: &plinth_do_emulator::Exchange,
) -> (Option<String>, Vec<String>) {
    let Some(op) = spec.operation(&exchange.method, &exchange.path) else {
        return (
            None,
            vec![format!(
                "no operation serves {} {}",
                exchange.method, exchange.path
            )],
        );
    };
    let mut problems = Vec::new();
    if exchange.status < 400 {
        problems.extend(spec.check_request(
            op,
            &exchange.path,
            &exchange.query,
            exchange.request_body.as_ref(),
        ));
    }
    problems.extend(spec.check_response(
        op,
        exchange.status,
        &exchange.response_headers,
        exchange.response_body.as_ref(),
    ));
    (Some(op.id.clone()), problems)
}

/// Removes from `required` the properties the other side never carries.
fn drop_hidden_required(schema: &mut Map<String, Value>, side: Side) {
    let flag = match side {
        Side::Request => "readOnly",
        Side::Response => "writeOnly",
    };
    let hidden: Vec<String> = match schema.get("properties").and_then(Value::as_object) {
        Some(props) => props
            .iter()
            .filter(|(_, p)| has_flag(p, flag))
            .map(|(k, _)| k.clone())
            .collect(),
        None => return,
    };
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        required.retain(|r| !r.as_str().is_some_and(|r| hidden.iter().any(|h| h == r)));
    }
}

fn has_flag(schema: &Value, flag: &str) -> bool {
    schema.get(flag) == Some(&Value::Bool(true))
        || schema
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|all| all.iter().any(|s| has_flag(s, flag)))
}

/// Makes a converted schema also accept null.
fn admit_null(mut schema: Map<String, Value>) -> Value {
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
    let composed = ["allOf", "anyOf", "oneOf"]
        .iter()
        .any(|k| schema.contains_key(*k));
    match schema.get("type").cloned() {
        Some(Value::String(t)) if !composed => {
            schema.insert("type".into(), serde_json::json!([t, "null"]));
            Value::Object(schema)
        }
        _ => serde_json::json!({ "anyOf": [{ "type": "null" }, Value::Object(schema)] }),
    }
}
