//! Reading input files: one place that enforces the size cap, tells a
//! directory from a file, rejects bytes that are not UTF-8 (with where), and
//! strips a UTF-8 byte-order mark. CRLF line ends are left to the parsers,
//! which all accept them.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest, Sha256};

use super::error::{line_col, InputError};

/// The largest input file gate reads: 16 MiB. Checked before parsing, so an
/// oversize file costs one `stat` and a bounded read, never a parse.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// A text file read whole, with the digest of its exact bytes.
#[derive(Debug, Clone)]
pub struct TextFile {
    /// The text, without a leading byte-order mark.
    pub text: String,
    /// Hex sha256 of the bytes on disk (byte-order mark included).
    pub sha256: String,
}

/// Reads `path` as UTF-8 text. A missing file is an error; see
/// [`read_text_if_exists`] for optional inputs.
pub fn read_text(path: &Path) -> Result<TextFile, InputError> {
    read_text_max(path, Limit::INPUT.max, Limit::INPUT.kind)
}

/// Reads `path` as UTF-8 text of at most `max` bytes, a limit particular
/// to `kind` of file.
pub fn read_text_max(path: &Path, max: u64, kind: &str) -> Result<TextFile, InputError> {
    read_text_within(path, Limit { max, kind })?.ok_or_else(|| InputError::file(path, "not found"))
}

/// Reads `path` as UTF-8 text, or `Ok(None)` when nothing exists there.
pub fn read_text_if_exists(path: &Path) -> Result<Option<TextFile>, InputError> {
    read_text_within(path, Limit::INPUT)
}

/// A size cap and the kind of file it is for, as errors name it.
#[derive(Clone, Copy)]
struct Limit<'a> {
    max: u64,
    kind: &'a str,
}

impl Limit<'_> {
    const INPUT: Limit<'static> = Limit {
        max: MAX_INPUT_BYTES,
        kind: "input files",
    };
}

fn read_text_within(path: &Path, limit: Limit) -> Result<Option<TextFile>, InputError> {
    let bytes = match read_bytes_within(path, limit)? {
        Some(b) => b,
        None => return Ok(None),
    };
    decode_text(path, bytes).map(Some)
}

/// Bytes as a [`TextFile`]: hashed, UTF-8 (else an error at the first bad
/// byte), without a leading byte-order mark.
fn decode_text(path: &Path, bytes: Vec<u8>) -> Result<TextFile, InputError> {
    let sha256 = hex(&Sha256::digest(&bytes));
    let text =
        String::from_utf8(bytes).map_err(|e| not_utf8(path, e.as_bytes(), e.utf8_error()))?;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok(TextFile { text, sha256 })
}

/// Bytes read from elsewhere (a git blob) as a [`TextFile`] of at most
/// `max` bytes, with the checks of [`read_text_max`]: `path` names it in
/// errors.
pub fn text_of_bytes(
    path: &Path,
    bytes: Vec<u8>,
    max: u64,
    kind: &str,
) -> Result<TextFile, InputError> {
    if bytes.len() as u64 > max {
        return Err(too_big(path, bytes.len() as u64, Limit { max, kind }));
    }
    decode_text(path, bytes)
}

/// Bytes that are not UTF-8, as an error at the line and column of the
/// first bad byte.
fn not_utf8(path: &Path, bytes: &[u8], e: std::str::Utf8Error) -> InputError {
    let valid = e.valid_up_to();
    // Lossless up to the first bad byte, so line and column are exact.
    let prefix = String::from_utf8_lossy(&bytes[..valid]);
    let (line, column) = line_col(&prefix, valid);
    InputError::at(
        path,
        line,
        column,
        format!(
            "not valid UTF-8 (byte 0x{:02x} at offset {valid}); expected a UTF-8 text file",
            bytes[valid]
        ),
    )
}

/// A text file whose sha256 is taken from a second read of the file in
/// small blocks, when it is asked for or on another thread once started
/// ([`Sha256Hex::start`]), while the caller reads as much of the text as it
/// needs: so a large lock file's hash costs the run little,
/// and nothing where no digest is written.
pub struct HashedText {
    /// The text read (without a byte-order mark): all of it, or the prefix
    /// `enough` asked for.
    pub text: String,
    /// The sha256 of all of the file's bytes.
    pub sha256: Sha256Hex,
}

