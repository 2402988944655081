//! One module per command: each resolves its inputs, runs the pipeline and
//! returns the decision value. None of them prints.

pub mod check;

/// What the process environment contributes, captured once by the binary
/// so commands stay testable.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `$GATE_CI_STATUS`.
    pub gate_ci_status: Option<String>,
    /// `$DELIVERY_GATE_CI_STATUS` (delivery-gate's name).
    pub delivery_gate_ci_status: Option<String>,
}

impl Environment {
    /// Reads the variables gate uses from the process environment.
    pub fn from_process() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Self {
            gate_ci_status: var("GATE_CI_STATUS"),
            delivery_gate_ci_status: var("DELIVERY_GATE_CI_STATUS"),
        }
    }
}
