# In a multi-line jsonencode(...) list, the finding points at the offending element, not at the
# statement or the policy: the second Resource entry.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "PassRoles"
        Effect = "Allow"
        Action = "iam:PassRole"
        Resource = [
          "arn:aws:iam::123456789012:role/app/*",
          "arn:aws:iam::123456789012:role/*",
          "arn:aws:iam::123456789012:role/jobs/*",
        ]
      },
    ]
  })
}
