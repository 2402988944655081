//! The receipt for an event recorded in the audit log.

/// Where an event landed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Appended {
    pub log: String,
    pub seq: u64,
    pub hash: String,
}
