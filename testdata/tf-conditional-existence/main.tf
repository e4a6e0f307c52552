# Resources and statements that exist only when a condition holds: with the condition known from the
# variables, what does not exist is not checked, and what does exist is.

variable "create_instance_profile" {
  default = false
}

variable "enable_deploy_statement" {
  default = true
}

variable "enable_legacy_statement" {
  default = false
}

variable "extra_policies" {
  default = [
    <<-EOT
    {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    EOT
    ,
    <<-EOT
    {"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
    EOT
  ]
}

resource "aws_iam_role" "fn" {
  name = "fn"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

# Not created (create_instance_profile is false): the Lambda role is not passed to EC2.
resource "aws_iam_instance_profile" "fn" {
  count = var.create_instance_profile ? 1 : 0
  role  = aws_iam_role.fn.name
}

data "aws_iam_policy_document" "deploy" {
  dynamic "statement" {
    for_each = var.enable_deploy_statement ? [1] : []
    content {
      actions       = ["iam:PassRole"]
      resources     = ["arn:aws:iam::123456789012:role/*"]
      not_resources = null
    }
  }
  dynamic "statement" {
    for_each = var.enable_legacy_statement ? ["*"] : []
    content {
      actions   = ["iam:PassRole"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_policy" "deploy" {
  name   = "deploy"
  policy = data.aws_iam_policy_document.deploy.json
}

# Each element of the list is a possible policy: the second one is reported where it is written.
resource "aws_iam_role_policy" "extra" {
  count  = length(var.extra_policies)
  role   = aws_iam_role.fn.id
  policy = var.extra_policies[count.index]
}

# An AWS managed policy is not the configuration's grant to check.
data "aws_iam_policy" "xray" {
  arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_iam_role_policy" "xray" {
  role   = aws_iam_role.fn.id
  policy = data.aws_iam_policy.xray.policy
}
