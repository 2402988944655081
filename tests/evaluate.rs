//! `gate evaluate`: every environment × artifact status of the default
//! table, with and without valid and invalid overrides; the release commit;
//! fail-closed input errors.

use crate::support::{
    artifact, evaluate, evaluate_env, head, live_override, promote_pii, put_override, Repo,
    PII_HASH,
};

const OK: &str = "release_ok";

/// A clean, tagged release with every check passing.
fn release() -> Repo {
    Repo::released(OK, "v1.2.3")
}

fn decide(repo: &Repo, env: &str, art: &str) -> (i32, String, String) {
    let run = evaluate(
        repo,
        &[
            "--env",
            env,
            "--locc-artifact",
            &artifact(art),
            "--ci-status",
            "success",
            "--json",
        ],
    );
    let j = run.json();
    (
        run.code,
        j["decision"].as_str().unwrap().to_string(),
        j["event_type"].as_str().unwrap().to_string(),
    )
}

#[test]
fn default_table_for_every_environment_and_artifact() {
    let r = release();
    // (artifact, staging, preprod, prod)
    let table = [
        ("checks_pass.json", "ALLOW", "ALLOW", "ALLOW"),
        (
            "checks_hold.json",
            "ALLOW",
            "REQUIRE_OVERRIDE",
            "REQUIRE_OVERRIDE",
        ),
        (
            "checks_fail.json",
            "REQUIRE_OVERRIDE",
            "REQUIRE_OVERRIDE",
            "REQUIRE_OVERRIDE",
        ),
        (
            "checks_pass_with_pii.json",
            "REQUIRE_OVERRIDE",
            "REQUIRE_OVERRIDE",
            "REQUIRE_OVERRIDE",
        ),
        ("checks_unicode.json", "ALLOW", "ALLOW", "ALLOW"),
        ("locc_report_pass.json", "ALLOW", "ALLOW", "ALLOW"),
        (
            "locc_report_hold.json",
            "ALLOW",
            "REQUIRE_OVERRIDE",
            "REQUIRE_OVERRIDE",
        ),
        (
            "locc_report_pii.json",
            "REQUIRE_OVERRIDE",
            "REQUIRE_OVERRIDE",
            "REQUIRE_OVERRIDE",
        ),
        (
            "locc_report_schema.json",
            "REQUIRE_OVERRIDE",
            "REQUIRE_OVERRIDE",
            "REQUIRE_OVERRIDE",
        ),
    ];
    for (art, staging, preprod, prod) in table {
        for (env, want) in [("staging", staging), ("preprod", preprod), ("prod", prod)] {
            let (code, decision, event) = decide(&r, env, art);
            assert_eq!(decision, want, "{art} in {env}");
            let want_code = match want {
                "ALLOW" => 0,
                "BLOCK" => 1,
                _ => 2,
            };
            assert_eq!(code, want_code, "{art} in {env}");
            let want_event = if want == "ALLOW" {
                "PROMOTION_ALLOWED"
            } else {
                "OVERRIDE_REQUIRED"
            };
            assert_eq!(event, want_event, "{art} in {env}");
        }
    }
}

#[test]
fn a_valid_override_lifts_and_an_invalid_one_does_not() {
    let arts = [
        ("checks_fail.json", "staging", vec!["schema", "policy"]),
        ("checks_pass_with_pii.json", "staging", vec!["pii"]),
        ("locc_report_hold.json", "preprod", vec!["policy"]),
        ("locc_report_schema.json", "prod", vec!["schema", "policy"]),
    ];
    for (art, env, types) in arts {
        let r = release();
        let sha = head(&r);
        let hash = {
            let run = evaluate(
                &r,
                &[
                    "--env",
                    env,
                    "--locc-artifact",
                    &artifact(art),
                    "--ci-status",
                    "success",
                    "--json",
                ],
            );
            run.json()["identity_hash"].as_str().unwrap().to_string()
        };
        // Invalid: expired.
        let mut expired = live_override(env, &sha, &hash, &types);
        expired["created_at"] = serde_json::json!("2026-01-01T00:00:00Z");
        expired["expires_at"] = serde_json::json!("2026-01-01T12:00:00Z");
        put_override(&r, env, "expired.json", &expired);
        // Committed, as a release manager would: an untracked file would make
        // the work tree dirty, a hard block where release_point is required.
        r.commit_all("expired override");
        let (code, decision, event) = decide(&r, env, art);
        assert_eq!(
            (code, decision.as_str(), event.as_str()),
            (2, "REQUIRE_OVERRIDE", "OVERRIDE_EXPIRED"),
            "{art} in {env}"
        );
        // Valid: lifts, whatever else is in the folder.
        put_override(
            &r,
            env,
            "valid.json",
            &live_override(env, &sha, &hash, &types),
        );
        r.commit_all("valid override");
        let (code, decision, event) = decide(&r, env, art);
        assert_eq!(
            (code, decision.as_str(), event.as_str()),
            (0, "ALLOW", "OVERRIDE_USED"),
            "{art} in {env}"
        );
    }
}

