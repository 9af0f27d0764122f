//! String templates: quoted strings with interpolations, heredocs and template files, with
//! `%{ if }` / `%{ for }` directives and `~` strip markers. Parsed templates are cached per
//! thread by their text (`config::templates`), so a template written once in a module is parsed
//! once per run.

use std::rc::Rc;
use std::str::FromStr;

use hcl::expr::TemplateExpr;
use hcl::template::{Directive, Element, ForDirective, IfDirective, Strip, Template};
use plinth_sdk::Value;

use super::expr::{to_bool, Evaluator};
use super::for_expr::collection_pairs;
use super::traversal::mark;
use super::EvalError;
use crate::config::templates;

/// Parses (or fetches from the cache) a template's text. The text of a quoted string arrives
/// with its backslash escapes already decoded by the parser; in heredocs and template files
/// backslashes are literal. `$${` and `%%{` escape in all of them.
pub(super) fn parse_template_text(text: &str) -> Result<Rc<Template>, EvalError> {
    if let Some(template) = templates::lookup(text) {
        return Ok(template);
    }
    let template = Template::from_str(text).map_err(|e| {
        EvalError::new(
            "Invalid template",
            format!("The template could not be parsed: {e}"),
        )
    })?;
    Ok(templates::remember(text, template))
}

/// The text a template is building and whether any part of it was sensitive.
#[derive(Default)]
struct Output {
    text: String,
    marked: bool,
}

/// Whether a part of a template was fully built, or turned out unknown (which makes the whole
/// template unknown, so building stops).
#[derive(PartialEq)]
enum Built {
    Known,
    Unknown,
}

impl Evaluator<'_> {
    /// Evaluates a quoted string or heredoc with interpolations.
    pub(super) fn eval_template_expr(&mut self, expr: &TemplateExpr) -> Result<Value, EvalError> {
        let text = match expr {
            TemplateExpr::QuotedString(text) => text,
            TemplateExpr::Heredoc(heredoc) => &heredoc.template,
        };
        let template = parse_template_text(text)?;
        self.eval_template(&template)
    }

    /// Evaluates a parsed template. A template that is one interpolation and nothing else gives
    /// the interpolated value unchanged (`"${var.list}"` is the list).
    pub(super) fn eval_template(&mut self, template: &Template) -> Result<Value, EvalError> {
        if let [Element::Interpolation(interpolation)] = template.elements() {
            return self.eval(&interpolation.expr);
        }
        let mut output = Output::default();
        let built = self.build(template, Strip::None, Strip::None, &mut output)?;
        let value = match built {
            Built::Known => Value::String(output.text),
            Built::Unknown => Value::Unknown,
        };
        Ok(mark(value, output.marked))
    }

    /// Appends a template's elements; `before`/`after` are the strip markers of the tags that
    /// enclose it (which may strip the whitespace at its edges).
    fn build(
        &mut self,
        template: &Template,
        before: Strip,
        after: Strip,
        output: &mut Output,
    ) -> Result<Built, EvalError> {
        let elements = template.elements();
        for (index, element) in elements.iter().enumerate() {
            let built = match element {
                Element::Literal(literal) => {
                    let previous = if index == 0 {
                        before
                    } else {
                        element_strip(&elements[index - 1])
                    };
                    let next = elements.get(index + 1).map_or(after, element_strip);
                    let text = strip_literal(literal, previous, next);
                    output.text.push_str(&super::literal_text(text));
                    Built::Known
                }
                Element::Interpolation(interpolation) => {
                    let (value, marked) = self.eval(&interpolation.expr)?.unmark_deep();
                    output.marked |= marked;
                    append_interpolated(value, &mut output.text)?
                }
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(if_directive) => self.build_if(if_directive, output)?,
                    Directive::For(for_directive) => self.build_for(for_directive, output)?,
                },
            };
            if built == Built::Unknown {
                return Ok(Built::Unknown);
            }
        }
        Ok(Built::Known)
    }

    fn build_if(
        &mut self,
        directive: &IfDirective,
        output: &mut Output,
    ) -> Result<Built, EvalError> {
        let (condition, marked) = self.eval(&directive.cond_expr)?.unmark_deep();
        output.marked |= marked;
        if matches!(condition, Value::Unknown) {
            return Ok(Built::Unknown);
        }
        let Some(condition) = to_bool(&condition) else {
            return Err(EvalError::new(
                "Invalid template directive",
                format!(
                    "The 'if' condition must be a bool, but got {}.",
                    condition.type_name()
                ),
            ));
        };
        match (&directive.false_template, condition) {
            (Some(_), true) => self.build(
                &directive.true_template,
                directive.if_strip,
                directive.else_strip,
                output,
            ),
            (None, true) => self.build(
                &directive.true_template,
                directive.if_strip,
                directive.endif_strip,
                output,
            ),
            (Some(false_template), false) => self.build(
                false_template,
                directive.else_strip,
                directive.endif_strip,
                output,
            ),
            (None, false) => Ok(Built::Known),
        }
    }

    fn build_for(
        &mut self,
        directive: &ForDirective,
        output: &mut Output,
    ) -> Result<Built, EvalError> {
        let (collection, marked) = match self.eval(&directive.collection_expr)? {
            Value::Sensitive(inner) => (*inner, true),
            other => (other, false),
        };
        output.marked |= marked;
        if matches!(collection, Value::Unknown) {
            return Ok(Built::Unknown);
        }
        let type_name = collection.type_name();
        let Some(pairs) = collection_pairs(collection) else {
            return Err(EvalError::new(
                "Invalid template directive",
                format!("A value of type {type_name} cannot be used as the collection in a 'for' directive."),
            ));
        };
        let mut names = Vec::with_capacity(2);
        if let Some(key_var) = &directive.key_var {
            names.push(key_var.as_str());
        }
        names.push(directive.value_var.as_str());
        let depth = self.bind(&names);
        let result = self.build_for_items(directive, pairs, depth, output);
        self.unbind(depth);
        result
    }

    fn build_for_items(
        &mut self,
        directive: &ForDirective,
        pairs: Vec<(Value, Value)>,
        depth: usize,
        output: &mut Output,
    ) -> Result<Built, EvalError> {
        for (key, value) in pairs {
            if directive.key_var.is_some() {
                self.set_local(depth, key);
                self.set_local(depth + 1, value);
            } else {
                self.set_local(depth, value);
            }
            if self.build(
                &directive.template,
                directive.for_strip,
                directive.endfor_strip,
                output,
            )? == Built::Unknown
            {
                return Ok(Built::Unknown);
            }
        }
        Ok(Built::Known)
    }
}

