//! Is the work tree clean? A parallel fast path with libgit2 as the judge.
//!
//! `git status` stays fast on large trees by trusting the stat data cached in
//! the index: a file whose size, mtime, inode and mode still match what the
//! index recorded (and whose mtime is older than the index itself, the
//! "racy git" rule) has not changed; and by trusting the index's cache-tree
//! for "is anything staged?". It runs its `lstat`s on all cores. This module
//! does the same:
//!
//! 1. read the index once ([`super::index_file`]);
//! 2. staged changes: none when the cache-tree's root is HEAD's tree;
//!    otherwise libgit2's diff of HEAD against the index names them;
//! 3. on every core, `lstat` a share of the entries and compare stat data,
//!    and `readdir` a share of the tracked folders to find names the index
//!    does not know (untracked candidates);
//! 4. hand every entry that is not plainly clean to libgit2's `status_file`
//!    and every untracked candidate to its ignore rules, which decide.
//!
//! The fast path only ever answers "plainly clean"; anything else is decided
//! by libgit2, so it can be slower than needed but never wrong in the clean
//! direction. When too many entries need a second look (a fresh `touch` of
//! everything, an index written without nanoseconds), when the index is in a
//! form the reader does not know, or off Unix, libgit2's full diffs run.

use std::path::Path;

use git2::{Delta, DiffOptions, Repository};

/// More suspects than this and one full diff is cheaper than many lookups.
const MAX_SUSPECTS: usize = 256;

/// A dirty path, porcelain-style: (code, path).
pub type Dirty = (&'static str, String);

/// Every dirty path of the work tree at `root` whose HEAD tree is `head_tree`.
pub fn dirty(root: &Path, head_tree: git2::Oid) -> Result<Vec<Dirty>, git2::Error> {
    let repo = open(root)?;
    #[cfg(unix)]
    if let Some(snap) = fast::Snapshot::read(&repo) {
        let staged = if snap.root_tree() == Some(head_tree) {
            Vec::new()
        } else {
            staged_changes(&repo, head_tree)?
        };
        let unstaged = match fast::unstaged(&repo, root, &snap)? {
            Some(found) => found,
            None => full_diff(&repo)?,
        };
        return Ok(merge(staged, unstaged));
    }
    Ok(merge(staged_changes(&repo, head_tree)?, full_diff(&repo)?))
}

/// Both halves as one sorted list: a path staged and then changed again is
/// one dirty path.
fn merge(mut all: Vec<Dirty>, more: Vec<Dirty>) -> Vec<Dirty> {
    all.extend(more);
    all.sort_by(|a, b| a.1.cmp(&b.1));
    all.dedup_by(|a, b| a.1 == b.1);
    all
}

fn open(root: &Path) -> Result<Repository, git2::Error> {
    Repository::open_ext(
        root,
        git2::RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&Path>(),
    )
}

/// libgit2's diff of HEAD's tree against the index.
fn staged_changes(repo: &Repository, head_tree: git2::Oid) -> Result<Vec<Dirty>, git2::Error> {
    let tree = repo.find_tree(head_tree)?;
    let diff = repo.diff_tree_to_index(Some(&tree), None, None)?;
    Ok(deltas(&diff))
}

/// libgit2's own index-to-work-tree diff.
fn full_diff(repo: &Repository) -> Result<Vec<Dirty>, git2::Error> {
    let mut opts = DiffOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(false)
        .include_ignored(false);
    let diff = repo.diff_index_to_workdir(None, Some(&mut opts))?;
    Ok(deltas(&diff))
}

/// Porcelain-style codes and paths of a diff's deltas.
fn deltas(diff: &git2::Diff<'_>) -> Vec<Dirty> {
    diff.deltas()
        .map(|d| {
            let code = match d.status() {
                Delta::Untracked => "??",
                Delta::Added => "A",
                Delta::Deleted => "D",
                Delta::Renamed => "R",
                Delta::Typechange => "T",
                _ => "M",
            };
            let file = d.new_file().path().or_else(|| d.old_file().path());
            let name = file.map_or_else(
                || "<unknown path>".to_string(),
                |p| p.to_string_lossy().into_owned(),
            );
            (code, name)
        })
        .collect()
}

/// The code for a libgit2 status flag set, or `None` when it is clean.
fn status_code(s: git2::Status) -> Option<&'static str> {
    use git2::Status as S;
    if s.is_empty() || s == S::CURRENT || s.contains(S::IGNORED) {
        None
    } else if s.contains(S::WT_NEW) {
        Some("??")
    } else if s.intersects(S::WT_DELETED | S::INDEX_DELETED) {
        Some("D")
    } else if s.contains(S::INDEX_NEW) {
        Some("A")
    } else {
        Some("M")
    }
}

