//! locc artifacts, in both forms that exist in the wild:
//!
//! 1. **checks form** (what llm-release-governor consumes):
//!    `{"version", "status": "PASS|HOLD|FAIL", "checks": [{"name", "result",
//!    "reasons": [..], "diffs": [{"field", "change_type"}]}]}`
//! 2. **report form** (what `locc run --output-json` of llm-locc 1.1 writes):
//!    `{"decision": "PASS|HOLD|FAIL", "reasons", "validation_errors",
//!    "diffs": [{"field", "change_type", "baseline_value",
//!    "candidate_value"}], "candidate_path", "snapshot_path", "timestamp"}`
//!
//! The file is parsed twice from its text: once into a JSON tree that keeps
//! every number's digits (for the identity hash), once into typed values (so
//! a wrong type, an unknown status or a key given twice is reported at its
//! line and column). Anything else is an error that names both accepted forms.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::error::InputError;
use super::project::strip_json_location;
use super::pyjson;

/// The two shapes a locc artifact comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LoccForm {
    Checks,
    Report,
}

/// locc's verdict, from best to worst (the order compares them).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
)]
pub enum LoccStatus {
    #[serde(rename = "PASS")]
    Pass,
    #[serde(rename = "HOLD")]
    Hold,
    #[serde(rename = "FAIL")]
    Fail,
}

impl LoccStatus {
    pub fn word(self) -> &'static str {
        match self {
            LoccStatus::Pass => "PASS",
            LoccStatus::Hold => "HOLD",
            LoccStatus::Fail => "FAIL",
        }
    }
}

/// How a field changed between snapshot and candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeType {
    Missing,
    Added,
    TypeChanged,
    ValueChanged,
    EnumDrift,
}

impl ChangeType {
    pub fn word(self) -> &'static str {
        match self {
            ChangeType::Missing => "missing",
            ChangeType::Added => "added",
            ChangeType::TypeChanged => "type_changed",
            ChangeType::ValueChanged => "value_changed",
            ChangeType::EnumDrift => "enum_drift",
        }
    }

    /// A structural change: the contract itself moved.
    pub fn is_schema_change(self) -> bool {
        matches!(
            self,
            ChangeType::Missing | ChangeType::TypeChanged | ChangeType::EnumDrift
        )
    }
}

/// A reason text and where in the artifact it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    pub text: String,
    /// `checks[0] (pii_scan).reasons[1]`, `reasons[0]`, `validation_errors[2]`.
    pub at: String,
}

/// One diff, from either form.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    pub field: String,
    pub change_type: ChangeType,
    pub baseline: Option<Value>,
    pub candidate: Option<Value>,
    /// `checks[0] (contract_check).diffs[0]` or `diffs[1]`.
    pub at: String,
}

/// A locc artifact, parsed.
#[derive(Debug, Clone)]
pub struct LoccArtifact {
    /// As reports name it.
    pub file: String,
    pub sha256: String,
    pub form: LoccForm,
    /// The verdict judged: the worst of the artifact's own `status` and its
    /// checks' `result`s; FAIL for a checks form with no checks.
    pub status: LoccStatus,
    /// Why `status` is not the artifact's own word, when it is not.
    pub status_note: Option<String>,
    pub reasons: Vec<Reason>,
    pub diffs: Vec<Diff>,
    /// Checks in the checks form; 0 in the report form.
    pub checks: usize,
    /// sha256 of Python's `json.dumps(artifact, sort_keys=True)`, without the
    /// report form's volatile fields.
    pub identity_hash: String,
}

/// The report form's fields that change on every run of locc.
pub const VOLATILE_FIELDS: &[&str] = &["timestamp", "candidate_path", "snapshot_path"];

const FORMS: &str = "expected a locc artifact: the checks form {\"status\", \"checks\": [...]} \
                     or the report form of `locc run --output-json` {\"decision\", \"reasons\", \"diffs\", ...}";

#[derive(Deserialize)]
struct ChecksForm {
    status: LoccStatus,
    checks: Vec<CheckEntry>,
}

#[derive(Deserialize)]
struct CheckEntry {
    name: String,
    /// Each check's own verdict: required, since a check without one says
    /// nothing was checked.
    result: LoccStatus,
    #[serde(default)]
    reasons: Vec<String>,
    #[serde(default)]
    diffs: Vec<DiffEntry>,
}

#[derive(Deserialize)]
struct DiffEntry {
    field: String,
    change_type: ChangeType,
    #[serde(default, alias = "baseline")]
    baseline_value: Option<Value>,
    #[serde(default, alias = "candidate")]
    candidate_value: Option<Value>,
}

#[derive(Deserialize)]
struct ReportForm {
    decision: LoccStatus,
    #[serde(default)]
    reasons: Vec<String>,
    #[serde(default)]
    validation_errors: Vec<Value>,
    #[serde(default)]
    diffs: Vec<DiffEntry>,
}

