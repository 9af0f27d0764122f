//! Configuration written for imported objects (`-generate-config-out`): a resource block per
//! object with only the attributes a configuration may set (Terraform's generated files also
//! carry computed attributes and fail to apply), and references between the objects where one's
//! attribute holds another's id.

use std::collections::BTreeMap;

use hcl::expr::{Expression, Object, ObjectKey, Traversal, Variable};
use hcl::structure::{Block, Body};
use plinth_sdk::{Nesting, Schema, Value};

/// One object to write a resource block for.
pub struct GeneratedObject {
    /// The resource type.
    pub type_name: String,
    /// The resource name (the block's second label).
    pub name: String,
    /// The id it is imported by.
    pub id: String,
    /// Its value as the provider read it.
    pub value: Value,
}

/// The HCL text of a resource block per object (with its `import` block when `with_imports`),
/// formatted; `schema` gives each type's schema. A string equal to another object's id becomes
/// a reference to that object's `id`.
pub fn write(
    objects: &[GeneratedObject],
    schema: &dyn Fn(&str) -> Option<Schema>,
    with_imports: bool,
) -> String {
    let ids: BTreeMap<&str, (&str, &str)> = objects
        .iter()
        .map(|o| (o.id.as_str(), (o.type_name.as_str(), o.name.as_str())))
        .collect();
    let mut text = String::from("# __generated__ by plinth\n# Review these blocks before applying: they hold what the provider read, limited to\n# the arguments a configuration can set. Sensitive arguments are written as null.\n");
    for object in objects {
        let itself = (object.type_name.as_str(), object.name.as_str());
        let others = |s: &str| {
            ids.get(s)
                .filter(|found| **found != itself)
                .map(|(t, n)| (t.to_string(), n.to_string()))
        };
        let mut body = Body::builder();
        if with_imports {
            body = body.add_block(
                Block::builder("import")
                    .add_attribute(("to", reference(&object.type_name, &object.name, None)))
                    .add_attribute(("id", object.id.clone()))
                    .build(),
            );
        }
        let content = match schema(&object.type_name) {
            Some(schema) => block_body(&schema, &object.value, &others),
            None => Body::default(),
        };
        let mut resource = Block::builder("resource")
            .add_label(object.type_name.as_str())
            .add_label(object.name.as_str());
        for structure in content {
            resource = resource.add_structure(structure);
        }
        let body = body.add_block(resource.build()).build();
        let rendered = hcl::format::to_string(&body).unwrap_or_default();
        text.push('\n');
        text.push_str(&format!(
            "# {}.{} from id \"{}\"\n",
            object.type_name, object.name, object.id
        ));
        text.push_str(&crate::config::format_source(&rendered).unwrap_or(rendered));
    }
    text
}

/// `TYPE.NAME` or `TYPE.NAME.ATTR`.
fn reference(type_name: &str, name: &str, attribute: Option<&str>) -> Expression {
    let mut traversal = Traversal::builder(Variable::unchecked(type_name)).attr(name);
    if let Some(attribute) = attribute {
        traversal = traversal.attr(attribute);
    }
    Expression::from(traversal.build())
}

/// The configurable attributes and nested blocks of `value` under `schema`.
fn block_body(
    schema: &Schema,
    value: &Value,
    others: &dyn Fn(&str) -> Option<(String, String)>,
) -> Body {
    let mut body = Body::builder();
    for (name, attribute) in &schema.attributes {
        if name == "id" || !(attribute.required || attribute.optional) {
            continue;
        }
        let Some(v) = value.get(name) else { continue };
        if attribute.sensitive || v.is_sensitive() {
            if attribute.required {
                body = body.add_attribute((name.as_str(), Expression::Null));
            }
            continue;
        }
        if !attribute.required && is_empty(v) {
            continue;
        }
        if !attribute.required && attribute.default.as_ref() == Some(v) {
            continue;
        }
        body = body.add_attribute((name.as_str(), expression(v, others)));
    }
    for (name, nested) in &schema.blocks {
        let items = match (nested.nesting, value.get(name)) {
            (_, None | Some(Value::Null)) => Vec::new(),
            (Nesting::Single, Some(v @ Value::Map(_))) => vec![v],
            (_, Some(Value::List(items) | Value::Set(items))) => items.iter().collect(),
            _ => Vec::new(),
        };
        for item in items {
            let inner = block_body(&nested.schema, item, others);
            let mut block = Block::builder(name.as_str());
            for structure in inner {
                block = block.add_structure(structure);
            }
            body = body.add_block(block.build());
        }
    }
    body.build()
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null | Value::Unknown => true,
        Value::List(items) | Value::Set(items) => items.is_empty(),
        Value::Map(map) => map.is_empty(),
        _ => false,
    }
}

/// An HCL expression for a known value; another object's id becomes a reference to it.
fn expression(value: &Value, others: &dyn Fn(&str) -> Option<(String, String)>) -> Expression {
    match value {
        Value::Null | Value::Unknown => Expression::Null,
        Value::Bool(b) => Expression::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Expression::Number(hcl::Number::from(i)),
            None => hcl::Number::from_f64(n.as_f64()).map_or(Expression::Null, Expression::Number),
        },
        Value::String(s) => match others(s) {
            Some((type_name, name)) => reference(&type_name, &name, Some("id")),
            None => Expression::String(s.clone()),
        },
        Value::List(items) | Value::Set(items) => {
            Expression::Array(items.iter().map(|v| expression(v, others)).collect())
        }
        Value::Map(map) => {
            let object: Object<ObjectKey, Expression> = map
                .iter()
                .map(|(k, v)| {
                    (
                        ObjectKey::Expression(Expression::String(k.clone())),
                        expression(v, others),
                    )
                })
                .collect();
            Expression::Object(object)
        }
        Value::Sensitive(_) => Expression::Null,
    }
}
