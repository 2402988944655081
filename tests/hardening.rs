//! The bad-input matrix: every input of `evaluate` and `check` and the log
//! of `audit verify`, fed each kind of bad input through the real binary.
//! For each: no panic, never ALLOW or GO, done within seconds, and a
//! message naming the file.
//!
//! A UTF-8 byte-order mark and CRLF line ends are not bad input: for those
//! the decision must be the same as for the plain file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::{
    artifact, check_staging, gate_in, head, live_override, promote_pii, Repo, Run, PII_HASH,
};

/// Kinds of bad input.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bad {
    Empty,
    RandomBytes,
    NonUtf8,
    Bom,
    Crlf,
    Huge,
    DeepJson,
    AliasBomb,
    Directory,
    Missing,
    SymlinkLoop,
    Unreadable,
    /// A named pipe: opening one waits for a writer.
    Fifo,
}

const ALL: &[Bad] = &[
    Bad::Empty,
    Bad::RandomBytes,
    Bad::NonUtf8,
    Bad::Bom,
    Bad::Crlf,
    Bad::Huge,
    Bad::DeepJson,
    Bad::AliasBomb,
    Bad::Directory,
    Bad::Missing,
    Bad::SymlinkLoop,
    Bad::Unreadable,
    Bad::Fifo,
];

/// Deterministic noise.
fn noise(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Puts bad input `bad` at `path`, whose good content is `good`.
/// Returns false when the case cannot be made here (root reads anything).
fn make(path: &Path, good: &[u8], bad: Bad) -> bool {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_dir_all(path);
    match bad {
        Bad::Empty => std::fs::write(path, b"").unwrap(),
        Bad::RandomBytes => std::fs::write(path, noise(4096)).unwrap(),
        Bad::NonUtf8 => {
            let mut b = good.to_vec();
            b.insert(b.len() / 2, 0xff);
            std::fs::write(path, b).unwrap();
        }
        Bad::Bom => {
            let mut b = b"\xef\xbb\xbf".to_vec();
            b.extend_from_slice(good);
            std::fs::write(path, b).unwrap();
        }
        Bad::Crlf => {
            std::fs::write(path, String::from_utf8_lossy(good).replace('\n', "\r\n")).unwrap()
        }
        Bad::Huge => std::fs::File::create(path)
            .unwrap()
            .set_len(50 * 1024 * 1024)
            .unwrap(),
        Bad::DeepJson => std::fs::write(
            path,
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        )
        .unwrap(),
        Bad::AliasBomb => {
            let mut t = String::from(
                "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
            );
            for i in 0..9 {
                let p = if i == 0 {
                    "a".to_string()
                } else {
                    format!("b{}", i - 1)
                };
                t.push_str(&format!(
                    "b{i}: &b{i} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
                ));
            }
            std::fs::write(path, t).unwrap();
        }
        Bad::Directory => {
            std::fs::create_dir_all(path).unwrap();
            std::fs::write(path.join("inside"), b"x").unwrap();
        }
        Bad::Missing => {}
        Bad::SymlinkLoop => {
            #[cfg(unix)]
            std::os::unix::fs::symlink(path.file_name().unwrap(), path).unwrap();
            #[cfg(not(unix))]
            return false;
        }
        Bad::Fifo => {
            let made = std::process::Command::new("mkfifo").arg(path).status();
            if !made.is_ok_and(|s| s.success()) {
                return false; // no mkfifo here (Windows)
            }
        }
        Bad::Unreadable => {
            std::fs::write(path, good).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
            }
            if std::fs::read(path).is_ok() {
                return false; // running as root: nothing is unreadable
            }
        }
    }
    true
}