/// The checks form's verdict: a `status` that says less than its own
/// checks' results is judged by the worst of them, and a list of no checks
/// checked nothing.
fn judged_status(status: LoccStatus, checks: &[CheckEntry]) -> (LoccStatus, Option<String>) {
    if checks.is_empty() {
        return (
            LoccStatus::Fail,
            Some(format!(
                "the artifact says {} with an empty `checks` list: nothing was checked",
                status.word()
            )),
        );
    }
    let worst = checks
        .iter()
        .enumerate()
        .map(|(i, c)| (c.result, i, &c.name))
        .max_by_key(|(r, i, _)| (*r, std::cmp::Reverse(*i)));
    match worst {
        Some((r, i, name)) if r > status => (
            r,
            Some(format!(
                "the artifact says {} but checks[{i}] ({name}) says {}: judged by the worse",
                status.word(),
                r.word()
            )),
        ),
        _ => (status, None),
    }
}

impl LoccArtifact {
    /// Parses an artifact's text; `path` names it in errors.
    pub fn parse(
        path: &Path,
        file: String,
        text: &str,
        sha256: String,
    ) -> Result<Self, InputError> {
        if text.trim().is_empty() {
            return Err(InputError::file(path, format!("is empty; {FORMS}")));
        }
        let located = |e: serde_json::Error| {
            let msg = strip_json_location(&e);
            let hint = if e.is_eof() {
                " (the file is truncated)"
            } else {
                ""
            };
            InputError::at(path, e.line(), e.column(), format!("{msg}{hint}"))
        };
        let mut tree = pyjson::Node::parse(text).map_err(located)?;
        if !matches!(tree, pyjson::Node::Object(_)) {
            return Err(InputError::file(
                path,
                format!("is a JSON {}, not an object; {FORMS}", tree.kind()),
            ));
        }
        let form = match (tree.get("checks").is_some(), tree.get("decision").is_some()) {
            (true, false) => LoccForm::Checks,
            (false, true) => LoccForm::Report,
            (true, true) => {
                return Err(InputError::file(
                    path,
                    format!("has both `checks` and `decision`, so its form is ambiguous; {FORMS}"),
                ))
            }
            (false, false) => {
                return Err(InputError::file(
                    path,
                    format!("has neither `checks` nor `decision`; {FORMS}"),
                ))
            }
        };
        if form == LoccForm::Report {
            tree.remove(VOLATILE_FIELDS);
        }
        let identity_hash = pyjson::identity_hash(&tree);
        // The tree is freed before the typed read, which then reuses its
        // memory rather than touching new pages.
        drop(tree);
        let artifact = match form {
            LoccForm::Checks => Self::from_checks(text, file, sha256, identity_hash),
            LoccForm::Report => Self::from_report(text, file, sha256, identity_hash),
        }
        .map_err(located)?;
        Ok(artifact)
    }

    /// The checks form, each reason and diff named by where it is.
    fn from_checks(
        text: &str,
        file: String,
        sha256: String,
        identity_hash: String,
    ) -> Result<Self, serde_json::Error> {
        let c: ChecksForm = typed(text)?;
        let mut reasons = Vec::new();
        let mut diffs = Vec::new();
        let checks = c.checks.len();
        let (status, status_note) = judged_status(c.status, &c.checks);
        for (i, check) in c.checks.into_iter().enumerate() {
            let at = format!("checks[{i}] ({})", check.name);
            for (j, r) in check.reasons.into_iter().enumerate() {
                reasons.push(Reason {
                    text: r,
                    at: place(&at, ".reasons", j),
                });
            }
            for (j, d) in check.diffs.into_iter().enumerate() {
                diffs.push(d.into_diff(place(&at, ".diffs", j)));
            }
        }
        Ok(Self {
            file,
            sha256,
            form: LoccForm::Checks,
            status,
            status_note,
            reasons,
            diffs,
            checks,
            identity_hash,
        })
    }

    /// The report form: its reasons, then its validation errors, as reasons.
    fn from_report(
        text: &str,
        file: String,
        sha256: String,
        identity_hash: String,
    ) -> Result<Self, serde_json::Error> {
        let r: ReportForm = typed(text)?;
        let mut reasons: Vec<Reason> = r
            .reasons
            .into_iter()
            .enumerate()
            .map(|(i, t)| Reason {
                text: t,
                at: place("", "reasons", i),
            })
            .collect();
        reasons.extend(
            r.validation_errors
                .into_iter()
                .enumerate()
                .map(|(i, v)| Reason {
                    text: v.as_str().map_or_else(|| v.to_string(), String::from),
                    at: place("", "validation_errors", i),
                }),
        );
        let diffs = r
            .diffs
            .into_iter()
            .enumerate()
            .map(|(i, d)| d.into_diff(place("", "diffs", i)))
            .collect();
        Ok(Self {
            file,
            sha256,
            form: LoccForm::Report,
            status: r.decision,
            status_note: None,
            reasons,
            diffs,
            checks: 0,
            identity_hash,
        })
    }
}

/// `{within}{list}[{i}]`, where a reason or diff is: written without the
/// formatting machinery, as an artifact has one per reason and diff.
fn place(within: &str, list: &str, i: usize) -> String {
    let mut index = itoa::Buffer::new();
    let index = index.format(i);
    let mut at = String::with_capacity(within.len() + list.len() + index.len() + 2);
    for part in [within, list, "[", index, "]"] {
        at.push_str(part);
    }
    at
}

