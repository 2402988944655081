//! `release_point`: the work tree is clean (no tracked changes, no
//! untracked non-ignored files) and a tag at HEAD names the version
//! (`v1.2.3` or `1.2.3`, lightweight or annotated).
//!
//! A detached HEAD is checked like any other: CI systems check tags out
//! detached, and that is exactly the release point being verified.

use super::{auto, Finding, Needs, Single, Status};
use crate::inputs::repo::RepoState;
use crate::inputs::Inputs;

pub struct ReleasePoint;

impl Single for ReleasePoint {
    fn id(&self) -> &'static str {
        "release_point"
    }
    fn title(&self) -> &'static str {
        "Clean, tagged release point"
    }
    fn needs(&self) -> Needs {
        Needs {
            git: true,
            version: true,
            ..Needs::default()
        }
    }
    fn run(&self, inputs: &Inputs) -> Finding {
        let version = inputs.version.as_ref().map(|v| v.value.as_str());
        let tag_names = tag_names(version, inputs.config.tag());
        let expected = format!("a clean work tree and a tag {tag_names} at HEAD");
        let fail = |message: String, found: String| {
            auto(self, Status::Fail)
                .message(message)
                .expected_found(expected.clone(), found)
        };
        let head = match &inputs.repo {
            None => return fail("the repository was not read".into(), "nothing".into()),
            Some(RepoState::Subfolder { root }) => {
                let root = root.display().to_string();
                let root = root.trim_end_matches(['/', '\\']);
                return fail(
                    format!("--repo is a subfolder of the git work tree at {root}; point --repo at the work-tree root"),
                    "a subfolder of a work tree".into(),
                );
            }
            Some(RepoState::Bare) => {
                return fail(
                    "a bare repository has no work tree to release from".into(),
                    "a bare repository".into(),
                )
            }
            Some(RepoState::Unborn) => {
                return fail(
                    "the repository has no commits yet".into(),
                    "an empty repository (no HEAD commit)".into(),
                )
            }
            Some(RepoState::Ready(h)) => h,
        };
        let short = crate::inputs::prefix(&head.sha, 12);
        let at = match (&head.release_commit, &head.branch) {
            (Some(rc), _) => format!(
                "release commit {} (HEAD {short} adds only overrides)",
                crate::inputs::prefix(rc, 12)
            ),
            (None, Some(b)) => format!("HEAD {short} ({b})"),
            (None, None) => format!("detached HEAD {short}"),
        };
        let mut problems: Vec<String> = uncommitted(head).into_iter().collect();
        if version.is_none() {
            problems.push("no release version to match a tag against (release.yaml is missing and no project manifest declares one)".into());
        } else if head.release_tags.is_empty() {
            let others = if head.other_tags.is_empty() {
                "no tags".to_string()
            } else {
                format!("tags {}", head.other_tags.join(", "))
            };
            problems.push(format!("no tag {tag_names} at {at} (it has {others})"));
        }
        if problems.is_empty() {
            let tag = &head.release_tags[0];
            auto(self, Status::Pass)
                .message(format!("clean work tree; tag {tag} at {at}"))
                .expected_found(expected, format!("clean, tag {tag} at {at}"))
        } else {
            let found = problems.join("; ");
            fail(found.clone(), found)
        }
    }
}

/// The tag names that release `version`: gate.toml's template, else
/// `v<version>` or `<version>`.
fn tag_names(version: Option<&str>, template: Option<&str>) -> String {
    match (version, template) {
        (Some(v), Some(template)) => template.replace("{version}", v),
        (Some(v), None) => {
            let bare = v.strip_prefix('v').unwrap_or(v);
            format!("v{bare} or {bare}")
        }
        (None, _) => "a release tag".into(),
    }
}

/// The uncommitted changes, the first few by name.
fn uncommitted(head: &crate::inputs::repo::Head) -> Option<String> {
    if head.dirty_count == 0 {
        return None;
    }
    let mut shown = head.dirty.join(", ");
    if head.dirty_count > head.dirty.len() {
        shown.push_str(&format!(
            " and {} more",
            head.dirty_count - head.dirty.len()
        ));
    }
    Some(format!("working tree has uncommitted changes: {shown}"))
}
