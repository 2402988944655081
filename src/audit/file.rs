//! The audit log as a file: append-only, one `\n`-terminated line per event.
//!
//! An append holds an exclusive lock on the file from reading its last line
//! to the fsync of the new one, and writes the line with a single `write` to
//! a file opened for appending: parallel appenders from many processes lose
//! nothing and keep one chain. Only the tail is read (a bounded window from
//! the end), so an append costs the same on a log of any length. The folder
//! is fsynced when the file is created. A failed fsync is an error; nothing
//! is retried silently.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::keys::{self, Keyring, ALG};
use super::line;
use crate::inputs::error::InputError;
use crate::inputs::file::hex;

/// The longest line gate reads or writes: 1 MiB.
pub const MAX_LINE: usize = 1 << 20;
/// The `prev_hash` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What the last line of a log says, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tail {
    /// No events yet.
    Empty,
    /// A complete line whose hash recomputes.
    Ok {
        seq: u64,
        hash: String,
        key_id: Option<String>,
    },
    /// The last line has no `\n`: a write was cut. `gate audit repair`.
    Torn { bytes: u64 },
    /// The last line does not check out.
    Bad {
        class: &'static str,
        message: String,
    },
}

impl Tail {
    /// The next event's `seq` and `prev_hash`, when the tail allows one.
    pub fn next(&self) -> Option<(u64, String)> {
        match self {
            Tail::Empty => Some((0, GENESIS.to_string())),
            Tail::Ok { seq, hash, .. } => Some((seq.checked_add(1)?, hash.clone())),
            _ => None,
        }
    }

    /// Why nothing may be appended, or `None`.
    pub fn problem(&self) -> Option<String> {
        match self {
            Tail::Ok { seq: u64::MAX, .. } => Some(
                "TAMPERED: the last line's seq is the largest there is; nothing can follow it"
                    .into(),
            ),
            Tail::Empty | Tail::Ok { .. } => None,
            Tail::Torn { bytes } => Some(format!(
                "TORN_TAIL: the last {bytes} byte(s) are a cut line; run `gate audit repair`"
            )),
            Tail::Bad { class, message } => Some(format!("{class}: {message}")),
        }
    }
}

pub use crate::model::Appended;

fn io(path: &Path, what: &str, e: std::io::Error) -> InputError {
    InputError::file(path, format!("{what}: {e}"))
}

/// Checks one complete line against the keys.
pub fn check_line(raw: &[u8], keys: &Keyring) -> Tail {
    let l = match line::parse(raw) {
        Ok(l) => l,
        Err(e) => {
            return Tail::Bad {
                class: "TAMPERED",
                message: format!("the last line is not a canonical gate event ({e})"),
            }
        }
    };
    let body = l.body(raw);
    let computed = match (l.alg, l.key_id) {
        (None, None) => keys::sha256(&body),
        (Some(ALG), Some(id)) => match keys.get(id) {
            Some(k) => k.mac(&body),
            None => {
                return Tail::Bad {
                    class: "UNVERIFIABLE_KEY",
                    message: format!(
                        "the last line (seq {}) is keyed with key {id}, which is not supplied",
                        l.seq
                    ),
                }
            }
        },
        _ => {
            return Tail::Bad {
                class: "TAMPERED",
                message: format!(
                    "the last line (seq {}) has an unknown alg or a lone key_id",
                    l.seq
                ),
            }
        }
    };
    if computed != l.hash {
        return Tail::Bad {
            class: "TAMPERED",
            message: format!("the last line (seq {}) does not hash to its `hash`", l.seq),
        };
    }
    // With a key supplied, an unkeyed tail is a keyed log rewritten with
    // plain SHA-256, or a log never keyed: either way a keyed append must
    // not continue on it unasked.
    if keys.current.is_some() && l.alg.is_none() {
        return Tail::Bad {
            class: "UNKEYED",
            message: format!(
                "the last line (seq {}) is not sealed with a key, but $GATE_AUDIT_KEY is set: a keyed log rewritten unkeyed, or a log that was never keyed (to key it from here on, run `gate audit adopt-key`)",
                l.seq
            ),
        };
    }
    Tail::Ok {
        seq: l.seq,
        hash: l.hash.to_string(),
        key_id: l.key_id.map(String::from),
    }
}

