//! `changelog`: the changelog has a heading for exactly this version.
//!
//! Accepted headings (any ATX level): `## [1.2.3]`, `## 1.2.3`,
//! `## v1.2.3 - 2026-11-21`, `## [v1.2.3] (date)`, `## Version 1.2.3`.
//! The version must end at a boundary: `1.2.30`, `11.2.3` and `1.2.3-rc.1`
//! are other versions. Headings inside fenced code blocks do not count.

use super::{auto, Check, Finding, Needs, Status};
use crate::inputs::Inputs;

pub struct Changelog;

impl Check for Changelog {
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
        let expected = format!("a heading for {v} in {} (e.g. \"## [{v}]\")", cl.path);
        let Some(text) = &cl.text else {
            return auto(self, Status::Fail)
                .message(format!("{} not found", cl.path))
                .expected_found(expected, format!("no file {}", cl.path))
                .at(&cl.path, None);
        };
        match find_heading(text, v) {
            Some((line, heading)) => auto(self, Status::Pass)
                .message(format!("found \"{heading}\" at {}:{line}", cl.path))
                .expected_found(expected, format!("\"{heading}\" at line {line}"))
                .at(&cl.path, Some(line)),
            None => {
                let mention = text
                    .lines()
                    .position(|l| l.contains(v.as_str()))
                    .map(|i| i + 1);
                let found = match mention {
                    Some(l) => {
                        format!("no such heading; {v} appears at line {l}, but not as a heading")
                    }
                    None => format!("no heading for {v}"),
                };
                auto(self, Status::Fail)
                    .message(format!("no heading for {v} in {}", cl.path))
                    .expected_found(expected, found)
                    .at(&cl.path, mention)
            }
        }
    }
}

/// The first heading for exactly `version`: (1-based line, heading text).
pub fn find_heading(text: &str, version: &str) -> Option<(usize, String)> {
    let version = version.strip_prefix('v').unwrap_or(version);
    let mut fenced = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced || line.starts_with("    ") {
            continue;
        }
        let hashes = t.bytes().take_while(|&b| b == b'#').count();
        if hashes == 0 || hashes > 6 {
            continue;
        }
        let rest = &t[hashes..];
        if !rest.starts_with([' ', '\t']) {
            continue;
        }
        if heading_names(rest.trim(), version) {
            return Some((i + 1, t.to_string()));
        }
    }
    None
}

fn heading_names(heading: &str, version: &str) -> bool {
    let mut h = heading;
    for word in ["version ", "release "] {
        if h.len() >= word.len() && h[..word.len()].eq_ignore_ascii_case(word) {
            h = h[word.len()..].trim_start();
        }
    }
    let h = h.strip_prefix('[').unwrap_or(h);
    let h = h.strip_prefix(['v', 'V']).unwrap_or(h);
    match h.strip_prefix(version) {
        Some(after) => !after
            .starts_with(|c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_')),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
