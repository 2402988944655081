//! Test support: scratch repositories built from fixtures with git2, and a
//! runner for the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{Repository, Signature, Time};

/// The fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A scratch repository in a temporary folder.
pub struct Repo {
    pub dir: tempfile::TempDir,
}

/// A fixed signature, so commit ids (and snapshots) are deterministic.
fn sig() -> Signature<'static> {
    Signature::new(
        "Gate Tests",
        "tests@example.com",
        &Time::new(1_763_700_000, 0),
    )
    .unwrap()
}

impl Repo {
    /// An empty folder (no git repository).
    pub fn empty() -> Self {
        Repo {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A folder holding a copy of `fixtures/repos/<name>`, not yet a repository.
    pub fn files(name: &str) -> Self {
        let r = Self::empty();
        copy_dir(&fixtures().join("repos").join(name), r.path());
        r
    }

    /// A folder holding a copy of `fixtures/real/<name>` (a real project's
    /// files at its release tag, reduced), not yet a repository.
    pub fn real(name: &str) -> Self {
        let r = Self::empty();
        copy_dir(&fixtures().join("real").join(name), r.path());
        let _ = std::fs::remove_file(r.path().join("SOURCE"));
        r
    }

    /// The fixture committed and tagged `v<version>`: a clean release point.
    pub fn released(name: &str, tag: &str) -> Self {
        let r = Self::files(name);
        r.init();
        r.commit_all("release");
        r.tag(tag);
        r
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self) -> Repository {
        Repository::open(self.path()).unwrap()
    }

    /// `git init`.
    pub fn init(&self) -> &Self {
        // The branch name must not depend on the machine's init.defaultBranch.
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        Repository::init_opts(self.path(), &opts).unwrap();
        self
    }

    /// Stages everything and commits it; returns the commit id.
    pub fn commit_all(&self, message: &str) -> String {
        let repo = self.git();
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let parents: Vec<git2::Commit> = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        let id = repo
            .commit(Some("HEAD"), &sig(), &sig(), message, &tree, &parents)
            .unwrap();
        // The index's cache-tree is now valid, as after `git commit`.
        index.write().unwrap();
        id.to_string()
    }

    /// A lightweight tag at HEAD.
    pub fn tag(&self, name: &str) -> &Self {
        let repo = self.git();
        let head = repo.head().unwrap().peel(git2::ObjectType::Commit).unwrap();
        repo.tag_lightweight(name, &head, false).unwrap();
        self
    }

    /// A branch at HEAD.
    pub fn branch(&self, name: &str) -> &Self {
        let repo = self.git();
        let head = repo.head().unwrap().peel_to_commit().unwrap();
        repo.branch(name, &head, false).unwrap();
        self
    }

    /// An annotated tag at HEAD.
    pub fn annotated_tag(&self, name: &str) -> &Self {
        let repo = self.git();
        let head = repo.head().unwrap().peel(git2::ObjectType::Commit).unwrap();
        repo.tag(name, &head, &sig(), "release", false).unwrap();
        self
    }

    /// Detaches HEAD at the current commit.
    pub fn detach(&self) -> &Self {
        let repo = self.git();
        let id = repo.head().unwrap().target().unwrap();
        repo.set_head_detached(id).unwrap();
        self
    }

    /// Writes a file (creating folders).
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
        self
    }

    /// Replaces `from` with `to` in a file.
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let p = self.path().join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        std::fs::write(p, text.replace(from, to)).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.path().join(rel)).unwrap();
        self
    }
}

/// Copies a folder's files, and its folders', into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The JSON on stdout.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The finding with this id from the JSON output.
    pub fn finding(&self, id: &str) -> serde_json::Value {
        let j = self.json();
        j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no finding {id} in {}", self.stdout))
    }

    /// The status of finding `id`.
    pub fn status(&self, id: &str) -> String {
        self.finding(id)["status"].as_str().unwrap().to_string()
    }
}

