//! `policy_source`: where the policy comes from outside the work tree (a
//! `git:` source on a protected branch, or a path outside the repository),
//! the release commit's own gate.toml is compared with it. Equal parsed
//! values (comments and layout aside) PASS; any difference WARNs, naming
//! the tables and keys that differ, or FAILs where the trusted policy sets
//! `policy_drift`. With the policy from the work tree there is nothing to
//! compare, and no finding.

use super::{Check, Finding, Given, Kind, Needs, Status, POLICY_SOURCE};
use crate::inputs::config::ConfigFile;
use crate::inputs::Inputs;

pub struct PolicySource;

const TITLE: &str = "Policy read from a source the change cannot edit";

impl Check for PolicySource {
    fn ids(&self, _: &ConfigFile) -> Vec<String> {
        vec![POLICY_SOURCE.to_string()]
    }
    fn kind(&self) -> Kind {
        Kind::Auto
    }
    fn wanted(&self, _: &ConfigFile, _: &Given) -> Vec<(String, Needs)> {
        // Loaded with the configuration, wherever it is trusted.
        Vec::new()
    }
    /// Judged wherever the policy is trusted, required or not.
    fn run(&self, inputs: &Inputs, given: &Given) -> Vec<Finding> {
        let Some(p) = &inputs.policy else {
            return Vec::new();
        };
        let f = |status| Finding::new(POLICY_SOURCE, TITLE, Kind::Auto, status);
        let expected = format!("{} to hold the same policy as {}", p.compared, p.source);
        let finding = match &p.theirs {
            None => f(Status::Pass)
                .message(format!(
                    "the policy lives elsewhere: {}; the release commit has no {}",
                    p.source,
                    p.compared.split(" at ").next().unwrap_or_default()
                ))
                .expected_found(expected, "no such file"),
            Some(Err(e)) => f(drifted(given))
                .message(format!(
                    "policy drift: {} cannot be read ({e}); {} is used",
                    p.compared, p.source
                ))
                .expected_found(expected, format!("a file that is not TOML: {e}")),
            Some(Ok(theirs)) => {
                let keys = differences(&p.ours, theirs);
                if keys.is_empty() {
                    f(Status::Pass)
                        .message(format!("{} matches {}", p.compared, p.source))
                        .expected_found(expected, "the same values")
                } else {
                    f(drifted(given))
                        .message(format!(
                            "policy drift: {} differs from {} in {}; the trusted policy is used",
                            p.compared,
                            p.source,
                            keys.join(", ")
                        ))
                        .expected_found(expected, format!("differences in {}", keys.join(", ")))
                }
            }
        };
        vec![finding]
    }
}

/// WARN, or FAIL where the trusted policy sets `policy_drift`.
fn drifted(given: &Given) -> Status {
    if given.drift_fails {
        Status::Fail
    } else {
        Status::Warn
    }
}

/// The dotted keys whose values differ between two tables; a table or key
/// present in one only is named alone.
pub fn differences(a: &toml::Table, b: &toml::Table) -> Vec<String> {
    let mut out = Vec::new();
    walk(a, b, "", &mut out);
    out
}

fn walk(a: &toml::Table, b: &toml::Table, prefix: &str, out: &mut Vec<String>) {
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for k in keys {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match (a.get(k), b.get(k)) {
            (Some(toml::Value::Table(x)), Some(toml::Value::Table(y))) => walk(x, y, &path, out),
            (Some(x), Some(y)) if x == y => {}
            _ => out.push(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> toml::Table {
        toml::from_str(s).unwrap()
    }

    #[test]
    fn differences_name_keys_and_whole_tables() {
        let trusted = t(
            "[env.prod]\napprovals = \"signed\"\nrequired_approvals = 2\n[audit]\nlog = \"x\"\n",
        );
        assert!(differences(&trusted, &t("# a comment\n[audit]\nlog = \"x\"\n[env.prod]\nrequired_approvals = 2\napprovals = \"signed\"\n")).is_empty());
        assert_eq!(
            differences(
                &trusted,
                &t("[env.prod]\nrequired_approvals = 1\n[audit]\nlog = \"x\"\n")
            ),
            ["env.prod.approvals", "env.prod.required_approvals"]
        );
        assert_eq!(
            differences(&trusted, &t("[env.prod]\napprovals = \"signed\"\nrequired_approvals = 2\n[env.canary]\nx = 1\n")),
            ["audit", "env.canary"]
        );
    }
}