/// Reads `path` for [`HashedText`], or `Ok(None)` when nothing exists there;
/// the same checks as [`read_text_if_exists`] on what is read. `enough` is
/// given the text read so far and says where the text the caller needs
/// ends, once it can.
pub fn read_hashing_aside(
    path: &Path,
    mut enough: impl FnMut(&str) -> Option<usize>,
) -> Result<Option<HashedText>, InputError> {
    let limit = Limit::INPUT;
    let Some((file, _)) = open_within(path, limit)? else {
        return Ok(None);
    };
    let file = Arc::new(file);
    let sha256 = Sha256Hex::later(Arc::clone(&file), limit.max);
    let mut bytes: Vec<u8> = Vec::new();
    let mut block = vec![0u8; 1 << 16];
    let mut checked = 0; // bytes known to be UTF-8
    loop {
        let n = (&*file).read(&mut block).map_err(|e| io_error(path, &e))?;
        bytes.extend_from_slice(&block[..n]);
        if bytes.len() as u64 > limit.max {
            return Err(too_big(path, bytes.len() as u64, limit));
        }
        let start = usize::from(checked == 0 && bytes.starts_with(b"\xef\xbb\xbf")) * 3;
        let from = checked.max(start);
        let upto = match std::str::from_utf8(&bytes[from..]) {
            Ok(_) => bytes.len(),
            // A character cut by the block's end: its rest comes next.
            Err(e) if e.error_len().is_none() && n > 0 => from + e.valid_up_to(),
            Err(e) => return Err(not_utf8(path, &bytes, utf8_at(&bytes, from, e))),
        };
        checked = upto;
        let text = std::str::from_utf8(&bytes[start..upto]).unwrap_or_default();
        if let Some(end) = enough(text) {
            bytes.truncate(start + end.min(text.len()));
            break;
        }
        if n == 0 {
            bytes.truncate(upto);
            break;
        }
    }
    let start = if bytes.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let text = String::from_utf8(bytes.split_off(start)).unwrap_or_default();
    Ok(Some(HashedText { text, sha256 }))
}

/// A UTF-8 error in `bytes[from..]` as one in all of `bytes`.
fn utf8_at(bytes: &[u8], from: usize, e: std::str::Utf8Error) -> std::str::Utf8Error {
    let at = from + e.valid_up_to();
    let end = (at + e.error_len().unwrap_or(1)).min(bytes.len());
    match std::str::from_utf8(&bytes[..end]) {
        Err(whole) => whole,
        Ok(_) => e,
    }
}

/// A hex sha256 that may still be being computed; [`Sha256Hex::get`] waits
/// for it.
#[derive(Clone)]
pub struct Sha256Hex(Arc<Pending>);

struct Pending {
    hex: OnceLock<String>,
    job: Mutex<Option<std::thread::JoinHandle<String>>>,
    /// What is hashed, to hash here if the thread could not be started.
    file: Option<(Arc<File>, u64)>,
}

impl Sha256Hex {
    /// A digest already known.
    pub fn ready(hex: String) -> Self {
        Sha256Hex(Arc::new(Pending {
            hex: OnceLock::from(hex),
            job: Mutex::new(None),
            file: None,
        }))
    }

    /// The sha256 of `file`'s bytes (up to `max` and one), computed when it
    /// is first asked for, or on another thread from [`Sha256Hex::start`].
    fn later(file: Arc<File>, max: u64) -> Self {
        Sha256Hex(Arc::new(Pending {
            hex: OnceLock::new(),
            job: Mutex::new(None),
            file: Some((file, max)),
        }))
    }

    /// Starts hashing on another thread, reading in blocks while the run
    /// goes on; does nothing when the digest is known or already underway.
    pub fn start(&self) {
        let (Some((file, max)), None) = (&self.0.file, self.0.hex.get()) else {
            return;
        };
        let Ok(mut job) = self.0.job.lock() else {
            return;
        };
        if job.is_none() {
            let (file, max) = (Arc::clone(file), *max);
            *job = std::thread::Builder::new()
                .name("sha256".into())
                .spawn(move || hash_file(&file, max))
                .ok();
        }
    }

    /// The hex digest, waiting for its thread if it is still hashing.
    pub fn get(&self) -> &str {
        self.0.hex.get_or_init(|| {
            let job = self.0.job.lock().ok().and_then(|mut j| j.take());
            job.and_then(|j| j.join().ok())
                .unwrap_or_else(|| match &self.0.file {
                    Some((file, max)) => hash_file(file, *max),
                    None => String::new(),
                })
        })
    }
}

/// The hex sha256 of `file`'s bytes from its start, read with positioned
/// reads (so another reader's offset is untouched); a read error is said in
/// place of the digest, which then matches no file.
fn hash_file(file: &File, max: u64) -> String {
    use std::os::unix::fs::FileExt;
    let mut h = Sha256::new();
    let mut block = vec![0u8; 1 << 17];
    let mut at = 0u64;
    loop {
        match file.read_at(&mut block, at) {
            Ok(0) => return hex(&h.finalize()),
            Ok(n) if at + n as u64 <= max + 1 => {
                h.update(&block[..n]);
                at += n as u64;
            }
            Ok(_) => return format!("unreadable: over {max} bytes"),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return format!("unreadable: {e}"),
        }
    }
}

