//! Lock files at the project root: which versions they lock, and whether
//! git tracks them. A tracked lock file that is in sync with the manifest
//! pins the dependencies it locks (the `deps_pinned` check judges that).
//!
//! Read: Cargo.lock, uv.lock and poetry.lock (`[[package]]` tables of
//! `name` and `version`), package-lock.json (`packages` keyed by
//! `node_modules/<name>`, or lockfile v1 `dependencies`), pnpm-lock.yaml
//! (the `importers` section, read line by line: a lock file of megabytes
//! costs one pass, and the YAML parser's limits on flow collections, meant
//! for release.yaml, do not refuse it) and yarn.lock (v1 and berry).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::error::InputError;
use super::file::{read_hashing_aside, Sha256Hex};
use super::project::Ecosystem;
use super::toml_file;

/// A lock file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    Cargo,
    Uv,
    Poetry,
    NpmPackageLock,
    Pnpm,
    Yarn,
}

impl LockKind {
    /// The file name at the project root.
    pub fn file(self) -> &'static str {
        match self {
            LockKind::Cargo => "Cargo.lock",
            LockKind::Uv => "uv.lock",
            LockKind::Poetry => "poetry.lock",
            LockKind::NpmPackageLock => "package-lock.json",
            LockKind::Pnpm => "pnpm-lock.yaml",
            LockKind::Yarn => "yarn.lock",
        }
    }

    /// How well it stands for `ecosystem`'s package manager, best first
    /// (`None`: not at all): Poetry's dependencies by poetry.lock before
    /// uv.lock, PEP 508 ones the other way; pnpm, then yarn, then npm.
    pub fn rank(self, ecosystem: Ecosystem) -> Option<u8> {
        let order: &[LockKind] = match ecosystem {
            Ecosystem::Cargo => &[LockKind::Cargo],
            Ecosystem::Poetry => &[LockKind::Poetry, LockKind::Uv],
            Ecosystem::Pep508 => &[LockKind::Uv, LockKind::Poetry],
            Ecosystem::Npm => &[LockKind::Pnpm, LockKind::Yarn, LockKind::NpmPackageLock],
        };
        order.iter().position(|k| *k == self).map(|i| i as u8)
    }

    /// Whether it locks dependencies of `ecosystem`.
    pub fn locks(self, ecosystem: Ecosystem) -> bool {
        matches!(
            (self, ecosystem),
            (LockKind::Cargo, Ecosystem::Cargo)
                | (
                    LockKind::Uv | LockKind::Poetry,
                    Ecosystem::Pep508 | Ecosystem::Poetry
                )
                | (
                    LockKind::NpmPackageLock | LockKind::Pnpm | LockKind::Yarn,
                    Ecosystem::Npm
                )
        )
    }
}

const KINDS: &[LockKind] = &[
    LockKind::Cargo,
    LockKind::Uv,
    LockKind::Poetry,
    LockKind::NpmPackageLock,
    LockKind::Pnpm,
    LockKind::Yarn,
];

/// One lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockFile {
    pub kind: LockKind,
    /// Whether git tracks it: an untracked lock file pins nothing (it is
    /// not what a checkout of the release builds from).
    pub tracked: bool,
    /// Tracked, but the file differs from what git's index holds: what was
    /// read is not what a checkout builds from.
    pub modified: bool,
    /// Locked versions by normalised package name ([`normalize`]).
    pub versions: BTreeMap<String, Vec<String>>,
    pub sha256: Sha256Hex,
    /// A workspace member's own lock file: it judges only the dependencies
    /// of that member (the folder, as manifests' file names start).
    pub scope: Option<String>,
}

impl LockFile {
    /// The versions it locks for `name`.
    pub fn locked(&self, ecosystem: Ecosystem, name: &str) -> &[String] {
        self.versions
            .get(&normalize(ecosystem, name))
            .map_or(&[], Vec::as_slice)
    }

