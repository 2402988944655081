//! Audit keys. With `$GATE_AUDIT_KEY` set, a line's `hash` is
//! HMAC-SHA256 under the key's raw bytes, and the line carries `alg`
//! (`hmac-sha256`) and `key_id` (a fingerprint of the key) inside the hashed
//! body, so keys can rotate: a log holding lines under several keys verifies
//! when every one of them is supplied (`$GATE_AUDIT_KEYRING`, a file with
//! one key per line, or `--keyring`).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::inputs::file::hex;

/// The `alg` of keyed lines.
pub const ALG: &str = "hmac-sha256";

/// One key and its fingerprint.
#[derive(Clone)]
pub struct Key {
    pub id: String,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", self.id) // never the key itself
    }
}

impl Key {
    pub fn new(bytes: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(b"gate-audit-key\0");
        h.update(bytes);
        Self {
            id: hex(&h.finalize()[..8]),
            bytes: bytes.to_vec(),
        }
    }

    /// The hash of a body under this key.
    pub fn mac(&self, parts: &[&[u8]]) -> String {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.bytes)
            .unwrap_or_else(|_| unreachable!("any key length"));
        for p in parts {
            m.update(p);
        }
        hex(&m.finalize().into_bytes())
    }
}

/// The plain hash of a body.
pub fn sha256(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex(&h.finalize())
}

/// The key lines are written with (if any) and every key lines may have been
/// written with.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    pub current: Option<Key>,
    pub all: Vec<Key>,
}

impl Keyring {
    /// From `$GATE_AUDIT_KEY` (its raw bytes) and the keys of a keyring
    /// file's text.
    pub fn new(current: Option<&[u8]>, others: &[String]) -> Self {
        let current = current.filter(|k| !k.is_empty()).map(Key::new);
        let mut all: Vec<Key> = current.iter().cloned().collect();
        for k in others.iter().filter(|k| !k.is_empty()) {
            let key = Key::new(k.as_bytes());
            if !all.iter().any(|a| a.id == key.id) {
                all.push(key);
            }
        }
        Self { current, all }
    }

    /// Keys from the lines of a keyring file (blank lines skipped).
    pub fn parse_file(text: &str) -> Vec<String> {
        text.lines()
            .map(|l| l.trim_end_matches('\r').to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// The same keys for verifying only: no current key, so an unkeyed
    /// tail checks out (for `gate audit adopt-key`, which keys such a log).
    pub fn verifying(&self) -> Keyring {
        Keyring {
            current: None,
            all: self.all.clone(),
        }
    }

    pub fn get(&self, id: &str) -> Option<&Key> {
        self.all.iter().find(|k| k.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let a = Key::new(b"k1");
        assert_eq!(a.id, Key::new(b"k1").id);
        assert_ne!(a.id, Key::new(b"k2").id);
        assert_eq!(a.id.len(), 16);
        assert_ne!(a.mac(&[b"x"]), Key::new(b"k2").mac(&[b"x"]));
        assert_eq!(a.mac(&[b"a", b"b"]), a.mac(&[b"ab"]));
        assert!(!format!("{a:?}").contains("k1"));
    }
}
