//! Text and markdown for `gate audit` commands.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::outcome::AuditOutcome;

const PASS: Style = AnsiColor::Green.on_default().bold();
const FAIL: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();

/// What an audit command found, in words.
pub fn text(o: &AuditOutcome) -> String {
    let mut out = String::new();
    if o.error.is_some() {
        return out; // the error goes to stderr
    }
    let log = o.log.as_deref().unwrap_or_default();
    match o.command {
        "audit verify" => verdict(&mut out, o, log),
        "audit head" => {
            if let Some(h) = &o.head {
                let _ = writeln!(out, "{}:{}", h.seq, h.hash);
            }
        }
        "audit repair" => match o.repaired.as_ref().map(|r| (r, &r.side_file)) {
            Some((r, Some(side))) => {
                let _ = writeln!(
                    out,
                    "Moved {} torn byte(s) to {side}; recorded AUDIT_REPAIRED as seq {} in {log}.",
                    r.bytes, r.event.seq
                );
            }
            Some((r, None)) => {
                let _ = writeln!(
                        out,
                        "The last event (seq {}) was whole but for its newline: completed it; recorded AUDIT_REPAIRED as seq {} in {log}.",
                        r.completed_seq.unwrap_or_default(),
                        r.event.seq
                    );
            }
            None => {}
        },
        "audit adopt-key" => {
            if let Some(a) = &o.adopted {
                let _ = writeln!(
                    out,
                    "Recorded AUDIT_KEY_ADOPTED as seq {} in {log}: from here on the log is keyed.",
                    a.seq
                );
            }
        }
        "audit push" | "audit pull" => {
            if let Some(st) = &o.status {
                let _ = writeln!(out, "{st}");
            }
        }
        "audit show" => {
            for e in &o.events {
                let s = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or("-").to_string();
                let seq = e.get("seq").map_or("-".to_string(), |v| v.to_string());
                let sha = s("sha");
                let _ = writeln!(
                    out,
                    "{seq:>6}  {}  {:<20} {:<8} {:<16} {}  {}",
                    s("ts"),
                    s("event_type"),
                    s("env"),
                    s("decision"),
                    crate::inputs::prefix(&sha, 12),
                    s("actor")
                );
            }
            if o.events.is_empty() {
                let _ = writeln!(out, "No events match.");
            }
        }
        _ => {
            let _ = write!(out, "{}", markdown(o));
        }
    }
    for w in &o.warnings {
        let _ = writeln!(out, "{WARN}warning:{WARN:#} {w}");
    }
    out
}

fn verdict(out: &mut String, o: &AuditOutcome, log: &str) {
    let Some(r) = &o.verify else { return };
    match &r.problem {
        None => {
            let head = r.head.as_ref().map_or("no events".to_string(), |h| {
                format!("head {}:{}", h.seq, h.hash)
            });
            let how = if r.anchored {
                "intact, anchored"
            } else {
                "intact, unanchored"
            };
            let keyed = r
                .keyed_from
                .map(|s| format!(", keyed from seq {s} (the lines before are sealed by its MAC)"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{PASS}{how}{PASS:#}: {log}: {} event(s), {head}{keyed}",
                r.events
            );
            if !r.anchored {
                let _ = writeln!(out, "A hash chain cannot show on its own that its tail was cut or the whole chain rewritten: keep `gate audit head` somewhere the writer cannot change and pass it as --expect-head.");
            }
        }
        Some(p) => {
            let seq = p.seq.map(|s| format!(" (seq {s})")).unwrap_or_default();
            let _ = writeln!(
                out,
                "{FAIL}{}{FAIL:#}: {log}: line {}{seq}: {}",
                p.class.word(),
                p.line,
                p.message
            );
            let _ = writeln!(out, "{} event(s) before it check out.", r.events);
        }
    }
}

/// `gate audit report` as markdown.
pub fn markdown(o: &AuditOutcome) -> String {
    let mut out = String::new();
    let log = o.log.as_deref().unwrap_or_default();
    let _ = writeln!(out, "# Audit report: `{log}`\n");
    if let Some(s) = &o.summary {
        let period = match (&s.first, &s.last) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            _ => "no events".into(),
        };
        let _ = writeln!(out, "- **Period:** {period} ({} event(s))", s.events);
    }
    if let Some(r) = &o.verify {
        let chain = match &r.problem {
            None => format!(
                "{} ({} event(s){})",
                if r.anchored {
                    "intact, anchored"
                } else {
                    "intact, unanchored"
                },
                r.events,
                r.head
                    .as_ref()
                    .map(|h| format!(", head `{}:{}`", h.seq, h.hash))
                    .unwrap_or_default()
            ),
            Some(p) => format!("**{}** at line {}: {}", p.class.word(), p.line, p.message),
        };
        let _ = writeln!(out, "- **Chain:** {chain}");
    }
    if let Some(s) = &o.summary {
        per_env(&mut out, s);
        overrides_used(&mut out, s);
    }
    out
}

/// Decisions per environment, a column per decision.
fn per_env(out: &mut String, s: &crate::outcome::Summary) {
    let mut cols: Vec<&String> = s.per_env.values().flat_map(|m| m.keys()).collect();
    cols.sort();
    cols.dedup();
    let _ = writeln!(out, "\n## Decisions per environment\n");
    if s.per_env.is_empty() {
        let _ = writeln!(out, "None.");
    } else {
        let _ = writeln!(
            out,
            "| environment | {} |",
            cols.iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(out, "|---|{}", "---|".repeat(cols.len()));
        for (env, counts) in &s.per_env {
            let row: Vec<String> = cols
                .iter()
                .map(|c| counts.get(*c).copied().unwrap_or(0).to_string())
                .collect();
            let _ = writeln!(out, "| {env} | {} |", row.join(" | "));
        }
    }
}

/// Every promotion an override lifted.
fn overrides_used(out: &mut String, s: &crate::outcome::Summary) {
    let _ = writeln!(out, "\n## Overrides used\n");
    if s.overrides_used.is_empty() {
        let _ = writeln!(out, "None.");
    } else {
        let _ = writeln!(
            out,
            "| when | environment | commit | approved by | reason | expires | file |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|");
        for u in &s.overrides_used {
            let cell = |v: &Option<String>| v.clone().unwrap_or_default().replace('|', "\\|");
            let sha = cell(&u.sha);
            let _ = writeln!(
                out,
                "| {} | {} | `{}` | {} | {} | {} | `{}` |",
                cell(&u.ts),
                cell(&u.env),
                crate::inputs::prefix(&sha, 12),
                u.approved_by.join(", ").replace('|', "\\|"),
                cell(&u.reason),
                cell(&u.expires_at),
                cell(&u.path)
            );
        }
    }
}
