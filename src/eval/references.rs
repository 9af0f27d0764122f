//! Finding every reference in an expression (as its leading attribute names), for building the
//! dependency graph: inside templates, function arguments, `for` expressions (minus their own
//! iterator names), splats and conditionals.

use hcl::expr::{ObjectKey, Operation, TemplateExpr, TraversalOperator};
use hcl::template::{Directive, Element, Template};
use hcl::Expression;

use super::template::parse_template_text;

/// Every reference in `expr` as its leading attribute names, in order of appearance and
/// without duplicates: `aws_subnet.public[0].id` → `["aws_subnet", "public", "id"]`,
/// `var.x` → `["var", "x"]`, `each.value.name` → `["each", "value", "name"]`. A template that
/// cannot be parsed contributes nothing (evaluating it reports the error).
pub fn references(expr: &hcl::Expression) -> Vec<Vec<String>> {
    let mut finder = Finder::default();
    finder.expr(expr);
    finder.found
}

/// The names of the built-in functions `expr` calls that do not exist (namespaced calls such as
/// `provider::x::f` are left to evaluation), in order of appearance and without duplicates.
pub fn unknown_functions(expr: &hcl::Expression) -> Vec<String> {
    let mut finder = Finder::default();
    finder.expr(expr);
    finder.unknown_functions
}

#[derive(Default)]
struct Finder {
    found: Vec<Vec<String>>,
    /// Called functions that do not exist.
    unknown_functions: Vec<String>,
    /// Names bound by the enclosing `for` expressions and directives.
    bound: Vec<String>,
}

impl Finder {
    fn expr(&mut self, expr: &Expression) {
        match expr {
            Expression::Array(items) => items.iter().for_each(|item| self.expr(item)),
            Expression::Object(entries) => {
                for (key, value) in entries {
                    if let ObjectKey::Expression(key) = key {
                        if !matches!(key, Expression::Variable(_)) {
                            self.expr(key);
                        }
                    }
                    self.expr(value);
                }
            }
            Expression::TemplateExpr(template) => {
                let text = match template.as_ref() {
                    TemplateExpr::QuotedString(text) => text,
                    TemplateExpr::Heredoc(heredoc) => &heredoc.template,
                };
                if let Ok(parsed) = parse_template_text(text) {
                    self.template(&parsed);
                }
            }
            Expression::Variable(variable) => self.reference(variable.as_str(), &[]),
            Expression::Traversal(traversal) => {
                for operator in &traversal.operators {
                    if let TraversalOperator::Index(index) = operator {
                        self.expr(index);
                    }
                }
                match &traversal.expr {
                    Expression::Variable(variable) => {
                        self.reference(variable.as_str(), &traversal.operators)
                    }
                    root => self.expr(root),
                }
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                if !call.name.is_namespaced()
                    && !super::calls::is_function(name)
                    && !self.unknown_functions.iter().any(|n| n == name)
                {
                    self.unknown_functions.push(name.to_string());
                }
                call.args.iter().for_each(|arg| self.expr(arg));
            }
            Expression::Parenthesis(inner) => self.expr(inner),
            Expression::Conditional(conditional) => {
                self.expr(&conditional.cond_expr);
                self.expr(&conditional.true_expr);
                self.expr(&conditional.false_expr);
            }
            Expression::Operation(operation) => match operation.as_ref() {
                Operation::Unary(op) => self.expr(&op.expr),
                Operation::Binary(op) => {
                    self.expr(&op.lhs_expr);
                    self.expr(&op.rhs_expr);
                }
            },
            Expression::ForExpr(for_expr) => {
                self.expr(&for_expr.collection_expr);
                let depth = self.bound.len();
                self.bound
                    .extend(for_expr.key_var.iter().map(|k| k.as_str().to_string()));
                self.bound.push(for_expr.value_var.as_str().to_string());
                if let Some(key_expr) = &for_expr.key_expr {
                    self.expr(key_expr);
                }
                self.expr(&for_expr.value_expr);
                if let Some(cond_expr) = &for_expr.cond_expr {
                    self.expr(cond_expr);
                }
                self.bound.truncate(depth);
            }
            _ => {}
        }
    }

    fn template(&mut self, template: &Template) {
        for element in template.elements() {
            match element {
                Element::Literal(_) => {}
                Element::Interpolation(interpolation) => self.expr(&interpolation.expr),
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(if_directive) => {
                        self.expr(&if_directive.cond_expr);
                        self.template(&if_directive.true_template);
                        if let Some(false_template) = &if_directive.false_template {
                            self.template(false_template);
                        }
                    }
                    Directive::For(for_directive) => {
                        self.expr(&for_directive.collection_expr);
                        let depth = self.bound.len();
                        self.bound
                            .extend(for_directive.key_var.iter().map(|k| k.as_str().to_string()));
                        self.bound
                            .push(for_directive.value_var.as_str().to_string());
                        self.template(&for_directive.template);
                        self.bound.truncate(depth);
                    }
                },
            }
        }
    }

    fn reference(&mut self, root: &str, operators: &[TraversalOperator]) {
        if self.bound.iter().any(|name| name == root) {
            return;
        }
        let mut names = Vec::with_capacity(operators.len() + 1);
        names.push(root.to_string());
        names.extend(operators.iter().map_while(|operator| match operator {
            TraversalOperator::GetAttr(name) => Some(name.as_str().to_string()),
            _ => None,
        }));
        if !self.found.contains(&names) {
            self.found.push(names);
        }
    }
}
