//! `gate override payload | approve`: the bytes an approval signs, and an
//! SSH-signed approval added to an override, as git signs commits
//! (`ssh-keygen -Y sign`, so ssh-agent, passphrases and security keys work
//! as they do for git). Verifying never needs ssh-keygen.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::override_cmd::{alone, known_ids, pretty, recorded_with_undo, request, signers_for};
use super::{setup, write_atomically, Environment};
use crate::cli::{OverrideApproveArgs, OverridePayloadArgs};
use crate::decision::ErrorInfo;
use crate::identity::Identity;
use crate::inputs::allowed_signers::AllowedSigners;
use crate::inputs::config::Approvals;
use crate::inputs::display;
use crate::inputs::error::InputError;
use crate::inputs::file::read_text_max;
use crate::inputs::override_file::{self, OverrideData, OverrideFile, MAX_OVERRIDE_BYTES};
use crate::outcome::OverrideOutcome;
use crate::overrides::sshsig::{self, Decoded, NAMESPACE};
use crate::overrides::{self, signed};

const APPROVE: &str = "override approve";

/// `gate override payload PATH`: the payload, no trailing newline.
pub fn payload(args: &OverridePayloadArgs) -> Result<String, ErrorInfo> {
    let (value, _) = read_override(&args.path)?;
    Ok(sshsig::payload(&value))
}

fn read_override(path: &Path) -> Result<(Value, OverrideData), ErrorInfo> {
    let input = |e: InputError| ErrorInfo::input(vec![e]);
    let text = read_text_max(path, MAX_OVERRIDE_BYTES, "override files").map_err(input)?;
    override_file::parse(path, &text.text).map_err(input)
}

/// `gate override approve PATH --key KEYFILE | --signature-file F`: exit 0
/// written, 2 refused.
pub fn approve(args: &OverrideApproveArgs, env: &Environment) -> OverrideOutcome {
    approve_or_refuse(args, env).unwrap_or_else(|e| OverrideOutcome::refused(APPROVE, e))
}

fn approve_or_refuse(
    args: &OverrideApproveArgs,
    env: &Environment,
) -> Result<OverrideOutcome, ErrorInfo> {
    let loc = &args.location;
    let (mut value, data) = read_override(&args.path)?;
    let payload = sshsig::payload(&value);
    let setup = setup(&request(loc), None)?;
    let policy = setup
        .policies
        .get(&data.scope)
        .map_err(|r| ErrorInfo::usage(format!("scope: {r}")))?;
    let sha = data.approved_head_sha.trim().to_string();
    // Read to name the principal and judge the approval where configured;
    // refused inside the work tree only where the scope's approvals are
    // signed.
    let configured = setup.config.allowed_signers().is_some();
    let guarded = policy.approvals == Approvals::Signed;
    let (signers, warnings) =
        signers_for(&setup.config, &loc.repo, (configured, guarded), Some(&sha))?;
    let known = known_ids(&setup.catalog);
    let alone = alone(
        &loc.repo,
        &setup.policies,
        &known,
        &data,
        env,
        signers.as_ref(),
    );
    let (armoured, decoded) = signature(args, &payload)?;
    let by = principal(args, &decoded, signers.as_ref(), &loc.repo)?;
    refuse_self_or_twice(&data, &by, &alone.author)?;
    let entry = serde_json::json!({"by": by, "sshsig": armoured});
    match value.get_mut("approvals") {
        Some(Value::Array(list)) => list.push(entry),
        _ => {
            if let Some(obj) = value.as_object_mut() {
                obj.insert("approvals".into(), Value::Array(vec![entry]));
            }
        }
    }
    let data: OverrideData = serde_json::from_value(value.clone())
        .map_err(|e| ErrorInfo::usage(format!("the approval could not be added: {e}")))?;
    let mut out = OverrideOutcome::new(APPROVE);
    out.path = Some(display(&args.path));
    out.warnings = warnings;
    let judged = OverrideFile {
        file: display(&args.path),
        sha256: String::new(),
        value: value.clone(),
        data: data.clone(),
    };
    out.approvals = overrides::alone_judged(&judged, &alone).1;
    if let Some(f) = out.approvals.last().and_then(|a| a.failure) {
        out.warnings.push(format!(
            "this approval will not count in {}: {} ({})",
            data.scope,
            f.describe(),
            signed::serde_name(f)
        ));
    }
    if !args.dry_run {
        out.audit = write(args, env, &setup.config, &value)?;
        out.written = true;
    }
    out.data = Some(data);
    Ok(out)
}

