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
