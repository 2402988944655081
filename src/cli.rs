//! The command line: clap types only. Values are validated here; nothing
//! is read from disk until a command resolves its inputs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A single-binary release gate: GO / NO-GO release checklists with every
/// result labelled AUTO (gate proved it) or ATTESTED (a person claimed it).
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
}

/// `gate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
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
    /// The configuration [default: REPO/gate.toml, optional].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Check only what this environment requires (staging, preprod, prod,
    /// or one gate.toml defines) [default: the whole checklist].
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }
}
