//! Changelogs as projects write them: which file, and its headings.
//!
//! A heading is an ATX line (`## 1.2.3`), a setext or reStructuredText
//! title (a text line underlined with one of `= - ~ ^ * + #`, at least three
//! long), or an RST title both over- and underlined. Lines inside fenced
//! code blocks (```` ``` ````, `~~~`) and indented lines are not headings.
//!
//! A heading names a version when, after inline HTML and link targets are
//! dropped, its first version-like token (a digit, or `v` and a digit, then
//! digits, letters and `.+-`) comes after at most a project name and the word
//! Version or Release: `## <small>[8.2.2](url) (2026-01-01)</small>`,
//! `pluggy 1.6.0 (2025-05-15)`, `Version 3.1.3`, `15.2.0 (2026-07-15)`.

use std::path::Path;

/// The changelog file names looked for, in order, case-insensitively.
pub const CANDIDATES: &[&str] = &[
    "CHANGELOG.md",
    "CHANGELOG.rst",
    "CHANGELOG",
    "CHANGES.md",
    "CHANGES.rst",
    "CHANGES",
    "HISTORY.md",
    "HISTORY.rst",
    "NEWS.md",
    "NEWS.rst",
    "NEWS",
];

/// The first changelog in `dir`, by the order of [`CANDIDATES`], matched
/// case-insensitively (`History.md`, `Changes.rst`); its name as it is.
pub fn discover(dir: &Path) -> Option<String> {
    let names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    CANDIDATES.iter().find_map(|c| {
        let mut hits: Vec<&String> = names.iter().filter(|n| n.eq_ignore_ascii_case(c)).collect();
        hits.sort();
        hits.first().map(|n| n.to_string())
    })
}

/// The changelog of the package in folder `package` (its own first), else
/// of the repository at `repo`: a path from the repository root.
pub fn discover_for(repo: &Path, package: Option<&str>) -> Option<String> {
    package
        .map(|p| p.trim_end_matches('/'))
        .and_then(|p| discover(&repo.join(p)).map(|n| format!("{p}/{n}")))
        .or_else(|| discover(repo))
}

/// How a heading is written, so an example can be shown in the same syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `#` × level.
    Atx(usize),
    /// Underlined with this character.
    Underline(char),
    /// Over- and underlined with this character.
    Overline(char),
}

/// One heading of a changelog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1-based line of the heading's text.
    pub line: usize,
    /// The heading's line as written (trimmed; with its `#`s).
    pub text: String,
    pub style: Style,
    /// The version it names, if any.
    pub version: Option<String>,
    /// The word before the version (`pluggy 1.6.0`) or glued to it
    /// (`create-vite@9.1.2`), lower-cased: it must name this project for
    /// the heading to count (`### Fixed 1.2.3 regression` does not).
    pub name: Option<String>,
}

const UNDERLINE: &[char] = &['=', '-', '~', '^', '*', '+', '#'];

/// The underline character of `line`, when it is one (at least 3 of one
/// character of [`UNDERLINE`], nothing else but trailing spaces).
fn underline(line: &str) -> Option<char> {
    let t = line.trim_end();
    let c = t.chars().next()?;
    (UNDERLINE.contains(&c) && t.chars().count() >= 3 && t.chars().all(|x| x == c)).then_some(c)
}

