//! Environment policy: which checks an environment requires, what a failure
//! of each finding does there (block / override / warn), where
//! `not_applicable` is refused, and the limits on overrides.
//!
//! Built-in defaults (gate.toml layers on top, key by key):
//!
//! | env     | required                       | locc policy                        | max_override_days |
//! |---------|--------------------------------|------------------------------------|-------------------|
//! | staging | leakage, ci_status             | FAIL blocks; HOLD allowed          | 7                 |
//! | preprod | + changelog, deps_pinned       | FAIL or HOLD blocks                | 3                 |
//! | prod    | every AUTO and ATTESTED check  | PASS only, no diffs                | 1                 |
//!
//! Leakage findings are overridable by default; failed AUTO and ATTESTED
//! checks are hard blocks. An environment gate.toml adds without `extends`
//! starts from `prod`, the strictest: a typo in a name never loosens policy.

use std::collections::{BTreeMap, BTreeSet};

use crate::findings::{Action, Finding, Kind, Status};
use crate::inputs::config::{Approvals, ConfigFile, MAX_PROBLEMS};
use crate::inputs::error::InputError;
use crate::inputs::locc::LoccStatus;
use crate::inputs::suggest::hint;

/// The leakage finding ids, derived from the locc artifact.
pub const LEAKAGE_IDS: &[&str] = &crate::findings::leakage::IDS;

/// Selectors that stand for several checks at once.
pub const GROUPS: &[&str] = &["all", "auto", "attested", "leakage", "thresholds"];

/// The built-in environments, in promotion order.
pub const BUILTIN_ENVS: &[&str] = &["staging", "preprod", "prod"];

/// Every finding id gate knows, by kind; selectors are resolved against it.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub auto: Vec<String>,
    pub attested: Vec<String>,
    pub leakage: Vec<String>,
}

impl Catalog {
    /// The catalog for a configuration: the AUTO checks (the table, the
    /// audit log's check, the configured thresholds), its attestations, the
    /// leakage ids.
    pub fn new(config: &ConfigFile) -> Self {
        let of = |kind: Kind| {
            crate::findings::CHECKS
                .iter()
                .filter(move |c| c.kind() == kind)
                .flat_map(|c| c.ids(config))
        };
        Self {
            auto: of(Kind::Auto).collect(),
            attested: of(Kind::Attested).collect(),
            leakage: of(Kind::Leakage).collect(),
        }
    }

    fn all_ids(&self) -> impl Iterator<Item = &str> {
        self.auto
            .iter()
            .chain(&self.attested)
            .chain(&self.leakage)
            .map(String::as_str)
    }

    /// The ids a selector stands for, or `None` if it names nothing.
    fn resolve(&self, selector: &str) -> Option<Vec<String>> {
        let ids: Vec<String> = match selector {
            "all" => self.all_ids().map(String::from).collect(),
            "auto" => self.auto.clone(),
            "attested" => self.attested.clone(),
            "leakage" => self.leakage.clone(),
            "thresholds" => self
                .auto
                .iter()
                .filter(|id| id.starts_with("thresholds."))
                .cloned()
                .collect(),
            id if self.all_ids().any(|k| k == id) => vec![id.to_string()],
            _ => return None,
        };
        Some(ids)
    }

    fn unknown_selector(&self, selector: &str) -> String {
        let candidates: Vec<&str> = GROUPS.iter().copied().chain(self.all_ids()).collect();
        format!(
            "unknown check `{selector}`{} (expected a check id or one of `all`, `auto`, `attested`, `leakage`, `thresholds`)",
            hint(selector, candidates)
        )
    }
}

/// Resolves a list of selectors into `into`, each distinct selector once; an
/// unknown one is a located error.
fn resolve_list(
    config: &ConfigFile,
    catalog: &Catalog,
    selectors: &[toml::Spanned<String>],
    into: &mut BTreeSet<String>,
    errors: &mut Vec<InputError>,
) {
    let mut seen = std::collections::HashSet::new();
    for sel in selectors {
        if errors.len() >= MAX_PROBLEMS {
            return;
        }
        if !seen.insert(sel.get_ref().as_str()) {
            continue;
        }
        match catalog.resolve(sel.get_ref()) {
            Some(ids) => into.extend(ids),
            None => {
                errors.push(config.error_at(sel.span(), catalog.unknown_selector(sel.get_ref())))
            }
        }
    }
}

