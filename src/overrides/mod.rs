//! Overrides: validate each override file against the decision being made,
//! and let a valid one lift the overridable failures it covers.
//!
//! Every failure is reported, each in words that say how to fix it:
//! identity_hash mismatch; scope mismatch; expired; created in the future;
//! wildcard SHA (`*`, `any`, `latest`, empty: never permitted); SHA
//! mismatch ("bound to X, HEAD is Y: re-approve at the current SHA");
//! leakage types insufficient; self-approval; fewer distinct approvers than
//! the environment requires; longer than the environment's maximum;
//! signature missing or wrong where the environment requires signing.
//!
//! An override must cover every overridable failure of the decision (as
//! llm-release-governor requires): one approval answers for the whole
//! release, never for a part of it.

pub mod sign;
pub mod signed;
pub mod sshsig;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::findings::{Action, Finding, Status};
use crate::identity::Identity;
use crate::inputs::allowed_signers::AllowedSigners;
use crate::inputs::config::Approvals;
use crate::inputs::override_file::{parse_time, Candidate, OverrideFile};
use crate::policy::EnvPolicy;
use signed::ApprovalReport;

/// SHA values that bind to nothing.
pub const WILDCARD_SHAS: &[&str] = &["*", "any", "latest", ""];

/// How far ahead of the clock `created_at` may be (clock skew between the
/// release manager's machine and CI).
pub const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// What an override file came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OverrideStatus {
    /// Valid, and lifted the decision's overridable failures.
    Used,
    /// Valid, but there was nothing to lift.
    Unused,
    /// Read, but failed validation: lifts nothing.
    Rejected,
    /// Not an override at all (unreadable, malformed): lifts nothing.
    Invalid,
}

/// Why an override was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    IdentityMismatch,
    ScopeMismatch,
    Expired,
    CreatedInFuture,
    WildcardSha,
    ShaMismatch,
    TypesInsufficient,
    SelfApproval,
    TooFewApprovers,
    TooLong,
    Signature,
    BadTimestamp,
    /// A name with hidden characters or mixed scripts.
    InvalidName,
    EmptyReason,
    /// `expires_at` is not after `created_at`.
    ExpiresBeforeCreated,
    /// A field that is not what its format says (a commit id, a sha256, a
    /// known finding id, a configured environment), judged without a
    /// decision: see [`alone`].
    Malformed,
}

/// One validation failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

/// One override file in the decision record.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct OverrideReport {
    pub path: String,
    pub sha256: Option<String>,
    pub status: OverrideStatus,
    /// Why it was rejected or invalid, one line each.
    pub failures: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failure_kinds: Vec<FailureKind>,
    pub approved_by: Vec<String>,
    pub requested_by: Option<String>,
    pub reason: Option<String>,
    pub expires_at: Option<String>,
    pub leakage_types: Vec<String>,
    /// Where approvals are signed: each approval, its key and whether it
    /// counted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<ApprovalReport>,
}

/// The decision an override is judged against.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub env: &'a EnvPolicy,
    /// The locc artifact's identity hash, when one was read.
    pub identity_hash: Option<&'a str>,
    /// The release commit overrides must be bound to, when known.
    pub release_commit: Option<&'a str>,
    pub now: Timestamp,
    /// The ids of the overridable failures to lift.
    pub to_lift: Vec<String>,
    /// Name and email of the release commit's author: never an approver.
    pub author: Vec<String>,
    /// `$GATE_OVERRIDE_KEY`.
    pub key: Option<&'a [u8]>,
    /// `[signing] allowed_signers`, read, where approvals are signed.
    pub signers: Option<&'a AllowedSigners>,
}

/// Whether `sha` binds to nothing (any case, any surrounding blanks): the one
/// wildcard rule of `override create`, `validate`, `list` and `evaluate`.
pub fn is_wildcard(sha: &str) -> bool {
    WILDCARD_SHAS.contains(&sha.trim().to_ascii_lowercase().as_str())
}

