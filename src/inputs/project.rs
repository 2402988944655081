//! The project's own manifests at the repository root: the version they
//! declare (pyproject.toml PEP 621 and Poetry, Cargo.toml package and
//! workspace, package.json) and the dependencies they declare (those plus
//! requirements*.txt), each with its file and line.
//!
//! Only parsing happens here; whether a requirement is pinned is the
//! `deps_pinned` check's judgement.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::config::VersionSource;
use super::error::{line_of, InputError, Lines};
use super::file::{read_text_if_exists, TextFile};
use super::toml_file;

/// A version declared by a project manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredVersion {
    /// The manifest, relative to the repository root.
    pub file: String,
    pub line: Option<usize>,
    /// The version, or why the file declares none statically.
    pub version: Result<String, String>,
}

/// Which packaging world a dependency belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    /// A PEP 508 requirement (PEP 621 lists, requirements*.txt).
    Pep508,
    /// A Poetry constraint (bare `1.2.3` is exact there).
    Poetry,
    /// A Cargo requirement (`=1.2.3` is exact; bare `1.2.3` means `^1.2.3`).
    Cargo,
    /// An npm range (`1.2.3` is exact).
    Npm,
}

/// Where a dependency comes from, beyond its version requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Registry,
    /// A git dependency, with the commit it names, if any.
    Git {
        rev: Option<String>,
    },
    /// A local path: versioned with this repository.
    Path,
    /// `workspace = true` whose workspace entry was not found.
    Workspace,
    /// An editable install or a direct URL.
    Direct,
}

/// One declared dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub file: String,
    pub line: Option<usize>,
    pub name: String,
    /// The requirement as written (a whole PEP 508 line for Python).
    pub requirement: String,
    pub ecosystem: Ecosystem,
    pub source: Source,
}

/// What the project's manifests declare.
#[derive(Debug, Clone, Default)]
pub struct Project {
    pub versions: Vec<DeclaredVersion>,
    pub dependencies: Vec<Dependency>,
    /// The dependency files examined, relative to the root.
    pub dependency_files: Vec<String>,
    /// (file, sha256) of every file read.
    pub digests: Vec<(String, super::file::Sha256Hex)>,
    /// The lock files at the root (read with the dependencies).
    pub locks: Vec<super::lockfile::LockFile>,
    /// The version is the git tag (setuptools_scm, hatch-vcs, PDM scm).
    pub scm: bool,
    /// The package names the manifests declare (a changelog heading may
    /// carry one).
    pub names: Vec<String>,
    /// Why the project looks like a library, by ecosystem: libraries declare
    /// ranges on purpose.
    pub library: Vec<(Ecosystem, &'static str)>,
    /// Workspace member patterns the manifests declare (Cargo
    /// `[workspace] members`, package.json `workspaces`,
    /// pnpm-workspace.yaml, `[tool.uv.workspace]`), with those excluded.
    pub workspace: Vec<String>,
    pub workspace_exclude: Vec<String>,
    /// The names `[workspace.dependencies]` declares: members' `workspace =
    /// true` entries are judged there.
    pub workspace_deps: Vec<String>,
    /// Member patterns gate could not expand (only `dir`, `dir/*` are): their
    /// dependencies were not read, and the finding says so.
    pub unread_members: Vec<String>,
}

impl Project {
    /// Reads the manifests at `root`: versions when `versions` is set,
    /// dependencies when `deps` is set (dev ones too with `include_dev`).
    pub fn load(
        root: &Path,
        source: VersionSource,
        versions: bool,
        deps: bool,
        include_dev: bool,
    ) -> Result<Self, InputError> {
        let mut p = Project::default();
        let wants = |s: VersionSource| versions && (source == VersionSource::Auto || source == s);
        if let Some(f) = p.read(root, "pyproject.toml")? {
            parse_pyproject(
                &mut p,
                &root.join("pyproject.toml"),
                &f.text,
                wants(VersionSource::Pyproject),
                deps,
                include_dev,
            )?;
        }
        if let Some(f) = p.read(root, "Cargo.toml")? {
            parse_cargo(
                &mut p,
                &root.join("Cargo.toml"),
                &f.text,
                wants(VersionSource::Cargo),
                deps,
                include_dev,
            )?;
        }
        if let Some(f) = p.read(root, "package.json")? {
            parse_package_json(
                &mut p,
                &root.join("package.json"),
                &f.text,
                wants(VersionSource::PackageJson),
                deps,
                include_dev,
            )?;
        }
        if deps {
            for name in requirements_files(root)?
                .into_iter()
                .filter(|n| include_dev || !is_dev_requirements(n))
            {
                if let Some(f) = p.read(root, &name)? {
                    parse_requirements(&mut p, &name, &f.text);
                }
            }
        }
        if deps {
            p.locks = super::lockfile::load(root)?;
            for l in &p.locks {
                p.digests
                    .push((l.kind.file().to_string(), l.sha256.clone()));
            }
            if let Some(f) = p.read(root, "pnpm-workspace.yaml")? {
                p.workspace.extend(pnpm_workspace(&f.text));
            }
        }
        if versions && source != VersionSource::Auto && p.versions.is_empty() {
            let name = match source {
                VersionSource::Pyproject => "pyproject.toml",
                VersionSource::Cargo => "Cargo.toml",
                _ => "package.json",
            };
            return Err(InputError::file(
                root.join(name),
                "not found, but gate.toml sets it as `version_source`",
            ));
        }
        Ok(p)
    }

