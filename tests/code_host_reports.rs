//! The reports code hosts read, as users run them: GitLab Code Quality entries have GitLab's required
//! fields, JUnit XML parses back strictly with the counts it states, and findings inside modules
//! fetched by `terraform init` are located at the module call in the repository (SARIF, GitLab,
//! JUnit), from a `.tf` scan and from a plan. SARIF's `automationDetails.id` names the analysis.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn passrole(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("passrole runs")
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// GitLab's Code Quality report shape (docs.gitlab.com/ci/testing/code_quality, "Code Quality
/// report format"): an array of issues with these fields, in these types.
fn check_gitlab_issues(issues: &[Value], what: &str) {
    const SEVERITIES: &[&str] = &["info", "minor", "major", "critical", "blocker"];
    let mut fingerprints = std::collections::HashSet::new();
    for issue in issues {
        let text = |key: &str| issue[key].as_str().filter(|s| !s.is_empty());
        assert!(text("description").is_some(), "{what}: {issue}");
        assert!(text("check_name").is_some(), "{what}: {issue}");
        let fingerprint = text("fingerprint").unwrap_or_else(|| panic!("{what}: {issue}"));
        assert!(
            fingerprints.insert(fingerprint.to_string()),
            "{what}: {fingerprint} twice"
        );
        let severity = text("severity").unwrap_or_default();
        assert!(
            SEVERITIES.contains(&severity),
            "{what}: severity {severity}"
        );
        let path = issue["location"]["path"].as_str().unwrap_or_default();
        assert!(
            !path.is_empty() && !path.starts_with('/'),
            "{what}: path {path}"
        );
        assert!(
            !path.contains(".terraform/"),
            "{what}: {path} is not in the repository"
        );
        let begin = issue["location"]["lines"]["begin"].as_u64().unwrap_or(0);
        assert!(begin >= 1, "{what}: lines.begin {begin}");
    }
}

#[test]
fn gitlab_reports_every_reported_finding_and_error_with_the_required_fields() {
    let root = std::env::current_dir().unwrap();
    for dir in [
        "testdata",
        "testdata/report-formats",
        "rules/PR001/examples/terraform-pass",
    ] {
        let report = json_of(&passrole(&["scan", "--format", "json", dir], &root));
        let out = passrole(&["scan", "--format", "gitlab", dir], &root);
        let issues = json_of(&out);
        let issues = issues.as_array().expect("an array");
        check_gitlab_issues(issues, dir);
        let reported: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f.get("suppression").is_none())
            .collect();
        let errors = report["errors"].as_array().unwrap();
        assert_eq!(issues.len(), reported.len() + errors.len(), "{dir}");
        for (issue, f) in issues.iter().zip(&reported) {
            assert_eq!(issue["check_name"], f["rule"], "{dir}");
            assert_eq!(issue["fingerprint"], f["fingerprint"], "{dir}");
        }
    }
}

