//! `--format sarif` and `--format gcc` as users run them: the SARIF of every fixture validates against
//! the official SARIF 2.1.0 schema and reports what the JSON report reports; gcc lines are exact and
//! read by the shipped GitHub problem matcher.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The official schema, outside the repository (never copied into it); `PASSROLE_SARIF_SCHEMA`
/// overrides the path.
const SARIF_SCHEMA: &str = "../shared/data/schemas/sarif-schema-2.1.0.json";

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

fn sarif_validator() -> Option<jsonschema::Validator> {
    let path = std::env::var("PASSROLE_SARIF_SCHEMA").unwrap_or_else(|_| SARIF_SCHEMA.into());
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped SARIF schema validation: {path} is absent");
        return None;
    };
    let mut schema: Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    // The official schema's `language` patterns have a stray `]`, a literal in an ECMAScript regex
    // that the jsonschema crate's `format: regex` check rejects. Escaping it keeps the meaning (and
    // passrole writes no `language`).
    fix_language_patterns(&mut schema);
    Some(jsonschema::validator_for(&schema).expect("the SARIF schema compiles"))
}

fn fix_language_patterns(schema: &mut Value) {
    const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match schema {
        Value::Object(o) => {
            for (k, v) in o.iter_mut() {
                if k == "pattern" && v.as_str() == Some(STRAY) {
                    *v = Value::from("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$");
                } else {
                    fix_language_patterns(v);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(fix_language_patterns),
        _ => {}
    }
}

fn fixtures() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("testdata")
        .expect("testdata/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn sarif_of_every_fixture_validates_and_matches_the_json_report() {
    let validator = sarif_validator();
    let root = std::env::current_dir().unwrap();
    let mut checked = 0;
    for dir in fixtures() {
        let dir = dir.to_str().unwrap();
        let json_out = passrole(&["scan", "--format", "json", dir], &root);
        let sarif_out = passrole(&["scan", "--format", "sarif", dir], &root);
        assert_eq!(
            json_out.status.code(),
            sarif_out.status.code(),
            "{dir}: the exit code does not depend on the format"
        );
        let report = json_of(&json_out);
        let sarif = json_of(&sarif_out);
        if let Some(v) = &validator {
            let errors: Vec<String> = v
                .iter_errors(&sarif)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{dir}: {}", errors.join("; "));
        }
        let run = &sarif["runs"][0];
        let findings = report["findings"].as_array().unwrap();
        let results = run["results"].as_array().unwrap();
        assert_eq!(
            results.len(),
            findings.len(),
            "{dir}: one result per finding"
        );
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for (f, r) in findings.iter().zip(results) {
            assert_eq!(r["ruleId"], f["rule"], "{dir}");
            assert_eq!(r["level"], f["severity"], "{dir}");
            assert_eq!(r["message"]["text"], f["message"], "{dir}");
            assert_eq!(r["partialFingerprints"]["passrole/v2"], f["fingerprint"]);
            let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[index]["id"], f["rule"], "{dir}: ruleIndex");
            let file = f["location"]["file"].as_str().unwrap();
            let related = r["relatedLocations"].as_array().map_or(0, Vec::len);
            let mut related_in_json = f["related"].as_array().unwrap().len();
            // A finding in a module fetched by terraform init is at the module call in SARIF,
            // with its own location as the first related one.
            let loc = if file.split('/').any(|c| c == ".terraform") {
                related_in_json += 1;
                let call = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
                assert!(
                    !call.as_str().unwrap().contains(".terraform"),
                    "{dir}: {call}"
                );
                &r["relatedLocations"][0]["physicalLocation"]
            } else {
                &r["locations"][0]["physicalLocation"]
            };
            assert_eq!(loc["artifactLocation"]["uri"], file, "{dir}");
            assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let region = &loc["region"];
            assert_eq!(region["startLine"], f["location"]["start"]["line"]);
            assert_eq!(region["startColumn"], f["location"]["start"]["column"]);
            assert_eq!(region["endLine"], f["location"]["end"]["line"]);
            assert_eq!(region["endColumn"], f["location"]["end"]["column"]);
            assert_eq!(related, related_in_json, "{dir}");
        }
        let errors = report["errors"].as_array().unwrap();
        let invocation = &run["invocations"][0];
        assert_eq!(
            invocation["executionSuccessful"],
            errors.is_empty(),
            "{dir}"
        );
        let notifications = invocation["toolExecutionNotifications"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(
            notifications,
            errors.len(),
            "{dir}: one notification per input error"
        );
        checked += 1;
    }
    assert!(checked > 100, "only {checked} fixtures");
}

#[test]
fn sarif_of_suppressed_findings_validates_and_carries_the_reasons() {
    let root = std::env::current_dir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    // Written first: then the scan has inline, metadata and baseline suppressions at once.
    let args = ["scan", "--format", "sarif", "testdata/suppress/terraform"];
    let out = passrole(
        &[&args[..], &["--write-baseline", baseline]].concat(),
        &root,
    );
    assert_eq!(out.status.code(), Some(0));
    let out = passrole(
        &[
            "scan",
            "--format",
            "sarif",
            "--baseline",
            baseline,
            "testdata/suppress/terraform",
            "testdata/suppress/cloudformation",
        ],
        &root,
    );
    let sarif = json_of(&out);
    if let Some(v) = sarif_validator() {
        let errors: Vec<String> = v.iter_errors(&sarif).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}", errors.join("; "));
    }
    let suppressions: Vec<(String, String)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["suppressions"].get(0))
        .map(|s| {
            (
                s["kind"].as_str().unwrap().to_string(),
                s["justification"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(suppressions.contains(&("inSource".into(), "block comment".into())));
    assert!(suppressions.contains(&(
        "inSource".into(),
        "the pipeline role deploys every stack".into()
    )));
    assert!(
        suppressions
            .iter()
            .any(|(k, why)| k == "external" && why.starts_with("in the baseline ")),
        "{suppressions:?}"
    );
}

#[test]
fn the_sarif_schema_check_rejects_a_broken_report() {
    let Some(validator) = sarif_validator() else {
        return;
    };
    let root = std::env::current_dir().unwrap();
    let mut sarif = json_of(&passrole(
        &[
            "scan",
            "--format",
            "sarif",
            "rules/PR001/examples/terraform-fail",
        ],
        &root,
    ));
    assert!(validator.is_valid(&sarif));
    sarif["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&sarif));
    sarif["runs"][0]["results"][0]["level"] = Value::from("error");
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!validator.is_valid(&sarif));
}

#[test]
fn sarif_describes_every_loaded_rule_for_github() {
    let root = std::env::current_dir().unwrap();
    let sarif = json_of(&passrole(
        &[
            "scan",
            "--format",
            "sarif",
            "--rules",
            "tests/custom-rules",
            "rules/PR015/examples/terraform-pass",
        ],
        &root,
    ));
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "passrole");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"PR001") && ids.contains(&"ORG001"), "{ids:?}");
    let pr001 = &rules[0];
    assert_eq!(pr001["id"], "PR001");
    assert_eq!(pr001["defaultConfiguration"]["level"], "error");
    assert_eq!(pr001["properties"]["security-severity"], "8.0");
    assert_eq!(pr001["properties"]["tags"], serde_json::json!(["security"]));
    assert!(pr001["helpUri"].as_str().unwrap().starts_with("https://"));
    let markdown = pr001["help"]["markdown"].as_str().unwrap();
    assert!(markdown.contains("## How to fix it") && markdown.contains("```hcl"));
    let org = rules.iter().find(|r| r["id"] == "ORG001").unwrap();
    assert_eq!(org["defaultConfiguration"]["level"], "warning");
    assert_eq!(org["properties"]["security-severity"], "5.0");
    // A result of the user rule points at it.
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "ORG001")
        .expect("an ORG001 result");
    assert_eq!(
        rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "ORG001"
    );
}

#[test]
fn sarif_input_errors_are_tool_notifications() {
    let root = std::env::current_dir().unwrap();
    let out = passrole(
        &["scan", "--format", "sarif", "testdata/input-broken-hcl"],
        &root,
    );
    assert_eq!(out.status.code(), Some(2));
    let sarif = json_of(&out);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let n = &invocation["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(n["properties"]["kind"], "parse");
    let loc = &n["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "testdata/input-broken-hcl/broken.tf"
    );
    assert!(loc["region"]["startLine"].as_u64().is_some());
    // The good file beside it is still scanned.
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "PR010");
}

#[test]
fn sarif_output_is_deterministic() {
    let root = std::env::current_dir().unwrap();
    let a = passrole(&["scan", "--format", "sarif", "testdata"], &root);
    let b = passrole(&["scan", "--format", "sarif", "testdata"], &root);
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn gcc_lines_are_exact() {
    let root = std::env::current_dir().unwrap();
    let out = passrole(
        &[
            "scan",
            "--format",
            "gcc",
            "rules/PR001/examples/terraform-fail",
        ],
        &root,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), GCC_PR001_FAIL);
    let out = passrole(
        &["scan", "--format", "gcc", "testdata/input-broken-hcl"],
        &root,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), GCC_BROKEN_HCL);
}