/// What an override file is judged against when there is no decision
/// (`override validate` and `override list`).
pub struct Alone<'a> {
    pub policies: &'a crate::policy::Policies,
    /// Every finding id an override may name.
    pub known: &'a [String],
    /// Name and email of the author of the commit the file approves.
    pub author: Vec<String>,
    pub now: Timestamp,
    pub key: Option<&'a [u8]>,
    pub signers: Option<&'a AllowedSigners>,
}

/// Every failure of `o` on its own: its fields' formats, then [`validate`]
/// against its environment's policy with the file's own hash and commit
/// standing in for the artifact and HEAD, so only the rules that need
/// neither can fail. Empty when the file is valid.
pub fn alone(o: &OverrideFile, a: &Alone) -> Vec<Failure> {
    alone_judged(o, a).0
}

/// [`alone`], and where approvals are signed, each approval judged.
pub fn alone_judged(o: &OverrideFile, a: &Alone) -> (Vec<Failure>, Vec<ApprovalReport>) {
    let d = &o.data;
    let mut out = Vec::new();
    let mut malformed = |message: String| {
        out.push(Failure {
            kind: FailureKind::Malformed,
            message,
        })
    };
    let sha = d.approved_head_sha.trim();
    if !is_wildcard(sha) && !is_hex(sha, 40) {
        malformed(format!(
            "approved_head_sha `{sha}` is not a full 40-hex commit id"
        ));
    }
    if !is_hex(d.identity_hash.trim(), 64) {
        malformed(format!(
            "identity_hash `{}` is not a sha256 (64 hex digits)",
            d.identity_hash
        ));
    }
    let covers = d.covers();
    if covers.is_empty() {
        malformed("leakage_types is missing or empty".into());
    }
    for t in covers.iter().filter(|t| !a.known.contains(t)) {
        malformed(format!(
            "leakage_types: unknown finding id `{t}`{}",
            crate::inputs::suggest::hint(t, a.known.iter().map(String::as_str))
        ));
    }
    match a.policies.get(&d.scope) {
        Err(msg) => malformed(format!("scope: {msg}")),
        Ok(policy) => {
            let ctx = Context {
                env: policy,
                identity_hash: Some(&d.identity_hash),
                release_commit: Some(sha),
                now: a.now,
                to_lift: Vec::new(),
                author: a.author.clone(),
                key: a.key,
                signers: a.signers,
            };
            let (failures, approvals) = judge(o, &ctx);
            out.extend(failures);
            return (out, approvals);
        }
    }
    (out, Vec::new())
}

/// Whether `s` is `len` hex digits.
pub fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The rules an override must meet, in the order their failures are told.
const RULES: &[Rule] = &[
    bound_to_the_artifact,
    in_time,
    bound_to_the_commit,
    covers_what_failed,
    approved,
    reasoned_and_signed,
];

type Rule = fn(&OverrideFile, &Context, &mut Vec<Failure>);

/// Every failure of `o` in `ctx`; empty when it is valid.
pub fn validate(o: &OverrideFile, ctx: &Context) -> Vec<Failure> {
    judge(o, ctx).0
}

/// Every failure of `o` in `ctx`, and where approvals are signed, each
/// approval judged.
pub fn judge(o: &OverrideFile, ctx: &Context) -> (Vec<Failure>, Vec<ApprovalReport>) {
    let mut out = Vec::new();
    for rule in RULES {
        rule(o, ctx, &mut out);
    }
    let mut approvals = Vec::new();
    if ctx.env.approvals == Approvals::Signed {
        let (reports, failures) = signed::judge(o, ctx);
        out.extend(failures);
        approvals = reports;
    }
    (out, approvals)
}