/// Reads the last line of `file` (of length `len`) and checks it.
fn read_tail(file: &mut File, path: &Path, len: u64, keys: &Keyring) -> Result<Tail, InputError> {
    if len == 0 {
        return Ok(Tail::Empty);
    }
    let mut window = 64 * 1024u64;
    loop {
        let start = len.saturating_sub(window);
        let mut buf = vec![0; (len - start) as usize];
        file.seek(SeekFrom::Start(start))
            .map_err(|e| io(path, "cannot seek", e))?;
        file.read_exact(&mut buf)
            .map_err(|e| io(path, "cannot read", e))?;
        if buf.last() != Some(&b'\n') {
            let torn = buf
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(len, |i| (buf.len() - i - 1) as u64);
            return Ok(Tail::Torn { bytes: torn });
        }
        let body = &buf[..buf.len() - 1];
        match body.iter().rposition(|&b| b == b'\n') {
            Some(i) => return Ok(check_line(&body[i + 1..], keys)),
            None if start == 0 => return Ok(check_line(body, keys)),
            None if window as usize > MAX_LINE => {
                return Ok(Tail::Bad {
                    class: "TAMPERED",
                    message: format!("the last line is longer than {MAX_LINE} bytes"),
                })
            }
            None => window *= 2,
        }
    }
}

/// A file-backed audit log.
#[derive(Debug, Clone)]
pub struct FileLog {
    pub path: PathBuf,
}

/// The log, locked for appending, with its checked tail.
pub struct Locked {
    file: File,
    path: PathBuf,
    pub tail: Tail,
}

impl FileLog {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Reads and checks the last line without locking (for `--dry-run`,
    /// `gate audit head`).
    pub fn peek(&self, keys: &Keyring) -> Result<Tail, InputError> {
        let Some(mut f) = crate::inputs::file::open_regular(&self.path)? else {
            return Ok(Tail::Empty);
        };
        let len = f
            .metadata()
            .map_err(|e| io(&self.path, "cannot stat", e))?
            .len();
        read_tail(&mut f, &self.path, len, keys)
    }

    /// Opens (creating it and fsyncing its folder if need be), takes the
    /// exclusive lock, and checks the last line.
    pub fn lock(&self, keys: &Keyring) -> Result<Locked, InputError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| io(dir, "cannot create the audit log's folder", e))?;
            }
        }
        // Never open a FIFO or device: it could wait forever, or be written.
        let existed = crate::inputs::file::regular_file(&self.path)?.is_some();
        let mut file =
            crate::inputs::file::no_wait(OpenOptions::new().read(true).append(true).create(true))
                .open(&self.path)
                .map_err(|e| io(&self.path, "cannot open the audit log", e))?;
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return Err(InputError::file(
                &self.path,
                "is not a regular file; expected an audit log",
            ));
        }
        if !existed {
            sync_dir(&self.path)?;
        }
        file.lock()
            .map_err(|e| io(&self.path, "cannot lock the audit log", e))?;
        let len = file
            .metadata()
            .map_err(|e| io(&self.path, "cannot stat", e))?
            .len();
        let tail = read_tail(&mut file, &self.path, len, keys)?;
        Ok(Locked {
            file,
            path: self.path.clone(),
            tail,
        })
    }

    /// Moves a torn last line into a side file (nothing is deleted) and
    /// records AUDIT_REPAIRED. `Ok(None)` when there was nothing to repair.
    pub fn repair(
        &self,
        keys: &Keyring,
        event: Map<String, Value>,
    ) -> Result<Option<Repair>, InputError> {
        let mut locked = self.lock(keys)?;
        let Tail::Torn { .. } = locked.tail else {
            return Ok(None);
        };
        let len = locked
            .file
            .metadata()
            .map_err(|e| io(&self.path, "cannot stat", e))?
            .len();
        let good = end_of_last_line(&mut locked.file, &self.path, len)?;
        let torn = read_range(&mut locked.file, &self.path, good, len)?;
        // Nothing is changed unless the repair can be recorded: the line
        // before the torn one must check out and take an append.
        let before = read_tail(&mut locked.file, &self.path, good, keys)?;
        if let Some(p) = before.problem() {
            return Err(InputError::file(
                &self.path,
                format!(
                    "the line before the torn one does not check out, so nothing was repaired: {p}"
                ),
            ));
        }
        if let (
            Tail::Ok {
                key_id: Some(id), ..
            },
            None,
        ) = (&before, &keys.current)
        {
            return Err(InputError::file(
                &self.path,
                format!("the log is keyed (key {id}); set GATE_AUDIT_KEY to record the repair"),
            ));
        }
        if let Some(seq) = completes(&before, &torn, keys) {
            return complete(locked, &self.path, &torn, seq, event, keys).map(Some);
        }
        let side = move_aside(&self.path, &torn)?;
        locked
            .file
            .set_len(good)
            .map_err(|e| io(&self.path, "cannot cut the torn line", e))?;
        locked
            .file
            .sync_all()
            .map_err(|e| io(&self.path, "cannot fsync", e))?;
        locked.tail = before;
        let mut event = event;
        event.insert("torn_bytes".into(), Value::from(torn.len() as u64));
        event.insert("torn_sha256".into(), Value::String(keys::sha256(&[&torn])));
        event.insert(
            "torn_file".into(),
            Value::String(
                side.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
        );
        let appended = locked.append(event, keys)?;
        Ok(Some(Repair {
            moved_to: Some(side),
            bytes: torn.len() as u64,
            completed: None,
            event: appended,
        }))
    }
}

