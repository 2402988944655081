//! The decision: one value that every report format renders and the audit
//! log records.
//!
//! - `gate check`: any failure → NO-GO, else GO.
//! - `gate evaluate`: any failure whose action is `block` → BLOCK; else any
//!   failure whose action is `override` and that no valid override lifted →
//!   REQUIRE_OVERRIDE; else ALLOW. An input that cannot be read or validated
//!   is a BLOCK whose `error` says so.

pub mod decide;
pub mod exit;

use serde::Serialize;

use crate::findings::{Action, Finding, Status};
use crate::inputs::error::InputError;
use crate::overrides::{FailureKind, OverrideReport, OverrideStatus};

/// The version of the decision JSON's shape. Fields are only ever added
/// within a version.
pub const SCHEMA_VERSION: u32 = 1;

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Verdict {
    /// `gate check`: the release may go.
    #[serde(rename = "GO")]
    Go,
    /// `gate check`: the release is held.
    #[serde(rename = "NO-GO")]
    NoGo,
    /// `gate evaluate`: promote.
    #[serde(rename = "ALLOW")]
    Allow,
    /// `gate evaluate`: a hard block, or an input that cannot be trusted.
    #[serde(rename = "BLOCK")]
    Block,
    /// `gate evaluate`: only a valid override can lift this.
    #[serde(rename = "REQUIRE_OVERRIDE")]
    RequireOverride,
}

impl Verdict {
    /// The word printed in reports.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Go => "GO",
            Verdict::NoGo => "NO-GO",
            Verdict::Allow => "ALLOW",
            Verdict::Block => "BLOCK",
            Verdict::RequireOverride => "REQUIRE_OVERRIDE",
        }
    }

    /// Whether the release may proceed.
    pub fn proceeds(self) -> bool {
        matches!(self, Verdict::Go | Verdict::Allow)
    }
}

/// What the audit log records for a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventType {
    PromotionAllowed,
    PromotionBlocked,
    OverrideRequired,
    OverrideUsed,
    OverrideExpired,
    OverrideShaRotated,
    OverrideRejected,
    CheckGo,
    CheckNoGo,
}

/// The kinds of error that keep a command from a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// A file that cannot be read or validated.
    Input,
    /// A bad flag value, an unknown environment.
    Usage,
}

impl ErrorKind {
    /// The word reports print (as in the JSON).
    pub fn word(self) -> &'static str {
        match self {
            ErrorKind::Input => "input",
            ErrorKind::Usage => "usage",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

/// Why a command could not reach a verdict on its inputs.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ErrorInfo {
    pub kind: ErrorKind,
    /// The first problem, as one line.
    pub message: String,
    /// Every input problem, located.
    pub errors: Vec<InputError>,
}

impl ErrorInfo {
    /// Input problems (never empty).
    pub fn input(errors: Vec<InputError>) -> Self {
        let message = errors.first().map(ToString::to_string).unwrap_or_default();
        Self {
            kind: ErrorKind::Input,
            message,
            errors,
        }
    }

    /// A usage problem (a bad flag value, an unknown environment).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Usage,
            message: message.into(),
            errors: Vec::new(),
        }
    }
}

/// An input file and the sha256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct InputDigest {
    pub file: String,
    /// Computed on another thread while the run goes on; it is waited for
    /// only where it is written (JSON, JUnit, the audit event), so a text
    /// report that shows no digest never waits for one.
    #[schemars(with = "String")]
    pub sha256: crate::inputs::file::Sha256Hex,
}

/// The decision record (`--format json` prints exactly this).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Decision {
    pub schema_version: u32,
    /// `check` or `evaluate`.
    pub command: &'static str,
    pub decision: Verdict,
    pub exit_code: u8,
    /// The audit event this decision is recorded as.
    pub event_type: EventType,
    /// The environment whose policy applied; `null` for the full checklist.
    pub env: Option<String>,
    /// The release version, where one was read.
    pub version: Option<String>,
    /// The commit asked about (`--sha`, or HEAD).
    pub sha: Option<String>,
    /// The commit being promoted: `sha` stepped back over commits that
    /// only add or change override files.
    pub release_commit: Option<String>,
    /// The locc artifact's identity hash, where one was read.
    pub identity_hash: Option<String>,
    /// The policy judged by: where it was read, REF's commit for a `git:`
    /// source, and the sha256 of its bytes; absent for the built-in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicySource>,
    pub findings: Vec<Finding>,
    pub overrides: Vec<OverrideReport>,
    /// The command that would lift a REQUIRE_OVERRIDE.
    pub suggested_override: Option<String>,
    /// Every input file read, with its sha256.
    pub inputs: Vec<InputDigest>,
    /// The eval metrics thresholds read: id → value.
    pub metrics: std::collections::BTreeMap<String, f64>,
    /// Where the decision was recorded, when an audit log is configured.
    pub audit: Option<crate::model::Appended>,
    /// Set when the exit code stands for an error rather than a verdict.
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<String>,
}

