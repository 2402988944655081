//! Bad input: every case exits 2 with a message naming the file (and line
//! and column where they apply), never panics, never says GO.

use crate::support::{check, Repo, Run};

const OK: &str = "release_ok";

/// The fixture, committed and tagged, after `change`.
fn with(change: impl FnOnce(&Repo)) -> Repo {
    let r = Repo::files(OK);
    change(&r);
    r.init();
    r.commit_all("release");
    r.tag("v1.2.3");
    r
}

/// Asserts an input error in both formats and returns the text run.
fn input_error(r: &Repo, args: &[&str], file: &str) -> Run {
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let j = check(r, &json_args);
    assert_eq!(j.code, 2, "{}{}", j.stdout, j.stderr);
    let v = j.json();
    assert_eq!(v["decision"], "NO-GO");
    assert_eq!(v["exit_code"], 2);
    assert_eq!(v["error"]["kind"], "input", "{v}");
    let first = &v["error"]["errors"][0];
    assert!(first["file"].as_str().unwrap().ends_with(file), "{first}");
    let text = check(r, args);
    assert_eq!(text.code, 2);
    assert!(text.stderr.starts_with("error: "), "{}", text.stderr);
    assert!(text.stderr.contains(file), "{}", text.stderr);
    assert!(!text.stdout.contains("Decision: GO"));
    assert!(!text.stderr.contains("panicked"), "{}", text.stderr);
    text
}

#[test]
fn malformed_yaml_names_line_and_column() {
    let r = with(|r| {
        r.write(
            "release.yaml",
            "version: \"1.2.3\"\nattestations:\n  rollback_tested: {answer: true, by: \"Jane\"\n",
        );
    });
    let run = input_error(&r, &["--ci-status", "success"], "release.yaml");
    // The whole message is the golden case `bad_yaml`.
    assert!(run.stderr.contains("line 3 column 20"), "{}", run.stderr);
}

