//! The side-by-side language corpus: every expression of `tests/lang/*.txt` is evaluated by
//! plinth and compared with what Terraform printed for it, recorded in `tests/lang/goldens/`
//! by `scripts/lang-goldens.py` (run it where `terraform` is on PATH after changing a corpus
//! file). A value must match Terraform's `jsonencode` of it (or, when Terraform could not
//! encode it, the console's text); an error must match Terraform's summary and detail, except
//! where Terraform itself crashed (`panic in function implementation`, e.g. `element` with a
//! negative index): there any error from plinth agrees.
//!
//! The cases plinth still answers differently are listed in `tests/lang/known_differences.txt`;
//! the test fails when an unlisted case differs (a regression) and when a listed case agrees
//! (so the list only ever shrinks). It prints the agreement rate of every family.
//! `tests/lang/intentional_differences.txt` lists the few cases where plinth differs on purpose
//! (Terraform quotes a sensitive argument in some errors; plinth never does); they are left
//! out of the comparison. `PLINTH_WRITE_KNOWN_DIFFERENCES=1` rewrites the list from the current differences (check
//! its diff: every added line is a case plinth gets wrong).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use plinth::eval::{evaluate, EvalError, Scope};
use plinth_sdk::Value;
use serde_json::Value as Json;

/// The console's scope: an empty module, so every reference is an error. A lone name is, to
/// Terraform, a resource type without a resource name (plinth's module graph says the same).
struct EmptyModule;

impl Scope for EmptyModule {
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        if let [_] = names {
            return Err("Invalid reference\nA reference to a resource type must be followed by at least one attribute access, specifying the resource name.".to_string());
        }
        Err(format!(
            "Reference to undeclared name\nThere is nothing named \"{}\".",
            names.join(".")
        ))
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lang")
}

/// Parses one corpus line as the value of an attribute, as plinth parses configuration.
fn parse(source: &str) -> Result<hcl::Expression, EvalError> {
    let mut body = hcl_edit::parser::parse_body(&format!("x = {source}\n"))
        .map_err(|e| EvalError::new("Invalid expression", e.message().to_string()))?;
    plinth::config::literals::keep_exact_numbers_in_body(&mut body);
    hcl::Body::from(body)
        .into_attributes()
        .next()
        .map(|attribute| attribute.expr)
        .ok_or_else(|| EvalError::new("Invalid expression", "no expression"))
}

/// What the console prints for a value that `jsonencode` could not encode.
fn console_text(value: &Value) -> String {
    match value {
        Value::Sensitive(_) => "(sensitive value)".to_string(),
        Value::Null => "null".to_string(),
        Value::String(text) => serde_json::to_string(text).unwrap_or_default(),
        other => other.to_string(),
    }
}

/// Why plinth's answer differs from Terraform's golden, or None when they agree.
fn difference(golden: &Json, result: Result<Value, EvalError>) -> Option<String> {
    match (golden.get("error"), result) {
        (Some(error), Err(got)) => {
            let summary = error["summary"].as_str().unwrap_or_default();
            let detail = error["detail"].as_str().unwrap_or_default();
            let got_detail = got.detail.clone().unwrap_or_default();
            let terraform_crashed = detail.contains("panic in function implementation");
            if terraform_crashed || (got.summary == summary && got_detail.trim() == detail) {
                None
            } else {
                Some(format!(
                    "error differs:\n  terraform: {summary}: {detail}\n  plinth:    {}: {got_detail}",
                    got.summary
                ))
            }
        }
        (Some(error), Ok(value)) => Some(format!(
            "terraform fails ({}: {}), plinth gives {}",
            error["summary"].as_str().unwrap_or_default(),
            error["detail"].as_str().unwrap_or_default(),
            console_text(&value)
        )),
        (None, Err(got)) => Some(format!(
            "terraform gives {}, plinth fails: {got}",
            golden["value"].as_str().unwrap_or_default()
        )),
        (None, Ok(value)) => match golden.get("json").and_then(Json::as_str) {
            Some(json) => {
                let encoded = match &value {
                    Value::Sensitive(_) => Ok(Value::from("(sensitive value)")),
                    plain => plinth::eval::functions::call("jsonencode", vec![plain.clone()]),
                };
                match encoded {
                    Ok(Value::String(text)) if text == json => None,
                    Ok(other) => Some(format!(
                        "value differs:\n  terraform: {json}\n  plinth:    {}",
                        other.as_str().unwrap_or_default()
                    )),
                    Err(e) => Some(format!("terraform gives {json}, plinth cannot encode: {e}")),
                }
            }
            None => {
                let want = golden["value"].as_str().unwrap_or_default();
                let got = console_text(&value);
                (got != want)
                    .then(|| format!("value differs:\n  terraform: {want}\n  plinth:    {got}"))
            }
        },
    }
}

