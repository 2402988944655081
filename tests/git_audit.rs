//! The audit log in a git ref, shared through a remote: a bare repository on
//! the local filesystem stands in for the team's remote.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{check_staging, gate_in, Run};

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A bare remote and `n` clones of it.
fn remote_and_clones(n: usize) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "--bare", "remote.git"]);
    let clones = (0..n)
        .map(|i| {
            let name = format!("clone{i}");
            git(dir.path(), &["clone", "-q", "remote.git", &name]);
            dir.path().join(name)
        })
        .collect();
    (dir, clones)
}

const LOG: &str = "git:refs/gate/audit";

fn append(clone: &Path) -> Run {
    check_staging(
        clone,
        &["--audit-log", LOG, "--audit-remote", "origin", "--json"],
        &[],
    )
}

fn audit(clone: &Path, args: &[&str]) -> Run {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--log", LOG, "--repo", clone.to_str().unwrap()]);
    gate_in(clone, &all, &[])
}

#[test]
fn four_clones_appending_at_once_keep_one_chain() {
    let (dir, clones) = remote_and_clones(4);
    let bin = env!("CARGO_BIN_EXE_gate");
    let children: Vec<_> = clones
        .iter()
        .map(|c| {
            let script = format!(
                "for i in $(seq 25); do {bin} check --env staging --ci-status success --audit-log {LOG} --audit-remote origin >/dev/null || exit 1; done"
            );
            Command::new("sh").args(["-c", &script]).current_dir(c).spawn().unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success(), "an appender failed");
    }
    let v = audit(&clones[0], &["verify", "--remote", "origin", "--json"]);
    assert_eq!(
        (v.code, v.json()["verify"]["events"].as_u64()),
        (0, Some(100)),
        "{}{}",
        v.stdout,
        v.stderr
    );
    let shown = audit(&clones[2], &["show", "--remote", "origin", "--json"]);
    let seqs: Vec<u64> = shown.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(
        seqs,
        (0..100).collect::<Vec<u64>>(),
        "no seq twice, none missing"
    );
    // The remote holds exactly 100 event commits.
    let out = Command::new("git")
        .args([
            "--git-dir",
            "remote.git",
            "rev-list",
            "--count",
            "refs/gate/audit",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "100");
}

#[test]
fn a_forced_rewrite_of_the_remote_ref_is_detected() {
    let (dir, clones) = remote_and_clones(2);
    for _ in 0..3 {
        assert_eq!(append(&clones[0]).json()["decision"], "GO");
    }
    assert_eq!(append(&clones[1]).json()["decision"], "GO"); // clone1 has now seen the head
    let anchor = audit(&clones[1], &["head", "--remote", "origin"])
        .stdout
        .trim()
        .to_string();
    assert!(anchor.starts_with("3:"), "{anchor}");
    // Someone rewrites history: the remote ref is forced back to its second event.
    git(
        &clones[0],
        &["fetch", "-q", "origin", "refs/gate/audit:refs/tmp/audit"],
    );
    git(
        &clones[0],
        &[
            "push",
            "-q",
            "--force",
            "origin",
            "refs/tmp/audit~2:refs/gate/audit",
        ],
    );
    // The next append from a runner that saw the old head refuses, and does not pass.
    let run = append(&clones[1]);
    assert_ne!(run.json()["decision"], "GO", "{}", run.stdout);
    assert!(run.stdout.contains("was rewritten"), "{}", run.stdout);
    // Against the anchor kept from before, verify finds the cut.
    let v = audit(
        &clones[0],
        &[
            "verify",
            "--remote",
            "origin",
            "--expect-head",
            &anchor,
            "--json",
        ],
    );
    assert_eq!(
        (v.code, v.json()["verify"]["problem"]["class"].as_str()),
        (1, Some("TRUNCATED")),
        "{}",
        v.stdout
    );
    // And against the head clone1 recorded earlier, without any anchor.
    let v = audit(&clones[1], &["verify", "--remote", "origin", "--json"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert_eq!(v.json()["verify"]["problem"]["class"], "TRUNCATED");
    assert!(v.json()["verify"]["problem"]["message"]
        .as_str()
        .unwrap()
        .contains("was rewritten"));
    drop(dir);
}

#[test]
fn a_local_ref_log_exports_as_a_file_log_and_is_pushed_and_pulled() {
    let (_dir, clones) = remote_and_clones(2);
    for _ in 0..3 {
        let run = check_staging(&clones[0], &["--audit-log", LOG, "--json"], &[]);
        assert_eq!(run.json()["audit"]["log"], LOG);
    }
    let v = audit(&clones[0], &["verify"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    let exported = audit(&clones[0], &["export"]);
    let file = clones[0].join("exported.jsonl");
    std::fs::write(&file, &exported.stdout).unwrap();
    assert_eq!(exported.stdout.lines().count(), 3);
    assert_eq!(
        gate_in(
            &clones[0],
            &["audit", "verify", "--log", file.to_str().unwrap()],
            &[]
        )
        .code,
        0
    );
    // Share it, then read it from the other clone.
    assert_eq!(audit(&clones[0], &["push", "--remote", "origin"]).code, 0);
    assert_eq!(audit(&clones[1], &["pull", "--remote", "origin"]).code, 0);
    let v = audit(&clones[1], &["verify", "--json"]);
    assert_eq!(
        (v.code, v.json()["verify"]["events"].as_u64()),
        (0, Some(3))
    );
    // A git ref has no torn lines.
    let r = audit(&clones[1], &["repair"]);
    assert!(r.stdout.contains("no torn line"), "{}", r.stdout);
}

#[test]
fn gate_toml_selects_the_ref_store() {
    let (_dir, clones) = remote_and_clones(1);
    std::fs::write(clones[0].join("gate.toml"), "[audit]\nlog = \"git:refs/gate/audit\"\nremote = \"origin\"\ncommitter = \"CI Gate <gate@ci.example.com>\"\n").unwrap();
    let run = check_staging(&clones[0], &["--json"], &[]);
    assert_eq!(
        run.json()["audit"]["log"],
        "git:refs/gate/audit (origin)",
        "{}",
        run.stdout
    );
    let out = Command::new("git")
        .args(["log", "-1", "--format=%cn <%ce>", "refs/gate/audit"])
        .current_dir(&clones[0])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "CI Gate <gate@ci.example.com>"
    );
}