#[test]
fn unknown_attestation_key_suggests_the_right_one() {
    let r = with(|r| {
        r.edit("release.yaml", "  oncall_notified:", "  oncall_notifed:");
    });
    let run = input_error(&r, &["--ci-status", "success"], "release.yaml");
    // The whole message is the golden case `unknown_attestation`.
    assert!(
        run.stderr.contains("did you mean `oncall_notified`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_manifest_is_an_error_when_attestations_are_required() {
    let r = with(|r| {
        r.remove("release.yaml");
    });
    let run = input_error(&r, &["--ci-status", "success"], "release.yaml");
    assert!(
        run.stderr.contains(
            "not found: run `gate init` to write one (the required attested checks read it)"
        ),
        "{}",
        run.stderr
    );
    // The AUTO findings are judged and shown beside the error.
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.status("ci_status"), "PASS", "{}", run.stdout);
    assert!(run.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("gate init"));
    // An explicit --manifest that does not exist is always an error.
    let r = Repo::empty();
    input_error(
        &r,
        &[
            "--env",
            "staging",
            "--manifest",
            "nope.yaml",
            "--ci-status",
            "success",
        ],
        "nope.yaml",
    );
}

#[test]
fn directory_where_a_file_should_be() {
    let r = with(|r| {
        r.remove("release.yaml");
        std::fs::create_dir_all(r.path().join("release.yaml")).unwrap();
        std::fs::write(r.path().join("release.yaml/keep"), "").unwrap();
    });
    let run = input_error(&r, &["--ci-status", "success"], "release.yaml");
    assert!(
        run.stderr.contains("is a directory; expected a file"),
        "{}",
        run.stderr
    );
}

#[test]
fn non_utf8_bytes_are_located() {
    let r = with(|r| {
        r.write("release.yaml", b"version: \"1.2.3\"\nattestations:\n  rollback_tested: {answer: true, by: \"J\xffne\"}\n");
    });
    let run = input_error(&r, &["--ci-status", "success"], "release.yaml");
    assert!(
        run.stderr.contains("release.yaml:3:41: not valid UTF-8"),
        "{}",
        run.stderr
    );
}

#[test]
fn bom_and_crlf_are_accepted() {
    let r = with(|r| {
        let text = std::fs::read_to_string(r.path().join("release.yaml"))
            .unwrap()
            .replace('\n', "\r\n");
        r.write("release.yaml", format!("\u{feff}{text}"));
        let toml = std::fs::read_to_string(r.path().join("pyproject.toml"))
            .unwrap()
            .replace('\n', "\r\n");
        r.write("pyproject.toml", format!("\u{feff}{toml}"));
        r.write("gate.toml", "\u{feff}changelog = \"CHANGELOG.md\"\r\n");
    });
    let run = check(&r, &["--ci-status", "success"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn oversize_file_is_refused_before_parsing() {
    let r = with(|r| {
        let f = std::fs::File::create(r.path().join("release.yaml")).unwrap();
        f.set_len(17 * 1024 * 1024).unwrap();
    });
    let run = input_error(&r, &["--ci-status", "success"], "release.yaml");
    assert!(
        run.stderr.contains("over the 16 MiB limit for input files"),
        "{}",
        run.stderr
    );
}

#[test]
fn malformed_gate_toml_names_line_and_every_problem() {
    let r = with(|r| {
        r.write(
            "gate.toml",
            "[env.prod]\nrequired = [\"chnagelog\", \"ci_status\"]\nforbid_na = [\"nope\"]\n",
        );
    });
    let run = input_error(&r, &["--ci-status", "success"], "gate.toml");
    // The whole message is the golden case `bad_gate_toml`.
    for want in ["gate.toml:2:", "chnagelog", "gate.toml:3:", "nope"] {
        assert!(run.stderr.contains(want), "{want}: {}", run.stderr);
    }
    let r = with(|r| {
        r.write("gate.toml", "changelog = \n");
    });
    let run = input_error(&r, &["--ci-status", "success"], "gate.toml");
    assert!(run.stderr.contains("gate.toml:1:"), "{}", run.stderr);
    let r = with(|r| {
        r.write("gate.toml", "[env.prod]\nmax_overide_days = 2\n");
    });
    let run = input_error(&r, &["--ci-status", "success"], "gate.toml");
    assert!(
        run.stderr.contains(
            "gate.toml:2:1: unknown key `max_overide_days`; did you mean `max_override_days`?"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn malformed_project_manifests_are_located() {
    let r = with(|r| {
        r.write(
            "pyproject.toml",
            "[project]\nversion = \"1.2.3\"\ndependencies = \"httpx\"\n",
        );
    });
    let run = input_error(&r, &["--ci-status", "success"], "pyproject.toml");
    assert!(run.stderr.contains("pyproject.toml:3:"), "{}", run.stderr);
    let r = with(|r| {
        r.write("package.json", "{\"version\": \"1.2.3\",,}\n");
    });
    let run = input_error(&r, &["--ci-status", "success"], "package.json");
    assert!(run.stderr.contains("package.json:1:"), "{}", run.stderr);
}

#[test]
fn not_a_git_repository_is_an_error_where_git_is_read() {
    let r = Repo::files(OK);
    let run = input_error(&r, &["--ci-status", "success"], "");
    assert!(
        run.stderr.contains("not a git repository"),
        "{}",
        run.stderr
    );
    let run = check(
        &Repo::empty(),
        &["--repo", "/nonexistent/gate-test", "--ci-status", "success"],
    );
    assert_eq!(run.code, 2);
}

#[test]
fn missing_explicit_config_is_an_error() {
    let r = Repo::files(OK);
    input_error(
        &r,
        &["--config", "missing.toml", "--ci-status", "success"],
        "missing.toml",
    );
}

// Usage errors are the golden cases `usage_*`.

#[cfg(unix)]
#[test]
fn unreadable_file_and_symlink_loop_are_named() {
    use std::os::unix::fs::PermissionsExt;
    let r = with(|_| {});
    std::os::unix::fs::symlink("gate.toml", r.path().join("gate.toml.tmp")).unwrap();
    std::fs::rename(r.path().join("gate.toml.tmp"), r.path().join("gate.toml")).unwrap();
    let run = input_error(&r, &["--ci-status", "success"], "gate.toml");
    assert!(run.stderr.contains("symbolic links"), "{}", run.stderr);
    std::fs::remove_file(r.path().join("gate.toml")).unwrap();
    // Root reads anything; the permission case only means something otherwise.
    let p = r.path().join("release.yaml");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_err() {
        let run = input_error(&r, &["--ci-status", "success"], "release.yaml");
        assert!(run.stderr.contains("permission denied"), "{}", run.stderr);
    }
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
}
