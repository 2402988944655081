//! `gate check`: one fully passing repository, then one failing variant per
//! condition, each asserting the finding it is about and the exit code.

use crate::support::{check, check_env, Repo};

const OK: &str = "release_ok";

fn ok_repo() -> Repo {
    Repo::released(OK, "v1.2.3")
}

#[test]
fn passing_repository_is_go() {
    let r = ok_repo();
    let run = check(&r, &["--ci-status", "success"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json = check(&r, &["--ci-status", "success", "--format", "json"]);
    assert_eq!(json.code, 0);
    // --json is the same as --format json
    assert_eq!(
        check(&r, &["--ci-status", "success", "--json"]).stdout,
        json.stdout
    );
}

#[test]
fn delivery_gate_fail_repo_gets_delivery_gate_verdicts() {
    // delivery-gate check --repo tests/fixtures/fail_repo --ci-status failure
    let r = Repo::released("delivery_gate_fail", "v0.1.0");
    r.write("notes.txt", "uncommitted\n");
    let run = check(&r, &["--ci-status", "failure"]);
    assert_eq!(run.code, 1);
    let j = check(&r, &["--ci-status", "failure", "--json"]);
    let verdicts: Vec<(String, String)> = j.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("changelog", "PASS"),
        ("ci_status", "FAIL"),
        ("deps_pinned", "PASS"),
        ("release_point", "FAIL"),
        ("version_consistent", "PASS"),
        ("rollback_tested", "FAIL"),
        ("oncall_notified", "PASS"),
        ("approver_signed_off", "PASS"),
        ("monitoring_reviewed", "PASS"),
        // added by gate: nothing to check without an audit log
        ("audit_chain", "NA"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(verdicts, expected);
    assert_eq!(j.json()["decision"], "NO-GO");
}

// ------------------------------------------------------------------ changelog

#[test]
fn changelog_needs_exactly_this_version() {
    for (heading, status) in [
        ("## [1.2.30]", "FAIL"),
        ("## [11.2.3]", "FAIL"),
        ("## v1.2.3 - 2026-11-20", "PASS"),
        ("## 1.2.3", "PASS"),
    ] {
        let r = Repo::files(OK);
        r.edit("CHANGELOG.md", "## [1.2.3] - 2026-11-20", heading);
        r.init();
        r.commit_all("release");
        r.tag("v1.2.3");
        let run = check(&r, &["--ci-status", "success", "--json"]);
        assert_eq!(run.status("changelog"), status, "{heading}");
        assert_eq!(run.code, if status == "PASS" { 0 } else { 1 }, "{heading}");
    }
}

#[test]
fn missing_changelog_fails_with_reason() {
    let r = Repo::files(OK);
    r.remove("CHANGELOG.md");
    r.init();
    r.commit_all("release");
    r.tag("v1.2.3");
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.finding("changelog")["message"],
        "CHANGELOG.md not found"
    );
}

// ------------------------------------------------------------------ ci_status

#[test]
fn ci_status_comes_from_flag_then_environment() {
    let r = ok_repo();
    let run = check(&r, &["--json"]);
    assert_eq!((run.code, run.status("ci_status")), (1, "FAIL".into()));
    assert!(run.finding("ci_status")["message"]
        .as_str()
        .unwrap()
        .contains("no CI status given"));
    let run = check_env(&r, &["--json"], &[("GATE_CI_STATUS", "success")]);
    assert_eq!((run.code, run.status("ci_status")), (0, "PASS".into()));
    assert!(run.finding("ci_status")["found"]
        .as_str()
        .unwrap()
        .contains("$GATE_CI_STATUS"));
    let run = check_env(&r, &["--json"], &[("DELIVERY_GATE_CI_STATUS", "success")]);
    assert_eq!(run.status("ci_status"), "PASS");
    // The flag wins over the environment.
    let run = check_env(
        &r,
        &["--ci-status", "failure", "--json"],
        &[("GATE_CI_STATUS", "success")],
    );
    assert_eq!(run.status("ci_status"), "FAIL");
    assert_eq!(
        run.finding("ci_status")["message"],
        "CI status is 'failure', not 'success'"
    );
}

// ------------------------------------------------------------------ deps_pinned

fn deps_case(file: &str, contents: &str) -> crate::support::Run {
    let r = Repo::files(OK);
    r.write(file, contents);
    r.init();
    r.commit_all("release");
    r.tag("v1.2.3");
    check(&r, &["--ci-status", "success", "--json"])
}

#[test]
fn unpinned_dependencies_are_named_with_file_and_line() {
    let cases = [
        ("pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.2.3\"\ndependencies = [\n  \"httpx>=0.27\",\n]\n", "pyproject.toml", 5),
        ("pyproject.toml", "[tool.poetry]\nversion = \"1.2.3\"\n[tool.poetry.dependencies]\npython = \"^3.11\"\nrich = \"^13.0\"\n", "pyproject.toml", 5),
        ("requirements.txt", "httpx==0.27.2\npydantic>=2\n", "requirements.txt", 2),
        ("requirements-prod.txt", "# lock\n\nuvicorn~=0.30\n", "requirements-prod.txt", 3),
        ("Cargo.toml", "[package]\nname = \"x\"\nversion = \"1.2.3\"\n[dependencies]\nserde = \"=1.0.200\"\nanyhow = \"1\"\n", "Cargo.toml", 6),
        ("package.json", "{\n  \"name\": \"x\",\n  \"version\": \"1.2.3\",\n  \"dependencies\": {\n    \"react\": \"^18.2.0\"\n  }\n}\n", "package.json", 5),
    ];
    for (file, contents, named, line) in cases {
        let run = deps_case(file, contents);
        let f = run.finding("deps_pinned");
        assert_eq!(f["status"], "FAIL", "{file}: {f}");
        assert_eq!(f["file"], named, "{file}: {f}");
        assert_eq!(f["line"], line, "{file}: {f}");
        assert_eq!(run.code, 1);
    }
}

#[test]
fn pinned_dependencies_in_every_ecosystem_pass() {
    let r = Repo::files(OK);
    r.write("Cargo.toml", "[package]\nname = \"x\"\nversion = \"1.2.3\"\n[dependencies]\nserde = \"=1.0.200\"\nlocal = { path = \"../local\" }\n[dev-dependencies]\nproptest = \"1\"\n");
    r.write("package.json", "{\"name\": \"x\", \"version\": \"1.2.3\", \"dependencies\": {\"left-pad\": \"1.3.0\"}, \"devDependencies\": {\"jest\": \"^29\"}}\n");
    r.init();
    r.commit_all("release");
    r.tag("v1.2.3");
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.status("deps_pinned"), "PASS", "{}", run.stdout);
    assert_eq!(run.code, 0);
    // With include_dev, the dev dependencies count too.
    r.write("gate.toml", "[deps_pinned]\ninclude_dev = true\n");
    r.commit_all("config");
    r.tag("1.2.3");
    let run = check(&r, &["--ci-status", "success", "--json"]);
    let f = run.finding("deps_pinned");
    assert_eq!(f["status"], "FAIL");
    let offenders: Vec<&str> = f["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["file"].as_str().unwrap())
        .collect();
    assert_eq!(offenders, ["Cargo.toml", "package.json"]);
}

#[test]
fn no_dependency_files_is_na_not_fail() {
    let r = Repo::files(OK);
    r.remove("pyproject.toml");
    r.remove("requirements.txt");
    r.init();
    r.commit_all("release");
    r.tag("v1.2.3");
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.status("deps_pinned"), "NA");
    assert_eq!(run.status("version_consistent"), "NA");
    assert_eq!(run.code, 0);
}

// ------------------------------------------------------------------ release_point

#[test]
fn tracked_change_and_untracked_file_are_dirty_ignored_file_is_not() {
    let r = ok_repo();
    r.write("build/out.bin", "x").write("debug.log", "x");
    assert_eq!(
        check(&r, &["--ci-status", "success"]).code,
        0,
        "ignored files keep it clean"
    );
    r.write("notes.txt", "x");
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.code, 1);
    assert!(
        run.finding("release_point")["message"]
            .as_str()
            .unwrap()
            .contains("?? notes.txt"),
        "{}",
        run.stdout
    );
    r.remove("notes.txt");
    r.edit("CHANGELOG.md", "Refund", "Refunded");
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert!(
        run.finding("release_point")["message"]
            .as_str()
            .unwrap()
            .contains("M CHANGELOG.md"),
        "{}",
        run.stdout
    );
}

