//! OpenSSH's allowed_signers file (`ssh-keygen(1)`, ALLOWED SIGNERS), read
//! as `ssh-keygen -Y verify` reads it:
//!
//! ```text
//! # comment
//! alice@example.com,bob@example.com ssh-ed25519 AAAA... alice's laptop
//! *@sre.example.com,!mallory@sre.example.com cert-authority ssh-ed25519 AAAA...
//! carol@example.com namespaces="gate-override,git",valid-after="20260101Z" ecdsa-sha2-nistp256 AAAA...
//! ```
//!
//! `principals [options] keytype base64 [comment]`: principals a
//! comma-separated list of patterns (`*`, `?`, `!` negates; a quoted list
//! may hold spaces); options `cert-authority`, `namespaces="…"`,
//! `valid-after="…"` and `valid-before="…"` (`YYYYMMDD[Z]`,
//! `YYYYMMDDHHMM[Z]`, `YYYYMMDDHHMMSS[Z]`; with no `Z`, local time, as
//! ssh-keygen reads it), names in any case. Blank lines and lines starting
//! with `#` are skipped. Unlike ssh-keygen, which looks only at the lines
//! naming the principal asked about, every line is parsed, and a malformed
//! one is an error at its line and column: a file that cannot be read
//! whole is not trusted in part.

use std::path::Path;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use ssh_encoding::Decode;
use ssh_key::public::KeyData;

use super::config::ConfigFile;
use super::error::InputError;
use super::source::{self, Source};

/// The largest allowed_signers gate reads: 8 MiB is some 80,000 keys.
pub const MAX_ALLOWED_SIGNERS_BYTES: u64 = 8 << 20;

/// The key types a line may list (certificates are accepted under a
/// `cert-authority` line listing their CA, not listed themselves).
pub const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// OpenSSH's longest sub-pattern of a pattern list: a longer one makes
/// the whole list match nothing (`match_pattern_list`).
const MAX_SUBPATTERN: usize = 1022;

/// The zone of times written without `Z`: the system's is looked up only
/// when such a time is read (finding it walks the zoneinfo database).
#[derive(Debug)]
pub struct Zone(ZoneKind);

#[derive(Debug)]
enum ZoneKind {
    Fixed(TimeZone),
    System(std::cell::OnceCell<TimeZone>),
}

impl Zone {
    pub fn utc() -> Self {
        Zone(ZoneKind::Fixed(TimeZone::UTC))
    }
    pub fn fixed(tz: TimeZone) -> Self {
        Zone(ZoneKind::Fixed(tz))
    }
    /// The machine's local time zone (`$TZ`, `/etc/localtime`), as
    /// ssh-keygen reads such times; UTC where none can be found.
    pub fn system() -> Self {
        Zone(ZoneKind::System(std::cell::OnceCell::new()))
    }
    fn get(&self) -> TimeZone {
        match &self.0 {
            ZoneKind::Fixed(tz) => tz.clone(),
            ZoneKind::System(cell) => cell
                .get_or_init(|| TimeZone::try_system().unwrap_or(TimeZone::UTC))
                .clone(),
        }
    }
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// 1-based line number.
    pub line: usize,
    /// The principal pattern list, as written (unquoted).
    pub principals: String,
    /// The key is a CA: certificates it signed are accepted.
    pub cert_authority: bool,
    /// `namespaces="…"`: the pattern list the signature's namespace must match.
    pub namespaces: Option<String>,
    pub valid_after: Option<Timestamp>,
    pub valid_before: Option<Timestamp>,
    pub key: KeyData,
}

impl Signer {
    /// Whether the line's principal patterns match `principal`.
    pub fn lists(&self, principal: &str) -> bool {
        match_list(principal, &self.principals)
    }

    /// The principals the line names literally (no pattern characters).
    pub fn literal_principals(&self) -> impl Iterator<Item = &str> {
        self.principals
            .split(',')
            .filter(|p| !p.is_empty() && !p.contains(['*', '?', '!']))
    }
}