/// Every heading of `text`, in order.
pub fn headings(text: &str) -> Vec<Heading> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut fenced: Option<&str> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim();
        if let Some(fence) = fenced {
            if t.starts_with(fence) {
                fenced = None;
            }
            i += 1;
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = Some(&t[..3]);
            i += 1;
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        // A title starts a block: the first line, or after a blank line or a
        // heading (not the last line of a paragraph or a list item).
        let starts_block = i == 0
            || lines[i - 1].trim().is_empty()
            || out
                .last()
                .is_some_and(|h: &Heading| h.line == i || h.line + 1 == i);
        let mut push = |line: usize, shown: &str, body: &str, style| {
            out.push(Heading {
                line,
                text: shown.trim().to_string(),
                style,
                version: version_named(body).map(|(_, v)| v),
                name: version_named(body).and_then(|(n, _)| n),
            })
        };
        // RST over- and underline: ===\nTitle\n===
        if let (Some(c), Some(title), Some(under)) = (
            underline(line),
            lines.get(i + 1),
            lines.get(i + 2).and_then(|l| underline(l)),
        ) {
            if c == under && !title.trim().is_empty() && underline(title).is_none() {
                push(i + 2, title, title, Style::Overline(c));
                i += 3;
                continue;
            }
        }
        let hashes = t.bytes().take_while(|&b| b == b'#').count();
        if !indented && (1..=6).contains(&hashes) && t[hashes..].starts_with([' ', '\t']) {
            let body = t[hashes..].trim().trim_end_matches('#').trim_end();
            push(i + 1, t, body, Style::Atx(hashes));
            i += 1;
            continue;
        }
        if !indented && starts_block && !t.is_empty() && underline(line).is_none() {
            if let Some(c) = lines.get(i + 1).and_then(|l| underline(l)) {
                if !t.starts_with(['-', '*', '+', '>', '|']) {
                    push(i + 1, t, t, Style::Underline(c));
                    i += 2;
                    continue;
                }
            }
        }
        i += 1;
    }
    out
}

/// The heading's text without inline HTML tags and link targets:
/// `<small>[8.2.2](https://x) (date)</small>` → `8.2.2 (date)`.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Once a closing `>` or `)` is missing, it is missing for the rest of the
    // line too: each is searched for at most once after failing (linear time).
    let (mut no_gt, mut no_paren) = (false, false);
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        let opens_tag =
            c == '<' && after.starts_with(|x: char| x.is_ascii_alphabetic() || x == '/');
        let tag = (opens_tag && !no_gt).then(|| after.find('>')).flatten();
        no_gt |= opens_tag && tag.is_none();
        let opens_target = c == ']' && after.starts_with('(');
        let target = (opens_target && !no_paren)
            .then(|| after.find(')'))
            .flatten();
        no_paren |= opens_target && target.is_none();
        match (tag, target) {
            (Some(end), _) | (_, Some(end)) => {
                out.push(' ');
                rest = &after[end + 1..];
                continue;
            }
            _ => {}
        }
        out.push(if matches!(c, '[' | ']' | '`' | '*') {
            ' '
        } else {
            c
        });
        rest = after;
    }
    out
}

/// The version a heading names: its first version-like token, after at
/// most one word (a project name) and the word Version or Release.
pub fn version_named(text: &str) -> Option<(Option<String>, String)> {
    let plain = plain(text);
    let mut name: Option<String> = None;
    for token in plain.split(|c: char| c.is_whitespace() || c == ',' || c == ':') {
        if token.is_empty() {
            continue;
        }
        if let Some(v) = version_token(token) {
            // A name glued to the version: `create-vite@9.1.2`, `ignore-0.4.33`.
            let glued = token
                .trim_start_matches(['(', '"', '\''])
                .strip_suffix(v.as_str())
                .map(|p| {
                    p.trim_end_matches(['v', 'V'])
                        .trim_end_matches(['@', '-', '_'])
                })
                .filter(|p| !p.is_empty())
                .map(str::to_lowercase);
            return Some((glued.or(name), v));
        }
        let keyword = ["version", "release"]
            .iter()
            .any(|k| token.eq_ignore_ascii_case(k));
        if !keyword {
            if name.is_some() {
                return None;
            }
            name = Some(token.to_lowercase());
        }
    }
    None
}

