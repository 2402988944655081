//! `gate check`: one fully passing repository, then failing variants that
//! assert on findings' fields (the messages of the others are golden cases
//! under `tests/cases/check_*`).

use crate::support::{check, Repo};

const OK: &str = "release_ok";

fn ok_repo() -> Repo {
    Repo::released(OK, "v1.2.3")
}

// ------------------------------------------------------------------ release_point

#[test]
fn staged_change_is_dirty() {
    let r = ok_repo();
    r.write("staged.txt", "s");
    let repo = r.git();
    let mut index = repo.index().unwrap();
    index.add_path(std::path::Path::new("staged.txt")).unwrap();
    index.write().unwrap();
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.status("release_point"), "FAIL");
    assert!(run.finding("release_point")["message"]
        .as_str()
        .unwrap()
        .contains("A staged.txt"));
}

#[test]
fn annotated_and_bare_version_tags_pass() {
    let r = Repo::files(OK);
    r.init();
    r.commit_all("release");
    r.annotated_tag("v1.2.3");
    assert_eq!(
        check(&r, &["--ci-status", "success", "--json"]).status("release_point"),
        "PASS"
    );
    let r = Repo::released(OK, "1.2.3");
    assert_eq!(
        check(&r, &["--ci-status", "success", "--json"]).status("release_point"),
        "PASS"
    );
}

#[test]
fn detached_head_is_checked_like_any_head() {
    // CI checks tags out detached: a tagged, clean detached HEAD is a release point.
    let r = ok_repo();
    r.detach();
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.status("release_point"), "PASS");
    assert!(run.finding("release_point")["message"]
        .as_str()
        .unwrap()
        .contains("detached HEAD"));
    let r = Repo::files(OK);
    r.init();
    r.commit_all("release");
    r.detach();
    let run = check(&r, &["--ci-status", "success", "--json"]);
    assert_eq!(run.status("release_point"), "FAIL");
    assert!(
        run.finding("release_point")["message"]
            .as_str()
            .unwrap()
            .contains("at detached HEAD"),
        "{}",
        run.stdout
    );
}

#[test]
fn repo_path_inside_a_subfolder_fails_clearly() {
    let outer = Repo::empty();
    outer.init();
    let sub = outer.path().join("service");
    for e in std::fs::read_dir(crate::support::fixtures().join("repos").join(OK)).unwrap() {
        let e = e.unwrap();
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::copy(e.path(), sub.join(e.file_name())).unwrap();
    }
    outer.commit_all("release");
    outer.tag("v1.2.3");
    let run = crate::support::gate_in(
        outer.path(),
        &[
            "check",
            "--repo",
            "service",
            "--ci-status",
            "success",
            "--json",
        ],
        &[],
    );
    assert_eq!(run.code, 1);
    let msg = run.finding("release_point")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("--repo is a subfolder of the git work tree at"),
        "{msg}"
    );
}
