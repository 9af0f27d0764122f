//! The type Terraform gives an expression's result, for what `Value` cannot tell (a list or a
//! tuple, a map or an object): read from the expression's shape, the declared types of what it
//! refers to (answered by a [`TypeScope`]) and the functions it calls, then completed from the
//! value itself wherever only the value knows (`any`, for expressions, decoded JSON).

use hcl::expr::{
    BinaryOperator, FuncCall, Object, ObjectKey, Operation, Traversal, TraversalOperator,
    UnaryOperator,
};
use hcl::Expression;
use plinth_sdk::{type_of, unify, ObjectAttr, Type, Value};

/// Answers the declared types of references.
pub trait TypeScope {
    /// The type of the reference `root` followed by `operators`, and how many of the operators
    /// that type accounts for; None when only the value can tell.
    fn reference_type(&self, root: &str, operators: &[TraversalOperator]) -> Option<(Type, usize)>;
}

/// The type Terraform reports for `value`, the result of evaluating `expr`.
pub fn result_type(expr: &Expression, value: &Value, scope: &dyn TypeScope) -> Type {
    complete(&static_type(expr, scope), value)
}

/// The type of `expr` as far as it is known before evaluation: `Any` where only the value can
/// say.
pub fn static_type(expr: &Expression, scope: &dyn TypeScope) -> Type {
    match expr {
        Expression::Bool(_) => Type::Bool,
        Expression::Number(_) => Type::Number,
        Expression::String(_) => Type::String,
        Expression::Array(items) => {
            Type::Tuple(items.iter().map(|i| static_type(i, scope)).collect())
        }
        Expression::Object(entries) => object_type(entries, scope),
        Expression::Variable(variable) => scope
            .reference_type(variable.as_str(), &[])
            .map_or(Type::Any, |(ty, _)| ty),
        Expression::Traversal(traversal) => traversal_type(traversal, scope),
        Expression::FuncCall(call) => call_type(call, scope),
        Expression::Parenthesis(inner) => static_type(inner, scope),
        Expression::Conditional(c) => unify(&[
            static_type(&c.true_expr, scope),
            static_type(&c.false_expr, scope),
        ])
        .unwrap_or(Type::Any),
        Expression::Operation(operation) => match operation.as_ref() {
            Operation::Unary(op) if op.operator == UnaryOperator::Not => Type::Bool,
            Operation::Unary(_) => Type::Number,
            Operation::Binary(op) => match op.operator {
                BinaryOperator::Plus
                | BinaryOperator::Minus
                | BinaryOperator::Mul
                | BinaryOperator::Div
                | BinaryOperator::Mod => Type::Number,
                _ => Type::Bool,
            },
        },
        _ => Type::Any,
    }
}

/// Completes a static type from the value: `any` parts take the value's own type, element
/// types of collections of `any` unify their elements'; a value that does not have the
/// expected shape is typed by itself.
pub fn complete(ty: &Type, value: &Value) -> Type {
    let value = value.unmarked();
    match (ty, value) {
        (_, Value::Null | Value::Unknown) => plain(ty),
        (Type::Any, v) => type_of(v),
        (Type::Bool, Value::Bool(_))
        | (Type::Number, Value::Number(_))
        | (Type::String, Value::String(_)) => ty.clone(),
        (Type::Tuple(types), Value::List(items)) if types.len() == items.len() => Type::Tuple(
            types
                .iter()
                .zip(items)
                .map(|(t, v)| complete(t, v))
                .collect(),
        ),
        (Type::Object(attrs), Value::Map(map))
            if attrs.len() == map.len() && attrs.keys().all(|k| map.contains_key(k)) =>
        {
            Type::Object(
                attrs
                    .iter()
                    .map(|(name, attr)| (name.clone(), attribute(complete(&attr.ty, &map[name]))))
                    .collect(),
            )
        }
        (Type::List(t), Value::List(items)) => Type::list(elements(t, items.iter())),
        (Type::Set(t), Value::Set(items)) => Type::set(elements(t, items.iter())),
        (Type::Map(t), Value::Map(map)) => Type::map(elements(t, map.values())),
        _ => type_of(value),
    }
}

/// The element type of a collection of `t` holding `values`.
fn elements<'v>(t: &Type, values: impl Iterator<Item = &'v Value>) -> Type {
    let types: Vec<Type> = values.map(|v| complete(t, v)).collect();
    if types.is_empty() {
        return plain(t);
    }
    unify(&types).unwrap_or_else(|| plain(t))
}

