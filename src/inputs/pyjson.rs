//! Python's `json.dumps(obj, sort_keys=True)`, byte for byte, and the
//! identity hash built on it.
//!
//! llm-release-governor identifies an artifact by
//! `sha256(json.dumps(artifact, sort_keys=True).encode())`; override files
//! carry that hash, so gate must print every value exactly as Python does
//! after `json.load`:
//!
//! - separators `", "` and `": "`; keys sorted by code point;
//! - strings ASCII-only: `\"`, `\\`, `\b \f \n \r \t`, and `\uXXXX`
//!   (lower-case hex) for every other character outside `' '..='~'`, astral
//!   ones as a surrogate pair;
//! - integers of any size as written (`-0` is `0`);
//! - floats as Python's `repr`: the shortest round-trip digits, fixed
//!   notation for 1e-4 <= |x| < 1e16 (`100.0`, `0.0001`), otherwise
//!   scientific with a signed two-digit exponent (`1e-05`, `1e+16`), and
//!   `Infinity` for a literal too large for a double.

use std::fmt::Write;

use serde_json::{Number, Value};
use sha2::{Digest, Sha256};

use super::file::hex;

/// `json.dumps(value, sort_keys=True)`.
pub fn dumps(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Hex sha256 of [`dumps`]: the identity hash.
/// `size` is a guess at the length of the dump (the source text's is a good
/// one), so it is written without regrowing.
pub fn identity_hash(value: &Value, size: usize) -> String {
    let mut out = String::with_capacity(size);
    write_value(&mut out, value);
    hex(&Sha256::digest(out.as_bytes()))
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // serde_json's map is ordered by key bytes: UTF-8 byte order is
            // code-point order, which is how Python sorts str keys.
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
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

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    // Printable ASCII other than `"` and `\\` is written as it is, a run at
    // a time; everything else is escaped as Python's json.dumps does.
    let bytes = s.as_bytes();
    let (mut i, mut plain) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(&s[plain..i]);
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
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
        i += c.len_utf8();
        plain = i;
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

fn write_number(out: &mut String, n: &Number) {
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

    fn dumps_str(json: &str) -> String {
        dumps(&serde_json::from_str(json).unwrap())
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
        ] {
            let text = std::fs::read_to_string(samples.join(file)).unwrap();
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(identity_hash(&v, 0), want, "{file}");
        }
    }
}
