//! The AUTO checks on repositories laid out as real projects lay them out.

use crate::support::{check, evaluate, Repo};

/// A promotion that requires no attestation does not read release.yaml: a
/// typo there cannot block it, and the version reported is the project's.
#[test]
fn staging_does_not_read_release_yaml() {
    let r = Repo::released("release_ok", "v1.2.3");
    r.write("release.yaml", "version: \"1.2.3\"\nattestatoins: {}\n");
    let run = evaluate(
        &r,
        &[
            "--env",
            "staging",
            "--locc-artifact",
            &crate::support::artifact("checks_pass.json"),
            "--ci-status",
            "success",
            "--json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["version"], "1.2.3");
    // prod requires the attestations: there the typo is an input error.
    let run = check(&r, &["--env", "prod", "--ci-status", "success"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("attestatoins"), "{}", run.stderr);
}

/// helix: Cargo.toml says 25.7.1, the tag and the changelog 25.07.1.
#[test]
fn calver_versions_compare_by_their_numbers() {
    let r = Repo::files("release_ok");
    r.remove("pyproject.toml");
    r.remove("requirements.txt");
    r.remove("release.yaml");
    r.write(
        "Cargo.toml",
        "[package]\nname = \"helix-term\"\nversion = \"25.7.1\"\n\n[dependencies]\nanyhow = \"=1.0.98\"\n",
    );
    r.write(
        "CHANGELOG.md",
        "# 25.07.1 (2025-07-18)\n\nFixes.\n\n# 25.07 (2025-07-15)\n",
    );
    r.write(
        "gate.toml",
        "[env.release]\nrequired = [\"changelog\", \"release_point\"]\n",
    );
    r.init();
    r.commit_all("release");
    r.tag("25.07.1");
    let run = check(
        &r,
        &["--env", "release", "--ci-status", "success", "--json"],
    );
    for id in ["changelog", "release_point"] {
        assert_eq!(run.status(id), "PASS", "{id}: {}", run.stdout);
    }
    assert_eq!(run.code, 0);
    // 25.7.10 is another version.
    r.edit("Cargo.toml", "25.7.1", "25.7.10");
    r.commit_all("bump");
    r.tag("25.07.1-x");
    let run = check(
        &r,
        &["--env", "release", "--ci-status", "success", "--json"],
    );
    assert_eq!(run.status("changelog"), "FAIL");
    assert_eq!(run.status("release_point"), "FAIL");
}

/// init turned the audit log on, so the second check failed release_point
/// on `?? .gate/`.
#[test]
fn init_never_dirties_the_tree_it_checks() {
    let r = Repo::released("release_ok", "v1.2.3");
    r.remove("release.yaml");
    let run = crate::support::gate_in(r.path(), &["init"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("commit release.yaml, gate.toml, overrides/"),
        "{}",
        run.stdout
    );
    r.commit_all("gate init");
    r.git().tag_delete("v1.2.3").unwrap();
    r.tag("v1.2.3");
    for round in 0..2 {
        let run = check(
            &r,
            &["--env", "staging", "--ci-status", "success", "--json"],
        );
        assert_eq!(run.code, 0, "round {round}: {}", run.stdout);
        let run = check(
            &r,
            &["--env", "preprod", "--ci-status", "success", "--json"],
        );
        assert_eq!(run.status("changelog"), "PASS", "{}", run.stdout);
    }
    assert!(r.path().join(".gate/audit.jsonl").exists());
    let rel = crate::support::check(&r, &["--env", "prod", "--ci-status", "success", "--json"]);
    assert_eq!(rel.status("release_point"), "PASS", "{}", rel.stdout);
}

/// `check --dry-run` writes nothing.
#[test]
fn check_dry_run_writes_nothing() {
    let r = Repo::released("release_ok", "v1.2.3");
    let beside = tempfile::tempdir().unwrap();
    let log = beside.path().join("dry.jsonl");
    let run = check(
        &r,
        &[
            "--env",
            "staging",
            "--ci-status",
            "success",
            "--dry-run",
            "--audit-log",
            log.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!log.exists());
}

/// A release repository laid out from `files`, committed (with `commit`)
/// and tagged `tag`.
fn layout(files: &[(&str, &str)], tag: &str) -> Repo {
    let r = Repo::empty();
    for (name, text) in files {
        r.write(name, text);
    }
    r.init();
    r.commit_all("release");
    r.tag(tag);
    r
}

fn deps(r: &Repo) -> serde_json::Value {
    check(r, &["--env", "preprod", "--ci-status", "success", "--json"]).finding("deps_pinned")
}

const RG_CARGO: &str = "[package]\nname = \"ripgrep\"\nversion = \"15.2.0\"\n\n[[bin]]\nname = \"rg\"\npath = \"crates/core/main.rs\"\n\n[dependencies]\nanyhow = \"1.0.75\"\nbstr = \"1.7.0\"\nlexopt = \"0.3.0\"\n\n[dev-dependencies]\nserde = \"1.0.77\"\n";
const RG_LOCK: &str = "version = 4\n\n[[package]]\nname = \"anyhow\"\nversion = \"1.0.98\"\n\n[[package]]\nname = \"bstr\"\nversion = \"1.12.0\"\n\n[[package]]\nname = \"lexopt\"\nversion = \"0.3.1\"\n";

/// ripgrep, cargo-deny, helix: binaries pinned by a tracked Cargo.lock.
#[test]
fn a_tracked_cargo_lock_in_sync_pins() {
    let r = layout(
        &[
            ("Cargo.toml", RG_CARGO),
            ("Cargo.lock", RG_LOCK),
            ("CHANGELOG.md", "15.2.0 (2026-07-15)\n===================\n"),
        ],
        "15.2.0",
    );
    let f = deps(&r);
    assert_eq!(f["status"], "PASS", "{f}");
    assert_eq!(f["message"], "pinned by Cargo.lock (3 dependencies)");
    // Changed since it was committed: what was read is not what a checkout
    // builds from.
    r.write(
        "Cargo.lock",
        format!("{RG_LOCK}\n[[package]]\nname = \"extra\"\nversion = \"1.0.0\"\n"),
    );
    let f = deps(&r);
    assert_eq!(f["status"], "FAIL", "{f}");
    assert!(
        f["locations"]
            .to_string()
            .contains("Cargo.lock has changes git's index does not"),
        "{f}"
    );
    r.write("Cargo.lock", RG_LOCK);
    assert_eq!(deps(&r)["status"], "PASS");
    // Stale: the manifest now asks for what the lock does not hold.
    r.edit("Cargo.toml", "lexopt = \"0.3.0\"", "lexopt = \"0.4.0\"");
    let f = deps(&r);
    assert_eq!(f["status"], "FAIL", "{f}");
    assert!(
        f["locations"].to_string().contains(
            "Cargo.lock locks 0.3.1, which the requirement does not allow: the lock is stale"
        ),
        "{f}"
    );
    // Untracked: a checkout of the release would not build from it.
    let r = Repo::empty();
    r.write("Cargo.toml", RG_CARGO);
    r.init();
    r.commit_all("release");
    r.write("Cargo.lock", RG_LOCK);
    let f = deps(&r);
    assert_eq!(f["status"], "FAIL");
    assert!(
        f["locations"]
            .to_string()
            .contains("Cargo.lock is not tracked by git, so it pins nothing"),
        "{f}"
    );
    assert!(
        f["locations"]
            .to_string()
            .contains("Cargo reads `1.0.75` as `^1.0.75`"),
        "{f}"
    );
}

/// uv.lock and package-lock.json pin PEP 621 and npm ranges the same way.
#[test]
fn uv_and_npm_lock_files_pin() {
    let r = layout(
        &[
            ("pyproject.toml", "[project]\nname = \"svc\"\nversion = \"2.1.0\"\ndependencies = [\"httpx>=0.27\", \"Pydantic_Core\"]\n"),
            ("uv.lock", "version = 1\n[[package]]\nname = \"httpx\"\nversion = \"0.28.1\"\n[[package]]\nname = \"pydantic-core\"\nversion = \"2.33.2\"\n"),
        ],
        "v2.1.0",
    );
    let f = deps(&r);
    assert_eq!(f["status"], "PASS", "{f}");
    assert_eq!(f["message"], "pinned by uv.lock (2 dependencies)");
    let r = layout(
        &[
            ("package.json", "{\"name\": \"express\", \"version\": \"5.1.0\", \"dependencies\": {\"debug\": \"^4.4.0\", \"qs\": \">=6.14.0 <7\"}, \"devDependencies\": {\"mocha\": \"10\"}}"),
            ("package-lock.json", "{\"lockfileVersion\": 3, \"packages\": {\"\": {}, \"node_modules/debug\": {\"version\": \"4.4.1\"}, \"node_modules/qs\": {\"version\": \"6.14.0\"}}}"),
        ],
        "v5.1.0",
    );
    let f = deps(&r);
    assert_eq!(f["status"], "PASS", "{f}");
    assert_eq!(f["message"], "pinned by package-lock.json (2 dependencies)");
}

/// pluggy: no runtime dependency, only development extras: nothing to
/// check is NA, never "PASS All 0 dependencies are pinned".
#[test]
fn zero_runtime_dependencies_is_na() {
    let r = layout(
        &[(
            "pyproject.toml",
            "[project]\nname = \"pluggy\"\nversion = \"1.6.0\"\ndependencies = []\n[project.optional-dependencies]\ndev = [\"pre-commit\", \"tox\"]\ntesting = [\"pytest\", \"pytest-benchmark\", \"coverage\"]\n",
        )],
        "1.6.0",
    );
    let f = deps(&r);
    assert_eq!(f["status"], "NA", "{f}");
    assert_eq!(
        f["message"],
        "nothing to check: pyproject.toml declares no dependencies"
    );
}

/// requests (setuptools `attr`, src layout), pydantic (hatch `path`), pluggy
/// (setuptools_scm: the version is the tag): the version is read statically
/// and the changelog heading found in each project's own form.
#[test]
fn dynamic_python_versions_are_read_statically() {
    // (files, tag, version)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (
            &[
                ("pyproject.toml", "[build-system]\nrequires = [\"setuptools>=61.0\"]\n[project]\nname = \"requests\"\ndynamic = [\"version\"]\ndependencies = [\"idna>=2.5,<4\"]\n[tool.setuptools.dynamic]\nversion = {attr = \"requests.__version__.__version__\"}\n"),
                ("src/requests/__version__.py", "__title__ = \"requests\"\n__version__ = \"2.32.5\"\n"),
                ("HISTORY.md", "Release History\n===============\n\ndev\n---\n\n2.32.5 (2025-08-18)\n-------------------\n\n**Bugfixes**\n"),
            ],
            "v2.32.5",
            "2.32.5",
        ),
        (
            &[
                ("pyproject.toml", "[build-system]\nrequires = [\"hatchling\"]\n[project]\nname = \"pydantic\"\ndynamic = [\"version\"]\ndependencies = [\"typing-extensions>=4.12.2\"]\n[tool.hatch.version]\npath = \"pydantic/version.py\"\n"),
                ("pydantic/version.py", "\"\"\"The `version` module.\"\"\"\n\n__all__ = 'VERSION', 'version_info'\n\nVERSION = '2.11.9'\n"),
                ("HISTORY.md", "<!-- markdownlint-disable no-duplicate-header -->\n\n## v2.11.9 (2025-09-13)\n\n[GitHub release](https://github.com/pydantic/pydantic/releases/tag/v2.11.9)\n"),
            ],
            "v2.11.9",
            "2.11.9",
        ),
        (
            &[
                ("pyproject.toml", "[build-system]\nrequires = [\"setuptools>=65.0\", \"setuptools-scm[toml]>=8.1\"]\n[project]\nname = \"pluggy\"\ndynamic = [\"version\"]\ndependencies = []\n[project.optional-dependencies]\ndev = [\"pre-commit\", \"tox\"]\ntesting = [\"pytest\"]\n[tool.setuptools_scm]\n"),
                ("CHANGELOG.rst", "=========\nChangelog\n=========\n\n.. towncrier release notes start\n\npluggy 1.6.0 (2025-05-15)\n=========================\n\nDeprecations and Removals\n-------------------------\n"),
            ],
            "1.6.0",
            "1.6.0",
        ),
    ];
    for (files, tag, version) in cases {
        let r = layout(files, tag);
        let run = check(
            &r,
            &["--env", "preprod", "--ci-status", "success", "--json"],
        );
        assert_eq!(run.json()["version"], *version, "{tag}: {}", run.stdout);
        assert_eq!(run.status("changelog"), "PASS", "{tag}: {}", run.stdout);
        // Libraries without a lock file declare ranges: the FAIL says so.
        let deps = run.finding("deps_pinned");
        if deps["status"] == "FAIL" {
            assert!(
                deps["message"]
                    .as_str()
                    .unwrap()
                    .contains("libraries declare ranges on purpose"),
                "{deps}"
            );
        }
    }
}

/// vite: a pnpm workspace whose package `create-vite` is released by the
/// tag `create-vite@9.1.2`; its manifest and changelog are the package's,
/// git is the root's. The root manifest declares no version.
#[test]
fn a_monorepo_package_and_its_tag_template() {
    let r = layout(
        &[
            ("package.json", "{\"name\": \"vite-monorepo\", \"private\": true, \"devDependencies\": {\"eslint\": \"^9.0.0\"}}"),
            ("packages/create-vite/package.json", "{\"name\": \"create-vite\", \"version\": \"9.1.2\", \"dependencies\": {\"picocolors\": \"^1.1.1\"}}"),
            ("packages/create-vite/CHANGELOG.md", "## <small>[9.1.2](https://github.com/vitejs/vite/compare/create-vite@9.1.1...create-vite@9.1.2) (2026-05-01)</small>\n\n* fix: x\n"),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    devDependencies:\n      eslint:\n        specifier: ^9.0.0\n        version: 9.1.0\n\n  packages/create-vite:\n    dependencies:\n      picocolors:\n        specifier: ^1.1.1\n        version: 1.1.1\n\npackages:\n\n  picocolors@1.1.1:\n    resolution: {integrity: sha512-x}\n"),
            ("gate.toml", "package = \"packages/create-vite\"\ntag = \"create-vite@{version}\"\n"),
        ],
        "create-vite@9.1.2",
    );
    let run = check(&r, &["--env", "prod", "--ci-status", "success", "--json"]);
    assert_eq!(run.json()["version"], "9.1.2", "{}", run.stdout);
    for id in ["changelog", "deps_pinned", "release_point"] {
        assert_eq!(run.status(id), "PASS", "{id}: {}", run.stdout);
    }
    assert_eq!(
        run.finding("changelog")["file"],
        "packages/create-vite/CHANGELOG.md"
    );
    assert_eq!(
        run.finding("deps_pinned")["message"],
        "pinned by pnpm-lock.yaml (1 dependency)"
    );
    // The default templates do not release a prefixed tag.
    r.write("gate.toml", "package = \"packages/create-vite\"\n");
    r.commit_all("no template");
    r.tag("create-vite@9.1.2-again");
    let run = check(&r, &["--env", "prod", "--ci-status", "success", "--json"]);
    assert_eq!(run.status("release_point"), "FAIL", "{}", run.stdout);
    // A package outside the repository is refused where it is written.
    r.write("gate.toml", "package = \"../elsewhere\"\n");
    let run = check(&r, &["--env", "prod", "--ci-status", "success"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("gate.toml:1:11"), "{}", run.stderr);
}

/// Eleven real projects at their release tags (`fixtures/real/*`, each
/// with a SOURCE naming the repository, tag and commit), onboarded as a new
/// user would: `gate init` at the tag, its files committed and the tag
/// moved onto that commit, then `gate check`. Each AUTO check gives the
/// verdict a maintainer of that project would expect.
#[test]
fn real_projects_at_their_release_tags() {
    // name, tag, version, changelog, deps_pinned, release_point, version_consistent
    let table: &[(&str, &str, &str, [&str; 4])] = &[
        (
            "requests",
            "v2.34.2",
            "2.34.2",
            ["PASS", "FAIL", "PASS", "PASS"],
        ),
        ("flask", "3.1.3", "3.1.3", ["PASS", "PASS", "PASS", "PASS"]),
        (
            "express",
            "v5.2.1",
            "5.2.1",
            ["PASS", "FAIL", "PASS", "PASS"],
        ),
        ("pluggy", "1.6.0", "1.6.0", ["PASS", "NA", "PASS", "NA"]),
        ("clap", "v4.6.6", "4.6.6", ["PASS", "PASS", "PASS", "PASS"]),
        (
            "cargo-deny",
            "0.20.2",
            "0.20.2",
            ["PASS", "PASS", "PASS", "PASS"],
        ),
        (
            "helix",
            "25.07.1",
            "25.7.1",
            ["PASS", "PASS", "PASS", "PASS"],
        ),
        (
            "ripgrep",
            "15.2.0",
            "15.2.0",
            ["PASS", "PASS", "PASS", "PASS"],
        ),
        (
            "pydantic",
            "v2.13.4",
            "2.13.4",
            ["PASS", "PASS", "PASS", "PASS"],
        ),
        // pydantic's HISTORY.md does not list pydantic-core's releases.
        (
            "pydantic-core",
            "core-v2.46.4",
            "2.46.4",
            ["FAIL", "PASS", "PASS", "PASS"],
        ),
        // create-vite bundles what it uses: no runtime dependency.
        (
            "vite",
            "create-vite@9.1.2",
            "9.1.2",
            ["PASS", "NA", "PASS", "PASS"],
        ),
    ];
    let ids = [
        "changelog",
        "deps_pinned",
        "release_point",
        "version_consistent",
    ];
    for (name, tag, version, want) in table {
        let r = Repo::real(name);
        r.init();
        r.commit_all("release");
        r.tag(tag);
        let init = crate::support::gate_in(r.path(), &["init"], &[]);
        assert_eq!(init.code, 0, "{name}: {}", init.stderr);
        r.commit_all("gate init");
        r.git().tag_delete(tag).unwrap();
        r.tag(tag);
        let start = std::time::Instant::now();
        let run = check(&r, &["--ci-status", "success", "--json"]);
        let took = start.elapsed();
        assert_eq!(run.json()["version"], *version, "{name}: {}", run.stdout);
        for (id, status) in ids.iter().zip(want) {
            assert_eq!(
                run.status(id),
                *status,
                "{name} {id}: {}",
                run.finding(id)["message"]
            );
        }
        assert_eq!(run.status("ci_status"), "PASS");
        assert_eq!(run.status("audit_chain"), "PASS", "{name}: init's log");
        // A FAIL of deps_pinned on these libraries says why and what to do.
        if run.status("deps_pinned") == "FAIL" {
            let m = run.finding("deps_pinned")["message"].to_string();
            assert!(
                m.contains("libraries declare ranges on purpose"),
                "{name}: {m}"
            );
        }
        // A second check does not trip over gate's own audit log.
        let again = check(&r, &["--ci-status", "success", "--json"]);
        assert_eq!(
            again.status("release_point"),
            "PASS",
            "{name}: {}",
            again.stdout
        );
        assert!(took < std::time::Duration::from_secs(5), "{name}: {took:?}");
    }
}

/// `--package` names the package without gate.toml; a workspace is read as
/// a whole, and a member pattern gate cannot expand is named.
#[test]
fn package_flag_and_workspace_members() {
    let r = layout(
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\", \"tools/**\", \"missing\"]\n\n[workspace.dependencies]\nregex = \"1.11\"\n"),
            ("crates/a/Cargo.toml", "[package]\nname = \"a\"\nversion = \"0.4.33\"\n\n[dependencies]\nregex = { workspace = true }\nlog = \"0.4.20\"\n"),
            ("crates/a/CHANGELOG.md", "## 0.4.33\n"),
            ("Cargo.lock", "version = 4\n[[package]]\nname = \"regex\"\nversion = \"1.11.1\"\n[[package]]\nname = \"log\"\nversion = \"0.4.27\"\n"),
        ],
        "a-0.4.33",
    );
    let f = deps(&r);
    assert_eq!(f["status"], "PASS", "{f}");
    let m = f["message"].as_str().unwrap();
    // regex (the workspace's) and log (crates/a's own).
    assert!(
        m.starts_with("pinned by Cargo.lock (2 dependencies)"),
        "{m}"
    );
    assert!(
        m.contains("workspace members not read (only `dir` and `dir/*` patterns are): tools/**, missing (not found)"),
        "{m}"
    );
    let run = check(
        &r,
        &[
            "--package",
            "crates/a",
            "--env",
            "preprod",
            "--ci-status",
            "success",
            "--json",
        ],
    );
    assert_eq!(run.json()["version"], "0.4.33", "{}", run.stdout);
    assert_eq!(run.status("changelog"), "PASS", "{}", run.stdout);
    // `regex = { workspace = true }` is the root's `regex = "1.11"`, pinned
    // by the root's Cargo.lock.
    assert_eq!(run.status("deps_pinned"), "PASS", "{}", run.stdout);
    // A member that inherits its version takes the workspace's.
    r.write(
        "crates/b/Cargo.toml",
        "[package]\nname = \"b\"\nversion.workspace = true\n",
    );
    r.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"2.0.0\"\n\n[workspace.dependencies]\nregex = \"1.11\"\n",
    );
    let run = check(
        &r,
        &[
            "--package",
            "crates/b",
            "--env",
            "staging",
            "--ci-status",
            "success",
            "--json",
        ],
    );
    assert_eq!(run.json()["version"], "2.0.0", "{}", run.stdout);
    let bad = check(
        &r,
        &[
            "--package",
            "../x",
            "--env",
            "preprod",
            "--ci-status",
            "success",
        ],
    );
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("--package: package `../x` must be a folder inside the repository"),
        "{}",
        bad.stderr
    );
}

