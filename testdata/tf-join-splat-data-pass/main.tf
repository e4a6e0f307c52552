# The optional-document idiom with both documents disabled: no statement exists, nothing is granted.

variable "allow_deployments" {
  type    = bool
  default = false
}

variable "allow_legacy_pass" {
  type    = bool
  default = false
}

data "aws_iam_policy_document" "deploy" {
  count = var.allow_deployments ? 1 : 0

  statement {
    sid       = "PassAnyRole"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "legacy" {
  count = var.allow_legacy_pass ? 1 : 0

  statement {
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::123456789012:role/*"]
  }
}

resource "aws_iam_policy" "deploy" {
  name   = "ci-deploy"
  policy = join("", data.aws_iam_policy_document.deploy[*].json)
}

resource "aws_iam_policy" "legacy" {
  name   = "ci-legacy"
  policy = join("", data.aws_iam_policy_document.legacy[*].json)
}
