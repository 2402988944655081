//! Changelog headings: reading never panics, every heading's line is within
//! the text, and a version a heading names compares equal to itself.
#![no_main]

use gate::inputs::changelog::headings;
use gate::inputs::version::same;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lines = text.lines().count();
    for h in headings(text) {
        assert!(h.line >= 1 && h.line <= lines, "line {} of {lines}", h.line);
        if let Some(v) = &h.version {
            assert!(same(v, v), "{v:?} is not itself");
        }
    }
});