    /// The manifests of the package in folder `package` of the repository
    /// at `repo` (a monorepo member): file names as seen from the root, and
    /// the root's lock files where the package has none of its own (a
    /// workspace's lock file applies to its members).
    pub fn load_package(
        repo: &Path,
        package: &str,
        source: VersionSource,
        versions: bool,
        deps: bool,
        include_dev: bool,
    ) -> Result<Self, InputError> {
        let mut p = Self::load(&repo.join(package), source, versions, deps, include_dev)?;
        let pkg = package.trim_end_matches('/');
        let at = |f: &mut String| *f = format!("{pkg}/{f}");
        p.versions.iter_mut().for_each(|v| at(&mut v.file));
        p.dependencies.iter_mut().for_each(|d| at(&mut d.file));
        p.dependency_files.iter_mut().for_each(at);
        p.digests.iter_mut().for_each(|(f, _)| at(f));
        p.inherit_cargo_workspace(repo, &format!("{pkg}/Cargo.toml"))?;
        if deps {
            for l in super::lockfile::load(repo)? {
                if !p.locks.iter().any(|own| own.kind == l.kind) {
                    p.digests
                        .push((l.kind.file().to_string(), l.sha256.clone()));
                    p.locks.push(l);
                }
            }
        }
        Ok(p)
    }

    /// A member crate's `version.workspace = true` and `x = { workspace =
    /// true }`, resolved from the root Cargo.toml's `[workspace.package]`
    /// and `[workspace.dependencies]`.
    fn inherit_cargo_workspace(&mut self, repo: &Path, member: &str) -> Result<(), InputError> {
        let inherits = self
            .versions
            .iter()
            .any(|v| v.file == member && v.version.is_err())
            || self
                .dependencies
                .iter()
                .any(|d| d.file == member && d.source == Source::Workspace);
        if !inherits {
            return Ok(());
        }
        let Some(f) = self.read(repo, "Cargo.toml")? else {
            return Ok(());
        };
        let path = repo.join("Cargo.toml");
        let doc: CargoManifest = toml_file::from_str(&path, &f.text)?;
        let Some(ws) = doc.workspace else {
            return Ok(());
        };
        if let Some(wv) = ws.package.as_ref().and_then(|wp| wp.version.as_ref()) {
            for v in self
                .versions
                .iter_mut()
                .filter(|v| v.file == member && v.version.is_err())
            {
                *v = declared("Cargo.toml", &f.text, wv);
            }
        }
        let lines = Lines::new(&f.text);
        for d in self
            .dependencies
            .iter_mut()
            .filter(|d| d.file == member && d.source == Source::Workspace)
        {
            if let Some(value) = ws.dependencies.get(&d.name) {
                *d = toml_dep(
                    "Cargo.toml",
                    &lines,
                    &d.name.clone(),
                    value,
                    Ecosystem::Cargo,
                );
            }
        }
        Ok(())
    }

    /// One workspace member's manifests and lock files, its file names as
    /// seen from the root.
    fn add_member(&mut self, root: &Path, dir: &str, include_dev: bool) -> Result<(), InputError> {
        let m = Self::load(
            &root.join(dir),
            VersionSource::Auto,
            false,
            true,
            include_dev,
        )?;
        let at = |f: &str| format!("{dir}/{f}");
        for mut d in m.dependencies {
            // `workspace = true`: judged where the workspace declares it.
            if d.source == Source::Workspace && self.workspace_deps.contains(&d.name) {
                continue;
            }
            d.file = at(&d.file);
            self.dependencies.push(d);
        }
        // A member's own lock file judges that member's dependencies
        // (its digest came with the member's).
        for mut l in m.locks {
            l.scope = Some(dir.to_string());
            self.locks.push(l);
        }
        self.dependency_files
            .extend(m.dependency_files.iter().map(|f| at(f)));
        self.digests
            .extend(m.digests.into_iter().map(|(f, h)| (at(&f), h)));
        Ok(())
    }

    /// Reads the dependencies of every workspace member at `root` (a
    /// workspace is judged as a whole), file names as seen from the root.
    pub fn read_members(&mut self, root: &Path, include_dev: bool) -> Result<(), InputError> {
        let mut seen = std::collections::BTreeSet::new();
        // `!dir` in a member list (pnpm, npm) excludes, as `exclude` does.
        let (negated, patterns): (Vec<String>, Vec<String>) = std::mem::take(&mut self.workspace)
            .into_iter()
            .partition(|p| p.trim_start().starts_with('!'));
        let excludes: std::collections::HashSet<String> = self
            .workspace_exclude
            .iter()
            .map(String::as_str)
            .chain(
                negated
                    .iter()
                    .map(|n| n.trim_start().trim_start_matches('!')),
            )
            .map(|x| {
                x.trim()
                    .trim_start_matches("./")
                    .trim_end_matches('/')
                    .to_string()
            })
            .collect();
        let real_root = std::fs::canonicalize(root).ok();
        for pattern in patterns {
            let Some(dirs) = expand(root, &pattern) else {
                self.unread_members.push(pattern);
                continue;
            };
            for dir in dirs {
                if excludes.contains(&dir)
                    || dir.is_empty()
                    || dir == "."
                    || !seen.insert(dir.clone())
                {
                    continue;
                }
                if !root.join(&dir).is_dir() {
                    self.unread_members.push(format!("{dir} (not found)"));
                    continue;
                }
                // A member reached through a symbolic link may lie outside.
                let inside = std::fs::canonicalize(root.join(&dir))
                    .ok()
                    .zip(real_root.as_ref())
                    .is_some_and(|(m, r)| m.starts_with(r));
                if !inside {
                    self.unread_members
                        .push(format!("{dir} (outside the repository)"));
                    continue;
                }
                self.add_member(root, &dir, include_dev)?;
            }
        }
        Ok(())
    }