/// The typed form, read from the text: its error has the line and column,
/// and a key given twice is refused (the JSON tree would keep the last one
/// silently, so a later `"status"` or `"reasons"` could hide an earlier).
fn typed<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(text)
}

impl DiffEntry {
    fn into_diff(self, at: String) -> Diff {
        Diff {
            field: self.field,
            change_type: self.change_type,
            baseline: self.baseline_value,
            candidate: self.candidate_value,
            at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> String {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/locc")
                .join(name),
        )
        .unwrap()
    }

    fn parse(text: &str) -> Result<LoccArtifact, InputError> {
        LoccArtifact::parse(Path::new("a.json"), "a.json".into(), text, String::new())
    }

    /// A key given twice could hide the first value: a later `"status"`
    /// or an empty `"reasons"` after one naming PII. Refused, in both forms
    /// and inside a check.
    #[test]
    fn regression_a_key_given_twice_is_refused_at_its_place() {
        for text in [
            r#"{"status": "FAIL", "checks": [{"name": "a", "result": "PASS"}], "status": "PASS"}"#,
            r#"{"status": "PASS", "checks": [{"name": "a", "result": "PASS", "reasons": ["email leaked"], "reasons": []}]}"#,
            r#"{"decision": "FAIL", "reasons": [], "decision": "PASS"}"#,
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.message.contains("duplicate field"), "{text}: {e}");
            assert!(e.line.is_some() && e.column.is_some(), "{e}");
        }
    }

    /// `status: PASS` with a FAIL check, or with no checks at all, was
    /// allowed.
    #[test]
    fn regression_status_is_judged_by_the_worst_check_and_no_checks_checks_nothing() {
        let a = parse("{\"status\": \"PASS\", \"checks\": [{\"name\": \"a\", \"result\": \"PASS\"}, {\"name\": \"pii_scan\", \"result\": \"FAIL\"}]}").unwrap();
        assert_eq!(a.status, LoccStatus::Fail);
        assert!(a
            .status_note
            .as_deref()
            .unwrap()
            .contains("checks[1] (pii_scan) says FAIL"));
        let a =
            parse("{\"status\": \"HOLD\", \"checks\": [{\"name\": \"a\", \"result\": \"PASS\"}]}")
                .unwrap();
        assert_eq!((a.status, a.status_note), (LoccStatus::Hold, None));
        let a = parse("{\"status\": \"PASS\", \"checks\": []}").unwrap();
        assert_eq!(a.status, LoccStatus::Fail);
        assert!(a.status_note.unwrap().contains("nothing was checked"));
    }

    #[test]
    fn checks_form() {
        let a = parse(&sample("checks_fail.json")).unwrap();
        assert_eq!(
            (a.form, a.status, a.checks),
            (LoccForm::Checks, LoccStatus::Fail, 1)
        );
        assert_eq!(a.diffs[0].change_type, ChangeType::Missing);
        assert_eq!(a.diffs[0].at, "checks[0] (contract_check).diffs[0]");
        assert_eq!(
            a.identity_hash,
            "8d0f679503b2ba6d2596d0ba0f32d540d9f066e0339fbab6e5f1aad25f8754de"
        );
    }

    #[test]
    fn report_form_identity_ignores_volatile_fields() {
        let text = sample("locc_report_schema.json");
        let a = parse(&text).unwrap();
        assert_eq!((a.form, a.status), (LoccForm::Report, LoccStatus::Fail));
        assert_eq!(a.diffs.len(), 2);
        let rerun = text
            .replace(
                "2026-11-21T07:35:51.806973+00:00",
                "2026-12-01T00:00:00+00:00",
            )
            .replace("\"schema.jsonl\"", "\"/ci/run/42/schema.jsonl\"");
        assert_ne!(rerun, text);
        assert_eq!(parse(&rerun).unwrap().identity_hash, a.identity_hash);
        let changed = text.replace("\"pending\"", "\"closed\"");
        assert_ne!(parse(&changed).unwrap().identity_hash, a.identity_hash);
    }

    #[test]
    fn anything_else_names_both_forms() {
        for text in [
            "[]",
            "{\"status\": \"PASS\"}",
            "{\"checks\": [], \"decision\": \"PASS\"}",
            "  ",
            "42",
        ] {
            let e = parse(text).unwrap_err();
            assert!(
                e.message.contains("checks form") || e.message.contains("ambiguous"),
                "{text}: {e}"
            );
        }
    }

    #[test]
    fn bad_values_are_located() {
        let e = parse("{\n  \"status\": \"pass\",\n  \"checks\": []\n}").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(
            e.message.contains("expected one of `PASS`, `HOLD`, `FAIL`"),
            "{e}"
        );
        let e = parse("{\"status\": \"PASS\", \"checks\": [{\"name\": \"x\", \"diffs\": [{\"field\": \"f\", \"change_type\": \"renamed\"}]}]}").unwrap_err();
        assert!(e.message.contains("unknown variant `renamed`"), "{e}");
        let e = parse("{\"status\": \"PASS\", \"checks\": [").unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
    }
}
