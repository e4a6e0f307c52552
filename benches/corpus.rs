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

/// A mixed corpus shaped like a real repository: `dirs` Terraform root directories, most of which hold
/// no IAM at all (an S3 bucket with its settings, a VPC with subnets, a security group with a
/// `dynamic` block, variables with validation, locals, outputs), one in ten with an `iam.tf` (a role, a
/// Lambda function passing it, and a PassRole policy), and one in four with a CloudFormation template
/// that has no IAM (a bucket, a queue, a topic and a table). Of the IAM directories, one in four trusts
/// the wrong service and one in three grants PassRole on `*`, so the scan still has findings.
/// Returns the bytes written (every file written is an input passrole reads).
pub fn write_mixed_corpus(dir: &Path, dirs: usize) -> std::io::Result<u64> {
    let mut bytes = 0;
    for d in 0..dirs {
        let service = dir.join(format!("service{d}"));
        std::fs::create_dir_all(&service)?;
        let mut files = vec![
            ("main.tf", mixed_main_tf(d)),
            ("network.tf", mixed_network_tf(d)),
            ("variables.tf", mixed_variables_tf(d)),
            ("outputs.tf", MIXED_OUTPUTS_TF.to_string()),
        ];
        if d.is_multiple_of(10) {
            files.push(("iam.tf", mixed_iam_tf(d)));
        }
        if d % 4 == 1 {
            files.push(("stack.yaml", mixed_template(d)));
        }
        for (name, text) in files {
            bytes += text.len() as u64;
            std::fs::write(service.join(name), text)?;
        }
    }
    Ok(bytes)
}

fn mixed_main_tf(d: usize) -> String {
    format!(
        r#"terraform {{
  required_version = ">= 1.5"
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }}
  }}
}}

provider "aws" {{
  region = var.region
  default_tags {{
    tags = local.tags
  }}
}}

locals {{
  name = "${{var.project}}-{d}"
  tags = merge(var.extra_tags, {{
    Service     = "service{d}"
    Environment = var.environment
    ManagedBy   = "terraform"
  }})
  bucket_names = [for suffix in ["logs", "data", "backup"] : "${{local.name}}-${{suffix}}"]
  retention    = var.environment == "prod" ? 365 : 30
}}

resource "aws_s3_bucket" "this" {{
  for_each = toset(local.bucket_names)
  bucket   = each.value
  tags     = local.tags
}}

resource "aws_s3_bucket_versioning" "this" {{
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}

resource "aws_s3_bucket_public_access_block" "this" {{
  for_each                = aws_s3_bucket.this
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {{
  bucket = aws_s3_bucket.this["${{local.name}}-logs"].id
  rule {{
    id     = "expire"
    status = "Enabled"
    expiration {{
      days = local.retention
    }}
  }}
}}
"#
    )
}

fn mixed_network_tf(d: usize) -> String {
    let second = d % 250;
    format!(
        r#"resource "aws_vpc" "main" {{
  cidr_block           = "10.{second}.0.0/16"
  enable_dns_hostnames = true
  tags                 = merge(local.tags, {{ Name = "${{local.name}}-vpc" }})
}}

resource "aws_subnet" "private" {{
  count             = length(var.azs)
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  availability_zone = var.azs[count.index]
  tags              = merge(local.tags, {{ Name = "${{local.name}}-private-${{count.index}}" }})
}}

resource "aws_security_group" "app" {{
  name        = "${{local.name}}-app"
  description = "Application traffic for service{d}"
  vpc_id      = aws_vpc.main.id

  dynamic "ingress" {{
    for_each = var.ingress_ports
    content {{
      description = "port ${{ingress.value}}"
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [aws_vpc.main.cidr_block]
    }}
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
"#
    )
}

fn mixed_variables_tf(d: usize) -> String {
    format!(
        r#"variable "project" {{
  type        = string
  description = "Project name, used as a prefix"
  default     = "acme{d}"
}}

variable "region" {{
  type    = string
  default = "eu-west-1"
}}

variable "environment" {{
  type    = string
  default = "prod"
  validation {{
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod"
  }}
}}

variable "azs" {{
  type    = list(string)
  default = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}}

variable "ingress_ports" {{
  type    = list(number)
  default = [443, 8080]
}}

variable "extra_tags" {{
  type    = map(string)
  default = {{}}
}}
"#
    )
}

const MIXED_OUTPUTS_TF: &str = r#"output "vpc_id" {
  value = aws_vpc.main.id
}

output "subnet_ids" {
  value = aws_subnet.private[*].id
}

output "bucket_arns" {
  value = { for name, bucket in aws_s3_bucket.this : name => bucket.arn }
}
"#;

fn mixed_iam_tf(d: usize) -> String {
    let trusted = if d.is_multiple_of(40) {
        "ecs-tasks"
    } else {
        "lambda"
    };
    let resource = if d.is_multiple_of(30) {
        "*".to_string()
    } else {
        format!("arn:aws:iam::123456789012:role/service{d}/*")
    };
    format!(
        r#"resource "aws_iam_role" "worker" {{
  name = "${{local.name}}-worker"
  path = "/service{d}/"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "{trusted}.amazonaws.com" }} }}]
  }})
}}

resource "aws_lambda_function" "worker" {{
  function_name = "${{local.name}}-worker"
  role          = aws_iam_role.worker.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
}}

resource "aws_iam_policy" "deploy" {{
  name = "${{local.name}}-deploy"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{ Effect = "Allow", Action = "iam:PassRole", Resource = "{resource}" }},
      {{ Effect = "Allow", Action = ["lambda:UpdateFunctionCode"], Resource = aws_lambda_function.worker.arn }}
    ]
  }})
}}
"#
    )
}

fn mixed_template(d: usize) -> String {
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Description: Storage and messaging for service{d}
Parameters:
  Stage:
    Type: String
    AllowedValues: [dev, staging, prod]
    Default: prod
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "service{d}-${{Stage}}-artifacts"
      VersioningConfiguration:
        Status: Enabled
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "service{d}-${{Stage}}-jobs"
      VisibilityTimeout: 120
      MessageRetentionPeriod: !If [IsProd, 1209600, 345600]
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "service{d}-${{Stage}}-events"
      Subscription:
        - Protocol: sqs
          Endpoint: !GetAtt Queue.Arn
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
        - AttributeName: sk
          AttributeType: S
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
        - AttributeName: sk
          KeyType: RANGE
Outputs:
  BucketArn:
    Value: !GetAtt Bucket.Arn
  QueueUrl:
    Value: !Ref Queue
  TopicArn:
    Value: !Ref Topic
"#
    )
}
