//! `deps_pinned`: every declared dependency is pinned to one exact version.
//!
//! - PEP 508 (PEP 621 lists, requirements*.txt): a single `==X` without a
//!   wildcard, or `===X`.
//! - Poetry: a bare version (`1.2.3`, exact in Poetry) or `==1.2.3`.
//! - Cargo: `=x.y.z` (a bare `1.2.3` means `^1.2.3`).
//! - npm: `x.y.z` (or `=x.y.z`); any range operator, `x`, `*` or tag is not.
//! - Local path dependencies are versioned with the repository and pass; a
//!   git dependency passes only when it names a commit (`rev`, `#sha`).
//! - Or by a lock file git tracks (Cargo.lock, uv.lock, poetry.lock,
//!   package-lock.json, pnpm-lock.yaml, yarn.lock) that locks a version the requirement allows: a
//!   checkout of the release builds from it. An untracked lock file, or one
//!   that misses the dependency or locks a version the manifest no longer
//!   allows, pins nothing, and the finding says which.

use super::{auto, Finding, Location, Needs, Single, Status};
use crate::inputs::lockfile::{LockFile, LockKind};
use crate::inputs::project::{Dependency, Ecosystem, Source};
use crate::inputs::Inputs;

pub struct DepsPinned;

/// How many unpinned dependencies the message names.
const NAMED: usize = 10;

impl Single for DepsPinned {
    fn id(&self) -> &'static str {
        "deps_pinned"
    }
    fn title(&self) -> &'static str {
        "Dependencies pinned to exact versions"
    }
    fn needs(&self) -> Needs {
        Needs {
            project_deps: true,
            ..Needs::default()
        }
    }
    fn run(&self, inputs: &Inputs) -> Finding {
        let Some(p) = &inputs.project else {
            return auto(self, Status::Fail).message("project manifests were not loaded");
        };
        let expected = "every declared dependency pinned to one exact version".to_string();
        if p.dependency_files.is_empty() {
            let found =
                "no pyproject.toml, requirements*.txt, Cargo.toml or package.json".to_string();
            return auto(self, Status::Na)
                .message(format!("nothing to check: {found}"))
                .expected_found(expected, found);
        }
        let Judged {
            by_lock,
            failing,
            offenders,
        } = judge(p);
        let total = p.dependencies.len();
        let files = p.dependency_files.join(", ");
        // Members gate could not find are named, never passed over quietly.
        let unread = if p.unread_members.is_empty() {
            String::new()
        } else {
            format!(
                "; workspace members not read (only `dir` and `dir/*` patterns are): {}",
                p.unread_members.join(", ")
            )
        };
        if total == 0 {
            // Nothing checked is not a PASS.
            let verb = if p.dependency_files.len() == 1 {
                "declares"
            } else {
                "declare"
            };
            let found = format!("{files} {verb} no dependencies");
            return auto(self, Status::Na)
                .message(format!("nothing to check: {found}{unread}"))
                .expected_found(expected, found);
        }
        if offenders.is_empty() {
            return auto(self, Status::Pass)
                .message(format!(
                    "{}{unread}",
                    pinned_message(&by_lock, total, &files)
                ))
                .expected_found(expected, format!("{total} of {total} pinned"));
        }
        let named = first_named(&offenders);
        let hint = library_hint(p, &failing);
        auto(self, Status::Fail)
            .message(format!(
                "{} of {total} dependencies are not pinned exactly: {named}{hint}{unread}",
                offenders.len(),
            ))
            .expected_found(expected, format!("{} not pinned", offenders.len()))
            .locations(offenders)
    }
}

/// What the dependencies come to: those a lock file pins (per lock), the
/// ecosystems with offenders, and the offenders.
struct Judged {
    by_lock: Vec<(LockKind, usize)>,
    failing: Vec<Ecosystem>,
    offenders: Vec<Location>,
}

