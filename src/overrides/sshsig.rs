//! One signed approval: an OpenSSH SSHSIG signature (`PROTOCOL.sshsig`)
//! over an override's payload in the namespace `gate-override`, checked
//! against allowed_signers as `ssh-keygen -Y verify -n gate-override -I
//! PRINCIPAL` checks it, in process: CI needs only the public keys.
//!
//! The signature is taken apart here (armour, envelope) so that one made
//! with an OpenSSH user certificate can be checked too; the keys, the
//! certificates and the signature arithmetic are ssh-key's, but for RSA
//! keys, verified by the rsa crate directly up to OpenSSH's 16384 bits
//! (ssh-key 0.6 stops at 4096).

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;
use ssh_encoding::base64::{Base64, Encoding};
use ssh_encoding::Decode;
use ssh_key::certificate::CertType;
use ssh_key::public::KeyData;
use ssh_key::{Algorithm, Certificate, HashAlg, PublicKey, Signature, SshSig};

use crate::inputs::allowed_signers::{match_list, Signer};

/// The namespace approvals are signed in (`ssh-keygen -Y sign -n`).
pub const NAMESPACE: &str = "gate-override";

/// The largest armoured signature read: an RSA-16384 certificate's
/// signature is under 8 KiB.
pub const MAX_SIGNATURE_BYTES: usize = 64 * 1024;

/// The bytes an approval signs: the override's canonical JSON without its
/// `approvals` and `signature` members, as written, no trailing newline.
pub fn payload(value: &Value) -> String {
    let mut body = value.clone();
    if let Some(obj) = body.as_object_mut() {
        obj.remove("approvals");
        obj.remove("signature");
    }
    crate::canonical::to_string(&body)
}

/// Why a signed approval does not count (the names of the decision JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalFailure {
    /// No `sshsig`: a name alone, where signatures are required.
    Unsigned,
    /// `by` holds hidden characters or mixes scripts.
    InvalidName,
    /// The SSHSIG cannot be decoded.
    BadSignature,
    /// No line lists its key (or its certificate's CA).
    UnknownKey,
    /// The key's lines do not list `by` (or its certificate does not).
    PrincipalMismatch,
    /// Signed in another namespace, or the line's `namespaces=` excludes
    /// gate-override.
    Namespace,
    KeyNotYetValid,
    KeyExpired,
    /// A listed key's well-formed signature that does not verify over the
    /// current payload: a field was edited after signing.
    PayloadChanged,
    SelfApproval,
    /// The same principal twice, or the same key under two principals.
    DuplicateApprover,
    /// An RSA key under 2048 bits, which gate does not count (OpenSSH
    /// accepts 1024 and more), or over the 16384 OpenSSH reads.
    UnsupportedKey,
}

impl ApprovalFailure {
    /// In words, for text reports.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Unsigned => "no SSH signature (a name alone counts for nothing here)",
            Self::InvalidName => "the name holds hidden characters or mixes scripts",
            Self::BadSignature => "the SSH signature cannot be decoded",
            Self::UnknownKey => "its key is not in allowed_signers",
            Self::PrincipalMismatch => "allowed_signers does not list its key for this principal",
            Self::Namespace => "not signed for the gate-override namespace",
            Self::KeyNotYetValid => "its key is not valid yet",
            Self::KeyExpired => "its key has expired",
            Self::PayloadChanged => "the signature does not match the file (edited after signing?)",
            Self::SelfApproval => "the requester or the commit's author cannot approve",
            Self::DuplicateApprover => "the same person or key approved twice",
            Self::UnsupportedKey => "an RSA key under 2048 bits (too weak) or over 16384",
        }
    }
}

/// An SSHSIG taken apart.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The key that signed (a certificate's own key, for a certificate).
    pub key: KeyData,
    pub cert: Option<Certificate>,
    pub namespace: String,
    hash_alg: HashAlg,
    signature: Signature,
}

impl Decoded {
    /// The signing key's fingerprint as ssh-keygen prints it (`SHA256:…`).
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(HashAlg::Sha256).to_string()
    }

    /// Why gate does not count this key, if it does not: RSA keys under
    /// 2048 bits (OpenSSH verifies from 1024) or over OpenSSH's 16384.
    pub fn unsupported(&self) -> Option<String> {
        let KeyData::Rsa(k) = &self.key else {
            return None;
        };
        let bits = rsa_bits(k);
        (!(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits)).then(|| {
            format!("an RSA key of {bits} bits; gate counts RSA keys of {MIN_RSA_BITS} to {MAX_RSA_BITS} bits (use ed25519)")
        })
    }

    /// Whether the signature verifies over `msg` in its namespace.
    pub fn verifies(&self, msg: &[u8]) -> bool {
        if let KeyData::Rsa(k) = &self.key {
            return SshSig::signed_data(&self.namespace, self.hash_alg, msg)
                .is_ok_and(|signed| rsa_verifies(k, &signed, &self.signature));
        }
        let Ok(sig) = SshSig::new(
            self.key.clone(),
            self.namespace.clone(),
            self.hash_alg,
            self.signature.clone(),
        ) else {
            return false;
        };
        PublicKey::from(self.key.clone())
            .verify(&self.namespace, msg, &sig)
            .is_ok()
    }
}

