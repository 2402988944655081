//! gate: a single-binary release gate.
//!
//! The pipeline runs one way, and the modules follow it:
//!
//! ```text
//! inputs ──► findings ──► policy ──► decision ──► report ──► exit code
//! ```
//!
//! - [`inputs`]: every file and fact, parsed once into typed values, with
//!   errors that name file, line and column;
//! - [`findings`]: the AUTO checks ([`findings::CHECKS`]) and ATTESTED
//!   attestations, pure functions of the inputs;
//! - [`policy`]: per environment, what is required and what a failure does;
//! - [`decision`]: the one value every report renders;
//! - [`report`]: text and JSON renderings;
//! - [`commands`]: each command wires the pipeline together.
//!
//! The library never prints; [`run`] returns what to print and the exit code.

#![forbid(unsafe_code)]

pub mod cli;
pub mod commands;
pub mod decision;
pub mod findings;
pub mod inputs;
pub mod policy;
pub mod report;

use cli::{Cli, Command, Format};
use commands::Environment;

/// What a command wants printed, and how the process should exit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// For standard output (may hold ANSI styles; the binary strips them
    /// where colour is off).
    pub stdout: String,
    /// For standard error.
    pub stderr: String,
    pub exit_code: u8,
}

/// Runs one parsed command line.
pub fn run(cli: &Cli, env: &Environment) -> Outcome {
    match &cli.command {
        Command::Check(args) => {
            let d = commands::check::run(args, env);
            let stdout = match args.output.format() {
                Format::Text => report::text(&d),
                Format::Json => report::json(&d),
            };
            Outcome {
                stdout,
                stderr: report::error_lines(&d),
                exit_code: d.exit_code,
            }
        }
    }
}
