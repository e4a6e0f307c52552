//! Template and plan detection that does not misfire: Helm charts, Kubernetes manifests and other
//! YAML that mention `Resources:` and `AWS::` are not CloudFormation (skipped silently when walked,
//! an error saying what they are when named); a plan is recognised by content whatever its name;
//! only files that are recognisably CloudFormation give parse errors.

use passrole::discover::{StructuredKind, TemplateVerdict, classify_text, template_verdict};
use std::process::{Command, Output};

fn passrole(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(args)
        .output()
        .expect("passrole runs")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn walked_lookalikes_are_skipped_silently() {
    for dir in ["testdata/detect-helm-chart", "testdata/detect-kubernetes"] {
        let out = passrole(&["scan", "--format", "gcc", dir]);
        assert_eq!(out.status.code(), Some(0), "{dir}: {}", text(&out.stdout));
        assert_eq!(text(&out.stdout), "", "{dir}");
        assert_eq!(
            text(&out.stderr),
            format!("warning: no Terraform, CloudFormation or plan file found in {dir}\n")
        );
    }
}

#[test]
fn named_lookalikes_are_errors_that_say_what_they_are() {
    let helm = "a Go template (`{{ ... }}` outside a string on line LINE, as in a Helm chart), \
                not a CloudFormation template: not scanned";
    let k8s = "a Kubernetes manifest (top-level apiVersion and kind), not a CloudFormation \
               template or Terraform plan: not scanned";
    let yaml = "YAML but not a CloudFormation template (top-level AWSTemplateFormatVersion, or \
                Resources with AWS:: types) or a Terraform plan: not scanned";
    let cases = [
        (
            "testdata/detect-helm-chart/templates/deployment.yaml",
            helm.replace("LINE", "4"),
        ),
        (
            "testdata/detect-helm-chart/templates/stack.yaml",
            helm.replace("LINE", "1"),
        ),
        ("testdata/detect-helm-chart/values.yaml", yaml.to_string()),
        ("testdata/detect-kubernetes/crd.yaml", k8s.to_string()),
        (
            "testdata/detect-kubernetes/service-account.yaml",
            k8s.to_string(),
        ),
        (
            "testdata/detect-kubernetes/serverless.yml",
            yaml.to_string(),
        ),
    ];
    for (file, message) in cases {
        let out = passrole(&["scan", "--format", "gcc", file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert_eq!(
            text(&out.stdout),
            format!("{file}: error: {message} [input]\n")
        );
    }
}

#[test]
fn templates_with_braces_that_are_not_go_templates_are_still_templates() {
    let out = passrole(&["scan", "--format", "gcc", "testdata/detect-cfn-lookalikes"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("testdata/detect-cfn-lookalikes/template.yaml:19:23: error: "),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("[PR010]"), "{stdout}");
}

#[test]
fn a_plan_is_recognised_by_content_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let plan = std::fs::read("testdata/detect-plan-names/tfplan.json").unwrap();
    for name in ["plan.out", "tfplan", "plan.out.json", "tfplan.json"] {
        std::fs::write(dir.path().join(name), &plan).unwrap();
    }
    for name in ["plan.out", "tfplan", "plan.out.json", "tfplan.json"] {
        let out = Command::new(env!("CARGO_BIN_EXE_passrole"))
            .args(["scan", "--format", "gcc", name])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stdout = text(&out.stdout);
        assert!(
            stdout.starts_with(&format!(
                "{name}:14:130: error: aws_iam_policy.deployer allows"
            )),
            "{name}: {stdout}"
        );
    }
    // Walked, the `.json` names are plans; files without a known extension are not read.
    let out = Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(["scan", "--format", "json", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["files"], 2);
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["plan.out.json", "tfplan.json"]);
}

#[test]
fn a_binary_plan_named_on_the_command_line_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    // `terraform plan -out` writes a zip archive.
    std::fs::write(
        dir.path().join("tfplan"),
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00tfplan",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(["scan", "--format", "gcc", "tfplan"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stdout),
        "tfplan: error: a binary Terraform plan (a zip archive): scan the output of \
         `terraform show -json` instead (`passrole plan` runs both) [input]\n"
    );
}

#[test]
fn only_recognisable_templates_give_parse_errors() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "  - [unclosed\n";
    // A template with a YAML error is reported; a Kubernetes manifest or Helm template with the
    // same error is not a template, and skipped.
    std::fs::write(
        dir.path().join("stack.yaml"),
        format!("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n{broken}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("manifest.yaml"),
        format!("apiVersion: v1\nkind: ConfigMap\nResources: AWS::IAM::Role\n{broken}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("chart.yaml"),
        format!("Resources:\n  R:\n    Type: AWS::IAM::Role\n{{{{- if .Values.x }}}}\n{broken}"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_passrole"))
        .args(["scan", "--format", "json", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], "stack.yaml");
    assert_eq!(errors[0]["kind"], "parse");
    assert_eq!(report["summary"]["files"], 1);
}

#[test]
fn classification_looks_at_top_level_keys() {
    let cfn = |t: &str| classify_text(t) == Some(StructuredKind::CloudFormation);
    assert!(cfn("AWSTemplateFormatVersion: '2010-09-09'\n"));
    assert!(cfn(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n"
    ));
    assert!(cfn(
        "{\n  \"Resources\": {\"R\": {\"Type\": \"AWS::IAM::Role\"}}\n}"
    ));
    assert!(cfn("\"Resources\":\n  R: {Type: AWS::IAM::Role}\n"));
    // Nested, or only in strings: not a template.
    assert!(!cfn("spec:\n  Resources:\n    Type: AWS::IAM::Role\n"));
    assert!(!cfn(
        "{\"spec\": {\"Resources\": {\"Type\": \"AWS::IAM::Role\"}}}"
    ));
    assert!(!cfn("{\"note\": \"Resources: AWS::IAM::Role\"}"));
    assert_eq!(
        template_verdict("apiVersion: v1\nkind: List\nResources: {Type: AWS::IAM::Role}\n"),
        TemplateVerdict::Kubernetes
    );
    // Go template actions where YAML starts a value or a line; not in strings or block scalars,
    // and not CloudFormation's dynamic references.
    for (text, line) in [
        ("Resources:\n  {{- range .Values.roles }}\n", 2),
        (
            "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Name: {{ .Values.name }}\n",
            4,
        ),
        ("Resources:\n  - {{ include \"x\" . }}\n", 2),
        ("Resources:\n  R: {{ $x }}\n", 2),
    ] {
        assert_eq!(
            template_verdict(text),
            TemplateVerdict::GoTemplate { line },
            "{text}"
        );
    }
    for text in [
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Name: '{{ .Values.name }}'\n",
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Name: {{resolve:ssm:/x}}\n",
        "Resources:\n  R:\n    Type: AWS::Lambda::Function\n    Code: !Sub |\n      {{ x }}\n",
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Description: uses {{ braces }}\n",
    ] {
        assert_eq!(
            template_verdict(text),
            TemplateVerdict::CloudFormation,
            "{text}"
        );
    }
}
