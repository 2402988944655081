//! `audit_chain`: the audit log the decision is written to checks out
//! before appending. Its last line was read under the append lock just
//! before judging ([`AuditTail`]); a bad tail never lets a decision proceed
//! (policy makes its failure a BLOCK whatever gate.toml says).

use super::{Check, Finding, Given, Kind, Needs, Status, AUDIT_CHAIN};
use crate::inputs::config::ConfigFile;
use crate::inputs::Inputs;
use crate::model::AuditTail;

pub struct AuditChain;

const TITLE: &str = "Audit log checks out before appending";
const EXPECTED: &str = "the last line complete, hashing to its `hash`, under a supplied key";

impl Check for AuditChain {
    fn ids(&self, _: &ConfigFile) -> Vec<String> {
        vec![AUDIT_CHAIN.to_string()]
    }
    fn kind(&self) -> Kind {
        Kind::Auto
    }
    fn wanted(&self, _: &ConfigFile, _: &Given) -> Vec<(String, Needs)> {
        // The command reads the log's tail itself, under the append lock.
        Vec::new()
    }
    /// Judged wherever a log is configured, required or not: a decision is
    /// never written past a log that does not check out. Where none is, NA
    /// if required.
    fn run(&self, inputs: &Inputs, given: &Given) -> Vec<Finding> {
        let f = |status| Finding::new(AUDIT_CHAIN, TITLE, Kind::Auto, status);
        let finding = match &inputs.audit {
            AuditTail::Unread => return Vec::new(),
            AuditTail::NotConfigured if !given.requires(AUDIT_CHAIN) => return Vec::new(),
            AuditTail::NotConfigured => f(Status::Na)
                .message("no audit log configured (--audit-log, or [audit] log in gate.toml)")
                .expected_found("the audit log's last line to check out", "no audit log"),
            AuditTail::Empty { log } => f(Status::Pass)
                .message(format!("{log} is new or empty"))
                .expected_found(EXPECTED, "an empty log"),
            AuditTail::Intact { log, seq } => f(Status::Pass)
                .message(format!("the last line of {log} (seq {seq}) checks out"))
                .expected_found(EXPECTED, format!("seq {seq} checks out")),
            AuditTail::Broken { log, problem } => f(Status::Fail)
                .message(format!("{log}: {problem}"))
                .expected_found(EXPECTED, problem.clone())
                .at(log.clone(), None),
        };
        vec![finding]
    }
}
