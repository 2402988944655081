//! One audit line: checked for canonical form and taken apart in a single
//! pass over its bytes, without building a JSON tree.
//!
//! Canonical form (what gate writes, and what llm-leash's `verify_chain`
//! recomputes with `json.dumps(sort_keys=True, separators=(",", ":"),
//! ensure_ascii=False)`): an object; no whitespace outside strings; object
//! keys in strictly increasing order at every level; strings escaped only
//! where JSON requires (`\"`, `\\`, `\b \f \n \r \t`, and `\u00xx` in lower
//! case for the other control characters), everything else as UTF-8;
//! integers without sign or leading zeros beyond `-` and `0`; no floats.
//!
//! The chain needs only `seq`, `prev_hash`, `hash`, `alg` and `key_id`; the
//! hash is computed over the line with its `hash` member cut out, which is
//! the canonical form of the object without `hash`.

use std::ops::Range;

/// Deepest nesting a line may have.
pub const MAX_DEPTH: usize = 32;

/// Keys serde_json gives a meaning of its own (arbitrary-precision numbers,
/// raw values): a line holding one could verify on its bytes yet not be read
/// back by `show`, `export` and `report`, so it is not canonical.
const RESERVED_KEY_PREFIX: &[u8] = b"$serde_json::private::";

/// The parts of a line the chain needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    pub seq: u64,
    /// 64 lower-case hex digits.
    pub prev_hash: &'a str,
    /// 64 lower-case hex digits.
    pub hash: &'a str,
    /// `hmac-sha256` on keyed lines.
    pub alg: Option<&'a str>,
    pub key_id: Option<&'a str>,
    /// The `hash` member with its comma: cut it out to get the hashed body.
    pub hash_member: Range<usize>,
}

impl Line<'_> {
    /// The bytes the hash covers: the line without its `hash` member.
    pub fn body<'b>(&self, raw: &'b [u8]) -> [&'b [u8]; 2] {
        [&raw[..self.hash_member.start], &raw[self.hash_member.end..]]
    }
}

/// Parses and checks one line (without its `\n`).
pub fn parse(raw: &[u8]) -> Result<Line<'_>, String> {
    let text =
        std::str::from_utf8(raw).map_err(|e| format!("not UTF-8 at byte {}", e.valid_up_to()))?;
    let mut s = Scanner {
        b: raw,
        i: 0,
        fields: Fields::default(),
    };
    s.object(0, true)?;
    if s.i != raw.len() {
        return Err(format!("trailing bytes after the object at byte {}", s.i));
    }
    let f = s.fields;
    let string = |name: &str, v: Option<Range<usize>>| -> Result<Option<&str>, String> {
        match v {
            None => Ok(None),
            Some(v) if v.len() >= 2 && raw[v.start] == b'"' => {
                Ok(Some(&text[v.start + 1..v.end - 1]))
            }
            Some(_) => Err(format!("`{name}` is not a string")),
        }
    };
    let hex64 = |name: &str, v: Option<Range<usize>>| -> Result<&str, String> {
        // Only the length is checked here: `hash` must equal a computed
        // lower-case hex digest and `prev_hash` the line before's `hash`, so
        // any other character fails those comparisons.
        let v = string(name, v)?.ok_or_else(|| format!("no `{name}`"))?;
        if v.len() == 64 {
            Ok(v)
        } else {
            Err(format!("`{name}` is not 64 hex digits"))
        }
    };
    let seq_range = f.seq.ok_or("no `seq`")?;
    let seq: u64 = text[seq_range]
        .parse()
        .map_err(|_| "`seq` is not a non-negative integer".to_string())?;
    let (member, first, last) = f.hash_member.ok_or("no `hash`")?;
    // Cut the comma on the side that keeps the rest canonical.
    let hash_member = if !last {
        member.start..member.end + 1
    } else if !first {
        member.start - 1..member.end
    } else {
        member
    };
    Ok(Line {
        seq,
        prev_hash: hex64("prev_hash", f.prev_hash)?,
        hash: hex64("hash", f.hash)?,
        alg: string("alg", f.alg)?,
        key_id: string("key_id", f.key_id)?,
        hash_member,
    })
}

