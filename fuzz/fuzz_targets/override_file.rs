//! Override files: parse, validate against a staging decision, check the
//! signature.
#![no_main]

use std::path::Path;

use gate::inputs::config::ConfigFile;
use gate::inputs::override_file::{self, OverrideFile};
use gate::overrides::{self, sign, Context};
use gate::policy::{Catalog, Policies};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok((value, data)) = override_file::parse(Path::new("o.json"), text) else { return };
    let config = ConfigFile::builtin();
    let policies = Policies::from_config(&config, &Catalog::new(&config)).expect("built-in policies are valid");
    let o = OverrideFile { file: "o.json".into(), sha256: String::new(), value, data };
    let ctx = Context {
        env: policies.get("staging").expect("built in"),
        identity_hash: Some("dbedd13029bf7f766ca086dd9f23ea3ba370aa3462fae5071c14663dc4ded8d3"),
        release_commit: Some("0123456789abcdef0123456789abcdef01234567"),
        now: jiff::Timestamp::from_second(1_795_000_000).expect("a valid time"),
        to_lift: vec!["pii".into()],
        author: vec!["Bob".into(), "bob@example.com".into()],
        key: Some(b"key"),
        signers: None,
    };
    let _ = overrides::validate(&o, &ctx);
    let sig = sign::sign(b"key", &o.value);
    assert!(sign::verify(b"key", &o.value, &sig));
});
