//! `gate check`: inputs → findings → policy → decision.

use super::{checklist, describe, setup, Environment};
use crate::cli::CheckArgs;
use crate::decision::Decision;
use crate::inputs::repo::RepoState;
use crate::inputs::Request;

/// Runs the checklist and returns the decision (never panics on input; any
/// input or usage problem is a NO-GO with exit 2 and the error set).
pub fn run(args: &CheckArgs, env: &Environment) -> Decision {
    let req = Request::from_project(&args.project, env, None);
    let setup = match setup(&req, args.env.as_deref()) {
        Ok(s) => s,
        Err(e) => return Decision::check_error(args.env.clone(), e),
    };
    let (inputs, mut findings) = match checklist(&req, &setup) {
        Ok(r) => r,
        Err(e) => return Decision::check_error(args.env.clone(), e),
    };
    setup.policy.apply(&mut findings);
    let mut d = Decision::check(args.env.clone(), findings);
    d.sha = match &inputs.repo {
        Some(RepoState::Ready(h)) => Some(h.sha.clone()),
        _ => None,
    };
    describe(&mut d, &inputs, &setup.catalog);
    d
}