/// Completes a last event that lacks only its newline (the write was cut
/// after its last byte: it hashes and chains, so it is kept), and records
/// the repair.
fn complete(
    mut locked: Locked,
    path: &Path,
    torn: &[u8],
    seq: u64,
    event: Map<String, Value>,
    keys: &Keyring,
) -> Result<Repair, InputError> {
    locked
        .file
        .write_all(b"\n")
        .map_err(|e| io(path, "cannot complete the last line", e))?;
    locked
        .file
        .sync_all()
        .map_err(|e| io(path, "cannot fsync", e))?;
    locked.tail = check_line(torn, keys);
    let mut event = event;
    event.insert("completed_seq".into(), Value::from(seq));
    let appended = locked.append(event, keys)?;
    Ok(Repair {
        moved_to: None,
        bytes: 0,
        completed: Some(seq),
        event: appended,
    })
}

/// Where the log's last complete line ends (0: none is complete), however
/// long the torn part after it.
fn end_of_last_line(file: &mut File, path: &Path, len: u64) -> Result<u64, InputError> {
    let mut pos = len;
    let mut buf = vec![0u8; 64 * 1024];
    while pos > 0 {
        let start = pos.saturating_sub(buf.len() as u64);
        let n = (pos - start) as usize;
        file.seek(SeekFrom::Start(start))
            .map_err(|e| io(path, "cannot seek", e))?;
        file.read_exact(&mut buf[..n])
            .map_err(|e| io(path, "cannot read", e))?;
        if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        pos = start;
    }
    Ok(0)
}

/// The bytes of `file` from `from` to `to`.
fn read_range(file: &mut File, path: &Path, from: u64, to: u64) -> Result<Vec<u8>, InputError> {
    let mut bytes = vec![0u8; (to - from) as usize];
    file.seek(SeekFrom::Start(from))
        .map_err(|e| io(path, "cannot seek", e))?;
    file.read_exact(&mut bytes)
        .map_err(|e| io(path, "cannot read", e))?;
    Ok(bytes)
}

/// Writes a torn line into a new side file beside the log, fsynced with
/// its folder: nothing is deleted.
fn move_aside(path: &Path, torn: &[u8]) -> Result<PathBuf, InputError> {
    let stamp = jiff::Timestamp::now().as_nanosecond();
    let side = PathBuf::from(format!("{}.torn-{stamp}", path.display()));
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&side)
        .map_err(|e| io(&side, "cannot create", e))?;
    f.write_all(torn)
        .map_err(|e| io(&side, "cannot write", e))?;
    f.sync_all().map_err(|e| io(&side, "cannot fsync", e))?;
    sync_dir(&side)?;
    Ok(side)
}

/// What `repair` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// The side file the torn bytes were moved to.
    pub moved_to: Option<PathBuf>,
    /// How many bytes were moved aside.
    pub bytes: u64,
    /// The `seq` of a whole last event that only lacked its newline, now
    /// completed in place.
    pub completed: Option<u64>,
    /// The AUDIT_REPAIRED event.
    pub event: Appended,
}

/// The `seq` of `torn` when it is a whole event chained on `before`: it
/// checks out on its own, its `seq` follows, its `prev_hash` is `before`'s
/// hash.
fn completes(before: &Tail, torn: &[u8], keys: &Keyring) -> Option<u64> {
    if torn.len() > MAX_LINE {
        return None;
    }
    let (seq, prev) = before.next()?;
    let line = line::parse(torn).ok()?;
    let ok = matches!(check_line(torn, keys), Tail::Ok { .. });
    (ok && line.seq == seq && line.prev_hash == prev).then_some(seq)
}

