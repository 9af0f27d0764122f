//! Evaluating a resource, data source or provider body against its schema into one object with
//! every attribute and block of the schema as a key, expanding `dynamic` blocks, and collecting
//! every problem of the body as diagnostics.

use std::collections::BTreeMap;

use plinth_sdk::{convert, Diagnostic, Diagnostics, NestedBlock, Nesting, Schema, Span, Value};

use super::for_expr::collection_pairs;
use super::traversal::mark;
use super::{evaluate, references, EvalError, Scope};
use crate::config::{Body, DynamicBlock};

/// Evaluates `body` against `schema`: configured attributes converted to their type (unknowns
/// kept), the others their default or null; nested blocks as a list of objects (`List`/`Set`)
/// or one object or null (`Single`), `dynamic` blocks expanded in source order. A `dynamic`
/// block whose `for_each` is unknown makes its whole block type unknown. `block_span` is the
/// body's block header, used for problems that have no span of their own (a missing argument).
pub fn eval_body(
    body: &Body,
    schema: &Schema,
    scope: &dyn Scope,
    block_span: &Span,
) -> Result<Value, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let value = body_value(body, schema, scope, block_span, &mut diagnostics);
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(value)
    }
}

/// Every reference in a body: its attributes, nested blocks and `dynamic` blocks (`for_each`,
/// labels and content), leaving out references to a dynamic block's own iterator.
pub fn body_references(body: &Body) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    collect_references(body, &mut Vec::new(), &mut found);
    found
}

fn collect_references<'b>(
    body: &'b Body,
    iterators: &mut Vec<&'b str>,
    found: &mut Vec<Vec<String>>,
) {
    for attribute in &body.attributes {
        add_references(&attribute.expr.expr, iterators, found);
    }
    for block in &body.blocks {
        collect_references(&block.body, iterators, found);
    }
    for dynamic in &body.dynamic_blocks {
        add_references(&dynamic.for_each.expr, iterators, found);
        iterators.push(&dynamic.iterator);
        for label in &dynamic.labels {
            add_references(&label.expr, iterators, found);
        }
        collect_references(&dynamic.content, iterators, found);
        iterators.pop();
    }
}

/// Adds the references of `expr` not rooted at one of `iterators` and not yet found.
fn add_references(expr: &hcl::Expression, iterators: &[&str], found: &mut Vec<Vec<String>>) {
    for reference in references(expr) {
        let is_iterator = reference
            .first()
            .is_some_and(|root| iterators.contains(&root.as_str()));
        if !is_iterator && !found.contains(&reference) {
            found.push(reference);
        }
    }
}

fn body_value(
    body: &Body,
    schema: &Schema,
    scope: &dyn Scope,
    block_span: &Span,
    diagnostics: &mut Diagnostics,
) -> Value {
    let mut object = BTreeMap::new();
    // Few attributes per body: a list is quicker than hashing.
    let mut configured: Vec<(&str, &Span)> = Vec::with_capacity(body.attributes.len());
    for attribute in &body.attributes {
        let name = attribute.name.as_str();
        let Some(spec) = schema.attributes.get(name) else {
            diagnostics
                .push(unsupported_argument(name, schema).with_span(attribute.name_span.clone()));
            continue;
        };
        if let Some((_, first)) = configured.iter().find(|(seen, _)| *seen == name) {
            diagnostics.push(
                Diagnostic::error("Duplicate argument")
                    .with_detail(format!("The argument \"{name}\" was already set at {first}. Each argument may be set only once."))
                    .with_span(attribute.name_span.clone()),
            );
            continue;
        }
        configured.push((name, &attribute.name_span));
        if spec.computed && !spec.optional && !spec.required {
            diagnostics.push(
                Diagnostic::error("Invalid or unknown key")
                    .with_detail(format!("\"{name}\": this field cannot be set; its value is decided by the provider."))
                    .with_span(attribute.name_span.clone()),
            );
            continue;
        }
        let value = match evaluate(&attribute.expr.expr, scope) {
            Ok(value) => value,
            Err(error) => {
                diagnostics.push(eval_diagnostic(error, &attribute.expr.span));
                continue;
            }
        };
        match convert(value, &spec.ty) {
            Ok(value) => {
                object.insert(name.to_string(), value);
            }
            Err(message) => diagnostics.push(
                Diagnostic::error("Incorrect attribute value type")
                    .with_detail(format!(
                        "Inappropriate value for attribute \"{name}\": {message}."
                    ))
                    .with_span(attribute.expr.span.clone()),
            ),
        }
    }
    for (name, spec) in &schema.attributes {
        if configured.iter().any(|(seen, _)| *seen == name) {
            object.entry(name.clone()).or_insert(Value::Null);
            continue;
        }
        if spec.required {
            diagnostics.push(
                Diagnostic::error("Missing required argument")
                    .with_detail(format!(
                        "The argument \"{name}\" is required, but no definition was found."
                    ))
                    .with_span(block_span.clone()),
            );
        }
        object.insert(name.clone(), spec.default.clone().unwrap_or(Value::Null));
    }
    for block in &body.blocks {
        if !schema.blocks.contains_key(&block.kind) {
            diagnostics.push(unsupported_block(&block.kind, schema).with_span(block.span.clone()));
        }
    }
    for dynamic in &body.dynamic_blocks {
        if !schema.blocks.contains_key(&dynamic.kind) {
            diagnostics
                .push(unsupported_block(&dynamic.kind, schema).with_span(dynamic.span.clone()));
        }
    }
    for (kind, nested) in &schema.blocks {
        let value = blocks_value(body, kind, nested, scope, block_span, diagnostics);
        object.insert(kind.clone(), value);
    }
    Value::Map(object)
}