/// The AUTO checks an `allow_na` selector stands for. A group (`auto`,
/// `thresholds`) leaves out `audit_chain`, which checks the log the decision
/// is written to and is NA only where no log is configured; named alone it
/// is an error, and so are leakage and ATTESTED ids.
fn allow_na_ids(catalog: &Catalog, selector: &str) -> Result<Vec<String>, String> {
    use crate::findings::{AUDIT_CHAIN, POLICY_SOURCE};
    let why = if selector == AUDIT_CHAIN {
        "audit_chain checks the log this decision is written to; it is NA only when no log is configured"
    } else if selector == POLICY_SOURCE {
        "policy_source compares a trusted policy with the change's own; the change cannot waive it"
    } else {
        let ids = catalog
            .resolve(selector)
            .ok_or_else(|| catalog.unknown_selector(selector))?;
        let auto: Vec<String> = ids
            .iter()
            .filter(|id| catalog.auto.contains(id) && *id != AUDIT_CHAIN && *id != POLICY_SOURCE)
            .cloned()
            .collect();
        let judged_always = ids
            .iter()
            .filter(|i| *i == AUDIT_CHAIN || *i == POLICY_SOURCE)
            .count();
        if auto.len() + judged_always == ids.len() {
            return Ok(auto);
        }
        if ids.iter().all(|id| catalog.leakage.contains(id)) {
            "leakage findings come from the locc artifact and are never not applicable"
        } else {
            "ATTESTED checks may be marked not applicable without it (forbid_na refuses that)"
        }
    };
    Err(format!(
        "allow_na takes AUTO checks only, not `{selector}`: {why}"
    ))
}

/// The most signed approvals one group may need.
pub const MAX_GROUP_QUORUM: u32 = 64;

/// A group of `[signing.groups]` and how many signed approvals by its
/// members an environment needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupQuorum {
    pub name: String,
    /// Principal patterns, as in allowed_signers.
    pub members: Vec<String>,
    pub needed: u32,
}

/// One environment's validated policy.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvPolicy {
    /// The environment's name; `None` for `gate check` without `--env`.
    pub name: Option<String>,
    required: BTreeSet<String>,
    actions: BTreeMap<String, Action>,
    forbid_na: BTreeSet<String>,
    /// AUTO checks release.yaml may mark not applicable.
    allow_na: BTreeSet<String>,
    /// The longest an override may last, in days.
    pub max_override_days: u32,
    /// Distinct approvers an override needs.
    pub required_approvals: u32,
    /// Whether overrides must carry a valid signature.
    pub require_signed_overrides: bool,
    /// What an approval is: a name, or an SSH signature.
    pub approvals: Approvals,
    /// `required_groups`: the signed approvals each group needs.
    pub required_groups: Vec<GroupQuorum>,
    /// The locc statuses accepted here; any other is `policy` leakage.
    pub locc_allow: Vec<LoccStatus>,
    /// Whether a locc artifact with diffs is acceptable here.
    pub locc_allow_diffs: bool,
}

impl EnvPolicy {
    /// The policy of `gate check` without `--env`: the whole checklist, every
    /// AUTO and ATTESTED check, each failure blocking.
    pub fn checklist(catalog: &Catalog) -> Self {
        Self {
            name: None,
            required: catalog
                .auto
                .iter()
                .chain(&catalog.attested)
                .cloned()
                .collect(),
            actions: BTreeMap::new(),
            forbid_na: BTreeSet::new(),
            allow_na: BTreeSet::new(),
            max_override_days: 1,
            required_approvals: 1,
            require_signed_overrides: false,
            approvals: Approvals::Names,
            required_groups: Vec::new(),
            locc_allow: vec![LoccStatus::Pass],
            locc_allow_diffs: false,
        }
    }

