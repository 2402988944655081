//! The audit log in a git ref (default `refs/gate/audit`), shared through
//! the remote the team already has.
//!
//! Each event is one commit whose tree holds a single blob, `event.json`,
//! the canonical line; the chain of first parents is the log. An append
//! reads only the head commit's blob (O(1) in the number of events), writes
//! a blob, a tree and a commit, and moves the ref with a compare-and-swap:
//! the ref moves only from the head the event was chained on. Its message
//! carries the append's id (`Gate-Append:`), so equal events never make
//! equal commits: git takes a push of a commit the remote already has as up
//! to date, whatever the lease.
//!
//! With a remote, the ref is fetched into `refs/gate/remotes/<remote>/...`,
//! the event is chained on the remote's head and pushed with
//! `--force-with-lease=<ref>:<that head>`; a rejected push is fetched,
//! re-chained on the new head and retried with bounded, jittered backoff.
//! The last head seen from each remote is remembered
//! (`refs/gate/seen/<remote>/...`): a remote head that does not descend from
//! it means the ref was rewritten, which is an error. The transport is the
//! `git` command, so the runner's credentials apply.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use git2::{Oid, Repository, Signature};
use serde_json::{Map, Value};

use super::event::ADOPTED;
use super::file::{check_line, seal, Appended, Tail};
use super::keys::Keyring;
use crate::inputs::error::InputError;

/// The blob each event commit holds.
pub const EVENT_FILE: &str = "event.json";
/// How many times a rejected push is retried. Each loser backs off up to
/// 1.28 s (jittered), so 24 attempts wait at most about 25 s in all: enough
/// for a handful of pipelines appending at once on a loaded runner, where
/// 12 let one of four appenders lose every round.
pub const MAX_ATTEMPTS: u32 = 24;

/// A log kept in a git ref.
#[derive(Debug, Clone)]
pub struct GitLog {
    /// The repository (its work tree or git folder).
    pub repo: PathBuf,
    /// `refs/gate/audit`.
    pub refname: String,
    /// The remote to share through, if any.
    pub remote: Option<String>,
    /// `Name <email>` of the commits gate writes.
    pub committer: (String, String),
}

fn err(repo: &Path, what: &str, e: impl std::fmt::Display) -> InputError {
    InputError::file(repo, format!("{what}: {e}"))
}

impl GitLog {
    /// `git:refs/gate/audit` → the ref name; `None` for file paths.
    pub fn parse_location(s: &str) -> Option<String> {
        let r = s.strip_prefix("git:")?;
        let r = if r.is_empty() { "refs/gate/audit" } else { r };
        Some(if r.starts_with("refs/") {
            r.to_string()
        } else {
            format!("refs/{r}")
        })
    }

    /// How reports name it.
    pub fn display(&self) -> String {
        match &self.remote {
            Some(r) => format!("git:{} ({r})", self.refname),
            None => format!("git:{}", self.refname),
        }
    }

    fn open(&self) -> Result<Repository, InputError> {
        Repository::discover(&self.repo).map_err(|e| {
            err(
                &self.repo,
                "not a git repository for the audit ref",
                e.message(),
            )
        })
    }

    fn tracking(&self, remote: &str) -> String {
        format!(
            "refs/gate/remotes/{remote}/{}",
            self.refname.trim_start_matches("refs/")
        )
    }

    fn seen(&self, remote: &str) -> String {
        format!(
            "refs/gate/seen/{remote}/{}",
            self.refname.trim_start_matches("refs/")
        )
    }