    fn read(&mut self, root: &Path, name: &str) -> Result<Option<TextFile>, InputError> {
        let f = read_text_if_exists(&root.join(name))?;
        if let Some(f) = &f {
            self.digests
                .push((name.to_string(), f.sha256.clone().into()));
        }
        Ok(f)
    }
}

/// The folders a workspace member pattern names below `root`, sorted:
/// `crates/core` or `crates/*` (one level); `None` for any other glob.
fn expand(root: &Path, pattern: &str) -> Option<Vec<String>> {
    let pattern = pattern
        .trim()
        .trim_start_matches("./")
        .trim_end_matches('/');
    if super::escapes(pattern) {
        return None; // outside the workspace: not read
    }
    if !pattern.contains(['*', '?', '[', '{', '!']) {
        return Some(vec![pattern.to_string()]);
    }
    let base = pattern.strip_suffix("/*")?;
    if base.contains(['*', '?', '[', '{', '!']) {
        return None;
    }
    let mut out: Vec<String> = std::fs::read_dir(root.join(base))
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .map(|n| format!("{base}/{n}"))
        .collect();
    out.sort();
    Some(out)
}

/// The `packages:` list of a pnpm-workspace.yaml, read line by line (`- x`
/// items, quotes dropped).
fn pnpm_workspace(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t', '-']) {
            let key = line.split(" #").next().unwrap_or(line).trim_end();
            inside = key == "packages:";
            // Flow style cannot be read line by line: named as unread.
            if let Some(flow) = key.strip_prefix("packages:").map(str::trim) {
                if !flow.is_empty() {
                    out.push(flow.to_string());
                }
            }
            continue;
        }
        if let Some(item) = t.strip_prefix("- ").filter(|_| inside) {
            let item = item.split(" #").next().unwrap_or(item).trim();
            out.push(item.trim_matches(['\'', '"']).to_string());
        }
    }
    out
}

/// Extras and groups that by convention hold what development needs, not
/// what ships.
pub const DEV_GROUPS: &[&str] = &[
    "dev", "test", "tests", "testing", "docs", "doc", "lint", "typing",
];

/// Whether an extra or group name is a development one ([`DEV_GROUPS`]).
pub fn is_dev_group(name: &str) -> bool {
    DEV_GROUPS.iter().any(|g| g.eq_ignore_ascii_case(name))
}

/// `requirements-{dev,test,tests,docs,lint}*.txt`: development requirements.
fn is_dev_requirements(name: &str) -> bool {
    name.strip_prefix("requirements")
        .and_then(|r| r.strip_prefix(['-', '_']))
        .is_some_and(|r| {
            ["dev", "test", "tests", "docs", "lint"]
                .iter()
                .any(|d| r.starts_with(d))
        })
}

/// `requirements*.txt` at the root, sorted.
fn requirements_files(root: &Path) -> Result<Vec<String>, InputError> {
    let rd = match std::fs::read_dir(root) {
        Ok(rd) => rd,
        Err(e) => return Err(super::file::io_error(root, &e)),
    };
    let mut names: Vec<String> = rd
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("requirements") && n.ends_with(".txt"))
        .collect();
    names.sort();
    Ok(names)
}

// ---------------------------------------------------------------- pyproject

type TomlDeps = BTreeMap<String, Spanned<toml::Value>>;

#[derive(Deserialize, Default)]
struct Pyproject {
    project: Option<Pep621>,
    tool: Option<PyTool>,
    #[serde(rename = "build-system")]
    build_system: Option<BuildSystem>,
    /// PEP 735: development groups (lists of requirements, or includes).
    #[serde(rename = "dependency-groups", default)]
    dependency_groups: BTreeMap<String, Vec<Spanned<toml::Value>>>,
}

#[derive(Deserialize, Default)]
struct Pep621 {
    name: Option<String>,
    version: Option<Spanned<String>>,
    #[serde(default)]
    dynamic: Vec<String>,
    #[serde(default)]
    dependencies: Vec<Spanned<String>>,
    #[serde(rename = "optional-dependencies", default)]
    optional_dependencies: BTreeMap<String, Vec<Spanned<String>>>,
}

#[derive(Deserialize, Default)]
struct PyTool {
    poetry: Option<Poetry>,
    uv: Option<UvTool>,
    setuptools: Option<Setuptools>,
    setuptools_scm: Option<toml::Value>,
    hatch: Option<Hatch>,
    pdm: Option<Pdm>,
}

#[derive(Deserialize, Default)]
struct UvTool {
    workspace: Option<UvWorkspace>,
}

#[derive(Deserialize, Default)]
struct UvWorkspace {
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Deserialize, Default)]
struct BuildSystem {
    #[serde(default)]
    requires: Vec<String>,
}

#[derive(Deserialize, Default)]
struct Setuptools {
    dynamic: Option<SetuptoolsDynamic>,
}

#[derive(Deserialize, Default)]
struct SetuptoolsDynamic {
    version: Option<Spanned<DynamicVersion>>,
}

/// `version = {attr = "pkg.__version__"}` or `{file = "VERSION"}`.
#[derive(Deserialize, Default)]
struct DynamicVersion {
    attr: Option<String>,
    file: Option<toml::Value>,
}

#[derive(Deserialize, Default)]
struct Hatch {
    version: Option<HatchVersion>,
}

#[derive(Deserialize, Default)]
struct HatchVersion {
    path: Option<String>,
    source: Option<String>,
}

#[derive(Deserialize, Default)]
struct Pdm {
    version: Option<PdmVersion>,
}

#[derive(Deserialize, Default)]
struct PdmVersion {
    source: Option<String>,
}

#[derive(Deserialize, Default)]
struct Poetry {
    version: Option<Spanned<String>>,
    #[serde(default)]
    dependencies: TomlDeps,
    #[serde(rename = "dev-dependencies", default)]
    dev_dependencies: TomlDeps,
    #[serde(default)]
    group: BTreeMap<String, PoetryGroup>,
}

#[derive(Deserialize, Default)]
struct PoetryGroup {
    #[serde(default)]
    dependencies: TomlDeps,
}