    /// The versions it locks for `name` as declared in `manifest` (a path
    /// from the repository root). pnpm locks each importer (workspace
    /// package) on its own: a dependency counts as locked only under the
    /// importer of its manifest's folder.
    pub fn locked_for(&self, ecosystem: Ecosystem, name: &str, manifest: &str) -> &[String] {
        if self.kind != LockKind::Pnpm {
            return self.locked(ecosystem, name);
        }
        let rel = match &self.scope {
            Some(s) => manifest.strip_prefix(&format!("{s}/")).unwrap_or(manifest),
            None => manifest,
        };
        let importer = match rel.rsplit_once('/') {
            Some((dir, _)) => dir,
            None => ".",
        };
        self.versions
            .get(&format!("{importer}\0{}", normalize(ecosystem, name)))
            .map_or(&[], Vec::as_slice)
    }
}

/// A package name as lock files and manifests compare it: Python names by
/// PEP 503 (case-insensitive, runs of `-_.` equal); others as written.
pub fn normalize(ecosystem: Ecosystem, name: &str) -> String {
    match ecosystem {
        Ecosystem::Pep508 | Ecosystem::Poetry => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for c in name.trim().chars() {
                if matches!(c, '-' | '_' | '.') {
                    sep = true;
                    continue;
                }
                if sep && !out.is_empty() {
                    out.push('-');
                }
                sep = false;
                out.extend(c.to_lowercase());
            }
            out
        }
        Ecosystem::Cargo | Ecosystem::Npm => name.trim().to_string(),
    }
}

#[derive(Deserialize)]
struct TomlLock {
    #[serde(default)]
    package: Vec<TomlPackage>,
}

#[derive(Deserialize)]
struct TomlPackage {
    name: String,
    version: Option<String>,
}

/// Every lock file at `root`, with whether git tracks it.
pub fn load(root: &Path) -> Result<Vec<LockFile>, InputError> {
    let mut out = Vec::new();
    // git's index, read once and only when there is a lock file.
    let mut index: Option<Option<(git2::Index, String)>> = None;
    for kind in KINDS {
        let path = root.join(kind.file());
        // Hashed apart from this read, when its digest is wanted (see
        // `Request::hash_eagerly`); of pnpm-lock.yaml only `importers` is
        // read here.
        let f = if *kind == LockKind::Pnpm {
            let mut end = ImportersEnd::default();
            read_hashing_aside(&path, |text| end.find(text))?
        } else {
            read_hashing_aside(&path, |_| None)?
        };
        let Some(f) = f else {
            continue;
        };
        let versions = parse(*kind, &path, &f.text)?;
        let entry = index
            .get_or_insert_with(|| open_index(root))
            .as_ref()
            .and_then(|(i, below)| {
                // Index paths are `/`-separated on every platform.
                let rel = match below.as_str() {
                    "" => kind.file().to_string(),
                    b => format!("{b}/{}", kind.file()),
                };
                i.get_path(Path::new(&rel), 0)
            });
        let tracked = entry.is_some();
        let modified = entry.is_some_and(|e| !same_as_index(&path, &e));
        out.push(LockFile {
            kind: *kind,
            tracked,
            modified,
            versions,
            sha256: f.sha256,
            scope: None,
        });
    }
    Ok(out)
}

/// Whether the file at `path` is what index entry `e` records: by size and
/// modification time as git itself decides, else by the blob's hash.
fn same_as_index(path: &Path, e: &git2::IndexEntry) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    let stat_clean = {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            u64::from(e.file_size) == meta.len()
                && i64::from(e.mtime.seconds()) == meta.mtime()
                && i64::from(e.mtime.nanoseconds()) == meta.mtime_nsec()
        }
        #[cfg(not(unix))]
        {
            false
        }
    };
    stat_clean || git2::Oid::hash_file(git2::ObjectType::Blob, path).is_ok_and(|oid| oid == e.id)
}

/// git's index of the repository whose work tree holds `dir`, and `dir`
/// relative to its root (the prefix of index paths), if there is one.
fn open_index(dir: &Path) -> Option<(git2::Index, String)> {
    let (repo, below) = super::repo::discover(dir)?;
    Some((repo.index().ok()?, below))
}

