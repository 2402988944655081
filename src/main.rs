//! The `gate` binary: parse arguments, run, print, exit. Everything else
//! lives in the library.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match gate::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version exit 0; a usage error exits 2, or 1 for
            // `evaluate`, whose 2 means REQUIRE_OVERRIDE.
            if !e.use_stderr() {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let args: Vec<String> = std::env::args().collect();
            let o = gate::usage_error(&args, &e.render().to_string());
            let _ = anstream::stdout().write_all(o.stdout.as_bytes());
            let _ = anstream::stderr().write_all(o.stderr.as_bytes());
            return ExitCode::from(o.exit_code);
        }
    };
    let outcome = gate::run(&cli, &gate::commands::Environment::from_process());
    // anstream drops the styles when the stream is not a terminal or
    // NO_COLOR is set. A closed pipe (`gate check | head`) is not an error
    // worth reporting; the exit code still tells the verdict.
    let _ = anstream::stdout().write_all(outcome.stdout.as_bytes());
    let _ = anstream::stderr().write_all(outcome.stderr.as_bytes());
    ExitCode::from(outcome.exit_code)
}
