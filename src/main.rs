//! The `gate` binary: parse arguments, run, print, exit. Everything else
//! lives in the library.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match gate::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version exit 0; every usage error exits 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
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