    /// The name shown in reports.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or("the checklist")
    }

    /// Whether the environment requires finding `id`.
    pub fn requires(&self, id: &str) -> bool {
        self.required.contains(id)
    }

    /// gate.toml's `[env.<name>]` table laid over this policy; every
    /// problem is added to `errors`.
    fn layer(
        &mut self,
        config: &ConfigFile,
        catalog: &Catalog,
        raw: &crate::inputs::config::RawEnv,
        errors: &mut Vec<InputError>,
    ) {
        if let Some(required) = &raw.required {
            self.required.clear();
            resolve_list(config, catalog, required, &mut self.required, errors);
        }
        if let Some(actions) = &raw.actions {
            // Groups first, so a single id can refine its group.
            let mut entries: Vec<_> = actions.iter().collect();
            entries.sort_by_key(|(k, _)| !GROUPS.contains(&k.as_str()));
            for (sel, action) in entries {
                if errors.len() >= MAX_PROBLEMS {
                    break;
                }
                match catalog.resolve(sel) {
                    Some(ids) => {
                        for id in ids {
                            self.actions.insert(id, *action.get_ref());
                        }
                    }
                    None => {
                        errors.push(config.error_at(action.span(), catalog.unknown_selector(sel)))
                    }
                }
            }
        }
        if let Some(forbid) = &raw.forbid_na {
            resolve_list(config, catalog, forbid, &mut self.forbid_na, errors);
        }
        if let Some(allow) = &raw.allow_na {
            for sel in allow {
                if errors.len() >= MAX_PROBLEMS {
                    break;
                }
                match allow_na_ids(catalog, sel.get_ref()) {
                    Ok(ids) => self.allow_na.extend(ids),
                    Err(e) => errors.push(config.error_at(sel.span(), e)),
                }
            }
        }
        if let Some(days) = raw.max_override_days {
            self.max_override_days = days;
        }
        if let Some(n) = raw.required_approvals {
            if n == 0 {
                errors.push(config.error_file(format!(
                    "[env.{}] required_approvals = 0; expected 1 or more",
                    self.display_name()
                )));
            }
            self.required_approvals = n;
        }
        if let Some(signed) = raw.require_signed_overrides {
            self.require_signed_overrides = signed;
        }
        self.layer_signing(config, raw, errors);
        self.layer_drift(config, raw, errors);
        if let Some(allow) = &raw.locc_allow {
            self.locc_allow = allow.clone();
        }
        if let Some(diffs) = raw.locc_allow_diffs {
            self.locc_allow_diffs = diffs;
        }
    }

    /// `policy_drift`: drift from a trusted policy fails with this action.
    fn layer_drift(
        &mut self,
        config: &ConfigFile,
        raw: &crate::inputs::config::RawEnv,
        errors: &mut Vec<InputError>,
    ) {
        if let Some(drift) = &raw.policy_drift {
            match drift.get_ref() {
                Action::Block | Action::Override => {
                    self.actions
                        .insert(crate::findings::POLICY_SOURCE.into(), *drift.get_ref());
                }
                Action::Warn => errors.push(config.error_at(
                    drift.span(),
                    "policy_drift = \"warn\" is the default; expected \"block\" or \"override\"",
                )),
            }
        }
    }

    /// `approvals` and `required_groups`: signed approvals need a
    /// `[signing] allowed_signers`, and every group named must be defined.
    fn layer_signing(
        &mut self,
        config: &ConfigFile,
        raw: &crate::inputs::config::RawEnv,
        errors: &mut Vec<InputError>,
    ) {
        if let Some(a) = raw.approvals {
            self.approvals = a;
        }
        let env = self.display_name().to_string();
        let signing = config.raw.signing.clone().unwrap_or_default();
        if let Some(groups) = &raw.required_groups {
            self.required_groups.clear();
            for (name, needed) in groups.get_ref() {
                let Some(members) = signing.groups.get(name) else {
                    let known: Vec<&str> = signing.groups.keys().map(String::as_str).collect();
                    errors.push(config.error_at(
                        groups.span(),
                        format!(
                            "[env.{env}] required_groups: no group `{name}` in [signing.groups]{}",
                            hint(name, known.iter().copied())
                        ),
                    ));
                    continue;
                };
                if *needed == 0 || *needed > MAX_GROUP_QUORUM {
                    errors.push(config.error_at(
                        groups.span(),
                        format!("[env.{env}] required_groups: {name} = {needed}; expected 1 to {MAX_GROUP_QUORUM}"),
                    ));
                    continue;
                }
                self.required_groups.push(GroupQuorum {
                    name: name.clone(),
                    members: members.clone(),
                    needed: *needed,
                });
            }
            if self.approvals != Approvals::Signed {
                errors.push(config.error_at(
                    groups.span(),
                    format!("[env.{env}] required_groups counts signed approvals: add approvals = \"signed\""),
                ));
            }
        }
        if self.approvals == Approvals::Signed && config.allowed_signers().is_none() {
            errors.push(config.error_file(format!(
                "[env.{env}] approvals = \"signed\" needs [signing] allowed_signers: the OpenSSH allowed_signers file (outside the repository, or git:REF:PATH) to check signatures against"
            )));
        }
    }

    /// What this environment hands the checks: the ids it requires, the
    /// AUTO ids release.yaml may mark not applicable, the locc rule.
    pub fn given(&self) -> crate::findings::Given {
        crate::findings::Given {
            required: self.required.clone(),
            na_allowed: self.allow_na.clone(),
            locc: self.locc_rule(),
            drift_fails: matches!(
                self.actions.get(crate::findings::POLICY_SOURCE),
                Some(Action::Block | Action::Override)
            ),
        }
    }

    /// What this environment asks of the locc artifact, for the leakage
    /// findings.
    pub fn locc_rule(&self) -> crate::findings::leakage::LoccRule {
        let [pii, schema, policy] = crate::findings::leakage::IDS.map(|id| self.requires(id));
        crate::findings::leakage::LoccRule {
            env: self.display_name().to_string(),
            pii,
            schema,
            policy,
            allow: self.locc_allow.clone(),
            allow_diffs: self.locc_allow_diffs,
        }
    }

    /// Whether release.yaml may mark check `id` of `kind` not applicable:
    /// an ATTESTED check may (unless `forbid_na`, which [`Self::apply`]
    /// enforces), an AUTO check only where `allow_na` lists it, a leakage
    /// finding never.
    pub fn allows_na(&self, id: &str, kind: Kind) -> bool {
        match kind {
            Kind::Attested => true,
            Kind::Auto => self.allow_na.contains(id),
            Kind::Leakage => false,
        }
    }

    /// What a failure of finding `id` does here.
    pub fn action_for(&self, id: &str, kind: Kind) -> Action {
        self.actions.get(id).copied().unwrap_or(match kind {
            Kind::Leakage => Action::Override,
            Kind::Auto | Kind::Attested => Action::Block,
        })
    }

    /// Sets each finding's action; turns a failure whose action is `warn`
    /// into WARN, and an NA that this environment refuses into a FAIL.
    pub fn apply(&self, findings: &mut [Finding]) {
        let env = self.name.as_deref().unwrap_or("this checklist");
        for f in findings.iter_mut() {
            // A log that does not check out is never written past: its
            // failure blocks whatever gate.toml says, and its NA (no log
            // configured) is no release.yaml answer for forbid_na to refuse.
            let chain = f.id == crate::findings::AUDIT_CHAIN;
            let action = if chain && f.status == Status::Fail {
                Action::Block
            } else {
                self.action_for(&f.id, f.kind)
            };
            f.action = Some(action);
            if f.status == Status::Na && self.forbid_na.contains(&f.id) && !chain {
                f.status = Status::Fail;
                f.expected = format!(
                    "an answer: `not_applicable` is not accepted for `{}` in {env}",
                    f.id
                );
                f.found = format!("marked not applicable: {}", f.found);
                f.message = format!("not_applicable is refused for this check in {env}");
            }
            if f.status == Status::Fail && action == Action::Warn {
                f.status = Status::Warn;
            }
        }
    }
}