/// `token` as a version: a digit (after an optional `v`), then digits,
/// letters and `.+-`, holding a dot; trailing punctuation dropped. A project
/// name glued to it (`create-vite@9.1.2`, `ignore-0.4.33`) is cut at the
/// last `@`, or at a `-` that is followed by the version.
pub fn version_token(token: &str) -> Option<String> {
    let token = token.trim_matches(|c: char| matches!(c, '(' | ')' | '"' | '\'' | '.' | ';'));
    let token = match token.rfind('@') {
        Some(i) => &token[i + 1..],
        None => token,
    };
    let start = token
        .char_indices()
        .find(|&(i, c)| c.is_ascii_digit() && (i == 0 || token[..i].ends_with(['v', 'V', '-'])))
        .map(|(i, _)| i)?;
    let before = &token[..start];
    let cut = before.strip_suffix(['v', 'V']).unwrap_or(before);
    if !(cut.is_empty() || cut.ends_with('-')) {
        return None;
    }
    let v = &token[start..];
    let ok = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'));
    (ok && v.contains('.')).then(|| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Option<(usize, Style, Option<String>)> {
        headings(text)
            .into_iter()
            .next()
            .map(|h| (h.line, h.style, h.version))
    }

    #[test]
    fn heading_forms_of_real_changelogs() {
        let s = |v: &str| Some(v.to_string());
        for (text, want) in [
            ("## [1.2.3] - 2026-11-21\n", (1, Style::Atx(2), s("1.2.3"))),
            ("15.2.0 (2026-07-15)\n===================\n", (1, Style::Underline('='), s("15.2.0"))),
            ("Version 3.1.3\n-------------\n", (1, Style::Underline('-'), s("3.1.3"))),
            ("pluggy 1.6.0 (2025-05-15)\n=========================\n", (1, Style::Underline('='), s("1.6.0"))),
            ("## <small>[8.2.2](https://github.com/x/y/compare/v8.2.1...v8.2.2) (2026-01-02)</small>\n", (1, Style::Atx(2), s("8.2.2"))),
            ("=====\n2.32.5\n=====\n", (2, Style::Overline('='), s("2.32.5"))),
            ("5.1.0 / 2025-03-31\n==================\n", (1, Style::Underline('='), s("5.1.0"))),
            ("## create-vite@9.1.2\n", (1, Style::Atx(2), s("9.1.2"))),
            ("# v2.11.9 (2025-06-01)\n", (1, Style::Atx(1), s("2.11.9"))),
            ("## 25.07.1\n", (1, Style::Atx(2), s("25.07.1"))),
        ] {
            assert_eq!(first(text), Some(want), "{text}");
        }
    }

    #[test]
    fn near_misses_and_non_headings() {
        assert_eq!(first("## Changes since 1.2.3\n").unwrap().2, None);
        // One word before the version is kept as the name it gives.
        let h = headings("### Fixed 1.2.3 regression\n## create-vite@9.1.2\n");
        assert_eq!(h[0].name.as_deref(), Some("fixed"));
        assert_eq!(h[1].name.as_deref(), Some("create-vite"));
        assert_eq!(first("## Unreleased\n").unwrap().2, None);
        assert!(first("- a list item\n---\n").is_none());
        assert!(first("```\n## 1.2.3\n```\n").is_none());
        assert!(first("    ## 1.2.3\n").is_none());
        assert!(first("##1.2.3\n").is_none());
        assert_eq!(
            first("## 1.2.3-rc.1\n").unwrap().2.as_deref(),
            Some("1.2.3-rc.1")
        );
        assert!(first("text\n--\n").is_none(), "an underline is 3 or more");
    }

    /// A heading of unclosed `<a` or `](` was searched to its end for every
    /// one of them: quadratic. And a paragraph's last line over `---` was
    /// taken for a title.
    #[test]
    fn regression_review_findings() {
        let long = format!("# {}\n", "<a".repeat(200_000));
        assert_eq!(first(&long).unwrap().2, None);
        let long = format!("# {}\n", "](".repeat(200_000));
        assert_eq!(first(&long).unwrap().2, None);
        assert!(headings("Some text that goes on\nrelease 1.2.3\n---\n").is_empty());
        assert_eq!(
            first("Intro.\n\nrelease 1.2.3\n---\n")
                .unwrap()
                .2
                .as_deref(),
            Some("1.2.3")
        );
    }

    #[test]
    fn discovery_is_case_insensitive_in_order() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(discover(dir.path()), None);
        std::fs::write(dir.path().join("History.md"), "").unwrap();
        assert_eq!(discover(dir.path()).as_deref(), Some("History.md"));
        std::fs::write(dir.path().join("CHANGES.rst"), "").unwrap();
        assert_eq!(discover(dir.path()).as_deref(), Some("CHANGES.rst"));
        std::fs::write(dir.path().join("changelog.md"), "").unwrap();
        assert_eq!(discover(dir.path()).as_deref(), Some("changelog.md"));
    }
}
