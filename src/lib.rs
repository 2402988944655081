//! gate: a single-binary release gate.
//!
//! The pipeline runs one way, and the modules follow it:
//!
//! ```text
//! inputs ──► findings ──► policy ──► overrides ──► decision ──► report ──► exit code
//! ```
//!
//! - [`inputs`]: every file and fact, parsed once into typed values, with
//!   errors that name file, line and column;
//! - [`findings`]: every check of every kind, one table
//!   ([`findings::CHECKS`]), pure functions of the inputs;
//! - [`policy`]: per environment, what is required and what a failure does;
//! - [`overrides`]: time-limited, SHA-bound waivers, validated and applied;
//! - [`decision`]: the one value every report renders, computed once by
//!   [`decision::decide`] (no I/O), and the exit-code table;
//! - [`report`]: text and JSON renderings;
//! - [`commands`]: each command wires the pipeline together.
//!
//! Beneath them all, [`model`] holds the vocabulary every stage shares
//! (findings, actions, what a check needs, the audit receipt), and
//! [`outcome`] what the override and audit commands did, for the reports.
//! No stage imports a later one: inputs, findings, policy, overrides and
//! decision never import commands, cli or report, and report imports no
//! command.
//!
//! The library never prints; [`run`] returns what to print and the exit code.

#![forbid(unsafe_code)]

pub mod audit;
pub mod bytes;
pub mod canonical;
pub mod cli;
pub mod commands;
pub mod decision;
pub mod findings;
pub mod identity;
pub mod inputs;
pub mod model;
pub mod outcome;
pub mod overrides;
pub mod policy;
pub mod report;

use cli::{Cli, Command, Format};
use commands::Environment;
use decision::exit;

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
        Command::Check(args) => decision(&commands::check::run(args, env), &args.output, env),
        Command::Evaluate(args) => decision(&commands::evaluate::run(args, env), &args.output, env),
        Command::Override(cmd) => override_command(cmd, env),
        Command::Init(args) => init_command(args),
        Command::Schema(args) => schema_command(args),
        Command::Completions(args) => completions_command(args),
        Command::Man => man_command(),
        Command::Audit(cmd) => audit_command(cmd, env),
    }
}

/// `gate override ...`: the outcome, as text or JSON.
fn override_command(cmd: &cli::OverrideCommand, env: &Environment) -> Outcome {
    use cli::OverrideCommand as O;
    let (outcome, format) = match cmd {
        O::Create(a) => (commands::override_cmd::create(a, env), a.output.format()),
        O::List(a) => (commands::override_cmd::list(a, env), a.output.format()),
        O::Expire(a) => (commands::override_cmd::expire(a, env), a.output.format()),
        O::Validate(a) => (commands::override_cmd::validate(a, env), a.output.format()),
        O::Approve(a) => (commands::approve::approve(a, env), a.output.format()),
        O::Payload(a) => {
            return match commands::approve::payload(a) {
                Ok(p) => Outcome {
                    stdout: p,
                    stderr: String::new(),
                    exit_code: 0,
                },
                Err(e) => {
                    let o = outcome::OverrideOutcome::refused("override payload", e);
                    Outcome {
                        stdout: String::new(),
                        stderr: report::override_errors(&o),
                        exit_code: o.exit_code,
                    }
                }
            }
        }
    };
    let stdout = match format {
        Format::Text => report::override_text(&outcome),
        Format::Json => report::to_json(&outcome),
    };
    Outcome {
        stdout,
        stderr: report::override_errors(&outcome),
        exit_code: outcome.exit_code,
    }
}

/// `gate init`.
fn init_command(args: &cli::InitArgs) -> Outcome {
    let o = commands::init::run(&args.repo);
    let stdout = match args.output.format() {
        Format::Json => report::to_json(&o),
        Format::Text => report::init_text(&o),
    };
    let stderr = o
        .error
        .as_ref()
        .map(|e| format!("error: {e}\n"))
        .unwrap_or_default();
    Outcome {
        stdout,
        stderr,
        exit_code: o.exit_code,
    }
}

/// `gate schema`.
fn schema_command(args: &cli::SchemaArgs) -> Outcome {
    let v = match args.which {
        Some(k) => report::schema::of(k),
        None => report::schema::all(),
    };
    Outcome {
        stdout: report::to_json(&v),
        stderr: String::new(),
        exit_code: exit::code(exit::Command::Tooling, exit::Ending::Done),
    }
}

