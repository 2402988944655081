//! `gate override create | list | expire | validate`.

use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::write_atomically;
use super::{setup, Environment, Setup};
use crate::cli::{
    OverrideCreateArgs, OverrideExpireArgs, OverrideListArgs, OverrideLocation,
    OverrideValidateArgs,
};
use crate::decision::{exit, ErrorInfo};
use crate::identity::Identity;
use crate::inputs::allowed_signers::{self, AllowedSigners};
use crate::inputs::config::{Approvals, ConfigFile};
use crate::inputs::error::InputError;
use crate::inputs::file::read_text;
use crate::inputs::locc::LoccArtifact;
use crate::inputs::override_file::{self, parse_time, Approval, Candidate, OverrideData};
use crate::inputs::repo::{commit_author, release_commit, ReleaseCommit};
use crate::inputs::suggest::hint;
use crate::inputs::{display, relative_to, Request};
use crate::outcome::{Listed, OverrideOutcome};
use crate::overrides::{self, is_hex, sign, Approvers, FailureKind};
use crate::policy::{Catalog, Policies};

pub(super) fn request(loc: &OverrideLocation) -> Request {
    Request {
        repo: loc.repo.clone(),
        manifest: None,
        config: loc.config.clone(),
        ci_status: None,
        release_commit: None,
        package: None,
        hash_eagerly: false,
    }
}

fn overrides_dir(loc: &OverrideLocation, configured: &str) -> PathBuf {
    loc.dir.clone().unwrap_or_else(|| loc.repo.join(configured))
}

/// `gate override create`: exit 0 written, 2 refused.
pub fn create(args: &OverrideCreateArgs, env: &Environment) -> OverrideOutcome {
    create_or_refuse(args, env).unwrap_or_else(|e| OverrideOutcome::refused(CREATE, e))
}

const CREATE: &str = "override create";

fn usage(m: String) -> ErrorInfo {
    ErrorInfo::usage(m)
}

fn create_or_refuse(
    args: &OverrideCreateArgs,
    env: &Environment,
) -> Result<OverrideOutcome, ErrorInfo> {
    let loc = &args.location;
    let setup = setup(&request(loc), Some(&args.env))?;
    let policy = &setup.policy;
    let (rc, sha) = approved_commit(args, &setup)?;
    let identity_hash = identity_of(args)?;
    let known = known_ids(&setup.catalog);
    let types = leakage_types(&args.leakage_types, &known)?;
    let signed = policy.approvals == Approvals::Signed;
    // Signed approvals are added by `override approve`, one by each approver.
    let needed = if signed { 1 } else { policy.required_approvals };
    let (approvers, requested_by) = people(args, &sha, needed)?;
    if crate::identity::is_blank(&args.reason) {
        return Err(usage(
            "--reason is empty; say why promoting anyway is safe".into(),
        ));
    }
    let days = expiry_days(args, policy)?;
    let now = Timestamp::from_second(env.now.as_second()).unwrap_or(env.now);
    let filename = file_name(args, &sha, now)?;
    if policy.require_signed_overrides && env.override_key.is_none() {
        return Err(usage(format!(
            "{} requires signed overrides: set $GATE_OVERRIDE_KEY",
            args.env
        )));
    }
    let expires = now + SignedDuration::from_hours(24 * i64::from(days));
    let mut data = OverrideData {
        approved_by: approvers[0].clone(),
        requested_by,
        reason: args.reason.trim().to_string(),
        scope: args.env.clone(),
        created_at: Some(now.to_string()),
        expires_at: expires.to_string(),
        approved_head_sha: sha,
        leakage_types: Some(types),
        leakage_type: None,
        identity_hash,
        approvals: approvers[1..]
            .iter()
            .filter(|_| !signed)
            .map(|a| Approval {
                by: a.clone(),
                at: Some(now.to_string()),
                sshsig: None,
            })
            .collect(),
        signature: None,
    };
    if let Some(key) = &env.override_key {
        let unsigned = serde_json::to_value(&data).unwrap_or(Value::Null);
        data.signature = Some(sign::sign(key, &unsigned));
    }
    refuse_what_would_be_rejected(args, &setup, &known, &filename, &data, env)?;
    let mut out = write_created(args, &setup, &filename, &data, env)?;
    if signed {
        out.warnings.push(format!(
            "{} counts signed approvals: 0 of {} so far; each approver signs it with `gate override approve {} --key ~/.ssh/id_ed25519`",
            args.env,
            policy.required_approvals.max(1),
            out.path.as_deref().unwrap_or(&filename)
        ));
    }
    if rc.stepped_over > 0 {
        out.warnings.push(format!(
            "bound to the release commit {}, {} override-only commit(s) before HEAD",
            crate::inputs::prefix(&rc.release, 12),
            rc.stepped_over
        ));
    }
    out.data = Some(data);
    Ok(out)
}

