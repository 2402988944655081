//! Golden CLI cases as data. Each folder of `tests/cases/` holds
//! `case.toml` (what it shows, the repository it builds, the command, its
//! environment and exit code) and the `stdout` and `stderr` the binary must
//! print, with the repository's path written `[REPO]`, the fixtures'
//! `[FIXTURES]` and instants of the clock `[TIME]`. A case of several runs
//! in one repository lists them as `[[step]]`s, each with the files it
//! writes or removes first (and commits, if it says so), and its outputs are
//! `1.stdout`, `1.stderr`, `2.stdout`, and so on. This one harness runs
//! them all; `GATE_BLESS=1` rewrites the expected files from what the
//! binary printed.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{copy_dir, fixtures, gate_in, Repo};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case shows, in a sentence.
    #[allow(dead_code)]
    about: String,
    /// `fixtures/repos/<repo>`, committed (and tagged with `tag`); none: an
    /// empty folder.
    repo: Option<String>,
    /// The folder of the repository the fixture's files are copied into
    /// (a package in a subfolder); none: its root. `files`, `edit` and
    /// `delete` name paths from the repository's root either way.
    under: Option<String>,
    tag: Option<String>,
    /// How far the fixture is made a repository: `"commit"` (the default),
    /// `"init"` (a repository with no commit yet) or `"none"` (a folder).
    git: Option<String>,
    /// Files written before the commit (so committed), after `delete`.
    #[serde(default)]
    files: BTreeMap<String, String>,
    /// Changes to the fixture's files before the commit, as `Repo::edit`
    /// makes them: `[file, from, to]`, so a case need not copy a file to
    /// change one line of it.
    #[serde(default)]
    edit: Vec<[String; 3]>,
    /// The fixture's files removed before the commit.
    #[serde(default)]
    delete: Vec<String>,
    /// One run, given by the fields of a [`Step`] at the top: its files
    /// are `stdout` and `stderr`.
    #[serde(default)]
    write: BTreeMap<String, String>,
    args: Option<Vec<String>>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    code: Option<i32>,
    /// Several runs, one after another in the same repository: the files
    /// of the first are `1.stdout` and `1.stderr`, and so on.
    #[serde(default)]
    step: Vec<Step>,
}

/// One run of the binary, and what is done to the repository before it.
#[derive(serde::Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Step {
    /// Files written before the run (uncommitted, unless `commit`).
    #[serde(default)]
    write: BTreeMap<String, String>,
    /// Files written and added to the index, not committed.
    #[serde(default)]
    stage: BTreeMap<String, String>,
    /// Files changed before the run: `[file, from, to]`.
    #[serde(default)]
    edit: Vec<[String; 3]>,
    /// Files removed before the run.
    #[serde(default)]
    remove: Vec<String>,
    /// Commits everything, with this message, after the changes above.
    commit: Option<String>,
    /// Then tags HEAD with this name (moving the tag if it is taken).
    tag: Option<String>,
    /// Then adds an annotated tag of this name (one not taken yet).
    annotated_tag: Option<String>,
    /// Then detaches HEAD at its commit, as CI checks a tag out.
    #[serde(default)]
    detach: bool,
    /// The arguments after `gate`: `[REPO]`, `[FIXTURES]` and `[HEAD]`
    /// (the commit checked out) are filled in, here and in `env`.
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    code: i32,
    /// Files the run writes (a decision record, a metrics file, a log),
    /// compared as its outputs are: `a/b.json` is expected in `1.a_b.json`,
    /// and a file the run did not write as `(not written)`.
    #[serde(default)]
    read: Vec<String>,
}

fn build(name: &str, case: &Case) -> Repo {
    let Some(fixture) = &case.repo else {
        return Repo::empty();
    };
    let r = match &case.under {
        None => Repo::files(fixture),
        Some(folder) => {
            let r = Repo::empty();
            copy_dir(
                &fixtures().join("repos").join(fixture),
                &r.path().join(folder),
            );
            r
        }
    };
    for file in &case.delete {
        r.remove(file);
    }
    for (file, text) in &case.files {
        r.write(file, text);
    }
    for [file, from, to] in &case.edit {
        r.edit(file, from, to);
    }
    match case.git.as_deref() {
        None | Some("commit") => {
            r.init();
            r.commit_all("release");
        }
        Some("init") => {
            r.init();
        }
        Some("none") => {}
        Some(other) => panic!("{name}/case.toml: git = {other:?}; expected commit, init or none"),
    }
    if let Some(t) = &case.tag {
        r.tag(t);
    }
    r
}

