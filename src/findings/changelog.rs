//! `changelog`: the changelog has a heading for exactly this version.
//!
//! Headings are read as [`crate::inputs::changelog`] says: ATX (`## 1.2.3`),
//! setext and reStructuredText titles, with a project name, the word Version
//! or Release, dates, links and inline HTML around the version. Versions
//! compare by their numeric components (`25.07.1` is `25.7.1`); `1.2.30`,
//! `11.2.3` and `1.2.3-rc.1` are other versions.

use super::{auto, Finding, Needs, Single, Status};
use crate::inputs::changelog::{headings, Heading, Style};
use crate::inputs::{version, Inputs};

pub struct Changelog;

impl Single for Changelog {
    fn id(&self) -> &'static str {
        "changelog"
    }
    fn title(&self) -> &'static str {
        "CHANGELOG updated for this version"
    }
    fn needs(&self) -> Needs {
        Needs {
            changelog: true,
            version: true,
            // The manifests' package names: a heading may carry one.
            project_versions: true,
            ..Needs::default()
        }
    }
    fn run(&self, inputs: &Inputs) -> Finding {
        let Some(cl) = &inputs.changelog else {
            return auto(self, Status::Fail)
                .message("changelog was not loaded")
                .expected_found("a changelog", "nothing");
        };
        let Some(version) = &inputs.version else {
            return auto(self, Status::Fail)
                .message("no release version: release.yaml is missing and no project manifest declares one")
                .expected_found("a version to look for", "none");
        };
        let v = &version.value;
        let Some(text) = &cl.text else {
            return auto(self, Status::Fail)
                .message(format!("{} not found", cl.path))
                .expected_found(
                    format!("a heading for {v} in {}", cl.path),
                    format!("no file {}", cl.path),
                )
                .at(&cl.path, None);
        };
        let all = headings(text);
        let example = example(&all, &cl.path, v);
        let expected = format!("a heading for {v} in {} (e.g. \"{example}\")", cl.path);
        if let Some(h) = find(&all, v, &project_names(inputs)) {
            return auto(self, Status::Pass)
                .message(format!("found \"{}\" at {}:{}", h.text, cl.path, h.line))
                .expected_found(expected, format!("\"{}\" at line {}", h.text, h.line))
                .at(&cl.path, Some(h.line));
        }
        let candidates: Vec<String> = all
            .iter()
            .filter_map(|h| Some(format!("{} (line {})", h.version.as_ref()?, h.line)))
            .take(3)
            .collect();
        let heading_lines: std::collections::HashSet<usize> = all.iter().map(|h| h.line).collect();
        let mention = text
            .lines()
            .position(|l| l.contains(v.as_str()))
            .map(|i| i + 1)
            .filter(|l| !heading_lines.contains(l));
        let mut found = match candidates.as_slice() {
            [] => format!("no version heading in {}", cl.path),
            c => format!("headings for {}, none for {v}", c.join(", ")),
        };
        if let Some(l) = mention {
            found.push_str(&format!("; {v} appears at line {l}, but not in a heading"));
        }
        auto(self, Status::Fail)
            .message(format!(
                "no heading for {v} in {}: add one like \"{example}\"",
                cl.path
            ))
            .expected_found(expected, found)
            .at(&cl.path, mention)
    }
}

/// The first heading naming exactly `version`, and, where it names a
/// project, one of `names` (compared lower-cased, `_` as `-`).
pub fn find<'a>(all: &'a [Heading], version: &str, names: &[String]) -> Option<&'a Heading> {
    let norm = |s: &str| s.to_lowercase().replace('_', "-");
    all.iter().find(|h| {
        h.version
            .as_deref()
            .is_some_and(|named| version::same(named, version))
            && h.name
                .as_deref()
                .is_none_or(|n| names.iter().any(|k| norm(k) == norm(n)))
    })
}

