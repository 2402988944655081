//! gate.toml: optional; without it the built-in defaults apply.
//!
//! ```toml
//! changelog = "CHANGELOG.md"          # path relative to the repository root
//! overrides_dir = "overrides"         # override files: <dir>/<env>/*.json
//! package = "packages/vite"           # monorepo: the package folder judged
//! tag = "create-vite@{version}"       # the release tag [default: v{version} or {version}]
//! version_source = "auto"             # auto | pyproject.toml | Cargo.toml | package.json
//!
//! [deps_pinned]
//! include_dev = false                 # also require dev dependencies to be pinned
//!
//! [audit]
//! log = ".gate/audit.jsonl"           # every decision is appended here
//!
//! [[thresholds]]                      # eval metrics: finding thresholds.<id>
//! id = "quality.pass_at_5"
//! file = "artifacts/eval_quality.json"  # relative to the repository root
//! pointer = "/pass_at_5"               # RFC 6901 JSON pointer
//! min = 0.82                           # and/or max = ...
//!
//! [[attestations]]                    # replaces the four built-in ones
//! id = "rollback_tested"
//! title = "Rollback procedure tested"
//!
//! [env.prod]                          # staging, preprod, prod are built in; any name works
//! extends = "prod"                    # the built-in to start from (custom envs: prod)
//! required = ["auto", "attested", "leakage"]
//! forbid_na = ["approver_signed_off"]  # ATTESTED checks that may not be NA
//! allow_na = ["deps_pinned"]          # AUTO checks release.yaml may mark NA
//! max_override_days = 1
//! required_approvals = 2
//! require_signed_overrides = true
//! locc_allow = ["PASS"]               # locc statuses accepted here
//! locc_allow_diffs = false            # whether any diff is acceptable
//! [env.prod.actions]
//! changelog = "warn"                  # block | override | warn
//! ```
//!
//! This module only parses; [`crate::policy`] turns the `env` tables into
//! validated environment policies.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::error::InputError;
use super::toml_file;
use crate::model::Action;

/// gate.toml as written.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "gate.toml")]
pub struct RawConfig {
    /// The changelog, relative to the repository root.
    #[schemars(with = "Option<String>")]
    pub changelog: Option<Spanned<String>>,
    /// Which project manifest declares the version.
    pub version_source: Option<VersionSource>,
    /// The package being released, in a monorepo: the folder (relative to
    /// the repository root) whose manifest, changelog and dependencies are
    /// judged; git stays at the root.
    #[schemars(with = "Option<String>")]
    pub package: Option<Spanned<String>>,
    /// The release tag, with `{version}` for the version
    /// (`create-vite@{version}`) [default: `v{version}` or `{version}`].
    #[schemars(with = "Option<String>")]
    pub tag: Option<Spanned<String>>,
    /// Where override files live, relative to the repository root
    /// (`<dir>/<env>/*.json`).
    #[schemars(with = "Option<String>")]
    pub overrides_dir: Option<Spanned<String>>,
    /// Options of the `deps_pinned` check.
    pub deps_pinned: Option<DepsPinnedConfig>,
    /// The attestations release.yaml must answer (replaces the defaults).
    pub attestations: Option<Vec<AttestationDef>>,
    /// Eval-metric thresholds: each an AUTO finding `thresholds.<id>`.
    #[serde(default)]
    pub thresholds: Vec<ThresholdDef>,
    /// The audit log.
    pub audit: Option<AuditConfig>,
    /// Signed approvals: who may sign, and groups of them.
    pub signing: Option<SigningConfig>,
    /// Environment policies by name.
    #[serde(default)]
    pub env: BTreeMap<String, RawEnv>,
}

/// `[audit]`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// The log, relative to the repository root, or `git:refs/gate/audit`
    /// for the git-ref store. Keep a file out of the tracked tree (a
    /// git-ignored `.gate/`), or `release_point` fails on its writes.
    pub log: Option<String>,
    /// With the git-ref store: the remote to share the ref through.
    pub remote: Option<String>,
    /// With the git-ref store: `Name <email>` of the commits gate writes.
    pub committer: Option<String>,
}

