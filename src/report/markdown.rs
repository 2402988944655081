//! `--format markdown`: a pull-request comment or GitHub step summary. The
//! decision, every finding with expected and found, the overrides used or
//! rejected, and the command that would lift a REQUIRE_OVERRIDE.

use std::fmt::Write;

use crate::decision::Decision;
use crate::findings::{Finding, Status};

/// Escapes a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn mark(f: &Finding) -> &'static str {
    match (f.status, f.covered_by.is_some()) {
        (Status::Pass, _) => "✅ PASS",
        (Status::Fail, true) => "🟡 FAIL (lifted)",
        (Status::Fail, false) => "❌ FAIL",
        (Status::Warn, _) => "⚠️ WARN",
        (Status::Na, _) => "➖ NA",
    }
}

/// The decision as markdown.
pub fn render(d: &Decision) -> String {
    let mut out = String::new();
    let icon = if d.decision.proceeds() { "✅" } else { "❌" };
    let env = d
        .env
        .as_deref()
        .map(|e| format!(" — `{e}`"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "## {icon} gate {}: **{}**{env}\n",
        d.command,
        d.decision.word()
    );
    facts(&mut out, d);
    if let Some(e) = &d.error {
        let _ = writeln!(out, "> **{} error:** {}\n", e.kind, cell(&e.message));
        for x in e.errors.iter().skip(1) {
            let _ = writeln!(out, "> {}", cell(&x.to_string()));
        }
    }
    if !d.findings.is_empty() {
        let _ = writeln!(out, "| | status | check | detail |\n|---|---|---|---|");
        for f in &d.findings {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                f.kind.label(),
                mark(f),
                cell(&f.title),
                cell(&f.message)
            );
        }
        expected_found(&mut out, d);
    }
    overrides(&mut out, d);
    if let Some(cmd) = &d.suggested_override {
        let _ = writeln!(
            out,
            "\n### To lift this\n\nA release manager runs:\n\n```sh\n{cmd}\n```"
        );
    }
    if !d.warnings.is_empty() {
        let _ = writeln!(out, "\n### Warnings\n");
        for w in &d.warnings {
            let _ = writeln!(out, "- {}", w.replace('\n', " "));
        }
    }
    out
}

/// The line of facts: version, commits, identity, audit receipt.
fn facts(out: &mut String, d: &Decision) {
    let mut facts = Vec::new();
    if let Some(v) = &d.version {
        facts.push(format!("version `{v}`"));
    }
    if let Some(s) = &d.sha {
        facts.push(format!("sha `{}`", crate::inputs::prefix(s, 12)));
    }
    if let Some(r) = d
        .release_commit
        .as_ref()
        .filter(|r| Some(*r) != d.sha.as_ref())
    {
        facts.push(format!("release commit `{}`", crate::inputs::prefix(r, 12)));
    }
    if let Some(h) = &d.identity_hash {
        facts.push(format!("identity `{}`", crate::inputs::prefix(h, 16)));
    }
    if let Some(a) = &d.audit {
        facts.push(format!("audit `{}` seq {}", a.log, a.seq));
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "{}\n", facts.join(" · "));
    }
}

/// For each failure or warning, what was expected and what was found.
fn expected_found(out: &mut String, d: &Decision) {
    let failed: Vec<&Finding> = d
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Warn))
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\n### What was expected, what was found\n");
        let _ = writeln!(
            out,
            "| check | expected | found | where | action |\n|---|---|---|---|---|"
        );
        for f in failed {
            let at = match (&f.file, f.line) {
                (Some(file), Some(l)) => format!("`{file}:{l}`"),
                (Some(file), None) => format!("`{file}`"),
                _ => String::new(),
            };
            let action = match (&f.covered_by, f.action) {
                (Some(o), _) => format!("lifted by `{o}`"),
                (None, Some(a)) => format!("{a:?}").to_lowercase(),
                (None, None) => String::new(),
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {at} | {action} |",
                f.id,
                cell(&f.expected),
                cell(&f.found)
            );
        }
    }
}

/// The override files considered, and why each could not lift.
fn overrides(out: &mut String, d: &Decision) {
    if !d.overrides.is_empty() {
        let _ = writeln!(out, "\n### Overrides\n");
        let _ = writeln!(out, "| file | status | approved by | reason | expires | why not |\n|---|---|---|---|---|---|");
        for o in &d.overrides {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} |",
                o.path,
                format!("{:?}", o.status).to_lowercase(),
                cell(&o.approved_by.join(", ")),
                cell(o.reason.as_deref().unwrap_or("")),
                cell(o.expires_at.as_deref().unwrap_or("")),
                cell(&o.failures.join("; "))
            );
        }
        approvals(out, d);
    }
}

/// Signed approvals: who, which key, whether each counted and why not.
fn approvals(out: &mut String, d: &Decision) {
    let signed: Vec<_> = d
        .overrides
        .iter()
        .filter(|o| !o.approvals.is_empty())
        .collect();
    if signed.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n#### Signed approvals\n");
    let _ = writeln!(
        out,
        "| file | by | key | counted | why not |\n|---|---|---|---|---|"
    );
    for o in signed {
        for a in &o.approvals {
            let why = a.failure.map_or(String::new(), |f| {
                format!(
                    "{} (`{}`)",
                    f.describe(),
                    crate::overrides::signed::serde_name(f)
                )
            });
            let _ = writeln!(
                out,
                "| `{}` | {} | `{}` | {} | {} |",
                o.path,
                cell(&a.by),
                a.key.as_deref().unwrap_or("-"),
                if a.counted { "yes" } else { "no" },
                cell(&why)
            );
        }
    }
}