/// The file, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedSigners {
    /// As reports name it (`git:REF:PATH` or the path).
    pub file: String,
    /// Hex sha256 of its bytes.
    pub sha256: String,
    pub signers: Vec<Signer>,
}

impl AllowedSigners {
    /// Every principal pattern list of the file, as a set, for comparing
    /// two copies.
    pub fn principal_lists(&self) -> std::collections::BTreeSet<&str> {
        self.signers.iter().map(|s| s.principals.as_str()).collect()
    }
}

/// `[signing] allowed_signers`, read and parsed for the repository at
/// `repo`, with what is worth a warning. `guarded`: an environment
/// requires signatures, so a file inside the work tree, which the change
/// under review could edit, is refused. With a `git:REF:PATH` source the
/// release commit's own copy of PATH (`release_commit`) is compared with
/// the trusted one, and the principals it would add or remove are named.
pub fn load(
    config: &ConfigFile,
    repo: &Path,
    release_commit: Option<&str>,
    guarded: bool,
) -> Result<(AllowedSigners, Vec<String>), InputError> {
    let Some(written) = config.allowed_signers() else {
        return Err(config.error_file(
            "[signing] allowed_signers is not set: signed approvals need the OpenSSH allowed_signers file to check them against",
        ));
    };
    let source = Source::parse(written.get_ref())
        .map_err(|m| config.error_at(written.span(), format!("[signing] allowed_signers: {m}")))?;
    let read = source::read(
        &source,
        repo,
        MAX_ALLOWED_SIGNERS_BYTES,
        "allowed_signers files",
    )?;
    if let Some(path) = &read.path {
        if guarded && source::inside_work_tree(path, repo) {
            return Err(config.error_at(
                written.span(),
                format!(
                    "[signing] allowed_signers `{}` lies inside the repository, where the change under review could add its author's key; name a file outside it, or git:REF:PATH on a protected branch (git:refs/remotes/origin/main:{})",
                    written.get_ref(),
                    written.get_ref()
                ),
            ));
        }
    }
    let tz = Zone::system();
    let signers = parse(Path::new(&read.shown), &read.text.text, &tz)?;
    let trusted = AllowedSigners {
        file: read.shown,
        sha256: read.text.sha256,
        signers,
    };
    let mut warnings = Vec::new();
    if let (Source::Git { path, .. }, Some(rc)) = (&source, release_commit) {
        warnings.extend(drift(&trusted, repo, rc, path, &tz));
    }
    Ok((trusted, warnings))
}

