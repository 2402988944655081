//! SSHSIG decoding: any armoured text, and any envelope bytes armoured,
//! decode or are refused; what decodes is checked against an
//! allowed_signers that lists its key, without a panic.
#![no_main]

use std::path::Path;

use gate::inputs::allowed_signers::{parse, Zone};
use gate::overrides::sshsig::{check, decode};
use libfuzzer_sys::fuzz_target;
use ssh_encoding::base64::{Base64, Encoding};

fuzz_target!(|data: &[u8]| {
    let armoured = match std::str::from_utf8(data) {
        Ok(t) if t.contains("SSH SIGNATURE") => t.to_string(),
        _ => format!(
            "-----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n",
            Base64::encode_string(data)
        ),
    };
    let Ok(d) = decode(&armoured) else { return };
    let fp = d.fingerprint();
    assert!(fp.starts_with("SHA256:"), "{fp}");
    let _ = d.verifies(b"payload");
    let line = format!("* {}\n", ssh_key::PublicKey::from(d.key.clone()).to_openssh().unwrap_or_default());
    let signers = parse(Path::new("allowed_signers"), &line, &Zone::utc()).unwrap_or_default();
    let now = jiff::Timestamp::from_second(1_795_000_000).expect("a valid time");
    let _ = check(&d, "alice@example.com", b"payload", &signers, now);
});
