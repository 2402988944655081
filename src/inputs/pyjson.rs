//! Python's `json.dumps(obj, sort_keys=True)`, byte for byte, and the
//! identity hash built on it.
//!
//! llm-release-governor identifies an artifact by
//! `sha256(json.dumps(artifact, sort_keys=True).encode())`; override files
//! carry that hash, so gate must print every value exactly as Python does
//! after `json.load`:
//!
//! - separators `", "` and `": "`; keys sorted by code point, the last of
//!   duplicate keys kept (as `json.load` keeps it);
//! - strings ASCII-only: `\"`, `\\`, `\b \f \n \r \t`, and `\uXXXX`
//!   (lower-case hex) for every other character outside `' '..='~'`, astral
//!   ones as a surrogate pair;
//! - integers of any size as written (`-0` is `0`);
//! - floats as Python's `repr`: the shortest round-trip digits, fixed
//!   notation for 1e-4 <= |x| < 1e16 (`100.0`, `0.0001`), otherwise
//!   scientific with a signed two-digit exponent (`1e-05`, `1e+16`), and
//!   `Infinity` for a literal too large for a double.
//!
//! The text is read into a [`Node`] tree, not a `serde_json::Value`: its
//! strings are borrowed from the text where they hold no escape and its
//! objects are sorted vectors, so reading an artifact allocates little
//! (this is most of what `gate evaluate` does beyond starting).

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;
use sha2::{Digest, Sha256};

use super::file::hex;

/// A JSON value as `json.load` gives it, for dumping.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    /// Sorted by key (bytes, which is code-point order), each key once.
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// Reads JSON text (serde_json's grammar, depth limit and errors).
    pub fn parse(text: &'a str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// What JSON calls its kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "boolean",
            Node::Number(_) => "number",
            Node::String(_) => "string",
            Node::Array(_) => "array",
            Node::Object(_) => "object",
        }
    }

    /// An object's member, if it is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        let Node::Object(pairs) = self else {
            return None;
        };
        pairs
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &pairs[i].1)
    }

    /// Removes an object's members named in `keys`.
    pub fn remove(&mut self, keys: &[&str]) {
        if let Node::Object(pairs) = self {
            pairs.retain(|(k, _)| !keys.contains(&k.as_ref()));
        }
    }
}

/// The token serde_json's `arbitrary_precision` wraps a number's text in.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A string borrowed from the text where it can be.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(b))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n.into()))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n.into()))
    }
    fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Node<'de>, E> {
        Number::from_f64(f)
            .map(Node::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        use serde::de::Error;
        let mut pairs: Vec<(Cow<'de, str>, Node<'de>)> = Vec::new();
        while let Some(Text(key)) = map.next_key::<Text>()? {
            if pairs.is_empty() && key == NUMBER_TOKEN {
                // A number, as `arbitrary_precision` hands it over (its text
                // as an owned String, which text read from a &str never
                // gives), or an object that merely has this key.
                match map.next_value::<TokenValue>()? {
                    TokenValue::Digits(digits) => {
                        return digits
                            .parse::<Number>()
                            .map(Node::Number)
                            .map_err(A::Error::custom)
                    }
                    TokenValue::Member(value) => pairs.push((key, value)),
                }
                continue;
            }
            pairs.push((key, map.next_value()?));
        }
        // Sorted as dumps writes them; of equal keys (a stable sort keeps
        // them in order) the last is kept, as json.load keeps it.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        // `dedup_by` keeps the first of a run: swapping each later pair
        // into the one kept keeps the last instead.
        pairs.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        Ok(Node::Object(pairs))
    }
}

/// What follows the number token: a number's digits, or the value of an
/// object member that happens to be named like the token.
enum TokenValue<'a> {
    Digits(String),
    Member(Node<'a>),
}

