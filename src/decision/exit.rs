//! Every exit code gate returns, in one table: from the command and how it
//! ended.

use super::{ErrorKind, Verdict};

/// Which kind of command ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Evaluate,
    Check,
    Override,
    Audit,
    Init,
    /// `schema`, `completions`, `man`.
    Tooling,
}

impl Command {
    /// The command a subcommand's name starts.
    pub fn named(sub: &str) -> Self {
        match sub {
            "evaluate" => Command::Evaluate,
            "check" => Command::Check,
            "override" => Command::Override,
            "audit" => Command::Audit,
            "init" => Command::Init,
            _ => Command::Tooling,
        }
    }
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `check` and `evaluate`: the verdict.
    Verdict(Verdict),
    /// Done, and nothing wrong was found.
    Done,
    /// Ran, and found something wrong: an invalid override, a broken log.
    Found,
    /// Could not do what was asked.
    Error(ErrorKind),
}

/// The exit code.
///
/// | ending | evaluate | every other command |
/// |---|---|---|
/// | GO, ALLOW, done | 0 | 0 |
/// | NO-GO, BLOCK, something wrong found | 1 | 1 |
/// | REQUIRE_OVERRIDE | 2 | – |
/// | an error | 1 (BLOCK) | 2 |
///
/// `evaluate` fails closed as BLOCK: its 2 means REQUIRE_OVERRIDE and must
/// never stand for a typo or an unreadable file.
pub const fn code(command: Command, ending: Ending) -> u8 {
    match (command, ending) {
        (_, Ending::Verdict(Verdict::Go | Verdict::Allow) | Ending::Done) => 0,
        (_, Ending::Verdict(Verdict::NoGo | Verdict::Block) | Ending::Found) => 1,
        (_, Ending::Verdict(Verdict::RequireOverride)) => 2,
        (Command::Evaluate, Ending::Error(_)) => 1,
        (_, Ending::Error(_)) => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        use Command::*;
        let input = Ending::Error(ErrorKind::Input);
        assert_eq!(code(Evaluate, Ending::Verdict(Verdict::Allow)), 0);
        assert_eq!(code(Evaluate, Ending::Verdict(Verdict::Block)), 1);
        assert_eq!(code(Evaluate, Ending::Verdict(Verdict::RequireOverride)), 2);
        assert_eq!(code(Evaluate, input), 1);
        assert_eq!(code(Evaluate, Ending::Error(ErrorKind::Usage)), 1);
        assert_eq!(code(Check, Ending::Verdict(Verdict::Go)), 0);
        assert_eq!(code(Check, Ending::Verdict(Verdict::NoGo)), 1);
        for c in [Check, Override, Audit, Init, Tooling] {
            assert_eq!(code(c, input), 2, "{c:?}");
            assert_eq!(code(c, Ending::Done), 0, "{c:?}");
            assert_eq!(code(c, Ending::Found), 1, "{c:?}");
        }
        assert_eq!(Command::named("evaluate"), Evaluate);
        assert_eq!(Command::named("schema"), Tooling);
    }
}