/// Tags HEAD `name`, moving the tag if it is taken.
fn retag(r: &Repo, name: &str) {
    let git = r.git();
    let head = git.head().unwrap().peel(git2::ObjectType::Commit).unwrap();
    git.tag_lightweight(name, &head, true).unwrap();
}

/// What a run printed, with the values that differ from run to run (the
/// scratch folder, the clock) written as placeholders.
struct Printed {
    code: i32,
    stdout: String,
    stderr: String,
    /// `read`'s files: the name of the file each is expected in, and its
    /// text.
    read: Vec<(String, String)>,
}

fn run_step(r: &Repo, step: &Step) -> Printed {
    for (file, text) in &step.write {
        r.write(file, text);
    }
    for [file, from, to] in &step.edit {
        r.edit(file, from, to);
    }
    for file in &step.remove {
        r.remove(file);
    }
    if let Some(message) = &step.commit {
        r.commit_all(message);
    }
    if !step.stage.is_empty() {
        let git = r.git();
        let mut index = git.index().unwrap();
        for (file, text) in &step.stage {
            r.write(file, text);
            index.add_path(Path::new(file)).unwrap();
        }
        index.write().unwrap();
    }
    if let Some(t) = &step.tag {
        retag(r, t);
    }
    if let Some(t) = &step.annotated_tag {
        r.annotated_tag(t);
    }
    if step.detach {
        r.detach();
    }
    let (repo, fix) = (r.path().to_str().unwrap(), fixtures());
    let fix = fix.to_str().unwrap();
    let head = git2::Repository::open(r.path())
        .ok()
        .and_then(|g| g.head().ok()?.target())
        .map(|id| id.to_string())
        .unwrap_or_default();
    let fill = |a: &str| {
        a.replace("[REPO]", repo)
            .replace("[FIXTURES]", fix)
            .replace("[HEAD]", &head)
    };
    let args: Vec<String> = step.args.iter().map(|a| fill(a)).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let env: Vec<(&str, String)> = step
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), fill(v)))
        .collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = gate_in(r.path(), &args, &env);
    // The two paths, and instants of the clock (RFC 3339, UTC), are
    // written as placeholders: anything else, a JSON string's `\"`
    // included, is compared as printed.
    let instant = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z").unwrap();
    let redact = |t: &str| {
        let t = t.replace(repo, "[REPO]").replace(fix, "[FIXTURES]");
        instant.replace_all(&t, "[TIME]").into_owned()
    };
    let read = step
        .read
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(r.path().join(file))
                .map_or_else(|_| "(not written)\n".to_string(), |t| redact(&t));
            (file.replace(['/', '\\'], "_"), text)
        })
        .collect();
    Printed {
        code: out.code,
        stdout: redact(&out.stdout),
        stderr: redact(&out.stderr),
        read,
    }
}

/// Runs one case; what differs from the expected files, if anything.
fn run(dir: &Path, bless: bool) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(dir.join("case.toml")).unwrap();
    let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
    let one = match (case.args.clone(), case.code) {
        (Some(args), Some(code)) => Some(Step {
            write: case.write.clone(),
            stage: BTreeMap::new(),
            edit: Vec::new(),
            remove: Vec::new(),
            commit: None,
            tag: None,
            annotated_tag: None,
            detach: false,
            read: Vec::new(),
            args,
            env: case.env.clone(),
            code,
        }),
        (None, None) => None,
        _ => panic!("{name}/case.toml: a run needs both `args` and `code`"),
    };
    let steps: Vec<(String, &Step)> = match (&one, case.step.as_slice()) {
        (Some(one), []) => vec![(String::new(), one)],
        (None, steps) if !steps.is_empty() => steps
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("{}.", i + 1), s))
            .collect(),
        _ => panic!("{name}/case.toml: give `args` and `code`, or `[[step]]`s, not both"),
    };
    let r = build(&name, &case);
    let mut problems = Vec::new();
    for (prefix, step) in steps {
        let out = run_step(&r, step);
        let mut printed = vec![
            (format!("{prefix}stdout"), out.stdout),
            (format!("{prefix}stderr"), out.stderr),
        ];
        for (file, text) in out.read {
            printed.push((format!("{prefix}{file}"), text));
        }
        // An exit code is never blessed: it is written in case.toml.
        if out.code != step.code {
            problems.push(format!(
                "{name}: {prefix}exit {} (expected {})",
                out.code, step.code
            ));
        }
        if bless {
            for (file, text) in &printed {
                std::fs::write(dir.join(file), text).unwrap();
            }
            continue;
        }
        // Windows writes paths with `\`: there both sides are compared
        // with every `\` as `/`.
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