/// The value of one block type of a body: its static and dynamic blocks in source order.
fn blocks_value(
    body: &Body,
    kind: &str,
    nested: &NestedBlock,
    scope: &dyn Scope,
    block_span: &Span,
    diagnostics: &mut Diagnostics,
) -> Value {
    let mut items: Vec<(usize, Value, &Span)> = Vec::new();
    for block in body.blocks.iter().filter(|b| b.kind == kind) {
        let value = body_value(&block.body, &nested.schema, scope, &block.span, diagnostics);
        items.push((block.span.start, value, &block.span));
    }
    let mut unknown = false;
    for dynamic in body.dynamic_blocks.iter().filter(|d| d.kind == kind) {
        match expand_dynamic(dynamic, &nested.schema, scope, diagnostics) {
            Some(values) => items.extend(
                values
                    .into_iter()
                    .map(|v| (dynamic.span.start, v, &dynamic.span)),
            ),
            None => unknown = true,
        }
    }
    if unknown {
        return Value::Unknown;
    }
    items.sort_by_key(|(start, _, _)| *start);
    let max_items = if nested.nesting == Nesting::Single && nested.max_items == 0 {
        1
    } else {
        nested.max_items
    };
    if items.len() < nested.min_items {
        diagnostics.push(
            Diagnostic::error(format!("Insufficient {kind} blocks"))
                .with_detail(format!(
                    "At least {} \"{kind}\" blocks are required.",
                    nested.min_items
                ))
                .with_span(block_span.clone()),
        );
    }
    if max_items > 0 && items.len() > max_items {
        diagnostics.push(
            Diagnostic::error(format!("Too many {kind} blocks"))
                .with_detail(format!(
                    "No more than {max_items} \"{kind}\" blocks are allowed."
                ))
                .with_span(items[max_items].2.clone()),
        );
    }
    let mut values = items.into_iter().map(|(_, value, _)| value);
    match nested.nesting {
        Nesting::Single => values.next().unwrap_or(Value::Null),
        Nesting::List => Value::List(values.collect()),
        Nesting::Set => Value::set(values.collect()),
    }
}

