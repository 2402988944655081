//! `gate evaluate`: inputs → findings → policy → overrides → decision.
//!
//! Fail closed: any input that cannot be read or validated is a BLOCK
//! whose JSON carries the error.

use std::path::Path;

use super::{checklist, conclude, describe, setup, Environment};
use crate::cli::EvaluateArgs;
use crate::decision::{suggested_override, Decision, ErrorInfo, InputDigest};
use crate::inputs::error::InputError;
use crate::inputs::file::read_text;
use crate::inputs::locc::LoccArtifact;
use crate::inputs::override_file::{self, Candidate};
use crate::inputs::repo::release_commit;
use crate::inputs::{relative_to, Request};
use crate::overrides::{self, Context};

/// Evaluates a promotion and returns the decision; writes `--decision-out`
/// unless `--dry-run`.
pub fn run(args: &EvaluateArgs, env: &Environment) -> Decision {
    let req = super::project_request(&args.project, env);
    let setup = setup(&req, Some(&args.env));
    let d = match &setup {
        Ok(s) => decide(args, env, req, s)
            .unwrap_or_else(|e| Decision::evaluate_error(Some(args.env.clone()), e)),
        Err(e) => Decision::evaluate_error(Some(args.env.clone()), e.clone()),
    };
    // An output CI relies on that cannot be written must not pass as ALLOW.
    let outputs = (
        args.decision_out.as_deref(),
        args.output.metrics_out.as_deref(),
    );
    conclude(
        d,
        &args.project,
        setup.as_ref().ok(),
        env,
        outputs,
        args.dry_run,
    )
}

fn decide(
    args: &EvaluateArgs,
    env: &Environment,
    mut req: Request,
    setup: &super::Setup,
) -> Result<Decision, ErrorInfo> {
    let input_error = |e: InputError| ErrorInfo::input(vec![e]);
    let repo = &args.project.repo;
    let rc = release_commit(repo, args.sha.as_deref(), setup.config.overrides_dir())
        .map_err(input_error)?;
    req.release_commit = Some(rc.release.clone()).filter(|_| rc.in_repo);
    let locc_rule = setup.policy.locc_rule();
    let artifact = match &args.locc_artifact {
        Some(p) => Some(load_artifact(repo, p).map_err(input_error)?),
        None if locc_rule.any() => {
            return Err(ErrorInfo::usage(format!(
                "--locc-artifact is required: {} requires the leakage checks (pii, schema, policy)",
                args.env
            )))
        }
        None => None,
    };
    let (inputs, mut findings) = checklist(&req, setup, artifact)?;
    let artifact = inputs.artifact.as_ref();
    setup.policy.apply(&mut findings);

    let candidates = if args.override_file.is_empty() {
        override_file::discover(repo, setup.config.overrides_dir(), &args.env)
    } else {
        // A file the user named is an input: one that cannot be read or
        // parsed is an input error, even with nothing to lift.
        let mut out = Vec::new();
        for p in &args.override_file {
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
        out
    };
    let key = env.override_key.as_deref();
    let ctx = Context {
        env: &setup.policy,
        identity_hash: artifact.map(|a| a.identity_hash.as_str()),
        release_commit: Some(rc.release.as_str()),
        now: env.now,
        to_lift: overrides::to_lift(&findings),
        author: rc.author.clone(),
        key,
    };
    let (reports, override_warnings) = overrides::apply(&mut findings, &candidates, &ctx);

    let mut d = Decision::evaluate(args.env.clone(), findings, reports);
    d.sha = Some(rc.sha.clone());
    d.release_commit = Some(rc.release.clone());
    d.identity_hash = artifact.map(|a| a.identity_hash.clone());
    if let Some(a) = artifact {
        d.inputs.push(InputDigest {
            file: a.file.clone(),
            sha256: a.sha256.clone().into(),
        });
    }
    describe(&mut d, &inputs, setup);
    for c in &candidates {
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
    Ok(d)
}

fn load_artifact(repo: &Path, path: &Path) -> Result<LoccArtifact, InputError> {
    let text = read_text(path)?;
    LoccArtifact::parse(path, relative_to(repo, path), &text.text, text.sha256)
}
