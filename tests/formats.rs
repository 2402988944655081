//! One decision, every format: markdown, JUnit, GitHub annotations and step
//! summary, Prometheus metrics; and eval-metric thresholds end to end.

use crate::support::{artifact, check_env, evaluate, evaluate_env, Repo};

fn staging_require_override(r: &Repo, extra: &[&str], env: &[(&str, &str)]) -> crate::support::Run {
    let mut args = vec!["--env", "staging", "--ci-status", "success"];
    let art = artifact("checks_fail.json");
    args.extend_from_slice(&["--locc-artifact", &art]);
    args.extend_from_slice(extra);
    evaluate_env(r, &args, env)
}

#[test]
fn markdown_report() {
    let r = Repo::released("release_ok", "v1.2.3");
    let run = staging_require_override(&r, &["--format", "markdown"], &[]);
    assert_eq!(run.code, 2);
    let check = crate::support::check(&r, &["--ci-status", "failure", "--format", "markdown"]);
    assert_eq!(check.code, 1);
    for want in [
        "## ❌ gate check: **NO-GO**",
        "| [AUTO] | ❌ FAIL | Tests passed in CI |",
        "| `ci_status` | 'success' | 'failure' (from --ci-status) |",
    ] {
        assert!(check.stdout.contains(want), "{want}\n{}", check.stdout);
    }
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

#[test]
fn github_actions_annotations_and_step_summary() {
    let r = Repo::released("release_ok", "v1.2.3");
    let summary = r.path().join("summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
    ];
    let run = staging_require_override(&r, &["--json"], &env);
    assert_eq!(run.code, 2);
    run.json(); // stdout stays the report
    let lines: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("::")).collect();
    assert!(
        lines.iter().any(|l| l
            .starts_with("::error title=gate schema%3A No schema change leaked past locc,file=")
            && l.contains("checks_fail.json::")),
        "{lines:?}"
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("::error title=gate evaluate::decision REQUIRE_OVERRIDE"),
        "{lines:?}"
    );
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("# earlier step\n## ❌ gate evaluate: **REQUIRE_OVERRIDE**"),
        "{text}"
    );
    // An unpinned dependency is annotated at its file and line.
    r.write("requirements.txt", "httpx==0.27.2\npydantic>=2\n");
    let run = check_env(&r, &["--ci-status", "success", "--env", "preprod"], &env);
    assert!(run.stderr.contains("::error title=gate deps_pinned%3A Dependencies pinned to exact versions,file=requirements.txt,line=2::"), "{}", run.stderr);
    // Outside GitHub Actions: no annotations.
    let run = staging_require_override(&r, &[], &[]);
    assert!(!run.stderr.contains("::error"));
}

