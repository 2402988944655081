//! Findings: every check turns loaded inputs into findings. Checks do no
//! I/O; [`crate::inputs`] loaded everything they read.
//!
//! Every check, of every kind, is one [`Check`] in one table, [`CHECKS`]:
//! the AUTO checks of one finding each, the thresholds, the attestations,
//! the leakage findings and the audit log's check. The catalog of ids and
//! what to load are derived from the table. A check reads what policy hands
//! it as a value ([`Given`]), never the policy itself. Adding a check is a
//! file here and a line in the table (and an input loader when it reads
//! something new).

pub mod attestations;
mod audit_chain;
mod changelog;
mod ci_status;
mod deps_pinned;
pub mod leakage;
mod policy_source;
mod release_point;
pub mod thresholds;
mod version_consistent;

use std::collections::BTreeSet;

pub use crate::model::{Action, Finding, Kind, Location, Needs, Status};

use crate::inputs::config::ConfigFile;
use crate::inputs::Inputs;

/// What policy hands the checks, as values: the finding ids it requires,
/// those release.yaml may mark not applicable, and the rule for the locc
/// artifact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given {
    pub required: BTreeSet<String>,
    /// AUTO ids a `not_applicable` entry of release.yaml may skip here.
    pub na_allowed: BTreeSet<String>,
    pub locc: leakage::LoccRule,
    /// `policy_drift` (or `actions.policy_source`) is set: drift fails.
    pub drift_fails: bool,
}

impl Given {
    /// Whether the policy requires finding `id`.
    pub fn requires(&self, id: &str) -> bool {
        self.required.contains(id)
    }
}

/// A check: loaded inputs and what policy hands it, to findings.
pub trait Check: Sync {
    /// Every finding id it can yield with this configuration (the catalog).
    fn ids(&self, config: &ConfigFile) -> Vec<String>;
    /// The kind of its findings.
    fn kind(&self) -> Kind;
    /// The ids `given` requires of it, each with what it reads; empty when
    /// nothing is required of it.
    fn wanted(&self, config: &ConfigFile, given: &Given) -> Vec<(String, Needs)>;
    /// Its findings: one per id `given` requires of it, in report order.
    fn run(&self, inputs: &Inputs, given: &Given) -> Vec<Finding>;
}

/// An AUTO check of one finding: one id, one finding, no I/O.
pub trait Single: Sync {
    /// The stable finding id.
    fn id(&self) -> &'static str;
    /// What it verifies, in words.
    fn title(&self) -> &'static str;
    /// The inputs it reads.
    fn needs(&self) -> Needs;
    /// Judges the loaded inputs.
    fn run(&self, inputs: &Inputs) -> Finding;
}

/// A [`Single`] as a [`Check`]: run when required, NA where release.yaml
/// marks it not applicable and policy lets it.
pub struct One(pub &'static dyn Single);

impl Check for One {
    fn ids(&self, _: &ConfigFile) -> Vec<String> {
        vec![self.0.id().to_string()]
    }
    fn kind(&self) -> Kind {
        Kind::Auto
    }
    fn wanted(&self, _: &ConfigFile, given: &Given) -> Vec<(String, Needs)> {
        let id = self.0.id();
        if given.requires(id) {
            vec![(id.to_string(), self.0.needs())]
        } else {
            Vec::new()
        }
    }
    fn run(&self, inputs: &Inputs, given: &Given) -> Vec<Finding> {
        let (id, title) = (self.0.id(), self.0.title());
        if !given.requires(id) {
            return Vec::new();
        }
        vec![not_applicable(inputs, given, id, title).unwrap_or_else(|| self.0.run(inputs))]
    }
}

/// Every check, in report order.
pub const CHECKS: &[&dyn Check] = &[
    &One(&changelog::Changelog),
    &One(&ci_status::CiStatus),
    &One(&deps_pinned::DepsPinned),
    &One(&release_point::ReleasePoint),
    &One(&version_consistent::VersionConsistent),
    &thresholds::Thresholds,
    &attestations::Attestations,
    &leakage::Leakage,
    &audit_chain::AuditChain,
    &policy_source::PolicySource,
];

/// Every check's findings on `inputs`, in report order; not yet judged by
/// the policy.
pub fn run_all(inputs: &Inputs, given: &Given) -> Vec<Finding> {
    CHECKS.iter().flat_map(|c| c.run(inputs, given)).collect()
}

/// What the checks `given` requires read: (id, needs) of each.
pub fn wanted(config: &ConfigFile, given: &Given) -> Vec<(String, Needs)> {
    CHECKS
        .iter()
        .flat_map(|c| c.wanted(config, given))
        .collect()
}

/// The NA finding for an AUTO finding release.yaml marks not applicable,
/// where `given` lets it.
pub fn not_applicable(inputs: &Inputs, given: &Given, id: &str, title: &str) -> Option<Finding> {
    if !given.na_allowed.contains(id) {
        return None;
    }
    let m = inputs.manifest.as_ref()?;
    let na = m.not_applicable(id)?;
    Some(
        Finding::new(id, title, Kind::Auto, Status::Na)
            .message(format!(
                "Not applicable: {} (release.yaml; not checked)",
                na.reason
            ))
            .expected_found(
                "the check to run",
                format!("marked not applicable: {}", na.reason),
            )
            .at(m.file.clone(), na.line),
    )
}

/// The id of the AUTO finding about the audit log's last line, checked
/// under the append lock by the command that records a decision.
pub const AUDIT_CHAIN: &str = "audit_chain";

/// The id of the AUTO finding comparing a policy read from outside the
/// work tree with the release commit's own.
pub const POLICY_SOURCE: &str = "policy_source";

/// A finding of an AUTO check, titled from the check.
fn auto(check: &dyn Single, status: Status) -> Finding {
    Finding::new(check.id(), check.title(), Kind::Auto, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_are_unique_and_stable() {
        let config = ConfigFile::builtin();
        let ids: Vec<String> = CHECKS.iter().flat_map(|c| c.ids(&config)).collect();
        assert_eq!(
            ids,
            [
                "changelog",
                "ci_status",
                "deps_pinned",
                "release_point",
                "version_consistent",
                "rollback_tested",
                "oncall_notified",
                "approver_signed_off",
                "monitoring_reviewed",
                "pii",
                "schema",
                "policy",
                "audit_chain",
                "policy_source"
            ]
        );
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
    }
}