/// For this artifact (its identity hash) and this environment (its scope).
fn bound_to_the_artifact(o: &OverrideFile, ctx: &Context, out: &mut Vec<Failure>) {
    let d = &o.data;
    let mut fail = |kind, message: String| out.push(Failure { kind, message });
    let env = ctx.env.display_name();
    match ctx.identity_hash {
        Some(h) if h.eq_ignore_ascii_case(d.identity_hash.trim()) => {}
        Some(h) => fail(
            FailureKind::IdentityMismatch,
            format!(
                "identity_hash mismatch: the override is for {}, the artifact is {h}",
                short(&d.identity_hash)
            ),
        ),
        None => fail(
            FailureKind::IdentityMismatch,
            "identity_hash cannot be checked: no locc artifact was read".into(),
        ),
    }
    if d.scope != env {
        fail(
            FailureKind::ScopeMismatch,
            format!(
                "scope mismatch: the override is for {}, this is {env}",
                d.scope
            ),
        );
    }
}

/// Within its time: not expired, not created in the future, expiring after
/// it was created, and no longer than the environment allows.
fn in_time(o: &OverrideFile, ctx: &Context, out: &mut Vec<Failure>) {
    let d = &o.data;
    let mut fail = |kind, message: String| out.push(Failure { kind, message });
    let env = ctx.env.display_name();
    let expires = parse_time(&d.expires_at);
    let created = d.created_at.as_deref().map(parse_time).transpose();
    match &expires {
        Ok(t) if *t <= ctx.now => {
            fail(FailureKind::Expired, format!("expired at {}", d.expires_at))
        }
        Ok(_) => {}
        Err(e) => fail(FailureKind::BadTimestamp, format!("expires_at: {e}")),
    }
    match &created {
        Ok(Some(c)) if *c > ctx.now + CLOCK_SKEW => fail(
            FailureKind::CreatedInFuture,
            format!(
                "created in the future ({})",
                d.created_at.as_deref().unwrap_or_default()
            ),
        ),
        Err(e) => fail(FailureKind::BadTimestamp, format!("created_at: {e}")),
        _ => {}
    }
    if let (Ok(exp), Ok(Some(c))) = (&expires, &created) {
        if exp <= c {
            fail(
                FailureKind::ExpiresBeforeCreated,
                format!(
                    "expires_at {} is not after created_at {}",
                    d.expires_at,
                    d.created_at.as_deref().unwrap_or_default()
                ),
            );
        }
    }
    if let (Ok(exp), Ok(created)) = (&expires, &created) {
        let start = created.unwrap_or(ctx.now);
        let max = SignedDuration::from_hours(24 * i64::from(ctx.env.max_override_days));
        let length = exp.duration_since(start);
        if length > max {
            fail(
                FailureKind::TooLong,
                format!(
                    "lasts {:.1} days, over {env}'s maximum of {} day(s)",
                    length.as_secs_f64() / 86_400.0,
                    ctx.env.max_override_days
                ),
            );
        }
    }
}

/// For one commit, the release commit.
fn bound_to_the_commit(o: &OverrideFile, ctx: &Context, out: &mut Vec<Failure>) {
    let d = &o.data;
    let mut fail = |kind, message: String| out.push(Failure { kind, message });
    let sha = d.approved_head_sha.trim();
    if is_wildcard(sha) {
        fail(
            FailureKind::WildcardSha,
            format!("approved_head_sha `{sha}` is a wildcard; an override binds to one commit"),
        );
    } else {
        match ctx.release_commit {
            Some(rc) if rc.eq_ignore_ascii_case(sha) => {}
            Some(rc) => fail(
                FailureKind::ShaMismatch,
                format!("approved_head_sha mismatch: bound to {sha}, HEAD is {rc}: re-approve at the current SHA"),
            ),
            None => fail(FailureKind::ShaMismatch, "approved_head_sha cannot be checked: no release commit is known".into()),
        }
    }
}