fn parse_pyproject(
    p: &mut Project,
    path: &Path,
    text: &str,
    versions: bool,
    deps: bool,
    include_dev: bool,
) -> Result<(), InputError> {
    const FILE: &str = "pyproject.toml";
    let doc: Pyproject = toml_file::from_str(path, text)?;
    p.names
        .extend(doc.project.as_ref().and_then(|pr| pr.name.clone()));
    if versions {
        pyproject_versions(p, path, text, &doc)?;
    }
    if !deps {
        return Ok(());
    }
    p.dependency_files.push(FILE.into());
    if doc.project.is_some() {
        p.library.push((
            Ecosystem::Pep508,
            "a Python package (pyproject.toml [project])",
        ));
    }
    let uv = doc.tool.as_ref().and_then(|t| t.uv.as_ref());
    if let Some(w) = uv.and_then(|u| u.workspace.as_ref()) {
        p.workspace.extend(w.members.iter().cloned());
        p.workspace_exclude.extend(w.exclude.iter().cloned());
    }
    let lines = Lines::new(text);
    if let Some(proj) = &doc.project {
        // Extras are runtime, but for the development ones by convention.
        let optional = proj
            .optional_dependencies
            .iter()
            .filter(|(extra, _)| include_dev || !is_dev_group(extra))
            .flat_map(|(_, reqs)| reqs);
        for req in proj.dependencies.iter().chain(optional) {
            p.dependencies.push(pep508(
                FILE,
                Some(lines.line_of(req.span().start)),
                req.get_ref(),
            ));
        }
    }
    if include_dev {
        // PEP 735 groups are for development; `{include-group = ...}` entries
        // name other groups, which are read on their own.
        for req in doc.dependency_groups.values().flatten() {
            if let toml::Value::String(r) = req.get_ref() {
                p.dependencies
                    .push(pep508(FILE, Some(lines.line_of(req.span().start)), r));
            }
        }
    }
    if let Some(poetry) = doc.tool.and_then(|t| t.poetry) {
        let mut tables = vec![&poetry.dependencies];
        if include_dev {
            tables.push(&poetry.dev_dependencies);
            tables.extend(poetry.group.values().map(|g| &g.dependencies));
        }
        for (name, value) in tables.into_iter().flatten() {
            if name.eq_ignore_ascii_case("python") {
                continue; // the interpreter, not a dependency
            }
            p.dependencies
                .push(toml_dep(FILE, &lines, name, value, Ecosystem::Poetry));
        }
    }
    Ok(())
}

/// The versions pyproject.toml declares: `[project] version` (or the
/// dynamic one, read statically) and Poetry's.
fn pyproject_versions(
    p: &mut Project,
    path: &Path,
    text: &str,
    doc: &Pyproject,
) -> Result<(), InputError> {
    const FILE: &str = "pyproject.toml";
    if let Some(proj) = &doc.project {
        match &proj.version {
            Some(v) => p.versions.push(declared(FILE, text, v)),
            None if proj.dynamic.iter().any(|d| d == "version") => {
                let root = path.parent().unwrap_or(Path::new("."));
                let v = dynamic_version(p, root, doc)?;
                p.versions.push(v);
            }
            None => {}
        }
    }
    if let Some(v) = doc
        .tool
        .as_ref()
        .and_then(|t| t.poetry.as_ref())
        .and_then(|po| po.version.as_ref())
    {
        p.versions.push(declared(FILE, text, v));
    }
    Ok(())
}

/// A dynamic version, read statically (never by running code): setuptools'
/// `attr` (the string literal in that module, flat or `src/` layout) or
/// `file`, hatch's `path` (its `__version__` / `VERSION` literal); for
/// setuptools_scm, hatch-vcs and PDM's scm the version is the git tag.
fn dynamic_version(
    p: &mut Project,
    root: &Path,
    doc: &Pyproject,
) -> Result<DeclaredVersion, InputError> {
    let tool = doc.tool.as_ref();
    let setuptools = tool
        .and_then(|t| t.setuptools.as_ref())
        .and_then(|s| s.dynamic.as_ref())
        .and_then(|d| d.version.as_ref());
    if let Some(attr) = setuptools.and_then(|d| d.get_ref().attr.as_deref()) {
        return from_attr(p, root, attr);
    }
    if let Some(toml::Value::String(file)) = setuptools.and_then(|d| d.get_ref().file.as_ref()) {
        if outside(file) {
            return Ok(unread_pyproject(format!(
                "`file = \"{file}\"` lies outside the project"
            )));
        }
        return Ok(match p.read(root, file)? {
            Some(f) if !f.text.trim().is_empty() => DeclaredVersion {
                file: file.clone(),
                line: Some(1),
                version: Ok(f.text.trim().to_string()),
            },
            _ => unread_pyproject(format!("`file = \"{file}\"` holds no version")),
        });
    }
    if let Some(path) = tool
        .and_then(|t| t.hatch.as_ref())
        .and_then(|h| h.version.as_ref())
        .and_then(|v| v.path.as_deref())
    {
        if outside(path) {
            return Ok(unread_pyproject(format!(
                "[tool.hatch.version] path `{path}` lies outside the project"
            )));
        }
        return Ok(match p.read(root, path)? {
            Some(f) => match literal(&f.text, &["__version__", "VERSION"]) {
                Some((line, v)) => DeclaredVersion {
                    file: path.to_string(),
                    line: Some(line),
                    version: Ok(v.strip_prefix('v').unwrap_or(&v).to_string()),
                },
                None => DeclaredVersion {
                    file: path.to_string(),
                    line: None,
                    version: Err("no `__version__` or `VERSION` string literal".into()),
                },
            },
            None => unread_pyproject(format!("[tool.hatch.version] path `{path}` does not exist")),
        });
    }
    if uses_scm(doc) {
        p.scm = true;
        return Ok(unread_pyproject(
            "the version is the git tag (setuptools_scm, hatch-vcs or PDM scm)".into(),
        ));
    }
    Ok(unread_pyproject(
        "[project] declares the version dynamic, from nothing gate reads statically".into(),
    ))
}

/// Whether a path pyproject.toml names lies outside the project: only files
/// of this repository are read, by relative paths (a module path starting
/// with `.` would make one absolute).
fn outside(p: &str) -> bool {
    p.starts_with('.') || super::escapes(p)
}

/// A version in pyproject.toml that gate could not read, and why.
fn unread_pyproject(why: String) -> DeclaredVersion {
    DeclaredVersion {
        file: "pyproject.toml".into(),
        line: None,
        version: Err(why),
    }
}

