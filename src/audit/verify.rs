//! Full verification of a log: every line canonical and hashing to its
//! `hash`, every `prev_hash` the hash of the line before, `seq` counting
//! 0, 1, 2, ... The first bad line is named with a class:
//!
//! | class | what happened |
//! |---|---|
//! | TAMPERED | a line was edited or replaced, is not canonical, or an unkeyed line follows keyed ones |
//! | GAP | `seq` jumps: lines were deleted |
//! | REORDER | `seq` goes back: lines were moved |
//! | FORK | two lines claim the same `seq` and predecessor: one was inserted (or duplicated) |
//! | TORN_TAIL | the last line has no `\n`: a write was cut (`gate audit repair`) |
//! | UNVERIFIABLE_KEY | a keyed line whose key was not supplied: not tampering, but not checked |
//! | UNKEYED | with a key supplied, no line is keyed: a keyed log rewritten with plain SHA-256, or a log never keyed |
//!
//! Unkeyed lines before keyed ones are sound: the first keyed line seals the
//! hash of the line before it, so the unkeyed prefix cannot be changed
//! without the key either (a log kept unkeyed and then keyed, by `gate audit
//! adopt-key`, verifies; the report says from which seq it is keyed).
//! | TRUNCATED | against an anchor: the log ends before the anchored `seq` |
//!
//! A hash chain cannot show on its own that its tail was cut or that the
//! whole chain was rewritten: only an anchor kept elsewhere can
//! (`--expect-head SEQ:HASH`, from `gate audit head`). Without one the
//! result is "intact, unanchored".
//!
//! Lines are checked in parallel, a chunk of the file at a time (each
//! line's hash depends on that line only); the links between them are
//! walked in order as the chunks come in.

use std::fs::File;

use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::file::GENESIS;
use super::keys::{Keyring, ALG};
use super::line;
use crate::inputs::error::InputError;

/// Why verification stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Class {
    Tampered,
    Gap,
    Reorder,
    Fork,
    Truncated,
    TornTail,
    UnverifiableKey,
    Unkeyed,
}

impl Class {
    pub fn word(self) -> &'static str {
        match self {
            Class::Tampered => "TAMPERED",
            Class::Gap => "GAP",
            Class::Reorder => "REORDER",
            Class::Fork => "FORK",
            Class::Truncated => "TRUNCATED",
            Class::TornTail => "TORN_TAIL",
            Class::UnverifiableKey => "UNVERIFIABLE_KEY",
            Class::Unkeyed => "UNKEYED",
        }
    }
}

/// The first bad line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub class: Class,
    /// 1-based line number in the file.
    pub line: u64,
    /// The `seq` that line claims, where it has one.
    pub seq: Option<u64>,
    pub message: String,
}

/// `SEQ:HASH`, kept somewhere the log's writer cannot change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    pub seq: u64,
    pub hash: String,
}

