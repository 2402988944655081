//! One module per command: each resolves its inputs, runs the pipeline and
//! returns the decision value. None of them prints.

pub mod approve;
pub mod audit;
pub mod check;
pub mod evaluate;
pub mod init;
pub mod override_cmd;

/// What the process environment contributes, captured once by the binary
/// so commands stay testable.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `$GATE_CI_STATUS`.
    pub gate_ci_status: Option<String>,
    /// `$DELIVERY_GATE_CI_STATUS` (delivery-gate's name).
    pub delivery_gate_ci_status: Option<String>,
    /// `$GATE_OVERRIDE_KEY`: signs and verifies override files. Its raw
    /// bytes, UTF-8 or not: a key is never dropped for its encoding.
    pub override_key: Option<Vec<u8>>,
    /// `$GATE_AUDIT_KEY`: seals audit lines with HMAC-SHA256 (raw bytes).
    pub audit_key: Option<Vec<u8>>,
    /// `$GATE_AUDIT_KEYRING`: a file of further (rotated) keys, one a line.
    pub audit_keyring: Option<std::path::PathBuf>,
    /// Who is acting: `$GATE_ACTOR`, `$GITHUB_ACTOR`, `$GITLAB_USER_LOGIN`
    /// or `$USER`.
    pub actor: Option<String>,
    /// `$GITHUB_ACTIONS=true`: print workflow-command annotations.
    pub github_actions: bool,
    /// `$GITHUB_STEP_SUMMARY`: the markdown report is appended there.
    pub step_summary: Option<std::path::PathBuf>,
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
            override_key: raw_var("GATE_OVERRIDE_KEY"),
            audit_key: raw_var("GATE_AUDIT_KEY"),
            audit_keyring: var("GATE_AUDIT_KEYRING").map(std::path::PathBuf::from),
            github_actions: std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
            step_summary: var("GITHUB_STEP_SUMMARY").map(std::path::PathBuf::from),
            actor: ["GATE_ACTOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "USER"]
                .iter()
                .find_map(|k| var(k)),
            now: jiff::Timestamp::now(),
        }
    }
}

/// A variable's raw bytes (on Windows, the WTF-8 of its UTF-16), or `None`
/// when unset or empty. Unlike `std::env::var`, a value that is not UTF-8 is
/// kept, not taken for unset.
fn raw_var(k: &str) -> Option<Vec<u8>> {
    std::env::var_os(k)
        .map(|v| v.as_encoded_bytes().to_vec())
        .filter(|v| !v.is_empty())
}

impl Environment {
    /// Who is acting, or `system`.
    pub fn actor(&self) -> String {
        self.actor.clone().unwrap_or_else(|| "system".into())
    }

    /// The audit keys: `$GATE_AUDIT_KEY` seals; it and the keys of
    /// `$GATE_AUDIT_KEYRING` and `extra` verify.
    pub fn keyring(
        &self,
        extra: Option<&std::path::Path>,
    ) -> Result<crate::audit::keys::Keyring, crate::inputs::error::InputError> {
        let mut others = Vec::new();
        for p in self.audit_keyring.as_deref().into_iter().chain(extra) {
            let text = crate::inputs::file::read_text(p)?;
            others.extend(crate::audit::keys::Keyring::parse_file(&text.text));
        }
        Ok(crate::audit::keys::Keyring::new(
            self.audit_key.as_deref(),
            &others,
        ))
    }

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

use std::path::Path;

use crate::decision::{Decision, ErrorInfo};
use crate::findings;
use crate::inputs::config::ConfigFile;
use crate::inputs::error::InputError;
use crate::inputs::{load_config, Inputs, Request};
use crate::policy::{Catalog, EnvPolicy, Policies};

/// The configuration and the policy that applies.
pub(crate) struct Setup {
    pub config: ConfigFile,
    pub catalog: Catalog,
    /// Every environment's policy, as gate.toml and the built-ins give it.
    pub policies: Policies,
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
        policies,
        policy,
    })
}

/// Reads what the checks the policy requires need, with the locc artifact
/// `gate evaluate` read. Nothing is judged yet.
pub(crate) fn load(
    req: &Request,
    setup: &Setup,
    artifact: Option<crate::inputs::locc::LoccArtifact>,
) -> Result<Inputs, ErrorInfo> {
    let given = setup.policy.given();
    let thresholds: Vec<_> = setup
        .config
        .raw
        .thresholds
        .iter()
        .filter(|t| given.requires(&t.finding_id()))
        .cloned()
        .collect();
    let mut inputs = Inputs::load(
        req,
        setup.config.clone(),
        &findings::wanted(&setup.config, &given),
        &thresholds,
        &|id| given.na_allowed.contains(id),
    )
    .map_err(|e| ErrorInfo::input(vec![e]))?;
    inputs.artifact = artifact;
    Ok(inputs)
}

