//! Where a trusted file comes from: a path, or `git:REF:PATH`, the file at
//! PATH in the tree of REF (a protected branch such as
//! `refs/remotes/origin/main`), read with libgit2 and never from the work
//! tree, so the change under review cannot edit it.

use std::path::{Path, PathBuf};

use git2::{Repository, RepositoryOpenFlags};

use super::error::InputError;
use super::file::{read_text_max, text_of_bytes, TextFile};

/// A file's source as written (`--config`, `[signing] allowed_signers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A path; a relative one is relative to the repository root.
    Path(PathBuf),
    /// The file at `path` in the tree of `reference`.
    Git { reference: String, path: String },
}

impl Source {
    /// `git:REF:PATH`, or a path. A ref name cannot hold `:`, so the first
    /// `:` after `git:` ends it.
    pub fn parse(s: &str) -> Result<Source, String> {
        let Some(rest) = s.strip_prefix("git:") else {
            return Ok(Source::Path(PathBuf::from(s)));
        };
        match rest.split_once(':') {
            Some((r, p)) if !r.is_empty() && !p.is_empty() => Ok(Source::Git {
                reference: r.to_string(),
                path: p.trim_start_matches('/').to_string(),
            }),
            _ => Err(format!(
                "`{s}` is not git:REF:PATH (for example git:refs/remotes/origin/main:.gate/allowed_signers)"
            )),
        }
    }

    /// As reports name it.
    pub fn shown(&self) -> String {
        match self {
            Source::Path(p) => super::display(p),
            Source::Git { reference, path } => format!("git:{reference}:{path}"),
        }
    }
}

/// A trusted file, read.
#[derive(Debug, Clone)]
pub struct Read {
    pub text: TextFile,
    /// The source as reports name it.
    pub shown: String,
    /// For a `git:` source, the commit REF named.
    pub commit: Option<String>,
    /// For a path source, the path read.
    pub path: Option<PathBuf>,
}

/// Reads `source` (of at most `max` bytes; `kind` names such files in the
/// size error) for the repository at `repo`.
pub fn read(source: &Source, repo: &Path, max: u64, kind: &str) -> Result<Read, InputError> {
    match source {
        Source::Path(p) => {
            let path = if p.is_relative() {
                repo.join(p)
            } else {
                p.clone()
            };
            Ok(Read {
                text: read_text_max(&path, max, kind)?,
                shown: super::display(&path),
                commit: None,
                path: Some(path),
            })
        }
        Source::Git { reference, path } => {
            let shown = source.shown();
            let (commit, bytes) =
                blob_at(repo, reference, path).map_err(|m| InputError::file(&shown, m))?;
            let bytes = bytes.ok_or_else(|| {
                InputError::file(&shown, format!("no file {path} in the tree of {reference}"))
            })?;
            Ok(Read {
                text: text_of_bytes(Path::new(&shown), bytes, max, kind)?,
                shown,
                commit: Some(commit),
                path: None,
            })
        }
    }
}

/// The file at `path` in the tree of `reference` (a ref name or a commit
/// id) in the repository at `repo`: the commit's id, and the bytes, or
/// `None` when the tree holds no such file.
pub fn blob_at(
    repo: &Path,
    reference: &str,
    path: &str,
) -> Result<(String, Option<Vec<u8>>), String> {
    let r = Repository::open_ext(
        repo,
        RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&Path>(),
    )
    .map_err(|e| {
        format!(
            "{} is not a git repository: {}",
            super::display(repo),
            e.message()
        )
    })?;
    // A full ref name, looked up exactly: a short name would let a pushed
    // tag of the same name stand in for the protected branch. A commit id
    // (the release commit, for its own copy) is looked up as one.
    let object = if is_commit_id(reference) {
        git2::Oid::from_str(reference).and_then(|id| r.find_object(id, None))
    } else if reference.starts_with("refs/") {
        r.find_reference(reference)
            .and_then(|rf| rf.peel(git2::ObjectType::Commit))
    } else {
        return Err(format!(
            "`{reference}` is not a full ref name: write refs/heads/{reference} or refs/remotes/origin/{reference}"
        ));
    };
    let commit = object.and_then(|o| o.peel_to_commit()).map_err(|_| {
        format!(
            "ref {reference} not found (or not a commit) in {}",
            super::display(repo)
        )
    })?;
    let tree = commit.tree().map_err(|e| e.message().to_string())?;
    let id = commit.id().to_string();
    let entry = match tree.get_path(Path::new(path)) {
        Ok(e) => e,
        Err(_) => return Ok((id, None)),
    };
    if entry.filemode() == 0o120000 {
        return Err(format!(
            "{path} in the tree of {reference} is a symbolic link, not a file"
        ));
    }
    let object = entry.to_object(&r).map_err(|e| e.message().to_string())?;
    match object.as_blob() {
        Some(b) => Ok((id, Some(b.content().to_vec()))),
        None => Err(format!("{path} in the tree of {reference} is not a file")),
    }
}

