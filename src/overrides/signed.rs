//! `approvals = "signed"`: an override's approvals counted by their SSH
//! signatures. Each approval is judged on its own ([`sshsig::check`]), then
//! against the others (one person, one key, one count) and against who
//! may not approve; the distinct principals counted must reach
//! `required_approvals`, and fill every group of `required_groups`, one
//! person to one group.

use serde::Serialize;

use super::sshsig::{self, ApprovalFailure};
use super::{Context, Failure, FailureKind};
use crate::identity::Identity;
use crate::inputs::allowed_signers::{match_list, AllowedSigners};
use crate::inputs::override_file::OverrideFile;
use crate::policy::GroupQuorum;

/// One approval in the decision record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ApprovalReport {
    /// The principal it claims.
    pub by: String,
    /// The signing key's `SHA256:` fingerprint, when the signature decoded.
    pub key: Option<String>,
    pub counted: bool,
    /// Why it does not count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<ApprovalFailure>,
}

/// The approvals of `o`, each judged, and what the override fails by them.
pub fn judge(o: &OverrideFile, ctx: &Context) -> (Vec<ApprovalReport>, Vec<Failure>) {
    let env = ctx.env.display_name();
    let Some(signers) = ctx.signers else {
        let f = Failure {
            kind: FailureKind::Signature,
            message: format!("{env} requires signed approvals, but no allowed_signers was read to check them against ([signing] allowed_signers)"),
        };
        return (Vec::new(), vec![f]);
    };
    let payload = sshsig::payload(&o.value);
    let barred = barred(o, ctx);
    let mut reports = Vec::new();
    // Names with hidden characters or mixed scripts, as everywhere else:
    // such an approver counts for nothing.
    let mut failures = Vec::new();
    let mut invalid = |what: &str, name: &str| match Identity::parse(name) {
        Ok(_) => false,
        Err(e) => {
            failures.push(Failure {
                kind: FailureKind::InvalidName,
                message: format!("{what} `{}` {e}", name.escape_debug()),
            });
            true
        }
    };
    if let Some(r) = &o.data.requested_by {
        invalid("requested_by", r);
    }
    // Who counted so far, and under which key.
    let mut counted: Vec<(Identity, String)> = Vec::new();
    for a in &o.data.approvals {
        if invalid("approver", &a.by) {
            reports.push(report(&a.by, None, Err(ApprovalFailure::InvalidName)));
            continue;
        }
        let Some(armoured) = &a.sshsig else {
            reports.push(report(&a.by, None, Err(ApprovalFailure::Unsigned)));
            continue;
        };
        let Ok(decoded) = sshsig::decode(armoured) else {
            reports.push(report(&a.by, None, Err(ApprovalFailure::BadSignature)));
            continue;
        };
        let fp = decoded.fingerprint();
        let verdict = sshsig::check(
            &decoded,
            &a.by,
            payload.as_bytes(),
            &signers.signers,
            ctx.now,
        )
        .and_then(|_| one_person(&a.by, &decoded, &fp, signers, &barred, &counted));
        if verdict.is_ok() {
            counted.push((Identity::barred(&a.by), fp.clone()));
        }
        reports.push(report(&a.by, Some(fp), verdict.map(|_| ())));
    }
    let named = Identity::barred(&o.data.approved_by);
    if !counted.iter().any(|(who, _)| who.same_person(&named)) {
        reports.insert(
            0,
            report(&o.data.approved_by, None, Err(ApprovalFailure::Unsigned)),
        );
    }
    failures.extend(quorum(&reports, ctx));
    (reports, failures)
}

fn report(by: &str, key: Option<String>, verdict: Result<(), ApprovalFailure>) -> ApprovalReport {
    ApprovalReport {
        by: by.to_string(),
        key,
        counted: verdict.is_ok(),
        failure: verdict.err(),
    }
}

/// The requester and the release commit's author: as written, and as
/// identities.
fn barred(o: &OverrideFile, ctx: &Context) -> Barred {
    let written: Vec<String> = ctx
        .author
        .iter()
        .map(String::as_str)
        .chain(o.data.requested_by.as_deref())
        .map(|s| s.trim().to_string())
        .collect();
    Barred {
        who: written.iter().map(|w| Identity::barred(w)).collect(),
        written,
    }
}

struct Barred {
    written: Vec<String>,
    who: Vec<Identity>,
}

impl Barred {
    fn includes(&self, i: &Identity) -> bool {
        self.who.iter().any(|b| b.same_person(i))
    }
}

/// Not the requester or the author, nor a key (or certificate) that could
/// sign as one of them: a line listing the key whose patterns match one of
/// them, or a certificate naming one; not someone (or some key) already
/// counted.
fn one_person(
    by: &str,
    d: &sshsig::Decoded,
    fp: &str,
    signers: &AllowedSigners,
    barred: &Barred,
    counted: &[(Identity, String)],
) -> Result<(), ApprovalFailure> {
    let who = Identity::barred(by);
    let lines_of_barred = signers
        .signers
        .iter()
        .filter(|s| !s.cert_authority && s.key == d.key)
        .any(|s| {
            barred.written.iter().any(|w| s.lists(w))
                || s.literal_principals()
                    .any(|p| barred.includes(&Identity::barred(p)))
        });
    let cert_of_barred = d.cert.as_ref().is_some_and(|c| {
        c.valid_principals()
            .iter()
            .any(|p| barred.includes(&Identity::barred(p)))
    });
    if barred.includes(&who) || lines_of_barred || cert_of_barred {
        return Err(ApprovalFailure::SelfApproval);
    }
    if counted
        .iter()
        .any(|(other, other_key)| other.same_person(&who) || other_key == fp)
    {
        return Err(ApprovalFailure::DuplicateApprover);
    }
    Ok(())
}