/// Every environment: the built-ins with gate.toml layered on, plus the ones
/// gate.toml adds.
#[derive(Debug, Clone)]
pub struct Policies {
    envs: Vec<EnvPolicy>,
}

impl Policies {
    /// Validates every `[env.*]` table of the configuration; collects every
    /// problem before failing, so one run shows them all.
    pub fn from_config(config: &ConfigFile, catalog: &Catalog) -> Result<Self, Vec<InputError>> {
        let mut errors = config.threshold_errors();
        let mut names: Vec<String> = BUILTIN_ENVS.iter().map(|s| s.to_string()).collect();
        names.extend(
            config
                .raw
                .env
                .keys()
                .filter(|k| !BUILTIN_ENVS.contains(&k.as_str()))
                .cloned(),
        );
        let mut envs = Vec::new();
        for name in names {
            if errors.len() >= MAX_PROBLEMS {
                break;
            }
            let raw = config.raw.env.get(&name).cloned().unwrap_or_default();
            let base_name = base_of(config, &name, &raw, &mut errors);
            let mut env = builtin(&base_name, catalog);
            env.name = Some(name.clone());
            env.layer(config, catalog, &raw, &mut errors);
            envs.push(env);
        }
        if errors.len() >= MAX_PROBLEMS {
            errors.truncate(MAX_PROBLEMS);
            errors.push(config.error_file(format!(
                "stopped after {MAX_PROBLEMS} problems; fix these and run again"
            )));
        }
        if errors.is_empty() {
            Ok(Self { envs })
        } else {
            Err(errors)
        }
    }

