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
    /// Every tag at the tagged commit, gathered only when no release tag
    /// matched.
    pub other_tags: Vec<String>,
    /// The release commit the tags were looked for at, when it is not HEAD.
    pub release_commit: Option<String>,
}

/// The commit being promoted: `--sha` (or HEAD), stepped back over commits
/// that change nothing but files under the overrides folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseCommit {
    /// The commit asked about (40 hex): `--sha` resolved, or HEAD.
    pub sha: String,
    /// The release commit (40 hex).
    pub release: String,
    /// How many override-only commits were stepped over.
    pub stepped_over: usize,
    /// The release commit author's name and email (never an approver).
    pub author: Vec<String>,
    /// Whether the commit was found in the repository (false: `--sha` was
    /// taken as given).
    pub in_repo: bool,
}

/// The most override-only commits stepped over before giving up.
const MAX_STEPS: usize = 1000;

/// Resolves the release commit in the repository at `path`, or whose work
/// tree holds `path` (a package folder). Outside any repository a full
/// `sha` is taken as given; without either, that is an error.
pub fn release_commit(
    path: &Path,
    sha: Option<&str>,
    overrides_dir: &str,
) -> Result<ReleaseCommit, InputError> {
    let as_given = |s: &str| ReleaseCommit {
        sha: s.to_string(),
        release: s.to_string(),
        stepped_over: 0,
        author: Vec::new(),
        in_repo: false,
    };
    // The overrides folder as a path from the repository's root: `--repo`
    // may be a folder inside a work tree (a package of a monorepo), whose
    // commits are still the repository's.
    let mut folder = overrides_dir.to_string();
    let repo = match open_root(path) {
        Ok(r) => r,
        // A repository that is there but cannot be opened is no reason
        // to take the commit as given.
        Err(e) if std::fs::symlink_metadata(path.join(".git")).is_ok() => {
            return Err(InputError::file(
                path,
                format!("cannot open the git repository: {e}"),
            ))
        }
        Err(_) => match enclosing(path) {
            Some((r, below)) => {
                folder = format!("{below}/{overrides_dir}");
                r
            }
            None => return match sha {
                Some(s) if s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    Ok(as_given(s))
                }
                Some(s) => Err(InputError::file(
                    path,
                    format!(
                        "not a git repository, so --sha must be a full 40-hex commit id, not `{s}`"
                    ),
                )),
                None => Err(InputError::file(
                    path,
                    "not a git repository, and no --sha was given: name the commit being promoted",
                )),
            },
        },
    };
    let overrides_dir = folder.as_str();
    let start = start_commit(&repo, path, sha)?;
    let (commit, stepped_over) = step_over_overrides(&repo, path, &start, overrides_dir)?;
    let sig = commit.author();
    let author = [sig.name(), sig.email()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    Ok(ReleaseCommit {
        sha: start.id().to_string(),
        release: commit.id().to_string(),
        stepped_over,
        author,
        in_repo: true,
    })
}

/// The commit asked about: `--sha` (which must be a commit of this
/// repository: taken as given, its author could not be barred from
/// approving it), or HEAD.
fn start_commit<'r>(
    repo: &'r git2::Repository,
    path: &Path,
    sha: Option<&str>,
) -> Result<git2::Commit<'r>, InputError> {
    Ok(match sha {
        // Inside a repository the commit must be one of its commits: taken
        // as given, its author could not be barred from approving it.
        Some(s) => match repo.revparse_single(s) {
            Ok(o) => o.peel_to_commit().map_err(|_| {
                InputError::file(
                    path,
                    format!(
                        "--sha {s} is a {} of this repository, not a commit",
                        o.kind().map_or("object", |k| k.str())
                    ),
                )
            })?,
            Err(e) => {
                return Err(InputError::file(
                    path,
                    format!(
                        "--sha {s} is not a commit of this repository ({}); fetch it, or name the commit being promoted",
                        e.message()
                    ),
                ))
            }
        },
        None => repo.head().and_then(|h| h.peel_to_commit()).map_err(|e| {
            InputError::file(
                path,
                format!("cannot read HEAD (and no --sha was given): {}", e.message()),
            )
        })?,
    })
}

