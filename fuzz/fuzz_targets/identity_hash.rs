//! The identity hash: Python's `json.dumps(sort_keys=True)` of any JSON
//! value, which must itself parse back as JSON (but for Infinity, which
//! Python writes for a float literal too large for a double).
#![no_main]

use gate::inputs::pyjson;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let dumped = pyjson::dumps(&v);
    if !dumped.contains("Infinity") && !dumped.contains("NaN") {
        serde_json::from_str::<serde_json::Value>(&dumped).expect("dumps writes JSON");
    }
    assert_eq!(pyjson::identity_hash(&v, data.len()).len(), 64);
    let canon = gate::canonical::to_string(&v);
    serde_json::from_str::<serde_json::Value>(&canon).expect("canonical JSON is JSON");
});