/// The release commit's copy of `path`, where it differs from `trusted`:
/// the principals it adds and removes.
fn drift(trusted: &AllowedSigners, repo: &Path, rc: &str, path: &str, tz: &Zone) -> Option<String> {
    let bytes = source::blob_at(repo, rc, path).ok()?.1?;
    let text = String::from_utf8_lossy(&bytes);
    let short = super::prefix(rc, 12);
    let theirs = match parse(Path::new(path), &text, tz) {
        Ok(s) => s,
        Err(e) => {
            return Some(format!(
                "allowed_signers: the release commit's copy of {path} ({short}) cannot be read ({e}); {} is used",
                trusted.file
            ))
        }
    };
    let entries = |v: &[Signer]| -> std::collections::BTreeSet<(String, String)> {
        v.iter()
            .map(|s| (s.principals.clone(), described(s)))
            .collect()
    };
    let (ours, theirs) = (entries(&trusted.signers), entries(&theirs));
    let named = |set: Vec<&(String, String)>| -> String {
        set.iter()
            .map(|(p, k)| format!("{p} ({k})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let added: Vec<_> = theirs.difference(&ours).collect();
    let removed: Vec<_> = ours.difference(&theirs).collect();
    if added.is_empty() && removed.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("adds {}", named(added)));
    }
    if !removed.is_empty() {
        parts.push(format!("removes {}", named(removed)));
    }
    Some(format!(
        "allowed_signers: the release commit's copy of {path} ({short}) differs from the trusted {}: it {}; the trusted copy is used",
        trusted.file,
        parts.join(" and ")
    ))
}

/// A line's key and options, as a drift warning names them: a change that
/// adds `cert-authority` or widens a validity is named too.
fn described(s: &Signer) -> String {
    let mut parts = vec![s.key.fingerprint(ssh_key::HashAlg::Sha256).to_string()];
    if s.cert_authority {
        parts.push("cert-authority".into());
    }
    if let Some(n) = &s.namespaces {
        parts.push(format!("namespaces=\"{n}\""));
    }
    if let Some(t) = s.valid_after {
        parts.push(format!("valid-after {t}"));
    }
    if let Some(t) = s.valid_before {
        parts.push(format!("valid-before {t}"));
    }
    parts.join(", ")
}

/// Parses allowed_signers text; `file` names it in errors, `tz` is the
/// zone of times written without `Z`.
pub fn parse(file: &Path, text: &str, tz: &Zone) -> Result<Vec<Signer>, InputError> {
    let mut out = Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let mut p = LineParser {
            file,
            line,
            number: i + 1,
            at: 0,
        };
        if let Some(signer) = p.signer(tz)? {
            out.push(signer);
        }
    }
    Ok(out)
}

struct LineParser<'a> {
    file: &'a Path,
    line: &'a str,
    number: usize,
    /// Byte offset into `line`.
    at: usize,
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

impl<'a> LineParser<'a> {
    fn error(&self, at: usize, message: impl Into<String>) -> InputError {
        let upto = (0..=at.min(self.line.len()))
            .rev()
            .find(|&k| self.line.is_char_boundary(k))
            .unwrap_or(0);
        let column = self.line[..upto].chars().count() + 1;
        InputError::at(self.file, self.number, column, message)
    }

    fn rest(&self) -> &str {
        &self.line[self.at..]
    }

    fn skip_blanks(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start_matches(is_blank).len();
    }

    /// The next blank-delimited word, and where it starts.
    fn word(&mut self) -> (usize, &'a str) {
        let (line, start) = (self.line, self.at);
        let rest = self.rest().as_bytes();
        let len = memchr::memchr2(b' ', b'\t', rest).unwrap_or(rest.len());
        self.at += len;
        (start, &line[start..start + len])
    }

    fn signer(&mut self, tz: &Zone) -> Result<Option<Signer>, InputError> {
        self.skip_blanks();
        if self.rest().is_empty() || self.rest().starts_with('#') {
            return Ok(None);
        }
        let principals = self.principals()?;
        self.skip_blanks();
        let mut options = Options::default();
        let (at, first) = {
            let save = self.at;
            let (_, w) = self.word();
            self.at = save;
            (save, w.to_string())
        };
        if !first.is_empty() && !is_key_type(&first) {
            let end = self.options_end(at)?;
            options = self.options(at, end, tz)?;
            self.at = end;
            self.skip_blanks();
        }
        let key = self.key()?;
        Ok(Some(Signer {
            line: self.number,
            principals,
            cert_authority: options.cert_authority,
            namespaces: options.namespaces,
            valid_after: options.valid_after,
            valid_before: options.valid_before,
            key,
        }))
    }

