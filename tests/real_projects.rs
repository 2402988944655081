//! The AUTO checks on repositories laid out as real projects lay them out.

use crate::support::{check, evaluate, Repo};

/// A promotion that requires no attestation does not read release.yaml: a
/// typo there cannot block it, and the version reported is the project's.
#[test]
fn staging_does_not_read_release_yaml() {
    let r = Repo::released("release_ok", "v1.2.3");
    r.write("release.yaml", "version: \"1.2.3\"\nattestatoins: {}\n");
    let run = evaluate(
        &r,
        &[
            "--env",
            "staging",
            "--locc-artifact",
            &crate::support::artifact("checks_pass.json"),
            "--ci-status",
            "success",
            "--json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["version"], "1.2.3");
    // prod requires the attestations: there the typo is an input error.
    let run = check(&r, &["--env", "prod", "--ci-status", "success"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("attestatoins"), "{}", run.stderr);
}

/// helix: Cargo.toml says 25.7.1, the tag and the changelog 25.07.1.
#[test]
fn calver_versions_compare_by_their_numbers() {
    let r = Repo::files("release_ok");
    r.remove("pyproject.toml");
    r.remove("requirements.txt");
    r.remove("release.yaml");
    r.write(
        "Cargo.toml",
        "[package]\nname = \"helix-term\"\nversion = \"25.7.1\"\n\n[dependencies]\nanyhow = \"=1.0.98\"\n",
    );
    r.write(
        "CHANGELOG.md",
        "# 25.07.1 (2025-07-18)\n\nFixes.\n\n# 25.07 (2025-07-15)\n",
    );
    r.write(
        "gate.toml",
        "[env.release]\nrequired = [\"changelog\", \"release_point\"]\n",
    );
    r.init();
    r.commit_all("release");
    r.tag("25.07.1");
    let run = check(
        &r,
        &["--env", "release", "--ci-status", "success", "--json"],
    );
    for id in ["changelog", "release_point"] {
        assert_eq!(run.status(id), "PASS", "{id}: {}", run.stdout);
    }
    assert_eq!(run.code, 0);
    // 25.7.10 is another version.
    r.edit("Cargo.toml", "25.7.1", "25.7.10");
    r.commit_all("bump");
    r.tag("25.07.1-x");
    let run = check(
        &r,
        &["--env", "release", "--ci-status", "success", "--json"],
    );
    assert_eq!(run.status("changelog"), "FAIL");
    assert_eq!(run.status("release_point"), "FAIL");
}

/// init turned the audit log on, so the second check failed release_point
/// on `?? .gate/`.
#[test]
fn init_never_dirties_the_tree_it_checks() {
    let r = Repo::released("release_ok", "v1.2.3");
    r.remove("release.yaml");
    let run = crate::support::gate_in(r.path(), &["init"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("commit release.yaml, gate.toml, overrides/"),
        "{}",
        run.stdout
    );
    r.commit_all("gate init");
    r.git().tag_delete("v1.2.3").unwrap();
    r.tag("v1.2.3");
    for round in 0..2 {
        let run = check(
            &r,
            &["--env", "staging", "--ci-status", "success", "--json"],
        );
        assert_eq!(run.code, 0, "round {round}: {}", run.stdout);
        let run = check(
            &r,
            &["--env", "preprod", "--ci-status", "success", "--json"],
        );
        assert_eq!(run.status("changelog"), "PASS", "{}", run.stdout);
    }
    assert!(r.path().join(".gate/audit.jsonl").exists());
    let rel = crate::support::check(&r, &["--env", "prod", "--ci-status", "success", "--json"]);
    assert_eq!(rel.status("release_point"), "PASS", "{}", rel.stdout);
}

/// `check --dry-run` writes nothing.
#[test]
fn check_dry_run_writes_nothing() {
    let r = Repo::released("release_ok", "v1.2.3");
    let beside = tempfile::tempdir().unwrap();
    let log = beside.path().join("dry.jsonl");
    let run = check(
        &r,
        &[
            "--env",
            "staging",
            "--ci-status",
            "success",
            "--dry-run",
            "--audit-log",
            log.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!log.exists());
}