impl std::fmt::Debug for Sha256Hex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.get())
    }
}

impl PartialEq for Sha256Hex {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Eq for Sha256Hex {}

impl serde::Serialize for Sha256Hex {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.get())
    }
}

impl From<String> for Sha256Hex {
    fn from(hex: String) -> Self {
        Sha256Hex::ready(hex)
    }
}

/// Reads the raw bytes of `path` under the size cap, or `Ok(None)` when
/// nothing exists there.
pub fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>, InputError> {
    read_bytes_within(path, Limit::INPUT)
}

/// What is at `path`, following symbolic links: `Ok(None)` for nothing,
/// the metadata of a regular file, or an error for anything else. A FIFO,
/// socket or device is refused before it is opened, since opening one can
/// wait forever.
pub fn regular_file(path: &Path) -> Result<Option<std::fs::Metadata>, InputError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            // A dangling symlink is not "nothing there": say what it is.
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(InputError::file(
                    path,
                    "is a symbolic link whose target does not exist",
                ));
            }
            return Ok(None);
        }
        Err(e) => return Err(io_error(path, &e)),
    };
    if meta.is_file() {
        return Ok(Some(meta));
    }
    if meta.is_dir() {
        return Err(InputError::file(path, "is a directory; expected a file"));
    }
    Err(InputError::file(
        path,
        format!("is {}; expected a regular file", special_kind(&meta)),
    ))
}

/// The kind of a file that is neither regular nor a directory, in words.
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    let _ = meta;
    "not a regular file"
}

/// `opts` set to open without waiting: on Unix, `O_NONBLOCK`, under which
/// opening a FIFO returns at once (reads and writes of regular files are
/// unaffected).
pub fn no_wait(opts: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    opts
}

/// Opens a regular file for reading; nothing there is an error.
pub fn open_existing(path: &Path) -> Result<File, InputError> {
    open_regular(path)?.ok_or_else(|| InputError::file(path, "not found"))
}

/// Opens a regular file for reading; `Ok(None)` when nothing is there.
/// Anything else is refused without opening it ([`regular_file`]).
pub fn open_regular(path: &Path) -> Result<Option<File>, InputError> {
    if regular_file(path)?.is_none() {
        return Ok(None);
    }
    let file = no_wait(std::fs::OpenOptions::new().read(true))
        .open(path)
        .map_err(|e| io_error(path, &e))?;
    // What was opened is what was checked: a FIFO swapped in between the
    // two opens at once (non-blocking) and is refused here.
    match file.metadata() {
        Ok(m) if m.is_file() => Ok(Some(file)),
        Ok(m) => Err(InputError::file(
            path,
            format!("is {}; expected a regular file", special_kind(&m)),
        )),
        Err(e) => Err(io_error(path, &e)),
    }
}

/// The regular file at `path` opened, with its size, if it is under the
/// cap; `Ok(None)` when nothing exists there.
fn open_within(path: &Path, limit: Limit) -> Result<Option<(File, u64)>, InputError> {
    let Some(meta) = regular_file(path)? else {
        return Ok(None);
    };
    if meta.len() > limit.max {
        return Err(too_big(path, meta.len(), limit));
    }
    Ok(open_regular(path)?.map(|f| (f, meta.len())))
}

fn read_bytes_within(path: &Path, limit: Limit) -> Result<Option<Vec<u8>>, InputError> {
    let Some((file, len)) = open_within(path, limit)? else {
        return Ok(None);
    };
    let mut bytes = Vec::with_capacity(len as usize);
    // Bounded even when metadata lies (a FIFO, a growing file, /dev/zero).
    file.take(limit.max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, &e))?;
    if bytes.len() as u64 > limit.max {
        return Err(too_big(path, bytes.len() as u64, limit));
    }
    Ok(Some(bytes))
}

fn too_big(path: &Path, len: u64, limit: Limit) -> InputError {
    let max = if limit.max >= 1 << 20 {
        format!("{} MiB", limit.max >> 20)
    } else {
        format!("{} KiB", limit.max >> 10)
    };
    InputError::file(
        path,
        format!(
            "is {len} bytes or more, over the {max} limit for {}",
            limit.kind
        ),
    )
}

