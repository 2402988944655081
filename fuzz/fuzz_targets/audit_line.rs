//! Audit lines: the raw-byte parser, and the tail check built on it. A line
//! that parses has a hashed body that is itself canonical JSON without
//! `hash`.
#![no_main]

use gate::audit::file::check_line;
use gate::audit::keys::Keyring;
use gate::audit::line;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = check_line(data, &Keyring::new(Some(b"k"), &[]));
    if let Ok(l) = line::parse(data) {
        let body = l.body(data).concat();
        let v: serde_json::Value = serde_json::from_slice(&body).expect("the body is JSON");
        assert!(v.get("hash").is_none());
        assert_eq!(gate::canonical::to_string(&v).as_bytes(), &body[..], "the body is canonical");
    }
});
