//! `gate check`: inputs → findings → policy → decision.

use crate::cli::CheckArgs;
use crate::decision::{Decision, ErrorInfo, InputDigest};
use crate::findings::{attestations, Check, Finding, Kind, Status, CHECKS};
use crate::inputs::{load_config, CiStatusInput, Inputs, Request};
use crate::policy::{Catalog, EnvPolicy, Policies, LEAKAGE_IDS};

use super::Environment;

/// Runs the checklist and returns the decision (never panics on input; any
/// input or usage problem is a NO-GO with exit 2 and the error set).
pub fn run(args: &CheckArgs, env: &Environment) -> Decision {
    let req = Request {
        repo: args.repo.clone(),
        manifest: args.manifest.clone(),
        config: args.config.clone(),
        ci_status: ci_status(args, env),
    };
    let config = match load_config(&req) {
        Ok(c) => c,
        Err(e) => return Decision::check_error(args.env.clone(), ErrorInfo::input(vec![e])),
    };
    let catalog = Catalog::new(&config);
    let policies = match Policies::from_config(&config, &catalog) {
        Ok(p) => p,
        Err(errors) => return Decision::check_error(args.env.clone(), ErrorInfo::input(errors)),
    };
    let policy = match &args.env {
        Some(name) => match policies.get(name) {
            Ok(p) => p.clone(),
            Err(msg) => return Decision::check_error(args.env.clone(), ErrorInfo::usage(msg)),
        },
        None => EnvPolicy::checklist(&catalog),
    };
    let checks: Vec<&dyn Check> = CHECKS
        .iter()
        .copied()
        .filter(|c| policy.requires(c.id()))
        .collect();
    let defs: Vec<_> = config
        .attestations()
        .into_iter()
        .filter(|d| policy.requires(&d.id))
        .collect();
    let inputs = match Inputs::load(&req, config, &checks, !defs.is_empty()) {
        Ok(i) => i,
        Err(e) => return Decision::check_error(args.env.clone(), ErrorInfo::input(vec![e])),
    };
    let mut findings: Vec<Finding> = checks.iter().map(|c| run_check(*c, &inputs)).collect();
    if let Some(m) = &inputs.manifest {
        findings.extend(defs.iter().map(|d| attestations::judge(d, m)));
    }
    policy.apply(&mut findings);

    let mut d = Decision::check(args.env.clone(), findings);
    d.version = inputs.version.as_ref().map(|v| v.value.clone());
    d.sha = match &inputs.repo {
        Some(crate::inputs::repo::RepoState::Ready(h)) => Some(h.sha.clone()),
        _ => None,
    };
    d.inputs = inputs
        .digests
        .iter()
        .map(|(file, sha256)| InputDigest {
            file: file.clone(),
            sha256: sha256.clone(),
        })
        .collect();
    d.warnings = manifest_warnings(&inputs, &catalog);
    d
}

/// A check's finding, or NA when release.yaml marks it not applicable.
fn run_check(check: &dyn Check, inputs: &Inputs) -> Finding {
    match inputs
        .manifest
        .as_ref()
        .and_then(|m| m.not_applicable(check.id()).map(|na| (m, na)))
    {
        Some((m, na)) => Finding::new(check.id(), check.title(), Kind::Auto, Status::Na)
            .message(format!(
                "Not applicable: {} (release.yaml; not checked)",
                na.reason
            ))
            .expected_found(
                "the check to run",
                format!("marked not applicable: {}", na.reason),
            )
            .at(m.file.clone(), na.line),
        None => check.run(inputs),
    }
}

/// `not_applicable` entries that can skip nothing.
fn manifest_warnings(inputs: &Inputs, catalog: &Catalog) -> Vec<String> {
    let Some(m) = &inputs.manifest else {
        return Vec::new();
    };
    let file = m.file.clone();
    m.not_applicable
        .iter()
        .filter_map(|na| {
            let at = na.line.map_or(file.clone(), |l| format!("{file}:{l}"));
            if LEAKAGE_IDS.contains(&na.id.as_str()) {
                Some(format!(
                    "{at}: `{}` is a leakage finding and cannot be marked not applicable; ignored",
                    na.id
                ))
            } else if !catalog.auto.contains(&na.id) && !catalog.attested.contains(&na.id) {
                Some(format!(
                    "{at}: not_applicable `{}` names no check, so it skips nothing",
                    na.id
                ))
            } else {
                None
            }
        })
        .collect()
}

fn ci_status(args: &CheckArgs, env: &Environment) -> Option<CiStatusInput> {
    let flag = args.ci_status.clone().map(|v| (v, "--ci-status"));
    let from_env = || {
        env.gate_ci_status
            .clone()
            .map(|v| (v, "$GATE_CI_STATUS"))
            .or_else(|| {
                env.delivery_gate_ci_status
                    .clone()
                    .map(|v| (v, "$DELIVERY_GATE_CI_STATUS"))
            })
    };
    flag.or_else(from_env).map(|(value, source)| CiStatusInput {
        value,
        source: source.to_string(),
    })
}