const GCC_PR001_FAIL: &str = "\
rules/PR001/examples/terraform-fail/main.tf:19:19: error: aws_lambda_function.worker passes aws_iam_role.worker to AWS Lambda, but the role's trust policy does not trust lambda.amazonaws.com (it trusts: ec2.amazonaws.com) [PR001]
";

const GCC_BROKEN_HCL: &str = "\
testdata/input-broken-hcl/good.tf:9:18: error: aws_iam_policy.ci allows iam:PassRole on \"*\" (every resource), so whoever has this policy can pass any role, including administrator roles, to a service they control [PR010]
testdata/input-broken-hcl/broken.tf:5:3: error: invalid HCL: invalid expression; expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit [parse]
";

#[test]
fn gcc_exit_codes_follow_fail_on() {
    let root = std::env::current_dir().unwrap();
    let code = |args: &[&str]| passrole(args, &root).status.code();
    assert_eq!(
        code(&[
            "scan",
            "--format",
            "gcc",
            "rules/PR001/examples/terraform-pass"
        ]),
        Some(0)
    );
    assert_eq!(
        code(&[
            "scan",
            "--format",
            "sarif",
            "rules/PR001/examples/terraform-pass"
        ]),
        Some(0)
    );
    assert_eq!(code(&["scan", "--format", "gcc", "no/such/dir"]), Some(2));
    assert_eq!(code(&["scan", "--format", "sarif", "no/such/dir"]), Some(2));
}