    /// The principal list, as ssh-keygen's `strdelimw` reads it: up to the
    /// first blank or `"`; a `"` there is dropped, and the list runs on to
    /// the next `"`, dropped too (so `*@x,"!m@x"` is `*@x,!m@x`).
    fn principals(&mut self) -> Result<String, InputError> {
        let start = self.at;
        let rest = self.rest();
        let cut = rest.find(|c| c == '"' || is_blank(c)).unwrap_or(rest.len());
        if let Some(quoted) = rest[cut..].strip_prefix('"') {
            let Some(end) = quoted.find('"') else {
                return Err(self.error(start, "the quoted principals have no closing `\"`"));
            };
            let list = format!("{}{}", &rest[..cut], &quoted[..end]);
            self.at += cut + end + 2;
            if !self.rest().is_empty() && !self.rest().starts_with(is_blank) {
                return Err(self.error(self.at, "expected a space after the quoted principals"));
            }
            if list.is_empty() {
                return Err(self.error(start, "the principals are empty"));
            }
            return Ok(list);
        }
        let (_, w) = self.word();
        Ok(w.to_string())
    }

    /// Where the options word ends: at the first blank outside quotes.
    fn options_end(&self, start: usize) -> Result<usize, InputError> {
        let bytes = self.line.as_bytes();
        let (mut i, mut quoted) = (start, false);
        while i < bytes.len() && (quoted || (bytes[i] != b' ' && bytes[i] != b'\t')) {
            if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'"') {
                i += 1;
            } else if bytes[i] == b'"' {
                quoted = !quoted;
            }
            i += 1;
        }
        if quoted {
            return Err(self.error(start, "an option's quoted value has no closing `\"`"));
        }
        if i >= bytes.len() {
            return Err(self.error(
                i,
                "expected a key after the options (keytype base64), found the end of the line",
            ));
        }
        Ok(i)
    }

    fn options(&self, start: usize, end: usize, tz: &Zone) -> Result<Options, InputError> {
        let mut o = Options::default();
        let mut i = start;
        while i < end {
            let rest = &self.line[i..end];
            let name_of = |n: &str| {
                rest.as_bytes()
                    .get(..n.len())
                    .is_some_and(|b| b.eq_ignore_ascii_case(n.as_bytes()))
            };
            if name_of("cert-authority") {
                o.cert_authority = true;
                i += "cert-authority".len();
            } else if let Some(n) = ["namespaces=", "valid-after=", "valid-before="]
                .into_iter()
                .find(|n| name_of(n))
            {
                let (value, next) = self.dequote(i + n.len(), end)?;
                match n {
                    "namespaces=" => {
                        if o.namespaces.replace(value).is_some() {
                            return Err(self.error(i, "`namespaces` is given twice"));
                        }
                    }
                    _ => {
                        let t = absolute_time(&value, tz).ok_or_else(|| {
                            self.error(
                                i + n.len(),
                                format!("`{}` is not a time: expected YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, with Z for UTC", value.escape_debug()),
                            )
                        })?;
                        let slot = if n == "valid-after=" {
                            &mut o.valid_after
                        } else {
                            &mut o.valid_before
                        };
                        if slot.replace(t).is_some() {
                            return Err(
                                self.error(i, format!("`{}` is given twice", &n[..n.len() - 1]))
                            );
                        }
                    }
                }
                i = next;
            } else {
                let name = rest.split([',', '=']).next().unwrap_or(rest);
                return Err(self.error(
                    i,
                    format!(
                        "unknown option `{}`{}; expected cert-authority, namespaces=\"…\", valid-after=\"…\" or valid-before=\"…\"",
                        name.escape_debug(),
                        super::suggest::hint(name, ["cert-authority", "namespaces", "valid-after", "valid-before"].into_iter())
                    ),
                ));
            }
            if i >= end {
                break;
            }
            if self.line.as_bytes()[i] != b',' {
                return Err(self.error(i, "expected `,` or a space after an option"));
            }
            i += 1;
            if i >= end {
                return Err(self.error(i, "the options end with `,`"));
            }
        }
        if let (Some(a), Some(b)) = (o.valid_after, o.valid_before) {
            if b <= a {
                return Err(self.error(start, "valid-before is not after valid-after"));
            }
        }
        Ok(o)
    }

    /// A double-quoted value at `at` (`\"` stands for `"`), and the offset
    /// after its closing quote.
    fn dequote(&self, at: usize, end: usize) -> Result<(String, usize), InputError> {
        let bytes = self.line.as_bytes();
        if bytes.get(at) != Some(&b'"') {
            return Err(self.error(at, "expected a double-quoted value (name=\"value\")"));
        }
        let mut out = Vec::new();
        let mut i = at + 1;
        while i < end && bytes[i] != b'"' {
            if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'"') {
                i += 1;
            }
            out.push(bytes[i]);
            i += 1;
        }
        if i >= end {
            return Err(self.error(at, "the quoted value has no closing `\"`"));
        }
        // Only whole characters were copied: quotes and backslashes are ASCII.
        Ok((String::from_utf8_lossy(&out).into_owned(), i + 1))
    }

    fn key(&mut self) -> Result<KeyData, InputError> {
        let (at, kind) = self.word();
        if kind.is_empty() {
            return Err(self.error(
                at,
                "expected a key (keytype base64), found the end of the line",
            ));
        }
        if !is_key_type(kind) {
            let why = if kind.ends_with("-cert-v01@openssh.com") {
                "a certificate cannot be listed; list its CA's key with cert-authority".to_string()
            } else {
                format!("expected one of {}", KEY_TYPES.join(", "))
            };
            return Err(self.error(
                at,
                format!("unknown key type `{}`: {why}", kind.escape_debug()),
            ));
        }
        self.skip_blanks();
        let (b64_at, b64) = self.word();
        if b64.is_empty() {
            return Err(self.error(
                b64_at,
                format!("expected the {kind} key's base64 after its type"),
            ));
        }
        let invalid =
            |why: String| self.error(b64_at, format!("not a valid {kind} public key ({why})"));
        let blob = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| invalid("its base64 does not decode".into()))?
        };
        let mut rest = blob.as_slice();
        let key = KeyData::decode(&mut rest).map_err(|e| invalid(e.to_string()))?;
        if key.algorithm().as_str() != kind || matches!(key, KeyData::Other(_)) {
            return Err(invalid(format!("its blob holds a {} key", key.algorithm())));
        }
        if !rest.is_empty() {
            return Err(invalid(format!("{} bytes after the key", rest.len())));
        }
        Ok(key)
    }
}