/// The smallest RSA modulus an approval counts with.
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus OpenSSH reads.
pub const MAX_RSA_BITS: usize = 16384;

fn rsa_bits(k: &ssh_key::public::RsaPublicKey) -> usize {
    let n = k.n.as_positive_bytes().unwrap_or_default();
    (n.len() * 8).saturating_sub(n.first().map_or(8, |b| b.leading_zeros() as usize))
}

/// An rsa-sha2-256 or rsa-sha2-512 signature over `signed`, as OpenSSH's
/// `ssh_rsa_verify` checks it: PKCS #1 v1.5, a signature shorter than the
/// modulus left-padded with zeros, a longer one refused.
fn rsa_verifies(k: &ssh_key::public::RsaPublicKey, signed: &[u8], sig: &Signature) -> bool {
    use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
    use sha2::{Digest, Sha256, Sha512};
    let Algorithm::Rsa { hash: Some(hash) } = sig.algorithm() else {
        return false;
    };
    let big = |m: &ssh_key::Mpint| m.as_positive_bytes().map(BigUint::from_bytes_be);
    let (Some(n), Some(e)) = (big(&k.n), big(&k.e)) else {
        return false;
    };
    if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&rsa_bits(k)) {
        return false;
    }
    let Ok(key) = RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS) else {
        return false;
    };
    let size = rsa::traits::PublicKeyParts::size(&key);
    let raw = sig.as_bytes();
    if raw.len() > size {
        return false;
    }
    let mut padded = vec![0u8; size - raw.len()];
    padded.extend_from_slice(raw);
    match hash {
        HashAlg::Sha256 => key.verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(signed),
            &padded,
        ),
        HashAlg::Sha512 => key.verify(
            Pkcs1v15Sign::new::<Sha512>(),
            &Sha512::digest(signed),
            &padded,
        ),
        _ => return false,
    }
    .is_ok()
}

/// Takes an armoured SSHSIG apart: `-----BEGIN SSH SIGNATURE-----`, base64
/// (any wrapping), `-----END SSH SIGNATURE-----`; the envelope's magic,
/// version 1, key (or certificate, whose CA signature must verify),
/// namespace, hash (sha256 or sha512) and signature. ssh-rsa (SHA-1)
/// signatures are refused, as ssh-keygen refuses them.
pub fn decode(armoured: &str) -> Result<Decoded, String> {
    if armoured.len() > MAX_SIGNATURE_BYTES {
        return Err(format!("over {MAX_SIGNATURE_BYTES} bytes"));
    }
    let body = armoured
        .trim()
        .strip_prefix("-----BEGIN SSH SIGNATURE-----")
        .and_then(|b| b.strip_suffix("-----END SSH SIGNATURE-----"))
        .ok_or(
            "not an SSH signature (-----BEGIN SSH SIGNATURE----- … -----END SSH SIGNATURE-----)",
        )?;
    let b64: String = body.split_ascii_whitespace().collect();
    let bytes = Base64::decode_vec(&b64).map_err(|_| "its body is not base64".to_string())?;
    let mut r: &[u8] = &bytes;
    let wire = |e: ssh_encoding::Error| format!("malformed SSHSIG ({e})");
    let mut magic = [0u8; 6];
    ssh_encoding::Reader::read(&mut r, &mut magic).map_err(wire)?;
    if &magic != b"SSHSIG" {
        return Err("malformed SSHSIG (no SSHSIG preamble)".into());
    }
    let version = u32::decode(&mut r).map_err(wire)?;
    if version != 1 {
        return Err(format!("SSHSIG version {version}; only version 1 exists"));
    }
    let key_blob = Vec::<u8>::decode(&mut r).map_err(wire)?;
    let namespace = String::decode(&mut r).map_err(wire)?;
    let _reserved = Vec::<u8>::decode(&mut r).map_err(wire)?;
    let hash = String::decode(&mut r).map_err(wire)?;
    let sig_blob = Vec::<u8>::decode(&mut r).map_err(wire)?;
    if !r.is_empty() {
        return Err(format!("{} bytes after the SSHSIG", r.len()));
    }
    if namespace.is_empty() {
        return Err("the SSHSIG's namespace is empty".into());
    }
    let hash_alg = match hash.as_str() {
        "sha256" => HashAlg::Sha256,
        "sha512" => HashAlg::Sha512,
        other => {
            return Err(format!(
                "hash `{}`; expected sha256 or sha512",
                other.escape_debug()
            ))
        }
    };
    let (key, cert) = signing_key(&key_blob)?;
    let signature = Signature::decode(&mut sig_blob.as_slice())
        .map_err(|e| format!("malformed signature ({e})"))?;
    if signature.algorithm() == (Algorithm::Rsa { hash: None }) {
        return Err("an ssh-rsa (SHA-1) signature; sign with rsa-sha2-256 or rsa-sha2-512".into());
    }
    Ok(Decoded {
        key,
        cert,
        namespace,
        hash_alg,
        signature,
    })
}

