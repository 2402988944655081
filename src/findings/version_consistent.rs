//! `version_consistent`: release.yaml's version equals the version each
//! project manifest declares.

use super::{auto, Finding, Location, Needs, Single, Status};
use crate::inputs::Inputs;

pub struct VersionConsistent;

impl Single for VersionConsistent {
    fn id(&self) -> &'static str {
        "version_consistent"
    }
    fn title(&self) -> &'static str {
        "release.yaml version matches the project"
    }
    fn needs(&self) -> Needs {
        Needs {
            manifest: true,
            project_versions: true,
            ..Needs::default()
        }
    }
    fn run(&self, inputs: &Inputs) -> Finding {
        let (Some(m), Some(p)) = (&inputs.manifest, &inputs.project) else {
            return auto(self, Status::Fail)
                .message("release.yaml or the project manifests were not loaded");
        };
        let want = m.version.as_str();
        let expected = format!("every project manifest to declare {want}");
        let declared: Vec<_> = p
            .versions
            .iter()
            .filter_map(|d| d.version.as_ref().ok().map(|v| (d, v)))
            .collect();
        if declared.is_empty() {
            let why = p
                .versions
                .iter()
                .filter_map(|d| d.version.as_ref().err())
                .cloned()
                .collect::<Vec<_>>();
            // Nothing declared, or the version is the tag: nothing to
            // compare. A version gate could not read is no such case.
            if why.is_empty() || p.scm {
                let found = if why.is_empty() {
                    "no pyproject.toml, Cargo.toml or package.json declares a version".to_string()
                } else {
                    why.join("; ")
                };
                return auto(self, Status::Na)
                    .message(format!("nothing to compare: {found}"))
                    .expected_found(expected, found);
            }
            let found = why.join("; ");
            return auto(self, Status::Fail)
                .message(format!(
                    "the project's version could not be read statically: {found}"
                ))
                .expected_found(expected, found);
        }
        let mismatches: Vec<Location> = declared
            .iter()
            .filter(|(_, v)| !crate::inputs::version::same(v, want))
            .map(|(d, v)| Location {
                file: d.file.clone(),
                line: d.line,
                message: format!("declares {v}"),
            })
            .collect();
        let place = |file: &str, line: Option<usize>| match line {
            Some(l) => format!("{file}:{l}"),
            None => file.to_string(),
        };
        if mismatches.is_empty() {
            let places: Vec<String> = declared
                .iter()
                .map(|(d, _)| place(&d.file, d.line))
                .collect();
            auto(self, Status::Pass)
                .message(format!("{want} matches {}", places.join(", ")))
                .expected_found(expected, format!("{want} in {}", places.join(", ")))
        } else {
            let found: Vec<String> = mismatches
                .iter()
                .map(|l| format!("{} {}", place(&l.file, l.line), l.message))
                .collect();
            auto(self, Status::Fail)
                .message(format!(
                    "release.yaml says {want}, but {}",
                    found.join(", ")
                ))
                .expected_found(expected, found.join(", "))
                .locations(mismatches)
        }
    }
}
