//! Inputs: every file and fact gate reads, parsed once into typed values.
//!
//! Loading is driven by [`Needs`]: only what the environment's required
//! checks read is read, so a missing release.yaml is no error where no
//! attested check is required, and `--repo` need not be a git repository
//! where no check reads git. After loading, nothing else touches the disk.

pub mod allowed_signers;
pub mod changelog;
pub mod config;
pub mod error;
pub mod file;
pub mod locc;
pub mod lockfile;
pub mod manifest;
pub mod override_file;
pub mod project;
pub mod pyjson;
pub mod repo;
pub mod source;
pub mod suggest;
pub mod toml_file;
pub mod version;
pub mod yaml;

use std::path::{Path, PathBuf};

use crate::model::Needs;
use config::ConfigFile;
use error::InputError;
use manifest::ReleaseManifest;
use project::Project;
use repo::RepoState;

/// The CI status and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiStatusInput {
    pub value: String,
    /// `--ci-status`, `$GATE_CI_STATUS` or `$DELIVERY_GATE_CI_STATUS`.
    pub source: String,
}

/// The changelog: its path relative to the root and its text, if it exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangelogInput {
    pub path: String,
    pub text: Option<String>,
}

/// The version being released and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseVersion {
    pub value: String,
    /// The file that declares it, relative to the root.
    pub file: String,
}

/// What the caller names: the repository, explicit paths, injected facts.
#[derive(Debug, Clone)]
pub struct Request {
    /// `--repo`.
    pub repo: PathBuf,
    /// `--manifest`, when given.
    pub manifest: Option<PathBuf>,
    /// `--config`, when given.
    pub config: Option<PathBuf>,
    /// `--package`, when given (over gate.toml's `package`).
    pub package: Option<String>,
    /// The CI status, already resolved from flag and environment.
    pub ci_status: Option<CiStatusInput>,
    /// The release commit, when one was resolved: release tags are looked
    /// for there rather than at HEAD.
    pub release_commit: Option<String>,
    /// The input digests will be written (JSON, an audit event): large
    /// files are hashed on another thread while the run goes on. Otherwise
    /// they are hashed only if asked for.
    pub hash_eagerly: bool,
}

/// Metric files as read: file → its JSON, or why it could not be read.
pub type Metrics = std::collections::BTreeMap<String, Result<serde_json::Value, String>>;

/// Everything the checks read.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub repo_root: PathBuf,
    pub config: ConfigFile,
    pub ci_status: Option<CiStatusInput>,
    pub manifest: Option<ReleaseManifest>,
    pub project: Option<Project>,
    pub changelog: Option<ChangelogInput>,
    pub repo: Option<RepoState>,
    /// The locc artifact (`gate evaluate --locc-artifact`).
    pub artifact: Option<locc::LoccArtifact>,
    /// The audit log's last line, read by the command under the append
    /// lock just before judging.
    pub audit: crate::model::AuditTail,
    pub version: Option<ReleaseVersion>,
    /// (file, sha256) of every input file read, for the audit record.
    pub digests: Vec<(String, file::Sha256Hex)>,
    /// The metric files the required thresholds read.
    pub metrics: Metrics,
    /// release.yaml is required but missing: the error to report beside
    /// the AUTO findings, which are still judged.
    pub missing_manifest: Option<InputError>,
    /// What is worth saying about inputs no check judged.
    pub warnings: Vec<String>,
    /// A policy from outside the work tree beside the release commit's own
    /// copy: the input of `policy_source`.
    pub policy: Option<PolicyCompare>,
}

/// The trusted policy and the release commit's copy of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyCompare {
    /// The trusted policy's source, as reports name it.
    pub source: String,
    /// The file compared, as `PATH at <commit>`.
    pub compared: String,
    pub ours: toml::Table,
    /// The release commit's copy: `None` when it has no such file.
    pub theirs: Option<Result<toml::Table, String>>,
}

