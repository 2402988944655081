//! `--metrics-out FILE`: the decision in Prometheus text format, for
//! node_exporter's textfile collector.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::decision::Decision;

fn label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The decision's metrics. `values` are the eval metrics thresholds read
/// (id → value).
pub fn render(d: &Decision, values: &BTreeMap<String, f64>) -> String {
    let mut out = String::new();
    let env = label(d.env.as_deref().unwrap_or(""));
    let cmd = d.command;
    let _ = writeln!(
        out,
        "# HELP gate_decision The last decision: 1 for the verdict reached."
    );
    let _ = writeln!(out, "# TYPE gate_decision gauge");
    for v in ["GO", "NO-GO", "ALLOW", "BLOCK", "REQUIRE_OVERRIDE"] {
        let matches = match cmd {
            "check" => matches!(v, "GO" | "NO-GO"),
            _ => matches!(v, "ALLOW" | "BLOCK" | "REQUIRE_OVERRIDE"),
        };
        if matches {
            let on = u8::from(d.decision.word() == v);
            let _ = writeln!(
                out,
                "gate_decision{{command=\"{cmd}\",env=\"{env}\",decision=\"{v}\"}} {on}"
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP gate_exit_code The exit code of the last decision."
    );
    let _ = writeln!(out, "# TYPE gate_exit_code gauge");
    let _ = writeln!(
        out,
        "gate_exit_code{{command=\"{cmd}\",env=\"{env}\"}} {}",
        d.exit_code
    );
    let _ = writeln!(
        out,
        "# HELP gate_findings Findings of the last decision by status."
    );
    let _ = writeln!(out, "# TYPE gate_findings gauge");
    for s in ["PASS", "FAIL", "NA", "WARN"] {
        let n = d.findings.iter().filter(|f| f.status.word() == s).count();
        let _ = writeln!(
            out,
            "gate_findings{{command=\"{cmd}\",env=\"{env}\",status=\"{s}\"}} {n}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP gate_finding_failed 1 when the finding failed and nothing lifted it."
    );
    let _ = writeln!(out, "# TYPE gate_finding_failed gauge");
    for f in &d.findings {
        let failed = u8::from(f.status == crate::findings::Status::Fail && f.covered_by.is_none());
        let _ = writeln!(
            out,
            "gate_finding_failed{{command=\"{cmd}\",env=\"{env}\",id=\"{}\"}} {failed}",
            label(&f.id)
        );
    }
    if !values.is_empty() {
        let _ = writeln!(
            out,
            "# HELP gate_metric_value Eval metrics read by thresholds."
        );
        let _ = writeln!(out, "# TYPE gate_metric_value gauge");
        for (id, v) in values {
            let _ = writeln!(
                out,
                "gate_metric_value{{env=\"{env}\",id=\"{}\"}} {v}",
                label(id)
            );
        }
    }
    out
}
