//! Findings: what every check produces, policy acts on and every report
//! renders.

use serde::Serialize;

/// Who proved a finding.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Kind {
    /// gate checked it itself.
    Auto,
    /// A person claimed it in release.yaml. Never upgraded to AUTO.
    Attested,
    /// Derived from the locc artifact.
    Leakage,
}

impl Kind {
    /// The label printed before each text line.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Auto => "[AUTO]",
            Kind::Attested => "[ATTESTED]",
            Kind::Leakage => "[LEAKAGE]",
        }
    }
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Pass,
    Fail,
    /// Not applicable, with the reason the manifest (or gate) gave.
    Na,
    /// A failure that the environment's policy only reports.
    Warn,
}

impl Status {
    /// The word printed in reports.
    pub fn word(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Na => "NA",
            Status::Warn => "WARN",
        }
    }
}

/// What the environment's policy does with a failed finding.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Hard: nothing lifts it.
    Block,
    /// Lifted only by a valid override.
    Override,
    /// Reported, never blocks.
    Warn,
}

/// A place in a file that a finding points at (an offender, a heading).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Location {
    /// Path relative to the repository root, `/`-separated.
    pub file: String,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// What is at that place.
    pub message: String,
}

/// One result of one check.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// Stable id: `changelog`, `ci_status`, an attestation key, `pii`, ...
    pub id: String,
    /// What the check verifies, in words.
    pub title: String,
    pub kind: Kind,
    pub status: Status,
    /// One line that says what was seen, shown after the title.
    pub message: String,
    /// What the check wanted.
    pub expected: String,
    /// What it found.
    pub found: String,
    /// The file the finding is about, relative to the repository root.
    pub file: Option<String>,
    /// 1-based line in `file`.
    pub line: Option<usize>,
    /// Every place involved (each unpinned dependency, say).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    /// For ATTESTED findings: who attested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attested_by: Option<String>,
    /// For ATTESTED findings: the evidence link or note given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The policy's action for a failure of this finding (set by policy).
    pub action: Option<Action>,
    /// The override file that lifted this finding, if one did.
    pub covered_by: Option<String>,
}

impl Finding {
    /// A finding with no location; the builder methods add the rest.
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        kind: Kind,
        status: Status,
    ) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            kind,
            status,
            message: String::new(),
            expected: String::new(),
            found: String::new(),
            file: None,
            line: None,
            locations: Vec::new(),
            attested_by: None,
            evidence: None,
            action: None,
            covered_by: None,
        }
    }

    /// Sets the one-line message.
    pub fn message(mut self, m: impl Into<String>) -> Self {
        self.message = m.into();
        self
    }

    /// Sets what was expected and what was found.
    pub fn expected_found(mut self, expected: impl Into<String>, found: impl Into<String>) -> Self {
        self.expected = expected.into();
        self.found = found.into();
        self
    }

    /// Points the finding at a file and line.
    pub fn at(mut self, file: impl Into<String>, line: Option<usize>) -> Self {
        self.file = Some(file.into());
        self.line = line;
        self
    }

    /// Adds the places involved; the first becomes the finding's own place
    /// when it has none yet.
    pub fn locations(mut self, locations: Vec<Location>) -> Self {
        if self.file.is_none() {
            if let Some(first) = locations.first() {
                self.file = Some(first.file.clone());
                self.line = first.line;
            }
        }
        self.locations = locations;
        self
    }

    /// True when this finding stops a release unless something lifts it.
    pub fn is_failure(&self) -> bool {
        self.status == Status::Fail
    }
}
