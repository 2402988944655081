//! `gate audit verify | show | export | report | head | repair`.

use std::io::BufRead;
use std::path::PathBuf;

use serde_json::Value;

use super::Environment;
use crate::audit::file::Tail;
use crate::audit::verify::{verify as verify_log, Anchor, Class, Problem, Report};
use crate::audit::Store;
use crate::cli::{
    AuditExportArgs, AuditLogArgs, AuditReportArgs, AuditShowArgs, AuditSimpleArgs,
    AuditVerifyArgs, ExportFormat,
};
use crate::decision::{exit, ErrorInfo};
use crate::inputs::error::InputError;
use crate::inputs::override_file::parse_time;
use crate::inputs::{display, load_config, Request};
use crate::outcome::{AuditOutcome, OverrideUse, Repaired, Summary};

/// The log these flags name: a file, or a git ref (`git:refs/gate/audit`).
fn store(a: &AuditLogArgs) -> Result<Store, ErrorInfo> {
    let req = Request {
        repo: a.repo.clone(),
        manifest: None,
        config: a.config.clone(),
        ci_status: None,
        release_commit: None,
        package: None,
        hash_eagerly: false,
    };
    // A broken gate.toml is an error here too, `--log` or not: what it
    // says (a remote to read) is never dropped silently.
    let config = Some(load_config(&req).map_err(|e| ErrorInfo::input(vec![e]))?);
    let flags = crate::cli::AuditArgs {
        log: a.log.clone(),
        remote: a.remote.clone(),
    };
    super::audit_store(&flags, &a.repo, config.as_ref()).ok_or_else(|| {
        ErrorInfo::usage("no audit log: pass --log, or set `[audit] log` in gate.toml")
    })
}

/// A file holding the log's lines: the file itself, or a git-ref log
/// written out as JSONL (kept alive by the returned guard).
fn readable(s: &Store) -> Result<(PathBuf, Option<tempfile::NamedTempFile>), ErrorInfo> {
    match s {
        Store::File(f) => {
            if f.path.exists() {
                Ok((f.path.clone(), None))
            } else {
                Err(ErrorInfo::input(vec![InputError::file(
                    &f.path,
                    "not found; expected an audit log",
                )]))
            }
        }
        Store::Git(g) => {
            let tmp = g.materialize().map_err(|e| ErrorInfo::input(vec![e]))?;
            Ok((tmp.path().to_path_buf(), Some(tmp)))
        }
    }
}

/// Opens the log, reads it and verifies the whole chain (and, for a shared
/// git ref, its history since this repository last saw it).
fn verified(
    log: &AuditLogArgs,
    expect_head: Option<&String>,
    env: &Environment,
) -> Result<(Store, Report, PathBuf, Option<tempfile::NamedTempFile>), ErrorInfo> {
    let s = store(log)?;
    let (path, guard) = readable(&s)?;
    let a = anchor(expect_head)?;
    let keys = env
        .keyring(log.keyring.as_deref())
        .map_err(|e| ErrorInfo::input(vec![e]))?;
    let mut report = verify_log(&path, &keys, a.as_ref()).map_err(|e| ErrorInfo::input(vec![e]))?;
    rewritten(&s, &mut report)?;
    Ok((s, report, path, guard))
}

/// A git-ref log whose remote head does not descend from the head this
/// repository saw last was rewritten (force-pushed): that is the chain's
/// problem, whatever the lines say on their own.
fn rewritten(s: &Store, report: &mut Report) -> Result<(), ErrorInfo> {
    let Store::Git(g) = s else { return Ok(()) };
    if let Some((truncated, message)) = g.rewrite().map_err(|e| ErrorInfo::input(vec![e]))? {
        if report.problem.is_none() {
            let class = if truncated {
                Class::Truncated
            } else {
                Class::Tampered
            };
            report.problem = Some(Problem {
                class,
                line: report.events,
                seq: report.head.as_ref().map(|h| h.seq),
                message,
            });
        }
    }
    Ok(())
}

fn status_of(r: &Report) -> String {
    match (&r.problem, r.anchored) {
        (Some(_), _) => "broken".into(),
        (None, true) => "intact, anchored".into(),
        (None, false) => "intact, unanchored".into(),
    }
}

fn anchor(s: Option<&String>) -> Result<Option<Anchor>, ErrorInfo> {
    s.map(|s| {
        s.parse::<Anchor>()
            .map_err(|e| ErrorInfo::usage(format!("--expect-head: {e}")))
    })
    .transpose()
}

