# Break-glass and CI access for the platform account.

data "aws_partition" "current" {}

data "aws_iam_policy" "lambda_full" {
  arn = "arn:aws:iam::aws:policy/AWSLambda_FullAccess"
}

locals {
  admin_policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role" "breakglass" {
  name = "breakglass"
  path = "/ops/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "breakglass_admin" {
  role       = aws_iam_role.breakglass.name
  policy_arn = local.admin_policy_arn
}

resource "aws_iam_role" "iam_operator" {
  name = "iam-operator"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
    }]
  })
  managed_policy_arns = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:${data.aws_partition.current.partition}:iam::aws:policy/IAMFullAccess",
  ]
}

resource "aws_iam_group" "serverless_devs" {
  name = "serverless-developers"
}

resource "aws_iam_policy_attachment" "serverless_devs" {
  name       = "serverless-devs-lambda"
  groups     = [aws_iam_group.serverless_devs.name]
  policy_arn = data.aws_iam_policy.lambda_full.arn
}

resource "aws_iam_role" "workflow_operator" {
  name = "workflow-operator"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "workflow_operator_console" {
  role       = aws_iam_role.workflow_operator.name
  policy_arn = "arn:aws:iam::aws:policy/AWSStepFunctionsConsoleFullAccess"
}

resource "aws_iam_role_policy_attachment" "workflow_operator_glue" {
  role       = aws_iam_role.workflow_operator.name
  policy_arn = "arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess"
}

# A copy of the AWS managed policy's text grants what it grants.
resource "aws_iam_group_policy" "serverless_devs_inline" {
  name   = "lambda-full-copy"
  group  = aws_iam_group.serverless_devs.name
  policy = data.aws_iam_policy.lambda_full.policy
}

variable "deployer_policy_arns" {
  type = list(string)
  default = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AdministratorAccess",
  ]
}

resource "aws_iam_role" "deployer" {
  name = "deployer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
    }]
  })
  managed_policy_arns = var.deployer_policy_arns
}

resource "aws_iam_role" "platform" {
  name = "platform"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
    }]
  })
}

resource "aws_iam_role_policy_attachments_exclusive" "platform" {
  role_name = aws_iam_role.platform.name
  policy_arns = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess",
  ]
}
