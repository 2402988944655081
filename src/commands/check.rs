//! `gate check`: inputs → findings → policy → decision.

use super::{checklist, conclude, describe, setup, Environment};
use crate::cli::CheckArgs;
use crate::decision::Decision;
use crate::inputs::repo::RepoState;
use crate::inputs::Request;

/// Runs the checklist, records it in the audit log (if configured) and
/// returns the decision. Never panics on input; any input or usage problem
/// is a NO-GO with exit 2 and the error set.
pub fn run(args: &CheckArgs, env: &Environment) -> Decision {
    let mut req = super::project_request(&args.project, env);
    let setup = setup(&req, args.env.as_deref());
    if let Ok(s) = &setup {
        // The text report shows no digest: hash only what JSON or the
        // audit event will write.
        req.hash_eagerly = args.output.format() == crate::cli::DecisionFormat::Json
            || super::audit_store(&args.project.audit, &args.project.repo, Some(&s.config))
                .is_some();
    }
    let d = match &setup {
        Ok(s) => decide(&req, args, s),
        Err(e) => Decision::check_error(args.env.clone(), e.clone()),
    };
    conclude(
        d,
        &args.project,
        setup.as_ref().ok(),
        env,
        (None, args.output.metrics_out.as_deref()),
        args.dry_run,
    )
}

fn decide(req: &Request, args: &CheckArgs, setup: &super::Setup) -> Decision {
    let (inputs, mut findings) = match checklist(req, setup, None) {
        Ok(r) => r,
        Err(e) => return Decision::check_error(args.env.clone(), e),
    };
    setup.policy.apply(&mut findings);
    let mut d = Decision::check(args.env.clone(), findings);
    d.sha = match &inputs.repo {
        Some(RepoState::Ready(h)) => Some(h.sha.clone()),
        _ => None,
    };
    describe(&mut d, &inputs, setup);
    d
}
