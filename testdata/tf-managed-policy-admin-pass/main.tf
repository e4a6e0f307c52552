# Developer access: broad service access without IAM, and read-only auditors.

data "aws_partition" "current" {}

resource "aws_iam_group" "developers" {
  name = "developers"
}

# PowerUserAccess excludes iam:* (NotAction), so it does not allow iam:PassRole.
resource "aws_iam_group_policy_attachment" "developers_power_user" {
  group      = aws_iam_group.developers.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/PowerUserAccess"
}

resource "aws_iam_policy" "developers_pass" {
  name = "developers-pass-app-roles"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "arn:aws:iam::111122223333:role/app/*"
    }]
  })
}

resource "aws_iam_group_policy_attachment" "developers_pass" {
  group      = aws_iam_group.developers.name
  policy_arn = aws_iam_policy.developers_pass.arn
}

resource "aws_iam_role" "auditor" {
  name = "auditor"
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
    "arn:aws:iam::aws:policy/SecurityAudit",
  ]
}

data "aws_iam_policy" "read_only" {
  arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

# A copy of a managed policy that grants no iam:PassRole grants none.
resource "aws_iam_role_policy" "auditor_read_only" {
  role   = aws_iam_role.auditor.id
  policy = data.aws_iam_policy.read_only.policy
}

resource "aws_iam_role_policy_attachments_exclusive" "auditor" {
  role_name   = aws_iam_role.auditor.name
  policy_arns = ["arn:aws:iam::aws:policy/SecurityAudit", aws_iam_policy.developers_pass.arn]
}
