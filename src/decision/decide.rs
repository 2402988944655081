//! The one decision: loaded inputs, the environment's policy and the clock
//! in; checks, policy, overrides and the verdict out. Nothing here reads a
//! file, a repository or the clock: every command loads first, then calls
//! one of these once.

use jiff::Timestamp;

use super::{suggested_override, Decision, InputDigest};
use crate::findings::{self, Kind};
use crate::inputs::allowed_signers::AllowedSigners;
use crate::inputs::config::Approvals;
use crate::inputs::override_file::Candidate;
use crate::inputs::repo::{ReleaseCommit, RepoState};
use crate::inputs::Inputs;
use crate::overrides::{self, Context};
use crate::policy::{Catalog, EnvPolicy, LEAKAGE_IDS};

/// `gate check`: every check the policy requires, judged by it.
pub fn check(
    inputs: &Inputs,
    catalog: &Catalog,
    policy: &EnvPolicy,
    env: Option<String>,
) -> Decision {
    let mut found = findings::run_all(inputs, &policy.given());
    policy.apply(&mut found);
    let mut d = Decision::check(env, found);
    d.sha = match &inputs.repo {
        Some(RepoState::Ready(h)) => Some(h.sha.clone()),
        _ => None,
    };
    describe(&mut d, inputs, catalog, policy);
    d
}

/// What a promotion reads beyond the checks' inputs.
#[derive(Debug, Clone)]
pub struct Promotion {
    /// The environment promoted to.
    pub env: String,
    /// The commit asked about and the release commit overrides bind to.
    pub release: ReleaseCommit,
    /// Every override file found (or named) for the environment.
    pub candidates: Vec<Candidate>,
    /// `$GATE_OVERRIDE_KEY`.
    pub key: Option<Vec<u8>>,
    /// `[signing] allowed_signers`, where the environment's approvals are
    /// signed.
    pub signers: Option<AllowedSigners>,
}

/// `gate evaluate`: every check the policy requires, judged by it, then
/// the overrides that may lift what failed, at `now`.
pub fn evaluate(
    inputs: &Inputs,
    promotion: &Promotion,
    catalog: &Catalog,
    policy: &EnvPolicy,
    now: Timestamp,
) -> Decision {
    let mut found = findings::run_all(inputs, &policy.given());
    policy.apply(&mut found);
    let (rc, artifact) = (&promotion.release, inputs.artifact.as_ref());
    let ctx = Context {
        env: policy,
        identity_hash: artifact.map(|a| a.identity_hash.as_str()),
        release_commit: Some(rc.release.as_str()),
        now,
        to_lift: overrides::to_lift(&found),
        author: rc.author.clone(),
        key: promotion.key.as_deref(),
        signers: promotion.signers.as_ref(),
    };
    let (reports, override_warnings) = overrides::apply(&mut found, &promotion.candidates, &ctx);
    let mut d = Decision::evaluate(promotion.env.clone(), found, reports);
    d.sha = Some(rc.sha.clone());
    d.release_commit = Some(rc.release.clone());
    d.identity_hash = artifact.map(|a| a.identity_hash.clone());
    if let Some(a) = artifact {
        d.inputs.push(InputDigest {
            file: a.file.clone(),
            sha256: a.sha256.clone().into(),
        });
    }
    describe(&mut d, inputs, catalog, policy);
    for c in &promotion.candidates {
        if let Candidate::Parsed(o) = c {
            d.inputs.push(InputDigest {
                file: o.file.clone(),
                sha256: o.sha256.clone().into(),
            });
        }
    }
    if rc.stepped_over > 0 {
        d.warnings.push(format!(
            "HEAD {} is {} override-only commit(s) past the release commit {}; overrides bind to the release commit",
            crate::inputs::prefix(&rc.sha, 12),
            rc.stepped_over,
            crate::inputs::prefix(&rc.release, 12)
        ));
    }
    d.warnings.extend(override_warnings);
    d.suggested_override = suggested_override(&d);
    if let (Some(cmd), Approvals::Signed) = (&mut d.suggested_override, policy.approvals) {
        cmd.push_str(&signatures_missing(&d.overrides, policy));
    }
    d
}

