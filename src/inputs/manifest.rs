//! release.yaml, the delivery-gate manifest: the release version, what people
//! attest, and what they mark not applicable.
//!
//! ```yaml
//! version: "1.2.3"
//! attestations:
//!   rollback_tested: {answer: true, by: "Jane Smith", evidence: "https://ci/jobs/456"}
//! not_applicable:
//!   feature_flags: "No feature flags in this release."
//! ```
//!
//! Unknown keys anywhere are errors with a did-you-mean. The attestation ids
//! are configurable (gate.toml), so they are checked during the parse through
//! a seed, and the error carries the parser's line and column.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::error::InputError;
use super::suggest::hint;
use super::yaml;

/// release.yaml, parsed and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseManifest {
    /// The file as named on the command line or found in the repository.
    pub path: PathBuf,
    /// The file as reports name it: relative to the repository root when it
    /// lies inside it, else as given.
    pub file: String,
    /// Hex sha256 of the file's bytes.
    pub sha256: String,
    /// The release version, exactly as written.
    pub version: String,
    /// Attestations in file order, each with the line of its key.
    pub attestations: Vec<AttestationEntry>,
    /// `not_applicable` entries in file order: key, reason, line.
    pub not_applicable: Vec<NotApplicable>,
}

/// One entry under `attestations`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttestationEntry {
    pub id: String,
    pub line: Option<usize>,
    pub attestation: Attestation,
}

/// One entry under `not_applicable`.
#[derive(Debug, Clone, PartialEq)]
pub struct NotApplicable {
    pub id: String,
    pub reason: String,
    pub line: Option<usize>,
}

/// What a person claimed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// `true` only if the thing was done.
    pub answer: Option<bool>,
    /// Who attests. Required for a PASS.
    pub by: Option<String>,
    /// A link or note backing the claim.
    pub evidence: Option<String>,
}

impl ReleaseManifest {
    /// Parses release.yaml. `known_attestations` lists the attestation ids
    /// the configuration defines; any other key under `attestations` is an
    /// error.
    pub fn parse(
        path: &Path,
        text: &str,
        sha256: String,
        known_attestations: &[&str],
    ) -> Result<Self, InputError> {
        let raw = yaml::from_str_seed(
            path,
            text,
            ManifestSeed {
                known: known_attestations,
            },
        )?;
        let version = raw.version.ok_or_else(|| {
            InputError::file(
                path,
                "missing key `version` (the release version, e.g. version: \"1.2.3\")",
            )
        })?;
        let attestations: Vec<AttestationEntry> = raw
            .attestations
            .into_iter()
            .map(|(id, attestation)| AttestationEntry {
                line: key_line(text, &id),
                id,
                attestation,
            })
            .collect();
        let not_applicable: Vec<NotApplicable> = raw
            .not_applicable
            .into_iter()
            .map(|(id, reason)| NotApplicable {
                line: key_line(text, &id),
                id,
                reason,
            })
            .collect();
        for na in &not_applicable {
            if attestations.iter().any(|a| a.id == na.id) {
                let (line, column) = (na.line.unwrap_or(1), 1);
                return Err(InputError::at(
                    path,
                    line,
                    column,
                    format!(
                        "`{}` is both attested and marked not applicable; keep one",
                        na.id
                    ),
                ));
            }
        }
        let file = super::display(path);
        Ok(Self {
            path: path.to_path_buf(),
            file,
            sha256,
            version,
            attestations,
            not_applicable,
        })
    }

    /// The attestation for `id`, if the manifest has one.
    pub fn attestation(&self, id: &str) -> Option<&AttestationEntry> {
        self.attestations.iter().find(|a| a.id == id)
    }

    /// The not-applicable entry for `id`, if the manifest has one.
    pub fn not_applicable(&self, id: &str) -> Option<&NotApplicable> {
        self.not_applicable.iter().find(|n| n.id == id)
    }
}

/// The line of the first `key:` in `text` written as a block-mapping key
/// (indented). Used to point findings at their line for annotations; the
/// parser itself already validated the structure.
fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            let t = t
                .strip_prefix('"')
                .and_then(|r| r.strip_prefix(key))
                .and_then(|r| r.strip_prefix('"'))
                .or_else(|| {
                    t.strip_prefix('\'')
                        .and_then(|r| r.strip_prefix(key))
                        .and_then(|r| r.strip_prefix('\''))
                });
            let t = t.or_else(|| l.trim_start().strip_prefix(key));
            l.starts_with([' ', '\t']) && t.is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// release.yaml's shape, for `gate schema`. The parser itself is a seeded
