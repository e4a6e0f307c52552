//! Hand-written plans modelled on real `terraform show -json` output, beside the `.tf` they were
//! planned from: findings of the plan point at the `.tf` (the plan's location is a related location),
//! and the same mistake scanned from the `.tf` and from the plan has the same rule and line.

use passrole::scan::{ScanOptions, ScanResult, scan};
use std::path::{Path, PathBuf};
use std::process::Command;

fn scan_paths(paths: &[&Path], source: Option<&Path>) -> ScanResult {
    scan(&ScanOptions {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
        source: source.map(Path::to_path_buf),
        ..Default::default()
    })
}

/// `(rule, file, line)` of each finding.
fn located(result: &ScanResult) -> Vec<(String, String, usize)> {
    let mut v: Vec<_> = result
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                f.location.file.clone(),
                f.location.start.line,
            )
        })
        .collect();
    v.sort();
    v
}

fn owned(v: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
    v.iter()
        .map(|(r, f, l)| (r.to_string(), f.to_string(), *l))
        .collect()
}

#[test]
fn the_same_mistake_in_tf_and_in_its_plan_is_the_same_finding() {
    let dir = Path::new("testdata/plan-enrich");
    let tf = scan_paths(&[&dir.join("main.tf")], None);
    let plan = scan_paths(&[&dir.join("plan.tfplan.json")], None);
    let both = scan_paths(&[dir], None);
    let want = owned(&[
        ("PR001", "testdata/plan-enrich/main.tf", 20),
        ("PR010", "testdata/plan-enrich/main.tf", 35),
    ]);
    assert_eq!(located(&tf), want);
    assert_eq!(located(&plan), want);
    // Scanned together, each mistake is reported once.
    assert_eq!(located(&both), want);
    for r in [&tf, &plan, &both] {
        assert!(r.errors.is_empty(), "{:?}", r.errors);
    }
    // Same columns and fingerprints-relevant text; the plan adds where it has the value.
    for (a, b) in tf.findings.iter().zip(&plan.findings) {
        assert_eq!(
            (&a.location.file, a.location.start, a.location.end),
            (&b.location.file, b.location.start, b.location.end)
        );
        assert_eq!(a.fingerprint, b.fingerprint);
        let in_plan: Vec<_> = b
            .related
            .iter()
            .filter(|r| r.location.file.ends_with("plan.tfplan.json"))
            .collect();
        assert_eq!(in_plan.len(), 1, "{:?}", b.related);
        assert_eq!(in_plan[0].location.start.line, 1, "a plan is one line");
    }
    // The deleted policy (`iam:*` on `*` in `resource_changes[].change.before`) is silent.
    assert!(
        plan.findings
            .iter()
            .all(|f| f.resource != "aws_iam_policy.old")
    );
}

#[test]
fn without_its_configuration_a_plan_finding_points_into_the_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("plan.tfplan.json");
    std::fs::copy("testdata/plan-enrich/plan.tfplan.json", &copy).unwrap();
    let result = scan_paths(&[&copy], None);
    let got: Vec<(String, usize, usize)> = result
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                f.location.start.line,
                f.location.start.column,
            )
        })
        .collect();
    let text = std::fs::read_to_string(&copy).unwrap();
    // PR010 at the `"*"` of the policy string (escaped quotes included), PR001 at the configuration
    // expression that references the role, since the role's ARN is known only after apply.
    let star = text.find(r#"\"Resource\": \"*\""#).unwrap() + r#"\"Resource\": "#.len();
    let role_expr = text
        .find(r#""role":{"references":["aws_iam_role.worker.arn""#)
        .unwrap()
        + r#""role":"#.len();
    let mut got = got;
    got.sort();
    assert_eq!(
        got,
        vec![
            ("PR001".to_string(), 1, role_expr + 1),
            ("PR010".to_string(), 1, star + 1),
        ]
    );
    assert!(result.findings.iter().all(|f| {
        f.related
            .iter()
            .all(|r| r.location.file.ends_with("plan.tfplan.json"))
    }));
}

#[test]
fn roles_are_followed_across_module_boundaries() {
    let dir = Path::new("testdata/plan-modules");
    let result = scan_paths(&[&dir.join("plan.tfplan.json")], None);
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    // `module.fn` gets the EC2 role through `var.role_arn`: PR001 at the variable's use in the module.
    assert_eq!(
        located(&result),
        owned(&[("PR001", "testdata/plan-modules/modules/fn/main.tf", 7)])
    );
    // The root's Lambda reads `module.roles.role_arn`, an output: linked, checked, fine.
    let edges = result.facts.document.to_value()["units"][0]["pass_edges"]
        .as_array()
        .unwrap()
        .clone();
    let root = edges
        .iter()
        .find(|e| e["resource"] == "aws_lambda_function.root")
        .unwrap();
    assert_eq!(root["role"], "module.roles.aws_iam_role.this");
    assert_eq!(root["trusts_service"], true);
}

#[test]
fn source_dir_finds_the_configuration_of_a_plan_elsewhere() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("plan.tfplan.json");
    std::fs::copy("testdata/plan-modules/plan.tfplan.json", &copy).unwrap();
    let source: PathBuf = "testdata/plan-modules".into();
    let result = scan_paths(&[&copy], Some(&source));
    assert_eq!(
        located(&result),
        owned(&[("PR001", "testdata/plan-modules/modules/fn/main.tf", 7)])
    );
    // The same through the command line.
    let out = Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args([
            "scan",
            "--format",
            "json",
            "--source",
            "testdata/plan-modules",
        ])
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["findings"][0]["location"]["file"],
        "testdata/plan-modules/modules/fn/main.tf"
    );
}

#[path = "../benches/gen_plan.rs"]
mod gen_plan;

#[test]
fn a_generated_plan_larger_than_a_rule_slice_gives_every_finding() {
    // More roles, passes and grants than `rules::CHUNK`: the rules run in slices, and every failure
    // is still found and mapped back to its fact.
    let text = gen_plan::plan(5 * 1024 * 1024);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("big.tfplan.json");
    std::fs::write(&path, &text).unwrap();
    let result = scan_paths(&[&path], None);
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let modules = result.facts.document.to_value()["units"][0]["roles"]
        .as_array()
        .unwrap()
        .len();
    assert!(modules > passrole::rules::CHUNK, "{modules} modules");
    let count = |rule: &str| result.findings.iter().filter(|f| f.rule == rule).count();
    assert_eq!(count("PR001"), modules.div_ceil(10));
    assert_eq!(count("PR010"), modules.div_ceil(7));
    assert_eq!(result.findings.len(), count("PR001") + count("PR010"));
}

#[test]
fn a_policy_known_only_after_apply_is_read_from_its_tf() {
    // With the configuration beside the plan, the policy is the `.tf`'s: PR010 at its line.
    let plan = Path::new("testdata/plan-after-apply-policy/plan.tfplan.json");
    let got = located(&scan_paths(&[plan], None));
    assert!(
        got.contains(&(
            "PR010".into(),
            "testdata/plan-after-apply-policy/main.tf".into(),
            52
        )),
        "{got:?}"
    );
    // Without it, the plan cannot tell: a coverage note, never a guess.
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("plan.tfplan.json");
    std::fs::copy(plan, &copy).unwrap();
    let result = scan_paths(&[&copy], None);
    let gaps: Vec<&str> = result
        .findings
        .iter()
        .filter(|f| f.resource == "aws_iam_policy.after_apply")
        .map(|f| f.rule.as_str())
        .collect();
    assert_eq!(gaps, vec!["PR016"]);
}