#[derive(Default)]
struct Options {
    cert_authority: bool,
    namespaces: Option<String>,
    valid_after: Option<Timestamp>,
    valid_before: Option<Timestamp>,
}

fn is_key_type(s: &str) -> bool {
    KEY_TYPES.contains(&s)
}

/// `YYYYMMDD[Z]`, `YYYYMMDDHHMM[Z]`, `YYYYMMDDHHMMSS[Z]`: in UTC with `Z`
/// (or `z`), else in `tz`.
pub fn absolute_time(s: &str, tz: &Zone) -> Option<Timestamp> {
    let (digits, utc) = match s.strip_suffix(['Z', 'z']) {
        Some(d) => (d, true),
        None => (s, false),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 14].contains(&digits.len()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<i8>().ok());
    let year: i16 = digits[..4].parse().ok()?;
    let (hour, minute, second) = match digits.len() {
        8 => (0, 0, 0),
        12 => (n(8..10)?, n(10..12)?, 0),
        _ => (n(8..10)?, n(10..12)?, n(12..14)?),
    };
    let dt = jiff::civil::DateTime::new(year, n(4..6)?, n(6..8)?, hour, minute, second, 0).ok()?;
    let zone = if utc { TimeZone::UTC } else { tz.get() };
    let t = zone.to_ambiguous_zoned(dt).compatible().ok()?.timestamp();
    let t = standard_time(&zone, dt, t);
    // OpenSSH refuses the epoch itself (its "no time" value).
    (t.as_second() > 0).then_some(t)
}