#[cfg(unix)]
mod fast {
    use super::*;
    use crate::inputs::repo::index_file::{self, IndexEntry};
    use std::ffi::OsStr;
    use std::io::ErrorKind;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    use std::path::PathBuf;

    /// Index entry flags (extended): sparse checkout and `git add -N`.
    const SKIP_WORKTREE: u16 = 1 << 14;
    const INTENT_TO_ADD: u16 = 1 << 13;
    /// The stage bits of an entry's flags: non-zero during a conflict.
    const STAGE_MASK: u16 = 0x3000;
    const MODE_TYPE: u32 = 0o170000;
    const GITLINK: u32 = 0o160000;
    const REGULAR: u32 = 0o100000;
    const EXEC: u32 = 0o111;

    /// What one worker saw.
    #[derive(Default)]
    struct Seen {
        /// Entries whose stat data does not plainly match.
        suspects: Vec<usize>,
        /// Entries with nothing at their path.
        deleted: Vec<usize>,
        /// Names no entry or tracked folder accounts for: (path, is a folder).
        untracked: Vec<(Vec<u8>, bool)>,
    }

    /// The index entries and tracked folders, sorted by path bytes (the
    /// index's own order), so membership is a binary search.
    pub struct Snapshot {
        entries: Vec<IndexEntry>,
        dirs: Vec<Vec<u8>>,
        root_tree: Option<[u8; 20]>,
        /// When the index file was written: the racy-git cut-off.
        written: (i64, u32),
    }

    impl Snapshot {
        /// Reads `.git/index`; `None` when there is none or it is in a form
        /// the reader does not know.
        pub fn read(repo: &Repository) -> Option<Self> {
            let mut file = std::fs::File::open(repo.path().join("index")).ok()?;
            let meta = file.metadata().ok()?;
            let mut bytes = Vec::with_capacity(meta.len() as usize);
            std::io::Read::read_to_end(&mut file, &mut bytes).ok()?;
            let index = index_file::parse(&bytes)?;
            let mut entries = index.entries;
            if !entries.windows(2).all(|w| w[0].path <= w[1].path) {
                entries.sort_by(|a, b| a.path.cmp(&b.path));
            }
            let mut dirs: Vec<Vec<u8>> = vec![Vec::new()];
            let mut last: Option<&[u8]> = None;
            for e in &entries {
                let parent = e
                    .path
                    .iter()
                    .rposition(|&b| b == b'/')
                    .map_or(&e.path[..0], |i| &e.path[..i]);
                if last == Some(parent) {
                    continue;
                }
                last = Some(parent);
                let mut p = parent;
                while !p.is_empty() {
                    dirs.push(p.to_vec());
                    p = p
                        .iter()
                        .rposition(|&b| b == b'/')
                        .map_or(&p[..0], |i| &p[..i]);
                }
            }
            dirs.sort();
            dirs.dedup();
            Some(Self {
                entries,
                dirs,
                root_tree: index.root_tree,
                written: (meta.mtime(), meta.mtime_nsec() as u32),
            })
        }

