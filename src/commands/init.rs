//! `gate init`: a commented release.yaml and gate.toml, an overrides folder
//! per built-in environment, and a workflow example. Existing files are
//! never replaced.

use crate::decision::{exit, ErrorKind};
use crate::outcome::InitOutcome;
use std::path::{Path, PathBuf};

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

/// Writes the starter files into `repo`.
pub fn run(repo: &Path) -> InitOutcome {
    let mut out = InitOutcome {
        exit_code: exit::code(exit::Command::Init, exit::Ending::Done),
        written: Vec::new(),
        kept: Vec::new(),
        warnings: Vec::new(),
        error: None,
    };
    if !repo.is_dir() {
        out.exit_code = exit::code(exit::Command::Init, exit::Ending::Error(ErrorKind::Input));
        out.error = Some(format!(
            "{}: not a folder; expected the repository root (--repo)",
            repo.display()
        ));
        return out;
    }
    let (version_line, changelog) = detected(repo, &mut out.warnings);
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
        if let Err(e) = write_new(repo, &rel, &text, &mut out) {
            out.exit_code = exit::code(exit::Command::Init, exit::Ending::Error(ErrorKind::Input));
            out.error = Some(e);
            return out;
        }
    }
    out
}

/// The release.yaml `version` line and the gate.toml lines init writes:
/// the package and tag template (a monorepo's prefixed tag at HEAD, or what
/// an existing gate.toml says), the version the package declares and the
/// changelog it keeps. Detected, never invented: what is not found is a
/// warning and a TODO.
fn detected(repo: &Path, warnings: &mut Vec<String>) -> (String, String) {
    let (package, tag) = package_and_tag(repo);
    let project = match &package {
        Some(p) => Project::load_package(repo, p, VersionSource::Auto, true, false, false),
        None => Project::load(repo, VersionSource::Auto, true, false, false),
    };
    let project = match project {
        Ok(p) => Some(p),
        Err(e) => {
            warnings.push(format!("the project manifests could not be read: {e}"));
            None
        }
    };
    let version = project
        .as_ref()
        .and_then(|p| crate::inputs::project_version(p, repo, None, tag.as_deref()))
        .map(|v| v.value);
    let version_line = match &version {
        Some(v) => format!(
            "version: {}          # must match the project's own version",
            quoted(v)
        ),
        None => {
            warnings.push(
                "no project manifest declares a version: release.yaml has `version: \"\"`; fill it in".into(),
            );
            "version: \"\"          # TODO: the version being released (no project manifest declares one)".into()
        }
    };
    // The changelog the project keeps, under whichever usual name.
    let found = crate::inputs::changelog::discover_for(repo, package.as_deref());
    let mut changelog = match found {
        Some(name) => format!(
            "changelog = {}        # found in the repository",
            quoted(&name)
        ),
        None => {
            warnings.push(format!(
                "no changelog found (looked for {}); `changelog` will FAIL until one exists",
                crate::inputs::changelog::CANDIDATES.join(", ")
            ));
            "# changelog = \"CHANGELOG.md\"     # none found; relative to the repository root"
                .into()
        }
    };
    if let Some(p) = &package {
        changelog.push_str(&format!(
            "\npackage = {}        # the package a tag at HEAD releases",
            quoted(p)
        ));
    }
    if let Some(t) = &tag {
        changelog.push_str(&format!(
            "\ntag = {}        # the release tag at HEAD",
            quoted(t)
        ));
    }
    (version_line, changelog)
}

/// Writes one starter file, never over one that exists (that is kept).
fn write_new(repo: &Path, rel: &Path, text: &str, out: &mut InitOutcome) -> Result<(), String> {
    let path = repo.join(rel);
    let shown = crate::inputs::display(rel);
    if path.exists() {
        out.kept.push(shown);
        return Ok(());
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
        Ok(()) => {
            out.written.push(shown);
            Ok(())
        }
        Err(e) => Err(format!("{}: cannot be written: {e}", path.display())),
    }
}

/// `s` as a double-quoted string that TOML and YAML both read back as `s`
/// (JSON's escaping is valid in both).
fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// The package and tag template of a monorepo: from an existing gate.toml,
/// else from a prefixed release tag at HEAD (`create-vite@9.1.2`,
/// `core-v2.46.4`): the member folder the prefix names, else the only member
/// whose version is the tag's.
fn package_and_tag(repo: &Path) -> (Option<String>, Option<String>) {
    if let Ok(Some(f)) = crate::inputs::file::read_text_if_exists(&repo.join("gate.toml")) {
        if let Ok(c) =
            crate::inputs::config::ConfigFile::parse(&repo.join("gate.toml"), &f.text, f.sha256)
        {
            return (c.package().map(String::from), c.tag().map(String::from));
        }
    }
    for t in crate::inputs::repo::tags_at_head(repo) {
        let Some(start) = t
            .char_indices()
            .find(|&(i, c)| {
                c.is_ascii_digit() && crate::inputs::changelog::version_token(&t[i..]).is_some()
            })
            .map(|(i, _)| i)
        else {
            continue;
        };
        let (prefix, version) = t.split_at(start);
        if prefix.is_empty() || prefix.eq_ignore_ascii_case("v") {
            continue;
        }
        let name = prefix
            .trim_end_matches(['v', 'V'])
            .trim_end_matches(['@', '-', '_']);
        let members = members(repo);
        let by_name = members.iter().find(|m| m.rsplit('/').next() == Some(name));
        let by_version = || {
            let same: Vec<&String> = members
                .iter()
                .filter(|m| {
                    Project::load(&repo.join(m), VersionSource::Auto, true, false, false).is_ok_and(
                        |p| {
                            p.versions.iter().any(|v| {
                                v.version
                                    .as_ref()
                                    .is_ok_and(|x| crate::inputs::version::same(x, version))
                            })
                        },
                    )
                })
                .collect();
            (same.len() == 1).then(|| same[0])
        };
        let package = by_name.or_else(by_version).cloned();
        return (package, Some(format!("{prefix}{{version}}")));
    }
    (None, None)
}

/// Folders one or two levels down holding a project manifest (workspace
/// members), `/`-separated, sorted; hidden folders and build output skipped.
fn members(repo: &Path) -> Vec<String> {
    let manifest = |d: &Path| {
        ["package.json", "Cargo.toml", "pyproject.toml"]
            .iter()
            .any(|m| d.join(m).is_file())
    };
    let dirs = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !n.starts_with('.') && !matches!(n.as_str(), "node_modules" | "target"))
            .collect();
        v.sort();
        v
    };
    let mut out = Vec::new();
    for a in dirs(repo) {
        if manifest(&repo.join(&a)) {
            out.push(a.clone());
        }
        for b in dirs(&repo.join(&a)) {
            if manifest(&repo.join(&a).join(&b)) {
                out.push(format!("{a}/{b}"));
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
