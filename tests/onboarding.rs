//! `gate init`, `gate schema`, `gate completions`, `gate man`.

use std::path::Path;

use serde_json::Value;

use crate::support::{artifact, fixtures, gate_in, Repo};

fn schema(which: &str) -> jsonschema::Validator {
    let run = gate_in(Path::new("."), &["schema", which], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    jsonschema::validator_for(&v)
        .unwrap_or_else(|e| panic!("{which} is not a valid JSON Schema: {e}"))
}

fn yaml(path: &Path) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn toml_file(path: &Path) -> Value {
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn files(dir: &Path, name: &str, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, name, out);
        } else if p.file_name().is_some_and(|n| n == name) {
            out.push(p);
        }
    }
}

#[test]
fn schemas_accept_every_shipped_input_and_output() {
    let release = schema("release-yaml");
    let config = schema("gate-toml");
    let over = schema("override");
    let decision = schema("decision");
    let mut manifests = Vec::new();
    files(&fixtures(), "release.yaml", &mut manifests);
    assert!(manifests.len() >= 2);
    for m in manifests {
        assert!(release.is_valid(&yaml(&m)), "{}", m.display());
    }
    let mut configs = Vec::new();
    files(&fixtures(), "gate.toml", &mut configs);
    configs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands/init_files/gate.toml"));
    for c in configs {
        assert!(config.is_valid(&toml_file(&c)), "{}", c.display());
    }
    let governor = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("overrides/governor_override_staging.json"))
            .unwrap(),
    )
    .unwrap();
    assert!(over.is_valid(&governor));
    // What gate itself writes and prints.
    let r = Repo::released("release_ok", "v1.2.3");
    let created = crate::support::override_cmd(
        &r,
        "create",
        &[
            "--env",
            "staging",
            "--approved-by",
            "alice",
            "--approved-by",
            "dave",
            "--reason",
            "r",
            "--leakage-types",
            "pii",
            "--identity-hash",
            crate::support::PII_HASH,
            "--json",
        ],
        &[("GATE_OVERRIDE_KEY", "k")],
    );
    assert!(
        over.is_valid(&created.json()["override"]),
        "{}",
        created.stdout
    );
    for run in [
        crate::support::evaluate(
            &r,
            &[
                "--env",
                "staging",
                "--locc-artifact",
                &artifact("checks_fail.json"),
                "--ci-status",
                "success",
                "--json",
            ],
        ),
        crate::support::evaluate(&r, &["--env", "prd", "--json"]),
        crate::support::check(&r, &["--ci-status", "success", "--json"]),
    ] {
        let v = run.json();
        let errors: Vec<String> = decision.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}\n{}", run.stdout);
    }
}

#[test]
fn schemas_and_parsers_refuse_the_same_mistakes() {
    let release = schema("release-yaml");
    let config = schema("gate-toml");
    let over = schema("override");
    let r = Repo::released("release_ok", "v1.2.3");
    // An unknown key in release.yaml.
    let bad_manifest = "version: \"1.2.3\"\nattestations:\n  rollback_tested: {answer: true, by: Jane, evidnce: x}\n";
    assert!(!release.is_valid(&serde_yaml::from_str(bad_manifest).unwrap()));
    r.write("release.yaml", bad_manifest);
    assert_eq!(
        crate::support::check(&r, &["--ci-status", "success"]).code,
        2
    );
    // A misspelt gate.toml key and a bad action.
    for bad in [
        "[env.prod]\nmax_overide_days = 1\n",
        "[env.prod.actions]\npii = \"allow\"\n",
    ] {
        assert!(
            !config.is_valid(&toml::from_str::<Value>(bad).unwrap()),
            "{bad}"
        );
        r.write("gate.toml", bad);
        assert_eq!(
            crate::support::check(&r, &["--ci-status", "success"]).code,
            2,
            "{bad}"
        );
    }
    // An override missing a required key.
    let partial = serde_json::json!({"approved_by": "a", "reason": "r", "scope": "staging"});
    assert!(!over.is_valid(&partial));
}

#[test]
fn init_then_check_gives_an_actionable_no_go() {
    let r = Repo::empty();
    r.init();
    r.write(
        "pyproject.toml",
        "[project]\nname = \"svc\"\nversion = \"2.0.0\"\ndependencies = [\"httpx==0.27.2\"]\n",
    );
    let run = gate_in(r.path(), &["init"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for f in [
        "release.yaml",
        "gate.toml",
        ".github/workflows/gate.yml",
        "overrides/staging/.gitkeep",
        "overrides/preprod/.gitkeep",
        "overrides/prod/.gitkeep",
    ] {
        assert!(r.path().join(f).exists(), "{f}");
        assert!(run.stdout.contains(&format!("wrote {f}")), "{}", run.stdout);
    }
    assert!(std::fs::read_to_string(r.path().join("release.yaml"))
        .unwrap()
        .contains("version: \"2.0.0\""));
    // Nothing is replaced.
    r.write("release.yaml", "version: \"2.0.0\"\n# mine\n");
    let again = gate_in(r.path(), &["init", "--json"], &[]);
    assert_eq!(again.json()["written"], serde_json::json!([]));
    assert!(std::fs::read_to_string(r.path().join("release.yaml"))
        .unwrap()
        .contains("# mine"));
    std::fs::remove_file(r.path().join("release.yaml")).unwrap();
    gate_in(r.path(), &["init"], &[]);
    r.write(".gitignore", ".gate/\n");
    r.commit_all("gate init");
    // The first check: NO-GO (not an error), and every hold reason says what to do.
    let run = gate_in(r.path(), &["check", "--ci-status", "success"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for want in [
        "Not attested in release.yaml: add `rollback_tested` under attestations, or mark it not_applicable with a reason",
        "CHANGELOG.md not found",
        "no tag v2.0.0 or 2.0.0",
    ] {
        assert!(run.stdout.contains(want), "{want}\n{}", run.stdout);
    }
    // The log init configures was written, outside the tracked tree.
    assert!(r.path().join(".gate/audit.jsonl").exists());
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = gate_in(Path::new("."), &["completions", shell], &[]);
        assert_eq!(run.code, 0, "{shell}");
        assert!(
            run.stdout.contains("evaluate") && run.stdout.contains("override"),
            "{shell}"
        );
    }
    assert_eq!(
        gate_in(Path::new("."), &["completions", "tcsh"], &[]).code,
        2
    );
    let man = gate_in(Path::new("."), &["man"], &[]);
    assert_eq!(man.code, 0);
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH gate"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    assert!(man.stdout.contains("evaluate"));
}