/// `gate audit verify`: 0 intact, 1 broken, 2 unreadable or usage error.
pub fn verify(args: &AuditVerifyArgs, env: &Environment) -> AuditOutcome {
    const CMD: &str = "audit verify";
    let run = || -> Result<AuditOutcome, ErrorInfo> {
        let (s, report, _path, _guard) = verified(&args.log, args.expect_head.as_ref(), env)?;
        let mut out = AuditOutcome::new(CMD, Some(s.display()));
        out.exit_code = intact_or_found(report.intact());
        out.status = Some(status_of(&report));
        out.verify = Some(report);
        Ok(out)
    };
    run().unwrap_or_else(|e| AuditOutcome::failed(CMD, e))
}

/// `gate audit head`: the last event's SEQ:HASH, once its line checks out.
pub fn head(args: &AuditSimpleArgs, env: &Environment) -> AuditOutcome {
    const CMD: &str = "audit head";
    let run = || -> Result<AuditOutcome, ErrorInfo> {
        let s = store(&args.log)?;
        if let Store::File(f) = &s {
            readable(&Store::File(f.clone()))?;
        }
        let keys = env
            .keyring(args.log.keyring.as_deref())
            .map_err(|e| ErrorInfo::input(vec![e]))?;
        let tail = s.peek(&keys).map_err(|e| ErrorInfo::input(vec![e]))?;
        let mut out = AuditOutcome::new(CMD, Some(s.display()));
        match tail {
            Tail::Ok { seq, hash, .. } => out.head = Some(Anchor { seq, hash }),
            Tail::Empty => return Err(ErrorInfo::usage(format!("{}: no events yet", s.display()))),
            other => {
                out.exit_code = intact_or_found(false);
                out.status = Some("broken".into());
                out.warnings.push(other.problem().unwrap_or_default());
            }
        }
        Ok(out)
    };
    run().unwrap_or_else(|e| AuditOutcome::failed(CMD, e))
}

/// `gate audit repair`: 0 repaired or nothing to repair, 2 refused.
pub fn repair(args: &AuditSimpleArgs, env: &Environment) -> AuditOutcome {
    const CMD: &str = "audit repair";
    let run = || -> Result<AuditOutcome, ErrorInfo> {
        let s = store(&args.log)?;
        let mut out = AuditOutcome::new(CMD, Some(s.display()));
        let Store::File(f) = &s else {
            out.warnings
                .push("a git ref holds whole objects: there is no torn line to repair".into());
            return Ok(out);
        };
        readable(&s)?;
        let keys = env
            .keyring(args.log.keyring.as_deref())
            .map_err(|e| ErrorInfo::input(vec![e]))?;
        let event = crate::audit::event::repaired(&env.actor(), env.now);
        match f
            .repair(&keys, event)
            .map_err(|e| ErrorInfo::input(vec![e]))?
        {
            Some(r) => {
                out.repaired = Some(Repaired {
                    side_file: r.moved_to.as_deref().map(display),
                    bytes: r.bytes,
                    completed_seq: r.completed,
                    event: r.event,
                })
            }
            None => out.warnings.push("no torn line to repair".into()),
        }
        Ok(out)
    };
    run().unwrap_or_else(|e| AuditOutcome::failed(CMD, e))
}

/// `gate audit adopt-key`: 0 adopted, 2 refused.
pub fn adopt_key(args: &AuditSimpleArgs, env: &Environment) -> AuditOutcome {
    const CMD: &str = "audit adopt-key";
    let run = || -> Result<AuditOutcome, ErrorInfo> {
        let s = store(&args.log)?;
        let mut out = AuditOutcome::new(CMD, Some(s.display()));
        let keys = env
            .keyring(args.log.keyring.as_deref())
            .map_err(|e| ErrorInfo::input(vec![e]))?;
        // Adopting seals the history before it: the whole chain must check
        // out first (a broken one is refused, not sealed).
        let (path, _guard) = readable(&s)?;
        // (An adoptable log has no keyed line: unkeyed after keyed is
        // TAMPERED. So it is verified as a plain chain.)
        let plain = crate::audit::keys::Keyring::default();
        let report = verify_log(&path, &plain, None).map_err(|e| ErrorInfo::input(vec![e]))?;
        if let Some(p) = &report.problem {
            return Err(ErrorInfo::input(vec![InputError::file(
                &path,
                format!(
                    "the chain does not check out, so it is not sealed with a key: {} at line {}: {}",
                    p.class.word(),
                    p.line,
                    p.message
                ),
            )]));
        }
        let event = crate::audit::event::key_adopted(&env.actor(), env.now);
        out.adopted = Some(
            s.adopt_key(&keys, event)
                .map_err(|e| ErrorInfo::input(vec![e]))?,
        );
        Ok(out)
    };
    run().unwrap_or_else(|e| AuditOutcome::failed(CMD, e))
}

