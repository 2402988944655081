//! A read-only reader of git's index file (`.git/index`, format versions 2
//! to 4) for the status fast path: the entries' stat data and the
//! cache-tree's root.
//!
//! libgit2 reads the index too, but it verifies the file's checksum and
//! builds a path map on every load (git itself skips both on read), and it
//! does not expose the cache-tree, which is how git answers "is anything
//! staged?" without walking HEAD's tree. Anything this reader does not
//! recognise (a split or sparse index, a SHA-256 repository, a truncated
//! file) makes it return `None`, and libgit2 decides instead.
//!
//! Format: <https://git-scm.com/docs/index-format>.

/// Bytes of a SHA-1 object id.
const OID: usize = 20;
/// Fixed part of an entry: ctime, mtime (8 each), dev, ino, mode, uid, gid,
/// size (4 each), oid, flags (2).
const FIXED: usize = 40 + OID + 2;
const EXTENDED: u16 = 0x4000;
const NAME_MASK: u16 = 0x0fff;

/// One index entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    pub path: Vec<u8>,
    pub mtime: (i64, u32),
    pub ino: u32,
    pub mode: u32,
    pub size: u32,
    pub oid: [u8; OID],
    pub flags: u16,
    pub flags_extended: u16,
}

/// The index: entries in file order (sorted by path) and, when the
/// cache-tree extension holds a valid root, the tree id of the whole index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFile {
    pub entries: Vec<IndexEntry>,
    pub root_tree: Option<[u8; OID]>,
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

/// Parses an index file's bytes; `None` for anything unexpected.
pub fn parse(b: &[u8]) -> Option<IndexFile> {
    if b.get(..4)? != b"DIRC" {
        return None;
    }
    let version = be32(b, 4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = be32(b, 8)? as usize;
    // Every entry takes at least FIXED + 1 bytes: bound the allocation.
    if count > b.len() / (FIXED + 1) {
        return None;
    }
    let body_end = b.len().checked_sub(OID)?;
    let mut at = 12;
    let mut entries = Vec::with_capacity(count);
    let mut prev: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = at;
        let flags = be16(b, at + 60)?;
        let mut flags_extended = 0;
        at += FIXED;
        if flags & EXTENDED != 0 {
            if version < 3 {
                return None;
            }
            flags_extended = be16(b, at)?;
            at += 2;
        }
        let path = if version == 4 {
            // A varint: how many bytes of the previous path to drop.
            let (strip, used) = varint(b.get(at..)?)?;
            at += used;
            let nul = b.get(at..body_end)?.iter().position(|&c| c == 0)?;
            let keep = prev.len().checked_sub(strip)?;
            let mut p = prev[..keep].to_vec();
            p.extend_from_slice(&b[at..at + nul]);
            at += nul + 1;
            p
        } else {
            let len = (flags & NAME_MASK) as usize;
            let nul = if len < NAME_MASK as usize {
                len
            } else {
                b.get(at..body_end)?.iter().position(|&c| c == 0)?
            };
            let p = b.get(at..at + nul)?.to_vec();
            // NUL-padded to a multiple of 8 bytes from the entry's start.
            let used = at + nul - start;
            at = start + (used + 8) / 8 * 8;
            p
        };
        if at > body_end {
            return None;
        }
        let oid: [u8; OID] = b.get(start + 40..start + 40 + OID)?.try_into().ok()?;
        entries.push(IndexEntry {
            mtime: (i64::from(be32(b, start + 8)?), be32(b, start + 12)?),
            ino: be32(b, start + 20)?,
            mode: be32(b, start + 24)?,
            size: be32(b, start + 36)?,
            oid,
            flags,
            flags_extended,
            path: path.clone(),
        });
        prev = path;
    }
    let root_tree = extensions(b, at, body_end, count)?;
    Some(IndexFile { entries, root_tree })
}

/// The extensions after the entries, up to the checksum: the cache tree's
/// root (`TREE`) where there is one. `None` when one is malformed or is a
/// required extension gate does not read (split index `link`, sparse
/// `sdir`).
fn extensions(b: &[u8], mut at: usize, body_end: usize, count: usize) -> Option<Option<[u8; OID]>> {
    let mut root_tree = None;
    while at + 8 <= body_end {
        let sig = &b[at..at + 4];
        let len = be32(b, at + 4)? as usize;
        let data = b.get(at + 8..(at + 8).checked_add(len)?)?;
        match sig {
            b"TREE" => root_tree = cache_tree_root(data, count),
            // Optional extensions (upper-case first byte) are safe to skip.
            _ if sig[0].is_ascii_uppercase() => {}
            _ => return None,
        }
        at += 8 + len;
    }
    if at != body_end {
        return None;
    }
    Some(root_tree)
}

