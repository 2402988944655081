//! Override files: a person's time-limited, SHA-bound waiver.
//!
//! ```json
//! {"approved_by": "alice", "requested_by": "bob", "reason": "confirmed false positive",
//!  "scope": "staging", "created_at": "2026-11-21T08:00:00Z", "expires_at": "2026-11-28T08:00:00Z",
//!  "approved_head_sha": "<40 hex>", "leakage_types": ["pii"], "identity_hash": "<64 hex>"}
//! ```
//!
//! Files written by llm-release-governor 0.1.0 (no `requested_by` or
//! `created_at`, microseconds and a `+00:00` offset) are read as they are.
//! A file that cannot be read or parsed is an *invalid* override: reported
//! with its error, it lifts nothing.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::InputError;
use super::file::read_text_max;
use super::project::strip_json_location;
use crate::model::Refused;

/// How many override files one environment's folder may hold.
pub const MAX_OVERRIDE_FILES: usize = 256;

/// The largest override file gate reads. One is a few hundred bytes; the cap
/// keeps 256 of them from costing gigabytes to read and parse.
pub const MAX_OVERRIDE_BYTES: u64 = 64 * 1024;

/// One more approver, for environments that need several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// `by`'s OpenSSH signature (`-----BEGIN SSH SIGNATURE-----…`) over the
    /// override's payload (`gate override payload`), namespace
    /// gate-override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sshsig: Option<String>,
}

/// An override file's contents, in the order gate writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideData {
    pub approved_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
    pub reason: String,
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    pub expires_at: String,
    pub approved_head_sha: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leakage_types: Option<Vec<String>>,
    /// llm-release-governor's older single type; read with a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leakage_type: Option<String>,
    pub identity_hash: String,
    /// Approvers beyond `approved_by` (the two-person rule).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<Approval>,
    /// `hmac-sha256:<hex>` over the canonical JSON of the other fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl OverrideData {
    /// The finding ids it covers (`leakage_types`, or the legacy
    /// `leakage_type`).
    pub fn covers(&self) -> Vec<String> {
        match (&self.leakage_types, &self.leakage_type) {
            (Some(types), _) => types.clone(),
            (None, Some(t)) => vec![t.clone()],
            (None, None) => Vec::new(),
        }
    }

    /// Everyone who approved it, in order, `approved_by` first.
    pub fn approvers(&self) -> Vec<&str> {
        std::iter::once(self.approved_by.as_str())
            .chain(self.approvals.iter().map(|a| a.by.as_str()))
            .collect()
    }
}

/// A parsed override file.
#[derive(Debug, Clone)]
pub struct OverrideFile {
    /// As reports name it (relative to the repository root where it lies inside).
    pub file: String,
    pub sha256: String,
    /// The JSON as read, for checking the signature.
    pub value: Value,
    pub data: OverrideData,
}

/// An entry of the overrides folder (or a `--override-file`).
#[derive(Debug, Clone)]
pub enum Candidate {
    Parsed(Box<OverrideFile>),
    /// It cannot be an override: the reason, located.
    Invalid {
        file: String,
        sha256: Option<String>,
        error: InputError,
    },
}

impl Candidate {
    pub fn file(&self) -> &str {
        match self {
            Candidate::Parsed(o) => &o.file,
            Candidate::Invalid { file, .. } => file,
        }
    }
}

/// Reads and parses one override file.
pub fn load(path: &Path, file: String) -> Candidate {
    let text = match read_text_max(path, MAX_OVERRIDE_BYTES, "override files") {
        Ok(t) => t,
        Err(error) => {
            return Candidate::Invalid {
                file,
                sha256: None,
                error,
            }
        }
    };
    match parse(path, &text.text) {
        Ok((value, data)) => Candidate::Parsed(Box::new(OverrideFile {
            file,
            sha256: text.sha256,
            value,
            data,
        })),
        Err(error) => Candidate::Invalid {
            file,
            sha256: Some(text.sha256),
            error,
        },
    }
}