/// Its leakage types cover every failure it is to lift.
fn covers_what_failed(o: &OverrideFile, ctx: &Context, out: &mut Vec<Failure>) {
    let d = &o.data;
    let mut fail = |kind, message: String| out.push(Failure { kind, message });
    let covers = d.covers();
    let missing: Vec<&String> = ctx
        .to_lift
        .iter()
        .filter(|id| !covers.contains(id))
        .collect();
    if !missing.is_empty() {
        fail(
            FailureKind::TypesInsufficient,
            format!(
                "leakage_types insufficient: covers [{}], needed [{}]",
                covers.join(", "),
                ctx.to_lift.join(", ")
            ),
        );
    }
}

/// Approved by enough people, none of them the requester or the commit's
/// author.
fn approved(o: &OverrideFile, ctx: &Context, out: &mut Vec<Failure>) {
    if ctx.env.approvals == Approvals::Signed {
        // Judged by their signatures: see [`signed`].
        return;
    }
    let d = &o.data;
    let approvers = d.approvers();
    let people = Approvers {
        approvers: &approvers,
        requested_by: d.requested_by.as_deref(),
        author: &ctx.author,
    };
    out.extend(people.judge(ctx.env.required_approvals, ctx.env.display_name()));
}

/// A reason given, and signed where the environment requires it (and a
/// signature there is must match).
fn reasoned_and_signed(o: &OverrideFile, ctx: &Context, out: &mut Vec<Failure>) {
    let d = &o.data;
    let mut fail = |kind, message: String| out.push(Failure { kind, message });
    let env = ctx.env.display_name();
    if crate::identity::is_blank(&d.reason) {
        fail(
            FailureKind::EmptyReason,
            "reason is empty: an override says why promoting anyway is safe".into(),
        );
    }
    match (&d.signature, ctx.key) {
        (Some(s), Some(key)) if !sign::verify(key, &o.value, s) => fail(
            FailureKind::Signature,
            "signature does not match the file under $GATE_OVERRIDE_KEY (edited after signing?)"
                .into(),
        ),
        (None, _) if ctx.env.require_signed_overrides => fail(
            FailureKind::Signature,
            format!("{env} requires signed overrides; this one has no signature"),
        ),
        (Some(_), None) if ctx.env.require_signed_overrides => fail(
            FailureKind::Signature,
            format!(
                "{env} requires signed overrides, but $GATE_OVERRIDE_KEY is not set to verify it"
            ),
        ),
        _ => {}
    }
}

/// What is worth saying about an override that is not wrong: a deprecated
/// field, an expiry within the day.
fn notes(o: &OverrideFile, status: OverrideStatus, ctx: &Context) -> Vec<String> {
    let mut out = Vec::new();
    if o.data.leakage_types.is_none() && o.data.leakage_type.is_some() {
        out.push(format!(
            "{}: `leakage_type` is deprecated; write `leakage_types: [...]`",
            o.file
        ));
    }
    if status != OverrideStatus::Rejected {
        if let Ok(exp) = parse_time(&o.data.expires_at) {
            let left = exp.duration_since(ctx.now);
            if left < SignedDuration::from_hours(24) {
                out.push(format!(
                    "{}: expires within a day ({})",
                    o.file, o.data.expires_at
                ));
            }
        }
    }
    out
}

impl OverrideReport {
    /// A file that could not be read as an override.
    fn unreadable(
        file: &str,
        sha256: &Option<String>,
        error: &crate::inputs::error::InputError,
    ) -> Self {
        OverrideReport {
            path: file.to_string(),
            sha256: sha256.clone(),
            status: OverrideStatus::Invalid,
            failures: vec![error.to_string()],
            failure_kinds: Vec::new(),
            approved_by: Vec::new(),
            requested_by: None,
            reason: None,
            expires_at: None,
            leakage_types: Vec::new(),
            approvals: Vec::new(),
        }
    }
}

/// Who approved an override, and who may not.
pub struct Approvers<'a> {
    /// `approved_by` and every further approval, in order.
    pub approvers: &'a [&'a str],
    pub requested_by: Option<&'a str>,
    /// Name and email of the release commit's author.
    pub author: &'a [String],
}

