//! `gate override create | list | expire | validate`.

use crate::support::{head, live_override, override_cmd, put_override, Repo, PII_HASH};

fn release() -> Repo {
    Repo::released("release_ok", "v1.2.3")
}

fn create(r: &Repo, extra: &[&str]) -> crate::support::Run {
    let mut args = vec![
        "--env",
        "staging",
        "--reason",
        "support line, confirmed",
        "--identity-hash",
        PII_HASH,
    ];
    args.extend_from_slice(extra);
    override_cmd(r, "create", &args, &[])
}

#[test]
fn create_writes_the_seed_layout_with_the_requester_from_the_commit() {
    let r = release();
    let run = create(
        &r,
        &[
            "--approved-by",
            "alice",
            "--leakage-types",
            "pii,schema",
            "--json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let j = run.json();
    let path = j["path"].as_str().unwrap();
    let sha = head(&r);
    assert!(
        path.starts_with(&format!("overrides/staging/staging-{}-", &sha[..8]))
            && path.ends_with(".json"),
        "{path}"
    );
    let o = &j["override"];
    assert_eq!(
        o["requested_by"], "tests@example.com",
        "the approved commit's author"
    );
    assert_eq!(o["approved_head_sha"], sha.as_str());
    assert_eq!(o["leakage_types"], serde_json::json!(["pii", "schema"]));
    let created = jiff::Timestamp::from_str_lossy(o["created_at"].as_str().unwrap());
    let expires = jiff::Timestamp::from_str_lossy(o["expires_at"].as_str().unwrap());
    assert_eq!(
        expires.duration_since(created).as_hours(),
        7 * 24,
        "staging's maximum by default"
    );
    let on_disk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(r.path().join(path)).unwrap()).unwrap();
    assert_eq!(&on_disk, o);
    // Repeated flags work as well as commas.
    let run = create(
        &r,
        &[
            "--approved-by",
            "alice",
            "--leakage-types",
            "pii",
            "--leakage-types",
            "policy",
            "--filename",
            "two.json",
            "--json",
        ],
    );
    assert_eq!(
        run.json()["override"]["leakage_types"],
        serde_json::json!(["pii", "policy"])
    );
}

/// `FromStr` for tests.
trait Lossy {
    fn from_str_lossy(s: &str) -> Self;
}

impl Lossy for jiff::Timestamp {
    fn from_str_lossy(s: &str) -> Self {
        s.parse().unwrap()
    }
}

#[test]
fn dry_run_writes_nothing() {
    let r = release();
    let run = create(
        &r,
        &[
            "--approved-by",
            "alice",
            "--leakage-types",
            "pii",
            "--dry-run",
        ],
    );
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("Would write overrides/staging/"),
        "{}",
        run.stdout
    );
    assert!(!r.path().join("overrides").exists());
}