fn judge(p: &crate::inputs::project::Project) -> Judged {
    let mut by_lock: Vec<(LockKind, usize)> = Vec::new();
    let mut failing: Vec<Ecosystem> = Vec::new();
    let offenders: Vec<Location> = p
        .dependencies
        .iter()
        .filter_map(|d| {
            let why = unpinned_reason(d)?;
            let why = match lock_pins(d, &p.locks) {
                Some(Ok(kind)) => {
                    match by_lock.iter_mut().find(|(k, _)| *k == kind) {
                        Some((_, n)) => *n += 1,
                        None => by_lock.push((kind, 1)),
                    }
                    return None;
                }
                Some(Err(lock)) => format!("{why}; {lock}"),
                None => why,
            };
            if !failing.contains(&d.ecosystem) {
                failing.push(d.ecosystem);
            }
            Some(Location {
                file: d.file.clone(),
                line: d.line,
                message: format!("{} `{}`: {why}", d.name, d.requirement),
            })
        })
        .collect();
    Judged {
        by_lock,
        failing,
        offenders,
    }
}

/// The PASS message: how the `total` dependencies are pinned.
fn pinned_message(by_lock: &[(LockKind, usize)], total: usize, files: &str) -> String {
    let locked: Vec<String> = by_lock
        .iter()
        .map(|(k, n)| format!("{n} by {}", k.file()))
        .collect();
    match by_lock {
        [] => format!("All {total} dependencies are pinned ({files})"),
        [(k, n)] if *n == total => format!(
            "pinned by {} ({n} {})",
            k.file(),
            if *n == 1 {
                "dependency"
            } else {
                "dependencies"
            }
        ),
        _ => {
            let rest = total - by_lock.iter().map(|(_, n)| n).sum::<usize>();
            let rest = if rest > 0 {
                format!(", {rest} exactly")
            } else {
                String::new()
            };
            format!(
                "All {total} dependencies are pinned ({files}): {}{rest}",
                locked.join(", ")
            )
        }
    }
}

/// The first few offenders by name and place, then how many more.
fn first_named(offenders: &[Location]) -> String {
    // The message names the first few; every one is in `locations`.
    let mut named: Vec<String> = offenders
        .iter()
        .take(NAMED)
        .map(|o| match o.line {
            Some(l) => format!(
                "{} ({}:{l})",
                o.message.split(':').next().unwrap_or_default(),
                o.file
            ),
            None => format!(
                "{} ({})",
                o.message.split(':').next().unwrap_or_default(),
                o.file
            ),
        })
        .collect();
    if offenders.len() > NAMED {
        named.push(format!("and {} more", offenders.len() - NAMED));
    }
    named.join(", ")
}

/// For a library without a lock file, how to let the check be NA.
fn library_hint(p: &crate::inputs::project::Project, failing: &[Ecosystem]) -> String {
    // A library without a lock file declares ranges on purpose: say how
    // to let this check be not applicable for it.
    p
        .library
        .iter()
        .find(|(eco, _)| {
            let python = |e: &Ecosystem| matches!(e, Ecosystem::Pep508 | Ecosystem::Poetry);
            failing.iter().any(|f| f == eco || python(f) && python(eco))
                && !p.locks.iter().any(|l| l.kind.locks(*eco))
        })
        .map(|(_, why)| {
            format!(
                ". This looks like {why}: libraries declare ranges on purpose; to skip the check, mark deps_pinned not_applicable in release.yaml and allow it in gate.toml (`allow_na = [\"deps_pinned\"]` under the environment)"
            )
        })
        .unwrap_or_default()
}