impl Approvers<'_> {
    /// The approval rules: every name is visible text of one script per
    /// word; nobody who requested or authored the change approves it (names
    /// compared as [`Identity`] does); and `needed` distinct people approve.
    /// Each name is judged once, however often it is listed.
    pub fn judge(&self, needed: u32, env: &str) -> Vec<Failure> {
        let mut out = Vec::new();
        let mut fail = |kind, message: String| out.push(Failure { kind, message });
        let mut barred: Vec<Identity> = self.author.iter().map(|a| Identity::barred(a)).collect();
        if let Some(r) = self.requested_by {
            match Identity::parse(r) {
                Ok(i) => barred.push(i),
                Err(e) => {
                    fail(
                        FailureKind::InvalidName,
                        format!("requested_by `{}` {e}", r.escape_debug()),
                    );
                    barred.push(Identity::barred(r));
                }
            }
        }
        // Every key of everyone judged so far: each person is judged once,
        // in time linear in the number of approvals.
        let mut seen = std::collections::HashSet::new();
        let mut counted = 0usize;
        let mut written = std::collections::HashSet::new();
        for who in self.approvers {
            if !written.insert(*who) {
                continue;
            }
            let id = match Identity::parse(who) {
                Ok(i) => i,
                Err(e) => {
                    fail(
                        FailureKind::InvalidName,
                        format!("approver `{}` {e}", who.escape_debug()),
                    );
                    continue;
                }
            };
            let known = id.keys().iter().any(|k| seen.contains(k));
            seen.extend(id.keys().iter().cloned());
            if id.is_empty() || known {
                continue;
            }
            if barred.iter().any(|b| b.same_person(&id)) {
                fail(
                    FailureKind::SelfApproval,
                    format!(
                        "self-approval: {} requested or authored the change and cannot approve it",
                        id.shown
                    ),
                );
            } else {
                counted += 1;
            }
        }
        let needed = needed.max(1) as usize;
        if counted < needed {
            fail(
                FailureKind::TooFewApprovers,
                format!("{env} needs {needed} distinct approver(s) other than the requester and author; this has {counted}"),
            );
        }
        out
    }
}

/// Judges every candidate, marks the findings a valid override lifts
/// (`covered_by`), and returns the reports and warnings.
pub fn apply(
    findings: &mut [Finding],
    candidates: &[Candidate],
    ctx: &Context,
) -> (Vec<OverrideReport>, Vec<String>) {
    let mut reports = Vec::new();
    let mut warnings = Vec::new();
    let mut lifting: Option<String> = None;
    for c in candidates {
        let o = match c {
            Candidate::Invalid {
                file,
                sha256,
                error,
            } => {
                reports.push(OverrideReport::unreadable(file, sha256, error));
                continue;
            }
            Candidate::Parsed(o) => o,
        };
        let (failures, approvals) = judge(o, ctx);
        let status = if !failures.is_empty() {
            OverrideStatus::Rejected
        } else if ctx.to_lift.is_empty() {
            warnings.push(format!(
                "{}: override matched nothing (no overridable failure to lift); remove it",
                o.file
            ));
            OverrideStatus::Unused
        } else {
            lifting.get_or_insert_with(|| o.file.clone());
            OverrideStatus::Used
        };
        warnings.extend(notes(o, status, ctx));
        reports.push(OverrideReport {
            path: o.file.clone(),
            sha256: Some(o.sha256.clone()),
            status,
            failures: failures.iter().map(|f| f.message.clone()).collect(),
            failure_kinds: failures.iter().map(|f| f.kind).collect(),
            approved_by: distinct(o.data.approvers()),
            requested_by: o.data.requested_by.clone(),
            reason: Some(o.data.reason.clone()),
            expires_at: Some(o.data.expires_at.clone()),
            leakage_types: o.data.covers(),
            approvals,
        });
    }
    if let Some(file) = lifting {
        for f in findings.iter_mut() {
            if f.status == Status::Fail && f.action == Some(Action::Override) {
                f.covered_by = Some(file.clone());
            }
        }
    }
    (reports, warnings)
}