/// Whether the version is the git tag: setuptools_scm, hatch-vcs, PDM scm.
fn uses_scm(doc: &Pyproject) -> bool {
    let tool = doc.tool.as_ref();
    tool.is_some_and(|t| t.setuptools_scm.is_some())
        || doc.build_system.as_ref().is_some_and(|b| {
            b.requires.iter().any(|r| {
                let r = r.to_ascii_lowercase().replace('_', "-");
                r.starts_with("setuptools-scm") || r.starts_with("hatch-vcs")
            })
        })
        || tool
            .and_then(|t| t.hatch.as_ref())
            .and_then(|h| h.version.as_ref())
            .is_some_and(|v| v.source.as_deref() == Some("vcs"))
        || tool
            .and_then(|t| t.pdm.as_ref())
            .and_then(|pd| pd.version.as_ref())
            .is_some_and(|v| v.source.as_deref() == Some("scm"))
}

/// setuptools' `attr = "pkg.module.NAME"`: the string literal NAME in that
/// module (at the root or under src/), read statically.
fn from_attr(p: &mut Project, root: &Path, attr: &str) -> Result<DeclaredVersion, InputError> {
    if outside(attr) {
        return Ok(unread_pyproject(format!(
            "`attr = \"{attr}\"` is not a module path of this project"
        )));
    }
    let Some((module, name)) = attr.rsplit_once('.') else {
        return Ok(unread_pyproject(format!(
            "`attr = \"{attr}\"` names no module"
        )));
    };
    let rel = module.replace('.', "/");
    for candidate in [
        format!("{rel}.py"),
        format!("{rel}/__init__.py"),
        format!("src/{rel}.py"),
        format!("src/{rel}/__init__.py"),
    ] {
        if let Some(f) = p.read(root, &candidate)? {
            return Ok(match literal(&f.text, &[name]) {
                Some((line, v)) => DeclaredVersion {
                    file: candidate,
                    line: Some(line),
                    version: Ok(v),
                },
                None => DeclaredVersion {
                    file: candidate,
                    line: None,
                    version: Err(format!(
                        "no string literal `{name} = \"...\"` to read statically"
                    )),
                },
            });
        }
    }
    Ok(unread_pyproject(format!(
        "`attr = \"{attr}\"`: no module {rel}.py (nor under src/)"
    )))
}

/// The first `NAME = "literal"` (or `NAME: str = 'literal'`) at the start of
/// a line, for any of `names`: (1-based line, literal).
fn literal(text: &str, names: &[&str]) -> Option<(usize, String)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let rest = names.iter().find_map(|n| line.strip_prefix(n))?;
        let rest = rest.trim_start();
        let rest = match rest.strip_prefix(':') {
            Some(r) => r.split_once('=').map(|(_, v)| v)?,
            None => rest.strip_prefix('=')?,
        };
        let rest = rest.trim_start();
        let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let body = &rest[1..];
        let end = body.find(q)?;
        Some((i + 1, body[..end].to_string()))
    })
}

fn declared(file: &str, text: &str, v: &Spanned<String>) -> DeclaredVersion {
    DeclaredVersion {
        file: file.into(),
        line: Some(line_of(text, v.span().start)),
        version: Ok(v.get_ref().trim().to_string()),
    }
}

/// A PEP 508 line: the name is what comes before the first non-name char.
fn pep508(file: &str, line: Option<usize>, req: &str) -> Dependency {
    let req = req.trim();
    let name_end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(req.len());
    let rest = req[name_end..].trim_start();
    let source = if rest.starts_with('@') {
        Source::Direct
    } else {
        Source::Registry
    };
    Dependency {
        file: file.into(),
        line,
        name: req[..name_end].to_string(),
        requirement: req.to_string(),
        ecosystem: Ecosystem::Pep508,
        source,
    }
}

/// A dependency written as a TOML value: `"1.2"` or `{ version, git, rev, path, workspace }`.
fn toml_dep(
    file: &str,
    lines: &Lines,
    name: &str,
    value: &Spanned<toml::Value>,
    ecosystem: Ecosystem,
) -> Dependency {
    let line = Some(lines.line_of(value.span().start));
    // `memmap = { package = "memmap2", ... }`: the lock file knows memmap2.
    let name = match value.get_ref() {
        toml::Value::Table(t) => t.get("package").and_then(|v| v.as_str()).unwrap_or(name),
        _ => name,
    };
    let (requirement, source) = match value.get_ref() {
        toml::Value::String(s) => (s.clone(), Source::Registry),
        toml::Value::Table(t) => {
            let s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(String::from);
            let version = s("version").unwrap_or_default();
            let source = if t.contains_key("git") {
                Source::Git { rev: s("rev") }
            } else if t.contains_key("path") {
                Source::Path
            } else if t.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
                Source::Workspace
            } else if t.contains_key("url") {
                Source::Direct
            } else {
                Source::Registry
            };
            (version, source)
        }
        // Poetry allows a list of constraints for several markers.
        other => (other.to_string(), Source::Registry),
    };
    Dependency {
        file: file.into(),
        line,
        name: name.to_string(),
        requirement,
        ecosystem,
        source,
    }
}

// ---------------------------------------------------------------- Cargo.toml

#[derive(Deserialize, Default)]
struct CargoManifest {
    package: Option<CargoPackage>,
    workspace: Option<CargoWorkspace>,
    #[serde(default)]
    dependencies: TomlDeps,
    #[serde(rename = "build-dependencies", default)]
    build_dependencies: TomlDeps,
    #[serde(rename = "dev-dependencies", default)]
    dev_dependencies: TomlDeps,
    #[serde(default)]
    target: BTreeMap<String, CargoTarget>,
    lib: Option<toml::Value>,
    #[serde(default)]
    bin: Vec<toml::Value>,
}

#[derive(Deserialize, Default)]
struct CargoPackage {
    name: Option<String>,
    version: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize, Default)]