/// What is about to be written, judged by the rules `validate` and
/// `evaluate` apply: create never writes a file they would reject. Where
/// approvals are signed, none is yet: that is what comes next.
fn refuse_what_would_be_rejected(
    args: &OverrideCreateArgs,
    setup: &Setup,
    known: &[String],
    filename: &str,
    data: &OverrideData,
    env: &Environment,
) -> Result<(), ErrorInfo> {
    let made = override_file::OverrideFile {
        file: filename.to_string(),
        sha256: String::new(),
        value: serde_json::to_value(data).unwrap_or(Value::Null),
        data: data.clone(),
    };
    let a = alone(&args.location.repo, &setup.policies, known, data, env, None);
    let signed = setup.policy.approvals == Approvals::Signed;
    let unsigned_yet = |f: &&overrides::Failure| {
        signed
            && matches!(
                f.kind,
                FailureKind::TooFewApprovers | FailureKind::Signature
            )
    };
    match overrides::alone(&made, &a)
        .iter()
        .find(|f| !unsigned_yet(f))
    {
        Some(f) => Err(usage(f.message.clone())),
        None => Ok(()),
    }
}

/// The commit approved: as given, or the release commit of HEAD; and its
/// lower-case id.
fn approved_commit(
    args: &OverrideCreateArgs,
    setup: &Setup,
) -> Result<(ReleaseCommit, String), ErrorInfo> {
    if let Some(s) = &args.sha {
        if overrides::is_wildcard(s) {
            return Err(usage(format!(
                "--sha `{s}` is a wildcard; an override binds to one commit"
            )));
        }
    }
    let repo = &args.location.repo;
    let rc = release_commit(repo, args.sha.as_deref(), setup.config.overrides_dir())
        .map_err(|e| ErrorInfo::input(vec![e]))?;
    if !is_hex(&rc.release, 40) {
        return Err(usage(format!(
            "--sha `{}` is not a commit of this repository nor a full 40-hex commit id",
            rc.release
        )));
    }
    let sha = rc.release.to_lowercase();
    Ok((rc, sha))
}

/// The artifact identity approved: `--identity-hash`, or the hash of
/// `--locc-artifact`.
fn identity_of(args: &OverrideCreateArgs) -> Result<String, ErrorInfo> {
    match (&args.identity_hash, &args.locc_artifact) {
        (Some(h), _) if is_hex(h.trim(), 64) => Ok(h.trim().to_lowercase()),
        (Some(h), _) => Err(usage(format!(
            "--identity-hash `{h}` is not a sha256 (64 hex digits)"
        ))),
        (None, Some(p)) => read_text(p)
            .and_then(|t| LoccArtifact::parse(p, display(p), &t.text, t.sha256))
            .map(|a| a.identity_hash)
            .map_err(|e| ErrorInfo::input(vec![e])),
        (None, None) => Err(usage("give --identity-hash or --locc-artifact".into())),
    }
}

/// `--leakage-types`: known finding ids, each once, at least one.
fn leakage_types(given: &[String], known: &[String]) -> Result<Vec<String>, ErrorInfo> {
    let mut types: Vec<String> = Vec::new();
    for t in given.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if !known.iter().any(|k| k == t) {
            return Err(usage(format!(
                "--leakage-types: unknown finding id `{t}`{} (expected pii, schema, policy or a check id)",
                hint(t, known.iter().map(String::as_str))
            )));
        }
        if !types.iter().any(|x| x == t) {
            types.push(t.to_string());
        }
    }
    if types.is_empty() {
        return Err(usage(
            "--leakage-types is empty; name the finding ids to lift".into(),
        ));
    }
    Ok(types)
}