/// The strip markers an element shows to its neighbours: the start marker of its opening tag and
/// the end marker of its closing tag.
fn element_strip(element: &Element) -> Strip {
    match element {
        Element::Literal(_) => Strip::None,
        Element::Interpolation(interpolation) => interpolation.strip,
        Element::Directive(directive) => {
            let (open, close) = match directive.as_ref() {
                Directive::If(d) => (d.if_strip, d.endif_strip),
                Directive::For(d) => (d.for_strip, d.endfor_strip),
            };
            Strip::from((open.strip_start(), close.strip_end()))
        }
    }
}

/// Strips a literal's leading whitespace (newlines included) when the tag before it ends with
/// `~`, and its trailing whitespace when the tag after it starts with `~`.
fn strip_literal(mut literal: &str, previous: Strip, next: Strip) -> &str {
    if previous.strip_end() {
        literal = literal.trim_start();
    }
    if next.strip_start() {
        literal = literal.trim_end();
    }
    literal
}

/// Appends an interpolated (unmarked) value: strings as they are, numbers and bools as text.
fn append_interpolated(value: Value, text: &mut String) -> Result<Built, EvalError> {
    match value {
        Value::String(s) => text.push_str(&s),
        Value::Number(n) => text.push_str(&n.to_string()),
        Value::Bool(b) => text.push_str(if b { "true" } else { "false" }),
        Value::Unknown => return Ok(Built::Unknown),
        Value::Null => {
            return Err(EvalError::new(
                "Invalid template interpolation value",
                "The expression result is null. Cannot include a null value in a string template.",
            ))
        }
        other => {
            return Err(EvalError::new(
                "Invalid template interpolation value",
                format!(
                "Cannot include the given value in a string template: string required, but got {}.",
                other.type_name()
            ),
            ))
        }
    }
    Ok(Built::Known)
}
