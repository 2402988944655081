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

use crate::decision::{Decision, ErrorInfo};
use crate::findings::{Action, Finding, Status};
use crate::outcome::{InitOutcome, OverrideOutcome};
use crate::overrides::OverrideStatus;

const PASS: Style = AnsiColor::Green.on_default().bold();
const FAIL: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

fn short(sha: &str) -> &str {
    crate::inputs::prefix(sha, 12)
}

/// The decision as the labelled checklist.
pub fn render(d: &Decision) -> String {
    let mut out = String::new();
    let verdict_style = if d.decision.proceeds() { PASS } else { FAIL };
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
    let _ = writeln!(out, "{BOLD}{}{BOLD:#}", header(d));
    for f in &d.findings {
        finding_line(&mut out, f);
    }
    if !d.overrides.is_empty() {
        let _ = writeln!(out, "\nOverrides:");
        for o in &d.overrides {
            let style = match o.status {
                OverrideStatus::Used => PASS,
                OverrideStatus::Unused => WARN,
                OverrideStatus::Rejected | OverrideStatus::Invalid => FAIL,
            };
            let word = format!("{:?}", o.status).to_lowercase();
            let by = if o.approved_by.is_empty() {
                String::new()
            } else {
                format!(" (approved by {})", o.approved_by.join(", "))
            };
            let _ = writeln!(out, "  {}: {style}{word}{style:#}{by}", o.path);
            for fl in &o.failures {
                let _ = writeln!(out, "    - {fl}");
            }
            out.push_str(&approval_lines(&o.approvals, "    "));
        }
    }
    let holds: Vec<&Finding> = d.hold_reasons().collect();
    if !holds.is_empty() {
        let title = if d.command == "check" {
            "Hold reasons"
        } else {
            "Blocking"
        };
        let _ = writeln!(out, "\n{title} ({}):", d.decision.word());
        for f in holds {
            let lift = match f.action {
                Some(Action::Override) if d.command != "check" => " [override can lift]",
                Some(Action::Block) if d.command != "check" => " [hard block]",
                _ => "",
            };
            let _ = writeln!(out, "  - {}: {}{lift}", f.title, f.message);
        }
    }
    if !d.warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings:");
        for w in &d.warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }
    if let Some(cmd) = &d.suggested_override {
        let _ = writeln!(out, "\nTo lift this, a release manager runs:\n  {cmd}");
    }
    let _ = writeln!(
        out,
        "\n{BOLD}Decision:{BOLD:#} {verdict_style}{}{verdict_style:#}",
        d.decision.word()
    );
    out
}

fn header(d: &Decision) -> String {
    let mut h = format!("gate {}", d.command);
    let mut parts = Vec::new();
    if let Some(v) = &d.version {
        parts.push(format!("version {v}"));
    }
    match &d.env {
        Some(e) => parts.push(format!("env {e}")),
        None => parts.push("full checklist".into()),
    }
    if d.command == "evaluate" {
        match (&d.sha, &d.release_commit) {
            (Some(s), Some(r)) if s != r => {
                parts.push(format!("sha {} (release commit {})", short(s), short(r)))
            }
            (Some(s), _) => parts.push(format!("sha {}", short(s))),
            _ => {}
        }
        if let Some(h) = &d.identity_hash {
            parts.push(format!("identity {h}"));
        }
    }
    let _ = write!(h, " — {}", parts.join(", "));
    h
}

/// The error lines for stderr: one per input problem.
pub fn errors(d: &Decision) -> String {
    error_info_lines(d.error.as_ref())
}