#[test]
fn hard_blocks_are_not_overridable() {
    let r = release();
    let sha = head(&r);
    put_override(
        &r,
        "staging",
        "o.json",
        &live_override("staging", &sha, PII_HASH, &["pii", "ci_status"]),
    );
    let run = evaluate(
        &r,
        &[
            "--env",
            "staging",
            "--locc-artifact",
            &artifact("checks_pass_with_pii.json"),
            "--ci-status",
            "failure",
            "--json",
        ],
    );
    let j = run.json();
    assert_eq!((run.code, j["decision"].as_str()), (1, Some("BLOCK")));
    assert_eq!(j["event_type"], "PROMOTION_BLOCKED");
    assert!(
        j["suggested_override"].is_null(),
        "no override can lift a hard block"
    );
}

#[test]
fn committing_an_approved_override_keeps_it_valid_and_a_code_change_rotates_it() {
    let r = release();
    let approved = head(&r);
    let pii = artifact("checks_pass_with_pii.json");
    let create = crate::support::override_cmd(
        &r,
        "create",
        &[
            "--env",
            "staging",
            "--approved-by",
            "alice",
            "--reason",
            "support line",
            "--leakage-types",
            "pii",
            "--locc-artifact",
            &pii,
        ],
        &[],
    );
    assert_eq!(create.code, 0, "{}{}", create.stdout, create.stderr);
    r.commit_all("Approve the PII override");
    assert_ne!(head(&r), approved);
    let run = promote_pii(&r, &["--json"]);
    let j = run.json();
    assert_eq!(
        (run.code, j["decision"].as_str()),
        (0, Some("ALLOW")),
        "{}",
        run.stdout
    );
    assert_eq!(j["release_commit"], approved.as_str());
    assert_eq!(j["sha"], head(&r).as_str());
    // A second override-only commit is stepped over too.
    r.write("overrides/staging/notes.txt", "kept with the overrides");
    r.commit_all("notes");
    let run = promote_pii(&r, &["--json"]);
    assert_eq!(run.json()["release_commit"], approved.as_str());
    r.remove("overrides/staging/notes.txt");
    r.commit_all("drop notes");
    // Any other change is a SHA rotation.
    r.write("src/app.py", "print('changed')\n");
    r.commit_all("A code change after approval");
    let run = promote_pii(&r, &["--json"]);
    let j = run.json();
    assert_eq!(
        (run.code, j["decision"].as_str(), j["event_type"].as_str()),
        (2, Some("REQUIRE_OVERRIDE"), Some("OVERRIDE_SHA_ROTATED"))
    );
    let failures = j["overrides"][0]["failures"].as_array().unwrap();
    assert!(
        failures.iter().any(|f| f
            .as_str()
            .unwrap()
            .contains("re-approve at the current SHA")),
        "{failures:?}"
    );
}

#[test]
fn release_point_tag_is_checked_at_the_release_commit() {
    let r = release();
    let sha = head(&r);
    put_override(
        &r,
        "prod",
        "o.json",
        &live_override("prod", &sha, PII_HASH, &["pii"]),
    );
    r.commit_all("override");
    let run = evaluate(
        &r,
        &[
            "--env",
            "prod",
            "--locc-artifact",
            &artifact("checks_pass_with_pii.json"),
            "--ci-status",
            "success",
            "--json",
        ],
    );
    assert_eq!(run.status("release_point"), "PASS", "{}", run.stdout);
    assert_eq!(run.json()["decision"], "ALLOW");
}