/// visitor (the attestation ids come from gate.toml); a test validates the
/// shipped manifests against this schema so the two cannot drift.
#[derive(schemars::JsonSchema)]
#[schemars(title = "release.yaml", deny_unknown_fields)]
#[allow(dead_code)]
pub struct ManifestSchema {
    /// The release version (a quoted string; an unquoted number is read as written).
    version: String,
    /// What people attest, by attestation id (gate.toml lists the ids).
    #[serde(default)]
    attestations: Option<std::collections::BTreeMap<String, Attestation>>,
    /// Checks that do not apply, by id, each with its reason.
    #[serde(default)]
    not_applicable: Option<std::collections::BTreeMap<String, String>>,
}

/// The file as the parser sees it, before the cross-checks.
struct RawManifest {
    version: Option<String>,
    attestations: Vec<(String, Attestation)>,
    not_applicable: Vec<(String, String)>,
}

const TOP_KEYS: &[&str] = &["version", "attestations", "not_applicable"];

struct ManifestSeed<'a> {
    known: &'a [&'a str],
}

impl<'de> DeserializeSeed<'de> for ManifestSeed<'_> {
    type Value = RawManifest;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawManifest, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ManifestSeed<'_> {
    type Value = RawManifest;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping with `version`, `attestations` and `not_applicable`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawManifest, A::Error> {
        let mut version = None;
        let mut attestations = None;
        let mut not_applicable = None;
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed {
            known: Some(TOP_KEYS),
            seen: &seen,
            what: "key",
        })? {
            match key.as_str() {
                "version" => version = Some(map.next_value::<VersionString>()?.0),
                "attestations" => {
                    attestations =
                        Some(map.next_value_seed(AttestationsSeed { known: self.known })?)
                }
                _ => not_applicable = Some(map.next_value::<Reasons>()?.0),
            }
            seen.push(key);
        }
        Ok(RawManifest {
            version,
            attestations: attestations.unwrap_or_default(),
            not_applicable: not_applicable.unwrap_or_default(),
        })
    }
}

/// A mapping key that must be one of `known` (any, when `None`) and not
/// one of `seen`. The
/// check runs while the key itself is parsed, so the parser's error carries
/// the key's own line and column.
struct KeySeed<'a> {
    known: Option<&'a [&'a str]>,
    seen: &'a [String],
    what: &'static str,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a {}", self.what)
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<String, E> {
        if self.seen.iter().any(|s| s == key) {
            return Err(E::custom(format!("duplicate {} `{key}`", self.what)));
        }
        if let Some(known) = self.known.filter(|k| !k.contains(&key)) {
            let list = known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(E::custom(format!(
                "unknown {} `{key}`{} (expected one of {list})",
                self.what,
                hint(key, known.iter().copied())
            )));
        }
        Ok(key.to_string())
    }
}

/// The version as written. Asked for a string, the parser hands over an
/// unquoted `1.10` verbatim (YAML would otherwise read it as the float 1.1);
/// lists and mappings are refused.
struct VersionString(String);

impl<'de> Deserialize<'de> for VersionString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = VersionString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the version as a quoted string, e.g. version: \"1.2.3\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<VersionString, E> {
                let v = v.trim();
                if v.is_empty() {
                    return Err(E::custom(
                        "`version` is empty; expected the release version, e.g. \"1.2.3\"",
                    ));
                }
                Ok(VersionString(v.to_string()))
            }
        }
        d.deserialize_str(V)
    }
}

struct AttestationsSeed<'a> {
    known: &'a [&'a str],
}

impl<'de> DeserializeSeed<'de> for AttestationsSeed<'_> {
    type Value = Vec<(String, Attestation)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AttestationsSeed<'_> {
    type Value = Vec<(String, Attestation)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of attestation ids to {answer, by, evidence}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out: Vec<(String, Attestation)> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed {
            known: Some(self.known),
            seen: &seen,
            what: "attestation",
        })? {
            let value: Attestation = map.next_value()?;
            seen.push(key.clone());
            out.push((key, value));
        }
        Ok(out)
    }
}