/// An I/O error as an input error, in words a user can act on.
pub fn io_error(path: &Path, e: &std::io::Error) -> InputError {
    let what = match e.kind() {
        ErrorKind::PermissionDenied => "cannot be read: permission denied".to_string(),
        ErrorKind::NotFound => "not found".to_string(),
        _ => match e.raw_os_error() {
            // ELOOP: a symlink loop
            Some(40) => "cannot be read: too many levels of symbolic links".to_string(),
            _ => format!("cannot be read: {e}"),
        },
    };
    InputError::file(path, what)
}

/// Lower-case hex of a byte slice.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_aside_digests_every_byte_and_reads_what_is_asked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.yaml");
        // A BOM, then a two-byte character across the first block's end.
        let mut bytes = b"\xef\xbb\xbf".to_vec();
        bytes.extend(std::iter::repeat_n(b'a', (1 << 16) - 4));
        bytes.extend("\u{e9}\nstop\n".as_bytes());
        bytes.extend(std::iter::repeat_n(b'z', 3 << 20));
        std::fs::write(&p, &bytes).unwrap();
        let whole = hex(&Sha256::digest(&bytes));
        let all = read_hashing_aside(&p, |_| None).unwrap().unwrap();
        assert_eq!(all.text.len(), bytes.len() - 3);
        assert!(all.text.starts_with('a'));
        assert_eq!(all.sha256.get(), whole);
        let some = read_hashing_aside(&p, |t| t.find("stop")).unwrap().unwrap();
        assert!(
            some.text.ends_with("a\u{e9}\n"),
            "{:?}",
            &some.text[some.text.len() - 5..]
        );
        assert_eq!(some.sha256.get(), whole);
        // Started on its thread, or asked for first: the same digest.
        let started = read_hashing_aside(&p, |t| t.find("stop")).unwrap().unwrap();
        started.sha256.start();
        started.sha256.start();
        assert_eq!(started.sha256.get(), whole);
        assert!(read_hashing_aside(&dir.path().join("none"), |_| None)
            .unwrap()
            .is_none());
    }

    #[test]
    fn hashing_aside_says_where_bytes_are_not_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.yaml");
        let mut bytes = "a\n".repeat(40_000).into_bytes();
        bytes.extend(b"ok \xff\n");
        std::fs::write(&p, &bytes).unwrap();
        let e = read_hashing_aside(&p, |_| None).err().unwrap().to_string();
        assert!(e.contains(":40001:4:") && e.contains("byte 0xff"), "{e}");
        // Bytes past what is read are hashed, not judged.
        let f = read_hashing_aside(&p, |t| (t.len() > 10).then_some(10));
        assert_eq!(f.unwrap().unwrap().text, "a\na\na\na\na\n");
    }

    #[test]
    fn strips_bom_and_keeps_digest_of_raw_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        std::fs::write(&p, b"\xef\xbb\xbfversion: '1'\r\n").unwrap();
        let f = read_text(&p).unwrap();
        assert_eq!(f.text, "version: '1'\r\n");
        assert_eq!(
            f.sha256,
            hex(&Sha256::digest(b"\xef\xbb\xbfversion: '1'\r\n"))
        );
    }

    #[test]
    fn non_utf8_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        std::fs::write(&p, b"a: 1\nbb: \xff\n").unwrap();
        let e = read_text(&p).unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(5)));
        assert!(e.message.contains("not valid UTF-8"), "{e}");
    }

    /// Opening a FIFO waits for a writer: every input hung on one.
    #[cfg(unix)]
    #[test]
    fn regression_a_fifo_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&p).status();
        if !made.is_ok_and(|s| s.success()) {
            return;
        }
        // Fails (rather than hangs) if the read waits for a writer.
        let (tx, rx) = std::sync::mpsc::channel();
        let fifo = p.clone();
        std::thread::spawn(move || {
            let _ = tx.send((
                read_text(&fifo).map(|_| ()),
                open_regular(&fifo).map(|_| ()),
            ));
        });
        let (read, opened) = rx
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("reading a FIFO waited");
        let e = read.unwrap_err();
        assert!(e.message.contains("a FIFO"), "{e}");
        assert!(opened.is_err());
        let e = read_text(Path::new("/dev/null")).unwrap_err();
        assert!(e.message.contains("a device"), "{e}");
    }

    #[test]
    fn directory_missing_and_oversize_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_text(dir.path()).unwrap_err();
        assert!(e.message.contains("is a directory"), "{e}");
        assert!(read_text_if_exists(&dir.path().join("nope"))
            .unwrap()
            .is_none());
        let big = dir.path().join("big");
        let f = File::create(&big).unwrap();
        f.set_len(MAX_INPUT_BYTES + 1).unwrap();
        let e = read_text(&big).unwrap_err();
        assert!(
            e.message.contains("over the 16 MiB limit for input files"),
            "{e}"
        );
    }
}