    /// Runs `git` in the repository; its stderr on failure.
    fn git(&self, args: &[&str]) -> Result<(), String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.repo)
            .args(args)
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// Fetches the remote's ref into the tracking ref; `Ok(None)` when the
    /// remote has no such ref yet. Refuses a head that does not descend from
    /// the one seen last: the remote ref was rewritten.
    pub fn fetch(&self, repo: &Repository, remote: &str) -> Result<Option<Oid>, InputError> {
        let head = self.fetch_raw(repo, remote)?;
        self.check_seen(repo, remote, head)?;
        Ok(head)
    }

    /// Fetches without judging the history (for readers, which report a
    /// rewrite rather than refuse to read).
    fn fetch_raw(&self, repo: &Repository, remote: &str) -> Result<Option<Oid>, InputError> {
        let tracking = self.tracking(remote);
        let spec = format!("+{}:{tracking}", self.refname);
        if let Err(e) = self.git(&["fetch", "--quiet", "--no-tags", remote, &spec]) {
            if e.contains("couldn't find remote ref") || e.contains("could not find remote ref") {
                let _ = repo.find_reference(&tracking).map(|mut r| r.delete());
                return Ok(None);
            }
            return Err(err(
                &self.repo,
                &format!("cannot fetch {} from {remote}", self.refname),
                e,
            ));
        }
        repo.refname_to_id(&tracking)
            .map(Some)
            .map_err(|e| err(&self.repo, "cannot read the fetched ref", e.message()))
    }

    /// Whether the remote's ref was rewritten since this repository last saw
    /// it: `Some((truncated, message))`, truncated when it went back to an
    /// earlier head.
    pub fn rewrite(&self) -> Result<Option<(bool, String)>, InputError> {
        let Some(remote) = &self.remote else {
            return Ok(None);
        };
        let repo = self.open()?;
        let head = self.fetch_raw(&repo, remote)?;
        Ok(match self.check_seen(&repo, remote, head) {
            Ok(()) => None,
            Err(e) => {
                let seen = repo.refname_to_id(&self.seen(remote)).ok();
                let truncated = match (head, seen) {
                    (None, _) => true,
                    (Some(h), Some(s)) => repo.graph_descendant_of(s, h).unwrap_or(false),
                    _ => false,
                };
                Some((truncated, e.message))
            }
        })
    }

    fn check_seen(
        &self,
        repo: &Repository,
        remote: &str,
        head: Option<Oid>,
    ) -> Result<(), InputError> {
        let Ok(seen) = repo.refname_to_id(&self.seen(remote)) else {
            return Ok(());
        };
        let ok = match head {
            Some(h) => h == seen || repo.graph_descendant_of(h, seen).unwrap_or(false),
            None => false,
        };
        if ok {
            Ok(())
        } else {
            let now = head.map_or("nothing".to_string(), |h| h.to_string());
            Err(InputError::file(
                &self.repo,
                format!("{} on {remote} was rewritten: it was at {seen}, it is now {now}, which does not descend from it", self.refname),
            ))
        }
    }

    fn remember(&self, repo: &Repository, remote: &str, head: Oid) -> Result<(), InputError> {
        repo.reference(&self.seen(remote), head, true, "gate: audit head seen")
            .map(|_| ())
            .map_err(|e| err(&self.repo, "cannot remember the audit head", e.message()))
    }

    /// The event line of an event commit.
    fn line(repo: &Repository, commit: Oid) -> Result<Vec<u8>, String> {
        let c = repo
            .find_commit(commit)
            .map_err(|e| e.message().to_string())?;
        let tree = c.tree().map_err(|e| e.message().to_string())?;
        let entry = tree
            .get_name(EVENT_FILE)
            .ok_or_else(|| format!("commit {commit} has no {EVENT_FILE}"))?;
        let blob = repo
            .find_blob(entry.id())
            .map_err(|e| e.message().to_string())?;
        let mut bytes = blob.content().to_vec();
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        }
        Ok(bytes)
    }

    /// The checked tail at `head`.
    fn tail_at(repo: &Repository, head: Option<Oid>, keys: &Keyring) -> Tail {
        match head {
            None => Tail::Empty,
            Some(h) => match Self::line(repo, h) {
                Ok(line) => check_line(&line, keys),
                Err(e) => Tail::Bad {
                    class: "TAMPERED",
                    message: format!("the head event commit is not an event: {e}"),
                },
            },
        }
    }

    /// The head the next event is chained on: the remote's (fetched), or
    /// the local ref's.
    fn base(&self, repo: &Repository) -> Result<Option<Oid>, InputError> {
        match &self.remote {
            Some(r) => self.fetch(repo, r),
            None => Ok(repo.refname_to_id(&self.refname).ok()),
        }
    }

    /// Reads and checks the last event.
    pub fn peek(&self, keys: &Keyring) -> Result<Tail, InputError> {
        let repo = self.open()?;
        let head = self.base(&repo)?;
        Ok(Self::tail_at(&repo, head, keys))
    }

    /// Appends `event`: chained on the current head, moved there by
    /// compare-and-swap (and pushed with a lease); on a lost race, chained
    /// again on the new head. Each append's commits carry an id of their
    /// own, so two appenders writing the same event line on the same head
    /// make two commits (the second push is refused, not taken for the
    /// first); and a retry first looks for an earlier attempt of its own
    /// that landed although its push reported failure, so an event is
    /// recorded once.
    pub fn append(
        &self,
        event: Map<String, Value>,
        keys: &Keyring,
    ) -> Result<Appended, InputError> {
        let repo = self.open()?;
        let mut rng = Jitter::new();
        let mut append = Append::new();
        for attempt in 0..MAX_ATTEMPTS {
            let head = self.base(&repo)?;
            if let Some(done) = Self::landed(&repo, head, &append.tried) {
                return Ok(self.appended(done));
            }
            let tried = self.attempt(&repo, head, &event, keys, &append)?;
            let moved = match &self.remote {
                None => self.swap(&repo, &self.refname, head, tried.commit),
                Some(remote) => self.push(&repo, remote, head, tried.commit),
            };
            match moved {
                Ok(()) => return Ok(self.appended(&tried)),
                Err(_) if attempt + 1 < MAX_ATTEMPTS => {
                    append.tried.push(tried);
                    std::thread::sleep(rng.backoff(attempt));
                }
                Err(lost) => {
                    return Err(InputError::file(
                        &self.repo,
                        format!(
                            "could not append to {} after {MAX_ATTEMPTS} attempts: {lost}",
                            self.display()
                        ),
                    ))
                }
            }
        }
        unreachable!("the loop returns on its last attempt")
    }

    fn appended(&self, t: &Tried) -> Appended {
        Appended {
            log: self.display(),
            seq: t.seq,
            hash: t.hash.clone(),
        }
    }

    /// Seals `event` on the tail at `head` and writes its commit (not yet
    /// moving any ref).
    fn attempt(
        &self,
        repo: &Repository,
        head: Option<Oid>,
        event: &Map<String, Value>,
        keys: &Keyring,
        append: &Append,
    ) -> Result<Tried, InputError> {
        // The adoption event is the one keyed append an unkeyed tail takes.
        let adopting = event.get("event_type").and_then(Value::as_str) == Some(ADOPTED);
        let tail = if adopting {
            Self::tail_at(repo, head, &keys.verifying())
        } else {
            Self::tail_at(repo, head, keys)
        };
        let (seq, prev) = tail
            .next()
            .ok_or_else(|| InputError::file(&self.repo, tail.problem().unwrap_or_default()))?;
        if let Tail::Ok {
            key_id: Some(id), ..
        } = &tail
        {
            if keys.current.is_none() {
                return Err(InputError::file(&self.repo, format!("the log is keyed (key {id}); set GATE_AUDIT_KEY: a keyed log never continues unkeyed")));
            }
        }
        let (line, hash) = seal(event.clone(), seq, &prev, keys);
        let commit = self.commit(repo, head, &line, seq, event, &append.id)?;
        Ok(Tried {
            commit,
            base: head,
            seq,
            hash,
        })
    }

    /// An earlier attempt of this append found on the first-parent chain
    /// from `head` down to the oldest head an attempt was chained on (or,
    /// should that head be gone, to the first event older than every
    /// attempt, by the seq its commit message gives): it landed, though its
    /// push or swap reported failure.
    fn landed<'a>(repo: &Repository, head: Option<Oid>, tried: &'a [Tried]) -> Option<&'a Tried> {
        let stop = tried.first()?.base;
        let oldest = tried.iter().map(|t| t.seq).min()?;
        let mut at = head;
        while at != stop {
            let c = repo.find_commit(at?).ok()?;
            if let Some(t) = tried.iter().find(|t| t.commit == c.id()) {
                return Some(t);
            }
            let seq = c
                .summary()
                .and_then(|m| m.strip_prefix("gate audit: seq "))
                .and_then(|m| m.split(' ').next())
                .and_then(|n| n.parse::<u64>().ok());
            if seq.is_some_and(|s| s < oldest) {
                return None;
            }
            at = c.parent_id(0).ok();
        }
        None
    }

    fn commit(
        &self,
        repo: &Repository,
        parent: Option<Oid>,
        line: &str,
        seq: u64,
        event: &Map<String, Value>,
        id: &str,
    ) -> Result<Oid, InputError> {
        let e = |what: &str, x: git2::Error| err(&self.repo, what, x.message().to_string());
        let blob = repo
            .blob(format!("{line}\n").as_bytes())
            .map_err(|x| e("cannot write the event", x))?;
        let mut tb = repo
            .treebuilder(None)
            .map_err(|x| e("cannot build the tree", x))?;
        tb.insert(EVENT_FILE, blob, 0o100644)
            .map_err(|x| e("cannot build the tree", x))?;
        let tree = repo
            .find_tree(tb.write().map_err(|x| e("cannot write the tree", x))?)
            .map_err(|x| e("cannot read the tree", x))?;
        let sig = Signature::now(&self.committer.0, &self.committer.1)
            .map_err(|x| e("bad committer", x))?;
        let parents: Vec<git2::Commit> = parent
            .map(|p| repo.find_commit(p))
            .transpose()
            .map_err(|x| e("cannot read the head", x))?
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        let kind = event
            .get("event_type")
            .and_then(Value::as_str)
            .unwrap_or("EVENT");
        repo.commit(
            None,
            &sig,
            &sig,
            &format!("gate audit: seq {seq} {kind}\n\nGate-Append: {id}\n"),
            &tree,
            &parents,
        )
        .map_err(|x| e("cannot write the commit", x))
    }

    /// Moves `refname` from `old` to `new`, or fails if it is not at `old`.
    fn swap(
        &self,
        repo: &Repository,
        refname: &str,
        old: Option<Oid>,
        new: Oid,
    ) -> Result<(), String> {
        let msg = "gate: audit append";
        let r = match old {
            Some(o) => repo.reference_matching(refname, new, true, o, msg),
            None => repo.reference(refname, new, false, msg),
        };
        r.map(|_| ()).map_err(|e| e.message().to_string())
    }

    /// Pushes `new` to the remote's ref with a lease on `old`; then moves the
    /// local and tracking refs and remembers the head.
    fn push(
        &self,
        repo: &Repository,
        remote: &str,
        old: Option<Oid>,
        new: Oid,
    ) -> Result<(), String> {
        let lease = format!(
            "--force-with-lease={}:{}",
            self.refname,
            old.map_or(String::new(), |o| o.to_string())
        );
        self.git(&[
            "push",
            "--quiet",
            "--no-verify",
            &lease,
            remote,
            &format!("{new}:{}", self.refname),
        ])?;
        let _ = repo.reference(&self.tracking(remote), new, true, "gate: pushed");
        let _ = repo.reference(&self.refname, new, true, "gate: pushed");
        self.remember(repo, remote, new).map_err(|e| e.message)?;
        Ok(())
    }

    /// Every event line, oldest first (first parents from the head).
    pub fn lines(&self) -> Result<Vec<Vec<u8>>, InputError> {
        let repo = self.open()?;
        let head = match &self.remote {
            Some(r) => self.fetch_raw(&repo, r)?,
            None => repo.refname_to_id(&self.refname).ok(),
        };
        let mut out = Vec::new();
        let mut at = head;
        while let Some(c) = at {
            out.push(
                Self::line(&repo, c)
                    .unwrap_or_else(|e| format!("{{\"not_an_event\":\"{e}\"}}").into_bytes()),
            );
            let commit = repo
                .find_commit(c)
                .map_err(|e| err(&self.repo, "cannot read an event commit", e.message()))?;
            at = commit.parent_id(0).ok();
        }
        out.reverse();
        Ok(out)
    }

    /// The log as JSONL in a temporary file, for the file-based readers.
    pub fn materialize(&self) -> Result<tempfile::NamedTempFile, InputError> {
        use std::io::Write;
        let mut f = tempfile::NamedTempFile::new()
            .map_err(|e| err(&self.repo, "cannot create a temporary file", e))?;
        for l in self.lines()? {
            f.write_all(&l)
                .and_then(|_| f.write_all(b"\n"))
                .map_err(|e| err(&self.repo, "cannot write", e))?;
        }
        f.flush().map_err(|e| err(&self.repo, "cannot write", e))?;
        Ok(f)
    }

    /// `gate audit push`: the local ref to the remote, with a lease on the
    /// remote's head; only a fast-forward is accepted.
    pub fn push_local(&self) -> Result<Option<Oid>, InputError> {
        let remote = self
            .remote
            .as_deref()
            .ok_or_else(|| InputError::file(&self.repo, "no remote: pass --remote"))?;
        let repo = self.open()?;
        let Ok(local) = repo.refname_to_id(&self.refname) else {
            return Ok(None);
        };
        let theirs = self.fetch(&repo, remote)?;
        if let Some(t) = theirs {
            if t != local && !repo.graph_descendant_of(local, t).unwrap_or(false) {
                return Err(InputError::file(
                    &self.repo,
                    format!(
                        "the local {} does not descend from {remote}'s: pull first",
                        self.refname
                    ),
                ));
            }
        }
        self.push(&repo, remote, theirs, local)
            .map_err(|e| err(&self.repo, "push rejected", e))?;
        Ok(Some(local))
    }

    /// `gate audit pull`: the remote's ref into the local one, only as a
    /// fast-forward.
    pub fn pull(&self) -> Result<Option<Oid>, InputError> {
        let remote = self
            .remote
            .as_deref()
            .ok_or_else(|| InputError::file(&self.repo, "no remote: pass --remote"))?;
        let repo = self.open()?;
        let Some(theirs) = self.fetch(&repo, remote)? else {
            return Ok(None);
        };
        if let Ok(local) = repo.refname_to_id(&self.refname) {
            if local != theirs && !repo.graph_descendant_of(theirs, local).unwrap_or(false) {
                return Err(InputError::file(&self.repo, format!("{remote}'s {} does not descend from the local one: it was rewritten, or the local ref has unpushed events", self.refname)));
            }
        }
        repo.reference(&self.refname, theirs, true, "gate: audit pull")
            .map_err(|e| err(&self.repo, "cannot move the local ref", e.message()))?;
        self.remember(&repo, remote, theirs)?;
        Ok(Some(theirs))
    }
}

