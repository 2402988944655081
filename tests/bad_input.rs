//! Bad input: every case exits 2 with a message naming the file (and line
//! and column where they apply), never panics, never says GO. Those a case
//! file can build are golden cases (`tests/cases/input_*`, `bad_*`); these
//! need bytes, sizes or file modes TOML cannot write.

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
