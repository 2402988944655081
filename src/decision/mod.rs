//! The decision: one value that every report format renders and the audit
//! log records.

use serde::Serialize;

use crate::findings::{Finding, Status};
use crate::inputs::error::InputError;

/// The version of the decision JSON's shape. Fields are only ever added
/// within a version.
pub const SCHEMA_VERSION: u32 = 1;

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// `gate check`: release may go.
    #[serde(rename = "GO")]
    Go,
    /// `gate check`: release is held.
    #[serde(rename = "NO-GO")]
    NoGo,
}

impl Verdict {
    /// The word printed in reports.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Go => "GO",
            Verdict::NoGo => "NO-GO",
        }
    }

    /// Whether the release may proceed.
    pub fn proceeds(self) -> bool {
        matches!(self, Verdict::Go)
    }
}

/// Why a command could not reach a verdict on its inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorInfo {
    /// `input` (a file that cannot be read or validated) or `usage`.
    pub kind: &'static str,
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
            kind: "input",
            message,
            errors,
        }
    }

    /// A usage problem (a bad flag value, an unknown environment).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            kind: "usage",
            message: message.into(),
            errors: Vec::new(),
        }
    }
}

/// An input file and the sha256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputDigest {
    pub file: String,
    pub sha256: String,
}

/// The decision record (`--format json` prints exactly this).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub schema_version: u32,
    /// `check`.
    pub command: &'static str,
    pub decision: Verdict,
    pub exit_code: u8,
    /// The environment whose policy applied; `null` for the full checklist.
    pub env: Option<String>,
    /// The release version, where one was read.
    pub version: Option<String>,
    /// The HEAD commit, where the repository was read.
    pub sha: Option<String>,
    pub findings: Vec<Finding>,
    /// Every input file read, with its sha256.
    pub inputs: Vec<InputDigest>,
    /// Set when the exit code stands for an error rather than a verdict.
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<String>,
}

/// The `gate check` verdict: NO-GO when any finding failed.
pub fn check_verdict(findings: &[Finding]) -> Verdict {
    if findings.iter().any(|f| f.status == Status::Fail) {
        Verdict::NoGo
    } else {
        Verdict::Go
    }
}

/// `gate check` exit codes.
pub mod exit {
    /// GO.
    pub const GO: u8 = 0;
    /// NO-GO.
    pub const NO_GO: u8 = 1;
    /// A manifest, config or usage error.
    pub const ERROR: u8 = 2;
}

impl Decision {
    /// A `gate check` decision on findings.
    pub fn check(env: Option<String>, findings: Vec<Finding>) -> Self {
        let decision = check_verdict(&findings);
        Self {
            schema_version: SCHEMA_VERSION,
            command: "check",
            exit_code: if decision.proceeds() {
                exit::GO
            } else {
                exit::NO_GO
            },
            decision,
            env,
            version: None,
            sha: None,
            findings,
            inputs: Vec::new(),
            error: None,
            warnings: Vec::new(),
        }
    }

    /// A `gate check` that could not reach a verdict: NO-GO, exit 2.
    pub fn check_error(env: Option<String>, error: ErrorInfo) -> Self {
        Self {
            decision: Verdict::NoGo,
            exit_code: exit::ERROR,
            error: Some(error),
            ..Self::check(env, Vec::new())
        }
    }

    /// The failed findings, in report order.
    pub fn hold_reasons(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.status == Status::Fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Kind;

    #[test]
    fn any_failure_is_no_go_and_nothing_else_is() {
        let f = |s| Finding::new("x", "x", Kind::Auto, s);
        assert_eq!(
            check_verdict(&[f(Status::Pass), f(Status::Na), f(Status::Warn)]),
            Verdict::Go
        );
        assert_eq!(
            check_verdict(&[f(Status::Pass), f(Status::Fail)]),
            Verdict::NoGo
        );
        assert_eq!(check_verdict(&[]), Verdict::Go);
    }

    #[test]
    fn an_error_is_never_go() {
        let d = Decision::check_error(None, ErrorInfo::usage("bad"));
        assert_eq!((d.decision, d.exit_code), (Verdict::NoGo, 2));
    }
}