/// Runs `gate ARGS` in `cwd` with a clean environment (no CI variables).
pub fn gate_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gate"));
    cmd.args(args).current_dir(cwd);
    for k in [
        "GATE_CI_STATUS",
        "DELIVERY_GATE_CI_STATUS",
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "CLICOLOR_FORCE",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Runs `gate check --env staging --ci-status success ARGS` in `cwd`: a
/// cheap decision (it needs nothing but the CI status) for tests that record
/// to an audit log.
pub fn check_staging(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["check", "--env", "staging", "--ci-status", "success"];
    all.extend_from_slice(args);
    gate_in(cwd, &all, env)
}

/// Runs `gate check --repo REPO ARGS`.
pub fn check(repo: &Repo, args: &[&str]) -> Run {
    check_env(repo, args, &[])
}

/// Runs `gate check --repo REPO ARGS` with extra environment variables.
pub fn check_env(repo: &Repo, args: &[&str], env: &[(&str, &str)]) -> Run {
    let path = repo.path().to_str().unwrap().to_string();
    let mut all = vec!["check", "--repo", path.as_str()];
    all.extend_from_slice(args);
    gate_in(repo.path(), &all, env)
}

/// A locc artifact from `fixtures/locc/`.
pub fn artifact(name: &str) -> String {
    fixtures()
        .join("locc")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// Runs `gate evaluate --repo REPO ARGS`.
pub fn evaluate(repo: &Repo, args: &[&str]) -> Run {
    evaluate_env(repo, args, &[])
}

/// Runs `gate evaluate --repo REPO ARGS` with extra environment variables.
pub fn evaluate_env(repo: &Repo, args: &[&str], env: &[(&str, &str)]) -> Run {
    let path = repo.path().to_str().unwrap().to_string();
    let mut all = vec!["evaluate", "--repo", path.as_str()];
    all.extend_from_slice(args);
    gate_in(repo.path(), &all, env)
}

/// Runs `gate override SUB ARGS` in the repository.
pub fn override_cmd(repo: &Repo, sub: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["override", sub];
    all.extend_from_slice(args);
    gate_in(repo.path(), &all, env)
}

/// HEAD's commit id.
pub fn head(repo: &Repo) -> String {
    repo.git().head().unwrap().target().unwrap().to_string()
}

/// A live override, as JSON: two days long, or 23 hours for prod (whose
/// maximum is one day).
pub fn live_override(env: &str, sha: &str, hash: &str, types: &[&str]) -> serde_json::Value {
    let now = jiff::Timestamp::now();
    let hours = if env == "prod" { 23 } else { 48 };
    serde_json::json!({
        "approved_by": "alice",
        "requested_by": "bob@example.com",
        "reason": "confirmed false positive",
        "scope": env,
        "created_at": now.to_string(),
        "expires_at": (now + jiff::SignedDuration::from_hours(hours)).to_string(),
        "approved_head_sha": sha,
        "leakage_types": types,
        "identity_hash": hash,
    })
}

/// Writes `overrides/<env>/<name>` in the repository.
pub fn put_override(repo: &Repo, env: &str, name: &str, value: &serde_json::Value) {
    repo.write(
        &format!("overrides/{env}/{name}"),
        serde_json::to_string_pretty(value).unwrap(),
    );
}

/// The identity hashes llm-release-governor gives the samples.
pub const PII_HASH: &str = "dbedd13029bf7f766ca086dd9f23ea3ba370aa3462fae5071c14663dc4ded8d3";

/// Promotes the PII artifact to staging with CI green: `gate evaluate
/// --env staging --locc-artifact checks_pass_with_pii.json --ci-status
/// success EXTRA`.
pub fn promote_pii(repo: &Repo, extra: &[&str]) -> Run {
    let pii = artifact("checks_pass_with_pii.json");
    let mut args = vec![
        "--env",
        "staging",
        "--locc-artifact",
        pii.as_str(),
        "--ci-status",
        "success",
    ];
    args.extend_from_slice(extra);
    evaluate(repo, &args)
}
