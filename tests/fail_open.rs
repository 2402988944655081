//! The paths a security review found where gate said ALLOW or GO when it
//! must not, or hung: each pinned through the real binary.

use std::path::Path;

use crate::support::{
    artifact, check, evaluate, evaluate_env, gate_in, head, live_override, override_cmd,
    promote_pii, put_override, Repo, PII_HASH,
};

const AUTO: &[&str] = &[
    "changelog",
    "ci_status",
    "deps_pinned",
    "release_point",
    "version_consistent",
    "audit_chain",
];

fn mark_na(r: &Repo, ids: &[&str]) {
    let mut text = std::fs::read_to_string(r.path().join("release.yaml")).unwrap();
    text.push_str("not_applicable:\n");
    for id in ids {
        text.push_str(&format!("  {id}: \"n/a\"\n"));
    }
    r.write("release.yaml", text);
}

/// release.yaml is written by the change under review: marking every AUTO
/// check not applicable on a dirty, untagged tree with CI failing ALLOWed.
#[test]
fn regression_release_yaml_cannot_waive_auto_checks() {
    let r = Repo::released("release_ok", "v0.0.1"); // no tag for 1.2.3
    mark_na(&r, AUTO);
    r.write("dirty.txt", "uncommitted");
    let pass = artifact("checks_pass.json");
    let run = evaluate(
        &r,
        &[
            "--env",
            "prod",
            "--locc-artifact",
            &pass,
            "--ci-status",
            "failure",
            "--json",
        ],
    );
    assert_eq!(run.json()["decision"], "BLOCK", "{}", run.stdout);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("ci_status"), "FAIL");
    assert_eq!(run.status("release_point"), "FAIL");
    let warnings = run.json()["warnings"].to_string();
    assert!(
        warnings.contains("release.yaml:")
            && warnings.contains("not_applicable `ci_status` refused"),
        "{warnings}"
    );

    // check --env staging with ci_status NA'd: NO-GO, not GO.
    let r = Repo::released("release_ok", "v1.2.3");
    mark_na(&r, &["ci_status"]);
    let run = check(
        &r,
        &["--env", "staging", "--ci-status", "failure", "--json"],
    );
    assert_eq!(run.json()["decision"], "NO-GO", "{}", run.stdout);
    assert_eq!(run.status("ci_status"), "FAIL");

    // Thresholds too.
    let r = Repo::files("eval_gates");
    r.edit(
        "gate.toml",
        "[\"leakage\", \"ci_status\", \"thresholds\"]",
        "[\"thresholds\"]",
    );
    r.write("release.yaml", "version: \"1.2.3\"\n");
    let run = check(&r, &["--env", "staging", "--json"]);
    let ths: Vec<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .filter(|i| i.starts_with("thresholds."))
        .collect();
    assert!(ths.len() >= 2, "{}", run.stdout);
    let before = run.json()["findings"].clone();
    mark_na(&r, &ths.iter().map(String::as_str).collect::<Vec<_>>());
    let run = check(&r, &["--env", "staging", "--json"]);
    assert_eq!(
        run.json()["findings"],
        before,
        "NA'd thresholds were not judged as before"
    );
}

/// Where gate.toml allows it, an AUTO check may be NA; allow_na takes AUTO
/// ids only.
#[test]
fn allow_na_is_gate_tomls_to_give() {
    let r = Repo::released("release_ok", "v1.2.3");
    mark_na(&r, &["ci_status"]);
    r.write("gate.toml", "[env.staging]\nallow_na = [\"ci_status\"]\n");
    let run = check(
        &r,
        &["--env", "staging", "--ci-status", "failure", "--json"],
    );
    assert_eq!(run.status("ci_status"), "NA", "{}", run.stdout);
    assert_eq!(run.json()["decision"], "GO");
    for (bad, said) in [
        ("\"pii\"", "never not applicable"),
        ("\"rollback_tested\"", "ATTESTED checks"),
        ("\"audit_chain\"", "audit_chain checks the log"),
        ("\"ci_stats\"", "did you mean `ci_status`"),
    ] {
        r.write("gate.toml", format!("[env.staging]\nallow_na = [{bad}]\n"));
        let run = check(&r, &["--env", "staging", "--ci-status", "success"]);
        assert_eq!(run.code, 2, "{bad}");
        assert!(
            run.stderr.contains("gate.toml:2:") && run.stderr.contains(said),
            "{bad}: {}",
            run.stderr
        );
    }
}

/// Look-alikes of the commit author's identity approved their own commit.
#[test]
fn regression_look_alike_names_cannot_self_approve() {
    let r = Repo::released("release_ok", "v1.2.3");
    let sha = head(&r);
    // The fixture commits are authored by "Gate Tests <tests@example.com>".
    let variants = [
        "Gate\u{200b} Tests",
        "Ｇａｔｅ Ｔｅｓｔｓ",
        "G\u{430}te Tests",
        "Gate\u{a0}Tests",
        "Gate  Tests",
        "gate tests",
        "Gate Tests <tests@example.com>",
        "tests",
        "TESTS@example.com",
        "Gate\u{2060}Tests",
    ];
    for signed in [false, true] {
        for who in variants {
            let mut o = live_override("staging", &sha, PII_HASH, &["pii"]);
            o["approved_by"] = who.into();
            let mut env = vec![];
            if signed {
                r.write(
                    "gate.toml",
                    "[env.staging]\nrequire_signed_overrides = true\n",
                );
                let key = "k";
                o["signature"] = serde_json::Value::String(sign(key, &o));
                env.push(("GATE_OVERRIDE_KEY", key));
            }
            put_override(&r, "staging", "o.json", &o);
            let pii = artifact("checks_pass_with_pii.json");
            let run = evaluate_env(
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
                &env,
            );
            assert_eq!(
                run.json()["decision"],
                "REQUIRE_OVERRIDE",
                "{who:?} (signed: {signed}) approved the author's own commit\n{}",
                run.stdout
            );
        }
    }
    // And `override create` refuses them before writing.
    for who in variants {
        let run = override_cmd(
            &r,
            "create",
            &[
                "--env",
                "staging",
                "--approved-by",
                who,
                "--reason",
                "r",
                "--leakage-types",
                "pii",
                "--identity-hash",
                PII_HASH,
            ],
            &[],
        );
        assert_eq!(run.code, 2, "{who:?}: {}{}", run.stdout, run.stderr);
    }
}

/// The HMAC signature gate writes, computed by the binary itself through
/// `override create` would need a repository; the tests sign as the
/// library does.
fn sign(key: &str, o: &serde_json::Value) -> String {
    gate::overrides::sign::sign(key.as_bytes(), o)
}

#[allow(dead_code)]
fn unused(_: &Path) {
    let _ = (gate_in, promote_pii);
}