/// Every complete line of the log parsed as JSON, with its line number.
fn events(
    path: &std::path::Path,
    warnings: &mut Vec<String>,
) -> Result<Vec<(u64, Value)>, ErrorInfo> {
    let f = crate::inputs::file::open_existing(path).map_err(|e| ErrorInfo::input(vec![e]))?;
    let mut out = Vec::new();
    let mut reader = std::io::BufReader::new(f);
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| ErrorInfo::input(vec![crate::inputs::file::io_error(path, &e)]))?;
        if read == 0 {
            break;
        }
        n += 1;
        if buf.last() != Some(&b'\n') {
            warnings.push(format!("line {n} is torn (no newline) and was skipped"));
            break;
        }
        match serde_json::from_slice::<Value>(&buf) {
            Ok(v) => out.push((n, v)),
            Err(e) => warnings.push(format!("line {n} is not JSON ({e}) and was skipped")),
        }
    }
    Ok(out)
}

fn text(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(String::from)
}

/// `gate audit show`.
pub fn show(args: &AuditShowArgs) -> AuditOutcome {
    const CMD: &str = "audit show";
    let run =
        || -> Result<AuditOutcome, ErrorInfo> {
            let s = store(&args.log)?;
            let (path, _guard) = readable(&s)?;
            let since = args
                .since
                .as_deref()
                .map(parse_time)
                .transpose()
                .map_err(|e| ErrorInfo::usage(format!("--since: {e}")))?;
            let until = args
                .until
                .as_deref()
                .map(parse_time)
                .transpose()
                .map_err(|e| ErrorInfo::usage(format!("--until: {e}")))?;
            let mut out = AuditOutcome::new(CMD, Some(s.display()));
            for (_, v) in events(&path, &mut out.warnings)? {
                if args
                    .env
                    .as_ref()
                    .is_some_and(|e| text(&v, "env").as_ref() != Some(e))
                {
                    continue;
                }
                if args.event_type.as_ref().is_some_and(|t| {
                    !text(&v, "event_type").is_some_and(|x| x.eq_ignore_ascii_case(t))
                }) {
                    continue;
                }
                let ts = text(&v, "ts").and_then(|t| parse_time(&t).ok());
                if since.is_some_and(|s| ts.is_none_or(|t| t < s))
                    || until.is_some_and(|u| ts.is_none_or(|t| t >= u))
                {
                    continue;
                }
                out.events.push(v);
            }
            Ok(out)
        };
    run().unwrap_or_else(|e| AuditOutcome::failed(CMD, e))
}

/// `gate audit export`: the text to print, or the failure.
pub fn export(args: &AuditExportArgs) -> Result<String, Box<AuditOutcome>> {
    const CMD: &str = "audit export";
    let fail = |e| Box::new(AuditOutcome::failed(CMD, e));
    let s = store(&args.log).map_err(fail)?;
    let (path, _guard) = readable(&s).map_err(fail)?;
    match args.format {
        ExportFormat::Jsonl => {
            // The log's own bytes, complete lines only.
            let mut bytes = Vec::new();
            crate::inputs::file::open_existing(&path)
                .and_then(|mut f| {
                    std::io::Read::read_to_end(&mut f, &mut bytes)
                        .map_err(|e| crate::inputs::file::io_error(&path, &e))
                })
                .map_err(|e| fail(ErrorInfo::input(vec![e])))?;
            let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            Ok(String::from_utf8_lossy(&bytes[..end]).into_owned())
        }
        ExportFormat::Json => {
            let evs: Vec<Value> = events(&path, &mut Vec::new())
                .map_err(fail)?
                .into_iter()
                .map(|(_, v)| v)
                .collect();
            Ok(crate::report::to_json(&evs))
        }
        ExportFormat::Csv => csv_of(&path).map_err(fail),
    }
}