/// `[signing]`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    /// OpenSSH allowed_signers: a path outside the repository (a relative
    /// one is relative to its root) or `git:REF:PATH`, a file the promoted
    /// change cannot edit.
    #[schemars(with = "Option<String>")]
    pub allowed_signers: Option<Spanned<String>>,
    /// Groups of principals (patterns as in allowed_signers), for
    /// `required_groups`.
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<String>>,
}

/// What an approval is (`approvals`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Approvals {
    /// A name in the file.
    #[default]
    Names,
    /// An SSH signature (SSHSIG, namespace gate-override) by a key of
    /// allowed_signers.
    Signed,
}

/// Where the project's own version is read from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum VersionSource {
    /// Every project manifest found at the repository root.
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "pyproject.toml")]
    Pyproject,
    #[serde(rename = "Cargo.toml")]
    Cargo,
    #[serde(rename = "package.json")]
    PackageJson,
}

/// `[deps_pinned]`.
#[derive(Debug, Clone, Copy, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DepsPinnedConfig {
    /// Also check development dependencies (dev groups, devDependencies,
    /// dev-dependencies). Off by default: they do not ship.
    #[serde(default)]
    pub include_dev: bool,
}

/// One `[[attestations]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttestationDef {
    /// The key under `attestations:` in release.yaml, and the finding id.
    pub id: String,
    /// What the attestation asks, in words.
    pub title: String,
}

/// One `[[thresholds]]` entry: a number in a JSON file, within bounds.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdDef {
    /// The metric's name; the finding id is `thresholds.<id>`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// The JSON file holding it, relative to the repository root.
    pub file: String,
    /// An RFC 6901 JSON pointer to the number (`/pass_at_5`).
    pub pointer: String,
    /// The smallest acceptable value.
    pub min: Option<f64>,
    /// The largest acceptable value.
    pub max: Option<f64>,
}

impl ThresholdDef {
    /// The finding id.
    pub fn finding_id(&self) -> String {
        format!("thresholds.{}", self.id.get_ref())
    }
}

/// One `[env.NAME]` table as written.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEnv {
    /// The built-in environment to start from.
    #[schemars(with = "Option<String>")]
    pub extends: Option<Spanned<String>>,
    /// Check ids or groups (`auto`, `attested`, `leakage`, `thresholds`, `all`).
    #[schemars(with = "Option<Vec<String>>")]
    pub required: Option<Vec<Spanned<String>>>,
    /// Per finding id (or group): what a failure does.
    #[schemars(with = "Option<BTreeMap<String, Action>>")]
    pub actions: Option<BTreeMap<String, Spanned<Action>>>,
    /// ATTESTED checks for which `not_applicable` is refused.
    #[schemars(with = "Option<Vec<String>>")]
    pub forbid_na: Option<Vec<Spanned<String>>>,
    /// AUTO checks that release.yaml may mark `not_applicable` here. Any
    /// other AUTO check runs whatever release.yaml says: the change under
    /// review cannot waive what gate proves.
    #[schemars(with = "Option<Vec<String>>")]
    pub allow_na: Option<Vec<Spanned<String>>>,
    /// The longest an override may last, in days.
    pub max_override_days: Option<u32>,
    /// Distinct approvers an override needs (two-person rule: 2).
    pub required_approvals: Option<u32>,
    /// Overrides must carry a valid HMAC-SHA256 signature.
    pub require_signed_overrides: Option<bool>,
    /// `"signed"`: every approval needs an SSH signature by a key of
    /// `[signing] allowed_signers` [default: "names"].
    pub approvals: Option<Approvals>,
    /// What drift of the release commit's own gate.toml from a trusted
    /// policy (`--config git:REF:PATH`) does: `block` or `override`
    /// [default: a warning].
    #[schemars(with = "Option<Action>")]
    pub policy_drift: Option<Spanned<Action>>,
    /// Signed approvals each `[signing.groups]` group needs; one person
    /// counts toward one group only.
    #[schemars(with = "Option<BTreeMap<String, u32>>")]
    pub required_groups: Option<Spanned<BTreeMap<String, u32>>>,
    /// The locc statuses this environment accepts (the `policy` finding).
    pub locc_allow: Option<Vec<crate::inputs::locc::LoccStatus>>,
    /// Whether any diff in the locc artifact is acceptable here.
    pub locc_allow_diffs: Option<bool>,
}

