# The optional-document idiom: a statement set exists only when enabled (count), and the policy reads
# it with join("", data.aws_iam_policy_document.x[*].json).

variable "allow_deployments" {
  type    = bool
  default = true
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
