//! ATTESTED findings: what people claimed in release.yaml. gate checks
//! that each required claim is there, says `answer: true` and names who
//! made it; it cannot check that the claim is true, and says so by labelling
//! every such finding ATTESTED.

use super::{Check, Finding, Given, Kind, Needs, Status};
use crate::identity::Identity;
use crate::inputs::config::{AttestationDef, ConfigFile};
use crate::inputs::manifest::ReleaseManifest;
use crate::inputs::Inputs;

/// Every attestation policy requires, each a finding, judged on
/// release.yaml (which each needs; a missing one is reported beside).
pub struct Attestations;

impl Check for Attestations {
    fn ids(&self, config: &ConfigFile) -> Vec<String> {
        config.attestations().into_iter().map(|a| a.id).collect()
    }
    fn kind(&self) -> Kind {
        Kind::Attested
    }
    fn wanted(&self, config: &ConfigFile, given: &Given) -> Vec<(String, Needs)> {
        let manifest = Needs {
            manifest: true,
            ..Needs::default()
        };
        config
            .attestations()
            .into_iter()
            .filter(|d| given.requires(&d.id))
            .map(|d| (d.id, manifest))
            .collect()
    }
    fn run(&self, inputs: &Inputs, given: &Given) -> Vec<Finding> {
        let Some(m) = &inputs.manifest else {
            return Vec::new();
        };
        inputs
            .config
            .attestations()
            .iter()
            .filter(|d| given.requires(&d.id))
            .map(|d| judge(d, m))
            .collect()
    }
}

/// The finding for attestation `def`, given the manifest.
pub fn judge(def: &AttestationDef, manifest: &ReleaseManifest) -> Finding {
    let file = manifest.file.clone();
    let f = Finding::new(&def.id, &def.title, Kind::Attested, Status::Fail);
    let expected = "answer: true and a named attester (by:)".to_string();
    if let Some(na) = manifest.not_applicable(&def.id) {
        return Finding {
            status: Status::Na,
            ..f
        }
        .message(format!("Not applicable: {}", na.reason))
        .expected_found(expected, format!("not applicable: {}", na.reason))
        .at(file, na.line);
    }
    let Some(entry) = manifest.attestation(&def.id) else {
        return f
            .message(format!(
                "Not attested in {file}: add `{}` under attestations, or mark it not_applicable with a reason",
                def.id
            ))
            .expected_found(expected, "no entry")
            .at(file, None);
    };
    let a = &entry.attestation;
    let mut f = f.at(file, entry.line);
    let by = match a.by.as_deref().map(Identity::parse) {
        Some(Err(e)) => {
            let written =
                a.by.as_deref()
                    .unwrap_or_default()
                    .escape_debug()
                    .to_string();
            return f
                .message(format!("`by: {written}` is not a name: it {e}"))
                .expected_found(expected, format!("by: {written}"));
        }
        Some(Ok(i)) if !i.is_empty() => Some(i.shown),
        _ => None,
    };
    let by = by.as_deref();
    f.attested_by = by.map(String::from);
    f.evidence = a.evidence.clone().filter(|e| !e.trim().is_empty());
    let evidence = f
        .evidence
        .as_ref()
        .map(|e| format!(" (evidence: {e})"))
        .unwrap_or_default();
    match (a.answer, by) {
        (Some(true), Some(by)) => Finding {
            status: Status::Pass,
            ..f
        }
        .message(format!("Attested by {by}{evidence}"))
        .expected_found(expected, format!("answer: true, by: {by}{evidence}")),
        (Some(true), None) => f
            .message("Attested without a name: `by:` is missing or empty")
            .expected_found(expected, "answer: true, by: (none)"),
        (Some(false), _) => f
            .message("Attested as not done (answer: false)")
            .expected_found(
                expected,
                format!(
                    "answer: false{}",
                    by.map(|b| format!(", by: {b}")).unwrap_or_default()
                ),
            ),
        (None, _) => f
            .message("No answer given (`answer:` is missing)")
            .expected_found(expected, "no answer"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn manifest(text: &str) -> ReleaseManifest {
        ReleaseManifest::parse(
            Path::new("release.yaml"),
            text,
            String::new(),
            &["rollback_tested"],
        )
        .unwrap()
    }

    fn def() -> AttestationDef {
        AttestationDef {
            id: "rollback_tested".into(),
            title: "Rollback procedure tested".into(),
        }
    }

    #[test]
    fn pass_needs_true_and_a_name() {
        let f = judge(&def(), &manifest("version: '1'\nattestations:\n  rollback_tested: {answer: true, by: Jane, evidence: 'https://ci/1'}\n"));
        assert_eq!(f.status, Status::Pass);
        assert_eq!(f.message, "Attested by Jane (evidence: https://ci/1)");
        assert_eq!(f.line, Some(3));
        for text in [
            "version: '1'\nattestations:\n  rollback_tested: {answer: true, by: '  '}\n",
            "version: '1'\nattestations:\n  rollback_tested: {answer: true}\n",
            "version: '1'\nattestations:\n  rollback_tested: {answer: false, by: Jane}\n",
            "version: '1'\nattestations:\n  rollback_tested: {by: Jane}\n",
            "version: '1'\n",
        ] {
            assert_eq!(
                judge(&def(), &manifest(text)).status,
                Status::Fail,
                "{text}"
            );
        }
    }

    /// An attester of only invisible characters, or one with hidden or
    /// look-alike characters, names nobody.
    #[test]
    fn regression_invisible_or_hidden_attesters_fail() {
        for by in [
            "\\u200b",
            "\\u3164",
            "\\u200b\\u200b ",
            "Jane\\u200bSmith",
            "J\\u0430ne",
        ] {
            let text = format!(
                "version: '1'\nattestations:\n  rollback_tested: {{answer: true, by: \"{by}\"}}\n"
            );
            let f = judge(&def(), &manifest(&text));
            assert_eq!(f.status, Status::Fail, "{by}: {}", f.message);
        }
    }

    #[test]
    fn not_applicable_gives_na_with_reason() {
        let f = judge(
            &def(),
            &manifest("version: '1'\nnot_applicable:\n  rollback_tested: 'no schema change'\n"),
        );
        assert_eq!(f.status, Status::Na);
        assert_eq!(f.message, "Not applicable: no schema change");
    }
}
