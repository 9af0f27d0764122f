//! The guard that apply sends what the plan showed: every value the plan knew must be the same in
//! the provider's final plan made at apply time with the values learned so far. Unknown values of
//! the plan may become anything.

use plinth_sdk::{Diagnostic, Value};

use crate::plan::diff::same_ignoring_marks;

/// One value that changed between the plan and the final plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Inconsistency {
    /// Where (`.input`, `.ports[0].external`).
    pub path: String,
    /// What the plan said.
    pub was: Value,
    /// What the final plan says.
    pub now: Value,
}

/// Every place where `final_plan` disagrees with a value `planned` knew.
pub fn inconsistencies(planned: &Value, final_plan: &Value) -> Vec<Inconsistency> {
    let mut out = Vec::new();
    compare(planned, final_plan, String::new(), &mut out);
    out
}

fn compare(planned: &Value, now: &Value, path: String, out: &mut Vec<Inconsistency>) {
    let (p, n) = (planned.unmarked(), now.unmarked());
    if matches!(p, Value::Unknown) {
        return;
    }
    let differ = |out: &mut Vec<Inconsistency>| {
        out.push(Inconsistency {
            path: path.clone(),
            was: planned.clone(),
            now: now.clone(),
        })
    };
    match (p, n) {
        (Value::Map(a), Value::Map(b)) => {
            for (key, value) in a {
                let other = b.get(key).unwrap_or(&Value::Null);
                compare(value, other, format!("{path}.{key}"), out);
            }
        }
        (Value::List(a), Value::List(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                compare(x, y, format!("{path}[{index}]"), out);
            }
        }
        (Value::Set(a), Value::Set(b)) => {
            let pending = a.iter().any(Value::contains_unknown);
            let same = a.len() == b.len()
                && a.iter()
                    .all(|x| b.iter().any(|y| same_ignoring_marks(x, y)));
            if !pending && !same {
                differ(out);
            }
        }
        _ if p.contains_unknown() => {}
        _ => {
            if !same_ignoring_marks(p, n) {
                differ(out);
            }
        }
    }
}

/// Terraform's "Provider produced inconsistent final plan" error for `address`; values are shown
/// unless either side is sensitive.
pub fn inconsistent_final_plan(
    address: &str,
    provider: &str,
    problems: &[Inconsistency],
) -> Diagnostic {
    let lines: Vec<String> = problems
        .iter()
        .map(|p| {
            if p.was.contains_sensitive() || p.now.contains_sensitive() {
                format!(
                    "{}: the planned value (sensitive value) is now (sensitive value)",
                    p.path
                )
            } else {
                format!(
                    "{}: was {}, but now {}",
                    p.path,
                    p.was.to_wire(),
                    p.now.to_wire()
                )
            }
        })
        .collect();
    Diagnostic::error("Provider produced inconsistent final plan")
        .with_detail(format!(
            "When expanding the plan for {address} to include new values learned so far during apply, provider[\"{provider}\"] produced a value that differs from the saved plan:\n  {}\nWhat a plan shows as known is exactly what apply sends, so this action was not carried out. A value the configuration reads from outside (a file, the environment) may have changed since the plan was made: create a new plan.",
            lines.join("\n  ")
        ))
        .with_address(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().cloned())
    }

    #[test]
    fn unknown_planned_values_may_become_anything() {
        let planned = object(&[("id", Value::Unknown), ("name", Value::from("a"))]);
        let now = object(&[("id", Value::from("i-1")), ("name", Value::from("a"))]);
        assert!(inconsistencies(&planned, &now).is_empty());
    }

    #[test]
    fn known_values_must_stay_and_paths_name_them() {
        let planned = object(&[(
            "ports",
            Value::List(vec![object(&[("external", Value::from(80.0))])]),
        )]);
        let now = object(&[(
            "ports",
            Value::List(vec![object(&[("external", Value::from(81.0))])]),
        )]);
        let found = inconsistencies(&planned, &now);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, ".ports[0].external");
        let d = inconsistent_final_plan("docker_container.web", "docker", &found);
        assert!(d.detail.unwrap().contains("was 80, but now 81"));
    }

    #[test]
    fn sensitive_values_are_not_shown() {
        let planned = object(&[("password", Value::from("hunter2").mark_sensitive())]);
        let now = object(&[("password", Value::from("swordfish").mark_sensitive())]);
        let found = inconsistencies(&planned, &now);
        let detail = inconsistent_final_plan("x.y", "x", &found).detail.unwrap();
        assert!(
            !detail.contains("hunter2") && !detail.contains("swordfish"),
            "{detail}"
        );
        assert!(detail.contains(".password"));
    }
}
