//! `ci_status`: the injected CI status is `success`.

use super::{auto, Finding, Needs, Single, Status};
use crate::inputs::Inputs;

pub struct CiStatus;

impl Single for CiStatus {
    fn id(&self) -> &'static str {
        "ci_status"
    }
    fn title(&self) -> &'static str {
        "Tests passed in CI"
    }
    fn needs(&self) -> Needs {
        Needs::default()
    }
    fn run(&self, inputs: &Inputs) -> Finding {
        match &inputs.ci_status {
            None => auto(self, Status::Fail)
                .message("no CI status given: pass --ci-status or set GATE_CI_STATUS")
                .expected_found("'success'", "no CI status"),
            Some(s) if s.value.trim().eq_ignore_ascii_case("success") => auto(self, Status::Pass)
                .message(format!("CI status is 'success' (from {})", s.source))
                .expected_found("'success'", format!("'{}' (from {})", s.value, s.source)),
            Some(s) => auto(self, Status::Fail)
                .message(format!("CI status is '{}', not 'success'", s.value))
                .expected_found("'success'", format!("'{}' (from {})", s.value, s.source)),
        }
    }
}
