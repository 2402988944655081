//! `--format junit`: one test case per finding (FAIL a failure, NA
//! skipped), written with quick-junit, for the test dashboards of GitLab
//! and Jenkins.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::decision::Decision;
use crate::findings::{Kind, Status};

/// The decision as JUnit XML.
pub fn render(d: &Decision) -> String {
    let name = match &d.env {
        Some(e) => format!("gate {} ({e})", d.command),
        None => format!("gate {}", d.command),
    };
    let mut report = Report::new(name.clone());
    let mut suite = TestSuite::new(name);
    for f in &d.findings {
        let status = match (f.status, &f.covered_by) {
            (Status::Fail, None) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(f.message.clone());
                s.set_type(
                    format!("{:?}", f.action.unwrap_or(crate::findings::Action::Block))
                        .to_lowercase(),
                );
                s.set_description(format!("expected: {}\nfound: {}", f.expected, f.found));
                s
            }
            (Status::Na, _) => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(f.message.clone());
                s
            }
            _ => TestCaseStatus::success(),
        };
        let kind = match f.kind {
            Kind::Auto => "AUTO",
            Kind::Attested => "ATTESTED",
            Kind::Leakage => "LEAKAGE",
        };
        let mut case = TestCase::new(format!("{}: {}", f.id, f.title), status);
        case.set_classname(format!("gate.{kind}"));
        let mut out = format!("{} {} — {}", f.status.word(), f.title, f.message);
        if let Some(o) = &f.covered_by {
            out.push_str(&format!(" (lifted by {o})"));
        }
        case.set_system_out(out);
        suite.add_test_case(case);
    }
    approval_cases(d, &mut suite);
    if let Some(e) = &d.error {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
        s.set_message(e.message.clone());
        s.set_type(e.kind.word());
        suite.add_test_case(TestCase::new("gate inputs", s));
    }
    let mut decision = if d.decision.proceeds() {
        TestCaseStatus::success()
    } else {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(format!("{} (exit {})", d.decision.word(), d.exit_code));
        s
    };
    if let Some(cmd) = &d.suggested_override {
        decision.set_description(format!("To lift this: {cmd}"));
    }
    suite.add_test_case(TestCase::new(
        format!("decision: {}", d.decision.word()),
        decision,
    ));
    report.add_test_suite(suite);
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- JUnit rendering failed: {e} -->\n"))
}

/// Signed approvals: one case each; one that does not count is skipped
/// with its reason (the override's own case says whether the quorum was
/// met).
fn approval_cases(d: &Decision, suite: &mut TestSuite) {
    for o in &d.overrides {
        for a in &o.approvals {
            let status = match a.failure {
                None => TestCaseStatus::success(),
                Some(f) => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(format!(
                        "not counted: {} ({})",
                        f.describe(),
                        crate::overrides::signed::serde_name(f)
                    ));
                    s
                }
            };
            let mut case = TestCase::new(format!("approval: {} ({})", a.by, o.path), status);
            case.set_classname("gate.APPROVAL");
            case.set_system_out(format!(
                "{} by {} with key {}",
                if a.counted { "counted" } else { "not counted" },
                a.by,
                a.key.as_deref().unwrap_or("(none)")
            ));
            suite.add_test_case(case);
        }
    }
}