#[test]
fn staged_change_is_dirty() {
    let r = ok_repo();
    r.write("staged.txt", "s");
    let repo = r.git();
    let mut index = repo.index().unwrap();
    index.add_path(std::path::Path::new("staged.txt")).unwrap();
    index.write().unwrap();
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.status("release_point"), "FAIL");
    assert!(run.finding("release_point")["message"]
        .as_str()
        .unwrap()
        .contains("A staged.txt"));
}

#[test]
fn tag_must_name_the_version_at_head() {
    // no tag
    let r = Repo::files(OK);
    r.init();
    r.commit_all("release");
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.status("release_point"), "FAIL");
    assert!(
        run.finding("release_point")["message"]
            .as_str()
            .unwrap()
            .contains("no tag v1.2.3 or 1.2.3"),
        "{}",
        run.stdout
    );
    // a near miss is named
    r.tag("v1.2.30");
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert!(
        run.finding("release_point")["message"]
            .as_str()
            .unwrap()
            .contains("it has tags v1.2.30"),
        "{}",
        run.stdout
    );
    // the right tag on an older commit does not count
    r.tag("v1.2.3");
    r.write("later.txt", "x");
    r.commit_all("later");
    assert_eq!(
        check(&r, &["--ci-status", "success", "--json"]).status("release_point"),
        "FAIL"
    );
}