#[test]
fn decision_out_is_written_and_dry_run_writes_nothing() {
    let r = release();
    let out = r.path().join("decision.json");
    let out_s = out.to_str().unwrap();
    let run = promote_pii(&r, &["--decision-out", out_s, "--dry-run"]);
    assert_eq!(run.code, 2);
    assert!(!out.exists(), "--dry-run writes nothing");
    let run = promote_pii(&r, &["--decision-out", out_s]);
    assert_eq!(run.code, 2);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written["decision"], "REQUIRE_OVERRIDE");
    assert_eq!(written["identity_hash"], PII_HASH);
    // An unwritable decision file blocks rather than passing silently.
    let bad = r.path().join("no/such/dir/d.json");
    let run = evaluate(
        &r,
        &[
            "--env",
            "staging",
            "--locc-artifact",
            &artifact("checks_pass.json"),
            "--ci-status",
            "success",
            "--decision-out",
            bad.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(
        (run.code, run.json()["decision"].as_str()),
        (1, Some("BLOCK"))
    );
}

// ------------------------------------------------------------------ fail closed

fn blocked(r: &Repo, args: &[&str], file_hint: &str) -> crate::support::Run {
    let mut a = args.to_vec();
    a.push("--json");
    let run = evaluate(r, &a);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let j = run.json();
    assert_eq!(j["decision"], "BLOCK");
    assert!(j["error"].is_object(), "{j}");
    assert!(
        j["error"]["message"].as_str().unwrap().contains(file_hint),
        "{j}"
    );
    assert!(!run.stderr.contains("panicked"));
    run
}

/// The artifacts a case file cannot write (bytes that are not UTF-8, a
/// deep nesting, a size past the limit); the others are the golden case
/// `evaluate_bad_artifacts`.
#[test]
fn bad_artifacts_block_with_the_file_named() {
    let r = release();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "latin1.json",
            b"{\"status\": \"PASS\", \"checks\": [{\"name\": \"caf\xe9\"}]}".to_vec(),
            "not valid UTF-8",
        ),
        (
            "deep.json",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            "deep.json",
        ),
    ];
    for (name, bytes, hint) in cases {
        r.write(&format!("art/{name}"), &bytes);
        let p = r.path().join("art").join(name);
        let run = blocked(
            &r,
            &[
                "--env",
                "staging",
                "--locc-artifact",
                p.to_str().unwrap(),
                "--ci-status",
                "success",
            ],
            name,
        );
        assert!(run.stdout.contains(hint), "{name}: {}", run.stdout);
    }
    let big = r.path().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(17 * 1024 * 1024)
        .unwrap();
    blocked(
        &r,
        &[
            "--env",
            "staging",
            "--locc-artifact",
            big.to_str().unwrap(),
            "--ci-status",
            "success",
        ],
        "16 MiB",
    );
}

