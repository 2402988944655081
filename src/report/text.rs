//! `--format text`: the labelled checklist.
//!
//! ```text
//! [AUTO]      PASS  CHANGELOG updated for this version — found "## [1.2.3]" at CHANGELOG.md:7
//! [AUTO]      FAIL  Tests passed in CI — CI status is 'failure', not 'success'
//!                   expected: 'success'
//!                   found:    'failure' (from --ci-status)
//! [ATTESTED]  PASS  Named approver signed off — Attested by Bob Lee
//!
//! Hold reasons (NO-GO):
//!   - Tests passed in CI: CI status is 'failure', not 'success'
//!
//! Decision: NO-GO
//! ```
//!
//! Styles are ANSI sequences; the binary's output stream drops them when
//! stdout is not a terminal or `NO_COLOR` is set.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::decision::{Decision, Verdict};
use crate::findings::{Finding, Status};

const PASS: Style = AnsiColor::Green.on_default().bold();
const FAIL: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

/// The decision as the labelled checklist.
pub fn render(d: &Decision) -> String {
    let mut out = String::new();
    if let Some(err) = &d.error {
        // The error itself goes to stderr (see `errors`); stdout keeps the verdict.
        let _ = writeln!(
            out,
            "{BOLD}Decision:{BOLD:#} {FAIL}{}{FAIL:#} ({} error)",
            d.decision.word(),
            err.kind
        );
        return out;
    }
    let mut header = format!("gate {}", d.command);
    if let Some(v) = &d.version {
        let _ = write!(header, " — version {v}");
    }
    match &d.env {
        Some(e) => {
            let _ = write!(header, ", env {e}");
        }
        None => header.push_str(", full checklist"),
    }
    let _ = writeln!(out, "{BOLD}{header}{BOLD:#}");
    for f in &d.findings {
        finding_line(&mut out, f);
    }
    let holds: Vec<&Finding> = d.hold_reasons().collect();
    if !holds.is_empty() {
        let _ = writeln!(out, "\nHold reasons ({}):", d.decision.word());
        for f in holds {
            let _ = writeln!(out, "  - {}: {}", f.title, f.message);
        }
    }
    if !d.warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings:");
        for w in &d.warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }
    let style = if d.decision == Verdict::Go {
        PASS
    } else {
        FAIL
    };
    let _ = writeln!(
        out,
        "\n{BOLD}Decision:{BOLD:#} {style}{}{style:#}",
        d.decision.word()
    );
    out
}

/// The error lines for stderr: one per input problem.
pub fn errors(d: &Decision) -> String {
    let mut out = String::new();
    if let Some(err) = &d.error {
        if err.errors.is_empty() {
            let _ = writeln!(out, "{FAIL}error:{FAIL:#} {}", err.message);
        }
        for e in &err.errors {
            let _ = writeln!(out, "{FAIL}error:{FAIL:#} {e}");
        }
    }
    out
}

fn finding_line(out: &mut String, f: &Finding) {
    let style = match f.status {
        Status::Pass => PASS,
        Status::Fail => FAIL,
        Status::Warn => WARN,
        Status::Na => DIM,
    };
    let label = f.kind.label();
    let word = f.status.word();
    let _ = writeln!(
        out,
        "{label:<12}{style}{word:<4}{style:#}  {} — {}",
        f.title, f.message
    );
    if matches!(f.status, Status::Fail | Status::Warn) {
        let pad = " ".repeat(18);
        let _ = writeln!(out, "{pad}{DIM}expected:{DIM:#} {}", f.expected);
        let _ = writeln!(out, "{pad}{DIM}found:{DIM:#}    {}", f.found);
        if f.locations.len() > 1
            || f.locations
                .first()
                .is_some_and(|l| !f.message.contains(&l.message))
        {
            for l in &f.locations {
                let at = l.line.map_or(l.file.clone(), |n| format!("{}:{n}", l.file));
                let _ = writeln!(out, "{pad}{at}: {}", l.message);
            }
        }
    }
}
