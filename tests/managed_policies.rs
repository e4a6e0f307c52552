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
