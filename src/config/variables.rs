//! Root module variable values, with Terraform's precedence: default < `TF_VAR_name` <
//! `terraform.tfvars` < `terraform.tfvars.json` < `*.auto.tfvars(.json)` (lexical order) <
//! `-var-file` and `-var` (in command-line order, the later winning). Values are
//! converted to the declared type, checked for null and marked sensitive; their `validation`
//! rules are expressions, evaluated by `engine::variables`.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use plinth_sdk::{Diagnostic, Diagnostics, Span, Type, Value};

use super::constant::constant_value;
use super::model::{Module, Variable};
use super::parse::syntax_error;
use super::spans::{display_name, SourceFile};

/// One `-var` or `-var-file` option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CliVariable {
    /// `-var 'name=value'`.
    Var(String),
    /// `-var-file=path`.
    File(PathBuf),
}

/// Where variable values come from besides the configuration.
#[derive(Clone, Debug, Default)]
pub struct VarOptions {
    /// `-var` and `-var-file` options in command-line order.
    pub cli: Vec<CliVariable>,
    /// Ask on the terminal for variables that have no value.
    pub interactive: bool,
}

/// The value of every root variable, by name, with warnings (values for undeclared variables in
/// tfvars files).
pub fn root_variables(
    root: &Module,
    dir: &Path,
    opts: &VarOptions,
) -> Result<(BTreeMap<String, Value>, Diagnostics), Diagnostics> {
    let env = |name: &str| std::env::var(name).ok();
    if opts.interactive {
        resolve(root, dir, opts, &env, &mut prompt_on_terminal)
    } else {
        resolve(root, dir, opts, &env, &mut |_| None)
    }
}

/// One value given for a variable, and where it came from.
struct Assigned {
    value: Value,
    /// `terraform.tfvars:3`, `-var`, `environment variable TF_VAR_x`.
    source: String,
    span: Option<Span>,
}

type Prompt<'a> = dyn FnMut(&Variable) -> Option<String> + 'a;

