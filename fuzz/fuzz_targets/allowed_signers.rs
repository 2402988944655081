//! allowed_signers: any text parses or is refused at a line and column,
//! and what parses can be matched against.
#![no_main]

use std::path::Path;

use gate::inputs::allowed_signers::{match_list, parse, Zone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lines = text.split('\n').count();
    match parse(Path::new("allowed_signers"), text, &Zone::utc()) {
        Ok(signers) => {
            for s in &signers {
                assert!(s.line >= 1 && s.line <= lines, "line {} of {lines}", s.line);
                let _ = s.lists("alice@example.com");
                let _ = s.literal_principals().count();
                if let Some(n) = &s.namespaces {
                    let _ = match_list("gate-override", n);
                }
            }
        }
        Err(e) => {
            let line = e.line.expect("every allowed_signers error names its line");
            assert!(line >= 1 && line <= lines, "line {line} of {lines}");
            assert!(e.column.is_some_and(|c| c >= 1), "{e}");
        }
    }
    // The patterns themselves, both ways round.
    if let Some((s, p)) = text.split_once('\n') {
        let _ = match_list(s, p);
    }
});
