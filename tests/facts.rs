//! The facts document keeps what later stages (suppressions, custom rules) read besides the checks.

use passrole::scan::scan_texts;
use std::path::PathBuf;

#[test]
fn cloudformation_metadata_is_kept_by_resource() {
    let template = r#"
Resources:
  Role:
    Type: AWS::IAM::Role
    Metadata:
      passrole:
        ignore:
          - {rule: PR002, reason: shared by two services on purpose}
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
"#;
    let result = scan_texts(vec![(PathBuf::from("t.yaml"), template.to_string())]);
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let document = result.facts.document.to_value();
    let metadata = &document["units"][0]["metadata"]["Role"];
    assert_eq!(
        metadata["passrole"]["ignore"][0]["rule"], "PR002",
        "{metadata}"
    );
    assert_eq!(
        metadata["passrole"]["ignore"][0]["reason"],
        "shared by two services on purpose"
    );
}
