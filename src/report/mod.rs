//! Reports: render one [`crate::decision::Decision`] value (and the
//! outcome of override commands). The library renders to strings; only the
//! binary writes them out.

pub mod audit;
pub mod github;
mod json;
pub mod junit;
pub mod markdown;
pub mod metrics;
pub mod schema;
mod text;

pub use json::{render as json, to_json};
pub use text::error_info_lines;
pub use text::errors as error_lines;
pub use text::init_text;
pub use text::override_errors;
pub use text::override_text;
pub use text::render as text;