#[cfg(unix)]
fn sync_dir(path: &Path) -> Result<(), InputError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(dir, "cannot fsync the folder", e))
}

#[cfg(not(unix))]
fn sync_dir(_path: &Path) -> Result<(), InputError> {
    Ok(()) // folders cannot be opened for fsync here; NTFS journals metadata
}

/// Seals an event: sets `seq`, `prev_hash`, `alg` and `key_id` (keyed),
/// and `hash`; returns the canonical line (without `\n`) and its hash.
pub fn seal(
    mut event: Map<String, Value>,
    seq: u64,
    prev_hash: &str,
    keys: &Keyring,
) -> (String, String) {
    for k in ["hash", "alg", "key_id"] {
        event.remove(k);
    }
    event.insert("seq".into(), Value::from(seq));
    event.insert("prev_hash".into(), Value::String(prev_hash.to_string()));
    if let Some(k) = &keys.current {
        event.insert("alg".into(), Value::String(ALG.into()));
        event.insert("key_id".into(), Value::String(k.id.clone()));
    }
    let mut value = Value::Object(event);
    let body = crate::canonical::to_string(&value);
    let hash = match &keys.current {
        Some(k) => k.mac(&[body.as_bytes()]),
        None => keys::sha256(&[body.as_bytes()]),
    };
    if let Some(obj) = value.as_object_mut() {
        obj.insert("hash".into(), Value::String(hash.clone()));
    }
    (crate::canonical::to_string(&value), hash)
}

impl Locked {
    /// Appends one event on the checked tail, in one write, then fsyncs.
    /// Refuses on a bad tail, and a keyed log without a key (no downgrade).
    pub fn append(
        mut self,
        event: Map<String, Value>,
        keys: &Keyring,
    ) -> Result<Appended, InputError> {
        let (seq, prev) = self
            .tail
            .next()
            .ok_or_else(|| InputError::file(&self.path, self.tail.problem().unwrap_or_default()))?;
        if let Tail::Ok {
            key_id: Some(id), ..
        } = &self.tail
        {
            if keys.current.is_none() {
                return Err(InputError::file(
                    &self.path,
                    format!("the log is keyed (key {id}); set GATE_AUDIT_KEY: a keyed log never continues unkeyed"),
                ));
            }
        }
        let (mut line, hash) = seal(event, seq, &prev, keys);
        if line.len() > MAX_LINE {
            return Err(InputError::file(
                &self.path,
                format!(
                    "the event is {} bytes, over the {MAX_LINE}-byte line limit",
                    line.len()
                ),
            ));
        }
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| io(&self.path, "cannot append", e))?;
        self.file
            .sync_data()
            .map_err(|e| io(&self.path, "cannot fsync the audit log", e))?;
        Ok(Appended {
            log: crate::inputs::display(&self.path),
            seq,
            hash,
        })
    }
}