/// One input: where it lives, its good content, and the command that reads it.
struct Input {
    name: &'static str,
    /// Path relative to the repository, or (`outside`) to a folder beside
    /// it, so that writing it leaves the work tree clean.
    rel: &'static str,
    outside: bool,
    good: Vec<u8>,
    /// The command line, given the repository and the input's path.
    args: fn(&Repo, &Path) -> Vec<String>,
    /// Whether an empty file is valid input (and may be allowed).
    empty_ok: bool,
    /// Whether gate finds it itself (no flag names it): then its absence is
    /// a valid state, not a missing input.
    discovered: bool,
    /// Cases that are alterations of a byte-exact file (the audit log) and
    /// must be refused, though elsewhere they decide like the plain file.
    altered: &'static [Bad],
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(
        crate::support::fixtures()
            .join("repos/release_ok")
            .join(rel),
    )
    .unwrap()
}

fn inputs(sha: &str) -> Vec<Input> {
    let pass = std::fs::read(artifact("checks_pass.json")).unwrap();
    let over =
        serde_json::to_vec_pretty(&live_override("staging", sha, PII_HASH, &["pii"])).unwrap();
    let over_named = over.clone();
    vec![
        Input {
            name: "locc artifact (evaluate)",
            outside: true,
            rel: "ci/locc.json",
            good: pass,
            args: |r, p| {
                let mut a = s(&[
                    "evaluate",
                    "--env",
                    "staging",
                    "--ci-status",
                    "success",
                    "--json",
                    "--locc-artifact",
                ]);
                a.push(p.display().to_string());
                a.extend(s(&["--repo", r.path().to_str().unwrap()]));
                a
            },
            empty_ok: false,
            discovered: false,
            altered: &[],
        },
        Input {
            name: "release.yaml (evaluate prod)",
            outside: true,
            rel: "release.yaml",
            good: read("release.yaml"),
            args: |r, p| {
                let mut a = s(&[
                    "evaluate",
                    "--env",
                    "prod",
                    "--ci-status",
                    "success",
                    "--json",
                    "--locc-artifact",
                    &artifact("checks_pass.json"),
                    "--manifest",
                ]);
                a.push(p.display().to_string());
                a.extend(s(&["--repo", r.path().to_str().unwrap()]));
                a
            },
            empty_ok: false,
            discovered: false,
            altered: &[],
        },
        Input {
            name: "gate.toml (check)",
            outside: true,
            rel: "gate.toml",
            good: b"[env.staging]\nmax_override_days = 5\n".to_vec(),
            args: |r, p| {
                let mut a = s(&["check", "--ci-status", "success", "--json", "--config"]);
                a.push(p.display().to_string());
                a.extend(s(&["--repo", r.path().to_str().unwrap()]));
                a
            },
            empty_ok: false,
            discovered: false,
            altered: &[],
        },
        Input {
            name: "release.yaml (check)",
            outside: true,
            rel: "release.yaml",
            good: read("release.yaml"),
            args: |r, p| {
                let mut a = s(&["check", "--ci-status", "success", "--json", "--manifest"]);
                a.push(p.display().to_string());
                a.extend(s(&["--repo", r.path().to_str().unwrap()]));
                a
            },
            empty_ok: false,
            discovered: false,
            altered: &[],
        },
        Input {
            name: "pyproject.toml (check)",
            outside: false,
            rel: "pyproject.toml",
            good: read("pyproject.toml"),
            args: |r, _| {
                s(&[
                    "check",
                    "--ci-status",
                    "success",
                    "--json",
                    "--env",
                    "preprod",
                    "--repo",
                    r.path().to_str().unwrap(),
                ])
            },
            empty_ok: false,
            discovered: true,
            altered: &[],
        },
        Input {
            name: "override file (evaluate)",
            outside: false,
            rel: "overrides/staging/o.json",
            good: over,
            args: |r, _| {
                s(&[
                    "evaluate",
                    "--env",
                    "staging",
                    "--ci-status",
                    "success",
                    "--json",
                    "--locc-artifact",
                    &artifact("checks_pass_with_pii.json"),
                    "--repo",
                    r.path().to_str().unwrap(),
                ])
            },
            empty_ok: false,
            discovered: true,
            altered: &[],
        },
        Input {
            name: "override file (--override-file, clean artifact)",
            outside: true,
            rel: "named.json",
            good: over_named,
            args: |r, p| {
                let mut a = s(&[
                    "evaluate",
                    "--env",
                    "staging",
                    "--ci-status",
                    "success",
                    "--json",
                    "--locc-artifact",
                    &artifact("checks_pass.json"),
                    "--override-file",
                ]);
                a.push(p.display().to_string());
                a.extend(s(&["--repo", r.path().to_str().unwrap()]));
                a
            },
            empty_ok: false,
            discovered: false,
            altered: &[],
        },
        Input {
            name: "CHANGELOG.md (check preprod)",
            outside: false,
            rel: "CHANGELOG.md",
            good: read("CHANGELOG.md"),
            args: |r, _| {
                s(&[
                    "check",
                    "--ci-status",
                    "success",
                    "--json",
                    "--env",
                    "preprod",
                    "--repo",
                    r.path().to_str().unwrap(),
                ])
            },
            empty_ok: false,
            discovered: true,
            altered: &[],
        },
        Input {
            name: "audit log (audit verify)",
            outside: true,
            rel: "audit.jsonl",
            good: Vec::new(),
            args: |_, p| {
                let mut a = s(&["audit", "verify", "--json", "--log"]);
                a.push(p.display().to_string());
                a
            },
            empty_ok: true,
            discovered: false,
            altered: &[Bad::Bom, Bad::Crlf],
        },
        Input {
            name: "audit log (evaluate)",
            outside: true,
            rel: "audit.jsonl",
            good: Vec::new(),
            args: |r, p| {
                let mut a = s(&[
                    "evaluate",
                    "--env",
                    "staging",
                    "--ci-status",
                    "success",
                    "--json",
                    "--locc-artifact",
                    &artifact("checks_pass.json"),
                    "--audit-log",
                ]);
                a.push(p.display().to_string());
                a.extend(s(&["--repo", r.path().to_str().unwrap()]));
                a
            },
            empty_ok: true,
            discovered: false,
            altered: &[Bad::Crlf],
        },
    ]
    .into_iter()
    .map(|mut i| {
        if i.name.starts_with("audit log") {
            i.good = audit_log();
        }
        i
    })
    .collect()
}