/// Parses an override file's text.
pub fn parse(path: &Path, text: &str) -> Result<(Value, OverrideData), InputError> {
    if text.trim().is_empty() {
        return Err(InputError::file(
            path,
            "is empty; expected an override JSON object",
        ));
    }
    let located = |e: serde_json::Error| {
        let msg = super::suggest::enrich_unknown_field(&strip_json_location(&e));
        InputError::at(path, e.line(), e.column(), msg)
    };
    let value: Value = serde_json::from_str(text).map_err(located)?;
    let data: OverrideData = serde_json::from_str(text).map_err(located)?;
    Ok((value, data))
}

/// Every entry of `<dir>/<env>/`, sorted by name. Folders, symbolic links
/// and files that are not `.json` are reported as invalid entries, never
/// followed or skipped silently (`.gitkeep` and `.keep` excepted).
pub fn discover(repo: &Path, dir: &str, env: &str) -> Vec<Candidate> {
    let rel_dir = format!("{}/{env}", dir.trim_end_matches('/'));
    let folder = repo.join(&rel_dir);
    let invalid = |file: String, msg: String| Candidate::Invalid {
        error: InputError::file(&file, msg),
        file,
        sha256: None,
    };
    if let Some(link) = symlink_on_path(repo, &folder) {
        return vec![invalid(
            super::relative_to(repo, &link),
            "is a symbolic link; the overrides folder must be a real folder in the repository"
                .into(),
        )];
    }
    match std::fs::symlink_metadata(&folder) {
        Err(_) => return Vec::new(),
        Ok(m) if !m.is_dir() => return vec![invalid(rel_dir, "is not a folder".into())],
        Ok(_) => {}
    }
    let mut names: Vec<(String, std::fs::FileType)> = match std::fs::read_dir(&folder) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.file_type().ok()?)))
            .collect(),
        Err(e) => {
            return vec![Candidate::Invalid {
                file: rel_dir.clone(),
                sha256: None,
                error: super::file::io_error(&folder, &e),
            }]
        }
    };
    names.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    for (name, ty) in names {
        if name == ".gitkeep" || name == ".keep" {
            continue;
        }
        let rel = format!("{rel_dir}/{name}");
        if out.len() >= MAX_OVERRIDE_FILES {
            out.push(invalid(
                rel,
                format!(
                    "more than {MAX_OVERRIDE_FILES} entries in {rel_dir}; the rest are not read"
                ),
            ));
            break;
        }
        if ty.is_symlink() {
            out.push(invalid(
                rel,
                "is a symbolic link; override files must be regular files".into(),
            ));
        } else if ty.is_dir() {
            out.push(invalid(
                rel,
                format!("is a folder; override files sit directly in {rel_dir}/"),
            ));
        } else if !name.ends_with(".json") {
            out.push(invalid(
                rel,
                "is not an override file (expected <name>.json)".into(),
            ));
        } else {
            out.push(load(&folder.join(&name), rel));
        }
    }
    out
}

/// The first symbolic link among the components of `path` below `base`
/// (`overrides`, then `overrides/<env>`), if any: override files reached
/// through one could come from outside the repository.
pub fn symlink_on_path(base: &Path, path: &Path) -> Option<PathBuf> {
    let rel = path.strip_prefix(base).ok()?;
    let mut at = base.to_path_buf();
    for part in rel.components() {
        at.push(part);
        if matches!(part, std::path::Component::Normal(_))
            && std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink())
        {
            return Some(at);
        }
    }
    None
}

/// A timestamp as override files write them: RFC 3339 with an offset
/// (`2026-11-28T08:00:00Z`, `2026-11-28T07:35:56.019329+00:00`), or without
/// one, read as UTC as llm-release-governor does.
pub fn parse_time(s: &str) -> Result<jiff::Timestamp, Refused> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    if let Some(t) = s
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(jiff::tz::TimeZone::UTC).ok())
    {
        return Ok(t.timestamp());
    }
    // Well-formed, but past what a timestamp can hold (9999-12-31T23:59:59Z
    // with its offset applied is beyond jiff's range): say so, not "malformed".
    let offset = |o: &str| {
        let b = o.as_bytes();
        let num = |i: usize, j: usize| o.get(i..j).and_then(|d| d.parse::<u8>().ok());
        b.len() == 6
            && matches!(b[0], b'+' | b'-')
            && b[3] == b':'
            && num(1, 3).is_some_and(|h| h <= 23)
            && num(4, 6).is_some_and(|m| m <= 59)
    };
    let civil = s.strip_suffix(['Z', 'z']).or_else(|| {
        let i = s.len().checked_sub(6)?;
        s.get(i..).filter(|o| offset(o)).and_then(|_| s.get(..i))
    });
    if civil.is_some_and(|c| c.parse::<jiff::civil::DateTime>().is_ok()) {
        return Err(Refused(format!(
            "`{s}` is out of range: timestamps from {} to {} are supported",
            jiff::Timestamp::MIN.strftime("%Y-%m-%dT%H:%M:%SZ"),
            jiff::Timestamp::MAX.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )));
    }
    Err(Refused(format!(
        "`{s}` is not an RFC 3339 timestamp (e.g. 2026-11-28T08:00:00Z)"
    )))
}

