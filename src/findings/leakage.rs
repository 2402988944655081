//! LEAKAGE findings, derived from the locc artifact: what locc let through.
//!
//! - `pii`: a PII signal in any reason (email, ssn, phone, address, dob,
//!   date of birth, social security, credit card, pii; case-insensitive
//!   substrings, as llm-release-governor matches them), or an email, SSN or
//!   phone-number pattern in any reason or diff value.
//! - `schema`: any diff whose change is `missing`, `type_changed` or
//!   `enum_drift`.
//! - `policy`: the artifact's status (or, where the environment allows no
//!   diffs, any diff) violates the environment's rule.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use super::{Check, Finding, Given, Kind, Location, Needs, Status};
use crate::inputs::config::ConfigFile;
use crate::inputs::locc::{LoccArtifact, LoccStatus};
use crate::inputs::Inputs;

/// Words in a reason that signal PII. "pii" itself is one: locc reports
/// "PII detected in record".
pub const PII_KEYWORDS: &[&str] = &[
    "email",
    "ssn",
    "phone",
    "address",
    "dob",
    "date of birth",
    "social security",
    "credit card",
    "pii",
];

/// The patterns, each with what it finds.
const PATTERNS: [(&str, &str); 3] = [
    (
        "an email address",
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    ),
    ("an SSN", r"\b\d{3}-\d{2}-\d{4}\b"),
    (
        "a phone number",
        r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b",
    ),
];

/// The patterns compiled for any text (`\d`, `\s` and `\b` in Unicode's
/// sense), or with `ascii` for ASCII text alone, where both readings match
/// alike and the ASCII one compiles several times faster. Each is compiled
/// once, when first needed.
fn patterns(ascii: bool) -> &'static [(&'static str, Regex)] {
    static UNICODE: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
    static ASCII: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
    let (cell, flags) = if ascii {
        (&ASCII, "(?-u)")
    } else {
        (&UNICODE, "")
    };
    cell.get_or_init(|| {
        PATTERNS
            .into_iter()
            // The patterns are constants, checked by the tests below.
            .filter_map(|(what, re)| Regex::new(&format!("{flags}{re}")).ok().map(|r| (what, r)))
            .collect()
    })
}

/// The leakage finding ids, in report order: the one list of them.
pub const IDS: [&str; 3] = ["pii", "schema", "policy"];

/// The leakage findings the locc rule requires, judged on the artifact
/// (read by `gate evaluate`; `gate check` has none and judges none).
pub struct Leakage;

impl Check for Leakage {
    fn ids(&self, _: &ConfigFile) -> Vec<String> {
        IDS.map(String::from).to_vec()
    }
    fn kind(&self) -> Kind {
        Kind::Leakage
    }
    fn wanted(&self, _: &ConfigFile, _: &Given) -> Vec<(String, Needs)> {
        Vec::new()
    }
    fn run(&self, inputs: &Inputs, given: &Given) -> Vec<Finding> {
        inputs
            .artifact
            .as_ref()
            .map(|a| judge(a, &given.locc))
            .unwrap_or_default()
    }
}

/// What an environment asks of the locc artifact, as policy hands it over:
/// which leakage findings it requires, and the locc verdicts it accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoccRule {
    /// The environment, as findings name it.
    pub env: String,
    pub pii: bool,
    pub schema: bool,
    pub policy: bool,
    /// The locc statuses the environment accepts.
    pub allow: Vec<LoccStatus>,
    /// Whether it accepts an artifact with diffs.
    pub allow_diffs: bool,
}

impl LoccRule {
    /// Whether any leakage finding is required, so the artifact must be read.
    pub fn any(&self) -> bool {
        self.pii || self.schema || self.policy
    }
}

/// The leakage findings `rule` requires, judged on `artifact`.
pub fn judge(artifact: &LoccArtifact, rule: &LoccRule) -> Vec<Finding> {
    let mut out = Vec::new();
    if rule.pii {
        out.push(pii(artifact));
    }
    if rule.schema {
        out.push(schema(artifact));
    }
    if rule.policy {
        out.push(policy(artifact, rule));
    }
    out
}