/// Parses a JUnit report strictly (matching end tags, escapes, attributes, one root) and returns
/// (test cases, failure, error and skipped elements, the text of every failure), checking that
/// the counts the report states are those it holds.
fn parse_junit(xml: &str) -> (usize, usize, usize, usize, Vec<String>) {
    use quick_xml::events::{BytesStart, Event};
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.check_end_names(true);
    let attr = |e: &BytesStart, name: &str| -> Option<String> {
        e.attributes()
            .map(|a| a.expect("a well-formed attribute"))
            .find(|a| a.key.as_ref() == name.as_bytes())
            .map(|a| a.unescape_value().expect("escaped").into_owned())
    };
    let count = |e: &BytesStart, name: &str| -> usize { attr(e, name).unwrap().parse().unwrap() };
    let (mut stack, mut roots) = (Vec::<String>::new(), 0);
    let mut stated = Vec::new(); // (tests, failures, errors, skipped) of each suite and the root
    let mut held = [0usize; 4];
    let mut suite_held = [0usize; 4];
    let mut texts = Vec::new();
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
            if stack.is_empty() {
                roots += 1;
            }
            let i = ["testcase", "failure", "error", "skipped"]
                .iter()
                .position(|n| *n == name);
            if let Some(i) = i {
                held[i] += 1;
                suite_held[i] += 1;
            }
            if name == "testcase" {
                assert!(attr(&e, "classname").is_some() && attr(&e, "name").is_some());
            }
            if name == "failure" || name == "error" {
                assert!(attr(&e, "message").is_some() && attr(&e, "type").is_some());
            }
            if name == "testsuite" || name == "testsuites" {
                assert!(attr(&e, "name").is_some());
                let c = ["tests", "failures", "errors", "skipped"].map(|k| count(&e, k));
                stated.push((name.clone(), c));
                if name == "testsuite" {
                    suite_held = [0; 4];
                }
            }
            if !empty {
                stack.push(name);
            }
            continue;
        }
        match event {
            Event::Text(t) => {
                let text = t.unescape().expect("escaped text").into_owned();
                if matches!(stack.last().map(String::as_str), Some("failure")) {
                    texts.push(text);
                }
            }
            Event::End(e) => {
                let name = stack.pop().expect("an open element");
                assert_eq!(e.name().as_ref(), name.as_bytes());
                if name == "testsuite" {
                    let (_, c) = stated.iter().rev().find(|(n, _)| n == "testsuite").unwrap();
                    assert_eq!(*c, suite_held, "the counts of a testsuite");
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty() && roots == 1, "one root element, closed");
    let (_, root) = stated
        .iter()
        .find(|(n, _)| n == "testsuites")
        .expect("<testsuites>");
    assert_eq!(*root, held, "the counts of <testsuites>");
    (held[0], held[1], held[2], held[3], texts)
}

#[test]
fn junit_is_well_formed_and_holds_every_finding_and_error() {
    let root = std::env::current_dir().unwrap();
    for dir in [
        "testdata",
        "testdata/report-formats",
        "rules/PR001/examples/terraform-pass",
    ] {
        let report = json_of(&passrole(&["scan", "--format", "json", dir], &root));
        let out = passrole(&["scan", "--format", "junit", dir], &root);
        let xml = String::from_utf8(out.stdout).unwrap();
        let (cases, failures, errors, skipped, texts) = parse_junit(&xml);
        let findings = report["findings"].as_array().unwrap();
        let reported = findings.iter().filter(|f| f.get("suppression").is_none());
        // One line per reported finding in the failures, each ending with its rule.
        let lines: Vec<&str> = texts
            .iter()
            .flat_map(|t| t.lines())
            .filter(|l| !l.starts_with("  related ") && !l.starts_with('('))
            .collect();
        assert_eq!(lines.len(), reported.clone().count(), "{dir}");
        for f in reported {
            let rule = f["rule"].as_str().unwrap();
            assert!(
                lines.iter().any(|l| l.ends_with(&format!("[{rule}]"))),
                "{dir}: {rule}"
            );
        }
        assert_eq!(errors, report["errors"].as_array().unwrap().len(), "{dir}");
        assert!(cases >= failures + errors + skipped, "{dir}");
        if dir == "rules/PR001/examples/terraform-pass" {
            assert_eq!((failures, errors, skipped), (0, 0, 0));
        } else {
            assert!(
                failures > 0 && skipped > 0,
                "{dir}: {failures} failures, {skipped} skipped"
            );
        }
    }
}

#[test]
fn junit_escapes_hostile_text() {
    let dir = tempfile::tempdir().unwrap();
    // A grant whose resource (quoted in the message) holds markup and a control character.
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{\n      \
         Effect = \"Allow\"\n      Action = \"iam:PassRole\"\n      Resource = \
         \"arn:aws:iam::123456789012:role/a]]>\\u0001<x>&*\"\n    }]\n  })\n}\n",
    )
    .unwrap();
    let out = passrole(&["scan", "--format", "junit", "main.tf"], dir.path());
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(!xml.contains('\u{1}'), "{xml}");
    let (_, failures, _, _, texts) = parse_junit(&xml);
    assert_eq!(failures, 1, "{xml}");
    assert!(texts[0].contains("role/a]]><x>&*\""), "{}", texts[0]);
}

#[test]
fn findings_in_fetched_modules_are_at_the_module_call_for_code_hosts() {
    let root = std::env::current_dir().unwrap();
    let dir = "testdata/mod-fetched-grant";
    let module = "testdata/mod-fetched-grant/.terraform/modules/deployer/modules/policy/main.tf";
    // Where the files are read, the finding is where it is.
    let gcc = passrole(&["scan", "--format", "gcc", dir], &root);
    let gcc = String::from_utf8(gcc.stdout).unwrap();
    assert!(gcc.starts_with(&format!("{module}:8:18: error: ")), "{gcc}");
    // SARIF: at `module "deployer"` (line 4), two calls up; the module file is related.
    let sarif = json_of(&passrole(&["scan", "--format", "sarif", dir], &root));
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": {"uri": "testdata/mod-fetched-grant/main.tf", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 18},
        })
    );
    let inside = &result["relatedLocations"][0];
    assert_eq!(inside["id"], 1);
    assert_eq!(
        inside["message"]["text"],
        "module.deployer.module.policy.aws_iam_policy.deployer is here, in a module fetched by \
         terraform init"
    );
    assert_eq!(
        inside["physicalLocation"]["artifactLocation"]["uri"],
        module
    );
    assert_eq!(inside["physicalLocation"]["region"]["startLine"], 8);
    assert_eq!(inside["physicalLocation"]["region"]["startColumn"], 18);
    assert_eq!(
        result["relatedLocations"][1]["message"]["text"],
        "the statement"
    );
    // GitLab and JUnit too.
    let gitlab = json_of(&passrole(&["scan", "--format", "gitlab", dir], &root));
    assert_eq!(
        gitlab[0]["location"],
        serde_json::json!({"path": "testdata/mod-fetched-grant/main.tf", "lines": {"begin": 4}})
    );
    let junit = passrole(&["scan", "--format", "junit", dir], &root);
    let junit = String::from_utf8(junit.stdout).unwrap();
    assert!(junit.contains(
        "<testcase classname=\"PR010\" name=\"testdata/mod-fetched-grant/main.tf\" \
         file=\"testdata/mod-fetched-grant/main.tf\">"
    ));
    assert!(junit.contains(&format!("\n  related {module}:8:18: module.deployer.")));
}

