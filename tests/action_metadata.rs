//! The YAML files that users' tools read: action.yml (GitHub), .pre-commit-hooks.yaml (pre-commit)
//! and the repository's workflows. Read with passrole's own YAML reader, turned into JSON values.

use passrole::source::cloudformation::yaml;
use passrole::value::{FileId, Node, NodeKind};
use regex::Regex;
use serde_json::{Map, Value, json};
use std::fs;
use std::path::Path;

fn to_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Bool(b) => json!(b),
        NodeKind::Number(n) => json!(n),
        NodeKind::Str(text) => json!(text.to_string()),
        NodeKind::List(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), to_json(v)))
                .collect::<Map<_, _>>(),
        ),
        NodeKind::Unknown(why) => panic!("unknown value in YAML: {why}"),
    }
}

fn read_yaml(path: &str) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = fs::read_to_string(&file).unwrap();
    let node = yaml::parse(&text, FileId(0)).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    to_json(&node)
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

#[test]
fn the_pre_commit_hooks_scan_the_staged_files_in_one_run() {
    let hooks = read_yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["passrole", "passrole-system"]);
    for (hook, language) in hooks.iter().zip(["rust", "system"]) {
        assert_eq!(
            keys(hook),
            [
                "description",
                "entry",
                "files",
                "id",
                "language",
                "minimum_pre_commit_version",
                "name",
                "pass_filenames",
                "require_serial"
            ]
        );
        assert_eq!(hook["language"], language);
        assert_eq!(hook["entry"], "passrole scan --skip-non-inputs");
        assert_eq!(hook["pass_filenames"], true);
        assert_eq!(hook["require_serial"], true);
        let files = Regex::new(hook["files"].as_str().unwrap()).unwrap();
        // Every type passrole reads; the YAML/JSON files that are not templates are skipped by
        // `--skip-non-inputs` (tests/false_greens.rs).
        for name in [
            "main.tf",
            "envs/prod/terraform.tfvars",
            "x.tf.json",
            "a.tfvars.json",
            "stacks/app.yaml",
            "template.yml",
            "cdk.out/App.template.json",
            "legacy.template",
        ] {
            assert!(files.is_match(name), "{name}");
        }
        for name in ["main.tf.bak", "tfvars", "README.md", "deploy.sh"] {
            assert!(!files.is_match(name), "{name}");
        }
    }
}

#[test]
fn the_action_declares_its_inputs_and_outputs_and_runs_only_its_script() {
    let action = read_yaml("action.yml");
    assert_eq!(
        keys(&action["inputs"]),
        [
            "annotations",
            "args",
            "config",
            "fail-on",
            "path",
            "sarif",
            "summary",
            "version"
        ]
    );
    assert_eq!(
        keys(&action["outputs"]),
        ["errors", "exit-code", "findings", "sarif-file"]
    );
    assert_eq!(action["inputs"]["path"]["default"], ".");
    assert_eq!(action["inputs"]["sarif"]["default"], "true");
    assert_eq!(action["inputs"]["summary"]["default"], "true");
    assert_eq!(action["inputs"]["annotations"]["default"], "true");
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_array().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert_eq!(
        runs,
        ["install", "build", "scan", "finish"]
            .map(|step| format!("bash \"$GITHUB_ACTION_PATH/scripts/action.sh\" {step}"))
    );
    let upload = steps
        .iter()
        .find(|s| s["id"] == "upload")
        .expect("an upload step");
    assert_eq!(upload["uses"], "github/codeql-action/upload-sarif@v4");
    assert_eq!(upload["continue-on-error"], true);
    assert!(upload["if"].as_str().unwrap().starts_with("always()"));
    let last = steps.last().unwrap();
    assert_eq!(last["if"], "always()");
}

/// Expressions are spliced into a `run:` script's text before the shell reads it, so a file name or
/// branch name in one is code: every value reaches scripts through `env:`.
#[test]
fn no_run_script_interpolates_an_expression() {
    let mut files = vec!["action.yml".to_string()];
    for entry in
        fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows")).unwrap()
    {
        let name = entry.unwrap().file_name().into_string().unwrap();
        files.push(format!(".github/workflows/{name}"));
    }
    assert!(files.len() >= 4, "{files:?}");
    for file in files {
        let document = read_yaml(&file);
        let mut steps: Vec<&Value> = Vec::new();
        if let Some(s) = document["runs"]["steps"].as_array() {
            steps.extend(s);
        }
        if let Some(jobs) = document["jobs"].as_object() {
            for job in jobs.values() {
                steps.extend(job["steps"].as_array().unwrap());
            }
        }
        assert!(!steps.is_empty(), "{file}");
        for step in steps {
            if let Some(run) = step["run"].as_str() {
                assert!(!run.contains("${{"), "{file}: {run}");
            }
        }
    }
}
