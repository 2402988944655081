//! Vocabulary the pipeline's stages share and no stage owns: values with no
//! I/O, which any stage may import.

pub mod audit_tail;
pub mod error;
pub mod finding;
pub mod needs;
pub mod receipt;

pub use audit_tail::AuditTail;
pub use error::Refused;
pub use finding::{Action, Finding, Kind, Location, Status};
pub use needs::Needs;
pub use receipt::Appended;