#[test]
fn annotated_and_bare_version_tags_pass() {
    let r = Repo::files(OK);
    r.init();
    r.commit_all("release");
    r.annotated_tag("v1.2.3");
    assert_eq!(
        check(&r, &["--ci-status", "success", "--json"]).status("release_point"),
        "PASS"
    );
    let r = Repo::released(OK, "1.2.3");
    assert_eq!(
        check(&r, &["--ci-status", "success", "--json"]).status("release_point"),
        "PASS"
    );
}

#[test]
fn detached_head_is_checked_like_any_head() {
    // CI checks tags out detached: a tagged, clean detached HEAD is a release point.
    let r = ok_repo();
    r.detach();
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.status("release_point"), "PASS");
    assert!(run.finding("release_point")["message"]
        .as_str()
        .unwrap()
        .contains("detached HEAD"));
    let r = Repo::files(OK);
    r.init();
    r.commit_all("release");
    r.detach();
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.status("release_point"), "FAIL");
    assert!(
        run.finding("release_point")["message"]
            .as_str()
            .unwrap()
            .contains("at detached HEAD"),
        "{}",
        run.stdout
    );
}

#[test]
fn empty_repository_fails_clearly() {
    let r = Repo::files(OK);
    r.init();
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.finding("release_point")["message"],
        "the repository has no commits yet"
    );
}

#[test]
fn repo_path_inside_a_subfolder_fails_clearly() {
    let outer = Repo::empty();
    outer.init();
    let sub = outer.path().join("service");
    for e in std::fs::read_dir(crate::support::fixtures().join("repos").join(OK)).unwrap() {
        let e = e.unwrap();
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::copy(e.path(), sub.join(e.file_name())).unwrap();
    }
    outer.commit_all("release");
    outer.tag("v1.2.3");
    let run = crate::support::gate_in(
        outer.path(),
        &[
            "check",
            "--repo",
            "service",
            "--ci-status",
            "success",
            "--json",
        ],
        &[],
    );
    assert_eq!(run.code, 1);
    let msg = run.finding("release_point")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("--repo is a subfolder of the git work tree at"),
        "{msg}"
    );
}