/// The key of an SSHSIG's key blob: a public key, or a certificate's key
/// (with the certificate, whose CA's signature must hold).
fn signing_key(blob: &[u8]) -> Result<(KeyData, Option<Certificate>), String> {
    let kind = String::decode(&mut &blob[..]).map_err(|e| format!("malformed key ({e})"))?;
    if kind.ends_with("-cert-v01@openssh.com") {
        let cert =
            Certificate::from_bytes(blob).map_err(|e| format!("malformed certificate ({e})"))?;
        if let KeyData::Rsa(ca) = cert.signature_key() {
            let bits = rsa_bits(ca);
            if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
                return Err(format!("its certificate's CA is an RSA key of {bits} bits; gate counts RSA keys of {MIN_RSA_BITS} to {MAX_RSA_BITS} bits"));
            }
        }
        if !ca_signature_holds(&cert, blob) {
            return Err("its certificate's CA signature does not verify".to_string());
        }
        return Ok((cert.public_key().clone(), Some(cert)));
    }
    let key = KeyData::decode(&mut &blob[..]).map_err(|e| format!("malformed key ({e})"))?;
    if matches!(key, KeyData::Other(_)) {
        return Err(format!("unsupported key type `{}`", kind.escape_debug()));
    }
    Ok((key, None))
}

/// Whether the CA's signature on a certificate holds: ssh-key's check, but
/// for an RSA CA, whose signature over the certificate's bytes before it
/// (its last string) is checked as any RSA signature is, up to 16384 bits.
fn ca_signature_holds(cert: &Certificate, blob: &[u8]) -> bool {
    use ssh_encoding::Encode;
    let KeyData::Rsa(ca) = cert.signature_key() else {
        return cert.verify_signature().is_ok();
    };
    let Ok(len) = cert.signature().encoded_len() else {
        return false;
    };
    let Some(signed) = blob.len().checked_sub(len + 4) else {
        return false;
    };
    let prefix = u32::try_from(len).map(u32::to_be_bytes);
    prefix.is_ok_and(|p| blob[signed..signed + 4] == p)
        && rsa_verifies(ca, &blob[..signed], cert.signature())
}

/// A signature that verified, by a key allowed_signers lists for `by`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The allowed_signers line that admitted it.
    pub line: usize,
}

/// Checks a decoded signature for `by` over `payload` at `now`, in the
/// order its failures are told: namespace, key listed, the signature
/// itself, principal, the line's namespaces, validity.
pub fn check(
    d: &Decoded,
    by: &str,
    payload: &[u8],
    signers: &[Signer],
    now: Timestamp,
) -> Result<Accepted, ApprovalFailure> {
    if d.namespace != NAMESPACE {
        return Err(ApprovalFailure::Namespace);
    }
    // A certificate is judged by its CA's lines; a plain key by its own.
    let listing: Vec<&Signer> = match &d.cert {
        Some(c) => signers
            .iter()
            .filter(|s| s.cert_authority && &s.key == c.signature_key())
            .collect(),
        None => signers
            .iter()
            .filter(|s| !s.cert_authority && s.key == d.key)
            .collect(),
    };
    if listing.is_empty() {
        return Err(ApprovalFailure::UnknownKey);
    }
    if d.unsupported().is_some() {
        return Err(ApprovalFailure::UnsupportedKey);
    }
    if !d.verifies(payload) {
        return Err(ApprovalFailure::PayloadChanged);
    }
    if let Some(c) = &d.cert {
        let named = c.valid_principals().iter().any(|p| p == by);
        if c.cert_type() != CertType::User || !named {
            return Err(ApprovalFailure::PrincipalMismatch);
        }
    }
    // As ssh-keygen, every line that lists the key for `by` is tried: the
    // first that admits it wins; if none does, the first one's reason.
    let mut first = None;
    for line in listing.into_iter().filter(|s| s.lists(by)) {
        let namespace_ok = line
            .namespaces
            .as_deref()
            .is_none_or(|n| match_list(NAMESPACE, n));
        let verdict = if namespace_ok {
            valid_at(line, d.cert.as_ref(), now)
        } else {
            Err(ApprovalFailure::Namespace)
        };
        match verdict {
            Ok(()) => return Ok(Accepted { line: line.line }),
            Err(f) => {
                first.get_or_insert(f);
            }
        }
    }
    Err(first.unwrap_or(ApprovalFailure::PrincipalMismatch))
}

