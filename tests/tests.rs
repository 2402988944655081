//! CLI integration tests: the real `gate` binary against git repositories
//! made at test time from `fixtures/`.

mod bad_input;
mod check;
mod evaluate;
mod overrides;
mod support;
