//! The command line: clap types only. Values are validated here; nothing
//! is read from disk until a command resolves its inputs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A single-binary release gate: GO / NO-GO release checklists and
/// promotion decisions, with every result labelled AUTO (gate proved it),
/// ATTESTED (a person claimed it) or LEAKAGE (from the locc artifact).
#[derive(Debug, Parser)]
#[command(name = "gate", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The release checklist: GO (exit 0), NO-GO (exit 1), or a manifest,
    /// config or usage error (exit 2).
    Check(CheckArgs),
    /// The promotion gate: ALLOW (exit 0), BLOCK (exit 1, also for any input
    /// that cannot be read or validated), REQUIRE_OVERRIDE (exit 2).
    Evaluate(EvaluateArgs),
    /// Time-limited, SHA-bound waivers: create, list, expire, validate.
    #[command(subcommand)]
    Override(OverrideCommand),
    /// The tamper-evident decision log: verify, show, export, report, head,
    /// repair.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a commented release.yaml and gate.toml, overrides folders and a
    /// workflow example; existing files are kept.
    Init(InitArgs),
    /// Print the JSON Schemas of release.yaml, gate.toml, override files and
    /// the decision JSON.
    Schema(SchemaArgs),
    /// Print shell completions (bash, zsh, fish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    Man,
}

/// `gate init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The repository root.
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub repo: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `gate schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Only this schema [default: all four, as one JSON object].
    #[arg(value_enum)]
    pub which: Option<SchemaKind>,
}

pub use crate::report::schema::SchemaKind;

/// `gate completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole chain: exit 0 intact, 1 broken or tampered (the first
    /// bad line and why), 2 unreadable or usage error.
    Verify(AuditVerifyArgs),
    /// List events, filtered by environment, event type and time.
    Show(AuditShowArgs),
    /// Write every event as JSONL (the log's own bytes), CSV or a JSON array.
    Export(AuditExportArgs),
    /// Evidence summary: period, decisions per environment, overrides used,
    /// chain status (markdown or JSON).
    Report(AuditReportArgs),
    /// Print SEQ:HASH of the last event, an anchor to keep elsewhere.
    Head(AuditSimpleArgs),
    /// Move a torn last line into a side file and record AUDIT_REPAIRED.
    Repair(AuditSimpleArgs),
    /// Key an unkeyed log from here on with $GATE_AUDIT_KEY: records
    /// AUDIT_KEY_ADOPTED, after which keyed appends continue it and
    /// `verify` with the key accepts the unkeyed lines before it.
    AdoptKey(AuditSimpleArgs),
    /// Push the local git-ref log to its remote (fast-forward, with a lease).
    Push(AuditSimpleArgs),
    /// Fetch the remote's git-ref log into the local ref (fast-forward only).
    Pull(AuditSimpleArgs),
}

/// Which log, and the keys that sealed it.
#[derive(Debug, Clone, Args)]
pub struct AuditLogArgs {
    /// The audit log: a file, or `git:refs/gate/audit` [default: gate.toml's
    /// `[audit] log` in --repo].
    #[arg(long, value_name = "PATH")]
    pub log: Option<PathBuf>,
    /// Read (and for push/pull, share) a git-ref log through this remote
    /// [default: gate.toml's `[audit] remote`].
    #[arg(long, value_name = "REMOTE")]
    pub remote: Option<String>,
    /// The repository whose gate.toml names the log.
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub repo: PathBuf,
    /// The configuration: a path, or git:REF:PATH (the file in the tree of
    /// REF, a protected branch) [default: REPO/gate.toml].
    #[arg(long, value_name = "PATH", env = "GATE_CONFIG")]
    pub config: Option<PathBuf>,
    /// A file of further keys, one per line (rotated keys), besides
    /// $GATE_AUDIT_KEY and $GATE_AUDIT_KEYRING.
    #[arg(long, value_name = "PATH")]
    pub keyring: Option<PathBuf>,
}

/// `gate audit head` and `gate audit repair`.
#[derive(Debug, Args)]
pub struct AuditSimpleArgs {
    #[command(flatten)]
    pub log: AuditLogArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `gate audit verify`.
#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub log: AuditLogArgs,
    /// The anchor the log must still hold (from `gate audit head`): finds a
    /// cut tail or a rewritten chain.
    #[arg(long, value_name = "SEQ:HASH")]
    pub expect_head: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `gate audit show`.
#[derive(Debug, Args)]
pub struct AuditShowArgs {
    #[command(flatten)]
    pub log: AuditLogArgs,
    /// Only this environment.
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Only this event type (e.g. OVERRIDE_USED).
    #[arg(long, value_name = "TYPE")]
    pub event_type: Option<String>,
    /// Only events at or after this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only events before this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `gate audit export`.
#[derive(Debug, Args)]
pub struct AuditExportArgs {
    #[command(flatten)]
    pub log: AuditLogArgs,
    /// jsonl (the log's own lines), csv or json.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
}

/// `gate audit export --as`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Jsonl,
    Csv,
    Json,
}

/// `gate audit report`.
#[derive(Debug, Args)]
pub struct AuditReportArgs {
    #[command(flatten)]
    pub log: AuditLogArgs,
    /// The anchor to check the chain against.
    #[arg(long, value_name = "SEQ:HASH")]
    pub expect_head: Option<String>,
    /// markdown (an evidence summary to attach) or json.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
}

/// `gate audit report --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Json,
}

