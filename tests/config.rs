//! `passrole.toml`, `passrole init` and the flags that match its keys (where the report goes:
//! tests/report_output.rs).
//! Fixtures: `testdata/config/` (`infra/` has PR010, PR011 and PR015 findings; `keys/*.toml` are run
//! against it with `--config`; the other folders hold a `passrole.toml` found by discovery).

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const INFRA: &str = "testdata/config/infra";

fn passrole(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(args)
        .output()
        .expect("passrole runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON report of `scan --format json ARGS` and the exit code.
fn scan_json(args: &[&str]) -> (Value, i32) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let out = passrole(&all);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        )
    });
    (v, out.status.code().unwrap_or(-1))
}

/// (rule, severity, file, line) of each reported (unsuppressed) finding, sorted.
fn reported(report: &Value) -> Vec<(String, String, String, u64)> {
    let mut out: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f.get("suppression").is_none())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["location"]["file"].as_str().unwrap().to_string(),
                f["location"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The report validates against the JSON report schema.
fn assert_valid(report: &Value) {
    let text = std::fs::read_to_string("schemas/passrole-report.schema.json").unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

fn finding(rule: &str, severity: &str, file: &str, line: u64) -> (String, String, String, u64) {
    (rule.into(), severity.into(), file.into(), line)
}

fn infra(rule: &str, severity: &str) -> (String, String, String, u64) {
    let line = if rule == "PR011" { 17 } else { 16 };
    finding(rule, severity, "testdata/config/infra/main.tf", line)
}

/// The error lines of a command that must fail with exit 2 before scanning.
fn config_failure(args: &[&str]) -> String {
    let out = passrole(args);
    assert_eq!(out.status.code(), Some(2), "stderr: {}", stderr(&out));
    assert!(out.stdout.is_empty(), "no report is written");
    stderr(&out)
}

#[test]
fn without_configuration_the_infra_fixture_has_three_findings() {
    let (report, code) = scan_json(&[INFRA]);
    assert_eq!(code, 1);
    assert_eq!(
        reported(&report),
        [
            infra("PR010", "error"),
            infra("PR011", "warning"),
            infra("PR015", "note")
        ]
    );
}

#[test]
fn select_runs_only_the_selected_rules() {
    let (report, code) = scan_json(&["--config", "testdata/config/keys/select.toml", INFRA]);
    assert_eq!(code, 0);
    assert_eq!(
        reported(&report),
        [infra("PR011", "warning"), infra("PR015", "note")]
    );
}

#[test]
fn ignore_drops_a_rule() {
    let (report, code) = scan_json(&["--config", "testdata/config/keys/ignore.toml", INFRA]);
    assert_eq!(code, 1);
    assert_eq!(
        reported(&report),
        [infra("PR010", "error"), infra("PR015", "note")]
    );
}

#[test]
fn severity_changes_a_rule_and_off_removes_it() {
    let (report, code) = scan_json(&["--config", "testdata/config/keys/severity.toml", INFRA]);
    assert_eq!(code, 0, "nothing is an error any more");
    assert_eq!(
        reported(&report),
        [infra("PR010", "warning"), infra("PR011", "warning")]
    );
    assert_eq!(report["summary"]["findings"]["error"], 0);
}

#[test]
fn fail_on_never_reports_and_exits_0() {
    let (report, code) = scan_json(&["--config", "testdata/config/keys/fail-on.toml", INFRA]);
    assert_eq!(code, 0);
    assert_eq!(reported(&report).len(), 3);
    // Input errors still fail a soft-fail run.
    let out = passrole(&[
        "scan",
        "--config",
        "testdata/config/keys/fail-on.toml",
        INFRA,
        "testdata/input-broken-hcl",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn allow_suppresses_the_matching_finding_with_its_reason() {
    let (report, code) = scan_json(&["--config", "testdata/config/keys/allow.toml", INFRA]);
    assert_eq!(code, 0, "the only error is approved");
    assert_eq!(
        reported(&report),
        [infra("PR011", "warning"), infra("PR015", "note")],
        "the PR011 entry names another holder and approves nothing"
    );
    let suppressed: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("suppression").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["rule"], "PR010");
    assert_eq!(
        suppressed[0]["suppression"],
        serde_json::json!({
            "kind": "config",
            "reason": "CI deploys every stack and creates their roles",
            "location": {
                "file": "testdata/config/keys/allow.toml",
                "start": {"line": 2, "column": 1},
                "end": {"line": 2, "column": 10}
            }
        })
    );
    assert_eq!(report["summary"]["suppressed"], 1);
    assert_valid(&report);
    // SARIF: an external suppression with the reason as its justification.
    let out = passrole(&[
        "scan",
        "--format",
        "sarif",
        "--config",
        "testdata/config/keys/allow.toml",
        INFRA,
    ]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let pr010 = results.iter().find(|r| r["ruleId"] == "PR010").unwrap();
    assert_eq!(pr010["suppressions"][0]["kind"], "external");
    assert_eq!(
        pr010["suppressions"][0]["justification"],
        "CI deploys every stack and creates their roles"
    );
}

#[test]
fn an_allow_holder_matches_the_policy_itself_and_patterns_match_the_whole_value() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("passrole.toml");
    std::fs::write(
        &config,
        "[[allow]]\nrule = \"PR011\"\nresource = \"arn:aws:iam::*:role/deploy-*\"\n\
         holder = \"aws_iam_policy.ci_*\"\nreason = \"deploy roles\"\n\
         [[allow]]\nrule = \"PR010\"\nresource = \"arn:aws:iam::*:role/*\"\nreason = \"narrower than *\"\n",
    )
    .unwrap();
    let (report, code) = scan_json(&["--config", config.to_str().unwrap(), INFRA]);
    assert_eq!(code, 1, "the pattern role/* does not approve a grant on *");
    assert_eq!(
        reported(&report),
        [infra("PR010", "error"), infra("PR015", "note")]
    );
}

#[test]
fn baseline_is_resolved_against_the_configuration_file() {
    let config = passrole::config::load(Path::new("testdata/config/keys/baseline.toml"), None)
        .expect("valid");
    let expected = std::env::current_dir()
        .unwrap()
        .join("testdata/config/keys/accepted/passrole-baseline.json");
    assert_eq!(config.baseline, Some(expected));
}

#[test]
fn exclude_skips_paths_relative_to_the_configuration_file() {
    let (report, code) = scan_json(&["testdata/config/exclude"]);
    assert_eq!(code, 0);
    assert_eq!(
        reported(&report),
        [finding(
            "PR011",
            "warning",
            "testdata/config/exclude/main.tf",
            5
        )]
    );
    assert_eq!(report["summary"]["files"], 1);
    // Without the file, legacy/ is scanned.
    let (report, code) = scan_json(&["--no-config", "testdata/config/exclude"]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["files"], 2);
}

#[test]
fn exclude_flag_adds_to_the_file() {
    let (report, code) = scan_json(&[
        "--exclude",
        "testdata/config/exclude/main.tf",
        "testdata/config/exclude",
    ]);
    assert_eq!(code, 0);
    assert_eq!(reported(&report), []);
    assert_eq!(report["summary"]["files"], 0);
}

#[test]
fn respect_gitignore_skips_what_ignore_files_list() {
    let (report, code) = scan_json(&["testdata/config/respect-gitignore"]);
    assert_eq!(code, 0);
    assert_eq!(
        reported(&report),
        [finding(
            "PR011",
            "warning",
            "testdata/config/respect-gitignore/main.tf",
            5
        )]
    );
    // The flag overrides the file.
    let (report, code) = scan_json(&[
        "--no-respect-gitignore",
        "testdata/config/respect-gitignore",
    ]);
    assert_eq!(code, 1);
    assert_eq!(reported(&report).len(), 2);
}

#[test]
fn an_extra_passer_finds_a_pass_the_builtin_catalog_does_not_know() {
    let (report, code) = scan_json(&["testdata/config/passer"]);
    assert_eq!(code, 1);
    assert_eq!(
        reported(&report),
        [finding(
            "PR001",
            "error",
            "testdata/config/passer/main.tf",
            14
        )]
    );
    assert!(report["findings"][0]["message"].as_str().unwrap().contains(
        "to Example Pipelines, but the role's trust policy does not trust example.amazonaws.com"
    ));
    let (report, code) = scan_json(&["--no-config", "testdata/config/passer"]);
    assert_eq!(code, 0);
    assert_eq!(reported(&report), []);
}

#[test]
fn an_extra_principal_set_approves_a_shared_trust_policy() {
    let (report, code) = scan_json(&["testdata/config/principal-set"]);
    assert_eq!(code, 0);
    assert_eq!(reported(&report), []);
    let (report, code) = scan_json(&["--no-config", "testdata/config/principal-set"]);
    assert_eq!(code, 1);
    assert_eq!(
        reported(&report),
        [finding(
            "PR002",
            "error",
            "testdata/config/principal-set/main.tf",
            10
        )]
    );
}

#[test]
fn source_points_plan_findings_at_the_tf_files() {
    let (report, code) = scan_json(&["testdata/config/source"]);
    assert_eq!(code, 1);
    assert_eq!(
        reported(&report),
        [finding(
            "PR001",
            "error",
            "testdata/plan-modules/modules/fn/main.tf",
            7
        )]
    );
    let (report, _) = scan_json(&["--no-config", "testdata/config/source"]);
    assert_eq!(
        report["findings"][0]["location"]["file"],
        "testdata/config/source/plan.tfplan.json"
    );
}

#[test]
fn the_configuration_is_found_from_a_subdirectory() {
    // discovery/passrole.toml selects PR011 only; app/nested holds a PR010 finding.
    let (report, code) = scan_json(&["testdata/config/discovery/app/nested"]);
    assert_eq!((reported(&report), code), (vec![], 0));
    let (report, code) = scan_json(&["testdata/config/discovery/app/nested/main.tf"]);
    assert_eq!((reported(&report), code), (vec![], 0));
    let (report, code) = scan_json(&["testdata/config/discovery/app"]);
    assert_eq!(code, 0);
    assert_eq!(
        reported(&report),
        [finding(
            "PR011",
            "warning",
            "testdata/config/discovery/app/main.tf",
            5
        )]
    );
}

#[test]
fn discovery_stops_at_the_repository_root() {
    let tmp = tempfile::tempdir().unwrap();
    // Above the repository: never read.
    std::fs::write(tmp.path().join("passrole.toml"), "select = [\"PR011\"]\n").unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("app")).unwrap();
    std::fs::copy(
        "testdata/config/exclude/legacy/main.tf",
        repo.join("app/main.tf"),
    )
    .unwrap();
    let app = repo.join("app");
    let (report, code) = scan_json(&[app.to_str().unwrap()]);
    assert_eq!(
        code, 1,
        "PR010 runs: the file above the repository is not used"
    );
    assert_eq!(reported(&report).len(), 1);
    // At the repository root: used.
    std::fs::write(repo.join("passrole.toml"), "select = [\"PR011\"]\n").unwrap();
    let (report, code) = scan_json(&[app.to_str().unwrap()]);
    assert_eq!((reported(&report), code), (vec![], 0));
}

#[cfg(unix)]
#[test]
fn a_discovered_configuration_that_links_out_of_the_repository_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = tmp.path().join("secret.toml");
    std::fs::write(&secret, "not = toml = at all: s3cr3t\n").unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::os::unix::fs::symlink(&secret, repo.join("passrole.toml")).unwrap();
    let err = config_failure(&["scan", repo.to_str().unwrap()]);
    assert!(err.contains("outside"), "{err}");
    assert!(!err.contains("s3cr3t"), "{err}");
}

#[test]
fn flags_override_the_file() {
    let select = "testdata/config/keys/select.toml";
    let (report, code) = scan_json(&["--config", select, "--select", "PR010", INFRA]);
    assert_eq!(code, 1);
    assert_eq!(reported(&report), [infra("PR010", "error")]);
    let (report, code) = scan_json(&["--config", select, "--ignore", "PR015", INFRA]);
    assert_eq!(code, 0);
    assert_eq!(reported(&report), [infra("PR011", "warning")]);
    let fail_on = "testdata/config/keys/fail-on.toml";
    let (_, code) = scan_json(&["--config", fail_on, "--fail-on", "error", INFRA]);
    assert_eq!(code, 1);
    let (_, code) = scan_json(&["--fail-on", "never", INFRA]);
    assert_eq!(code, 0);
    let (report, code) = scan_json(&["--select", "PR010,PR015", "--ignore", "PR010", INFRA]);
    assert_eq!(code, 0);
    assert_eq!(reported(&report), [infra("PR015", "note")]);
}

#[test]
fn an_unknown_key_gives_its_line_column_and_the_closest_key() {
    let err = config_failure(&[
        "scan",
        "--config",
        "testdata/config/broken/unknown-key.toml",
        INFRA,
    ]);
    assert_eq!(
        err,
        "error: testdata/config/broken/unknown-key.toml:2:1: unknown key `fail_on`, did you mean `fail-on`?\n"
    );
    let err = config_failure(&[
        "scan",
        "--config",
        "testdata/config/broken/allow-unknown-key.toml",
        INFRA,
    ]);
    assert_eq!(
        err,
        "error: testdata/config/broken/allow-unknown-key.toml:4:1: unknown key `holdr`, did you mean `holder`?\n"
    );
}

#[test]
fn bad_values_give_their_line_and_column() {
    let cases = [
        (
            "bad-fail-on",
            "1:11: unknown value `sometimes`, expected one of `error`, `warning`, `note`, `never`",
        ),
        (
            "bad-severity",
            "3:9: unknown value `loud`, expected one of `error`, `warning`, `note`, `off`",
        ),
        (
            "allow-without-reason",
            "1:1: an [[allow]] entry needs a non-empty `reason`: say why it is safe",
        ),
        (
            "passer-wrong-path-key",
            "1:1: a Terraform [[passer]] names its path with `attribute`, not `property`",
        ),
        (
            "passer-bad-principal",
            "1:1: [[passer]]: principal \"not a principal\" is not a service principal like \
             \"lambda.amazonaws.com\" (lowercase, ending in \".amazonaws.com\")",
        ),
        ("not-toml", "1:18: unclosed array, expected `]`"),
    ];
    for (name, expected) in cases {
        let file = format!("testdata/config/broken/{name}.toml");
        let err = config_failure(&["scan", "--config", &file, INFRA]);
        assert_eq!(err, format!("error: {file}:{expected}\n"));
    }
}

#[test]
fn an_unknown_rule_id_is_an_error_naming_the_closest() {
    let (report, code) = scan_json(&[
        "--config",
        "testdata/config/broken/unknown-rule.toml",
        INFRA,
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        report["errors"],
        serde_json::json!([{
            "file": "testdata/config/broken/unknown-rule.toml",
            "kind": "config",
            "message": "`PR0100` is not a rule id or prefix of one, did you mean `PR010`?",
            "line": 1,
            "column": 20
        }])
    );
    assert_valid(&report);
    let out = passrole(&["scan", "--select", "PR9", INFRA]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(
            "error[config]: --select: `PR9` is not a rule id or prefix of one (`passrole rules list` shows the rules)"
        )
    );
}

#[test]
fn a_missing_config_file_is_an_error() {
    let err = config_failure(&["scan", "--config", "testdata/config/nope.toml", INFRA]);
    assert_eq!(
        err,
        "error: testdata/config/nope.toml: the configuration file does not exist\n"
    );
}

#[test]
fn every_key_is_documented() {
    let docs = std::fs::read_to_string("docs/configuration.md").expect("docs/configuration.md");
    let headings: Vec<&str> = docs.lines().filter(|l| l.starts_with('#')).collect();
    let keys = passrole::config::keys();
    assert!(keys.len() > 20, "{keys:?}");
    for key in keys {
        assert!(
            // Arrays of tables are headed as written: `[[allow]]`.
            headings
                .iter()
                .any(|h| h.contains(&format!("`{key}`")) || h.contains(&format!("`[[{key}]]`"))),
            "`{key}` has no heading in docs/configuration.md"
        );
    }
}

#[test]
fn init_writes_a_file_that_scan_accepts_and_never_overwrites_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let out = passrole(&["init", dir]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = tmp.path().join("passrole.toml");
    let text = std::fs::read_to_string(&written).unwrap();
    assert_eq!(text, passrole::config::INIT_TEMPLATE);
    // Accepted, and with everything commented out it changes nothing.
    let (report, code) = scan_json(&["--config", written.to_str().unwrap(), INFRA]);
    assert_eq!(code, 1);
    assert_eq!(reported(&report).len(), 3);
    // Each commented `key = value` line, uncommented alone, is accepted too (the baseline and the
    // source directory it names exist: missing ones are errors).
    std::fs::create_dir(tmp.path().join("infra")).unwrap();
    std::fs::write(
        tmp.path().join("passrole-baseline.json"),
        "{\"version\": 1, \"entries\": []}\n",
    )
    .unwrap();
    for line in text
        .lines()
        .filter(|l| l.starts_with("# ") && l.contains(" = "))
    {
        let key = line.trim_start_matches("# ").split(' ').next().unwrap();
        if !passrole::config::keys().iter().any(|k| k == key) {
            continue;
        }
        std::fs::write(&written, format!("{}\n", &line[2..])).unwrap();
        let out = passrole(&["scan", "--config", written.to_str().unwrap(), INFRA]);
        assert_ne!(out.status.code(), Some(2), "{line}: {}", stderr(&out));
    }
    // Never overwritten without --force.
    std::fs::write(&written, "select = [\"PR010\"]\n").unwrap();
    let out = passrole(&["init", dir]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).ends_with("passrole.toml already exists; use --force to replace it\n"));
    assert_eq!(
        std::fs::read_to_string(&written).unwrap(),
        "select = [\"PR010\"]\n"
    );
    let out = passrole(&["init", "--force", dir]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&written).unwrap(),
        passrole::config::INIT_TEMPLATE
    );
}

#[test]
fn a_discovered_configuration_cannot_widen_what_the_scan_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join("passrole.toml"), "source = \"/\"\n").unwrap();
    let err = config_failure(&["scan", repo.to_str().unwrap()]);
    assert!(
        err.contains("`source` / is outside") && err.contains("name the file with --config"),
        "{err}"
    );
    // Named explicitly, the same file is trusted.
    let out = passrole(&[
        "scan",
        "--config",
        repo.join("passrole.toml").to_str().unwrap(),
        repo.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn every_toml_example_in_the_docs_is_accepted() {
    let mut checked = 0;
    for doc in ["docs/configuration.md", "README.md"] {
        let text = std::fs::read_to_string(doc).unwrap();
        for block in text.split("```toml\n").skip(1) {
            let example = block.split("```").next().unwrap();
            passrole::config::parse(Path::new(doc), example)
                .unwrap_or_else(|e| panic!("{doc}: {e}\n{example}"));
            checked += 1;
        }
    }
    assert!(checked >= 12, "{checked} examples");
}

#[test]
fn selection_and_severity_apply_to_rules_from_rule_directories() {
    let (report, code) = scan_json(&["--rules", "tests/custom-rules", "--select", "ORG", INFRA]);
    assert_eq!(code, 0);
    let org =
        |severity: &str, line| finding("ORG001", severity, "testdata/config/infra/main.tf", line);
    assert_eq!(reported(&report), [org("warning", 16), org("warning", 17)]);
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("passrole.toml");
    std::fs::write(
        &config,
        "select = [\"ORG001\"]\n[severity]\nORG001 = \"error\"\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let (report, code) = scan_json(&["--config", config, "--rules", "tests/custom-rules", INFRA]);
    assert_eq!(code, 1);
    assert_eq!(reported(&report), [org("error", 16), org("error", 17)]);
    // Without the rule directory, ORG001 names no rule.
    let (report, code) = scan_json(&["--config", config, INFRA]);
    assert_eq!(code, 2);
    let messages: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "`ORG001` is not a rule id or prefix of one (`passrole rules list` shows the rules)",
            "`ORG001` is not a rule id (`passrole rules list` shows the rules)"
        ]
    );
}

#[test]
fn a_configuration_file_over_the_size_limit_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("passrole.toml");
    let mut text = String::from("select = [\"PR010\"]\n");
    text.push_str(&"# padding\n".repeat(200_000));
    std::fs::write(&config, text).unwrap();
    let err = config_failure(&["scan", "--config", config.to_str().unwrap(), INFRA]);
    assert!(
        err.starts_with(&format!("error: {}: ", config.display())),
        "{err}"
    );
    assert!(
        err.contains("2000019 bytes") && err.contains("1048576"),
        "{err}"
    );
}

#[test]
fn a_discovered_configuration_outside_root_is_not_read() {
    let err = config_failure(&[
        "scan",
        "--root",
        "testdata/config/discovery/app",
        "testdata/config/discovery/app",
    ]);
    assert!(
        err.starts_with(
            "error: testdata/config/discovery/passrole.toml: the configuration file: resolves to "
        ) && err.contains("which is outside the scan root"),
        "{err}"
    );
    // --no-config scans without it.
    let out = passrole(&[
        "scan",
        "--no-config",
        "--root",
        "testdata/config/discovery/app",
        "testdata/config/discovery/app",
    ]);
    assert_eq!(out.status.code(), Some(1));
}
