//! Signed approvals, with OpenSSH as the oracle: keys made by
//! `ssh-keygen -t`, signatures by `ssh-keygen -Y sign` must count in gate,
//! and the signatures gate attaches must pass `ssh-keygen -Y verify`.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::support::{artifact, evaluate, head, live_override, override_cmd, put_override, Repo};

/// The identity hash of `checks_fail.json`, whose schema and policy
/// failures an override may lift in staging.
const FAIL_HASH: &str = "8d0f679503b2ba6d2596d0ba0f32d540d9f066e0339fbab6e5f1aad25f8754de";

/// Keys and files made with ssh-keygen in a folder outside the repository.
struct Keys {
    dir: tempfile::TempDir,
}

fn ssh_keygen(args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    let mut child = Command::new("ssh-keygen")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ssh-keygen (openssh-client) is installed: .ci/run installs it");
    {
        use std::io::Write;
        let mut i = child.stdin.take().unwrap();
        i.write_all(stdin.unwrap_or_default()).unwrap();
    }
    child.wait_with_output().unwrap()
}

impl Keys {
    fn new() -> Self {
        Keys {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn p(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    /// `ssh-keygen -t TYPE [-b BITS]`: the private key's path.
    fn make(&self, name: &str, kind: &str, bits: Option<&str>) -> String {
        let f = self.p(name);
        let mut args = vec!["-q", "-t", kind, "-N", "", "-C", name, "-f", f.as_str()];
        if let Some(b) = bits {
            args.extend(["-b", b]);
        }
        let out = ssh_keygen(&args, None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        f
    }

    /// `keytype base64` of a key's public half.
    fn public(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.path(&format!("{name}.pub"))).unwrap();
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `ssh-keygen -Y sign -n NAMESPACE -f KEY` over `data`.
    fn sign(&self, key: &str, namespace: &str, data: &[u8], extra: &[&str]) -> String {
        let mut args = vec!["-q", "-Y", "sign", "-n", namespace, "-f", key];
        args.extend_from_slice(extra);
        let out = ssh_keygen(&args, Some(data));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Whether `ssh-keygen -Y verify` accepts `sig` over `data` for `who`.
    fn openssh_accepts(&self, signers: &str, who: &str, sig: &str, data: &[u8]) -> bool {
        let s = self.path("sig-to-verify");
        std::fs::write(&s, sig).unwrap();
        let out = ssh_keygen(
            &[
                "-Y",
                "verify",
                "-f",
                signers,
                "-I",
                who,
                "-n",
                "gate-override",
                "-s",
                s.to_str().unwrap(),
            ],
            Some(data),
        );
        out.status.success()
    }

    /// `ssh-keygen -s CA -I ID -n PRINCIPALS -V VALIDITY USER.pub`: the
    /// certificate's path.
    fn certify(&self, ca: &str, user: &str, id: &str, principals: &str, validity: &str) -> String {
        let public = format!("{user}.pub");
        let args = [
            "-q", "-s", ca, "-I", id, "-n", principals, "-V", validity, &public,
        ];
        let out = ssh_keygen(&args, None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!("{user}-cert.pub")
    }

    /// Key `name` signs `r`'s override (its payload as it is now) and the
    /// approval is attached as `by`'s.
    fn approve(&self, r: &Repo, name: &str, by: &str) {
        let sig = self.sign(&self.p(name), "gate-override", &payload(r), &[]);
        attach(r, by, &sig);
    }

    /// An allowed_signers of one line, `HEAD` (principals and options)
    /// then key `name`'s public half; its path.
    fn list(&self, head: &str, name: &str) -> String {
        self.write(
            &format!("{name}.signers"),
            &format!("{head} {}\n", self.public(name)),
        )
    }

    fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.path(name), text).unwrap();
        self.p(name)
    }
}

/// release_ok with a gate.toml whose staging counts signed approvals,
/// committed and tagged; `extra` is appended to gate.toml.
fn signed_repo(signers: &str, required: u32, extra: &str) -> Repo {
    let r = Repo::files("release_ok");
    let toml = std::fs::read_to_string(r.path().join("gate.toml")).unwrap_or_default();
    r.write(
        "gate.toml",
        format!(
            "{toml}\n[signing]\nallowed_signers = {signers:?}\n\n[env.staging]\napprovals = \"signed\"\nrequired_approvals = {required}\n{extra}"
        ),
    );
    r.init();
    r.commit_all("release");
    r.tag("v1.2.3");
    r
}

const O: &str = "overrides/staging/o.json";

/// A live staging override for the release commit, with no approvals yet.
fn put(r: &Repo) {
    let mut v = live_override("staging", &head(r), FAIL_HASH, &["schema", "policy"]);
    v["approved_by"] = "alice@example.com".into();
    put_override(r, "staging", "o.json", &v);
}

fn payload(r: &Repo) -> Vec<u8> {
    let run = override_cmd(r, "payload", &[O], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout.into_bytes()
}

/// Adds `{"by", "sshsig"}` to the override by hand.
fn attach(r: &Repo, by: &str, sig: &str) {
    let path = r.path().join(O);
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let list = v
        .as_object_mut()
        .unwrap()
        .entry("approvals")
        .or_insert(serde_json::json!([]));
    list.as_array_mut()
        .unwrap()
        .push(serde_json::json!({"by": by, "sshsig": sig}));
    std::fs::write(path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// `gate override approve O --signature-file FILE --by BY`.
fn approve_file(r: &Repo, file: &str, by: &str) -> crate::support::Run {
    override_cmd(
        r,
        "approve",
        &[O, "--signature-file", file, "--by", by],
        &[],
    )
}

/// A refused promotion's override failures (as JSON text) and the
/// command it suggests.
fn refusal(run: &crate::support::Run) -> (String, String) {
    let j = run.json();
    let failures = j["overrides"][0]["failures"].to_string();
    let suggested = j["suggested_override"].as_str().unwrap_or_default();
    (failures, suggested.to_string())
}

/// `promote`, which must ALLOW (exit 0); its run.
fn allowed(r: &Repo, what: &str) -> crate::support::Run {
    let after = promote(r);
    assert_eq!(
        (after.code, after.json()["decision"].as_str()),
        (0, Some("ALLOW")),
        "{what}: {}",
        after.stdout
    );
    after
}

fn promote(r: &Repo) -> crate::support::Run {
    promote_with(r, &["--format", "json"])
}

/// `gate evaluate --env staging --locc-artifact checks_fail.json
/// --ci-status success EXTRA`.
fn promote_with(r: &Repo, extra: &[&str]) -> crate::support::Run {
    let a = artifact("checks_fail.json");
    let mut args = vec![
        "--env",
        "staging",
        "--locc-artifact",
        &a,
        "--ci-status",
        "success",
    ];
    args.extend_from_slice(extra);
    evaluate(r, &args)
}

/// `override validate` JSON: each approval's failure (or "counted").
fn verdicts(r: &Repo) -> Vec<String> {
    let run = override_cmd(r, "validate", &["--path", O, "--format", "json"], &[]);
    let j = run.json();
    j["approvals"]
        .as_array()
        .unwrap_or_else(|| panic!("no approvals in {}", run.stdout))
        .iter()
        .map(|a| match a["failure"].as_str() {
            Some(f) => format!("{}:{f}", a["by"].as_str().unwrap()),
            None => format!("{}:counted", a["by"].as_str().unwrap()),
        })
        .collect()
}

#[test]
fn every_key_type_signed_by_openssh_counts_and_gate_approvals_verify_in_openssh() {
    let k = Keys::new();
    for (kind, bits) in [
        ("ed25519", None),
        ("ecdsa", Some("256")),
        ("ecdsa", Some("384")),
        ("ecdsa", Some("521")),
        ("rsa", Some("2048")),
        ("rsa", Some("3072")),
    ] {
        let name = format!("{kind}{}", bits.unwrap_or(""));
        let key = k.make(&name, kind, bits);
        let signers = k.list("dave@example.com", &name);
        let r = signed_repo(&signers, 1, "");
        put(&r);
        let before = promote(&r);
        assert_eq!(
            (before.code, before.json()["decision"].as_str()),
            (2, Some("REQUIRE_OVERRIDE")),
            "{name}"
        );
        // gate runs ssh-keygen -Y sign, and the principal is the one line's.
        let run = override_cmd(&r, "approve", &[O, "--key", &key], &[]);
        assert_eq!(run.code, 0, "{name}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("Approval by dave@example.com added"),
            "{}",
            run.stdout
        );
        let after = allowed(&r, &name);
        let a = &after.json()["overrides"][0]["approvals"][1];
        assert_eq!(
            (a["by"].as_str(), a["counted"].as_bool()),
            (Some("dave@example.com"), Some(true))
        );
        assert!(a["key"].as_str().unwrap().starts_with("SHA256:"));
        // ssh-keygen accepts what gate attached, over what gate prints.
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(r.path().join(O)).unwrap()).unwrap();
        let sig = v["approvals"][0]["sshsig"].as_str().unwrap();
        assert!(
            k.openssh_accepts(&signers, "dave@example.com", sig, &payload(&r)),
            "{name}"
        );
        // The fingerprint is ssh-keygen's.
        let fp = ssh_keygen(&["-l", "-E", "sha256", "-f", &format!("{key}.pub")], None);
        let fp = String::from_utf8(fp.stdout).unwrap();
        assert!(fp.contains(a["key"].as_str().unwrap()), "{fp} vs {a}");
    }
}

#[test]
fn signatures_made_elsewhere_attach_with_signature_file_and_sha256_hashing() {
    let k = Keys::new();
    let key = k.make("dave", "ed25519", None);
    let signers = k.list("dave@example.com", "dave");
    let r = signed_repo(&signers, 1, "");
    put(&r);
    let sig = k.write(
        "dave.sig",
        &k.sign(
            &key,
            "gate-override",
            &payload(&r),
            &["-O", "hashalg=sha256"],
        ),
    );
    let run = approve_file(&r, &sig, "dave@example.com");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        verdicts(&r),
        ["alice@example.com:unsigned", "dave@example.com:counted"]
    );
    assert_eq!(promote(&r).code, 0);
}

#[test]
fn each_reason_an_approval_does_not_count_as_openssh_agrees() {
    let k = Keys::new();
    let (dave, erin, fred, bob) = (
        k.make("dave", "ed25519", None),
        k.make("erin", "ed25519", None),
        k.make("fred", "ecdsa", Some("256")),
        k.make("bob", "ed25519", None),
    );
    let stranger = k.make("stranger", "ed25519", None);
    let signers = k.write(
        "signers",
        &format!(
            "# the trusted keys\n\
             dave@example.com {d}\n\
             erin@example.com namespaces=\"git\" {e}\n\
             fred@example.com valid-after=\"20990101Z\" {f}\n\
             gina@example.com valid-before=\"20200101Z\" {f}\n\
             bob@example.com,bobby@example.com {b}\n\
             *@q.example.com,\"!mallory@q.example.com\" {e}\n\
             *@r.example.com,!\"mallory@r.example.com\" {e}\n",
            d = k.public("dave"),
            e = k.public("erin"),
            f = k.public("fred"),
            b = k.public("bob"),
        ),
    );
    let r = signed_repo(&signers, 2, "");
    put(&r);
    let data = payload(&r);
    // Over the payload in gate-override, the way approvals are signed.
    let sign = |key: &str| k.sign(key, "gate-override", &data, &[]);
    let cases: Vec<(&str, String, &str)> = vec![
        ("dave@example.com", sign(&dave), "counted"),
        ("dave@example.com", sign(&dave), "duplicate_approver"),
        ("zed@example.com", sign(&stranger), "unknown_key"),
        ("mallory@example.com", sign(&dave), "principal_mismatch"),
        (
            "dave@example.com",
            k.sign(&dave, "git", &data, &[]),
            "namespace",
        ),
        ("erin@example.com", sign(&erin), "namespace"),
        // A quote inside the list is dropped, as ssh-keygen's strdelimw
        // drops it: the negation stands.
        ("mallory@q.example.com", sign(&erin), "principal_mismatch"),
        ("mallory@r.example.com", sign(&erin), "principal_mismatch"),
        ("fred@example.com", sign(&fred), "key_not_yet_valid"),
        ("gina@example.com", sign(&fred), "key_expired"),
        (
            "dave@example.com",
            k.sign(&dave, "gate-override", b"other bytes", &[]),
            "payload_changed",
        ),
        // bob requested the change: neither as bob nor under his key's
        // other name.
        ("bob@example.com", sign(&bob), "self_approval"),
        ("bobby@example.com", sign(&bob), "self_approval"),
        (
            "hal@example.com",
            "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n".into(),
            "bad_signature",
        ),
    ];
    for (by, sig, want) in &cases {
        attach(&r, by, sig);
        // OpenSSH counts what gate counts (but for the rules of the
        // override as a whole: one person once, and who may not approve).
        if !["duplicate_approver", "self_approval", "bad_signature"].contains(want) {
            assert_eq!(
                k.openssh_accepts(&signers, by, sig, &data),
                *want == "counted",
                "{by} {want}"
            );
        }
    }
    let mut want = vec!["alice@example.com:unsigned".to_string()];
    want.extend(cases.iter().map(|(by, _, w)| format!("{by}:{w}")));
    assert_eq!(verdicts(&r), want);
    let run = promote(&r);
    assert_eq!(run.code, 2, "one counted of two: {}", run.stdout);
    let (failures, suggested) = refusal(&run);
    assert!(
        failures.contains("needs 2 signed approval(s) by distinct people; 1 counted"),
        "{failures}"
    );
    assert!(
        failures.contains("bob@example.com: self_approval"),
        "{failures}"
    );
    assert!(
        suggested.contains("still missing: 1 signed approval(s)"),
        "{suggested}"
    );
    // Text, markdown and JUnit say the same in words.
    for (format, want) in [
        (
            "markdown",
            "| `overrides/staging/o.json` | zed@example.com |",
        ),
        (
            "junit",
            "not counted: its key is not in allowed_signers (unknown_key)",
        ),
    ] {
        let run = promote_with(&r, &["--format", format]);
        assert!(run.stdout.contains(want), "{format}: {}", run.stdout);
        assert!(
            run.stdout.contains("its key is not in allowed_signers"),
            "{format}: {}",
            run.stdout
        );
    }
    let text = promote_with(&r, &[]);
    assert!(
        text.stdout.contains("not counted  zed@example.com"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("its key is not in allowed_signers (unknown_key)"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_rotated_key_counts_where_any_of_its_lines_admits_it_and_wildcards_do_not_hide_the_requester() {
    let k = Keys::new();
    let dave = k.make("dave", "ed25519", None);
    let shared = k.make("shared", "ed25519", None);
    let signers = k.write(
        "signers",
        &format!(
            "dave@example.com valid-before=\"20200101Z\" {d}\n\
             dave@example.com valid-after=\"20200101Z\" {d}\n\
             *@ops.example.com {s}\n",
            d = k.public("dave"),
            s = k.public("shared"),
        ),
    );
    let r = signed_repo(&signers, 1, "");
    let mut v = live_override("staging", &head(&r), FAIL_HASH, &["schema", "policy"]);
    v["approved_by"] = "alice@example.com".into();
    v["requested_by"] = "rita@ops.example.com".into();
    put_override(&r, "staging", "o.json", &v);
    let data = payload(&r);
    let sig = k.sign(&dave, "gate-override", &data, &[]);
    assert!(k.openssh_accepts(&signers, "dave@example.com", &sig, &data));
    attach(&r, "dave@example.com", &sig);
    // The key rita could sign with as anyone@ops cannot approve her change.
    let other = k.sign(&shared, "gate-override", &data, &[]);
    assert!(k.openssh_accepts(&signers, "olga@ops.example.com", &other, &data));
    attach(&r, "olga@ops.example.com", &other);
    attach(&r, "b\u{200b}en@example.com", &sig);
    assert_eq!(
        verdicts(&r),
        [
            "alice@example.com:unsigned",
            "dave@example.com:counted",
            "olga@ops.example.com:self_approval",
            "b\u{200b}en@example.com:invalid_name"
        ]
    );
}

#[test]
fn certificates_under_a_cert_authority_line() {
    let k = Keys::new();
    let ca = k.make("ca", "ed25519", None);
    let user = k.make("carl", "ed25519", None);
    let certify = |id: &str, principals: &str, validity: &str| {
        k.certify(&ca, &user, id, principals, validity)
    };
    let signers = k.list("*@example.com cert-authority", "ca");
    let r = signed_repo(&signers, 1, "");
    put(&r);
    let data = payload(&r);
    let mut want = vec!["alice@example.com:unsigned".to_string()];
    for (by, principals, validity, verdict) in [
        ("carl@example.com", "carl@example.com", "-5m:+1h", "counted"),
        (
            "cora@example.com",
            "carl@example.com",
            "-5m:+1h",
            "principal_mismatch",
        ),
        (
            "cleo@example.com",
            "cleo@example.com",
            "20200101:20200201",
            "key_expired",
        ),
        (
            "cyd@example.com",
            "cyd@example.com",
            "+1d:+2d",
            "key_not_yet_valid",
        ),
    ] {
        let cert = certify(by, principals, validity);
        let sig = k.sign(&cert, "gate-override", &data, &[]);
        assert!(sig.contains("BEGIN SSH SIGNATURE"));
        assert_eq!(
            k.openssh_accepts(&signers, by, &sig, &data),
            verdict == "counted",
            "{by}"
        );
        attach(&r, by, &sig);
        want.push(format!("{by}:{verdict}"));
    }
    assert_eq!(verdicts(&r), want);
    assert_eq!(promote(&r).code, 0);
    // The user's plain key is not the CA's: not listed.
    let plain = k.sign(&user, "gate-override", &data, &[]);
    attach(&r, "carl@example.com", &plain);
    assert_eq!(verdicts(&r).last().unwrap(), "carl@example.com:unknown_key");
}

#[test]
fn group_quorums_with_overlapping_members_are_a_matching() {
    let k = Keys::new();
    for n in ["alice", "ben", "sam"] {
        k.make(n, "ed25519", None);
    }
    let signers = k.write(
        "signers",
        &format!(
            "alice@example.com {}\nben@sre.example.com {}\nsam@sec.example.com {}\n",
            k.public("alice"),
            k.public("ben"),
            k.public("sam")
        ),
    );
    let groups = "required_groups = { release = 1, security = 1 }\n\n[signing.groups]\nrelease = [\"alice@example.com\", \"*@sre.example.com\"]\nsecurity = [\"alice@example.com\", \"sam@sec.example.com\"]\n";
    let r = signed_repo(&signers, 1, groups);
    put(&r);
    k.approve(&r, "alice", "alice@example.com");
    let one = promote(&r);
    assert_eq!(
        one.code, 2,
        "alice alone fills one group, not both: {}",
        one.stdout
    );
    let (failures, suggested) = refusal(&one);
    assert!(
        failures.contains("lacks 1 signed approval(s)"),
        "{failures}"
    );
    assert!(
        suggested.contains("gate override approve overrides/staging/o.json"),
        "{suggested}"
    );
    assert!(suggested.contains("1 from group"), "{suggested}");
    // ben can only be release: alice moves to security.
    k.approve(&r, "ben", "ben@sre.example.com");
    let two = promote(&r);
    assert_eq!(two.code, 0, "{}\n{}", two.stdout, two.stderr);
}

#[test]
fn allowed_signers_must_be_out_of_the_change_s_reach() {
    let k = Keys::new();
    let key = k.make("dave", "ed25519", None);
    let line = format!("dave@example.com {}\n", k.public("dave"));
    // Inside the work tree: the change could add its author's key.
    let r = signed_repo(".gate/allowed_signers", 1, "");
    r.write(".gate/allowed_signers", &line);
    put(&r);
    let run = promote(&r);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("lies inside the repository"),
        "{}",
        run.stdout
    );
    // From a protected branch's tree: trusted, and the release commit's
    // own copy, which adds a key, is named in a warning and not used.
    let r = Repo::files("release_ok");
    r.init();
    r.write("trust/allowed_signers", &line);
    r.commit_all("trusted signers");
    r.branch("protected");
    k.make("mallory", "ed25519", None);
    r.write(
        "trust/allowed_signers",
        format!("{line}mallory@example.com {}\n", k.public("mallory")),
    );
    let toml = std::fs::read_to_string(r.path().join("gate.toml")).unwrap_or_default();
    r.write(
        "gate.toml",
        format!("{toml}\n[signing]\nallowed_signers = \"git:refs/heads/protected:trust/allowed_signers\"\n\n[env.staging]\napprovals = \"signed\"\n"),
    );
    r.commit_all("release");
    r.tag("v1.2.3");
    put(&r);
    k.approve(&r, "mallory", "mallory@example.com");
    let run = promote(&r);
    assert_eq!(
        run.code, 2,
        "mallory's key is only in the change's copy: {}",
        run.stdout
    );
    let warnings = run.json()["warnings"].to_string();
    assert!(
        warnings.contains("adds mallory@example.com (SHA256:"),
        "{warnings}"
    );
    let ok = override_cmd(&r, "approve", &[O, "--key", &key], &[]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert_eq!(promote(&r).code, 0);
    for (source, want) in [
        // A short name could be a pushed tag standing in for the branch.
        (
            "git:protected:trust/allowed_signers",
            "`protected` is not a full ref name",
        ),
        // A ref that does not exist is an input error.
        (
            "git:refs/heads/nowhere:allowed_signers",
            "ref refs/heads/nowhere not found",
        ),
    ] {
        let r = signed_repo(source, 1, "");
        put(&r);
        let run = promote(&r);
        assert_eq!(run.code, 1, "{source}");
        assert!(run.stdout.contains(want), "{source}: {}", run.stdout);
    }
}

#[test]
fn a_broken_allowed_signers_never_allows() {
    let k = Keys::new();
    let dir = k.dir.path();
    std::fs::create_dir(dir.join("a-directory")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("loop-b"), dir.join("loop-a")).unwrap();
        std::os::unix::fs::symlink(dir.join("loop-a"), dir.join("loop-b")).unwrap();
    }
    std::fs::write(dir.join("garbage"), "# ok\nthis is not a key line at all\n").unwrap();
    std::fs::write(
        dir.join("latin1"),
        b"caf\xe9@example.com ssh-ed25519 AAAA\n",
    )
    .unwrap();
    let huge = "# padding\n".repeat(900_000);
    std::fs::write(dir.join("huge"), huge).unwrap();
    for (file, want) in [
        ("missing", "not found"),
        ("garbage", "garbage:2:6: unknown option `is`"),
        ("latin1", "latin1:1:4: not valid UTF-8"),
        ("huge", "over the 8 MiB limit for allowed_signers files"),
        ("a-directory", "a-directory"),
        ("loop-a", "too many levels of symbolic links"),
    ] {
        let r = signed_repo(&k.p(file), 1, "");
        put(&r);
        let run = promote(&r);
        assert_eq!(run.code, 1, "{file}: {}", run.stdout);
        assert_eq!(run.json()["decision"], "BLOCK", "{file}");
        assert!(run.stdout.contains(want), "{file}: {}", run.stdout);
        let v = override_cmd(&r, "validate", &["--path", O], &[]);
        assert_eq!(v.code, 2, "{file}: {}{}", v.stdout, v.stderr);
    }
    // An empty file lists nobody: nothing counts, nothing is allowed.
    let empty = k.write("empty", "");
    let r = signed_repo(&empty, 1, "");
    put(&r);
    let key = k.make("dave", "ed25519", None);
    attach(
        &r,
        "dave@example.com",
        &k.sign(&key, "gate-override", &payload(&r), &[]),
    );
    assert_eq!(promote(&r).code, 2);
    assert_eq!(
        verdicts(&r),
        ["alice@example.com:unsigned", "dave@example.com:unknown_key"]
    );
}

#[test]
fn approve_refuses_what_could_never_count() {
    let k = Keys::new();
    let key = k.make("dave", "ed25519", None);
    let signers = k.list("dave@example.com", "dave");
    let r = signed_repo(&signers, 1, "");
    put(&r);
    let data = payload(&r);
    let refused = |args: &[&str], why: &str| {
        let run = override_cmd(&r, "approve", args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(why), "{args:?}: {}", run.stderr);
    };
    let other = k.write(
        "other.sig",
        &k.sign(&key, "gate-override", b"another override", &[]),
    );
    refused(
        &[O, "--signature-file", &other],
        "not over this override's payload",
    );
    let git = k.write("git.sig", &k.sign(&key, "git", &data, &[]));
    refused(
        &[O, "--signature-file", &git],
        "signed in the namespace `git`",
    );
    let junk = k.write("junk.sig", "not a signature");
    refused(&[O, "--signature-file", &junk], "not an SSH signature");
    refused(
        &[O, "--key", &k.p("no-such-key")],
        "ssh-keygen -Y sign with",
    );
    refused(
        &[O, "--key", &key, "--by", "bob@example.com"],
        "self-approval",
    );
    refused(&[O, "--key", &key, "--by", "Gate Tests"], "self-approval");
    assert_eq!(
        override_cmd(&r, "approve", &[O, "--key", &key], &[]).code,
        0
    );
    refused(&[O, "--key", &key], "has approved this override already");
    // Any edit after signing invalidates it; the payload leaves out only
    // approvals and signature.
    let p: serde_json::Value = serde_json::from_slice(&payload(&r)).unwrap();
    assert!(p.get("approvals").is_none() && p["reason"] == "confirmed false positive");
    r.edit(O, "confirmed false positive", "confirmed false positive!");
    assert_eq!(
        verdicts(&r),
        [
            "alice@example.com:unsigned",
            "dave@example.com:payload_changed"
        ]
    );
    let missing = override_cmd(&r, "payload", &["overrides/staging/none.json"], &[]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("none.json"), "{}", missing.stderr);
}

#[test]
fn signed_environments_need_a_trusted_allowed_signers_in_gate_toml() {
    let r = Repo::files("release_ok");
    r.write("gate.toml", "[env.staging]\napprovals = \"signed\"\n");
    r.init();
    r.commit_all("release");
    let run = promote_with(&r, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("needs [signing] allowed_signers"),
        "{}",
        run.stderr
    );
    r.write(
        "gate.toml",
        "[signing]\nallowed_signers = \"/x\"\n[signing.groups]\nrelease = [\"*\"]\n[env.staging]\napprovals = \"signed\"\nrequired_groups = { releaze = 1 }\n",
    );
    let run = promote_with(&r, &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("no group `releaze` in [signing.groups]; did you mean `release`?"),
        "{}",
        run.stderr
    );
}

/// A repository whose protected branch holds the trusted gate.toml
/// (`trusted`), and whose release commit holds its own (`own`, or none).
fn policy_repo(trusted: &str, own: Option<&str>) -> Repo {
    let r = Repo::files("release_ok");
    r.init();
    let _ = std::fs::remove_file(r.path().join("gate.toml"));
    r.write("gate.toml", trusted);
    r.commit_all("trusted policy");
    r.branch("protected");
    match own {
        Some(t) => {
            r.write("gate.toml", t);
        }
        None => {
            r.remove("gate.toml");
        }
    }
    r.commit_all("release");
    r.tag("v1.2.3");
    r
}

const TRUSTED: &str = "git:refs/heads/protected:gate.toml";

#[test]
fn a_change_that_weakens_its_own_gate_toml_is_judged_by_the_trusted_one() {
    let k = Keys::new();
    k.make("dave", "ed25519", None);
    let signers = k.list("dave@example.com", "dave");
    let trusted = format!(
        "[signing]\nallowed_signers = {signers:?}\n\n[env.staging]\napprovals = \"signed\"\n# the approvers\n"
    );
    let weakened = format!("[signing]\nallowed_signers = {signers:?}\n\n[env.staging]\n");
    let r = policy_repo(&trusted, Some(&weakened));
    put(&r);
    let a = artifact("checks_fail.json");
    let args = [
        "--env",
        "staging",
        "--locc-artifact",
        &a,
        "--ci-status",
        "success",
        "--format",
        "json",
    ];
    // The change's own policy would let a name lift it.
    assert_eq!(evaluate(&r, &args).code, 0);
    let mut with = args.to_vec();
    with.extend(["--config", TRUSTED]);
    let run = evaluate(&r, &with);
    assert_eq!(run.code, 2, "judged by the trusted policy: {}", run.stdout);
    let j = run.json();
    assert_eq!(run.finding("policy_source")["status"], "WARN");
    let msg = run.finding("policy_source")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("policy drift: gate.toml at ") && msg.contains("in env.staging.approvals"),
        "{msg}"
    );
    assert!(
        j["warnings"].to_string().contains("policy drift"),
        "{}",
        j["warnings"]
    );
    let g = r.git();
    let protected = g
        .find_reference("refs/heads/protected")
        .unwrap()
        .target()
        .unwrap();
    assert_eq!(j["policy"]["source"], TRUSTED);
    assert_eq!(j["policy"]["commit"], protected.to_string().as_str());
    let tree = g.find_commit(protected).unwrap().tree().unwrap();
    let entry = tree.get_path(std::path::Path::new("gate.toml")).unwrap();
    let sha = sha2_hex(g.find_blob(entry.id()).unwrap().content());
    assert_eq!(j["policy"]["sha256"], sha.as_str());
    // The audit event records it too.
    let log = r.path().join(".gate-test-audit.jsonl");
    let mut logged = with.clone();
    logged.extend(["--audit-log", log.to_str().unwrap()]);
    assert_eq!(evaluate(&r, &logged).code, 2);
    let event: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .last()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(event["policy"], j["policy"]);
    // $GATE_CONFIG does the same; --config wins over it.
    let env = crate::support::evaluate_env(&r, &args, &[("GATE_CONFIG", TRUSTED)]);
    assert_eq!(env.code, 2);
    let both = crate::support::evaluate_env(
        &r,
        &[&args[..], &["--config", "gate.toml"]].concat(),
        &[("GATE_CONFIG", TRUSTED)],
    );
    assert_eq!(both.code, 0, "{}", both.stdout);
    // policy_drift makes the drift a failure with that action.
    let strict = trusted.replace(
        "approvals = \"signed\"",
        "approvals = \"signed\"\npolicy_drift = \"block\"",
    );
    let r = policy_repo(&strict, Some(&weakened));
    put(&r);
    let run = evaluate(&r, &with);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.finding("policy_source")["status"], "FAIL");
    assert_eq!(run.finding("policy_source")["action"], "block");
    // The same values (a comment aside): PASS. No copy: PASS, elsewhere.
    let r = policy_repo(&trusted, Some(&trusted.replace("# the approvers\n", "")));
    assert_eq!(
        evaluate(&r, &with).finding("policy_source")["status"],
        "PASS"
    );
    let r = policy_repo(&trusted, None);
    let run = evaluate(&r, &with);
    assert_eq!(run.finding("policy_source")["status"], "PASS");
    assert!(run.finding("policy_source")["message"]
        .as_str()
        .unwrap()
        .contains("the policy lives elsewhere"));
    // A policy from the work tree: no such finding; a missing ref: BLOCK.
    let own = evaluate(&r, &args);
    assert!(own.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["id"] != "policy_source"));
    let mut missing = args.to_vec();
    missing.extend(["--config", "git:refs/heads/nowhere:gate.toml"]);
    let run = evaluate(&r, &missing);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("ref refs/heads/nowhere not found"),
        "{}",
        run.stderr
    );
}

fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Security-key signatures (`sk-ssh-ed25519@openssh.com`,
/// `sk-ecdsa-sha2-nistp256@openssh.com`, PROTOCOL.u2f) built byte by byte
/// as an authenticator would sign them, without one: the private half is a
/// plain key here, which is all the format can tell.
mod sk {
    use sha2::{Digest, Sha256, Sha512};
    use ssh_encoding::base64::{Base64, Encoding};

    pub const APPLICATION: &str = "ssh:";

    pub fn string(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend((bytes.len() as u32).to_be_bytes());
        out.extend(bytes);
    }

    fn mpint(out: &mut Vec<u8>, unsigned: &[u8]) {
        let trimmed: Vec<u8> = unsigned.iter().copied().skip_while(|b| *b == 0).collect();
        let mut m = Vec::new();
        if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
            m.push(0);
        }
        m.extend(trimmed);
        string(out, &m);
    }

    pub fn armour(bytes: &[u8]) -> String {
        let b64 = Base64::encode_string(bytes);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(70)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n",
            lines.join("\n")
        )
    }

    pub fn unarmour(s: &str) -> Vec<u8> {
        let b64: String = s.lines().filter(|l| !l.starts_with("-----")).collect();
        Base64::decode_vec(&b64).unwrap()
    }

    pub enum Key {
        Ed25519(ed25519_dalek::SigningKey),
        P256(p256::ecdsa::SigningKey),
    }

    impl Key {
        pub fn ed25519(seed: u8) -> Self {
            Key::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
        }

        pub fn p256(seed: u8) -> Self {
            Key::P256(p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap())
        }

        fn algorithm(&self) -> &'static str {
            match self {
                Key::Ed25519(_) => "sk-ssh-ed25519@openssh.com",
                Key::P256(_) => "sk-ecdsa-sha2-nistp256@openssh.com",
            }
        }

        fn blob(&self) -> Vec<u8> {
            let mut b = Vec::new();
            string(&mut b, self.algorithm().as_bytes());
            match self {
                Key::Ed25519(k) => string(&mut b, k.verifying_key().as_bytes()),
                Key::P256(k) => {
                    string(&mut b, b"nistp256");
                    let point = k.verifying_key().to_encoded_point(false);
                    string(&mut b, point.as_bytes());
                }
            }
            string(&mut b, APPLICATION.as_bytes());
            b
        }

        /// `keytype base64`, as in an allowed_signers line.
        pub fn public(&self) -> String {
            format!(
                "{} {}",
                self.algorithm(),
                Base64::encode_string(&self.blob())
            )
        }

        /// The signature blob over `sk`, what the authenticator signs.
        fn raw(&self, sk: &[u8], flags: u8, counter: u32) -> Vec<u8> {
            let mut sig = Vec::new();
            string(&mut sig, self.algorithm().as_bytes());
            match self {
                Key::Ed25519(k) => {
                    use ed25519_dalek::Signer;
                    string(&mut sig, &k.sign(sk).to_bytes());
                }
                Key::P256(k) => {
                    use p256::ecdsa::signature::Signer;
                    let s: p256::ecdsa::Signature = k.sign(sk);
                    let (r, s) = s.split_bytes();
                    let mut rs = Vec::new();
                    mpint(&mut rs, &r);
                    mpint(&mut rs, &s);
                    string(&mut sig, &rs);
                }
            }
            sig.push(flags);
            sig.extend(counter.to_be_bytes());
            sig
        }

        /// An armoured SSHSIG over `msg` in `namespace` with the
        /// authenticator's `flags` and `counter`.
        pub fn sign(&self, namespace: &str, msg: &[u8], flags: u8, counter: u32) -> String {
            let mut signed = b"SSHSIG".to_vec();
            string(&mut signed, namespace.as_bytes());
            string(&mut signed, b"");
            string(&mut signed, b"sha512");
            string(&mut signed, &Sha512::digest(msg));
            // The application's and the message's SHA-256 around the
            // authenticator's flags and counter.
            let mut sk = Sha256::digest(APPLICATION.as_bytes()).to_vec();
            sk.push(flags);
            sk.extend(counter.to_be_bytes());
            sk.extend(Sha256::digest(&signed));
            let mut env = b"SSHSIG".to_vec();
            env.extend(1u32.to_be_bytes());
            string(&mut env, &self.blob());
            string(&mut env, namespace.as_bytes());
            string(&mut env, b"");
            string(&mut env, b"sha512");
            string(&mut env, &self.raw(&sk, flags, counter));
            armour(&env)
        }
    }
}

/// The override's `approved_by`: a name with no signature.
const UNSIGNED: &str = "alice@example.com:unsigned";

#[test]
fn security_key_signatures_count_where_openssh_accepts_them() {
    let k = Keys::new();
    for (name, key) in [
        ("ed25519-sk", sk::Key::ed25519(7)),
        ("ecdsa-sk", sk::Key::p256(9)),
    ] {
        let signers = k.write(
            &format!("{name}.signers"),
            &format!("erin@example.com {}\n", key.public()),
        );
        let r = signed_repo(&signers, 1, "");
        // Touched (user presence), verified, and untouched (a key made with
        // no-touch-required): ssh-keygen -Y verify takes each, as git does.
        for flags in [0x01, 0x05, 0x00] {
            put(&r);
            let data = payload(&r);
            let sig = key.sign("gate-override", &data, flags, 42);
            assert!(
                k.openssh_accepts(&signers, "erin@example.com", &sig, &data),
                "{name} flags {flags}: OpenSSH accepts"
            );
            attach(&r, "erin@example.com", &sig);
            assert_eq!(
                verdicts(&r),
                [UNSIGNED, "erin@example.com:counted"],
                "{name} {flags}"
            );
        }
        let after = allowed(&r, name);
        // gate's fingerprint is ssh-keygen's.
        let pubfile = k.write(&format!("{name}.pub"), &format!("{}\n", key.public()));
        let fp = ssh_keygen(&["-l", "-E", "sha256", "-f", &pubfile], None);
        let fp = String::from_utf8(fp.stdout).unwrap();
        let a = &after.json()["overrides"][0]["approvals"][1];
        assert!(fp.contains(a["key"].as_str().unwrap()), "{fp} vs {a}");
        // The authenticator's flags (5 bytes from the end) and counter (the
        // last 4) are signed: either edited afterwards, neither tool counts
        // the signature.
        for (what, back) in [("flags", 5), ("counter", 1)] {
            put(&r);
            let data = payload(&r);
            let mut edited = sk::unarmour(&key.sign("gate-override", &data, 0x05, 42));
            let n = edited.len();
            edited[n - back] ^= 0x01;
            let edited = sk::armour(&edited);
            assert!(
                !k.openssh_accepts(&signers, "erin@example.com", &edited, &data),
                "{name} {what}"
            );
            attach(&r, "erin@example.com", &edited);
            assert_eq!(
                verdicts(&r),
                [UNSIGNED, "erin@example.com:payload_changed"],
                "{name} {what}"
            );
        }
        // Another namespace, as for any key.
        put(&r);
        let data = payload(&r);
        let other_ns = key.sign("git", &data, 0x01, 1);
        assert!(!k.openssh_accepts(&signers, "erin@example.com", &other_ns, &data));
        attach(&r, "erin@example.com", &other_ns);
        assert_eq!(
            verdicts(&r),
            [UNSIGNED, "erin@example.com:namespace"],
            "{name}"
        );
        // `approve --signature-file` takes a security key's signature made
        // elsewhere, as it takes any other.
        put(&r);
        let made = k.write(
            &format!("{name}.sig"),
            &key.sign("gate-override", &payload(&r), 0x01, 7),
        );
        let run = approve_file(&r, &made, "erin@example.com");
        assert_eq!(run.code, 0, "{name}: {}{}", run.stdout, run.stderr);
        assert_eq!(
            verdicts(&r),
            [UNSIGNED, "erin@example.com:counted"],
            "{name}"
        );
    }
}

/// A signed repository whose override `key` (a key or certificate) signed
/// with ssh-keygen as `by`, which ssh-keygen -Y verify accepts: the
/// repository and the signature.
fn openssh_signed(k: &Keys, signers: &str, key: &str, by: &str) -> (Repo, String) {
    let r = signed_repo(signers, 1, "");
    put(&r);
    let data = payload(&r);
    let sig = k.sign(key, "gate-override", &data, &[]);
    assert!(k.openssh_accepts(signers, by, &sig, &data), "{key}");
    attach(&r, by, &sig);
    (r, sig)
}

#[test]
fn rsa_keys_count_from_2048_bits_to_openssh_s_largest() {
    let k = Keys::new();
    // 1024 bits: OpenSSH takes it; gate does not count it, and says so.
    let key = k.make("rsa1024", "rsa", Some("1024"));
    let signers = k.list("dave@example.com", "rsa1024");
    let (r, _) = openssh_signed(&k, &signers, &key, "dave@example.com");
    assert_eq!(verdicts(&r), [UNSIGNED, "dave@example.com:unsupported_key"]);
    put(&r);
    let run = override_cmd(&r, "approve", &[O, "--key", &key], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("1024 bits"), "{}", run.stderr);
    // A 1024-bit RSA CA: OpenSSH takes its certificates; gate does not.
    let ca = k.make("ca1024", "rsa", Some("1024"));
    let user = k.make("carl", "ed25519", None);
    let cert = k.certify(&ca, &user, "carl", "carl@example.com", "-5m:+1h");
    let signers = k.list("*@example.com cert-authority", "ca1024");
    let (r, sig) = openssh_signed(&k, &signers, &cert, "carl@example.com");
    assert_eq!(verdicts(&r), [UNSIGNED, "carl@example.com:bad_signature"]);
    let f = k.write("carl.sig", &sig);
    put(&r);
    let run = approve_file(&r, &f, "carl@example.com");
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("RSA key of 1024 bits"),
        "{}",
        run.stderr
    );
    // 8192 bits (generated once, committed: it takes half a minute), over
    // ssh-key's 4096: what ssh-keygen accepts, gate counts (the unit tests
    // in src/overrides/sshsig.rs).
    let fixtures = crate::support::fixtures().join("ssh");
    let public = std::fs::read_to_string(fixtures.join("rsa8192.pub")).unwrap();
    let public: Vec<&str> = public.split_whitespace().take(2).collect();
    let signers = k.write(
        "big.signers",
        &format!("big@example.com {}\n", public.join(" ")),
    );
    let sig = std::fs::read_to_string(fixtures.join("rsa8192-over-payload.sig")).unwrap();
    assert!(k.openssh_accepts(&signers, "big@example.com", &sig, b"payload\n"));
    // And a certificate from an 8192-bit CA, likewise.
    let ca = std::fs::read_to_string(fixtures.join("ca-rsa8192.pub")).unwrap();
    let ca: Vec<&str> = ca.split_whitespace().take(2).collect();
    let signers = k.write(
        "ca.signers",
        &format!("*@example.com cert-authority {}\n", ca.join(" ")),
    );
    let sig =
        std::fs::read_to_string(fixtures.join("cert-from-rsa8192-ca-over-payload.sig")).unwrap();
    assert!(k.openssh_accepts(&signers, "carol@example.com", &sig, b"payload\n"));
}

/// An RSA signature one byte shorter than its modulus (its leading zero
/// dropped), as other signers than OpenSSH may write it: OpenSSH pads it
/// back and accepts it, and so does gate.
#[test]
fn a_short_rsa_signature_counts_as_openssh_pads_it() {
    let k = Keys::new();
    let key = k.make("rsa", "rsa", Some("2048"));
    let signers = k.list("dave@example.com", "rsa");
    let r = signed_repo(&signers, 1, "");
    // About one signature in 256 begins with a zero byte: vary the reason
    // until one does.
    for i in 0..4000 {
        let mut v = live_override("staging", &head(&r), FAIL_HASH, &["schema", "policy"]);
        v["approved_by"] = "alice@example.com".into();
        v["reason"] = format!("attempt {i}").into();
        put_override(&r, "staging", "o.json", &v);
        let data = payload(&r);
        let sig = k.sign(&key, "gate-override", &data, &[]);
        let Some(short) = without_leading_zero(&sig) else {
            continue;
        };
        assert!(k.openssh_accepts(&signers, "dave@example.com", &short, &data));
        attach(&r, "dave@example.com", &short);
        assert_eq!(verdicts(&r), [UNSIGNED, "dave@example.com:counted"]);
        return;
    }
    panic!("no signature of 4000 began with a zero byte");
}

/// The SSHSIG with its RSA signature's leading zero byte dropped, if it
/// has one.
fn without_leading_zero(armoured: &str) -> Option<String> {
    let bytes = sk::unarmour(armoured);
    let field = |at: usize| -> (usize, usize) {
        let n = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        (at + 4, at + 4 + n)
    };
    // "SSHSIG", version, then key, namespace, reserved, hash, signature.
    let mut at = 10;
    for _ in 0..4 {
        at = field(at).1;
    }
    let (sig_start, sig_end) = field(at);
    let (alg_start, alg_end) = field(sig_start);
    let (raw_start, raw_end) = field(alg_end);
    assert_eq!(raw_end, sig_end);
    if bytes[raw_start] != 0 {
        return None;
    }
    let mut sig = Vec::new();
    sk::string(&mut sig, &bytes[alg_start..alg_end]);
    sk::string(&mut sig, &bytes[raw_start + 1..raw_end]);
    let mut out = bytes[..at].to_vec();
    sk::string(&mut out, &sig);
    Some(sk::armour(&out))
}

/// A `valid-after` written without `Z` begins where ssh-keygen says it
/// does: in a zone with summer time, at the hour clocks go back and at the
/// hour they skip (ssh-keygen reads it as standard time).
#[test]
fn local_valid_after_begins_where_openssh_says() {
    use gate::inputs::allowed_signers::{absolute_time, Zone};
    const BERLIN: &str = "CET-1CEST,M3.5.0,M10.5.0/3";
    let k = Keys::new();
    let key = k.make("dave", "ed25519", None);
    let data = b"over these bytes";
    let sig = k.sign(&key, "gate-override", data, &[]);
    let s = k.write("sig", &sig);
    let zone = Zone::fixed(jiff::tz::TimeZone::posix(BERLIN).unwrap());
    for local in ["20260701", "20260101", "202610250230", "202603290230"] {
        let signers = k.write(
            "signers",
            &format!(
                "dave@example.com valid-after=\"{local}\" {}\n",
                k.public("dave")
            ),
        );
        let begins = absolute_time(local, &zone).unwrap();
        let openssh = |at: jiff::Timestamp| {
            let when = format!("verify-time={}", at.strftime("%Y%m%d%H%M%SZ"));
            let mut child = Command::new("ssh-keygen")
                .args(["-Y", "verify", "-f", &signers, "-I", "dave@example.com"])
                .args(["-n", "gate-override", "-s", &s, "-O", &when])
                .env("TZ", BERLIN)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("ssh-keygen (openssh-client) is installed: .ci/run installs it");
            use std::io::Write;
            child.stdin.take().unwrap().write_all(data).unwrap();
            child.wait().unwrap().success()
        };
        let before = begins - jiff::SignedDuration::from_secs(1);
        assert_eq!((openssh(before), openssh(begins)), (false, true), "{local}");
    }
}