/// The objects a `dynamic` block generates; None when its `for_each` is unknown. Problems are
/// reported and give no objects.
fn expand_dynamic(
    dynamic: &DynamicBlock,
    schema: &Schema,
    scope: &dyn Scope,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<Value>> {
    let collection = match evaluate(&dynamic.for_each.expr, scope) {
        Ok(value) => value,
        Err(error) => {
            diagnostics.push(eval_diagnostic(error, &dynamic.for_each.span));
            return Some(Vec::new());
        }
    };
    let (collection, marked) = match collection {
        Value::Sensitive(inner) => (*inner, true),
        other => (other, false),
    };
    let invalid = |detail: String| {
        Diagnostic::error("Invalid dynamic for_each value")
            .with_detail(detail)
            .with_span(dynamic.for_each.span.clone())
    };
    let pairs = match collection {
        Value::Unknown => return None,
        Value::Null => {
            diagnostics.push(invalid("Cannot use a null value in for_each.".to_string()));
            return Some(Vec::new());
        }
        other => {
            let type_name = other.type_name();
            match collection_pairs(other) {
                Some(pairs) => pairs,
                None => {
                    diagnostics.push(invalid(format!(
                        "Cannot use a {type_name} value in for_each. An iterable collection is required."
                    )));
                    return Some(Vec::new());
                }
            }
        }
    };
    let mut values = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        let iterator = IteratorScope {
            parent: scope,
            name: &dynamic.iterator,
            key: mark(key, marked),
            value: mark(value, marked),
        };
        values.push(body_value(
            &dynamic.content,
            schema,
            &iterator,
            &dynamic.span,
            diagnostics,
        ));
    }
    Some(values)
}

/// The scope inside a `dynamic` block's content: its iterator (`name.key`, `name.value`) over
/// the enclosing scope.
struct IteratorScope<'p> {
    parent: &'p dyn Scope,
    name: &'p str,
    key: Value,
    value: Value,
}

impl Scope for IteratorScope<'_> {
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        if names.first() != Some(&self.name) {
            return self.parent.resolve(names);
        }
        match names.get(1) {
            None => Ok((
                Value::object([("key", self.key.clone()), ("value", self.value.clone())]),
                1,
            )),
            Some(_) => self
                .own_attribute(names)
                .map(|(value, consumed)| (value.clone(), consumed)),
        }
    }

    fn resolve_ref(&self, names: &[&str]) -> Option<Result<(&Value, usize), String>> {
        if names.first() != Some(&self.name) {
            return self.parent.resolve_ref(names);
        }
        // The iterator object itself is built on demand, so only its attributes can be lent.
        names.get(1)?;
        Some(self.own_attribute(names))
    }
}

impl IteratorScope<'_> {
    /// `name.key` or `name.value`.
    fn own_attribute(&self, names: &[&str]) -> Result<(&Value, usize), String> {
        match names.get(1) {
            Some(&"key") => Ok((&self.key, 2)),
            Some(&"value") => Ok((&self.value, 2)),
            other => Err(format!(
                "Unsupported attribute\nThe iterator \"{}\" has only the attributes \"key\" and \"value\", not \"{}\".",
                self.name,
                other.copied().unwrap_or_default()
            )),
        }
    }
}

fn eval_diagnostic(error: EvalError, span: &Span) -> Diagnostic {
    let diagnostic = Diagnostic::error(error.summary).with_span(span.clone());
    match error.detail {
        Some(detail) => diagnostic.with_detail(detail),
        None => diagnostic,
    }
}

fn unsupported_argument(name: &str, schema: &Schema) -> Diagnostic {
    let mut detail = format!("An argument named \"{name}\" is not expected here.");
    if schema.blocks.contains_key(name) {
        detail.push_str(&format!(
            " Did you mean to define a block of type \"{name}\"?"
        ));
    } else if let Some(suggestion) = did_you_mean(name, schema.attributes.keys()) {
        detail.push_str(&format!(" Did you mean \"{suggestion}\"?"));
    }
    Diagnostic::error("Unsupported argument").with_detail(detail)
}

fn unsupported_block(kind: &str, schema: &Schema) -> Diagnostic {
    let mut detail = format!("Blocks of type \"{kind}\" are not expected here.");
    if schema.attributes.contains_key(kind) {
        detail.push_str(&format!(
            " Did you mean to define argument \"{kind}\"? If so, use the equals sign to assign it a value."
        ));
    } else if let Some(suggestion) = did_you_mean(kind, schema.blocks.keys()) {
        detail.push_str(&format!(" Did you mean \"{suggestion}\"?"));
    }
    Diagnostic::error("Unsupported block type").with_detail(detail)
}

/// The closest of `candidates` to `given` when it is close enough to be a likely typo.
fn did_you_mean<'c>(given: &str, candidates: impl Iterator<Item = &'c String>) -> Option<&'c str> {
    candidates
        .map(|candidate| (strsim::levenshtein(given, candidate), candidate))
        .filter(|(distance, _)| *distance < 3)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.as_str())
}