/// The approvers (each person once) and who asked, judged by the approver
/// rules: enough of them, none the requester or the commit's author.
fn people(
    args: &OverrideCreateArgs,
    sha: &str,
    required: u32,
) -> Result<(Vec<String>, Option<String>), ErrorInfo> {
    let author = commit_author(&args.location.repo, sha);
    let requested_by = args
        .requested_by
        .clone()
        .or_else(|| author.as_ref().map(|(_, email)| email.clone()));
    let author: Vec<String> = author.into_iter().flat_map(|(n, e)| [n, e]).collect();
    let mut approvers: Vec<String> = Vec::new();
    for a in args.approved_by.iter().map(|a| a.trim()) {
        let same = |x: &String| match (Identity::parse(x), Identity::parse(a)) {
            (Ok(x), Ok(a)) => x.same_person(&a),
            _ => false,
        };
        if !a.is_empty() && !approvers.iter().any(same) {
            approvers.push(a.to_string());
        }
    }
    let listed: Vec<&str> = approvers.iter().map(String::as_str).collect();
    let judged = Approvers {
        approvers: &listed,
        requested_by: requested_by.as_deref(),
        author: &author,
    }
    .judge(required, &args.env);
    if let Some(f) = judged.first() {
        let more = match f.kind {
            FailureKind::TooFewApprovers => " (repeat --approved-by)",
            _ => "",
        };
        return Err(usage(format!("{}{more}", f.message)));
    }
    Ok((approvers, requested_by))
}

/// `--expires-in-days`, within the environment's maximum.
fn expiry_days(
    args: &OverrideCreateArgs,
    policy: &crate::policy::EnvPolicy,
) -> Result<u32, ErrorInfo> {
    let days = args.expires_in_days.unwrap_or(policy.max_override_days);
    if days == 0 {
        return Err(usage("--expires-in-days must be at least 1".into()));
    }
    if days > policy.max_override_days {
        return Err(usage(format!(
            "--expires-in-days {days} is past {}'s maximum of {} day(s)",
            args.env, policy.max_override_days
        )));
    }
    Ok(days)
}

/// The file's name: `--filename` (a plain, visible name ending in .json),
/// or `<env>-<sha8>-<unix time>.json`.
fn file_name(args: &OverrideCreateArgs, sha: &str, now: Timestamp) -> Result<String, ErrorInfo> {
    let filename = args
        .filename
        .clone()
        .unwrap_or_else(|| format!("{}-{}-{}.json", args.env, &sha[..8], now.as_second()));
    if let Err(e) = crate::identity::hidden(&filename) {
        return Err(usage(format!(
            "--filename `{}` {e}",
            filename.escape_debug()
        )));
    }
    if filename.contains(['/', '\\']) || filename.contains("..") || filename.starts_with('.') {
        return Err(usage(format!(
            "--filename `{filename}` must be a plain file name (no path separators, no `..`)"
        )));
    }
    if !filename.ends_with(".json") {
        return Err(usage(format!(
            "--filename `{filename}` must end in .json, or evaluate will not read it"
        )));
    }
    Ok(filename)
}