/// Where the policy of a decision came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PolicySource {
    /// `git:REF:PATH`, or the file's path.
    pub source: String,
    /// REF's commit, for a `git:` source.
    pub commit: Option<String>,
    /// Hex sha256 of the file's bytes.
    pub sha256: String,
}

impl PolicySource {
    /// The policy source of a loaded configuration (none for the defaults).
    pub fn of(config: &crate::inputs::config::ConfigFile) -> Option<Self> {
        let path = config.path.as_ref()?;
        Some(Self {
            source: config
                .trusted
                .as_ref()
                .map_or_else(|| crate::inputs::display(path), |t| t.source.clone()),
            commit: config.trusted.as_ref().and_then(|t| t.commit.clone()),
            sha256: config.sha256.clone().unwrap_or_default(),
        })
    }
}

impl Decision {
    fn empty(
        command: &'static str,
        env: Option<String>,
        decision: Verdict,
        event_type: EventType,
    ) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            command,
            exit_code: exit::code(
                exit::Command::named(command),
                exit::Ending::Verdict(decision),
            ),
            decision,
            event_type,
            env,
            version: None,
            sha: None,
            release_commit: None,
            identity_hash: None,
            findings: Vec::new(),
            overrides: Vec::new(),
            suggested_override: None,
            inputs: Vec::new(),
            metrics: Default::default(),
            audit: None,
            error: None,
            warnings: Vec::new(),
            policy: None,
        }
    }

    /// A `gate check` decision on findings: NO-GO when any failed.
    pub fn check(env: Option<String>, findings: Vec<Finding>) -> Self {
        let go = !findings.iter().any(|f| f.status == Status::Fail);
        let (verdict, event) = if go {
            (Verdict::Go, EventType::CheckGo)
        } else {
            (Verdict::NoGo, EventType::CheckNoGo)
        };
        Self {
            findings,
            ..Self::empty("check", env, verdict, event)
        }
    }

    /// A `gate check` that could not reach a verdict: NO-GO, exit 2.
    pub fn check_error(env: Option<String>, error: ErrorInfo) -> Self {
        Self {
            exit_code: exit::code(exit::Command::Check, exit::Ending::Error(error.kind)),
            error: Some(error),
            ..Self::empty("check", env, Verdict::NoGo, EventType::CheckNoGo)
        }
    }

    /// A `gate evaluate` decision on findings (overrides already applied).
    pub fn evaluate(env: String, findings: Vec<Finding>, overrides: Vec<OverrideReport>) -> Self {
        let failed = |a: Action| {
            findings
                .iter()
                .any(|f| f.status == Status::Fail && f.action == Some(a) && f.covered_by.is_none())
        };
        let verdict = if failed(Action::Block) {
            Verdict::Block
        } else if failed(Action::Override) {
            Verdict::RequireOverride
        } else {
            Verdict::Allow
        };
        let event = event_type(verdict, &findings, &overrides);
        Self {
            findings,
            overrides,
            ..Self::empty("evaluate", Some(env), verdict, event)
        }
    }

    /// A `gate evaluate` that could not trust its inputs: BLOCK, exit 1.
    pub fn evaluate_error(env: Option<String>, error: ErrorInfo) -> Self {
        Self {
            exit_code: exit::code(exit::Command::Evaluate, exit::Ending::Error(error.kind)),
            error: Some(error),
            ..Self::empty("evaluate", env, Verdict::Block, EventType::PromotionBlocked)
        }
    }

    /// The decision cannot be trusted to be recorded (or written): it
    /// becomes an error that does not proceed, keeping what it found.
    pub fn fail(&mut self, e: InputError) {
        let error = ErrorInfo::input(vec![e]);
        let env = self.env.clone();
        let mut failed = if self.command == "check" {
            Decision::check_error(env, error)
        } else {
            Decision::evaluate_error(env, error)
        };
        failed.findings = std::mem::take(&mut self.findings);
        failed.inputs = std::mem::take(&mut self.inputs);
        failed.version = self.version.take();
        failed.sha = self.sha.take();
        failed.release_commit = self.release_commit.take();
        failed.identity_hash = self.identity_hash.take();
        failed.overrides = std::mem::take(&mut self.overrides);
        failed.warnings = std::mem::take(&mut self.warnings);
        failed.audit = self.audit.take();
        *self = failed;
    }

    /// The failures that hold the release, in report order.
    pub fn hold_reasons(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.covered_by.is_none())
    }
}

