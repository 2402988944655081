//! The paths a security review found where gate said ALLOW or GO when it
//! must not, or hung: each pinned through the real binary (those a case
//! file can hold are golden cases under `tests/cases/`).

use std::path::Path;

use crate::support::{
    artifact, evaluate, evaluate_env, gate_in, head, live_override, override_cmd, promote_pii,
    put_override, Repo, PII_HASH,
};

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
        let run = create_pii(&r, who, &[]);
        assert_eq!(run.code, 2, "{who:?}: {}{}", run.stdout, run.stderr);
    }
}

/// `gate override create` of a staging override for the PII artifact,
/// approved by `who`.
fn create_pii(r: &Repo, who: &str, extra: &[&str]) -> crate::support::Run {
    let mut args = vec![
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
    ];
    args.extend_from_slice(extra);
    override_cmd(r, "create", &args, &[])
}

/// The HMAC signature gate writes, computed by the binary itself through
/// `override create` would need a repository; the tests sign as the
/// library does.
fn sign(key: &str, o: &serde_json::Value) -> String {
    gate::overrides::sign::sign(key.as_bytes(), o)
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// With `overrides` itself a symbolic link, files from outside the
/// repository lifted findings, and the commit that made the link was
/// stepped over as override-only.
#[cfg(unix)]
#[test]
fn regression_a_symlinked_overrides_folder_lifts_nothing() {
    let r = Repo::released("release_ok", "v1.2.3");
    let sha = head(&r);
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("staging")).unwrap();
    std::fs::write(
        outside.path().join("staging/o.json"),
        serde_json::to_vec(&live_override("staging", &sha, PII_HASH, &["pii"])).unwrap(),
    )
    .unwrap();
    symlink(outside.path(), &r.path().join("overrides"));
    let run = promote_pii(&r, &["--json"]);
    let j = run.json();
    assert_eq!(j["decision"], "REQUIRE_OVERRIDE", "{}", run.stdout);
    assert_eq!(j["overrides"][0]["path"], "overrides");
    assert!(j["overrides"][0]["failures"][0]
        .as_str()
        .unwrap()
        .contains("symbolic link"));
    // Committed, the link is no override-only change: the release commit
    // stays the commit that made it.
    let made = r.commit_all("overrides as a link");
    let run = promote_pii(&r, &["--json"]);
    assert_eq!(run.json()["release_commit"], made, "{}", run.stdout);
    // And `override create` will not write through it.
    let run = create_pii(&r, "alice", &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_dir(outside.path().join("staging"))
            .unwrap()
            .count(),
        1
    );
}

/// A link elsewhere in the tree that points into the overrides folder makes
/// a change there a change of that link's content: nothing is stepped over.
#[cfg(unix)]
#[test]
fn regression_no_step_over_a_change_reachable_through_a_link() {
    let r = Repo::released("release_ok", "v1.2.3");
    r.write("overrides/staging/.gitkeep", "");
    symlink(
        Path::new("overrides/staging/settings.json"),
        &r.path().join("settings.json"),
    );
    r.write("overrides/staging/settings.json", "{\"safe\": true}");
    let release = r.commit_all("release with a linked setting");
    r.write("overrides/staging/settings.json", "{\"safe\": false}");
    let changed = r.commit_all("changes settings.json through the link");
    let run = promote_pii(&r, &["--json"]);
    let j = run.json();
    assert_eq!(j["release_commit"], changed, "{}", run.stdout);
    assert_ne!(j["release_commit"], release);
    // Nor through a link whose `..` climbs out of another link.
    let r = Repo::released("release_ok", "v1.2.3");
    r.write("gate.toml", "overrides_dir = \"config/overrides\"\n");
    r.write("config/x/keep", "");
    symlink(Path::new("config/x"), &r.path().join("m"));
    symlink(
        Path::new("m/../overrides/staging/s.json"),
        &r.path().join("l.json"),
    );
    r.write("config/overrides/staging/s.json", "{}");
    r.commit_all("release");
    r.write("config/overrides/staging/s.json", "{\"changed\": true}");
    let changed = r.commit_all("changes l.json through two links");
    let run = promote_pii(&r, &["--json"]);
    assert_eq!(run.json()["release_commit"], changed, "{}", run.stdout);
    // Without the link, the same changes are override-only and stepped over.
    let r = Repo::released("release_ok", "v1.2.3");
    let release = head(&r);
    r.write("overrides/staging/settings.json", "{\"safe\": true}");
    r.commit_all("override-only");
    r.write("overrides/staging/settings.json", "{\"safe\": false}");
    r.commit_all("override-only");
    let run = promote_pii(&r, &["--json"]);
    assert_eq!(run.json()["release_commit"], release, "{}", run.stdout);
}

