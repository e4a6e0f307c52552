//! AWS managed policies attached by ARN: a finding on one belongs to the resource that attaches it,
//! so that resource's suppressions (CloudFormation `Metadata`) cover it.

use passrole::scan::{ScanOptions, scan};
use std::path::PathBuf;

#[test]
fn metadata_of_the_attaching_role_suppresses_its_managed_policy_grant() {
    let result = scan(&ScanOptions {
        paths: vec![PathBuf::from("testdata/suppress/managed-policy")],
        ..Default::default()
    });
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let found: Vec<(&str, &str, usize, bool)> = result
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.as_str(),
                f.resource.as_str(),
                f.location.start.line,
                f.is_suppressed(),
            )
        })
        .collect();
    assert_eq!(
        found,
        // No PR015: the statement is AWS's, nothing in the scan can split it.
        vec![("PR010", "CloudFormationExecutionRole", 21, true)]
    );
    let message = &result.findings[0].message;
    assert!(
        message.contains("AWS managed policy AdministratorAccess"),
        "{message}"
    );
}

/// The grant facts of each unit of a scan of `paths`: `(unit name, number of grants)`.
fn grants_per_unit(result: &passrole::scan::ScanResult) -> Vec<(String, usize)> {
    let document = result.facts.document.to_value();
    document["units"]
        .as_array()
        .map(|units| {
            units
                .iter()
                .map(|u| {
                    let name = u["name"].as_str().unwrap_or_default().to_string();
                    let grants = u["grants"].as_array().map_or(0, Vec::len);
                    (name, grants)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Policies recorded whole that grant no PassRole (PowerUserAccess, the EC2, S3, CloudFormation and
/// Step Functions FullAccess policies) are now identity policies of the units that attach them, in
/// Terraform and CloudFormation, by attachment, list and copy of the text: nothing may come of it
/// for PassRole, neither a grant fact nor a finding.
#[test]
fn policies_recorded_whole_that_grant_no_passrole_give_no_grant_and_no_finding() {
    let result = scan(&ScanOptions {
        paths: vec![PathBuf::from("testdata/managed-policy-no-passrole")],
        ..Default::default()
    });
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert!(result.findings.is_empty(), "{:?}", result.findings);
    let grants = grants_per_unit(&result);
    assert_eq!(
        grants.len(),
        2,
        "a Terraform and a CloudFormation unit: {grants:?}"
    );
    assert!(grants.iter().all(|(_, n)| *n == 0), "{grants:?}");

    // The same attachment of a policy that does grant PassRole is a grant: the check above can fail.
    let admin = r#"
Resources:
  OperatorRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:root"}, Action: sts:AssumeRole}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/PowerUserAccess
        - arn:aws:iam::aws:policy/AdministratorAccess
"#;
    let result = passrole::scan::scan_texts(vec![(PathBuf::from("t.yaml"), admin.to_string())]);
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(grants_per_unit(&result), vec![("t.yaml".to_string(), 1)]);
}
