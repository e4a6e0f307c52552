# The CI role's own policy allows iam:PassRole on "*", and a guardrail policy attached to the same
# role denies PassRole on every role outside /ci-deploy/: together the role can pass only those.
# The ops group gets a broad policy and a group policy that denies PassRole outright.

resource "aws_iam_role" "ci" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "codebuild.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "ci_deploy" {
  name = "deploy"
  role = aws_iam_role.ci.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*"
    }]
  })
}

data "aws_iam_policy_document" "pass_guardrail" {
  statement {
    effect        = "Deny"
    actions       = ["iam:PassRole"]
    not_resources = ["arn:aws:iam::123456789012:role/ci-deploy/*"]
  }
}

resource "aws_iam_policy" "pass_guardrail" {
  name   = "pass-guardrail"
  policy = data.aws_iam_policy_document.pass_guardrail.json
}

resource "aws_iam_role_policy_attachment" "ci_guardrail" {
  role       = aws_iam_role.ci.name
  policy_arn = aws_iam_policy.pass_guardrail.arn
}

resource "aws_iam_group" "ops" {
  name = "ops"
}

resource "aws_iam_policy" "ops_admin" {
  name = "ops-admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:Pass*", Resource = "arn:aws:iam::123456789012:role/*" }]
  })
}

resource "aws_iam_group_policy_attachment" "ops_admin" {
  group      = aws_iam_group.ops.name
  policy_arn = aws_iam_policy.ops_admin.arn
}

resource "aws_iam_group_policy" "ops_no_pass" {
  name  = "no-pass"
  group = aws_iam_group.ops.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "iam:*", Resource = "*" }]
  })
}
