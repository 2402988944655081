//! People's names (approvers, requesters, attesters): parsing never panics,
//! an accepted name is the same person as itself, and "the same person" is
//! symmetric. The input is two names separated by a NUL byte.
#![no_main]

use gate::identity::Identity;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_once('\0').unwrap_or((text, ""));
    let (ia, ib) = (Identity::parse(a), Identity::parse(b));
    if let Ok(i) = &ia {
        assert!(i.is_empty() || i.same_person(i), "{a:?} is not itself");
        assert!(!i.shown.chars().any(char::is_control), "{a:?} kept a control character");
    }
    if let (Ok(x), Ok(y)) = (&ia, &ib) {
        assert_eq!(x.same_person(y), y.same_person(x), "{a:?} / {b:?}");
    }
    let barred = Identity::barred(a);
    if let Ok(i) = &ia {
        assert_eq!(&barred, i, "parse and barred disagree on an accepted name");
    }
});