/// The request of `check` and `evaluate`, from their shared flags.
pub(crate) fn project_request(p: &crate::cli::ProjectArgs, env: &Environment) -> Request {
    Request {
        repo: p.repo.clone(),
        manifest: p.manifest.clone(),
        config: p.config.clone(),
        package: p.package.clone(),
        ci_status: env.ci_status(p.ci_status.as_deref()),
        release_commit: None,
        hash_eagerly: true,
    }
}

/// The audit log a command records to: `--audit-log`, else gate.toml's
/// `[audit] log` (a path relative to the repository, or `git:<ref>`), with
/// the remote from `--audit-remote` or `[audit] remote`.
pub(crate) fn audit_store(
    flags: &crate::cli::AuditArgs,
    repo: &std::path::Path,
    config: Option<&ConfigFile>,
) -> Option<crate::audit::Store> {
    let (flag, remote) = (flags.log.as_deref(), flags.remote.as_deref());
    let location = match flag {
        Some(p) => p.to_string_lossy().into_owned(),
        None => {
            let l = config.and_then(|c| c.audit_log())?;
            if l.starts_with("git:") {
                l.to_string()
            } else {
                repo.join(l).to_string_lossy().into_owned()
            }
        }
    };
    let remote = remote
        .map(String::from)
        .or_else(|| config.and_then(|c| c.audit_remote()).map(String::from));
    let committer = std::env::var("GATE_AUDIT_COMMITTER")
        .ok()
        .or_else(|| config.and_then(|c| c.audit_committer()).map(String::from));
    Some(crate::audit::Store::new(
        &location,
        repo,
        remote,
        committer.as_deref(),
    ))
}

/// The audit log one decision is written to, opened just before judging:
/// its append lock held (unless a dry run) and its last line read.
pub(crate) struct OpenLog {
    shown: String,
    keys: crate::audit::keys::Keyring,
    tail: crate::audit::file::Tail,
    pending: Option<crate::audit::Pending>,
}

/// The log as opened: none configured, open, or the error that keeps the
/// decision from being recorded (and so from proceeding).
pub(crate) type Opened = Result<Option<OpenLog>, InputError>;

/// The audit log `project`'s flags and gate.toml name, if any.
pub(crate) fn project_log(
    project: &crate::cli::ProjectArgs,
    config: Option<&ConfigFile>,
) -> Option<crate::audit::Store> {
    audit_store(&project.audit, &project.repo, config)
}

/// Opens the audit log, if one is configured: takes its append lock (a dry
/// run takes none) and reads its last line. Returns what the `audit_chain`
/// check judges, and the log to record in.
pub(crate) fn open_log(
    log: Option<crate::audit::Store>,
    env: &Environment,
    dry_run: bool,
) -> (crate::model::AuditTail, Opened) {
    use crate::audit::file::Tail;
    use crate::model::AuditTail;
    let Some(log) = log else {
        return (AuditTail::NotConfigured, Ok(None));
    };
    let opened = env
        .keyring(None)
        .and_then(|keys| log.begin(&keys, dry_run).map(|(tail, p)| (keys, tail, p)));
    let (keys, tail, pending) = match opened {
        Ok(o) => o,
        Err(e) => return (AuditTail::Unread, Err(e)),
    };
    let log = log.display();
    let judged = match (&tail, tail.problem()) {
        (_, Some(problem)) => AuditTail::Broken {
            log: log.clone(),
            problem,
        },
        (Tail::Ok { seq, .. }, None) => AuditTail::Intact {
            log: log.clone(),
            seq: *seq,
        },
        _ => AuditTail::Empty { log: log.clone() },
    };
    let open = OpenLog {
        shown: log,
        keys,
        tail,
        pending,
    };
    (judged, Ok(Some(open)))
}

/// Records a decision in the log opened for it (still locked): appended
/// and fsynced, unless its tail did not check out (then the decision, which
/// the `audit_chain` finding already holds, says it was not recorded) or
/// this is a dry run.
fn record(d: &mut Decision, opened: Opened, env: &Environment) {
    let open = match opened {
        Ok(Some(o)) => o,
        Ok(None) => return,
        Err(e) => return d.fail(e),
    };
    if let Some(p) = open.tail.problem() {
        d.warnings.push(format!(
            "the decision was not recorded in {}: {p}",
            open.shown
        ));
        return;
    }
    if let Some(pending) = open.pending {
        let event = crate::audit::event::from_decision(d, &env.actor(), env.now);
        match pending.append(event, &open.keys) {
            Ok(a) => d.audit = Some(a),
            Err(e) => d.fail(e),
        }
    }
}

/// Output files of a decision, each opened (as a temporary file beside it)
/// before the decision is recorded and written after, so an unwritable
/// output stops the decision before anything is recorded.
pub(crate) struct Outputs {
    pending: Vec<(std::path::PathBuf, tempfile::NamedTempFile, OutputKind)>,
}

#[derive(Clone, Copy)]
pub(crate) enum OutputKind {
    Decision,
    Metrics,
}