/// One append's attempts: the id its commits carry, and each attempt that
/// did not (as far as it could tell) land.
struct Append {
    id: String,
    tried: Vec<Tried>,
}

impl Append {
    /// A fresh id: 128 bits from the standard library's randomly keyed
    /// SipHash over the process, thread and clock. It need not be secret,
    /// only never the same for two appends.
    fn new() -> Self {
        use std::hash::BuildHasher;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut id = String::with_capacity(32);
        for half in 0u8..2 {
            let who = (half, std::process::id(), std::thread::current().id(), nanos);
            let h = std::hash::RandomState::new().hash_one(who);
            id.push_str(&format!("{h:016x}"));
        }
        Self {
            id,
            tried: Vec::new(),
        }
    }
}

/// An event commit written for one attempt.
#[derive(Debug, Clone)]
struct Tried {
    commit: Oid,
    /// The head it was chained on.
    base: Option<Oid>,
    seq: u64,
    hash: String,
}

/// Backoff with jitter, without a random-number crate: a xorshift seeded
/// by the clock and the process id.
struct Jitter(u64);

impl Jitter {
    fn new() -> Self {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Self(t ^ (u64::from(std::process::id()) << 32) | 1)
    }

    fn backoff(&mut self, attempt: u32) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let base = 20u64 << attempt.min(6); // 20 ms .. 1.28 s
        Duration::from_millis(base / 2 + self.0 % base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    /// A bare remote and two clones of it, each a log shared through it.
    fn two_clones() -> (tempfile::TempDir, GitLog, GitLog) {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "--bare", "remote.git"]);
        let log = |name: &str| {
            git(dir.path(), &["clone", "-q", "remote.git", name]);
            GitLog {
                repo: dir.path().join(name),
                refname: "refs/gate/audit".into(),
                remote: Some("origin".into()),
                committer: ("gate".into(), "gate@localhost".into()),
            }
        };
        let (a, b) = (log("a"), log("b"));
        (dir, a, b)
    }

    fn event() -> Map<String, Value> {
        let v = serde_json::json!({"event_type": "CHECK_GO", "ts": "2026-12-03T00:00:00Z"});
        v.as_object().unwrap().clone()
    }

    fn events(dir: &Path) -> String {
        let out = Command::new("git")
            .args([
                "--git-dir",
                "remote.git",
                "rev-list",
                "--count",
                "refs/gate/audit",
            ])
            .current_dir(dir)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    #[test]
    fn regression_the_same_event_from_two_appenders_at_once_is_two_events() {
        // Two pipelines decide alike within one tick of a coarse clock: the
        // same event line on the same head. The second push must not pass
        // for the first one's ("Everything up-to-date").
        let (dir, a, b) = two_clones();
        let keys = Keyring::default();
        let (ra, rb) = (a.open().unwrap(), b.open().unwrap());
        let (ta, tb) = (Append::new(), Append::new());
        let ca = a.attempt(&ra, None, &event(), &keys, &ta).unwrap();
        let cb = b.attempt(&rb, None, &event(), &keys, &tb).unwrap();
        assert_ne!(ca.commit, cb.commit, "two appends, two commits");
        a.push(&ra, "origin", None, ca.commit).unwrap();
        assert!(
            b.push(&rb, "origin", None, cb.commit).is_err(),
            "the second is chained on a head that moved"
        );
        let second = b.append(event(), &keys).unwrap();
        assert_eq!(second.seq, 1);
        assert_eq!(events(dir.path()), "2");
    }

    #[test]
    fn an_attempt_that_landed_though_its_push_failed_is_not_recorded_twice() {
        let (dir, a, b) = two_clones();
        let keys = Keyring::default();
        let ra = a.open().unwrap();
        let mut append = Append::new();
        let first = a.attempt(&ra, None, &event(), &keys, &append).unwrap();
        // The push lands, but its answer is lost; then another appender
        // chains on it before the retry fetches.
        git(
            &a.repo,
            &[
                "push",
                "-q",
                "origin",
                &format!("{}:refs/gate/audit", first.commit),
            ],
        );
        append.tried.push(first.clone());
        b.append(event(), &keys).unwrap();
        let head = a.base(&ra).unwrap();
        let landed = GitLog::landed(&ra, head, &append.tried).unwrap();
        assert_eq!((landed.seq, &landed.hash), (0, &first.hash));
        assert_eq!(events(dir.path()), "2");
        // The retry loop itself: the push lands but what follows it fails
        // (the local seen-ref is locked), so the attempt reports failure;
        // the retry finds it and records nothing more.
        let seen = a.repo.join(".git/refs/gate/seen/origin/gate/audit.lock");
        std::fs::create_dir_all(seen.parent().unwrap()).unwrap();
        std::fs::write(&seen, "").unwrap();
        let third = a.append(event(), &keys).unwrap();
        assert_eq!(third.seq, 2);
        assert_eq!(events(dir.path()), "3", "recorded once");
        std::fs::remove_file(&seen).unwrap();
        let head = a.base(&ra).unwrap();
        // An attempt that never landed is not found.
        let lost = a
            .attempt(&ra, None, &event(), &keys, &Append::new())
            .unwrap();
        assert!(GitLog::landed(&ra, head, &[lost]).is_none());
    }
}
