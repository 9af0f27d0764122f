//! `required_providers` against the providers built into this binary: a `source` naming the one a built-in provider stands in for (`hashicorp/random` gets the
//! built-in `random` without any download) must have a `version` constraint that admits the
//! version whose behaviour it implements.

use plinth_provider_utility::BUILT_IN;
use plinth_sdk::{Diagnostic, Diagnostics};

use crate::config::{Config, Module, RequiredProvider};
use crate::engine::providers::Providers;

/// The registry source of a built-in provider and the version it implements, when it stands in
/// for one.
fn stands_in_for(name: &str) -> Option<(&'static str, &'static str)> {
    BUILT_IN
        .iter()
        .find(|b| b.name == name)
        .map(|b| (b.source, b.version))
}

/// `registry.terraform.io/hashicorp/random` and `hashicorp/random` alike, lowercased.
fn short_source(source: &str) -> String {
    let parts: Vec<&str> = source.split('/').collect();
    let short = if parts.len() == 3 {
        parts[1..].join("/")
    } else {
        source.to_string()
    };
    short.to_lowercase()
}

/// Each module of the configuration with its path (`""` for the root).
fn modules(config: &Config) -> Vec<(String, &Module)> {
    let mut out = vec![(String::new(), &config.root)];
    let mut i = 0;
    while i < out.len() {
        let (path, module) = (out[i].0.clone(), out[i].1);
        for call in &module.module_calls {
            let child = if path.is_empty() {
                format!("module.{}", call.name)
            } else {
                format!("{path}.module.{}", call.name)
            };
            out.push((child, &call.module));
        }
        i += 1;
    }
    out
}

/// The Terraform version whose language plinth implements: `terraform { required_version }`
/// constraints are checked against it, and `plinth version` shows it.
pub const TERRAFORM_COMPATIBILITY: &str = "1.16.0";

/// Checks every module's `required_version` and `required_providers`.
pub fn check(config: &Config, providers: &Providers) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for (_, module) in modules(config) {
        if let Some(d) = check_required_version(module) {
            diags.push(d);
        }
        for (name, required) in &module.terraform.required_providers {
            if let Some(d) = check_one(name, required, providers) {
                diags.push(d.with_span(required.span.clone()));
            }
        }
    }
    diags
}

/// "Unsupported Terraform Core version" when the module's `required_version` does not admit
/// [`TERRAFORM_COMPATIBILITY`].
fn check_required_version(module: &Module) -> Option<Diagnostic> {
    let constraint = module.terraform.required_version.as_deref()?;
    let d = match admits(constraint, TERRAFORM_COMPATIBILITY) {
        Ok(true) => return None,
        Ok(false) => Diagnostic::error("Unsupported Terraform Core version").with_detail(format!(
            "This configuration does not support Terraform version {TERRAFORM_COMPATIBILITY}, the version plinth v{} implements (see `plinth version`): \"{constraint}\" does not allow it. To proceed, either update this version constraint or use another tool version. Version constraints are normally set for good reason, so updating the constraint may lead to other errors or unexpected behavior.",
            env!("CARGO_PKG_VERSION")
        )),
        Err(e) => Diagnostic::error("Invalid required_version constraint")
            .with_detail(format!("\"{constraint}\": {e}")),
    };
    Some(match &module.terraform.required_version_span {
        Some(span) => d.with_span(span.clone()),
        None => d,
    })
}

/// Only requirements a built-in provider answers are checked here; any other source is an
/// external provider, found (or reported missing) by plugin discovery.
fn check_one(name: &str, required: &RequiredProvider, providers: &Providers) -> Option<Diagnostic> {
    if !providers.has(name) {
        return None;
    }
    let (source, version) = stands_in_for(name)?;
    if required
        .source
        .as_deref()
        .is_some_and(|asked| short_source(asked) != source)
    {
        return None;
    }
    let constraint = required.version.as_deref()?;
    match admits(constraint, version) {
        Ok(true) => None,
        Ok(false) => Some(
            Diagnostic::error(format!("Provider \"{name}\" does not match the version constraint"))
                .with_detail(format!(
                    "The built-in \"{name}\" provider implements {source} v{version}, which \"{constraint}\" does not allow."
                )),
        ),
        Err(e) => Some(
            Diagnostic::error("Invalid version constraint")
                .with_detail(format!("\"{constraint}\": {e}")),
        ),
    }
}

/// A version as numbers (`3.6` → [3, 6]).
fn numbers(text: &str) -> Result<Vec<u64>, String> {
    let text = text.trim().trim_start_matches('v');
    let core = text.split(['-', '+']).next().unwrap_or_default();
    core.split('.')
        .map(|n| {
            n.parse::<u64>()
                .map_err(|_| format!("\"{text}\" is not a version such as 3.6.1"))
        })
        .collect()
}

/// Compares two versions, missing parts being zero.
fn compare(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let len = a.len().max(b.len());
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    (0..len)
        .map(|i| at(a, i).cmp(&at(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// Whether every part of a constraint (`>= 3.1, < 4`, `~> 3.5`) admits `version`.
pub fn admits(constraint: &str, version: &str) -> Result<bool, String> {
    use std::cmp::Ordering::*;
    let have = numbers(version)?;
    for part in constraint.split(',') {
        let part = part.trim();
        let op_len = part
            .find(|c: char| c.is_ascii_digit() || c == 'v')
            .ok_or_else(|| format!("\"{part}\" has no version"))?;
        let (op, wanted) = (part[..op_len].trim(), numbers(&part[op_len..])?);
        let order = compare(&have, &wanted);
        let ok = match op {
            "" | "=" => order == Equal,
            "!=" => order != Equal,
            ">" => order == Greater,
            ">=" => order != Less,
            "<" => order == Less,
            "<=" => order != Greater,
            "~>" => {
                // ~> 3.5 allows 3.x from 3.5; ~> 3.5.1 allows 3.5.x from 3.5.1.
                let fixed = wanted.len().saturating_sub(1).max(1);
                order != Less && have.iter().take(fixed).eq(wanted.iter().take(fixed))
            }
            other => return Err(format!("\"{other}\" is not a version operator")),
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::admits;

    #[test]
    fn version_constraints_read_as_terraform_reads_them() {
        for (constraint, expected) in [
            ("3.6.3", true),
            ("~> 3.0", true),
            ("~> 3.6.0", true),
            ("~> 3.7.0", false),
            ("~> 2.0", false),
            (">= 3.1, < 4.0", true),
            ("< 3.6", false),
            ("!= 3.6.3", false),
            (">3.6.2", true),
        ] {
            assert_eq!(admits(constraint, "3.6.3"), Ok(expected), "{constraint}");
        }
        assert!(admits("=> 3", "3.6.3").is_err());
    }
}