/// The problem matcher in `.github/` reads every gcc line of every fixture, with the right severity
/// (GitHub knows `error`, `warning` and `notice`: notes go to the second matcher).
#[test]
fn the_github_problem_matcher_reads_gcc_lines() {
    let text = std::fs::read_to_string(".github/passrole-problem-matcher.json").unwrap();
    let config: Value = serde_json::from_str(&text).unwrap();
    let matchers = config["problemMatcher"].as_array().unwrap();
    assert_eq!(matchers[0]["owner"], "passrole");
    let compiled: Vec<(regex::Regex, &Value)> = matchers
        .iter()
        .map(|m| {
            let p = &m["pattern"][0];
            (regex::Regex::new(p["regexp"].as_str().unwrap()).unwrap(), m)
        })
        .collect();
    let root = std::env::current_dir().unwrap();
    let out = passrole(&["scan", "--format", "gcc", "testdata"], &root);
    let report = json_of(&passrole(&["scan", "--format", "json", "testdata"], &root));
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    // gcc prints the findings that are not suppressed.
    let findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("suppression").is_none())
        .collect();
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(lines.len(), findings.len() + errors.len());
    let mut notes = 0;
    for (line, f) in lines.iter().zip(&findings) {
        let matched: Vec<_> = compiled
            .iter()
            .filter_map(|(re, m)| re.captures(line).map(|c| (c, *m)))
            .collect();
        assert_eq!(matched.len(), 1, "exactly one matcher reads {line}");
        let (caps, matcher) = &matched[0];
        let group = |name: &str| {
            let i = matcher["pattern"][0][name].as_u64()? as usize;
            caps.get(i).map(|g| g.as_str().to_string())
        };
        assert_eq!(group("file").as_deref(), f["location"]["file"].as_str());
        assert_eq!(
            group("line"),
            Some(f["location"]["start"]["line"].to_string())
        );
        assert_eq!(
            group("column"),
            Some(f["location"]["start"]["column"].to_string())
        );
        assert_eq!(group("code").as_deref(), f["rule"].as_str());
        assert_eq!(group("message").as_deref(), f["message"].as_str());
        let severity = group("severity")
            .unwrap_or_else(|| matcher["severity"].as_str().unwrap_or("error").to_string());
        let expected = match f["severity"].as_str().unwrap() {
            "note" => {
                notes += 1;
                "notice"
            }
            s => s,
        };
        assert_eq!(severity, expected, "{line}");
    }
    assert!(notes > 0, "the fixtures have notes");
    for line in &lines[findings.len()..] {
        assert!(
            compiled.iter().any(|(re, _)| re.is_match(line)),
            "an input error is read: {line}"
        );
    }
}
