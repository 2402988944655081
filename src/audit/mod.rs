//! The audit log: one canonical JSON object per line, each chained to the
//! one before by `prev_hash`, each sealed by `hash`.

pub mod event;
pub mod file;
pub mod keys;
pub mod line;
pub mod verify;
