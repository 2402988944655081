//! `thresholds.<id>`: an eval metric within its bounds. Each reads a number
//! from a JSON file through an RFC 6901 pointer; a missing file, a missing
//! pointer, malformed JSON or a value that is not a number FAILs with the
//! reason.

use serde_json::Value;

use super::{not_applicable, Check, Finding, Given, Kind, Needs, Status};
use crate::inputs::config::ThresholdDef;

use crate::inputs::config::ConfigFile;
use crate::inputs::Inputs;
pub use crate::inputs::Metrics;
use crate::model::Refused;

fn fmt(v: f64) -> String {
    format!("{v}")
}

/// What the bounds ask, in words.
pub fn expected(def: &ThresholdDef) -> String {
    match (def.min, def.max) {
        (Some(lo), Some(hi)) => format!("between {} and {}", fmt(lo), fmt(hi)),
        (Some(lo), None) => format!(">= {}", fmt(lo)),
        (None, Some(hi)) => format!("<= {}", fmt(hi)),
        (None, None) => "a number".into(),
    }
}

/// Every configured threshold policy requires, each a finding.
pub struct Thresholds;

impl Thresholds {
    fn required<'a>(
        config: &'a ConfigFile,
        given: &'a Given,
    ) -> impl Iterator<Item = &'a ThresholdDef> {
        config
            .raw
            .thresholds
            .iter()
            .filter(|t| given.requires(&t.finding_id()))
    }
}

impl Check for Thresholds {
    fn ids(&self, config: &ConfigFile) -> Vec<String> {
        config
            .raw
            .thresholds
            .iter()
            .map(|t| t.finding_id())
            .collect()
    }
    fn kind(&self) -> Kind {
        Kind::Auto
    }
    fn wanted(&self, config: &ConfigFile, given: &Given) -> Vec<(String, Needs)> {
        // Each reads its metric file (see `Inputs::load`), and release.yaml
        // where it may be marked not applicable.
        Self::required(config, given)
            .map(|t| (t.finding_id(), Needs::default()))
            .collect()
    }
    fn run(&self, inputs: &Inputs, given: &Given) -> Vec<Finding> {
        Self::required(&inputs.config, given)
            .map(|t| {
                not_applicable(inputs, given, &t.finding_id(), t.id.get_ref())
                    .unwrap_or_else(|| judge(t, &inputs.metrics))
            })
            .collect()
    }
}

/// The value a threshold reads, or why there is none.
pub fn value(def: &ThresholdDef, metrics: &Metrics) -> Result<f64, Refused> {
    let doc = match metrics.get(&def.file) {
        Some(Ok(v)) => v,
        Some(Err(e)) => return Err(e.clone().into()),
        None => return Err(format!("{} was not read", def.file).into()),
    };
    let v = doc
        .pointer(&def.pointer)
        .ok_or_else(|| format!("{} has nothing at pointer `{}`", def.file, def.pointer))
        .map_err(Refused)?;
    match v {
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .ok_or_else(|| Refused(format!("`{}` is not a finite number", n))),
        other => Err(Refused(format!(
            "{}{} is {}, not a number",
            def.file,
            def.pointer,
            kind(other)
        ))),
    }
}

fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
        Value::Number(n) => n.to_string(),
    }
}