/// The lines of a list of cases: `family: expression`.
fn case_list(name: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(corpus_dir().join(name)).unwrap_or_default();
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn plinth_agrees_with_terraform_on_the_corpus() {
    let known = case_list("known_differences.txt");
    let intentional = case_list("intentional_differences.txt");
    let mut goldens: Vec<PathBuf> = std::fs::read_dir(corpus_dir().join("goldens"))
        .expect("tests/lang/goldens")
        .map(|entry| entry.expect("entry").path())
        .collect();
    goldens.sort();
    let mut differing = BTreeSet::new();
    let mut report = Vec::new();
    let mut regressions = Vec::new();
    let (mut total, mut agreeing) = (0, 0);
    let home = std::env::current_dir().expect("cwd");
    for path in goldens {
        let family = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let golden: Json = serde_json::from_str(&std::fs::read_to_string(&path).expect("golden"))
            .expect("golden JSON");
        // File functions resolve paths from the working directory, as Terraform's console does.
        let workdir = if family == "filesystem" {
            corpus_dir().join("fixtures")
        } else {
            home.clone()
        };
        std::env::set_current_dir(&workdir).expect("chdir");
        let cases = golden["cases"].as_array().cloned().unwrap_or_default();
        let mut family_agreeing = 0;
        for case in &cases {
            let expr = case["expr"].as_str().unwrap_or_default();
            let result = parse(expr).and_then(|parsed| evaluate(&parsed, &EmptyModule));
            let key = format!("{family}: {expr}");
            if intentional.contains(&key) {
                assert!(
                    difference(case, result).is_some(),
                    "{key}: listed as an intentional difference but agrees with Terraform"
                );
                continue;
            }
            match difference(case, result) {
                None => family_agreeing += 1,
                Some(why) => {
                    if !known.contains(&key) {
                        regressions.push(format!("{key}\n  {why}"));
                    }
                    differing.insert(key);
                }
            }
        }
        std::env::set_current_dir(&home).expect("chdir back");
        total += cases.len();
        agreeing += family_agreeing;
        report.push(format!("{family}: {family_agreeing}/{} agree", cases.len()));
    }
    if std::env::var_os("PLINTH_WRITE_KNOWN_DIFFERENCES").is_some() {
        let header =
            "# Corpus cases (family: expression) where plinth still differs from Terraform.\n";
        let lines: Vec<&str> = differing.iter().map(String::as_str).collect();
        std::fs::write(
            corpus_dir().join("known_differences.txt"),
            format!("{header}{}\n", lines.join("\n")),
        )
        .expect("write known_differences.txt");
        return;
    }
    let stale: Vec<&String> = known.difference(&differing).collect();
    println!("{}", report.join("\n"));
    println!(
        "corpus: {agreeing}/{total} agree ({:.1} %)",
        100.0 * agreeing as f64 / total.max(1) as f64
    );
    assert!(total > 0, "no goldens in tests/lang/goldens");
    assert!(
        regressions.is_empty(),
        "{} cases differ from Terraform and are not in tests/lang/known_differences.txt:\n{}",
        regressions.len(),
        regressions.join("\n")
    );
    assert!(
        stale.is_empty(),
        "these cases now agree with Terraform; remove them from tests/lang/known_differences.txt:\n{}",
        stale.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
}
