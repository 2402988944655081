//! The identity hash: Python's `json.dumps(sort_keys=True)` of any JSON
//! value, which must itself parse back as JSON (but for Infinity, which
//! Python writes for a float literal too large for a double), dump again
//! to the same text, and keep the keys serde_json's own map keeps.
#![no_main]

use gate::inputs::pyjson::{self, Node};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else { return };
    let node = Node::parse(text).expect("what serde_json reads, Node reads");
    let dumped = pyjson::dumps(&node);
    if !dumped.contains("Infinity") && !dumped.contains("NaN") {
        serde_json::from_str::<serde_json::Value>(&dumped).expect("dumps writes JSON");
        let again = Node::parse(&dumped).expect("dumps writes JSON");
        assert_eq!(pyjson::dumps(&again), dumped, "a dump dumps to itself");
    }
    if let (Some(map), Node::Object(pairs)) = (v.as_object(), &node) {
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_ref()).collect();
        let want: Vec<&str> = map.keys().map(String::as_str).collect();
        assert_eq!(keys, want, "the same keys, once each, in the same order");
    }
    let whole = gate::audit::keys::sha256(&[dumped.as_bytes()]);
    assert_eq!(pyjson::identity_hash(&node), whole, "the hash of the dump");
    let canon = gate::canonical::to_string(&v);
    serde_json::from_str::<serde_json::Value>(&canon).expect("canonical JSON is JSON");
});
