//! Lock files: Cargo.lock, uv.lock, poetry.lock, package-lock.json,
//! pnpm-lock.yaml and yarn.lock (the first byte picks the format): parsing never panics, and every locked
//! name is normalised (PEP 503 names have no `_`, `.` or capitals).
#![no_main]

use std::path::Path;

use gate::inputs::lockfile::{parse, LockKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let kind = match pick % 6 {
        0 => LockKind::Cargo,
        1 => LockKind::Uv,
        2 => LockKind::Poetry,
        3 => LockKind::NpmPackageLock,
        4 => LockKind::Pnpm,
        _ => LockKind::Yarn,
    };
    if let Ok(locked) = parse(kind, Path::new(kind.file()), text) {
        if matches!(kind, LockKind::Uv | LockKind::Poetry) {
            for name in locked.keys() {
                assert!(!name.contains(['_', '.']), "{name:?} is not normalised");
                assert_eq!(name, &name.to_lowercase());
            }
        }
    }
});