/// Why `package` cannot name a package folder, if it cannot: it must lie
/// inside the repository, relative to its root.
fn package_problem(v: &str) -> Result<(), String> {
    if v.is_empty() || super::escapes(v) {
        Err(format!("package `{v}` must be a folder inside the repository, relative to its root (e.g. \"packages/vite\")"))
    } else {
        Ok(())
    }
}

/// The built-in attestations, as delivery-gate asks them.
pub fn default_attestations() -> Vec<AttestationDef> {
    [
        ("rollback_tested", "Rollback procedure tested"),
        ("oncall_notified", "On-call engineer notified"),
        ("approver_signed_off", "Named approver signed off"),
        ("monitoring_reviewed", "Monitoring and alerts reviewed"),
    ]
    .into_iter()
    .map(|(id, title)| AttestationDef {
        id: id.into(),
        title: title.into(),
    })
    .collect()
}

/// The most `[env.*]` tables gate.toml may hold.
pub const MAX_ENVS: usize = 64;
/// The most `[[thresholds]]` gate.toml may hold.
pub const MAX_THRESHOLDS: usize = 1024;
/// The most `[[attestations]]` gate.toml may hold.
pub const MAX_ATTESTATIONS: usize = 256;
/// The most problems one run reports from gate.toml's tables: validating
/// stops there, so a file of a million bad entries is refused as quickly as
/// a file of fifty.
pub const MAX_PROBLEMS: usize = 50;

/// gate.toml, loaded (or the defaults).
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// Where it came from; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    /// Hex sha256 of its bytes.
    pub sha256: Option<String>,
    /// Its text, for locating validation errors.
    pub text: String,
    pub raw: RawConfig,
    /// Where it was read from, when that is not the work tree: the
    /// source as written, the commit of a `git:` source, and the path in
    /// the release commit's tree to compare it with for drift.
    pub trusted: Option<Trusted>,
}

/// A policy read from outside the work tree (`--config git:REF:PATH`, or a
/// path outside the repository).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trusted {
    /// `git:REF:PATH` or the path, as reports name it.
    pub source: String,
    /// REF's commit, for a `git:` source.
    pub commit: Option<String>,
    /// The file in the release commit's tree it is compared with: PATH of a
    /// `git:` source, else `gate.toml`.
    pub compared: String,
}

impl ConfigFile {
    /// The built-in defaults (no gate.toml).
    pub fn builtin() -> Self {
        Self {
            path: None,
            sha256: None,
            text: String::new(),
            raw: RawConfig::default(),
            trusted: None,
        }
    }

    /// Parses gate.toml.
    pub fn parse(path: &Path, text: &str, sha256: String) -> Result<Self, InputError> {
        let raw: RawConfig = toml_file::from_str(path, text)?;
        let config = Self {
            path: Some(path.to_path_buf()),
            sha256: Some(sha256),
            text: text.to_string(),
            raw,
            trusted: None,
        };
        config.within_limits()?;
        if let Some(p) = &config.raw.package {
            if let Err(why) = package_problem(p.get_ref()) {
                return Err(config.error_at(p.span(), why));
            }
        }
        if let Some(t) = &config.raw.tag {
            if !t.get_ref().contains("{version}") {
                return Err(config.error_at(
                    t.span(),
                    format!(
                        "tag `{}` holds no `{{version}}` (e.g. \"create-vite@{{version}}\")",
                        t.get_ref()
                    ),
                ));
            }
        }
        Ok(config)
    }

