//! Real `terraform show -json` output from `../shared/data/plans/` (Terraform 0.12 to 1.5), read where
//! it lies: never copied into the repository. Each test is skipped, with a message, when the folder is
//! absent.

use passrole::scan::{ScanOptions, ScanResult, scan};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn plans() -> Option<PathBuf> {
    let dir = Path::new("../shared/data/plans");
    if dir.is_dir() {
        Some(dir.to_path_buf())
    } else {
        eprintln!("skipped: ../shared/data/plans is absent (real plans are not in the repository)");
        None
    }
}

fn scan_file(path: &Path) -> ScanResult {
    scan(&ScanOptions {
        paths: vec![path.to_path_buf()],
        ..Default::default()
    })
}

/// `(rule, line, column, resource)` of each finding, in report order.
fn findings(result: &ScanResult) -> Vec<(String, usize, usize, String)> {
    result
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                f.location.start.line,
                f.location.start.column,
                f.resource.clone(),
            )
        })
        .collect()
}

fn f(rule: &str, line: usize, column: usize, resource: &str) -> (String, usize, usize, String) {
    (rule.into(), line, column, resource.into())
}

/// Scans one real plan and checks that it was read without error.
fn scan_plan(name: &str) -> Option<ScanResult> {
    let path = plans()?.join(name);
    let result = scan_file(&path);
    assert!(result.errors.is_empty(), "{name}: {:?}", result.errors);
    assert_eq!(result.files, 1, "{name} is classified as a plan");
    assert_eq!(
        result.facts.document.to_value()["units"][0]["kind"],
        "plan",
        "{name}"
    );
    Some(result)
}