/// `required_approvals` distinct principals, and every group's quorum.
fn quorum(reports: &[ApprovalReport], ctx: &Context) -> Vec<Failure> {
    let env = ctx.env.display_name();
    let people: Vec<&str> = reports
        .iter()
        .filter(|r| r.counted)
        .map(|r| r.by.as_str())
        .collect();
    let mut out = Vec::new();
    let needed = ctx.env.required_approvals.max(1) as usize;
    if people.len() < needed {
        let not: Vec<String> = reports
            .iter()
            .filter_map(|r| r.failure.map(|f| format!("{}: {}", r.by, serde_name(f))))
            .collect();
        out.push(Failure {
            kind: FailureKind::TooFewApprovers,
            message: too_few(env, needed, people.len(), &not),
        });
    }
    for (group, lacking) in unfilled(&people, &ctx.env.required_groups) {
        out.push(Failure {
            kind: FailureKind::TooFewApprovers,
            message: format!(
                "group {group} lacks {lacking} signed approval(s) (each person counts toward one group only)"
            ),
        });
    }
    out
}

/// Too few people counted: how many were needed and counted, and each
/// approval that did not count with its reason.
fn too_few(env: &str, needed: usize, counted: usize, not: &[String]) -> String {
    let why = if not.is_empty() {
        String::new()
    } else {
        format!(" (not counted: {})", not.join(", "))
    };
    format!("{env} needs {needed} signed approval(s) by distinct people; {counted} counted{why}")
}

/// A failure's name as the decision JSON writes it.
pub fn serde_name(f: ApprovalFailure) -> String {
    serde_json::to_value(f)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The groups a maximum assignment of `people` (each to at most one group
/// whose members they are) leaves short, with how many each lacks.
pub fn unfilled<'g>(people: &[&str], groups: &'g [GroupQuorum]) -> Vec<(&'g str, u32)> {
    // One slot per approval a group needs; people matched to slots by
    // augmenting paths (Kuhn's algorithm): a maximum matching, not a greedy
    // pass, so an approver in two groups goes where they are needed.
    let slots: Vec<usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, q)| std::iter::repeat_n(g, q.needed as usize))
        .collect();
    let member = |p: &str, g: usize| match_list(p, &groups[g].members.join(","));
    let mut holder: Vec<Option<usize>> = vec![None; slots.len()];
    for person in 0..people.len() {
        let mut seen = vec![false; slots.len()];
        augment(person, people, &slots, &member, &mut holder, &mut seen);
    }
    groups
        .iter()
        .enumerate()
        .filter_map(|(g, q)| {
            let filled = slots
                .iter()
                .zip(&holder)
                .filter(|(s, h)| **s == g && h.is_some())
                .count() as u32;
            (filled < q.needed).then_some((q.name.as_str(), q.needed - filled))
        })
        .collect()
}

fn augment(
    person: usize,
    people: &[&str],
    slots: &[usize],
    member: &dyn Fn(&str, usize) -> bool,
    holder: &mut [Option<usize>],
    seen: &mut [bool],
) -> bool {
    for s in 0..slots.len() {
        if seen[s] || !member(people[person], slots[s]) {
            continue;
        }
        seen[s] = true;
        let free = match holder[s] {
            None => true,
            Some(other) => augment(other, people, slots, member, holder, seen),
        };
        if free {
            holder[s] = Some(person);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(name: &str, members: &[&str], needed: u32) -> GroupQuorum {
        GroupQuorum {
            name: name.into(),
            members: members.iter().map(|m| m.to_string()).collect(),
            needed,
        }
    }

    #[test]
    fn regression_too_few_approvals_names_those_that_did_not_count() {
        let not = ["dave@example.com: unknown_key".to_string()];
        assert_eq!(
            too_few("staging", 2, 1, &not),
            "staging needs 2 signed approval(s) by distinct people; 1 counted (not counted: dave@example.com: unknown_key)"
        );
        assert_eq!(
            too_few("staging", 1, 0, &[]),
            "staging needs 1 signed approval(s) by distinct people; 0 counted"
        );
    }

    #[test]
    fn one_person_counts_toward_one_group_only() {
        let groups = [
            q("release", &["alice@x", "*@sre.x"], 1),
            q("security", &["alice@x", "sam@sec.x"], 1),
        ];
        assert_eq!(unfilled(&["alice@x"], &groups), [("security", 1)]);
        // A greedy pass would give alice to release and leave security
        // empty; the matching moves her.
        assert!(unfilled(&["alice@x", "bob@sre.x"], &groups).is_empty());
        assert!(unfilled(&["bob@sre.x", "alice@x"], &groups).is_empty());
        assert_eq!(
            unfilled(&["bob@sre.x", "eve@sre.x"], &groups),
            [("security", 1)]
        );
        let two = [q("release", &["*@sre.x,!eve@sre.x"], 2)];
        assert_eq!(
            unfilled(&["bob@sre.x", "eve@sre.x"], &two),
            [("release", 1)]
        );
        assert!(unfilled(&[], &[]).is_empty());
    }
}
