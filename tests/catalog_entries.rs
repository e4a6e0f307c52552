//! Every entry of the built-in passer catalog, checked end to end: for each `[[terraform]]` and
//! `[[cloudformation]]` entry this test writes an input shaped by the entry (resource type, nested
//! blocks or properties, `[]` elements, `[key=value]` selectors, `{json}` documents, list values,
//! the reference kind) that passes one role trusting a wrong principal and one trusting the right
//! one. The first must give exactly one PR001 at the passing line, the second nothing. An entry
//! whose path the lowering does not pick up gives no PR001 and fails here.
//!
//! All inputs are scanned in one in-process scan (`scan_texts`): one module directory per
//! Terraform entry, one template per CloudFormation entry, so that entries never see each other.

use passrole::resolve::catalog::{Catalog, Passer, PathStep, RoleReference};
use passrole::scan::scan_texts;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Entries the generator cannot express, with the reason and the hand-written fixture that covers
/// them instead: `(resource, path as written in the catalog, why, fixture)`.
const NOT_GENERATED: &[(&str, &str, &str, &str)] = &[];

/// One generated input: its path, its text and the findings it must give.
struct Case {
    path: String,
    text: String,
    expected: BTreeSet<(String, String, usize)>,
    entry: String,
}

/// A principal the entry does not accept: what the "wrong" role trusts.
fn wrong_principal(passer: &Passer) -> &'static str {
    let accepted = |p: &str| passer.principals.iter().any(|q| q == p);
    if passer.reference == RoleReference::InstanceProfile || accepted("ec2.amazonaws.com") {
        "lambda.amazonaws.com"
    } else {
        "ec2.amazonaws.com"
    }
}

/// The principal the "right" role trusts: the entry's first (instance profiles go to EC2).
fn right_principal(passer: &Passer) -> &str {
    &passer.principals[0]
}

/// Whether the last step names an ARN (`iam_instance_profile.arn`, `IamInstanceProfile.Arn`), so
/// that an instance profile is referenced by ARN rather than by name.
fn wants_arn(passer: &Passer) -> bool {
    passer
        .path
        .last()
        .is_some_and(|s| s.name.to_ascii_lowercase().contains("arn"))
}

fn entry_name(passer: &Passer) -> String {
    format!("{} {}", passer.resource, passer.path_string())
}

fn skipped(passer: &Passer) -> bool {
    NOT_GENERATED
        .iter()
        .any(|(r, p, _, _)| *r == passer.resource && *p == passer.path_string())
}

// ── Terraform ────────────────────────────────────────────────────────────────────────────────

fn tf_role(name: &str, role_name: &str, principal: &str) -> String {
    format!(
        "resource \"aws_iam_role\" \"{name}\" {{\n  name = \"{role_name}\"\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = {{ Service = \"{principal}\" }} }}]\n  }})\n}}\n\n"
    )
}

fn tf_value(passer: &Passer, side: &str) -> String {
    let one = match passer.reference {
        // Either form is accepted: the wrong role by ARN, the right one by name.
        RoleReference::RoleArnOrName if side == "right" => format!("aws_iam_role.{side}.name"),
        RoleReference::RoleArn | RoleReference::RoleArnOrName => format!("aws_iam_role.{side}.arn"),
        RoleReference::RoleName => format!("aws_iam_role.{side}.name"),
        RoleReference::InstanceProfile if wants_arn(passer) => {
            format!("aws_iam_instance_profile.{side}.arn")
        }
        RoleReference::InstanceProfile => format!("aws_iam_instance_profile.{side}.name"),
    };
    if passer.list { format!("[{one}]") } else { one }
}

/// The body lines of a Terraform resource that sets the entry's path; returns the lines and the
/// index of the line that passes the role.
fn tf_body(steps: &[PathStep], value: &str, indent: usize) -> (Vec<String>, usize) {
    let pad = " ".repeat(indent);
    let Some((step, rest)) = steps.split_first() else {
        return (Vec::new(), 0);
    };
    if rest.is_empty() {
        return (vec![format!("{pad}{} = {value}", step.name)], 0);
    }
    if step.json {
        // `container_properties = jsonencode({ jobRoleArn = ... })`
        let (inner, at) = tf_json(rest, value, indent + 2);
        let mut lines = vec![format!("{pad}{} = jsonencode({{", step.name)];
        lines.extend(inner);
        lines.push(format!("{pad}}})"));
        return (lines, at + 1);
    }
    let mut lines = vec![format!("{pad}{} {{", step.name)];
    for (key, literal) in &step.select {
        lines.push(format!("{pad}  {key} = \"{literal}\""));
    }
    let offset = lines.len();
    let (inner, at) = tf_body(rest, value, indent + 2);
    lines.extend(inner);
    lines.push(format!("{pad}}}"));
    (lines, at + offset)
}