#[test]
fn prometheus_metrics_out() {
    let r = Repo::files("eval_gates");
    let out = r.path().join("gate.prom");
    let run = evaluate(
        &r,
        &[
            "--env",
            "staging",
            "--sha",
            "0123456789abcdef0123456789abcdef01234567",
            "--locc-artifact",
            &artifact("checks_pass.json"),
            "--ci-status",
            "success",
            "--metrics-out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    for want in [
        "# TYPE gate_decision gauge",
        "gate_decision{command=\"evaluate\",env=\"staging\",decision=\"BLOCK\"} 1",
        "gate_decision{command=\"evaluate\",env=\"staging\",decision=\"ALLOW\"} 0",
        "gate_exit_code{command=\"evaluate\",env=\"staging\"} 1",
        "gate_findings{command=\"evaluate\",env=\"staging\",status=\"FAIL\"} 1",
        "gate_finding_failed{command=\"evaluate\",env=\"staging\",id=\"thresholds.drift.psi\"} 1",
        "gate_metric_value{env=\"staging\",id=\"quality.pass_at_5\"} 0.86",
        "gate_metric_value{env=\"staging\",id=\"drift.psi\"} 0.27",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    // Every sample line is `name{labels} value`.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = line.rsplit_once(' ').unwrap();
        value.parse::<f64>().unwrap_or_else(|_| panic!("{line}"));
    }
    // An output that cannot be written stops the decision.
    let bad = r.path().join("no/such/dir/gate.prom");
    let run = evaluate(
        &r,
        &[
            "--env",
            "staging",
            "--sha",
            "0123456789abcdef0123456789abcdef01234567",
            "--locc-artifact",
            &artifact("checks_pass.json"),
            "--ci-status",
            "success",
            "--metrics-out",
            bad.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(
        (run.code, run.json()["decision"].as_str()),
        (1, Some("BLOCK"))
    );
}

#[test]
fn eval_metric_thresholds() {
    let r = Repo::files("eval_gates");
    let run = evaluate(
        &r,
        &[
            "--env",
            "staging",
            "--sha",
            "0123456789abcdef0123456789abcdef01234567",
            "--locc-artifact",
            &artifact("checks_pass.json"),
            "--ci-status",
            "success",
            "--json",
        ],
    );
    let j = run.json();
    let status = |id: &str| run.status(id);
    assert_eq!(status("thresholds.quality.pass_at_5"), "PASS");
    assert_eq!(status("thresholds.fairness.subgroup_delta"), "PASS");
    assert_eq!(status("thresholds.safety.harmful_rate"), "PASS");
    assert_eq!(status("thresholds.drift.psi"), "FAIL");
    assert_eq!(
        run.finding("thresholds.drift.psi")["message"],
        "drift.psi = 0.27 (out of bounds; <= 0.2)"
    );
    assert_eq!(
        j["decision"], "BLOCK",
        "a failed AUTO check is a hard block by default"
    );
    assert_eq!(j["metrics"]["quality.pass_at_5"], 0.86);
    // Missing file, missing pointer, not a number: FAIL with the reason.
    std::fs::remove_file(r.path().join("artifacts/eval_safety.json")).unwrap();
    r.write("artifacts/eval_fairness.json", "{\"subgroup\": 0.01}");
    r.write("artifacts/eval_quality.json", "{\"pass_at_5\": \"high\"}");
    let run = evaluate(
        &r,
        &[
            "--env",
            "staging",
            "--sha",
            "0123456789abcdef0123456789abcdef01234567",
            "--locc-artifact",
            &artifact("checks_pass.json"),
            "--ci-status",
            "success",
            "--json",
        ],
    );
    assert!(run.finding("thresholds.safety.harmful_rate")["message"]
        .as_str()
        .unwrap()
        .contains("artifacts/eval_safety.json not found"));
    assert!(run.finding("thresholds.fairness.subgroup_delta")["message"]
        .as_str()
        .unwrap()
        .contains("nothing at pointer `/subgroup_delta`"));
    assert!(run.finding("thresholds.quality.pass_at_5")["message"]
        .as_str()
        .unwrap()
        .contains("the string \"high\", not a number"));
    // Per environment: preprod does not require them by default.
    let run = evaluate(
        &r,
        &[
            "--env",
            "preprod",
            "--sha",
            "0123456789abcdef0123456789abcdef01234567",
            "--locc-artifact",
            &artifact("checks_pass.json"),
            "--ci-status",
            "success",
            "--json",
        ],
    );
    assert!(run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["id"].as_str().unwrap().starts_with("thresholds.")));
}

/// An environment that requires only thresholds judges them as any other
/// AUTO check: release.yaml's `not_applicable` for one is honoured where
/// `allow_na` lets it (it was read only when some other check needed it).
#[test]
fn a_thresholds_only_environment_honours_an_allowed_not_applicable() {
    let r = Repo::files("eval_gates");
    let toml = std::fs::read_to_string(r.path().join("gate.toml")).unwrap();
    r.write(
        "gate.toml",
        format!("{toml}\n[env.evals]\nrequired = [\"thresholds\"]\nallow_na = [\"thresholds.drift.psi\"]\n"),
    );
    r.write(
        "release.yaml",
        "version: \"1.0.0\"\nnot_applicable:\n  thresholds.drift.psi: \"no drift baseline for a first release\"\n",
    );
    let run = check_env(&r, &["--env", "evals", "--json"], &[]);
    assert_eq!(run.status("thresholds.drift.psi"), "NA", "{}", run.stdout);
    assert_eq!(run.status("thresholds.quality.pass_at_5"), "PASS");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}
