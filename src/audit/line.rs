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
    let mut s = Scanner { b: raw, i: 0 };
    let top = s.object(0, true)?;
    if s.i != raw.len() {
        return Err(format!("trailing bytes after the object at byte {}", s.i));
    }
    let top = top.unwrap_or_default();
    let field = |name: &str| {
        top.iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, v, _)| v.clone())
    };
    let string = |name: &str| -> Result<Option<&str>, String> {
        match field(name) {
            None => Ok(None),
            Some(v) if v.len() >= 2 && raw[v.start] == b'"' => {
                Ok(Some(&text[v.start + 1..v.end - 1]))
            }
            Some(_) => Err(format!("`{name}` is not a string")),
        }
    };
    let hex64 = |name: &str| -> Result<&str, String> {
        let v = string(name)?.ok_or_else(|| format!("no `{name}`"))?;
        if v.len() == 64
            && v.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(v)
        } else {
            Err(format!("`{name}` is not 64 lower-case hex digits"))
        }
    };
    let seq_range = field("seq").ok_or("no `seq`")?;
    let seq: u64 = text[seq_range]
        .parse()
        .map_err(|_| "`seq` is not a non-negative integer".to_string())?;
    let hash_member = top
        .iter()
        .position(|(k, _, _)| k == "hash")
        .map(|i| {
            let (_, _, member) = &top[i];
            // Cut the comma on the side that keeps the rest canonical.
            if i + 1 < top.len() {
                member.start..member.end + 1
            } else if i > 0 {
                member.start - 1..member.end
            } else {
                member.clone()
            }
        })
        .ok_or("no `hash`")?;
    Ok(Line {
        seq,
        prev_hash: hex64("prev_hash")?,
        hash: hex64("hash")?,
        alg: string("alg")?,
        key_id: string("key_id")?,
        hash_member,
    })
}

/// A top-level member: (key, value bytes, whole member bytes).
type Member = (String, Range<usize>, Range<usize>);

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

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
            Some(b'{') => self.object(depth + 1, false).map(|_| ()),
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

    /// A string; returns its decoded bytes when it held escapes, else its
    /// raw range (without quotes) as decoded bytes.
    fn string(&mut self) -> Result<Vec<u8>, String> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let start = self.i;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.extend_from_slice(&self.b[start..self.i]);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let at = self.i;
                    let esc = self.b.get(self.i + 1).copied();
                    self.i += 2;
                    let byte = match esc {
                        Some(b'"') => b'"',
                        Some(b'\\') => b'\\',
                        Some(b'n') => b'\n',
                        Some(b'r') => b'\r',
                        Some(b't') => b'\t',
                        Some(b'b') => 8,
                        Some(b'f') => 12,
                        Some(b'u') => {
                            let hex = self.b.get(self.i..self.i + 4).ok_or("a cut \\u escape")?;
                            self.i += 4;
                            let ok = hex[0] == b'0'
                                && hex[1] == b'0'
                                && matches!(hex[2], b'0' | b'1')
                                && matches!(hex[3], b'0'..=b'9' | b'a'..=b'f');
                            let v = std::str::from_utf8(hex)
                                .ok()
                                .and_then(|h| u8::from_str_radix(h, 16).ok());
                            match v {
                                Some(v) if ok && !matches!(v, 8 | 9 | 10 | 12 | 13) => v,
                                _ => {
                                    return Err(format!(
                                        "escape \\u{} at byte {at} is not canonical",
                                        String::from_utf8_lossy(hex)
                                    ))
                                }
                            }
                        }
                        _ => return Err(format!("a bad escape at byte {at}")),
                    };
                    out.push(byte);
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

    /// An object whose keys must increase; at the top level, returns the
    /// members for the chain.
    fn object(&mut self, depth: usize, top: bool) -> Result<Option<Vec<Member>>, String> {
        if depth > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH}"));
        }
        self.expect(b'{')?;
        let mut members = Vec::new();
        let mut prev: Option<Vec<u8>> = None;
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(top.then_some(members));
        }
        loop {
            let member_start = self.i;
            let key = self.string()?;
            if let Some(p) = &prev {
                if key.as_slice() <= p.as_slice() {
                    return Err(format!(
                        "key `{}` at byte {member_start} is out of order or repeated (not canonical)",
                        String::from_utf8_lossy(&key)
                    ));
                }
            }
            self.expect(b':')?;
            let value_start = self.i;
            self.value(depth)?;
            if top {
                members.push((
                    String::from_utf8_lossy(&key).into_owned(),
                    value_start..self.i,
                    member_start..self.i,
                ));
            }
            prev = Some(key);
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(top.then_some(members));
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
            format!(
                r#"{{"hash":"{}","prev_hash":"{Z}","seq":0}}"#,
                H.to_uppercase().replace('1', "A")
            ),
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