/// The versions a lock file's text locks, by normalised name.
pub fn parse(
    kind: LockKind,
    path: &Path,
    text: &str,
) -> Result<BTreeMap<String, Vec<String>>, InputError> {
    // Sets, so a name locked at many versions costs log n per version.
    let mut sets: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    let mut add = |eco: Ecosystem, name: &str, version: &str| {
        sets.entry(normalize(eco, name))
            .or_default()
            .insert(version.to_string());
    };
    match kind {
        LockKind::Cargo | LockKind::Uv | LockKind::Poetry => {
            let eco = if kind == LockKind::Cargo {
                Ecosystem::Cargo
            } else {
                Ecosystem::Pep508
            };
            let lock: TomlLock = toml_file::from_str(path, text)?;
            for p in &lock.package {
                if let Some(v) = &p.version {
                    add(eco, &p.name, v);
                }
            }
        }
        LockKind::Pnpm => {
            // Keyed `importer NUL name`: see `LockFile::locked_for`.
            for (importer, name, version) in pnpm_importers(text) {
                add(Ecosystem::Npm, &format!("{importer}\0{name}"), &version);
            }
        }
        LockKind::Yarn => {
            for (name, version) in yarn_entries(text) {
                add(Ecosystem::Npm, &name, &version);
            }
        }
        LockKind::NpmPackageLock => {
            let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                InputError::at(
                    path,
                    e.line(),
                    e.column(),
                    format!("invalid JSON: {}", super::project::strip_json_location(&e)),
                )
            })?;
            let version = |v: &serde_json::Value| {
                v.get("version")
                    .and_then(serde_json::Value::as_str)
                    .map(String::from)
            };
            if let Some(pkgs) = doc.get("packages").and_then(serde_json::Value::as_object) {
                for (key, v) in pkgs {
                    // `node_modules/a/node_modules/@s/b` locks `@s/b`.
                    let Some((_, name)) = key.rsplit_once("node_modules/") else {
                        continue;
                    };
                    if let Some(ver) = version(v) {
                        add(Ecosystem::Npm, name, &ver);
                    }
                }
            } else if let Some(deps) = doc
                .get("dependencies")
                .and_then(serde_json::Value::as_object)
            {
                for (name, v) in deps {
                    if let Some(ver) = version(v) {
                        add(Ecosystem::Npm, name, &ver);
                    }
                }
            }
        }
    }
    Ok(sets
        .into_iter()
        .map(|(name, versions)| (name, versions.into_iter().collect()))
        .collect())
}

/// Where pnpm-lock.yaml's `importers` section ends, found as the file is
/// read: the first top-level line after it (what follows locks nothing a
/// manifest names; see [`pnpm_importers`]).
#[derive(Default)]
struct ImportersEnd {
    /// The start of the first line not yet looked at.
    line: usize,
    in_importers: bool,
}

impl ImportersEnd {
    fn find(&mut self, text: &str) -> Option<usize> {
        while let Some(n) = text[self.line..].find('\n') {
            let line = &text[self.line..self.line + n];
            let top = !line.starts_with([' ', '\t', '#', '\r']) && !line.trim().is_empty();
            if top {
                if self.in_importers {
                    return Some(self.line);
                }
                self.in_importers = line.trim() == "importers:";
            }
            self.line += n + 1;
        }
        None
    }
}

/// A YAML key or scalar without its quotes.
fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .or_else(|| s.strip_prefix('"').and_then(|r| r.strip_suffix('"')))
        .unwrap_or(s)
}

