//! Canonical JSON: object keys sorted by their UTF-8 bytes, no whitespace,
//! strings escaped only where JSON requires it (`"`, `\`, control
//! characters), non-ASCII written as is, numbers as their literal text.
//!
//! One value has exactly one canonical form, so its bytes can be signed
//! (override files) or chained (the audit log) and checked by anyone.

use serde_json::Value;

/// The canonical form of `value`.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value);
    out
}

fn write(out: &mut String, v: &Value) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, k);
                out.push(':');
                write(out, item);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, item);
            }
            out.push(']');
        }
        Value::String(s) => string(out, s),
        Value::Number(n) => out.push_str(n.as_str()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
    }
}

fn string(out: &mut String, s: &str) {
    use std::fmt::Write;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_compact_and_unescaped() {
        let v: Value = serde_json::from_str(
            r#"{"b": [1, 2.50, {"y": null, "x": true}], "a": "naïve \"q\"\n\u0001", "é": 1e5}"#,
        )
        .unwrap();
        assert_eq!(to_string(&v), "{\"a\":\"naïve \\\"q\\\"\\n\\u0001\",\"b\":[1,2.50,{\"x\":true,\"y\":null}],\"é\":1e+5}");
    }
}