impl std::str::FromStr for Anchor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (seq, hash) = s
            .split_once(':')
            .ok_or("expected SEQ:HASH, as `gate audit head` prints it")?;
        let seq = seq
            .trim()
            .parse()
            .map_err(|_| format!("`{seq}` is not a sequence number"))?;
        let hash = hash.trim().to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{hash}` is not a 64-hex hash"));
        }
        Ok(Anchor { seq, hash })
    }
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Lines that checked out.
    pub events: u64,
    /// The last good line's `seq` and `hash`.
    pub head: Option<Anchor>,
    /// Lines sealed with a key.
    pub keyed: u64,
    /// The `seq` of the first keyed line, when it is not the first line:
    /// the lines before it are sealed by its MAC of their chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyed_from: Option<u64>,
    /// Whether the log was checked against an anchor (and matched it).
    pub anchored: bool,
    pub problem: Option<Problem>,
}

impl Report {
    pub fn intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// One line, checked on its own.
enum Checked {
    Ok {
        seq: u64,
        prev: [u8; 64],
        hash: [u8; 64],
        keyed: bool,
    },
    Bad {
        class: Class,
        seq: Option<u64>,
        message: String,
    },
}

fn hex64(d: &[u8]) -> [u8; 64] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in d.iter().take(32).enumerate() {
        out[2 * i] = HEX[(b >> 4) as usize];
        out[2 * i + 1] = HEX[(b & 15) as usize];
    }
    out
}

fn arr(s: &str) -> [u8; 64] {
    let mut a = [0u8; 64];
    a.copy_from_slice(&s.as_bytes()[..64]);
    a
}

fn check(raw: &[u8], keys: &Keyring) -> Checked {
    let l = match line::parse(raw) {
        Ok(l) => l,
        Err(e) => {
            return Checked::Bad {
                class: Class::Tampered,
                seq: None,
                message: format!("not a canonical gate event: {e}"),
            }
        }
    };
    let [a, b] = l.body(raw);
    let computed = match (l.alg, l.key_id) {
        (None, None) => {
            let mut h = Sha256::new();
            h.update(a);
            h.update(b);
            hex64(&h.finalize())
        }
        (Some(ALG), Some(id)) => match keys.get(id) {
            Some(k) => arr(&k.mac(&[a, b])),
            None => {
                return Checked::Bad {
                    class: Class::UnverifiableKey,
                    seq: Some(l.seq),
                    message: format!("sealed with key {id}, which was not supplied ($GATE_AUDIT_KEY, $GATE_AUDIT_KEYRING, --keyring)"),
                }
            }
        },
        _ => return Checked::Bad { class: Class::Tampered, seq: Some(l.seq), message: "an unknown alg or a lone key_id".into() },
    };
    if computed[..] != *l.hash.as_bytes() {
        return Checked::Bad {
            class: Class::Tampered,
            seq: Some(l.seq),
            message: "the line does not hash to its `hash`: it was edited".into(),
        };
    }
    Checked::Ok {
        seq: l.seq,
        prev: arr(l.prev_hash),
        hash: arr(l.hash),
        keyed: l.alg.is_some(),
    }
}

/// The walk along the chain.
struct Walk<'a> {
    anchor: Option<&'a Anchor>,
    /// A key was supplied: some line must be keyed.
    require_keyed: bool,
    report: Report,
    line: u64,
    prev: [u8; 64],
    /// The predecessor of the last good line (to tell a fork).
    prev_prev: [u8; 64],
    /// A line whose `seq` jumped ahead, waiting for the next line to tell a
    /// gap (deleted lines) from a reorder (moved lines).
    jumped: Option<(u64, u64)>,
    anchor_seen: bool,
    /// The last good line's `seq` (its hash is `prev`).
    head_seq: Option<u64>,
}

impl Walk<'_> {
    fn stop(&mut self, class: Class, line: u64, seq: Option<u64>, message: String) {
        if self.report.problem.is_none() {
            self.report.problem = Some(Problem {
                class,
                line,
                seq,
                message,
            });
        }
    }

    /// A line whose `seq` jumped ahead, and the next did not fill the hole.
    fn gap(&mut self, line: u64, seq: u64) {
        let message = match self.head_seq {
            Some(last) => format!("seq jumps from {last} to {seq}: lines were deleted"),
            None => {
                format!("the first line has seq {seq}, not 0: lines were deleted from the start")
            }
        };
        self.stop(Class::Gap, line, Some(seq), message);
    }

    fn expected(&self) -> u64 {
        self.head_seq.map_or(0, |s| s + 1)
    }

    /// Whether line `line`, claiming `seq` on predecessor `prev`, comes in
    /// order; if not, the walk has stopped on the problem (or waits for the
    /// next line to tell a gap from a reorder).
    fn in_order(&mut self, line: u64, seq: u64, prev: &[u8; 64]) -> bool {
        if let Some((jline, jseq)) = self.jumped.take() {
            let exp = self.expected();
            if seq == exp {
                self.stop(
                    Class::Reorder,
                    jline,
                    Some(jseq),
                    format!("seq {jseq} comes before seq {exp}: lines were moved"),
                );
            } else {
                self.gap(jline, jseq);
            }
            return false;
        }
        let expected = self.expected();
        if seq > expected {
            self.jumped = Some((line, seq));
            return false;
        }
        if seq < expected {
            let last = expected - 1;
            if seq == last && *prev == self.prev_prev {
                self.stop(Class::Fork, line, Some(seq), format!("a second line claims seq {seq} on the same predecessor: a line was inserted"));
            } else {
                self.stop(
                    Class::Reorder,
                    line,
                    Some(seq),
                    format!("seq {seq} comes after seq {last}: lines were moved"),
                );
            }
            return false;
        }
        true
    }

    fn step(&mut self, c: Checked) {
        self.line += 1;
        let line = self.line;
        let (seq, prev, hash, keyed) = match c {
            Checked::Ok {
                seq,
                prev,
                hash,
                keyed,
            } => (seq, prev, hash, keyed),
            Checked::Bad {
                class,
                seq,
                message,
            } => return self.stop(class, line, seq, message),
        };
        if !self.in_order(line, seq, &prev) {
            return;
        }
        if prev != self.prev {
            // The line before was replaced by one that hashes on its own.
            return self.stop(
                Class::Tampered,
                line - 1,
                self.expected().checked_sub(1),
                format!(
                    "line {line} chains to a different hash: line {} was replaced",
                    line - 1
                ),
            );
        }
        if !keyed && self.report.keyed > 0 {
            return self.stop(
                Class::Tampered,
                line,
                Some(seq),
                "an unkeyed line after keyed ones: a keyed log never continues unkeyed".into(),
            );
        }
        if keyed && self.report.keyed == 0 && self.report.events > 0 {
            self.report.keyed_from = Some(seq);
        }
        if let Some(a) = self.anchor.filter(|a| a.seq == seq) {
            self.anchor_seen = true;
            if a.hash.as_bytes() != hash {
                return self.stop(
                    Class::Tampered,
                    line,
                    Some(seq),
                    format!(
                        "seq {seq} does not match the anchor {}:{}: the log was rewritten",
                        a.seq, a.hash
                    ),
                );
            }
        }
        self.prev_prev = self.prev;
        self.prev = hash;
        self.report.events += 1;
        self.report.keyed += u64::from(keyed);
        self.head_seq = Some(seq);
    }

    fn finish(mut self, torn: u64) -> Report {
        self.report.head = self.head_seq.map(|seq| Anchor {
            seq,
            hash: String::from_utf8_lossy(&self.prev).into_owned(),
        });
        if let Some((jline, jseq)) = self.jumped.take() {
            self.gap(jline, jseq);
        }
        if self.require_keyed
            && self.report.problem.is_none()
            && self.report.keyed == 0
            && self.report.events > 0
        {
            let to = self.line;
            let lines = if to == 1 {
                "line 1 is".to_string()
            } else {
                format!("lines 1-{to} are")
            };
            self.stop(
                Class::Unkeyed,
                1,
                Some(0),
                format!("{lines} not sealed with a key though one was supplied: a keyed log rewritten with plain SHA-256, or a log that was never keyed (only if you know it was never keyed, `gate audit adopt-key` keys it from here on)"),
            );
        }
        if torn > 0 {
            let line = self.line + 1;
            self.stop(
                Class::TornTail,
                line,
                None,
                format!("the last {torn} byte(s) are a cut line; run `gate audit repair`"),
            );
        }
        if let Some(a) = self.anchor {
            if self.report.problem.is_none() {
                if !self.anchor_seen {
                    let last = self
                        .report
                        .head
                        .as_ref()
                        .map_or("no events".to_string(), |h| format!("seq {}", h.seq));
                    let line = self.line;
                    self.stop(
                        Class::Truncated,
                        line,
                        Some(a.seq),
                        format!(
                            "the log ends at {last}, before the anchored seq {}: its tail was cut",
                            a.seq
                        ),
                    );
                } else {
                    self.report.anchored = true;
                }
            }
        }
        self.report
    }
}

/// What one worker found in its range of the file.
struct Part {
    /// Every line that starts in the range, checked, in order.
    checked: Vec<Checked>,
    /// The offset just after the last of those lines.
    next: u64,
    /// A cut last line: its length.
    torn: Option<u64>,
    /// A line longer than the limit starts in the range.
    too_long: bool,
}

/// Reads `buf.len()` bytes at `offset` (fewer only at the end of the file).
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(file, &mut buf[done..], offset + done as u64)?;
        #[cfg(windows)]
        let n =
            std::os::windows::fs::FileExt::seek_read(file, &mut buf[done..], offset + done as u64)?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// Checks every line that starts in `[start, end)` of a file of `len`
/// bytes. `aligned` says `start` is known to be a line start; otherwise the
/// first line start after it is found.
fn check_range(
    file: &File,
    keys: &Keyring,
    (start, end): (u64, u64),
    len: u64,
    aligned: bool,
    buf: &mut Vec<u8>,
) -> std::io::Result<Part> {
    // Enough to finish the last line in the same read, most of the time.
    let lookahead = (end - start).clamp(256, 64 * 1024) as usize;
    let limit = super::file::MAX_LINE;
    // One byte before the range tells whether `start` is a line start.
    let base = if aligned { start } else { start - 1 };
    // `buf` is reused across rounds: only its first `filled` bytes count.
    let want = (end.saturating_add(lookahead as u64).min(len) - base) as usize;
    if buf.len() < want {
        buf.resize(want, 0);
    }
    let mut filled = read_at(file, &mut buf[..want], base)?;
    let mut part = Part {
        checked: Vec::new(),
        next: start,
        torn: None,
        too_long: false,
    };
    let mut q = if aligned {
        0
    } else {
        match memchr::memchr(b'\n', &buf[..filled]) {
            Some(i) => i + 1,
            None => return Ok(part), // one line spans the whole range
        }
    };
    while base + (q as u64) < end {
        match memchr::memchr(b'\n', &buf[q..filled]) {
            Some(i) => {
                part.checked.push(check(&buf[q..q + i], keys));
                q += i + 1;
            }
            None if base + filled as u64 >= len => {
                part.torn = Some((filled - q) as u64);
                break;
            }
            None if filled - q > limit => {
                part.too_long = true;
                break;
            }
            None => {
                // The last line runs past what was read: read on, as much
                // again as the line so far (so a long line costs few reads),
                // up to the limit.
                let more = ((filled - q).max(lookahead) as u64)
                    .min(limit as u64 + 1)
                    .min(len - base - filled as u64) as usize;
                if buf.len() < filled + more {
                    buf.resize(filled + more, 0);
                }
                match read_at(file, &mut buf[filled..filled + more], base + filled as u64)? {
                    // The file was cut while it was read: its end is here.
                    0 => {
                        part.torn = Some((filled - q) as u64);
                        break;
                    }
                    n => filled += n,
                }
            }
        }
    }
    part.next = base + q as u64;
    Ok(part)
}

/// The file is cut into chunks of this many bytes; a chunk's lines are those
/// that start in it.
const CHUNK: u64 = 8 << 20;

/// Checks the lines of `file` on `workers` threads, a chunk at a time, and
/// walks them in order on this one as the chunks come in, so walking and
/// checking overlap and no thread waits for a round to end. Returns the
/// length of a torn last line (0 if none). The workers stop once the walk
/// has found a problem; at most a few chunks are held waiting for an earlier
/// one.
fn check_in_parallel(
    file: &File,
    keys: &Keyring,
    (len, chunk): (u64, u64),
    workers: usize,
    walk: &mut Walk,
) -> std::io::Result<u64> {
    let chunks = Chunks {
        file,
        keys,
        len,
        chunk,
        count: len.div_ceil(chunk),
        next: std::sync::atomic::AtomicU64::new(0),
        walked: (std::sync::Mutex::new(0), std::sync::Condvar::new()),
        ahead: 2 * workers as u64,
    };
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(chunks.ahead as usize);
        for _ in 0..workers {
            let (tx, chunks) = (tx.clone(), &chunks);
            scope.spawn(move || chunks.work(&tx));
        }
        drop(tx);
        let result = walk_in_order(&rx, &chunks, walk);
        // Dropping the receiver stops the workers at their next chunk; the
        // one waiting to start sees the count move on.
        drop(rx);
        chunks.set_walked(u64::MAX - chunks.ahead);
        result
    })
}

/// The file's chunks, handed out to the workers in order.
struct Chunks<'a> {
    file: &'a File,
    keys: &'a Keyring,
    len: u64,
    chunk: u64,
    count: u64,
    /// The next chunk to hand out.
    next: std::sync::atomic::AtomicU64,
    /// The chunk the walk waits for; no worker starts one more than
    /// `ahead` chunks past it.
    walked: (std::sync::Mutex<u64>, std::sync::Condvar),
    ahead: u64,
}

/// A chunk's number and its lines, checked.
type CheckedChunk = (u64, std::io::Result<Part>);

impl Chunks<'_> {
    fn set_walked(&self, to: u64) {
        *self.walked.0.lock().unwrap_or_else(|e| e.into_inner()) = to;
        self.walked.1.notify_all();
    }

    /// One worker: checks chunks until there are none left or the walk has
    /// stopped.
    fn work(&self, tx: &std::sync::mpsc::SyncSender<CheckedChunk>) {
        let mut buf = Vec::new();
        loop {
            let k = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if k >= self.count {
                return;
            }
            let (lock, moved) = &self.walked;
            let at = lock.lock().unwrap_or_else(|e| e.into_inner());
            drop(moved.wait_while(at, |w| k >= *w + self.ahead));
            let range = (k * self.chunk, ((k + 1) * self.chunk).min(self.len));
            // A worker that failed sends an error, so the walk never waits
            // for a chunk that will not come.
            let part = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                check_range(self.file, self.keys, range, self.len, k == 0, &mut buf)
            }))
            .unwrap_or_else(|_| Err(std::io::Error::other("a verify worker failed")));
            if tx.send((k, part)).is_err() {
                return; // the walk has stopped
            }
        }
    }
}

/// Walks the checked chunks in file order as they come in; returns the
/// length of a torn last line (0 if none).
fn walk_in_order(
    rx: &std::sync::mpsc::Receiver<CheckedChunk>,
    chunks: &Chunks,
    walk: &mut Walk,
) -> std::io::Result<u64> {
    let mut waiting = std::collections::BTreeMap::new();
    let mut want = 0u64;
    for (k, part) in rx.iter() {
        waiting.insert(k, part);
        while let Some(part) = waiting.remove(&want) {
            want += 1;
            chunks.set_walked(want);
            let part = part?;
            for c in part.checked {
                walk.step(c);
                if walk.report.problem.is_some() {
                    return Ok(0);
                }
            }
            if part.too_long {
                let line = walk.line + 1;
                walk.stop(
                    Class::Tampered,
                    line,
                    None,
                    format!("a line longer than {} bytes", super::file::MAX_LINE),
                );
                return Ok(0);
            }
            if let Some(t) = part.torn {
                return Ok(t);
            }
        }
    }
    Ok(0)
}

/// Verifies the log at `path`. An unreadable log is an error; a broken one
/// is a report with a problem.
pub fn verify(path: &Path, keys: &Keyring, anchor: Option<&Anchor>) -> Result<Report, InputError> {
    verify_in_chunks(path, keys, anchor, CHUNK)
}

/// [`verify`], cutting the file into chunks of `chunk` bytes.
fn verify_in_chunks(
    path: &Path,
    keys: &Keyring,
    anchor: Option<&Anchor>,
    chunk: u64,
) -> Result<Report, InputError> {
    let file = crate::inputs::file::open_regular(path)?
        .ok_or_else(|| InputError::file(path, "not found; expected an audit log"))?;
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let mut walk = Walk {
        anchor,
        require_keyed: !keys.all.is_empty(),
        report: Report {
            events: 0,
            head: None,
            keyed: 0,
            keyed_from: None,
            anchored: false,
            problem: None,
        },
        line: 0,
        prev: arr(GENESIS),
        prev_prev: [0; 64],
        jumped: None,
        anchor_seen: false,
        head_seq: None,
    };
    let len = file
        .metadata()
        .map_err(|e| crate::inputs::file::io_error(path, &e))?
        .len();
    let torn = check_in_parallel(&file, keys, (len, chunk), workers, &mut walk)
        .map_err(|e| crate::inputs::file::io_error(path, &e))?;
    let torn = if walk.report.problem.is_none() {
        torn
    } else {
        0
    };
    Ok(walk.finish(torn))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::file::seal;
    use serde_json::{Map, Value};

    /// A log of `n` events, as lines (without `\n`).
    fn log(n: u64, keys: &Keyring) -> Vec<String> {
        let mut prev = GENESIS.to_string();
        (0..n)
            .map(|i| {
                let mut e = Map::new();
                e.insert("event_type".into(), Value::String("CHECK_GO".into()));
                e.insert("env".into(), Value::String(format!("env-{}", i % 3)));
                e.insert(
                    "note".into(),
                    Value::String(format!("event number {i} — ünïcode")),
                );
                let (line, hash) = seal(e, i, &prev, keys);
                prev = hash;
                line
            })
            .collect()
    }

    fn run(lines: &[String], tail: &str, keys: &Keyring, anchor: Option<&Anchor>) -> Report {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("audit.jsonl");
        let mut text = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
        text.push_str(tail);
        std::fs::write(&p, text).unwrap();
        in_every_chunking(&p, keys, anchor)
    }

    /// The report, which must not depend on where the file is cut into
    /// chunks: lines that cross a cut, chunks with no line start, many
    /// chunks in flight.
    pub(super) fn in_every_chunking(
        p: &std::path::Path,
        keys: &Keyring,
        anchor: Option<&Anchor>,
    ) -> Report {
        let whole = verify(p, keys, anchor).unwrap();
        for chunk in [64, 301] {
            assert_eq!(
                verify_in_chunks(p, keys, anchor, chunk).unwrap(),
                whole,
                "chunks of {chunk} bytes"
            );
        }
        whole
    }

    fn problem(lines: &[String]) -> (Class, u64) {
        let r = run(lines, "", &Keyring::default(), None);
        let p = r.problem.expect("a problem");
        (p.class, p.line)
    }

    const SIZES: &[u64] = &[3, 10, 2500];

    #[test]
    fn an_untouched_log_is_intact_unanchored() {
        for &n in SIZES {
            let lines = log(n, &Keyring::default());
            let r = run(&lines, "", &Keyring::default(), None);
            assert!(r.intact(), "{n}: {:?}", r.problem);
            assert_eq!(
                (r.events, r.head.as_ref().unwrap().seq, r.anchored),
                (n, n - 1, false)
            );
        }
    }

    #[test]
    fn an_edited_line_is_tampered_at_that_line() {
        for &n in SIZES {
            for k in [0, n / 2, n - 1] {
                let mut lines = log(n, &Keyring::default());
                lines[k as usize] = lines[k as usize].replace("CHECK_GO", "CHECK_NO");
                assert_eq!(problem(&lines), (Class::Tampered, k + 1), "n={n} k={k}");
            }
        }
    }

    #[test]
    fn a_non_canonical_line_is_tampered() {
        let mut lines = log(10, &Keyring::default());
        lines[4] = lines[4].replacen(',', ", ", 1);
        assert_eq!(problem(&lines), (Class::Tampered, 5));
        // An upper-case hash is not the digest's form: it does not match.
        let mut lines = log(10, &Keyring::default());
        let h = crate::audit::line::parse(lines[6].as_bytes())
            .unwrap()
            .hash
            .to_string();
        lines[6] = lines[6].replace(&h, &h.to_uppercase());
        assert_eq!(problem(&lines), (Class::Tampered, 7));
    }

    #[test]
    fn a_deleted_line_is_a_gap_named_where_the_chain_resumes() {
        for &n in SIZES {
            for k in [0, n / 2] {
                let mut lines = log(n, &Keyring::default());
                lines.remove(k as usize);
                assert_eq!(problem(&lines), (Class::Gap, k + 1), "n={n} k={k}");
            }
        }
    }

    /// A GAP at line 1 said "seq jumps from 18446744073709551615".
    #[test]
    fn regression_a_gap_at_the_first_line_says_so() {
        let mut lines = log(3, &Keyring::default());
        lines.remove(0);
        let r = run(&lines, "", &Keyring::default(), None);
        let p = r.problem.unwrap();
        assert_eq!((p.class, p.line), (Class::Gap, 1));
        assert_eq!(
            p.message,
            "the first line has seq 1, not 0: lines were deleted from the start"
        );
    }

    /// A keyed log with `alg`, `key_id` and `hash` stripped from every line
    /// and re-chained with plain SHA-256 verified as intact under the key.
    #[test]
    fn regression_a_keyed_log_rewritten_unkeyed_fails_under_the_key() {
        let key = Keyring::new(Some(b"k"), &[]);
        let plain = Keyring::default();
        let forged = log(4, &plain); // what the rewrite produces: a plain chain
        let r = run(&forged, "", &key, None);
        assert!(!r.intact());
        let p = r.problem.expect("unkeyed lines under a key are a failure");
        assert_eq!((p.class, p.line), (Class::Unkeyed, 1));
        assert!(
            p.message.contains("lines 1-4 are not sealed"),
            "{}",
            p.message
        );
        // Without a key it is an unkeyed log, intact as far as a chain shows.
        assert!(run(&forged, "", &plain, None).intact());
        // Unkeyed lines followed by keyed ones: sound, the first keyed line
        // seals the prefix's chain; the report says where keying starts.
        let mut mixed = log(2, &plain);
        let prev = serde_json::from_str::<Value>(&mixed[1]).unwrap()["hash"]
            .as_str()
            .unwrap()
            .to_string();
        let mut e = Map::new();
        e.insert("event_type".into(), Value::String("CHECK_GO".into()));
        mixed.push(seal(e, 2, &prev, &key).0);
        let r = run(&mixed, "", &key, None);
        assert!(r.intact(), "{:?}", r.problem);
        assert_eq!(r.keyed_from, Some(2));
        // A re-chained edit of the unkeyed prefix breaks the keyed line's seal.
        let mut edited = mixed.clone();
        let mut prev = GENESIS.to_string();
        for (i, l) in edited.iter_mut().take(2).enumerate() {
            let mut m: Map<String, Value> = serde_json::from_str(l).unwrap();
            m.remove("hash");
            m.insert("env".into(), Value::String("forged".into()));
            let (line, hash) = seal(m, i as u64, &prev, &plain);
            *l = line;
            prev = hash;
        }
        let p = run(&edited, "", &key, None).problem.unwrap();
        assert_eq!((p.class, p.line), (Class::Tampered, 2), "{}", p.message);
        // A log keyed from its first line says nothing of keying.
        assert_eq!(run(&log(2, &key), "", &key, None).keyed_from, None);
    }

    #[test]
    fn swapped_lines_are_a_reorder() {
        for &n in SIZES {
            let k = (n / 2) as usize;
            let mut lines = log(n, &Keyring::default());
            lines.swap(k, k + 1);
            assert_eq!(problem(&lines), (Class::Reorder, k as u64 + 1), "n={n}");
        }
        // A line moved far back.
        let mut lines = log(10, &Keyring::default());
        let l = lines.remove(2);
        lines.insert(7, l);
        assert_eq!(problem(&lines).0, Class::Gap);
    }

    #[test]
    fn an_inserted_or_duplicated_line_is_a_fork() {
        for &n in SIZES {
            let k = (n / 2) as usize;
            let mut lines = log(n, &Keyring::default());
            lines.insert(k + 1, lines[k].clone());
            assert_eq!(problem(&lines), (Class::Fork, k as u64 + 2), "n={n}");
            // A different event forged on the same predecessor.
            let mut lines = log(n, &Keyring::default());
            let prev = if k == 0 {
                GENESIS.to_string()
            } else {
                crate::audit::line::parse(lines[k - 1].as_bytes())
                    .unwrap()
                    .hash
                    .to_string()
            };
            let mut e = Map::new();
            e.insert(
                "event_type".into(),
                Value::String("PROMOTION_ALLOWED".into()),
            );
            let (forged, _) = seal(e, k as u64, &prev, &Keyring::default());
            lines.insert(k + 1, forged);
            assert_eq!(problem(&lines), (Class::Fork, k as u64 + 2), "n={n}");
        }
    }

    #[test]
    fn a_replaced_line_that_hashes_on_its_own_is_tampered() {
        let mut lines = log(10, &Keyring::default());
        let prev = crate::audit::line::parse(lines[3].as_bytes())
            .unwrap()
            .hash
            .to_string();
        let mut e = Map::new();
        e.insert(
            "event_type".into(),
            Value::String("PROMOTION_ALLOWED".into()),
        );
        lines[4] = seal(e, 4, &prev, &Keyring::default()).0;
        assert_eq!(problem(&lines), (Class::Tampered, 5));
    }

    #[test]
    fn a_torn_tail_is_reported_as_such() {
        let lines = log(10, &Keyring::default());
        let r = run(&lines, "{\"event_type\":\"CHE", &Keyring::default(), None);
        assert_eq!(
            r.problem.as_ref().map(|p| (p.class, p.line)),
            Some((Class::TornTail, 11))
        );
        assert_eq!(r.events, 10);
    }

    #[test]
    fn a_cut_tail_or_rewritten_chain_needs_an_anchor() {
        let lines = log(10, &Keyring::default());
        let head = crate::audit::line::parse(lines[9].as_bytes()).unwrap();
        let anchor = Anchor {
            seq: 9,
            hash: head.hash.to_string(),
        };
        let r = run(&lines, "", &Keyring::default(), Some(&anchor));
        assert!(r.intact() && r.anchored);
        let cut = &lines[..7];
        assert!(
            run(cut, "", &Keyring::default(), None).intact(),
            "without an anchor a cut tail looks intact"
        );
        let r = run(cut, "", &Keyring::default(), Some(&anchor));
        assert_eq!(r.problem.unwrap().class, Class::Truncated);
        // A rewritten chain: every line re-sealed after an edit.
        let mut forged = log(10, &Keyring::default());
        let mut prev = GENESIS.to_string();
        for (i, l) in forged.iter_mut().enumerate() {
            let mut v: Map<String, Value> = serde_json::from_str(l).unwrap();
            if i == 3 {
                v.insert(
                    "event_type".into(),
                    Value::String("PROMOTION_ALLOWED".into()),
                );
            }
            let (line, hash) = seal(v, i as u64, &prev, &Keyring::default());
            *l = line;
            prev = hash;
        }
        assert!(
            run(&forged, "", &Keyring::default(), None).intact(),
            "a re-chained forgery verifies on its own"
        );
        let r = run(&forged, "", &Keyring::default(), Some(&anchor));
        assert_eq!(
            r.problem.map(|p| (p.class, p.line)),
            Some((Class::Tampered, 10))
        );
        // The log grew past the anchor: still anchored.
        let longer = log(12, &Keyring::default());
        assert!(run(&longer, "", &Keyring::default(), Some(&anchor)).anchored);
    }

    #[test]
    fn keyed_logs_verify_with_every_key_and_say_when_one_is_missing() {
        let k1 = Keyring::new(Some(b"k1"), &[]);
        let mut lines = log(4, &k1);
        // Rotate to k2 for the next lines.
        let k2 = Keyring::new(Some(b"k2"), &["k1".into()]);
        let mut prev = crate::audit::line::parse(lines[3].as_bytes())
            .unwrap()
            .hash
            .to_string();
        for i in 4..8 {
            let mut e = Map::new();
            e.insert("event_type".into(), Value::String("CHECK_GO".into()));
            let (l, h) = seal(e, i, &prev, &k2);
            prev = h;
            lines.push(l);
        }
        let both = Keyring::new(None, &["k1".into(), "k2".into()]);
        let r = run(&lines, "", &both, None);
        assert!(r.intact(), "{:?}", r.problem);
        assert_eq!(r.keyed, 8);
        let only_k1 = Keyring::new(Some(b"k1"), &[]);
        let r = run(&lines, "", &only_k1, None);
        assert_eq!(
            r.problem.map(|p| (p.class, p.line)),
            Some((Class::UnverifiableKey, 5))
        );
        let r = run(&lines, "", &Keyring::default(), None);
        assert_eq!(r.problem.map(|p| p.class), Some(Class::UnverifiableKey));
        // A keyed line forged with the wrong key.
        let wrong = Keyring::new(Some(b"k1"), &["k2".into()]);
        let mut bad = lines.clone();
        bad[6] = bad[6].replace("CHECK_GO", "CHECK_NO");
        assert_eq!(
            run(&bad, "", &wrong, None)
                .problem
                .map(|p| (p.class, p.line)),
            Some((Class::Tampered, 7))
        );
        // Downgrade: an unkeyed line appended to a keyed log.
        let mut e = Map::new();
        e.insert(
            "event_type".into(),
            Value::String("PROMOTION_ALLOWED".into()),
        );
        let mut down = lines.clone();
        down.push(seal(e, 8, &prev, &Keyring::default()).0);
        assert_eq!(
            run(&down, "", &both, None)
                .problem
                .map(|p| (p.class, p.line)),
            Some((Class::Tampered, 9))
        );
    }

    #[test]
    fn anchors_parse() {
        let h = "ab".repeat(32);
        assert_eq!(
            format!("41:{h}").parse::<Anchor>().unwrap(),
            Anchor {
                seq: 41,
                hash: h.clone()
            }
        );
        assert!("41".parse::<Anchor>().is_err());
        assert!(format!("x:{h}").parse::<Anchor>().is_err());
        assert!("41:abc".parse::<Anchor>().is_err());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::audit::file::seal;
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    fn build(notes: &[String]) -> Vec<String> {
        let mut prev = GENESIS.to_string();
        notes
            .iter()
            .enumerate()
            .map(|(i, note)| {
                let mut e = Map::new();
                e.insert("event_type".into(), Value::String("CHECK_GO".into()));
                e.insert("note".into(), Value::String(note.clone()));
                let (line, hash) = seal(e, i as u64, &prev, &Keyring::default());
                prev = hash;
                line
            })
            .collect()
    }

    fn check(lines: &[String], anchor: Option<&Anchor>) -> Report {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(
            &p,
            lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
        )
        .unwrap();
        super::tests::in_every_chunking(&p, &Keyring::default(), anchor)
    }

    #[derive(Debug, Clone)]
    enum Mutation {
        EditByte(usize, usize),
        Delete(usize),
        Swap(usize),
        Duplicate(usize),
        Truncate(usize),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            (any::<usize>(), any::<usize>()).prop_map(|(l, b)| Mutation::EditByte(l, b)),
            any::<usize>().prop_map(Mutation::Delete),
            any::<usize>().prop_map(Mutation::Swap),
            any::<usize>().prop_map(Mutation::Duplicate),
            any::<usize>().prop_map(Mutation::Truncate),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn appended_logs_always_verify(notes in proptest::collection::vec(any::<String>(), 1..40)) {
            let lines = build(&notes);
            let r = check(&lines, None);
            prop_assert!(r.intact(), "{:?}", r.problem);
            prop_assert_eq!(r.events, notes.len() as u64);
        }

        #[test]
        fn every_mutation_is_found(notes in proptest::collection::vec("[a-z é✓]{0,12}", 2..30), m in mutation()) {
            let lines = build(&notes);
            let n = lines.len();
            let head = crate::audit::line::parse(lines[n - 1].as_bytes()).unwrap();
            let anchor = Anchor { seq: head.seq, hash: head.hash.to_string() };
            let mut bad = lines.clone();
            match m {
                Mutation::EditByte(l, b) => {
                    let l = l % n;
                    let mut bytes = bad[l].clone().into_bytes();
                    let i = b % bytes.len();
                    bytes[i] = if bytes[i] == b'x' { b'y' } else { b'x' };
                    bad[l] = String::from_utf8_lossy(&bytes).into_owned();
                }
                Mutation::Delete(l) => {
                    bad.remove(l % n);
                }
                Mutation::Swap(l) => {
                    let l = l % (n - 1);
                    bad.swap(l, l + 1);
                }
                Mutation::Duplicate(l) => {
                    let l = l % n;
                    bad.insert(l + 1, bad[l].clone());
                }
                Mutation::Truncate(l) => {
                    bad.truncate(l % n);
                }
            }
            prop_assume!(bad != lines);
            // With the anchor of the untouched log, every change is found.
            let r = check(&bad, Some(&anchor));
            prop_assert!(!r.intact(), "undetected: {:?}", m);
        }
    }
}
