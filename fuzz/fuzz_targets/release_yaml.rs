//! release.yaml: parse against the default attestations, then judge them.
#![no_main]

use std::path::Path;

use gate::findings::attestations;
use gate::inputs::config::default_attestations;
use gate::inputs::manifest::ReleaseManifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let defs = default_attestations();
    let known: Vec<&str> = defs.iter().map(|d| d.id.as_str()).collect();
    if let Ok(m) = ReleaseManifest::parse(Path::new("release.yaml"), text, String::new(), &known) {
        for d in &defs {
            let _ = attestations::judge(d, &m);
        }
    }
});
