//! `gate evaluate`: load → the audit log's tail → decide (checks, policy,
//! overrides, verdict) → record → outputs.
//!
//! Fail closed: any input that cannot be read or validated is a BLOCK
//! whose JSON carries the error.

use std::path::Path;

use super::{conclude, load, open_log, project_log, setup, Environment, Opened, Setup};
use crate::cli::EvaluateArgs;
use crate::decision::decide::{self, Promotion};
use crate::decision::{Decision, ErrorInfo};
use crate::inputs::allowed_signers;
use crate::inputs::config::Approvals;
use crate::inputs::error::InputError;
use crate::inputs::file::read_text;
use crate::inputs::locc::LoccArtifact;
use crate::inputs::override_file::{self, Candidate};
use crate::inputs::repo::release_commit;
use crate::inputs::{relative_to, Inputs, Request};

/// Evaluates a promotion and returns the decision; writes `--decision-out`
/// unless `--dry-run`.
pub fn run(args: &EvaluateArgs, env: &Environment) -> Decision {
    let req = super::project_request(&args.project, env);
    let setup = setup(&req, Some(&args.env));
    let (d, opened) = match &setup {
        Ok(s) => decide(args, env, req, s),
        Err(e) => (
            Decision::evaluate_error(Some(args.env.clone()), e.clone()),
            open_log(project_log(&args.project, None), env, args.dry_run).1,
        ),
    };
    // An output CI relies on that cannot be written must not pass as ALLOW.
    let outputs = (
        args.decision_out.as_deref(),
        args.output.metrics_out.as_deref(),
    );
    conclude(d, opened, env, outputs, args.dry_run)
}

/// Everything read (the release commit, the artifact, the checks' inputs,
/// the override files), the log's tail last (under its lock), then one
/// decision. A read that fails is a BLOCK, still recorded.
fn decide(
    args: &EvaluateArgs,
    env: &Environment,
    req: Request,
    setup: &Setup,
) -> (Decision, Opened) {
    let log = project_log(&args.project, Some(&setup.config));
    match read(args, env, req, setup) {
        Ok((mut inputs, promotion)) => {
            let (tail, opened) = open_log(log, env, args.dry_run);
            inputs.audit = tail;
            let d = decide::evaluate(&inputs, &promotion, &setup.catalog, &setup.policy, env.now);
            (d, opened)
        }
        Err(e) => (
            Decision::evaluate_error(Some(args.env.clone()), e),
            open_log(log, env, args.dry_run).1,
        ),
    }
}

/// Every input of a promotion but the audit log's tail.
fn read(
    args: &EvaluateArgs,
    env: &Environment,
    mut req: Request,
    setup: &Setup,
) -> Result<(Inputs, Promotion), ErrorInfo> {
    let input_error = |e: InputError| ErrorInfo::input(vec![e]);
    let repo = &args.project.repo;
    let rc = release_commit(repo, args.sha.as_deref(), setup.config.overrides_dir())
        .map_err(input_error)?;
    req.release_commit = Some(rc.release.clone()).filter(|_| rc.in_repo);
    let artifact = match &args.locc_artifact {
        Some(p) => Some(load_artifact(repo, p).map_err(input_error)?),
        None if setup.policy.locc_rule().any() => {
            return Err(ErrorInfo::usage(format!(
                "--locc-artifact is required: {} requires the leakage checks (pii, schema, policy)",
                args.env
            )))
        }
        None => None,
    };
    let mut inputs = load(&req, setup, artifact)?;
    let signers = if setup.policy.approvals == Approvals::Signed {
        let (s, warnings) = allowed_signers::load(&setup.config, repo, Some(&rc.release), true)
            .map_err(input_error)?;
        inputs.warnings.extend(warnings);
        inputs
            .digests
            .push((s.file.clone(), s.sha256.clone().into()));
        Some(s)
    } else {
        None
    };
    let candidates = if args.override_file.is_empty() {
        override_file::discover(repo, setup.config.overrides_dir(), &args.env)
    } else {
        named_overrides(repo, &args.override_file)?
    };
    let promotion = Promotion {
        env: args.env.clone(),
        release: rc,
        candidates,
        key: env.override_key.clone(),
        signers,
    };
    Ok((inputs, promotion))
}

/// The override files `--override-file` names: each is an input, so one
/// that cannot be read or parsed is an input error, even with nothing to
/// lift.
fn named_overrides(repo: &Path, paths: &[std::path::PathBuf]) -> Result<Vec<Candidate>, ErrorInfo> {
    let input_error = |e: InputError| ErrorInfo::input(vec![e]);
    let mut out = Vec::new();
    for p in paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(input_error(InputError::file(
                p,
                "not found (--override-file)",
            )));
        }
        match override_file::load(p, relative_to(repo, p)) {
            Candidate::Invalid { error, .. } => return Err(input_error(error)),
            parsed => out.push(parsed),
        }
    }
    Ok(out)
}

fn load_artifact(repo: &Path, path: &Path) -> Result<LoccArtifact, InputError> {
    let text = read_text(path)?;
    LoccArtifact::parse(path, relative_to(repo, path), &text.text, text.sha256)
}
