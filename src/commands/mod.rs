//! One module per command: each resolves its inputs, runs the pipeline and
//! returns the decision value. None of them prints.

pub mod check;
pub mod evaluate;
pub mod override_cmd;

/// What the process environment contributes, captured once by the binary
/// so commands stay testable.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `$GATE_CI_STATUS`.
    pub gate_ci_status: Option<String>,
    /// `$DELIVERY_GATE_CI_STATUS` (delivery-gate's name).
    pub delivery_gate_ci_status: Option<String>,
    /// `$GATE_OVERRIDE_KEY`: signs and verifies override files.
    pub override_key: Option<String>,
    /// The clock, read once per run.
    pub now: jiff::Timestamp,
}

impl Environment {
    /// Reads the variables gate uses from the process environment.
    pub fn from_process() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Self {
            gate_ci_status: var("GATE_CI_STATUS"),
            delivery_gate_ci_status: var("DELIVERY_GATE_CI_STATUS"),
            override_key: std::env::var("GATE_OVERRIDE_KEY")
                .ok()
                .filter(|k| !k.is_empty()),
            now: jiff::Timestamp::now(),
        }
    }
}

impl Environment {
    /// The CI status from `--ci-status`, else the environment, with its source.
    pub fn ci_status(&self, flag: Option<&str>) -> Option<crate::inputs::CiStatusInput> {
        let (value, source) = match flag {
            Some(v) => (v.to_string(), "--ci-status"),
            None => match (&self.gate_ci_status, &self.delivery_gate_ci_status) {
                (Some(v), _) => (v.clone(), "$GATE_CI_STATUS"),
                (None, Some(v)) => (v.clone(), "$DELIVERY_GATE_CI_STATUS"),
                (None, None) => return None,
            },
        };
        Some(crate::inputs::CiStatusInput {
            value,
            source: source.to_string(),
        })
    }
}

use crate::decision::{Decision, ErrorInfo, InputDigest};
use crate::findings::{attestations, Check, Finding, Kind, Status, CHECKS};
use crate::inputs::config::ConfigFile;
use crate::inputs::{load_config, Inputs, Request};
use crate::policy::{Catalog, EnvPolicy, Policies, LEAKAGE_IDS};

/// The configuration and the policy that applies.
pub(crate) struct Setup {
    pub config: ConfigFile,
    pub catalog: Catalog,
    pub policy: EnvPolicy,
}

/// Loads gate.toml and picks the environment's policy (`None`: the whole
/// checklist).
pub(crate) fn setup(req: &Request, env: Option<&str>) -> Result<Setup, ErrorInfo> {
    let config = load_config(req).map_err(|e| ErrorInfo::input(vec![e]))?;
    let catalog = Catalog::new(&config);
    let policies = Policies::from_config(&config, &catalog).map_err(ErrorInfo::input)?;
    let policy = match env {
        Some(name) => policies.get(name).map_err(ErrorInfo::usage)?.clone(),
        None => EnvPolicy::checklist(&catalog),
    };
    Ok(Setup {
        config,
        catalog,
        policy,
    })
}

/// Reads what the policy's required AUTO and ATTESTED checks need, and runs
/// them. The findings are not yet judged by the policy.
pub(crate) fn checklist(req: &Request, setup: &Setup) -> Result<(Inputs, Vec<Finding>), ErrorInfo> {
    let policy = &setup.policy;
    let checks: Vec<&dyn Check> = CHECKS
        .iter()
        .copied()
        .filter(|c| policy.requires(c.id()))
        .collect();
    let defs: Vec<_> = setup
        .config
        .attestations()
        .into_iter()
        .filter(|d| policy.requires(&d.id))
        .collect();
    let inputs = Inputs::load(req, setup.config.clone(), &checks, !defs.is_empty())
        .map_err(|e| ErrorInfo::input(vec![e]))?;
    let mut findings: Vec<Finding> = checks.iter().map(|c| run_check(*c, &inputs)).collect();
    if let Some(m) = &inputs.manifest {
        findings.extend(defs.iter().map(|d| attestations::judge(d, m)));
    }
    Ok((inputs, findings))
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

/// Fills in what the inputs tell about a decision: the version, every input
/// file's digest, and warnings about the manifest.
pub(crate) fn describe(d: &mut Decision, inputs: &Inputs, catalog: &Catalog) {
    d.version = inputs.version.as_ref().map(|v| v.value.clone());
    d.inputs
        .extend(inputs.digests.iter().map(|(file, sha256)| InputDigest {
            file: file.clone(),
            sha256: sha256.clone(),
        }));
    d.warnings.extend(manifest_warnings(inputs, catalog));
}

/// `not_applicable` entries that can skip nothing.
fn manifest_warnings(inputs: &Inputs, catalog: &Catalog) -> Vec<String> {
    let Some(m) = &inputs.manifest else {
        return Vec::new();
    };
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
