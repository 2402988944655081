//! ATTESTED findings: what people claimed in release.yaml. gate checks
//! that each required claim is there, says `answer: true` and names who
//! made it; it cannot check that the claim is true, and says so by labelling
//! every such finding ATTESTED.

use super::{Finding, Kind, Status};
use crate::inputs::config::AttestationDef;
use crate::inputs::manifest::ReleaseManifest;

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
    let by = a.by.as_deref().map(str::trim).filter(|b| !b.is_empty());
    let mut f = f.at(file, entry.line);
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