impl<'de> Deserialize<'de> for TokenValue<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TokenValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_string<E>(self, s: String) -> Result<TokenValue<'de>, E> {
                Ok(TokenValue::Digits(s))
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                s: &'de str,
            ) -> Result<TokenValue<'de>, E> {
                NodeVisitor.visit_borrowed_str(s).map(TokenValue::Member)
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<TokenValue<'de>, E> {
                NodeVisitor.visit_str(s).map(TokenValue::Member)
            }
            fn visit_unit<E>(self) -> Result<TokenValue<'de>, E> {
                Ok(TokenValue::Member(Node::Null))
            }
            fn visit_bool<E>(self, b: bool) -> Result<TokenValue<'de>, E> {
                Ok(TokenValue::Member(Node::Bool(b)))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<TokenValue<'de>, E> {
                NodeVisitor.visit_u64(n).map(TokenValue::Member)
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<TokenValue<'de>, E> {
                NodeVisitor.visit_i64(n).map(TokenValue::Member)
            }
            fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<TokenValue<'de>, E> {
                NodeVisitor.visit_f64(f).map(TokenValue::Member)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<TokenValue<'de>, A::Error> {
                NodeVisitor.visit_seq(seq).map(TokenValue::Member)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TokenValue<'de>, A::Error> {
                NodeVisitor.visit_map(map).map(TokenValue::Member)
            }
        }
        d.deserialize_any(V)
    }
}

/// `json.dumps(value, sort_keys=True)`.
pub fn dumps(value: &Node) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Hex sha256 of [`dumps`]: the identity hash. The dump is hashed as it
/// is written, a block at a time, so it is never held whole.
pub fn identity_hash(value: &Node) -> String {
    let mut out = Hashing {
        block: String::with_capacity(Hashing::BLOCK + 64),
        sha: Sha256::new(),
    };
    write_value(&mut out, value);
    out.sha.update(out.block.as_bytes());
    hex(&out.sha.finalize())
}

/// Where the dump is written: a string, or a hash fed a block at a time.
trait Out {
    fn push_str(&mut self, s: &str);
    fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }
}

impl Out for String {
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s);
    }
}

struct Hashing {
    block: String,
    sha: Sha256,
}

impl Hashing {
    const BLOCK: usize = 8192;

    /// Hashes the block, then takes `s`: the rare path, kept out of line
    /// so that the common one inlines where the dump is written.
    #[cold]
    #[inline(never)]
    fn spill(&mut self, s: &str) {
        self.sha.update(self.block.as_bytes());
        self.block.clear();
        if s.len() > Self::BLOCK {
            self.sha.update(s.as_bytes());
        } else {
            self.block.push_str(s);
        }
    }
}

impl Out for Hashing {
    #[inline]
    fn push_str(&mut self, s: &str) {
        if self.block.len() + s.len() > Self::BLOCK {
            self.spill(s);
        } else {
            self.block.push_str(s);
        }
    }
}

fn write_value(out: &mut impl Out, v: &Node) {
    match v {
        Node::Null => out.push_str("null"),
        Node::Bool(true) => out.push_str("true"),
        Node::Bool(false) => out.push_str("false"),
        Node::Number(n) => write_number(out, n),
        Node::String(s) => write_string(out, s),
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Node::Object(pairs) => {
            out.push('{');
            for (i, (k, item)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string(out, k);
                out.push_str(": ");
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut impl Out, s: &str) {
    out.push('"');
    // Printable ASCII other than `"` and `\\` is written as it is, a run at
    // a time; everything else is escaped as Python's json.dumps does.
    let mut i = 0;
    loop {
        // A run of ASCII ends on a character boundary.
        let run = plain_run(&s.as_bytes()[i..]);
        out.push_str(&s[i..i + run]);
        i += run;
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(unicode_escape(*unit, &mut [0; 6]));
                }
            }
        }
        i += c.len_utf8();
    }
    out.push('"');
}