/// Writes the override into the environment's folder (never through a
/// symbolic link, never over a file) and records it, unless a dry run.
fn write_created(
    args: &OverrideCreateArgs,
    setup: &Setup,
    filename: &str,
    data: &OverrideData,
    env: &Environment,
) -> Result<OverrideOutcome, ErrorInfo> {
    let loc = &args.location;
    let folder = overrides_dir(loc, setup.config.overrides_dir()).join(&args.env);
    let base = loc.dir.as_deref().unwrap_or(&loc.repo);
    if let Some(link) = override_file::symlink_on_path(base, &folder) {
        return Err(usage(format!(
            "{} is a symbolic link; the overrides folder must be a real folder in the repository",
            display(&link)
        )));
    }
    let path = folder.join(filename);
    let mut out = OverrideOutcome::new(CREATE);
    out.path = Some(relative_to(&loc.repo, &path));
    if args.dry_run {
        return Ok(out);
    }
    let log = super::audit_store(&loc.audit, &loc.repo, Some(&setup.config));
    let bytes = pretty(data);
    let value = serde_json::to_value(data).unwrap_or(Value::Null);
    let shown = out.path.clone().unwrap_or_default();
    let write = || write_new(&path, &bytes);
    let undo = || {
        let _ = std::fs::remove_file(&path);
    };
    let recorded = recorded_with_undo(
        log,
        env,
        "OVERRIDE_CREATED",
        CREATE,
        &shown,
        &bytes,
        &value,
        write,
        undo,
    );
    out.audit = recorded?;
    out.written = true;
    Ok(out)
}

pub(super) fn known_ids(c: &Catalog) -> Vec<String> {
    c.leakage
        .iter()
        .chain(&c.auto)
        .chain(&c.attested)
        .cloned()
        .collect()
}

/// The file's JSON: two-space indented, as llm-release-governor writes it.
pub(super) fn pretty(data: &impl serde::Serialize) -> Vec<u8> {
    let mut s = serde_json::to_vec_pretty(data).unwrap_or_default();
    s.push(b'\n');
    s
}

/// Creates `path` (and its folder); refuses to replace an existing file.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), InputError> {
    use std::io::Write;
    let io = |e: std::io::Error| InputError::file(path, format!("cannot be written: {e}"));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                InputError::file(path, "already exists; choose another --filename")
            } else {
                io(e)
            }
        })?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)
}

/// `gate override list`.
pub fn list(args: &OverrideListArgs, env: &Environment) -> OverrideOutcome {
    const CMD: &str = "override list";
    let loc = &args.location;
    let Setup {
        config,
        catalog,
        policies,
        ..
    } = match setup(&request(loc), None) {
        Ok(s) => s,
        Err(e) => return OverrideOutcome::refused(CMD, e),
    };
    let dir = overrides_dir(loc, config.overrides_dir());
    let envs: Vec<String> = match &args.env {
        Some(e) => vec![e.clone()],
        None => {
            let mut v: Vec<String> = std::fs::read_dir(&dir)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                        .filter_map(|e| e.file_name().into_string().ok())
                        .collect()
                })
                .unwrap_or_default();
            v.sort();
            v
        }
    };
    let known = known_ids(&catalog);
    let mut out = OverrideOutcome::new(CMD);
    let signers = match signers_for(&config, &loc.repo, (any_signed(&policies), true), None) {
        Ok((s, _)) => s,
        Err(e) => return OverrideOutcome::refused(CMD, e),
    };
    for e in envs {
        for c in override_file::discover(&loc.repo, &relative_to(&loc.repo, &dir), &e) {
            let judged = match &c {
                Candidate::Parsed(o) => {
                    let a = alone(&loc.repo, &policies, &known, &o.data, env, signers.as_ref());
                    overrides::alone(o, &a)
                }
                Candidate::Invalid { .. } => Vec::new(),
            };
            out.overrides.push(listed(&c, &judged));
        }
    }
    out
}

/// What an override file is judged against on its own, in `repo`.
pub(super) fn alone<'a>(
    repo: &Path,
    policies: &'a Policies,
    known: &'a [String],
    data: &OverrideData,
    env: &'a Environment,
    signers: Option<&'a AllowedSigners>,
) -> overrides::Alone<'a> {
    overrides::Alone {
        policies,
        known,
        author: commit_author(repo, data.approved_head_sha.trim())
            .map(|(n, e)| vec![n, e])
            .unwrap_or_default(),
        now: env.now,
        key: env.override_key.as_deref(),
        signers,
    }
}

