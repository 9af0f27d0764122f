//! The functions that read configuration syntax, not just values: `templatefile` and
//! `templatestring` (a template rendered with only the given variables in scope, a missing one
//! located in the template as Terraform locates it) and `convert` (a type expression argument).

use std::collections::BTreeMap;

use hcl::Expression;
use plinth_sdk::Value;

use super::expr::Evaluator;
use super::redact::{redact, sensitive_texts};
use super::traversal::mark;
use super::{evaluate_template_str, functions, EvalError};

impl Evaluator<'_> {
    /// `templatestring(template, vars)`: the template must be a direct reference to a string
    /// (a literal would already have been rendered as a template of its own).
    pub(super) fn eval_templatestring(&mut self, args: &[Expression]) -> Result<Value, EvalError> {
        check_two_arguments("templatestring", ["template", "vars"], args.len())?;
        let template = self.eval(&args[0])?;
        let vars = self.eval(&args[1])?;
        if !matches!(args[0], Expression::Variable(_) | Expression::Traversal(_)) {
            return Err(EvalError::new(
                "Invalid function argument",
                "Invalid value for \"template\" parameter: invalid template expression: must be a direct reference to a single string from elsewhere, containing valid Terraform template syntax.",
            ));
        }
        if template.contains_unknown() || vars.contains_unknown() {
            return Ok(Value::Unknown);
        }
        let secrets: Vec<String> = [&template, &vars]
            .into_iter()
            .flat_map(sensitive_texts)
            .collect();
        let (template, template_marked) = template.unmark_deep();
        let (vars, vars_marked) = vars.unmark_deep();
        let Value::String(text) = template else {
            return Err(invalid_argument(
                "Invalid value for \"template\" parameter: string required.".to_string(),
            ));
        };
        let rendered = render(&text, vars, None)
            .map_err(|message| invalid_argument(redact(message, &secrets)))?;
        Ok(mark(rendered, template_marked || vars_marked))
    }

    /// `convert(value, type)`: the value converted to a type constraint written as a variable's
    /// `type` is (optional object attributes get their defaults).
    pub(super) fn eval_convert(&mut self, args: &[Expression]) -> Result<Value, EvalError> {
        check_two_arguments("convert", ["value", "type"], args.len())?;
        let value = self.eval(&args[0])?;
        let ty = crate::config::parse_type(&args[1])
            .map_err(|detail| EvalError::new("Invalid type specification", detail))?;
        let secrets = sensitive_texts(&value);
        plinth_sdk::convert(value, &ty).map_err(|message| {
            invalid_argument(redact(
                format!("Invalid value for \"value\" parameter: {message}."),
                &secrets,
            ))
        })
    }
}

fn invalid_argument(detail: String) -> EvalError {
    EvalError::new("Invalid function argument", detail)
}

/// Terraform's errors for a call of a two-parameter function with another number of arguments.
fn check_two_arguments(name: &str, params: [&str; 2], given: usize) -> Result<(), EvalError> {
    match given {
        0 | 1 => Err(EvalError::new(
            "Not enough function arguments",
            format!(
                "Function \"{name}\" expects 2 argument(s). Missing value for \"{}\".",
                params[given]
            ),
        )),
        2 => Ok(()),
        _ => Err(EvalError::new(
            "Too many function arguments",
            format!("Function \"{name}\" expects only 2 argument(s)."),
        )),
    }
}

/// Renders template `text` with `vars` (a map or object); `file` names the template file in the
/// message about a missing variable.
fn render(text: &str, vars: Value, file: Option<&str>) -> Result<Value, String> {
    let vars: BTreeMap<String, Value> = match vars {
        Value::Map(map) => map,
        Value::Null => BTreeMap::new(),
        _ => {
            return Err(
                "Invalid value for \"vars\" parameter: invalid vars value: must be a map."
                    .to_string(),
            )
        }
    };
    evaluate_template_str(text, &vars).map_err(|e| {
        let detail = e.detail.unwrap_or(e.summary);
        match detail.strip_prefix("The vars map does not contain key ") {
            Some(key) => {
                let key = key.trim_end_matches('.');
                let name = key.trim_matches('"');
                let at = match (file, reference_position(text, name)) {
                    (Some(file), Some(position)) => format!(", referenced at {file}:{position}"),
                    (Some(file), None) => format!(", referenced at {file}"),
                    (None, _) => String::new(),
                };
                format!("Invalid value for \"vars\" parameter: vars map does not contain key {key}{at}.")
            }
            None => match file {
                Some(file) => format!("Invalid value for \"path\" parameter: {file}: {detail}"),
                None => format!("Invalid value for \"template\" parameter: {detail}"),
            },
        }
    })
}