#[test]
fn list_expire_and_validate() {
    let r = release();
    let sha = head(&r);
    put_override(
        &r,
        "staging",
        "live.json",
        &live_override("staging", &sha, PII_HASH, &["pii"]),
    );
    let mut old = live_override("prod", &sha, PII_HASH, &["pii"]);
    old["created_at"] = serde_json::json!("2026-01-01T00:00:00Z");
    old["expires_at"] = serde_json::json!("2026-01-01T12:00:00Z");
    put_override(&r, "prod", "old.json", &old);
    r.write("overrides/prod/junk.json", "not json");
    let run = override_cmd(&r, "list", &["--json"], &[]);
    assert_eq!(run.code, 0);
    let listed: Vec<(String, String)> = run.json()["overrides"]
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
    assert_eq!(
        listed,
        [
            (
                "overrides/prod/junk.json".to_string(),
                "invalid".to_string()
            ),
            ("overrides/prod/old.json".to_string(), "expired".to_string()),
            (
                "overrides/staging/live.json".to_string(),
                "active".to_string()
            ),
        ]
    );
    let run = override_cmd(&r, "list", &["--env", "staging"], &[]);
    assert!(
        run.stdout.contains("active") && !run.stdout.contains("prod"),
        "{}",
        run.stdout
    );

    let live = r.path().join("overrides/staging/live.json");
    let live_s = live.to_str().unwrap();
    let v = override_cmd(&r, "validate", &["--path", live_s], &[]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    let e = override_cmd(&r, "expire", &["--path", live_s], &[]);
    assert_eq!(e.code, 0, "{}", e.stderr);
    let v = override_cmd(&r, "validate", &["--path", live_s, "--json"], &[]);
    assert_eq!(v.code, 1);
    assert!(
        v.json()["problems"][0]
            .as_str()
            .unwrap()
            .starts_with("expired at"),
        "{}",
        v.stdout
    );
    let j = override_cmd(
        &r,
        "validate",
        &[
            "--path",
            r.path().join("overrides/prod/junk.json").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(j.code, 1);
    assert!(j.stdout.contains("junk.json:1:"), "{}", j.stdout);
    let missing = override_cmd(&r, "validate", &["--path", "nope.json"], &[]);
    assert_eq!(missing.code, 2);
    let missing = override_cmd(&r, "expire", &["--path", "nope.json"], &[]);
    assert_eq!(missing.code, 2);
}

#[test]
fn validate_names_each_static_problem() {
    let r = release();
    let mut o = live_override("staging", "*", "abc", &[]);
    o["approved_by"] = serde_json::json!("bob@example.com");
    o["expires_at"] = serde_json::json!("2027-01-01T00:00:00Z");
    put_override(&r, "staging", "bad.json", &o);
    let run = override_cmd(
        &r,
        "validate",
        &[
            "--path",
            r.path()
                .join("overrides/staging/bad.json")
                .to_str()
                .unwrap(),
            "--json",
        ],
        &[],
    );
    assert_eq!(run.code, 1);
    let problems = run.json()["problems"].to_string();
    for want in [
        "64 hex",
        "leakage_types is missing or empty",
        "wildcard",
        "self-approval",
        "over staging's maximum",
    ] {
        assert!(problems.contains(want), "{want}: {problems}");
    }
}

/// A file written by `gate override create` passes
/// `release-governor override validate` (llm-release-governor on PyPI).
/// CI installs it and sets GATE_REQUIRE_GOVERNOR=1, so there it must run.
#[test]
fn files_pass_llm_release_governor_validate() {
    let available = std::process::Command::new("release-governor")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var("GATE_REQUIRE_GOVERNOR").is_err(),
            "release-governor is required here (pip install llm-release-governor==0.1.0)"
        );
        eprintln!("release-governor not installed; skipping the compatibility check");
        return;
    }
    let r = release();
    let run = create(
        &r,
        &[
            "--approved-by",
            "alice",
            "--approved-by",
            "dave",
            "--leakage-types",
            "pii,schema",
            "--json",
        ],
    );
    assert_eq!(run.code, 0);
    let path = r.path().join(run.json()["path"].as_str().unwrap());
    let out = std::process::Command::new("release-governor")
        .args(["override", "validate", "--path", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Override file is valid."));
}

#[test]
fn regression_list_calls_an_uppercase_wildcard_sha_invalid_as_validate_does() {
    let r = release();
    for (name, sha) in [("upper.json", "ANY"), ("latest.json", " Latest ")] {
        let o = live_override("staging", sha, PII_HASH, &["pii"]);
        put_override(&r, "staging", name, &o);
        let path = r.path().join("overrides/staging").join(name);
        let v = override_cmd(&r, "validate", &["--path", path.to_str().unwrap()], &[]);
        assert_eq!(v.code, 1, "{}", v.stdout);
        assert!(v.stdout.contains("wildcard"), "{}", v.stdout);
    }
    let run = override_cmd(&r, "list", &["--json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for o in run.json()["overrides"].as_array().unwrap() {
        assert_eq!(o["status"], "invalid", "{o}");
        assert!(o["problem"].as_str().unwrap().contains("wildcard"), "{o}");
    }
}

#[test]
fn regression_expire_refuses_a_broken_gate_toml_rather_than_lose_its_audit_log() {
    let r = release();
    let sha = head(&r);
    put_override(
        &r,
        "staging",
        "live.json",
        &live_override("staging", &sha, PII_HASH, &["pii"]),
    );
    r.write(
        "gate.toml",
        "[audit]\nlog = \".gate/audit.jsonl\"\n[env.staging\nmax_override_days = 2\n",
    );
    let live = r.path().join("overrides/staging/live.json");
    let before = std::fs::read(&live).unwrap();
    let e = override_cmd(&r, "expire", &["--path", live.to_str().unwrap()], &[]);
    assert_eq!(e.code, 2, "{}", e.stdout);
    assert!(e.stderr.contains("gate.toml:3:"), "{}", e.stderr);
    // Nothing was changed without its record.
    assert_eq!(std::fs::read(&live).unwrap(), before);
    assert!(!r.path().join(".gate/audit.jsonl").exists());
}
