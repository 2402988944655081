//! Override signatures: HMAC-SHA256, under the raw UTF-8 bytes of
//! `$GATE_OVERRIDE_KEY`, over the canonical JSON ([`crate::canonical`]) of
//! the override without its `signature` field, written as
//! `"signature": "hmac-sha256:<hex>"`.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::inputs::file::hex;

/// The signature's prefix.
pub const PREFIX: &str = "hmac-sha256:";

fn mac(key: &[u8], value: &Value) -> Hmac<Sha256> {
    let mut body = value.clone();
    if let Some(obj) = body.as_object_mut() {
        obj.remove("signature");
    }
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(crate::canonical::to_string(&body).as_bytes());
    mac
}

/// The signature of an override's JSON.
pub fn sign(key: &[u8], value: &Value) -> String {
    format!("{PREFIX}{}", hex(&mac(key, value).finalize().into_bytes()))
}

/// Whether `signature` is right for `value` (compared in constant time).
pub fn verify(key: &[u8], value: &Value, signature: &str) -> bool {
    let Some(hexsig) = signature.strip_prefix(PREFIX) else {
        return false;
    };
    let Some(bytes) = unhex(hexsig) else {
        return false;
    };
    mac(key, value).verify_slice(&bytes).is_ok()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_then_verify_and_tamper() {
        let mut v: Value = serde_json::json!({"approved_by": "alice", "scope": "prod"});
        let sig = sign(b"k1", &v);
        assert!(sig.starts_with(PREFIX) && sig.len() == PREFIX.len() + 64);
        v["signature"] = Value::String(sig.clone());
        assert!(
            verify(b"k1", &v, &sig),
            "the signature field itself is not signed"
        );
        assert!(!verify(b"k2", &v, &sig), "another key");
        v["scope"] = Value::String("staging".into());
        assert!(!verify(b"k1", &v, &sig), "a changed field");
        assert!(!verify(b"k1", &v, "hmac-sha256:zz"));
        assert!(!verify(b"k1", &v, "sha1:00"));
    }
}