/// Where approvals are signed, what the suggested command must be followed
/// by: each approver's `gate override approve`, and how many signatures
/// (and of which groups) the closest override still lacks.
fn signatures_missing(reports: &[overrides::OverrideReport], policy: &EnvPolicy) -> String {
    // An override that lacks only signatures is the one to sign; otherwise
    // a new one is made, and needs them all.
    let best = reports
        .iter()
        .filter(|o| {
            !o.approvals.is_empty()
                && o.failure_kinds
                    .iter()
                    .all(|k| *k == overrides::FailureKind::TooFewApprovers)
        })
        .max_by_key(|o| o.approvals.iter().filter(|a| a.counted).count());
    let people: Vec<&str> = best
        .map(|o| {
            o.approvals
                .iter()
                .filter(|a| a.counted)
                .map(|a| a.by.as_str())
                .collect()
        })
        .unwrap_or_default();
    let needed = policy.required_approvals.max(1) as usize;
    let mut missing = Vec::new();
    if people.len() < needed {
        missing.push(format!("{} signed approval(s)", needed - people.len()));
    }
    for (group, lacking) in overrides::signed::unfilled(&people, &policy.required_groups) {
        missing.push(format!("{lacking} from group {group}"));
    }
    let file = best.map_or("<FILE>", |o| o.path.as_str());
    format!(
        "; then each approver runs: gate override approve {file} --key <KEYFILE> (still missing: {})",
        missing.join(", ")
    )
}

/// Fills in what the inputs tell about a decision: the version, every input
/// file's digest, and warnings about the manifest.
fn describe(d: &mut Decision, inputs: &Inputs, catalog: &Catalog, policy: &EnvPolicy) {
    let found: std::collections::HashSet<&str> = d.findings.iter().map(|f| f.id.as_str()).collect();
    let mut metrics = Vec::new();
    for t in &inputs.config.raw.thresholds {
        if found.contains(t.finding_id().as_str()) {
            if let Ok(v) = findings::thresholds::value(t, &inputs.metrics) {
                metrics.push((t.id.get_ref().clone(), v));
            }
        }
    }
    d.metrics.extend(metrics);
    d.version = inputs.version.as_ref().map(|v| v.value.clone());
    d.inputs
        .extend(inputs.digests.iter().map(|(file, sha256)| InputDigest {
            file: file.clone(),
            sha256: sha256.clone(),
        }));
    d.warnings
        .extend(manifest_warnings(inputs, catalog, policy));
    d.warnings.extend(inputs.warnings.iter().cloned());
    d.policy = super::PolicySource::of(&inputs.config);
    let drift = d
        .findings
        .iter()
        .find(|f| f.id == findings::POLICY_SOURCE && f.status != findings::Status::Pass);
    if let Some(f) = drift {
        d.warnings.push(f.message.clone());
    }
    if let Some(e) = &inputs.missing_manifest {
        d.fail(e.clone());
    }
}

