//! The audit log through the real binary: recording, verify, head, anchors,
//! keyed mode, repair, show / export / report, many processes at once, and
//! processes killed mid-append.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{
    artifact, check_staging, evaluate, evaluate_env, gate_in, promote_pii, Repo, Run,
};

fn audit(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    gate_in(dir, &all, env)
}

/// Runs a cheap recorded decision: `gate check --env staging` in an empty
/// folder (it needs nothing but the CI status).
fn append(dir: &Path, log: &Path, env: &[(&str, &str)]) -> Run {
    check_staging(dir, &["--audit-log", log.to_str().unwrap(), "--json"], env)
}

fn lines(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn decisions_are_recorded_and_verify() {
    let r = Repo::released("release_ok", "v1.2.3");
    let log = r.path().join(".gate/audit.jsonl"); // git-ignored in real repos; untracked here
    let run = promote_pii(&r, &["--audit-log", log.to_str().unwrap(), "--json"]);
    let j = run.json();
    assert_eq!(j["decision"], "REQUIRE_OVERRIDE");
    assert_eq!(j["audit"]["seq"], 0);
    assert_eq!(run.status("audit_chain"), "PASS");
    let run = append(r.path(), &log, &[]);
    assert_eq!(run.json()["audit"]["seq"], 1);
    let l = lines(&log);
    assert_eq!(l.len(), 2);
    let first: serde_json::Value = serde_json::from_str(&l[0]).unwrap();
    assert_eq!(first["event_type"], "OVERRIDE_REQUIRED");
    assert_eq!(first["identity_hash"], crate::support::PII_HASH);
    assert_eq!(first["leakage_types"], serde_json::json!(["pii"]));
    assert_eq!(first["tool"], format!("gate {}", env!("CARGO_PKG_VERSION")));
    assert!(first["inputs"].as_array().unwrap().iter().any(|i| i["file"]
        .as_str()
        .unwrap()
        .ends_with("checks_pass_with_pii.json")));
    let v = audit(r.path(), &["verify", "--log", log.to_str().unwrap()], &[]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert!(v.stdout.starts_with("intact, unanchored"), "{}", v.stdout);
    let head = audit(r.path(), &["head", "--log", log.to_str().unwrap()], &[]);
    assert_eq!(head.code, 0);
    let anchor = head.stdout.trim().to_string();
    assert!(anchor.starts_with("1:"), "{anchor}");
    let v = audit(
        r.path(),
        &[
            "verify",
            "--log",
            log.to_str().unwrap(),
            "--expect-head",
            &anchor,
            "--json",
        ],
        &[],
    );
    assert_eq!(
        (v.code, v.json()["status"].as_str()),
        (0, Some("intact, anchored"))
    );
    // --dry-run checks the tail and records nothing.
    let run = promote_pii(
        &r,
        &["--audit-log", log.to_str().unwrap(), "--dry-run", "--json"],
    );
    assert!(run.json()["audit"].is_null());
    assert_eq!(lines(&log).len(), 2);
}

#[test]
fn gate_toml_names_the_log() {
    let r = Repo::empty();
    r.write("gate.toml", "[audit]\nlog = \".gate/audit.jsonl\"\n");
    let run = check_staging(r.path(), &["--json"], &[]);
    assert_eq!(run.json()["audit"]["seq"], 0, "{}", run.stdout);
    let v = audit(r.path(), &["verify"], &[]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    let elsewhere = Repo::empty();
    let none = audit(elsewhere.path(), &["verify"], &[]);
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("no audit log"), "{}", none.stderr);
}

/// `--log` given, gate.toml broken: refused with the error's location, not
/// read around (what it says, a remote, must not be dropped silently).
#[test]
fn regression_audit_with_a_log_flag_refuses_a_broken_gate_toml() {
    let r = Repo::empty();
    let log = r.path().join("audit.jsonl");
    assert_eq!(append(r.path(), &log, &[]).code, 0);
    r.write("gate.toml", "[audit]\nremote = \"origin\"\nlog = \n");
    let v = audit(r.path(), &["verify", "--log", log.to_str().unwrap()], &[]);
    assert_eq!(v.code, 2, "{}{}", v.stdout, v.stderr);
    assert!(v.stderr.contains("gate.toml:3:"), "{}", v.stderr);
}

fn log_of(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    for _ in 0..n {
        assert_eq!(append(dir.path(), &log, &[]).code, 0);
    }
    (dir, log)
}

#[test]
fn verify_names_the_first_bad_line_and_its_class() {
    let (dir, log) = log_of(6);
    let original = lines(&log);
    let cases: Vec<(&str, Vec<String>, &str, u64)> = vec![
        (
            "edited",
            {
                let mut l = original.clone();
                l[2] = l[2].replace("CHECK_GO", "CHECK_NO");
                l
            },
            "TAMPERED",
            3,
        ),
        (
            "deleted",
            {
                let mut l = original.clone();
                l.remove(3);
                l
            },
            "GAP",
            4,
        ),
        (
            "swapped",
            {
                let mut l = original.clone();
                l.swap(1, 2);
                l
            },
            "REORDER",
            2,
        ),
        (
            "duplicated",
            {
                let mut l = original.clone();
                l.insert(4, l[3].clone());
                l
            },
            "FORK",
            5,
        ),
    ];
    for (what, content, class, line) in cases {
        std::fs::write(
            &log,
            content.iter().map(|l| format!("{l}\n")).collect::<String>(),
        )
        .unwrap();
        let v = audit(
            dir.path(),
            &["verify", "--log", log.to_str().unwrap(), "--json"],
            &[],
        );
        assert_eq!(v.code, 1, "{what}: {}", v.stdout);
        let p = &v.json()["verify"]["problem"];
        assert_eq!(
            (p["class"].as_str(), p["line"].as_u64()),
            (Some(class), Some(line)),
            "{what}: {p}"
        );
        let t = audit(dir.path(), &["verify", "--log", log.to_str().unwrap()], &[]);
        assert!(
            t.stdout.starts_with(&format!("{class}: ")),
            "{what}: {}",
            t.stdout
        );
    }
    // A cut tail is found only against an anchor.
    std::fs::write(
        &log,
        original
            .iter()
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let anchor = audit(dir.path(), &["head", "--log", log.to_str().unwrap()], &[])
        .stdout
        .trim()
        .to_string();
    std::fs::write(
        &log,
        original[..4]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    )
    .unwrap();
    assert_eq!(
        audit(dir.path(), &["verify", "--log", log.to_str().unwrap()], &[]).code,
        0
    );
    let v = audit(
        dir.path(),
        &[
            "verify",
            "--log",
            log.to_str().unwrap(),
            "--expect-head",
            &anchor,
            "--json",
        ],
        &[],
    );
    assert_eq!(
        (v.code, v.json()["verify"]["problem"]["class"].as_str()),
        (1, Some("TRUNCATED"))
    );
    // Unreadable or usage errors exit 2.
    assert_eq!(
        audit(dir.path(), &["verify", "--log", "missing.jsonl"], &[]).code,
        2
    );
    assert_eq!(
        audit(
            dir.path(),
            &[
                "verify",
                "--log",
                log.to_str().unwrap(),
                "--expect-head",
                "nope"
            ],
            &[]
        )
        .code,
        2
    );
    assert_eq!(
        audit(
            dir.path(),
            &["verify", "--log", dir.path().to_str().unwrap()],
            &[]
        )
        .code,
        2
    );
}

#[test]
fn a_bad_tail_stops_appends_and_never_allows() {
    let r = Repo::released("release_ok", "v1.2.3");
    let log = r.path().join(".gate/audit.jsonl");
    let logs = log.to_str().unwrap();
    let pass = artifact("checks_pass.json");
    let eval = |extra: &[(&str, &str)]| {
        evaluate_env(
            &r,
            &[
                "--env",
                "staging",
                "--locc-artifact",
                &pass,
                "--ci-status",
                "success",
                "--audit-log",
                logs,
                "--json",
            ],
            extra,
        )
    };
    assert_eq!(eval(&[]).json()["decision"], "ALLOW");
    // Tampered last line: BLOCK, nothing appended.
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replace("\"staging\"", "\"prod\"")).unwrap();
    let run = eval(&[]);
    assert_eq!(
        (run.code, run.json()["decision"].as_str()),
        (1, Some("BLOCK"))
    );
    assert_eq!(run.status("audit_chain"), "FAIL");
    assert_eq!(lines(&log).len(), 1);
    // A torn tail: BLOCK until repaired; the torn bytes are kept aside.
    std::fs::write(&log, text.clone() + "{\"event_type\":\"PROM").unwrap();
    let run = eval(&[]);
    assert_eq!(run.json()["decision"], "BLOCK");
    assert!(run.finding("audit_chain")["message"]
        .as_str()
        .unwrap()
        .contains("TORN_TAIL"));
    let v = audit(r.path(), &["verify", "--log", logs, "--json"], &[]);
    assert_eq!(
        (v.code, v.json()["verify"]["problem"]["class"].as_str()),
        (1, Some("TORN_TAIL"))
    );
    let rep = audit(r.path(), &["repair", "--log", logs, "--json"], &[]);
    assert_eq!(rep.code, 0, "{}{}", rep.stdout, rep.stderr);
    let side = rep.json()["repaired"]["side_file"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        std::fs::read_to_string(side).unwrap(),
        "{\"event_type\":\"PROM"
    );
    let l = lines(&log);
    assert!(
        l[1].contains("\"event_type\":\"AUDIT_REPAIRED\""),
        "{}",
        l[1]
    );
    assert_eq!(audit(r.path(), &["verify", "--log", logs], &[]).code, 0);
    assert_eq!(eval(&[]).json()["decision"], "ALLOW");
}

#[test]
fn keyed_logs_rotate_and_never_downgrade() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let logs = log.to_str().unwrap();
    let k1 = [("GATE_AUDIT_KEY", "first-key")];
    assert_eq!(append(dir.path(), &log, &k1).code, 0);
    assert_eq!(append(dir.path(), &log, &k1).code, 0);
    let l = lines(&log);
    assert!(
        l[0].contains("\"alg\":\"hmac-sha256\"") && l[0].contains("\"key_id\":\""),
        "{}",
        l[0]
    );
    // Without the key: not tampering, but not verifiable either.
    let v = audit(dir.path(), &["verify", "--log", logs, "--json"], &[]);
    assert_eq!(
        (v.code, v.json()["verify"]["problem"]["class"].as_str()),
        (1, Some("UNVERIFIABLE_KEY"))
    );
    assert_eq!(audit(dir.path(), &["verify", "--log", logs], &k1).code, 0);
    // No downgrade: an unkeyed run cannot append (and does not say GO).
    let run = append(dir.path(), &log, &[]);
    assert_ne!(run.json()["decision"], "GO");
    assert_eq!(lines(&log).len(), 2);
    // Rotation: the new key appends once the old one is on the keyring.
    let ring = dir.path().join("keyring");
    std::fs::write(&ring, "first-key\n").unwrap();
    let k2 = [
        ("GATE_AUDIT_KEY", "second-key"),
        ("GATE_AUDIT_KEYRING", ring.to_str().unwrap()),
    ];
    assert_eq!(append(dir.path(), &log, &k2).json()["decision"], "GO");
    assert_eq!(lines(&log).len(), 3);
    assert_eq!(audit(dir.path(), &["verify", "--log", logs], &k2).code, 0);
    let v = audit(
        dir.path(),
        &["verify", "--log", logs, "--json"],
        &[("GATE_AUDIT_KEY", "second-key")],
    );
    assert_eq!(v.json()["verify"]["problem"]["class"], "UNVERIFIABLE_KEY");
    let v = audit(
        dir.path(),
        &["verify", "--log", logs, "--keyring", ring.to_str().unwrap()],
        &[("GATE_AUDIT_KEY", "second-key")],
    );
    assert_eq!(v.code, 0, "{}", v.stdout);
}

#[test]
fn show_export_and_report() {
    let r = Repo::released("release_ok", "v1.2.3");
    let log = r.path().join(".gate/audit.jsonl");
    let logs = log.to_str().unwrap();
    let sha = crate::support::head(&r);
    crate::support::put_override(
        &r,
        "staging",
        "o.json",
        &crate::support::live_override("staging", &sha, crate::support::PII_HASH, &["pii"]),
    );
    let pii = artifact("checks_pass_with_pii.json");
    for env in ["staging", "preprod"] {
        evaluate(
            &r,
            &[
                "--env",
                env,
                "--locc-artifact",
                &pii,
                "--ci-status",
                "success",
                "--audit-log",
                logs,
            ],
        );
    }
    append(r.path(), &log, &[]);
    let show = audit(
        r.path(),
        &["show", "--log", logs, "--env", "staging", "--json"],
        &[],
    );
    let events = show.json()["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 2);
    let used = audit(
        r.path(),
        &[
            "show",
            "--log",
            logs,
            "--event-type",
            "override_used",
            "--json",
        ],
        &[],
    );
    assert_eq!(used.json()["events"].as_array().unwrap().len(), 1);
    let none = audit(
        r.path(),
        &[
            "show",
            "--log",
            logs,
            "--since",
            "2999-01-01T00:00:00Z",
            "--json",
        ],
        &[],
    );
    assert!(none.json()["events"].as_array().unwrap().is_empty());
    assert_eq!(
        audit(
            r.path(),
            &["show", "--log", logs, "--since", "yesterday"],
            &[]
        )
        .code,
        2
    );
    // jsonl: the log's own bytes, which verify like the log.
    let jsonl = audit(r.path(), &["export", "--log", logs], &[]);
    assert_eq!(jsonl.stdout, std::fs::read_to_string(&log).unwrap());
    let copy = r.path().join("copy.jsonl");
    std::fs::write(&copy, &jsonl.stdout).unwrap();
    assert_eq!(
        audit(r.path(), &["verify", "--log", copy.to_str().unwrap()], &[]).code,
        0
    );
    let json = audit(
        r.path(),
        &["export", "--log", logs, "--format", "json"],
        &[],
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let csv = audit(r.path(), &["export", "--log", logs, "--format", "csv"], &[]);
    let mut rd = csv::Reader::from_reader(csv.stdout.as_bytes());
    let headers = rd.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("event_type")], "OVERRIDE_USED");
    assert_eq!(&rows[0][col("override_file")], "overrides/staging/o.json");
    // The evidence summary.
    let rep = audit(
        r.path(),
        &["report", "--log", logs, "--format", "json"],
        &[],
    );
    let s = &rep.json()["summary"];
    assert_eq!(s["events"], 3);
    assert_eq!(s["per_env"]["staging"]["ALLOW"], 1);
    assert_eq!(s["per_env"]["staging"]["GO"], 1);
    assert_eq!(s["per_env"]["preprod"]["REQUIRE_OVERRIDE"], 1);
    assert_eq!(
        s["overrides_used"][0]["approved_by"],
        serde_json::json!(["alice"])
    );
    assert_eq!(s["overrides_used"][0]["reason"], "confirmed false positive");
    assert_eq!(rep.json()["status"], "intact, unanchored");
    let md = audit(r.path(), &["report", "--log", logs], &[]);
    for want in [
        "# Audit report",
        "**Period:**",
        "**Chain:** intact, unanchored",
        "| staging |",
        "## Overrides used",
        "confirmed false positive",
    ] {
        assert!(md.stdout.contains(want), "{want}:\n{}", md.stdout);
    }
}

#[test]
fn override_changes_are_recorded() {
    let r = Repo::released("release_ok", "v1.2.3");
    let log = r.path().join(".gate/audit.jsonl");
    let logs = log.to_str().unwrap();
    let created = crate::support::override_cmd(
        &r,
        "create",
        &[
            "--env",
            "staging",
            "--approved-by",
            "alice",
            "--reason",
            "ok",
            "--leakage-types",
            "pii",
            "--identity-hash",
            crate::support::PII_HASH,
            "--audit-log",
            logs,
            "--json",
        ],
        &[],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert_eq!(created.json()["audit"]["seq"], 0);
    let path = r.path().join(created.json()["path"].as_str().unwrap());
    let expired = crate::support::override_cmd(
        &r,
        "expire",
        &["--path", path.to_str().unwrap(), "--audit-log", logs],
        &[],
    );
    assert_eq!(expired.code, 0, "{}", expired.stderr);
    let l = lines(&log);
    assert!(
        l[0].contains("\"event_type\":\"OVERRIDE_CREATED\"")
            && l[1].contains("\"event_type\":\"OVERRIDE_EXPIRED\""),
        "{l:?}"
    );
    assert_eq!(audit(r.path(), &["verify", "--log", logs], &[]).code, 0);
    // A log that cannot record: nothing is written.
    std::fs::write(&log, std::fs::read_to_string(&log).unwrap() + "{\"torn").unwrap();
    let refused = crate::support::override_cmd(
        &r,
        "create",
        &[
            "--env",
            "staging",
            "--approved-by",
            "carol",
            "--reason",
            "ok",
            "--leakage-types",
            "pii",
            "--identity-hash",
            crate::support::PII_HASH,
            "--filename",
            "x.json",
            "--audit-log",
            logs,
        ],
        &[],
    );
    assert_eq!(refused.code, 2);
    assert!(!r.path().join("overrides/staging/x.json").exists());
}

/// llm-leash's `verify_chain` (PyPI: llm-leash) follows the same rule and
/// accepts a log gate wrote. CI installs it and sets GATE_REQUIRE_LEASH=1.
#[test]
fn llm_leash_accepts_gate_logs() {
    let probe = Command::new("python3")
        .args(["-c", "import llm_leash.audit.verify"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var("GATE_REQUIRE_LEASH").is_err(),
            "llm-leash is required here (pip install llm-leash)"
        );
        eprintln!("llm-leash not installed; skipping");
        return;
    }
    let (dir, log) = log_of(5);
    let out = Command::new("python3")
        .args(["-c", "import sys; from llm_leash.audit.verify import verify_chain; print(verify_chain(sys.argv[1]))", log.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "5");
    drop(dir);
}

/// 16 processes × 200 appends: 3,200 events in one valid chain, seqs
/// 0..3199, nothing lost.
#[test]
fn parallel_appenders_keep_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let bin = env!("CARGO_BIN_EXE_gate");
    let script = format!(
        "for i in $(seq 200); do {bin} check --env staging --ci-status success --audit-log {} >/dev/null || exit 1; done",
        log.display()
    );
    let children: Vec<_> = (0..16)
        .map(|_| {
            Command::new("sh")
                .args(["-c", &script])
                .current_dir(dir.path())
                .env_remove("GATE_AUDIT_KEY")
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let l = lines(&log);
    assert_eq!(l.len(), 3200);
    for (i, line) in l.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["seq"], i as u64);
    }
    let v = audit(
        dir.path(),
        &["verify", "--log", log.to_str().unwrap(), "--json"],
        &[],
    );
    assert_eq!(
        (v.code, v.json()["verify"]["events"].as_u64()),
        (0, Some(3200)),
        "{}",
        v.stdout
    );
}

/// Appenders killed with SIGKILL at random moments, many times over: the
/// log verifies (or has a torn tail that `repair` fixes), and every event
/// whose append was reported done is in it.
#[cfg(unix)]
#[test]
fn killed_appenders_never_break_the_chain_or_lose_an_event() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let bin = env!("CARGO_BIN_EXE_gate");
    let mut done: Vec<(u64, String)> = Vec::new();
    let mut killed = 0;
    for round in 0..40u64 {
        let children: Vec<_> = (0..6)
            .map(|_| {
                Command::new(bin)
                    .args([
                        "check",
                        "--env",
                        "staging",
                        "--ci-status",
                        "success",
                        "--audit-log",
                        log.to_str().unwrap(),
                        "--json",
                    ])
                    .current_dir(dir.path())
                    .stdout(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        // Kill some after a varying delay, while others are mid-append.
        std::thread::sleep(std::time::Duration::from_micros((round * 397) % 3000));
        for (i, mut c) in children.into_iter().enumerate() {
            if (i as u64 + round).is_multiple_of(3) {
                let _ = c.kill(); // SIGKILL
                let _ = c.wait();
                killed += 1;
                continue;
            }
            let out = c.wait_with_output().unwrap();
            if out.status.success() {
                let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                done.push((
                    j["audit"]["seq"].as_u64().unwrap(),
                    j["audit"]["hash"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    assert!(
        killed > 50 && done.len() > 100,
        "killed {killed}, completed {}",
        done.len()
    );
    let v = audit(
        dir.path(),
        &["verify", "--log", log.to_str().unwrap(), "--json"],
        &[],
    );
    if v.code != 0 {
        assert_eq!(
            v.json()["verify"]["problem"]["class"],
            "TORN_TAIL",
            "only a torn tail is acceptable: {}",
            v.stdout
        );
        assert_eq!(
            audit(dir.path(), &["repair", "--log", log.to_str().unwrap()], &[]).code,
            0
        );
        assert_eq!(
            audit(dir.path(), &["verify", "--log", log.to_str().unwrap()], &[]).code,
            0
        );
    }
    let text = std::fs::read_to_string(&log).unwrap();
    for (seq, hash) in done {
        assert!(
            text.contains(&format!("\"hash\":\"{hash}\"")),
            "event seq {seq} was reported done but is not in the log"
        );
    }
}