/// `not_applicable`: id → a non-empty reason.
struct Reasons(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Reasons {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Reasons;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of check ids to the reason they do not apply")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Reasons, A::Error> {
                let mut out: Vec<(String, String)> = Vec::new();
                let mut seen: Vec<String> = Vec::new();
                while let Some(key) = map.next_key_seed(KeySeed {
                    known: None,
                    seen: &seen,
                    what: "key",
                })? {
                    let reason: String = map.next_value()?;
                    seen.push(key.clone());
                    if reason.trim().is_empty() {
                        return Err(de::Error::custom(format!(
                            "`{key}` is marked not applicable without a reason; say why it does not apply"
                        )));
                    }
                    out.push((key, reason.trim().to_string()));
                }
                Ok(Reasons(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &[
        "rollback_tested",
        "oncall_notified",
        "approver_signed_off",
        "monitoring_reviewed",
    ];

    fn parse(text: &str) -> Result<ReleaseManifest, InputError> {
        ReleaseManifest::parse(Path::new("release.yaml"), text, String::new(), KNOWN)
    }

    #[test]
    fn parses_the_delivery_gate_example() {
        let m = parse(
            "version: \"1.2.3\"\nattestations:\n  rollback_tested:\n    answer: true\n    by: \"Jane Smith\"\n    evidence: \"https://ci/jobs/456\"\n  oncall_notified: {answer: true, by: Jane}\nnot_applicable:\n  feature_flags: \"No feature flags in this release.\"\n",
        )
        .unwrap();
        assert_eq!(m.version, "1.2.3");
        let r = m.attestation("rollback_tested").unwrap();
        assert_eq!(r.line, Some(3));
        assert_eq!(
            r.attestation.evidence.as_deref(),
            Some("https://ci/jobs/456")
        );
        assert_eq!(m.not_applicable("feature_flags").unwrap().line, Some(9));
    }

    #[test]
    fn unknown_attestation_is_located_with_suggestion() {
        let e = parse("version: \"1\"\nattestations:\n  rollback_test:\n    answer: true\n")
            .unwrap_err();
        assert!(e.message.contains("did you mean `rollback_tested`?"), "{e}");
        assert_eq!(e.line, Some(3), "{e}");
    }

    #[test]
    fn unknown_key_inside_an_attestation_is_located() {
        let e = parse("version: \"1\"\nattestations:\n  rollback_tested:\n    answr: true\n")
            .unwrap_err();
        assert!(e.message.contains("did you mean `answer`?"), "{e}");
        assert_eq!(e.line, Some(4), "{e}");
    }

    #[test]
    fn unknown_top_key_is_located_with_suggestion() {
        let e = parse("version: \"1\"\nnot_aplicable: {}\n").unwrap_err();
        assert!(e.message.contains("did you mean `not_applicable`?"), "{e}");
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn unquoted_version_is_kept_verbatim_and_non_scalars_refused() {
        // YAML would read 1.10 as the float 1.1; gate reads the text as written.
        assert_eq!(parse("version: 1.10\n").unwrap().version, "1.10");
        let e = parse("version: [1]\n").unwrap_err();
        assert!(e.message.contains("quoted string"), "{e}");
    }

    #[test]
    fn later_unknown_and_duplicate_keys_name_their_own_line() {
        let e = parse("version: '1'\nattestations:\n  rollback_tested: {answer: true, by: a}\n  oncall_notifed: {answer: true, by: a}\n").unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        assert!(e.message.contains("did you mean `oncall_notified`?"), "{e}");
        let e = parse("version: '1'\nnot_applicable:\n  a: x\n  a: y\n").unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        let e = parse("version: '1'\nattestations: {}\nversion: '2'\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
    }

    #[test]
    fn missing_version_empty_reason_and_conflicts_are_errors() {
        assert!(parse("attestations: {}\n")
            .unwrap_err()
            .message
            .contains("missing key `version`"));
        assert!(parse("version: '1'\nnot_applicable:\n  x: ''\n")
            .unwrap_err()
            .message
            .contains("without a reason"));
        let e = parse("version: '1'\nattestations:\n  rollback_tested: {answer: true, by: a}\nnot_applicable:\n  rollback_tested: no\n")
            .unwrap_err();
        assert!(
            e.message
                .contains("both attested and marked not applicable"),
            "{e}"
        );
        assert!(parse("version: '1'\nversion: '2'\n").is_err());
    }

    #[test]
    fn crlf_line_ends_parse() {
        let m = parse("version: \"1.2.3\"\r\nattestations:\r\n  oncall_notified: {answer: true, by: Jane}\r\n").unwrap();
        assert_eq!(
            m.attestation("oncall_notified")
                .unwrap()
                .attestation
                .by
                .as_deref(),
            Some("Jane")
        );
    }
}
