//! CLI integration tests: the real `gate` binary against git repositories
//! made at test time from `fixtures/`.

// Tests may tell the runner why they skipped; the print lints guard the library.
#![allow(clippy::print_stderr)]

mod audit;
mod bad_input;
mod cases;
mod evaluate;
mod fail_open;
mod formats;
mod git_audit;
mod hardening;
mod onboarding;
mod overrides;
mod real_projects;
mod signed;
mod support;