/// A version gate cannot read statically is no reason for NA (which never
/// blocks): version_consistent FAILs and says why. Only an scm version is NA.
#[test]
fn an_unreadable_version_fails_version_consistent() {
    let r = layout(
        &[
            ("pyproject.toml", "[project]\nname = \"p\"\ndynamic = [\"version\"]\ndependencies = []\n[tool.setuptools.dynamic]\nversion = {attr = \"p.VERSION\"}\n"),
            ("p/__init__.py", "VERSION = compute()\n"),
            ("release.yaml", "version: \"9.9.9\"\n"),
            ("gate.toml", "[env.release]\nrequired = [\"version_consistent\"]\n"),
        ],
        "v9.9.9",
    );
    let run = check(
        &r,
        &["--env", "release", "--ci-status", "success", "--json"],
    );
    let f = run.finding("version_consistent");
    assert_eq!(f["status"], "FAIL", "{f}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("could not be read statically"),
        "{f}"
    );
}

/// A workspace member's own lock file judged every dependency of the
/// workspace; it judges only that member's.
#[test]
fn a_member_lock_file_judges_only_its_member() {
    let r = layout(
        &[
            ("package.json", "{\"name\": \"root\", \"version\": \"1.0.0\", \"private\": true, \"workspaces\": [\"packages/*\"], \"dependencies\": {\"left-pad\": \"^1.3.0\"}}"),
            ("packages/a/package.json", "{\"name\": \"a\", \"version\": \"1.0.0\", \"dependencies\": {\"kleur\": \"^4.1.0\"}}"),
            ("packages/a/package-lock.json", "{\"lockfileVersion\": 3, \"packages\": {\"\": {}, \"node_modules/kleur\": {\"version\": \"4.1.5\"}, \"node_modules/left-pad\": {\"version\": \"1.3.0\"}}}"),
        ],
        "v1.0.0",
    );
    let f = deps(&r);
    assert_eq!(f["status"], "FAIL", "{f}");
    let offenders = f["locations"].as_array().unwrap();
    assert_eq!(offenders.len(), 1, "{f}");
    assert!(
        offenders[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("left-pad"),
        "{f}"
    );
}

/// A lock file's sha256 is written wherever a digest is recorded (JSON, the
/// audit event), whether or not it was hashed while the run went on.
#[test]
fn a_lock_files_digest_is_written_where_it_is_recorded() {
    use sha2::Digest;
    let r = layout(
        &[
            ("Cargo.toml", RG_CARGO),
            ("Cargo.lock", RG_LOCK),
            ("CHANGELOG.md", "15.2.0 (2026-07-15)\n===================\n"),
        ],
        "15.2.0",
    );
    let want = format!("{:x}", sha2::Sha256::digest(RG_LOCK.as_bytes()));
    let digest = |inputs: &serde_json::Value| {
        inputs
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["file"] == "Cargo.lock")
            .map(|i| i["sha256"].clone())
    };
    let run = check(
        &r,
        &["--env", "preprod", "--ci-status", "success", "--json"],
    );
    assert_eq!(
        digest(&run.json()["inputs"]),
        Some(want.clone().into()),
        "{}",
        run.stdout
    );
    // The text report writes none; the audit event it records does.
    let log = r.path().join("audit.jsonl");
    let log_arg = log.to_str().unwrap();
    let run = check(
        &r,
        &[
            "--env",
            "preprod",
            "--ci-status",
            "success",
            "--audit-log",
            log_arg,
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains(&want), "{}", run.stdout);
    let line = std::fs::read_to_string(&log).unwrap();
    let event: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert_eq!(digest(&event["inputs"]), Some(want.into()), "{line}");
}
