# A deploy policy that allows iam:PassRole on "*" but denies it, in the same policy, on every role
# except the ones under /app/: IAM evaluates the Deny first, so only /app/ roles can be passed.
# The second policy denies PassRole on every resource: its Allow grants nothing at all.

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "PassAnyRole"
    actions   = ["iam:PassRole", "lambda:CreateFunction"]
    resources = ["*"]
  }

  statement {
    sid           = "OnlyAppRoles"
    effect        = "Deny"
    actions       = ["iam:PassRole"]
    not_resources = ["arn:aws:iam::123456789012:role/app/*"]
  }
}

resource "aws_iam_policy" "deploy" {
  name   = "deploy"
  policy = data.aws_iam_policy_document.deploy.json
}

resource "aws_iam_policy" "read_only" {
  name = "read-only"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["iam:*"]
        Resource = "*"
      },
      {
        Effect   = "Deny"
        Action   = "iam:PassRole"
        Resource = "*"
      },
    ]
  })
}
