//! GitHub Actions: workflow-command annotations (`::error`, `::warning`,
//! `::notice`) with file and line where a finding has them. They go to
//! stderr, which the runner reads as well, so stdout stays the report.

use std::fmt::Write;

use crate::decision::Decision;
use crate::findings::Status;

/// Escapes a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property.
fn prop(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The annotations for a decision.
pub fn annotations(d: &Decision) -> String {
    let mut out = String::new();
    for f in &d.findings {
        let level = match (f.status, &f.covered_by) {
            (Status::Fail, None) => "error",
            (Status::Fail, Some(_)) | (Status::Warn, _) => "warning",
            _ => continue,
        };
        let mut props = vec![format!(
            "title={}",
            prop(&format!("gate {}: {}", f.id, f.title))
        )];
        if let Some(file) = &f.file {
            props.push(format!("file={}", prop(file)));
            if let Some(l) = f.line {
                props.push(format!("line={l}"));
            }
        }
        let lifted = f
            .covered_by
            .as_ref()
            .map(|o| format!(" (lifted by {o})"))
            .unwrap_or_default();
        let msg = format!(
            "{}{lifted} — expected {}; found {}",
            f.message, f.expected, f.found
        );
        let _ = writeln!(out, "::{level} {}::{}", props.join(","), data(&msg));
    }
    if let Some(e) = &d.error {
        let _ = writeln!(
            out,
            "::error title=gate {}::{}",
            prop(d.command),
            data(&e.message)
        );
    }
    let level = if d.decision.proceeds() {
        "notice"
    } else {
        "error"
    };
    let _ = writeln!(
        out,
        "::{level} title=gate {}::{}",
        prop(d.command),
        data(&format!("decision {}", d.decision.word()))
    );
    out
}
