//! locc artifacts: parse, then judge leakage in every built-in environment.
#![no_main]

use std::path::Path;

use gate::findings::leakage;
use gate::inputs::config::ConfigFile;
use gate::inputs::locc::LoccArtifact;
use gate::policy::{Catalog, Policies};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(artifact) = LoccArtifact::parse(Path::new("a.json"), "a.json".into(), text, String::new()) else { return };
    assert_eq!(artifact.identity_hash.len(), 64);
    let config = ConfigFile::builtin();
    let policies = Policies::from_config(&config, &Catalog::new(&config)).expect("built-in policies are valid");
    for env in ["staging", "preprod", "prod"] {
        let findings = leakage::judge(&artifact, &policies.get(env).expect("built in").locc_rule());
        assert_eq!(findings.len(), 3);
    }
});