impl Outputs {
    /// Opens every output named; `dry_run` opens none.
    pub fn prepare(
        decision_out: Option<&std::path::Path>,
        metrics_out: Option<&std::path::Path>,
        dry_run: bool,
    ) -> Result<Self, crate::inputs::error::InputError> {
        let mut pending = Vec::new();
        if !dry_run {
            for (p, kind) in [
                (decision_out, OutputKind::Decision),
                (metrics_out, OutputKind::Metrics),
            ] {
                if let Some(p) = p {
                    writable_target(p)?;
                    let dir = p
                        .parent()
                        .filter(|d| !d.as_os_str().is_empty())
                        .unwrap_or(std::path::Path::new("."));
                    let tmp = tempfile::NamedTempFile::new_in(dir)
                        .map_err(|e| cannot_write(p, dir, &e))?;
                    pending.push((p.to_path_buf(), tmp, kind));
                }
            }
        }
        Ok(Self { pending })
    }

    /// Writes the decision to every output, and appends its markdown to the
    /// GitHub step summary (a failure there is a warning: it is a courtesy).
    pub fn write(self, d: &mut Decision, env: &Environment) {
        use std::io::Write;
        for (path, mut tmp, kind) in self.pending {
            let text = match kind {
                OutputKind::Decision => crate::report::json(d),
                OutputKind::Metrics => crate::report::metrics::render(d, &d.metrics),
            };
            let done = tmp
                .write_all(text.as_bytes())
                .and_then(|_| tmp.as_file().sync_all())
                .map_err(|e| e.to_string())
                .and_then(|_| {
                    tmp.persist(&path)
                        .map(|_| ())
                        .map_err(|e| e.error.to_string())
                });
            if let Err(e) = done {
                // Checked before recording, so only a race gets here; the
                // decision still does not pass.
                d.fail(InputError::file(
                    &path,
                    format!("could not be written after the decision was recorded: {e}"),
                ));
            }
        }
        if let Some(summary) = &env.step_summary {
            let appended = crate::inputs::file::regular_file(summary)
                .map_err(|e| std::io::Error::other(e.message))
                .and_then(|_| {
                    crate::inputs::file::no_wait(
                        std::fs::OpenOptions::new().create(true).append(true),
                    )
                    .open(summary)
                })
                .and_then(|mut f| f.write_all(crate::report::markdown::render(d).as_bytes()));
            if let Err(e) = appended {
                d.warnings.push(format!(
                    "$GITHUB_STEP_SUMMARY ({}) could not be written: {e}",
                    summary.display()
                ));
            }
        }
    }
}

/// An output file's target must be absent or a regular file: the rename
/// that writes it would replace a symbolic link, FIFO or device node (as root,
/// `--decision-out /dev/stdout` would replace /dev/stdout), and a directory
/// cannot be written at all.
fn writable_target(p: &Path) -> Result<(), InputError> {
    let meta = match std::fs::symlink_metadata(p) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(crate::inputs::file::io_error(p, &e)),
    };
    let what = if meta.is_file() {
        return Ok(());
    } else if meta.file_type().is_symlink() {
        "a symbolic link"
    } else if meta.is_dir() {
        "a directory"
    } else {
        "a special file (FIFO, socket or device)"
    };
    Err(InputError::file(
        p,
        format!("is {what}; an output is written as a new or regular file, by a rename that would replace it"),
    ))
}

/// The end of `check` and `evaluate`: open the output files, record the
/// decision in the log opened for it, write the outputs. An output that
/// cannot be opened turns the decision into an error before anything is
/// recorded.
pub(crate) fn conclude(
    mut d: Decision,
    opened: Opened,
    env: &Environment,
    (decision_out, metrics_out): (Option<&std::path::Path>, Option<&std::path::Path>),
    dry_run: bool,
) -> Decision {
    let outputs = match Outputs::prepare(decision_out, metrics_out, dry_run) {
        Ok(o) => Some(o),
        Err(e) => {
            d.fail(e);
            None
        }
    };
    record(&mut d, opened, env);
    if let Some(o) = outputs {
        o.write(&mut d, env);
    }
    d
}

/// `path` cannot be written through a temporary file in `dir`: the reason
/// the system gave, without the temporary file's name (which means nothing
/// to the reader and differs on every run), and a folder that does not
/// exist named as such.
fn cannot_write(path: &Path, dir: &Path, e: &std::io::Error) -> InputError {
    if e.kind() == std::io::ErrorKind::NotFound && !dir.exists() {
        return InputError::file(
            path,
            format!(
                "cannot be written: the folder {} does not exist",
                dir.display()
            ),
        );
    }
    // tempfile wraps the system's error in one naming its file.
    let os = e
        .get_ref()
        .and_then(|wrapped| wrapped.source())
        .and_then(|source| source.downcast_ref::<std::io::Error>())
        .unwrap_or(e);
    let reason = os.raw_os_error().map_or_else(
        || os.kind().to_string(),
        |code| std::io::Error::from_raw_os_error(code).to_string(),
    );
    InputError::file(path, format!("cannot be written: {reason}"))
}

/// Writes `bytes` to `path` through a temporary file in the same folder and
/// a rename, so a reader never sees half a decision.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), InputError> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |e: std::io::Error| cannot_write(path, dir, &e);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