/// The type of values of a type constraint: objects without optional attributes (conversion
/// fills them in).
fn plain(ty: &Type) -> Type {
    match ty {
        Type::List(t) => Type::list(plain(t)),
        Type::Set(t) => Type::set(plain(t)),
        Type::Map(t) => Type::map(plain(t)),
        Type::Tuple(ts) => Type::Tuple(ts.iter().map(plain).collect()),
        Type::Object(attrs) => Type::Object(
            attrs
                .iter()
                .map(|(name, attr)| (name.clone(), attribute(plain(&attr.ty))))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn attribute(ty: Type) -> ObjectAttr {
    ObjectAttr {
        ty,
        optional: false,
        default: None,
    }
}

fn object_type(entries: &Object<ObjectKey, Expression>, scope: &dyn TypeScope) -> Type {
    let mut attrs = std::collections::BTreeMap::new();
    for (key, value) in entries {
        let name = match key {
            ObjectKey::Identifier(ident) => ident.as_str().to_string(),
            ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
            ObjectKey::Expression(Expression::String(s)) => s.clone(),
            _ => return Type::Any,
        };
        attrs.insert(name, attribute(static_type(value, scope)));
    }
    Type::Object(attrs)
}

fn traversal_type(traversal: &Traversal, scope: &dyn TypeScope) -> Type {
    let operators = &traversal.operators;
    let (root, used) = match &traversal.expr {
        Expression::Variable(variable) => {
            match scope.reference_type(variable.as_str(), operators) {
                Some(found) => found,
                None => return Type::Any,
            }
        }
        other => (static_type(other, scope), 0),
    };
    descend(root, &operators[used.min(operators.len())..])
}

/// The type reached from `ty` through `operators`.
fn descend(ty: Type, operators: &[TraversalOperator]) -> Type {
    let Some((operator, rest)) = operators.split_first() else {
        return ty;
    };
    match operator {
        TraversalOperator::GetAttr(name) => descend(attr_of(&ty, name.as_str()), rest),
        TraversalOperator::Index(key) => descend(element_of(&ty, key), rest),
        TraversalOperator::LegacyIndex(position) => {
            descend(position_of(&ty, Some(*position)), rest)
        }
        TraversalOperator::AttrSplat | TraversalOperator::FullSplat => match ty {
            Type::List(t) | Type::Set(t) => Type::list(descend(*t, rest)),
            Type::Tuple(ts) => Type::Tuple(ts.into_iter().map(|t| descend(t, rest)).collect()),
            Type::Any => Type::Any,
            single => Type::Tuple(vec![descend(single, rest)]),
        },
    }
}

fn attr_of(ty: &Type, name: &str) -> Type {
    match ty {
        Type::Object(attrs) => attrs.get(name).map_or(Type::Any, |a| a.ty.clone()),
        Type::Map(t) => (**t).clone(),
        _ => Type::Any,
    }
}

fn element_of(ty: &Type, key: &Expression) -> Type {
    match (ty, key) {
        (Type::Tuple(_), Expression::Number(n)) => position_of(ty, n.as_u64()),
        (Type::Object(attrs), Expression::String(name)) => {
            attrs.get(name).map_or(Type::Any, |a| a.ty.clone())
        }
        _ => position_of(ty, None),
    }
}

/// The element type of a collection, or of a tuple at a known position.
fn position_of(ty: &Type, position: Option<u64>) -> Type {
    match ty {
        Type::List(t) | Type::Map(t) => (**t).clone(),
        Type::Tuple(ts) => position
            .and_then(|i| ts.get(usize::try_from(i).ok()?))
            .cloned()
            .unwrap_or(Type::Any),
        _ => Type::Any,
    }
}

/// The element type a collection of `ty` converts to (`tolist`, `toset`, `tomap`).
fn element_type(ty: &Type) -> Type {
    match ty {
        Type::List(t) | Type::Set(t) | Type::Map(t) => (**t).clone(),
        Type::Tuple(ts) => unify(ts).unwrap_or(Type::Any),
        Type::Object(attrs) => {
            let types: Vec<Type> = attrs.values().map(|a| a.ty.clone()).collect();
            unify(&types).unwrap_or(Type::Any)
        }
        _ => Type::Any,
    }
}

/// Functions whose result is always a string, a number or a bool.
const STRING_RESULTS: &[&str] = &[
    "abspath",
    "base64decode",
    "base64encode",
    "base64gzip",
    "base64sha256",
    "base64sha512",
    "basename",
    "bcrypt",
    "chomp",
    "cidrhost",
    "cidrnetmask",
    "cidrsubnet",
    "dirname",
    "file",
    "filebase64",
    "filebase64sha256",
    "filebase64sha512",
    "filemd5",
    "filesha1",
    "filesha256",
    "filesha512",
    "format",
    "formatdate",
    "indent",
    "join",
    "jsonencode",
    "lower",
    "md5",
    "pathexpand",
    "plantimestamp",
    "replace",
    "sha1",
    "sha256",
    "sha512",
    "strrev",
    "substr",
    "textdecodebase64",
    "textencodebase64",
    "timeadd",
    "timestamp",
    "title",
    "tostring",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "upper",
    "urlencode",
    "uuid",
    "uuidv5",
    "yamlencode",
];
const NUMBER_RESULTS: &[&str] = &[
    "abs", "ceil", "floor", "index", "length", "log", "max", "min", "parseint", "pow", "signum",
    "sum", "timecmp", "tonumber",
];
const BOOL_RESULTS: &[&str] = &[
    "alltrue",
    "anytrue",
    "can",
    "contains",
    "endswith",
    "fileexists",
    "issensitive",
    "startswith",
    "strcontains",
    "tobool",
];

fn call_type(call: &FuncCall, scope: &dyn TypeScope) -> Type {
    if crate::config::literals::exact_number(call).is_some() {
        return Type::Number;
    }
    let namespace: Vec<&str> = call.name.namespace.iter().map(|n| n.as_str()).collect();
    if call.expand_final || !(namespace.is_empty() || namespace == ["core"]) {
        return Type::Any;
    }
    let name = call.name.name.as_str();
    if STRING_RESULTS.contains(&name) {
        return Type::String;
    }
    if NUMBER_RESULTS.contains(&name) {
        return Type::Number;
    }
    if BOOL_RESULTS.contains(&name) {
        return Type::Bool;
    }
    let args: Vec<Type> = call.args.iter().map(|a| static_type(a, scope)).collect();
    let first = args.first().cloned().unwrap_or(Type::Any);
    let all_lists = !args.is_empty() && args.iter().all(|t| matches!(t, Type::List(_)));
    let all_maps = !args.is_empty() && args.iter().all(|t| matches!(t, Type::Map(_)));
    match name {
        "tolist" | "distinct" => Type::list(element_type(&first)),
        "toset" => Type::set(element_type(&first)),
        "tomap" => Type::map(element_type(&first)),
        "split" | "sort" | "compact" | "formatlist" | "cidrsubnets" => Type::list(Type::String),
        "range" => Type::list(Type::Number),
        "fileset" => Type::set(Type::String),
        "transpose" => Type::map(Type::list(Type::String)),
        "keys" => match &first {
            Type::Map(_) => Type::list(Type::String),
            Type::Object(attrs) => Type::Tuple(vec![Type::String; attrs.len()]),
            _ => Type::Any,
        },
        "values" => match &first {
            Type::Map(t) => Type::list((**t).clone()),
            Type::Object(attrs) => Type::Tuple(attrs.values().map(|a| a.ty.clone()).collect()),
            _ => Type::Any,
        },
        "reverse" => match first {
            Type::Tuple(mut ts) => {
                ts.reverse();
                Type::Tuple(ts)
            }
            list @ Type::List(_) => list,
            _ => Type::Any,
        },
        "slice" | "matchkeys" => match first {
            list @ Type::List(_) => list,
            _ => Type::Any,
        },
        "chunklist" => match first {
            list @ Type::List(_) => Type::list(list),
            _ => Type::Any,
        },
        "element" | "one" => match &first {
            Type::List(t) | Type::Set(t) => (**t).clone(),
            _ => Type::Any,
        },
        "concat" if all_lists => Type::list(
            unify(&args.iter().map(element_type).collect::<Vec<_>>()).unwrap_or(Type::Any),
        ),
        "merge" if all_maps => Type::map(
            unify(&args.iter().map(element_type).collect::<Vec<_>>()).unwrap_or(Type::Any),
        ),
        "lookup" => match &first {
            Type::Map(t) => {
                let mut candidates = vec![(**t).clone()];
                candidates.extend(args.get(2).cloned());
                unify(&candidates).unwrap_or(Type::Any)
            }
            _ => Type::Any,
        },
        "zipmap" => match args.get(1) {
            Some(Type::List(t)) => Type::map((**t).clone()),
            _ => Type::Any,
        },
        "coalesce" => unify(&args).unwrap_or(Type::Any),
        // `try` gives its first argument that succeeds: the first, unless the value says
        // otherwise (see `complete`).
        "try" | "sensitive" | "nonsensitive" => first,
        _ => Type::Any,
    }
}
