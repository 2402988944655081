//! `--format json`: one value, pretty-printed.

use serde::Serialize;

use crate::decision::Decision;

/// The decision as JSON (with a trailing newline).
pub fn render(decision: &Decision) -> String {
    to_json(decision)
}

/// Any report value as JSON (with a trailing newline).
pub fn to_json<T: Serialize>(value: &T) -> String {
    // Plain data with string keys: serialising it cannot fail.
    let mut s =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