#[test]
fn iam_policies_with_iam_star_on_star_are_pr010_inside_the_policy_strings() {
    let Some(result) = scan_plan("iam-policies.tfplan.json") else {
        return;
    };
    // The `"*"` Resource of each inline policy, found inside the JSON string of the plan (CRLF policy
    // of the group included); `aws_iam_policy.policy_pass` (s3:* only) is silent.
    assert_eq!(
        findings(&result),
        vec![
            f("PR015", 31, 100, "aws_iam_group_policy.fail_2"),
            f("PR010", 31, 226, "aws_iam_group_policy.fail_2"),
            f("PR015", 86, 144, "aws_iam_role_policy.fail_1"),
            f("PR010", 86, 188, "aws_iam_role_policy.fail_1"),
            f("PR015", 118, 144, "aws_iam_user_policy.fail_3"),
            f("PR010", 118, 188, "aws_iam_user_policy.fail_3"),
        ]
    );
    let text = std::fs::read_to_string(plans().unwrap().join("iam-policies.tfplan.json")).unwrap();
    let line: Vec<&str> = text.lines().collect();
    let at = |l: usize, c: usize| line[l - 1].chars().skip(c - 1).take(5).collect::<String>();
    assert_eq!(at(31, 226), r#"\"*\""#);
    assert_eq!(at(86, 144), r#"\"Act"#);
}

#[test]
fn codebuild_service_role_is_a_pass_edge_to_the_role() {
    let Some(result) = scan_plan("codebuild.tfplan.json") else {
        return;
    };
    // The role trusts codebuild.amazonaws.com: the passes are checked and fine.
    assert_eq!(findings(&result), vec![]);
    let edges = result.facts.document.to_value()["units"][0]["pass_edges"]
        .as_array()
        .unwrap()
        .clone();
    let got: Vec<(&str, &str, &str, bool)> = edges
        .iter()
        .map(|e| {
            (
                e["resource"].as_str().unwrap(),
                e["attribute"].as_str().unwrap(),
                e["role"].as_str().unwrap_or("-"),
                e["trusts_service"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "aws_codebuild_project.alias",
                "service_role",
                "aws_iam_role.example",
                true
            ),
            (
                "aws_codebuild_project.image",
                "service_role",
                "aws_iam_role.example",
                true
            ),
        ]
    );
}

#[test]
fn utf16_plan_reads_like_its_utf8_twin() {
    let Some(dir) = plans() else { return };
    let path = dir.join("utf16-bom.tfplan.json");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..2], &[0xFF, 0xFE], "UTF-16LE with a BOM");
    let units: Vec<u16> = bytes[2..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let text = String::from_utf16(&units).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let twin = tmp.path().join("utf8.tfplan.json");
    std::fs::write(&twin, text).unwrap();

    let utf16 = scan_plan("utf16-bom.tfplan.json").unwrap();
    let utf8 = scan_file(&twin);
    assert!(utf8.errors.is_empty());
    assert_eq!(
        findings(&utf16),
        vec![
            f("PR015", 17, 41, "aws_iam_role_policy.fail_1"),
            f("PR010", 17, 94, "aws_iam_role_policy.fail_1"),
        ]
    );
    assert_eq!(findings(&utf16), findings(&utf8));
    let messages = |r: &ScanResult| {
        r.findings
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(messages(&utf16), messages(&utf8));
}

#[test]
fn deleted_resources_are_silent() {
    let Some(result) = scan_plan("deleted-resources.tfplan.json") else {
        return;
    };
    assert_eq!(findings(&result), vec![]);
}

#[test]
fn a_state_file_is_read_without_error_or_finding() {
    // `corrupted.tfplan.json` is the `terraform show -json` of a state: `values`, no `planned_values`.
    let Some(result) = scan_plan("corrupted.tfplan.json") else {
        return;
    };
    assert_eq!(findings(&result), vec![]);
}

#[test]
fn nested_child_modules_pass_a_role_that_is_not_in_the_plan() {
    let Some(result) = scan_plan("nested-child-modules.tfplan.json") else {
        return;
    };
    // Three EKS clusters, three modules deep, pass `arn:aws:iam::12345678912:role/test`, which no
    // scanned input defines: the coverage gap is stated once per location.
    assert_eq!(
        findings(&result),
        vec![
            f(
                "PR005",
                28,
                43,
                "module.child_0.module.child_1_c.aws_eks_cluster.cluster"
            ),
            f(
                "PR005",
                64,
                43,
                "module.child_0.module.child_1_b.aws_eks_cluster.cluster"
            ),
            f(
                "PR005",
                100,
                43,
                "module.child_0.module.child_1_a.aws_eks_cluster.cluster"
            ),
        ]
    );
}

#[test]
fn plans_without_passrole_mistakes_are_silent() {
    // iam-data-block: a bucket policy from a data source (a resource policy: it grants nothing to
    // PassRole). nested-modules-connections: buckets only. oidc-trust-policies: roles whose trust
    // policies are known only after apply and are passed to nothing; their inline policies grant S3.
    for name in [
        "iam-data-block.tfplan.json",
        "nested-modules-connections.tfplan.json",
        "oidc-trust-policies.tfplan.json",
    ] {
        let Some(result) = scan_plan(name) else {
            return;
        };
        assert_eq!(findings(&result), vec![], "{name}");
    }
}

#[test]
fn terragoat_passes_are_linked_through_configuration_references() {
    let Some(result) = scan_plan("terragoat.tfplan.json") else {
        return;
    };
    // Reviewed by hand: EKS, Lambda and the instance profile hand over roles that trust exactly their
    // service; the inline policies grant s3/ec2/rds/lambda/cloudwatch, not PassRole. No finding.
    assert_eq!(findings(&result), vec![]);
    let document = result.facts.document.to_value();
    let unit = &document["units"][0];
    let edges: Vec<(String, String, bool)> = unit["pass_edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["resource"].as_str().unwrap().to_string(),
                e["role"].as_str().unwrap_or("-").to_string(),
                e["trusts_service"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        edges,
        vec![
            (
                "aws_eks_cluster.eks_cluster".into(),
                "aws_iam_role.iam_for_eks".into(),
                true
            ),
            (
                "aws_instance.db_app".into(),
                "aws_iam_role.ec2role".into(),
                true
            ),
            (
                "aws_lambda_function.analysis_lambda".into(),
                "aws_iam_role.iam_for_lambda".into(),
                true
            ),
        ]
    );
    // The EKS role's trust policy comes from `data.aws_iam_policy_document` read in `prior_state`.
    let eks = unit["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "aws_iam_role.iam_for_eks")
        .unwrap();
    assert_eq!(
        eks["trusted_services"],
        serde_json::json!(["eks.amazonaws.com"])
    );
}

fn run(args: &[&str]) -> (Value, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(args)
        .output()
        .expect("passrole runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    (v, out.status.code().unwrap_or(-1))
}

#[test]
fn a_truncated_plan_and_a_wrong_type_are_parse_errors() {
    let Some(dir) = plans() else { return };
    let text = std::fs::read_to_string(dir.join("codebuild.tfplan.json")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let truncated = tmp.path().join("truncated.tfplan.json");
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    let wrong = tmp.path().join("wrong.tfplan.json");
    std::fs::write(
        &wrong,
        text.replacen(r#""resources": ["#, r#""resources": 42, "x": ["#, 1),
    )
    .unwrap();
    for path in [&truncated, &wrong] {
        let (report, code) = run(&["scan", "--format", "json", path.to_str().unwrap()]);
        assert_eq!(code, 2, "{}", path.display());
        let errors = report["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{report}");
        assert_eq!(errors[0]["kind"], "parse");
        assert!(
            errors[0]["line"].as_u64().is_some_and(|l| l >= 1),
            "{report}"
        );
    }
    let (report, _) = run(&["scan", "--format", "json", wrong.to_str().unwrap()]);
    assert_eq!(report["errors"][0]["line"], 6);
    assert_eq!(report["errors"][0]["column"], 21);
}

#[test]
fn every_real_plan_scans_without_panic_in_one_run() {
    let Some(dir) = plans() else { return };
    let result = scan_file(&dir);
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.files, 10);
}
