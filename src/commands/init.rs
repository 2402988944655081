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

/// What `init` did with each file.
#[derive(Debug, Clone, Serialize)]
pub struct InitOutcome {
    pub exit_code: u8,
    /// Files written.
    pub written: Vec<String>,
    /// Files that existed and were left as they were.
    pub kept: Vec<String>,
    pub error: Option<String>,
}

/// Writes the starter files into `repo`.
pub fn run(repo: &Path) -> InitOutcome {
    let mut out = InitOutcome {
        exit_code: 0,
        written: Vec::new(),
        kept: Vec::new(),
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
    // The version the project already declares, if any.
    let version = Project::load(repo, VersionSource::Auto, true, false, false)
        .ok()
        .and_then(|p| p.versions.into_iter().find_map(|v| v.version.ok()))
        .unwrap_or_else(|| "0.1.0".into());
    let mut files: Vec<(PathBuf, String)> = vec![
        (
            PathBuf::from("release.yaml"),
            RELEASE_YAML.replace("{version}", &version),
        ),
        (PathBuf::from("gate.toml"), GATE_TOML.to_string()),
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