/// The trusted policy beside PATH (or gate.toml) in the release commit's
/// tree (`release_commit`, else HEAD), where the policy is trusted.
fn policy_compare(req: &Request, config: &ConfigFile) -> Option<PolicyCompare> {
    let trusted = config.trusted.as_ref()?;
    let ours: toml::Table = toml::from_str(&config.text).ok()?;
    let commit = match &req.release_commit {
        Some(c) => c.clone(),
        None => git2::Repository::open(&req.repo)
            .ok()?
            .head()
            .ok()?
            .peel_to_commit()
            .ok()?
            .id()
            .to_string(),
    };
    let (_, bytes) = source::blob_at(&req.repo, &commit, &trusted.compared).ok()?;
    let theirs = bytes.map(|b| {
        let text = String::from_utf8(b).map_err(|_| "not UTF-8".to_string())?;
        toml::from_str::<toml::Table>(&text).map_err(|e| e.message().to_string())
    });
    Some(PolicyCompare {
        source: trusted.source.clone(),
        compared: format!("{} at {}", trusted.compared, prefix(&commit, 12)),
        ours,
        theirs,
    })
}

/// Loads gate.toml: `--config` (or `$GATE_CONFIG`) must exist, a path or
/// `git:REF:PATH` (read from REF's tree, never the work tree);
/// `<repo>/gate.toml` is optional. A policy from outside the work tree is
/// marked [`config::Trusted`], to be compared with the release commit's.
pub fn load_config(req: &Request) -> Result<ConfigFile, InputError> {
    let (path, explicit) = match &req.config {
        Some(p) => (p.clone(), true),
        None => (req.repo.join("gate.toml"), false),
    };
    if let Some(written) = path.to_str().filter(|p| p.starts_with("git:")) {
        return load_git_config(req, written);
    }
    let mut config = match file::read_text_if_exists(&path)? {
        Some(f) => ConfigFile::parse(&path, &f.text, f.sha256)?,
        None if explicit => return Err(InputError::file(&path, "not found (--config)")),
        None => ConfigFile::builtin(),
    };
    if explicit && config.path.is_some() && !source::inside_work_tree(&path, &req.repo) {
        config.trusted = Some(config::Trusted {
            source: display(&path),
            commit: None,
            compared: "gate.toml".into(),
        });
    }
    if let Some(p) = &req.package {
        config.set_package(p)?;
    }
    Ok(config)
}

/// `--config git:REF:PATH`.
fn load_git_config(req: &Request, written: &str) -> Result<ConfigFile, InputError> {
    let src = source::Source::parse(written).map_err(|m| InputError::file(written, m))?;
    let read = source::read(&src, &req.repo, file::MAX_INPUT_BYTES, "input files")?;
    let mut config = ConfigFile::parse(Path::new(&read.shown), &read.text.text, read.text.sha256)?;
    let compared = match &src {
        source::Source::Git { path, .. } => path.clone(),
        source::Source::Path(_) => "gate.toml".into(),
    };
    config.trusted = Some(config::Trusted {
        source: read.shown,
        commit: read.commit,
        compared,
    });
    if let Some(p) = &req.package {
        config.set_package(p)?;
    }
    Ok(config)
}

impl Inputs {
    /// Reads what the required `checks` (each id with its needs) need, and
    /// the metric files of `thresholds`. release.yaml is read first when it
    /// exists: a check it marks not applicable, where `na_allowed` says it
    /// may, reads nothing else.
    pub fn load(
        req: &Request,
        config: ConfigFile,
        checks: &[(String, Needs)],
        thresholds: &[config::ThresholdDef],
        na_allowed: &dyn Fn(&str) -> bool,
    ) -> Result<Inputs, InputError> {
        let mut inputs = Inputs::nothing_read(req, config);
        inputs.policy = policy_compare(req, &inputs.config);
        if let (Some(p), Some(sha)) = (&inputs.config.path, &inputs.config.sha256) {
            inputs
                .digests
                .push((relative_to(&req.repo, p), sha.clone().into()));
        }
        inputs.read_metrics(&req.repo, thresholds);
        repo_root(&req.repo)?;
        if checks.is_empty() {
            return Ok(inputs);
        }
        // release.yaml is read only where something needs it: a required
        // attestation, a check that reads it, a check it may mark not
        // applicable here, or a --manifest given.
        let wants_manifest = req.manifest.is_some()
            || checks
                .iter()
                .any(|(id, needs)| needs.manifest || na_allowed(id));
        if wants_manifest {
            inputs.manifest = load_manifest(req, &inputs.config, false)?;
        }
        let needs = checks
            .iter()
            .filter(|(id, _)| {
                !na_allowed(id)
                    || inputs
                        .manifest
                        .as_ref()
                        .is_none_or(|m| m.not_applicable(id).is_none())
            })
            .fold(Needs::default(), |n, (_, needs)| n.union(*needs));
        if inputs.manifest.is_none() && needs.manifest {
            // Reported beside the AUTO findings, which are still judged.
            inputs.missing_manifest = load_manifest(req, &inputs.config, true).err();
        }
        if let Some(m) = &inputs.manifest {
            let (file, sha256) = (m.file.clone(), m.sha256.clone());
            inputs.version = Some(ReleaseVersion {
                value: m.version.clone(),
                file: file.clone(),
            });
            inputs.digests.push((file, sha256.into()));
        }
        inputs.read_project(req, needs)?;
        if needs.changelog {
            inputs.read_changelog(&req.repo)?;
        }
        if needs.git {
            let version = inputs.version.as_ref().map(|v| v.value.as_str());
            inputs.repo = Some(repo::load(
                &req.repo,
                version,
                inputs.config.tag(),
                req.release_commit.as_deref(),
            )?);
        }
        Ok(inputs)
    }