/// Whether a lock file pins `d`: `None` when no lock file covers its
/// ecosystem, else the lock that pins it or why it does not.
fn lock_pins(d: &Dependency, locks: &[LockFile]) -> Option<Result<LockKind, String>> {
    if d.source != Source::Registry {
        return None;
    }
    // A member's own lock file before the root's; then the lock file of the
    // package manager the ecosystem's manifest is for.
    let lock = locks
        .iter()
        .filter(|l| {
            l.scope
                .as_ref()
                .is_none_or(|s| d.file.starts_with(&format!("{s}/")))
        })
        .filter_map(|l| Some((l.scope.is_none(), l.kind.rank(d.ecosystem)?, l)))
        .min_by_key(|(root, rank, _)| (*root, *rank))
        .map(|(_, _, l)| l)?;
    let file = lock.kind.file();
    if lock.modified {
        return Some(Err(format!(
            "{file} has changes git's index does not, so it pins nothing: commit it"
        )));
    }
    if !lock.tracked {
        return Some(Err(format!(
            "{file} is not tracked by git, so it pins nothing"
        )));
    }
    let locked = lock.locked_for(d.ecosystem, &d.name, &d.file);
    if locked.is_empty() {
        return Some(Err(format!("{file} locks no version of it")));
    }
    let Some(allows) = requirement(d) else {
        return Some(Err(format!(
            "{file} cannot be checked against `{}`",
            d.requirement
        )));
    };
    if locked.iter().any(|v| allows(v)) {
        Some(Ok(lock.kind))
    } else {
        Some(Err(format!(
            "{file} locks {}, which the requirement does not allow: the lock is stale",
            locked.join(", ")
        )))
    }
}

/// Whether a requirement allows a locked version.
type Allows = Box<dyn Fn(&str) -> bool>;

/// The requirement of `d` as a test of a locked version, when gate can
/// read it: Cargo and npm ranges through semver, PEP 508 and Poetry through
/// PEP 440 (Poetry's `^` and `~` through semver, which they follow).
fn requirement(d: &Dependency) -> Option<Allows> {
    let req = d.requirement.trim();
    match d.ecosystem {
        Ecosystem::Cargo => semver_req(req),
        Ecosystem::Npm => {
            let alts: Option<Vec<semver::VersionReq>> =
                req.split("||").map(|alt| npm_range(alt.trim())).collect();
            let alts = alts?;
            Some(Box::new(move |v| {
                semver::Version::parse(v).is_ok_and(|v| alts.iter().any(|a| a.matches(&v)))
            }))
        }
        Ecosystem::Poetry | Ecosystem::Pep508 => {
            let poetry;
            let spec = match d.ecosystem {
                Ecosystem::Pep508 => pep508_spec(req),
                _ if req == "*" => "",
                _ => {
                    poetry = poetry_to_pep440(req)?;
                    poetry.as_str()
                }
            };
            if spec.is_empty() {
                return Some(Box::new(|_| true));
            }
            let specs: pep440_rs::VersionSpecifiers = spec.parse().ok()?;
            Some(Box::new(move |v| {
                v.parse::<pep440_rs::Version>()
                    .is_ok_and(|v| specs.contains(&v))
            }))
        }
    }
}

/// A Poetry constraint as PEP 440 specifiers: `^1.2.3` is `>=1.2.3,<2.0.0`
/// (`^0.2.3`: `<0.3.0`), `~1.2.3` is `>=1.2.3,<1.3.0` (`~1`: `<2`); the
/// rest is PEP 440 already, comma-separated.
fn poetry_to_pep440(req: &str) -> Option<String> {
    let bound = |v: &str, caret: bool| -> Option<String> {
        let parts: Vec<u64> = v
            .split('.')
            .map(|p| p.trim().parse().ok())
            .collect::<Option<_>>()?;
        let upper = if caret {
            // The first non-zero component is bumped.
            let i = parts
                .iter()
                .position(|&p| p != 0)
                .unwrap_or(parts.len() - 1);
            let mut u: Vec<u64> = parts[..=i].to_vec();
            u[i] += 1;
            u
        } else if parts.len() == 1 {
            vec![parts[0] + 1]
        } else {
            vec![parts[0], parts[1] + 1]
        };
        let upper: Vec<String> = upper.iter().map(u64::to_string).collect();
        Some(format!(">={v},<{}", upper.join(".")))
    };
    let parts: Option<Vec<String>> = req
        .split(',')
        .map(|c| {
            let c = c.trim();
            if let Some(v) = c.strip_prefix('^') {
                bound(v.trim(), true)
            } else if let Some(v) = c.strip_prefix('~').filter(|_| !c.starts_with("~=")) {
                bound(v.trim(), false)
            } else if c.starts_with(|x: char| x.is_ascii_digit()) {
                Some(format!("=={c}"))
            } else {
                Some(c.to_string())
            }
        })
        .collect();
    Some(parts?.join(","))
}