/// A valid two-event log.
fn audit_log() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("a.jsonl");
    for _ in 0..2 {
        check_staging(dir.path(), &["--audit-log", log.to_str().unwrap()], &[]);
    }
    std::fs::read(log).unwrap()
}

fn run(r: &Repo, input: &Input, path: &Path) -> (Run, Duration) {
    let args = (input.args)(r, path);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let start = Instant::now();
    let run = gate_in(r.path(), &args, &[]);
    (run, start.elapsed())
}

fn proceeds(run: &Run) -> bool {
    run.code == 0 && !run.stdout.contains("\"verify\"")
}

#[test]
fn no_bad_input_gets_past_gate() {
    let base = Repo::released("release_ok", "v1.2.3");
    let sha = head(&base);
    let mut checked = 0;
    for input in inputs(&sha) {
        // The plain, good input: the reference decision.
        let place = |r: &Repo, beside: &Path| -> PathBuf {
            if input.outside {
                beside.join(input.rel)
            } else {
                r.path().join(input.rel)
            }
        };
        let r = Repo::released("release_ok", "v1.2.3");
        let beside = tempfile::tempdir().unwrap();
        let path = place(&r, beside.path());
        make(&path, &input.good, Bad::Crlf);
        std::fs::write(&path, &input.good).unwrap();
        let (good, _) = run(&r, &input, &path);
        for &bad in ALL {
            let r = Repo::released("release_ok", "v1.2.3");
            let beside = tempfile::tempdir().unwrap();
            let path = place(&r, beside.path());
            if !make(&path, &input.good, bad) {
                continue;
            }
            let (out, took) = run(&r, &input, &path);
            let what = format!("{} / {bad:?}", input.name);
            assert!(
                !out.stderr.contains("panicked") && out.code != 101,
                "{what}: panicked\n{}",
                out.stderr
            );
            assert!(took < Duration::from_secs(10), "{what}: took {took:?}");
            match bad {
                Bad::Bom | Bad::Crlf if !input.altered.contains(&bad) => {
                    assert_eq!(
                        out.code, good.code,
                        "{what}: decided differently from the plain file\n{}\n{}",
                        out.stdout, out.stderr
                    );
                }
                Bad::Empty if input.empty_ok => {}
                Bad::Missing if input.discovered => {}
                Bad::Missing if input.empty_ok && input.name.contains("evaluate") => {} // a new log
                _ => {
                    assert!(!proceeds(&out), "{what}: proceeded\n{}", out.stdout);
                    let file = Path::new(input.rel).file_name().unwrap().to_str().unwrap();
                    let said = format!("{}{}", out.stdout, out.stderr);
                    assert!(
                        said.contains(file),
                        "{what}: no message names {file}\n{said}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 76, "{checked} cases ran");
}

#[test]
fn override_folder_symlinked_outside_the_repository_is_refused() {
    let r = Repo::released("release_ok", "v1.2.3");
    let outside = tempfile::tempdir().unwrap();
    let sha = head(&r);
    std::fs::write(
        outside.path().join("o.json"),
        serde_json::to_vec(&live_override("staging", &sha, PII_HASH, &["pii"])).unwrap(),
    )
    .unwrap();
    std::fs::create_dir_all(r.path().join("overrides")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), r.path().join("overrides/staging")).unwrap();
    #[cfg(not(unix))]
    return;
    let run = promote_pii(&r, &["--json"]);
    let j = run.json();
    assert_eq!(j["decision"], "REQUIRE_OVERRIDE", "{}", run.stdout);
    assert_eq!(j["overrides"][0]["path"], "overrides/staging");
    assert!(j["overrides"][0]["failures"][0]
        .as_str()
        .unwrap()
        .contains("symbolic link"));
}

#[test]
fn override_names_with_dot_dot_are_plain_entries_or_refused() {
    let r = Repo::released("release_ok", "v1.2.3");
    // A discovered name holding `..` cannot leave the folder: it is an entry like any other.
    r.write("overrides/staging/..evil.json", "{\"approved_by\": \"x\"}");
    let run = promote_pii(&r, &["--json"]);
    let j = run.json();
    assert_eq!(j["decision"], "REQUIRE_OVERRIDE");
    assert_eq!(j["overrides"][0]["path"], "overrides/staging/..evil.json");
    assert_eq!(j["overrides"][0]["status"], "invalid");
    // And `override create` refuses them outright.
    let refused = crate::support::override_cmd(
        &r,
        "create",
        &[
            "--env",
            "staging",
            "--approved-by",
            "alice",
            "--reason",
            "r",
            "--leakage-types",
            "pii",
            "--identity-hash",
            PII_HASH,
            "--filename",
            "..evil.json",
        ],
        &[],
    );
    assert_eq!(refused.code, 2);
}

#[test]
fn limits_are_enforced_with_their_reason() {
    // More than 256 entries in an overrides folder.
    let r = Repo::released("release_ok", "v1.2.3");
    for i in 0..260 {
        r.write(&format!("overrides/staging/o{i:03}.json"), "{}");
    }
    let run = promote_pii(&r, &["--json"]);
    let j = run.json();
    let overrides = j["overrides"].as_array().unwrap();
    assert_eq!(overrides.len(), 257);
    assert!(
        overrides[256]["failures"][0]
            .as_str()
            .unwrap()
            .contains("more than 256 entries"),
        "{}",
        overrides[256]
    );
    // An audit line over 1 MiB.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("a.jsonl");
    std::fs::write(&log, format!("{{\"x\":\"{}\"}}\n", "a".repeat(2 << 20))).unwrap();
    let v = gate_in(
        dir.path(),
        &["audit", "verify", "--log", log.to_str().unwrap(), "--json"],
        &[],
    );
    assert_eq!(v.code, 1);
    assert!(v.stdout.contains("TAMPERED"), "{}", v.stdout);
    // Nesting deeper than 32 in an audit line.
    std::fs::write(
        &log,
        format!("{{\"x\":{}{}}}\n", "[".repeat(40), "]".repeat(40)),
    )
    .unwrap();
    let v = gate_in(
        dir.path(),
        &["audit", "verify", "--log", log.to_str().unwrap(), "--json"],
        &[],
    );
    assert!(v.stdout.contains("nested deeper than 32"), "{}", v.stdout);
}

/// Byte-offset slicing of user text panicked on multi-byte characters (the
/// override_file fuzz target found the first one): a `--sha` of any text,
/// and an audit log whose events carry one, must be reported, not crash.
#[test]
fn regression_non_ascii_text_where_hex_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["text", "json", "markdown", "junit"] {
        let run = gate_in(
            dir.path(),
            &[
                "evaluate",
                "--env",
                "staging",
                "--sha",
                "aééééééééééééééé",
                "--locc-artifact",
                &artifact("checks_pass.json"),
                "--ci-status",
                "success",
                "--format",
                format,
            ],
            &[],
        );
        assert!(
            !run.stderr.contains("panicked") && run.code != 101,
            "{format}: {}",
            run.stderr
        );
    }
    let log = dir.path().join("a.jsonl");
    std::fs::write(
        &log,
        "{\"event_type\":\"X\",\"sha\":\"aééééééééééééééé\",\"ts\":\"2026-11-21T00:00:00Z\"}\n",
    )
    .unwrap();
    for args in [
        &["audit", "show", "--log"][..],
        &["audit", "report", "--log"][..],
    ] {
        let mut a = args.to_vec();
        a.push(log.to_str().unwrap());
        let run = gate_in(dir.path(), &a, &[]);
        assert!(
            !run.stderr.contains("panicked") && run.code != 101,
            "{args:?}: {}",
            run.stderr
        );
    }
}

/// Inputs inside the 16 MiB limit built to make a parser or a check slow:
/// libyaml's simple-key scan costs the flow nesting per token (a release.yaml
/// of `[` ran for over ten minutes); threshold ids were checked for repeats
/// pairwise, and every environment and every located error cost the whole
/// file (gate.toml files of 200,000 thresholds or 300,000 environments ran
/// for minutes); so did each dependency's line in package.json and
/// pyproject.toml.
#[test]
fn regression_worst_cases_within_the_size_limit_end_within_seconds() {
    let r = Repo::released("release_ok", "v1.2.3");
    let timed = |args: &[&str]| {
        let start = Instant::now();
        let run = crate::support::check(&r, args);
        let took = start.elapsed();
        assert!(took < Duration::from_secs(10), "{args:?}: took {took:?}");
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert_ne!(run.code, 0, "{args:?}: GO\n{}", run.stdout);
        run
    };
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("release.yaml");
    let path = yaml.to_str().unwrap();

    // Deep flow nesting: refused before the YAML parser sees it.
    let mut text = String::from("version: \"1.2.3\"\nnot_applicable: ");
    text.push_str(&"[".repeat((1 << 20) - text.len() - 1));
    std::fs::write(&yaml, &text).unwrap();
    let run = timed(&["--manifest", path]);
    assert!(
        run.stderr.contains("release.yaml:2:145: ")
            && run.stderr.contains("more than 128 flow collections"),
        "{}",
        run.stderr
    );
    // A manifest over 1 MiB, though under the 16 MiB input limit.
    let mut text = String::from("version: \"1.2.3\"\n");
    text.push_str(&"# padding\n".repeat(110_000));
    std::fs::write(&yaml, &text).unwrap();
    let run = timed(&["--manifest", path]);
    assert!(
        run.stderr.contains("over the 1 MiB limit for YAML"),
        "{}",
        run.stderr
    );

    // gate.toml: its tables are counted before they are validated, and
    // validation stops after 50 problems.
    let toml = dir.path().join("gate.toml");
    let config = toml.to_str().unwrap();
    let cases: [(String, &str); 3] = [
        (
            (0..2_000)
                .map(|i| format!("[env.e{i}]\nextends = \"prod\"\n"))
                .collect(),
            "gate.toml: holds 2000 [env.*] tables, over the limit of 64",
        ),
        (
            (0..5_000)
                .map(|i| {
                    format!("[[thresholds]]\nid = \"t{i}\"\nfile = \"q.json\"\npointer = \"/v\"\nmin = 1\n")
                })
                .collect(),
            "gate.toml:5122:6: holds 5000 [[thresholds]], over the limit of 1024",
        ),
        (
            format!(
                "[env.staging]\nrequired = [{}]\n",
                (0..100_000).map(|i| format!("\"x{i}\"")).collect::<Vec<_>>().join(",")
            ),
            "gate.toml: stopped after 50 problems; fix these and run again",
        ),
    ];
    for (text, said) in cases {
        std::fs::write(&toml, text).unwrap();
        let run = timed(&["--config", config]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(said), "{said}\n{}", run.stderr);
        assert!(run.stderr.lines().count() <= 52, "{}", run.stderr);
    }
    std::fs::remove_file(&toml).unwrap();

    // A package.json of 20,000 unpinned dependencies: each one's line was
    // found by searching from the top of the file. Decided (NO-GO), not stuck.
    let deps: Vec<String> = (0..20_000)
        .map(|i| format!("\"p{i}\": \"^1.{i}\""))
        .collect();
    r.write(
        "package.json",
        format!(
            "{{\n\"version\": \"1.2.3\",\n\"dependencies\": {{\n{}\n}}}}\n",
            deps.join(",\n")
        ),
    );
    let run = timed(&["--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // The message names ten; `locations` holds every one.
    assert!(
        run.stdout.contains("dependencies are not pinned exactly: ")
            && run
                .stdout
                .contains(", and 19990 more. This looks like a published package"),
        "{}",
        &run.stdout[..2000.min(run.stdout.len())]
    );
    // `p19998`, on line 4 + 19998, located in the same pass as the rest.
    assert_eq!(line_of_dep(&run, "p19998"), Some(20002));

    // And so was each dependency's in pyproject.toml (and Cargo.toml).
    std::fs::remove_file(r.path().join("package.json")).unwrap();
    let deps: Vec<String> = (0..20_000).map(|i| format!("  \"p{i}>=1\",")).collect();
    r.write(
        "pyproject.toml",
        format!(
            "[project]\nname = \"x\"\nversion = \"1.2.3\"\ndependencies = [\n{}\n]\n",
            deps.join("\n")
        ),
    );
    let run = timed(&["--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // `p19998`, on line 5 + 19998.
    assert_eq!(line_of_dep(&run, "p19998"), Some(20003));
}

/// The line `deps_pinned` gives for dependency `name`.
fn line_of_dep(run: &Run, name: &str) -> Option<u64> {
    let j = run.json();
    let f = j["findings"]
        .as_array()?
        .iter()
        .find(|f| f["id"] == "deps_pinned")?;
    f["locations"]
        .as_array()?
        .iter()
        .find(|l| l["message"].as_str().and_then(|m| m.split(' ').next()) == Some(name))?["line"]
        .as_u64()
}
