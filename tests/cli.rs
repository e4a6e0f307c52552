//! The command line as users run it: exit codes, relative paths, the JSON contract, the README.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn passrole() -> Command {
    Command::new(env!("CARGO_BIN_EXE_passrole"))
}

fn run_json(args: &[&str], cwd: &Path) -> (Value, i32) {
    let out = passrole()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("passrole runs");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().unwrap_or(-1))
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string("schemas/passrole-report.schema.json").expect("schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("valid schema")
}

#[test]
fn the_repository_schema_is_the_shared_contract() {
    let shared = Path::new("../shared/schemas/passrole-report.schema.json");
    if !shared.exists() {
        eprintln!("skipped: ../shared/schemas is absent");
        return;
    }
    assert_eq!(
        std::fs::read_to_string(shared).unwrap(),
        std::fs::read_to_string("schemas/passrole-report.schema.json").unwrap(),
        "schemas/passrole-report.schema.json differs from the shared contract"
    );
}

#[test]
fn json_output_of_every_fixture_validates_against_the_schema() {
    let validator = schema();
    let root = std::env::current_dir().unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir("testdata").unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("expected.json").exists() {
            continue;
        }
        let (report, _) = run_json(&["scan", "--format", "json", dir.to_str().unwrap()], &root);
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{}: {}",
            dir.display(),
            errors.join("; ")
        );
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn exit_codes_follow_the_contract() {
    let root = std::env::current_dir().unwrap();
    let code = |args: &[&str]| {
        passrole()
            .args(args)
            .current_dir(&root)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(
        code(&["scan", "rules/PR001/examples/terraform-pass"]),
        Some(0)
    );
    assert_eq!(
        code(&["scan", "rules/PR001/examples/terraform-fail"]),
        Some(1)
    );
    assert_eq!(code(&["scan", "testdata/input-broken-hcl"]), Some(2));
    // A note does not fail by default, but does with --fail-on note.
    assert_eq!(
        code(&["scan", "testdata/example", "--fail-on", "error"]),
        Some(1)
    );
    assert_eq!(code(&["scan", "no/such/dir"]), Some(2));
    assert_eq!(code(&["scan", "--format", "yaml", "."]), Some(2));
}

#[test]
fn paths_are_relative_to_the_current_directory() {
    let (report, code) = run_json(
        &["scan", "--format", "json", "."],
        Path::new("testdata/layout-modules"),
    );
    assert_eq!(code, 1);
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"modules/fn/main.tf"), "{files:?}");
}

#[test]
fn broken_file_beside_a_good_one_gives_one_error_and_the_good_findings() {
    let root = std::env::current_dir().unwrap();
    let (report, code) = run_json(
        &["scan", "--format", "json", "testdata/input-broken-hcl"],
        &root,
    );
    assert_eq!(code, 2);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["file"], "testdata/input-broken-hcl/broken.tf");
    assert_eq!(errors[0]["kind"], "parse");
    assert!(errors[0]["line"].as_u64().is_some() && errors[0]["column"].as_u64().is_some());
    assert_eq!(report["findings"][0]["rule"], "PR010");
    assert_eq!(
        report["findings"][0]["location"]["file"],
        "testdata/input-broken-hcl/good.tf"
    );
}

#[test]
fn fingerprints_do_not_depend_on_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string("rules/PR001/examples/terraform-fail/main.tf").unwrap();
    std::fs::write(dir.path().join("main.tf"), &src).unwrap();
    let (a, _) = run_json(&["scan", "--format", "json", "."], dir.path());
    std::fs::write(
        dir.path().join("main.tf"),
        format!("# an unrelated edit\n\n{src}"),
    )
    .unwrap();
    let (b, _) = run_json(&["scan", "--format", "json", "."], dir.path());
    assert_ne!(
        a["findings"][0]["location"]["start"]["line"],
        b["findings"][0]["location"]["start"]["line"]
    );
    assert_eq!(
        a["findings"][0]["fingerprint"],
        b["findings"][0]["fingerprint"]
    );
}

#[test]
fn readme_commands_work() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let block: Vec<&str> = readme
        .split("```")
        .nth(1)
        .expect("a code block")
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(block.len(), 2, "the README starts with two commands");
    let scan = block[0].split('#').next().unwrap().trim();
    let test = block[1].split('#').next().unwrap().trim();
    assert_eq!(test, "cargo test");
    let ci = std::fs::read_to_string(".ci/run").unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == test),
        ".ci/run runs the README's test command"
    );
    // The scan command, run with the binary under test.
    let args: Vec<&str> = scan
        .strip_prefix("cargo run --release --")
        .expect("cargo run command")
        .split_whitespace()
        .collect();
    let out = passrole().args(&args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("PR001"), "{text}");
}

