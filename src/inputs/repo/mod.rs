//! What the git repository shows: HEAD, whether the work tree is clean, and
//! the release tags at HEAD. Read through libgit2 (no network).
//!
//! Situations that are a verdict rather than an error (an empty repository,
//! a bare one, `--repo` pointing inside a work tree rather than at its root)
//! come back as [`RepoState`] variants so `release_point` can FAIL with a
//! clear reason. Only "there is no repository here at all" is an error.

use std::path::{Path, PathBuf};

use git2::{Repository, RepositoryOpenFlags};

mod index_file;
mod worktree;

use super::error::InputError;

/// How many dirty paths a report names before "and N more".
pub const DIRTY_SHOWN: usize = 10;

/// The repository as `release_point` needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoState {
    /// `--repo` lies inside the work tree rooted at `root`.
    Subfolder { root: PathBuf },
    /// A bare repository: no work tree to be clean.
    Bare,
    /// No commits yet.
    Unborn,
    /// A repository with a HEAD commit.
    Ready(Head),
}

/// HEAD and the work tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The HEAD commit, 40 hex.
    pub sha: String,
    /// The branch checked out, or `None` for a detached HEAD.
    pub branch: Option<String>,
    /// Up to [`DIRTY_SHOWN`] changed or untracked paths, porcelain-style
    /// (`M src/lib.rs`, `?? new.txt`).
    pub dirty: Vec<String>,
    /// How many paths are changed or untracked in all.
    pub dirty_count: usize,
    /// The tags among `v<version>` / `<version>` that point at HEAD.
    pub release_tags: Vec<String>,
    /// Every tag at HEAD, gathered only when no release tag matched.
    pub other_tags: Vec<String>,
}

/// Opens the repository at `path` (which must be its work-tree root) and
/// reads its state. `version` names the release tags to look for.
pub fn load(path: &Path, version: Option<&str>) -> Result<RepoState, InputError> {
    let repo = match open_root(path) {
        Ok(r) => r,
        Err(e) if e.code() == git2::ErrorCode::NotFound => {
            // Inside some other work tree?
            if let Ok(outer) = Repository::discover(path) {
                if let Some(root) = outer.workdir() {
                    return Ok(RepoState::Subfolder {
                        root: root.to_path_buf(),
                    });
                }
            }
            if !path.exists() {
                return Err(InputError::file(
                    path,
                    "not found; expected a git repository (--repo)",
                ));
            }
            return Err(InputError::file(
                path,
                "not a git repository; `release_point` needs one (--repo)",
            ));
        }
        Err(e) => {
            return Err(InputError::file(
                path,
                format!("cannot open git repository: {}", e.message()),
            ))
        }
    };
    if repo.is_bare() {
        return Ok(RepoState::Bare);
    }
    let head_ref = match repo.head() {
        Ok(h) => h,
        Err(e)
            if e.code() == git2::ErrorCode::UnbornBranch
                || e.code() == git2::ErrorCode::NotFound =>
        {
            return Ok(RepoState::Unborn)
        }
        Err(e) => return Err(git_error(path, "cannot read HEAD", &e)),
    };
    let commit = head_ref
        .peel_to_commit()
        .map_err(|e| git_error(path, "HEAD is not a commit", &e))?;
    let branch = if repo.head_detached().unwrap_or(false) {
        None
    } else {
        head_ref.shorthand().map(String::from)
    };
    let tree = commit.tree_id();
    let (dirty, dirty_count) = dirty_paths(path, tree)
        .map_err(|e| git_error(path, "cannot read the work tree status", &e))?;
    let mut release_tags = Vec::new();
    if let Some(v) = version {
        let bare = v.strip_prefix('v').unwrap_or(v);
        for name in [format!("v{bare}"), bare.to_string()] {
            if tag_target(&repo, &name) == Some(commit.id()) {
                release_tags.push(name);
            }
        }
    }
    let other_tags = if release_tags.is_empty() {
        tags_at(&repo, commit.id())
    } else {
        Vec::new()
    };
    Ok(RepoState::Ready(Head {
        sha: commit.id().to_string(),
        branch,
        dirty,
        dirty_count,
        release_tags,
        other_tags,
    }))
}

fn git_error(path: &Path, what: &str, e: &git2::Error) -> InputError {
    InputError::file(path, format!("{what}: {}", e.message()))
}

/// The commit a tag (lightweight or annotated) points at.
fn tag_target(repo: &Repository, name: &str) -> Option<git2::Oid> {
    let r = repo.find_reference(&format!("refs/tags/{name}")).ok()?;
    r.peel_to_commit().ok().map(|c| c.id())
}

/// Every tag that points at `oid`, sorted.
fn tags_at(repo: &Repository, oid: git2::Oid) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(names) = repo.tag_names(None) {
        for name in names.iter().flatten() {
            if tag_target(repo, name) == Some(oid) {
                out.push(name.to_string());
            }
        }
    }
    out.sort();
    out
}

/// Tracked changes (staged or not) and untracked, non-ignored files: the
/// first [`DIRTY_SHOWN`], and how many in all.
fn dirty_paths(path: &Path, head_tree: git2::Oid) -> Result<(Vec<String>, usize), git2::Error> {
    let all = worktree::dirty(path, head_tree)?;
    let count = all.len();
    let shown = all
        .into_iter()
        .take(DIRTY_SHOWN)
        .map(|(code, p)| format!("{code} {p}"))
        .collect();
    Ok((shown, count))
}

fn open_root(path: &Path) -> Result<Repository, git2::Error> {
    Repository::open_ext(
        path,
        RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&Path>(),
    )
}