    /// The names of every environment.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.envs.iter().filter_map(|e| e.name.as_deref())
    }

    /// The policy of environment `name`, or a message listing the known ones.
    pub fn get(&self, name: &str) -> Result<&EnvPolicy, crate::model::Refused> {
        self.envs
            .iter()
            .find(|e| e.name.as_deref() == Some(name))
            .ok_or_else(|| {
                let known: Vec<&str> = self.names().collect();
                crate::model::Refused(format!(
                    "unknown environment `{name}`{} (known: {})",
                    hint(name, known.iter().copied()),
                    known.join(", ")
                ))
            })
    }
}

/// The built-in environment `name` starts from: its `extends`, itself if
/// built in, else prod (the strictest).
fn base_of(
    config: &ConfigFile,
    name: &str,
    raw: &crate::inputs::config::RawEnv,
    errors: &mut Vec<InputError>,
) -> String {
    match &raw.extends {
        Some(ext) if BUILTIN_ENVS.contains(&ext.get_ref().as_str()) => ext.get_ref().clone(),
        Some(ext) => {
            errors.push(config.error_at(
                ext.span(),
                format!(
                    "`extends = \"{}\"` names no built-in environment{} (expected one of staging, preprod, prod)",
                    ext.get_ref(),
                    hint(ext.get_ref(), BUILTIN_ENVS.iter().copied())
                ),
            ));
            "prod".to_string()
        }
        None if BUILTIN_ENVS.contains(&name) => name.to_string(),
        None => "prod".to_string(),
    }
}