/// Where the first reference to `name` inside a template's `${...}` or `%{...}` is, as HCL
/// prints a range on one line: `line,start-end` (1-based columns, the end exclusive).
fn reference_position(text: &str, name: &str) -> Option<String> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    for (line_index, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut depth = 0usize;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if depth == 0 {
                if (c == '$' || c == '%') && chars.get(i + 1) == Some(&'{') {
                    depth = 1;
                    i += 2;
                    continue;
                }
                i += 1;
                continue;
            }
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            let starts_word = !i
                .checked_sub(1)
                .is_some_and(|p| is_word(chars[p]) || chars[p] == '.');
            let end = i + name.chars().count();
            if starts_word
                && chars
                    .get(i..end)
                    .is_some_and(|s| s.iter().copied().eq(name.chars()))
                && !chars.get(end).copied().is_some_and(is_word)
            {
                return Some(format!("{},{}-{}", line_index + 1, i + 1, end + 1));
            }
            i += 1;
        }
    }
    None
}

/// `templatefile(path, vars)`: renders the template file at `path` with only `vars` in scope.
pub(super) fn templatefile(args: Vec<Value>) -> Result<Value, String> {
    let [path, vars] = <[Value; 2]>::try_from(args).map_err(|args| {
        format!(
            "function \"templatefile\" takes 2 arguments, but {} were given",
            args.len()
        )
    })?;
    let Value::String(path) = path else {
        return Err("Invalid value for \"path\" parameter: string required.".to_string());
    };
    let bytes = functions::read_regular_file(std::path::Path::new(&path), &path).map_err(|e| match e {
        functions::ReadError::NotFound => format!(
            "Invalid value for \"path\" parameter: no file exists at {path:?}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource."
        ),
        functions::ReadError::Other(detail) => format!("Invalid value for \"path\" parameter: {detail}."),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        format!("Invalid value for \"path\" parameter: contents of {path:?} are not valid UTF-8.")
    })?;
    render(&text, vars, Some(&path))
}

#[cfg(test)]
mod tests {
    use plinth_sdk::Value;

    use super::super::test_scope::TestScope;
    use super::reference_position;

    fn scope() -> TestScope {
        TestScope::with([
            ("local.greeting", Value::from("Hello, ${name}!")),
            ("local.secret", Value::from("${name}").mark_sensitive()),
        ])
    }

    #[test]
    fn templatestring_renders_a_referenced_template_with_only_its_vars() {
        let scope = scope();
        assert_eq!(
            scope.ok("templatestring(local.greeting, { name = \"Ander\" })"),
            Value::from("Hello, Ander!")
        );
        assert!(scope
            .ok("templatestring(local.secret, { name = \"x\" })")
            .is_sensitive());
        let missing = scope.err("templatestring(local.greeting, {})");
        assert_eq!(
            missing.detail.as_deref(),
            Some("Invalid value for \"vars\" parameter: vars map does not contain key \"name\".")
        );
        let literal = scope.err("templatestring(\"x\", {})");
        assert!(literal
            .detail
            .is_some_and(|d| d.contains("must be a direct reference")));
        assert_eq!(
            scope.err("templatestring(local.greeting)").summary,
            "Not enough function arguments"
        );
    }

    #[test]
    fn convert_takes_a_type_constraint_with_optional_attributes() {
        let scope = scope();
        assert_eq!(
            scope.ok("convert({a = 1}, object({a = string, b = optional(number, 7)}))"),
            scope.ok("{a = \"1\", b = 7}")
        );
        assert_eq!(scope.ok("convert(\"5\", number)"), Value::from(5i64));
        let wrong = scope.err("convert(\"x\", number)");
        assert_eq!(wrong.summary, "Invalid function argument");
        assert_eq!(
            scope.err("convert(1, nonsense)").summary,
            "Invalid type specification"
        );
    }

    #[test]
    fn missing_template_variables_are_located_inside_interpolations() {
        let text = "Hello, ${name}!\n%{ for x in items ~}\n- ${x}\n%{ endfor ~}\n";
        assert_eq!(reference_position(text, "name").as_deref(), Some("1,10-14"));
        assert_eq!(
            reference_position(text, "items").as_deref(),
            Some("2,13-18")
        );
        assert_eq!(
            reference_position("name ${a.name} ${name}", "name").as_deref(),
            Some("1,18-22")
        );
        assert_eq!(reference_position("no interpolation", "no"), None);
    }
}
