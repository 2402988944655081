//! The audit log's last line as the command read it under the append lock,
//! just before judging: the input of the `audit_chain` check.

/// What the audit log's last line says of the log a decision is written to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AuditTail {
    /// No audit log is configured.
    NotConfigured,
    /// The log could not be opened or locked; the decision fails on that
    /// error, so nothing is judged of it.
    #[default]
    Unread,
    /// The log (`log`, as shown) is new or empty.
    Empty { log: String },
    /// Its last line, `seq`, is complete and hashes to its `hash`.
    Intact { log: String, seq: u64 },
    /// Its last line is cut, edited, or sealed with a key not supplied.
    Broken { log: String, problem: String },
}
