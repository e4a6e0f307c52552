# IAM Identity Center permission sets for the workload accounts.

data "aws_ssoadmin_instances" "this" {}

locals {
  instance_arn = tolist(data.aws_ssoadmin_instances.this.arns)[0]
}

resource "aws_ssoadmin_permission_set" "deployer" {
  name             = "Deployer"
  description      = "CI/CD deployers"
  instance_arn     = local.instance_arn
  session_duration = "PT4H"
}

data "aws_iam_policy_document" "deployer" {
  statement {
    sid       = "Deploy"
    actions   = ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"]
    resources = ["*"]
  }

  statement {
    sid       = "PassRoles"
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::*:role/*"]
  }
}

resource "aws_ssoadmin_permission_set_inline_policy" "deployer" {
  inline_policy      = data.aws_iam_policy_document.deployer.json
  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.deployer.arn
}

resource "aws_ssoadmin_permission_set" "admin" {
  name         = "AdministratorAccess"
  instance_arn = local.instance_arn
}

resource "aws_ssoadmin_managed_policy_attachment" "admin" {
  instance_arn       = local.instance_arn
  managed_policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
  permission_set_arn = aws_ssoadmin_permission_set.admin.arn
}