/// Names as written, each once, in order.
fn distinct(names: Vec<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    out
}

/// The ids of the findings only an override can lift.
pub fn to_lift(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.action == Some(Action::Override))
        .map(|f| f.id.clone())
        .collect()
}

fn short(h: &str) -> String {
    let p = crate::inputs::prefix(h, 16);
    if p.len() < h.len() {
        format!("{p}…")
    } else {
        h.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::config::ConfigFile;
    use crate::policy::{Catalog, Policies};
    use serde_json::json;

    const HASH: &str = "dbedd13029bf7f766ca086dd9f23ea3ba370aa3462fae5071c14663dc4ded8d3";
    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    fn now() -> Timestamp {
        "2026-11-21T09:00:00Z".parse().unwrap()
    }

    fn policies(toml: &str) -> Policies {
        let c = if toml.is_empty() {
            ConfigFile::builtin()
        } else {
            ConfigFile::parse(std::path::Path::new("gate.toml"), toml, String::new()).unwrap()
        };
        Policies::from_config(&c, &Catalog::new(&c)).unwrap()
    }

    fn good() -> serde_json::Value {
        json!({"approved_by": "alice", "requested_by": "bob", "reason": "confirmed false positive",
               "scope": "staging", "created_at": "2026-11-21T08:00:00Z", "expires_at": "2026-11-28T08:00:00Z",
               "approved_head_sha": SHA, "leakage_types": ["pii"], "identity_hash": HASH})
    }

    fn file(v: serde_json::Value) -> OverrideFile {
        let data = serde_json::from_value(v.clone()).unwrap();
        OverrideFile {
            file: "overrides/staging/o.json".into(),
            sha256: String::new(),
            value: v,
            data,
        }
    }

    fn kinds(v: serde_json::Value, env: &EnvPolicy, key: Option<&[u8]>) -> Vec<FailureKind> {
        let ctx = Context {
            env,
            identity_hash: Some(HASH),
            release_commit: Some(SHA),
            now: now(),
            to_lift: vec!["pii".into()],
            author: vec!["Carol Author".into(), "carol@example.com".into()],
            key,
            signers: None,
        };
        validate(&file(v), &ctx)
            .into_iter()
            .map(|f| f.kind)
            .collect()
    }

    fn with(key: &str, value: serde_json::Value) -> serde_json::Value {
        let mut v = good();
        v[key] = value;
        v
    }

    /// Found by the override_file fuzz target: a multi-byte character at
    /// byte 16 of `identity_hash` panicked when the mismatch was reported.
    #[test]
    fn regression_non_ascii_identity_hash_is_reported_not_a_panic() {
        let p = policies("");
        let v = with(
            "identity_hash",
            json!("dbedd13029bf7a3\u{78b}370aa3462fae5071c14663dc4ded8d3"),
        );
        let ctx = Context {
            env: p.get("staging").unwrap(),
            identity_hash: Some(HASH),
            release_commit: Some(SHA),
            now: now(),
            to_lift: vec!["pii".into()],
            author: vec![],
            key: None,
            signers: None,
        };
        let failures = validate(&file(v), &ctx);
        assert!(
            failures
                .iter()
                .any(|f| f.kind == FailureKind::IdentityMismatch
                    && f.message.contains("dbedd13029bf7a3")),
            "{failures:?}"
        );
    }

    /// 13 of 18 look-alikes of the author's identity approved their own
    /// commit when names were compared trimmed and lower-cased only.
    #[test]
    fn regression_look_alikes_of_the_author_or_requester_cannot_approve() {
        let p = policies("");
        let staging = p.get("staging").unwrap();
        for who in [
            "Carol\u{a0}Author",
            "Carol  Author",
            "ＣＡＲＯＬ Author",
            "Carol Author <carol@example.com>",
            "carol",
            "CAROL@example.com",
            "b\u{200b}ob",
            "Bob",
            "bob <bob@example.com>",
        ] {
            let k = kinds(with("approved_by", json!(who)), staging, None);
            assert!(
                k.contains(&FailureKind::SelfApproval) || k.contains(&FailureKind::InvalidName),
                "{who:?} approved: {k:?}"
            );
            assert!(k.contains(&FailureKind::TooFewApprovers), "{who:?}: {k:?}");
        }
        for who in [
            "C\u{430}rol Author",
            "Carol\u{200b} Author",
            "Carol\u{2028}Author",
        ] {
            let k = kinds(with("approved_by", json!(who)), staging, None);
            assert!(k.contains(&FailureKind::InvalidName), "{who:?}: {k:?}");
        }
        let k = kinds(with("requested_by", json!("b\u{202e}ob")), staging, None);
        assert!(k.contains(&FailureKind::InvalidName), "{k:?}");
    }

    #[test]
    fn regression_empty_reason_and_expiry_before_creation_are_rejected() {
        let p = policies("");
        let staging = p.get("staging").unwrap();
        assert_eq!(
            kinds(with("reason", json!("  ")), staging, None),
            vec![FailureKind::EmptyReason]
        );
        let k = kinds(
            with("created_at", json!("2026-11-21T08:30:00Z")),
            staging,
            None,
        );
        assert_eq!(k, vec![], "created after expiry? {k:?}");
        let mut v = good();
        v["created_at"] = json!("2026-11-21T08:00:00Z");
        v["expires_at"] = json!("2026-11-21T07:00:00Z");
        let k = kinds(v, staging, None);
        assert!(k.contains(&FailureKind::ExpiresBeforeCreated), "{k:?}");
    }

    #[test]
    fn a_good_override_is_valid() {
        let p = policies("");
        assert_eq!(kinds(good(), p.get("staging").unwrap(), None), vec![]);
    }

    #[test]
    fn each_failure_is_reported() {
        let p = policies("");
        let staging = p.get("staging").unwrap();
        let cases = [
            (
                with("identity_hash", json!("00")),
                FailureKind::IdentityMismatch,
            ),
            (with("scope", json!("prod")), FailureKind::ScopeMismatch),
            (
                with("expires_at", json!("2026-11-21T08:59:59Z")),
                FailureKind::Expired,
            ),
            (
                with("created_at", json!("2026-11-21T10:00:00Z")),
                FailureKind::CreatedInFuture,
            ),
            (
                with("approved_head_sha", json!("*")),
                FailureKind::WildcardSha,
            ),
            (
                with("approved_head_sha", json!("latest")),
                FailureKind::WildcardSha,
            ),
            (
                with("approved_head_sha", json!("")),
                FailureKind::WildcardSha,
            ),
            (
                with(
                    "approved_head_sha",
                    json!("ffffffffffffffffffffffffffffffffffffffff"),
                ),
                FailureKind::ShaMismatch,
            ),
            (
                with("leakage_types", json!(["schema"])),
                FailureKind::TypesInsufficient,
            ),
            (with("approved_by", json!("BOB")), FailureKind::SelfApproval),
            (
                with("approved_by", json!("carol@example.com")),
                FailureKind::SelfApproval,
            ),
            (
                with("expires_at", json!("2026-11-29T08:00:01Z")),
                FailureKind::TooLong,
            ),
            (with("expires_at", json!("soon")), FailureKind::BadTimestamp),
        ];
        for (v, want) in cases {
            let got = kinds(v.clone(), staging, None);
            assert!(got.contains(&want), "{want:?} not in {got:?} for {v}");
        }
    }

    #[test]
    fn length_without_created_at_counts_from_now() {
        let p = policies("");
        let mut v = good();
        v.as_object_mut().unwrap().remove("created_at");
        v["expires_at"] = json!("2026-11-28T08:00:00Z"); // 6d 23h from now
        assert_eq!(kinds(v.clone(), p.get("staging").unwrap(), None), vec![]);
        v["scope"] = json!("preprod");
        assert_eq!(
            kinds(v, p.get("preprod").unwrap(), None),
            vec![FailureKind::TooLong]
        );
    }

    #[test]
    fn two_person_rule() {
        let p = policies("[env.staging]\nrequired_approvals = 2\n");
        let staging = p.get("staging").unwrap();
        assert_eq!(
            kinds(good(), staging, None),
            vec![FailureKind::TooFewApprovers]
        );
        let two = with("approvals", json!([{"by": "dave"}]));
        assert_eq!(kinds(two, staging, None), vec![]);
        let same_twice = with("approvals", json!([{"by": "Alice"}]));
        assert_eq!(
            kinds(same_twice, staging, None),
            vec![FailureKind::TooFewApprovers]
        );
        let author = with("approvals", json!([{"by": "Carol Author"}]));
        assert_eq!(
            kinds(author, staging, None),
            vec![FailureKind::SelfApproval, FailureKind::TooFewApprovers]
        );
    }

    /// Approvers were deduplicated pairwise and each self-approval reported
    /// on its own: 100,000 approvals took minutes and made as many failures.
    #[test]
    fn regression_many_approvals_are_judged_once_each() {
        let p = policies("[env.staging]\nrequired_approvals = 2\n");
        let staging = p.get("staging").unwrap();
        let many: Vec<_> = (0..100_000)
            .map(|i| json!({"by": format!("approver {i}")}))
            .chain((0..100_000).map(|_| json!({"by": "Carol Author"})))
            .collect();
        assert_eq!(
            kinds(with("approvals", json!(many)), staging, None),
            vec![FailureKind::SelfApproval]
        );
    }

    #[test]
    fn signatures_where_required() {
        let p = policies("[env.staging]\nrequire_signed_overrides = true\n");
        let staging = p.get("staging").unwrap();
        assert_eq!(
            kinds(good(), staging, Some(b"k")),
            vec![FailureKind::Signature],
            "unsigned"
        );
        let mut signed = good();
        signed["signature"] = json!(sign::sign(b"k", &good()));
        assert_eq!(kinds(signed.clone(), staging, Some(b"k")), vec![]);
        assert_eq!(
            kinds(signed.clone(), staging, Some(b"other")),
            vec![FailureKind::Signature]
        );
        assert_eq!(
            kinds(signed.clone(), staging, None),
            vec![FailureKind::Signature],
            "no key to verify with"
        );
        let mut tampered = signed;
        tampered["reason"] = json!("changed");
        assert_eq!(
            kinds(tampered, staging, Some(b"k")),
            vec![FailureKind::Signature]
        );
    }

    #[test]
    fn apply_lifts_only_with_a_valid_override_and_reports_unused() {
        use crate::findings::Kind;
        let p = policies("");
        let staging = p.get("staging").unwrap();
        let mut fs = vec![Finding::new("pii", "t", Kind::Leakage, Status::Fail)];
        staging.apply(&mut fs);
        let ctx = Context {
            env: staging,
            identity_hash: Some(HASH),
            release_commit: Some(SHA),
            now: now(),
            to_lift: to_lift(&fs),
            author: vec![],
            key: None,
            signers: None,
        };
        let (reports, _) = apply(&mut fs, &[Candidate::Parsed(Box::new(file(good())))], &ctx);
        assert_eq!(reports[0].status, OverrideStatus::Used);
        assert_eq!(
            fs[0].covered_by.as_deref(),
            Some("overrides/staging/o.json")
        );
        let mut clean: Vec<Finding> = vec![];
        let ctx = Context {
            to_lift: vec![],
            ..ctx
        };
        let (reports, warnings) = apply(
            &mut clean,
            &[Candidate::Parsed(Box::new(file(good())))],
            &ctx,
        );
        assert_eq!(reports[0].status, OverrideStatus::Unused);
        assert!(warnings[0].contains("matched nothing"));
    }
}