    /// The counts that bound the work of validating and deciding, checked
    /// before anything else reads the tables: each environment copies the
    /// catalog of checks, which holds every threshold and attestation.
    fn within_limits(&self) -> Result<(), InputError> {
        let over = |what: &str, n: usize, limit: usize| {
            format!("holds {n} {what}, over the limit of {limit}")
        };
        if self.raw.env.len() > MAX_ENVS {
            return Err(self.error_file(over("[env.*] tables", self.raw.env.len(), MAX_ENVS)));
        }
        if let Some(t) = self.raw.thresholds.get(MAX_THRESHOLDS) {
            return Err(self.error_at(
                t.id.span(),
                over("[[thresholds]]", self.raw.thresholds.len(), MAX_THRESHOLDS),
            ));
        }
        match &self.raw.attestations {
            Some(a) if a.len() > MAX_ATTESTATIONS => {
                Err(self.error_file(over("[[attestations]]", a.len(), MAX_ATTESTATIONS)))
            }
            _ => Ok(()),
        }
    }

    /// An error at the span of a value in this file.
    pub fn error_at(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> InputError {
        InputError::at_offset(self.shown_path(), &self.text, span.start, message)
    }

    /// An error about this file as a whole.
    pub fn error_file(&self, message: impl Into<String>) -> InputError {
        InputError::file(self.shown_path(), message)
    }

    fn shown_path(&self) -> &Path {
        self.path.as_deref().unwrap_or(Path::new("gate.toml"))
    }

    /// Sets the package folder (`--package`, over gate.toml's).
    pub fn set_package(&mut self, package: &str) -> Result<(), InputError> {
        package_problem(package).map_err(|why| InputError::file(Path::new("--package"), why))?;
        self.raw.package = Some(Spanned::new(0..0, package.to_string()));
        Ok(())
    }

    /// The package folder relative to the repository root, when gate.toml
    /// names one.
    pub fn package(&self) -> Option<&str> {
        self.raw.package.as_ref().map(|s| s.get_ref().as_str())
    }

    /// The release tag template, when gate.toml sets one.
    pub fn tag(&self) -> Option<&str> {
        self.raw.tag.as_ref().map(|s| s.get_ref().as_str())
    }

    /// The changelog path relative to the repository root, when gate.toml
    /// sets one (else the usual names are looked for).
    pub fn changelog(&self) -> Option<&str> {
        self.raw.changelog.as_ref().map(|s| s.get_ref().as_str())
    }

    /// The attestations release.yaml must answer.
    pub fn attestations(&self) -> Vec<AttestationDef> {
        self.raw
            .attestations
            .clone()
            .unwrap_or_else(default_attestations)
    }

    /// The version source.
    pub fn version_source(&self) -> VersionSource {
        self.raw.version_source.unwrap_or_default()
    }

    /// Problems with the `[[thresholds]]` entries, each located.
    pub fn threshold_errors(&self) -> Vec<InputError> {
        let mut errors = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for t in &self.raw.thresholds {
            if errors.len() >= MAX_PROBLEMS {
                break;
            }
            let id = t.id.get_ref().as_str();
            let mut bad = |m: String| errors.push(self.error_at(t.id.span(), m));
            if id.is_empty() || id.contains(char::is_whitespace) {
                bad(format!(
                    "threshold id `{id}` must be a non-empty name without spaces"
                ));
            }
            if !seen.insert(id) {
                bad(format!("threshold id `{id}` is defined twice"));
            }
            if t.file.trim().is_empty() {
                bad(format!("threshold `{id}` has an empty `file`"));
            }
            if !t.pointer.is_empty() && !t.pointer.starts_with('/') {
                bad(format!(
                    "threshold `{id}`: pointer `{}` must start with `/` (RFC 6901)",
                    t.pointer
                ));
            }
            match (t.min, t.max) {
                (None, None) => bad(format!("threshold `{id}` needs `min`, `max` or both")),
                (Some(lo), Some(hi)) if lo > hi => {
                    bad(format!("threshold `{id}`: min {lo} is above max {hi}"))
                }
                (Some(v), _) | (_, Some(v)) if !v.is_finite() => {
                    bad(format!("threshold `{id}`: bounds must be finite numbers"))
                }
                _ => {}
            }
        }
        errors
    }

    /// The audit log gate.toml names, relative to the repository root.
    pub fn audit_log(&self) -> Option<&str> {
        self.raw.audit.as_ref().and_then(|a| a.log.as_deref())
    }

    /// The remote the git-ref audit store is shared through.
    pub fn audit_remote(&self) -> Option<&str> {
        self.raw.audit.as_ref().and_then(|a| a.remote.as_deref())
    }

    /// The committer of the git-ref audit store.
    pub fn audit_committer(&self) -> Option<&str> {
        self.raw.audit.as_ref().and_then(|a| a.committer.as_deref())
    }

    /// `[signing] allowed_signers`, with where it is written.
    pub fn allowed_signers(&self) -> Option<&Spanned<String>> {
        self.raw.signing.as_ref()?.allowed_signers.as_ref()
    }

    /// The overrides folder relative to the repository root.
    pub fn overrides_dir(&self) -> &str {
        self.raw
            .overrides_dir
            .as_ref()
            .map_or("overrides", |s| s.get_ref().as_str())
    }

    /// Whether dev dependencies must be pinned too.
    pub fn include_dev(&self) -> bool {
        self.raw.deps_pinned.is_some_and(|d| d.include_dev)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_documented_key() {
        let text = r#"
changelog = "docs/CHANGES.md"
version_source = "Cargo.toml"
[deps_pinned]
include_dev = true
[[attestations]]
id = "qa_signed_off"
title = "QA signed off"
[env.prod]
extends = "prod"
required = ["auto", "attested"]
forbid_na = ["qa_signed_off"]
max_override_days = 1
required_approvals = 2
require_signed_overrides = true
[env.prod.actions]
changelog = "warn"
"#;
        let c = ConfigFile::parse(Path::new("gate.toml"), text, String::new()).unwrap();
        assert_eq!(c.changelog(), Some("docs/CHANGES.md"));
        assert_eq!(c.version_source(), VersionSource::Cargo);
        assert!(c.include_dev());
        assert_eq!(c.attestations()[0].id, "qa_signed_off");
        let prod = &c.raw.env["prod"];
        assert_eq!(prod.required_approvals, Some(2));
        assert_eq!(
            *prod.actions.as_ref().unwrap()["changelog"].get_ref(),
            Action::Warn
        );
    }

    #[test]
    fn table_counts_are_limited() {
        let parse = |text: String| ConfigFile::parse(Path::new("gate.toml"), &text, String::new());
        let envs = |n: usize| (0..n).map(|i| format!("[env.e{i}]\n")).collect::<String>();
        assert!(parse(envs(MAX_ENVS)).is_ok());
        let e = parse(envs(MAX_ENVS + 1)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "gate.toml: holds 65 [env.*] tables, over the limit of 64"
        );

        let thresholds = |n: usize| {
            (0..n)
                .map(|i| {
                    format!(
                        "[[thresholds]]\nid = \"t{i}\"\nfile = \"q\"\npointer = \"/v\"\nmin = 1\n"
                    )
                })
                .collect::<String>()
        };
        assert!(parse(thresholds(MAX_THRESHOLDS)).is_ok());
        let e = parse(thresholds(MAX_THRESHOLDS + 1)).unwrap_err();
        assert_eq!((e.line, e.column), (Some(5 * 1024 + 2), Some(6)), "{e}");
        assert!(
            e.message
                .contains("holds 1025 [[thresholds]], over the limit of 1024"),
            "{e}"
        );

        let attestations = |n: usize| {
            (0..n)
                .map(|i| format!("[[attestations]]\nid = \"a{i}\"\ntitle = \"A\"\n"))
                .collect::<String>()
        };
        assert!(parse(attestations(MAX_ATTESTATIONS)).is_ok());
        let e = parse(attestations(MAX_ATTESTATIONS + 1)).unwrap_err();
        assert!(
            e.message
                .contains("holds 257 [[attestations]], over the limit of 256"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_are_located() {
        let e = ConfigFile::parse(
            Path::new("gate.toml"),
            "[env.prod.actions]\npii = \"allow\"\n",
            String::new(),
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = ConfigFile::parse(
            Path::new("gate.toml"),
            "version_source = \"setup.py\"\n",
            String::new(),
        )
        .unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        let e = ConfigFile::parse(
            Path::new("gate.toml"),
            "[env.prod]\nrequird = []\n",
            String::new(),
        )
        .unwrap_err();
        assert!(e.message.contains("did you mean `required`?"), "{e}");
    }
}