/// Whether dumps writes the byte as it is: printable ASCII but `"` and `\\`.
fn plain(b: u8) -> bool {
    (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\'
}

/// How many bytes from the start of `b` are [`plain`], found eight at a
/// time: a word is passed over whole unless it holds a byte from 0x80 up
/// (its top bit), below 0x20, or equal to `"`, `\\` or 0x7f.
#[inline]
fn plain_run(b: &[u8]) -> usize {
    use crate::bytes::{below, equal, run};
    run(
        b,
        |w| w | equal(w, b'"') | equal(w, b'\\') | equal(w, 0x7f) | below(w, 0x20),
        plain,
    )
}

/// `\uXXXX`, lower-case hex, written into `buf`.
fn unicode_escape(unit: u16, buf: &mut [u8; 6]) -> &str {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf[..2].copy_from_slice(b"\\u");
    for (i, shift) in [12, 8, 4, 0].into_iter().enumerate() {
        buf[2 + i] = HEX[usize::from((unit >> shift) & 0xf)];
    }
    // Only ASCII was written.
    std::str::from_utf8(buf).unwrap_or_default()
}

fn write_number(out: &mut impl Out, n: &Number) {
    let text = n.as_str();
    if text.contains(['.', 'e', 'E']) {
        match text.parse::<f64>() {
            Ok(f) => out.push_str(&float_repr(f)),
            Err(_) => out.push_str(text),
        }
    } else if text.trim_start_matches('-').bytes().all(|b| b == b'0') {
        out.push('0');
    } else {
        out.push_str(text);
    }
}

/// Python's `repr(float)`.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits ("d.ddde-N"), but
    // where two shortest strings are equally near it may pick the upper one;
    // Python takes the correctly rounded one (ties to even). So: take the
    // shortest length, then format exactly at that length.
    let a = f.abs();
    let shortest = format!("{a:e}");
    let len = shortest
        .split('e')
        .next()
        .unwrap_or("")
        .bytes()
        .filter(u8::is_ascii_digit)
        .count();
    let exact = format!("{a:.*e}", len.saturating_sub(1));
    let sci = if exact.parse::<f64>() == Ok(a) {
        exact
    } else {
        shortest
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    // Python: decpt is where the decimal point falls after the first digit.
    let decpt = exp + 1;
    let body = if !(-4 < decpt && decpt <= 16) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let e = decpt - 1;
        format!(
            "{first}{frac}e{}{:02}",
            if e < 0 { '-' } else { '+' },
            e.abs()
        )
    } else if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if (decpt as usize) < digits.len() {
        let (int, frac) = digits.split_at(decpt as usize);
        format!("{int}.{frac}")
    } else {
        format!("{digits}{}.0", "0".repeat(decpt as usize - digits.len()))
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The word-at-a-time scan stops where a byte-at-a-time one does.
        #[test]
        fn plain_run_stops_at_the_first_byte_not_plain(
            b in proptest::collection::vec(proptest::prop_oneof![
                proptest::prelude::any::<u8>(),
                // Each side of every edge of the rule, and plain bytes.
                proptest::sample::select(&[0, 0x1f, b' ', b'!', b'"', b'#', b'[', b'\\', b']', b'a', b'~', 0x7f, 0x80, 0xff][..]),
            ], 0..40),
            pad in 0usize..20,
        ) {
            let b: Vec<u8> = std::iter::repeat_n(b'a', pad).chain(b).collect();
            let want = b.iter().position(|&c| !plain(c)).unwrap_or(b.len());
            proptest::prop_assert_eq!(plain_run(&b), want);
        }
    }

    fn dumps_str(json: &str) -> String {
        dumps(&Node::parse(json).unwrap())
    }

    #[test]
    fn floats_print_as_python_repr() {
        let cases = [
            (100.0, "100.0"),
            (1e-5, "1e-05"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.1, "0.1"),
            (1.5e16, "1.5e+16"),
            (123456789.125, "123456789.125"),
            (-2.5e-7, "-2.5e-07"),
            (1e100, "1e+100"),
            (0.30000000000000004, "0.30000000000000004"),
            (-0.0, "-0.0"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (12.0, "12.0"),
            // an exact tie between two 17-digit strings: Python rounds to even
            (1608882928643910.2, "1608882928643910.2"),
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(f), want, "{f}");
        }
    }

    #[test]
    fn numbers_strings_and_layout_match_json_dumps() {
        assert_eq!(
            dumps_str(
                r#"{"b": [1, 2.50, 1E2, -0, 123456789012345678901234567890], "a": {"y": null, "x": true}}"#
            ),
            r#"{"a": {"x": true, "y": null}, "b": [1, 2.5, 100.0, 0, 123456789012345678901234567890]}"#
        );
        assert_eq!(dumps_str(r#"{"e": {}, "l": []}"#), r#"{"e": {}, "l": []}"#);
        assert_eq!(dumps_str(r#"[1e400, -1e400]"#), "[Infinity, -Infinity]");
        assert_eq!(
            dumps_str(r#""naïve café — ok ✓ 😀 \u0001\u007f\"\\\n\t/""#),
            r#""na\u00efve caf\u00e9 \u2014 ok \u2713 \ud83d\ude00 \u0001\u007f\"\\\n\t/""#
        );
        // Keys sort by code point, not by their escaped form.
        assert_eq!(
            dumps_str(r#"{"é": 1, "z": 2, "A": 3}"#),
            r#"{"A": 3, "z": 2, "\u00e9": 1}"#
        );
    }

    #[test]
    fn duplicate_keys_keep_the_last_as_json_load_does() {
        // Python: json.dumps(json.loads('{"b": 1, "a": 2, "b": 3}'), sort_keys=True)
        assert_eq!(
            dumps_str(r#"{"b": 1, "a": 2, "b": 3, "a": {"x": 1, "x": [2]}}"#),
            r#"{"a": {"x": [2]}, "b": 3}"#
        );
        // A member named like serde_json's private number token is a member
        // (serde_json's own Value takes it for a number).
        assert_eq!(
            dumps_str(r#"{"x": {"$serde_json::private::Number": "12"}, "y": 12}"#),
            r#"{"x": {"$serde_json::private::Number": "12"}, "y": 12}"#
        );
        assert_eq!(
            dumps_str(r#"{"\u0024serde_json::private::Number": [1], "a": 1}"#),
            r#"{"$serde_json::private::Number": [1], "a": 1}"#
        );
        assert_eq!(
            dumps_str(r#"{"a": 1, "a": 2, "b": 0, "a": 3}"#),
            r#"{"a": 3, "b": 0}"#
        );
        // An escaped key is the same key as its plain spelling.
        assert_eq!(dumps_str(r#"{"\u0061": 1, "a": 2}"#), r#"{"a": 2}"#);
        let n = Node::parse(r#"{"k": "v", "z": null}"#).unwrap();
        assert_eq!(n.get("k"), Some(&Node::String("v".into())));
        assert_eq!((n.get("y"), n.kind()), (None, "object"));
    }

    #[test]
    fn reproduces_llm_release_governor_identity_hashes() {
        let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/locc");
        for (file, want) in [
            (
                "checks_pass.json",
                "b2ed6a1623fddc4e14359fda3d420c192e521a41b3d4503c57af3972a5cee1bf",
            ),
            (
                "checks_hold.json",
                "f91d4d207e159f2dfb0e8ee0ef938cc52997c80c3687e44444e19b1f49ad8e3c",
            ),
            (
                "checks_fail.json",
                "8d0f679503b2ba6d2596d0ba0f32d540d9f066e0339fbab6e5f1aad25f8754de",
            ),
            (
                "checks_pass_with_pii.json",
                "dbedd13029bf7f766ca086dd9f23ea3ba370aa3462fae5071c14663dc4ded8d3",
            ),
            (
                "checks_unicode.json",
                "005de3b03563d5e6c36b43262c8f4f3ec36c4c207dbd8a114d7bf51319f10a70",
            ),
            // Python's json.dumps(json.load(f), sort_keys=True): the last
            // of duplicate keys, an escaped key equal to a plain one, 1e400.
            (
                "checks_duplicate_keys.json",
                "149e087e378461948cac9aa1bad03b72742e0cd329dd4452ad54e603888263d7",
            ),
        ] {
            let text = std::fs::read_to_string(samples.join(file)).unwrap();
            let v = Node::parse(&text).unwrap();
            assert_eq!(identity_hash(&v), want, "{file}");
        }
    }

    /// The hash is fed in blocks: a dump longer than one block, with a
    /// string longer than a block and escapes across a block's edge,
    /// hashes as its whole text does.
    #[test]
    fn identity_hash_in_blocks_is_the_hash_of_the_whole_dump() {
        let long = "x".repeat(3 * Hashing::BLOCK);
        let items: Vec<serde_json::Value> = (0..2000)
            .map(|i| serde_json::json!({"name": format!("é{i}\n"), "n": i, "f": 0.5}))
            .collect();
        let text = serde_json::json!({"items": items, "long": long}).to_string();
        let v = Node::parse(&text).unwrap();
        let dump = dumps(&v);
        assert!(dump.len() > 5 * Hashing::BLOCK);
        assert_eq!(identity_hash(&v), hex(&Sha256::digest(dump.as_bytes())));
    }
}