struct CargoWorkspace {
    package: Option<CargoWorkspacePackage>,
    #[serde(default)]
    dependencies: TomlDeps,
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Deserialize, Default)]
struct CargoWorkspacePackage {
    version: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
struct CargoTarget {
    #[serde(default)]
    dependencies: TomlDeps,
    #[serde(rename = "build-dependencies", default)]
    build_dependencies: TomlDeps,
    #[serde(rename = "dev-dependencies", default)]
    dev_dependencies: TomlDeps,
}

fn parse_cargo(
    p: &mut Project,
    path: &Path,
    text: &str,
    versions: bool,
    deps: bool,
    include_dev: bool,
) -> Result<(), InputError> {
    const FILE: &str = "Cargo.toml";
    let doc: CargoManifest = toml_file::from_str(path, text)?;
    p.names
        .extend(doc.package.as_ref().and_then(|pk| pk.name.clone()));
    if versions {
        cargo_version(p, text, &doc);
    }
    if !deps {
        return Ok(());
    }
    p.dependency_files.push(FILE.into());
    if doc.lib.is_some() && doc.bin.is_empty() {
        p.library
            .push((Ecosystem::Cargo, "a library crate ([lib] and no [[bin]])"));
    }
    let mut tables = vec![&doc.dependencies, &doc.build_dependencies];
    if include_dev {
        tables.push(&doc.dev_dependencies);
    }
    for t in doc.target.values() {
        tables.push(&t.dependencies);
        tables.push(&t.build_dependencies);
        if include_dev {
            tables.push(&t.dev_dependencies);
        }
    }
    if let Some(w) = &doc.workspace {
        p.workspace.extend(w.members.iter().cloned());
        p.workspace_exclude.extend(w.exclude.iter().cloned());
    }
    let ws_deps = doc.workspace.as_ref().map(|w| &w.dependencies);
    if let Some(ws) = ws_deps {
        p.workspace_deps.extend(ws.keys().cloned());
    }
    if let Some(ws) = ws_deps {
        tables.push(ws);
    }
    let lines = Lines::new(text);
    for (name, value) in tables.into_iter().flatten() {
        let mut dep = toml_dep(FILE, &lines, name, value, Ecosystem::Cargo);
        if dep.source == Source::Workspace && ws_deps.is_some_and(|ws| ws.contains_key(name)) {
            continue; // checked where the workspace declares it
        }
        if dep.source == Source::Workspace {
            dep.requirement = "workspace = true".into();
        }
        p.dependencies.push(dep);
    }
    Ok(())
}

/// The version Cargo.toml declares: `[package] version`, or the
/// workspace's where it inherits it (or is a virtual manifest).
fn cargo_version(p: &mut Project, text: &str, doc: &CargoManifest) {
    const FILE: &str = "Cargo.toml";
    let ws_version = doc
        .workspace
        .as_ref()
        .and_then(|w| w.package.as_ref())
        .and_then(|wp| wp.version.as_ref());
    match doc.package.as_ref().and_then(|pk| pk.version.as_ref()) {
        Some(v) => match v.get_ref() {
            toml::Value::String(s) => p.versions.push(DeclaredVersion {
                file: FILE.into(),
                line: Some(line_of(text, v.span().start)),
                version: Ok(s.trim().to_string()),
            }),
            // version.workspace = true
            _ => match ws_version {
                Some(wv) => p.versions.push(declared(FILE, text, wv)),
                None => p.versions.push(DeclaredVersion {
                    file: FILE.into(),
                    line: Some(line_of(text, v.span().start)),
                    version: Err(
                        "[package] takes its version from a workspace that is not in this file"
                            .into(),
                    ),
                }),
            },
        },
        None if doc.package.is_none() => {
            if let Some(wv) = ws_version {
                p.versions.push(declared(FILE, text, wv));
            }
        }
        None => {}
    }
}

// ---------------------------------------------------------------- package.json

/// Where an npm requirement comes from: `file:`, `link:` and `workspace:`
/// (a member of this repository, as pnpm and yarn write it) are paths;
/// `git…` and URLs are git.
fn npm_source(requirement: &str) -> Source {
    if requirement.starts_with("file:")
        || requirement.starts_with("link:")
        || requirement.starts_with("workspace:")
    {
        Source::Path
    } else if requirement.starts_with("git") || requirement.contains("://") {
        Source::Git {
            rev: requirement.split_once('#').map(|(_, r)| r.to_string()),
        }
    } else {
        Source::Registry
    }
}

/// The JSON object a package.json holds, or where it is not one.
fn json_object(
    path: &Path,
    text: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, InputError> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        InputError::at(
            path,
            e.line(),
            e.column(),
            format!("invalid JSON: {}", strip_json_location(&e)),
        )
    })?;
    match doc {
        serde_json::Value::Object(obj) => Ok(obj),
        _ => Err(InputError::file(
            path,
            "expected a JSON object at the top level",
        )),
    }
}

fn parse_package_json(
    p: &mut Project,
    path: &Path,
    text: &str,
    versions: bool,
    deps: bool,
    include_dev: bool,
) -> Result<(), InputError> {
    const FILE: &str = "package.json";
    let obj = json_object(path, text)?;
    if let Some(n) = obj.get("name").and_then(serde_json::Value::as_str) {
        // `@scope/name`: headings write the bare name.
        p.names.push(n.rsplit('/').next().unwrap_or(n).to_string());
    }
    if versions {
        match obj.get("version") {
            Some(serde_json::Value::String(v)) => p.versions.push(DeclaredVersion {
                file: FILE.into(),
                line: json_key_line(text, 0, "version"),
                version: Ok(v.trim().to_string()),
            }),
            Some(_) => return Err(InputError::file(path, "`version` is not a string")),
            None => {}
        }
    }
    if !deps {
        return Ok(());
    }
    p.dependency_files.push(FILE.into());
    // `workspaces: [...]`, or `{packages: [...]}` as yarn writes it.
    let ws = obj.get("workspaces");
    let ws = ws.and_then(|w| w.get("packages")).or(ws);
    if let Some(list) = ws.and_then(serde_json::Value::as_array) {
        p.workspace
            .extend(list.iter().filter_map(|v| v.as_str().map(String::from)));
    }
    if obj.get("private").and_then(serde_json::Value::as_bool) != Some(true) {
        p.library.push((
            Ecosystem::Npm,
            "a published package (package.json is not private)",
        ));
    }
    let mut sections = vec!["dependencies", "optionalDependencies"];
    if include_dev {
        sections.push("devDependencies");
    }
    for section in sections {
        let Some(map) = obj.get(section) else {
            continue;
        };
        let Some(map) = map.as_object() else {
            return Err(InputError::file(
                path,
                format!("`{section}` is not an object"),
            ));
        };
        let section_at = text.find(&format!("\"{section}\"")).unwrap_or(0);
        let lines = json_key_lines(text, section_at);
        for (name, spec) in map {
            let requirement = spec.as_str().map_or_else(|| spec.to_string(), String::from);
            let source = npm_source(&requirement);
            p.dependencies.push(Dependency {
                file: FILE.into(),
                line: lines.get(name.as_str()).copied(),
                name: name.clone(),
                requirement,
                ecosystem: Ecosystem::Npm,
                source,
            });
        }
    }
    Ok(())
}