/// Error lines for stderr, one per problem.
pub fn error_info_lines(err: Option<&ErrorInfo>) -> String {
    let mut out = String::new();
    if let Some(err) = err {
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
        Status::Fail if f.covered_by.is_some() => WARN,
        Status::Fail => FAIL,
        Status::Warn => WARN,
        Status::Na => DIM,
    };
    let label = f.kind.label();
    let word = f.status.word();
    let lifted = f
        .covered_by
        .as_ref()
        .map(|o| format!(" (lifted by {o})"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{label:<12}{style}{word:<4}{style:#}  {} — {}{lifted}",
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

/// What an override command did, in words.
pub fn override_text(o: &OverrideOutcome) -> String {
    let mut out = String::new();
    if o.error.is_some() {
        let _ = writeln!(out, "{FAIL}refused{FAIL:#} ({})", o.command);
        return out;
    }
    match o.command {
        "override create" => {
            let path = o.path.as_deref().unwrap_or_default();
            if o.written {
                let _ = writeln!(out, "Override written: {path}");
                let _ = writeln!(out, "Commit this file, then re-run gate evaluate.");
            } else {
                let _ = writeln!(out, "Would write {path} (dry run):");
            }
            if let Some(d) = &o.data {
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(d).unwrap_or_default()
                );
            }
        }
        "override list" => {
            if o.overrides.is_empty() {
                let _ = writeln!(out, "No overrides found.");
            }
            for l in &o.overrides {
                let style = match l.status {
                    "active" => PASS,
                    "expired" => WARN,
                    _ => FAIL,
                };
                let _ = writeln!(
                    out,
                    "{style}{:<8}{style:#} {}  {}  {}  expires {}{}",
                    l.status,
                    l.path,
                    l.approved_by.join(","),
                    l.leakage_types.join(","),
                    l.expires_at.as_deref().unwrap_or("-"),
                    l.problem
                        .as_ref()
                        .map(|p| format!("  ({p})"))
                        .unwrap_or_default()
                );
            }
        }
        "override expire" => {
            let path = o.path.as_deref().unwrap_or_default();
            if o.written {
                let _ = writeln!(
                    out,
                    "Override expired: {path}\nCommit this change to withdraw it."
                );
            } else if o.warnings.is_empty() {
                let _ = writeln!(out, "Would expire {path} (dry run).");
            }
        }
        "override approve" => approve_text(&mut out, o),
        _ => {
            let path = o.path.as_deref().unwrap_or_default();
            if o.problems.is_empty() {
                let _ = writeln!(out, "{PASS}valid{PASS:#}: {path}");
            } else {
                let _ = writeln!(out, "{FAIL}invalid{FAIL:#}: {path}");
                for p in &o.problems {
                    let _ = writeln!(out, "  - {p}");
                }
            }
            out.push_str(&approval_lines(&o.approvals, "  "));
        }
    }
    for w in &o.warnings {
        let _ = writeln!(out, "{WARN}warning:{WARN:#} {w}");
    }
    out
}

/// `override approve`: the approval added (or that would be), and every
/// approval of the file judged.
fn approve_text(out: &mut String, o: &OverrideOutcome) {
    let path = o.path.as_deref().unwrap_or_default();
    let by = o
        .data
        .as_ref()
        .and_then(|d| d.approvals.last())
        .map_or("", |a| a.by.as_str());
    if o.written {
        let _ = writeln!(out, "Approval by {by} added: {path}");
        let _ = writeln!(out, "Commit this change, then re-run gate evaluate.");
    } else {
        let _ = writeln!(out, "Would add the approval by {by} to {path} (dry run).");
    }
    out.push_str(&approval_lines(&o.approvals, "  "));
}

/// Signed approvals, one line each: who, which key, and whether it counted
/// (and why not).
pub fn approval_lines(
    approvals: &[crate::overrides::signed::ApprovalReport],
    indent: &str,
) -> String {
    let mut out = String::new();
    if !approvals.is_empty() {
        let _ = writeln!(out, "{indent}approvals:");
    }
    for a in approvals {
        let key = a.key.as_deref().unwrap_or("no key");
        let _ = match a.failure {
            None => writeln!(
                out,
                "{indent}  {PASS}counted{PASS:#}      {}  {key}",
                a.by.escape_debug()
            ),
            Some(f) => writeln!(
                out,
                "{indent}  {FAIL}not counted{FAIL:#}  {}  {key}: {} ({})",
                a.by.escape_debug(),
                f.describe(),
                crate::overrides::signed::serde_name(f)
            ),
        };
    }
    out
}

/// The error lines of an override command, for stderr.
pub fn override_errors(o: &OverrideOutcome) -> String {
    error_info_lines(o.error.as_ref())
}

/// What `gate init` wrote and kept, its warnings, and what to do next.
pub fn init_text(o: &InitOutcome) -> String {
    let mut t = String::new();
    for w in &o.written {
        t.push_str(&format!("wrote {w}\n"));
    }
    for k in &o.kept {
        t.push_str(&format!("kept  {k} (it exists)\n"));
    }
    for w in &o.warnings {
        t.push_str(&format!("warning: {w}\n"));
    }
    if o.error.is_none() {
        t.push_str("Next: fill in release.yaml's attestations and run `gate check`; commit release.yaml, gate.toml, overrides/ and .gate/.gitignore before you tag the release.\n");
    }
    t
}
