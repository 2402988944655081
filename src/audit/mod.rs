//! The audit log: one canonical JSON object per line, each chained to the
//! one before by `prev_hash`, each sealed by `hash`.

pub mod event;
pub mod file;
pub mod keys;
pub mod line;
pub mod verify;

#[cfg(test)]
mod golden {
    //! Golden vectors: an event, its canonical bytes and its hash, computed
    //! independently with Python (`json.dumps(sort_keys=True,
    //! separators=(",", ":"), ensure_ascii=False)`, `hashlib`, `hmac`), the
    //! rule llm-leash's `verify_chain` follows.

    use super::file::{seal, GENESIS};
    use super::keys::Keyring;
    use serde_json::{json, Map, Value};

    fn event() -> Map<String, Value> {
        let v = json!({
            "ts": "2026-11-21T08:00:00.000000Z", "event_type": "OVERRIDE_USED", "env": "staging",
            "decision": "ALLOW", "exit_code": 0, "actor": "alice", "leakage_types": ["pii"],
            "note": "naïve café — ✓ \"q\" \\ \n\t\u{1}", "override_file": null, "flag": true,
        });
        v.as_object().cloned().unwrap_or_default()
    }

    const BODY: &str = r#"{"actor":"alice","decision":"ALLOW","env":"staging","event_type":"OVERRIDE_USED","exit_code":0,"flag":true,"leakage_types":["pii"],"note":"naïve café — ✓ \"q\" \\ \n\t\u0001","override_file":null,"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","seq":0,"ts":"2026-11-21T08:00:00.000000Z"}"#;

    #[test]
    fn unkeyed_vector() {
        let (line, hash) = seal(event(), 0, GENESIS, &Keyring::default());
        assert_eq!(
            hash,
            "7f3a75375c92b3806537fbab19f749d70baed4af5fad574beea34ed180c8408d"
        );
        let parsed = super::line::parse(line.as_bytes()).unwrap();
        assert_eq!(parsed.body(line.as_bytes()).concat(), BODY.as_bytes());
        assert_eq!(parsed.hash, hash);
    }

    #[test]
    fn keyed_vector() {
        let keys = Keyring::new(Some("golden-key"), &[]);
        assert_eq!(keys.current.as_ref().unwrap().id, "e5ed1c20b2367e8e");
        let (_, hash) = seal(event(), 0, GENESIS, &keys);
        assert_eq!(
            hash,
            "b07eb8e07a0f87cb5e4e1257d3da4ea6d5d3b0f715db42a86fc417a935f7725b"
        );
    }
}