/// Where the project is and what CI injected; shared by `check` and
/// `evaluate`.
#[derive(Debug, Clone, Args)]
pub struct ProjectArgs {
    /// The repository root.
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub repo: PathBuf,
    /// The CI outcome, e.g. `success` [default: $GATE_CI_STATUS, then
    /// $DELIVERY_GATE_CI_STATUS].
    #[arg(long, value_name = "STATUS")]
    pub ci_status: Option<String>,
    /// The release manifest [default: REPO/release.yaml].
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// The configuration: a path, or git:REF:PATH (the file in the tree of
    /// REF, a protected branch) [default: REPO/gate.toml, optional].
    #[arg(long, value_name = "PATH", env = "GATE_CONFIG")]
    pub config: Option<PathBuf>,
    /// The package folder to judge, in a monorepo (relative to REPO; git
    /// stays at REPO) [default: gate.toml's `package`].
    #[arg(long, value_name = "DIR")]
    pub package: Option<String>,
    #[command(flatten)]
    pub audit: AuditArgs,
}

/// Where a command records what it decided or changed.
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// Append to this audit log: a file, or `git:refs/gate/audit`
    /// [default: gate.toml's `[audit] log`, if any].
    #[arg(long = "audit-log", value_name = "PATH")]
    pub log: Option<PathBuf>,
    /// Share a git-ref audit log through this remote [default: gate.toml's
    /// `[audit] remote`].
    #[arg(long = "audit-remote", value_name = "REMOTE")]
    pub remote: Option<String>,
}

/// `gate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Check only what this environment requires (staging, preprod, prod,
    /// or one gate.toml defines) [default: the whole checklist].
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Check everything, write nothing (no audit event, no metrics file).
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub output: DecisionOutputArgs,
}

/// `gate evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The environment to promote to (staging, preprod, prod, or one
    /// gate.toml defines).
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// The commit being promoted [default: HEAD of --repo]. Commits after it
    /// that only add or change override files are stepped over.
    #[arg(long, value_name = "SHA")]
    pub sha: Option<String>,
    /// The locc artifact (checks form or `locc run --output-json` report).
    #[arg(long, value_name = "PATH")]
    pub locc_artifact: Option<PathBuf>,
    #[command(flatten)]
    pub project: ProjectArgs,
    /// An override file to consider (repeatable) [default: every file in
    /// REPO/overrides/ENV/].
    #[arg(long, value_name = "PATH")]
    pub override_file: Vec<PathBuf>,
    /// Also write the JSON decision to this file.
    #[arg(long, value_name = "PATH")]
    pub decision_out: Option<PathBuf>,
    /// Evaluate everything, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub output: DecisionOutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum OverrideCommand {
    /// Write an override file: exit 0 written, 2 refused (with the reason).
    Create(OverrideCreateArgs),
    /// List override files with their status (active, expired, invalid).
    List(OverrideListArgs),
    /// Expire an override now: exit 0 written, 2 refused.
    Expire(OverrideExpireArgs),
    /// Check an override file on its own: exit 0 valid, 1 invalid, 2 usage error.
    Validate(OverrideValidateArgs),
    /// Print the exact bytes an approval signs, with no trailing newline
    /// (`gate override payload F | ssh-keygen -Y sign -n gate-override -f KEY`):
    /// exit 0, 2 unreadable.
    Payload(OverridePayloadArgs),
    /// Sign an override with your SSH key (as git signs commits) and add
    /// the approval: exit 0 written, 2 refused (with the reason).
    Approve(OverrideApproveArgs),
}

/// `gate override payload`.
#[derive(Debug, Args)]
pub struct OverridePayloadArgs {
    /// The override file.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
}

/// `gate override approve`.
#[derive(Debug, Args)]
pub struct OverrideApproveArgs {
    /// The override file.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// Your SSH key: a private key, or a public key whose private half is
    /// in ssh-agent (or a security key); signed with `ssh-keygen -Y sign`.
    #[arg(
        long,
        value_name = "KEYFILE",
        required_unless_present = "signature_file"
    )]
    pub key: Option<PathBuf>,
    /// Attach a signature made elsewhere instead
    /// (`gate override payload PATH | ssh-keygen -Y sign -n gate-override -f KEY`).
    #[arg(long, value_name = "FILE", conflicts_with = "key")]
    pub signature_file: Option<PathBuf>,
    /// The principal you approve as [default: the one principal
    /// allowed_signers lists for the key, else `git config user.email`].
    #[arg(long, value_name = "PRINCIPAL")]
    pub by: Option<String>,
    #[command(flatten)]
    pub location: OverrideLocation,
    /// Show the approval, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where overrides and the configuration are.