fn finding(id: &str, title: &str, status: Status, artifact: &LoccArtifact) -> Finding {
    Finding::new(id, title, Kind::Leakage, status).at(&artifact.file, None)
}

fn pii(a: &LoccArtifact) -> Finding {
    let expected = "no PII signal in locc's reasons and no email, SSN or phone number in reasons or diff values";
    let mut hits: Vec<Location> = Vec::new();
    for r in &a.reasons {
        let lower = r.text.to_lowercase();
        if let Some(kw) = PII_KEYWORDS.iter().find(|k| lower.contains(*k)) {
            hits.push(Location {
                file: a.file.clone(),
                line: None,
                message: format!("{}: \"{}\" mentions '{kw}'", r.at, r.text),
            });
        } else if let Some(what) = pattern_in(&r.text) {
            hits.push(Location {
                file: a.file.clone(),
                line: None,
                message: format!("{}: \"{}\" holds {what}", r.at, r.text),
            });
        }
    }
    for d in &a.diffs {
        for (side, v) in [
            ("baseline_value", &d.baseline),
            ("candidate_value", &d.candidate),
        ] {
            let Some(v) = v else { continue };
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if let Some(what) = pattern_in(&text) {
                hits.push(Location {
                    file: a.file.clone(),
                    line: None,
                    message: format!("{}.{side} of `{}` holds {what}", d.at, d.field),
                });
            }
        }
    }
    let title = "No PII leaked past locc";
    if hits.is_empty() {
        return finding("pii", title, Status::Pass, a)
            .message(format!(
                "no PII signal in {} and {}",
                count(a.reasons.len(), "reason"),
                count(a.diffs.len(), "diff")
            ))
            .expected_found(expected, "none");
    }
    let first = hits[0].message.clone();
    let more = if hits.len() > 1 {
        format!(" (and {} more)", hits.len() - 1)
    } else {
        String::new()
    };
    finding("pii", title, Status::Fail, a)
        .message(format!("{first}{more}"))
        .expected_found(
            expected,
            format!(
                "{} PII signal(s): {}",
                hits.len(),
                hits.iter()
                    .map(|h| h.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
        .locations(hits)
}

/// "1 diff", "2 diffs".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn pattern_in(text: &str) -> Option<&'static str> {
    if !could_match(text) {
        return None;
    }
    patterns(text.is_ascii())
        .iter()
        .find(|(_, re)| re.is_match(text))
        .map(|(what, _)| *what)
}

/// Whether any pattern could match: an email holds `@`; an SSN or a phone
/// number holds at least seven digits (`\d` is a subset of what
/// `char::is_numeric` takes).
fn could_match(text: &str) -> bool {
    if text.is_ascii() {
        // Where the only numeric characters are ASCII digits.
        let b = text.as_bytes();
        return memchr::memchr(b'@', b).is_some()
            || b.iter().filter(|c| c.is_ascii_digit()).nth(6).is_some();
    }
    text.contains('@') || text.chars().filter(|c| c.is_numeric()).nth(6).is_some()
}

fn schema(a: &LoccArtifact) -> Finding {
    let title = "No schema change leaked past locc";
    let expected = "no diff of type missing, type_changed or enum_drift";
    let hits: Vec<Location> = a
        .diffs
        .iter()
        .filter(|d| d.change_type.is_schema_change())
        .map(|d| Location {
            file: a.file.clone(),
            line: None,
            message: format!("{}: `{}` {}", d.at, d.field, d.change_type.word()),
        })
        .collect();
    if hits.is_empty() {
        return finding("schema", title, Status::Pass, a)
            .message(format!("{}, none structural", count(a.diffs.len(), "diff")))
            .expected_found(expected, "none");
    }
    let list: Vec<String> = a
        .diffs
        .iter()
        .filter(|d| d.change_type.is_schema_change())
        .map(|d| format!("`{}` {}", d.field, d.change_type.word()))
        .collect();
    finding("schema", title, Status::Fail, a)
        .message(format!("structural diffs: {}", list.join(", ")))
        .expected_found(expected, list.join(", "))
        .locations(hits)
}

fn policy(a: &LoccArtifact, rule: &LoccRule) -> Finding {
    let title = "locc verdict allowed in this environment";
    let name = &rule.env;
    let allowed: Vec<&str> = rule.allow.iter().map(|s| s.word()).collect();
    let expected = format!(
        "status {}{}",
        allowed.join(" or "),
        if rule.allow_diffs {
            ""
        } else {
            ", and no diffs"
        }
    );
    let status_ok = rule.allow.contains(&a.status);
    let diffs_ok = rule.allow_diffs || a.diffs.is_empty();
    let note = a
        .status_note
        .as_ref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let found = format!(
        "status {}, {} diff(s){note}",
        a.status.word(),
        a.diffs.len()
    );
    if status_ok && diffs_ok {
        return finding("policy", title, Status::Pass, a)
            .message(format!(
                "locc said {}, which {name} allows",
                a.status.word()
            ))
            .expected_found(expected, found);
    }
    let why = if !status_ok {
        format!(
            "locc said {}, which {name} does not allow (allowed: {}){note}",
            a.status.word(),
            allowed.join(", ")
        )
    } else {
        format!("{} diff(s), and {name} allows none", a.diffs.len())
    };
    finding("policy", title, Status::Fail, a)
        .message(why)
        .expected_found(expected, found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::config::ConfigFile;
    use crate::policy::{Catalog, Policies};
    use std::path::Path;

    fn artifact(text: &str) -> LoccArtifact {
        LoccArtifact::parse(Path::new("a.json"), "a.json".into(), text, String::new()).unwrap()
    }

    fn sample(name: &str) -> LoccArtifact {
        artifact(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("fixtures/locc")
                    .join(name),
            )
            .unwrap(),
        )
    }

    /// The rule the built-in policy hands over for `name`.
    fn env(name: &str) -> LoccRule {
        let c = ConfigFile::builtin();
        Policies::from_config(&c, &Catalog::new(&c))
            .unwrap()
            .get(name)
            .unwrap()
            .locc_rule()
    }

    fn status(fs: &[Finding], id: &str) -> Status {
        fs.iter().find(|f| f.id == id).unwrap().status
    }

    #[test]
    fn patterns_compile() {
        assert_eq!(patterns(false).len(), 3);
        assert_eq!(patterns(true).len(), 3);
    }

    /// Whatever a pattern finds, the quick test lets through, and on ASCII
    /// text the ASCII patterns find what the Unicode ones find.
    #[test]
    fn ascii_patterns_and_the_quick_test_agree_with_the_unicode_ones() {
        let texts = [
            "mail me: a.b+c@ex-ample.co.uk",
            "x@y",
            "ssn 123-45-6789 seen",
            "1123-45-67890",
            "call (555) 123-4567",
            "call +1 555.123.4567",
            "call 555 123\t4567",
            "555-123-4567x",
            "order 12345 of 67",
            "ids 1 2 3 4 5 6 7",
            "template 12 drifted",
            "\u{661}\u{662}\u{663}-\u{664}\u{665}-\u{666}\u{667}\u{668}\u{669}",
            "caf\u{e9} 555\u{a0}123 4567",
        ];
        for t in texts {
            let want = patterns(false)
                .iter()
                .find(|(_, re)| re.is_match(t))
                .map(|(w, _)| *w);
            assert_eq!(pattern_in(t), want, "{t:?}");
            if want.is_some() {
                assert!(could_match(t), "{t:?}");
            }
            if t.is_ascii() {
                let ascii = patterns(true)
                    .iter()
                    .find(|(_, re)| re.is_match(t))
                    .map(|(w, _)| *w);
                assert_eq!(ascii, want, "{t:?}");
            }
        }
        // Unicode digits are digits to `\d`: an SSN in Arabic-Indic digits.
        assert_eq!(pattern_in(texts[11]), Some("an SSN"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn pattern_in_finds_what_the_unicode_patterns_find(t in "[0-9 ().+@a-c\t\u{a0}\u{661}_-]{0,24}") {
            let want = patterns(false).iter().find(|(_, re)| re.is_match(&t)).map(|(w, _)| *w);
            proptest::prop_assert_eq!(pattern_in(&t), want);
        }
    }

    #[test]
    fn pii_keyword_in_a_reason() {
        let fs = judge(&sample("checks_pass_with_pii.json"), &env("staging"));
        assert_eq!(status(&fs, "pii"), Status::Fail);
        assert!(
            fs[0].message.contains("mentions 'phone'"),
            "{}",
            fs[0].message
        );
        for kw in [
            "E-MAIL address",
            "SSN seen",
            "Date Of Birth",
            "credit card number",
        ] {
            let a = artifact(&format!("{{\"status\": \"PASS\", \"checks\": [{{\"name\": \"x\", \"result\": \"PASS\", \"reasons\": [\"{kw}\"], \"diffs\": []}}]}}"));
            assert_eq!(
                status(&judge(&a, &env("staging")), "pii"),
                Status::Fail,
                "{kw}"
            );
        }
    }

    #[test]
    fn pii_patterns_in_reasons_and_diff_values() {
        // locc's own PII report: the email is in a diff value.
        let fs = judge(&sample("locc_report_pii.json"), &env("staging"));
        assert_eq!(status(&fs, "pii"), Status::Fail);
        for value in [
            "call 555-867-5309 now",
            "(555) 867-5309",
            "+1 555 867 5309",
            "ssn 123-45-6789",
            "x@y.io",
        ] {
            let a = artifact(&format!(
                "{{\"decision\": \"PASS\", \"diffs\": [{{\"field\": \"f\", \"change_type\": \"value_changed\", \"baseline_value\": \"\", \"candidate_value\": \"{value}\"}}]}}"
            ));
            assert_eq!(
                status(&judge(&a, &env("staging")), "pii"),
                Status::Fail,
                "{value}"
            );
        }
        for clean in [
            "ticket 42",
            "2026-11-21",
            "v1.2.3",
            "Refund was issued today.",
            "id 1234567",
        ] {
            let a = artifact(&format!(
                "{{\"decision\": \"PASS\", \"reasons\": [\"{clean}\"]}}"
            ));
            assert_eq!(
                status(&judge(&a, &env("staging")), "pii"),
                Status::Pass,
                "{clean}"
            );
        }
    }

    #[test]
    fn schema_changes() {
        assert_eq!(
            status(
                &judge(&sample("checks_fail.json"), &env("staging")),
                "schema"
            ),
            Status::Fail
        );
        assert_eq!(
            status(
                &judge(&sample("locc_report_schema.json"), &env("staging")),
                "schema"
            ),
            Status::Fail
        );
        assert_eq!(
            status(
                &judge(&sample("checks_hold.json"), &env("staging")),
                "schema"
            ),
            Status::Pass
        );
        assert_eq!(
            status(
                &judge(&sample("locc_report_hold.json"), &env("staging")),
                "schema"
            ),
            Status::Pass
        );
    }

    #[test]
    fn policy_per_environment() {
        let cases = [
            (
                "checks_pass.json",
                [Status::Pass, Status::Pass, Status::Pass],
            ),
            (
                "checks_hold.json",
                [Status::Pass, Status::Fail, Status::Fail],
            ),
            (
                "checks_fail.json",
                [Status::Fail, Status::Fail, Status::Fail],
            ),
            (
                "locc_report_pass.json",
                [Status::Pass, Status::Pass, Status::Pass],
            ),
            (
                "locc_report_hold.json",
                [Status::Pass, Status::Fail, Status::Fail],
            ),
        ];
        for (file, want) in cases {
            for (e, w) in ["staging", "preprod", "prod"].iter().zip(want) {
                assert_eq!(
                    status(&judge(&sample(file), &env(e)), "policy"),
                    w,
                    "{file} in {e}"
                );
            }
        }
        // prod: PASS with a diff is still policy leakage.
        let a = artifact(
            "{\"decision\": \"PASS\", \"diffs\": [{\"field\": \"f\", \"change_type\": \"added\"}]}",
        );
        assert_eq!(status(&judge(&a, &env("prod")), "policy"), Status::Fail);
        assert_eq!(status(&judge(&a, &env("preprod")), "policy"), Status::Pass);
    }
}