fn resolve(
    root: &Module,
    dir: &Path,
    opts: &VarOptions,
    env: &dyn Fn(&str) -> Option<String>,
    prompt: &mut Prompt<'_>,
) -> Result<(BTreeMap<String, Value>, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut assigned: BTreeMap<String, Assigned> = BTreeMap::new();
    let declared = |name: &str| root.variables.iter().find(|v| v.name == name);

    for variable in &root.variables {
        let name = format!("TF_VAR_{}", variable.name);
        if let Some(text) = env(&name) {
            match from_text(&text, variable.ty.as_ref()) {
                Ok(value) => {
                    let source = format!("environment variable {name}");
                    assigned.insert(variable.name.clone(), Assigned { value, source, span: None });
                }
                Err(e) => diags.push(Diagnostic::error("Invalid value for input variable").with_detail(format!(
                    "The environment variable {name} does not contain a valid value for var.{}: {e}",
                    variable.name
                ))),
            }
        }
    }

    let mut files = vec![
        dir.join("terraform.tfvars"),
        dir.join("terraform.tfvars.json"),
    ];
    files.retain(|f| f.is_file());
    files.extend(auto_tfvars(dir));
    let sources = files
        .into_iter()
        .map(CliVariable::File)
        .map(|f| (f, false))
        .chain(opts.cli.iter().map(|c| (c.clone(), true)));
    let mut invalid = Vec::new();
    for (source, from_command_line) in sources {
        match source {
            CliVariable::File(path) => {
                for (name, entry) in read_tfvars(&path, from_command_line, &mut diags) {
                    if declared(&name).is_none() {
                        let mut warning = Diagnostic::warning("Value for undeclared variable").with_detail(format!(
                            "The root module does not declare a variable named \"{name}\" but a value was found in {}. \
                             To use this value, add a \"variable\" block to the configuration.",
                            entry.source
                        ));
                        warning.span = entry.span.clone();
                        diags.push(warning);
                        continue;
                    }
                    assigned.insert(name, entry);
                }
            }
            CliVariable::Var(option) => {
                let Some((name, text)) = option.split_once('=') else {
                    diags.push(Diagnostic::error("Invalid -var option").with_detail(format!(
                        "The given -var option {option:?} is not correctly specified. It must be a variable name and \
                         value separated by an equals sign, like -var=\"key=value\"."
                    )));
                    continue;
                };
                let name = name.trim();
                let Some(variable) = declared(name) else {
                    diags.push(Diagnostic::error("Value for undeclared variable").with_detail(format!(
                        "A variable named \"{name}\" was assigned on the command line, but the root module does not \
                         declare a variable of that name. To use this value, add a \"variable\" block to the configuration."
                    )));
                    continue;
                };
                match from_text(text, variable.ty.as_ref()) {
                    Ok(value) => {
                        assigned.insert(
                            name.to_string(),
                            Assigned {
                                value,
                                source: "-var".to_string(),
                                span: None,
                            },
                        );
                    }
                    Err(e) => {
                        invalid.push(name.to_string());
                        diags.push(
                            Diagnostic::error("Invalid value for input variable").with_detail(
                                format!(
                                    "The -var value for var.{name} is not a valid expression: {e}"
                                ),
                            ),
                        )
                    }
                }
            }
        }
    }

    let mut values = BTreeMap::new();
    for variable in &root.variables {
        if invalid.contains(&variable.name) {
            continue;
        }
        if let Some(value) = final_value(
            variable,
            assigned.remove(&variable.name),
            prompt,
            &mut diags,
        ) {
            values.insert(variable.name.clone(), value);
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok((values, diags))
    }
}

/// Applies the default, the prompt, the type conversion, the null check and the sensitive mark.
fn final_value(
    variable: &Variable,
    assigned: Option<Assigned>,
    prompt: &mut Prompt<'_>,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let default = variable
        .default
        .as_ref()
        .and_then(|d| constant_value(&d.expr).ok());
    let given = match assigned {
        Some(given) => given,
        None => match (&default, &variable.default) {
            (Some(default), _) => Assigned {
                value: default.clone(),
                source: "its default".into(),
                span: None,
            },
            // A default that is not a literal was reported by the loader already.
            (None, Some(_)) => return None,
            (None, None) => match prompt(variable) {
                Some(text) => match from_text(&text, variable.ty.as_ref()) {
                    Ok(value) => Assigned {
                        value,
                        source: "the prompt".into(),
                        span: None,
                    },
                    Err(e) => {
                        diags.push(invalid_value(variable, "the prompt", None, &e));
                        return None;
                    }
                },
                None => {
                    diags.push(
                        Diagnostic::error("No value for required variable")
                            .with_detail(format!(
                                "The root module input variable \"{}\" is not set, and has no default value. \
                                 Use a -var or -var-file command line argument to provide a value for this \
                                 variable.",
                                variable.name
                            ))
                            .with_span(variable.span.clone()),
                    );
                    return None;
                }
            },
        },
    };
    let mut value = given.value;
    if value.is_null() && !variable.nullable {
        match default.filter(|d| !d.is_null()) {
            Some(default) => value = default,
            None => {
                diags.push(invalid_value(
                    variable,
                    &given.source,
                    given.span,
                    "the value must not be null",
                ));
                return None;
            }
        }
    }
    let ty = variable.ty.clone().unwrap_or(Type::Any);
    match plinth_sdk::convert(value, &ty) {
        Ok(value) if variable.sensitive => Some(value.mark_sensitive()),
        Ok(value) => Some(value),
        Err(e) => {
            diags.push(invalid_value(variable, &given.source, given.span, &e));
            None
        }
    }
}

fn invalid_value(variable: &Variable, source: &str, span: Option<Span>, why: &str) -> Diagnostic {
    Diagnostic::error("Invalid value for input variable")
        .with_detail(format!(
            "The value for var.{} from {source} is not suitable for the variable declared at {}: {why}.",
            variable.name, variable.span
        ))
        .with_span(span.unwrap_or_else(|| variable.span.clone()))
}

/// A value typed on the command line, in the environment or at the prompt: a raw string for
/// string variables (and for untyped ones when it is not a literal), otherwise an expression.
fn from_text(text: &str, ty: Option<&Type>) -> Result<Value, String> {
    let literal = || {
        let mut expr =
            hcl_edit::parser::parse_expr(text.trim()).map_err(|e| e.message().to_string())?;
        super::literals::keep_exact_numbers(&mut expr);
        constant_value(&hcl::Expression::from(expr))
    };
    match ty {
        Some(Type::String) => Ok(Value::String(text.to_string())),
        None | Some(Type::Any) => Ok(literal().unwrap_or_else(|_| Value::String(text.to_string()))),
        Some(_) => literal().or_else(|e| {
            // A bare word (`-var replicas=many`) is taken as a string, so the type conversion
            // explains what was expected.
            let bare = !text.trim().is_empty()
                && text
                    .trim()
                    .chars()
                    .all(|c| c.is_alphanumeric() || "_-.".contains(c));
            if bare {
                Ok(Value::String(text.to_string()))
            } else {
                Err(e)
            }
        }),
    }
}

/// `*.auto.tfvars` and `*.auto.tfvars.json` files of `dir`, in lexical order.
fn auto_tfvars(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    (name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json"))
                        && p.is_file()
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The assignments of one tfvars file (HCL or JSON), in file order.
fn read_tfvars(path: &Path, required: bool, diags: &mut Diagnostics) -> Vec<(String, Assigned)> {
    let name = display_name(path);
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            if required || path.exists() {
                diags.push(
                    Diagnostic::error("Failed to read variables file")
                        .with_detail(format!("{name}: {e}")),
                );
            }
            return Vec::new();
        }
    };
    if name.ends_with(".json") {
        return match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(object)) => object
                .iter()
                .map(|(key, json)| {
                    let entry = Assigned {
                        value: Value::from_json(json),
                        source: name.clone(),
                        span: None,
                    };
                    (key.clone(), entry)
                })
                .collect(),
            Ok(_) => {
                diags.push(
                    Diagnostic::error("Invalid variables file")
                        .with_detail(format!("{name}: the root must be an object")),
                );
                Vec::new()
            }
            Err(e) => {
                diags.push(
                    Diagnostic::error("Invalid variables file").with_detail(format!("{name}: {e}")),
                );
                Vec::new()
            }
        };
    }
    let file = SourceFile::new(name, text);
    let body = match hcl_edit::parser::parse_body(&file.text) {
        Ok(mut body) => {
            super::literals::keep_exact_numbers_in_body(&mut body);
            body
        }
        Err(e) => {
            diags.extend(syntax_error(&file, &e));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for item in body.iter() {
        use hcl_edit::Span as _;
        let span = file.span_or_start(item.span());
        let Some(attr) = item.as_attribute() else {
            diags.push(
                Diagnostic::error("Unexpected block in variables file")
                    .with_detail("A variables file may contain only assignments such as region = \"eu-west-1\".")
                    .with_span(span),
            );
            continue;
        };
        let value_span = file.span_or_start(attr.value.span());
        match super::constant::constant_value_of_parsed(&attr.value) {
            Ok(value) => {
                let source = format!("{}:{}", file.name, span.line);
                out.push((
                    attr.key.as_str().to_string(),
                    Assigned {
                        value,
                        source,
                        span: Some(value_span),
                    },
                ));
            }
            Err(e) => diags.push(
                Diagnostic::error("Invalid value in variables file")
                    .with_detail(format!("The value of \"{}\" {e}.", attr.key.as_str()))
                    .with_span(value_span),
            ),
        }
    }
    out
}

/// Asks for a value on the terminal (prompt on stderr, answer from stdin).
fn prompt_on_terminal(variable: &Variable) -> Option<String> {
    let mut err = std::io::stderr();
    let description = variable.description.as_deref().unwrap_or("");
    write!(
        err,
        "var.{}\n  {description}\n\n  Enter a value: ",
        variable.name
    )
    .ok()?;
    err.flush().ok()?;
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
    }
}

#[cfg(test)]
#[path = "tests_variables.rs"]
mod tests;
