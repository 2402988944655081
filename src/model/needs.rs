//! Which inputs a check reads: what the loader is asked for.

/// Which inputs a check reads, so only those are loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// release.yaml must exist.
    pub manifest: bool,
    /// The release version (release.yaml, else the project manifest).
    pub version: bool,
    /// The versions project manifests declare.
    pub project_versions: bool,
    /// The dependencies project manifests declare.
    pub project_deps: bool,
    /// The changelog's text.
    pub changelog: bool,
    /// The git repository.
    pub git: bool,
}

impl Needs {
    /// Both sets of needs.
    pub fn union(self, o: Needs) -> Needs {
        Needs {
            manifest: self.manifest || o.manifest,
            version: self.version || o.version,
            project_versions: self.project_versions || o.project_versions,
            project_deps: self.project_deps || o.project_deps,
            changelog: self.changelog || o.changelog,
            git: self.git || o.git,
        }
    }
}