/// A local time as ssh-keygen reads it: `mktime` with `tm_isdst` 0, so as
/// standard time even where summer time is in force (`20260701` in Berlin
/// is 23:00 UTC the day before, not 22:00). `t` is the time read with the
/// offset in force; the standard offset is that of the nearest earlier
/// time, within about a year, that is not summer time.
fn standard_time(zone: &TimeZone, dt: jiff::civil::DateTime, t: Timestamp) -> Timestamp {
    if !zone.to_offset_info(t).dst().is_dst() {
        return t;
    }
    (1..=13)
        .filter_map(|k| {
            t.checked_sub(jiff::SignedDuration::from_hours(720 * k))
                .ok()
        })
        .map(|earlier| zone.to_offset_info(earlier))
        .find(|info| !info.dst().is_dst())
        .and_then(|info| info.offset().to_timestamp(dt).ok())
        .unwrap_or(t)
}

/// OpenSSH's `match_pattern`: `*` any run of bytes, `?` any one byte.
pub fn match_pattern(s: &str, pattern: &str) -> bool {
    let (s, p) = (s.as_bytes(), pattern.as_bytes());
    let (mut i, mut j) = (0, 0);
    // The last `*` seen, and where in `s` it was tried from.
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if j < p.len() && (p[j] == b'?' || p[j] == s[i]) && p[j] != b'*' {
            i += 1;
            j += 1;
        } else if j < p.len() && p[j] == b'*' {
            star = Some((j, i));
            j += 1;
        } else if let Some((sj, si)) = star {
            j = sj + 1;
            i = si + 1;
            star = Some((sj, si + 1));
        } else {
            return false;
        }
    }
    p[j..].iter().all(|&c| c == b'*')
}

