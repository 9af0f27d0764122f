//! Provider versions and Terraform's version constraint syntax: `= 1.2.3` (or bare `1.2.3`),
//! `!=`, `>`, `>=`, `<`, `<=` and the pessimistic `~>`, comma-separated and all required.
//! `~> 1.2` allows 1.2 up to, not including, 2.0; `~> 1.2.3` allows 1.2.3 up to 1.3.0.
//! Pre-releases match only a constraint naming that exact version.

use std::fmt;

use semver::Version;

use super::DiscoveryError;

/// Parses a version, accepting a leading `v` and missing minor or patch parts (`5.0`).
pub fn parse_version(text: &str) -> Option<Version> {
    let text = text.trim().trim_start_matches('v');
    if let Ok(v) = Version::parse(text) {
        return Some(v);
    }
    let (core, pre) = match text.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (text, None),
    };
    let mut parts = core.split('.');
    let mut next = || -> Option<u64> {
        match parts.next() {
            None => Some(0),
            Some(p) => p.parse().ok(),
        }
    };
    let mut v = Version::new(next()?, next()?, next()?);
    if parts.next().is_some() {
        return None;
    }
    if let Some(pre) = pre {
        v.pre = semver::Prerelease::new(pre).ok()?;
    }
    Some(v)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Pessimistic,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Constraint {
    op: Op,
    version: Version,
    /// How many of major.minor.patch were written (for `~>`).
    parts: usize,
}

/// A list of constraints, all of which must hold. Empty allows every release.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Constraints {
    text: String,
    list: Vec<Constraint>,
}

impl Constraints {
    /// Parses `~> 5.0, >= 5.1`.
    pub fn parse(text: &str) -> Result<Constraints, DiscoveryError> {
        let bad = |why: &str| DiscoveryError::BadConstraint {
            constraint: text.to_string(),
            reason: why.to_string(),
        };
        let mut list = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (op, rest) = [
                ("~>", Op::Pessimistic),
                (">=", Op::Ge),
                ("<=", Op::Le),
                ("!=", Op::Ne),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(sym, op)| part.strip_prefix(sym).map(|rest| (*op, rest)))
            .unwrap_or((Op::Eq, part));
            let rest = rest.trim();
            let version =
                parse_version(rest).ok_or_else(|| bad(&format!("{rest:?} is not a version")))?;
            let parts = rest.split('-').next().unwrap_or("").split('.').count();
            list.push(Constraint { op, version, parts });
        }
        Ok(Constraints {
            text: text.trim().to_string(),
            list,
        })
    }

    /// Whether `version` satisfies every constraint.
    pub fn allows(&self, version: &Version) -> bool {
        if !version.pre.is_empty()
            && !self
                .list
                .iter()
                .any(|c| c.op == Op::Eq && c.version == *version)
        {
            return false;
        }
        self.list.iter().all(|c| c.allows(version))
    }

    /// Whether there are no constraints.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

impl Constraint {
    fn allows(&self, v: &Version) -> bool {
        let c = &self.version;
        match self.op {
            Op::Eq => v == c,
            Op::Ne => v != c,
            Op::Gt => v > c,
            Op::Ge => v >= c,
            Op::Lt => v < c,
            Op::Le => v <= c,
            Op::Pessimistic => {
                let upper = match self.parts {
                    0..=2 => Version::new(c.major + 1, 0, 0),
                    _ => Version::new(c.major, c.minor + 1, 0),
                };
                v >= c && *v < upper
            }
        }
    }
}

impl fmt::Display for Constraints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(constraints: &str, version: &str) -> bool {
        Constraints::parse(constraints)
            .unwrap()
            .allows(&parse_version(version).unwrap())
    }

    #[test]
    fn pessimistic_constraints_follow_terraform() {
        assert!(allows("~> 5.0", "5.100.0"));
        assert!(!allows("~> 5.0", "6.0.0"));
        assert!(allows("~> 1.2.3", "1.2.9"));
        assert!(!allows("~> 1.2.3", "1.3.0"));
        assert!(allows("~> 1", "1.9.0"));
        assert!(!allows("~> 1.2", "1.1.0"));
    }

    #[test]
    fn comparisons_combine() {
        assert!(allows(">= 1.0, < 2.0", "1.5.0"));
        assert!(!allows(">= 1.0, < 2.0", "2.0.0"));
        assert!(allows("1.2.3", "1.2.3"));
        assert!(allows("= 1.2.3", "v1.2.3"));
        assert!(!allows("!= 1.2.3", "1.2.3"));
        assert!(allows("", "0.0.1"));
        assert!(allows("> 1", "1.0.1"));
    }

    #[test]
    fn prereleases_need_an_exact_constraint() {
        assert!(!allows(">= 1.0", "2.0.0-beta1"));
        assert!(allows("2.0.0-beta1", "2.0.0-beta1"));
    }

    #[test]
    fn bad_constraints_say_which() {
        let err = Constraints::parse(">= banana").unwrap_err();
        assert!(err.to_string().contains("banana"), "{err}");
    }
}