/// The attributes of an HCL object inside `jsonencode(...)` that set the remaining path.
fn tf_json(steps: &[PathStep], value: &str, indent: usize) -> (Vec<String>, usize) {
    let pad = " ".repeat(indent);
    let Some((step, rest)) = steps.split_first() else {
        return (Vec::new(), 0);
    };
    if rest.is_empty() {
        return (vec![format!("{pad}{} = {value}", step.name)], 0);
    }
    let (open, close) = if step.each {
        (format!("{pad}{} = [{{", step.name), format!("{pad}}}]"))
    } else {
        (format!("{pad}{} = {{", step.name), format!("{pad}}}"))
    };
    let (inner, at) = tf_json(rest, value, indent + 2);
    let mut lines = vec![open];
    lines.extend(inner);
    lines.push(close);
    (lines, at + 1)
}

fn terraform_case(n: usize, passer: &Passer) -> Case {
    let dir = format!("tf/e{n:03}");
    let file = format!("{dir}/main.tf");
    let mut text = format!("# {}\n\n", entry_name(passer));
    for (side, principal) in [
        ("wrong", wrong_principal(passer)),
        ("right", right_principal(passer)),
    ] {
        text.push_str(&tf_role(side, &format!("e{n:03}-{side}"), principal));
        if passer.reference == RoleReference::InstanceProfile {
            text.push_str(&format!(
                "resource \"aws_iam_instance_profile\" \"{side}\" {{\n  name = \"e{n:03}-{side}\"\n  role = aws_iam_role.{side}.name\n}}\n\n"
            ));
        }
    }
    let mut expected = BTreeSet::new();
    for side in ["wrong", "right"] {
        let (body, at) = tf_body(&passer.path, &tf_value(passer, side), 2);
        let first = text.lines().count() + 2;
        text.push_str(&format!("resource \"{}\" \"{side}\" {{\n", passer.resource));
        for line in body {
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str("}\n\n");
        if side == "wrong" {
            expected.insert(("PR001".to_string(), file.clone(), first + at));
        }
    }
    Case {
        path: file,
        text,
        expected,
        entry: format!("[[terraform]] {}", entry_name(passer)),
    }
}

// ── CloudFormation ───────────────────────────────────────────────────────────────────────────

/// `[]` steps whose value CloudFormation and SAM write as a map of named objects, not a list.
const MAP_STEPS: &[&str] = &[
    "Authorizers",
    "Events",
    "paths",
    "securitySchemes",
    "securityDefinitions",
];

fn cfn_value(passer: &Passer, side: &str) -> String {
    match passer.reference {
        RoleReference::RoleArnOrName if side == "Right" => format!("!Ref {side}Role"),
        RoleReference::RoleArn | RoleReference::RoleArnOrName => format!("!GetAtt {side}Role.Arn"),
        RoleReference::RoleName => format!("!Ref {side}Role"),
        RoleReference::InstanceProfile if wants_arn(passer) => {
            format!("!GetAtt {side}Profile.Arn")
        }
        RoleReference::InstanceProfile => format!("!Ref {side}Profile"),
    }
}

/// YAML lines (relative indentation) setting the path; returns the lines and the index of the line
/// that passes the role.
fn cfn_body(passer: &Passer, steps: &[PathStep], value: &str) -> (Vec<String>, usize) {
    let Some((step, rest)) = steps.split_first() else {
        return (Vec::new(), 0);
    };
    if rest.is_empty() {
        return if passer.list {
            (vec![format!("{}:", step.name), format!("  - {value}")], 1)
        } else {
            (vec![format!("{}: {value}", step.name)], 0)
        };
    }
    let (mut inner, at) = cfn_body(passer, rest, value);
    if !step.select.is_empty() {
        // A list element chosen by its keys: the selector keys first, then the rest of the path.
        let mut element: Vec<String> = step
            .select
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let offset = element.len();
        element.append(&mut inner);
        return (list_element(&step.name, element), at + offset + 1);
    }
    // `*[]`: any key of the object reached so far (an OpenAPI path item's method).
    if step.each && step.name == passrole::resolve::catalog::ANY_KEY {
        let mut lines = vec!["post:".to_string()];
        lines.extend(inner.into_iter().map(|l| format!("  {l}")));
        return (lines, at + 1);
    }
    if step.each && MAP_STEPS.contains(&step.name.as_str()) {
        let mut lines = vec![format!("{}:", step.name), "  Item:".to_string()];
        lines.extend(inner.into_iter().map(|l| format!("    {l}")));
        return (lines, at + 2);
    }
    if step.each {
        return (list_element(&step.name, inner), at + 1);
    }
    let mut lines = vec![format!("{}:", step.name)];
    lines.extend(inner.into_iter().map(|l| format!("  {l}")));
    (lines, at + 1)
}

/// `name:` followed by one list element holding `element`'s lines.
fn list_element(name: &str, element: Vec<String>) -> Vec<String> {
    let mut lines = vec![format!("{name}:")];
    for (i, l) in element.into_iter().enumerate() {
        let prefix = if i == 0 { "  - " } else { "    " };
        lines.push(format!("{prefix}{l}"));
    }
    lines
}

fn cloudformation_case(n: usize, passer: &Passer) -> Case {
    let file = format!("cfn/e{n:03}.yaml");
    let mut text = format!("# {}\n", entry_name(passer));
    if passer.resource.starts_with("AWS::Serverless::") {
        text.push_str("Transform: AWS::Serverless-2016-10-31\n");
    }
    text.push_str("Resources:\n");
    for (side, principal) in [
        ("Wrong", wrong_principal(passer)),
        ("Right", right_principal(passer)),
    ] {
        text.push_str(&format!(
            "  {side}Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: e{n:03}-{side}\n      AssumeRolePolicyDocument:\n        Statement:\n          - {{Effect: Allow, Principal: {{Service: {principal}}}, Action: sts:AssumeRole}}\n"
        ));
        if passer.reference == RoleReference::InstanceProfile {
            text.push_str(&format!(
                "  {side}Profile:\n    Type: AWS::IAM::InstanceProfile\n    Properties:\n      Roles: [!Ref {side}Role]\n"
            ));
        }
    }
    let mut expected = BTreeSet::new();
    for side in ["Wrong", "Right"] {
        let (body, at) = cfn_body(passer, &passer.path, &cfn_value(passer, side));
        text.push_str(&format!(
            "  {side}Passer:\n    Type: {}\n    Properties:\n",
            passer.resource
        ));
        let first = text.lines().count() + 1;
        for line in body {
            text.push_str("      ");
            text.push_str(&line);
            text.push('\n');
        }
        if side == "Wrong" {
            expected.insert(("PR001".to_string(), file.clone(), first + at));
        }
    }
    Case {
        path: file,
        text,
        expected,
        entry: format!("[[cloudformation]] {}", entry_name(passer)),
    }
}

fn cases(catalog: &Catalog) -> Vec<Case> {
    let mut cases = Vec::new();
    for (n, passer) in catalog.terraform.iter().enumerate() {
        if !skipped(passer) {
            cases.push(terraform_case(n, passer));
        }
    }
    for (n, passer) in catalog.cloudformation.iter().enumerate() {
        if !skipped(passer) {
            cases.push(cloudformation_case(n, passer));
        }
    }
    cases
}

#[test]
fn every_catalog_entry_is_picked_up_with_its_principal() {
    let catalog = Catalog::builtin();
    let cases = cases(catalog);
    assert_eq!(
        cases.len() + NOT_GENERATED.len(),
        catalog.terraform.len() + catalog.cloudformation.len()
    );
    let result = scan_texts(
        cases
            .iter()
            .map(|c| (PathBuf::from(&c.path), c.text.clone()))
            .collect(),
    );
    assert!(
        result.errors.is_empty(),
        "generated inputs must parse: {:#?}",
        result.errors
    );
    let mut failures = Vec::new();
    for case in &cases {
        let actual: BTreeSet<(String, String, usize)> = result
            .findings
            .iter()
            .filter(|f| f.location.file == case.path)
            // Notes about what the resource deploys besides the pass (a stack set's template, which
            // is not scanned) are not about the entry.
            .filter(|f| !(f.rule == "PR016" && case.text.contains("AWS::CloudFormation::StackSet")))
            .map(|f| {
                (
                    f.rule.clone(),
                    f.location.file.clone(),
                    f.location.start.line,
                )
            })
            .collect();
        if actual != case.expected {
            failures.push(format!(
                "{}\n  expected {:?}\n  actual   {:?}\n--- {}\n{}",
                case.entry, case.expected, actual, case.path, case.text
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} catalog entries are not checked as written:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn entries_not_generated_exist_and_have_a_fixture() {
    let catalog = Catalog::builtin();
    for (resource, path, why, fixture) in NOT_GENERATED {
        let known = catalog
            .terraform
            .iter()
            .chain(&catalog.cloudformation)
            .any(|p| p.resource == *resource && p.path_string() == *path);
        assert!(known, "{resource} {path} is not in the catalog");
        assert!(!why.is_empty(), "{resource} {path}: say why");
        assert!(
            std::path::Path::new("testdata")
                .join(fixture)
                .join("expected.json")
                .is_file(),
            "{resource} {path}: fixture testdata/{fixture} is missing"
        );
    }
}

/// The generator itself: a path with nested blocks, a list and a selector lands on the right line.
#[test]
fn generated_lines_point_at_the_passing_value() {
    let catalog = Catalog::builtin();
    let passer = catalog
        .cloudformation_passers("AWS::Events::Rule")
        .find(|p| p.path_string() == "Targets[].RoleArn")
        .expect("Events rule targets are in the catalog");
    let case = cloudformation_case(0, passer);
    let (_, _, line) = case.expected.iter().next().expect("one expected finding");
    let text = case.text.lines().nth(line - 1).expect("the line exists");
    assert_eq!(text.trim(), "- RoleArn: !GetAtt WrongRole.Arn");
}
