//! Reading input files: one place that enforces the size cap, tells a
//! directory from a file, rejects bytes that are not UTF-8 (with where), and
//! strips a UTF-8 byte-order mark. CRLF line ends are left to the parsers,
//! which all accept them.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::Path;

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
    let sha256 = hex(&Sha256::digest(&bytes));
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            // Lossless up to the first bad byte, so line and column are exact.
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let (line, column) = line_col(&prefix, valid);
            return Err(InputError::at(
                path,
                line,
                column,
                format!(
                    "not valid UTF-8 (byte 0x{:02x} at offset {valid}); expected a UTF-8 text file",
                    bytes[valid]
                ),
            ));
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok(Some(TextFile { text, sha256 }))
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

fn read_bytes_within(path: &Path, limit: Limit) -> Result<Option<Vec<u8>>, InputError> {
    let Some(meta) = regular_file(path)? else {
        return Ok(None);
    };
    if meta.len() > limit.max {
        return Err(too_big(path, meta.len(), limit));
    }
    let Some(file) = open_regular(path)? else {
        return Ok(None);
    };
    let mut bytes = Vec::with_capacity(meta.len() as usize);
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