        /// The tree of the whole index, when its cache-tree is valid.
        pub fn root_tree(&self) -> Option<git2::Oid> {
            self.root_tree.and_then(|b| git2::Oid::from_bytes(&b).ok())
        }

        /// Whether an entry or a tracked folder has this path.
        fn tracks(&self, rel: &[u8]) -> bool {
            self.entries
                .binary_search_by(|e| e.path.as_slice().cmp(rel))
                .is_ok()
                || self
                    .dirs
                    .binary_search_by(|d| d.as_slice().cmp(rel))
                    .is_ok()
        }

        /// Whether libgit2 must look at this entry whatever its stat data:
        /// conflicted, intent-to-add, a submodule, or racily clean.
        fn must_look(&self, e: &IndexEntry) -> bool {
            e.flags & STAGE_MASK != 0
                || e.flags_extended & INTENT_TO_ADD != 0
                || e.mode & MODE_TYPE == GITLINK
                || e.mtime >= self.written
        }
    }

    /// The fast path; `Ok(None)` when it cannot decide and the full diff
    /// must run.
    pub fn unstaged(
        repo: &Repository,
        root: &Path,
        snap: &Snapshot,
    ) -> Result<Option<Vec<Dirty>>, git2::Error> {
        let entries = &snap.entries;
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let seen: Vec<Seen> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    s.spawn(move || {
                        let mut seen = Seen::default();
                        let (lo, hi) = share(entries.len(), w, workers);
                        for (i, e) in entries[lo..hi].iter().enumerate() {
                            compare(root, snap, e, lo + i, &mut seen);
                        }
                        let (lo, hi) = share(snap.dirs.len(), w, workers);
                        for dir in &snap.dirs[lo..hi] {
                            list_dir(root, dir, snap, &mut seen);
                        }
                        seen
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().ok())
                .collect::<Option<Vec<Seen>>>()
        })
        .ok_or_else(|| git2::Error::from_str("status worker failed"))?;