/// The finding for one threshold.
pub fn judge(def: &ThresholdDef, metrics: &Metrics) -> Finding {
    let id = def.finding_id();
    let want = expected(def);
    let title = format!("{} {want}", def.id.get_ref());
    let at = |f: Finding| f.at(def.file.clone(), None);
    match value(def, metrics) {
        Err(why) => at(Finding::new(id, title, Kind::Auto, Status::Fail))
            .message(why.clone())
            .expected_found(format!("{}{} {want}", def.file, def.pointer), why),
        Ok(v) => {
            let ok = def.min.is_none_or(|lo| v >= lo) && def.max.is_none_or(|hi| v <= hi);
            let status = if ok { Status::Pass } else { Status::Fail };
            let verdict = if ok { "within bounds" } else { "out of bounds" };
            at(Finding::new(id, title, Kind::Auto, status))
                .message(format!(
                    "{} = {} ({verdict}; {want})",
                    def.id.get_ref(),
                    fmt(v)
                ))
                .expected_found(want, fmt(v))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::config::ConfigFile;
    use std::path::Path;

    fn def(toml: &str) -> ThresholdDef {
        let c = ConfigFile::parse(Path::new("gate.toml"), toml, String::new()).unwrap();
        c.raw.thresholds[0].clone()
    }

    fn metrics(file: &str, json: &str) -> Metrics {
        let mut m = Metrics::new();
        m.insert(
            file.into(),
            serde_json::from_str(json).map_err(|e| e.to_string()),
        );
        m
    }

    #[test]
    fn the_governedspeed_gates() {
        let cases = [
            ("[[thresholds]]\nid = \"quality.pass_at_5\"\nfile = \"q.json\"\npointer = \"/pass_at_5\"\nmin = 0.82\n", "{\"pass_at_5\": 0.85}", Status::Pass),
            ("[[thresholds]]\nid = \"quality.pass_at_5\"\nfile = \"q.json\"\npointer = \"/pass_at_5\"\nmin = 0.82\n", "{\"pass_at_5\": 0.81}", Status::Fail),
            ("[[thresholds]]\nid = \"fairness.delta\"\nfile = \"q.json\"\npointer = \"/subgroups/delta\"\nmax = 0.05\n", "{\"subgroups\": {\"delta\": 0.05}}", Status::Pass),
            ("[[thresholds]]\nid = \"harm.rate\"\nfile = \"q.json\"\npointer = \"/rates/0\"\nmax = 0.005\n", "{\"rates\": [0.0051]}", Status::Fail),
            ("[[thresholds]]\nid = \"drift.psi\"\nfile = \"q.json\"\npointer = \"/psi\"\nmin = 0\nmax = 0.2\n", "{\"psi\": 0.1}", Status::Pass),
        ];
        for (toml, json, want) in cases {
            let f = judge(&def(toml), &metrics("q.json", json));
            assert_eq!(f.status, want, "{toml} {json}: {}", f.message);
            assert_eq!(f.kind, Kind::Auto);
        }
    }

    #[test]
    fn missing_file_pointer_or_number_fails_with_the_reason() {
        let d = def("[[thresholds]]\nid = \"q\"\nfile = \"q.json\"\npointer = \"/v\"\nmin = 1\n");
        let mut missing = Metrics::new();
        missing.insert("q.json".into(), Err("q.json not found".into()));
        for (m, why) in [
            (missing, "not found"),
            (metrics("q.json", "{\"w\": 1}"), "nothing at pointer `/v`"),
            (
                metrics("q.json", "{\"v\": \"0.9\"}"),
                "the string \"0.9\", not a number",
            ),
            (metrics("q.json", "{\"v\": null}"), "null, not a number"),
        ] {
            let f = judge(&d, &m);
            assert_eq!(f.status, Status::Fail);
            assert!(f.message.contains(why), "{}", f.message);
        }
    }

    #[test]
    fn bad_definitions_are_located() {
        let c = ConfigFile::parse(
            Path::new("gate.toml"),
            "[[thresholds]]\nid = \"a\"\nfile = \"f\"\npointer = \"v\"\n[[thresholds]]\nid = \"a\"\nfile = \"f\"\npointer = \"/v\"\nmin = 2\nmax = 1\n",
            String::new(),
        )
        .unwrap();
        let errs = c.threshold_errors();
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(
            msgs.iter().any(|m| m.contains("must start with `/`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("needs `min`, `max` or both")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("defined twice")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("min 2 is above max 1")),
            "{msgs:?}"
        );
        assert_eq!(errs[0].line, Some(2));
    }
}