/// OpenSSH's `match_pattern_list` is 1: some pattern of the
/// comma-separated `list` matches `s`, and no `!pattern` does.
pub fn match_list(s: &str, list: &str) -> bool {
    let mut positive = false;
    for sub in list.split(',') {
        if sub.len() > MAX_SUBPATTERN {
            return false;
        }
        match sub.strip_prefix('!') {
            Some(neg) if match_pattern(s, neg) => return false,
            Some(_) => {}
            None => positive |= match_pattern(s, sub),
        }
    }
    positive
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFEtKjcV56icl1/KOwhH3pBc6SN+MzGu8WOxmxqdMjTf";

    fn one(line: &str) -> Result<Signer, InputError> {
        let v = parse(Path::new("allowed_signers"), line, &Zone::utc())?;
        assert_eq!(v.len(), 1, "{line}");
        Ok(v.into_iter().next().unwrap_or_else(|| unreachable!()))
    }

    fn err(line: &str) -> String {
        match parse(Path::new("allowed_signers"), line, &Zone::utc()) {
            Ok(v) => panic!("{line:?} parsed: {v:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn patterns_as_openssh_matches_them() {
        assert!(match_pattern("alice@example.com", "*@example.com"));
        assert!(match_pattern("a", "?"));
        assert!(!match_pattern("ab", "?"));
        assert!(match_pattern("", "*"));
        assert!(match_pattern("abc", "a*c"));
        assert!(match_pattern("abbbc", "a*b*c"));
        assert!(!match_pattern("abbb", "a*b*c"));
        assert!(!match_pattern("Alice", "alice"), "case matters");
        assert!(match_list("bob@x", "alice@x,bob@x"));
        assert!(!match_list("mallory@x", "*@x,!mallory@x"));
        assert!(!match_list("mallory@x", "!mallory@x,*@x"));
        assert!(
            !match_list("bob@x", "!mallory@x"),
            "a negation alone admits nobody"
        );
        assert!(!match_list("bob", &"*".repeat(2000)));
        // Many stars cost time linear in their number, not exponential.
        let long = "a".repeat(5000);
        assert!(!match_pattern(&long, &format!("{}b", "*a".repeat(200))));
    }

    #[test]
    fn lines_with_options_quotes_and_comments() {
        let s = one(&format!("alice@example.com {ED} alice's laptop")).unwrap();
        assert_eq!(
            (s.line, s.principals.as_str(), s.cert_authority),
            (1, "alice@example.com", false)
        );
        let s = one(&format!(
            "  \"a b,c\" CERT-AUTHORITY,Namespaces=\"gate-override,git\",valid-after=\"20260101Z\",valid-before=\"202701011200Z\" {ED}"
        ))
        .unwrap();
        assert_eq!(s.principals, "a b,c");
        assert!(s.cert_authority);
        assert_eq!(s.namespaces.as_deref(), Some("gate-override,git"));
        assert_eq!(s.valid_after, Some("2026-01-01T00:00:00Z".parse().unwrap()));
        assert_eq!(
            s.valid_before,
            Some("2027-01-01T12:00:00Z".parse().unwrap())
        );
        let v = parse(
            Path::new("f"),
            &format!("# c\n\n   \n\t# d\nx {ED}\r\n"),
            &Zone::utc(),
        )
        .unwrap();
        assert_eq!(v[0].line, 5);
        let s = one(&format!("x namespaces=\"a\\\"b\" {ED}")).unwrap();
        assert_eq!(s.namespaces.as_deref(), Some("a\"b"));
        // As ssh-keygen's strdelimw: a `"` within the list is dropped, and
        // the list runs on to the next `"`, which is dropped too.
        for (line, want) in [
            ("*@x,\"!m@x\"", "*@x,!m@x"),
            ("*@x,!\"m@x\"", "*@x,!m@x"),
            ("a\"b c\"", "ab c"),
        ] {
            assert_eq!(one(&format!("{line} {ED}")).unwrap().principals, want);
        }
        assert!(err(&format!("a\"b {ED}")).contains("no closing"));
    }

    /// ssh-keygen (9.2, `-Overify-time`, `TZ=Europe/Berlin`) refuses a key
    /// with `valid-after="20260701"` at 22:59 UTC on 30 June and takes it
    /// at 23:01: it reads local times as standard time. gate took it from
    /// 22:00, an hour early.
    #[test]
    fn regression_local_times_are_standard_time_as_ssh_keygen_reads_them() {
        let berlin = TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        let tz = Zone::fixed(berlin);
        for (local, utc) in [
            ("20260701", "2026-06-30T23:00:00Z"),
            ("20260101", "2025-12-31T23:00:00Z"),
            // The hour clocks go back, and the hour they skip.
            ("202610250230", "2026-10-25T01:30:00Z"),
            ("202603290230", "2026-03-29T01:30:00Z"),
        ] {
            assert_eq!(
                absolute_time(local, &tz),
                Some(utc.parse().unwrap()),
                "{local}"
            );
        }
        assert_eq!(
            absolute_time("20260701Z", &tz),
            Some("2026-07-01T00:00:00Z".parse().unwrap())
        );
    }

    #[test]
    fn times_without_z_are_in_the_zone_given() {
        let tz = Zone::fixed(TimeZone::fixed(jiff::tz::offset(2)));
        assert_eq!(
            absolute_time("20260101", &tz),
            Some("2025-12-31T22:00:00Z".parse().unwrap())
        );
        assert_eq!(
            absolute_time("20260101123456z", &tz),
            Some("2026-01-01T12:34:56Z".parse().unwrap())
        );
        for bad in [
            "2026010",
            "202601011",
            "20261301",
            "20260230",
            "2026-01-01",
            "",
            "Z",
            "19700101Z",
        ] {
            assert_eq!(absolute_time(bad, &Zone::utc()), None, "{bad}");
        }
    }

    #[test]
    fn every_malformed_line_is_located() {
        for (line, want) in [
            ("alice", "allowed_signers:1:6: expected a key"),
            (
                "alice ssh-ed25519",
                "allowed_signers:1:18: expected the ssh-ed25519 key's base64",
            ),
            (
                "alice ssh-ed25519 AAAA",
                "allowed_signers:1:19: not a valid ssh-ed25519 public key",
            ),
            (
                "alice ssh-dss AAAA",
                "allowed_signers:1:7: unknown option `ssh-dss`",
            ),
            (
                "alice cert-authority ssh-dss AAAA",
                "allowed_signers:1:22: unknown key type `ssh-dss`",
            ),
            (
                "\"alice ssh-ed25519 AAAA",
                "allowed_signers:1:1: the quoted principals have no closing",
            ),
            (
                "\"alice\"x ssh-ed25519 AAAA",
                "allowed_signers:1:8: expected a space after the quoted",
            ),
            (
                "alice namespace=\"x\" ssh-ed25519 AAAA",
                "allowed_signers:1:7: unknown option `namespace`",
            ),
            (
                "alice namespaces=x ssh-ed25519 AAAA",
                "allowed_signers:1:18: expected a double-quoted value",
            ),
            (
                "alice namespaces=\"x ssh-ed25519 AAAA",
                "allowed_signers:1:7: an option's quoted value has no closing",
            ),
            (
                "alice namespaces=\"x\",namespaces=\"y\" ssh-ed25519 AAAA",
                "allowed_signers:1:22: `namespaces` is given twice",
            ),
            (
                "alice valid-after=\"2026\" ssh-ed25519 AAAA",
                "allowed_signers:1:19: `2026` is not a time",
            ),
            (
                "alice cert-authority, ssh-ed25519 AAAA",
                "allowed_signers:1:22: the options end with `,`",
            ),
            (
                "alice cert-authorityx ssh-ed25519 AAAA",
                "allowed_signers:1:21: expected `,` or a space",
            ),
            (
                "alice valid-after=\"20270101Z\",valid-before=\"20260101Z\" ssh-ed25519 AAAA",
                "allowed_signers:1:7: valid-before is not after valid-after",
            ),
            (
                "alice cert-authority",
                "allowed_signers:1:21: expected a key after the options",
            ),
            (
                "alice ssh-ed25519-cert-v01@openssh.com AAAA",
                "unknown option",
            ),
            (
                "alice cert-authority ssh-ed25519-cert-v01@openssh.com AAAA",
                "a certificate cannot be listed",
            ),
        ] {
            let e = err(line);
            assert!(e.starts_with(want) || e.contains(want), "{line:?}: {e}");
        }
    }

    #[test]
    fn a_key_of_another_type_than_its_line_says_and_columns_in_characters() {
        let e = err(&ED.replacen("ssh-ed25519", "alice ssh-rsa", 1));
        assert!(e.contains("not a valid ssh-rsa public key"), "{e}");
        // A non-ASCII column counts characters.
        let e = err("é namespaces=x ssh-ed25519 AAAA");
        assert!(e.starts_with("allowed_signers:1:14:"), "{e}");
    }

    /// Found by the allowed_signers fuzz target: a multi-byte character
    /// where an option's name was compared panicked on a char boundary.
    #[test]
    fn regression_non_ascii_inside_an_option_name_is_an_error_not_a_panic() {
        let e = err("x )valid-after\u{2ab}E5 ssh-ed25519 AAAA");
        assert!(e.starts_with("allowed_signers:1:3: unknown option"), "{e}");
        let e = err("x valid-aft\u{e9}r=\"1\" ssh-ed25519 AAAA");
        assert!(e.contains("unknown option"), "{e}");
    }

    #[test]
    fn literal_principals_skip_patterns() {
        let s = one(&format!("alice@x,*@y,!bob@x,c?@x,dave@x {ED}")).unwrap();
        assert_eq!(
            s.literal_principals().collect::<Vec<_>>(),
            ["alice@x", "dave@x"]
        );
        assert!(s.lists("eve@y") && s.lists("alice@x") && !s.lists("bob@x"));
    }
}