/// The release commit: `start`, stepping back over commits that change
/// only files in the overrides folder; and how many were stepped over.
fn step_over_overrides<'r>(
    repo: &'r git2::Repository,
    path: &Path,
    start: &git2::Commit<'r>,
    overrides_dir: &str,
) -> Result<(git2::Commit<'r>, usize), InputError> {
    let prefix: Vec<&str> = overrides_dir.split('/').filter(|p| !p.is_empty()).collect();
    let mut commit = start.clone();
    let mut stepped_over = 0;
    // A symbolic link outside the folder that reaches into it makes a change
    // of an override file a change of that link's content too: nothing is
    // stepped over then. Everything outside the folder is the same in every
    // commit stepped over, so the start commit's tree tells for all of them.
    let mut linked: Option<bool> = None;
    while stepped_over < MAX_STEPS && commit.parent_count() == 1 && !prefix.is_empty() {
        let parent = commit
            .parent(0)
            .map_err(|e| InputError::file(path, e.message().to_string()))?;
        let (Ok(a), Ok(b)) = (parent.tree(), commit.tree()) else {
            break;
        };
        if !only_under(repo, &a, &b, &prefix) {
            break;
        }
        // Walked once, and only when a commit could be stepped over.
        if *linked
            .get_or_insert_with(|| start.tree().map_or(true, |t| links_into(repo, &t, &prefix)))
        {
            break;
        }
        commit = parent;
        stepped_over += 1;
    }
    Ok((commit, stepped_over))
}

/// The repository whose work tree holds `path` below its root, and
/// `path` relative to that root (`/`-separated).
fn enclosing(path: &Path) -> Option<(Repository, String)> {
    discover(path).filter(|(_, below)| !below.is_empty())
}

/// The repository whose work tree holds `path`, and `path` relative to its
/// root (`/`-separated; empty at the root).
pub fn discover(path: &Path) -> Option<(Repository, String)> {
    let repo = Repository::discover(path).ok()?;
    let root = std::fs::canonicalize(repo.workdir()?).ok()?;
    let here = std::fs::canonicalize(path).ok()?;
    let below: Vec<String> = here
        .strip_prefix(&root)
        .ok()?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some((repo, below.join("/")))
}

/// Whether trees `a` and `b` differ only below `prefix` (a path split in
/// components). Compares one level at a time: unchanged subtrees have equal
/// ids and are never opened.
fn only_under(repo: &Repository, a: &git2::Tree, b: &git2::Tree, prefix: &[&str]) -> bool {
    let Some((first, rest)) = prefix.split_first() else {
        return true;
    };
    let others = |t: &git2::Tree| -> Vec<(Vec<u8>, git2::Oid, i32)> {
        t.iter()
            .filter(|e| e.name_bytes() != first.as_bytes())
            .map(|e| (e.name_bytes().to_vec(), e.id(), e.filemode()))
            .collect()
    };
    if others(a) != others(b) {
        return false;
    }
    // The folder (and each folder on its path) stays a folder: a commit
    // that turns it into a symbolic link or a file is no override-only change.
    let folder_or_absent = |t: &git2::Tree| {
        t.get_name(first)
            .is_none_or(|e| e.kind() == Some(git2::ObjectType::Tree) && e.filemode() == 0o040000)
    };
    if !folder_or_absent(a) || !folder_or_absent(b) {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    let sub = |t: &git2::Tree| -> Result<Option<git2::Tree<'_>>, ()> {
        match t.get_name(first) {
            None => Ok(None),
            Some(e) if e.kind() == Some(git2::ObjectType::Tree) => {
                repo.find_tree(e.id()).map(Some).map_err(|_| ())
            }
            Some(_) => Err(()),
        }
    };
    match (sub(a), sub(b)) {
        (Ok(Some(x)), Ok(Some(y))) => x.id() == y.id() || only_under(repo, &x, &y, rest),
        (Ok(_), Ok(_)) => true, // the folder appeared or vanished, nothing else did
        _ => false,
    }
}

/// Whether a symbolic link in `tree` outside the folder `prefix` may reach
/// into it: its target, resolved from where the link sits, lies in or above
/// the folder, leaves the repository, or is absolute. Unreadable means yes.
fn links_into(repo: &Repository, tree: &git2::Tree, prefix: &[&str]) -> bool {
    let mut reaches = false;
    let walked = tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
        if e.filemode() != 0o120000 {
            return git2::TreeWalkResult::Ok;
        }
        let name = String::from_utf8_lossy(e.name_bytes());
        let at: Vec<String> = dir
            .split('/')
            .filter(|p| !p.is_empty())
            .map(String::from)
            .chain([name.into_owned()])
            .collect();
        let inside = at.len() > prefix.len() && at.iter().zip(prefix).all(|(a, p)| a == p);
        if inside {
            return git2::TreeWalkResult::Ok;
        }
        let target = repo
            .find_blob(e.id())
            .map(|b| String::from_utf8_lossy(b.content()).into_owned());
        let Ok(target) = target else {
            reaches = true;
            return git2::TreeWalkResult::Abort;
        };
        let mut path: Vec<String> = at[..at.len() - 1].to_vec();
        let mut escapes = target.starts_with('/');
        // A `..` after a component of the target itself may climb out of a
        // link (`m/../overrides` with `m` a link elsewhere): counted as
        // reaching, since the tree alone cannot say where it lands.
        let mut from_target = 0usize;
        for part in target.split('/') {
            match part {
                "" | "." => {}
                ".." if from_target > 0 => escapes = true,
                ".." => escapes |= path.pop().is_none(),
                p => {
                    path.push(p.to_string());
                    from_target += 1;
                }
            }
        }
        let shared = path.iter().zip(prefix).take_while(|(a, p)| a == p).count();
        if escapes || shared == path.len().min(prefix.len()) {
            reaches = true;
            return git2::TreeWalkResult::Abort;
        }
        git2::TreeWalkResult::Ok
    });
    reaches || walked.is_err()
}