/// The names a heading may give this project: the manifests' package
/// names, the package folder's, the tag template's prefix, the repository
/// folder's.
fn project_names(inputs: &Inputs) -> Vec<String> {
    let mut names: Vec<String> = inputs
        .project
        .as_ref()
        .map(|p| p.names.clone())
        .unwrap_or_default();
    if let Some(pkg) = inputs.config.package() {
        names.extend(
            pkg.trim_end_matches('/')
                .rsplit('/')
                .next()
                .map(String::from),
        );
    }
    if let Some((prefix, _)) = inputs.config.tag().and_then(|t| t.split_once("{version}")) {
        names.push(
            prefix
                .trim_end_matches(['v', 'V'])
                .trim_end_matches(['@', '-', '_'])
                .to_string(),
        );
    }
    if let Some(dir) = std::fs::canonicalize(&inputs.repo_root)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
    {
        names.push(dir);
    }
    names
}

/// A heading for `v` in the file's own syntax: the style of its first
/// version heading, else of its extension (`.rst`: underlined).
fn example(all: &[Heading], path: &str, v: &str) -> String {
    let style = all
        .iter()
        .find(|h| h.version.is_some())
        .map(|h| h.style)
        .unwrap_or(if path.to_ascii_lowercase().ends_with(".rst") {
            Style::Underline('-')
        } else {
            Style::Atx(2)
        });
    let title = format!("{v} (YYYY-MM-DD)");
    let line = |c: char| c.to_string().repeat(title.len());
    match style {
        Style::Atx(n) => format!("{} [{v}]", "#".repeat(n)),
        Style::Underline(c) => format!("{title}\\n{}", line(c)),
        Style::Overline(c) => format!("{}\\n{title}\\n{}", line(c), line(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first heading for `version` in `text`: (1-based line, heading text).
    fn find_heading(text: &str, version: &str) -> Option<(usize, String)> {
        find(&headings(text), version, &[]).map(|h| (h.line, h.text.clone()))
    }

    /// Any one word before the version counted: `### Fixed 1.2.3
    /// regression` under another release passed as 1.2.3's heading.
    #[test]
    fn regression_a_leading_word_must_name_the_project() {
        let text = "## 1.2.4\n### Fixed 1.2.3 regression\n";
        assert_eq!(find(&headings(text), "1.2.3", &["pluggy".into()]), None);
        let text = "pluggy 1.6.0 (2025-05-15)\n=========================\n";
        assert!(find(&headings(text), "1.6.0", &["pluggy".into()]).is_some());
        assert!(find(&headings(text), "1.6.0", &["other".into()]).is_none());
        let text = "## create_vite@9.1.2\n";
        assert!(find(&headings(text), "9.1.2", &["create-vite".into()]).is_some());
    }

    #[test]
    fn accepts_the_usual_heading_forms() {
        for h in [
            "## [1.2.3]",
            "## 1.2.3",
            "## v1.2.3 - 2026-11-21",
            "# [v1.2.3] (2026-11-21)",
            "### Version 1.2.3",
            "## [1.2.3] - 2026-11-21",
        ] {
            let text = format!("# Changelog\n\n{h}\n- things\n");
            assert_eq!(
                find_heading(&text, "1.2.3"),
                Some((3, h.to_string())),
                "{h}"
            );
        }
    }

    #[test]
    fn rejects_other_versions_and_non_headings() {
        for h in [
            "## [11.2.3]",
            "## 1.2.30",
            "## 1.2.3-rc.1",
            "## 1.2.3.1",
            "Released 1.2.3",
            "##1.2.3",
            "    ## 1.2.3",
            "- 1.2.3",
        ] {
            let text = format!("# Changelog\n{h}\n");
            assert_eq!(find_heading(&text, "1.2.3"), None, "{h}");
        }
    }

    #[test]
    fn ignores_fenced_code_and_accepts_v_prefixed_versions() {
        assert_eq!(find_heading("```\n## 1.2.3\n```\n", "1.2.3"), None);
        assert_eq!(
            find_heading("## 1.2.3\r\n", "v1.2.3"),
            Some((1, "## 1.2.3".into()))
        );
    }
}
