//! JUnit, parsed back as XML. The other formats (markdown, GitHub
//! annotations and step summary, Prometheus metrics) and the eval-metric
//! thresholds are golden cases.

use crate::support::{artifact, evaluate_env, Repo};

fn staging_require_override(r: &Repo, extra: &[&str], env: &[(&str, &str)]) -> crate::support::Run {
    let mut args = vec!["--env", "staging", "--ci-status", "success"];
    let art = artifact("checks_fail.json");
    args.extend_from_slice(&["--locc-artifact", &art]);
    args.extend_from_slice(extra);
    evaluate_env(r, &args, env)
}

#[test]
fn junit_report_parses_with_one_case_per_finding() {
    let r = Repo::released("release_ok", "v1.2.3");
    let run = staging_require_override(&r, &["--format", "junit"], &[]);
    let doc = roxmltree::Document::parse(&run.stdout).expect("valid XML");
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    let cases: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    // ci_status, pii, schema, policy, and the decision
    assert_eq!(cases.len(), 5);
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(
        failed,
        [
            "schema: No schema change leaked past locc",
            "policy: locc verdict allowed in this environment",
            "decision: REQUIRE_OVERRIDE"
        ]
    );
    assert_eq!(suites.attribute("failures"), Some("3"));
    // NA is skipped.
    let r = Repo::files("release_ok");
    r.write(
        "release.yaml",
        std::fs::read_to_string(r.path().join("release.yaml")).unwrap()
            + "not_applicable:\n  release_point: \"from a tarball\"\n",
    );
    r.write("gate.toml", "[env.prod]\nallow_na = [\"release_point\"]\n");
    let run = crate::support::check(
        &r,
        &[
            "--env",
            "prod",
            "--ci-status",
            "success",
            "--format",
            "junit",
        ],
    );
    let doc = roxmltree::Document::parse(&run.stdout).unwrap();
    let skipped: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.children().any(|c| c.has_tag_name("skipped")))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(
        skipped,
        [
            "release_point: Clean, tagged release point",
            "audit_chain: Audit log checks out before appending"
        ]
    );
}
