//! The audit log: one canonical JSON object per line, each chained to the
//! one before by `prev_hash`, each sealed by `hash`.

pub mod event;
pub mod file;
pub mod git_store;
pub mod keys;
pub mod line;
pub mod verify;

#[cfg(test)]
mod golden {
    //! Golden vectors: an event, its canonical bytes and its hash, computed
    //! independently with Python (`json.dumps(sort_keys=True,
    //! separators=(",", ":"), ensure_ascii=False)`, `hashlib`, `hmac`), the
    //! rule llm-leash's `verify_chain` follows.

    use super::file::{seal, GENESIS};
    use super::keys::Keyring;
    use serde_json::{json, Map, Value};

    fn event() -> Map<String, Value> {
        let v = json!({
            "ts": "2026-11-21T08:00:00.000000Z", "event_type": "OVERRIDE_USED", "env": "staging",
            "decision": "ALLOW", "exit_code": 0, "actor": "alice", "leakage_types": ["pii"],
            "note": "naïve café — ✓ \"q\" \\ \n\t\u{1}", "override_file": null, "flag": true,
        });
        v.as_object().cloned().unwrap_or_default()
    }

    const BODY: &str = r#"{"actor":"alice","decision":"ALLOW","env":"staging","event_type":"OVERRIDE_USED","exit_code":0,"flag":true,"leakage_types":["pii"],"note":"naïve café — ✓ \"q\" \\ \n\t\u0001","override_file":null,"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","seq":0,"ts":"2026-11-21T08:00:00.000000Z"}"#;

    #[test]
    fn unkeyed_vector() {
        let (line, hash) = seal(event(), 0, GENESIS, &Keyring::default());
        assert_eq!(
            hash,
            "7f3a75375c92b3806537fbab19f749d70baed4af5fad574beea34ed180c8408d"
        );
        let parsed = super::line::parse(line.as_bytes()).unwrap();
        assert_eq!(parsed.body(line.as_bytes()).concat(), BODY.as_bytes());
        assert_eq!(parsed.hash, hash);
    }

    #[test]
    fn keyed_vector() {
        let keys = Keyring::new(Some(b"golden-key"), &[]);
        assert_eq!(keys.current.as_ref().unwrap().id, "e5ed1c20b2367e8e");
        let (_, hash) = seal(event(), 0, GENESIS, &keys);
        assert_eq!(
            hash,
            "b07eb8e07a0f87cb5e4e1257d3da4ea6d5d3b0f715db42a86fc417a935f7725b"
        );
    }
}

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::inputs::error::InputError;
use file::{Appended, FileLog, Locked, Tail};
use git_store::GitLog;
use keys::Keyring;

/// Where an audit log lives: a file, or a git ref (`git:refs/gate/audit`).
#[derive(Debug, Clone)]
pub enum Store {
    File(FileLog),
    Git(GitLog),
}

/// An append in progress: the file's lock is held; the git ref is
/// compared-and-swapped when the event is appended.
pub enum Pending {
    File(Locked),
    Git(GitLog),
}

impl Store {
    /// `location` is a path, or `git:<ref>` in the repository `repo`.
    pub fn new(
        location: &str,
        repo: &Path,
        remote: Option<String>,
        committer: Option<&str>,
    ) -> Self {
        match GitLog::parse_location(location) {
            Some(refname) => {
                let (name, email) = committer
                    .and_then(parse_committer)
                    .unwrap_or_else(|| ("gate".into(), "gate@localhost".into()));
                Store::Git(GitLog {
                    repo: repo.to_path_buf(),
                    refname,
                    remote,
                    committer: (name, email),
                })
            }
            None => Store::File(FileLog::new(PathBuf::from(location))),
        }
    }

    /// How reports name it.
    pub fn display(&self) -> String {
        match self {
            Store::File(f) => crate::inputs::display(&f.path),
            Store::Git(g) => g.display(),
        }
    }

    /// The checked last line, without writing.
    pub fn peek(&self, keys: &Keyring) -> Result<Tail, InputError> {
        match self {
            Store::File(f) => f.peek(keys),
            Store::Git(g) => g.peek(keys),
        }
    }

    /// The checked last line and, unless `dry_run`, an append ready to go.
    pub fn begin(
        &self,
        keys: &Keyring,
        dry_run: bool,
    ) -> Result<(Tail, Option<Pending>), InputError> {
        if dry_run {
            return Ok((self.peek(keys)?, None));
        }
        match self {
            Store::File(f) => {
                let locked = f.lock(keys)?;
                Ok((locked.tail.clone(), Some(Pending::File(locked))))
            }
            Store::Git(g) => Ok((g.peek(keys)?, Some(Pending::Git(g.clone())))),
        }
    }
}

impl Store {
    /// Keys an unkeyed log from here on: appends `event` (AUDIT_KEY_ADOPTED)
    /// sealed with the current key on the unkeyed tail, the one keyed append
    /// that may continue one. Refused on an empty or already keyed log.
    pub fn adopt_key(
        &self,
        keys: &Keyring,
        event: Map<String, Value>,
    ) -> Result<Appended, InputError> {
        let refuse = |m: String| InputError::file(self.display(), m);
        if keys.current.is_none() {
            return Err(refuse("set $GATE_AUDIT_KEY to the key to adopt".into()));
        }
        let (tail, pending) = self.begin(&keys.verifying(), false)?;
        match (&tail, pending) {
            (Tail::Ok { key_id: None, .. }, Some(p)) => p.append(event, keys),
            (Tail::Ok { key_id: Some(id), .. }, _) => Err(refuse(format!(
                "the log is keyed already (key {id}); nothing to adopt"
            ))),
            (Tail::Empty, _) => Err(refuse(
                "the log is empty: an append with $GATE_AUDIT_KEY set starts it keyed; nothing to adopt".into(),
            )),
            _ => Err(refuse(tail.problem().unwrap_or_default())),
        }
    }
}

impl Pending {
    /// Appends the event (sealed on the tail it is chained on).
    pub fn append(self, event: Map<String, Value>, keys: &Keyring) -> Result<Appended, InputError> {
        match self {
            Pending::File(l) => l.append(event, keys),
            Pending::Git(g) => g.append(event, keys),
        }
    }
}

/// `Name <email>`.
fn parse_committer(s: &str) -> Option<(String, String)> {
    let (name, rest) = s.split_once('<')?;
    let email = rest.strip_suffix('>')?;
    Some((name.trim().to_string(), email.trim().to_string()))
        .filter(|(n, e)| !n.is_empty() && !e.is_empty())
}