/// Hex sha256 of some bytes, for event fields.
pub fn digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u64) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("event_type".into(), Value::String("CHECK_GO".into()));
        m.insert("n".into(), Value::from(n));
        m
    }

    #[test]
    fn appends_chain_from_genesis() {
        let dir = tempfile::tempdir().unwrap();
        let log = FileLog::new(dir.path().join("a/audit.jsonl"));
        let keys = Keyring::default();
        let a = log.lock(&keys).unwrap().append(event(0), &keys).unwrap();
        let b = log.lock(&keys).unwrap().append(event(1), &keys).unwrap();
        assert_eq!((a.seq, b.seq), (0, 1));
        let text = std::fs::read_to_string(&log.path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains(&format!("\"prev_hash\":\"{GENESIS}\"")));
        assert!(lines[1].contains(&format!("\"prev_hash\":\"{}\"", a.hash)));
        assert_eq!(
            log.peek(&keys).unwrap(),
            Tail::Ok {
                seq: 1,
                hash: b.hash,
                key_id: None
            }
        );
    }

    #[test]
    fn torn_tail_blocks_appends_until_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let log = FileLog::new(dir.path().join("audit.jsonl"));
        let keys = Keyring::default();
        log.lock(&keys).unwrap().append(event(0), &keys).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&log.path)
            .unwrap()
            .write_all(b"{\"event_type\":\"CHE")
            .unwrap();
        assert_eq!(log.peek(&keys).unwrap(), Tail::Torn { bytes: 18 });
        assert!(log.lock(&keys).unwrap().append(event(1), &keys).is_err());
        let r = log.repair(&keys, event(9)).unwrap().unwrap();
        assert_eq!((r.bytes, r.event.seq, r.completed), (18, 1, None));
        assert_eq!(
            std::fs::read(r.moved_to.unwrap()).unwrap(),
            b"{\"event_type\":\"CHE"
        );
        assert!(
            log.repair(&keys, event(9)).unwrap().is_none(),
            "nothing left to repair"
        );
    }

    /// A whole, valid last event lacking only its newline was moved out of
    /// the chain.
    #[test]
    fn regression_a_whole_last_event_without_its_newline_is_completed() {
        let dir = tempfile::tempdir().unwrap();
        let log = FileLog::new(dir.path().join("audit.jsonl"));
        let keys = Keyring::new(Some(b"k"), &[]);
        log.lock(&keys).unwrap().append(event(0), &keys).unwrap();
        log.lock(&keys).unwrap().append(event(1), &keys).unwrap();
        let whole = std::fs::read(&log.path).unwrap();
        std::fs::write(&log.path, &whole[..whole.len() - 1]).unwrap();
        assert!(matches!(log.peek(&keys).unwrap(), Tail::Torn { .. }));
        let r = log.repair(&keys, event(9)).unwrap().unwrap();
        assert_eq!((r.completed, r.moved_to, r.event.seq), (Some(1), None, 2));
        let now = std::fs::read(&log.path).unwrap();
        assert!(now.starts_with(&whole), "the completed line was kept");
        let report = crate::audit::verify::verify(&log.path, &keys, None).unwrap();
        assert!(report.intact() && report.events == 3, "{report:?}");
        // A whole line that does not chain is still moved aside.
        let other = dir.path().join("b.jsonl");
        let b = FileLog::new(&other);
        b.lock(&keys).unwrap().append(event(0), &keys).unwrap();
        let first = std::fs::read(&other).unwrap();
        let mut bytes = first.clone();
        bytes.extend_from_slice(&first[..first.len() - 1]); // seq 0 again
        std::fs::write(&other, bytes).unwrap();
        let r = b.repair(&keys, event(9)).unwrap().unwrap();
        assert_eq!(r.completed, None);
        assert!(r.moved_to.is_some());
        // A repair that could not be recorded changes nothing: here the key
        // is set on an unkeyed log.
        let c = FileLog::new(dir.path().join("c.jsonl"));
        let plain = Keyring::default();
        c.lock(&plain).unwrap().append(event(0), &plain).unwrap();
        let mut bytes = std::fs::read(&c.path).unwrap();
        bytes.extend_from_slice(b"{\"torn");
        std::fs::write(&c.path, &bytes).unwrap();
        let e = c.repair(&keys, event(9)).unwrap_err();
        assert!(e.message.contains("UNKEYED"), "{e}");
        assert_eq!(std::fs::read(&c.path).unwrap(), bytes);
    }

    #[test]
    fn keyed_logs_never_continue_unkeyed() {
        let dir = tempfile::tempdir().unwrap();
        let log = FileLog::new(dir.path().join("audit.jsonl"));
        let k1 = Keyring::new(Some(b"k1"), &[]);
        log.lock(&k1).unwrap().append(event(0), &k1).unwrap();
        let none = Keyring::default();
        assert!(matches!(
            log.peek(&none).unwrap(),
            Tail::Bad {
                class: "UNVERIFIABLE_KEY",
                ..
            }
        ));
        // Rotation: the new key appends once the old one is supplied too.
        let k2_only = Keyring::new(Some(b"k2"), &[]);
        assert!(log
            .lock(&k2_only)
            .unwrap()
            .append(event(1), &k2_only)
            .is_err());
        let k2 = Keyring::new(Some(b"k2"), &["k1".into()]);
        assert_eq!(log.lock(&k2).unwrap().append(event(1), &k2).unwrap().seq, 1);
        let unkeyed_but_knows = Keyring::new(None, &["k1".into(), "k2".into()]);
        let err = log
            .lock(&unkeyed_but_knows)
            .unwrap()
            .append(event(2), &unkeyed_but_knows)
            .unwrap_err();
        assert!(err.message.contains("never continues unkeyed"), "{err}");
    }
}