fn semver_req(req: &str) -> Option<Allows> {
    let r = semver::VersionReq::parse(req).ok()?;
    Some(Box::new(move |v| {
        semver::Version::parse(v).is_ok_and(|v| r.matches(&v))
    }))
}

/// An npm range in semver's syntax: comparators separated by commas, not
/// spaces; `a - b` as `>=a, <=b`; `latest`-style tags are unreadable.
fn npm_range(range: &str) -> Option<semver::VersionReq> {
    let range = range.strip_prefix('v').unwrap_or(range);
    if range.is_empty() || range == "*" || range.eq_ignore_ascii_case("x") {
        return Some(semver::VersionReq::STAR);
    }
    // npm reads a bare `1.2.3` as exactly that and `1.2` as `1.2.x`, where
    // semver (Cargo's reading) would take both as `^`.
    let bare = |c: &str| -> String {
        if !c.starts_with(|x: char| x.is_ascii_digit()) {
            return c.to_string();
        }
        match c.split('.').count() {
            3 => format!("={c}"),
            2 => format!("~{c}"),
            _ => c.to_string(),
        }
    };
    let text = match range.split_once(" - ") {
        Some((lo, hi)) => format!(">={}, <={}", lo.trim(), hi.trim()),
        None => range
            .split_whitespace()
            .map(bare)
            .collect::<Vec<_>>()
            .join(", "),
    };
    semver::VersionReq::parse(&text).ok()
}

/// Why `d` is not pinned exactly, or `None` when it is.
pub fn unpinned_reason(d: &Dependency) -> Option<String> {
    match &d.source {
        Source::Path => return None,
        Source::Git { rev: Some(rev) } if is_commit(rev) => return None,
        Source::Git { .. } => return Some("a git dependency that names no commit".into()),
        Source::Direct => {
            return Some("a direct reference or editable install, not a version pin".into())
        }
        Source::Workspace => {
            return Some(
                "`workspace = true`, but this manifest declares no such workspace dependency"
                    .into(),
            )
        }
        Source::Registry => {}
    }
    let req = d.requirement.trim();
    let ok = match d.ecosystem {
        Ecosystem::Pep508 => pep508_pinned(req),
        Ecosystem::Poetry => {
            let v = req.strip_prefix("==").unwrap_or(req).trim();
            is_plain_version(v, 1)
        }
        Ecosystem::Cargo => req
            .strip_prefix('=')
            .is_some_and(|v| is_plain_version(v.trim(), 3)),
        Ecosystem::Npm => {
            // npm:alias@1.2.3
            let v = req
                .strip_prefix("npm:")
                .and_then(|r| r.rsplit_once('@'))
                .map_or(req, |(_, v)| v);
            let v = v.strip_prefix('=').unwrap_or(v).trim();
            let v = v.strip_prefix('v').unwrap_or(v);
            is_plain_version(v, 3)
        }
    };
    if ok {
        return None;
    }
    let bare = match d.ecosystem {
        Ecosystem::Pep508 => pep508_spec(req).is_empty(),
        _ => req.is_empty() || req == "*",
    };
    if bare {
        return Some("no version constraint".into());
    }
    if d.ecosystem == Ecosystem::Cargo && is_plain_version(req, 1) {
        return Some(format!(
            "Cargo reads `{req}` as `^{req}`: pin with `={req}` or commit Cargo.lock"
        ));
    }
    Some("a range, not an exact version".into())
}

