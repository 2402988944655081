//! `--format json`: the decision record, pretty-printed, one value.

use crate::decision::Decision;

/// The decision as JSON (with a trailing newline).
pub fn render(decision: &Decision) -> String {
    // Serialising plain data with string keys cannot fail.
    let mut s = serde_json::to_string_pretty(decision)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