#[test]
fn override_folder_with_unrelated_entries_never_allows() {
    let r = release();
    r.write("overrides/staging/README.md", "how to write overrides");
    r.write("overrides/staging/nested/o.json", "{}");
    r.write("overrides/staging/broken.json", "{\"approved_by\": ");
    r.write("overrides/staging/.gitkeep", "");
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", r.path().join("overrides/staging/link.json"))
        .unwrap();
    let run = promote_pii(&r, &["--json"]);
    let j = run.json();
    assert_eq!(
        (run.code, j["decision"].as_str(), j["event_type"].as_str()),
        (2, Some("REQUIRE_OVERRIDE"), Some("OVERRIDE_REJECTED"))
    );
    let statuses: Vec<(String, String)> = j["overrides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["path"].as_str().unwrap().to_string(),
                o["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut want = vec![
        ("overrides/staging/README.md", "invalid"),
        ("overrides/staging/broken.json", "invalid"),
        ("overrides/staging/nested", "invalid"),
    ];
    if cfg!(unix) {
        want.insert(2, ("overrides/staging/link.json", "invalid"));
    }
    let want: Vec<(String, String)> = want
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(statuses, want);
    assert!(
        j["overrides"][1]["failures"][0]
            .as_str()
            .unwrap()
            .contains("broken.json:1:"),
        "{}",
        j["overrides"][1]
    );
}

#[test]
fn an_explicit_override_file_replaces_discovery_and_must_exist() {
    let r = release();
    let sha = head(&r);
    let pii = artifact("checks_pass_with_pii.json");
    r.write(
        "elsewhere/o.json",
        serde_json::to_string(&live_override("staging", &sha, PII_HASH, &["pii"])).unwrap(),
    );
    put_override(
        &r,
        "staging",
        "expired.json",
        &serde_json::json!({"broken": true}),
    );
    let o = r.path().join("elsewhere/o.json");
    let run = promote_pii(&r, &["--override-file", o.to_str().unwrap(), "--json"]);
    assert_eq!(run.json()["decision"], "ALLOW", "{}", run.stdout);
    assert_eq!(run.json()["overrides"].as_array().unwrap().len(), 1);
    blocked(
        &r,
        &[
            "--env",
            "staging",
            "--locc-artifact",
            &pii,
            "--ci-status",
            "success",
            "--override-file",
            "nope.json",
        ],
        "nope.json",
    );
}

#[test]
fn unused_expiring_and_legacy_overrides_are_warned_about() {
    let r = release();
    let sha = head(&r);
    let mut o = live_override("staging", &sha, PII_HASH, &["pii"]);
    o.as_object_mut().unwrap().remove("leakage_types");
    o["leakage_type"] = serde_json::json!("pii");
    o["expires_at"] = serde_json::json!((jiff::Timestamp::now()
        + jiff::SignedDuration::from_hours(3))
    .to_string());
    put_override(&r, "staging", "o.json", &o);
    let run = promote_pii(&r, &["--json"]);
    let j = run.json();
    assert_eq!(j["decision"], "ALLOW");
    let warnings = j["warnings"].to_string();
    assert!(
        warnings.contains("`leakage_type` is deprecated"),
        "{warnings}"
    );
    assert!(warnings.contains("expires within a day"), "{warnings}");
    // Nothing to lift: an override for a clean artifact is unused, and says so.
    const PASS_HASH: &str = "b2ed6a1623fddc4e14359fda3d420c192e521a41b3d4503c57af3972a5cee1bf";
    put_override(
        &r,
        "staging",
        "o.json",
        &live_override("staging", &sha, PASS_HASH, &["pii"]),
    );
    let run = evaluate(
        &r,
        &[
            "--env",
            "staging",
            "--locc-artifact",
            &artifact("checks_pass.json"),
            "--ci-status",
            "success",
            "--json",
        ],
    );
    assert_eq!(run.json()["overrides"][0]["status"], "unused");
    assert!(run.json()["warnings"]
        .to_string()
        .contains("matched nothing"));
}

#[test]
fn llm_release_governor_override_files_are_accepted() {
    // Its shape: no requested_by or created_at, microseconds, +00:00.
    let r = release();
    let sha = head(&r);
    let expires = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 6))
        .strftime("%Y-%m-%dT%H:%M:%S.%6f+00:00")
        .to_string();
    let text = std::fs::read_to_string(
        crate::support::fixtures().join("overrides/governor_override_staging.json"),
    )
    .unwrap()
    .replace("2026-11-28T07:35:56.019329+00:00", &expires)
    .replace("0123456789abcdef0123456789abcdef01234567", &sha);
    r.write("overrides/staging/staging-governor.json", text);
    let run = promote_pii(&r, &["--json"]);
    assert_eq!(run.json()["decision"], "ALLOW", "{}", run.stdout);
    assert_eq!(run.json()["overrides"][0]["status"], "used");
}

#[test]
fn signed_overrides_where_the_environment_requires_them() {
    let r = release();
    r.write(
        "gate.toml",
        "[env.staging]\nrequire_signed_overrides = true\n",
    );
    r.commit_all("config");
    let pii = artifact("checks_pass_with_pii.json");
    let key = [("GATE_OVERRIDE_KEY", "s3cret")];
    let create_args = [
        "--env",
        "staging",
        "--approved-by",
        "alice",
        "--reason",
        "ok",
        "--leakage-types",
        "pii",
        "--locc-artifact",
        &pii,
    ];
    let refused = crate::support::override_cmd(&r, "create", &create_args, &[]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("requires signed overrides"),
        "{}",
        refused.stderr
    );
    let created = crate::support::override_cmd(&r, "create", &create_args, &key);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let eval = |env: &[(&str, &str)]| {
        evaluate_env(
            &r,
            &[
                "--env",
                "staging",
                "--locc-artifact",
                &pii,
                "--ci-status",
                "success",
                "--json",
            ],
            env,
        )
        .json()
    };
    assert_eq!(eval(&key)["decision"], "ALLOW");
    assert_eq!(
        eval(&[])["decision"],
        "REQUIRE_OVERRIDE",
        "no key, no verification"
    );
    assert_eq!(
        eval(&[("GATE_OVERRIDE_KEY", "wrong")])["decision"],
        "REQUIRE_OVERRIDE"
    );
    // Tampering with a signed file breaks it.
    let dir = r.path().join("overrides/staging");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"ok\"", "\"edited\"");
    std::fs::write(&file, text).unwrap();
    let j = eval(&key);
    assert_eq!(j["decision"], "REQUIRE_OVERRIDE");
    assert!(
        j["overrides"][0]["failures"][0]
            .as_str()
            .unwrap()
            .contains("signature does not match"),
        "{j}"
    );
}
