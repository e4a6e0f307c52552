//! A generated Terraform corpus for benchmarks: `modules` directories, each with `roles_per_module`
//! roles passed to Lambda, Step Functions or EC2 (through instance profiles), a policy per role, and a
//! heredoc and a `data "aws_iam_policy_document"` in the mix, so that every parser path is exercised.
//! About a fifth of the roles trust the wrong service and a fifth of the policies grant `*`.

use std::fmt::Write;
use std::path::Path;

pub fn write_terraform_corpus(
    dir: &Path,
    modules: usize,
    roles_per_module: usize,
) -> std::io::Result<u64> {
    let mut bytes = 0;
    for m in 0..modules {
        let module = dir.join(format!("module{m}"));
        std::fs::create_dir_all(&module)?;
        let mut tf = String::new();
        for i in 0..roles_per_module {
            let wrong = (m + i) % 5 == 0;
            let (service, passer) = match i % 3 {
                0 => (
                    "lambda",
                    format!(
                        "resource \"aws_lambda_function\" \"f{i}\" {{\n  function_name = \"f{m}-{i}\"\n  role = aws_iam_role.r{i}.arn\n}}\n"
                    ),
                ),
                1 => (
                    "states",
                    format!(
                        "resource \"aws_sfn_state_machine\" \"s{i}\" {{\n  name = \"s{m}-{i}\"\n  role_arn = aws_iam_role.r{i}.arn\n  definition = \"{{}}\"\n}}\n"
                    ),
                ),
                _ => (
                    "ec2",
                    format!(
                        "resource \"aws_iam_instance_profile\" \"p{i}\" {{\n  name = \"p{m}-{i}\"\n  role = aws_iam_role.r{i}.name\n}}\nresource \"aws_instance\" \"i{i}\" {{\n  ami = \"ami-12345678\"\n  iam_instance_profile = aws_iam_instance_profile.p{i}.name\n}}\n"
                    ),
                ),
            };
            let trusted = if wrong { "ecs-tasks" } else { service };
            if i % 2 == 0 {
                let _ = write!(
                    tf,
                    "resource \"aws_iam_role\" \"r{i}\" {{\n  name = \"r{m}-{i}\"\n  path = \"/app/\"\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = {{ Service = \"{trusted}.amazonaws.com\" }} }}]\n  }})\n}}\n"
                );
            } else {
                let _ = write!(
                    tf,
                    "data \"aws_iam_policy_document\" \"t{i}\" {{\n  statement {{\n    actions = [\"sts:AssumeRole\"]\n    principals {{\n      type = \"Service\"\n      identifiers = [\"{trusted}.amazonaws.com\"]\n    }}\n  }}\n}}\nresource \"aws_iam_role\" \"r{i}\" {{\n  name = \"r{m}-{i}\"\n  assume_role_policy = data.aws_iam_policy_document.t{i}.json\n}}\n"
                );
            }
            tf.push_str(&passer);
            let resource = if (m * 7 + i) % 5 == 0 {
                "*"
            } else {
                "arn:aws:iam::123456789012:role/app/*"
            };
            let _ = write!(
                tf,
                "resource \"aws_iam_policy\" \"p{i}\" {{\n  name = \"deploy{m}-{i}\"\n  policy = <<-EOF\n    {{\n      \"Version\": \"2012-10-17\",\n      \"Statement\": [\n        {{\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": \"{resource}\"}},\n        {{\"Effect\": \"Allow\", \"Action\": [\"lambda:CreateFunction\", \"lambda:UpdateFunctionCode\"], \"Resource\": \"*\"}}\n      ]\n    }}\n  EOF\n}}\n"
            );
        }
        bytes += tf.len() as u64;
        std::fs::write(module.join("main.tf"), tf)?;
    }
    Ok(bytes)
}

/// A generated CloudFormation corpus: `templates` YAML templates of `roles_per_template` roles each,
/// passed to Lambda (`!GetAtt`), Step Functions (`!Sub` of the ARN) or EC2 (an instance profile used
/// by an instance), each with a managed policy granting PassRole; short-form tags, `Fn::If` and a
/// JSON policy string in the mix. As in the Terraform corpus, a fifth of the roles trust the wrong
/// service and a fifth of the grants are on `*`.
pub fn write_cloudformation_corpus(
    dir: &Path,
    templates: usize,
    roles_per_template: usize,
) -> std::io::Result<u64> {
    let mut bytes = 0;
    for t in 0..templates {
        let mut y = String::from(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nConditions:\n  IsProd: !Equals [!Ref AWS::AccountId, \"123456789012\"]\nResources:\n",
        );
        for i in 0..roles_per_template {
            let wrong = (t + i) % 5 == 0;
            let service = ["lambda", "states", "ec2"][i % 3];
            let trusted = if wrong { "ecs-tasks" } else { service };
            let _ = write!(
                y,
                "  Role{i}:\n    Type: AWS::IAM::Role\n    Properties:\n      Path: /app/\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal: {{Service: {trusted}.amazonaws.com}}\n            Action: sts:AssumeRole\n"
            );
            let _ = match service {
                "lambda" => write!(
                    y,
                    "  Fn{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      Role: !GetAtt Role{i}.Arn\n      Code: {{ZipFile: \"def handler(e, c): pass\"}}\n"
                ),
                "states" => write!(
                    y,
                    "  Machine{i}:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      RoleArn: !Sub \"${{Role{i}.Arn}}\"\n      DefinitionString: \"{{}}\"\n"
                ),
                _ => write!(
                    y,
                    "  Profile{i}:\n    Type: AWS::IAM::InstanceProfile\n    Properties:\n      Roles: [!Ref Role{i}]\n  Instance{i}:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-12345678\n      IamInstanceProfile: !Ref Profile{i}\n"
                ),
            };
            let resource = if (t * 7 + i) % 5 == 0 {
                "\"*\""
            } else {
                "!If [IsProd, \"arn:aws:iam::123456789012:role/app/*\", !Sub \"arn:aws:iam::${AWS::AccountId}:role/app/dev/*\"]"
            };
            let _ = write!(
                y,
                "  Deploy{i}:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      Roles: [!Ref Role{i}]\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: iam:PassRole\n            Resource: {resource}\n          - Effect: Allow\n            Action: [lambda:CreateFunction, lambda:UpdateFunctionCode]\n            Resource: \"*\"\n"
            );
        }
        bytes += y.len() as u64;
        std::fs::write(dir.join(format!("stack{t}.yaml")), y)?;
    }
    Ok(bytes)
}
