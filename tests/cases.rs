//! Golden CLI cases as data. Each folder of `tests/cases/` holds
//! `case.toml` (what it shows, the repository it builds, the command, its
//! environment and exit code) and the `stdout` and `stderr` the binary must
//! print, with the repository's path written `[REPO]` and the fixtures'
//! `[FIXTURES]`. This one harness runs them all; `GATE_BLESS=1` rewrites
//! the expected files from what the binary printed.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{fixtures, gate_in, Repo};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case shows, in a sentence.
    #[allow(dead_code)]
    about: String,
    /// `fixtures/repos/<repo>`, committed (and tagged with `tag`); none: an
    /// empty folder.
    repo: Option<String>,
    tag: Option<String>,
    /// Files written before the commit (so committed).
    #[serde(default)]
    files: BTreeMap<String, String>,
    /// A fixture's file changed before the commit: `[from, to]`, as
    /// `Repo::edit` does, so a case need not copy the whole file.
    #[serde(default)]
    edit: BTreeMap<String, [String; 2]>,
    /// Files written after the commit (uncommitted changes).
    #[serde(default)]
    write: BTreeMap<String, String>,
    /// The arguments after `gate`.
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    code: i32,
}

fn build(case: &Case) -> Repo {
    let r = match &case.repo {
        Some(name) => {
            let r = Repo::files(name);
            for (file, text) in &case.files {
                r.write(file, text);
            }
            for (file, [from, to]) in &case.edit {
                r.edit(file, from, to);
            }
            r.init();
            r.commit_all("release");
            if let Some(t) = &case.tag {
                r.tag(t);
            }
            r
        }
        None => Repo::empty(),
    };
    for (file, text) in &case.write {
        r.write(file, text);
    }
    r
}

/// Runs one case; what differs from the expected files, if anything.
fn run(dir: &Path, bless: bool) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(dir.join("case.toml")).unwrap();
    let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
    let r = build(&case);
    let (repo, fix) = (r.path().to_str().unwrap(), fixtures());
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| {
            a.replace("[REPO]", repo)
                .replace("[FIXTURES]", fix.to_str().unwrap())
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let env: Vec<(&str, &str)> = case
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let out = gate_in(r.path(), &args, &env);
    // Only the two paths are written as placeholders: anything else,
    // a JSON string's `\"` included, is compared as printed.
    let redact = |t: &str| {
        t.replace(repo, "[REPO]")
            .replace(fix.to_str().unwrap(), "[FIXTURES]")
    };
    let printed = [
        ("stdout", redact(&out.stdout)),
        ("stderr", redact(&out.stderr)),
    ];
    if bless {
        for (file, text) in &printed {
            std::fs::write(dir.join(file), text).unwrap();
        }
        return Vec::new();
    }
    let mut problems = Vec::new();
    if out.code != case.code {
        problems.push(format!(
            "{name}: exit {} (expected {})",
            out.code, case.code
        ));
    }
    // Windows writes paths with `\`: there both sides are compared with
    // every `\` as `/`.
    let same = |a: &str, b: &str| {
        a == b || (cfg!(windows) && a.replace('\\', "/") == b.replace('\\', "/"))
    };
    for (file, text) in &printed {
        let want = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        if !same(text, &want) {
            problems.push(format!(
                "{name}/{file} differs (GATE_BLESS=1 rewrites it)\n--- expected\n{want}\n--- printed\n{text}"
            ));
        }
    }
    problems
}

#[test]
fn golden_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let bless = std::env::var_os("GATE_BLESS").is_some();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 10,
        "the cases are missing from {}",
        root.display()
    );
    let problems: Vec<String> = dirs.iter().flat_map(|d| run(d, bless)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