/// Every tag at HEAD of the repository at `path`, sorted.
pub fn tags_at_head(path: &Path) -> Vec<String> {
    let Ok(repo) = open_root(path) else {
        return Vec::new();
    };
    let head = repo.head().and_then(|h| h.peel_to_commit()).map(|c| c.id());
    match head {
        Ok(id) => tags_at(&repo, id),
        Err(_) => Vec::new(),
    }
}

/// Whether tag `t` releases version `v`: by the template
/// (`create-vite@{version}`), else as `v{version}` or `{version}`, versions
/// compared by their numbers.
pub fn tag_names(t: &str, template: Option<&str>, v: &str) -> bool {
    let Some((before, after)) = template.and_then(|x| x.split_once("{version}")) else {
        return crate::inputs::version::same(t, v);
    };
    t.strip_prefix(before)
        .and_then(|r| r.strip_suffix(after))
        .is_some_and(|middle| crate::inputs::version::same(middle, v))
}

/// The version a tag at `release` (else HEAD) names, for projects whose
/// version is the git tag: `v1.6.0` or `1.6.0` gives `1.6.0`.
pub fn version_tag(path: &Path, release: Option<&str>, template: Option<&str>) -> Option<String> {
    let repo = open_root(path).ok()?;
    let oid = match release.and_then(|r| git2::Oid::from_str(r).ok()) {
        Some(o) => o,
        None => repo.head().ok()?.peel_to_commit().ok()?.id(),
    };
    let (before, after) = template
        .and_then(|x| x.split_once("{version}"))
        .unwrap_or(("", ""));
    tags_at(&repo, oid).into_iter().find_map(|t| {
        // `v` before the version, as `tag_names` accepts it.
        let v = t.strip_prefix(before)?.strip_suffix(after)?;
        let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
        (v.starts_with(|c: char| c.is_ascii_digit()) && v.contains('.')).then(|| v.to_string())
    })
}

/// The author (name, email) of commit `sha`, if the repository at `path`
/// has it.
pub fn commit_author(path: &Path, sha: &str) -> Option<(String, String)> {
    let repo = open_root(path).ok()?;
    let c = repo.revparse_single(sha).ok()?.peel_to_commit().ok()?;
    let a = c.author();
    Some((
        a.name().unwrap_or_default().to_string(),
        a.email().unwrap_or_default().to_string(),
    ))
}

/// Opens the repository at `path` (which must be its work-tree root) and
/// reads its state. `version` names the release tags to look for, at
/// `release` (the release commit) when given, else at HEAD.
pub fn load(
    path: &Path,
    version: Option<&str>,
    tag: Option<&str>,
    release: Option<&str>,
) -> Result<RepoState, InputError> {
    let repo = match open_checkout(path)? {
        Ok(r) => r,
        Err(state) => return Ok(state),
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
    let tagged = match release.and_then(|r| git2::Oid::from_str(r).ok()) {
        Some(oid) => oid,
        None => commit.id(),
    };
    // `v1.2.3` or `1.2.3`, versions compared by their numbers: the CalVer
    // tag `25.07.1` releases the `25.7.1` a manifest declares.
    let at = tags_at(&repo, tagged);
    let release_tags: Vec<String> = match version {
        Some(v) => at
            .iter()
            .filter(|t| tag_names(t, tag, v))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    let other_tags = if release_tags.is_empty() {
        at
    } else {
        Vec::new()
    };
    let release_commit = (tagged != commit.id()).then(|| tagged.to_string());
    Ok(RepoState::Ready(Head {
        sha: commit.id().to_string(),
        branch,
        dirty,
        dirty_count,
        release_tags,
        other_tags,
        release_commit,
    }))
}

/// The repository at `path`; or, where `path` is a folder inside another
/// work tree, that state; or why there is none.
fn open_checkout(path: &Path) -> Result<Result<Repository, RepoState>, InputError> {
    Ok(match open_root(path) {
        Ok(r) => Ok(r),
        Err(e) if e.code() == git2::ErrorCode::NotFound => {
            // Inside some other work tree?
            if let Ok(outer) = Repository::discover(path) {
                if let Some(root) = outer.workdir() {
                    return Ok(Err(RepoState::Subfolder {
                        root: root.to_path_buf(),
                    }));
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
    })
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