/// The log's events as CSV, a column per field auditors read.
fn csv_of(path: &std::path::Path) -> Result<String, ErrorInfo> {
    const COLS: &[&str] = &[
        "seq",
        "ts",
        "event_type",
        "command",
        "decision",
        "exit_code",
        "env",
        "sha",
        "release_commit",
        "identity_hash",
        "leakage_types",
        "actor",
        "override_file",
        "error",
        "tool",
        "prev_hash",
        "hash",
    ];
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: &dyn std::fmt::Display| {
        ErrorInfo::input(vec![InputError::file(
            path,
            format!("cannot write CSV: {e}"),
        )])
    };
    w.write_record(COLS).map_err(|e| io(&e))?;
    for (_, v) in events(path, &mut Vec::new())? {
        let row: Vec<String> = COLS
            .iter()
            .map(|c| match v.get(*c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), String::from))
                    .collect::<Vec<_>>()
                    .join(","),
                Some(Value::Object(o)) => o
                    .get("path")
                    .and_then(Value::as_str)
                    .map_or_else(|| Value::Object(o.clone()).to_string(), String::from),
                Some(other) => other.to_string(),
            })
            .collect();
        w.write_record(&row).map_err(|e| io(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| io(&e))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `gate audit report`: the evidence summary and the chain's state; exit 1
/// when the chain is broken.
pub fn report(args: &AuditReportArgs, env: &Environment) -> AuditOutcome {
    const CMD: &str = "audit report";
    let run = || -> Result<AuditOutcome, ErrorInfo> {
        let (s, chain, path, _guard) = verified(&args.log, args.expect_head.as_ref(), env)?;
        let mut out = AuditOutcome::new(CMD, Some(s.display()));
        let mut s = Summary::default();
        for (_, v) in events(&path, &mut out.warnings)? {
            s.events += 1;
            let ts = text(&v, "ts");
            if s.first.is_none() {
                s.first = ts.clone();
            }
            s.last = ts.clone().or(s.last.take());
            let env_name = text(&v, "env").unwrap_or_else(|| "(none)".into());
            let what = text(&v, "decision")
                .or_else(|| text(&v, "event_type"))
                .unwrap_or_else(|| "?".into());
            *s.per_env
                .entry(env_name.clone())
                .or_default()
                .entry(what)
                .or_default() += 1;
            if text(&v, "event_type").as_deref() == Some("OVERRIDE_USED") {
                let o = v.get("override_file").cloned().unwrap_or(Value::Null);
                s.overrides_used.push(OverrideUse {
                    ts,
                    env: Some(env_name),
                    sha: text(&v, "release_commit").or_else(|| text(&v, "sha")),
                    path: text(&o, "path"),
                    approved_by: o
                        .get("approved_by")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default(),
                    reason: text(&o, "reason"),
                    expires_at: text(&o, "expires_at"),
                });
            }
        }
        out.exit_code = intact_or_found(chain.intact());
        out.status = Some(status_of(&chain));
        out.verify = Some(chain);
        out.summary = Some(s);
        Ok(out)
    };
    run().unwrap_or_else(|e| AuditOutcome::failed(CMD, e))
}

/// `gate audit push` and `gate audit pull`: share a git-ref log.
pub fn share(args: &AuditSimpleArgs, push: bool) -> AuditOutcome {
    let cmd = if push { "audit push" } else { "audit pull" };
    let run = || -> Result<AuditOutcome, ErrorInfo> {
        let s = store(&args.log)?;
        let Store::Git(g) = &s else {
            return Err(ErrorInfo::usage(
                "push and pull share a git-ref log: pass --log git:refs/gate/audit",
            ));
        };
        let moved =
            if push { g.push_local() } else { g.pull() }.map_err(|e| ErrorInfo::input(vec![e]))?;
        let mut out = AuditOutcome::new(cmd, Some(s.display()));
        match moved {
            Some(oid) => out.status = Some(format!("{} is at {oid}", g.refname)),
            None => out
                .warnings
                .push(format!("{} has no events yet", g.refname)),
        }
        Ok(out)
    };
    run().unwrap_or_else(|e| AuditOutcome::failed(cmd, e))
}

/// An audit command's exit code: 0 for an intact log, 1 for a broken one.
fn intact_or_found(intact: bool) -> u8 {
    let ending = if intact {
        exit::Ending::Done
    } else {
        exit::Ending::Found
    };
    exit::code(exit::Command::Audit, ending)
}
