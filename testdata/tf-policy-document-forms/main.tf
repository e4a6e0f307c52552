# The forms of data "aws_iam_policy_document" that can grant PassRole, each found at its own line.

data "aws_iam_policy_document" "base" {
  statement {
    sid       = "PassAppRoles"
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::123456789012:role/app/*"]
  }
}

data "aws_iam_policy_document" "override" {
  statement {
    sid       = "PassAppRoles"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "deployer" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.override.json]

  # NotAction grants every action it does not list, PassRole included.
  statement {
    not_actions = ["s3:*"]
    resources   = ["*"]
  }

  statement {
    actions       = ["iam:PassRole"]
    not_resources = ["arn:aws:iam::123456789012:role/admin"]
  }

  # Two condition blocks; the tag condition does not limit PassRole.
  statement {
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::123456789012:role/batch/*"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["batch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/team"
      values   = ["data"]
    }
  }
}

resource "aws_iam_policy" "deployer" {
  name   = "deployer"
  policy = data.aws_iam_policy_document.deployer.json
}

variable "extra_statements" {
  default = [{ actions = ["iam:PassRole"], resources = ["*"] }]
}

# A dynamic statement block is not expanded: a coverage note, never a guess.
data "aws_iam_policy_document" "dynamic" {
  dynamic "statement" {
    for_each = var.extra_statements
    content {
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_policy" "dynamic" {
  name   = "dynamic"
  policy = data.aws_iam_policy_document.dynamic.json
}

# Values that cannot be known are coverage notes (PR016), never PR010-PR015.
variable "actions" {}

variable "statements" {}

data "aws_iam_policy_document" "unknown" {
  statement {
    actions   = var.actions
    resources = ["*"]
  }
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
  statement {
    actions   = ["s3:GetObject", var.actions[0]]
    resources = ["arn:aws:s3:::bucket/*"]
  }
}

resource "aws_iam_policy" "unknown" {
  name   = "unknown"
  policy = data.aws_iam_policy_document.unknown.json
}