// ------------------------------------------------------------------ version_consistent

#[test]
fn version_mismatch_names_the_manifest() {
    let r = Repo::files(OK);
    r.edit(
        "pyproject.toml",
        "version = \"1.2.3\"",
        "version = \"1.2.4\"",
    );
    r.init();
    r.commit_all("release");
    r.tag("v1.2.3");
    let run = check(&r, &["--ci-status", "success", "--json"]);
    let f = run.finding("version_consistent");
    assert_eq!(f["status"], "FAIL");
    assert_eq!(
        f["message"],
        "release.yaml says 1.2.3, but pyproject.toml:3 declares 1.2.4"
    );
    assert_eq!(
        (f["file"].as_str(), f["line"].as_u64()),
        (Some("pyproject.toml"), Some(3))
    );
}

// ------------------------------------------------------------------ attestations

#[test]
fn attestation_failures_each_say_why() {
    let cases = [
        ("answer: true\n    by: \"Jane Smith\"\n    evidence", "answer: false\n    by: \"Jane Smith\"\n    evidence", "Attested as not done (answer: false)"),
        ("by: \"Jane Smith\"\n    evidence", "by: \"\"\n    evidence", "Attested without a name: `by:` is missing or empty"),
        ("    answer: true\n    by: \"Jane Smith\"\n    evidence: \"https://ci.example.com/jobs/456\"\n", "    by: \"Jane Smith\"\n", "No answer given (`answer:` is missing)"),
    ];
    for (from, to, message) in cases {
        let r = Repo::files(OK);
        r.edit("release.yaml", from, to);
        r.init();
        r.commit_all("release");
        r.tag("v1.2.3");
        let run = check(&r, &["--ci-status", "success", "--json"]);
        let f = run.finding("rollback_tested");
        assert_eq!(
            (f["status"].as_str(), f["kind"].as_str()),
            (Some("FAIL"), Some("ATTESTED"))
        );
        assert_eq!(f["message"], message);
        assert_eq!(run.code, 1);
    }
}

