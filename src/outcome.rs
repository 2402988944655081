//! What the init, override and audit commands did: values the commands build and
//! the reports render, so neither imports the other.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::audit::verify::{Anchor, Report};
use crate::decision::{exit, ErrorInfo};
use crate::inputs::override_file::OverrideData;
use crate::model::Appended;

/// What an override command did, for either report format.
#[derive(Debug, Clone, Serialize)]
pub struct OverrideOutcome {
    /// `override create`, `override list`, ...
    pub command: &'static str,
    pub exit_code: u8,
    /// The file written, expired or validated.
    pub path: Option<String>,
    /// Whether a file was written.
    pub written: bool,
    /// The override's contents, where there is one.
    #[serde(rename = "override")]
    pub data: Option<OverrideData>,
    /// `override list`: every file with its status.
    pub overrides: Vec<Listed>,
    /// `override validate`: why the file is not valid.
    pub problems: Vec<String>,
    /// `override validate`, where approvals are signed: each approval,
    /// its key, and whether it counts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<crate::overrides::signed::ApprovalReport>,
    /// Where the change was recorded, when an audit log is configured.
    pub audit: Option<Appended>,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<String>,
}

/// One line of `override list`.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub path: String,
    /// `active`, `expired` or `invalid`.
    pub status: &'static str,
    pub scope: Option<String>,
    pub approved_by: Vec<String>,
    pub leakage_types: Vec<String>,
    pub expires_at: Option<String>,
    pub problem: Option<String>,
}

impl OverrideOutcome {
    pub(crate) fn new(command: &'static str) -> Self {
        Self {
            command,
            exit_code: exit::code(exit::Command::Override, exit::Ending::Done),
            path: None,
            written: false,
            data: None,
            overrides: Vec::new(),
            problems: Vec::new(),
            approvals: Vec::new(),
            audit: None,
            error: None,
            warnings: Vec::new(),
        }
    }

    pub(crate) fn refused(command: &'static str, error: ErrorInfo) -> Self {
        Self {
            exit_code: exit::code(exit::Command::Override, exit::Ending::Error(error.kind)),
            error: Some(error),
            ..Self::new(command)
        }
    }
}

/// What an audit command found, for either report format.
#[derive(Debug, Clone, Serialize)]
pub struct AuditOutcome {
    /// `audit verify`, `audit head`, ...
    pub command: &'static str,
    pub exit_code: u8,
    pub log: Option<String>,
    /// `intact, anchored`, `intact, unanchored`, or `broken`.
    pub status: Option<String>,
    /// `verify` and `report`: the chain's state.
    pub verify: Option<Report>,
    /// `head`: the anchor to keep.
    pub head: Option<Anchor>,
    /// `show`: the events.
    pub events: Vec<Value>,
    /// `report`: the evidence summary.
    pub summary: Option<Summary>,
    /// `repair`: what was moved aside and the event recorded.
    pub repaired: Option<Repaired>,
    /// `adopt-key`: the AUDIT_KEY_ADOPTED event recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adopted: Option<Appended>,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<String>,
}

/// What `repair` did.
#[derive(Debug, Clone, Serialize)]
pub struct Repaired {
    /// Where the torn bytes were moved; `None` when the last line was
    /// completed instead.
    pub side_file: Option<String>,
    pub bytes: u64,
    /// A whole last event that only lacked its newline, completed in place.
    pub completed_seq: Option<u64>,
    pub event: Appended,
}

/// The evidence summary of `gate audit report`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub first: Option<String>,
    pub last: Option<String>,
    pub events: u64,
    /// env → decision (or event type) → count.
    pub per_env: BTreeMap<String, BTreeMap<String, u64>>,
    pub overrides_used: Vec<OverrideUse>,
}

/// One promotion an override lifted.
#[derive(Debug, Clone, Serialize)]
pub struct OverrideUse {
    pub ts: Option<String>,
    pub env: Option<String>,
    pub sha: Option<String>,
    pub path: Option<String>,
    pub approved_by: Vec<String>,
    pub reason: Option<String>,
    pub expires_at: Option<String>,
}

impl AuditOutcome {
    pub(crate) fn new(command: &'static str, log: Option<String>) -> Self {
        Self {
            command,
            exit_code: exit::code(exit::Command::Audit, exit::Ending::Done),
            log,
            status: None,
            verify: None,
            head: None,
            events: Vec::new(),
            summary: None,
            repaired: None,
            adopted: None,
            error: None,
            warnings: Vec::new(),
        }
    }

    pub(crate) fn failed(command: &'static str, error: ErrorInfo) -> Self {
        Self {
            exit_code: exit::code(exit::Command::Audit, exit::Ending::Error(error.kind)),
            error: Some(error),
            ..Self::new(command, None)
        }
    }
}

/// What `init` did with each file.
#[derive(Debug, Clone, Serialize)]
pub struct InitOutcome {
    pub exit_code: u8,
    /// Files written.
    pub written: Vec<String>,
    /// Files that existed and were left as they were.
    pub kept: Vec<String>,
    /// What was detected, or could not be.
    pub warnings: Vec<String>,
    pub error: Option<String>,
}