        let suspects: usize = seen.iter().map(|s| s.suspects.len()).sum();
        if suspects > MAX_SUSPECTS {
            return Ok(None);
        }
        let mut out = Vec::new();
        for s in &seen {
            for &i in &s.deleted {
                out.push(("D", lossy(&entries[i].path)));
            }
            for &i in &s.suspects {
                let path = Path::new(OsStr::from_bytes(&entries[i].path));
                match repo.status_file(path) {
                    Ok(st) => {
                        if let Some(code) = status_code(st) {
                            out.push((code, lossy(&entries[i].path)));
                        }
                    }
                    // A path libgit2 cannot judge alone: let the full diff decide.
                    Err(_) => return Ok(None),
                }
            }
            for (path, is_dir) in &s.untracked {
                if untracked_counts(repo, root, path, *is_dir)? {
                    let mut shown = lossy(path);
                    if *is_dir {
                        shown.push('/');
                    }
                    out.push(("??", shown));
                }
            }
        }
        Ok(Some(out))
    }

    /// The `w`-th of `n` contiguous shares of `len` items.
    fn share(len: usize, w: usize, n: usize) -> (usize, usize) {
        (len * w / n, len * (w + 1) / n)
    }

    fn lossy(p: &[u8]) -> String {
        String::from_utf8_lossy(p).into_owned()
    }

    fn full(root: &Path, rel: &[u8]) -> PathBuf {
        if rel.is_empty() {
            root.to_path_buf()
        } else {
            root.join(OsStr::from_bytes(rel))
        }
    }

    /// Compares one entry's stat data with the file's.
    fn compare(root: &Path, snap: &Snapshot, e: &IndexEntry, i: usize, seen: &mut Seen) {
        if e.flags_extended & SKIP_WORKTREE != 0 {
            return;
        }
        match std::fs::symlink_metadata(full(root, &e.path)) {
            Ok(m) => {
                let same_type = (m.mode() & MODE_TYPE) == (e.mode & MODE_TYPE);
                let same_exec =
                    e.mode & MODE_TYPE != REGULAR || (m.mode() & EXEC != 0) == (e.mode & EXEC != 0);
                let same = same_type
                    && same_exec
                    && m.len() as u32 == e.size
                    && (m.mtime(), m.mtime_nsec() as u32) == e.mtime
                    && m.ino() as u32 == e.ino;
                if !same || snap.must_look(e) {
                    seen.suspects.push(i);
                }
            }
            Err(err)
                if err.kind() == ErrorKind::NotFound || err.kind() == ErrorKind::NotADirectory =>
            {
                if e.mode & MODE_TYPE == GITLINK {
                    seen.suspects.push(i);
                } else {
                    seen.deleted.push(i);
                }
            }
            Err(_) => seen.suspects.push(i),
        }
    }

    /// Lists one tracked folder; keeps the names nothing tracked accounts for.
    fn list_dir(root: &Path, dir: &[u8], snap: &Snapshot, seen: &mut Seen) {
        let Ok(rd) = std::fs::read_dir(full(root, dir)) else {
            return; // gone: its entries show up as deleted
        };
        let mut rel = Vec::with_capacity(dir.len() + 32);
        for de in rd.flatten() {
            let name = de.file_name();
            let name = name.as_bytes();
            if dir.is_empty() && name == b".git" {
                continue;
            }
            rel.clear();
            if !dir.is_empty() {
                rel.extend_from_slice(dir);
                rel.push(b'/');
            }
            rel.extend_from_slice(name);
            if snap.tracks(&rel) {
                continue;
            }
            let is_dir = de.file_type().is_ok_and(|t| t.is_dir());
            seen.untracked.push((rel.clone(), is_dir));
        }
    }

    /// Whether an untracked name makes the tree dirty: a file that is not
    /// ignored, or a folder holding one (as `git status` shows `?? dir/`).
    fn untracked_counts(
        repo: &Repository,
        root: &Path,
        rel: &[u8],
        is_dir: bool,
    ) -> Result<bool, git2::Error> {
        if !is_dir {
            return Ok(!repo.is_path_ignored(Path::new(OsStr::from_bytes(rel)))?);
        }
        let mut stack = vec![rel.to_vec()];
        while let Some(d) = stack.pop() {
            let mut with_slash = d.clone();
            with_slash.push(b'/');
            if repo.is_path_ignored(Path::new(OsStr::from_bytes(&with_slash)))? {
                continue;
            }
            let Ok(rd) = std::fs::read_dir(full(root, &d)) else {
                continue;
            };
            for de in rd.flatten() {
                let mut child = with_slash.clone();
                child.extend_from_slice(de.file_name().as_bytes());
                if de.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(child);
                } else if !repo.is_path_ignored(Path::new(OsStr::from_bytes(&child)))? {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A committed repository with a few files, an ignore rule and a folder.
    fn committed() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        fs::create_dir_all(dir.path().join("src/deep")).unwrap();
        fs::write(dir.path().join(".gitignore"), "target/\n*.log\n").unwrap();
        fs::write(dir.path().join("a.txt"), "a\n").unwrap();
        fs::write(dir.path().join("src/b.txt"), "b\n").unwrap();
        fs::write(dir.path().join("src/deep/c.txt"), "c\n").unwrap();
        {
            let mut index = repo.index().unwrap();
            index
                .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
                .unwrap();
            index.write().unwrap();
            let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
            let sig = git2::Signature::now("t", "t@example.com").unwrap();
            repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[])
                .unwrap();
        }
        (dir, repo)
    }

    fn status(dir: &Path, repo: &Repository) -> Vec<Dirty> {
        let tree = repo.head().unwrap().peel_to_tree().unwrap().id();
        dirty(dir, tree).unwrap()
    }

    /// What libgit2's full status says, in the same shape.
    fn reference(repo: &Repository) -> Vec<String> {
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(true).recurse_untracked_dirs(false);
        let mut v: Vec<String> = repo
            .statuses(Some(&mut opts))
            .unwrap()
            .iter()
            .filter(|e| status_code(e.status()).is_some())
            .map(|e| e.path().unwrap().trim_end_matches('/').to_string())
            .collect();
        v.sort();
        v
    }

    fn paths(d: &[Dirty]) -> Vec<String> {
        d.iter()
            .map(|(_, p)| p.trim_end_matches('/').to_string())
            .collect()
    }

    #[test]
    fn clean_tree_is_clean() {
        let (dir, repo) = committed();
        assert_eq!(status(dir.path(), &repo), Vec::<Dirty>::new());
    }

    #[test]
    fn agrees_with_libgit2_on_every_kind_of_change() {
        type Change = fn(&Path);
        let changes: Vec<(&str, Change)> = vec![
            ("modified same size", |d| {
                fs::write(d.join("src/b.txt"), "B\n").unwrap()
            }),
            ("modified longer", |d| {
                fs::write(d.join("a.txt"), "aaaa\n").unwrap()
            }),
            ("deleted", |d| {
                fs::remove_file(d.join("src/deep/c.txt")).unwrap()
            }),
            ("deleted folder", |d| {
                fs::remove_dir_all(d.join("src/deep")).unwrap()
            }),
            ("untracked file", |d| {
                fs::write(d.join("src/new.txt"), "n").unwrap()
            }),
            ("untracked folder", |d| {
                fs::create_dir_all(d.join("newdir/x")).unwrap();
                fs::write(d.join("newdir/x/f"), "f").unwrap();
            }),
            ("ignored only", |d| {
                fs::create_dir_all(d.join("target/debug")).unwrap();
                fs::write(d.join("target/debug/x"), "x").unwrap();
                fs::write(d.join("src/run.log"), "x").unwrap();
            }),
            ("untracked folder of ignored files", |d| {
                fs::create_dir_all(d.join("logs")).unwrap();
                fs::write(d.join("logs/a.log"), "x").unwrap();
            }),
            ("empty untracked folder", |d| {
                fs::create_dir_all(d.join("empty")).unwrap()
            }),
            ("file became folder", |d| {
                fs::remove_file(d.join("a.txt")).unwrap();
                fs::create_dir_all(d.join("a.txt")).unwrap();
                fs::write(d.join("a.txt/inner"), "i").unwrap();
            }),
        ];
        for (name, change) in changes {
            let (dir, repo) = committed();
            change(dir.path());
            let got = paths(&status(dir.path(), &repo));
            assert_eq!(got, reference(&repo), "{name}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn mode_change_and_staged_change_are_dirty() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, repo) = committed();
        fs::set_permissions(dir.path().join("a.txt"), fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(paths(&status(dir.path(), &repo)), vec!["a.txt"]);
        let (dir, repo) = committed();
        fs::write(dir.path().join("staged.txt"), "s").unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("staged.txt")).unwrap();
        index.write().unwrap();
        assert_eq!(
            status(dir.path(), &repo),
            vec![("A", "staged.txt".to_string())]
        );
    }

    #[test]
    fn old_stat_data_is_trusted_only_when_it_matches() {
        // Make every entry older than the index, so none is racily clean,
        // then change a file without changing its size: the mtime differs.
        let (dir, repo) = committed();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for f in ["a.txt", "src/b.txt", "src/deep/c.txt", ".gitignore"] {
            fs::File::options()
                .write(true)
                .open(dir.path().join(f))
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.write().unwrap();
        assert_eq!(status(dir.path(), &repo), Vec::<Dirty>::new());
        fs::write(dir.path().join("src/b.txt"), "X\n").unwrap();
        assert_eq!(paths(&status(dir.path(), &repo)), vec!["src/b.txt"]);
    }
}
