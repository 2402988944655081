//! Findings: every check turns loaded inputs into findings. Checks do no
//! I/O; [`crate::inputs`] loaded everything they read.
//!
//! The AUTO checks are listed once, in [`CHECKS`]; the ATTESTED ones come
//! from configuration ([`attestations`]).

pub mod attestations;
mod changelog;
mod ci_status;
mod deps_pinned;
pub mod leakage;
mod release_point;
pub mod thresholds;
mod version_consistent;

pub use crate::model::{Action, Finding, Kind, Location, Needs, Status};

use crate::inputs::Inputs;

/// An AUTO check: one id, one finding, no I/O.
pub trait Check: Sync {
    /// The stable finding id.
    fn id(&self) -> &'static str;
    /// What it verifies, in words.
    fn title(&self) -> &'static str;
    /// The inputs it reads.
    fn needs(&self) -> Needs;
    /// Judges the loaded inputs.
    fn run(&self, inputs: &Inputs) -> Finding;
}

/// Every AUTO check, in report order.
pub const CHECKS: &[&dyn Check] = &[
    &changelog::Changelog,
    &ci_status::CiStatus,
    &deps_pinned::DepsPinned,
    &release_point::ReleasePoint,
    &version_consistent::VersionConsistent,
];

/// The id of the AUTO finding about the audit log's last line, checked
/// under the append lock by the command that records a decision.
pub const AUDIT_CHAIN: &str = "audit_chain";

/// A finding of an AUTO check, titled from the check.
fn auto(check: &dyn Check, status: Status) -> Finding {
    Finding::new(check.id(), check.title(), Kind::Auto, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_are_unique_and_stable() {
        let ids: Vec<&str> = CHECKS.iter().map(|c| c.id()).collect();
        assert_eq!(
            ids,
            [
                "changelog",
                "ci_status",
                "deps_pinned",
                "release_point",
                "version_consistent"
            ]
        );
    }
}