/// The line's `valid-after`/`valid-before` and the certificate's validity
/// at `now`.
fn valid_at(
    line: &Signer,
    cert: Option<&Certificate>,
    now: Timestamp,
) -> Result<(), ApprovalFailure> {
    if line.valid_after.is_some_and(|t| now < t) {
        return Err(ApprovalFailure::KeyNotYetValid);
    }
    if line.valid_before.is_some_and(|t| now > t) {
        return Err(ApprovalFailure::KeyExpired);
    }
    if let Some(c) = cert {
        let secs = u64::try_from(now.as_second()).unwrap_or(0);
        if secs < c.valid_after() {
            return Err(ApprovalFailure::KeyNotYetValid);
        }
        if secs >= c.valid_before() {
            return Err(ApprovalFailure::KeyExpired);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::allowed_signers::{parse, Zone};

    fn fixture(name: &str) -> String {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/ssh")
            .join(name);
        std::fs::read_to_string(p).unwrap()
    }

    /// allowed_signers of one line: `head` (principals and options), then
    /// the key of a fixture's `.pub` file.
    fn listed(head: &str, public: &str) -> Vec<Signer> {
        let key: Vec<String> = fixture(public)
            .split_whitespace()
            .take(2)
            .map(String::from)
            .collect();
        let line = format!("{head} {}\n", key.join(" "));
        parse(std::path::Path::new("s"), &line, &Zone::utc()).unwrap()
    }

    /// A certificate from an 8192-bit RSA CA, which ssh-keygen accepts
    /// (fixtures/ssh/README.md) and ssh-key 0.6 alone could not check.
    #[test]
    fn certificates_from_an_rsa_ca_over_4096_bits_count() {
        let d = decode(&fixture("cert-from-rsa8192-ca-over-payload.sig")).unwrap();
        assert!(d.cert.is_some());
        let signers = listed("*@example.com cert-authority", "ca-rsa8192.pub");
        let now = Timestamp::from_second(1_795_000_000).unwrap();
        assert_eq!(
            check(&d, "carol@example.com", b"payload\n", &signers, now).map(|a| a.line),
            Ok(1)
        );
        // The CA's signature covers the certificate: one letter of it
        // changed (the key id, `carol`) and it is refused.
        let armoured = fixture("cert-from-rsa8192-ca-over-payload.sig");
        let b64: String = armoured
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let mut bytes = Base64::decode_vec(&b64).unwrap();
        let at = bytes
            .windows(5)
            .position(|w| w == b"carol")
            .expect("the key id is in the certificate");
        bytes[at] ^= 0x20;
        let forged = format!(
            "-----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n",
            Base64::encode_string(&bytes)
        );
        assert_eq!(
            decode(&forged).unwrap_err(),
            "its certificate's CA signature does not verify"
        );
    }

    #[test]
    fn rsa_keys_outside_2048_to_16384_bits_are_unsupported() {
        let mut d = decode(&fixture("rsa8192-over-payload.sig")).unwrap();
        let KeyData::Rsa(k) = &d.key else {
            panic!("an RSA key")
        };
        let e = k.e.clone();
        // A modulus whose first byte is 1: 8 * (bytes - 1) + 1 bits.
        for (bytes, bits) in [(128, 1017), (2049, 16385)] {
            let mut n = vec![0xffu8; bytes];
            n[0] = 1;
            let n = ssh_key::Mpint::from_positive_bytes(&n).unwrap();
            d.key = KeyData::Rsa(ssh_key::public::RsaPublicKey { e: e.clone(), n });
            let why = d.unsupported().expect("unsupported");
            assert!(why.contains(&format!("{bits} bits")), "{why}");
        }
    }

    #[test]
    fn rsa_keys_over_4096_bits_count_as_openssh_counts_them() {
        // ssh-key 0.6 refuses RSA moduli over 4096 bits; OpenSSH signs and
        // verifies up to 16384.
        let d = decode(&fixture("rsa8192-over-payload.sig")).unwrap();
        assert_eq!(d.unsupported(), None);
        let signers = listed("big@example.com", "rsa8192.pub");
        let now = Timestamp::from_second(1_795_000_000).unwrap();
        assert_eq!(
            check(&d, "big@example.com", b"payload\n", &signers, now).map(|a| a.line),
            Ok(1)
        );
        assert_eq!(
            check(&d, "big@example.com", b"payload changed\n", &signers, now),
            Err(ApprovalFailure::PayloadChanged)
        );
    }
}