/// `[signing] allowed_signers`, read when `wanted`, with its warnings;
/// `guarded` where an environment judged here counts signed approvals (a
/// copy in the work tree is then refused). One that cannot be read
/// refuses the command.
pub(super) fn signers_for(
    config: &ConfigFile,
    repo: &Path,
    (wanted, guarded): (bool, bool),
    release_commit: Option<&str>,
) -> Result<(Option<AllowedSigners>, Vec<String>), ErrorInfo> {
    if !wanted {
        return Ok((None, Vec::new()));
    }
    let (s, warnings) = allowed_signers::load(config, repo, release_commit, guarded)
        .map_err(|e| ErrorInfo::input(vec![e]))?;
    Ok((Some(s), warnings))
}

/// Whether any environment counts signed approvals.
fn any_signed(policies: &Policies) -> bool {
    policies
        .names()
        .filter_map(|n| policies.get(n).ok())
        .any(|p| p.approvals == Approvals::Signed)
}

/// An override as `list` shows it: judged by [`overrides::alone`], the rules
/// `validate` applies, so the two never disagree.
fn listed(c: &Candidate, judged: &[overrides::Failure]) -> Listed {
    match c {
        Candidate::Invalid { file, error, .. } => Listed {
            path: file.clone(),
            status: "invalid",
            scope: None,
            approved_by: Vec::new(),
            leakage_types: Vec::new(),
            expires_at: None,
            problem: Some(error.message.clone()),
        },
        Candidate::Parsed(o) => {
            let d = &o.data;
            let other = judged.iter().find(|f| f.kind != FailureKind::Expired);
            let (status, problem) = match other {
                Some(f) => ("invalid", Some(f.message.clone())),
                None if !judged.is_empty() => ("expired", None),
                None => ("active", None),
            };
            Listed {
                path: o.file.clone(),
                status,
                scope: Some(d.scope.clone()),
                approved_by: d.approvers().into_iter().map(String::from).collect(),
                leakage_types: d.covers(),
                expires_at: Some(d.expires_at.clone()),
                problem,
            }
        }
    }
}

/// `gate override expire`: sets `expires_at` to now.
pub fn expire(args: &OverrideExpireArgs, env: &Environment) -> OverrideOutcome {
    const CMD: &str = "override expire";
    let text = match read_text(&args.path) {
        Ok(t) => t,
        Err(e) => return OverrideOutcome::refused(CMD, ErrorInfo::input(vec![e])),
    };
    let (mut value, data) = match override_file::parse(&args.path, &text.text) {
        Ok(p) => p,
        Err(e) => return OverrideOutcome::refused(CMD, ErrorInfo::input(vec![e])),
    };
    let mut out = OverrideOutcome::new(CMD);
    out.path = Some(display(&args.path));
    if parse_time(&data.expires_at).is_ok_and(|t| t <= env.now) {
        out.warnings.push(format!(
            "already expired at {}; nothing to change",
            data.expires_at
        ));
        out.data = Some(data);
        return out;
    }
    let now = Timestamp::from_second(env.now.as_second()).unwrap_or(env.now);
    if let Some(obj) = value.as_object_mut() {
        obj.insert("expires_at".into(), Value::String(now.to_string()));
        // The old signature no longer matches; sign again where we can.
        obj.remove("signature");
    }
    if let Some(key) = &env.override_key {
        let sig = sign::sign(key, &value);
        if let Some(obj) = value.as_object_mut() {
            obj.insert("signature".into(), Value::String(sig));
        }
    }
    let bytes = pretty(&value);
    if !args.dry_run {
        let loc = &args.location;
        // A broken gate.toml is refused: its audit log must not be lost.
        let config = match crate::inputs::load_config(&request(loc)) {
            Ok(c) => c,
            Err(e) => return OverrideOutcome::refused(CMD, ErrorInfo::input(vec![e])),
        };
        let log = super::audit_store(&loc.audit, &loc.repo, Some(&config));
        let shown = display(&args.path);
        let old = text.text.clone();
        let path = args.path.clone();
        let write = || write_atomically(&args.path, &bytes);
        let undo = move || {
            let _ = std::fs::write(&path, &old);
        };
        match recorded_with_undo(
            log,
            env,
            "OVERRIDE_EXPIRED",
            CMD,
            &shown,
            &bytes,
            &value,
            write,
            undo,
        ) {
            Ok(audit) => out.audit = audit,
            Err(e) => return OverrideOutcome::refused(CMD, e),
        }
        out.written = true;
    }
    out.data = serde_json::from_value(value).ok();
    out
}

