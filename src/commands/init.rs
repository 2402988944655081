//! `gate init`: a commented release.yaml and gate.toml, an overrides folder
//! per built-in environment, and a workflow example. Existing files are
//! never replaced.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::inputs::config::VersionSource;
use crate::inputs::project::Project;
use crate::policy::BUILTIN_ENVS;

const RELEASE_YAML: &str = include_str!("init_files/release.yaml");
const GATE_TOML: &str = include_str!("init_files/gate.toml");
const WORKFLOW: &str = include_str!("init_files/workflow.yml");
/// The template lines `init` replaces with what it detected.
const TEMPLATE_VERSION_LINE: &str =
    "version: \"{version}\"          # must match the project's own version";
const TEMPLATE_CHANGELOG_LINE: &str =
    "# changelog = \"CHANGELOG.md\"        # relative to the repository root";

/// What `init` did with each file.
#[derive(Debug, Clone, Serialize)]
pub struct InitOutcome {
    pub exit_code: u8,
    /// Files written.
    pub written: Vec<String>,
    /// Files that existed and were left as they were.
    pub kept: Vec<String>,
    /// What was detected, or could not be.
    pub warnings: Vec<String>,
    pub error: Option<String>,
}

/// Writes the starter files into `repo`.
pub fn run(repo: &Path) -> InitOutcome {
    let mut out = InitOutcome {
        exit_code: 0,
        written: Vec::new(),
        kept: Vec::new(),
        warnings: Vec::new(),
        error: None,
    };
    if !repo.is_dir() {
        out.exit_code = 2;
        out.error = Some(format!(
            "{}: not a folder; expected the repository root (--repo)",
            repo.display()
        ));
        return out;
    }
    // The version the project already declares: detected, never invented.
    let project = Project::load(repo, VersionSource::Auto, true, false, false).ok();
    let scm = project.as_ref().is_some_and(|p| p.scm);
    let version = project
        .and_then(|p| p.versions.into_iter().find_map(|v| v.version.ok()))
        .or_else(|| {
            scm.then(|| crate::inputs::repo::version_tag(repo, None, None))
                .flatten()
        });
    let version_line = match &version {
        Some(v) => format!("version: \"{v}\"          # must match the project's own version"),
        None => {
            out.warnings.push(
                "no project manifest declares a version: release.yaml has `version: \"\"`; fill it in".into(),
            );
            "version: \"\"          # TODO: the version being released (no project manifest declares one)".into()
        }
    };
    // The changelog the project keeps, under whichever usual name.
    let changelog = match crate::inputs::changelog::discover(repo) {
        Some(name) => format!("changelog = \"{name}\"        # found in the repository"),
        None => {
            out.warnings.push(format!(
                "no changelog found (looked for {}); `changelog` will FAIL until one exists",
                crate::inputs::changelog::CANDIDATES.join(", ")
            ));
            "# changelog = \"CHANGELOG.md\"     # none found; relative to the repository root"
                .into()
        }
    };
    let mut files: Vec<(PathBuf, String)> = vec![
        (
            PathBuf::from("release.yaml"),
            RELEASE_YAML.replace(TEMPLATE_VERSION_LINE, &version_line),
        ),
        (
            PathBuf::from("gate.toml"),
            GATE_TOML.replace(TEMPLATE_CHANGELOG_LINE, &changelog),
        ),
        // gate's own audit log never dirties the tree it checks.
        (PathBuf::from(".gate/.gitignore"), "*\n".to_string()),
        (
            PathBuf::from(".github/workflows/gate.yml"),
            WORKFLOW.to_string(),
        ),
    ];
    for env in BUILTIN_ENVS {
        files.push((
            Path::new("overrides").join(env).join(".gitkeep"),
            String::new(),
        ));
    }
    for (rel, text) in files {
        let path = repo.join(&rel);
        let shown = crate::inputs::display(&rel);
        if path.exists() {
            out.kept.push(shown);
            continue;
        }
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
            })
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
        match written {
            Ok(()) => out.written.push(shown),
            Err(e) => {
                out.exit_code = 2;
                out.error = Some(format!("{}: cannot be written: {e}", path.display()));
                return out;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_hold_the_lines_init_replaces() {
        assert!(RELEASE_YAML.contains(TEMPLATE_VERSION_LINE));
        assert!(GATE_TOML.contains(TEMPLATE_CHANGELOG_LINE));
    }

    #[test]
    fn init_detects_instead_of_inventing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("HISTORY.md"), "# History\n").unwrap();
        let o = run(dir.path());
        assert_eq!(o.exit_code, 0, "{:?}", o.error);
        let release = std::fs::read_to_string(dir.path().join("release.yaml")).unwrap();
        assert!(
            release.contains("version: \"\"") && release.contains("TODO"),
            "{release}"
        );
        assert!(o
            .warnings
            .iter()
            .any(|w| w.contains("no project manifest declares a version")));
        let toml = std::fs::read_to_string(dir.path().join("gate.toml")).unwrap();
        assert!(toml.contains("changelog = \"HISTORY.md\""), "{toml}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gate/.gitignore")).unwrap(),
            "*\n"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"x\"\nversion = \"15.2.0\"\n",
        )
        .unwrap();
        run(dir.path());
        let release = std::fs::read_to_string(dir.path().join("release.yaml")).unwrap();
        assert!(release.contains("version: \"15.2.0\""), "{release}");
    }
}
