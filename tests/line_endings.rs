//! A finding's line and column do not depend on how the file ends its lines: YAML breaks lines on
//! `\n`, `\r\n` and a lone `\r`, and so must the positions reported for a template.

use passrole::scan::scan_texts;
use std::path::PathBuf;

/// A Lambda function whose role trusts EC2 (PR001 at the `!GetAtt` on line 19, column 13; the
/// trust policy's principal on line 12, column 50), with a literal block and a comment so that multi-line
/// scalars and skipped lines are counted too.
const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Description: |
  A function whose role trusts the wrong service,
  saved with different line endings.
Resources:
  # The role.
  FunctionRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}

  Function:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt FunctionRole.Arn
      Code:
        ZipFile: "def handler(e, c): pass"
"#;

/// (rule, start, end, related starts) of every finding, as (line, column) pairs.
type Seen = Vec<(String, (usize, usize), (usize, usize), Vec<(usize, usize)>)>;

fn findings(text: String) -> Seen {
    let result = scan_texts(vec![(PathBuf::from("template.yaml"), text)]);
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    result
        .findings
        .iter()
        .map(|f| {
            let at = |p: passrole::source::Position| (p.line, p.column);
            (
                f.rule.clone(),
                at(f.location.start),
                at(f.location.end),
                f.related.iter().map(|r| at(r.location.start)).collect(),
            )
        })
        .collect()
}

#[test]
fn positions_are_the_same_for_lf_crlf_and_lone_cr() {
    let lf = findings(TEMPLATE.to_string());
    assert_eq!(lf.len(), 1, "{lf:?}");
    assert_eq!(lf[0].0, "PR001");
    assert_eq!(lf[0].1, (19, 13));
    assert_eq!(lf[0].2, (19, 37));
    assert!(lf[0].3.contains(&(12, 50)), "{lf:?}");
    let crlf = findings(TEMPLATE.replace('\n', "\r\n"));
    assert_eq!(crlf, lf, "CR LF");
    let cr = findings(TEMPLATE.replace('\n', "\r"));
    assert_eq!(cr, lf, "lone CR");
}