/// `gate completions`.
fn completions_command(args: &cli::CompletionsArgs) -> Outcome {
    let mut buf = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut <Cli as clap::CommandFactory>::command(),
        "gate",
        &mut buf,
    );
    Outcome {
        stdout: String::from_utf8_lossy(&buf).into_owned(),
        stderr: String::new(),
        exit_code: exit::code(exit::Command::Tooling, exit::Ending::Done),
    }
}

/// `gate man`.
fn man_command() -> Outcome {
    let mut buf = Vec::new();
    let rendered = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut buf);
    match rendered {
        Ok(()) => Outcome {
            stdout: String::from_utf8_lossy(&buf).into_owned(),
            stderr: String::new(),
            exit_code: exit::code(exit::Command::Tooling, exit::Ending::Done),
        },
        Err(e) => Outcome {
            stdout: String::new(),
            stderr: format!("error: cannot render the man page: {e}\n"),
            exit_code: exit::code(
                exit::Command::Tooling,
                exit::Ending::Error(decision::ErrorKind::Input),
            ),
        },
    }
}

/// `gate audit ...`: the outcome, as text or JSON (or the export itself).
fn audit_command(cmd: &cli::AuditCommand, env: &Environment) -> Outcome {
    use cli::AuditCommand as A;
    use commands::audit;
    let (outcome, format) = match cmd {
        A::Verify(a) => (audit::verify(a, env), Some(a.output.format())),
        A::Head(a) => (audit::head(a, env), Some(a.output.format())),
        A::Repair(a) => (audit::repair(a, env), Some(a.output.format())),
        A::AdoptKey(a) => (audit::adopt_key(a, env), Some(a.output.format())),
        A::Push(a) => (audit::share(a, true), Some(a.output.format())),
        A::Pull(a) => (audit::share(a, false), Some(a.output.format())),
        A::Show(a) => (audit::show(a), Some(a.output.format())),
        A::Report(a) => {
            let o = audit::report(a, env);
            let json = a.format == cli::ReportFormat::Json;
            (o, Some(if json { Format::Json } else { Format::Text }))
        }
        A::Export(a) => match audit::export(a) {
            Ok(text) => {
                return Outcome {
                    stdout: text,
                    stderr: String::new(),
                    exit_code: exit::code(exit::Command::Audit, exit::Ending::Done),
                }
            }
            Err(o) => (*o, None),
        },
    };
    let stdout = match format {
        Some(Format::Json) => report::to_json(&outcome),
        Some(Format::Text) => report::audit::text(&outcome),
        None => String::new(),
    };
    Outcome {
        stdout,
        stderr: report::error_info_lines(outcome.error.as_ref()),
        exit_code: outcome.exit_code,
    }
}

/// A command line clap refused. With `--json` (or `--format json`) the
/// body is JSON with `error` set, as for any other error: a decision for
/// `check` and `evaluate`, else `{"command", "exit_code", "error"}`; stderr
/// gets clap's message either way.
pub fn usage_error(args: &[String], message: &str) -> Outcome {
    let exit_code = cli::usage_exit_code(args);
    let wants_json = args
        .windows(2)
        .any(|w| w[0] == "--format" && w[1] == "json")
        || args.iter().any(|a| a == "--json" || a == "--format=json");
    let stdout = if wants_json {
        let first = message.lines().next().unwrap_or_default();
        let first = first.strip_prefix("error: ").unwrap_or(first).to_string();
        let error = decision::ErrorInfo::usage(first);
        let words: Vec<&str> = args
            .iter()
            .skip(1)
            .take_while(|a| !a.starts_with('-'))
            .take(2)
            .map(String::as_str)
            .collect();
        match words.first().copied() {
            Some("evaluate") => report::json(&decision::Decision::evaluate_error(None, error)),
            Some("check") => report::json(&decision::Decision::check_error(None, error)),
            _ => report::to_json(&serde_json::json!({
                "command": words.join(" "),
                "exit_code": exit_code,
                "error": error,
            })),
        }
    } else {
        String::new()
    };
    Outcome {
        stdout,
        stderr: message.to_string(),
        exit_code,
    }
}

fn decision(d: &decision::Decision, out: &cli::DecisionOutputArgs, env: &Environment) -> Outcome {
    use cli::DecisionFormat as F;
    let stdout = match out.format() {
        F::Text => report::text(d),
        F::Json => report::json(d),
        F::Markdown => report::markdown::render(d),
        F::Junit => report::junit::render(d),
    };
    let mut stderr = report::error_lines(d);
    if env.github_actions {
        stderr.push_str(&report::github::annotations(d));
    }
    Outcome {
        stdout,
        stderr,
        exit_code: d.exit_code,
    }
}