/// serde_json's message without its " at line L column C" tail.
pub fn strip_json_location(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_string()
}

/// The line of `"key":` at or after byte `from` (serde_json keeps no spans).
fn json_key_line(text: &str, from: usize, key: &str) -> Option<usize> {
    let needle = format!("\"{key}\"");
    let mut at = from;
    while let Some(i) = text.get(at..)?.find(&needle) {
        let pos = at + i;
        if text[pos + needle.len()..].trim_start().starts_with(':') {
            return Some(line_of(text, pos));
        }
        at = pos + needle.len();
    }
    None
}

/// The line of every `"key":` at or after byte `from`, the first for each
/// key, in one pass over `text`, which is valid JSON. A key is as written,
/// so one spelled with escapes is not found.
fn json_key_lines(text: &str, from: usize) -> std::collections::HashMap<&str, usize> {
    let b = text.as_bytes();
    let mut lines = std::collections::HashMap::new();
    let mut line = line_of(text, from);
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\n' => line += 1,
            b'"' => {
                // A JSON string holds no raw line break.
                let start = i + 1;
                let mut end = start;
                while end < b.len() && b[end] != b'"' {
                    end += if b[end] == b'\\' { 2 } else { 1 };
                }
                let end = end.min(b.len());
                let after = text.get(end + 1..).unwrap_or("");
                if after.trim_start().starts_with(':') {
                    lines.entry(&text[start..end]).or_insert(line);
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    lines
}

// ---------------------------------------------------------------- requirements*.txt

/// `.`, `-e .`, `-e .[socks]`, `--editable=.`: the project itself, not a
/// dependency.
fn is_the_project(line: &str) -> bool {
    let target = line
        .strip_prefix("--editable")
        .map(|r| r.trim_start_matches('=').trim())
        .or_else(|| line.strip_prefix("-e ").map(str::trim))
        .unwrap_or(line);
    let target = target.split('[').next().unwrap_or(target).trim();
    matches!(target, "." | "./")
}

fn parse_requirements(p: &mut Project, file: &str, text: &str) {
    p.dependency_files.push(file.to_string());
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let (start, mut acc) = pending.take().unwrap_or((i + 1, String::new()));
        let line = raw.trim_end_matches('\r');
        if let Some(cont) = line.strip_suffix('\\') {
            acc.push_str(cont);
            acc.push(' ');
            pending = Some((start, acc));
            continue;
        }
        acc.push_str(line);
        // An inline comment starts at "#" after whitespace (or at the start).
        let content = match acc.find(" #").or_else(|| acc.starts_with('#').then_some(0)) {
            Some(i) => &acc[..i],
            None => acc.as_str(),
        };
        let content = content.trim();
        if content.is_empty() {
            continue;
        }
        if is_the_project(content) {
            continue;
        }
        if content.starts_with("-e ") || content.starts_with("--editable") {
            p.dependencies.push(Dependency {
                file: file.into(),
                line: Some(start),
                name: content
                    .split_whitespace()
                    .last()
                    .unwrap_or_default()
                    .to_string(),
                requirement: content.to_string(),
                ecosystem: Ecosystem::Pep508,
                source: Source::Direct,
            });
            continue;
        }
        if content.starts_with('-') {
            continue; // -r other.txt, -c, --index-url, --hash on its own line
        }
        // Per-requirement options (--hash=...) follow the requirement.
        let req = content.split(" --").next().unwrap_or(content);
        p.dependencies.push(pep508(file, Some(start), req));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)], include_dev: bool) -> Result<Project, InputError> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        Project::load(dir.path(), VersionSource::Auto, true, true, include_dev)
    }

    #[test]
    fn pep621_and_poetry_versions_and_deps() {
        let p = project(
            &[(
                "pyproject.toml",
                "[project]\nname = \"x\"\nversion = \"1.2.3\"\ndependencies = [\n  \"requests==2.31.0\",\n  \"httpx>=0.27\",\n]\n[project.optional-dependencies]\ncli = [\"click==8.1.7\"]\n[tool.poetry]\nversion = \"1.2.3\"\n[tool.poetry.dependencies]\npython = \"^3.11\"\nrich = \"^13\"\n[tool.poetry.group.dev.dependencies]\npytest = \"*\"\n",
            )],
            false,
        )
        .unwrap();
        assert_eq!(p.versions.len(), 2);
        assert_eq!(p.versions[0].line, Some(3));
        let names: Vec<_> = p
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.line))
            .collect();
        assert_eq!(
            names,
            vec![
                ("requests", Some(5)),
                ("httpx", Some(6)),
                ("click", Some(9)),
                ("rich", Some(14))
            ]
        );
    }

    #[test]
    fn cargo_package_and_workspace_versions() {
        let p = project(&[("Cargo.toml", "[workspace.package]\nversion = \"0.4.0\"\n[package]\nname = \"x\"\nversion.workspace = true\n[dependencies]\nserde = \"=1.0.200\"\nanyhow = \"1\"\nlocal = { path = \"../local\" }\n[workspace.dependencies]\nclap = \"4\"\n")], false).unwrap();
        assert_eq!(p.versions[0].version, Ok("0.4.0".into()));
        assert_eq!(p.versions[0].line, Some(2));
        let deps: Vec<_> = p
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.requirement.as_str(), d.line))
            .collect();
        assert!(deps.contains(&("anyhow", "1", Some(8))), "{deps:?}");
        assert!(deps.contains(&("clap", "4", Some(11))), "{deps:?}");
        assert!(p
            .dependencies
            .iter()
            .any(|d| d.name == "local" && d.source == Source::Path));
    }

    #[test]
    fn json_key_lines_finds_the_first_of_each_key_after_the_start() {
        let text = "{\"a\": 1,\n \"deps\": {\n  \"x\": \"\\\": \\\"y\\\":\",\n  \"y\": \"1\",\n  \"a\": {\"x\": 2}\n}}\n";
        let from = text.find("\"deps\"").unwrap();
        let lines = json_key_lines(text, from);
        assert_eq!(lines.get("deps"), Some(&2));
        assert_eq!(
            lines.get("x"),
            Some(&3),
            "the first `x`, not the one nested below"
        );
        assert_eq!(
            lines.get("y"),
            Some(&4),
            "not the `y` quoted inside a value"
        );
        assert_eq!(lines.get("a"), Some(&5), "the first `a` after the start");
        assert_eq!(lines.len(), 4);
    }

    /// pluggy's five "offenders" were `dev`/`testing` extras; requests'
    /// requirements-dev.txt was read without include_dev, and `-e .[socks]`
    /// (the project itself) was an offender; PEP 735 groups were never read.
    #[test]
    fn regression_development_dependencies_by_their_conventions() {
        let pyproject = "[project]\nname = \"p\"\nversion = \"1\"\ndependencies = []\n[project.optional-dependencies]\ndev = [\"pre-commit\"]\ntesting = [\"pytest\"]\nsocks = [\"PySocks>=1.5.6\"]\n[dependency-groups]\nlint = [\"ruff>=0.1\", {include-group = \"typing\"}]\ntyping = [\"mypy\"]\n";
        let files = [
            ("pyproject.toml", pyproject),
            ("requirements-dev.txt", "-e .[socks]\npytest>=3\n"),
            ("requirements.txt", ".\n-e .\n--editable=.[x]\nidna==3.10\n"),
        ];
        let names = |include_dev| {
            let p = project(&files, include_dev).unwrap();
            let mut n: Vec<String> = p.dependencies.iter().map(|d| d.name.clone()).collect();
            n.sort();
            (n, p.dependency_files)
        };
        let (runtime, files_read) = names(false);
        assert_eq!(
            runtime,
            ["PySocks", "idna"],
            "only runtime extras and requirements"
        );
        assert!(!files_read.iter().any(|f| f == "requirements-dev.txt"));
        let (all, _) = names(true);
        assert_eq!(
            all,
            [
                "PySocks",
                "idna",
                "mypy",
                "pre-commit",
                "pytest",
                "pytest",
                "ruff"
            ]
        );
        assert!(is_dev_requirements("requirements-docs.txt"));
        assert!(is_dev_requirements("requirements_test_extra.txt"));
        assert!(!is_dev_requirements("requirements.txt"));
        assert!(!is_dev_requirements("requirements-prod.txt"));
    }

    /// Absolute workspace members and dynamic-version paths read files
    /// outside the repository.
    #[test]
    fn regression_nothing_outside_the_repository_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"/etc\", \"../x\"]\n",
        )
        .unwrap();
        let mut p = Project::load(dir.path(), VersionSource::Auto, false, true, false).unwrap();
        p.read_members(dir.path(), false).unwrap();
        assert_eq!(p.unread_members, ["/etc", "../x"]);
        for (table, why) in [
            (
                "[tool.setuptools.dynamic]\nversion = {attr = \".etc.passwd.x\"}",
                "not a module path",
            ),
            (
                "[tool.setuptools.dynamic]\nversion = {file = \"/etc/hostname\"}",
                "outside the project",
            ),
            (
                "[tool.hatch.version]\npath = \"../secret.py\"",
                "outside the project",
            ),
        ] {
            let text = format!("[project]\nname = \"p\"\ndynamic = [\"version\"]\n{table}\n");
            let p = project(&[("pyproject.toml", &text)], false).unwrap();
            let err = p.versions[0].version.as_ref().unwrap_err();
            assert!(err.contains(why), "{table}: {err}");
        }
    }

    #[test]
    fn package_json_and_requirements_lines() {
        let p = project(
            &[
                ("package.json", "{\n  \"name\": \"x\",\n  \"version\": \"2.0.0\",\n  \"dependencies\": {\n    \"left-pad\": \"1.3.0\",\n    \"react\": \"^18.2.0\"\n  },\n  \"devDependencies\": {\"jest\": \"^29\"}\n}\n"),
                ("requirements.txt", "# pinned\nflask==3.0.0 \\\n    --hash=sha256:abc\nrequests>=2  # not pinned\n-r other.txt\n-e ./local\n"),
            ],
            false,
        )
        .unwrap();
        assert_eq!(p.versions[0].line, Some(3));
        let deps: Vec<_> = p
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.line))
            .collect();
        assert_eq!(
            deps,
            vec![
                ("left-pad", Some(5)),
                ("react", Some(6)),
                ("flask", Some(2)),
                ("requests", Some(4)),
                ("./local", Some(6))
            ]
        );
        assert_eq!(p.dependencies[2].requirement, "flask==3.0.0");
        assert_eq!(p.dependencies[4].source, Source::Direct);
    }

    #[test]
    fn malformed_manifests_are_located_errors() {
        let e = project(&[("pyproject.toml", "[project]\nversion = 1\n")], false).unwrap_err();
        assert!(e.file.ends_with("pyproject.toml"), "{e}");
        assert_eq!(e.line, Some(2), "{e}");
        let e = project(&[("package.json", "{\n  \"version\": \"1\",\n}\n")], false).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
    }
}
