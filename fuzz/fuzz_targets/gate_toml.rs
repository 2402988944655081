//! gate.toml: parse, validate every environment, look each one up.
#![no_main]

use std::path::Path;

use gate::inputs::config::ConfigFile;
use gate::policy::{Catalog, Policies};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(config) = ConfigFile::parse(Path::new("gate.toml"), text, String::new()) else { return };
    let catalog = Catalog::new(&config);
    if let Ok(p) = Policies::from_config(&config, &catalog) {
        let names: Vec<String> = p.names().map(String::from).collect();
        for n in names {
            let env = p.get(&n).expect("a listed environment exists");
            let _ = env.requires("pii");
        }
        let _ = p.get("no-such-env");
    }
    let _ = (config.changelog(), config.overrides_dir(), config.audit_log(), config.attestations());
});