    /// Inputs before anything is read: the request's and gate.toml's.
    pub fn nothing_read(req: &Request, config: ConfigFile) -> Inputs {
        Inputs {
            repo_root: req.repo.clone(),
            ci_status: req.ci_status.clone(),
            manifest: None,
            project: None,
            changelog: None,
            repo: None,
            artifact: None,
            audit: Default::default(),
            version: None,
            digests: Vec::new(),
            metrics: Default::default(),
            missing_manifest: None,
            warnings: Vec::new(),
            policy: None,
            config,
        }
    }

    /// The metric files the thresholds read: whatever is wrong with one is
    /// its threshold's FAIL, not an error.
    fn read_metrics(&mut self, repo: &Path, thresholds: &[config::ThresholdDef]) {
        for t in thresholds {
            if self.metrics.contains_key(&t.file) {
                continue;
            }
            let value = match file::read_text_if_exists(&repo.join(&t.file)) {
                Ok(Some(f)) => {
                    self.digests.push((t.file.clone(), f.sha256.clone().into()));
                    serde_json::from_str(&f.text).map_err(|e| {
                        format!(
                            "{}:{}:{}: not JSON: {}",
                            t.file,
                            e.line(),
                            e.column(),
                            project::strip_json_location(&e)
                        )
                    })
                }
                Ok(None) => Err(format!("{} not found", t.file)),
                Err(e) => Err(e.to_string()),
            };
            self.metrics.insert(t.file.clone(), value);
        }
    }

    /// The project's manifests, where a check reads their versions or
    /// dependencies; else, for the report alone, the version they declare.
    fn read_project(&mut self, req: &Request, needs: Needs) -> Result<(), InputError> {
        let want_project_versions =
            needs.project_versions || (needs.version && self.version.is_none());
        if want_project_versions || needs.project_deps {
            let p = project(req, &self.config, want_project_versions, needs.project_deps)?;
            if req.hash_eagerly {
                p.digests.iter().for_each(|(_, d)| d.start());
            }
            self.digests.extend(p.digests.iter().cloned());
            if self.version.is_none() {
                self.version = project_version(
                    &p,
                    &req.repo,
                    req.release_commit.as_deref(),
                    self.config.tag(),
                );
            }
            self.project = Some(p);
        }
        if self.version.is_none() && self.project.is_none() {
            // Only for the report: the version the project declares. What
            // is wrong with a manifest no check reads is a warning here.
            match project(req, &self.config, true, false) {
                Ok(p) => {
                    self.digests.extend(p.digests.iter().cloned());
                    self.version = project_version(
                        &p,
                        &req.repo,
                        req.release_commit.as_deref(),
                        self.config.tag(),
                    );
                }
                Err(e) => self
                    .warnings
                    .push(format!("the version could not be read for the report: {e}")),
            }
        }
        Ok(())
    }