/// The top-level values the chain needs, found while scanning.
#[derive(Default)]
struct Fields {
    seq: Option<Range<usize>>,
    prev_hash: Option<Range<usize>>,
    hash: Option<Range<usize>>,
    alg: Option<Range<usize>>,
    key_id: Option<Range<usize>>,
    /// The `hash` member, and whether it is the first and the last member.
    hash_member: Option<(Range<usize>, bool, bool)>,
}

/// Where the plain run at the start of `b` ends: at the first `"`, `\\` or
/// control character (below 0x20), else at `b`'s end, found eight bytes at
/// a time. Bytes from 0x80 up never match.
#[inline]
fn plain_run(b: &[u8]) -> usize {
    use crate::bytes::{below, equal, run};
    run(
        b,
        |w| equal(w, b'"') | equal(w, b'\\') | below(w, 0x20),
        |c| c != b'"' && c != b'\\' && c >= 0x20,
    )
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    fields: Fields,
}

impl Scanner<'_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{}`", c as char)))
        }
    }

    fn unexpected(&self, wanted: &str) -> String {
        match self.peek() {
            Some(c) if c.is_ascii_whitespace() => {
                format!("whitespace at byte {} (not canonical)", self.i)
            }
            Some(c) => format!(
                "expected {wanted} at byte {}, found `{}`",
                self.i, c as char
            ),
            None => format!("expected {wanted}, found the end of the line"),
        }
    }

    fn value(&mut self, depth: usize) -> Result<(), String> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1, false),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(|_| ()),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.integer(),
            _ => Err(self.unexpected("a value")),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), String> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(self.unexpected("a value"))
        }
    }

    fn integer(&mut self) -> Result<(), String> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.i += 1;
                }
            }
            _ => return Err(self.unexpected("a digit")),
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Err(format!(
                "a non-integer number at byte {start} (gate writes integers only)"
            ));
        }
        if &self.b[start..self.i] == b"-0" {
            return Err(format!("`-0` at byte {start} is not canonical"));
        }
        Ok(())
    }

    /// A string, checked for canonical escapes; returns the range of its
    /// content (without quotes) and whether it holds escapes.
    fn string(&mut self) -> Result<(Range<usize>, bool), String> {
        self.expect(b'"')?;
        let start = self.i;
        let mut escaped = false;
        loop {
            // The common case: plain bytes up to the closing quote.
            self.i += plain_run(&self.b[self.i..]);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok((start..self.i - 1, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    let at = self.i;
                    match self.b.get(self.i + 1).copied() {
                        Some(b'"' | b'\\' | b'n' | b'r' | b't' | b'b' | b'f') => self.i += 2,
                        Some(b'u') => {
                            let hex = self
                                .b
                                .get(self.i + 2..self.i + 6)
                                .ok_or("a cut \\u escape")?;
                            let ok = hex[0] == b'0'
                                && hex[1] == b'0'
                                && matches!(hex[2], b'0' | b'1')
                                && matches!(hex[3], b'0'..=b'9' | b'a'..=b'f')
                                && !matches!(hex, b"0008" | b"0009" | b"000a" | b"000c" | b"000d");
                            if !ok {
                                return Err(format!(
                                    "escape \\u{} at byte {at} is not canonical",
                                    String::from_utf8_lossy(hex)
                                ));
                            }
                            self.i += 6;
                        }
                        _ => return Err(format!("a bad escape at byte {at}")),
                    }
                }
                Some(c) => {
                    return Err(format!(
                        "an unescaped control character 0x{c:02x} at byte {}",
                        self.i
                    ))
                }
                None => return Err("a string cut at the end of the line".into()),
            }
        }
    }

    /// The bytes a (checked) string stands for.
    fn decode(&self, r: Range<usize>) -> Vec<u8> {
        let raw = &self.b[r];
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] != b'\\' {
                out.push(raw[i]);
                i += 1;
                continue;
            }
            match raw[i + 1] {
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'b' => out.push(8),
                b'f' => out.push(12),
                b'u' => {
                    let v = std::str::from_utf8(&raw[i + 2..i + 6])
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .unwrap_or(0);
                    out.push(v);
                    i += 4;
                }
                c => out.push(c),
            }
            i += 2;
        }
        out
    }

    fn array(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH}"));
        }
        self.expect(b'[')?;
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.value(depth)?;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }

    /// An object whose keys must increase; at the top level, the chain's
    /// fields are noted as they pass.
    fn object(&mut self, depth: usize, top: bool) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH}"));
        }
        self.expect(b'{')?;
        let mut prev: Option<(Range<usize>, bool)> = None;
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        let mut first = true;
        loop {
            let member_start = self.i;
            let (key, escaped) = self.string()?;
            if self.b[key.clone()].starts_with(RESERVED_KEY_PREFIX) {
                return Err(format!(
                    "key `{}` at byte {member_start} is reserved by the JSON reader; gate never writes it",
                    String::from_utf8_lossy(&self.b[key])
                ));
            }
            if let Some((p, p_escaped)) = &prev {
                let in_order = if escaped || *p_escaped {
                    self.decode(key.clone()) > self.decode(p.clone())
                } else {
                    self.b[key.clone()] > self.b[p.clone()]
                };
                if !in_order {
                    return Err(format!(
                        "key `{}` at byte {member_start} is out of order or repeated (not canonical)",
                        String::from_utf8_lossy(&self.b[key])
                    ));
                }
            }
            self.expect(b':')?;
            let value_start = self.i;
            self.value(depth)?;
            let last = self.peek() == Some(b'}');
            if top {
                let v = Some(value_start..self.i);
                match &self.b[key.clone()] {
                    b"seq" => self.fields.seq = v,
                    b"prev_hash" => self.fields.prev_hash = v,
                    b"hash" => {
                        self.fields.hash = v;
                        self.fields.hash_member = Some((member_start..self.i, first, last));
                    }
                    b"alg" => self.fields.alg = v,
                    b"key_id" => self.fields.key_id = v,
                    _ => {}
                }
            }
            prev = Some((key, escaped));
            first = false;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const Z: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    fn line(hash_first: bool) -> String {
        if hash_first {
            format!(r#"{{"hash":"{H}","prev_hash":"{Z}","seq":0}}"#)
        } else {
            format!(r#"{{"a":[1,{{"x":"é\n"}}],"hash":"{H}","prev_hash":"{Z}","seq":12}}"#)
        }
    }

    #[test]
    fn a_plain_run_ends_at_the_first_quote_backslash_or_control_character() {
        for len in [0, 1, 7, 8, 9, 16, 33, 100] {
            let plain: Vec<u8> = (0..len)
                .map(|i| [b'a', 0x7f, 0xc3, 0xa9, b' '][i % 5])
                .collect();
            assert_eq!(plain_run(&plain), len, "{len}");
            for at in 0..len {
                for stop in [b'"', b'\\', 0x00, 0x1f] {
                    let mut b = plain.clone();
                    b[at] = stop;
                    // A second stop after the first, in the same word.
                    if at + 1 < len {
                        b[at + 1] = 0x01;
                    }
                    assert_eq!(plain_run(&b), at, "{len} {at} {stop:#x}");
                }
            }
        }
        let long = format!(
            "{{\"hash\":\"{H}\",\"prev_hash\":\"{Z}\",\"s\":\"{}\u{1}\",\"seq\":0}}",
            "x".repeat(40)
        );
        assert!(parse(long.as_bytes())
            .unwrap_err()
            .contains("control character 0x01"));
    }

    #[test]
    fn takes_the_chain_fields_and_cuts_the_hash() {
        let l = line(false);
        let p = parse(l.as_bytes()).unwrap();
        assert_eq!((p.seq, p.prev_hash, p.hash), (12, Z, H));
        let body: Vec<u8> = p.body(l.as_bytes()).concat();
        assert_eq!(
            String::from_utf8(body).unwrap(),
            format!(r#"{{"a":[1,{{"x":"é\n"}}],"prev_hash":"{Z}","seq":12}}"#)
        );
        let l = line(true);
        let p = parse(l.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(p.body(l.as_bytes()).concat()).unwrap(),
            format!(r#"{{"prev_hash":"{Z}","seq":0}}"#)
        );
    }

    #[test]
    fn agrees_with_the_canonical_writer() {
        let v = serde_json::json!({"seq": 3, "prev_hash": Z, "hash": H, "s": "tab\t ctl\u{1} del\u{7f} é 😀 \"q\" \\", "n": null, "b": [true, false], "o": {}});
        let text = crate::canonical::to_string(&v);
        parse(text.as_bytes()).unwrap();
    }

    /// Found by the audit_line fuzz target: serde_json reserves the key
    /// `$serde_json::private::Number`, so a line using it verified on its
    /// bytes but could not be read back by `show`, `export` and `report`.
    #[test]
    fn regression_keys_reserved_by_the_json_reader_are_not_canonical() {
        let l = format!(
            r#"{{"hash":"{H}","inputs":[{{"$serde_json::private::Number":"x","status":"used"}}],"prev_hash":"{Z}","seq":0}}"#
        );
        let e = parse(l.as_bytes()).unwrap_err();
        assert!(e.contains("reserved"), "{e}");
    }

    #[test]
    fn anything_not_canonical_is_refused() {
        let bad = [
            format!(r#"{{"hash":"{H}", "prev_hash":"{Z}","seq":0}}"#),
            format!(r#"{{"prev_hash":"{Z}","hash":"{H}","seq":0}}"#),
            format!(r#"{{"hash":"{H}","prev_hash":"{Z}","seq":0,"seq":1}}"#),
            format!(r#"{{"hash":"{H}","prev_hash":"{Z}","seq":01}}"#),
            format!(r#"{{"hash":"{H}","prev_hash":"{Z}","seq":1.0}}"#),
            format!(r#"{{"hash":"{H}","prev_hash":"{Z}","s":"\u00e9","seq":0}}"#),
            format!(r#"{{"hash":"{H}","prev_hash":"{Z}","s":"\u000a","seq":0}}"#),
            format!(r#"{{"hash":"{H}","prev_hash":"{Z}","s":"\/","seq":0}}"#),
            format!(r#"{{"prev_hash":"{Z}","seq":0}}"#),
            format!(r#"{{"hash":"{H}","prev_hash":"{Z}","seq":-1}}"#),
            format!(r#"{{"hash":"{H}","prev_hash":"{Z}","seq":0}}x"#),
            format!(r#"[{{"hash":"{H}"}}]"#),
            format!(r#"{{"hash":"{H}","prev_hash":"{Z}","seq":0"#),
            format!("{{\"hash\":\"{H}\",\"prev_hash\":\"{Z}\",\"s\":\"a\u{1}\",\"seq\":0}}"),
        ];
        for b in bad {
            assert!(parse(b.as_bytes()).is_err(), "{b}");
        }
        assert!(parse(b"{\"hash\":\"\xff\"}").is_err());
        let deep = format!(
            "{{\"a\":{}{},\"hash\":\"{H}\",\"prev_hash\":\"{Z}\",\"seq\":0}}",
            "[".repeat(40),
            "]".repeat(40)
        );
        assert!(parse(deep.as_bytes())
            .unwrap_err()
            .contains("nested deeper"));
    }
}