/// Whether `path` (which exists) lies inside the work tree at `repo`, a
/// file the change under review can edit: as written (`..` worked out,
/// symlinks not followed, so a link in the repository pointing out of it
/// does not make it trusted), or with symlinks resolved.
///
/// `repo` may be a folder below its work tree's root (a monorepo's
/// package, as `--repo` may name it): the whole work tree is what the
/// change can edit, so that root is checked too.
pub fn inside_work_tree(path: &Path, repo: &Path) -> bool {
    let root = super::repo::discover(repo).and_then(|(r, _)| r.workdir().map(Path::to_path_buf));
    std::iter::once(repo.to_path_buf())
        .chain(root)
        .any(|r| below(path, &r))
}

fn below(path: &Path, repo: &Path) -> bool {
    let absolute = |p: &Path| match std::path::absolute(p) {
        Ok(a) => lexical(&a),
        Err(_) => p.to_path_buf(),
    };
    if absolute(path).starts_with(absolute(repo)) {
        return true;
    }
    match (path.canonicalize(), repo.canonicalize()) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        // What cannot be resolved cannot be shown to lie outside.
        _ => true,
    }
}

/// A full 40-hex commit id.
fn is_commit_id(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `path` with `.` and `..` worked out by name.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_sources_and_paths() {
        assert_eq!(
            Source::parse("git:refs/remotes/origin/main:.gate/allowed_signers"),
            Ok(Source::Git {
                reference: "refs/remotes/origin/main".into(),
                path: ".gate/allowed_signers".into()
            })
        );
        assert_eq!(
            Source::parse("/etc/gate/allowed_signers"),
            Ok(Source::Path("/etc/gate/allowed_signers".into()))
        );
        for bad in ["git:", "git:main", "git::x", "git:main:"] {
            assert!(Source::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Source::parse("git:main:a/b").unwrap().shown(),
            "git:main:a/b"
        );
    }

    /// `--repo` a folder below the work tree's root (a monorepo's package):
    /// a file elsewhere in that work tree was taken for one outside it.
    #[test]
    fn regression_inside_the_work_tree_that_holds_a_package_folder() {
        let d = tempfile::tempdir().unwrap();
        let mono = d.path().join("mono");
        std::fs::create_dir_all(mono.join("app")).unwrap();
        std::fs::create_dir_all(mono.join(".gate")).unwrap();
        std::fs::write(mono.join(".gate/allowed_signers"), "").unwrap();
        Repository::init(&mono).unwrap();
        let app = mono.join("app");
        assert!(inside_work_tree(&mono.join(".gate/allowed_signers"), &app));
        assert!(inside_work_tree(
            &app.join("../.gate/allowed_signers"),
            &app
        ));
        std::fs::write(d.path().join("f"), "").unwrap();
        assert!(!inside_work_tree(&d.path().join("f"), &app));
    }

    #[test]
    fn inside_the_work_tree_by_name_or_through_links() {
        let d = tempfile::tempdir().unwrap();
        let (repo, outside) = (d.path().join("repo"), d.path().join("outside"));
        std::fs::create_dir_all(repo.join("keys")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("f"), "").unwrap();
        std::fs::write(repo.join("keys/f"), "").unwrap();
        assert!(inside_work_tree(&repo.join("keys/f"), &repo));
        assert!(!inside_work_tree(&outside.join("f"), &repo));
        assert!(!inside_work_tree(&repo.join("../outside/f"), &repo));
        #[cfg(unix)]
        {
            // A link in the repository: the change could point it anywhere.
            std::os::unix::fs::symlink(&outside, repo.join("out")).unwrap();
            assert!(inside_work_tree(&repo.join("out/f"), &repo));
            // A link outside pointing in.
            std::os::unix::fs::symlink(repo.join("keys"), d.path().join("in")).unwrap();
            assert!(inside_work_tree(&d.path().join("in/f"), &repo));
        }
    }
}