/// The version specifiers of a PEP 508 requirement (name, extras and
/// markers dropped).
fn pep508_spec(req: &str) -> &str {
    let req = req.split(';').next().unwrap_or(req);
    let start = req
        .find(['=', '<', '>', '~', '!', '('])
        .unwrap_or(req.len());
    req[start..]
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim()
}

/// A PEP 508 requirement with exactly one `==`/`===` specifier.
fn pep508_pinned(req: &str) -> bool {
    let spec = pep508_spec(req);
    if spec.contains(',') {
        return false;
    }
    if let Some(v) = spec.strip_prefix("===") {
        return !v.trim().is_empty();
    }
    match spec.strip_prefix("==") {
        Some(v) => {
            let v = v.trim();
            !v.is_empty() && !v.contains('*')
        }
        None => false,
    }
}

/// `1.2.3`, `1.2.3-rc.1`, `1.2.3+build`, `1.2.3rc1` with at least
/// `min_parts` numeric components and no operators or wildcards.
fn is_plain_version(v: &str, min_parts: usize) -> bool {
    if v.is_empty() || !v.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    if v.contains(|c: char| {
        c.is_whitespace() || matches!(c, '*' | 'x' | 'X' | '^' | '~' | '<' | '>' | '|' | ',')
    }) {
        return false;
    }
    let core = v.split(['-', '+']).next().unwrap_or(v);
    let numeric = core
        .split('.')
        .take_while(|p| !p.is_empty() && p.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .count();
    numeric >= min_parts
}

fn is_commit(rev: &str) -> bool {
    rev.len() >= 7 && rev.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bare name was called "a range"; Cargo's `1.0.75` too, with no word
    /// that Cargo reads it as `^1.0.75`.
    /// npm's bare `1.2` (`1.2.x`) and `1.2.3` (exact) were read as `^`.
    #[test]
    fn regression_npm_bare_versions_mean_what_npm_means() {
        let allows = |req: &str, v: &str| requirement(&dep(Ecosystem::Npm, req)).unwrap()(v);
        assert!(!allows("1.2", "1.9.0"));
        assert!(allows("1.2", "1.2.7"));
        assert!(!allows("1.2.3", "1.2.4"));
        assert!(allows("1.2.3 || 2.0.0", "2.0.0"));
        assert!(!allows("1.2.3 || 2.0.0", "2.0.1"));
        assert!(allows("^1.2.3", "1.9.0"));
    }

    /// Poetry's `^`/`~` were read as semver, which cannot parse PEP 440
    /// versions such as `2024.1` or `1.0.post1`.
    #[test]
    fn regression_poetry_constraints_read_as_pep_440() {
        let allows = |req: &str, v: &str| requirement(&dep(Ecosystem::Poetry, req)).unwrap()(v);
        assert!(allows("^2024.1", "2024.3"));
        assert!(!allows("^2024.1", "2025.1"));
        assert!(allows("^1.0", "1.0.post1"));
        assert!(allows("^0.2.3", "0.2.9"));
        assert!(!allows("^0.2.3", "0.3.0"));
        assert!(allows("~1.2.3", "1.2.9"));
        assert!(!allows("~1.2.3", "1.3.0"));
        assert!(allows(">=1.2,<2", "1.5"));
        assert!(allows("1.2.3", "1.2.3"));
        assert!(!allows("1.2.3", "1.2.4"));
    }

    #[test]
    fn regression_messages_say_exactly_what_is_wrong() {
        assert_eq!(
            unpinned_reason(&dep(Ecosystem::Pep508, "requests")).as_deref(),
            Some("no version constraint")
        );
        assert_eq!(
            unpinned_reason(&dep(
                Ecosystem::Pep508,
                "requests[socks] ; python_version > '3'"
            ))
            .as_deref(),
            Some("no version constraint")
        );
        assert_eq!(
            unpinned_reason(&dep(Ecosystem::Poetry, "*")).as_deref(),
            Some("no version constraint")
        );
        assert_eq!(
            unpinned_reason(&dep(Ecosystem::Cargo, "1.0.75")).as_deref(),
            Some("Cargo reads `1.0.75` as `^1.0.75`: pin with `=1.0.75` or commit Cargo.lock")
        );
        assert_eq!(
            unpinned_reason(&dep(Ecosystem::Pep508, "requests>=2")).as_deref(),
            Some("a range, not an exact version")
        );
    }

    fn dep(ecosystem: Ecosystem, req: &str) -> Dependency {
        Dependency {
            file: "f".into(),
            line: None,
            name: "x".into(),
            requirement: req.into(),
            ecosystem,
            source: Source::Registry,
        }
    }

    #[test]
    fn pep508_rules() {
        for ok in [
            "requests==2.31.0",
            "requests[socks]==2.31.0",
            "a===1.0",
            "a == 1.2 ; python_version < '3.12'",
            "a==1.0rc1",
        ] {
            assert_eq!(unpinned_reason(&dep(Ecosystem::Pep508, ok)), None, "{ok}");
        }
        for bad in [
            "requests",
            "requests>=2",
            "a==1.*",
            "a~=1.2",
            "a>=1,<2",
            "a==1.0,!=1.0.1",
            "a!=1",
        ] {
            assert!(
                unpinned_reason(&dep(Ecosystem::Pep508, bad)).is_some(),
                "{bad}"
            );
        }
    }

    #[test]
    fn cargo_npm_poetry_rules() {
        assert_eq!(unpinned_reason(&dep(Ecosystem::Cargo, "=1.0.200")), None);
        for bad in ["1.0.200", "^1", "=1.0", "~1.2.3", "*", ">=1, <2"] {
            assert!(
                unpinned_reason(&dep(Ecosystem::Cargo, bad)).is_some(),
                "{bad}"
            );
        }
        for ok in [
            "1.3.0",
            "=1.3.0",
            "v1.3.0",
            "1.3.0-beta.1",
            "npm:lodash@4.17.21",
        ] {
            assert_eq!(unpinned_reason(&dep(Ecosystem::Npm, ok)), None, "{ok}");
        }
        for bad in [
            "^18.2.0",
            "~1.0.0",
            "1.x",
            "1.2",
            "*",
            "latest",
            ">=1.0.0 <2.0.0",
            "1.0.0 || 2.0.0",
            "",
        ] {
            assert!(
                unpinned_reason(&dep(Ecosystem::Npm, bad)).is_some(),
                "{bad}"
            );
        }
        for ok in ["1.2.3", "==1.2.3", "1.2"] {
            assert_eq!(unpinned_reason(&dep(Ecosystem::Poetry, ok)), None, "{ok}");
        }
        for bad in ["^1.2", "~1.2", "*", ">=1", "1.2.*"] {
            assert!(
                unpinned_reason(&dep(Ecosystem::Poetry, bad)).is_some(),
                "{bad}"
            );
        }
    }

    #[test]
    fn sources() {
        let mut d = dep(Ecosystem::Cargo, "");
        d.source = Source::Path;
        assert_eq!(unpinned_reason(&d), None);
        d.source = Source::Git {
            rev: Some("0123abcd".into()),
        };
        assert_eq!(unpinned_reason(&d), None);
        d.source = Source::Git {
            rev: Some("main".into()),
        };
        assert!(unpinned_reason(&d).is_some());
        d.source = Source::Direct;
        assert!(unpinned_reason(&d).is_some());
    }
}