#[derive(Debug, Clone, Args)]
pub struct OverrideLocation {
    /// The repository root.
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub repo: PathBuf,
    /// The configuration: a path, or git:REF:PATH (the file in the tree of
    /// REF, a protected branch) [default: REPO/gate.toml, optional].
    #[arg(long, value_name = "PATH", env = "GATE_CONFIG")]
    pub config: Option<PathBuf>,
    /// The overrides folder [default: REPO/overrides, or gate.toml's
    /// overrides_dir].
    #[arg(long, value_name = "PATH")]
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub audit: AuditArgs,
}

/// `gate override create`.
#[derive(Debug, Args)]
pub struct OverrideCreateArgs {
    /// The environment the override is for.
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// Who approves (repeatable: environments with `required_approvals`
    /// need several distinct approvers).
    #[arg(long, value_name = "NAME", required = true)]
    pub approved_by: Vec<String>,
    /// Why promoting anyway is safe.
    #[arg(long)]
    pub reason: String,
    /// The finding ids to lift (repeatable or comma-separated): pii,
    /// schema, policy, or check ids the environment makes overridable.
    #[arg(long, value_name = "IDS", value_delimiter = ',', required = true)]
    pub leakage_types: Vec<String>,
    /// The commit approved [default: the release commit of HEAD].
    #[arg(long, value_name = "SHA")]
    pub sha: Option<String>,
    /// The locc artifact's identity hash (as `gate evaluate` prints it).
    #[arg(long, value_name = "HASH", required_unless_present = "locc_artifact")]
    pub identity_hash: Option<String>,
    /// Compute the identity hash from this artifact instead.
    #[arg(long, value_name = "PATH", conflicts_with = "identity_hash")]
    pub locc_artifact: Option<PathBuf>,
    /// How long the override lasts [default: the environment's maximum].
    #[arg(long, value_name = "DAYS")]
    pub expires_in_days: Option<u32>,
    /// The file name [default: ENV-SHA8-UNIXTIME.json].
    #[arg(long, value_name = "NAME")]
    pub filename: Option<String>,
    /// Who asked for it [default: the author of the approved commit].
    #[arg(long, value_name = "NAME")]
    pub requested_by: Option<String>,
    #[command(flatten)]
    pub location: OverrideLocation,
    /// Show the file that would be written, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `gate override list`.
#[derive(Debug, Args)]
pub struct OverrideListArgs {
    /// Only this environment's overrides.
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    #[command(flatten)]
    pub location: OverrideLocation,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `gate override expire`.
#[derive(Debug, Args)]
pub struct OverrideExpireArgs {
    /// The override file.
    #[arg(long, value_name = "PATH")]
    pub path: PathBuf,
    #[command(flatten)]
    pub location: OverrideLocation,
    /// Show the change, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `gate override validate`.
#[derive(Debug, Args)]
pub struct OverrideValidateArgs {
    /// The override file.
    #[arg(long, value_name = "PATH")]
    pub path: PathBuf,
    #[command(flatten)]
    pub location: OverrideLocation,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Output of `check` and `evaluate`: the decision in any format, and
/// metrics for Prometheus.
#[derive(Debug, Clone, Args)]
pub struct DecisionOutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = DecisionFormat::Text)]
    pub format: DecisionFormat,
    /// Shorthand for `--format json`.
    #[arg(long)]
    pub json: bool,
    /// Also write the decision as Prometheus text (for node_exporter's
    /// textfile collector) to this file.
    #[arg(long, value_name = "PATH")]
    pub metrics_out: Option<PathBuf>,
}

impl DecisionOutputArgs {
    /// The format asked for, `--json` winning.
    pub fn format(&self) -> DecisionFormat {
        if self.json {
            DecisionFormat::Json
        } else {
            self.format
        }
    }
}

/// Formats of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecisionFormat {
    /// The labelled checklist, coloured on a terminal.
    Text,
    /// The decision record (stable; see `schema_version`).
    Json,
    /// A pull-request comment or GitHub step summary.
    Markdown,
    /// JUnit XML: one test case per finding.
    Junit,
}

/// Output selection shared by every command.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Shorthand for `--format json`.
    #[arg(long)]
    pub json: bool,
}

impl OutputArgs {
    /// The format asked for, `--json` winning.
    pub fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else {
            self.format
        }
    }
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The labelled checklist, coloured on a terminal.
    Text,
    /// The decision record (stable; see `schema_version`).
    Json,
}

/// The exit code for a command line clap rejects: 1 for `evaluate` (where
/// 2 means REQUIRE_OVERRIDE and must never stand for a typo), 2 elsewhere.
pub fn usage_exit_code(args: &[String]) -> u8 {
    use crate::decision::{exit, ErrorKind};
    let sub = args.iter().skip(1).find(|a| !a.starts_with('-'));
    let command = exit::Command::named(sub.map_or("", String::as_str));
    exit::code(command, exit::Ending::Error(ErrorKind::Usage))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn evaluate_usage_errors_are_never_require_override() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(usage_exit_code(&a(&["gate", "evaluate", "--bogus"])), 1);
        assert_eq!(usage_exit_code(&a(&["gate", "check", "--bogus"])), 2);
        assert_eq!(usage_exit_code(&a(&["gate"])), 2);
    }
}