/// Where an explicitly named override file is, for reports.
pub fn named(repo: &Path, path: &Path) -> (PathBuf, String) {
    let shown = super::relative_to(repo, path);
    (path.to_path_buf(), shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_a_far_timestamp_is_out_of_range_not_malformed() {
        let e = parse_time("9999-12-31T23:59:59Z").unwrap_err();
        assert!(e.0.contains("out of range"), "{e}");
        let e = parse_time("9999-12-31T23:59:59+00:00").unwrap_err();
        assert!(e.0.contains("out of range"), "{e}");
        let e = parse_time("9999-12-31T23:59:59.123456+00:00").unwrap_err();
        assert!(e.0.contains("out of range"), "{e}");
        for bad in ["9999-12-31T23:59:59+25:00", "9999-12-31T23:59:59abcdef"] {
            let e = parse_time(bad).unwrap_err();
            assert!(e.0.contains("not an RFC 3339 timestamp"), "{bad}: {e}");
        }
        let e = parse_time("2026-13-01T00:00:00Z").unwrap_err();
        assert!(e.0.contains("not an RFC 3339 timestamp"), "{e}");
        assert!(parse_time("2026-11-28T08:00:00Z").is_ok());
    }

    #[test]
    fn reads_llm_release_governor_files() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/overrides/governor_override_staging.json");
        let Candidate::Parsed(o) = load(&p, "x".into()) else {
            panic!("governor file must parse")
        };
        assert_eq!(o.data.covers(), ["pii"]);
        assert_eq!(
            parse_time(&o.data.expires_at).unwrap().to_string(),
            "2026-11-28T07:35:56.019329Z"
        );
    }

    #[test]
    fn an_override_file_over_64_kib_is_not_parsed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("o.json");
        let reason = "x".repeat(MAX_OVERRIDE_BYTES as usize);
        std::fs::write(&p, format!("{{\"reason\": \"{reason}\"}}")).unwrap();
        let Candidate::Invalid { error, sha256, .. } = load(&p, "o.json".into()) else {
            panic!("an oversize override must be invalid")
        };
        assert_eq!(sha256, None, "not read");
        assert!(
            error
                .message
                .contains("over the 64 KiB limit for override files"),
            "{error}"
        );
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            parse_time("2026-11-28T08:00:00Z").unwrap().as_second(),
            1795852800
        );
        assert_eq!(
            parse_time("2026-11-28T10:00:00+02:00").unwrap().as_second(),
            1795852800
        );
        assert_eq!(
            parse_time("2026-11-28T08:00:00").unwrap().as_second(),
            1795852800
        );
        assert!(parse_time("next tuesday").is_err());
    }

    #[test]
    fn unknown_keys_and_bad_types_are_located() {
        let e = parse(
            Path::new("o.json"),
            "{\n  \"approved_by\": \"a\",\n  \"expire_at\": \"x\"\n}",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("did you mean `expires_at`?"), "{e}");
        let e = parse(Path::new("o.json"), "{\"leakage_types\": \"pii\"}").unwrap_err();
        assert!(e.message.contains("invalid type"), "{e}");
        assert!(parse(Path::new("o.json"), "")
            .unwrap_err()
            .message
            .contains("empty"));
    }

    #[test]
    fn legacy_single_type() {
        let (_, d) = parse(
            Path::new("o.json"),
            r#"{"approved_by":"a","reason":"r","scope":"staging","expires_at":"2026-01-01T00:00:00Z","approved_head_sha":"x","leakage_type":"schema","identity_hash":"h"}"#,
        )
        .unwrap();
        assert_eq!(d.covers(), ["schema"]);
    }
}