#[test]
fn sarif_automation_details_name_the_scanned_paths_or_the_category_flag() {
    let root = std::env::current_dir().unwrap();
    let id = |args: &[&str]| {
        let sarif = json_of(&passrole(
            &[&["scan", "--format", "sarif"], args].concat(),
            &root,
        ));
        sarif["runs"][0]["automationDetails"]["id"].clone()
    };
    assert_eq!(
        id(&["rules/PR001/examples/terraform-fail"]),
        "passrole/rules/PR001/examples/terraform-fail/"
    );
    assert_eq!(
        id(&[
            "rules/PR001/examples/terraform-fail/",
            "rules/PR010/examples/terraform-fail"
        ]),
        "passrole/rules/PR001/examples/terraform-fail+rules/PR010/examples/terraform-fail/"
    );
    assert_eq!(
        id(&[
            "--sarif-category",
            "infra/prod",
            "rules/PR001/examples/terraform-fail"
        ]),
        "infra/prod/"
    );
    assert_eq!(
        id(&[
            "--sarif-category",
            "cfn/",
            "rules/PR001/examples/terraform-fail"
        ]),
        "cfn/"
    );
    let dir = root.join("rules/PR001/examples/terraform-fail");
    let sarif = json_of(&passrole(&["scan", "--format", "sarif"], &dir));
    assert_eq!(sarif["runs"][0]["automationDetails"]["id"], "passrole/");
}

/// Copies a directory tree (the fixtures are small).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn plan_findings_in_fetched_modules_are_at_the_module_call_too() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(Path::new("testdata/mod-fetched-grant"), dir.path());
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}"#;
    let address = "module.deployer.module.policy.aws_iam_policy.deployer";
    let plan = serde_json::json!({
        "format_version": "1.2",
        "terraform_version": "1.5.7",
        "planned_values": {"root_module": {"child_modules": [{
            "address": "module.deployer",
            "child_modules": [{
                "address": "module.deployer.module.policy",
                "resources": [{
                    "address": address, "mode": "managed", "type": "aws_iam_policy",
                    "name": "deployer", "provider_name": "registry.terraform.io/hashicorp/aws",
                    "values": {"name": "deployer", "policy": policy},
                }],
            }],
        }]}},
        "configuration": {"root_module": {"module_calls": {"deployer": {
            "source": "example-org/deployer/aws",
            "module": {"module_calls": {"policy": {
                "source": "./modules/policy",
                "module": {"resources": [{
                    "address": "aws_iam_policy.deployer", "mode": "managed",
                    "type": "aws_iam_policy", "name": "deployer",
                }]},
            }}},
        }}}},
    });
    std::fs::write(dir.path().join("plan.json"), plan.to_string()).unwrap();
    let gcc = passrole(&["scan", "--format", "gcc", "plan.json"], dir.path());
    let gcc = String::from_utf8(gcc.stdout).unwrap();
    assert!(
        gcc.starts_with(".terraform/modules/deployer/modules/policy/main.tf:8:18: error: "),
        "{gcc}"
    );
    let gitlab = json_of(&passrole(
        &["scan", "--format", "gitlab", "plan.json"],
        dir.path(),
    ));
    assert_eq!(
        gitlab[0]["location"],
        serde_json::json!({"path": "main.tf", "lines": {"begin": 4}})
    );
}

#[test]
fn gitlab_paths_start_at_the_repository_root_wherever_passrole_runs() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    let infra = repo.path().join("infra");
    copy_tree(Path::new("rules/PR010/examples/terraform-fail"), &infra);
    let gitlab = json_of(&passrole(&["scan", "--format", "gitlab", "."], &infra));
    assert_eq!(
        gitlab[0]["location"],
        serde_json::json!({"path": "infra/main.tf", "lines": {"begin": 10}})
    );
    // From the root, the same path.
    let gitlab = json_of(&passrole(
        &["scan", "--format", "gitlab", "infra"],
        repo.path(),
    ));
    assert_eq!(gitlab[0]["location"]["path"], "infra/main.tf");
}