/// The audit event for an evaluate verdict: for an override that was there
/// but could not lift, the most specific of expired, SHA rotated, rejected.
fn event_type(verdict: Verdict, findings: &[Finding], overrides: &[OverrideReport]) -> EventType {
    match verdict {
        Verdict::Allow if findings.iter().any(|f| f.covered_by.is_some()) => {
            EventType::OverrideUsed
        }
        Verdict::Allow | Verdict::Go => EventType::PromotionAllowed,
        Verdict::Block | Verdict::NoGo => EventType::PromotionBlocked,
        Verdict::RequireOverride => {
            let failed: Vec<&OverrideReport> = overrides
                .iter()
                .filter(|o| matches!(o.status, OverrideStatus::Rejected | OverrideStatus::Invalid))
                .collect();
            let kinds: Vec<FailureKind> = failed
                .iter()
                .flat_map(|o| o.failure_kinds.iter().copied())
                .collect();
            if failed.is_empty() {
                EventType::OverrideRequired
            } else if failed.iter().all(|o| o.status == OverrideStatus::Rejected)
                && kinds.iter().all(|k| *k == FailureKind::Expired)
            {
                EventType::OverrideExpired
            } else if kinds.contains(&FailureKind::ShaMismatch) {
                EventType::OverrideShaRotated
            } else {
                EventType::OverrideRejected
            }
        }
    }
}

/// The exact `gate override create` command that would lift `d`, when it is
/// a REQUIRE_OVERRIDE with a known artifact and release commit.
pub fn suggested_override(d: &Decision) -> Option<String> {
    if d.decision != Verdict::RequireOverride {
        return None;
    }
    let (env, sha, hash) = (
        d.env.as_ref()?,
        d.release_commit.as_ref()?,
        d.identity_hash.as_ref()?,
    );
    let ids: Vec<&str> = d
        .hold_reasons()
        .filter(|f| f.action == Some(Action::Override))
        .map(|f| f.id.as_str())
        .collect();
    Some(format!(
        "gate override create --env {env} --sha {sha} --identity-hash {hash} --leakage-types {} --approved-by <APPROVER> --reason \"<why this is safe to promote>\"",
        ids.join(",")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Kind;

    fn f(status: Status, action: Action) -> Finding {
        Finding {
            action: Some(action),
            ..Finding::new("x", "x", Kind::Leakage, status)
        }
    }

    #[test]
    fn check_any_failure_is_no_go_and_nothing_else_is() {
        let g = |s| Finding::new("x", "x", Kind::Auto, s);
        assert_eq!(
            Decision::check(None, vec![g(Status::Pass), g(Status::Na), g(Status::Warn)]).decision,
            Verdict::Go
        );
        assert_eq!(
            Decision::check(None, vec![g(Status::Pass), g(Status::Fail)]).decision,
            Verdict::NoGo
        );
    }

    #[test]
    fn evaluate_block_beats_override_beats_allow() {
        let d = |fs| Decision::evaluate("staging".into(), fs, vec![]);
        assert_eq!(
            d(vec![
                f(Status::Fail, Action::Override),
                f(Status::Fail, Action::Block)
            ])
            .decision,
            Verdict::Block
        );
        assert_eq!(
            d(vec![
                f(Status::Fail, Action::Override),
                f(Status::Pass, Action::Block)
            ])
            .decision,
            Verdict::RequireOverride
        );
        assert_eq!(
            d(vec![
                f(Status::Warn, Action::Warn),
                f(Status::Pass, Action::Block)
            ])
            .decision,
            Verdict::Allow
        );
        let mut covered = f(Status::Fail, Action::Override);
        covered.covered_by = Some("o.json".into());
        let allowed = d(vec![covered]);
        assert_eq!(
            (allowed.decision, allowed.event_type),
            (Verdict::Allow, EventType::OverrideUsed)
        );
        assert_eq!(allowed.exit_code, 0);
    }

    #[test]
    fn errors_never_proceed() {
        let c = Decision::check_error(None, ErrorInfo::usage("bad"));
        assert_eq!((c.decision, c.exit_code), (Verdict::NoGo, 2));
        let e = Decision::evaluate_error(None, ErrorInfo::usage("bad"));
        assert_eq!((e.decision, e.exit_code), (Verdict::Block, 1));
    }

    #[test]
    fn event_type_prefers_the_most_specific_override_failure() {
        let report = |kinds: Vec<FailureKind>| OverrideReport {
            path: "o".into(),
            sha256: None,
            status: OverrideStatus::Rejected,
            failures: vec![],
            failure_kinds: kinds,
            approved_by: vec![],
            requested_by: None,
            reason: None,
            expires_at: None,
            leakage_types: vec![],
            approvals: vec![],
        };
        let ev = |rs| {
            Decision::evaluate(
                "staging".into(),
                vec![f(Status::Fail, Action::Override)],
                rs,
            )
            .event_type
        };
        assert_eq!(ev(vec![]), EventType::OverrideRequired);
        assert_eq!(
            ev(vec![report(vec![FailureKind::Expired])]),
            EventType::OverrideExpired
        );
        assert_eq!(
            ev(vec![report(vec![
                FailureKind::Expired,
                FailureKind::ShaMismatch
            ])]),
            EventType::OverrideShaRotated
        );
        assert_eq!(
            ev(vec![report(vec![FailureKind::SelfApproval])]),
            EventType::OverrideRejected
        );
    }
}