/// Inside a repository an unknown 40-hex --sha was only a warning, and the
/// author check was skipped.
#[test]
fn regression_an_unknown_sha_in_a_repository_blocks() {
    let r = Repo::released("release_ok", "v1.2.3");
    let tree = r
        .git()
        .head()
        .unwrap()
        .peel_to_tree()
        .unwrap()
        .id()
        .to_string();
    for sha in ["0123456789abcdef0123456789abcdef01234567", tree.as_str()] {
        let run = promote_pii(&r, &["--sha", sha, "--json"]);
        let j = run.json();
        assert_eq!(
            (j["decision"].as_str(), run.code),
            (Some("BLOCK"), 1),
            "{sha}: {}",
            run.stdout
        );
        assert!(j["error"].to_string().contains(sha), "{}", run.stdout);
    }
    // Outside any repository a full SHA is still taken as given.
    let plain = Repo::files("release_ok");
    let run = evaluate(
        &plain,
        &[
            "--env",
            "staging",
            "--locc-artifact",
            &artifact("checks_pass.json"),
            "--ci-status",
            "success",
            "--sha",
            "0123456789abcdef0123456789abcdef01234567",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // But only a full commit id.
    let pass = artifact("checks_pass.json");
    let run = evaluate(
        &plain,
        &[
            "--env",
            "staging",
            "--locc-artifact",
            &pass,
            "--ci-status",
            "success",
            "--sha",
            "main",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("full 40-hex commit id"),
        "{}",
        run.stderr
    );
    // A --repo inside a repository but not at its root is not "no repository".
    let r = Repo::released("release_ok", "v1.2.3");
    r.write(
        "packages/app/pyproject.toml",
        "[project]\nname = \"app\"\nversion = \"1.0.0\"\n",
    );
    let path = r.path().join("packages/app");
    let run = gate_in(
        &path,
        &[
            "evaluate",
            "--repo",
            path.to_str().unwrap(),
            "--env",
            "staging",
            "--locc-artifact",
            &pass,
            "--ci-status",
            "success",
            "--sha",
            "0123456789abcdef0123456789abcdef01234567",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("is not a commit of this repository"),
        "{}",
        run.stderr
    );
    // A real commit is looked up there, so its author is known and barred.
    let sha = head(&r);
    let mut o = live_override("staging", &sha, PII_HASH, &["pii"]);
    o["approved_by"] = "tests@example.com".into();
    r.write(
        "packages/app/overrides/staging/o.json",
        serde_json::to_string(&o).unwrap(),
    );
    let pii = artifact("checks_pass_with_pii.json");
    let run = gate_in(
        &path,
        &[
            "evaluate",
            "--repo",
            path.to_str().unwrap(),
            "--env",
            "staging",
            "--locc-artifact",
            &pii,
            "--ci-status",
            "success",
            "--json",
        ],
        &[],
    );
    let j = run.json();
    assert_eq!(j["decision"], "REQUIRE_OVERRIDE", "{}", run.stdout);
    assert_eq!(j["release_commit"], sha.as_str());
    assert!(j["overrides"][0]["failures"]
        .to_string()
        .contains("self-approval"));
}

/// An unwritable or special --decision-out was a warning after an ALLOW was
/// recorded, and the rename replaced links and device nodes.
#[cfg(unix)]
#[test]
fn regression_bad_output_targets_are_errors_before_anything_is_written() {
    let r = Repo::released("release_ok", "v1.2.3");
    let beside = tempfile::tempdir().unwrap();
    let target = beside.path().join("kept.json");
    std::fs::write(&target, "kept").unwrap();
    let link = beside.path().join("link.json");
    symlink(&target, &link);
    let fifo = beside.path().join("fifo");
    let has_fifo = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let mut targets = vec![
        (beside.path().to_path_buf(), "is a directory"),
        (beside.path().join("missing/d.json"), "cannot be written"),
        (link.clone(), "is a symbolic link"),
        (Path::new("/dev/null").to_path_buf(), "special file"),
    ];
    if has_fifo {
        targets.push((fifo.clone(), "special file"));
    }
    let log = beside.path().join("audit.jsonl");
    for flag in ["--decision-out", "--metrics-out"] {
        for (t, said) in &targets {
            let run = evaluate(
                &r,
                &[
                    "--env",
                    "staging",
                    "--locc-artifact",
                    &artifact("checks_pass.json"),
                    "--ci-status",
                    "success",
                    flag,
                    t.to_str().unwrap(),
                    "--audit-log",
                    log.to_str().unwrap(),
                    "--json",
                ],
            );
            assert_eq!(run.code, 1, "{flag} {}: {}", t.display(), run.stdout);
            assert!(
                run.stdout.contains(said),
                "{flag} {}: {}",
                t.display(),
                run.stdout
            );
        }
    }
    // What was recorded is the error, never an ALLOW.
    let recorded = std::fs::read_to_string(&log).unwrap();
    assert_eq!(recorded.lines().count(), 2 * targets.len());
    assert!(
        recorded
            .lines()
            .all(|l| l.contains("\"event_type\":\"PROMOTION_BLOCKED\"")),
        "{recorded}"
    );
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept");
    assert!(Path::new("/dev/null").exists());
    // A regular file is replaced, as documented.
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
            target.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("\"ALLOW\""));
}

/// `override create --filename` took control characters (and format and
/// separator characters, which hide what a name says).
#[test]
fn regression_override_filenames_with_control_characters_are_refused() {
    let r = Repo::released("release_ok", "v1.2.3");
    for name in [
        "a\nb.json",
        "a\rb.json",
        "a\tb.json",
        "a\u{7}.json",
        "a\u{1b}.json",
        "a\u{7f}.json",
        "a\u{85}.json",
        "a\u{202e}nosj.json",
        "a\u{200b}.json",
        "a\u{2028}.json",
    ] {
        let run = create_pii(&r, "alice", &["--filename", name]);
        assert_eq!(run.code, 2, "{name:?}: {}", run.stdout);
        assert!(
            run.stderr.contains("it must be visible text"),
            "{name:?}: {}",
            run.stderr
        );
    }
}

/// Strips `alg`, `key_id` and `hash` from every line of a keyed log and
/// re-chains it with plain SHA-256, as a forger without the key would.
fn rechain_unkeyed(log: &Path) {
    let text = std::fs::read_to_string(log).unwrap();
    let mut prev = "0".repeat(64);
    let mut out = String::new();
    for (seq, l) in text.lines().enumerate() {
        let mut v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(l).unwrap();
        for k in ["alg", "key_id", "hash"] {
            v.remove(k);
        }
        let keys = gate::audit::keys::Keyring::default();
        let (line, hash) = gate::audit::file::seal(v, seq as u64, &prev, &keys);
        out.push_str(&line);
        out.push('\n');
        prev = hash;
    }
    std::fs::write(log, out).unwrap();
}

/// A keyed log rewritten unkeyed verified as "intact, unanchored" under the
/// key, and a keyed append continued on the forgery.
#[test]
fn regression_a_keyed_log_rewritten_unkeyed_is_caught_under_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let log_s = log.to_str().unwrap();
    let key = [("GATE_AUDIT_KEY", "k")];
    for _ in 0..3 {
        let run = crate::support::check_staging(dir.path(), &["--audit-log", log_s], &key);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    rechain_unkeyed(&log);
    let before = std::fs::read(&log).unwrap();
    // Without the key it is a plain chain; with it, a named failure.
    let plain = gate_in(dir.path(), &["audit", "verify", "--log", log_s], &[]);
    assert_eq!(plain.code, 0, "{}", plain.stdout);
    let run = gate_in(
        dir.path(),
        &["audit", "verify", "--log", log_s, "--json"],
        &key,
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let j = run.json();
    assert_eq!(j["verify"]["problem"]["class"], "UNKEYED", "{}", run.stdout);
    assert_eq!(j["verify"]["problem"]["line"], 1);
    assert!(j["verify"]["problem"]["message"]
        .as_str()
        .unwrap()
        .contains("lines 1-3"));
    // A keyed append refuses the unkeyed tail: the decision does not pass.
    let run = crate::support::check_staging(dir.path(), &["--audit-log", log_s, "--json"], &key);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.status("audit_chain"), "FAIL");
    assert!(run.stdout.contains("UNKEYED"), "{}", run.stdout);
    assert_eq!(std::fs::read(&log).unwrap(), before, "nothing was appended");

    // A log that was never keyed is keyed by a deliberate, recorded command.
    let fresh = dir.path().join("plain.jsonl");
    let fresh_s = fresh.to_str().unwrap();
    crate::support::check_staging(dir.path(), &["--audit-log", fresh_s], &[]);
    let refused = gate_in(dir.path(), &["audit", "adopt-key", "--log", fresh_s], &[]);
    assert_eq!(refused.code, 2, "no key to adopt: {}", refused.stdout);
    let run = gate_in(dir.path(), &["audit", "adopt-key", "--log", fresh_s], &key);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("AUDIT_KEY_ADOPTED as seq 1"),
        "{}",
        run.stdout
    );
    let again = gate_in(dir.path(), &["audit", "adopt-key", "--log", fresh_s], &key);
    assert_eq!(again.code, 2, "already keyed: {}", again.stdout);
    let run = crate::support::check_staging(dir.path(), &["--audit-log", fresh_s], &key);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = gate_in(
        dir.path(),
        &["audit", "verify", "--log", fresh_s, "--json"],
        &key,
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["verify"]["events"], 3);
    assert_eq!(run.json()["verify"]["keyed_from"], 1);
    let run = gate_in(dir.path(), &["audit", "verify", "--log", fresh_s], &key);
    assert!(run.stdout.contains("keyed from seq 1"), "{}", run.stdout);
    // A broken chain is not sealed by an adoption.
    let broken = dir.path().join("broken.jsonl");
    let broken_s = broken.to_str().unwrap();
    for _ in 0..2 {
        crate::support::check_staging(dir.path(), &["--audit-log", broken_s], &[]);
    }
    let text = std::fs::read_to_string(&broken).unwrap();
    std::fs::write(&broken, text.replacen("staging", "stagin9", 1)).unwrap();
    let run = gate_in(dir.path(), &["audit", "adopt-key", "--log", broken_s], &key);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("TAMPERED"), "{}", run.stderr);
}

/// A non-UTF-8 key was taken for unset: lines were written unkeyed.
#[cfg(unix)]
#[test]
fn regression_a_non_utf8_audit_key_is_used_not_dropped() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let key = std::ffi::OsStr::from_bytes(b"k\xff\xfe");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gate"))
        .args([
            "check",
            "--env",
            "staging",
            "--ci-status",
            "success",
            "--audit-log",
        ])
        .arg(&log)
        .env("GATE_AUDIT_KEY", key)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = std::fs::read_to_string(&log).unwrap();
    assert!(line.contains("\"alg\":\"hmac-sha256\""), "{line}");
    // It verifies under those bytes and no others.
    let verify = |k: &std::ffi::OsStr| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gate"))
            .args(["audit", "verify", "--log"])
            .arg(&log)
            .env("GATE_AUDIT_KEY", k)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(verify(key), Some(0));
    assert_eq!(verify(std::ffi::OsStr::new("k")), Some(1));
}
