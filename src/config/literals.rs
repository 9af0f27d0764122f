//! Number literals the HCL parser cannot hold exactly.
//!
//! hcl-edit reads a number literal into an integer of at most 64 bits or a float64, keeping
//! the source text beside it. Terraform reads literals at 512 bits, so a literal with more
//! significant digits than a float64 keeps (a 60-digit integer) would lose digits. Before the
//! tree is converted for the evaluator, such a literal is replaced by the call
//! `plinth::number("<source text>")`, which the evaluator reads back exactly. Literals a float64
//! holds (almost all of them) are left as they are.

use hcl_edit::expr::{Expression, FuncArgs, FuncCall, FuncName};
use hcl_edit::visit_mut::{self, VisitMut};
use hcl_edit::Ident;
use plinth_sdk::Number;

/// The namespace of the marker call.
const NAMESPACE: &str = "plinth";
/// The name of the marker call.
const NAME: &str = "number";

/// Replaces every number literal in `expr` that hcl-edit could not hold exactly.
pub fn keep_exact_numbers(expr: &mut Expression) {
    ExactNumbers.visit_expr_mut(expr);
}

/// Replaces every inexact number literal in a whole body.
pub fn keep_exact_numbers_in_body(body: &mut hcl_edit::structure::Body) {
    ExactNumbers.visit_body_mut(body);
}

/// The exact number of a marker call left by [`keep_exact_numbers`]; None for any other call.
pub fn exact_number(call: &hcl::expr::FuncCall) -> Option<Number> {
    let namespace = &call.name.namespace;
    if namespace.len() != 1 || namespace[0].as_str() != NAMESPACE || call.name.name.as_str() != NAME
    {
        return None;
    }
    match call.args.as_slice() {
        [hcl::Expression::String(text)] => Number::parse(text),
        _ => None,
    }
}

struct ExactNumbers;

impl VisitMut for ExactNumbers {
    fn visit_expr_mut(&mut self, node: &mut Expression) {
        if let Expression::Number(number) = node {
            let Some(text) = number.as_repr().map(|repr| repr.to_string()) else {
                return;
            };
            let parsed = crate::eval::number_literal(number.value());
            if Number::parse(&text).is_some_and(|exact| exact.to_string() != parsed.to_string()) {
                let mut name = FuncName::new(Ident::new(NAME));
                name.set_namespace([Ident::new(NAMESPACE)]);
                let mut args = FuncArgs::new();
                args.push(Expression::from(text));
                *node = Expression::FuncCall(Box::new(FuncCall::new(name, args)));
            }
            return;
        }
        visit_mut::visit_expr_mut(self, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 60-digit integer literal was read as the nearest float64.
    #[test]
    fn long_literals_become_exact_marker_calls() {
        let mut expr = hcl_edit::parser::parse_expr(
            "[1, 0.5, 123456789012345678901234567890123456789012345678901234567890]",
        )
        .unwrap();
        keep_exact_numbers(&mut expr);
        let converted = hcl::Expression::from(expr);
        let hcl::Expression::Array(items) = converted else {
            panic!("not an array: {converted:?}");
        };
        assert!(matches!(items[0], hcl::Expression::Number(_)));
        assert!(matches!(items[1], hcl::Expression::Number(_)));
        let hcl::Expression::FuncCall(call) = &items[2] else {
            panic!("not a marker call: {:?}", items[2]);
        };
        assert_eq!(
            exact_number(call).map(|n| n.to_string()).as_deref(),
            Some("123456789012345678901234567890123456789012345678901234567890")
        );
    }
}