/// (name, version) of every dependency pnpm-lock.yaml's `importers` lock
/// (lockfile v6 and later): `importers: <path>: dependencies: <name>:
/// version: 1.2.3(peer@x)`. Links to workspace folders lock nothing.
fn pnpm_importers(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut in_importers = false;
    let mut importer: Option<String> = None;
    let mut section = false;
    let mut name: Option<String> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if indent == 0 {
            if in_importers {
                break; // the rest (packages, snapshots) locks nothing a manifest names
            }
            in_importers = t == "importers:";
            continue;
        }
        if !in_importers {
            continue;
        }
        match indent {
            2 => {
                section = false;
                importer = t.strip_suffix(':').map(|i| unquote(i).to_string());
            }
            4 => {
                section = matches!(
                    t,
                    "dependencies:" | "devDependencies:" | "optionalDependencies:"
                );
                name = None;
            }
            6 if section => name = t.strip_suffix(':').map(|n| unquote(n).to_string()),
            8 if section => {
                if let (Some(n), Some(v)) = (&name, t.strip_prefix("version:")) {
                    let v = unquote(v);
                    let v = v.split('(').next().unwrap_or(v);
                    if !v.starts_with("link:") && !v.is_empty() {
                        if let Some(i) = &importer {
                            out.push((i.clone(), n.clone(), v.to_string()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// (name, version) of every entry of a yarn.lock: v1 (`"a@^1", a@~1.2:`
/// then `  version "1.2.3"`) and berry (`"a@npm:^1":` then `  version: 1.2.3`).
fn yarn_entries(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            names = line
                .trim_end()
                .strip_suffix(':')
                .unwrap_or_default()
                .split(", ")
                .filter_map(|spec| {
                    let spec = unquote(spec);
                    // `@scope/a@^1`: the name ends at the last `@` after the
                    // first character.
                    let at = spec.get(1..)?.rfind('@')? + 1;
                    Some(spec[..at].to_string())
                })
                .collect();
            names.dedup();
            continue;
        }
        let t = line.trim();
        let version = t
            .strip_prefix("version:")
            .or_else(|| t.strip_prefix("version "))
            .map(unquote);
        // Only the entry's own `version`, not a dependency's (deeper), and
        // once per entry.
        if let (Some(v), false) = (version, line.starts_with("    ")) {
            for n in names.drain(..) {
                out.push((n, v.to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_format() {
        let p = Path::new("x");
        let cargo = parse(
            LockKind::Cargo,
            p,
            "version = 4\n\n[[package]]\nname = \"anyhow\"\nversion = \"1.0.98\"\n\n[[package]]\nname = \"anyhow\"\nversion = \"1.0.75\"\n",
        )
        .unwrap();
        assert_eq!(cargo["anyhow"], ["1.0.75", "1.0.98"]);
        let uv = parse(
            LockKind::Uv,
            p,
            "version = 1\n[[package]]\nname = \"Charset_Normalizer\"\nversion = \"3.4.2\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
        )
        .unwrap();
        assert_eq!(uv["charset-normalizer"], ["3.4.2"]);
        let npm = parse(
            LockKind::NpmPackageLock,
            p,
            r#"{"lockfileVersion": 3, "packages": {"": {"name": "root"}, "node_modules/picocolors": {"version": "1.1.1"}, "node_modules/a/node_modules/@scope/b": {"version": "2.0.0"}}}"#,
        )
        .unwrap();
        assert_eq!(npm["picocolors"], ["1.1.1"]);
        assert_eq!(npm["@scope/b"], ["2.0.0"]);
        let v1 = parse(
            LockKind::NpmPackageLock,
            p,
            r#"{"lockfileVersion": 1, "dependencies": {"express": {"version": "4.21.2"}}}"#,
        )
        .unwrap();
        assert_eq!(v1["express"], ["4.21.2"]);
        let pnpm = parse(
            LockKind::Pnpm,
            p,
            "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    devDependencies:\n      eslint:\n        specifier: ^9.0.0\n        version: 9.1.0\n\n  packages/create-vite:\n    dependencies:\n      '@clack/prompts':\n        specifier: ^0.11.0\n        version: 0.11.0\n      picocolors:\n        specifier: ^1.1.1\n        version: 1.1.1(react@18.3.1)\n      vite:\n        specifier: workspace:*\n        version: link:../vite\n\npackages:\n\n  picocolors@1.1.1:\n    resolution: {integrity: sha512-x}\n",
        )
        .unwrap();
        assert_eq!(pnpm["packages/create-vite\0picocolors"], ["1.1.1"]);
        assert_eq!(pnpm["packages/create-vite\0@clack/prompts"], ["0.11.0"]);
        assert_eq!(pnpm[".\0eslint"], ["9.1.0"]);
        assert!(!pnpm.keys().any(|k| k.ends_with("\0vite")));
        let yarn = parse(
            LockKind::Yarn,
            p,
            "# yarn lockfile v1\n\n\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n  version \"7.12.13\"\n  dependencies:\n    \"@babel/highlight\" \"^7.12.13\"\n\nlodash@^4.17.21:\n  version \"4.17.21\"\n",
        )
        .unwrap();
        assert_eq!(yarn["@babel/code-frame"], ["7.12.13"]);
        assert_eq!(yarn["lodash"], ["4.17.21"]);
        assert!(!yarn.contains_key("@babel/highlight"));
        let berry = parse(
            LockKind::Yarn,
            p,
            "__metadata:\n  version: 8\n\n\"debug@npm:^4.4.0\":\n  version: 4.4.1\n  resolution: \"debug@npm:4.4.1\"\n",
        )
        .unwrap();
        assert_eq!(berry["debug"], ["4.4.1"]);
        let e = parse(
            LockKind::Cargo,
            Path::new("Cargo.lock"),
            "[[package]]\nname = 1\n",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("Cargo.lock:2:"), "{e}");
    }

    /// One header of many names over many `version` lines cloned every
    /// name for every line.
    #[test]
    fn regression_yarn_versions_once_per_entry() {
        let names: Vec<String> = (0..2000).map(|i| format!("n{i}@^1")).collect();
        let text = format!(
            "{}:\n{}",
            names.join(", "),
            "  version \"1.0.0\"\n".repeat(2000)
        );
        let locked = parse(LockKind::Yarn, Path::new("yarn.lock"), &text).unwrap();
        assert_eq!(locked.len(), 2000);
        assert!(locked.values().all(|v| v == &["1.0.0"]));
    }

    /// pnpm's importers were merged: a member's dependency counted as
    /// locked when another importer locked it.
    #[test]
    fn pnpm_importers_end_at_the_next_top_level_key() {
        let text = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n# c\n  a:\n\npackages:\n  x: {}\n";
        let mut end = ImportersEnd::default();
        // Not yet: only part of the section has been read.
        assert_eq!(end.find(&text[..40]), None);
        let at = end.find(text).unwrap();
        assert_eq!(&text[at..], "packages:\n  x: {}\n");
        assert_eq!(ImportersEnd::default().find("importers:\n  .: {}\n"), None);
    }

    #[test]
    fn regression_pnpm_dependencies_are_locked_per_importer() {
        let text = "importers:\n  .:\n    devDependencies:\n      eslint:\n        specifier: ^9\n        version: 9.1.0\n  packages/a:\n    dependencies:\n      kleur:\n        specifier: ^4\n        version: 4.1.5\n";
        let lock = LockFile {
            kind: LockKind::Pnpm,
            tracked: true,
            modified: false,
            versions: parse(LockKind::Pnpm, Path::new("x"), text).unwrap(),
            sha256: String::new().into(),
            scope: None,
        };
        let npm = Ecosystem::Npm;
        assert_eq!(
            lock.locked_for(npm, "kleur", "packages/a/package.json"),
            ["4.1.5"]
        );
        assert!(lock
            .locked_for(npm, "eslint", "packages/a/package.json")
            .is_empty());
        assert!(lock.locked_for(npm, "kleur", "package.json").is_empty());
        assert_eq!(lock.locked_for(npm, "eslint", "package.json"), ["9.1.0"]);
    }

    #[test]
    fn python_names_compare_by_pep_503() {
        assert_eq!(normalize(Ecosystem::Pep508, "Foo.Bar__baz-"), "foo-bar-baz");
        assert_eq!(
            normalize(Ecosystem::Pep508, "zope.interface"),
            "zope-interface"
        );
        assert_eq!(normalize(Ecosystem::Cargo, "serde_json"), "serde_json");
    }
}