/// `gate override validate`: exit 0 valid, 1 invalid, 2 usage error.
pub fn validate(args: &OverrideValidateArgs, env: &Environment) -> OverrideOutcome {
    const CMD: &str = "override validate";
    let loc = &args.location;
    let text = match read_text(&args.path) {
        Ok(t) => t,
        Err(e) => return OverrideOutcome::refused(CMD, ErrorInfo::input(vec![e])),
    };
    let mut out = OverrideOutcome::new(CMD);
    out.path = Some(display(&args.path));
    let (value, data) = match override_file::parse(&args.path, &text.text) {
        Ok(p) => p,
        Err(e) => {
            out.problems.push(e.to_string());
            out.exit_code = exit::code(exit::Command::Override, exit::Ending::Found);
            return out;
        }
    };
    let Setup {
        config,
        catalog,
        policies,
        ..
    } = match setup(&request(loc), None) {
        Ok(s) => s,
        Err(e) => return OverrideOutcome::refused(CMD, e),
    };
    let signed = policies
        .get(&data.scope)
        .is_ok_and(|p| p.approvals == Approvals::Signed);
    let sha = data.approved_head_sha.trim().to_string();
    let signers = match signers_for(&config, &loc.repo, (signed, true), Some(&sha)) {
        Ok((s, warnings)) => {
            out.warnings.extend(warnings);
            s
        }
        Err(e) => return OverrideOutcome::refused(CMD, e),
    };
    let known = known_ids(&catalog);
    let o = override_file::OverrideFile {
        file: display(&args.path),
        sha256: text.sha256,
        value,
        data: data.clone(),
    };
    let a = alone(&loc.repo, &policies, &known, &data, env, signers.as_ref());
    let (failures, approvals) = overrides::alone_judged(&o, &a);
    out.problems.extend(failures.into_iter().map(|f| f.message));
    out.approvals = approvals;
    if data.leakage_types.is_none() && data.leakage_type.is_some() {
        out.warnings
            .push("`leakage_type` is deprecated; write `leakage_types: [...]`".into());
    }
    out.exit_code = exit::code(
        exit::Command::Override,
        if out.problems.is_empty() {
            exit::Ending::Done
        } else {
            exit::Ending::Found
        },
    );
    out.data = Some(data);
    out
}

/// Writes an override change and records it in the audit log (if one is
/// configured): the log is locked and its last line checked before the
/// write, and the write is undone if the event cannot be appended, so a
/// change is never on disk without being in the log.
#[allow(clippy::too_many_arguments)]
pub(super) fn recorded_with_undo(
    log: Option<crate::audit::Store>,
    env: &Environment,
    event_type: &str,
    command: &str,
    shown: &str,
    bytes: &[u8],
    value: &Value,
    write: impl FnOnce() -> Result<(), InputError>,
    undo: impl FnOnce(),
) -> Result<Option<crate::audit::file::Appended>, ErrorInfo> {
    let input = |e: InputError| ErrorInfo::input(vec![e]);
    let Some(log) = log else {
        write().map_err(input)?;
        return Ok(None);
    };
    let keys = env.keyring(None).map_err(input)?;
    let (tail, pending) = log.begin(&keys, false).map_err(input)?;
    if let Some(p) = tail.problem() {
        return Err(ErrorInfo::input(vec![InputError::file(
            log.display(),
            format!("not written, as it could not be recorded: {p}"),
        )]));
    }
    let Some(locked) = pending else {
        return Err(ErrorInfo::usage(
            "the audit log could not be opened for appending",
        ));
    };
    write().map_err(input)?;
    let sha256 = crate::audit::file::digest(bytes);
    let event = crate::audit::event::override_event(
        event_type,
        command,
        shown,
        &sha256,
        value,
        &env.actor(),
        env.now,
    );
    match locked.append(event, &keys) {
        Ok(a) => Ok(Some(a)),
        Err(e) => {
            undo();
            Err(input(e))
        }
    }
}