/// `not_applicable` entries that can skip nothing, and those this
/// environment refuses (the check ran), each at the line it was written.
fn manifest_warnings(inputs: &Inputs, catalog: &Catalog, policy: &EnvPolicy) -> Vec<String> {
    let Some(m) = &inputs.manifest else {
        return Vec::new();
    };
    let checks: std::collections::HashSet<&String> =
        catalog.auto.iter().chain(&catalog.attested).collect();
    m.not_applicable
        .iter()
        .filter_map(|na| {
            let at = na
                .line
                .map_or(m.file.clone(), |l| format!("{}:{l}", m.file));
            if LEAKAGE_IDS.contains(&na.id.as_str()) {
                Some(format!(
                    "{at}: `{}` is a leakage finding and cannot be marked not applicable; ignored",
                    na.id
                ))
            } else if !checks.contains(&na.id) {
                Some(format!(
                    "{at}: not_applicable `{}` names no check, so it skips nothing",
                    na.id
                ))
            } else if policy.requires(&na.id)
                && catalog.auto.contains(&na.id)
                && !policy.allows_na(&na.id, Kind::Auto)
            {
                Some(format!(
                    "{at}: not_applicable `{}` refused, the check ran: release.yaml cannot waive an AUTO check; gate.toml's `allow_na` for {} can",
                    na.id,
                    policy.display_name()
                ))
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! The decision on inputs built in memory: no git, no files.
    use super::*;
    use crate::decision::Verdict;
    use crate::findings::Status;
    use crate::inputs::config::ConfigFile;
    use crate::inputs::locc::LoccArtifact;
    use crate::inputs::{CiStatusInput, Request};
    use crate::model::AuditTail;
    use crate::policy::Policies;

    /// What a run with `--ci-status` (or none) loads, with nothing else.
    fn inputs(ci: Option<&str>) -> Inputs {
        let req = Request {
            repo: "/nowhere".into(),
            manifest: None,
            config: None,
            package: None,
            ci_status: ci.map(|v| CiStatusInput {
                value: v.into(),
                source: "--ci-status".into(),
            }),
            release_commit: None,
            hash_eagerly: false,
        };
        let mut i = Inputs::nothing_read(&req, ConfigFile::builtin());
        i.audit = AuditTail::NotConfigured;
        i
    }

    fn policy(env: &str) -> (Catalog, EnvPolicy) {
        let c = ConfigFile::builtin();
        let catalog = Catalog::new(&c);
        let p = Policies::from_config(&c, &catalog)
            .unwrap()
            .get(env)
            .unwrap()
            .clone();
        (catalog, p)
    }

    fn promotion() -> Promotion {
        Promotion {
            env: "staging".into(),
            release: ReleaseCommit {
                sha: "a".repeat(40),
                release: "a".repeat(40),
                stepped_over: 0,
                author: vec!["Ann <ann@example.com>".into()],
                in_repo: true,
            },
            candidates: Vec::new(),
            key: None,
            signers: None,
        }
    }

    fn artifact(reason: &str) -> LoccArtifact {
        let text = format!(
            r#"{{"status": "PASS", "checks": [{{"name": "c", "result": "PASS", "reasons": ["{reason}"], "diffs": []}}]}}"#
        );
        LoccArtifact::parse("a.json".as_ref(), "a.json".into(), &text, String::new()).unwrap()
    }

    fn status(d: &Decision, id: &str) -> Option<Status> {
        d.findings.iter().find(|f| f.id == id).map(|f| f.status)
    }

    #[test]
    fn check_is_go_only_when_every_required_check_passes() {
        let (catalog, p) = policy("staging");
        let go = check(
            &inputs(Some("success")),
            &catalog,
            &p,
            Some("staging".into()),
        );
        assert_eq!((go.decision, go.exit_code), (Verdict::Go, 0));
        assert_eq!(status(&go, "ci_status"), Some(Status::Pass));
        // No log configured: audit_chain is not required in staging, so no
        // finding; no leakage without an artifact.
        assert_eq!(status(&go, "audit_chain"), None);
        assert_eq!(status(&go, "pii"), None);
        let none = check(&inputs(None), &catalog, &p, Some("staging".into()));
        assert_eq!((none.decision, none.exit_code), (Verdict::NoGo, 1));
        let failed = check(&inputs(Some("failure")), &catalog, &p, None);
        assert_eq!(failed.decision, Verdict::NoGo);
    }

    #[test]
    fn a_log_that_does_not_check_out_never_proceeds() {
        let (catalog, p) = policy("staging");
        let mut i = inputs(Some("success"));
        i.audit = AuditTail::Broken {
            log: "audit.jsonl".into(),
            problem: "TORN_TAIL: cut".into(),
        };
        let c = check(&i, &catalog, &p, Some("staging".into()));
        assert_eq!(c.decision, Verdict::NoGo);
        assert_eq!(status(&c, "audit_chain"), Some(Status::Fail));
        i.artifact = Some(artifact("fine"));
        let e = evaluate(&i, &promotion(), &catalog, &p, Timestamp::UNIX_EPOCH);
        assert_eq!((e.decision, e.exit_code), (Verdict::Block, 1));
        let chain = e.findings.iter().find(|f| f.id == "audit_chain").unwrap();
        assert_eq!(chain.action, Some(crate::findings::Action::Block));
        // Intact, the same promotion is allowed.
        i.audit = AuditTail::Intact {
            log: "audit.jsonl".into(),
            seq: 3,
        };
        let e = evaluate(&i, &promotion(), &catalog, &p, Timestamp::UNIX_EPOCH);
        assert_eq!(
            (e.decision, e.exit_code),
            (Verdict::Allow, 0),
            "{:?}",
            e.findings
        );
    }

    #[test]
    fn leaked_pii_needs_an_override_and_none_is_there() {
        let (catalog, p) = policy("staging");
        let mut i = inputs(Some("success"));
        i.artifact = Some(artifact("PII detected in record"));
        let e = evaluate(&i, &promotion(), &catalog, &p, Timestamp::UNIX_EPOCH);
        assert_eq!((e.decision, e.exit_code), (Verdict::RequireOverride, 2));
        assert_eq!(status(&e, "pii"), Some(Status::Fail));
        assert!(e.suggested_override.is_some());
    }

    #[test]
    fn a_required_release_yaml_that_is_missing_fails_closed() {
        let (catalog, p) = policy("prod");
        let mut i = inputs(Some("success"));
        i.missing_manifest = Some(crate::inputs::error::InputError::file(
            "release.yaml",
            "not found; run `gate init`",
        ));
        let c = check(&i, &catalog, &p, Some("prod".into()));
        assert_eq!((c.decision, c.exit_code), (Verdict::NoGo, 2));
        assert!(c.error.is_some());
        i.artifact = Some(artifact("fine"));
        let e = evaluate(&i, &promotion(), &catalog, &p, Timestamp::UNIX_EPOCH);
        assert_eq!((e.decision, e.exit_code), (Verdict::Block, 1));
    }
}
