//! `gate check`: load → the audit log's tail → decide → record → outputs.

use super::{conclude, load, open_log, project_log, setup, Environment, Opened, Setup};
use crate::cli::CheckArgs;
use crate::decision::{decide, Decision};
use crate::inputs::Request;

/// Runs the checklist, records it in the audit log (if configured) and
/// returns the decision. Never panics on input; any input or usage problem
/// is a NO-GO with exit 2 and the error set.
pub fn run(args: &CheckArgs, env: &Environment) -> Decision {
    let mut req = super::project_request(&args.project, env);
    let setup = setup(&req, args.env.as_deref());
    let (d, opened) = match &setup {
        Ok(s) => {
            let log = project_log(&args.project, Some(&s.config));
            // The text report shows no digest: hash only what JSON or the
            // audit event will write.
            req.hash_eagerly =
                args.output.format() == crate::cli::DecisionFormat::Json || log.is_some();
            decide(&req, args, s, log, env)
        }
        Err(e) => (
            Decision::check_error(args.env.clone(), e.clone()),
            open_log(project_log(&args.project, None), env, args.dry_run).1,
        ),
    };
    conclude(
        d,
        opened,
        env,
        (None, args.output.metrics_out.as_deref()),
        args.dry_run,
    )
}

/// Everything read, the log's tail last (under its lock), then one decision.
fn decide(
    req: &Request,
    args: &CheckArgs,
    setup: &Setup,
    log: Option<crate::audit::Store>,
    env: &Environment,
) -> (Decision, Opened) {
    let mut inputs = match load(req, setup, None) {
        Ok(i) => i,
        Err(e) => {
            let d = Decision::check_error(args.env.clone(), e);
            return (d, open_log(log, env, args.dry_run).1);
        }
    };
    let (tail, opened) = open_log(log, env, args.dry_run);
    inputs.audit = tail;
    let d = decide::check(&inputs, &setup.catalog, &setup.policy, args.env.clone());
    (d, opened)
}