/// The signature to attach, made by ssh-keygen or read from a file, and
/// checked: readable, in the gate-override namespace, from a key gate
/// counts, over this payload.
fn signature(
    args: &OverrideApproveArgs,
    payload: &str,
) -> Result<(String, sshsig::Decoded), ErrorInfo> {
    let armoured = match (&args.key, &args.signature_file) {
        (Some(key), _) => ssh_keygen_sign(key, payload)?,
        (None, Some(f)) => {
            read_text_max(f, sshsig::MAX_SIGNATURE_BYTES as u64, "signature files")
                .map_err(|e| ErrorInfo::input(vec![e]))?
                .text
        }
        (None, None) => return Err(ErrorInfo::usage("--key or --signature-file is needed")),
    };
    let decoded = sshsig::decode(&armoured)
        .map_err(|m| ErrorInfo::usage(format!("not an SSH signature gate can read: {m}")))?;
    if decoded.namespace != NAMESPACE {
        return Err(ErrorInfo::usage(format!(
            "signed in the namespace `{}`; approvals are signed with -n {NAMESPACE}",
            decoded.namespace.escape_debug()
        )));
    }
    if let Some(why) = decoded.unsupported() {
        return Err(ErrorInfo::usage(format!(
            "the signing key would not count: {why}"
        )));
    }
    if !decoded.verifies(payload.as_bytes()) {
        return Err(ErrorInfo::usage(format!(
            "the signature is not over this override's payload: sign the output of `gate override payload {}`",
            display(&args.path)
        )));
    }
    Ok((armoured, decoded))
}

/// Runs `ssh-keygen -Y sign -n gate-override -f KEY` over the payload.
fn ssh_keygen_sign(key: &Path, payload: &str) -> Result<String, ErrorInfo> {
    let mut child = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            ErrorInfo::usage(format!(
                "ssh-keygen could not be run ({e}): install OpenSSH, or sign elsewhere and pass --signature-file"
            ))
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A failed write shows as ssh-keygen's own failure below.
        let _ = stdin.write_all(payload.as_bytes());
    }
    let done = child
        .wait_with_output()
        .map_err(|e| ErrorInfo::usage(format!("ssh-keygen failed: {e}")))?;
    if !done.status.success() {
        let said = String::from_utf8_lossy(&done.stderr);
        return Err(ErrorInfo::usage(format!(
            "ssh-keygen -Y sign with {} failed: {}",
            display(key),
            said.trim()
        )));
    }
    String::from_utf8(done.stdout).map_err(|_| ErrorInfo::usage("ssh-keygen wrote no signature"))
}

/// `--by`, else the one principal allowed_signers lists for the key (or
/// its certificate names), else `git config user.email`.
fn principal(
    args: &OverrideApproveArgs,
    d: &Decoded,
    signers: Option<&AllowedSigners>,
    repo: &Path,
) -> Result<String, ErrorInfo> {
    if let Some(by) = &args.by {
        return Ok(by.trim().to_string());
    }
    let mut named: Vec<String> = match &d.cert {
        Some(c) => c.valid_principals().to_vec(),
        None => signers
            .map(|s| {
                s.signers
                    .iter()
                    .filter(|l| !l.cert_authority && l.key == d.key)
                    .flat_map(|l| l.literal_principals().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
    };
    named.sort();
    named.dedup();
    if let [one] = named.as_slice() {
        return Ok(one.clone());
    }
    let email = git2::Repository::open(repo)
        .and_then(|r| r.config())
        .and_then(|c| c.get_string("user.email"));
    match email {
        Ok(e) if !e.trim().is_empty() => Ok(e.trim().to_string()),
        _ => Err(ErrorInfo::usage(format!(
            "--by is needed: allowed_signers lists {} principal(s) for key {} and git config user.email is not set",
            named.len(),
            d.fingerprint()
        ))),
    }
}

/// The requester and the commit's author (`author`: name and email) never
/// approve; nobody approves twice.
fn refuse_self_or_twice(data: &OverrideData, by: &str, author: &[String]) -> Result<(), ErrorInfo> {
    let who = Identity::parse(by)
        .map_err(|e| ErrorInfo::usage(format!("--by `{}` {e}", by.escape_debug())))?;
    let barred = author
        .iter()
        .map(String::as_str)
        .chain(data.requested_by.as_deref());
    for b in barred {
        if Identity::barred(b).same_person(&who) {
            return Err(ErrorInfo::usage(format!(
                "self-approval: {by} requested or authored the change and cannot approve it"
            )));
        }
    }
    let twice = data
        .approvals
        .iter()
        .filter(|a| a.sshsig.is_some())
        .any(|a| Identity::barred(&a.by).same_person(&who));
    if twice {
        return Err(ErrorInfo::usage(format!(
            "{by} has approved this override already"
        )));
    }
    Ok(())
}

/// Rewrites the file atomically and records the approval.
fn write(
    args: &OverrideApproveArgs,
    env: &Environment,
    config: &crate::inputs::config::ConfigFile,
    value: &Value,
) -> Result<Option<crate::audit::file::Appended>, ErrorInfo> {
    let loc = &args.location;
    let bytes = pretty(value);
    let old = std::fs::read(&args.path).unwrap_or_default();
    let path = args.path.clone();
    let log = super::audit_store(&loc.audit, &loc.repo, Some(config));
    recorded_with_undo(
        log,
        env,
        "OVERRIDE_APPROVED",
        APPROVE,
        &display(&args.path),
        &bytes,
        value,
        || write_atomically(&args.path, &bytes),
        move || {
            let _ = std::fs::write(&path, &old);
        },
    )
}