/// The root of a cache-tree extension, when it is valid and covers every
/// entry: `"\0" <entry_count> SP <subtrees> "\n" <oid>`.
fn cache_tree_root(data: &[u8], count: usize) -> Option<[u8; OID]> {
    if data.first() != Some(&0) {
        return None;
    }
    let nl = data.iter().position(|&c| c == b'\n')?;
    let header = std::str::from_utf8(&data[1..nl]).ok()?;
    let (entries, _) = header.split_once(' ')?;
    let entries: i64 = entries.parse().ok()?;
    if entries < 0 || entries as usize != count {
        return None; // invalidated, or not covering the whole index
    }
    data.get(nl + 1..nl + 1 + OID)?.try_into().ok()
}

/// git's offset varint (index v4 path compression).
fn varint(b: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    let mut c = *b.get(i)?;
    let mut val = (c & 0x7f) as usize;
    while c & 0x80 != 0 {
        i += 1;
        c = *b.get(i)?;
        val = val.checked_add(1)?.checked_shl(7)? | (c & 0x7f) as usize;
    }
    Some((val, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// An index written by libgit2 with a few files, and the repository.
    fn written(names: &[&str]) -> (tempfile::TempDir, git2::Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        for n in names {
            let p = dir.path().join(n);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, n.as_bytes()).unwrap();
        }
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.write_tree().unwrap(); // fills the cache-tree
        index.write().unwrap();
        (dir, repo)
    }

    fn read(dir: &Path) -> Vec<u8> {
        std::fs::read(dir.join(".git/index")).unwrap()
    }

    #[test]
    fn agrees_with_libgit2_on_entries_and_root_tree() {
        let (dir, repo) = written(&["a.txt", "b/c.txt", "b/d/e.txt"]);
        // A path of 0xFFF bytes or more is stored NUL-terminated; no file
        // system holds one, so it goes into the index from a buffer.
        let mut index = repo.index().unwrap();
        let long = format!("deep/{}.txt", "n".repeat(5000));
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(1, 2),
            dev: 0,
            ino: 0,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            file_size: 1,
            id: git2::Oid::zero(),
            flags: 0,
            flags_extended: 0,
            path: long.into_bytes(),
        };
        index.add_frombuffer(&entry, b"x").unwrap();
        index.write_tree().unwrap();
        index.write().unwrap();
        let parsed = parse(&read(dir.path())).expect("parses");
        let index = repo.index().unwrap();
        assert_eq!(parsed.entries.len(), index.len());
        for (p, e) in parsed.entries.iter().zip(index.iter()) {
            assert_eq!(p.path, e.path);
            assert_eq!(p.oid, e.id.as_bytes());
            assert_eq!((p.mode, p.size, p.ino), (e.mode, e.file_size, e.ino));
            assert_eq!(
                p.mtime,
                (i64::from(e.mtime.seconds()), e.mtime.nanoseconds())
            );
        }
        let mut index = repo.index().unwrap();
        let tree = index.write_tree().unwrap();
        assert_eq!(parsed.root_tree, Some(tree.as_bytes().try_into().unwrap()));
    }

    #[test]
    fn version_4_prefix_compression() {
        let (dir, repo) = written(&["src/a.txt", "src/ab.txt", "src/b/c.txt"]);
        let mut index = repo.index().unwrap();
        index.set_version(4).unwrap();
        index.write().unwrap();
        let parsed = parse(&read(dir.path())).expect("parses v4");
        let paths: Vec<&[u8]> = parsed.entries.iter().map(|e| e.path.as_slice()).collect();
        assert_eq!(paths, [&b"src/a.txt"[..], b"src/ab.txt", b"src/b/c.txt"]);
    }

    #[test]
    fn anything_unexpected_is_none_never_a_panic() {
        let (dir, _repo) = written(&["a.txt", "b/c.txt"]);
        let good = read(dir.path());
        assert!(parse(&good).is_some());
        for cut in 0..good.len() {
            let _ = parse(&good[..cut]); // must not panic
        }
        assert!(parse(&good[..good.len() - 1]).is_none());
        let mut bad = good.clone();
        bad[4..8].copy_from_slice(&9u32.to_be_bytes());
        assert!(parse(&bad).is_none());
        let mut huge = good.clone();
        huge[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(parse(&huge).is_none());
        for i in 0..good.len() {
            let mut flipped = good.clone();
            flipped[i] ^= 0xff;
            let _ = parse(&flipped);
        }
    }
}