    /// The changelog: the configured file, else the first of the usual
    /// names there is (in a monorepo, the package's own first).
    fn read_changelog(&mut self, repo: &Path) -> Result<(), InputError> {
        let rel = match self.config.changelog() {
            Some(c) => c.to_string(),
            None => changelog::discover_for(repo, self.config.package())
                .unwrap_or_else(|| changelog::CANDIDATES[0].to_string()),
        };
        let f = file::read_text_if_exists(&repo.join(&rel))?;
        if let Some(f) = &f {
            self.digests.push((rel.clone(), f.sha256.clone().into()));
        }
        self.changelog = Some(ChangelogInput {
            path: rel,
            text: f.map(|f| f.text),
        });
        Ok(())
    }
}

/// `--repo` must be a folder.
fn repo_root(repo: &Path) -> Result<(), InputError> {
    if repo.is_dir() {
        return Ok(());
    }
    let what = if repo.exists() {
        "is not a directory"
    } else {
        "not found"
    };
    Err(InputError::file(
        repo,
        format!("{what}; expected the repository root (--repo)"),
    ))
}

/// The project's manifests: at the root, or in gate.toml's `package`.
fn project(
    req: &Request,
    config: &ConfigFile,
    versions: bool,
    deps: bool,
) -> Result<Project, InputError> {
    let (source, dev) = (config.version_source(), config.include_dev());
    match config.package() {
        Some(pkg) => Project::load_package(&req.repo, pkg, source, versions, deps, dev),
        None => {
            let mut p = Project::load(&req.repo, source, versions, deps, dev)?;
            // A workspace is judged as a whole: its members' dependencies too.
            if deps {
                p.read_members(&req.repo, dev)?;
            }
            Ok(p)
        }
    }
}

/// The version the project declares: its first manifest's, or for a
/// version that is the git tag (setuptools_scm and its kind), the tag's.
pub fn project_version(
    p: &Project,
    repo_root: &Path,
    release: Option<&str>,
    config_tag: Option<&str>,
) -> Option<ReleaseVersion> {
    let declared = p.versions.iter().find_map(|v| {
        v.version.as_ref().ok().map(|value| ReleaseVersion {
            value: value.clone(),
            file: v.file.clone(),
        })
    });
    declared.or_else(|| {
        let tag = p
            .scm
            .then(|| repo::version_tag(repo_root, release, config_tag))??;
        Some(ReleaseVersion {
            value: tag,
            file: "the git tag".into(),
        })
    })
}

/// release.yaml: read when it exists (its `not_applicable` can apply to any
/// check); an error when `required` and missing.
fn load_manifest(
    req: &Request,
    config: &ConfigFile,
    required: bool,
) -> Result<Option<ReleaseManifest>, InputError> {
    let (path, explicit) = match &req.manifest {
        Some(p) => (p.clone(), true),
        None => (req.repo.join("release.yaml"), false),
    };
    match file::read_text_if_exists(&path)? {
        Some(f) => {
            let defs = config.attestations();
            let known: Vec<&str> = defs.iter().map(|d| d.id.as_str()).collect();
            let mut m = ReleaseManifest::parse(&path, &f.text, f.sha256, &known)?;
            m.file = relative_to(&req.repo, &path);
            Ok(Some(m))
        }
        None if explicit => Err(InputError::file(&path, "not found (--manifest)")),
        None if required => Err(InputError::file(
            &path,
            "not found: run `gate init` to write one (the required attested checks read it)",
        )),
        None => Ok(None),
    }
}

/// Whether a path written in a manifest or gate.toml could leave the
/// repository: absolute, with a drive or scheme, or climbing with `..`.
pub fn escapes(p: &str) -> bool {
    p.starts_with(['/', '\\']) || p.contains(':') || p.split(['/', '\\']).any(|c| c == "..")
}

/// `path` relative to `root` when it lies inside it, else as given;
/// `/`-separated either way.
pub fn relative_to(root: &Path, path: &Path) -> String {
    display(path.strip_prefix(root).unwrap_or(path))
}

/// The first `chars` characters of `s`: for showing a prefix of text that
/// should be hex but comes from a user (a commit id, a hash), where slicing
/// at a byte offset could land inside a character.
pub fn prefix(s: &str, chars: usize) -> &str {
    s.char_indices().nth(chars).map_or(s, |(i, _)| &s[..i])
}

/// A path as it appears in reports: `/`-separated.
pub fn display(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}