#[test]
fn unattested_check_fails_and_not_applicable_is_na_with_reason() {
    let r = Repo::files(OK);
    r.edit(
        "release.yaml",
        "  monitoring_reviewed:\n    answer: true\n    by: \"Jane Smith\"\n",
        "",
    );
    r.init();
    r.commit_all("release");
    r.tag("v1.2.3");
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.status("monitoring_reviewed"), "FAIL");
    r.write("release.yaml", std::fs::read_to_string(r.path().join("release.yaml")).unwrap() + "not_applicable:\n  monitoring_reviewed: \"No new alerts in this release.\"\n  feature_flags: \"None.\"\n");
    r.commit_all("na");
    r.tag("1.2.3");
    let run = check(&r, &["--ci-status", "success"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    insta::assert_snapshot!("check_na_and_warning_text", run.stdout);
}

#[test]
fn attested_evidence_is_shown_and_never_upgraded() {
    let r = ok_repo();
    let run = check(&r, &["--ci-status", "success", "--json"]);
    let f = run.finding("rollback_tested");
    assert_eq!(f["kind"], "ATTESTED");
    assert_eq!(f["attested_by"], "Jane Smith");
    assert_eq!(f["evidence"], "https://ci.example.com/jobs/456");
}

// ------------------------------------------------------------------ environments and gate.toml

#[test]
fn env_runs_only_its_required_checks_and_reads_only_their_inputs() {
    // staging requires ci_status only (leakage is evaluate's): no release.yaml,
    // no git repository needed.
    let r = Repo::empty();
    let run = check(
        &r,
        &["--env", "staging", "--ci-status", "success", "--json"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let ids: Vec<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["ci_status"]);
    // preprod adds changelog and deps_pinned: still no git needed.
    let r = Repo::files(OK);
    let run = check(
        &r,
        &["--env", "preprod", "--ci-status", "success", "--json"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let ids: Vec<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["changelog", "ci_status", "deps_pinned"]);
    // prod requires everything, so the missing repository is now an error.
    let run = check(&r, &["--env", "prod", "--ci-status", "success", "--json"]);
    assert_eq!(run.code, 2);
    assert!(run.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not a git repository"));
}

#[test]
fn unknown_env_lists_the_known_ones() {
    let r = ok_repo();
    let run = check(&r, &["--env", "prd", "--ci-status", "success", "--json"]);
    assert_eq!(run.code, 2);
    let j = run.json();
    assert_eq!(j["decision"], "NO-GO");
    assert_eq!(j["error"]["kind"], "usage");
    assert_eq!(
        j["error"]["message"],
        "unknown environment `prd`; did you mean `prod`? (known: staging, preprod, prod)"
    );
    assert!(run.stderr.contains("did you mean `prod`?"));
}

#[test]
fn gate_toml_configures_attestations_actions_and_na_policy() {
    let r = Repo::files(OK);
    r.write(
        "gate.toml",
        "changelog = \"docs/CHANGES.md\"\n[[attestations]]\nid = \"qa_signed_off\"\ntitle = \"QA signed off\"\n[env.prod]\nforbid_na = [\"qa_signed_off\"]\n[env.prod.actions]\nchangelog = \"warn\"\n",
    );
    r.write(
        "release.yaml",
        "version: \"1.2.3\"\nnot_applicable:\n  qa_signed_off: \"no QA for a docs release\"\n",
    );
    r.init();
    r.commit_all("release");
    r.tag("v1.2.3");
    // Without --env: the whole checklist; NA is fine there.
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.status("qa_signed_off"), "NA");
    assert_eq!(
        run.status("changelog"),
        "FAIL",
        "docs/CHANGES.md does not exist"
    );
    assert_eq!(run.code, 1);
    // prod: changelog only warns, and NA is refused for qa_signed_off.
    let run = check(&r, &["--env", "prod", "--ci-status", "success", "--json"]);
    assert_eq!(run.status("changelog"), "WARN");
    assert_eq!(run.finding("changelog")["action"], "warn");
    assert_eq!(run.status("qa_signed_off"), "FAIL");
    assert_eq!(run.code, 1);
    assert!(run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["id"] != "rollback_tested"));
}

#[test]
fn not_applicable_skips_an_auto_check_without_reading_its_inputs() {
    // release_point marked not applicable where gate.toml allows it: no git
    // repository is read at all.
    let r = Repo::files(OK);
    r.write(
        "release.yaml",
        std::fs::read_to_string(r.path().join("release.yaml")).unwrap()
            + "not_applicable:\n  release_point: \"released from a tarball\"\n",
    );
    r.write("gate.toml", "[env.prod]\nallow_na = [\"release_point\"]\n");
    let run = check(&r, &["--env", "prod", "--ci-status", "success", "--json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let f = run.finding("release_point");
    assert_eq!(
        (f["status"].as_str(), f["kind"].as_str()),
        (Some("NA"), Some("AUTO"))
    );
    assert_eq!(f["line"], 18);
}

#[test]
fn colour_only_when_a_terminal_or_forced() {
    let r = ok_repo();
    let piped = check(&r, &["--ci-status", "success"]);
    assert!(!piped.stdout.contains('\u{1b}'), "no styles into a pipe");
    let forced = check_env(&r, &["--ci-status", "success"], &[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.stdout.contains("\u{1b}[32m\u{1b}[1mPASS")
            || forced.stdout.contains("\u{1b}[1m\u{1b}[32mPASS"),
        "{:?}",
        forced.stdout
    );
    let json = check_env(
        &r,
        &["--ci-status", "success", "--json"],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(!json.stdout.contains('\u{1b}'), "JSON is never styled");
}