/// A built-in environment's policy.
fn builtin(name: &str, catalog: &Catalog) -> EnvPolicy {
    use LoccStatus::{Hold, Pass};
    let (selectors, days, allow, diffs): (&[&str], u32, &[LoccStatus], bool) = match name {
        "staging" => (&["leakage", "ci_status"], 7, &[Pass, Hold], true),
        "preprod" => (
            &["leakage", "ci_status", "changelog", "deps_pinned"],
            3,
            &[Pass],
            true,
        ),
        _ => (&["all"], 1, &[Pass], false),
    };
    let required = selectors
        .iter()
        .flat_map(|s| catalog.resolve(s).unwrap_or_default())
        .collect();
    EnvPolicy {
        name: Some(name.to_string()),
        required,
        actions: BTreeMap::new(),
        forbid_na: BTreeSet::new(),
        allow_na: BTreeSet::new(),
        max_override_days: days,
        required_approvals: 1,
        require_signed_overrides: false,
        approvals: Approvals::Names,
        required_groups: Vec::new(),
        locc_allow: allow.to_vec(),
        locc_allow_diffs: diffs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn policies(toml: &str) -> Result<Policies, Vec<InputError>> {
        let config = if toml.is_empty() {
            ConfigFile::builtin()
        } else {
            ConfigFile::parse(Path::new("gate.toml"), toml, String::new()).unwrap()
        };
        Policies::from_config(&config, &Catalog::new(&config))
    }

    #[test]
    fn validation_stops_after_fifty_problems() {
        let list = |n: usize| {
            (0..n)
                .map(|i| format!("\"x{i}\""))
                .collect::<Vec<_>>()
                .join(",")
        };
        let c = ConfigFile::parse(
            Path::new("gate.toml"),
            &format!(
                "[env.staging]\nrequired = [{}]\nforbid_na = [{}]\n",
                list(10_000),
                list(3)
            ),
            String::new(),
        )
        .unwrap();
        let errs = Policies::from_config(&c, &Catalog::new(&c)).unwrap_err();
        assert_eq!(errs.len(), MAX_PROBLEMS + 1);
        assert_eq!(
            errs[49].message.split(' ').nth(2),
            Some("`x49`"),
            "{}",
            errs[49]
        );
        assert_eq!(
            errs[50].to_string(),
            "gate.toml: stopped after 50 problems; fix these and run again"
        );
        // Below the cap every problem is reported, and a repeated selector once.
        let c = ConfigFile::parse(
            Path::new("gate.toml"),
            "[env.staging]\nrequired = [\"all\", \"all\", \"nope\", \"nope\"]\n",
            String::new(),
        )
        .unwrap();
        let errs = Policies::from_config(&c, &Catalog::new(&c)).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
    }

    #[test]
    fn builtin_table_matches_the_design() {
        let p = policies("").unwrap();
        let staging = p.get("staging").unwrap();
        assert!(
            staging.requires("ci_status")
                && staging.requires("pii")
                && !staging.requires("changelog")
        );
        assert_eq!(staging.max_override_days, 7);
        let preprod = p.get("preprod").unwrap();
        assert!(
            preprod.requires("changelog")
                && preprod.requires("deps_pinned")
                && !preprod.requires("release_point")
        );
        assert_eq!(preprod.max_override_days, 3);
        let prod = p.get("prod").unwrap();
        for id in [
            "changelog",
            "ci_status",
            "deps_pinned",
            "release_point",
            "version_consistent",
            "rollback_tested",
            "pii",
        ] {
            assert!(prod.requires(id), "{id}");
        }
        assert_eq!(prod.max_override_days, 1);
        assert_eq!(prod.action_for("pii", Kind::Leakage), Action::Override);
        assert_eq!(prod.action_for("changelog", Kind::Auto), Action::Block);
    }

    #[test]
    fn catalog_holds_every_finding_id() {
        let c = ConfigFile::parse(
            Path::new("gate.toml"),
            "[[thresholds]]\nid = \"q\"\nfile = \"q.json\"\npointer = \"/v\"\nmin = 1\n",
            String::new(),
        )
        .unwrap();
        let cat = Catalog::new(&c);
        for id in [
            "changelog",
            "ci_status",
            "deps_pinned",
            "release_point",
            "version_consistent",
            "audit_chain",
            "thresholds.q",
        ] {
            assert!(
                cat.auto.iter().any(|a| a == id),
                "{id} missing from {:?}",
                cat.auto
            );
        }
        let p = Policies::from_config(&c, &cat).unwrap();
        assert!(
            p.get("prod").unwrap().requires("audit_chain")
                && p.get("prod").unwrap().requires("thresholds.q")
        );
        assert!(!p.get("staging").unwrap().requires("thresholds.q"));
    }

    #[test]
    fn unknown_env_lists_known_ones_with_suggestion() {
        let e = policies("").unwrap().get("prd").unwrap_err();
        assert_eq!(
            e,
            "unknown environment `prd`; did you mean `prod`? (known: staging, preprod, prod)"
                .into()
        );
    }

    #[test]
    fn custom_env_starts_from_prod_and_layers() {
        let p = policies("[env.canary]\nmax_override_days = 2\n[env.canary.actions]\nauto = \"warn\"\nci_status = \"block\"\n").unwrap();
        let c = p.get("canary").unwrap();
        assert!(c.requires("release_point"));
        assert_eq!(c.max_override_days, 2);
        assert_eq!(c.action_for("changelog", Kind::Auto), Action::Warn);
        assert_eq!(c.action_for("ci_status", Kind::Auto), Action::Block);
    }

    #[test]
    fn every_bad_selector_is_reported_with_its_line() {
        let errs = policies("[env.prod]\nrequired = [\"chnagelog\"]\nforbid_na = [\"nope\"]\nextends = \"prodd\"\n[env.staging]\nrequired = [\"ci_stats\"]\n")
            .unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert_eq!(errs[0].line, Some(6));
        assert!(
            errs[0].message.contains("did you mean `ci_status`?"),
            "{}",
            errs[0]
        );
        assert!(errs[1].message.contains("extends"), "{}", errs[1]);
        assert!(
            errs[2].message.contains("did you mean `changelog`?"),
            "{}",
            errs[2]
        );
        assert_eq!(errs[3].line, Some(3));
    }

    #[test]
    fn apply_sets_actions_warns_and_refuses_na() {
        let p = policies("[env.prod]\nforbid_na = [\"rollback_tested\"]\n[env.prod.actions]\nchangelog = \"warn\"\n").unwrap();
        let prod = p.get("prod").unwrap();
        let mut fs = vec![
            Finding::new("changelog", "t", Kind::Auto, Status::Fail),
            Finding::new("rollback_tested", "t", Kind::Attested, Status::Na),
            Finding::new("oncall_notified", "t", Kind::Attested, Status::Na),
        ];
        prod.apply(&mut fs);
        assert_eq!(fs[0].status, Status::Warn);
        assert_eq!(fs[0].action, Some(Action::Warn));
        assert_eq!(fs[1].status, Status::Fail);
        assert_eq!(fs[2].status, Status::Na);
    }
}