#[test]
fn user_rules_from_a_directory_run_beside_the_builtin_ones() {
    let root = std::env::current_dir().unwrap();
    let (report, code) = run_json(
        &[
            "scan",
            "--format",
            "json",
            "--rules",
            "tests/custom-rules",
            "rules/PR015/examples/terraform-pass",
        ],
        &root,
    );
    assert_eq!(code, 0, "a warning does not fail by default: {report}");
    let custom: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "ORG001")
        .collect();
    assert!(!custom.is_empty(), "{report}");
    assert_eq!(custom[0]["severity"], "warning");
    assert!(
        custom[0]["message"]
            .as_str()
            .unwrap()
            .contains("without an iam:PassedToService")
    );
}

#[test]
fn a_broken_rule_file_is_an_input_error_not_a_crash() {
    let root = std::env::current_dir().unwrap();
    let (report, code) = run_json(
        &[
            "scan",
            "--format",
            "json",
            "--rules",
            "tests/broken-rules",
            "rules/PR001/examples/terraform-fail",
        ],
        &root,
    );
    assert_eq!(code, 2);
    assert_eq!(report["errors"][0]["kind"], "rule");
    // The built-in rules still ran.
    assert_eq!(report["findings"][0]["rule"], "PR001");
}

/// A user rule that filters units by their own fields (`units[ kind == "terraform" ]`) sees them:
/// the document each rule reads is trimmed to what the rule names, and the unit's fields were once
/// trimmed away, so the rule silently matched nothing.
#[test]
fn user_rules_filtering_units_by_kind_fire() {
    let root = std::env::current_dir().unwrap();
    let (report, _) = run_json(
        &[
            "scan",
            "--format",
            "json",
            "--rules",
            "tests/custom-rules-unit-fields",
            "testdata/custom-rule-unit-kind",
        ],
        &root,
    );
    let custom: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "ORG002")
        .collect();
    assert_eq!(custom.len(), 1, "{report}");
    assert_eq!(custom[0]["location"]["start"]["line"], 5);
}

/// A related-location tag that does not exist (a typo) is an error for that rule, with the line;
/// the other rules still run.
#[test]
fn a_rule_with_an_unknown_related_tag_is_refused_with_its_line() {
    let root = std::env::current_dir().unwrap();
    let (report, code) = run_json(
        &[
            "scan",
            "--format",
            "json",
            "--rules",
            "tests/broken-rules-related",
            "rules/PR010/examples/terraform-fail",
        ],
        &root,
    );
    assert_eq!(code, 2, "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["file"] == "tests/broken-rules-related/ORG003.toml"
                && e["line"] == 7
                && e["message"]
                    .as_str()
                    .unwrap()
                    .contains("unknown related-location tag `statment`")),
        "{report}"
    );
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(rules, ["PR010"], "{report}");
}

/// The README's worked escalation (the EC2 example of the seeds) is what the binary prints: its gcc
/// lines and its Mermaid graph.
#[test]
fn readme_escalation_example_is_the_output() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = readme
        .split("## Escalation paths (PR020)")
        .nth(1)
        .expect("the escalation section")
        .split("\n## ")
        .next()
        .unwrap();
    let blocks: Vec<&str> = section.split("```").collect();
    let gcc_block = blocks[1].trim();
    let mermaid_block = blocks[3].strip_prefix("mermaid").expect("a mermaid block");
    let dir = "testdata/escalation-seed-ec2";
    let out = passrole()
        .args(["scan", "--no-config", "--format", "gcc", dir])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), gcc_block);
    let out = passrole()
        .args(["graph", "--no-config", dir])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        mermaid_block.trim()
    );
}

/// `passrole graph` in each format: the escalation is marked, and `--escalations-only` keeps only
/// escalations.
#[test]
fn graph_formats_mark_escalations() {
    let dir = "rules/PR020/examples/terraform-pass";
    let out = passrole()
        .args(["graph", "--no-config", "--format", "json", dir])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths = v["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 1, "{v}");
    assert_eq!(paths[0]["escalation"], false);
    assert_eq!(paths[0]["role"], "aws_iam_role.reader");
    let out = passrole()
        .args([
            "graph",
            "--no-config",
            "--escalations-only",
            "--format",
            "dot",
            dir,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("->"), "{text}");
    let out = passrole()
        .args([
            "graph",
            "--no-config",
            "--format",
            "dot",
            "rules/PR020/examples/terraform-fail",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("color=red").count(), 1, "{text}");
}

/// The job summary draws the escalation paths of the run's PR020 findings, and only when there are.
#[test]
fn job_summary_shows_the_escalation_graph() {
    let summary = |dir: &str| {
        let out = passrole()
            .args(["scan", "--no-config", "--format", "markdown", dir])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = summary("testdata/escalation-seed-ec2");
    let section = text
        .split("### Escalation paths")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    assert!(section.contains("```mermaid\nflowchart LR"), "{text}");
    assert!(section.contains("==>"), "{text}");
    assert!(!summary("rules/PR010/examples/terraform-fail").contains("### Escalation paths"));
}
