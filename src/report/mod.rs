//! Reports: render one [`crate::decision::Decision`] value. The library
//! renders to strings; only the binary writes them out.

mod json;
mod text;

pub use json::render as json;
pub use text::errors as error_lines;
pub use text::render as text;
